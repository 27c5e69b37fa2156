package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on a profile when it is rejected or starts to conflict: once per transition. */
public final class ProfileEvents {
  private static final Logger LOG = LoggerFactory.getLogger(ProfileEvents.class);
  private static final String COMPONENT = "tcp-teardown-operator";

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;

  /** @param namespace where Events about cluster-scoped profiles are written (the operator's own) */
  public ProfileEvents(KubernetesClient client, String namespace, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
  }

  public void onStatusChange(TcpTeardownProfile profile, TcpTeardownProfileStatus previous,
      TcpTeardownProfileStatus next) {
    List<Condition> before = previous == null || previous.conditions() == null ? List.of() : previous.conditions();
    List<Condition> after = next.conditions();
    if (Conditions.turned(before, after, ProfileStatusCalculator.ACCEPTED, Conditions.FALSE)) {
      emit(profile, "Rejected", message(after, ProfileStatusCalculator.ACCEPTED));
    }
    if (Conditions.turned(before, after, ProfileStatusCalculator.CONFLICT, Conditions.TRUE)) {
      emit(profile, "Conflict", message(after, ProfileStatusCalculator.CONFLICT));
    }
  }

  private static String message(List<Condition> conditions, String type) {
    return Conditions.find(conditions, type).map(Condition::getMessage).orElse("");
  }

  private void emit(TcpTeardownProfile profile, String reason, String message) {
    String now = clock.instant().toString();
    try {
      client.v1().events().inNamespace(namespace).resource(new EventBuilder()
          .withNewMetadata()
          .withName(profile.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
          .withNamespace(namespace)
          .endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder()
              .withApiVersion(profile.getApiVersion())
              .withKind(profile.getKind())
              .withName(profile.getMetadata().getName())
              .withUid(profile.getMetadata().getUid())
              .build())
          .withType("Warning")
          .withReason(reason)
          .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
          .withFirstTimestamp(now)
          .withLastTimestamp(now)
          .withCount(1)
          .withNewSource(COMPONENT, null)
          .withReportingComponent(COMPONENT)
          .build()).create();
    } catch (KubernetesClientException e) {
      LOG.warn("could not record event {} on profile {}: {}", reason, profile.getMetadata().getName(),
          e.getMessage());
    }
  }
}
