#!/usr/bin/env bash
# Builds helm v3 from the Go module proxy and caches it outside the repository, keyed by version, so
# a warm run only prints the path. Used by the chart tests (test/k8s/helm*.test.ts).
# Output (stdout, last line): HELM=<path>. Logs go to stderr.
# Idempotent: the binary is published by an atomic rename only after a successful build.
set -euo pipefail

HELM_VERSION="${FERROLB_HELM_VERSION:-v3.22.0}"
CACHE_ROOT="${FERROLB_HELM_CACHE:-/var/cache/ferrolb}"
# Shared 2-core machines: one package at a time, at low priority.
BUILD_PARALLELISM="${FERROLB_GO_BUILD_P:-1}"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-buildvcs=false"

log() { echo "helm-binary: $*" >&2; }

require_go() {
  if ! command -v go >/dev/null 2>&1; then
    for candidate in /usr/local/go/bin /usr/lib/go/bin; do
      [[ -x "$candidate/go" ]] && export PATH="$candidate:$PATH" && break
    done
  fi
  command -v go >/dev/null 2>&1 || { log "Go toolchain not found (need one new enough for helm $HELM_VERSION)"; exit 1; }
}

build_helm() {
  local target="$1" work
  work="$(mktemp -d /tmp/ferrolb-helm-build.XXXXXX)"
  # `go install pkg@version` builds the module exactly as released (its go.sum, no local go.mod).
  # helm reads its version from these variables; without them `helm version` prints v3.x-dev.
  local version_package=helm.sh/helm/v3/internal/version
  GOBIN="$work" nice -n 10 go install -p "$BUILD_PARALLELISM" -trimpath \
    -ldflags "-s -w -X $version_package.version=$HELM_VERSION -X $version_package.gitTreeState=clean" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
  mv -f "$work/helm" "$target.partial"
  mv -f "$target.partial" "$target"
  rm -rf "$work"
}

main() {
  local helm="$CACHE_ROOT/helm-$HELM_VERSION/helm"
  mkdir -p "$(dirname "$helm")"
  # One build at a time per version, also across concurrent test runs.
  exec 9>"$(dirname "$helm")/.build.lock"
  flock 9
  if [[ ! -x "$helm" ]]; then
    require_go
    log "building helm $HELM_VERSION (first run only; a few minutes on 2 cores)"
    local started=$SECONDS
    build_helm "$helm"
    log "helm built in $((SECONDS - started)) s"
  fi
  echo "HELM=$helm"
}

main "$@"
