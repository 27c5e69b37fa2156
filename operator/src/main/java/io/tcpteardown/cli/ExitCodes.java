package io.tcpteardown.cli;

/** Exit codes shared by the offline commands. */
final class ExitCodes {
  static final int OK = 0;
  static final int REJECTED = 1;
  static final int UNREADABLE = 2;

  private ExitCodes() {}
}
