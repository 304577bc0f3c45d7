/** `ferrolb standalone`: election and data plane fed from a YAML file, without Kubernetes. */
export { ensureArpSettings, REQUIRED_ARP_SETTINGS } from './arp-sysctl.js';
export { type ClusterMember, type ClusterSpec, isClusterDocument, parseCluster } from './cluster.js';
export { type LoadResult, loadStandaloneConfig, type PlanFunction, type StandaloneConfig } from './load.js';
export {
  computeOwnership,
  diffOwned,
  type OwnedAnnouncement,
  type Ownership,
  type OwnershipInput,
  type StandaloneService,
} from './ownership.js';
export type { DataPlanePort, MembershipPort, MemberView } from './ports.js';
export {
  addLocalRoute,
  flushLocalRoutes,
  listLocalRoutes,
  ROUTE_PROTOCOL,
  ROUTE_PROTOCOL_NUMBER,
  RouteRefusedError,
  readHostAddresses,
  removeLocalRoute,
} from './routes.js';
export { readStandaloneFile, runStandalone, type StandaloneFlags } from './run.js';
export { memberNamed, StandaloneSpeaker } from './speaker.js';
