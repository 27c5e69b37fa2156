package io.tcpteardown.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tcpteardown.agent.NodeObserver;
import io.tcpteardown.agent.NodeReport;
import io.tcpteardown.agent.NodeWarnings;
import io.tcpteardown.agent.pods.NamespaceCounter;
import io.tcpteardown.agent.pods.NamespaceScanner;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "node-report",
    description = {
      "Prints this machine's six teardown sysctls with their scope, the sockets in each teardown state, the kernel's "
          + "teardown-trouble counters and warnings. Reads only; needs no cluster.",
      "Covers the network namespace it runs in (sockets, and all sysctls but the node-wide tcp_max_orphans)."
    })
public final class NodeReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print stable JSON instead of a table.")
  boolean json;

  @Option(
      names = "--pods",
      description =
          "Also count every other network namespace of this machine (each pod's, entered with "
              + "setns; needs root), named by the pod UID in its cgroup path, or else by the "
              + "namespace inode and a process.")
  boolean pods;

  @Mixin ProcRootOption proc;

  @Override
  public Integer call() throws Exception {
    NodeReport report;
    try (NodeObserver observer = new NodeObserver(proc.procRoot)) {
      report = NodeReport.of(observer.observe());
    }
    List<OtherNamespacesReport.Entry> namespaces = List.of();
    if (pods) {
      try (NamespaceCounter sweeper = new NamespaceCounter(proc.procRoot, Clock.systemUTC())) {
        namespaces = OtherNamespacesReport.of(sweeper.sweep(), new NamespaceScanner(proc.procRoot));
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    if (json && pods) {
      out.println(mapper.writeValueAsString(new OtherNamespacesReport(report, namespaces)));
    } else if (json) {
      out.println(mapper.writeValueAsString(report));
    } else {
      printTable(out, report);
      if (pods) {
        OtherNamespacesReport.printTable(out, namespaces);
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static void printTable(PrintWriter out, NodeReport report) {
    out.printf("%-30s %-21s %-18s%n", "SYSCTL", "VALUE", "SCOPE");
    for (NodeReport.SysctlReading sysctl : report.sysctls()) {
      out.printf(
          "%-30s %-21s %-18s%n",
          sysctl.name(), sysctl.value() == null ? "(absent)" : sysctl.setting(), sysctl.scope());
    }
    out.println();
    out.println(StateColumns.headings(12, 12));
    out.println(StateColumns.counts(report.states(), 12, 12));
    out.println();
    out.printf(
        "TCPTimeWaitOverflow %d, TCPAbortOnMemory %d (counted by %s)%n",
        report.counters().timeWaitOverflow(),
        report.counters().abortOnMemory(),
        report.countMethod());
    for (NodeWarnings.Warning warning : report.warnings()) {
      out.println("warning: " + warning.message());
    }
  }
}
