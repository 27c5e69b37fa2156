package io.tcpteardown.operator;

import static io.tcpteardown.api.ProfileConditions.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.events.EventRecorder;
import io.tcpteardown.events.EventSink;
import io.tcpteardown.tier.UnitTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events on a profile only when it turns rejected or starts to conflict, never on every pass. */
@UnitTest
class ProfileEventsTest {
  record Emitted(HasMetadata object, String type, String reason, String message) {}

  private final List<Emitted> emitted = new ArrayList<>();
  private final EventSink sink = (o, t, r, m) -> emitted.add(new Emitted(o, t, r, m));
  private final ProfileEvents events = new ProfileEvents(sink);
  private final TcpTeardownProfile profile = profile();

  private static TcpTeardownProfile profile() {
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(new ObjectMetaBuilder().withName("web").withUid("u-1").build());
    return profile;
  }

  private static TcpTeardownProfileStatus status(
      boolean accepted, String acceptedMessage, boolean conflict, boolean applied) {
    List<Condition> conditions =
        List.of(
            Conditions.of(ACCEPTED, accepted, "R", acceptedMessage, 1L),
            Conditions.of(APPLIED, applied, "R", "applied " + applied, 1L),
            Conditions.of(CONFLICT, conflict, "R", "conflict with alpha", 1L));
    return new TcpTeardownProfileStatus(1L, conditions, 1, applied ? 1 : 0, null, List.of(), null);
  }

  /** Feeds statuses one after the other, as successive reconciliations would. */
  private void pass(TcpTeardownProfileStatus... statuses) {
    TcpTeardownProfileStatus previous = null;
    for (TcpTeardownProfileStatus next : statuses) {
      events.onStatusChange(profile, previous, next);
      previous = next;
    }
  }

  @Test
  void aProfileRejectedFromItsFirstStatusGetsOneWarningWithTheRuleMessage() {
    TcpTeardownProfileStatus rejected = status(false, "twRecycle: true is rejected", false, false);
    pass(rejected, rejected, rejected);
    assertThat(emitted)
        .containsExactly(
            new Emitted(
                profile, EventRecorder.WARNING, EVENT_REJECTED, "twRecycle: true is rejected"));
  }

  @Test
  void rejectedAgainAfterBeingAcceptedIsANewEvent() {
    pass(
        status(true, "ok", false, true),
        status(false, "first", false, false),
        status(false, "first", false, false),
        status(true, "ok", false, true),
        status(false, "second", false, false));
    assertThat(emitted).extracting(Emitted::reason).containsExactly(EVENT_REJECTED, EVENT_REJECTED);
    assertThat(emitted).extracting(Emitted::message).containsExactly("first", "second");
  }

  @Test
  void aConflictIsReportedWhenItStartsNotWhileItLasts() {
    pass(
        status(true, "ok", false, true),
        status(true, "ok", true, true),
        status(true, "ok", true, false),
        status(true, "ok", true, true),
        status(true, "ok", false, true),
        status(true, "ok", true, true));
    assertThat(emitted)
        .extracting(Emitted::type, Emitted::reason, Emitted::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                EventRecorder.WARNING, EVENT_CONFLICT, "conflict with alpha"),
            org.assertj.core.groups.Tuple.tuple(
                EventRecorder.WARNING, EVENT_CONFLICT, "conflict with alpha"));
  }

  @Test
  void anAcceptedProfileWithoutConflictRaisesNothingWhateverElseChanges() {
    pass(
        status(true, "ok", false, false),
        status(true, "ok", false, true),
        status(true, "still ok", false, false));
    assertThat(emitted).isEmpty();
  }
}
