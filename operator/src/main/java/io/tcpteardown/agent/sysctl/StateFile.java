package io.tcpteardown.agent.sysctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Optional;
import java.util.TreeMap;

/**
 * The node-local record of original values ({@code --state-file}), JSON such as {@code
 * {"version":1,"bootId":"…","originals":{"net.ipv4.tcp_fin_timeout":60}}}. Saved atomically: a
 * temporary file in the same directory, fsync, rename over the old one, fsync of the directory; a
 * crash leaves either the old or the new file, never a torn one.
 *
 * <p>Forward compatible: a newer agent may raise the version and add fields, sections and sysctls,
 * but never change the meaning of the fields of version 1. An older agent reads such a file, uses
 * what it knows and writes everything else back unchanged (version included), so that a rollback
 * loses nothing. Only a file that is not a JSON object, or whose known fields have the wrong type,
 * is corrupt.
 */
public final class StateFile {
  /** The format this agent writes. */
  public static final int VERSION = 1;

  private static final String VERSION_FIELD = "version";
  private static final String BOOT_ID_FIELD = "bootId";
  private static final String ORIGINALS_FIELD = "originals";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private final Path path;

  public StateFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  public boolean exists() {
    return Files.exists(path);
  }

  /** The saved state, {@link NodeState#EMPTY} when there is no file yet. */
  public NodeState load() throws CorruptStateFileException {
    return loadIfPresent().orElse(NodeState.EMPTY);
  }

  /** The saved state, empty when there is no file (one read: no race with a file that vanishes). */
  public Optional<NodeState> loadIfPresent() throws CorruptStateFileException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new CorruptStateFileException(path, "cannot be read (" + e.getMessage() + ")", e);
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new CorruptStateFileException(path, "is not valid JSON (" + firstLine(e) + ")", e);
    }
    if (root == null || root.isMissingNode()) {
      throw new CorruptStateFileException(path, "is empty", null);
    }
    if (!(root instanceof ObjectNode object)) {
      throw new CorruptStateFileException(
          path, "is JSON but not an object (it is " + describe(root) + ")", null);
    }
    ObjectNode unknownFields = object.deepCopy();
    unknownFields.remove(java.util.List.of(VERSION_FIELD, BOOT_ID_FIELD, ORIGINALS_FIELD));
    int version = version(object.get(VERSION_FIELD));
    String bootId = bootId(object.get(BOOT_ID_FIELD));
    Map<ManagedSysctl, Long> originals = new EnumMap<>(ManagedSysctl.class);
    ObjectNode unknownOriginals = JSON.createObjectNode();
    JsonNode section = object.get(ORIGINALS_FIELD);
    if (section != null && !section.isNull()) {
      if (!(section instanceof ObjectNode entries)) {
        throw wrongType(ORIGINALS_FIELD, section, "an object of sysctl name to value");
      }
      for (var entry : entries.properties()) {
        Optional<ManagedSysctl> sysctl = ManagedSysctl.byKey(entry.getKey());
        if (sysctl.isEmpty()) {
          // A sysctl a newer agent manages: kept as it is.
          unknownOriginals.set(entry.getKey(), entry.getValue());
          continue;
        }
        JsonNode value = entry.getValue();
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
          throw wrongType(ORIGINALS_FIELD + "." + entry.getKey(), value, "a whole number");
        }
        originals.put(sysctl.get(), value.longValue());
      }
    }
    return Optional.of(
        new NodeState(
            bootId,
            originals,
            new NodeState.Preserved(
                Math.max(version, VERSION),
                unknownFields.toString(),
                unknownOriginals.toString())));
  }

  private int version(JsonNode version) throws CorruptStateFileException {
    if (version == null || version.isNull()) {
      throw new CorruptStateFileException(
          path,
          "has no \"version\"; every agent writes one (this one writes " + VERSION + ")",
          null);
    }
    if (!version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() < 1) {
      throw wrongType(VERSION_FIELD, version, "a whole number from 1");
    }
    return version.intValue();
  }

  private String bootId(JsonNode bootId) throws CorruptStateFileException {
    if (bootId == null || bootId.isNull()) {
      return null;
    }
    if (!bootId.isTextual()) {
      throw wrongType(BOOT_ID_FIELD, bootId, "a string");
    }
    return bootId.textValue();
  }

  private CorruptStateFileException wrongType(String field, JsonNode value, String expected) {
    return new CorruptStateFileException(
        path,
        "has " + field + " = " + value + " (" + describe(value) + "), expected " + expected,
        null);
  }

  private static String describe(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> node.isIntegralNumber() ? "a whole number out of range" : "a fraction";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }

  public void save(NodeState state) throws IOException {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(toJson(state));
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

  /** This agent's fields first, then everything a newer agent wrote, unchanged. */
  private static ObjectNode toJson(NodeState state) throws JsonProcessingException {
    NodeState.Preserved preserved = state.preserved();
    ObjectNode root = JSON.createObjectNode();
    root.put(VERSION_FIELD, Math.max(VERSION, preserved.version()));
    if (state.bootId() != null) {
      root.put(BOOT_ID_FIELD, state.bootId());
    }
    ObjectNode originals = root.putObject(ORIGINALS_FIELD);
    Map<String, Long> known = new TreeMap<>();
    state.originals().forEach((sysctl, value) -> known.put(sysctl.key(), value));
    known.forEach(originals::put);
    originals.setAll((ObjectNode) JSON.readTree(preserved.originals()));
    root.setAll((ObjectNode) JSON.readTree(preserved.fields()));
    return root;
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
