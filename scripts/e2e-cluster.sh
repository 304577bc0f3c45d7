#!/usr/bin/env bash
# The end-to-end tier's cluster: a real control plane and three kubelet nodes on this machine, each
# node its own containerd + kubelet + kube-proxy in its own network namespace on one bridge, and a
# client namespace (docs/testing.md). Measured recipe: kubelet-lab.md (pitfalls 1-7 cited below).
#   e2e-cluster.sh up            sweep what a crashed run left, then build/fetch the parts and start
#   e2e-cluster.sh down          stop everything and put the host back (sysctls, cgroups, mounts, netns)
#   e2e-cluster.sh crash <node>  cut a node's link and kill its kubelet, containerd and containers
#   e2e-cluster.sh tag <image> <new image>  a second tag of an imported image, on every node
#   e2e-cluster.sh kubectl ...   kubectl as the admin, from the control plane's namespace
# `up` prints KEY=value lines (kubeconfig, binaries, image names) for the tests, also kept in
# /run/ferrolb-e2e/cluster.env.
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/e2e-host.sh
source "$SCRIPTS/e2e-host.sh"
# shellcheck source=scripts/e2e-network.sh
source "$SCRIPTS/e2e-network.sh"
# shellcheck source=scripts/e2e-control-plane.sh
source "$SCRIPTS/e2e-control-plane.sh"
# shellcheck source=scripts/e2e-node.sh
source "$SCRIPTS/e2e-node.sh"

load_parts() {
  "$SCRIPTS/e2e-packages.sh"
  # Into a variable first: a failing script then stops `up` here (set -e), with its own message.
  local parts line
  parts="$("$SCRIPTS/k8s-binaries.sh")"$'\n'"$("$SCRIPTS/e2e-binaries.sh")"$'\n'"$("$SCRIPTS/e2e-image.sh")"
  while IFS= read -r line; do [[ "$line" == *=* ]] && export "${line?}"; done <<<"$parts"
  return 0
}

down() {
  local node
  for node in "${E2E_NODES[@]}"; do
    stop_process "kubelet-$node" KILL
    stop_process "kube-proxy-$node" KILL
    kill_containers "$(node_run "$node")/runc/k8s.io"
  done
  stop_all_processes
  kill_shims
  remove_cgroups
  unmount_all
  remove_namespaces
  restore_sysctls
  rm -rf "$E2E_RUN" "$E2E_DATA"
}

# log_node_tails: the end of each node's kubelet and containerd logs, so a node that never became
# Ready says why in the test's error (the logs go with the run directory at `down`).
log_node_tails() {
  local node name
  for node in "${E2E_NODES[@]}"; do
    for name in "kubelet-$node" "containerd-$node"; do
      log "--- $name (last 15 lines)"
      tail -n 15 "$E2E_DATA/logs/$name.log" >&2 2>/dev/null || true
    done
  done
}

wait_for_nodes() {
  local waited=0
  until [[ "$(e2e_kubectl get nodes --no-headers 2>/dev/null | grep -c ' Ready ')" == "${#E2E_NODES[@]}" ]]; do
    ((waited++ < 600)) || { log "nodes not Ready: $(e2e_kubectl get nodes 2>&1)"; log_node_tails; return 1; }
    sleep 0.2
  done
}

# Every node accepts ICMP for the pool range through a local route (as kube-proxy's IPVS mode binds
# LoadBalancer IPs), so a 10 ms ping measures the layer-2 path; arp_ignore=1 keeps the kernel from
# answering ARP for those addresses: only the speaker does.
accept_pool_icmp() {
  local node
  for node in "${E2E_NODES[@]}"; do
    in_netns "$node" sysctl -q -w net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
    in_netns "$node" ip route add local "$E2E_POOL4" dev lo
  done
}

up() {
  local started=$SECONDS
  down
  load_parts
  log "parts ready in $((SECONDS - started)) s"
  save_sysctls
  mkdir -p "$E2E_RUN" "$E2E_DATA"
  create_network
  accept_pool_icmp
  start_control_plane
  local node
  for node in "${E2E_NODES[@]}"; do start_containerd "$node"; done
  # Only the imports: a bare `wait` would also wait for the daemons started in the background.
  local imports=()
  for node in "${E2E_NODES[@]}"; do
    import_images "$node" "$PAUSE_ARCHIVE" "$IMAGE_ARCHIVE" &
    imports+=("$!")
  done
  wait "${imports[@]}"
  for node in "${E2E_NODES[@]}"; do start_kubelet "$node"; done
  wait_for_nodes
  write_environment
  log "cluster up in $((SECONDS - started)) s"
  cat "$E2E_RUN/cluster.env"
}

write_environment() {
  cat >"$E2E_RUN/cluster.env" <<ENV
KUBECONFIG=$E2E_PKI/admin.kubeconfig
KUBECTL=$KUBECTL
CONTROL_PLANE_NETNS=$E2E_PREFIX-cp
CLIENT_NETNS=$E2E_PREFIX-cl
NODES=${E2E_NODES[*]}
NODE_NETNS_PREFIX=$E2E_PREFIX-
IMAGE=$IMAGE
IMAGE_SIZE=$IMAGE_SIZE
POOL4=$E2E_POOL4
POOL6=$E2E_POOL6
ENV
}

main() {
  [[ $EUID -eq 0 ]] || { log "needs root (network namespaces, containerd, kubelet)"; exit 1; }
  case "${1:-}" in
    up) up ;;
    down) down ;;
    crash) crash_node "$2" ;;
    tag) for node in "${E2E_NODES[@]}"; do
        ctr --address "$(node_run "$node")/containerd.sock" -n k8s.io images tag --force "$2" "$3" >/dev/null
      done ;;
    kubectl) shift && KUBECTL="$(sed -n 's/^KUBECTL=//p' "$E2E_RUN/cluster.env")" && e2e_kubectl "$@" ;;
    *) echo "usage: $0 up|down|crash <node>|tag <image> <new image>|kubectl ..." >&2; exit 2 ;;
  esac
}

main "$@"
