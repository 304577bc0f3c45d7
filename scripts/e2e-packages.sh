#!/usr/bin/env bash
# Installs, once, the Debian packages the end-to-end cluster uses: the container runtime (containerd,
# runc, the CNI plugins), the image tools (buildah, mmdebstrap, skopeo), iptables and conntrack for
# kube-proxy, a static C toolchain for the pause image, and the client's own tools.
set -euo pipefail
PACKAGES=(containerd runc containernetworking-plugins buildah mmdebstrap skopeo iptables conntrack
  gcc libc6-dev openssl arping ndisc6 curl iputils-ping iproute2 util-linux)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  echo "e2e-packages: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || true
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
