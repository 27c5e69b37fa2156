package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@UnitTest
class PodCgroupTest {
  private static final String UID = "f2fd553b-8c1e-4f7a-9d2b-0123456789ab";
  private static final String CID =
      "cd52b90000000000000000000000000000000000000000000000000000abcdef";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // cgroupfs driver, cgroup v1 (Docker through dockershim, containerd), each QoS class
        "v1 cgroupfs burstable|4:memory:/kubepods/burstable/pod" + UID + "/" + CID + "|true",
        "v1 cgroupfs besteffort|4:memory:/kubepods/besteffort/pod" + UID + "/" + CID + "|true",
        "v1 cgroupfs guaranteed|4:memory:/kubepods/pod" + UID + "/" + CID + "|true",
        // cgroup v2, cgroupfs driver
        "v2 cgroupfs burstable|0::/kubepods/burstable/pod" + UID + "/" + CID + "|true",
        // systemd driver: docker, containerd and CRI-O scopes
        "v1 systemd docker|1:name=systemd:/kubepods.slice/kubepods-burstable.slice/"
            + "kubepods-burstable-podf2fd553b_8c1e_4f7a_9d2b_0123456789ab.slice/docker-"
            + CID
            + ".scope|true",
        "v2 systemd containerd guaranteed|0::/kubepods.slice/"
            + "kubepods-podf2fd553b_8c1e_4f7a_9d2b_0123456789ab.slice/cri-containerd-"
            + CID
            + ".scope|true",
        "v2 systemd crio besteffort|0::/kubepods.slice/kubepods-besteffort.slice/"
            + "kubepods-besteffort-podf2fd553b_8c1e_4f7a_9d2b_0123456789ab.slice/crio-"
            + CID
            + ".scope|true",
        // relative inside a cgroup namespace
        "v2 relative|0::/../pod" + UID + "/" + CID + "|true",
        "v2 relative systemd|0::/../../kubepods-burstable-podf2fd553b_8c1e_4f7a_9d2b_0123456789ab"
            + ".slice/cri-containerd-"
            + CID
            + ".scope|true",
        // the pod's own cgroup (pause process in some layouts): pod, no container
        "pod level|4:memory:/kubepods/burstable/pod" + UID + "|false",
      })
  void findsThePodInEveryLayout(String layout, String line, boolean hasContainer) {
    Optional<PodCgroup> pod = PodCgroup.parse("12:pids:/\n" + line + "\n");
    assertThat(pod).as(layout).isPresent();
    assertThat(pod.get().podUid()).isEqualTo(UID);
    assertThat(pod.get().containerId())
        .isEqualTo(hasContainer ? Optional.of(CID) : Optional.empty());
  }

  @Test
  void staticPodsHaveAHashAsUid() {
    String hash = "3f5b7e0c9d8a7b6c5d4e3f2a1b0c9d8e";
    assertThat(PodCgroup.parse("0::/kubepods/burstable/pod" + hash + "/" + CID))
        .map(PodCgroup::podUid)
        .contains(hash);
    assertThat(PodCgroup.parse("0::/kubepods.slice/kubepods-pod" + hash + ".slice"))
        .map(PodCgroup::podUid)
        .contains(hash);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0::/",
        "0::/system.slice/kubelet.service",
        "4:memory:/process_api/cbe5ec4d97c5996cd3ad254cc82d3934",
        "4:memory:/kubepods/burstable",
        "4:memory:/kubepods/burstable/podnot-a-uid",
        "0::/user.slice/user-0.slice/pod" + "f2fd553b-8c1e-4f7a-9d2b-0123456789aZ",
        "garbage",
        "''",
      })
  void aProcessOutsideEveryPodHasNone(String content) {
    assertThat(PodCgroup.parse(content)).isEmpty();
  }
}
