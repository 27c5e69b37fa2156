package io.tcpteardown.tier;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Test tier "api" (run alone with {@code ./mvnw verify -Dgroups=api}). Runs against the real
 * kube-apiserver of the test cluster (scripts/provision-kube-apiserver.sh).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("api")
public @interface ApiTest {}
