#!/usr/bin/env bash
# The product end to end, on a throwaway cluster:
#
#   scripts/demo.sh up   [--context NAME]   build and load the image, install the chart, apply example profiles,
#                                           make teardown traffic (a CLOSE_WAIT leak included), print what it shows
#   scripts/demo.sh down [--context NAME]   remove everything `up` made (profiles first, so that nodes get their
#                                           original values back)
#
# --context NAME: a kind (kind-*), k3d (k3d-*) or minikube (minikube) context, named explicitly: the agent is
# privileged and writes node sysctls, so the current context is never used silently. Without it: the local
# single-node cluster of scripts/local-cluster.sh (Linux, root).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
ACTION="${1:-}"
shift || true
CONTEXT=""
while (($#)); do
  case "$1" in
    --context) CONTEXT="${2:?--context needs a name}"; shift 2 ;;
    --context=*) CONTEXT="${1#--context=}"; shift ;;
    *) echo "demo: unknown argument $1 (usage: scripts/demo.sh up|down [--context NAME])" >&2; exit 2 ;;
  esac
done
[[ "$ACTION" == up || "$ACTION" == down ]] || {
  echo "usage: scripts/demo.sh up|down [--context NAME]" >&2
  exit 2
}

NAMESPACE=tcp-teardown
APPS=teardown-demo
WORK="${TMPDIR:-/tmp}/tcp-teardown-demo"
mkdir -p "$WORK"
KUBECONFIG_FILE="$WORK/kubeconfig"

say() { echo "demo: $*" >&2; }
cannot() {
  echo "demo: cannot run here: $*" >&2
  exit 1
}

# ---- the target cluster ------------------------------------------------------------------------------------------

if [[ -n "$CONTEXT" ]]; then
  case "$CONTEXT" in
    kind-*) KIND=kind ;;
    k3d-*) KIND=k3d ;;
    minikube) KIND=minikube ;;
    *) cannot "context '$CONTEXT' is not a kind-*, k3d-* or minikube context; the agent is privileged and writes node sysctls, so only a throwaway cluster named explicitly is used" ;;
  esac
  command -v kubectl >/dev/null || cannot "kubectl is not on PATH"
  kubectl config view --raw --minify --context "$CONTEXT" >"$KUBECONFIG_FILE" 2>/dev/null ||
    cannot "no context '$CONTEXT' in your kubeconfig (kubectl config get-contexts)"
  IMAGE_REPOSITORY=tcp-teardown-operator
  IMAGE_TAG=demo
  APP_IMAGE=tcp-teardown-app:demo
else
  KIND=local
  [[ "$(uname -s)" == Linux ]] || cannot "no --context given and the local cluster needs Linux; name a kind, k3d or minikube context"
  [[ "$(id -u)" == 0 ]] || cannot "no --context given and the local cluster needs root; name a kind, k3d or minikube context"
  IMAGE_REPOSITORY=tcp-teardown-operator
  IMAGE_TAG=dev
  APP_IMAGE=tcp-teardown-app:dev
fi

kctl() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# Helm: the helm CLI where there is one; otherwise the helm-java library the tests use (Helm's own code, embedded).
helm_run() { # install|uninstall [key=value...]
  if command -v helm >/dev/null; then
    local verb="$1"
    shift
    if [[ "$verb" == install ]]; then
      local sets=()
      for kv in "$@"; do sets+=(--set "$kv"); done
      helm --kubeconfig "$KUBECONFIG_FILE" upgrade --install tcp-teardown "$REPO/helm/tcp-teardown-operator" \
        --namespace "$NAMESPACE" --create-namespace --wait --timeout 5m "${sets[@]}"
    else
      helm --kubeconfig "$KUBECONFIG_FILE" uninstall tcp-teardown --namespace "$NAMESPACE" --ignore-not-found
    fi
  else
    [[ -n "${JAVA_HOME:-}" ]] || JAVA_HOME="$(ls -d /usr/lib/jvm/temurin-25-jdk-* 2>/dev/null | head -n 1 || true)"
    [[ -n "$JAVA_HOME" ]] || cannot "neither helm nor a JDK 25 (JAVA_HOME) to run Helm through helm-java"
    export JAVA_HOME
    (cd "$REPO" && ./mvnw -B -q -pl operator test-compile exec:java -Dexec.classpathScope=test \
      -Dexec.mainClass=io.tcpteardown.delivery.HelmRunner -Dexec.args="$* kubeconfig=$KUBECONFIG_FILE")
  fi
}

load_images() {
  local build=(env DOCKER_BUILDKIT=1 docker build -q)
  command -v docker >/dev/null || cannot "docker is not on PATH (needed to build the image)"
  say "building $IMAGE_REPOSITORY:$IMAGE_TAG from the Dockerfile"
  "${build[@]}" -t "$IMAGE_REPOSITORY:$IMAGE_TAG" "$REPO" >/dev/null
  "${build[@]}" --build-arg "BASE=$(sed -n 's/^ARG BUILD_IMAGE=//p' "$REPO/Dockerfile")" -t "$APP_IMAGE" \
    "$HERE/cluster/teardown-app" >/dev/null
  local cluster_name="${CONTEXT#*-}"
  case "$KIND" in
    kind) kind load docker-image --name "$cluster_name" "$IMAGE_REPOSITORY:$IMAGE_TAG" "$APP_IMAGE" ;;
    k3d) k3d image import -c "$cluster_name" "$IMAGE_REPOSITORY:$IMAGE_TAG" "$APP_IMAGE" ;;
    minikube) minikube image load "$IMAGE_REPOSITORY:$IMAGE_TAG" && minikube image load "$APP_IMAGE" ;;
  esac
}

workloads() {
  kctl create namespace "$APPS" --dry-run=client -o yaml | kctl apply -f - >/dev/null
  kctl label namespace "$APPS" tcp-teardown-demo=apps --overwrite >/dev/null
  for app in leaky-server server client; do
    local args='[server, "8080", --leak]'
    [[ "$app" == server ]] && args='[server, "8080"]'
    if [[ "$app" == client ]]; then
      local targets=""
      for server in leaky-server server; do
        kctl -n "$APPS" wait --for=condition=Ready pod -l "app=$server" --timeout=180s >/dev/null
        targets="$targets${targets:+,}$(kctl -n "$APPS" get pod -l "app=$server" -o jsonpath='{.items[0].status.podIP}')"
      done
      args="[client, \"$targets\", \"8080\", \"20\"]"
    fi
    kctl -n "$APPS" apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: $app}
spec:
  replicas: 1
  selector: {matchLabels: {app: $app}}
  template:
    metadata: {labels: {app: $app}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - {name: $app, image: $APP_IMAGE, imagePullPolicy: IfNotPresent, args: $args}
EOF
  done
  kctl -n "$APPS" wait --for=condition=Ready pod -l app=client --timeout=180s >/dev/null
}

up() {
  if [[ "$KIND" == local ]]; then
    say "starting the local single-node cluster (scripts/local-cluster.sh up; the first run builds Kubernetes and the images)"
    cp "$(bash "$HERE/local-cluster.sh" up | tail -n 1)" "$KUBECONFIG_FILE"
  else
    load_images
  fi
  say "installing the chart"
  helm_run install "image.repository=$IMAGE_REPOSITORY" "image.tag=$IMAGE_TAG" image.pullPolicy=IfNotPresent \
    agent.reportInterval=10s agent.pods.minInterval=5s agent.pods.cpuBudget=0.2 agent.pods.closeWaitThreshold=50
  say "applying examples/base.yaml and a profile that tunes the demo's client pods"
  kctl apply -f "$REPO/examples/base.yaml" >/dev/null
  kctl apply -f - >/dev/null <<EOF
apiVersion: tcpteardown.io/v1alpha1
kind: TcpTeardownProfile
metadata: {name: demo-clients}
spec:
  priority: 10
  finTimeoutSeconds: 30
  pods:
    namespaceSelector: {matchLabels: {tcp-teardown-demo: apps}}
    podSelector: {matchLabels: {app: client}}
    mode: Apply
EOF
  say "making teardown traffic in namespace $APPS: clients that close first, a server that closes too, one that never does"
  workloads
  say "waiting for the agent to count the pods and name the leak (up to 2 minutes)"
  for _ in $(seq 1 60); do
    kctl get ttn -o jsonpath='{.items[*].status.conditions[?(@.type=="CloseWaitLeak")].status}' 2>/dev/null |
      grep -q True && break
    sleep 2
  done
  kctl get ttp,ttn
  local node
  node="$(kctl get ttn -o jsonpath='{.items[0].metadata.name}')"
  cat <<EOF

Look further (kubeconfig: $KUBECONFIG_FILE):
  kubectl --kubeconfig $KUBECONFIG_FILE describe ttn $node                # conditions: Applied, CloseWaitLeak, ...
  kubectl --kubeconfig $KUBECONFIG_FILE get ttn $node -o jsonpath='{.status.pods}'   # per-pod counts, leak holders
  kubectl --kubeconfig $KUBECONFIG_FILE -n $APPS get events                # the CloseWaitLeak Event on the server pod
  kubectl --kubeconfig $KUBECONFIG_FILE describe ttp demo-clients          # a profile tuning pods' own namespaces
Remove everything: scripts/demo.sh down${CONTEXT:+ --context $CONTEXT}
EOF
}

down() {
  if [[ "$KIND" == local ]]; then
    bash "$HERE/local-cluster.sh" down
    return
  fi
  kctl delete namespace "$APPS" --ignore-not-found --wait=false >/dev/null
  kctl delete ttp demo-clients base --ignore-not-found >/dev/null 2>&1 || true
  say "waiting until no node has a value applied, so that every node has its originals back"
  for _ in $(seq 1 60); do
    applied="$(kctl get ttn -o jsonpath='{range .items[*]}{.status.applied}{end}' 2>/dev/null || true)"
    [[ -z "$applied" || "$applied" == "{}" || "$applied" == "map[]" ]] && break
    sleep 2
  done
  helm_run uninstall
  kctl delete -f "$REPO/helm/tcp-teardown-operator/crds/" --ignore-not-found >/dev/null
  kctl delete namespace "$NAMESPACE" --ignore-not-found >/dev/null
  say "removed"
}

"$ACTION"
