package io.tcpteardown.cli;

import io.tcpteardown.api.StateCounts;
import java.util.List;

/** The seven counts of a {@link StateCounts} as table columns: one order, one set of headings. */
final class StateColumns {
  private static final List<String> HEADINGS =
      List.of(
          "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE_WAIT", "LAST_ACK", "CLOSING", "ORPHANS");

  private StateColumns() {}

  /** The headings, each left-aligned in its width, separated by one space. */
  static String headings(int stateWidth, int orphansWidth) {
    return row(HEADINGS, stateWidth, orphansWidth);
  }

  /** The counts, in the headings' order and widths. */
  static String counts(StateCounts s, int stateWidth, int orphansWidth) {
    List<Long> counts =
        List.of(
            s.finWait1(),
            s.finWait2(),
            s.timeWait(),
            s.closeWait(),
            s.lastAck(),
            s.closing(),
            s.orphans());
    return row(counts.stream().map(String::valueOf).toList(), stateWidth, orphansWidth);
  }

  private static String row(List<String> cells, int stateWidth, int orphansWidth) {
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      int width = i == cells.size() - 1 ? orphansWidth : stateWidth;
      row.append(i == 0 ? "" : " ").append(String.format("%-" + width + "s", cells.get(i)));
    }
    return row.toString();
  }
}
