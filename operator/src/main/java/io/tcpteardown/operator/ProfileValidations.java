package io.tcpteardown.operator;

import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.rules.ProfileValidation;
import io.tcpteardown.rules.Violation;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's one cache of validation results, remembered per spec value (validation reads the
 * spec only): resolving thousands of nodes after a profile change would otherwise validate every
 * profile again for every node, and a status write, which changes the profile's resourceVersion but
 * not its spec, needs no validation. Shared by the node-settings dependent and the profile-status
 * index; thread-safe.
 */
public final class ProfileValidations {
  /** Specs remembered at most; the cache starts over beyond. */
  private static final int LIMIT = 10_000;

  private final Map<TcpTeardownProfileSpec, List<Violation>> known = new ConcurrentHashMap<>();

  /** {@link ProfileValidation#validate}, remembered per spec. */
  public List<Violation> of(TcpTeardownProfile profile) {
    if (profile == null || profile.getSpec() == null) {
      return ProfileValidation.validate(profile);
    }
    if (known.size() > LIMIT) {
      known.clear();
    }
    return known.computeIfAbsent(profile.getSpec(), spec -> ProfileValidation.validate(profile));
  }

  /** The profiles that contribute to resolution: named, not being deleted, accepted. */
  public List<TcpTeardownProfile> accepted(Collection<TcpTeardownProfile> profiles) {
    return profiles.stream()
        .filter(p -> p != null && p.getMetadata() != null && p.getMetadata().getName() != null)
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> of(p).isEmpty())
        .toList();
  }
}
