package io.tcpteardown.operator;

import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.tcpteardown.api.TcpTeardownProfile;
import java.util.Objects;

/**
 * Lets a profile update through only when what resolution reads of it may have changed: its spec
 * (the API server raises metadata.generation on every spec change, never on a status write, since
 * the CRD has a status subresource) or its deletion. Every status write of the profile-status
 * controller would otherwise re-resolve every node against every profile.
 */
public final class ProfileSpecChanged implements OnUpdateFilter<TcpTeardownProfile> {
  @Override
  public boolean accept(TcpTeardownProfile next, TcpTeardownProfile previous) {
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
