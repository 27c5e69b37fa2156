package io.tcpteardown.operator;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.ProfileStatusOracle;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whatever the API server admits in a TcpTeardownNode's status (written by agents, so by anyone
 * holding an agent's token) and in a profile's status, the profile status is still computed: each
 * hostile status is written through the status subresource of the real API server, read back the
 * way the operator's informers read it, and given to the oracle and the Events. Statuses the CRDs
 * refuse today (conditions that are not metav1.Conditions) but that objects written under an older,
 * looser CRD still hold after an upgrade ({@link #REFUSED_NOW}) are checked to be refused, then
 * given to the oracle as such an object would be read.
 */
@ApiTest
class HostileStatusApiTest {
  private static final String FIN = "\"net.ipv4.tcp_fin_timeout\"";
  private static final String TW = "\"net.ipv4.tcp_max_tw_buckets\"";
  private static final String ORPHANS = "\"net.ipv4.tcp_max_orphans\"";

  /** Node statuses, each admitted by the API server (checked below), none of them sane. */
  static final Map<String, String> NODE_STATUSES = new LinkedHashMap<>();

  static {
    NODE_STATUSES.put(
        "null values in applied and original",
        "{\"applied\":{" + FIN + ":null},\"original\":{" + TW + ":null}}");
    NODE_STATUSES.put(
        "non-numeric applied and original values",
        "{\"applied\":{"
            + FIN
            + ":\"thirty\","
            + TW
            + ":\"1e3\"},\"original\":{"
            + ORPHANS
            + ":\"many\"}}");
    NODE_STATUSES.put(
        "values beyond a long",
        "{\"applied\":{" + TW + ":\"99999999999999999999999\"},\"states\":{\"timeWait\":5}}");
    NODE_STATUSES.put(
        "empty objects", "{\"applied\":{},\"original\":{},\"states\":{},\"counters\":{}}");
    NODE_STATUSES.put(
        "explicit nulls everywhere",
        "{\"applied\":null,\"original\":null,\"states\":null,\"counters\":null,\"conditions\":null,"
            + "\"lastReportTime\":null,\"agent\":null,\"driftCorrections\":null}");
    NODE_STATUSES.put(
        "conditions without status, type or anything",
        "{\"conditions\":[{\"type\":\"Applied\"},{\"status\":\"True\"},{}],\"lastReportTime\":\"t\","
            + "\"counters\":{\"timeWaitOverflow\":1}}");
    NODE_STATUSES.put(
        "counts of one state partly null",
        "{\"states\":{\"timeWait\":null,\"orphans\":3},\"counters\":{\"timeWaitOverflow\":null},"
            + "\"lastReportTime\":\"soon\"}");
    NODE_STATUSES.put(
        "negative counts and limits",
        "{\"applied\":{"
            + TW
            + ":\"-1\"},\"original\":{"
            + ORPHANS
            + ":\"-4\"},"
            + "\"states\":{\"timeWait\":-5,\"orphans\":-1},\"counters\":{\"timeWaitOverflow\":-3},"
            + "\"lastReportTime\":\"2026-11-26T12:00:00Z\"}");
    NODE_STATUSES.put(
        "the largest counts a long holds",
        "{\"applied\":{"
            + TW
            + ":\"10\"},\"states\":{\"finWait1\":9223372036854775807,"
            + "\"timeWait\":9223372036854775807,\"orphans\":9223372036854775807},"
            + "\"counters\":{\"timeWaitOverflow\":9223372036854775807,"
            + "\"abortOnMemory\":9223372036854775807},\"lastReportTime\":\"x\"}");
  }

  /** Profile statuses a user with status write access can store, read as the previous status. */
  static final Map<String, String> PROFILE_STATUSES = new LinkedHashMap<>();

  static {
    PROFILE_STATUSES.put(
        "conditions without status or type",
        "{\"conditions\":[{\"type\":\"Accepted\"},{\"type\":\"Conflict\",\"status\":null},"
            + "{\"status\":\"True\"},{}]}");
    PROFILE_STATUSES.put(
        "explicit nulls and empty entries",
        "{\"conditions\":null,\"totals\":null,\"nodes\":[{}],\"selectedNodes\":null}");
  }

  /** Keys of the statuses above that today's CRDs refuse and older ones admitted. */
  static final java.util.Set<String> REFUSED_NOW =
      java.util.Set.of(
          "conditions without status, type or anything", "conditions without status or type");

  private static KubernetesClient client;
  private static ClusterFixtures fixtures;

  @BeforeAll
  static void start() {
    client = TestCluster.client();
    fixtures = new ClusterFixtures(client);
  }

  @AfterAll
  static void stop() {
    fixtures.close();
    client.close();
  }

  @Test
  void noNodeStatusTheApiServerAdmitsBreaksTheProfileStatus() {
    fixtures.profile(
        "web", Map.of("tier", "web"), spec().finTimeoutSeconds(30).maxTwBuckets(5000).build());
    TcpTeardownProfile profile = fixtures.getProfile("web");
    List<NodeFacts> nodes = new ArrayList<>();
    Map<String, TcpTeardownNode> objects = new LinkedHashMap<>();
    int i = 0;
    for (var hostile : NODE_STATUSES.entrySet()) {
      String base = "hostile-" + i++;
      fixtures.node(base, "8Gi", Map.of("tier", "web"));
      TcpTeardownNode stored =
          writeNodeStatus(
              fixtures.name(base), hostile.getValue(), REFUSED_NOW.contains(hostile.getKey()));
      assertThat(stored).as(hostile.getKey() + ": admitted and read back").isNotNull();
      nodes.add(
          new NodeFacts(fixtures.name(base), "u" + i, withRun(Map.of("tier", "web")), 8L << 30));
      objects.put(fixtures.name(base), stored);

      ProfileStatusOracle oracle = new ProfileStatusOracle(new PressureTracker());
      List<NodeFacts> one = List.of(nodes.getLast());
      Map<String, TcpTeardownNode> its = Map.of(fixtures.name(base), stored);
      assertThatCode(
              () -> {
                oracle.compute(profile, List.of(profile), one, its, Instant.now());
                oracle.compute(profile, List.of(profile), one, its, Instant.now());
              })
          .as(hostile.getKey() + ": " + hostile.getValue())
          .doesNotThrowAnyException();
    }
    TcpTeardownProfileStatus all =
        new ProfileStatusOracle(new PressureTracker())
            .compute(profile, List.of(profile), nodes, objects, Instant.now());
    assertThat(all.selectedNodes()).isEqualTo(NODE_STATUSES.size());
    assertThat(
            List.of(
                all.totals().finWait1(),
                all.totals().finWait2(),
                all.totals().timeWait(),
                all.totals().closeWait(),
                all.totals().lastAck(),
                all.totals().closing(),
                all.totals().orphans()))
        .as("a count is never negative, and a sum stops at the largest long instead of wrapping")
        .allSatisfy(count -> assertThat(count).isNotNegative())
        .contains(Long.MAX_VALUE);
    assertThat(
            Conditions.find(all.conditions(), ProfileConditions.TEARDOWN_PRESSURE)
                .orElseThrow()
                .getMessage())
        .as("TIME_WAIT far above a tcp_max_tw_buckets of 10 is pressure, however large the count")
        .contains("TIME_WAIT 9223372036854775807 is at or above 90% of tcp_max_tw_buckets 10");
    // The status the operator patches is one the API server admits.
    TcpTeardownProfile patch = new TcpTeardownProfile();
    patch.setMetadata(new ObjectMetaBuilder().withName(profile.getMetadata().getName()).build());
    patch.setStatus(all);
    assertThat(client.resource(patch).updateStatus().getStatus().totals()).isEqualTo(all.totals());
  }

  @Test
  void noPreviousProfileStatusTheApiServerAdmitsBreaksTheNextOne() {
    int i = 0;
    for (var hostile : PROFILE_STATUSES.entrySet()) {
      String base = "hostile-profile-" + i++;
      fixtures.profile(base, Map.of("tier", "web"), spec().twRecycle(true).build());
      Throwable refused =
          catchThrowable(
              () ->
                  client
                      .resources(TcpTeardownProfile.class)
                      .withName(fixtures.name(base))
                      .subresource("status")
                      .patch(
                          new PatchContext.Builder().withPatchType(PatchType.JSON).build(),
                          "[{\"op\":\"add\",\"path\":\"/status\",\"value\":"
                              + hostile.getValue()
                              + "}]"));
      TcpTeardownProfile stored = fixtures.getProfile(base);
      if (REFUSED_NOW.contains(hostile.getKey())) {
        assertThat(refused)
            .as(hostile.getKey() + ": refused by today's CRD")
            .isInstanceOf(KubernetesClientException.class)
            .hasMessageContaining("status.conditions");
        // As an object stored under an older CRD is read.
        stored.setStatus(
            client
                .getKubernetesSerialization()
                .unmarshal(hostile.getValue(), TcpTeardownProfileStatus.class));
      } else {
        assertThat(refused).as(hostile.getKey()).isNull();
      }
      assertThat(stored.getStatus()).as(hostile.getKey() + ": admitted").isNotNull();
      List<String> events = new ArrayList<>();
      ProfileEvents profileEvents =
          new ProfileEvents((object, type, reason, message) -> events.add(reason));
      assertThatCode(
              () -> {
                TcpTeardownProfileStatus next =
                    new ProfileStatusOracle(new PressureTracker())
                        .compute(stored, List.of(stored), List.of(), Map.of(), Instant.now());
                profileEvents.onStatusChange(stored, stored.getStatus(), next);
                new OperatorMetrics().record(fixtures.name(base), next);
              })
          .as(hostile.getKey() + ": " + hostile.getValue())
          .doesNotThrowAnyException();
      assertThat(events).as(hostile.getKey()).containsExactly(ProfileConditions.EVENT_REJECTED);
    }
  }

  private static Map<String, String> withRun(Map<String, String> labels) {
    Map<String, String> all = new LinkedHashMap<>(labels);
    all.put(ClusterFixtures.RUN_LABEL, fixtures.run());
    return all;
  }

  private static TcpTeardownNode writeNodeStatus(
      String name, String statusJson, boolean refusedNow) {
    TcpTeardownNode object = new TcpTeardownNode();
    object.setMetadata(new ObjectMetaBuilder().withName(name).build());
    object.setSpec(
        TcpTeardownNodeSpec.of(
            TeardownSettings.NONE.with(io.tcpteardown.api.ManagedSysctl.FIN_TIMEOUT, 30),
            Map.of(),
            List.of(),
            List.of()));
    client.resource(object).create();
    Throwable refused =
        catchThrowable(
            () ->
                client
                    .resources(TcpTeardownNode.class)
                    .withName(name)
                    .subresource("status")
                    .patch(
                        new PatchContext.Builder().withPatchType(PatchType.JSON).build(),
                        "[{\"op\":\"add\",\"path\":\"/status\",\"value\":" + statusJson + "}]"));
    TcpTeardownNode stored = client.resources(TcpTeardownNode.class).withName(name).get();
    if (!refusedNow) {
      assertThat(refused).as(statusJson).isNull();
      return stored;
    }
    assertThat(refused)
        .as(statusJson + ": refused by today's CRD")
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("status.conditions");
    // As an object stored under an older CRD is read.
    stored.setStatus(
        client.getKubernetesSerialization().unmarshal(statusJson, TcpTeardownNodeStatus.class));
    return stored;
  }
}
