#!/usr/bin/env bash
# Provisions kube-apiserver, etcd and kubectl for Fabric8 kube-api-test without internet access,
# from Debian's packages: kube-apiserver is built from Debian's source package `kubernetes` (1.20.2).
# Idempotent: does nothing when the binaries are already in place. Users with internet access do not
# need this script; kube-api-test downloads its binaries itself.
set -euo pipefail

VERSION="${KUBE_API_TEST_VERSION:-1.20.2}"
TARGET="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/${VERSION}-linux-amd64"
WORK="${KUBE_API_TEST_BUILD_DIR:-/var/cache/tcp-teardown/kube-apiserver-build}"

if [[ -x "$TARGET/kube-apiserver" && -x "$TARGET/etcd" && -x "$TARGET/kubectl" ]]; then
  echo "kube-api-test binaries present in $TARGET"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [[ ! -f /etc/apt/sources.list.d/debian-src.sources ]]; then
  cat > /etc/apt/sources.list.d/debian-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends dpkg-dev golang-go rsync etcd-server \
  golang-github-modern-go-reflect2-dev make >/dev/null

mkdir -p "$WORK"
cd "$WORK"
if ! ls -d kubernetes-*/ >/dev/null 2>&1; then
  apt-get source -qq kubernetes >/dev/null
fi
SRC_DIR="$(ls -d "$WORK"/kubernetes-*/ | head -n 1)"
SRC_DIR="${SRC_DIR%/}"
cd "$SRC_DIR"

# The vendored reflect2 1.0.1 makes kube-apiserver segfault on the first custom resource under Go 1.19.
REFLECT2=/usr/share/gocode/src/github.com/modern-go/reflect2
rm -rf vendor/github.com/modern-go/reflect2
mkdir -p vendor/github.com/modern-go/reflect2
cp -r "$REFLECT2"/. vendor/github.com/modern-go/reflect2/
find vendor/github.com/modern-go/reflect2 -name '*_test.go' -delete

mkdir -p .go/src/k8s.io
ln -sfn "$SRC_DIR" .go/src/k8s.io/kubernetes
cd .go/src/k8s.io/kubernetes
GOPATH="$SRC_DIR/.go" CGO_ENABLED=0 GOFLAGS=-mod=vendor make WHAT=cmd/kube-apiserver

BUILT="$(find "$SRC_DIR/_output" -type f -name kube-apiserver -perm -u+x | head -n 1)"
mkdir -p "$TARGET"
install -m 0755 "$BUILT" "$TARGET/kube-apiserver"
install -m 0755 "$(command -v etcd)" "$TARGET/etcd"
install -m 0755 "$(command -v kubectl)" "$TARGET/kubectl"
echo "kube-api-test binaries installed in $TARGET"
