package io.tcpteardown.operator;

import io.tcpteardown.api.TcpTeardownNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each TcpTeardownNode's agent last reported ({@code status.lastReportTime}, or the object's
 * creation while its agent never reported), so that a node whose agent died is still seen after its
 * own series are gone. One entry per TcpTeardownNode: bounded by the nodes of the cluster.
 */
public final class AgentReports implements AgentSilence {
  private final Map<String, Instant> lastHeard = new ConcurrentHashMap<>();
  private final Duration limit;

  /**
   * @param limit how long an agent may be silent before it counts as not reporting
   */
  public AgentReports(Duration limit) {
    this.limit = limit;
  }

  @Override
  public boolean silent(String node, Instant now) {
    Instant heard = lastHeard.get(node);
    return heard != null && Duration.between(heard, now).compareTo(limit) > 0;
  }

  /** The nodes silent past the limit now, with how long each has been silent. */
  public SortedMap<String, Duration> silent(Instant now) {
    return silentLongerThan(limit, now);
  }

  void seen(TcpTeardownNode object) {
    Instant heard =
        parse(object.getStatus() == null ? null : object.getStatus().lastReportTime())
            .orElse(parse(object.getMetadata().getCreationTimestamp()).orElse(Instant.EPOCH));
    lastHeard.put(object.getMetadata().getName(), heard);
  }

  void forget(TcpTeardownNode object) {
    lastHeard.remove(object.getMetadata().getName());
  }

  /** The nodes not heard from for longer than {@code limit}, with how long each has been silent. */
  SortedMap<String, Duration> silentLongerThan(Duration limit, Instant now) {
    SortedMap<String, Duration> silent = new TreeMap<>();
    lastHeard.forEach(
        (node, heard) -> {
          Duration since = Duration.between(heard, now);
          if (since.compareTo(limit) > 0) {
            silent.put(node, since);
          }
        });
    return silent;
  }

  private static java.util.Optional<Instant> parse(String time) {
    if (time == null) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(OffsetDateTime.parse(time).toInstant());
    } catch (DateTimeParseException e) {
      // Written by whoever may write the status: an unreadable time is no report.
      return java.util.Optional.empty();
    }
  }
}
