package io.tcpteardown.agent.sysctl;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tcpteardown.api.ManagedSysctl;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node-local record of original values ({@code --state-file}), JSON such as {@code
 * {"version":1,"bootId":"…","originals":{"net.ipv4.tcp_fin_timeout":60}}}. Saved atomically: a
 * temporary file in the same directory, fsync, rename over the old one, fsync of the directory; a
 * crash leaves either the old or the new file, never a torn one.
 */
public final class StateFile {
  private static final int VERSION = 1;
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private final Path path;

  public StateFile(Path path) {
    this.path = path;
  }

  public boolean exists() {
    return Files.exists(path);
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  private record Json(int version, String bootId, Map<String, Long> originals) {}

  /** The saved state, {@link NodeState#EMPTY} when there is no file yet. */
  public NodeState load() throws CorruptStateFileException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return NodeState.EMPTY;
    } catch (IOException e) {
      throw new CorruptStateFileException(path, "cannot be read (" + e.getMessage() + ")", e);
    }
    Json json;
    try {
      json = JSON.readValue(bytes, Json.class);
    } catch (IOException e) {
      throw new CorruptStateFileException(
          path, "is not valid state JSON (" + firstLine(e) + ")", e);
    }
    if (json == null || json.version() != VERSION) {
      throw new CorruptStateFileException(
          path,
          "has version " + (json == null ? "none" : json.version()) + ", expected " + VERSION,
          null);
    }
    Map<ManagedSysctl, Long> originals = new EnumMap<>(ManagedSysctl.class);
    if (json.originals() != null) {
      for (var entry : json.originals().entrySet()) {
        ManagedSysctl sysctl =
            ManagedSysctl.byKey(entry.getKey())
                .orElseThrow(
                    () ->
                        new CorruptStateFileException(
                            path,
                            "names " + entry.getKey() + ", which is not a managed sysctl",
                            null));
        if (entry.getValue() == null) {
          throw new CorruptStateFileException(path, "has no value for " + entry.getKey(), null);
        }
        originals.put(sysctl, entry.getValue());
      }
    }
    return new NodeState(json.bootId(), originals);
  }

  public void save(NodeState state) throws IOException {
    Map<String, Long> originals = new TreeMap<>();
    state.originals().forEach((sysctl, value) -> originals.put(sysctl.key(), value));
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(new Json(VERSION, state.bootId(), originals));
    } catch (JsonProcessingException e) {
      throw new IOException("cannot write state JSON", e);
    }
    Path directory = path.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Path temporary = Files.createTempFile(directory, path.getFileName() + ".", ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(
              temporary, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        channel.write(java.nio.ByteBuffer.wrap(bytes));
        channel.force(true);
      }
      try {
        Files.move(
            temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            "cannot replace "
                + path
                + " atomically: keep the state file on a local "
                + "filesystem",
            e);
      }
      try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
        dir.force(true);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
