package io.tcpteardown.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.tcpteardown.tier.ApiTest;
import io.tcpteardown.tier.ClusterTest;
import io.tcpteardown.tier.EndToEndTest;
import io.tcpteardown.tier.KernelTest;
import io.tcpteardown.tier.UnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every test class belongs to exactly one tier, so that each tier runs alone ({@code
 * -Dgroups=TIER}).
 */
@UnitTest
class TierTagsTest {
  private static final List<Class<? extends java.lang.annotation.Annotation>> TIERS =
      List.of(
          UnitTest.class, KernelTest.class, ApiTest.class, EndToEndTest.class, ClusterTest.class);

  @Test
  void everyTestClassHasExactlyOneTier() {
    var tests =
        new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                .importPackages("io.tcpteardown")
                .stream()
                .filter(JavaClass::isTopLevelClass)
                .filter(c -> !c.getPackageName().endsWith(".bench"))
                .filter(
                    c ->
                        c.getMethods().stream()
                            .anyMatch(
                                m ->
                                    m.isAnnotatedWith(Test.class)
                                        || m.isAnnotatedWith("net.jqwik.api.Property")
                                        || m.isAnnotatedWith(
                                            "org.junit.jupiter.params.ParameterizedTest")))
                .toList();
    assertThat(tests).hasSizeGreaterThan(20);
    for (JavaClass test : tests) {
      long tiers = TIERS.stream().filter(test::isAnnotatedWith).count();
      assertThat(tiers)
          .as(
              test.getName()
                  + " carries one of @UnitTest, @KernelTest, @ApiTest, @EndToEndTest, @ClusterTest")
          .isEqualTo(1);
      String suffix = SUFFIXES.get(TIERS.stream().filter(test::isAnnotatedWith).findFirst().get());
      assertThat(test.getSimpleName())
          .as(test.getName() + ": a test's name ends with its tier's suffix, " + SUFFIXES.values())
          .endsWith(suffix);
      if (suffix.equals("Test")) {
        assertThat(test.getSimpleName())
            .as(test.getName() + " is a unit test: no other tier's suffix")
            .doesNotEndWith("KernelTest")
            .doesNotEndWith("ApiTest")
            .doesNotEndWith("EndToEndTest")
            .doesNotEndWith("ClusterTest");
      }
    }
  }

  /**
   * One suffix per tier; surefire runs every {@code *Test} class (so a jqwik class named otherwise
   * never ran).
   */
  private static final java.util.Map<Class<?>, String> SUFFIXES =
      java.util.Map.of(
          UnitTest.class, "Test",
          KernelTest.class, "KernelTest",
          ApiTest.class, "ApiTest",
          EndToEndTest.class, "EndToEndTest",
          ClusterTest.class, "ClusterTest");
}
