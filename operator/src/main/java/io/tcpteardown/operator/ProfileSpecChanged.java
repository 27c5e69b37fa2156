package io.tcpteardown.operator;

import io.tcpteardown.api.TcpTeardownProfile;

/**
 * Lets a profile update through only when what resolution reads of it may have changed: its spec
 * (the API server raises metadata.generation on every spec change, never on a status write, since
 * the CRD has a status subresource) or its deletion. Every status write of the profile-status
 * controller would otherwise re-resolve every node against every profile.
 */
public final class ProfileSpecChanged extends SpecOrDeletionChanged<TcpTeardownProfile> {}
