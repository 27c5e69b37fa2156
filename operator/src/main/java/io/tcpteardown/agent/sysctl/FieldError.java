package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;

/**
 * Why one sysctl could not be made to match; the message names the sysctl, the value and what to
 * do.
 */
public record FieldError(ManagedSysctl sysctl, Reason reason, String message) {
  public enum Reason {
    /** The file does not exist on this kernel or in this network namespace. */
    MISSING,
    /** The kernel refused the write: not privileged, or /proc/sys read-only. */
    NOT_WRITABLE,
    /** Written, but the value read back differs. */
    READ_BACK_MISMATCH,
    /** Any other I/O failure. */
    IO
  }
}
