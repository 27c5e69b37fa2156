package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.tcpteardown.events.EventRecorder;
import io.tcpteardown.http.EndpointServer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the two controllers, leader election, probes and metrics, and runs them until closed.
 *
 * <p>Leader election: the SDK's elector (a Lease renewed every 2 s, given up after a 10 s renew
 * deadline, 15 s lease duration) never exits the JVM here. Losing the Lease completes {@link
 * #lostLeadership()}, and the command line stops the controllers and exits, so that two replicas
 * never reconcile at once. A clean {@link #close()} gives the Lease up, so that a waiting replica
 * takes over at its next retry instead of after the lease duration.
 */
public final class OperatorRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);

  private final Operator operator;
  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final Leadership leadership;
  private final EndpointServer health;
  private final EndpointServer metrics;
  private final ScheduledExecutorService silenceCheck;
  private final OperatorMetrics operatorMetrics;

  /** How often the nodes whose agents went silent are looked for. */
  private static final Duration SILENCE_CHECK = Duration.ofSeconds(30);

  private OperatorRuntime(
      Operator operator,
      KubernetesClient client,
      OperatorSettings settings,
      Leadership leadership,
      EndpointServer health,
      EndpointServer metrics,
      ScheduledExecutorService silenceCheck,
      OperatorMetrics operatorMetrics) {
    this.operator = operator;
    this.client = client;
    this.settings = settings;
    this.leadership = leadership;
    this.health = health;
    this.metrics = metrics;
    this.silenceCheck = silenceCheck;
    this.operatorMetrics = operatorMetrics;
  }

  /**
   * @param client the API server and identity to use; the command line's reads objects as {@link
   *     OperatorSerialization} says
   */
  public static OperatorRuntime start(KubernetesClient client, OperatorSettings settings)
      throws IOException {
    Leadership leadership = new Leadership(newIdentity());
    OperatorMetrics operatorMetrics = new OperatorMetrics();
    ProfileValidations validations = new ProfileValidations();
    Operator operator =
        new Operator(
            overrider -> {
              overrider
                  .withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withResourceCloner(new ShallowCloner(client.getKubernetesSerialization()))
                  .withDependentResourceFactory(
                      new NodeDependentFactory(validations, operatorMetrics::specWritten));
              if (settings.leaderElection()) {
                overrider.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            settings.leaseName())
                        .withLeaseNamespace(settings.leaseNamespace())
                        .withIdentity(leadership.identity)
                        .withLeaderCallbacks(leadership.callbacks())
                        .withExitOnStopLeading(false)
                        .build());
              }
            });
    Clock clock = Clock.systemUTC();
    operatorMetrics.leadership(() -> !settings.leaderElection() || leadership.leading.get());
    AgentReports agentReports = new AgentReports(settings.agentSilenceLimit());
    NodeObjectFeed nodeObjects =
        new NodeObjectFeed(
            new ProfileStatusIndex(new PressureTracker(), agentReports, validations), agentReports);
    operator.register(new NodeSettingsReconciler(nodeObjects));
    operator.register(
        new ProfileStatusReconciler(
            nodeObjects,
            new ProfileEvents(new EventRecorder(client, "tcp-teardown-operator", null, clock)),
            operatorMetrics,
            clock,
            new StatusWritePolicy(settings.statusInterval())));
    // The ports before the controllers and the Lease: a port clash stops the operator before it
    // leads, and the command line's shutdown hook (which gives the Lease up) is added as soon as
    // this returns, not a server's start-up later.
    var runtime = operator.getRuntimeInfo();
    EndpointServer health =
        EndpointServer.on(settings.healthPort())
            .probe("/healthz", () -> runtime.isStarted() && runtime.allEventSourcesAreHealthy())
            .probe("/readyz", runtime::isStarted)
            .start();
    EndpointServer metricsServer;
    try {
      metricsServer =
          EndpointServer.on(settings.metricsPort()).metrics(operatorMetrics::scrape).start();
    } catch (IOException e) {
      health.close();
      throw e;
    }
    try {
      operator.start();
    } catch (RuntimeException e) {
      health.close();
      metricsServer.close();
      throw e;
    }
    ScheduledExecutorService silenceCheck =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("agent-silence-check").factory());
    silenceCheck.scheduleWithFixedDelay(
        () -> {
          try {
            operatorMetrics.silentAgents(agentReports.silent(clock.instant()));
          } catch (RuntimeException e) {
            // A failed check must not end the schedule: the next one runs as usual.
            LOG.warn("Could not update the silent agents' metric: {}", e.toString());
          }
        },
        SILENCE_CHECK.toSeconds(),
        SILENCE_CHECK.toSeconds(),
        TimeUnit.SECONDS);
    return new OperatorRuntime(
        operator,
        client,
        settings,
        leadership,
        health,
        metricsServer,
        silenceCheck,
        operatorMetrics);
  }

  /** The pod's name (HOSTNAME) and a random suffix: unique even for two runtimes in one JVM. */
  private static String newIdentity() {
    String host = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("").strip();
    return (host.isEmpty() ? "operator" : host) + "_" + UUID.randomUUID();
  }

  /** This replica's holder identity in the leader-election Lease. */
  public String identity() {
    return leadership.identity;
  }

  /** Whether this replica holds the Lease now (always false without leader election). */
  public boolean isLeader() {
    return leadership.leading.get();
  }

  /**
   * Completes when this replica loses the Lease it held (a renewal refused or failing past the
   * renew deadline, or another holder), never because of {@link #close()}. The controllers must
   * then stop: the command line closes the runtime and exits with a failure.
   */
  public CompletableFuture<Void> lostLeadership() {
    return leadership.lost;
  }

  /** TcpTeardownNode spec writes the API server accepted from this runtime so far. */
  public long specWrites() {
    return operatorMetrics.specWrites();
  }

  public int healthPort() {
    return health.port();
  }

  public int metricsPort() {
    return metrics.port();
  }

  /** Stops probes, controllers and the elector, then gives up the Lease if this replica held it. */
  @Override
  public void close() {
    if (!leadership.closing.compareAndSet(false, true)) {
      return;
    }
    silenceCheck.shutdownNow();
    health.close();
    metrics.close();
    operator.stop();
    if (settings.leaderElection()) {
      releaseLease();
    }
  }

  /**
   * What the Kubernetes client-go elector does with ReleaseOnCancel (the SDK's elector cannot be
   * told to): no holder, a lease of one second, renewed now. The patch carries the resourceVersion
   * read, so it cannot clear a Lease another replica took meanwhile.
   */
  private void releaseLease() {
    var leases = client.leases().inNamespace(settings.leaseNamespace());
    try {
      Lease lease = leases.withName(settings.leaseName()).get();
      if (lease == null
          || lease.getSpec() == null
          || !leadership.identity.equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      String now =
          ZonedDateTime.now(ZoneOffset.UTC)
              .truncatedTo(ChronoUnit.MICROS)
              .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"));
      String patch =
          """
          {"metadata":{"resourceVersion":"%s"},
           "spec":{"holderIdentity":null,"leaseDurationSeconds":1,"acquireTime":"%s","renewTime":"%s"}}
          """
              .formatted(lease.getMetadata().getResourceVersion(), now, now);
      leases.withName(settings.leaseName()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      leadership.leading.set(false);
      LOG.info(
          "Released the leader Lease {}/{} held by {}",
          settings.leaseNamespace(),
          settings.leaseName(),
          leadership.identity);
    } catch (KubernetesClientException e) {
      LOG.warn(
          "Could not release the leader Lease {}/{} (another replica takes over once it expires): {}",
          settings.leaseNamespace(),
          settings.leaseName(),
          e.getMessage());
    }
  }

  /** The elector's view of this replica, shared with its callbacks. */
  private static final class Leadership {
    final String identity;
    final AtomicBoolean leading = new AtomicBoolean();
    final AtomicBoolean closing = new AtomicBoolean();
    final CompletableFuture<Void> lost = new CompletableFuture<>();

    Leadership(String identity) {
      this.identity = identity;
    }

    LeaderCallbacks callbacks() {
      return new LeaderCallbacks(
          () -> {
            leading.set(true);
            LOG.info("Leading as {}", identity);
          },
          () -> {
            boolean wasLeading = leading.getAndSet(false);
            if (!closing.get() && wasLeading) {
              LOG.error(
                  "Lost the leader Lease as {}: a renewal was refused or failed for longer than the"
                      + " renew deadline; stopping so that only one replica reconciles",
                  identity);
              lost.complete(null);
            }
          },
          leader -> LOG.info("Leader is now {}", leader));
    }
  }
}
