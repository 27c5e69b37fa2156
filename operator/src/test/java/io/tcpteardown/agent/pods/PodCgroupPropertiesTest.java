package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The parser of {@code /proc/<pid>/cgroup} on random, truncated and spliced content: it never
 * throws, and what it keeps is a pod UID of the kubelet's form (36 or 32 characters) and at most a
 * 64-hex container id, whatever the length of the input.
 */
@UnitTest
class PodCgroupPropertiesTest {
  private static final String UID = "5f8c2a1e-3b4d-4c6e-9f70-81a2b3c4d5e6";
  private static final String CONTAINER = "ab".repeat(32);
  private static final String REAL =
      "12:pids:/kubepods/burstable/pod"
          + UID
          + "/"
          + CONTAINER
          + "\n0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
          + UID.replace('-', '_')
          + ".slice/cri-containerd-"
          + CONTAINER
          + ".scope\n";

  @Provide
  Arbitrary<String> noise() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(300),
        Arbitraries.strings()
            .withChars("0123456789abcdef-_:/.\npodkubesliceSCOPE")
            .ofMaxLength(300));
  }

  @Property(tries = 3000)
  void neverThrowsAndKeepsOnlyBoundedIdentifiers(
      @ForAll("noise") String noise,
      @ForAll @IntRange(min = 0, max = 1000) int at,
      @ForAll @IntRange(min = 0, max = 1000) int spliceAt) {
    String cut = REAL.substring(0, at % (REAL.length() + 1));
    String spliced =
        new StringBuilder(REAL).insert(spliceAt % (REAL.length() + 1), noise).toString();
    for (String content : new String[] {noise, cut, cut + noise, spliced}) {
      Optional<PodCgroup> pod = PodCgroup.parse(content);
      pod.ifPresent(
          p -> {
            assertThat(p.podUid()).matches("[0-9a-f-]{36}|[0-9a-f]{32}");
            p.containerId().ifPresent(id -> assertThat(id).matches("[0-9a-f]{64}"));
          });
    }
  }
}
