#!/usr/bin/env bash
# Builds the node and control-plane binaries of the end-to-end cluster (kubelet, kube-proxy,
# kube-controller-manager, kube-scheduler, kubectl) from the Go module proxy, of the same version as
# the test kube-apiserver (scripts/k8s-binaries.sh: same wrapper-module approach, CGO off), and
# caches them in the same directory, keyed by version. One `go build` builds all five, so the
# packages they share compile once. A warm run only prints the paths.
# Output (stdout): KUBELET=, KUBE_PROXY=, KUBE_CONTROLLER_MANAGER=, KUBE_SCHEDULER=, KUBECTL=.
# The build takes the same lock as scripts/k8s-binaries.sh, so Go builds on this cache never overlap.
# Measured here: see docs/testing.md.
set -euo pipefail

K8S_VERSION="${FERROLB_K8S_VERSION:-v1.37.2}"
CACHE_ROOT="${FERROLB_K8S_CACHE:-/var/cache/ferrolb}"
BUILD_PARALLELISM="${FERROLB_GO_BUILD_P:-2}"
COMMANDS=(kubelet kube-proxy kube-controller-manager kube-scheduler kubectl)

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-buildvcs=false -mod=mod"

log() { echo "e2e-binaries: $*" >&2; }

require_go() {
  if ! command -v go >/dev/null 2>&1; then
    for candidate in /usr/local/go/bin /usr/lib/go/bin; do
      [[ -x "$candidate/go" ]] && export PATH="$candidate:$PATH" && break
    done
  fi
  command -v go >/dev/null 2>&1 || { log "Go toolchain not found (need >= the go line of k8s.io/kubernetes $K8S_VERSION)"; exit 1; }
}

# Every relative replace of k8s.io/kubernetes's go.mod is lost when it is a dependency
# (golang/go#44840): re-pin each staging module to its released version.
pinned_replaces() {
  sed -n 's/^[[:space:]]*\([^[:space:]]*\)[[:space:]]*=>[[:space:]]*\.\.*\/.*$/\1/p' "$1" |
    grep -v '^replace$' | while read -r module; do echo "replace $module => $module $2"; done
}

upstream_go_mod() {
  local probe path
  probe="$(mktemp -d /tmp/ferrolb-go-probe.XXXXXX)"
  printf 'module probe\n\ngo 1.24\n' >"$probe/go.mod"
  path="$(cd "$probe" && go mod download -json "$1" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  cp "$path" "$2"
  rm -rf "$probe"
}

build_all() {
  local target_directory="$1" work minor version_package=k8s.io/component-base/version
  work="$(mktemp -d /tmp/ferrolb-e2e-build.XXXXXX)"
  minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
  upstream_go_mod "k8s.io/kubernetes@$K8S_VERSION" "$work/upstream.mod"
  mkdir -p "$work/module" "$work/out"
  {
    printf 'module ferrolb.local/e2e-build\n\ngo 1.24\n\nrequire k8s.io/kubernetes %s\n' "$K8S_VERSION"
    pinned_replaces "$work/upstream.mod" "v0.${K8S_VERSION#v1.}"
  } >"$work/module/go.mod"
  local packages=() command
  for command in "${COMMANDS[@]}"; do packages+=("k8s.io/kubernetes/cmd/$command"); done
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for command in "${packages[@]}"; do printf '\t_ "%s"\n' "$command"; done
    printf ')\n'
  } >"$work/module/tools.go"
  (cd "$work/module" && go mod tidy) >&2
  (cd "$work/module" && nice -n 10 go build -p "$BUILD_PARALLELISM" -trimpath \
    -ldflags "-s -w -X $version_package.gitVersion=$K8S_VERSION -X $version_package.gitMajor=1 -X $version_package.gitMinor=$minor -X $version_package.gitTreeState=clean" \
    -o "$work/out/" "${packages[@]}") >&2
  for command in "${COMMANDS[@]}"; do mv -f "$work/out/$command" "$target_directory/$command"; done
  rm -rf "$work"
}

all_present() {
  local command
  for command in "${COMMANDS[@]}"; do [[ -x "$1/$command" ]] || return 1; done
}

main() {
  local directory="$CACHE_ROOT/k8s-$K8S_VERSION"
  mkdir -p "$directory"
  if ! all_present "$directory"; then
    exec 9>"$CACHE_ROOT/.build.lock"
    log "waiting for the build lock $CACHE_ROOT/.build.lock"
    flock 9
    if ! all_present "$directory"; then
      require_go
      log "building ${COMMANDS[*]} $K8S_VERSION (first run only; several minutes on 2 cores)"
      local started=$SECONDS
      build_all "$directory"
      log "built in $((SECONDS - started)) s"
    fi
  fi
  echo "KUBELET=$directory/kubelet"
  echo "KUBE_PROXY=$directory/kube-proxy"
  echo "KUBE_CONTROLLER_MANAGER=$directory/kube-controller-manager"
  echo "KUBE_SCHEDULER=$directory/kube-scheduler"
  echo "KUBECTL=$directory/kubectl"
}

main "$@"
