package io.tcpteardown.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.agent.sysctl.StateFileRebuild;
import io.tcpteardown.api.TcpTeardownNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "state-file",
    description = "Repairs the agent's node-local state file of original values.",
    subcommands = StateFileCommand.Rebuild.class)
public final class StateFileCommand {

  @Command(
      name = "rebuild",
      description = {
        "Moves an unreadable state file aside as <file>.corrupt-<timestamp> and writes a new one, holding "
            + "<file>.lock meanwhile: from <file>.backup, the copy every save writes first (the node's and the "
            + "pods' originals), or without a readable backup from the originals in the node's TcpTeardownNode "
            + "status.original, which the agent keeps while the file cannot be read (the pods' originals are "
            + "then lost). A readable file with an unreadable pods section gets the backup's. Refuses a "
            + "readable file, and without a backup an empty status.original and values no kernel holds.",
        "Run it in the agent pod, where NODE_NAME and STATE_FILE are set: kubectl -n tcp-teardown exec AGENT-POD -- "
            + "java -Xmx48m -jar /app/tcp-teardown.jar state-file rebuild"
      })
  public static final class Rebuild implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--node-name",
        required = true,
        defaultValue = "${env:NODE_NAME}",
        description =
            "The node, the name of its TcpTeardownNode (env NODE_NAME, set in the agent pod).")
    String nodeName;

    @Option(
        names = "--state-file",
        defaultValue = "${env:STATE_FILE:-/var/lib/tcp-teardown/state.json}",
        description = "The agent's state file (env STATE_FILE, default ${DEFAULT-VALUE}).")
    Path stateFile;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Map<String, String> mirror;
      try (KubernetesClient client = new KubernetesClientBuilder().build()) {
        TcpTeardownNode node = client.resources(TcpTeardownNode.class).withName(nodeName).get();
        if (node == null) {
          err.println(
              "error: there is no TcpTeardownNode "
                  + nodeName
                  + ": check --node-name (the operator names it after the Node)");
          err.flush();
          return ExitCodes.REJECTED;
        }
        mirror =
            node.getStatus() == null || node.getStatus().original() == null
                ? Map.of()
                : node.getStatus().original();
      }
      StateFileRebuild.Rebuilt rebuilt;
      try {
        rebuilt =
            StateFileRebuild.rebuild(
                new StateFile(stateFile), mirror, "TcpTeardownNode " + nodeName, Instant.now());
      } catch (StateFileRebuild.Refused e) {
        err.println("error: " + e.getMessage());
        err.flush();
        return ExitCodes.REJECTED;
      }
      rebuilt.movedAside().ifPresent(p -> out.println("moved the unreadable state file to " + p));
      if (rebuilt.fromBackup().isPresent()) {
        out.println(
            "wrote "
                + stateFile
                + " from the backup "
                + rebuilt.fromBackup().get()
                + ": the node's originals "
                + rebuilt.written().originals()
                + ", the originals of "
                + rebuilt.pods().size()
                + " pods");
      } else {
        out.println(
            "wrote "
                + stateFile
                + " with the originals of TcpTeardownNode "
                + nodeName
                + ": "
                + rebuilt.written().originals());
      }
      rebuilt.notes().forEach(note -> out.println("note: " + note));
      if (!rebuilt.notAdopted().isEmpty()) {
        out.println(
            "not adopted (not managed by this agent version): "
                + String.join(", ", rebuilt.notAdopted()));
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
