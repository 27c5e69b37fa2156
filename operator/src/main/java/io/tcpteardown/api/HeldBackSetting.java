package io.tcpteardown.api;

import io.fabric8.generator.annotation.Size;

/**
 * A setting that a profile asks for but the operator does not give to a node, with the reason.
 * Bounded: a field name, a profile's name (at most 253 characters, as Kubernetes names), a reason
 * of at most {@value #MAX_REASON} characters.
 */
public record HeldBackSetting(
    @Size(max = HeldBackSetting.MAX_FIELD) String field,
    @Size(max = HeldBackSetting.MAX_PROFILE) String profile,
    @Size(max = HeldBackSetting.MAX_REASON) String reason) {
  public static final int MAX_FIELD = 64;
  public static final int MAX_PROFILE = 253;
  public static final int MAX_REASON = 512;
}
