package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.events.EventRecorder;
import io.tcpteardown.events.EventSink;
import java.util.List;

/**
 * Kubernetes Events on a profile when it is rejected or starts to conflict: once per transition.
 */
public final class ProfileEvents {
  private final EventSink recorder;

  public ProfileEvents(EventSink recorder) {
    this.recorder = recorder;
  }

  public void onStatusChange(
      TcpTeardownProfile profile,
      TcpTeardownProfileStatus previous,
      TcpTeardownProfileStatus next) {
    List<Condition> before =
        previous == null || previous.conditions() == null ? List.of() : previous.conditions();
    List<Condition> after = next.conditions();
    if (Conditions.turned(before, after, ProfileConditions.ACCEPTED, Conditions.FALSE)) {
      emit(profile, ProfileConditions.EVENT_REJECTED, message(after, ProfileConditions.ACCEPTED));
    }
    if (Conditions.turned(before, after, ProfileConditions.CONFLICT, Conditions.TRUE)) {
      emit(profile, ProfileConditions.EVENT_CONFLICT, message(after, ProfileConditions.CONFLICT));
    }
  }

  private static String message(List<Condition> conditions, String type) {
    return Conditions.find(conditions, type).map(Condition::getMessage).orElse("");
  }

  private void emit(TcpTeardownProfile profile, String reason, String message) {
    recorder.emit(profile, EventRecorder.WARNING, reason, message);
  }
}
