package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.bench.TimeWaitPopulation;
import io.tcpteardown.delivery.ChartJvmOptions;
import io.tcpteardown.delivery.DockerfileEntrypoint;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.tier.KernelTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A tenant's socket count cannot kill the agent: a pod holding over half a million sockets
 * (TIME_WAIT, cheap to make) besides a CLOSE_WAIT leak is swept, and its leak named down to the
 * holding process, by the agent's leak path running as its own JVM with the image's ENTRYPOINT
 * flags, the chart's agent jvmOptions and {@code -XX:MaxRAM=192m} standing for the chart's 192 MiB
 * memory limit (the JVM sizes the heap from it as in the container: 96 MiB, since below about 250
 * MiB of memory it takes MinRAMPercentage, 50%, over MaxRAMPercentage). With
 * -XX:+ExitOnOutOfMemoryError, as in the image, an OutOfMemoryError ends the process (the container
 * would restart). TIME_WAIT sockets live 60 s: the sweep runs right after they are made, and the
 * test asserts the count the sweep itself saw. Costs about 30 to 45 s on two cores (25 to 35 s of
 * it making the sockets).
 */
@KernelTest
class CloseWaitHoldersMemoryKernelTest {
  private static final int SOCKETS = 520_000;
  private static final int LEAKED = 50;
  private static final Pattern ROUND =
      Pattern.compile("round (\\d+) timeWait (\\d+) closeWait (\\d+)(.*)");

  @Test
  void aLeakAmongHalfAMillionSocketsIsNamedUnderTheChartsMemoryLimit() throws Exception {
    try (NetworkNamespace node = NetworkNamespace.create("node");
        NetworkNamespace crowded = NetworkNamespace.create("crowd")) {
      String uid = UUID.randomUUID().toString();
      try (SimulatedPod pod =
          SimulatedPod.startLeaky(
              crowded,
              "tcp-teardown-test-" + uid.substring(0, 8),
              uid,
              SimulatedPod.Driver.CGROUPFS,
              SimulatedPod.Qos.BURSTABLE,
              LEAKED)) {
        long start = System.nanoTime();
        TimeWaitPopulation.create(crowded, SOCKETS);
        long populated = System.nanoTime();

        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ChartJvmOptions.of("agent"));
        command.addAll(DockerfileEntrypoint.jvmFlags(DockerfileEntrypoint.DOCKERFILE));
        command.add("-XX:MaxRAM=192m");
        command.addAll(
            List.of(
                "-cp",
                System.getProperty("java.class.path"),
                LeakSweepMain.class.getName(),
                uid,
                "10",
                "2"));
        Process agent = node.processBuilder(command).redirectErrorStream(true).start();
        String output = new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(agent.waitFor(120, TimeUnit.SECONDS)).isTrue();
        long swept = System.nanoTime();
        System.out.printf(
            "%d TIME_WAIT made in %d ms, swept twice in %d ms:%n%s%n",
            SOCKETS,
            TimeUnit.NANOSECONDS.toMillis(populated - start),
            TimeUnit.NANOSECONDS.toMillis(swept - populated),
            output);

        assertThat(output).doesNotContain("OutOfMemoryError").contains("done");
        assertThat(agent.exitValue()).isZero();
        Matcher first =
            output.lines().map(ROUND::matcher).filter(Matcher::matches).findFirst().orElseThrow();
        assertThat(Long.parseLong(first.group(2)))
            .as(
                "TIME_WAIT the first sweep saw; they were made in %d ms and live 60 s (a machine"
                    + " too loaded to make them in about 50 s cannot run this test)",
                TimeUnit.NANOSECONDS.toMillis(populated - start))
            .isGreaterThanOrEqualTo(500_000);
        assertThat(Long.parseLong(first.group(3))).isEqualTo(LEAKED);
        assertThat(first.group(4)).isEqualTo(" holder " + pod.pid() + ":" + LEAKED);
      }
    }
  }
}
