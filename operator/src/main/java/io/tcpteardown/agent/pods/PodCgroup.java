package io.tcpteardown.agent.pods;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pod (and container) a process belongs to, read from its {@code /proc/<pid>/cgroup}. The
 * kubelet names each pod's cgroup after the pod's UID: {@code .../pod<uid>/...} with the cgroupfs
 * driver, {@code ...-pod<uid_with_underscores>.slice} with the systemd driver; guaranteed pods sit
 * directly under {@code kubepods}, the others under a QoS level (burstable, besteffort). Inside a
 * cgroup namespace the paths are relative ({@code /../pod<uid>/...}). The container id is the
 * segment after the pod's: a bare 64-hex id (cgroupfs: Docker, containerd) or a systemd scope
 * ({@code docker-<id>.scope}, {@code cri-containerd-<id>.scope}, {@code crio-<id>.scope}).
 *
 * @param podUid the pod's UID, with dashes
 * @param containerId the container's id, when the process sits in a container's cgroup
 */
public record PodCgroup(String podUid, Optional<String> containerId) {
  private static final String UID_DASHED =
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  private static final String UID_UNDERSCORED =
      "[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}";

  /** Static (mirror) pods have a 32-hex config hash as UID. */
  private static final String UID_HASH = "[0-9a-f]{32}";

  private static final Pattern CGROUPFS_POD =
      Pattern.compile("^pod(" + UID_DASHED + "|" + UID_HASH + ")$");
  private static final Pattern SYSTEMD_POD =
      Pattern.compile(
          "^kubepods(?:-[a-z]+)?-pod(" + UID_UNDERSCORED + "|" + UID_HASH + ")\\.slice$");
  private static final Pattern CONTAINER =
      Pattern.compile(
          "^(?:(?:docker|cri-containerd|crio|containerd)-)?([0-9a-f]{64})(?:\\.scope)?$");

  /**
   * The pod of a process from the whole content of its {@code /proc/<pid>/cgroup} (cgroup v1 lines
   * {@code id:controllers:path}, v2 line {@code 0::path}); empty for a process outside every pod.
   */
  public static Optional<PodCgroup> parse(String procCgroup) {
    for (String line : procCgroup.split("\n")) {
      int second = line.indexOf(':', line.indexOf(':') + 1);
      if (second < 0) {
        continue;
      }
      Optional<PodCgroup> pod = fromPath(line.substring(second + 1).strip());
      if (pod.isPresent()) {
        return pod;
      }
    }
    return Optional.empty();
  }

  /** The pod of one cgroup path, absolute or relative. */
  public static Optional<PodCgroup> fromPath(String path) {
    String[] segments = path.split("/");
    for (int i = 0; i < segments.length; i++) {
      Optional<String> uid = podUid(segments[i]);
      if (uid.isPresent()) {
        Optional<String> container = Optional.empty();
        if (i + 1 < segments.length) {
          Matcher matcher = CONTAINER.matcher(segments[i + 1]);
          if (matcher.matches()) {
            container = Optional.of(matcher.group(1));
          }
        }
        return Optional.of(new PodCgroup(uid.get(), container));
      }
    }
    return Optional.empty();
  }

  private static Optional<String> podUid(String segment) {
    Matcher cgroupfs = CGROUPFS_POD.matcher(segment);
    if (cgroupfs.matches()) {
      return Optional.of(cgroupfs.group(1));
    }
    Matcher systemd = SYSTEMD_POD.matcher(segment);
    if (systemd.matches()) {
      return Optional.of(systemd.group(1).replace('_', '-'));
    }
    return Optional.empty();
  }
}
