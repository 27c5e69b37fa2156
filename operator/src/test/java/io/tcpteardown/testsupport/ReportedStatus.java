package io.tcpteardown.testsupport;

import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.PodTeardownEntry.Listed;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import java.util.List;
import java.util.Map;

/** A small status as an agent reports it: fin_timeout applied, one pod listed. */
public final class ReportedStatus {
  private ReportedStatus() {}

  public static TcpTeardownNodeStatus of(long generation, long timeWait) {
    StateCounts states = new StateCounts(0, 0, timeWait, 0, 0, 0, 0);
    return new TcpTeardownNodeStatus(
        generation,
        Map.of("net.ipv4.tcp_fin_timeout", "30"),
        Map.of(),
        states,
        new KernelCounters(0, 0),
        0L,
        List.of(),
        new AgentInfo("agent-web-1", "1", List.of(AgentInfo.POD_RULES)),
        "2026-11-26T12:00:00Z",
        null,
        null,
        states,
        List.of(
            new PodTeardownEntry(
                "team", "app", "uid", states, new KernelCounters(0, 0), 1L, 1L, null, Listed.Top)),
        1,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
