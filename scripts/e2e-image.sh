#!/usr/bin/env bash
# Builds ferrolb's image from the Dockerfile as shipped, with buildah (`bud --isolation chroot`,
# no daemon), on the base images scripts/e2e-base-images.sh makes under the FROM names, and saves
# it as a docker-archive for `ctr images import`. Cached under /var/cache/ferrolb/e2e-images by a
# hash of the build context's inputs and of the base images, so a warm run only prints the paths.
# Output (stdout): IMAGE=<name:tag>, IMAGE_ARCHIVE=<path>, IMAGE_BYTES=<uncompressed size>, and the
# PAUSE_IMAGE= / PAUSE_ARCHIVE= lines of scripts/e2e-base-images.sh.
set -euo pipefail

REPOSITORY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${FERROLB_K8S_CACHE:-/var/cache/ferrolb}/e2e-images"
IMAGE="${FERROLB_E2E_IMAGE:-ghcr.io/ferrolb/ferrolb:e2e-a}"

log() { echo "e2e-image: $*" >&2; }

# Everything the Dockerfile copies, plus the base images it starts from.
context_key() {
  cd "$REPOSITORY_ROOT"
  {
    git ls-files -s Dockerfile .dockerignore package.json package-lock.json tsconfig.json \
      tsconfig.build.json native src bin deploy/crds
    git diff HEAD -- Dockerfile .dockerignore package.json package-lock.json tsconfig.json \
      tsconfig.build.json native src bin deploy/crds
    git ls-files --others --exclude-standard -- native src bin deploy/crds | xargs -r cat
    grep '^FROM' Dockerfile | awk '{print $2}' | while read -r base; do
      [[ "$base" == */* ]] || base="docker.io/library/$base"
      buildah inspect --type image --format '{{.FromImageID}}' "$base"
    done
  } | sha256sum | cut -c1-16
}

main() {
  mkdir -p "$CACHE"
  "$REPOSITORY_ROOT/scripts/e2e-base-images.sh" >"$CACHE/.base-images.out"
  local archive
  archive="$CACHE/ferrolb-$(context_key).docker.tar"
  if [[ ! -s "$archive" ]]; then
    log "buildah bud $REPOSITORY_ROOT/Dockerfile -> $IMAGE"
    local started=$SECONDS
    buildah bud --isolation chroot --quiet -f "$REPOSITORY_ROOT/Dockerfile" -t "$IMAGE" \
      "$REPOSITORY_ROOT" >&2
    rm -f "$archive.partial"
    buildah push --quiet "$IMAGE" "docker-archive:$archive.partial:$IMAGE" >&2
    buildah inspect --type image --format '{{.FromImageID}}' "$IMAGE" >"$archive.id"
    mv -f "$archive.partial" "$archive"
    log "image built in $((SECONDS - started)) s"
  fi
  local bytes
  bytes="$(buildah images --format '{{.Size}}' --filter "id=$(cat "$archive.id")" 2>/dev/null | head -1)"
  echo "IMAGE=$IMAGE"
  echo "IMAGE_ARCHIVE=$archive"
  echo "IMAGE_SIZE=${bytes:-unknown}"
  cat "$CACHE/.base-images.out"
}

main "$@"
