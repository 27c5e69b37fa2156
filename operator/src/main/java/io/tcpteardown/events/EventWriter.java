package io.tcpteardown.events;

import io.fabric8.kubernetes.api.model.Event;

/** Where the recorder's Events go: the API server in production, a fake in unit tests. */
interface EventWriter {
  /** Creates the Event. */
  void create(Event event);

  /**
   * Raises the count of an Event created before; false when it no longer exists (Events expire, one
   * hour by default), so that the recorder creates it anew.
   */
  boolean patchCount(String namespace, String name, int count, String lastTimestamp);
}
