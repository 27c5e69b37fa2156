package io.tcpteardown.tier;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Test tier "kernel" (run alone with {@code ./mvnw verify -Dgroups=kernel}). Runs against the real
 * kernel in throwaway network namespaces: needs root; under CI=true it must run.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("kernel")
public @interface KernelTest {}
