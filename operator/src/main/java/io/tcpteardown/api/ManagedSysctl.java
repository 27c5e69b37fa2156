package io.tcpteardown.api;

import java.util.Arrays;
import java.util.Optional;

/**
 * The teardown sysctls this project manages, and nothing else: the allowlist of what the agent may
 * write. Each knows its profile field, its file under /proc/sys/net/ipv4 and whether it is per
 * network namespace or node-wide.
 */
public enum ManagedSysctl {
  ORPHAN_RETRIES("orphanRetries", "tcp_orphan_retries", Scope.NETWORK_NAMESPACE),
  FIN_TIMEOUT("finTimeoutSeconds", "tcp_fin_timeout", Scope.NETWORK_NAMESPACE),
  MAX_ORPHANS("maxOrphans", "tcp_max_orphans", Scope.NODE),
  MAX_TW_BUCKETS("maxTwBuckets", "tcp_max_tw_buckets", Scope.NETWORK_NAMESPACE),
  TW_REUSE("twReuse", "tcp_tw_reuse", Scope.NETWORK_NAMESPACE),
  TIMESTAMPS("timestamps", "tcp_timestamps", Scope.NETWORK_NAMESPACE),
  CHILD_EHASH_ENTRIES(
      "childEhashEntries", "tcp_child_ehash_entries", Scope.NAMESPACES_CREATED_LATER);

  /** Where a value takes effect. */
  public enum Scope {
    /**
     * The network namespace the agent runs in: with hostNetwork, the node's own services and
     * hostNetwork pods.
     */
    NETWORK_NAMESPACE,
    /** The whole node; the file exists only in the initial network namespace. */
    NODE,
    /**
     * The network namespaces created afterwards from the agent's one: the pods' namespaces the
     * container runtime creates in the node's namespace. The file exists in every namespace, but
     * only the node's namespace's value is managed: never a pod's.
     */
    NAMESPACES_CREATED_LATER
  }

  private final String field;
  private final String fileName;
  private final Scope scope;

  ManagedSysctl(String field, String fileName, Scope scope) {
    this.field = field;
    this.fileName = fileName;
    this.scope = scope;
  }

  /** The field name in a profile's spec and a TcpTeardownNode's spec. */
  public String field() {
    return field;
  }

  /** The file name under /proc/sys/net/ipv4. */
  public String fileName() {
    return fileName;
  }

  /**
   * The sysctl key, as in {@code sysctl net.ipv4.tcp_fin_timeout}: used as the key in status maps.
   */
  public String key() {
    return "net.ipv4." + fileName;
  }

  public Scope scope() {
    return scope;
  }

  /**
   * A kernel value as a profile writes it: the enum's name for {@code twReuse} and {@code
   * timestamps} ({@code LoopbackOnly}, not 2), the number otherwise and for a value no name has.
   */
  public String displayValue(long value) {
    Optional<? extends Enum<?>> named =
        switch (this) {
          case TW_REUSE ->
              Arrays.stream(TwReuse.values()).filter(v -> v.sysctlValue() == value).findFirst();
          case TIMESTAMPS ->
              Arrays.stream(Timestamps.values()).filter(v -> v.sysctlValue() == value).findFirst();
          default -> Optional.empty();
        };
    return named.map(Enum::name).orElse(Long.toString(value));
  }

  public static Optional<ManagedSysctl> byKey(String key) {
    return Arrays.stream(values()).filter(s -> s.key().equals(key)).findFirst();
  }

  public static Optional<ManagedSysctl> byField(String field) {
    return Arrays.stream(values()).filter(s -> s.field().equals(field)).findFirst();
  }
}
