#!/usr/bin/env bash
# Sourced by scripts/e2e-cluster.sh: the end-to-end cluster's network, all in namespaces it creates.
#   fe2e-br      one bridge, the LAN (198.51.100.0/24 and 2001:db8:1::/64)
#   fe2e-cp      etcd, kube-apiserver on :443, kube-controller-manager, kube-scheduler
#   fe2e-n1..n3  a node each: eth0 on the LAN, its containerd, kubelet, kube-proxy, pods
#   fe2e-cl      the client, with only its own tools (arping, ndisc6, curl, ping)
# Pods and Services take addresses from the test ranges too (DESIGN: test addresses only):
# Services 203.0.113.0/25 and 2001:db8:1:0:5e::/112, node N's pods 203.0.113.(128+32(N-1))/27 and
# 2001:db8:1:0:a00N::/80; every node routes the other nodes' pod ranges via their LAN address.

E2E_NODES=(n1 n2 n3)
E2E_LAN4_PREFIX=198.51.100
E2E_LAN6_PREFIX=2001:db8:1:
E2E_CONTROL_PLANE_IP4=198.51.100.2
E2E_CONTROL_PLANE_IP6=2001:db8:1::2
E2E_CLIENT_IP4=198.51.100.100
E2E_CLIENT_IP6=2001:db8:1::100
E2E_SERVICE_CIDRS=203.0.113.0/25,2001:db8:1:0:5e::/112
E2E_KUBERNETES_SERVICE_IP=203.0.113.1
E2E_POD_CIDRS=203.0.113.128/25,2001:db8:1:0:a000::/68
# LoadBalancer pools the tests hand out: inside the LAN, outside every address above.
E2E_POOL4=198.51.100.192/27
E2E_POOL6=2001:db8:1::200/123

node_index() { echo "${1#n}"; }
node_ip4() { echo "$E2E_LAN4_PREFIX.$((10 + $(node_index "$1")))"; }
node_ip6() { echo "$E2E_LAN6_PREFIX:$((10 + $(node_index "$1")))"; }
pod_cidr4() { echo "203.0.113.$((128 + 32 * ($(node_index "$1") - 1)))/27"; }
pod_cidr6() { echo "2001:db8:1:0:a00$(node_index "$1")::/80"; }

in_netns() {
  local netns="$1"
  shift
  ip netns exec "$E2E_PREFIX-$netns" "$@"
}

# attach <name> <ip4> <ip6>: namespace fe2e-<name> with eth0 on the bridge.
attach() {
  local name="$1" netns="$E2E_PREFIX-$1"
  ip netns add "$netns"
  ip link add "${E2E_PREFIX}h-$name" type veth peer name eth0 netns "$netns"
  ip link set "${E2E_PREFIX}h-$name" netns "$E2E_PREFIX-br"
  in_netns br ip link set "${E2E_PREFIX}h-$name" master br0 up
  in_netns "$name" sysctl -q -w net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.eth0.accept_ra=0
  in_netns "$name" ip link set lo up
  in_netns "$name" ip addr add "$2/24" dev eth0
  in_netns "$name" ip addr add "$3/64" dev eth0 nodad
  in_netns "$name" ip link set eth0 up
}

# A node forwards (kube-proxy DNATs VIP traffic to pods) and reaches the other nodes' pods.
configure_node_routing() {
  local node="$1" other
  in_netns "$node" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  # A host-network process needs a route to a Service IP before kube-proxy's OUTPUT DNAT applies:
  # the control plane is every node's gateway (it also holds the `kubernetes` Service IP).
  in_netns "$node" ip route add default via "$E2E_CONTROL_PLANE_IP4"
  in_netns "$node" ip -6 route add default via "$E2E_CONTROL_PLANE_IP6"
  for other in "${E2E_NODES[@]}"; do
    [[ "$other" == "$node" ]] && continue
    in_netns "$node" ip route add "$(pod_cidr4 "$other")" via "$(node_ip4 "$other")"
    in_netns "$node" ip -6 route add "$(pod_cidr6 "$other")" via "$(node_ip6 "$other")"
  done
}

create_network() {
  ip netns add "$E2E_PREFIX-br"
  in_netns br ip link add br0 type bridge
  in_netns br sysctl -q -w net.ipv6.conf.br0.disable_ipv6=1
  in_netns br ip link set br0 up
  attach cp "$E2E_CONTROL_PLANE_IP4" "$E2E_CONTROL_PLANE_IP6"
  # The `kubernetes` Service's cluster IP answers in the control plane's namespace too, so a
  # component there needs no kube-proxy of its own.
  in_netns cp ip addr add "$E2E_KUBERNETES_SERVICE_IP/32" dev lo
  attach cl "$E2E_CLIENT_IP4" "$E2E_CLIENT_IP6"
  local node
  for node in "${E2E_NODES[@]}"; do
    attach "$node" "$(node_ip4 "$node")" "$(node_ip6 "$node")"
    configure_node_routing "$node"
    # The API server calls admission webhooks at their pods (--enable-aggregator-routing), as a
    # control-plane host on the pod network would: it needs a route to every node's pod range.
    in_netns cp ip route add "$(pod_cidr4 "$node")" via "$(node_ip4 "$node")"
    in_netns cp ip -6 route add "$(pod_cidr6 "$node")" via "$(node_ip6 "$node")"
  done
}
