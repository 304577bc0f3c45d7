#!/usr/bin/env bash
# Sourced by scripts/e2e-cluster.sh: credentials and the control plane (etcd, kube-apiserver on
# :443, kube-controller-manager, kube-scheduler), all in namespace fe2e-cp. Every identity is a
# static token of its own (system:node:<node> for kubelets, so the Node authorizer applies).

E2E_PKI="$E2E_RUN/pki"

# A CA, and the API server's serving certificate for every name a client uses.
make_certificates() {
  mkdir -p "$E2E_PKI"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ferrolb-e2e-ca \
    -keyout "$E2E_PKI/ca.key" -out "$E2E_PKI/ca.crt" 2>/dev/null
  local names="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  names+=",IP:$E2E_KUBERNETES_SERVICE_IP,IP:$E2E_CONTROL_PLANE_IP4,IP:$E2E_CONTROL_PLANE_IP6,IP:127.0.0.1"
  openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver -keyout "$E2E_PKI/apiserver.key" \
    -out "$E2E_PKI/apiserver.csr" 2>/dev/null
  openssl x509 -req -in "$E2E_PKI/apiserver.csr" -CA "$E2E_PKI/ca.crt" -CAkey "$E2E_PKI/ca.key" \
    -CAcreateserial -days 2 -extfile <(echo "subjectAltName=$names") -out "$E2E_PKI/apiserver.crt" 2>/dev/null
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$E2E_PKI/sa.key" 2>/dev/null
  openssl pkey -in "$E2E_PKI/sa.key" -pubout -out "$E2E_PKI/sa.pub"
}

# kubeconfig <identity>: a kubeconfig for the static token of <identity> (user,groups in tokens.csv).
kubeconfig() {
  local identity="$1" token
  token="$(awk -F, -v user="$2" '$2 == user {print $1}' "$E2E_PKI/tokens.csv")"
  cat >"$E2E_PKI/$identity.kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: e2e
    cluster: { server: "https://$E2E_CONTROL_PLANE_IP4:443", certificate-authority: "$E2E_PKI/ca.crt" }
users:
  - name: $identity
    user: { token: "$token" }
contexts:
  - name: e2e
    context: { cluster: e2e, user: $identity }
current-context: e2e
KUBECONFIG
}

make_tokens() {
  local node
  {
    echo "$(openssl rand -hex 16),ferrolb-admin,ferrolb-admin,\"system:masters\""
    echo "$(openssl rand -hex 16),system:kube-controller-manager,system:kube-controller-manager"
    echo "$(openssl rand -hex 16),system:kube-scheduler,system:kube-scheduler"
    echo "$(openssl rand -hex 16),system:kube-proxy,system:kube-proxy"
    for node in "${E2E_NODES[@]}"; do
      echo "$(openssl rand -hex 16),system:node:$node,system:node:$node,\"system:nodes\""
    done
  } >"$E2E_PKI/tokens.csv"
  kubeconfig admin ferrolb-admin
  kubeconfig controller-manager system:kube-controller-manager
  kubeconfig scheduler system:kube-scheduler
  kubeconfig proxy system:kube-proxy
  for node in "${E2E_NODES[@]}"; do kubeconfig "kubelet-$node" "system:node:$node"; done
}

start_etcd() {
  start_process etcd "$E2E_PREFIX-cp" "$ETCD" --name=e2e --data-dir="$E2E_RUN/etcd" \
    --listen-client-urls=http://127.0.0.1:2379 --advertise-client-urls=http://127.0.0.1:2379 \
    --listen-peer-urls=http://127.0.0.1:2380 --initial-advertise-peer-urls=http://127.0.0.1:2380 \
    --initial-cluster=e2e=http://127.0.0.1:2380 --unsafe-no-fsync --log-level=warn
}

start_apiserver() {
  start_process kube-apiserver "$E2E_PREFIX-cp" "$KUBE_APISERVER" \
    --etcd-servers=http://127.0.0.1:2379 --bind-address=:: --secure-port=443 \
    --advertise-address="$E2E_CONTROL_PLANE_IP4" \
    --tls-cert-file="$E2E_PKI/apiserver.crt" --tls-private-key-file="$E2E_PKI/apiserver.key" \
    --client-ca-file="$E2E_PKI/ca.crt" --token-auth-file="$E2E_PKI/tokens.csv" \
    --authorization-mode=Node,RBAC --allow-privileged=true --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$E2E_PKI/sa.pub" --service-account-signing-key-file="$E2E_PKI/sa.key" \
    --service-cluster-ip-range="$E2E_SERVICE_CIDRS" --enable-priority-and-fairness=false \
    --enable-aggregator-routing=true --v=1
}

start_controller_manager() {
  start_process kube-controller-manager "$E2E_PREFIX-cp" "$KUBE_CONTROLLER_MANAGER" \
    --kubeconfig="$E2E_PKI/controller-manager.kubeconfig" --leader-elect=false \
    --bind-address=127.0.0.1 --root-ca-file="$E2E_PKI/ca.crt" \
    --service-account-private-key-file="$E2E_PKI/sa.key" --use-service-account-credentials=true \
    --service-cluster-ip-range="$E2E_SERVICE_CIDRS" --allocate-node-cidrs=false \
    --v=1
}

start_scheduler() {
  start_process kube-scheduler "$E2E_PREFIX-cp" "$KUBE_SCHEDULER" \
    --kubeconfig="$E2E_PKI/scheduler.kubeconfig" --leader-elect=false --bind-address=127.0.0.1 --v=1
}

# kubectl in the control plane's namespace, as the admin.
e2e_kubectl() { in_netns cp "$KUBECTL" --kubeconfig="$E2E_PKI/admin.kubeconfig" "$@"; }

wait_for_apiserver() {
  local waited=0
  until e2e_kubectl get --raw /readyz >/dev/null 2>&1; do
    ((waited++ < 600)) || { log "kube-apiserver not ready; see $E2E_DATA/logs/kube-apiserver.log"; return 1; }
    sleep 0.2
  done
}

start_control_plane() {
  make_certificates
  make_tokens
  start_etcd
  start_apiserver
  wait_for_apiserver
  start_controller_manager
  start_scheduler
}
