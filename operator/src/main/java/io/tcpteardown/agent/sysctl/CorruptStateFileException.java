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
            + ": the agent writes no sysctl until it is repaired, because it "
            + "holds the node's original values. Inspect it; if the originals in it are lost, move it aside (the "
            + "agent then records the current values as originals)",
        cause);
  }
}
