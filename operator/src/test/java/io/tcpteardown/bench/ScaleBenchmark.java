package io.tcpteardown.bench;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.delivery.ChartJvmOptions;
import io.tcpteardown.delivery.DockerfileEntrypoint;
import io.tcpteardown.delivery.ImageRuntime;
import io.tcpteardown.operator.OperatorClient;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.SimulatedAgents;
import io.tcpteardown.testsupport.SpecReplace;
import io.tcpteardown.testsupport.Specs;
import io.tcpteardown.testsupport.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator at scale, against the real test kube-apiserver: N Node objects ({@code
 * -Dbench.nodes}, 1,000 by default; 5,000 as an option) with a mix of labels and memory sizes, 10
 * profiles with overlapping selectors and priorities (one equal-priority clash, maxOrphans held
 * back on the smaller nodes), and {@link SimulatedAgents} in this JVM that answer spec changes and
 * report like the real agent (its status composer and JSON patch, 20 pods listed per node,
 * TIME_WAIT around 90% of the limit so that nodes go in and out of pressure). Their report interval
 * is compressed and scaled with N ({@code bench.reportSeconds} at 1,000 nodes, 10 s by default, so
 * about 100 reports/s at every N): the benchmark measures the operator, not the simulator.
 * Kubelet-like Node status updates run meanwhile (each node every 5 minutes with jitter), and once
 * all at once (the burst).
 *
 * <p>The operator runs as its own process as the chart runs the image: the Dockerfile's ENTRYPOINT
 * (its JVM flags, the built jar) with the chart's operator.jvmOptions before them (as
 * JDK_JAVA_OPTIONS puts them) on a runtime jlinked with the Dockerfile's module list, with the
 * chart's 512 MiB memory limit given as -XX:MaxRAM (no container here), and {@code
 * --status-interval=15s}. CPU and resident memory come from /proc/PID/stat and status, the heap
 * after a full GC from {@code jcmd GC.run} and {@code GC.heap_info}. The operator authenticates
 * with a token of the chart's operator ServiceAccount, as in a cluster. The floor is a bare Fabric8
 * client patching the spec of N TcpTeardownNodes with 50 threads (the operator's reconciler
 * threads), in the same run, while the agents report: on bare objects, and on objects as the
 * operator finds them, each carrying its agent's status and answered by a simulated agent after
 * every write, as the operator's writes are. The change is timed twice: when every TcpTeardownNode
 * holds it, by when the operator's writes returned ({@link SpecWrites}: its own count of spec
 * writes the API server accepted), against when the floor's writes returned; and when this
 * process's watch saw it, against when the same watch saw the floor's writes. The headline ratio
 * takes the earlier of the two observations ({@link Propagation#held()}) against the faster of two
 * server-side-apply floors on the operator's objects, one written before the change and one after
 * (floors on this machine vary by a third from one to the next). Two changes are timed: the first
 * after the operator started, while the JIT compiles its apply path (half the operator's CPU then,
 * on the CPU the API server needs for the writes), and a second one, as every later change runs.
 * Each phase also lists the API requests the API server counted meanwhile ({@link ApiRequests}),
 * with the mean time it took to answer each kind, and the operator's GC pauses ({@link
 * OperatorGc}).
 *
 * <p>Not part of verify. Run it with {@code ./mvnw -B -o package -DskipTests} then {@code ./mvnw -B
 * -o test -Dtest=ScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false} (add {@code
 * -Dbench.nodes=5000}, {@code -Dbench.histogram=true} for the operator's heap by class at steady
 * state, {@code -Dbench.jvmArgs="..."} for more JVM flags of the operator, a flight recording for
 * instance, {@code -Dbench.jfr=DIR} for flight recordings of the steady state and the change, with
 * {@code -Dbench.java=PATH} a full JDK's java, since the image's runtime has no flight recorder,
 * {@code -Dbench.threadDumps=DIR} for the operator's threads every 2 s while a change spreads,
 * {@code -Dbench.asprof=LIB -Dbench.asprof.dir=DIR} for async-profiler's allocation profiles of the
 * same phases); the figures are printed as {@code FIGURE} lines in
 * target/surefire-reports/io.tcpteardown.bench.ScaleBenchmark-output.txt; the operator's log is
 * kept as target/scale-benchmark-operator.log.
 */
class ScaleBenchmark {
  private static final int NODES = Integer.getInteger("bench.nodes", 1000);
  private static final Duration REPORT_INTERVAL =
      Duration.ofMillis(Long.getLong("bench.reportSeconds", 10) * 1000L * NODES / 1000);
  private static final Duration WINDOW =
      Duration.ofSeconds(Long.getLong("bench.windowSeconds", 60));
  private static final Duration KUBELET_INTERVAL = Duration.ofMinutes(5);
  private static final String STATUS_INTERVAL = System.getProperty("bench.statusInterval", "15s");
  private static final int FLOOR_THREADS = 50;

  /** How many kinds of API request a phase's figure lists. */
  private static final int REQUEST_KINDS = 8;

  private static final long CLOCK_TICKS_PER_SECOND = 100;
  private static final Path JAR = Path.of("target/tcp-teardown.jar");
  private static final String PREFIX = "scale-";

  @TempDir Path work;

  private final Map<String, AtomicLong> profileWrites = new ConcurrentHashMap<>();
  private final AtomicLong specWrites = new AtomicLong();
  private final Map<String, Instant> reached = new ConcurrentHashMap<>();
  private final Map<String, Instant> floorSeen = new ConcurrentHashMap<>();
  private final Set<String> floorDeleted = ConcurrentHashMap.newKeySet();
  private long operatorPid;
  private java.net.URI operatorMetricsUri;
  private final AtomicReference<Integer> target = new AtomicReference<>(-1);
  private final Map<String, Instant> appliedAt = new ConcurrentHashMap<>();
  private final Map<String, Instant> generationSeen = new ConcurrentHashMap<>();

  @Test
  void operatorAtScale() throws Exception {
    assertThat(JAR)
        .as("run ./mvnw -B -o package -DskipTests first: the benchmark runs the built jar")
        .exists();
    List<String> figures = new ArrayList<>();
    figures.add("load at start: " + load());
    KubernetesClient client = TestCluster.client();
    // The chart's ServiceAccount token, as in a cluster. With the admin kubeconfig's client
    // certificate, Fabric8 re-reads the kubeconfig on every request once a minute has passed (its
    // token refresh finds no token to note the time of): 27% of the operator's CPU samples while a
    // change spread.
    ChartServiceAccounts accounts = ChartServiceAccounts.install(client);
    Path kubeconfig = work.resolve("kubeconfig");
    Files.writeString(kubeconfig, accounts.operatorKubeconfig());
    // The operator's metrics port, where the benchmark reads its count of spec writes.
    int metricsPort;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      metricsPort = free.getLocalPort();
    }
    java.net.URI operatorMetrics =
        java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
    List<String> command =
        new ArrayList<>(
            DockerfileEntrypoint.command(
                DockerfileEntrypoint.DOCKERFILE,
                System.getProperty("bench.java") == null
                    ? ImageRuntime.java()
                    : Path.of(System.getProperty("bench.java")),
                JAR.toAbsolutePath()));
    command.add(1, "-XX:MaxRAM=512m");
    command.addAll(1, ChartJvmOptions.of("operator"));
    String extra = System.getProperty("bench.jvmArgs", "").strip();
    if (!extra.isEmpty()) {
      // Before -jar: after the Dockerfile's flags, so that a flag given here wins.
      command.addAll(command.indexOf("-jar"), List.of(extra.split("\\s+")));
    }
    command.addAll(
        List.of(
            "operator",
            "--leader-election=false",
            "--health-port=0",
            "--metrics-port=" + metricsPort,
            "--status-interval=" + STATUS_INTERVAL));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("operator.log").toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());

    SharedIndexInformer<TcpTeardownProfile> profiles = watchProfiles(client);
    SharedIndexInformer<TcpTeardownNode> objects = watchNodeObjects(client);
    Process operator = builder.start();
    long pid = operator.pid();
    operatorPid = pid;
    operatorMetricsUri = operatorMetrics;
    SimulatedAgents agents = null;
    ScheduledExecutorService kubelets = Executors.newSingleThreadScheduledExecutor();
    // A kubelet's heartbeat is a GET and a PATCH; one thread made 6.5 of the 16.7 per second that
    // 5,000 nodes make.
    ExecutorService heartbeats = Executors.newFixedThreadPool(4);
    try {
      Thread.sleep(15_000);
      assertThat(operator.isAlive()).as(log()).isTrue();
      long heapEmpty = heapAfterFullGcKib(pid);
      figures.add("heap after full GC, no nodes: " + heapEmpty / 1024 + " MiB");

      // Nodes join, profiles are created; the operator resolves every node.
      Instant createStart = Instant.now();
      parallel(8, NODES, i -> createNode(client, i));
      createProfiles(client);
      Set<String> names = new TreeSet<>();
      for (int i = 0; i < NODES; i++) {
        names.add(nodeName(i));
      }
      await()
          .atMost(Duration.ofMinutes(15))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> names.stream().allMatch(n -> resolved(objects, n)));
      figures.add(
          "nodes created and every TcpTeardownNode resolved: "
              + Duration.between(createStart, Instant.now()).toSeconds()
              + " s");
      quiet(Duration.ofSeconds(5));
      long heapNodes = heapAfterFullGcKib(pid);
      figures.add(
          "heap after full GC, "
              + NODES
              + " nodes, no reports yet: "
              + heapNodes / 1024
              + " MiB ("
              + (heapNodes - heapEmpty) * 1024 / NODES
              + " bytes per node: Node, TcpTeardownNode spec, resolution)");

      // Agents report.
      agents =
          SimulatedAgents.start(
              client, names, new SimulatedAgents.Settings(REPORT_INTERVAL, 0.9, 20));
      await()
          .atMost(Duration.ofMinutes(15))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> profiles.getStore().list().stream().allMatch(ScaleBenchmark::applied));
      KubeletLike kubelet = new KubeletLike(client, new AtomicLong());
      double perSecond = NODES / (double) KUBELET_INTERVAL.toSeconds();
      AtomicLong due = new AtomicLong();
      kubelets.scheduleAtFixedRate(
          () -> {
            long tick = due.incrementAndGet();
            long now = (long) (tick * perSecond) - (long) ((tick - 1) * perSecond);
            for (long i = 0; i < now; i++) {
              heartbeats.execute(
                  () -> kubelet.heartbeat(nodeName(ThreadLocalRandom.current().nextInt(NODES))));
            }
          },
          0,
          1,
          TimeUnit.SECONDS);
      Thread.sleep(20_000);

      // Steady state: every agent reporting, kubelets updating Node status, nothing changing.
      Measure steady = Measure.start(pid, agents, this);
      OperatorGc steadyGc = OperatorGc.read(operatorMetrics);
      long heartbeatsBefore = kubelet.sent().get();
      record(pid, "steady");
      long peakRss = 0;
      long rssSum = 0;
      int samples = 0;
      while (steady.elapsed().compareTo(WINDOW) < 0) {
        Thread.sleep(1000);
        long rss = ProcessSample.rssKib(pid);
        peakRss = Math.max(peakRss, rss);
        rssSum += rss;
        samples++;
      }
      Measure.Result s = steady.stop();
      String steadyGcFigure = OperatorGc.read(operatorMetrics).since(steadyGc, s.seconds());
      long heartbeatsSteady = kubelet.sent().get() - heartbeatsBefore;
      stopRecording(pid, "steady");
      figures.add(
          String.format(
              "steady state over %d s: agent reports %.1f/s (report interval %s per node), Node"
                  + " status heartbeats %.1f/s, operator CPU %.1f%% of a core, resident memory %d"
                  + " MiB average, %d MiB peak; profile status writes %.2f per profile per minute;"
                  + " TcpTeardownNode spec writes %d; %s",
              s.seconds(),
              s.reports() / (double) s.seconds(),
              REPORT_INTERVAL,
              heartbeatsSteady / (double) s.seconds(),
              s.cpuPercent(),
              rssSum / samples / 1024,
              peakRss / 1024,
              s.profileWrites() * 60.0 / s.seconds() / 10,
              s.specWrites(),
              steadyGcFigure));
      long heapSteady = heapAfterFullGcKib(pid);
      if (Boolean.getBoolean("bench.histogram")) {
        System.out.println(
            jcmd(pid, "GC.class_histogram").lines().limit(40).reduce("", (a, b) -> a + b + "\n"));
      }
      figures.add(
          "heap after full GC, agents reporting: "
              + heapSteady / 1024
              + " MiB ("
              + (heapSteady - heapNodes) * 1024 / NODES
              + " bytes per TcpTeardownNode status with 20 pods)");

      // Burst: every node's status changes at once.
      Measure burst = Measure.start(pid, agents, this);
      Instant burstStart = Instant.now();
      parallel(16, NODES, i -> kubelet.heartbeat(nodeName(i)));
      Duration burstTook = Duration.between(burstStart, Instant.now());
      Thread.sleep(10_000);
      Measure.Result b = burst.stop();
      figures.add(
          String.format(
              "burst: %d Node status updates in %d ms; operator CPU %.1f%% of a core over the"
                  + " following %d s, profile status writes %d, TcpTeardownNode spec writes %d",
              NODES,
              burstTook.toMillis(),
              b.cpuPercent(),
              b.seconds(),
              b.profileWrites(),
              b.specWrites()));

      // The floors, then one profile change that reaches every node.
      Floor floor = floor(client, false, null);
      Floor floorApply = floor(client, true, null);
      Floor floorAnswered = floor(client, false, agents);
      Floor floorAnsweredApply = floor(client, true, agents);
      // The same writes from a client of their own, built as the operator's (HTTP/1.1), as the
      // operator's ServiceAccount: connections of its own, and the operator's priority level at the
      // API server (the benchmark's client is the admin's, exempt, and shares its one HTTP/2
      // connection with the simulated agents and kubelets).
      Floor floorAsOperator;
      try (KubernetesClient asOperator =
          OperatorClient.create(Config.fromKubeconfig(accounts.operatorKubeconfig()))) {
        floorAsOperator = floor(client, asOperator, true, agents);
      }
      SpecWrites.warmUp(operatorMetrics, Duration.ofSeconds(10));
      // The first change after the operator started: its apply path runs for the first time, and
      // the JIT compiles it while the change spreads.
      Change first = change(client, agents, operatorMetrics, 31, 2, "change");
      Floor floorAfter = floor(client, false, null);
      // The floor that matters most, written again after the change: the ratio takes the faster.
      Floor floorAnsweredApplyAfter = floor(client, true, agents);
      // The same change again, as every change after the first: the code is compiled.
      Change second = change(client, agents, operatorMetrics, 32, 3, "change2");
      Propagation propagation = first.propagation();
      figures.add(first.describe("first profile change after the operator started"));
      figures.add(second.describe("second profile change"));
      figures.add(floorFigure("bare objects, merge patch, before the change", floor, propagation));
      figures.add(
          floorFigure("bare objects, merge patch, after the change", floorAfter, propagation));
      figures.add(floorFigure("bare objects, server-side apply", floorApply, propagation));
      figures.add(
          floorFigure(
              "the objects the operator writes (each carrying its agent's status with 20 pods, the"
                  + " agents answering every write, the other agents reporting), merge patch",
              floorAnswered,
              propagation));
      figures.add(
          floorFigure(
              "the objects the operator writes, server-side apply (as the operator writes)",
              floorAnsweredApply,
              propagation));
      figures.add(
          floorFigure(
              "the objects the operator writes, server-side apply, after the change",
              floorAnsweredApplyAfter,
              propagation));
      figures.add(
          floorFigure(
              "the objects the operator writes, server-side apply, from a client of its own with"
                  + " the operator's ServiceAccount token",
              floorAsOperator,
              propagation));
      Duration fastest =
          floorAnsweredApply.returned().compareTo(floorAnsweredApplyAfter.returned()) <= 0
              ? floorAnsweredApply.returned()
              : floorAnsweredApplyAfter.returned();
      figures.add(
          String.format(
              "propagation against the faster of the two server-side-apply floors on the objects"
                  + " the operator writes (%d ms): held / returned %.2f (first change), %.2f"
                  + " (second change)",
              fastest.toMillis(),
              first.propagation().held().toMillis() / (double) fastest.toMillis(),
              second.propagation().held().toMillis() / (double) fastest.toMillis()));
      figures.add(
          String.format(
              "propagation against the floor from a client of its own as the operator (%d ms):"
                  + " held / returned %.2f (first change), %.2f (second change)",
              floorAsOperator.returned().toMillis(),
              first.propagation().held().toMillis()
                  / (double) floorAsOperator.returned().toMillis(),
              second.propagation().held().toMillis()
                  / (double) floorAsOperator.returned().toMillis()));

      // Largest status objects.
      long largestProfile =
          client.resources(TcpTeardownProfile.class).list().getItems().stream()
              .mapToLong(p -> client.getKubernetesSerialization().asJson(p.getStatus()).length())
              .max()
              .orElse(0);
      long largestNode =
          objects.getStore().list().stream()
              .mapToLong(n -> client.getKubernetesSerialization().asJson(n).length())
              .max()
              .orElse(0);
      figures.add(
          String.format(
              "simulated agents: %d status writes, %d failed %s (%d threads)",
              agents.writes(),
              agents.failures(),
              agents.failuresByKind(),
              SimulatedAgents.THREADS));
      figures.add(
          "largest profile status: "
              + largestProfile / 1024
              + " KiB; largest TcpTeardownNode: "
              + largestNode / 1024
              + " KiB");

      // Agents stopped, kubelets still heartbeating: the part of the steady CPU that does not
      // depend on the agents' report interval.
      agents.close();
      agents = null;
      Thread.sleep(5_000);
      Measure kubeletsOnly = Measure.start(pid, null, this);
      long heartbeatsBeforeAlone = kubelet.sent().get();
      Thread.sleep(30_000);
      Measure.Result k = kubeletsOnly.stop();
      long heartbeatsAlone = kubelet.sent().get() - heartbeatsBeforeAlone;
      figures.add(
          String.format(
              "kubelets only (agents stopped) over %d s: Node status heartbeats %.1f/s, operator"
                  + " CPU %.1f%% of a core",
              k.seconds(), heartbeatsAlone / (double) k.seconds(), k.cpuPercent()));

      // Nothing at all: what the operator costs with nothing to do.
      kubelets.shutdownNow();
      heartbeats.shutdownNow();
      Thread.sleep(5_000);
      Measure idle = Measure.start(pid, null, this);
      Thread.sleep(30_000);
      Measure.Result i = idle.stop();
      figures.add(
          String.format(
              "idle (no reports, no kubelets) over %d s: operator CPU %.1f%% of a core, resident"
                  + " memory %d MiB",
              i.seconds(), i.cpuPercent(), ProcessSample.rssKib(pid) / 1024));
      double reportRate = s.reports() / (double) s.seconds();
      figures.add(
          String.format(
              "extrapolated to agents reporting every 60 s: %.1f%% of a core (kubelets only +"
                  + " (steady - kubelets only) x (%d/60 s) / %.1f reports/s measured); scaling the"
                  + " kubelets' share too (idle + (steady - idle) x the same): %.1f%%",
              k.cpuPercent() + (s.cpuPercent() - k.cpuPercent()) * (NODES / 60.0) / reportRate,
              NODES,
              reportRate,
              i.cpuPercent() + (s.cpuPercent() - i.cpuPercent()) * (NODES / 60.0) / reportRate));
      figures.add("load at end: " + load());
      assertThat(operator.isAlive()).as(log()).isTrue();
    } finally {
      kubelets.shutdownNow();
      heartbeats.shutdownNow();
      if (agents != null) {
        agents.close();
      }
      operator.destroy();
      operator.waitFor(20, TimeUnit.SECONDS);
      profiles.close();
      objects.close();
      accounts.close();
      // Kept for reading after the run (the temporary directory goes).
      Files.copy(
          work.resolve("operator.log"),
          Path.of("target/scale-benchmark-operator.log"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      System.out.println("ScaleBenchmark, " + NODES + " nodes, 10 profiles");
      System.out.println("  command: " + String.join(" ", command));
      figures.forEach(f -> System.out.println("FIGURE " + f));
    }
  }

  private static String nodeName(int i) {
    return String.format(PREFIX + "%05d", i);
  }

  private static void createNode(KubernetesClient client, int i) {
    {
      String size =
          switch (i % 3) {
            case 0 -> "small";
            case 1 -> "medium";
            default -> "large";
          };
      String memory =
          switch (i % 3) {
            case 0 -> "4Gi";
            case 1 -> "16Gi";
            default -> "64Gi";
          };
      Map<String, String> labels = new java.util.HashMap<>();
      labels.put("zone", "z" + (i % 4));
      labels.put("tier", List.of("web", "db", "batch").get((i / 3) % 3));
      labels.put("size", size);
      if (i % 10 == 0) {
        labels.put("pool", "gpu");
      }
      Node node =
          new NodeBuilder()
              .withMetadata(
                  new ObjectMetaBuilder().withName(nodeName(i)).withLabels(labels).build())
              .build();
      Node created = client.nodes().resource(node).create();
      created.setStatus(
          new NodeStatusBuilder()
              .withCapacity(Map.of("memory", new Quantity(memory), "cpu", new Quantity("8")))
              .build());
      client.nodes().resource(created).updateStatus();
    }
  }

  private static TcpTeardownProfileSpec baseSpec(int finTimeout) {
    return spec().finTimeoutSeconds(finTimeout).maxTwBuckets(200000).build();
  }

  private static void createProfiles(KubernetesClient client) {
    profile(client, "base", null, baseSpec(30));
    profile(client, "zone-z0", in("zone", "z0"), spec().priority(10).maxTwBuckets(300000).build());
    profile(client, "zone-z1", in("zone", "z1"), spec().priority(10).maxTwBuckets(250000).build());
    profile(
        client,
        "zone-pair",
        in("zone", "z0", "z1"),
        spec().priority(10).maxTwBuckets(300000).build());
    profile(
        client,
        "web",
        in("tier", "web"),
        spec().priority(20).twReuse(TwReuse.Enabled).timestamps(Timestamps.Enabled).build());
    profile(client, "db", in("tier", "db"), spec().priority(20).orphanRetries(3).build());
    profile(client, "gpu", in("pool", "gpu"), spec().priority(30).maxOrphans(262144).build());
    profile(client, "batch", in("tier", "batch"), spec().priority(5).maxTwBuckets(400000).build());
    profile(client, "large", in("size", "large"), spec().priority(15).maxOrphans(131072).build());
    profile(
        client,
        "not-db",
        new NodeSelector(
            null, List.of(new NodeSelectorRequirement("tier", "NotIn", List.of("db")))),
        spec().priority(1).orphanRetries(4).build());
  }

  private static NodeSelector in(String key, String... values) {
    return new NodeSelector(null, List.of(new NodeSelectorRequirement(key, "In", List.of(values))));
  }

  private static void profile(
      KubernetesClient client, String name, NodeSelector selector, TcpTeardownProfileSpec s) {
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(new ObjectMetaBuilder().withName(name).build());
    profile.setSpec(Specs.selecting(selector, s));
    client.resource(profile).create();
  }

  private static boolean resolved(SharedIndexInformer<TcpTeardownNode> objects, String node) {
    TcpTeardownNode object = objects.getStore().getByKey(node);
    return object != null
        && object.getSpec() != null
        && object.getSpec().profiles() != null
        && object.getSpec().profiles().contains("base");
  }

  private static boolean applied(TcpTeardownProfile profile) {
    return profile.getStatus() != null
        && profile.getMetadata().getGeneration().equals(profile.getStatus().observedGeneration())
        && Conditions.isTrue(profile.getStatus().conditions(), ProfileConditions.APPLIED);
  }

  private SharedIndexInformer<TcpTeardownProfile> watchProfiles(KubernetesClient client) {
    return client
        .resources(TcpTeardownProfile.class)
        .inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(TcpTeardownProfile profile) {}

              @Override
              public void onUpdate(TcpTeardownProfile before, TcpTeardownProfile profile) {
                String name = profile.getMetadata().getName();
                generationSeen.putIfAbsent(
                    name + "/" + profile.getMetadata().getGeneration(), Instant.now());
                if (before
                    .getMetadata()
                    .getGeneration()
                    .equals(profile.getMetadata().getGeneration())) {
                  profileWrites.computeIfAbsent(name, n -> new AtomicLong()).incrementAndGet();
                }
                if (applied(profile)) {
                  appliedAt.putIfAbsent(
                      name + "/" + profile.getMetadata().getGeneration(), Instant.now());
                }
              }

              @Override
              public void onDelete(TcpTeardownProfile profile, boolean unknown) {}
            });
  }

  private SharedIndexInformer<TcpTeardownNode> watchNodeObjects(KubernetesClient client) {
    // Paged lists: a relist of N objects with their statuses in one response times out at 5,000.
    return client
        .resources(TcpTeardownNode.class)
        .withLimit(500L)
        .inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(TcpTeardownNode object) {}

              @Override
              public void onUpdate(TcpTeardownNode before, TcpTeardownNode object) {
                String name = object.getMetadata().getName();
                if (name.startsWith("floor-")) {
                  Integer fin =
                      object.getSpec() == null ? null : object.getSpec().finTimeoutSeconds();
                  if (Integer.valueOf(31).equals(fin)) {
                    floorSeen.putIfAbsent(name, Instant.now());
                  }
                  return;
                }
                if (!name.startsWith(PREFIX)) {
                  return;
                }
                if (!before
                    .getMetadata()
                    .getGeneration()
                    .equals(object.getMetadata().getGeneration())) {
                  specWrites.incrementAndGet();
                }
                Integer fin =
                    object.getSpec() == null ? null : object.getSpec().finTimeoutSeconds();
                if (fin != null && fin.equals(target.get())) {
                  reached.putIfAbsent(name, Instant.now());
                }
              }

              @Override
              public void onDelete(TcpTeardownNode object, boolean unknown) {
                if (object.getMetadata().getName().startsWith("floor-")) {
                  floorDeleted.add(object.getMetadata().getName());
                }
              }
            });
  }

  /** Waits until no TcpTeardownNode spec was written for {@code quiet}. */
  private void quiet(Duration quiet) throws InterruptedException {
    long before;
    do {
      before = specWrites.get();
      Thread.sleep(quiet.toMillis());
    } while (specWrites.get() != before);
  }

  /** One timed profile change, and what it cost. */
  private record Change(
      Propagation propagation,
      CpuWindow.Result cpu,
      String requests,
      long serverApplies,
      long operatorWrites,
      Duration editReturned,
      Duration generationSeen,
      List<Duration> reached,
      SpecWrites written,
      Duration appliedAfterLastAnswer) {
    String describe(String what) {
      return String.format(
          "%s: every TcpTeardownNode holds it after %d ms, the earlier of: the operator's writes"
              + " returned (its count of accepted spec writes, sampled every 100 ms) after %d ms,"
              + " seen by this process's watch after %d ms; the edit returned after %d ms, this"
              + " process's watch saw the new generation after %d ms, the first TcpTeardownNode"
              + " after %d ms, half after %d ms; the operator's count: the first by %s ms, half by"
              + " %s ms, all %d by %d ms (%d counted; the API server counted %d applies to"
              + " TcpTeardownNodes meanwhile); Applied=True %d ms after the last agent answered;"
              + " TcpTeardownNode spec writes per changed node %.2f; meanwhile %s; API requests %s",
          what,
          propagation.held().toMillis(),
          propagation.returned().toMillis(),
          propagation.seen().toMillis(),
          editReturned.toMillis(),
          generationSeen.toMillis(),
          reached.get(0).toMillis(),
          reached.get(reached.size() / 2).toMillis(),
          written.reached(1).map(d -> String.valueOf(d.toMillis())).orElse("-"),
          written.reached(NODES / 2).map(d -> String.valueOf(d.toMillis())).orElse("-"),
          NODES,
          propagation.returned().toMillis(),
          written.writes(),
          serverApplies,
          appliedAfterLastAnswer.toMillis(),
          operatorWrites / (double) NODES,
          cpu.describe(NODES),
          requests);
    }
  }

  /**
   * Sets the base profile's fin timeout to {@code value} (its {@code generation}-th spec) and times
   * until every TcpTeardownNode holds it, then waits until the profile reports Applied=True.
   */
  private Change change(
      KubernetesClient client,
      SimulatedAgents agents,
      java.net.URI operatorMetrics,
      int value,
      long generation,
      String phase)
      throws Exception {
    reached.clear();
    target.set(value);
    long specBefore = specWrites.get();
    // Counted before the clock starts: a scrape of the API server's /metrics takes a while.
    ApiRequests requestsBefore = ApiRequests.of(client);
    long writesBefore = SpecWrites.read(operatorMetrics);
    CpuWindow changeCpu = CpuWindow.start(operatorPid, operatorMetrics);
    record(operatorPid, phase);
    ScheduledExecutorService dumps = threadDumps(operatorPid, phase);
    Instant changeStart = Instant.now();
    SpecWrites written = SpecWrites.from(operatorMetrics, changeStart, writesBefore);
    SpecReplace.replaceSpec(client, TcpTeardownProfile.class, "base", baseSpec(value));
    Instant editReturned = Instant.now();
    await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> reached.size() >= NODES);
    dumps.shutdownNow();
    written.close();
    Instant last = reached.values().stream().max(Instant::compareTo).orElseThrow();
    Propagation propagation =
        new Propagation(written.reached(NODES).orElseThrow(), Duration.between(changeStart, last));
    CpuWindow.Result cpu = changeCpu.stop();
    ApiRequests requestsAfter = ApiRequests.of(client);
    String applyKind = "APPLY tcpteardownnodes";
    stopRecording(operatorPid, phase);
    String key = "base/" + generation;
    await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> appliedAt.containsKey(key));
    return new Change(
        propagation,
        cpu,
        requestsAfter.since(requestsBefore, REQUEST_KINDS),
        requestsAfter.count(applyKind) - requestsBefore.count(applyKind),
        specWrites.get() - specBefore,
        Duration.between(changeStart, editReturned),
        Duration.between(changeStart, generationSeen.get(key)),
        reached.values().stream().sorted().map(t -> Duration.between(changeStart, t)).toList(),
        written,
        Duration.between(agents.lastAnswer(), appliedAt.get(key)));
  }

  /**
   * A bare client patching the spec of N TcpTeardownNodes (created beforehand, untimed): a JSON
   * merge patch, or a server-side apply of the whole spec as the operator's dependent writes it.
   * With {@code agents}, the simulated agents answer the objects' creation (so that each carries an
   * agent's status, 20 pods listed) and the timed patches, as they answer the operator's writes;
   * without, the objects are bare.
   */
  private Floor floor(KubernetesClient client, boolean serverSideApply, SimulatedAgents agents)
      throws Exception {
    return floor(client, client, serverSideApply, agents);
  }

  /**
   * @param writer the client of the timed writes: the benchmark's own (the admin's, exempt from the
   *     API server's priority and fairness, on the connection the simulated agents and kubelets use
   *     too), or one of their own
   */
  private Floor floor(
      KubernetesClient client,
      KubernetesClient writer,
      boolean serverSideApply,
      SimulatedAgents agents)
      throws Exception {
    String run = Long.toHexString(System.nanoTime());
    List<String> names = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      names.add("floor-" + run + "-" + i);
    }
    if (agents != null) {
      agents.answerAlso(Set.copyOf(names));
    }
    parallel(
        FLOOR_THREADS,
        NODES,
        i -> {
          TcpTeardownNode object = new TcpTeardownNode();
          object.setMetadata(new ObjectMetaBuilder().withName(names.get(i)).build());
          object.setSpec(floorSpec(30));
          client.resource(object).create();
        });
    if (agents != null) {
      awaitAnswered(agents, names, 1);
    }
    floorSeen.clear();
    ApiRequests requestsBefore = ApiRequests.of(client);
    CpuWindow cpu = CpuWindow.start(operatorPid, operatorMetricsUri);
    Instant start = Instant.now();
    parallel(
        FLOOR_THREADS,
        NODES,
        i -> {
          if (serverSideApply) {
            TcpTeardownNode object = new TcpTeardownNode();
            object.setMetadata(new ObjectMetaBuilder().withName(names.get(i)).build());
            object.setSpec(floorSpec(31));
            writer
                .resource(object)
                .patch(
                    new PatchContext.Builder()
                        .withPatchType(PatchType.SERVER_SIDE_APPLY)
                        .withFieldManager("floor")
                        .withForce(true)
                        .build());
          } else {
            // On resource(...), not withName(...), which GETs the whole object before patching.
            TcpTeardownNode named = new TcpTeardownNode();
            named.setMetadata(new ObjectMetaBuilder().withName(names.get(i)).build());
            writer
                .resource(named)
                .patch(
                    PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"finTimeoutSeconds\":31}}");
          }
        });
    Duration returned = Duration.between(start, Instant.now());
    await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> floorSeen.keySet().containsAll(names));
    Instant lastSeen = names.stream().map(floorSeen::get).max(Instant::compareTo).orElseThrow();
    CpuWindow.Result used = cpu.stop();
    String requests = ApiRequests.of(client).since(requestsBefore, REQUEST_KINDS);
    if (agents != null) {
      awaitAnswered(agents, names, 2);
    }
    parallel(
        FLOOR_THREADS,
        NODES,
        i -> client.resources(TcpTeardownNode.class).withName(names.get(i)).delete());
    // The next phase starts once this process's watch has caught up with the clean-up: 5,000
    // deletions of objects carrying 11 KiB statuses put every watch of TcpTeardownNodes tens of
    // seconds behind on this 2-core machine (the API server drops watchers that fall behind and
    // they resume from where they were), and a change started then was seen that much later.
    await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> floorDeleted.containsAll(names));
    floorDeleted.removeAll(names);
    return new Floor(returned, Duration.between(start, lastSeen), used, requests);
  }

  /**
   * A floor: when the bare client's last write returned, and when this process's watch had seen
   * every object with the new value (the propagation is measured that way too).
   */
  record Floor(Duration returned, Duration seen, CpuWindow.Result cpu, String requests) {}

  /**
   * CPU of the API server and etcd, and of the operator, over a window; and the operator's garbage
   * collections (all its threads stand still during each).
   */
  record CpuWindow(
      long servers, long operator, long pid, long startNanos, java.net.URI metrics, OperatorGc gc) {
    record Result(double serversPercent, double operatorPercent, double seconds, String gc) {
      String describe(int writes) {
        return String.format(
            "API server and etcd %.0f%% of a core (%.1f ms per write), operator %.0f%%, %s",
            serversPercent, serversPercent * seconds * 10 / writes, operatorPercent, gc);
      }
    }

    static CpuWindow start(long pid, java.net.URI metrics)
        throws IOException, InterruptedException {
      return new CpuWindow(
          serverTicks(),
          ProcessSample.cpuTicks(pid),
          pid,
          System.nanoTime(),
          metrics,
          OperatorGc.read(metrics));
    }

    Result stop() throws IOException, InterruptedException {
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      return new Result(
          (serverTicks() - servers) * 100.0 / CLOCK_TICKS_PER_SECOND / seconds,
          (ProcessSample.cpuTicks(pid) - operator) * 100.0 / CLOCK_TICKS_PER_SECOND / seconds,
          seconds,
          OperatorGc.read(metrics).since(gc, seconds));
    }

    private static long serverTicks() {
      return ProcessHandle.allProcesses()
          .filter(
              p ->
                  p.info()
                      .command()
                      .map(c -> c.endsWith("/kube-apiserver") || c.endsWith("/etcd"))
                      .orElse(false))
          .mapToLong(
              p -> {
                try {
                  return ProcessSample.cpuTicks(p.pid());
                } catch (IOException e) {
                  return 0;
                }
              })
          .sum();
    }
  }

  private static String floorFigure(String what, Floor floor, Propagation propagation) {
    return String.format(
        "floor (bare client, %d spec writes, %d threads), %s: writes returned after %d ms, all seen"
            + " after %d ms; propagation / floor: held / returned %.2f (returned / returned %.2f),"
            + " seen / seen %.2f;"
            + " meanwhile %s; API requests %s",
        NODES,
        FLOOR_THREADS,
        what,
        floor.returned().toMillis(),
        floor.seen().toMillis(),
        propagation.held().toMillis() / (double) floor.returned().toMillis(),
        propagation.returned().toMillis() / (double) floor.returned().toMillis(),
        propagation.seen().toMillis() / (double) floor.seen().toMillis(),
        floor.cpu().describe(NODES),
        floor.requests());
  }

  /**
   * When every TcpTeardownNode held the change: returned, by the operator's count of accepted spec
   * writes (the floor's counterpart: when its writes returned); seen, by this process's watch (the
   * floor's counterpart: when the same watch saw its writes).
   */
  record Propagation(Duration returned, Duration seen) {
    /**
     * The earlier of the two: each is an observation, made after the fact, that every
     * TcpTeardownNode held the change, so the earlier is the closer bound.
     */
    Duration held() {
      return returned.compareTo(seen) <= 0 ? returned : seen;
    }
  }

  /** A spec shaped like the operator's, naming a profile that does not exist. */
  private static TcpTeardownNodeSpec floorSpec(int finTimeout) {
    return TcpTeardownNodeSpec.of(
        TeardownSettings.NONE.with(io.tcpteardown.api.ManagedSysctl.FIN_TIMEOUT, finTimeout),
        Map.of("finTimeoutSeconds", "floor"),
        List.of("floor"),
        List.of());
  }

  private static void awaitAnswered(SimulatedAgents agents, List<String> names, long generation) {
    try {
      await()
          .atMost(Duration.ofMinutes(10))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> unanswered(agents.answered(), names, generation).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      Map<String, Long> answered = agents.answered();
      List<String> missing = unanswered(answered, names, generation);
      throw new AssertionError(
          String.format(
              "%d of %d objects not answered at generation %d, for instance %s",
              missing.size(),
              names.size(),
              generation,
              missing.stream().limit(5).map(n -> n + " answered " + answered.get(n)).toList()),
          e);
    }
  }

  private static List<String> unanswered(
      Map<String, Long> answered, List<String> names, long generation) {
    return names.stream().filter(n -> !Long.valueOf(generation).equals(answered.get(n))).toList();
  }

  private static void parallel(int threads, int count, IntConsumer task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        futures.add(pool.submit(() -> task.accept(index)));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Node status updates as a kubelet makes them: the Ready condition's heartbeat. */
  private record KubeletLike(KubernetesClient client, AtomicLong sent) {
    void heartbeat(String node) {
      String now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
      client
          .nodes()
          .withName(node)
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.STRATEGIC_MERGE),
              """
              {"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady",
               "message":"kubelet is posting ready status","lastHeartbeatTime":"%s",
               "lastTransitionTime":"2026-01-01T00:00:00Z"}]}}
              """
                  .formatted(now));
      sent.incrementAndGet();
    }
  }

  /** CPU and writes over a window. */
  private record Measure(
      long pid,
      SimulatedAgents agents,
      ScaleBenchmark bench,
      long ticks,
      long reports,
      long profileWrites,
      long specWrites,
      long startNanos) {
    record Result(
        long seconds, double cpuPercent, long reports, long profileWrites, long specWrites) {}

    static Measure start(long pid, SimulatedAgents agents, ScaleBenchmark bench) throws Exception {
      return new Measure(
          pid,
          agents,
          bench,
          ProcessSample.cpuTicks(pid),
          agents == null ? 0 : agents.writes(),
          bench.totalProfileWrites(),
          bench.specWrites.get(),
          System.nanoTime());
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    Result stop() throws Exception {
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      long cpuMillis = (ProcessSample.cpuTicks(pid) - ticks) * 1000 / CLOCK_TICKS_PER_SECOND;
      return new Result(
          Math.round(seconds),
          cpuMillis / seconds / 10,
          agents == null ? 0 : agents.writes() - reports,
          bench.totalProfileWrites() - profileWrites,
          bench.specWrites.get() - specWrites);
    }
  }

  private long totalProfileWrites() {
    return profileWrites.values().stream().mapToLong(AtomicLong::get).sum();
  }

  private static long heapAfterFullGcKib(long pid) throws Exception {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    long used = 0;
    Matcher matcher =
        Pattern.compile(
                "(?m)^\\s*(DefNew|Tenured|def new generation|tenured generation).*?used (\\d+)K")
            .matcher(info);
    while (matcher.find()) {
      used += Long.parseLong(matcher.group(2));
    }
    assertThat(used).as(info).isPositive();
    return used;
  }

  /** With {@code -Dbench.threadDumps=DIR}: the operator's threads every 2 s, as DIR/phase-N.txt. */
  private static ScheduledExecutorService threadDumps(long pid, String phase) {
    ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor();
    String dir = System.getProperty("bench.threadDumps");
    if (dir != null) {
      AtomicLong n = new AtomicLong();
      every.scheduleWithFixedDelay(
          () -> {
            try {
              Files.createDirectories(Path.of(dir));
              Files.writeString(
                  Path.of(dir, phase + "-" + n.incrementAndGet() + ".txt"),
                  jcmd(pid, "Thread.print"));
            } catch (Exception e) {
              // the figures do not depend on it
            }
          },
          1,
          2,
          TimeUnit.SECONDS);
    }
    return every;
  }

  /**
   * With {@code -Dbench.jfr=DIR}: a flight recording of the operator over one phase. With {@code
   * -Dbench.asprof=LIB}, the path of async-profiler's libasyncProfiler.so: its allocation profile
   * over the phase ({@code -Dbench.asprof.event=itimer} for CPU), as collapsed stacks in {@code
   * -Dbench.asprof.dir}.
   */
  private static void record(long pid, String phase) throws Exception {
    String dir = System.getProperty("bench.jfr");
    if (dir != null) {
      jcmd(pid, "JFR.start name=" + phase + " settings=profile");
    }
    String profiler = System.getProperty("bench.asprof");
    if (profiler != null) {
      // Quoted: jcmd would read "event=alloc" as an argument of its own.
      jcmd(pid, "JVMTI.agent_load " + profiler + " \"start,event=" + profilerEvent() + "\"");
    }
  }

  /** alloc by default; itimer for CPU (cpu where perf events are allowed). */
  private static String profilerEvent() {
    return System.getProperty("bench.asprof.event", "alloc");
  }

  private static void stopRecording(long pid, String phase) throws Exception {
    String dir = System.getProperty("bench.jfr");
    if (dir != null) {
      jcmd(pid, "JFR.stop name=" + phase + " filename=" + Path.of(dir, phase + ".jfr"));
    }
    String profiler = System.getProperty("bench.asprof");
    if (profiler != null) {
      Path out =
          Path.of(
              System.getProperty("bench.asprof.dir", "."),
              phase + "-" + profilerEvent() + ".collapsed");
      jcmd(
          pid,
          "JVMTI.agent_load " + profiler + " \"stop,file=" + out.toAbsolutePath() + ",collapsed\"");
    }
  }

  private static String jcmd(long pid, String... command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process process =
        new ProcessBuilder(
                java.util.stream.Stream.concat(
                        Stream.of(jcmd.toString(), Long.toString(pid)),
                        Stream.of(command).flatMap(c -> Stream.of(c.split(" "))))
                    .toList())
            .redirectErrorStream(true)
            .start();
    String out = new String(process.getInputStream().readAllBytes());
    process.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  private String log() {
    try {
      String text = Files.readString(work.resolve("operator.log"));
      return text.length() > 20_000 ? text.substring(text.length() - 20_000) : text;
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
