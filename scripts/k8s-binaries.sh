#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go module proxy (toolchain.md §5.1, "route A") and caches
# them outside the repository, keyed by version, so a warm run only prints the paths.
# Output (stdout, last two lines): KUBE_APISERVER=<path> and ETCD=<path>. Logs go to stderr.
# Measured here (Go 1.26.8, 2 shared cores, -p 2): etcd 78 s; kube-apiserver v1.37.2 2016 s wall
# (13 min CPU) while five other engineers loaded the machine. Warm cache: about 10 ms.
# Idempotent: a binary is published by an atomic rename only after a successful build.
set -euo pipefail

K8S_VERSION="${FERROLB_K8S_VERSION:-v1.37.2}"
ETCD_VERSION="${FERROLB_ETCD_VERSION:-v3.6.16}"
CACHE_ROOT="${FERROLB_K8S_CACHE:-/var/cache/ferrolb}"
# Shared machines: keep the build polite unless the caller says otherwise.
BUILD_PARALLELISM="${FERROLB_GO_BUILD_P:-2}"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-buildvcs=false -mod=mod"

log() { echo "k8s-binaries: $*" >&2; }

require_go() {
  if ! command -v go >/dev/null 2>&1; then
    for candidate in /usr/local/go/bin /usr/lib/go/bin; do
      [[ -x "$candidate/go" ]] && export PATH="$candidate:$PATH" && break
    done
  fi
  command -v go >/dev/null 2>&1 || { log "Go toolchain not found (need >= the go line of k8s.io/kubernetes $K8S_VERSION)"; exit 1; }
}

# Every `X => ../something` or `X => ./staging/...` replace in an upstream go.mod is lost when the
# module is used as a dependency (golang/go#44840), so re-pin each to a released version.
pinned_replaces() {
  local module_file="$1" version="$2"
  sed -n 's/^[[:space:]]*\([^[:space:]]*\)[[:space:]]*=>[[:space:]]*\.\.*\/.*$/\1/p' "$module_file" |
    grep -v '^replace$' | while read -r module; do
      echo "replace $module => $module $version"
    done
}

# upstream_go_mod <module@version> <dest>: the module's own go.mod, through whatever GOPROXY is set.
upstream_go_mod() {
  local probe
  probe="$(mktemp -d /tmp/ferrolb-go-probe.XXXXXX)"
  printf 'module probe\n\ngo 1.24\n' >"$probe/go.mod"
  local path
  path="$(cd "$probe" && go mod download -json "$1" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  cp "$path" "$2"
  rm -rf "$probe"
}

# build_wrapper <work dir> <main package> <output> <go.mod body> [ldflags]
build_wrapper() {
  local work="$1" package="$2" output="$3" body="$4" ldflags="${5:-}"
  mkdir -p "$work"
  printf '%s\n' "$body" >"$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" >"$work/tools.go"
  (cd "$work" && go mod tidy) >&2
  (cd "$work" && nice -n 10 go build -p "$BUILD_PARALLELISM" -trimpath -ldflags "-s -w $ldflags" \
    -o "$output.partial" "$package") >&2
  mv -f "$output.partial" "$output"
}

build_apiserver() {
  local target="$1" work minor
  work="$(mktemp -d /tmp/ferrolb-k8s-build.XXXXXX)"
  minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
  local staging_version="v0.${K8S_VERSION#v1.}"
  upstream_go_mod "k8s.io/kubernetes@$K8S_VERSION" "$work/upstream.mod"
  local body
  body="module ferrolb.local/kube-apiserver-build

go 1.24

require k8s.io/kubernetes $K8S_VERSION
$(pinned_replaces "$work/upstream.mod" "$staging_version")"
  local version_package=k8s.io/component-base/version
  build_wrapper "$work/module" k8s.io/kubernetes/cmd/kube-apiserver "$target" "$body" \
    "-X $version_package.gitVersion=$K8S_VERSION -X $version_package.gitMajor=1 -X $version_package.gitMinor=$minor -X $version_package.gitTreeState=clean"
  rm -rf "$work"
}

build_etcd() {
  local target="$1" work
  work="$(mktemp -d /tmp/ferrolb-etcd-build.XXXXXX)"
  upstream_go_mod "go.etcd.io/etcd/server/v3@$ETCD_VERSION" "$work/upstream.mod"
  local body
  body="module ferrolb.local/etcd-build

go 1.24

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
$(pinned_replaces "$work/upstream.mod" "$ETCD_VERSION" | grep 'go.etcd.io/etcd/')"
  build_wrapper "$work/module" go.etcd.io/etcd/server/v3 "$target" "$body"
  rm -rf "$work"
}

main() {
  local apiserver="$CACHE_ROOT/k8s-$K8S_VERSION/kube-apiserver"
  local etcd="$CACHE_ROOT/etcd-$ETCD_VERSION/etcd"
  mkdir -p "$(dirname "$apiserver")" "$(dirname "$etcd")"
  # One build at a time per cache, also across concurrent `make test` runs.
  exec 9>"$CACHE_ROOT/.build.lock"
  flock 9
  if [[ ! -x "$etcd" ]]; then
    require_go
    log "building etcd $ETCD_VERSION (first run only)"
    local started=$SECONDS
    build_etcd "$etcd"
    log "etcd built in $((SECONDS - started)) s"
  fi
  if [[ ! -x "$apiserver" ]]; then
    require_go
    log "building kube-apiserver $K8S_VERSION (first run only; several minutes on 2 cores)"
    local started=$SECONDS
    build_apiserver "$apiserver"
    log "kube-apiserver built in $((SECONDS - started)) s"
  fi
  echo "KUBE_APISERVER=$apiserver"
  echo "ETCD=$etcd"
}

main "$@"
