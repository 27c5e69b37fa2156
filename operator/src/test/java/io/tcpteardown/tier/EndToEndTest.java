package io.tcpteardown.tier;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Test tier "e2e" (run alone with {@code ./mvnw verify -Dgroups=e2e}). Whole processes: agents or
 * the operator as their own JVMs, the image runtime, a real cluster.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("e2e")
public @interface EndToEndTest {}
