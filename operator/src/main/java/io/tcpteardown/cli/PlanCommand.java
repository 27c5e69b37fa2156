package io.tcpteardown.cli;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.agent.NodeReport;
import io.tcpteardown.agent.sysctl.MemInfo;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.HeldBackSetting;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.rules.NodeResolution;
import io.tcpteardown.rules.Resolver;
import io.tcpteardown.rules.Violation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "plan",
    description = {
      "Shows what the given profiles would change on this machine, field by field (current -> desired, or held "
          + "back and why), resolving them as the operator would for a node with the given labels. Writes nothing.",
      "Exit 0 when every profile is valid, 1 when any is rejected, 2 on unreadable input or a usage error."
    })
public final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description =
          "A profile YAML file (one or more documents), a directory of them, or - for standard "
              + "input; repeat for more. Documents of other kinds are skipped.")
  List<Path> files;

  @Option(
      names = "--node-labels",
      split = ",",
      paramLabel = "KEY=VALUE",
      description = "This node's labels, for the profiles' nodeSelector (default: no labels).")
  Map<String, String> nodeLabels = new LinkedHashMap<>();

  @Mixin ProcRootOption proc;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<ProfileFiles.CheckedProfile> checked;
    try {
      checked = ProfileFiles.readAll(files, System.in).profiles();
    } catch (UncheckedIOException e) {
      err.println("error: " + e.getCause().getMessage());
      return ExitCodes.UNREADABLE;
    }
    boolean rejected = false;
    List<TcpTeardownProfile> accepted = new ArrayList<>();
    for (ProfileFiles.CheckedProfile profile : checked) {
      if (profile.accepted()) {
        accepted.add(toProfile(profile));
      } else {
        rejected = true;
        out.println(profile.label() + ": rejected, contributes nothing");
        profile.violations().stream().map(Violation::message).forEach(m -> out.println("  - " + m));
      }
    }
    NodeFacts node = new NodeFacts("this-machine", null, nodeLabels, memoryBytes());
    NodeResolution resolution = Resolver.resolve(node, accepted);
    printPlan(out, resolution);
    out.flush();
    return rejected ? ExitCodes.REJECTED : ExitCodes.OK;
  }

  private void printPlan(PrintWriter out, NodeResolution resolution) throws IOException {
    out.println(
        resolution.profiles().isEmpty()
            ? "No valid profile selects a node with labels " + nodeLabels
            : "Profiles selecting this node: " + String.join(", ", resolution.profiles()));
    out.printf(
        "%-18s %-28s %-18s %-21s %-21s %s%n",
        "FIELD", "SYSCTL", "SCOPE", "CURRENT", "DESIRED", "ACTION");
    SysctlFiles sysctls = new SysctlFiles(proc.procRoot);
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      OptionalLong current = sysctls.read(sysctl);
      Long desired = resolution.settings().sysctlValue(sysctl);
      String action = action(sysctl, current, desired, resolution);
      out.printf(
          "%-18s %-28s %-18s %-21s %-21s %s%n",
          sysctl.field(),
          sysctl.key(),
          NodeReport.scopeName(sysctl),
          current.isPresent() ? sysctl.displayValue(current.getAsLong()) : "(absent)",
          desired == null ? "-" : sysctl.displayValue(desired),
          action);
    }
    for (NodeResolution.FieldConflict conflict : resolution.conflicts()) {
      out.println(
          "conflict: "
              + conflict.field()
              + " is set differently by "
              + conflict.winner()
              + " and "
              + conflict.loser()
              + " at the same priority; "
              + conflict.winner()
              + " wins because its name sorts first");
    }
  }

  private static String action(
      ManagedSysctl sysctl, OptionalLong current, Long desired, NodeResolution resolution) {
    List<HeldBackSetting> heldBack =
        resolution.heldBack().stream().filter(h -> h.field().equals(sysctl.field())).toList();
    if (desired == null) {
      return heldBack.isEmpty() ? "leave alone" : "held back: " + heldBack.getFirst().reason();
    }
    String source = " (from " + resolution.sources().get(sysctl.field()) + ")";
    if (current.isEmpty()) {
      return "cannot apply: "
          + sysctl.key()
          + " does not exist in this network namespace"
          + switch (sysctl.scope()) {
            case NODE -> " (it is node-wide: only the host namespace has it)";
            case NAMESPACES_CREATED_LATER -> " (it needs Linux 6.1 or later)";
            case NETWORK_NAMESPACE -> "";
          }
          + source;
    }
    return (current.getAsLong() == desired ? "unchanged" : "change") + source;
  }

  private static TcpTeardownProfile toProfile(ProfileFiles.CheckedProfile checked) {
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(new ObjectMetaBuilder().withName(checked.name()).build());
    profile.setSpec(checked.spec());
    return profile;
  }

  /** MemTotal from meminfo, for the orphan-memory rule; null when unknown. */
  private Long memoryBytes() {
    return MemInfo.memTotalBytes(proc.procRoot).orElse(null);
  }
}
