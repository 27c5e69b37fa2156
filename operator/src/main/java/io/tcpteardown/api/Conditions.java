package io.tcpteardown.api;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** metav1.Condition handling: lastTransitionTime is kept unless the status changes. */
public final class Conditions {
  public static final String TRUE = "True";
  public static final String FALSE = "False";

  /**
   * The longest condition message this project writes, in characters of printable ASCII (at most
   * 4,096 bytes of JSON); metav1.Condition allows 32,768.
   */
  public static final int MAX_MESSAGE = 2048;

  private Conditions() {}

  /**
   * A condition; its message made printable ASCII and cut at {@value #MAX_MESSAGE} characters
   * ({@link SafeText}), since messages name pods and processes that tenants choose.
   */
  public static Condition of(
      String type, boolean status, String reason, String message, Long generation) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status ? TRUE : FALSE)
        .withReason(reason)
        .withMessage(SafeText.of(message, MAX_MESSAGE))
        .withObservedGeneration(generation)
        .build();
  }

  /**
   * The next conditions, each carrying the previous lastTransitionTime when its status did not
   * change, or {@code now} when it did (or is new). {@code previous} is read from the API server
   * and may hold anything it admitted: a null list, null items, items without type, status or time.
   */
  public static List<Condition> carryTransitionTimes(
      List<Condition> previous, List<Condition> next, Instant now) {
    List<Condition> result = new ArrayList<>(next.size());
    String timestamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (Condition condition : next) {
      Optional<Condition> before = find(previous, condition.getType());
      String transition =
          before
              .filter(b -> condition.getStatus().equals(b.getStatus()))
              .map(Condition::getLastTransitionTime)
              .orElse(timestamp);
      result.add(new ConditionBuilder(condition).withLastTransitionTime(transition).build());
    }
    return result;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> c != null && type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  /** True when the condition of this type turned to {@code status} between the two lists. */
  public static boolean turned(
      List<Condition> previous, List<Condition> next, String type, String status) {
    String before = find(previous, type).map(Condition::getStatus).orElse(null);
    String after = find(next, type).map(Condition::getStatus).orElse(null);
    return status.equals(after) && !status.equals(before);
  }
}
