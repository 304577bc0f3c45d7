// Which watch events matter to the controller (pure). client-node reports every write, including
// the controller's own status updates and Lease-like churn, so the shell diffs before acting.

interface ObjectLike {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
}

interface ServiceObjectLike extends ObjectLike {
  status?: { loadBalancer?: unknown };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A Service matters when its spec, labels, annotations or ingress changed (A38–A41). */
export function isRelevantServiceChange(previous: ServiceObjectLike, current: ServiceObjectLike): boolean {
  return !(
    sameJson(previous.spec, current.spec) &&
    sameJson(previous.metadata?.labels, current.metadata?.labels) &&
    sameJson(previous.metadata?.annotations, current.metadata?.annotations) &&
    sameJson(previous.status?.loadBalancer, current.status?.loadBalancer)
  );
}

/** A pool matters when its spec, labels or annotations changed; its status is ours. */
export function isRelevantPoolChange(previous: ObjectLike, current: ObjectLike): boolean {
  return !(
    sameJson(previous.spec, current.spec) &&
    sameJson(previous.metadata?.labels, current.metadata?.labels) &&
    sameJson(previous.metadata?.annotations, current.metadata?.annotations)
  );
}

/** Namespaces matter only through their labels (namespaceSelectors, V5). */
export function isRelevantNamespaceChange(previous: ObjectLike, current: ObjectLike): boolean {
  return !sameJson(previous.metadata?.labels, current.metadata?.labels);
}

/**
 * C11: with no `--lb-class`, only Services without `spec.loadBalancerClass`; with a class, only
 * Services of exactly that class.
 */
export function isHandledByClass(
  service: { spec?: { loadBalancerClass?: string } },
  loadBalancerClass: string,
): boolean {
  const serviceClass = service.spec?.loadBalancerClass;
  return loadBalancerClass === ''
    ? serviceClass === undefined || serviceClass === null
    : serviceClass === loadBalancerClass;
}
