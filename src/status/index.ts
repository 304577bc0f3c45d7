export { readStatusSnapshot } from './reader.js';
export {
  type ConfigurationRefusal,
  type ConfigurationStateObject,
  type EventObject,
  type ServiceL2StatusObject,
  type ServiceObject,
  type StatusEvent,
  type StatusOwner,
  type StatusService,
  type StatusSnapshot,
  toConfigurationRefusal,
  toStatusEvent,
  toStatusOwner,
  toStatusService,
} from './snapshot.js';
export {
  ALL_INTERFACES,
  buildStatusRows,
  formatStatusTable,
  NONE,
  SPEAKER_COMPONENT,
  STATUS_HEADERS,
  type StatusRow,
} from './table.js';
