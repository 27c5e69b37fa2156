package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.tcpteardown.tier.UnitTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent's /metrics listens on the node's own IP by default, not on every address. */
@UnitTest
class AgentMetricsAddressChartTest {

  private static EnvVar metricsAddress(Map<String, Object> values) throws Exception {
    DaemonSet daemonSet = RenderedChart.render(values).one(DaemonSet.class, "-agent");
    return daemonSet.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
        .filter(e -> e.getName().equals("METRICS_ADDRESS"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no METRICS_ADDRESS in the agent's env"));
  }

  @Test
  void byDefaultTheHostIpFromTheDownwardApi() throws Exception {
    EnvVar env = metricsAddress(Map.of());
    assertThat(env.getValue()).isNull();
    assertThat(env.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.hostIP");
  }

  @Test
  void aValueOverridesIt() throws Exception {
    EnvVar env = metricsAddress(Map.of("agent.metricsAddress", "0.0.0.0"));
    assertThat(env.getValue()).isEqualTo("0.0.0.0");
    assertThat(env.getValueFrom()).isNull();
  }
}
