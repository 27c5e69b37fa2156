package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.tier.UnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;

@UnitTest
class ProfileSpecChangedTest {
  private final ProfileSpecChanged filter = new ProfileSpecChanged();

  private static TcpTeardownProfile profile(Long generation, String version, long timeWait) {
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(
        new ObjectMetaBuilder()
            .withName("web")
            .withGeneration(generation)
            .withResourceVersion(version)
            .build());
    profile.setStatus(
        new TcpTeardownProfileStatus(
            generation,
            List.of(),
            1,
            1,
            new StateCounts(0, 0, timeWait, 0, 0, 0, 0),
            List.of(),
            null));
    return profile;
  }

  @Test
  void aStatusWriteDoesNotPass() {
    assertThat(filter.accept(profile(3L, "11", 5), profile(3L, "10", 4))).isFalse();
  }

  @Test
  void aSpecChangePasses() {
    assertThat(filter.accept(profile(4L, "11", 4), profile(3L, "10", 4))).isTrue();
  }

  @Test
  void aDeletionMarkPassesAndSoDoesAnythingWithoutAGeneration() {
    TcpTeardownProfile deleting = profile(3L, "11", 4);
    deleting.getMetadata().setDeletionTimestamp("2026-11-26T12:00:00Z");
    assertThat(filter.accept(deleting, profile(3L, "10", 4))).isTrue();
    assertThat(filter.accept(profile(null, "11", 4), profile(null, "10", 4))).isTrue();
  }
}
