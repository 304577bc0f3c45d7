export { allocateIPs } from './allocate-ips.js';
export {
  converge,
  convergeService,
  type Decision,
  type Failure,
  forgetService,
  type SyncResult,
} from './converge.js';
export { EventReason, Events, type ServiceEvent } from './events.js';
export {
  byDocumentOrder,
  type PlannedService,
  type PlanOptions,
  type PlanResult,
  planDocuments,
  sortByDocumentOrder,
} from './plan.js';
export { restoreThenAllocate, restoreThenAllocateEach } from './restore.js';
export {
  allocateRequestFor,
  type DesiredIPs,
  desiredIPs,
  type FamilyResult,
  familyOfAddresses,
  sameAddressSet,
  serviceFamily,
} from './service-inputs.js';
