package io.tcpteardown.tier;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Test tier "cluster" (run alone with {@code ./mvnw verify -Dgroups=cluster}): a whole single-node
 * Kubernetes cluster on this machine ({@code scripts/local-cluster.sh}), the image built from the
 * Dockerfile, the chart installed by Helm, real kubelet pods, a real Prometheus.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("cluster")
public @interface ClusterTest {}
