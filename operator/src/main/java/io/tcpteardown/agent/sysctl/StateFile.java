package io.tcpteardown.agent.sysctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tcpteardown.agent.ffm.ExclusiveFileLock;
import io.tcpteardown.api.ManagedSysctl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The node-local record of original values ({@code --state-file}), JSON such as {@code
 * {"version":1,"bootId":"…","originals":{"net.ipv4.tcp_fin_timeout":60}}}. Saved atomically: a
 * temporary file in the same directory written to its last byte (a short write is continued, and a
 * file system that takes no more bytes fails the save), fsync, rename over the old one, fsync of
 * the directory; a crash or a full disk leaves either the old or the new file, never a torn one,
 * and no temporary file.
 *
 * <p>Every read-modify-write holds an exclusive lock on {@code <file>.lock} ({@link
 * ExclusiveFileLock}), a file that is never renamed, so that the agent and {@code state-file
 * rebuild}, a separate process, never interleave theirs. Reads take no lock: the file is only ever
 * replaced whole.
 *
 * <p>Backup: every save first writes the same bytes to {@code <file>.backup} (same steps), then to
 * the file, so the backup holds the newest content, or one save ahead when the second write failed
 * (that save threw, so nothing was written to the kernel after it, and its originals are still the
 * kernel's values). It is not written while the content has a pods section this agent cannot read:
 * it keeps the last readable pods' originals. {@code state-file rebuild} restores from it.
 *
 * <p>Forward compatible: a newer agent may raise the version and add fields, sections and sysctls,
 * but never change the meaning of the fields of version 1. An older agent reads such a file, uses
 * what it knows and writes everything else back unchanged (version included), so that a rollback
 * loses nothing. Only a file that is not a JSON object, or whose known fields have the wrong type,
 * is corrupt.
 *
 * <p>Pods: {@code "pods": {"<pod uid>": {"bootId": "…", "originals": {…}}}} holds the originals of
 * each pod network namespace the agent changed ({@link PodOriginals}). Agents before pod tuning
 * keep it as an unknown section. The node's and the pods' sections are saved by read-modify-write
 * under one lock, so that neither loses the other's changes; a file with only a pods section has no
 * node section yet (the node's originals may still be adopted from {@code status.original}).
 */
public final class StateFile implements OriginalsStore {
  /** The format this agent writes. */
  public static final int VERSION = 1;

  private static final String VERSION_FIELD = "version";
  private static final String BOOT_ID_FIELD = "bootId";
  private static final String ORIGINALS_FIELD = "originals";
  private static final String PODS_FIELD = "pods";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  /** How long a read-modify-write waits for another holder of the lock. */
  private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(10);

  private final Path path;

  /** The lock while this instance holds it (guarded by {@code this}; re-entered by depth). */
  private ExclusiveFileLock lock;

  private int lockDepth;

  public StateFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /** {@code <file>.lock}: held during every read-modify-write, never renamed or removed. */
  public Path lockPath() {
    return path.resolveSibling(path.getFileName() + ".lock");
  }

  /** {@code <file>.backup}: a copy written before the file by every save. */
  public Path backupPath() {
    return path.resolveSibling(path.getFileName() + ".backup");
  }

  /** Work done while holding the lock. */
  @FunctionalInterface
  public interface Locked<T, E extends Exception> {
    T run() throws E, IOException;
  }

  /**
   * Runs {@code action} holding the exclusive lock on {@link #lockPath()}, waiting up to 10 s for
   * another process to release it; re-entrant within this instance (its saves inside do not lock
   * again).
   */
  public synchronized <T, E extends Exception> T locked(Locked<T, E> action) throws E, IOException {
    if (lockDepth == 0) {
      Files.createDirectories(path.toAbsolutePath().getParent());
      lock = ExclusiveFileLock.acquire(lockPath(), LOCK_TIMEOUT);
    }
    lockDepth++;
    try {
      return action.run();
    } finally {
      lockDepth--;
      if (lockDepth == 0) {
        ExclusiveFileLock held = lock;
        lock = null;
        held.close();
      }
    }
  }

  public boolean exists() {
    return Files.exists(path);
  }

  /** The saved state, {@link NamespaceState#EMPTY} when there is no file yet. */
  public NamespaceState load() throws CorruptStateFileException {
    return loadIfPresent().orElse(NamespaceState.EMPTY);
  }

  /** The saved state, empty when there is no file (one read: no race with a file that vanishes). */
  @Override
  public synchronized Optional<NamespaceState> loadIfPresent() throws CorruptStateFileException {
    Optional<ObjectNode> root = readRoot();
    if (root.isEmpty() || nodeSectionAbsent(root.get())) {
      return Optional.empty();
    }
    return Optional.of(parseNode(root.get()));
  }

  /** Only a pods section: the node's own section was never saved. */
  private static boolean nodeSectionAbsent(ObjectNode root) {
    return !root.has(ORIGINALS_FIELD) && !root.has(BOOT_ID_FIELD);
  }

  private Optional<ObjectNode> readRoot() throws CorruptStateFileException {
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
    version(object.get(VERSION_FIELD));
    return Optional.of(object);
  }

  private NamespaceState parseNode(ObjectNode object) throws CorruptStateFileException {
    ObjectNode unknownFields = object.deepCopy();
    unknownFields.remove(java.util.List.of(VERSION_FIELD, BOOT_ID_FIELD, ORIGINALS_FIELD));
    int version = version(object.get(VERSION_FIELD));
    return section(object, "", Math.max(version, VERSION), unknownFields);
  }

  /**
   * A bootId and an originals map, at {@code prefix} (empty for the node's section, {@code
   * pods.<uid>.} for a pod's); every field and sysctl this agent does not know is preserved.
   */
  private NamespaceState section(
      ObjectNode object, String prefix, int version, ObjectNode unknownFields)
      throws CorruptStateFileException {
    String bootId = bootId(object.get(BOOT_ID_FIELD), prefix);
    Map<ManagedSysctl, Long> originals = new EnumMap<>(ManagedSysctl.class);
    ObjectNode unknownOriginals = JSON.createObjectNode();
    JsonNode section = object.get(ORIGINALS_FIELD);
    if (section != null && !section.isNull()) {
      if (!(section instanceof ObjectNode entries)) {
        throw wrongType(prefix + ORIGINALS_FIELD, section, "an object of sysctl name to value");
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
          throw wrongType(prefix + ORIGINALS_FIELD + "." + entry.getKey(), value, "a whole number");
        }
        originals.put(sysctl.get(), value.longValue());
      }
    }
    return new NamespaceState(
        bootId,
        originals,
        new NamespaceState.Preserved(
            version, unknownFields.toString(), unknownOriginals.toString()));
  }

  /** The originals recorded for one pod's network namespace, empty when there are none. */
  public synchronized Optional<NamespaceState> loadPod(String podUid)
      throws CorruptStateFileException {
    Optional<ObjectNode> root = readRoot();
    if (root.isEmpty()) {
      return Optional.empty();
    }
    JsonNode entry = pods(root.get()).get(podUid);
    if (entry == null || entry.isNull()) {
      return Optional.empty();
    }
    return Optional.of(podSection(podUid, entry));
  }

  private NamespaceState podSection(String podUid, JsonNode entry)
      throws CorruptStateFileException {
    String prefix = PODS_FIELD + "." + podUid + ".";
    if (!(entry instanceof ObjectNode object)) {
      throw wrongType(PODS_FIELD + "." + podUid, entry, "an object with bootId and originals");
    }
    ObjectNode unknownFields = object.deepCopy();
    unknownFields.remove(java.util.List.of(BOOT_ID_FIELD, ORIGINALS_FIELD));
    return section(object, prefix, VERSION, unknownFields);
  }

  /**
   * Saves one pod's originals, leaving the rest of the file as it is; an entry with no originals
   * left is removed.
   */
  public synchronized void savePod(String podUid, NamespaceState state) throws IOException {
    locked(() -> savePodLocked(podUid, state));
  }

  private Void savePodLocked(String podUid, NamespaceState state) throws IOException {
    ObjectNode root = readRootForUpdate();
    ObjectNode pods = podsForUpdate(root);
    ObjectNode entry = sectionJson(state);
    if (entry.path(ORIGINALS_FIELD).isEmpty()) {
      pods.remove(podUid);
    } else {
      pods.set(podUid, entry);
    }
    if (pods.isEmpty()) {
      root.remove(PODS_FIELD);
    }
    write(root);
    return null;
  }

  /**
   * Drops the entries of pods that no longer exist (their namespaces are gone with them: nothing is
   * restored) and answers their UIDs.
   */
  public synchronized java.util.Set<String> retainPods(java.util.Set<String> existing)
      throws IOException {
    return locked(() -> retainPodsLocked(existing));
  }

  private java.util.Set<String> retainPodsLocked(java.util.Set<String> existing)
      throws IOException {
    ObjectNode root = readRootForUpdate();
    ObjectNode pods = podsForUpdate(root);
    java.util.Set<String> dropped = new java.util.TreeSet<>();
    pods.fieldNames()
        .forEachRemaining(
            uid -> {
              if (!existing.contains(uid)) {
                dropped.add(uid);
              }
            });
    if (dropped.isEmpty()) {
      return dropped;
    }
    pods.remove(dropped);
    if (pods.isEmpty()) {
      root.remove(PODS_FIELD);
    }
    write(root);
    return dropped;
  }

  /** The UIDs of the pods that have originals recorded. */
  public synchronized java.util.Set<String> podUids() throws CorruptStateFileException {
    Optional<ObjectNode> root = readRoot();
    java.util.Set<String> uids = new java.util.TreeSet<>();
    if (root.isPresent()) {
      pods(root.get()).fieldNames().forEachRemaining(uids::add);
    }
    return uids;
  }

  private ObjectNode pods(ObjectNode root) throws CorruptStateFileException {
    JsonNode pods = root.get(PODS_FIELD);
    if (pods == null || pods.isNull()) {
      return JSON.createObjectNode();
    }
    if (!(pods instanceof ObjectNode object)) {
      throw wrongType(PODS_FIELD, pods, "an object of pod UID to originals");
    }
    return object;
  }

  private ObjectNode readRootForUpdate() throws IOException {
    try {
      return readRoot()
          .orElseGet(
              () -> {
                ObjectNode fresh = JSON.createObjectNode();
                fresh.put(VERSION_FIELD, VERSION);
                return fresh;
              });
    } catch (CorruptStateFileException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private ObjectNode podsForUpdate(ObjectNode root) throws IOException {
    try {
      ObjectNode pods = pods(root);
      root.set(PODS_FIELD, pods);
      return pods;
    } catch (CorruptStateFileException e) {
      throw new IOException(e.getMessage(), e);
    }
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

  private String bootId(JsonNode bootId, String prefix) throws CorruptStateFileException {
    if (bootId == null || bootId.isNull()) {
      return null;
    }
    if (!bootId.isTextual()) {
      throw wrongType(prefix + BOOT_ID_FIELD, bootId, "a string");
    }
    return bootId.textValue();
  }

  private CorruptStateFileException wrongType(String field, JsonNode value, String expected) {
    String problem =
        "has " + field + " = " + value + " (" + describe(value) + "), expected " + expected;
    return field.startsWith(PODS_FIELD)
        ? CorruptStateFileException.inPods(path, problem)
        : new CorruptStateFileException(path, problem, null);
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

  /**
   * Saves the node's section; the pods section is taken from the file as it is now, so that a pod's
   * originals saved meanwhile are never lost. A file that exists but cannot be read is never
   * replaced (its pods' originals would go with it): the save fails, naming it.
   */
  @Override
  public synchronized void save(NamespaceState state) throws IOException {
    locked(() -> saveLocked(state));
  }

  private Void saveLocked(NamespaceState state) throws IOException {
    ObjectNode root = toJson(state);
    Optional<ObjectNode> current;
    try {
      current = readRoot();
    } catch (CorruptStateFileException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (current.isPresent()) {
      JsonNode pods = current.get().get(PODS_FIELD);
      if (pods == null) {
        root.remove(PODS_FIELD);
      } else {
        root.set(PODS_FIELD, pods);
      }
    }
    write(root);
    return null;
  }

  /**
   * Writes the backup (unless the content has a pods section this agent cannot read), then the
   * file: either this throws and the file is as it was, or the file holds exactly these bytes.
   */
  private void write(ObjectNode root) throws IOException {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IOException("cannot write state JSON", e);
    }
    if (readable(root)) {
      replace(backupPath(), bytes);
    }
    replace(path, bytes);
    // One fsync of the directory makes both renames durable. A crash before it may keep either
    // file old or new in any combination; the save then had not returned, so nothing was written
    // to the kernel after it, and the old and the new content are both true originals.
    Path directory = path.toAbsolutePath().getParent();
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  /** Restores a whole file (the rebuild), under the lock the caller holds. */
  void writeRoot(ObjectNode root) throws IOException {
    locked(
        () -> {
          write(root);
          return null;
        });
  }

  /** Whether every section of {@code root} parses, the pods' entries included. */
  private boolean readable(ObjectNode root) {
    try {
      validate(root);
      return true;
    } catch (CorruptStateFileException e) {
      return false;
    }
  }

  /** Throws what a load of any section of {@code root} would throw. */
  void validate(ObjectNode root) throws CorruptStateFileException {
    version(root.get(VERSION_FIELD));
    checkSection(root, "");
    for (var entry : pods(root).properties()) {
      JsonNode pod = entry.getValue();
      if (pod.isNull()) {
        continue;
      }
      if (!(pod instanceof ObjectNode object)) {
        throw wrongType(
            PODS_FIELD + "." + entry.getKey(), pod, "an object with bootId and originals");
      }
      checkSection(object, PODS_FIELD + "." + entry.getKey() + ".");
    }
  }

  /** The checks of {@link #section} without building anything (run at every save). */
  private void checkSection(ObjectNode object, String prefix) throws CorruptStateFileException {
    bootId(object.get(BOOT_ID_FIELD), prefix);
    JsonNode section = object.get(ORIGINALS_FIELD);
    if (section == null || section.isNull()) {
      return;
    }
    if (!(section instanceof ObjectNode entries)) {
      throw wrongType(prefix + ORIGINALS_FIELD, section, "an object of sysctl name to value");
    }
    for (var entry : entries.properties()) {
      JsonNode value = entry.getValue();
      if (ManagedSysctl.byKey(entry.getKey()).isPresent()
          && (!value.isIntegralNumber() || !value.canConvertToLong())) {
        throw wrongType(prefix + ORIGINALS_FIELD + "." + entry.getKey(), value, "a whole number");
      }
    }
  }

  /** The file as JSON, sections unchecked (the rebuild keeps its readable node section). */
  ObjectNode readRootAsIs() throws CorruptStateFileException {
    return readRoot().orElseThrow(() -> new CorruptStateFileException(path, "is gone", null));
  }

  /** The file as JSON when it exists and every section of it reads (see {@link #validate}). */
  Optional<ObjectNode> readValidRoot() throws CorruptStateFileException {
    Optional<ObjectNode> root = readRoot();
    if (root.isPresent()) {
      validate(root.get());
    }
    return root;
  }

  /** Temporary file, every byte, fsync, rename over {@code target} (the directory not synced). */
  private static void replace(Path target, byte[] bytes) throws IOException {
    Path directory = target.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Path temporary = Files.createTempFile(directory, target.getFileName() + ".", ".tmp");
    IOException failure = null;
    try {
      try (FileChannel channel =
          FileChannel.open(
              temporary, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        writeFully(channel, bytes, temporary);
        channel.force(true);
      }
      try {
        Files.move(
            temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            "cannot replace "
                + target
                + " atomically: keep the state file on a local "
                + "filesystem",
            e);
      }
    } catch (IOException e) {
      failure = e;
      throw e;
    } finally {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException e) {
        if (failure == null) {
          throw e;
        }
        failure.addSuppressed(e);
      }
    }
  }

  /**
   * Writes every byte: a write may take fewer bytes than asked (Linux does so on a nearly full file
   * system), so it is repeated for the rest; a write that takes none, or fails (no space left),
   * fails the save before anything is renamed.
   */
  private static void writeFully(FileChannel channel, byte[] bytes, Path temporary)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      int written;
      try {
        written = channel.write(buffer);
      } catch (IOException e) {
        throw new IOException(
            shortWrite(temporary, buffer.position(), bytes.length, e.getMessage()), e);
      }
      if (written <= 0) {
        throw new IOException(
            shortWrite(temporary, buffer.position(), bytes.length, "a write took no byte"));
      }
    }
  }

  private static String shortWrite(Path temporary, int done, int total, String why) {
    return "writing "
        + temporary
        + " stopped after "
        + done
        + " of "
        + total
        + " bytes ("
        + why
        + "): the file it replaces is left as it was; free space on its file system";
  }

  /** This agent's fields first, then everything a newer agent wrote, unchanged. */
  private static ObjectNode toJson(NamespaceState state) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put(VERSION_FIELD, Math.max(VERSION, state.preserved().version()));
    root.setAll(sectionJson(state));
    return root;
  }

  private static ObjectNode sectionJson(NamespaceState state) throws IOException {
    NamespaceState.Preserved preserved = state.preserved();
    ObjectNode root = JSON.createObjectNode();
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
