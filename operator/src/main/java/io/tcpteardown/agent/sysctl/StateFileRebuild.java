package io.tcpteardown.agent.sysctl;

import io.tcpteardown.rules.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The remedy for a state file the agent cannot read: move it aside as {@code
 * <file>.corrupt-<timestamp>} and write a new one from the originals the agent last published in
 * {@code status.original}, after the same checks the agent applies when it adopts them.
 */
public final class StateFileRebuild {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** What the rebuild did. */
  public record Rebuilt(Optional<Path> movedAside, NodeState written, List<String> notAdopted) {}

  /** Why nothing was done; the message says what to do instead. */
  public static final class Refused extends Exception {
    public Refused(String message) {
      super(message);
    }
  }

  private StateFileRebuild() {}

  /**
   * @param mirror {@code status.original} of the node's TcpTeardownNode
   * @param source where the mirror came from, for messages (such as {@code TcpTeardownNode n1})
   */
  public static Rebuilt rebuild(
      StateFile file, Map<String, String> mirror, String source, Instant now)
      throws Refused, IOException {
    if (file.exists()) {
      try {
        NodeState state = file.load();
        throw new Refused(
            "state file "
                + file
                + " is readable (originals "
                + state.originals()
                + "): nothing to rebuild, and it wins over status.original. Move it aside by hand only if "
                + "you know its originals are wrong");
      } catch (CorruptStateFileException expected) {
        // The case this command is for.
      }
    }
    OriginalsMirror parsed = OriginalsMirror.parse(mirror);
    if (!parsed.violations().isEmpty()) {
      throw new Refused(
          "status.original of "
              + source
              + " cannot be trusted, "
              + file
              + " is left as it is: "
              + parsed.violations().stream()
                  .map(Violation::message)
                  .collect(Collectors.joining("; ")));
    }
    if (parsed.values().isEmpty()) {
      throw new Refused(
          "status.original of "
              + source
              + " holds no original, so there is nothing to rebuild "
              + file
              + " from; it is left as it is. If the agent never changed a value on this node, move the "
              + "file aside and the agent records the current values as originals");
    }
    Optional<Path> movedAside = Optional.empty();
    if (file.exists()) {
      Path aside =
          file.path().resolveSibling(file.path().getFileName() + ".corrupt-" + STAMP.format(now));
      Files.move(file.path(), aside, StandardCopyOption.ATOMIC_MOVE);
      movedAside = Optional.of(aside);
    }
    NodeState state = parsed.adopted();
    file.save(state);
    return new Rebuilt(movedAside, state, parsed.unknownKeys());
  }
}
