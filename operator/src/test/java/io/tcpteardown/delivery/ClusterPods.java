package io.tcpteardown.delivery;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.tcpteardown.testsupport.LocalCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the real-cluster tier sees of a pod from the node: its processes (by the container id in
 * their cgroup path, as the agent finds them), the TCP ports they listen on and from where a pod
 * can reach them, its memory cgroup, and its kubelet probes sent as the kubelet sends them (from
 * the node's network namespace).
 */
final class ClusterPods {
  private static final Pattern PID = Pattern.compile("pid=(\\d+)");

  private ClusterPods() {}

  /** A TCP listener of a pod's processes: the address other pods reach it at, and its port. */
  record Listener(String address, int port, String boundTo) {
    String target() {
      return address + ":" + port;
    }
  }

  /** One HTTP request as the kubelet or Prometheus sends it, and how it went. */
  record Answer(String url, int status, double seconds, String error) {
    boolean within(Duration limit) {
      return status == 200 && error.isEmpty() && seconds <= limit.toMillis() / 1000.0;
    }
  }

  /** The ids of the pod's running containers (without the runtime's prefix). */
  static List<String> containerIds(Pod pod) {
    return pod.getStatus().getContainerStatuses().stream()
        .map(s -> s.getContainerID())
        .filter(id -> id != null && id.contains("://"))
        .map(id -> id.substring(id.indexOf("://") + 3))
        .toList();
  }

  /** The node's pids of the pod's processes: every process whose cgroup path names a container. */
  static Set<Integer> pids(Pod pod) {
    List<String> ids = containerIds(pod);
    Set<Integer> pids = new LinkedHashSet<>();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : proc) {
        try {
          String cgroup = Files.readString(dir.resolve("cgroup"));
          if (ids.stream().anyMatch(cgroup::contains)) {
            pids.add(Integer.parseInt(dir.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pids;
  }

  /**
   * The pod's TCP listeners that another pod can connect to: bound to every address or to the pod's
   * own (the node's, for a hostNetwork pod); one bound to loopback only is not listed.
   */
  static List<Listener> reachableListeners(Pod pod) {
    Set<Integer> pids = pids(pod);
    if (pids.isEmpty()) {
      throw new IllegalStateException("no process of pod " + pod.getMetadata().getName());
    }
    String podIp = pod.getStatus().getPodIP();
    String netns =
        Boolean.TRUE.equals(pod.getSpec().getHostNetwork())
            ? "--net=/var/run/netns/" + LocalCluster.NODE_NAMESPACE
            : "--net=/proc/" + pids.iterator().next() + "/ns/net";
    LocalCluster.Result ss =
        LocalCluster.run(Duration.ofSeconds(20), List.of("nsenter", netns, "ss", "-Hltnp"));
    if (ss.exitCode() != 0) {
      throw new IllegalStateException("ss -Hltnp failed: " + ss.output());
    }
    List<Listener> listeners = new ArrayList<>();
    for (String line : ss.output().lines().toList()) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length < 6) {
        continue;
      }
      Matcher pid = PID.matcher(line);
      boolean ours = false;
      while (pid.find()) {
        ours |= pids.contains(Integer.parseInt(pid.group(1)));
      }
      if (!ours) {
        continue;
      }
      String local = fields[3];
      int colon = local.lastIndexOf(':');
      String host = local.substring(0, colon).replace("[", "").replace("]", "");
      int port = Integer.parseInt(local.substring(colon + 1));
      boolean wildcard = host.equals("*") || host.equals("0.0.0.0") || host.equals("::");
      if (wildcard || host.equals(podIp) || host.equals("::ffff:" + podIp)) {
        listeners.add(new Listener(podIp, port, host));
      }
    }
    return listeners.stream().distinct().toList();
  }

  /** The liveness and readiness probes of every container of the pod, as URLs. */
  static List<String> probeUrls(Pod pod) {
    List<String> urls = new ArrayList<>();
    for (Container container : pod.getSpec().getContainers()) {
      for (Probe probe :
          new Probe[] {container.getLivenessProbe(), container.getReadinessProbe()}) {
        if (probe == null || probe.getHttpGet() == null) {
          continue;
        }
        HTTPGetAction get = probe.getHttpGet();
        String host =
            Optional.ofNullable(get.getHost())
                .filter(h -> !h.isBlank())
                .orElse(pod.getStatus().getPodIP());
        int port =
            get.getPort().getIntVal() != null
                ? get.getPort().getIntVal()
                : container.getPorts().stream()
                    .filter(p -> get.getPort().getStrVal().equals(p.getName()))
                    .findFirst()
                    .orElseThrow()
                    .getContainerPort();
        String scheme = Optional.ofNullable(get.getScheme()).orElse("HTTP").toLowerCase();
        urls.add(
            scheme + "://" + host + ":" + port + Optional.ofNullable(get.getPath()).orElse("/"));
      }
    }
    return urls.stream().distinct().toList();
  }

  /** One GET from the node's network namespace (where the kubelet probes from), within a limit. */
  static Answer get(String url, Duration limit) {
    double seconds = limit.toMillis() / 1000.0;
    LocalCluster.Result curl =
        LocalCluster.run(
            limit.plusSeconds(20),
            List.of(
                "nsenter",
                "--net=/var/run/netns/" + LocalCluster.NODE_NAMESPACE,
                "curl",
                "-sS",
                "-k",
                "-o",
                "/dev/null",
                "-m",
                String.valueOf(seconds),
                "-w",
                "%{http_code} %{time_total}",
                url));
    String[] out = curl.output().strip().split("\\s+");
    String last = out.length >= 2 ? out[out.length - 2] + " " + out[out.length - 1] : "";
    String[] codeAndTime = last.split(" ");
    int status = 0;
    double took = seconds;
    try {
      status = Integer.parseInt(codeAndTime[0]);
      took = Double.parseDouble(codeAndTime[1]);
    } catch (RuntimeException e) {
      // no answer
    }
    return new Answer(url, status, took, curl.exitCode() == 0 ? "" : curl.output().strip());
  }

  /** The pod's peak memory use from its v1 memory cgroup, in bytes, or -1 when not found. */
  static long peakMemory(Pod pod) {
    for (int pid : pids(pod)) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
          String[] parts = line.split(":", 3);
          if (parts.length == 3 && List.of(parts[1].split(",")).contains("memory")) {
            Path peak = Path.of("/sys/fs/cgroup/memory" + parts[2], "memory.max_usage_in_bytes");
            return Long.parseLong(Files.readString(peak).strip());
          }
        }
      } catch (IOException | NumberFormatException e) {
        // gone meanwhile: try the next
      }
    }
    return -1;
  }
}
