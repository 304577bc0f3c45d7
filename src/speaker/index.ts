/** The Kubernetes speaker: pure state → desired announcements (this folder), plus its runner. */
export { adoptConfig, type ConfigAdoption } from './adopt-config.js';
export { decideService, matchesLoadBalancerClass } from './decide.js';
export {
  ENDPOINT_SLICE_SERVICE_LABEL,
  endpointsByService,
  readNode,
  readService,
  type ServiceRead,
} from './objects.js';
export {
  livenessChanged,
  type MemberSnapshot,
  type MembershipObservation,
  type MembershipReassertReason,
  MembershipTransitions,
  membershipReassertReason,
} from './reassert.js';
export {
  announceFailedMessage,
  EMPTY_SPEAKER_STATE,
  LAYER2_PROTOCOL,
  nodeAssignedMessage,
  reconcile,
} from './reconcile.js';
export { type ExistingL2Status, planStatusChanges, readL2Status, type StatusPlan } from './status-plan.js';
export type * from './types.js';
