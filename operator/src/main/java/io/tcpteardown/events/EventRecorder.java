package io.tcpteardown.events;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about this project's cluster-scoped objects. Events about cluster-scoped
 * objects live in one namespace ({@value #EVENTS_NAMESPACE}, where kubectl describe looks for
 * them); a failure to record one is logged, never fatal.
 */
public final class EventRecorder implements EventSink {
  public static final String EVENTS_NAMESPACE = "default";
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1000;

  private final KubernetesClient client;
  private final String component;
  private final String host;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, String component, String host, Clock clock) {
    this.client = client;
    this.component = component;
    this.host = host;
    this.clock = clock;
  }

  @Override
  public void emit(HasMetadata object, String type, String reason, String message) {
    String now = clock.instant().toString();
    String name = object.getMetadata().getName();
    try {
      client
          .v1()
          .events()
          .inNamespace(EVENTS_NAMESPACE)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(name + "." + UUID.randomUUID().toString().substring(0, 8))
                  .withNamespace(EVENTS_NAMESPACE)
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion(object.getApiVersion())
                          .withKind(object.getKind())
                          .withName(name)
                          .withUid(object.getMetadata().getUid())
                          .build())
                  .withType(type)
                  .withReason(reason)
                  .withMessage(
                      message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .withNewSource(component, host)
                  .withReportingComponent(component)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not record event {} on {} {}: {}", reason, object.getKind(), name, e.getMessage());
    }
  }
}
