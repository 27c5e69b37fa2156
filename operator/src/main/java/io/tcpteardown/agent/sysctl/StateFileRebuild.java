package io.tcpteardown.agent.sysctl;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tcpteardown.rules.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The remedy for a state file the agent cannot read: move it aside as {@code
 * <file>.corrupt-<timestamp>} and write a new one, all under the file's lock (the running agent
 * waits meanwhile). The source is the backup {@code <file>.backup} when it reads whole, since it
 * holds the pods' originals too and is at least as new as the file ({@link StateFile}); otherwise
 * the node's originals the agent last published in {@code status.original}, after the same checks
 * the agent applies when it adopts them (the pods' originals are then lost: no status mirrors
 * them). A file whose node section reads but whose pods section does not gets the backup's pods
 * section.
 */
public final class StateFileRebuild {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /**
   * What the rebuild did.
   *
   * @param fromBackup the backup the content came from; empty when it came from {@code
   *     status.original}
   * @param pods the UIDs of the pods whose originals the new file holds
   * @param notes what the caller should know: where {@code status.original} and the backup
   *     disagree, why the backup was not used
   */
  public record Rebuilt(
      Optional<Path> movedAside,
      NamespaceState written,
      List<String> notAdopted,
      Optional<Path> fromBackup,
      Set<String> pods,
      List<String> notes) {
    public Rebuilt {
      pods = Set.copyOf(pods);
      notes = List.copyOf(notes);
      notAdopted = List.copyOf(notAdopted);
    }
  }

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
    return file.locked(() -> rebuildLocked(file, mirror, source, now));
  }

  private static Rebuilt rebuildLocked(
      StateFile file, Map<String, String> mirror, String source, Instant now)
      throws Refused, IOException {
    List<String> notes = new ArrayList<>();
    Optional<ObjectNode> backup = readBackup(file, notes);
    if (file.exists()) {
      NamespaceState state;
      try {
        state = file.load();
      } catch (CorruptStateFileException wholeFile) {
        state = null;
      }
      if (state != null) {
        return podsFromBackup(file, state, backup, now, notes);
      }
    }
    if (backup.isPresent()) {
      Optional<Path> movedAside = moveAside(file, now);
      file.writeRoot(backup.get());
      NamespaceState written = reread(file);
      Set<String> pods = podUids(file);
      disagreements(written, mirror, source, notes);
      return new Rebuilt(
          movedAside, written, List.of(), Optional.of(file.backupPath()), pods, notes);
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
                  .collect(Collectors.joining("; "))
              + backupHint(notes));
    }
    if (parsed.values().isEmpty()) {
      throw new Refused(
          "status.original of "
              + source
              + " holds no original, so there is nothing to rebuild "
              + file
              + " from; it is left as it is. If the agent never changed a value on this node, move the "
              + "file aside and the agent records the current values as originals"
              + backupHint(notes));
    }
    Optional<Path> movedAside = moveAside(file, now);
    NamespaceState state = parsed.adopted();
    file.save(state);
    notes.add(
        "the node's originals come from status.original; the pods' originals of the old file, if"
            + " any, are not recovered (no status mirrors them)");
    return new Rebuilt(movedAside, state, parsed.unknownKeys(), Optional.empty(), Set.of(), notes);
  }

  /** The node section reads: only a damaged pods section can be repaired, from the backup. */
  private static Rebuilt podsFromBackup(
      StateFile file,
      NamespaceState state,
      Optional<ObjectNode> backup,
      Instant now,
      List<String> notes)
      throws Refused, IOException {
    Optional<ObjectNode> current;
    try {
      current = file.readValidRoot();
    } catch (CorruptStateFileException podsDamaged) {
      if (backup.isEmpty()) {
        throw new Refused(
            podsDamaged.getMessage()
                + "; there is no readable backup to take the pods' originals from"
                + backupHint(notes));
      }
      ObjectNode repaired;
      try {
        repaired = file.readRootAsIs();
      } catch (CorruptStateFileException e) {
        throw new IOException(e.getMessage(), e);
      }
      ObjectNode pods = (ObjectNode) backup.get().get("pods");
      if (pods == null) {
        repaired.remove("pods");
      } else {
        repaired.set("pods", pods);
      }
      Optional<Path> movedAside = moveAside(file, now);
      file.writeRoot(repaired);
      notes.add(
          "the node's section is the file's own; the pods section, which could not be read, is"
              + " the backup's");
      return new Rebuilt(
          movedAside,
          reread(file),
          List.of(),
          Optional.of(file.backupPath()),
          podUids(file),
          notes);
    }
    throw new Refused(
        "state file "
            + file
            + " is readable (originals "
            + state.originals()
            + (current.isPresent() ? ", " + podUids(file).size() + " pods" : "")
            + "): nothing to rebuild, and it wins over status.original. Move it aside by hand only if "
            + "you know its originals are wrong");
  }

  private static NamespaceState reread(StateFile file) throws IOException {
    try {
      return file.load();
    } catch (CorruptStateFileException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static Set<String> podUids(StateFile file) throws IOException {
    try {
      return file.podUids();
    } catch (CorruptStateFileException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static Optional<ObjectNode> readBackup(StateFile file, List<String> notes) {
    StateFile backup = new StateFile(file.backupPath());
    try {
      Optional<ObjectNode> root = backup.readValidRoot();
      if (root.isEmpty()) {
        notes.add("there is no backup " + file.backupPath());
      }
      return root;
    } catch (CorruptStateFileException e) {
      notes.add("the backup " + file.backupPath() + " is not used: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static String backupHint(List<String> notes) {
    return notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")";
  }

  private static Optional<Path> moveAside(StateFile file, Instant now) throws IOException {
    if (!file.exists()) {
      return Optional.empty();
    }
    Path aside =
        file.path().resolveSibling(file.path().getFileName() + ".corrupt-" + STAMP.format(now));
    Files.move(file.path(), aside, StandardCopyOption.ATOMIC_MOVE);
    return Optional.of(aside);
  }

  /** Where status.original says otherwise than the backup (the backup wins). */
  private static void disagreements(
      NamespaceState written, Map<String, String> mirror, String source, List<String> notes) {
    new java.util.TreeMap<>(mirror)
        .forEach(
            (key, text) -> {
              var sysctl = io.tcpteardown.api.ManagedSysctl.byKey(key);
              Long kept = sysctl.map(s -> written.originals().get(s)).orElse(null);
              if (sysctl.isPresent() && (kept == null || !Long.toString(kept).equals(text))) {
                notes.add(
                    "status.original of "
                        + source
                        + " says "
                        + key
                        + "="
                        + shown(text)
                        + ", the backup says "
                        + (kept == null ? "nothing" : kept)
                        + ": the backup wins; if it is stale (an older agent ran since it was"
                        + " written), move the new file and the backup aside and rebuild again,"
                        + " from status.original");
              }
            });
  }

  /** A value of status.original as printed: at most 24 characters, no control characters. */
  private static String shown(String text) {
    if (text == null) {
      return "null";
    }
    String clean = text.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= 24 ? clean : clean.substring(0, 24) + "…";
  }
}
