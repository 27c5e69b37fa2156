package io.tcpteardown.agent.sysctl;

import java.nio.file.Path;

/** The state file exists but cannot be read as one; it is never silently replaced. */
public final class CorruptStateFileException extends Exception {
  public CorruptStateFileException(Path path, String problem, Throwable cause) {
    super(
        "state file "
            + path
            + " "
            + problem
            + ": the agent writes no sysctl until it is repaired, because it holds the node's original values "
            + "(status.original keeps the last good copy). Rebuild it from status.original with "
            + "`java -Xmx48m -jar /app/tcp-teardown.jar state-file rebuild` in the agent pod (kubectl exec; README "
            + "\"Troubleshooting\"), which moves the bad file aside",
        cause);
  }
}
