package io.tcpteardown.operator;

import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.rules.Resolver;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which profiles pass validation, remembered per stored version of each profile (its uid and
 * resourceVersion name one content): resolving thousands of nodes after a profile change would
 * otherwise validate every profile again for every node. A profile without a uid or resourceVersion
 * (never stored) is validated every time.
 */
final class AcceptedProfiles {
  private static final int LIMIT = 10_000;
  private final Map<String, Boolean> accepted = new ConcurrentHashMap<>();

  /** The profiles that contribute to resolution: named, not being deleted, accepted. */
  List<TcpTeardownProfile> of(Collection<TcpTeardownProfile> profiles) {
    return profiles.stream()
        .filter(p -> p != null && p.getMetadata() != null && p.getMetadata().getName() != null)
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(this::accepted)
        .toList();
  }

  private boolean accepted(TcpTeardownProfile profile) {
    String uid = profile.getMetadata().getUid();
    String version = profile.getMetadata().getResourceVersion();
    if (uid == null || version == null) {
      return Resolver.accepted(profile);
    }
    if (accepted.size() > LIMIT) {
      accepted.clear();
    }
    return accepted.computeIfAbsent(uid + "/" + version, k -> Resolver.accepted(profile));
  }
}
