#!/usr/bin/env bash
# A whole single-node Kubernetes 1.20 cluster on this machine, for the real-cluster test tier and the demo, built
# offline from Debian's packages and from the Debian `kubernetes` source tree that provision-kube-apiserver.sh
# already unpacks (see ../shared/reference/real-cluster.md for what each step was seen doing).
#
#   scripts/local-cluster.sh provision   build what is missing (cached): Docker engine, kubelet, controller-manager,
#                                        scheduler, pause binary, Debian base root file system
#   scripts/local-cluster.sh images      build the images: base images, the project's image from its Dockerfile as
#                                        it stands, the teardown-app image of the tests and the demo, and the
#                                        hostile tenant of the tests (a static C helper and busybox-static)
#   scripts/local-cluster.sh up          provision, images, then start the cluster (idempotent)
#   scripts/local-cluster.sh down        stop everything and remove the cluster's state (not the caches)
#   scripts/local-cluster.sh status      exit 0 when the cluster answers, and print its kubeconfig's path
#
# The whole node lives in one network namespace (`ttnode`), so that nothing the agent writes reaches this machine's
# own namespace. A veth pair joins it to the machine's namespace: the node's address is 10.203.0.2, pods are on
# 10.204.0.0/24 behind it, so that tests, helm and Prometheus reach the API server, the agent and the pods by
# address. Needs root and Linux with cgroup v1 (as these machines have).
#
# The kubelet drives containerd 1.6 (Debian's) over CRI with pods on a CNI bridge, as production nodes run since
# Kubernetes 1.24; TT_CLUSTER_RUNTIME=docker uses dockerd through kubelet 1.20's built-in dockershim instead.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
CACHE="${TT_CLUSTER_CACHE:-/var/cache/tcp-teardown/cluster}"
STATE="${TT_CLUSTER_STATE:-/var/lib/tcp-teardown-cluster}"
RUNDIR=/run/tcp-teardown-cluster
KUBE_BUILD="${KUBE_API_TEST_BUILD_DIR:-/var/cache/tcp-teardown/kube-apiserver-build}"
NETNS=ttnode
NODE_NAME=tt-node
HOST_IP=10.203.0.1
NODE_IP=10.203.0.2
POD_CIDR=10.204.0.0/24
POD_GATEWAY=10.204.0.1/24
SERVICE_CIDR=10.0.0.0/24
SERVICE_IP=10.0.0.1
IMAGE="${TT_IMAGE:-tcp-teardown-operator:dev}"
APP_IMAGE="${TT_APP_IMAGE:-tcp-teardown-app:dev}"
TENANT_IMAGE="${TT_TENANT_IMAGE:-tcp-teardown-tenant:dev}"
BUILD_IMAGE="$(sed -n 's/^ARG BUILD_IMAGE=//p' "$REPO/Dockerfile")"
RUNTIME_BASE="$(sed -n 's/^ARG RUNTIME_BASE=//p' "$REPO/Dockerfile")"
DOCKER=/usr/bin/docker
BUILD_SOCK="$RUNDIR/build/docker.sock"
NODE_SOCK="$RUNDIR/docker/docker.sock"
# The kubelet's container runtime: containerd 1.6 over CRI (what production nodes run since dockershim left
# Kubernetes in 1.24) or docker (dockerd through kubelet 1.20's built-in dockershim).
RUNTIME="${TT_CLUSTER_RUNTIME:-containerd}"
CONTAINERD_SOCK="$RUNDIR/containerd/containerd.sock"
CNI_BIN=/usr/lib/cni
BIN="$CACHE/bin"
KUBECONFIG_FILE="$STATE/admin.kubeconfig"

log() { echo "local-cluster: $*" >&2; }
fail() {
  echo "local-cluster: $*" >&2
  exit 1
}

require_root_linux() {
  [[ "$(uname -s)" == Linux ]] || fail "needs Linux (found $(uname -s))"
  [[ "$(id -u)" == 0 ]] || fail "needs root: it creates a network namespace and runs dockerd and the kubelet"
  [[ -d /sys/fs/cgroup/memory ]] || fail "needs cgroup v1 (no /sys/fs/cgroup/memory); kubelet 1.20 with cgroupfs is set up for it"
}

# ---- provision ---------------------------------------------------------------------------------------------------

provision() {
  require_root_linux
  export DEBIAN_FRONTEND=noninteractive
  local packages=(docker.io containerd containernetworking-plugins debootstrap gcc libc6-dev jq openssl iproute2
    socat util-linux busybox-static curl)
  local missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  mkdir -p "$BIN"
  if [[ ! -x "$BIN/kubelet" || ! -x "$BIN/kube-controller-manager" || ! -x "$BIN/kube-scheduler" ]]; then
    bash "$HERE/provision-kube-apiserver.sh"
    local src
    src="$(ls -d "$KUBE_BUILD"/kubernetes-*/ | head -n 1)"
    src="${src%/}"
    log "building kubelet, kube-controller-manager and kube-scheduler from $src"
    (cd "$src/.go/src/k8s.io/kubernetes" &&
      GOPATH="$src/.go" CGO_ENABLED=0 GOFLAGS=-mod=vendor \
        make WHAT="cmd/kubelet cmd/kube-controller-manager cmd/kube-scheduler" >/dev/null)
    for b in kubelet kube-controller-manager kube-scheduler; do
      install -m 0755 "$(find "$src/_output" -type f -name "$b" -perm -u+x | head -n 1)" "$BIN/$b"
    done
  fi
  if [[ ! -x "$BIN/pause" ]]; then
    local src
    src="$(ls -d "$KUBE_BUILD"/kubernetes-*/ | head -n 1)"
    gcc -Os -static -o "$BIN/pause" "${src%/}/build/pause/linux/pause.c"
  fi
  if [[ ! -f "$CACHE/bookworm-minbase.tar" ]]; then
    local mirror
    mirror="$(sed -n 's/^URIs: *\(http[^ ]*debian\/\?\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)"
    mirror="${mirror:-http://deb.debian.org/debian}"
    log "debootstrap bookworm (minbase) from $mirror"
    rm -rf "$CACHE/rootfs"
    debootstrap --variant=minbase bookworm "$CACHE/rootfs" "$mirror" >/dev/null
    tar -C "$CACHE/rootfs" -cf "$CACHE/bookworm-minbase.tar.tmp" .
    mv "$CACHE/bookworm-minbase.tar.tmp" "$CACHE/bookworm-minbase.tar"
    rm -rf "$CACHE/rootfs"
  fi
  install -m 0755 "$HERE/cluster/sandbox-runc" "$BIN/sandbox-runc"
}

# ---- docker daemons ----------------------------------------------------------------------------------------------

# $1: name (build|docker), $2: netns or "", rest: extra dockerd flags.
start_dockerd() {
  local name="$1" netns="$2"
  shift 2
  local dir="$RUNDIR/$name"
  mkdir -p "$dir" "$STATE/logs"
  if [[ -S "$dir/docker.sock" ]] && DOCKER_HOST="unix://$dir/docker.sock" $DOCKER version >/dev/null 2>&1; then
    return 0
  fi
  local prefix=()
  [[ -n "$netns" ]] && prefix=(nsenter "--net=/var/run/netns/$netns")
  setsid "${prefix[@]}" /usr/sbin/dockerd --data-root "$CACHE/docker" --exec-root "$dir/exec" \
    -H "unix://$dir/docker.sock" --pidfile "$dir/docker.pid" --storage-driver overlay2 \
    --exec-opt native.cgroupdriver=cgroupfs --add-runtime "sandbox=$BIN/sandbox-runc" --default-runtime sandbox \
    --iptables=false --ip-masq=false "$@" >"$STATE/logs/dockerd-$name.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    DOCKER_HOST="unix://$dir/docker.sock" $DOCKER version >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  tail -n 20 "$STATE/logs/dockerd-$name.log" >&2
  fail "dockerd ($name) did not start"
}

stop_pidfile() {
  local pidfile="$1" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# ---- images ------------------------------------------------------------------------------------------------------

# Images are built by a daemon in this machine's own namespace: it reaches apt and Maven Central through
# `--network host`, which a daemon inside the node's namespace cannot. The cluster's daemon then uses the same
# data root.
images() {
  provision
  [[ -f "$RUNDIR/docker/docker.pid" ]] && fail "the cluster's dockerd runs: run 'down' before building images"
  start_dockerd build "" --bridge=none
  export DOCKER_HOST="unix://$BUILD_SOCK"
  if ! $DOCKER image inspect "$RUNTIME_BASE" >/dev/null 2>&1; then
    log "importing $RUNTIME_BASE from the debootstrap root file system"
    $DOCKER import "$CACHE/bookworm-minbase.tar" "$RUNTIME_BASE" >/dev/null
  fi
  if ! $DOCKER image inspect "$BUILD_IMAGE" >/dev/null 2>&1; then
    # The Dockerfile's default build image is a registry image; without a registry, the same thing is made from
    # the Debian base and this machine's JDK 25 (symlinks resolved: its cacerts is a link into /etc/ssl).
    local java_home="${JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk-* | head -n 1)}"
    "$java_home/bin/java" -version 2>&1 | grep -q '"25' || fail "JAVA_HOME must be a JDK 25 to make $BUILD_IMAGE"
    local ctx="$CACHE/build-image-context"
    rm -rf "$ctx" && mkdir -p "$ctx"
    cp -rL "$java_home" "$ctx/jdk"
    cat >"$ctx/Dockerfile" <<EOF
FROM $RUNTIME_BASE
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends binutils ca-certificates >/dev/null \
    && rm -rf /var/lib/apt/lists/*
COPY jdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:\$PATH
EOF
    log "making $BUILD_IMAGE from $RUNTIME_BASE and $java_home"
    DOCKER_BUILDKIT=1 $DOCKER build -q --network host -t "$BUILD_IMAGE" "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  if ! $DOCKER image inspect k8s.gcr.io/pause:3.2 >/dev/null 2>&1; then
    local ctx="$CACHE/pause-context"
    rm -rf "$ctx" && mkdir -p "$ctx"
    cp "$BIN/pause" "$ctx/pause"
    printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' >"$ctx/Dockerfile"
    DOCKER_BUILDKIT=1 $DOCKER build -q -t k8s.gcr.io/pause:3.2 "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  log "building $IMAGE from $REPO/Dockerfile"
  DOCKER_BUILDKIT=1 $DOCKER build -q --network host -t "$IMAGE" "$REPO" >/dev/null
  DOCKER_BUILDKIT=1 $DOCKER build -q --network host --build-arg "BASE=$BUILD_IMAGE" -t "$APP_IMAGE" \
    "$HERE/cluster/teardown-app" >/dev/null
  tenant_image
  # For containerd: the same images as one archive, imported into its k8s.io namespace at `up`.
  $DOCKER save -o "$CACHE/images.tar.tmp" "$IMAGE" "$APP_IMAGE" "$TENANT_IMAGE" k8s.gcr.io/pause:3.2
  mv "$CACHE/images.tar.tmp" "$CACHE/images.tar"
  unset DOCKER_HOST
  stop_pidfile "$RUNDIR/build/docker.pid"
}

# The hostile tenant of HostileTenantClusterTest, without a registry or a build stage: the static C helper
# scripts/cluster/tenant/tenant.c (gcc -static) and Debian's busybox-static (sh, sleep, cat for kubectl exec) in a
# root file system given to `docker import`, as the Debian base is. Rebuilt only when either changed (a label keeps
# their digest).
tenant_image() {
  local src="$HERE/cluster/tenant/tenant.c" digest root
  digest="$(cat "$src" /bin/busybox | sha256sum | cut -c1-16)"
  if [[ "$($DOCKER image inspect -f '{{index .Config.Labels "tcpteardown.digest"}}' "$TENANT_IMAGE" 2>/dev/null)" == \
    "$digest" ]]; then
    return 0
  fi
  log "building $TENANT_IMAGE from $src and busybox-static"
  root="$CACHE/tenant-root"
  rm -rf "$root" && mkdir -p "$root/bin" "$root/tmp"
  gcc -static -O2 -Wall -o "$root/bin/tenant" "$src"
  cp /bin/busybox "$root/bin/busybox"
  for applet in sh cat sleep ls ps; do ln -s busybox "$root/bin/$applet"; done
  tar -C "$root" -c . | $DOCKER import --change "LABEL tcpteardown.digest=$digest" --change "ENV PATH=/bin" \
    --change 'CMD ["/bin/sleep", "86400"]' - "$TENANT_IMAGE" >/dev/null
  rm -rf "$root"
}

# containerd with its CRI plugin in the node's namespace; pods on a CNI bridge (Debian's
# containernetworking-plugins), each container run through the sandbox wrapper.
start_containerd() {
  local dir="$RUNDIR/containerd"
  mkdir -p "$dir" "$STATE/cni" "$CACHE/containerd"
  cat >"$STATE/containerd.toml" <<TOML
version = 2
root = "$CACHE/containerd"
state = "$dir/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "k8s.gcr.io/pause:3.2"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$BIN/sandbox-runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$STATE/cni"
TOML
  cat >"$STATE/cni/10-pods.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "pods",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR", "gateway": "${POD_GATEWAY%/*}"}]],
              "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$STATE/cni/ipam"}}
  ]
}
JSON
  daemon containerd /usr/bin/containerd --config "$STATE/containerd.toml"
  wait_for "containerd" 30 /usr/bin/ctr --address "$CONTAINERD_SOCK" version
  /usr/bin/ctr --address "$CONTAINERD_SOCK" -n k8s.io images import "$CACHE/images.tar" >/dev/null
}

# ---- certificates ------------------------------------------------------------------------------------------------

sign() { # name subject [subjectAltName]
  local name="$1" subject="$2" san="${3:-}" pki="$STATE/pki"
  openssl genrsa -out "$pki/$name.key" 2048 2>/dev/null
  openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
  local ext="$pki/$name.ext"
  echo "extendedKeyUsage=serverAuth,clientAuth" >"$ext"
  [[ -n "$san" ]] && echo "subjectAltName=$san" >>"$ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 30 \
    -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
}

kubeconfig() { # name server
  local name="$1" server="$2" pki="$STATE/pki"
  cat >"$STATE/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 "$pki/$name.crt")
    client-key-data: $(base64 -w0 "$pki/$name.key")
contexts:
- name: tcp-teardown-local
  context: {cluster: local, user: $name}
current-context: tcp-teardown-local
EOF
}

certificates() {
  local pki="$STATE/pki"
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 30 \
    -subj "/CN=tcp-teardown-local-ca" 2>/dev/null
  sign apiserver "/CN=kube-apiserver" \
    "IP:$NODE_IP,IP:$SERVICE_IP,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  sign admin "/O=system:masters/CN=admin"
  sign controller-manager "/CN=system:kube-controller-manager"
  sign scheduler "/CN=system:kube-scheduler"
  sign kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  kubeconfig admin "https://$NODE_IP:443"
  kubeconfig controller-manager "https://$NODE_IP:443"
  kubeconfig scheduler "https://$NODE_IP:443"
  kubeconfig kubelet "https://$NODE_IP:443"
}

# ---- up / down ---------------------------------------------------------------------------------------------------

in_node() { nsenter "--net=/var/run/netns/$NETNS" "$@"; }

daemon() { # name command...
  local name="$1"
  shift
  setsid nsenter "--net=/var/run/netns/$NETNS" "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$RUNDIR/$name.pid"
}

network() {
  ip netns add "$NETNS"
  ip link add tt-host type veth peer name tt-node
  ip link set tt-node netns "$NETNS"
  ip addr add "$HOST_IP/24" dev tt-host
  ip link set tt-host up
  in_node ip link set lo up
  in_node ip addr add "$NODE_IP/24" dev tt-node
  in_node ip link set tt-node up
  in_node ip addr add "$SERVICE_IP/32" dev lo
  # The node routes between this machine and its pods (a sysctl of the node's own namespace only).
  in_node sysctl -qw net.ipv4.ip_forward=1
  ip route add "$POD_CIDR" via "$NODE_IP" dev tt-host
}

wait_for() { # description seconds command...
  local what="$1" seconds="$2"
  shift 2
  for _ in $(seq 1 $((seconds * 2))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "timed out after ${seconds}s waiting for $what (logs in $STATE/logs)"
}

kctl() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }

up() {
  if status >/dev/null 2>&1; then
    log "already running; kubeconfig: $KUBECONFIG_FILE"
    echo "$KUBECONFIG_FILE"
    return 0
  fi
  down >/dev/null 2>&1 || true
  images
  command -v kubectl >/dev/null || fail "kubectl missing (provision-kube-apiserver.sh installs Debian's)"
  local apiserver="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/1.20.2-linux-amd64/kube-apiserver"
  [[ -x "$apiserver" ]] || fail "kube-apiserver missing: run scripts/provision-kube-apiserver.sh"
  mkdir -p "$STATE/logs" "$RUNDIR" "$STATE/etcd" "$STATE/kubelet"
  certificates
  network
  log "starting etcd, kube-apiserver, controller-manager, scheduler, $RUNTIME and the kubelet in netns $NETNS"
  daemon etcd etcd --data-dir "$STATE/etcd" --listen-client-urls http://127.0.0.1:2379 \
    --advertise-client-urls http://127.0.0.1:2379 --listen-peer-urls http://127.0.0.1:2380
  local pki="$STATE/pki"
  daemon kube-apiserver "$apiserver" --etcd-servers http://127.0.0.1:2379 --bind-address 0.0.0.0 \
    --secure-port 443 --advertise-address "$NODE_IP" --tls-cert-file "$pki/apiserver.crt" \
    --tls-private-key-file "$pki/apiserver.key" --client-ca-file "$pki/ca.crt" \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode Node,RBAC --allow-privileged=true \
    --enable-admission-plugins NodeRestriction --insecure-port 0 --kubelet-preferred-address-types InternalIP \
    --kubelet-client-certificate "$pki/admin.crt" --kubelet-client-key "$pki/admin.key"
  wait_for "kube-apiserver" 90 kctl get --raw /readyz
  daemon kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --use-service-account-credentials=true --leader-elect=false --port 0
  daemon kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$STATE/scheduler.kubeconfig" --leader-elect=false \
    --port 0
  local runtime=()
  if [[ "$RUNTIME" == containerd ]]; then
    start_containerd
    runtime=(--container-runtime remote --container-runtime-endpoint "unix://$CONTAINERD_SOCK")
  else
    start_dockerd docker "$NETNS" --bip "$POD_GATEWAY"
    runtime=(--container-runtime docker --docker-endpoint "unix://$NODE_SOCK")
  fi
  # Sandbox only: AlwaysAllow and anonymous access on the kubelet port keep `kubectl logs` simple here; a real
  # kubelet authenticates the API server's client certificate and authorizes through a webhook.
  daemon kubelet "$BIN/kubelet" --kubeconfig "$STATE/kubelet.kubeconfig" "${runtime[@]}" \
    --cgroup-driver cgroupfs --fail-swap-on=false --node-ip "$NODE_IP" \
    --hostname-override "$NODE_NAME" --root-dir "$STATE/kubelet" --cert-dir "$STATE/kubelet/pki" \
    --pod-infra-container-image k8s.gcr.io/pause:3.2 --anonymous-auth=true --authorization-mode AlwaysAllow \
    --image-gc-high-threshold 100 --image-gc-low-threshold 99 --eviction-hard "" \
    --runtime-request-timeout 5m --serialize-image-pulls=false
  wait_for "node $NODE_NAME Ready" 180 bash -c \
    "kubectl --kubeconfig '$KUBECONFIG_FILE' get node $NODE_NAME -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
  wait_for "the default ServiceAccount" 60 kctl -n default get serviceaccount default
  # The node lifecycle controller removes the not-ready taint a while after Ready; do not wait for it.
  kctl taint node "$NODE_NAME" node.kubernetes.io/not-ready- >/dev/null 2>&1 || true
  log "up; kubeconfig: $KUBECONFIG_FILE"
  echo "$KUBECONFIG_FILE"
}

down() {
  require_root_linux
  if [[ -S "$NODE_SOCK" ]]; then
    # Containers first, so that no pod process outlives its daemon.
    DOCKER_HOST="unix://$NODE_SOCK" $DOCKER ps -q 2>/dev/null |
      xargs -r env DOCKER_HOST="unix://$NODE_SOCK" $DOCKER rm -f >/dev/null 2>&1 || true
  fi
  for name in kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do
    stop_pidfile "$RUNDIR/$name.pid"
  done
  if [[ -S "$CONTAINERD_SOCK" ]]; then
    # containerd's shims outlive it: kill every task, then the shims of this containerd.
    local ctr=(/usr/bin/ctr --address "$CONTAINERD_SOCK" -n k8s.io)
    for task in $("${ctr[@]}" tasks ls -q 2>/dev/null); do
      "${ctr[@]}" tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
    sleep 1
    pkill -KILL -f "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK" 2>/dev/null || true
  fi
  stop_pidfile "$RUNDIR/containerd.pid"
  # Pod network namespaces that containerd's CRI plugin bind-mounted (named cni-<uuid>).
  for ns in /var/run/netns/cni-*; do
    [[ -e "$ns" ]] || continue
    umount "$ns" 2>/dev/null || true
    rm -f "$ns"
  done
  stop_pidfile "$RUNDIR/docker/docker.pid"
  stop_pidfile "$RUNDIR/build/docker.pid"
  # The kubelet's pod cgroups would otherwise stay behind under /kubepods.
  for hierarchy in /sys/fs/cgroup/*/kubepods; do
    [[ -d "$hierarchy" ]] && find "$hierarchy" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  ip route del "$POD_CIDR" 2>/dev/null || true
  ip link del tt-host 2>/dev/null || true
  ip netns del "$NETNS" 2>/dev/null || true
  # The kubelet's volume mounts and dockerd's network namespace handles (nsfs mounts under its exec root).
  awk -v state="$STATE" -v run="$RUNDIR" 'index($2, state) == 1 || index($2, run) == 1 {print $2}' /proc/mounts |
    sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$STATE" "$RUNDIR/docker" "$RUNDIR/build" "$RUNDIR/containerd" "$RUNDIR"/*.pid
  log "down"
}

status() {
  [[ -f "$KUBECONFIG_FILE" ]] || return 1
  kctl get --raw /readyz >/dev/null 2>&1 || return 1
  echo "$KUBECONFIG_FILE"
}

case "${1:-}" in
  provision) provision ;;
  images) images ;;
  up) up ;;
  down) down ;;
  status) status ;;
  *)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
