// Large `ferrolb plan` inputs. `kubectl`: as an operator feeds it, pools and advertisements, then
// thousands of LoadBalancer Services as `kubectl get svc -o yaml` prints each one (annotations,
// the last-applied-configuration copy, cluster IPs, node ports, status), one document each;
// mixed families, shared IPs, requested IPs, restored status, a few refusals and ClusterIP ones.
// `dense`: the most Services a byte can hold (short flow-style documents, ~64,000 in 10 MB, all given an IP),
// the worst case for memory, which grows with the number of objects more than with bytes.

const POOLS = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: v4-public
  namespace: metallb-system
spec:
  addresses:
  - 198.51.100.0/24
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: v4-internal
  namespace: metallb-system
spec:
  addresses:
  - 203.0.113.0/25
  - 2001:db8:1::1:0/112
  avoidBuggyIPs: true
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: v4-spare
  namespace: metallb-system
spec:
  addresses:
  - 203.0.113.128-203.0.113.254
  autoAssign: false
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: v6
  namespace: metallb-system
spec:
  addresses:
  - 2001:db8:1::/112
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata:
  name: everywhere
  namespace: metallb-system
spec:
  ipAddressPools:
  - v4-public
  - v4-internal
  - v4-spare
  - v6
`;

/** Services that share one IPv4 address (same sharing key, different ports). */
const SHARING_GROUP = 8;

interface Shape {
  readonly family: 'IPv4' | 'IPv6' | 'dual';
  readonly annotations: Readonly<Record<string, string>>;
  readonly port: number;
  readonly type: 'LoadBalancer' | 'ClusterIP';
  readonly ingress?: string;
}

function shape(index: number): Shape {
  const kind = index % 20;
  const group = Math.floor(index / SHARING_GROUP);
  const shared = { 'metallb.io/allow-shared-ip': `share-${group}` };
  const port = 8000 + (index % SHARING_GROUP);
  if (kind === 0) return { family: 'IPv4', annotations: {}, port: 80, type: 'ClusterIP' };
  if (kind === 1)
    return { family: 'IPv4', annotations: { 'metallb.io/address-pool': 'gone' }, port, type: 'LoadBalancer' };
  if (kind === 2) return { family: 'dual', annotations: {}, port: 443, type: 'LoadBalancer' };
  if (kind === 3) {
    const ip = `2001:db8:1::${(0xf000 + (index % 0xfff)).toString(16)}`;
    return { family: 'IPv6', annotations: { 'metallb.io/loadBalancerIPs': ip }, port, type: 'LoadBalancer' };
  }
  if (kind === 4) {
    const ingress = `2001:db8:1::${(0xe000 + (index % 0xfff)).toString(16)}`;
    return { family: 'IPv6', annotations: {}, port, type: 'LoadBalancer', ingress };
  }
  if (kind < 12) return { family: 'IPv6', annotations: {}, port, type: 'LoadBalancer' };
  const pool = kind < 16 ? 'v4-public' : 'v4-internal';
  return {
    family: 'IPv4',
    annotations: { 'metallb.io/address-pool': pool, ...shared },
    port,
    type: 'LoadBalancer',
  };
}

function clusterIPs(index: number, family: Shape['family']): string[] {
  const v4 = `10.96.${Math.floor(index / 250) % 250}.${(index % 250) + 1}`;
  const v6 = `fd00:10:96::${index.toString(16)}`;
  if (family === 'IPv4') return [v4];
  if (family === 'IPv6') return [v6];
  return [v4, v6];
}

function yamlMap(entries: Readonly<Record<string, string>>, indent: string): string {
  return Object.entries(entries)
    .map(([key, value]) => `${indent}${key}: ${JSON.stringify(value)}\n`)
    .join('');
}

interface Identity {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

function identity(index: number): Identity {
  const name = `svc-${String(index).padStart(6, '0')}`;
  const namespace = `team-${String(index % 37).padStart(2, '0')}`;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'shop', team: namespace };
  return { name, namespace, labels };
}

/** `metadata` as kubectl prints it, the last-applied-configuration copy included. */
function metadata(index: number, who: Identity, { annotations, port, type }: Shape): string {
  const { name, namespace, labels } = who;
  const applied = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { annotations, labels, name, namespace },
    spec: { ports: [{ name: 'http', port, targetPort: 8080 }], selector: labels, type },
  });
  const uid = `6f1c${index.toString(16).padStart(4, '0')}-3b2a-4c1d-9e8f-${String(index).padStart(12, '0')}`;
  return `metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      ${applied}
${yamlMap(annotations, '    ')}  creationTimestamp: "2026-11-0${(index % 9) + 1}T10:${String(index % 60).padStart(2, '0')}:00Z"
  labels:
${yamlMap(labels, '    ')}  name: ${name}
  namespace: ${namespace}
  resourceVersion: "${100000 + index}"
  uid: ${uid}
`;
}

/** `spec` and `status` as kubectl prints them. */
function specAndStatus(index: number, who: Identity, { family, port, type, ingress }: Shape): string {
  const ips = clusterIPs(index, family);
  const families = family === 'dual' ? ['IPv4', 'IPv6'] : [family];
  const balancer = type === 'LoadBalancer';
  const status =
    ingress === undefined
      ? '  loadBalancer: {}\n'
      : `  loadBalancer:\n    ingress:\n    - ip: ${ingress}\n      ipMode: VIP\n`;
  return `spec:
${balancer ? '  allocateLoadBalancerNodePorts: true\n' : ''}  clusterIP: ${ips[0]}
  clusterIPs:
${ips.map((ip) => `  - ${ip}\n`).join('')}${balancer ? '  externalTrafficPolicy: Cluster\n' : ''}  internalTrafficPolicy: Cluster
  ipFamilies:
${families.map((value) => `  - ${value}\n`).join('')}  ipFamilyPolicy: ${family === 'dual' ? 'PreferDualStack' : 'SingleStack'}
  ports:
  - name: http
${balancer ? `    nodePort: ${30000 + (index % 2768)}\n` : ''}    port: ${port}
    protocol: TCP
    targetPort: 8080
  selector:
${yamlMap(who.labels, '    ')}  sessionAffinity: None
  type: ${type}
status:
${status}`;
}

function service(index: number): string {
  const who = identity(index);
  const how = shape(index);
  return `---\napiVersion: v1\nkind: Service\n${metadata(index, who, how)}${specAndStatus(index, who, how)}`;
}

/** How the Services are written (see the top of this file). */
export type InputStyle = 'kubectl' | 'dense';

/** Dense IPv4 Services sharing one address (same key, each its own port). */
const DENSE_SHARING_GROUP = 100;

function denseService(index: number): string {
  // Every other one IPv6 (the /112 pool holds them all); the IPv4 ones share an address by the
  // hundred, so that every Service gets an IP: the allocator's bookkeeping at its largest.
  const ipv4 = Math.floor(index / 2);
  const spec =
    index % 2 === 1
      ? 'type: LoadBalancer, ipFamilies: [IPv6], ports: [{port: 80}]'
      : `type: LoadBalancer, ports: [{port: ${8000 + (ipv4 % DENSE_SHARING_GROUP)}}]`;
  const annotations =
    index % 2 === 1
      ? ''
      : `, annotations: {metallb.io/allow-shared-ip: g${Math.floor(ipv4 / DENSE_SHARING_GROUP)}}`;
  return `---
apiVersion: v1
kind: Service
metadata: {name: svc-${index}, namespace: team-${index % 50}${annotations}}
spec: {${spec}}
`;
}

/** Pools, an advertisement and as many Services as fit in `bytes` (at least one). */
export function largePlanInput(bytes: number, style: InputStyle = 'kubectl'): string {
  const write = style === 'kubectl' ? service : denseService;
  const parts = [POOLS];
  let size = POOLS.length;
  for (let index = 0; index === 0 || size < bytes; index += 1) {
    const text = write(index);
    parts.push(text);
    size += text.length;
  }
  return parts.join('');
}
