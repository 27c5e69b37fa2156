package io.tcpteardown.agent;

import io.tcpteardown.agent.sysctl.NodeMemory;
import io.tcpteardown.rules.advice.AdviceThresholds;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The advice on the network namespace of the calling thread, as the agent gives it on its node's:
 * the same look ({@link NodeObserver}) taken as many times as advice must hold ({@link
 * AdviceThresholds#HOLD_REPORTS}), {@code every} apart, into the same {@link AdviceBook}. What
 * {@code tcp-teardown advise --local} prints profiles from.
 */
public final class LocalAdvice {
  private LocalAdvice() {}

  /**
   * @param procRoot the proc root of the namespace (its sysctls, sockstat and netstat)
   * @param every the pause between looks
   */
  public static AdviceBook.Shown take(Path procRoot, Duration every, Clock clock)
      throws IOException, InterruptedException {
    AdviceBook book = new AdviceBook();
    try (NodeObserver observer =
        new NodeObserver(procRoot, NodeMemory.of(procRoot, Optional::empty))) {
      for (int look = 0; look < AdviceThresholds.HOLD_REPORTS; look++) {
        if (look > 0) {
          Thread.sleep(every.toMillis());
        }
        NodeObservation observation = observer.observe();
        if (observation.evidence().isEmpty()) {
          throw new IOException(
              "no advice here: netlink sock_diag or "
                  + procRoot.resolve("sys/net/ipv4/ip_local_port_range")
                  + " is not available (the /proc/net/tcp fallback carries no evidence)");
        }
        book.record(AdviceBook.Scope.HOST_NETWORK, observation.evidence().get(), clock.instant());
      }
    }
    return book.shown(Map.of(), true);
  }
}
