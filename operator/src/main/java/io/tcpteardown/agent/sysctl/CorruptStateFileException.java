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
            + "\"Troubleshooting\"), which moves the bad file aside and restores "
            + path.getFileName()
            + ".backup, the copy every save writes first (the pods' originals too), or without one "
            + "status.original",
        cause);
  }

  private CorruptStateFileException(String message) {
    super(message, null);
  }

  /**
   * The pods section is damaged: writes in pods stop, the node's own section is still used (so the
   * rebuild command, which refuses a readable file, is not the way out).
   */
  public static CorruptStateFileException inPods(Path path, String problem) {
    return new CorruptStateFileException(
        "state file "
            + path
            + " "
            + problem
            + ": the agent writes no sysctl in pods until it is repaired, because the section holds"
            + " the pods' original values (the node's own values are still managed). Run `java"
            + " -Xmx48m -jar /app/tcp-teardown.jar state-file rebuild` in the agent pod (kubectl"
            + " exec): it keeps the node's section and takes the pods section from "
            + path.getFileName()
            + ".backup, which is not overwritten while the section is damaged");
  }
}
