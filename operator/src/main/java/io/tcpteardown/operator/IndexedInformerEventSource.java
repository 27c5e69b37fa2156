package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * An informer event source that hands every add, update and delete to an index before the event
 * goes on to trigger reconciliations (filters apply to the reconciliations only, not to the index),
 * so that a reconciliation always finds the index at least as new as the event that triggered it.
 * The informer's own re-lists arrive here as the same three calls. {@code upsert} gets the stored
 * copy before the event (null for an add) and the object of the event.
 */
final class IndexedInformerEventSource<R extends HasMetadata, P extends HasMetadata>
    extends InformerEventSource<R, P> {
  private final BiConsumer<R, R> upsert;
  private final Consumer<R> remove;

  IndexedInformerEventSource(
      InformerEventSourceConfiguration<R> configuration,
      EventSourceContext<P> context,
      BiConsumer<R, R> upsert,
      Consumer<R> remove) {
    super(configuration, context);
    this.upsert = upsert;
    this.remove = remove;
  }

  @Override
  public void onAdd(R resource) {
    upsert.accept(null, resource);
    super.onAdd(resource);
  }

  @Override
  public void onUpdate(R previous, R resource) {
    upsert.accept(previous, resource);
    super.onUpdate(previous, resource);
  }

  @Override
  public void onDelete(R resource, boolean finalStateUnknown) {
    remove.accept(resource);
    super.onDelete(resource, finalStateUnknown);
  }
}
