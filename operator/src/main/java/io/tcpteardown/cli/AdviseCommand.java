package io.tcpteardown.cli;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.tcpteardown.agent.AdviceBook;
import io.tcpteardown.agent.LocalAdvice;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.rules.advice.AdviceProfiles;
import io.tcpteardown.rules.advice.AdviceYaml;
import io.tcpteardown.rules.advice.NodeAdvice;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "advise",
    description = {
      "Reads the advice of every TcpTeardownNode (status.advice) and prints profiles that act on it,"
          + " ready to apply: one per scope, field and suggested value, selecting exactly the nodes"
          + " (kubernetes.io/hostname In [...]) and, for pods, their namespaces and labels (spec.pods),"
          + " with the evidence in comments. Each is checked by the validation path of validate."
          + " Writes nothing to the cluster.",
      "Uses the current kubeconfig context (in a pod, its service account): needs get and list of"
          + " tcpteardownnodes, tcpteardownprofiles, nodes and pods.",
      "Exit 0 when the profiles were printed (or there is nothing to advise; advice that cannot be"
          + " read or names a pod that is gone is noted in comments), 1 when a profile made from the"
          + " advice is refused by the validation path or --for-profile names no profile, 2 when the"
          + " cluster cannot be read or on a usage error."
    })
public final class AdviseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--for-profile",
      paramLabel = "NAME",
      description =
          "Print the edit to this existing profile instead: the whole profile with the advised fields"
              + " changed, for the advice about the nodes it selects (and their pods when it has"
              + " spec.pods), except fields another profile sets there.")
  String forProfile;

  @Option(
      names = "--local",
      description =
          "Advise on this machine's network namespace instead of reading the cluster: the agent's own"
              + " look (as node-report takes it) taken 3 times, --every apart, as advice must hold;"
              + " the node's fields only (pods' advice needs the agent). Needs root for netlink.")
  boolean local;

  @Option(
      names = "--every",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "With --local: the pause between looks (default ${DEFAULT-VALUE}).")
  java.time.Duration every;

  @Option(
      names = "--node-name",
      paramLabel = "NAME",
      description =
          "With --local: the node's name, which the profile's nodeSelector names (default: the"
              + " machine's hostname, the kubelet's default node name).")
  String nodeName;

  @Mixin ProcRootOption proc;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (local) {
      return local(out, err);
    }
    AdviceProfiles.Result result;
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      Map<String, Map<String, String>> nodeLabels = new HashMap<>();
      for (Node node : client.nodes().list().getItems()) {
        nodeLabels.put(node.getMetadata().getName(), node.getMetadata().getLabels());
      }
      List<NodeAdvice> advice =
          client.resources(TcpTeardownNode.class).list().getItems().stream()
              .map(
                  n ->
                      new NodeAdvice(
                          n.getMetadata().getName(),
                          nodeLabels.get(n.getMetadata().getName()),
                          n.getStatus() == null ? List.of() : n.getStatus().advice()))
              .toList();
      if (forProfile != null) {
        TcpTeardownProfile profile =
            client.resources(TcpTeardownProfile.class).withName(forProfile).get();
        if (profile == null || profile.getSpec() == null) {
          err.println(
              "error: --for-profile "
                  + forProfile
                  + ": there is no TcpTeardownProfile of that name; kubectl get ttp lists them");
          err.flush();
          return ExitCodes.REJECTED;
        }
        result = AdviceProfiles.forProfile(profile, advice);
      } else {
        Map<String, Integer> priorities = new TreeMap<>();
        client
            .resources(TcpTeardownProfile.class)
            .list()
            .getItems()
            .forEach(
                p ->
                    priorities.put(
                        p.getMetadata().getName(),
                        p.getSpec() == null ? 0 : p.getSpec().effectivePriority()));
        result = AdviceProfiles.advise(advice, podLabels(client, advice), priorities);
      }
    }
    return print(out, result);
  }

  /** The profiles and notes; refused when the validation path refused some advice. */
  private static int print(PrintWriter out, AdviceProfiles.Result result) {
    out.print(AdviceYaml.render(result));
    out.flush();
    return result.refused() ? ExitCodes.REJECTED : ExitCodes.OK;
  }

  /** Advice on this machine's namespace, through the agent's code, as profiles. */
  private int local(PrintWriter out, PrintWriter err) {
    if (forProfile != null) {
      err.println(
          "error: --local and --for-profile: --for-profile reads the profile from the cluster");
      err.flush();
      return ExitCodes.UNREADABLE;
    }
    String node;
    AdviceBook.Shown shown;
    try {
      node = nodeName != null ? nodeName : hostname(proc.procRoot);
      shown = LocalAdvice.take(proc.procRoot, every, Clock.systemUTC());
    } catch (IOException e) {
      err.println("error: " + SafeText.of(e.getMessage(), 512));
      err.flush();
      return ExitCodes.UNREADABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.UNREADABLE;
    }
    AdviceProfiles.Result result =
        AdviceProfiles.advise(
            List.of(
                new NodeAdvice(node, Map.of(AdviceProfiles.HOSTNAME_LABEL, node), shown.entries())),
            (namespace, pod) -> Optional.empty(),
            Map.of());
    return print(out, result);
  }

  private static String hostname(java.nio.file.Path procRoot) throws IOException {
    String name = java.nio.file.Files.readString(procRoot.resolve("sys/kernel/hostname")).strip();
    if (name.isEmpty() || name.length() > 253) {
      throw new IOException(
          "the hostname in "
              + procRoot
              + "/sys/kernel/hostname is not a node name: use --node-name");
    }
    return name;
  }

  /** The labels of the pods the advice names: one list of pods per namespace named. */
  private static AdviceProfiles.PodLabels podLabels(
      KubernetesClient client, List<NodeAdvice> advice) {
    Map<String, Map<String, Map<String, String>>> byNamespace = new HashMap<>();
    advice.stream()
        .flatMap(n -> n.advice().stream())
        .filter(e -> AdviceEntry.SCOPE_POD.equals(e.scope()) && e.namespace() != null)
        .map(AdviceEntry::namespace)
        .distinct()
        .forEach(
            namespace -> {
              Map<String, Map<String, String>> pods = new HashMap<>();
              for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
                Map<String, String> labels = pod.getMetadata().getLabels();
                pods.put(pod.getMetadata().getName(), labels == null ? Map.of() : labels);
              }
              byNamespace.put(namespace, pods);
            });
    return (namespace, pod) ->
        Optional.ofNullable(byNamespace.getOrDefault(namespace, Map.of()).get(pod));
  }
}
