package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.testsupport.LocalCluster;
import io.tcpteardown.testsupport.LocalClusterExtension;
import io.tcpteardown.tier.ClusterTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hostile-tenant tier (issue 29): a tenant whose ServiceAccount may only create, read and
 * delete pods in its own namespace runs each attack against the agent of its node, from pods of the
 * image {@code tcp-teardown-tenant:dev} ({@code scripts/cluster/tenant/tenant.c}). After every
 * attack the agent is the same pod, Ready, without a restart; its probes answer within 1 s and its
 * {@code /metrics} within 2 s (in the first attack, while 64 silent and 64 slow connections stay
 * open to every port the agent and the operator listen on); the node's {@code TcpTeardownNode} and
 * the profile stay under 256 KiB, without a control character, and true; and no other pod's
 * namespace is touched. Runs after {@link RealClusterTest} on the same cluster.
 */
@ClusterTest
@Order(2)
@ExtendWith(LocalClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileTenantClusterTest {
  static final String NAMESPACE = RenderedChart.NAMESPACE;
  static final String TENANT = "tenant";
  static final String VICTIMS = "victim";
  static final String PROFILE = "hostile-tenant-pods";
  static final int BOUND = 256 * 1024;
  static final int CLOSE_WAIT = 120;
  static final int FORKED_HOLDERS = 2_000;
  static final int SOCKET_PAIRS = 250_000;
  static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f]");
  static final Duration PROBE_LIMIT = Duration.ofSeconds(1);
  static final Duration METRICS_LIMIT = Duration.ofSeconds(2);

  static LocalCluster cluster;
  static KubernetesClient admin;
  static KubernetesClient tenant;

  /** The agent's pod when the current attack started, and its restarts then. */
  static Pod agent;

  static int restartsBefore;
  static Instant started;
  static final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void installTheChartAndTheTenant() throws IOException {
    started = Instant.now();
    cluster = LocalCluster.get();
    admin = cluster.client();
    // The tier owns the cluster: what RealClusterTest left (its last profile, its release) goes.
    if (admin
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("tcpteardownprofiles.tcpteardown.io")
            .get()
        != null) {
      admin.resources(TcpTeardownProfile.class).delete();
    }
    ClusterChecks.uninstallLeftover(cluster.kubeconfigYaml(), admin);
    ClusterChecks.install(
        cluster.kubeconfigYaml(),
        ClusterChecks.values(
            LocalCluster.IMAGE_REPOSITORY,
            LocalCluster.IMAGE_TAG,
            Map.of(
                "agent.stateDir", LocalCluster.AGENT_STATE_DIR,
                "agent.driftCheckInterval", "5s",
                "agent.pods.minInterval", "5s",
                "agent.pods.cpuBudget", "0.5",
                "agent.pods.closeWaitThreshold", "50")));
    tenant = tenantClient();
    agent =
        await()
            .atMost(Duration.ofMinutes(2))
            .until(
                () -> pods(NAMESPACE, "app.kubernetes.io/component=agent"),
                p -> p.size() == 1 && RealClusterTest.ready(p.getFirst()))
            .getFirst();
    applyTenantProfile();
    restartsBefore = restarts(agent);
    System.out.printf(
        "FIGURE hostile-tenant tier set up (chart, tenant, profile) in %d s%n",
        Duration.between(started, Instant.now()).toSeconds());
  }

  @AfterAll
  static void removeTheTenant() {
    try {
      if (admin != null) {
        admin.namespaces().withName(TENANT).delete();
        admin.namespaces().withName(VICTIMS).delete();
        admin.resources(TcpTeardownProfile.class).withName(PROFILE).delete();
        ClusterChecks.uninstallLeftover(cluster.kubeconfigYaml(), admin);
      }
    } finally {
      if (tenant != null) {
        tenant.close();
      }
      if (admin != null) {
        admin.close();
      }
      if (started != null) {
        System.out.printf(
            "FIGURE HostileTenantClusterTest took %d s (cluster start not included when shared)%n",
            Duration.between(started, Instant.now()).toSeconds());
      }
    }
  }

  /**
   * Each attack starts from a Ready agent and is judged on its own: the agent's restarts are
   * counted from its start (the first attack starts from a fresh install, with none).
   */
  @BeforeEach
  void recordTheAgent() {
    agent =
        await()
            .atMost(Duration.ofMinutes(3))
            .until(
                () -> pods(NAMESPACE, "app.kubernetes.io/component=agent"),
                p -> p.size() == 1 && RealClusterTest.ready(p.getFirst()))
            .getFirst();
    restartsBefore = restarts(agent);
  }

  static int restarts(Pod pod) {
    return pod.getStatus().getContainerStatuses().stream()
        .mapToInt(ContainerStatus::getRestartCount)
        .sum();
  }

  // ---- the attacks ------------------------------------------------------------------------------

  /**
   * (a) 64 connections that send nothing and 64 that send one byte of a header per second, to every
   * port the agent and the operator listen on that a pod reaches (the node's address, the operator
   * pod's), held for 30 s while the kubelet's probes and /metrics are asked every 2 s.
   */
  @Test
  @Order(1)
  void stalledConnectionsToEveryPortLeaveTheProbesAnswering() {
    List<String> targets = new ArrayList<>();
    ClusterPods.reachableListeners(agent).forEach(l -> targets.add(l.target()));
    for (Pod operator : pods(NAMESPACE, "app.kubernetes.io/component=operator")) {
      ClusterPods.reachableListeners(operator).forEach(l -> targets.add(l.target()));
    }
    assertThat(targets).as("ports the agent and the operator listen on").isNotEmpty();
    List<String> command = new ArrayList<>(List.of("/bin/tenant", "stall", "3600", "64", "64"));
    command.addAll(targets);
    startTenantPod("stall", Map.of(), command);
    try {
      String ready = awaitReady("stall");
      System.out.printf("FIGURE tenant stalls %s against %s%n", ready, targets);
      probesAnswerFor(Duration.ofSeconds(30));
    } finally {
      deleteTenantPod("stall");
    }
  }

  /** The probes and /metrics answer in time at every try over {@code duration}. */
  static void probesAnswerFor(Duration duration) {
    // The kubelet's probes (every container of the agent and the operator) and the agent's
    // /metrics, as sent from the node.
    Instant end = Instant.now().plus(duration);
    List<ClusterPods.Answer> slow = new ArrayList<>();
    double worst = 0;
    int asked = 0;
    while (Instant.now().isBefore(end)) {
      for (ClusterPods.Answer answer : probeAll()) {
        asked++;
        worst = Math.max(worst, answer.seconds());
        if (!answer.within(limitOf(answer))) {
          slow.add(answer);
        }
      }
      sleep(Duration.ofSeconds(2));
    }
    System.out.printf(
        "FIGURE %d probe and /metrics requests during the stall, slowest %.3f s, %d late or"
            + " failed%n",
        asked, worst, slow.size());
    assertThat(slow).as("probes over 1 s or /metrics over 2 s, or failed").isEmpty();
    assertAgentUnharmed();
  }

  /**
   * (b) One process holding 120 CLOSE_WAIT sockets and 2,000 forked children that inherit them:
   * 2,001 holders. The node's status stays under 256 KiB and names the leak with exact counts.
   */
  @Test
  @Order(2)
  void twoThousandForkedCloseWaitHoldersKeepTheStatusBoundedAndTrue() throws IOException {
    String pod = "holders";
    startTenantPod(
        pod,
        Map.of(),
        List.of(
            "/bin/tenant",
            "closewait",
            String.valueOf(CLOSE_WAIT),
            String.valueOf(FORKED_HOLDERS)));
    try {
      System.out.printf("FIGURE tenant %s%n", awaitReady(pod));
      JsonNode entry = awaitLeakNamed(pod, Duration.ofMinutes(3));
      assertThat(entry.path("states").path("closeWait").asLong())
          .as("CLOSE_WAIT of %s", pod)
          .isEqualTo(CLOSE_WAIT);
      assertExactHolders(pod, entry, FORKED_HOLDERS + 1);
      // Held over further sweeps and reports: still bounded, still true.
      holdFor(Duration.ofSeconds(20), () -> assertLeakNamedAndBounded(pod));
    } finally {
      deleteTenantPod(pod);
    }
  }

  /**
   * (c) A pod holding 500,000 established loopback sockets (across forked processes, within the
   * descriptor limit each container gets) plus a CLOSE_WAIT leak: the agent reads that namespace at
   * every sweep and stays under the chart's memory limit and JVM flags.
   */
  @Test
  @Order(3)
  void halfAMillionSocketsAndALeakInOnePodLeaveTheAgentUnderItsMemoryLimit() {
    String pod = "sockets";
    startTenantPod(
        pod,
        Map.of(),
        List.of(
            "/bin/tenant", "sockets", String.valueOf(SOCKET_PAIRS), String.valueOf(CLOSE_WAIT)));
    try {
      String ready = awaitReady(pod, Duration.ofMinutes(4));
      long inUse = socketsInUse(pod);
      System.out.printf("FIGURE tenant %s; sockstat TCP inuse %d in its namespace%n", ready, inUse);
      assertThat(inUse).as("TCP sockets in the pod's namespace").isGreaterThanOrEqualTo(500_000);
      JsonNode entry = awaitLeakNamed(pod, Duration.ofMinutes(3));
      assertThat(entry.path("states").path("closeWait").asLong()).isEqualTo(CLOSE_WAIT);
      assertThat(entry.path("closeWaitHolders").toString()).contains("tenant");
      holdFor(Duration.ofSeconds(30), () -> assertLeakNamedAndBounded(pod));
      System.out.printf(
          "FIGURE agent peak memory %d MiB during the 500,000-socket attack (container limit"
              + " %s)%n",
          ClusterPods.peakMemory(currentAgent()) >> 20,
          currentAgent()
              .getSpec()
              .getContainers()
              .getFirst()
              .getResources()
              .getLimits()
              .get("memory"));
    } finally {
      deleteTenantPod(pod);
    }
  }

  /**
   * (d) The tenant (its own token) creates, again and again, a pod bound to the node whose
   * annotation {@code kubernetes.io/config.mirror} is the UID of a victim's pod in another
   * namespace, labelled as the profile's pod rule selects. The victim's namespace keeps the
   * kernel's value; the decoy is never matched; a real tenant pod with the same labels is tuned.
   */
  @Test
  @Order(4)
  void aDecoyMirrorPodNeitherTakesAVictimsIdentityNorTunesItsNamespace() throws Exception {
    Pod victim = startVictim();
    String victimUid = victim.getMetadata().getUid();
    String tuned = "tuned";
    startTenantPod(tuned, Map.of("tenant-role", "tuned"), List.of("/bin/sleep", "3600"));
    await()
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(
            () ->
                assertThat(podSysctl(TENANT, tuned)).as("a selected pod's value").isEqualTo("23"));
    assertThat(podSysctl(VICTIMS, "victim")).isEqualTo("60");

    AtomicInteger created = new AtomicInteger();
    List<String> refusals = new ArrayList<>();
    Thread attacker =
        Thread.ofPlatform()
            .name("decoys")
            .start(
                () -> {
                  for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                    try {
                      tenant.pods().inNamespace(TENANT).resource(decoy(i, victimUid)).create();
                      created.incrementAndGet();
                    } catch (KubernetesClientException e) {
                      synchronized (refusals) {
                        refusals.add(e.getCode() + " " + e.getMessage());
                      }
                    }
                    try {
                      Thread.sleep(1_000);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    try {
      holdFor(
          Duration.ofSeconds(40),
          Duration.ofSeconds(1),
          () -> {
            assertThat(podSysctl(VICTIMS, "victim"))
                .as("the victim's tcp_fin_timeout")
                .isEqualTo("60");
            JsonNode status = nodeObject().path("status");
            for (JsonNode entry : status.path("pods")) {
              assertThat(entry.path("name").asText())
                  .as("a decoy in status.pods")
                  .doesNotStartWith("decoy-");
              if (entry.path("uid").asText().equals(victimUid)) {
                assertThat(entry.path("namespace").asText()).isEqualTo(VICTIMS);
                assertThat(entry.path("name").asText()).isEqualTo("victim");
                assertThat(entry.path("tuning").isMissingNode() || entry.path("tuning").isNull())
                    .as("pod tuning reported on the victim: %s", entry)
                    .isTrue();
              }
            }
          });
    } finally {
      attacker.interrupt();
      attacker.join();
    }
    System.out.printf(
        "FIGURE %d decoy pods created by the tenant in 40 s (%d refused: %s)%n",
        created.get(), refusals.size(), refusals.stream().distinct().limit(2).toList());
    assertThat(created.get()).as("decoys the API server accepted from the tenant").isPositive();
    assertThat(podSysctl(VICTIMS, "victim")).isEqualTo("60");
    assertThat(podSysctl(TENANT, tuned)).isEqualTo("23");
    assertThat(events(TENANT))
        .as("Events in the tenant's namespace about the victim")
        .noneMatch(e -> "victim".equals(e.getInvolvedObject().getName()));
    assertAgentUnharmed();
    deleteTenantPod(tuned);
  }

  /**
   * (e) A process named with control characters ({@code ESC [31m evil LF}, through PR_SET_NAME)
   * leaks CLOSE_WAIT: the leak is named, and no control character reaches the node's status, the
   * profile's, Events or {@code /metrics}.
   */
  @Test
  @Order(5)
  void controlCharactersInProcessNamesReachNeitherTheApiNorTheMetrics() throws IOException {
    String pod = "evil";
    startTenantPod(
        pod,
        Map.of(),
        List.of("/bin/tenant", "closewait", String.valueOf(CLOSE_WAIT), "0", "\\e[31mevil\\n"));
    try {
      awaitReady(pod);
      assertThat(processNames(pod))
          .as("the tenant's process name")
          .anyMatch(n -> n.contains("\u001b[31mevil"));
      awaitLeakNamed(pod, Duration.ofMinutes(3));
      await()
          .atMost(Duration.ofMinutes(1))
          .untilAsserted(
              () ->
                  assertThat(events(TENANT))
                      .as("the leak's Event on the tenant's pod")
                      .anyMatch(e -> pod.equals(e.getInvolvedObject().getName())));
      assertLeakNamedAndBounded(pod);
      String metrics = metricsText();
      assertThat(CONTROL.matcher(metrics.replace("\n", "")).find())
          .as("a control character in /metrics")
          .isFalse();
      assertThat(metrics).as("an escaped line feed in a /metrics label").doesNotContain("evil\\n");
    } finally {
      deleteTenantPod(pod);
    }
  }

  // ---- checks -----------------------------------------------------------------------------------

  /**
   * The agent is the pod it was, Ready, never restarted; the probes answer; the node's and the
   * profile's objects are bounded and clean; the tenant's Events are clean.
   */
  static void assertAgentUnharmed() {
    Pod now = currentAgent();
    assertThat(now.getMetadata().getUid())
        .as("the agent's pod (replaced?)")
        .isEqualTo(agent.getMetadata().getUid());
    assertThat(restarts(now))
        .as(
            () ->
                "restarts of the agent during this attack (last state: "
                    + now.getStatus().getContainerStatuses().getFirst().getLastState()
                    + "; previous log:\n"
                    + previousLog(now)
                    + ")")
        .isEqualTo(restartsBefore);
    assertThat(RealClusterTest.ready(now)).as("the agent is Ready").isTrue();
    for (ClusterPods.Answer answer : probeAll()) {
      assertThat(answer.within(limitOf(answer))).as("%s", answer).isTrue();
    }
    assertBoundedAndClean();
  }

  static void assertBoundedAndClean() {
    String node = cluster.kubectl("get", "ttn", LocalCluster.NODE, "-o", "json");
    assertThat(node.getBytes(StandardCharsets.UTF_8).length)
        .as("serialized TcpTeardownNode %s", LocalCluster.NODE)
        .isLessThan(BOUND);
    // The status, which the agent writes (the metadata holds, for one, kubectl's
    // last-applied-configuration, which ends with a line feed).
    assertNoControlCharacters("TcpTeardownNode status", node);
    String profile = cluster.kubectl("get", "ttp", PROFILE, "-o", "json");
    assertThat(profile.getBytes(StandardCharsets.UTF_8).length)
        .as("serialized TcpTeardownProfile %s", PROFILE)
        .isLessThan(BOUND);
    assertNoControlCharacters("TcpTeardownProfile status", profile);
    for (Event event : events(TENANT)) {
      for (String text : new String[] {event.getReason(), event.getMessage()}) {
        assertThat(text == null || !CONTROL.matcher(text).find())
            .as("a control character in Event %s: %s", event.getMetadata().getName(), text)
            .isTrue();
      }
    }
  }

  static void assertNoControlCharacters(String what, String text) {
    try {
      List<String> bad = new ArrayList<>();
      visitText(
          json.readTree(text).path("status"),
          s -> {
            if (CONTROL.matcher(s).find()) {
              bad.add(s);
            }
          });
      assertThat(bad).as("strings with control characters in %s", what).isEmpty();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static void visitText(JsonNode node, Consumer<String> visitor) {
    if (node.isTextual()) {
      visitor.accept(node.asText());
    }
    node.fieldNames().forEachRemaining(visitor);
    node.forEach(child -> visitText(child, visitor));
  }

  /** Waits until the pod is listed as leaking and the node's CloseWaitLeak condition names it. */
  static JsonNode awaitLeakNamed(String pod, Duration within) {
    return await()
        .atMost(within)
        .pollInterval(Duration.ofSeconds(3))
        .ignoreExceptionsMatching(e -> e instanceof IllegalStateException)
        .until(
            () -> {
              assertProcessAlive();
              return leakEntry(pod);
            },
            Optional::isPresent)
        .orElseThrow();
  }

  /** The leak of the pod is named and everything stays bounded, clean and alive. */
  static void assertLeakNamedAndBounded(String pod) {
    assertThat(leakEntry(pod)).as("the leak of %s named in status and condition", pod).isPresent();
    assertAgentUnharmed();
  }

  static Optional<JsonNode> leakEntry(String pod) {
    JsonNode status = nodeObject().path("status");
    JsonNode entry = null;
    for (JsonNode candidate : status.path("pods")) {
      if (pod.equals(candidate.path("name").asText())
          && TENANT.equals(candidate.path("namespace").asText())) {
        entry = candidate;
      }
    }
    if (entry == null || !"Leak".equals(entry.path("listed").asText())) {
      return Optional.empty();
    }
    for (JsonNode condition : status.path("conditions")) {
      if ("CloseWaitLeak".equals(condition.path("type").asText())
          && "True".equals(condition.path("status").asText())
          && condition.path("message").asText().contains(pod)) {
        return Optional.of(entry);
      }
    }
    return Optional.empty();
  }

  /**
   * The number of holders is exact: every one listed, or those listed plus the number the entry or
   * the condition says were left out ("and N more").
   */
  static void assertExactHolders(String pod, JsonNode entry, int holders) {
    int listed = entry.path("closeWaitHolders").size();
    assertThat(listed).as("holders listed for %s", pod).isPositive().isLessThanOrEqualTo(holders);
    entry
        .path("closeWaitHolders")
        .forEach(h -> assertThat(h.path("sockets").asLong()).as("%s", h).isEqualTo(CLOSE_WAIT));
    if (listed == holders) {
      return;
    }
    String text = entry.toString() + " " + nodeObject().path("status").path("conditions");
    Matcher more = Pattern.compile("and ([0-9][0-9,]*) more").matcher(text);
    List<Integer> counts = new ArrayList<>();
    while (more.find()) {
      counts.add(Integer.parseInt(more.group(1).replace(",", "")));
    }
    boolean total =
        text.contains(String.valueOf(holders)) || text.contains(String.format("%,d", holders));
    assertThat(counts.contains(holders - listed) || total)
        .as(
            "%d holders of %s: %d listed, and neither 'and %d more' nor %d in %s",
            holders, pod, listed, holders - listed, holders, text)
        .isTrue();
  }

  static void assertProcessAlive() {
    Pod now = currentAgent();
    if (!now.getMetadata().getUid().equals(agent.getMetadata().getUid())
        || restarts(now) != restartsBefore) {
      throw new AssertionError(
          "the agent restarted or was replaced during the attack: "
              + now.getStatus().getContainerStatuses().getFirst().getLastState()
              + "; the end of its previous log:\n"
              + previousLog(now));
    }
  }

  /** The last lines the agent's previous container wrote (why it ended). */
  static String previousLog(Pod pod) {
    LocalCluster.Result logs =
        LocalCluster.run(
            Duration.ofSeconds(30),
            List.of(
                "kubectl",
                "--kubeconfig",
                cluster.kubeconfig().toString(),
                "-n",
                NAMESPACE,
                "logs",
                pod.getMetadata().getName(),
                "--previous",
                "--tail",
                "8"));
    return logs.output();
  }

  /** Checks {@code check} every 5 s for {@code duration}. */
  static void holdFor(Duration duration, ThrowingRunnable check) {
    holdFor(duration, Duration.ofSeconds(5), check);
  }

  /** Checks {@code check} every {@code interval} for {@code duration}. */
  static void holdFor(Duration duration, Duration interval, ThrowingRunnable check) {
    Instant end = Instant.now().plus(duration);
    do {
      try {
        check.run();
      } catch (AssertionError e) {
        throw e;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      sleep(interval);
    } while (Instant.now().isBefore(end));
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  // ---- the agent and its node ------------------------------------------------------------------

  static Pod currentAgent() {
    List<Pod> agents = pods(NAMESPACE, "app.kubernetes.io/component=agent");
    assertThat(agents).as("agent pods").hasSize(1);
    return agents.getFirst();
  }

  /** The kubelet's probes of the agent and the operator, and the agent's /metrics. */
  static List<ClusterPods.Answer> probeAll() {
    List<ClusterPods.Answer> answers = new ArrayList<>();
    List<Pod> probed = new ArrayList<>(pods(NAMESPACE, "app.kubernetes.io/component=operator"));
    probed.add(currentAgent());
    for (Pod pod : probed) {
      ClusterPods.probeUrls(pod).forEach(url -> answers.add(ClusterPods.get(url, PROBE_LIMIT)));
    }
    answers.add(ClusterPods.get(metricsUrl(), METRICS_LIMIT));
    return answers;
  }

  static Duration limitOf(ClusterPods.Answer answer) {
    return answer.url().endsWith("/metrics") ? METRICS_LIMIT : PROBE_LIMIT;
  }

  static String metricsUrl() {
    int port =
        currentAgent().getSpec().getContainers().getFirst().getPorts().stream()
            .filter(p -> "metrics".equals(p.getName()))
            .findFirst()
            .orElseThrow()
            .getContainerPort();
    return "http://" + LocalCluster.NODE_IP + ":" + port + "/metrics";
  }

  static String metricsText() {
    LocalCluster.Result curl =
        LocalCluster.run(
            Duration.ofSeconds(30),
            List.of(
                "nsenter",
                "--net=/var/run/netns/" + LocalCluster.NODE_NAMESPACE,
                "curl",
                "-sS",
                "-m",
                "2",
                metricsUrl()));
    assertThat(curl.exitCode()).as("/metrics: %s", curl.output()).isZero();
    return curl.output();
  }

  static JsonNode nodeObject() {
    try {
      return json.readTree(cluster.kubectl("get", "ttn", LocalCluster.NODE, "-o", "json"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- the tenant -------------------------------------------------------------------------------

  /**
   * The namespace {@code tenant}, labelled for the profile's pod rule, with a ServiceAccount whose
   * only rights are on pods of that namespace; a client with a token of that account.
   */
  static KubernetesClient tenantClient() throws IOException {
    for (String name : List.of(TENANT, VICTIMS)) {
      admin.namespaces().withName(name).delete();
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> admin.namespaces().withName(name).get() == null);
    }
    admin
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(TENANT)
                .addToLabels("teardown-tenant", "hostile")
                .endMetadata()
                .build())
        .create();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(VICTIMS).endMetadata().build())
        .create();
    admin
        .serviceAccounts()
        .inNamespace(TENANT)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName(TENANT).endMetadata().build())
        .create();
    admin
        .rbac()
        .roles()
        .inNamespace(TENANT)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName(TENANT)
                .endMetadata()
                .withRules(
                    new PolicyRuleBuilder()
                        .withApiGroups("")
                        .withResources("pods")
                        .withVerbs("create", "delete", "get", "list", "watch")
                        .build())
                .build())
        .create();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(TENANT)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(TENANT)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", TENANT)
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(TENANT)
                .withNamespace(TENANT)
                .endSubject()
                .build())
        .create();
    String token =
        admin
            .serviceAccounts()
            .inNamespace(TENANT)
            .withName(TENANT)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Config config = Config.fromKubeconfig(cluster.kubeconfigYaml());
    config.setClientCertData(null);
    config.setClientKeyData(null);
    config.setOauthToken(token);
    config.setNamespace(TENANT);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    // Namespace-scoped rights only: the tenant can neither read another namespace's pods nor
    // any node.
    assertThat(assertRefused(() -> client.pods().inNamespace(VICTIMS).list()))
        .as("the tenant listing the victims' pods")
        .isEqualTo(403);
    assertThat(assertRefused(() -> client.nodes().list()))
        .as("the tenant listing nodes")
        .isEqualTo(403);
    return client;
  }

  static int assertRefused(Runnable request) {
    try {
      request.run();
      return 200;
    } catch (KubernetesClientException e) {
      return e.getCode();
    }
  }

  /** A profile whose pod rule selects the tenant's pods labelled {@code tenant-role: tuned}. */
  static void applyTenantProfile() throws IOException {
    java.nio.file.Path file = java.nio.file.Files.createTempFile(PROFILE, ".yaml");
    file.toFile().deleteOnExit();
    java.nio.file.Files.writeString(
        file,
        """
        apiVersion: tcpteardown.io/v1alpha1
        kind: TcpTeardownProfile
        metadata:
          name: %s
        spec:
          priority: 40
          finTimeoutSeconds: 23
          pods:
            namespaceSelector:
              matchLabels: {teardown-tenant: hostile}
            podSelector:
              matchLabels: {tenant-role: tuned}
            mode: Apply
        """
            .formatted(PROFILE));
    cluster.kubectl("apply", "-f", file.toString());
  }

  /** A pod of the tenant, created with the tenant's own token. */
  static void startTenantPod(String name, Map<String, String> labels, List<String> command) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(TENANT)
            .addToLabels("tenant-attack", name)
            .addToLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withServiceAccountName(TENANT)
            .withAutomountServiceAccountToken(false)
            .withTerminationGracePeriodSeconds(1L)
            .withRestartPolicy("Never")
            .addNewContainer()
            .withName("tenant")
            .withImage(LocalCluster.TENANT_IMAGE)
            .withImagePullPolicy("Never")
            .withCommand(command)
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();
    tenant.pods().inNamespace(TENANT).resource(pod).create();
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () -> tenant.pods().inNamespace(TENANT).withName(name).get(),
            p -> p != null && RealClusterTest.ready(p));
  }

  static void deleteTenantPod(String name) {
    tenant.pods().inNamespace(TENANT).withName(name).delete();
    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> admin.pods().inNamespace(TENANT).withName(name).get() == null);
  }

  static String awaitReady(String pod) {
    return awaitReady(pod, Duration.ofMinutes(1));
  }

  /** The tenant's READY line, once its population is in place. */
  static String awaitReady(String pod, Duration within) {
    String log =
        await()
            .atMost(within)
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> admin.pods().inNamespace(TENANT).withName(pod).getLog(),
                l -> l.contains("READY") || l.contains("FAILED"));
    assertThat(log).as("tenant %s", pod).doesNotContain("FAILED");
    return log.lines().filter(l -> l.startsWith("READY")).findFirst().orElseThrow();
  }

  /** The victim: an ordinary pod of another namespace, not selected by any profile. */
  static Pod startVictim() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("victim")
            .withNamespace(VICTIMS)
            .addToLabels("app", "victim")
            .endMetadata()
            .withNewSpec()
            .withAutomountServiceAccountToken(false)
            .withTerminationGracePeriodSeconds(1L)
            .addNewContainer()
            .withName("victim")
            .withImage(LocalCluster.TENANT_IMAGE)
            .withImagePullPolicy("Never")
            .withCommand("/bin/sleep", "3600")
            .endContainer()
            .endSpec()
            .build();
    admin.pods().inNamespace(VICTIMS).resource(pod).create();
    return await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () -> admin.pods().inNamespace(VICTIMS).withName("victim").get(),
            p -> p != null && RealClusterTest.ready(p));
  }

  /** A decoy: bound to the node, claiming to be the mirror of the victim, labelled as selected. */
  static Pod decoy(int index, String victimUid) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("decoy-" + index)
        .withNamespace(TENANT)
        .addToLabels("tenant-role", "tuned")
        .addToAnnotations("kubernetes.io/config.mirror", victimUid)
        .endMetadata()
        .withNewSpec()
        .withNodeName(LocalCluster.NODE)
        // The ServiceAccount admission plugin refuses a mirror pod that names a ServiceAccount.
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(0L)
        .addNewContainer()
        .withName("decoy")
        .withImage(LocalCluster.TENANT_IMAGE)
        .withImagePullPolicy("Never")
        .withCommand("/bin/sleep", "3600")
        .endContainer()
        .endSpec()
        .build();
  }

  static String podSysctl(String namespace, String pod) {
    return cluster
        .kubectl("-n", namespace, "exec", pod, "--", "cat", "/proc/sys/net/ipv4/tcp_fin_timeout")
        .strip();
  }

  /** The names of the pod's processes, as /proc/PID/comm holds them. */
  static List<String> processNames(String pod) {
    Pod object = admin.pods().inNamespace(TENANT).withName(pod).get();
    List<String> names = new ArrayList<>();
    for (int pid : ClusterPods.pids(object)) {
      try {
        names.add(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/comm")));
      } catch (IOException e) {
        // gone meanwhile
      }
    }
    return names;
  }

  /** TCP sockets in use in the pod's namespace, from its /proc/PID/net/sockstat. */
  static long socketsInUse(String pod) {
    Pod object = admin.pods().inNamespace(TENANT).withName(pod).get();
    int pid = ClusterPods.pids(object).iterator().next();
    try {
      for (String line :
          java.nio.file.Files.readAllLines(
              java.nio.file.Path.of("/proc/" + pid + "/net/sockstat"))) {
        if (line.startsWith("TCP:")) {
          String[] fields = line.split("\\s+");
          for (int i = 1; i + 1 < fields.length; i++) {
            if (fields[i].equals("inuse")) {
              return Long.parseLong(fields[i + 1]);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return -1;
  }

  static List<Event> events(String namespace) {
    return admin.v1().events().inNamespace(namespace).list().getItems();
  }

  static List<Pod> pods(String namespace, String selector) {
    String[] label = selector.split("=", 2);
    return admin
        .pods()
        .inNamespace(namespace)
        .withLabel(label[0], label[1])
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
