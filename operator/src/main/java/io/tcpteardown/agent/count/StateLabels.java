package io.tcpteardown.agent.count;

import io.tcpteardown.api.StateCounts;
import java.util.List;
import java.util.function.ToLongFunction;

/** The six teardown states as the {@code state} label of the node's and the pods' metrics. */
public final class StateLabels {
  /** One state: its label value and its count. */
  public record Label(String value, ToLongFunction<StateCounts> count) {}

  public static final List<Label> ALL =
      List.of(
          new Label("fin_wait1", StateCounts::finWait1),
          new Label("fin_wait2", StateCounts::finWait2),
          new Label("time_wait", StateCounts::timeWait),
          new Label("close_wait", StateCounts::closeWait),
          new Label("last_ack", StateCounts::lastAck),
          new Label("closing", StateCounts::closing));

  private StateLabels() {}
}
