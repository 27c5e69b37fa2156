package io.tcpteardown.operator;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The operator's Prometheus metrics: per-profile gauges from the status it reports, the count of
 * TcpTeardownNode spec writes, plus JVM metrics.
 */
public final class OperatorMetrics {
  /** The counter of TcpTeardownNode spec writes; Prometheus shows it with {@code _total}. */
  public static final String SPEC_WRITES = "tcp_teardown_node_spec_writes";

  /** 1 while this replica leads (or runs without leader election), 0 while it waits. */
  public static final String LEADER = "tcp_teardown_operator_leader";

  /**
   * Seconds since a node's agent last reported, only for nodes past the silence limit: no series
   * while every agent reports, at most one per TcpTeardownNode.
   */
  public static final String AGENT_SILENT = "tcp_teardown_node_agent_silent_seconds";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Map<String, AtomicLong>> gauges = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> silentAgents = new ConcurrentHashMap<>();
  private final LongAdder specWrites = new LongAdder();

  public OperatorMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    FunctionCounter.builder(SPEC_WRITES, specWrites, LongAdder::sum)
        .description(
            "TcpTeardownNode spec writes (server-side applies) the API server accepted from this"
                + " operator: one per node a profile change reaches, none while nothing changes")
        .register(registry);
  }

  /** The API server accepted a TcpTeardownNode spec write (a creation or an update). */
  public void specWritten() {
    specWrites.increment();
  }

  /** TcpTeardownNode spec writes the API server accepted so far. */
  public long specWrites() {
    return specWrites.sum();
  }

  /** Registers the leader gauge, read at each scrape. */
  public void leadership(java.util.function.BooleanSupplier leading) {
    Gauge.builder(LEADER, () -> leading.getAsBoolean() ? 1 : 0)
        .description("1 while this operator replica holds the leader Lease and reconciles")
        .register(registry);
  }

  /** The nodes whose agents are silent now (node to seconds); every other node's series is gone. */
  public void silentAgents(Map<String, java.time.Duration> silent) {
    silentAgents
        .keySet()
        .removeIf(
            node -> {
              if (silent.containsKey(node)) {
                return false;
              }
              registry.find(AGENT_SILENT).tag("node", node).meters().forEach(registry::remove);
              return true;
            });
    silent.forEach(
        (node, since) ->
            silentAgents
                .computeIfAbsent(
                    node,
                    n -> {
                      AtomicLong holder = new AtomicLong();
                      Gauge.builder(AGENT_SILENT, holder, AtomicLong::get)
                          .description(
                              "Seconds since the agent of a node last wrote its TcpTeardownNode"
                                  + " status, for nodes silent past two report intervals and a"
                                  + " minute")
                          .tag("node", n)
                          .register(registry);
                      return holder;
                    })
                .set(since.toSeconds()));
  }

  public void record(String profile, TcpTeardownProfileStatus status) {
    set(profile, "tcp_teardown_profile_selected_nodes", status.selectedNodes());
    set(profile, "tcp_teardown_profile_applied_nodes", status.appliedNodes());
    set(
        profile,
        "tcp_teardown_profile_teardown_pressure",
        Conditions.isTrue(status.conditions(), ProfileConditions.TEARDOWN_PRESSURE) ? 1 : 0);
    set(
        profile,
        "tcp_teardown_profile_accepted",
        Conditions.isTrue(status.conditions(), ProfileConditions.ACCEPTED) ? 1 : 0);
    set(
        profile,
        "tcp_teardown_profile_conflict",
        Conditions.isTrue(status.conditions(), ProfileConditions.CONFLICT) ? 1 : 0);
  }

  /** Drops the series of profiles that no longer exist. */
  public void retainOnly(Set<String> profiles) {
    gauges.forEach(
        (name, byProfile) ->
            byProfile
                .keySet()
                .removeIf(
                    profile -> {
                      if (profiles.contains(profile)) {
                        return false;
                      }
                      registry
                          .find(name)
                          .tag("profile", profile)
                          .meters()
                          .forEach(registry::remove);
                      return true;
                    }));
  }

  private void set(String profile, String name, long value) {
    gauges
        .computeIfAbsent(name, n -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            profile,
            p -> {
              AtomicLong holder = new AtomicLong();
              Gauge.builder(name, holder, AtomicLong::get).tag("profile", p).register(registry);
              return holder;
            })
        .set(value);
  }

  public String scrape() {
    return registry.scrape();
  }
}
