#!/usr/bin/env bash
# Sourced by scripts/e2e-cluster.sh: one node = its own containerd (own root, state, sockets, runc
# root, CNI config and pod namespaces) + kubelet + kube-proxy, each started in the node's network
# namespace only, so a hostNetwork pod lives in that namespace and answers ARP on its eth0.

node_run() { echo "$E2E_RUN/$1"; }
node_data() { echo "$E2E_DATA/$1"; }

write_containerd_config() {
  local node="$1" run data
  run="$(node_run "$node")" data="$(node_data "$node")"
  mkdir -p "$run" "$data/cni" "$data/ipam"
  cat >"$run/containerd.toml" <<TOML
version = 2
root = "$data/containerd"
state = "$run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$run/containerd.sock"
[ttrpc]
  address = "$run/containerd.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  # Pitfall 5: no registry; the pause image is imported like every other.
  sandbox_image = "$PAUSE_IMAGE"
  # Pitfall 2: runc here may not raise a sandbox's oom_score_adj.
  restrict_oom_score_adj = true
  netns_mounts_under = "$run/netns"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$data/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$run/runc"
        SystemdCgroup = false
TOML
}

# Pitfall 6: a minimal bridge + host-local network, dual-stack, masquerading what leaves the node.
write_cni_config() {
  local node="$1" data
  data="$(node_data "$node")"
  cat >"$data/cni/10-bridge.conflist" <<JSON
{ "cniVersion": "1.0.0", "name": "$E2E_PREFIX-$node",
  "plugins": [ { "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true,
    "hairpinMode": true,
    "ipam": { "type": "host-local", "dataDir": "$data/ipam",
      "ranges": [[{ "subnet": "$(pod_cidr4 "$node")" }], [{ "subnet": "$(pod_cidr6 "$node")" }]],
      "routes": [{ "dst": "0.0.0.0/0" }, { "dst": "::/0" }] } } ] }
JSON
}

# Pitfall 3: cgroup v1 beside v2, cgroupfs driver and one cgroupRoot per node.
write_kubelet_config() {
  local node="$1" run data
  run="$(node_run "$node")" data="$(node_data "$node")"
  cat >"$run/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /$E2E_PREFIX-$node
containerRuntimeEndpoint: unix://$run/containerd.sock
address: $(node_ip4 "$node")
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication: { anonymous: { enabled: true }, webhook: { enabled: false } }
authorization: { mode: AlwaysAllow }
failSwapOn: false
podLogsDir: $data/pod-logs
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: 20Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1% }
localStorageCapacityIsolation: false
resolvConf: /etc/resolv.conf
nodeStatusReportFrequency: 10s
YAML
}

write_proxy_config() {
  local node="$1" run
  run="$(node_run "$node")"
  cat >"$run/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
hostnameOverride: $node
clusterCIDR: $E2E_POD_CIDRS
clientConnection: { kubeconfig: $E2E_PKI/proxy.kubeconfig }
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# Zero: leave the host-wide conntrack table size and timeouts alone.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
YAML
}

# import_images <node> <docker-archive>...: pitfall 5, every tag into this node's containerd.
import_images() {
  local node="$1" archive
  shift
  for archive in "$@"; do
    ctr --address "$(node_run "$node")/containerd.sock" -n k8s.io images import \
      "$archive" >/dev/null
  done
}

wait_for_socket() {
  local waited=0
  until ctr --address "$1" version >/dev/null 2>&1; do
    ((waited++ < 300)) || { log "containerd at $1 did not start"; return 1; }
    sleep 0.1
  done
}

start_containerd() {
  local node="$1"
  write_containerd_config "$node"
  write_cni_config "$node"
  create_cgroup "$E2E_PREFIX-$node"
  start_process "containerd-$node" "$E2E_PREFIX-$node" /usr/bin/containerd \
    --config "$(node_run "$node")/containerd.toml"
  wait_for_socket "$(node_run "$node")/containerd.sock"
}

start_kubelet() {
  local node="$1" run data
  run="$(node_run "$node")" data="$(node_data "$node")"
  write_kubelet_config "$node"
  write_proxy_config "$node"
  start_process "kubelet-$node" "$E2E_PREFIX-$node" "$KUBELET" --config="$run/kubelet.yaml" \
    --kubeconfig="$E2E_PKI/kubelet-$node.kubeconfig" --hostname-override="$node" \
    --node-ip="$(node_ip4 "$node"),$(node_ip6 "$node")" --root-dir="$data/kubelet" \
    --cert-dir="$data/kubelet-pki" --v=1
  start_process "kube-proxy-$node" "$E2E_PREFIX-$node" "$KUBE_PROXY" --config="$run/kube-proxy.yaml" --v=1
}

# crash_node <node>: what a power cut does: kubelet, kube-proxy, containerd and every container of
# the node killed at once, its link cut.
crash_node() {
  local node="$1"
  in_netns br ip link set "${E2E_PREFIX}h-$node" down
  kill_containers "$(node_run "$node")/runc/k8s.io"
  stop_process "kubelet-$node" KILL
  stop_process "kube-proxy-$node" KILL
  stop_process "containerd-$node" KILL
}
