#!/usr/bin/env bash
# Installs the Debian tools the tests and the demo use as independent oracles, once.
set -euo pipefail
needed=()
command -v arping >/dev/null || needed+=(arping)
command -v ndisc6 >/dev/null || needed+=(ndisc6)
command -v tcpdump >/dev/null || needed+=(tcpdump)
command -v ip >/dev/null || needed+=(iproute2)
command -v ping >/dev/null || needed+=(iputils-ping)
command -v curl >/dev/null || needed+=(curl)
command -v iptables >/dev/null || needed+=(iptables) # the gauntlet's gossip partition
command -v python3 >/dev/null || needed+=(python3) # test/netns/tools/replay-udp.py: gossip replay
command -v cc >/dev/null || needed+=(gcc)           # test/netns/tools/udp-flood.c: gossip flood
command -v promtool >/dev/null || needed+=(prometheus) # promtool: the alert rule tests
command -v kubectl >/dev/null || needed+=(kubernetes-client) # kubectl kustomize: the manifest tests
if ((${#needed[@]} > 0)); then
  echo "installing Debian packages: ${needed[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || true
  apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
