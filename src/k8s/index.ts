export { loadKubeConfig, objectKey, statusCodeOf } from './client.js';
export {
  type ConfigurationProblem,
  type ConfigurationStateComponent,
  ConfigurationStateWriter,
  configurationStateName,
  configurationStatus,
} from './configuration-state.js';
export {
  createEventRecorder,
  type EventComponent,
  type EventRecord,
  type EventRecorder,
  type EventSubject,
} from './events.js';
export { type Change, type WatchedCollection, type WatchOptions, watchResource } from './informer.js';
export {
  type LeaderElection,
  type LeaderElectionOptions,
  startLeaderElection,
} from './leader-election.js';
export { decideLease, type LeaseDecision, type LeaseRecord } from './lease-decision.js';
export {
  ensureMemberlistSecret,
  MEMBERLIST_SECRET_KEY,
  newMemberlistSecretValue,
} from './memberlist-secret.js';
export { type PoolStatusCounts, toJsonCount, writePoolStatus } from './pool-status.js';
export {
  allocatedPool,
  ingressIPs,
  type ServiceAllocationStatus,
  type ServiceLike,
  withAllocationStatus,
} from './service-status.js';
export { type StatusWriteOutcome, writeServiceStatus } from './status-writer.js';
