package io.tcpteardown.testsupport;

import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;

/** A fluent way to write profile specs in tests. */
public final class Specs {
  private Integer priority;
  private Integer orphanRetries;
  private Integer finTimeoutSeconds;
  private Integer maxOrphans;
  private Integer maxTwBuckets;
  private TwReuse twReuse;
  private Timestamps timestamps;
  private Boolean twRecycle;
  private io.tcpteardown.api.ProfilePods pods;
  private Integer childEhashEntries;

  public static Specs spec() {
    return new Specs();
  }

  public Specs priority(int value) {
    priority = value;
    return this;
  }

  public Specs orphanRetries(int value) {
    orphanRetries = value;
    return this;
  }

  public Specs finTimeoutSeconds(int value) {
    finTimeoutSeconds = value;
    return this;
  }

  public Specs maxOrphans(int value) {
    maxOrphans = value;
    return this;
  }

  public Specs maxTwBuckets(int value) {
    maxTwBuckets = value;
    return this;
  }

  public Specs twReuse(TwReuse value) {
    twReuse = value;
    return this;
  }

  public Specs timestamps(Timestamps value) {
    timestamps = value;
    return this;
  }

  public Specs twRecycle(boolean value) {
    twRecycle = value;
    return this;
  }

  public Specs pods(io.tcpteardown.api.ProfilePods value) {
    pods = value;
    return this;
  }

  public Specs childEhashEntries(int value) {
    childEhashEntries = value;
    return this;
  }

  public TcpTeardownProfileSpec build() {
    return new TcpTeardownProfileSpec(
        null,
        priority,
        orphanRetries,
        finTimeoutSeconds,
        maxOrphans,
        maxTwBuckets,
        twReuse,
        timestamps,
        twRecycle,
        pods,
        childEhashEntries);
  }

  /** The spec with this node selector instead of its own. */
  public static TcpTeardownProfileSpec selecting(
      io.tcpteardown.api.NodeSelector selector, TcpTeardownProfileSpec spec) {
    return new TcpTeardownProfileSpec(
        selector,
        spec.priority(),
        spec.orphanRetries(),
        spec.finTimeoutSeconds(),
        spec.maxOrphans(),
        spec.maxTwBuckets(),
        spec.twReuse(),
        spec.timestamps(),
        spec.twRecycle(),
        spec.pods(),
        spec.childEhashEntries());
  }
}
