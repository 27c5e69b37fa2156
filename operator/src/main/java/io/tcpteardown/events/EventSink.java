package io.tcpteardown.events;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Where Kubernetes Events about an object go. {@link EventRecorder} writes them to the API server;
 * tests record them in memory.
 */
@FunctionalInterface
public interface EventSink {
  void emit(HasMetadata object, String type, String reason, String message);
}
