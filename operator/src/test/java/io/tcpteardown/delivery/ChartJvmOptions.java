package io.tcpteardown.delivery;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * The JVM flags the chart gives a component by default ({@code operator.jvmOptions}, {@code
 * agent.jvmOptions} in values.yaml, env JDK_JAVA_OPTIONS), for the benchmarks that run a component
 * as the chart runs it. The java launcher puts JDK_JAVA_OPTIONS before the command line's own
 * flags: insert these right after {@code java}.
 */
public final class ChartJvmOptions {
  private ChartJvmOptions() {}

  @SuppressWarnings("unchecked")
  public static List<String> of(String component) throws IOException {
    Map<String, Object> values =
        new KubernetesSerialization()
            .unmarshal(Files.readString(RenderedChart.CHART.resolve("values.yaml")), Map.class);
    Object options = ((Map<String, Object>) values.get(component)).get("jvmOptions");
    String text = options == null ? "" : options.toString().strip();
    return text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
  }
}
