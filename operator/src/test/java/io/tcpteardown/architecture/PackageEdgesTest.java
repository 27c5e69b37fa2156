package io.tcpteardown.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.fabric8.kubernetes.client.CustomResource;
import io.tcpteardown.tier.UnitTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one-way edges between packages: api (types and their vocabulary) at the bottom; rules (safety
 * rules and resolution) on api only, with nothing of the runtime; operator and agent side by side,
 * neither knowing the other; cli on top.
 */
@UnitTest
class PackageEdgesTest {
  private static final String ROOT = "io.tcpteardown";
  private static final String[] RUNTIME = {
    "io.fabric8.kubernetes.client..",
    "io.javaoperatorsdk..",
    "io.micrometer..",
    "org.slf4j..",
    "java.net.http..",
    "java.lang.foreign.."
  };
  private static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  @Test
  void apiDependsOnNothingOfTheProjectButItself() {
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            ROOT + ".rules..",
            ROOT + ".operator..",
            ROOT + ".agent..",
            ROOT + ".cli..",
            ROOT + ".events..",
            ROOT + ".http..")
        .check(classes);
  }

  @Test
  void rulesAndResolutionDependOnTheApiOnly() {
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".rules..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            ROOT + ".operator..",
            ROOT + ".agent..",
            ROOT + ".cli..",
            ROOT + ".events..",
            ROOT + ".http..")
        .check(classes);
  }

  @Test
  void apiAndRulesUseNothingOfTheRuntime() {
    // CustomResource, the base class of the two kinds, is the one client type the API types may
    // name.
    noClasses()
        .that()
        .resideInAnyPackage(ROOT + ".api..", ROOT + ".rules..")
        .and(not(assignableTo(CustomResource.class)))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(RUNTIME)
        .check(classes);
  }

  @Test
  void theAgentDoesNotKnowTheOperator() {
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".agent..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(ROOT + ".operator..", ROOT + ".cli..")
        .check(classes);
  }

  @Test
  void theOperatorDoesNotKnowTheAgent() {
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".operator..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(ROOT + ".agent..", ROOT + ".cli..")
        .check(classes);
  }

  @Test
  void infrastructureKnowsNoComponent() {
    noClasses()
        .that()
        .resideInAnyPackage(ROOT + ".events..", ROOT + ".http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(ROOT + ".operator..", ROOT + ".agent..", ROOT + ".cli..")
        .check(classes);
  }
}
