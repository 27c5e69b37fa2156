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

/**
 * The operator's Prometheus metrics: per-profile gauges from the status it reports, the count of
 * TcpTeardownNode spec writes, plus JVM metrics.
 */
public final class OperatorMetrics {
  /** The counter of TcpTeardownNode spec writes; Prometheus shows it with {@code _total}. */
  public static final String SPEC_WRITES = "tcp_teardown_node_spec_writes";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Map<String, AtomicLong>> gauges = new ConcurrentHashMap<>();

  public OperatorMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    FunctionCounter.builder(SPEC_WRITES, this, m -> TcpTeardownNodeDependent.specWrites())
        .description(
            "TcpTeardownNode spec writes (server-side applies) the API server accepted from this"
                + " operator: one per node a profile change reaches, none while nothing changes")
        .register(registry);
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
