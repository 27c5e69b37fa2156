package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.UninstallCommand;
import com.marcnuri.helm.UpgradeCommand;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.delivery.ReadmeCommands.Command;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kubectl and helm command the documentation shows (README.md, then docs/*.md by name; see
 * {@link ReadmeCommands}) runs as written against a fresh kube-apiserver (the test version, {@value
 * TestCluster#OFFLINE_VERSION}), the way a new user walks through it: first the install commands,
 * then every other command in the documents' order, then the removal commands in that order.
 * kubectl commands run as they are written, through bash with the kubeconfig of that server and
 * {@code $NS} set to the release namespace (docs/runbook.md writes it so); helm commands run with
 * the same arguments through helm-java (Helm itself, as a library). A command added to the
 * documentation is covered without touching this test; one it cannot run, and every other command
 * of a shell code block, must be listed in {@link #NOT_RUN} with the reason.
 *
 * <p>Its own API server rather than the shared one: the walk-through starts from a cluster without
 * this project's CRDs or namespace (so that {@code helm install} creates them, as on first install)
 * and ends by deleting the CRDs, which would pull them from under every other API test.
 */
@ApiTest
class ReadmeCommandsApiTest {
  private static final String BENCHMARK =
      "a benchmark: minutes of root-only load on the machine, not part of verify; its latest figures"
          + " and this command are in docs/benchmarks.md";
  private static final String TIER =
      "one tier of ./mvnw -B verify, which CI runs whole (this test is part of it); TierTagsTest"
          + " checks that every test class carries its tier";
  private static final String DEMO =
      "needs a kind, k3d or minikube cluster, or root to start the real-cluster tier's cluster,"
          + " which the API server tier has not; RealClusterTest installs the same chart and profiles"
          + " on that cluster and checks pods, leaks and restored originals";
  private static final String DOCKER_BUILD =
      "needs a Docker engine; the real-cluster tier builds the image from the Dockerfile as it stands"
          + " (scripts/local-cluster.sh images) and DockerfileEndToEndTest runs its entrypoint";

  /**
   * Every command of the documentation that this test does not run, and why: kubectl and helm
   * commands (and prose naming one) that need what an API server alone has not, and every other
   * command of a shell code block (builds, scripts, the jar), which no test runs as written. A
   * command the documentation no longer shows fails {@link
   * #theDocumentationShowsItsInstallUpgradeUseAndRemovalCommands}; one it shows that is neither run
   * nor listed here fails ReadmeCommandsParseTest.
   */
  static final Map<String, String> NOT_RUN =
      Map.ofEntries(
          Map.entry(
              "kubectl apply",
              "prose naming the verb (\"refuses such an object at `kubectl apply`\"), not a command"),
          Map.entry(
              "helm install",
              "prose naming the verb (\"a wrong value fails at `helm install`\"), not a command"),
          Map.entry(
              "helm template",
              "prose naming the command (\"`helm template` knows no cluster\"), not a command; the"
                  + " chart's templates are rendered by HelmChartTest"),
          Map.entry(
              "helm upgrade",
              "prose naming the command (\"unlike `helm upgrade`, which never touches them\"), not a"
                  + " command; RealClusterTest upgrades the release"),
          Map.entry(
              "helm uninstall",
              "prose naming the command (\"an OOM kill or `helm uninstall`\"), not a command; the"
                  + " README's own helm uninstall runs here"),
          Map.entry(
              "kubectl exec",
              "prose naming the command (\"started by `kubectl exec`\"), not a command"),
          Map.entry(
              "kubectl wait",
              "prose naming the command (\"`kubectl wait` build on\"), not a command"),
          Map.entry(
              "kubectl wait --for=condition=Ready",
              "prose naming the command's condition, not a command; GitOpsHealthApiTest runs kubectl"
                  + " wait --for=condition=Ready on a profile its agent applied"),
          Map.entry(
              "kubectl -n tcp-teardown exec AGENT-POD -- java -Xmx48m -jar /app/tcp-teardown.jar"
                  + " state-file rebuild",
              "exec needs a kubelet running the agent pod, which the API server tier has not; the"
                  + " command it runs (state-file rebuild) is run against the API server by"
                  + " StateFileCommandApiTest"),
          Map.entry(
              "kubectl -n $NS logs POD",
              "logs need a kubelet running the pod, which the API server tier has not;"
                  + " RealClusterTest reads the agent's and the operators' logs"),
          Map.entry(
              "kubectl -n $NS describe pod POD",
              "POD is a running agent or operator pod, which needs a kubelet; the same command"
                  + " without a pod name runs here"),
          Map.entry(
              "helm test tcp-teardown --namespace tcp-teardown",
              "the test pod needs a kubelet and an agent, which the API server tier has not;"
                  + " RealClusterTest runs helm test on the installed release"),
          Map.entry(
              "kubectl wait --for=condition=Ready ttp/NAME --timeout=5m",
              "Ready needs agents that apply the profile, which this test has not; GitOpsHealthApiTest"
                  + " runs kubectl wait --for=condition=Ready on a profile its agent applied"),
          Map.entry(
              "DOCKER_BUILDKIT=1 docker build -t registry.example.com/tcp-teardown-operator:0.1.0 .",
              DOCKER_BUILD),
          Map.entry(
              "DOCKER_BUILDKIT=1 docker build -t tcp-teardown-operator:dev --build-arg VERSION=0.1.0 .",
              DOCKER_BUILD),
          Map.entry(
              "docker push registry.example.com/tcp-teardown-operator:0.1.0",
              "needs a registry, which the test machines have not; the real-cluster tier loads the"
                  + " image into its node without one"),
          Map.entry(
              "bash scripts/provision-kube-apiserver.sh",
              ".ci/run runs it before the tests: this test needs the binaries it provisions"),
          Map.entry("./mvnw -B verify", "the command CI runs (.ci/run); this test is part of it"),
          Map.entry("./mvnw -B verify -Dgroups=unit", TIER),
          Map.entry("./mvnw -B verify -Dgroups=kernel", TIER),
          Map.entry("./mvnw -B verify -Dgroups=api", TIER),
          Map.entry("./mvnw -B verify -Dgroups=e2e", TIER),
          Map.entry("./mvnw -B verify -Dgroups=cluster", TIER),
          Map.entry(
              "export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64",
              "sets the JDK of the commands after it; the build running this test has its JDK"),
          Map.entry(
              "./mvnw -B package -DskipTests && \"$JAVA_HOME/bin/java\" -jar"
                  + " operator/target/tcp-teardown.jar validate -f examples/",
              "needs the packaged jar, which verify builds after the tests; ExamplesTest checks every"
                  + " example's outcome and ValidateCommandTest the validate command"),
          Map.entry(
              "java -jar tcp-teardown.jar validate -f stored-profiles.yaml",
              "names the released jar in the working directory, which the repository has not;"
                  + " ValidateCommandTest runs validate on a kind: List as kubectl get -o yaml prints"
                  + " it, CrdUpgradeApiTest on profiles an older schema stored"),
          Map.entry(
              "java -jar tcp-teardown.jar advise > advice.yaml",
              "names the released jar in the working directory, which the repository has not;"
                  + " AdviseCommandApiTest runs advise against an API server, validates what it"
                  + " printed and applies it"),
          Map.entry(
              "java -jar tcp-teardown.jar validate -f advice.yaml",
              "names the released jar and the file advise wrote; AdviseCommandApiTest runs validate"
                  + " on what advise printed"),
          Map.entry(
              "kubectl debug node/NAME",
              "prose naming the command (\"or `kubectl debug node/NAME` with the host's network\"):"
                  + " a debug pod on a node needs a kubelet, which the API server tier has not;"
                  + " NodeReportCommandKernelTest runs advise --local in a network namespace"),
          Map.entry(
              "kubectl apply -f advice.yaml",
              "applies the file advise wrote on the user's machine, which this walk-through has not;"
                  + " AdviseCommandApiTest creates every profile advise printed on an API server"),
          Map.entry(
              "./mvnw -B package -DskipTests",
              "builds the jar and the image's input; the build that runs this test builds them too"),
          Map.entry(
              "./mvnw -B -o test -Dtest=ConfigurationDocsTest -Dconfiguration.docs.write=true",
              "rewrites docs/configuration.md; ConfigurationDocsTest, part of every build, fails"
                  + " when the committed file differs from what this command writes"),
          Map.entry("scripts/demo.sh up --context kind-demo", DEMO),
          Map.entry("scripts/demo.sh down --context kind-demo", DEMO),
          Map.entry(
              "./mvnw -B -o package -DskipTests",
              "builds the jar the benchmarks run; the build that runs this test builds it too"),
          Map.entry(
              "./mvnw -B -o test -Dtest=CountBenchmark -Dsurefire.failIfNoSpecifiedTests=false",
              BENCHMARK),
          Map.entry(
              "./mvnw -B -o test -Dtest=PodSweepBenchmark -Dsurefire.failIfNoSpecifiedTests=false"
                  + " -Dbench.budgetMinutes=10",
              BENCHMARK),
          Map.entry(
              "./mvnw -B -o test -Dtest=WatchEventParseBenchmark"
                  + " -Dsurefire.failIfNoSpecifiedTests=false",
              BENCHMARK),
          Map.entry(
              "./mvnw -B -o package -DskipTests && ./mvnw -B -o test -Dtest=AgentFootprintBenchmark"
                  + " -Dsurefire.failIfNoSpecifiedTests=false",
              BENCHMARK),
          Map.entry(
              "./mvnw -B -o test -Dtest=ScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false"
                  + " -Dbench.nodes=1000",
              BENCHMARK));

  /** Placeholders of the documentation and the real objects this test creates for them. */
  static final Map<String, String> PLACEHOLDERS =
      Map.of("NODE", "readme-node-1", "NAME", "readme-profile");

  /** The release namespace, which docs/runbook.md writes {@code $NS}. */
  private static final String RELEASE_NAMESPACE = "tcp-teardown";

  /** The operator's Lease, named as the chart's default {@code operator.leaseName}. */
  private static final String LEASE = "tcp-teardown-operator";

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path OFFLINE_BINARIES =
      Path.of(
          System.getProperty("user.home"),
          ".kubeapitest",
          "k8s",
          TestCluster.OFFLINE_VERSION + "-linux-amd64");
  private static final String CRD_PROFILES = "tcpteardownprofiles.tcpteardown.io";
  private static final String CRD_NODES = "tcpteardownnodes.tcpteardown.io";

  private static KubeAPIServer server;
  private static Path kubeconfig;
  private static Path kubectlDir;
  private static KubernetesClient admin;

  enum Phase {
    INSTALL,
    USE,
    REMOVE
  }

  /** When in a new user's walk-through a command runs. */
  static Phase phase(Command command) {
    List<String> tokens = command.tokens();
    String verb = command.tool().equals("kubectl") ? kubectlVerb(tokens) : tokens.get(1);
    return switch (command.tool() + " " + verb) {
      case "helm install", "kubectl create" -> Phase.INSTALL;
      case "kubectl label" ->
          tokens.contains("namespace") || tokens.contains("ns") ? Phase.INSTALL : Phase.USE;
      case "helm uninstall", "kubectl delete" -> Phase.REMOVE;
      default -> Phase.USE;
    };
  }

  /** The kubectl subcommand: the first token after kubectl that is not a flag or its value. */
  private static String kubectlVerb(List<String> tokens) {
    for (int i = 1; i < tokens.size(); i++) {
      String token = tokens.get(i);
      if (token.equals("-n") || token.equals("--namespace") || token.equals("--context")) {
        i++;
      } else if (!token.startsWith("-")) {
        return token;
      }
    }
    throw new AssertionError("no kubectl subcommand in: " + String.join(" ", tokens));
  }

  @BeforeAll
  static void freshCluster() throws IOException {
    boolean ci = "true".equals(System.getenv("CI"));
    kubectlDir = kubectlDirectory();
    if (kubectlDir == null) {
      if (ci) {
        throw new IllegalStateException(
            "no kubectl in "
                + OFFLINE_BINARIES
                + " or on PATH; run scripts/provision-kube-apiserver.sh");
      }
      Assumptions.abort("no kubectl: the documentation's kubectl commands cannot run here");
    }
    KubeAPIServerConfigBuilder config =
        KubeAPIServerConfigBuilder.anAPIServerConfig().withUpdateKubeConfig(false);
    if (Files.isExecutable(OFFLINE_BINARIES.resolve("kube-apiserver"))) {
      config.withApiServerVersion(TestCluster.OFFLINE_VERSION).withOfflineMode(true);
    } else if (ci) {
      throw new IllegalStateException(
          "no kube-apiserver binaries in "
              + OFFLINE_BINARIES
              + ": run scripts/provision-kube-apiserver.sh (CI=true forbids skipping API server tests)");
    }
    server = new KubeAPIServer(config.build());
    server.start();
    kubeconfig = Files.createTempFile("readme-kubeconfig", ".yaml");
    kubeconfig.toFile().deleteOnExit();
    Files.writeString(kubeconfig, server.getKubeConfigYaml());
    admin =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(server.getKubeConfigYaml()))
            .build();
  }

  private static Path kubectlDirectory() {
    if (Files.isExecutable(OFFLINE_BINARIES.resolve("kubectl"))) {
      return OFFLINE_BINARIES;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
        return Path.of(dir);
      }
    }
    return null;
  }

  @AfterAll
  static void stop() throws IOException {
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      server.stop();
    }
    if (kubeconfig != null) {
      Files.deleteIfExists(kubeconfig);
    }
  }

  @Test
  void theDocumentationShowsItsInstallUpgradeUseAndRemovalCommands() throws IOException {
    ReadmeCommands read = ReadmeCommands.read();
    List<Command> commands = new ArrayList<>(read.all());
    commands.addAll(read.shellCommands());
    assertThat(commands)
        .extracting(ReadmeCommands.Command::text)
        .as("the documentation's commands")
        .contains(
            "kubectl apply --validate=false -f helm/tcp-teardown-operator/crds/",
            "kubectl delete -f helm/tcp-teardown-operator/crds/")
        .containsAll(NOT_RUN.keySet())
        .anyMatch(c -> c.startsWith("helm install "))
        .anyMatch(c -> c.startsWith("helm uninstall "));
  }

  @Test
  void everyKubectlAndHelmCommandOfTheDocumentationRunsAsWrittenOnAFreshCluster() throws Exception {
    List<Command> toRun =
        ReadmeCommands.read().all().stream()
            .filter(c -> !NOT_RUN.containsKey(c.text()))
            .sorted(Comparator.comparing(ReadmeCommandsApiTest::phase))
            .toList();
    List<String> ran = new ArrayList<>();
    // Commands run in the repository (they name its paths); files they write there are removed.
    java.util.Set<Path> before;
    try (var listing = Files.list(REPO)) {
      before = listing.collect(java.util.stream.Collectors.toSet());
    }
    try {
      runAll(toRun, ran);
    } finally {
      try (var listing = Files.list(REPO)) {
        for (Path written : listing.filter(p -> !before.contains(p)).toList()) {
          Files.deleteIfExists(written);
        }
      }
    }
    System.out.println("ran, in this order:\n" + String.join("\n", ran));

    assertThat(toRun).extracting(ReadmeCommandsApiTest::phase).contains(Phase.values());
    assertThat(admin.apiextensions().v1().customResourceDefinitions().withName(CRD_PROFILES).get())
        .as("the documentation's removal commands delete the CRDs")
        .isNull();
    assertThat(Helm.list().withKubeConfig(kubeconfig).allNamespaces().call())
        .as("the documentation's removal commands uninstall the release")
        .isEmpty();
  }

  private void runAll(List<Command> toRun, List<String> ran) throws Exception {
    Phase current = null;
    for (Command command : toRun) {
      Phase phase = phase(command);
      if (phase != current) {
        current = phase;
        if (phase == Phase.USE) {
          createPlaceholderObjects();
          makeStoredCrdsStale();
        }
      }
      run(command);
      ran.add(current + ": " + command.text());
    }
  }

  /** A node and its TcpTeardownNode for NODE, a profile for NAME, once the CRDs are installed. */
  private static void createPlaceholderObjects() {
    for (String crd : List.of(CRD_PROFILES, CRD_NODES)) {
      admin
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(crd)
          .waitUntilCondition(
              c ->
                  c != null
                      && c.getStatus() != null
                      && c.getStatus().getConditions().stream()
                          .anyMatch(
                              s ->
                                  s.getType().equals("Established")
                                      && s.getStatus().equals("True")),
              30,
              TimeUnit.SECONDS);
    }
    admin
        .resource(
            new LeaseBuilder()
                .withNewMetadata()
                .withName(LEASE)
                .withNamespace(RELEASE_NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity("readme-operator")
                .withLeaseDurationSeconds(15)
                .endSpec()
                .build())
        .create();
    String node = PLACEHOLDERS.get("NODE");
    admin
        .nodes()
        .resource(
            new NodeBuilder()
                .withMetadata(
                    new ObjectMetaBuilder()
                        .withName(node)
                        .withLabels(Map.of("node-role.example.com/http", "true"))
                        .build())
                .build())
        .create();
    TcpTeardownNode nodeObject = new TcpTeardownNode();
    nodeObject.setMetadata(new ObjectMetaBuilder().withName(node).build());
    nodeObject.setSpec(
        TcpTeardownNodeSpec.of(
            TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, 30),
            Map.of(),
            List.of(),
            List.of()));
    admin.resource(nodeObject).create();
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(new ObjectMetaBuilder().withName(PLACEHOLDERS.get("NAME")).build());
    profile.setSpec(new TcpTeardownProfileSpec(null, null, null, 30, null, null, null, null, null));
    admin.resource(profile).create();
  }

  /**
   * Stands for a chart upgrade whose CRDs changed: Helm never upgrades them, so the README's CRD
   * command has to. The test checks after the walk-through that it did.
   */
  private static void makeStoredCrdsStale() {
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(CRD_PROFILES)
        .edit(
            crd -> {
              crd.getSpec()
                  .getVersions()
                  .getFirst()
                  .getSchema()
                  .getOpenAPIV3Schema()
                  .setDescription("stale");
              return crd;
            });
  }

  private static void run(Command command) throws Exception {
    String text = substitute(command);
    if (command.tool().equals("helm")) {
      runHelm(command, text);
    } else {
      runKubectl(command, text);
    }
    if (text.contains("-f helm/tcp-teardown-operator/crds/") && phase(command) == Phase.USE) {
      CustomResourceDefinition crd =
          admin.apiextensions().v1().customResourceDefinitions().withName(CRD_PROFILES).get();
      assertThat(crd.getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema())
          .as("%s (%s) brings the stored CRD up to date", command.where(), text)
          .extracting(s -> s.getDescription())
          .isNotEqualTo("stale");
    }
  }

  /**
   * The command with each placeholder (all capitals, like NODE: a whole token, or the value after a
   * {@code =} as in {@code spec.nodeName=NODE}) replaced by its object.
   */
  private static String substitute(Command command) {
    List<String> tokens = new ArrayList<>();
    for (String token : command.tokens()) {
      java.util.regex.Matcher placeholder = PLACEHOLDER.matcher(token);
      if (placeholder.matches()) {
        String name = placeholder.group(2);
        assertThat(PLACEHOLDERS)
            .as(
                "%s (%s): placeholder %s needs an object in PLACEHOLDERS",
                command.where(), command.text(), name)
            .containsKey(name);
        String key = placeholder.group(1) == null ? "" : placeholder.group(1);
        tokens.add(key + PLACEHOLDERS.get(name));
      } else {
        tokens.add(token);
      }
    }
    return String.join(" ", tokens);
  }

  private static final java.util.regex.Pattern PLACEHOLDER =
      java.util.regex.Pattern.compile("([^=]*=)?([A-Z][A-Z0-9_]+)");

  private record Ran(boolean ended, int exitValue, String output) {}

  private static void runKubectl(Command command, String text) throws Exception {
    Ran ran = runOnce(text);
    // The API server publishes a new CRD's OpenAPI schema, which kubectl explain reads, some
    // seconds
    // after the CRD is established: the command is run again while the schema is not there yet.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (text.startsWith("kubectl explain")
        && ran.exitValue() != 0
        && ran.output().contains("couldn't find resource")
        && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      ran = runOnce(text);
    }
    assertThat(ran.ended())
        .as("%s: %s did not end within 120 s:\n%s", command.where(), text, ran.output())
        .isTrue();
    System.out.println("$ " + text + "\n" + ran.output());
    assertThat(ran.exitValue())
        .as("%s: %s exited with:\n%s", command.where(), text, ran.output())
        .isZero();
  }

  private static Ran runOnce(String text) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("bash", "-c", text).directory(REPO.toFile()).redirectErrorStream(true);
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("NS", RELEASE_NAMESPACE);
    builder
        .environment()
        .put("PATH", kubectlDir + File.pathSeparator + System.getenv().getOrDefault("PATH", ""));
    // Interactive commands (kubectl edit) meet an editor that saves nothing, and no terminal.
    builder.environment().put("KUBE_EDITOR", "true");
    builder.environment().put("EDITOR", "true");
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Path log = Files.createTempFile("readme-command", ".log");
    log.toFile().deleteOnExit();
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    boolean ended = process.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    String output = Files.readString(log);
    Files.delete(log);
    return new Ran(ended, ended ? process.exitValue() : -1, output);
  }

  /** The helm command's own arguments, given to helm-java's equivalent calls one by one. */
  private static void runHelm(Command command, String text) {
    List<String> args = List.of(text.split(" "));
    String what = command.where() + ": " + text;
    String subcommand = args.get(1);
    System.out.println("$ " + text + " (helm-java)");
    switch (subcommand) {
      case "install" -> {
        InstallCommand install =
            new Helm(REPO.resolve(args.get(3))).install().withName(args.get(2));
        apply(
            args.subList(4, args.size()),
            what,
            Map.of(
                "--namespace", v -> install.withNamespace(v),
                "--set", v -> install.set(key(v, what), value(v))),
            Map.of("--create-namespace", install::createNamespace));
        install.withKubeConfig(kubeconfig).call();
      }
      case "upgrade" -> {
        UpgradeCommand upgrade =
            new Helm(REPO.resolve(args.get(3))).upgrade().withName(args.get(2));
        apply(
            args.subList(4, args.size()),
            what,
            Map.of(
                "--namespace", v -> upgrade.withNamespace(v),
                "--set", v -> upgrade.set(key(v, what), value(v))),
            Map.of("--reuse-values", upgrade::reuseValues, "--install", upgrade::install));
        upgrade.withKubeConfig(kubeconfig).call();
      }
      case "uninstall" -> {
        UninstallCommand uninstall = Helm.uninstall(args.get(2));
        apply(
            args.subList(3, args.size()),
            what,
            Map.of("--namespace", v -> uninstall.withNamespace(v)),
            Map.of());
        uninstall.withKubeConfig(kubeconfig).call();
      }
      default ->
          throw new AssertionError(what + ": helm " + subcommand + " has no helm-java translation");
    }
  }

  private static void apply(
      List<String> flags,
      String what,
      Map<String, Function<String, Object>> withValue,
      Map<String, java.util.function.Supplier<Object>> switches) {
    for (int i = 0; i < flags.size(); i++) {
      String flag = flags.get(i);
      if (withValue.containsKey(flag) && i + 1 < flags.size()) {
        withValue.get(flag).apply(flags.get(++i));
      } else if (switches.containsKey(flag)) {
        switches.get(flag).get();
      } else {
        throw new AssertionError(what + ": no helm-java translation for " + flag);
      }
    }
  }

  private static String key(String assignment, String what) {
    assertThat(assignment)
        .as("%s: one key=value per --set", what)
        .contains("=")
        .doesNotContain(",");
    return assignment.substring(0, assignment.indexOf('='));
  }

  private static String value(String assignment) {
    return assignment.substring(assignment.indexOf('=') + 1);
  }
}
