package io.tcpteardown.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tcpteardown.agent.count.StateLabels;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.rules.advice.AdviceReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's Prometheus metrics; every series carries the node's name. Gauges read the last
 * observation.
 */
public final class AgentMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<NodeObservation> last = new AtomicReference<>();
  private final AtomicReference<Instant> lastReport = new AtomicReference<>();
  private final AtomicReference<Map<AdviceBook.Tally, Integer>> advice =
      new AtomicReference<>(Map.of());
  private final Counter applyErrors;
  private final Counter driftCorrections;

  public AgentMetrics(String node) {
    registry.config().commonTags(Tags.of("node", node));
    new JvmMemoryMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    for (StateLabels.Label state : StateLabels.ALL) {
      Gauge.builder(
              "tcp_teardown_sockets",
              last,
              ref -> ref.get() == null ? Double.NaN : state.count().applyAsLong(ref.get().states()))
          .description("Sockets in this teardown state in the node's network namespace")
          .tag("state", state.value())
          .register(registry);
    }
    Gauge.builder(
            "tcp_teardown_orphans",
            last,
            ref -> ref.get() == null ? Double.NaN : ref.get().states().orphans())
        .description("Orphaned sockets on the node (sockstat)")
        .register(registry);
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      Gauge.builder(
              "tcp_teardown_sysctl_value",
              last,
              ref ->
                  ref.get() == null
                      ? Double.NaN
                      : ref.get().sysctl(sysctl).map(Long::doubleValue).orElse(Double.NaN))
          .description("Current value of a managed sysctl, read from the kernel")
          .tag("sysctl", sysctl.key())
          .register(registry);
    }
    FunctionCounter.builder(
            "tcp_teardown_kernel_time_wait_overflow",
            last,
            ref -> ref.get() == null ? 0 : ref.get().counters().timeWaitOverflow())
        .description("TcpExt TCPTimeWaitOverflow: sockets that skipped TIME_WAIT")
        .register(registry);
    FunctionCounter.builder(
            "tcp_teardown_kernel_abort_on_memory",
            last,
            ref -> ref.get() == null ? 0 : ref.get().counters().abortOnMemory())
        .description("TcpExt TCPAbortOnMemory: resets for too many orphans or TCP memory")
        .register(registry);
    applyErrors =
        Counter.builder("tcp_teardown_agent_apply_errors")
            .description("Sysctl writes that failed, were refused or did not read back")
            .register(registry);
    driftCorrections =
        Counter.builder("tcp_teardown_agent_drift_corrections")
            .description("Managed values changed by someone else and written back")
            .register(registry);
    Gauge.builder(
            "tcp_teardown_agent_last_report_timestamp_seconds",
            lastReport,
            ref -> ref.get() == null ? Double.NaN : ref.get().toEpochMilli() / 1000.0)
        .description("When the agent last wrote its TcpTeardownNode status")
        .register(registry);
    // Two scopes times six reasons: twelve series per node whatever the pods do.
    for (String scope : List.of(AdviceEntry.SCOPE_HOST_NETWORK, AdviceEntry.SCOPE_POD)) {
      for (AdviceReason reason : AdviceReason.values()) {
        AdviceBook.Tally key = new AdviceBook.Tally(scope, reason);
        Gauge.builder("tcp_teardown_advice", advice, ref -> ref.get().getOrDefault(key, 0))
            .description(
                "Advice in status.advice of this node's TcpTeardownNode (all of it, also past the"
                    + " entries shown), by scope and reason")
            .tag("scope", scope)
            .tag("reason", reason.name())
            .register(registry);
      }
    }
  }

  /** The advice of the last status, by scope and reason. */
  public void advised(Map<AdviceBook.Tally, Integer> tally) {
    advice.set(Map.copyOf(tally));
  }

  public void observed(NodeObservation observation) {
    last.set(observation);
  }

  public void applyErrors(int count) {
    applyErrors.increment(count);
  }

  public void driftCorrections(int count) {
    driftCorrections.increment(count);
  }

  public void reported(Instant when) {
    lastReport.set(when);
  }

  /** The registry, for the pods' metrics. */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }
}
