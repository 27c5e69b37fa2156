package io.tcpteardown.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.delivery.ChartJvmOptions;
import io.tcpteardown.delivery.DockerfileEntrypoint;
import io.tcpteardown.delivery.ImageRuntime;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's footprint while idle on a node holding 100,000 TIME_WAIT sockets: resident memory and
 * CPU per report cycle, run as the image runs it: the Dockerfile's ENTRYPOINT (its JVM flags, the
 * built jar) on a runtime jlinked with the Dockerfile's module list, and the chart's default memory
 * limit (192 MiB, given to the JVM as -XX:MaxRAM since there is no container here). The agent runs
 * as its own process in a network namespace standing for the node, reporting to the test API
 * server. Not part of {@code verify}; run it with {@code ./mvnw -B -o package -DskipTests} then
 * {@code ./mvnw -B -o test -Dtest=AgentFootprintBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * (root, Linux); add {@code -Dbench.nmt=true} for the agent's resident memory by mapping, the JVM's
 * native memory summary and its heap, {@code -Dbench.jvmFlags="..."} to try other JVM flags.
 */
class AgentFootprintBenchmark {
  private static final int SOCKETS = 100_000;
  private static final Duration REPORT_INTERVAL = Duration.ofSeconds(5);
  private static final Duration WINDOW = Duration.ofSeconds(40);
  private static final long CLOCK_TICKS_PER_SECOND = 100;
  private static final Path JAR = Path.of("target/tcp-teardown.jar");

  @TempDir Path work;

  @Test
  void residentMemoryAndCpuPerReportCycle() throws Exception {
    assertThat(JAR)
        .as("run ./mvnw -B -o package -DskipTests first: the benchmark runs the built jar")
        .exists();
    List<String> launcher =
        new ArrayList<>(
            DockerfileEntrypoint.command(
                DockerfileEntrypoint.DOCKERFILE, ImageRuntime.java(), JAR));
    List<String> jvmFlags = new ArrayList<>(ChartJvmOptions.of("agent"));
    jvmFlags.add("-XX:MaxRAM=192m");
    String extra = System.getProperty("bench.jvmFlags", "");
    if (!extra.isBlank()) {
      jvmFlags.addAll(List.of(extra.strip().split("\\s+")));
    }
    boolean nativeMemory = Boolean.getBoolean("bench.nmt");
    if (nativeMemory) {
      jvmFlags.add("-XX:NativeMemoryTracking=summary");
    }
    launcher.addAll(1, jvmFlags);
    String node = "footprint-" + UUID.randomUUID().toString().substring(0, 8);
    try (NetworkNamespace namespace = NetworkNamespace.create("footprint");
        KubernetesClient client = TestCluster.client();
        AgentProcess agent = new AgentProcess(namespace, work)) {
      TcpTeardownNode object = new TcpTeardownNode();
      object.setMetadata(new ObjectMetaBuilder().withName(node).build());
      object.setSpec(
          TcpTeardownNodeSpec.of(
              TeardownSettings.NONE
                  .with(ManagedSysctl.FIN_TIMEOUT, 30)
                  .with(ManagedSysctl.MAX_TW_BUCKETS, 400_000),
              Map.of(),
              List.of(),
              List.of()));
      client.resource(object).create();
      try {
        String kubeconfig = TestCluster.kubeconfig();
        agent
            .startRelay(kubeconfig)
            .startAgentWith(
                launcher, kubeconfig, node, "--report-interval", REPORT_INTERVAL.toSeconds() + "s");
        await().atMost(Duration.ofSeconds(60)).until(() -> status(client, node) != null);
        TimeWaitPopulation.create(namespace, SOCKETS);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> status(client, node).states().timeWait() >= SOCKETS);

        long cpuBefore = ProcessSample.cpuTicks(agent.pid());
        long start = System.nanoTime();
        String lastReport = status(client, node).lastReportTime();
        int reports = 0;
        long peakRss = 0;
        while (System.nanoTime() - start < WINDOW.toNanos()) {
          Thread.sleep(250);
          String report = status(client, node).lastReportTime();
          if (!Objects.equals(report, lastReport)) {
            reports++;
            lastReport = report;
          }
          peakRss = Math.max(peakRss, ProcessSample.rssKib(agent.pid()));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpuMillis =
            (ProcessSample.cpuTicks(agent.pid()) - cpuBefore) * 1000 / CLOCK_TICKS_PER_SECOND;
        long timeWait = status(client, node).states().timeWait();
        assertThat(agent.alive()).as(agent.logText()).isTrue();
        assertThat(reports).isPositive();

        System.out.printf(
            "Agent footprint, idle, %,d TIME_WAIT sockets counted per report (status shows %,d)%n",
            SOCKETS, timeWait);
        System.out.printf("  command: %s%n", String.join(" ", launcher));
        System.out.printf(
            "  resident memory: %.1f MiB now, %.1f MiB peak over %.0f s%n",
            ProcessSample.rssKib(agent.pid()) / 1024.0, peakRss / 1024.0, seconds);
        System.out.printf(
            "  CPU: %d ms over %d report cycles (%.0f s, report interval %d s): %.1f ms per cycle, "
                + "%.2f%% of one core%n",
            cpuMillis,
            reports,
            seconds,
            REPORT_INTERVAL.toSeconds(),
            (double) cpuMillis / reports,
            cpuMillis / seconds / 10);
        if (nativeMemory) {
          Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
          System.out.println(residentByMapping(agent.pid()));
          for (String command : List.of("VM.native_memory summary", "GC.heap_info")) {
            List<String> jcmdLine =
                new ArrayList<>(List.of(jcmd.toString(), Long.toString(agent.pid())));
            jcmdLine.addAll(List.of(command.split(" ")));
            Process process = new ProcessBuilder(jcmdLine).redirectErrorStream(true).start();
            System.out.println(new String(process.getInputStream().readAllBytes()));
          }
        }
      } finally {
        client.resources(TcpTeardownNode.class).withName(node).delete();
      }
    }
  }

  private static io.tcpteardown.api.TcpTeardownNodeStatus status(
      KubernetesClient client, String node) {
    TcpTeardownNode object = client.resources(TcpTeardownNode.class).withName(node).get();
    return object == null ? null : object.getStatus();
  }

  /**
   * Resident KiB per mapped file (anonymous mappings together), largest first, from
   * /proc/PID/smaps.
   */
  private static String residentByMapping(long pid) throws Exception {
    Map<String, Long> residentKib = new TreeMap<>();
    String mapping = "";
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"))) {
      String[] fields = line.trim().split("\\s+");
      if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
        mapping = fields.length > 5 ? fields[5] : "[anonymous]";
      } else if (fields[0].equals("Rss:")) {
        residentKib.merge(mapping, Long.parseLong(fields[1]), Long::sum);
      }
    }
    StringBuilder text = new StringBuilder("Resident memory by mapping (KiB):\n");
    residentKib.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(12)
        .forEach(e -> text.append(String.format("  %8d  %s%n", e.getValue(), e.getKey())));
    return text.toString();
  }
}
