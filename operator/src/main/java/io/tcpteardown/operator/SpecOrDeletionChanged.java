package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

/**
 * Lets an update through only when the object's spec may have changed (the API server raises
 * metadata.generation on spec changes only, for resources with a status subresource) or its
 * deletion began; an object without a generation always passes.
 */
abstract class SpecOrDeletionChanged<R extends HasMetadata> implements OnUpdateFilter<R> {
  @Override
  public boolean accept(R next, R previous) {
    if (previous == null || previous.getMetadata() == null || next.getMetadata() == null) {
      return true;
    }
    Long before = previous.getMetadata().getGeneration();
    Long after = next.getMetadata().getGeneration();
    return before == null
        || after == null
        || !Objects.equals(before, after)
        || !Objects.equals(
            previous.getMetadata().getDeletionTimestamp(),
            next.getMetadata().getDeletionTimestamp());
  }
}
