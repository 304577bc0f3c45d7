// The layer-2 data plane: the API the speaker and standalone mode use, plus the pure specification.

export type { Conflict, DropReason, ResponderProtocol, ResponderTable, Verdict } from './classify.js';
export { classify, detectConflict } from './classify.js';
export type { Announcement, DataPlaneOptions } from './data-plane.js';
export { DataPlane } from './data-plane.js';
export type { InterfaceSkipReason, InterfaceState, LinkAddress, LinkInfo } from './interface-filter.js';
export { DEFAULT_EXCLUDED_INTERFACES, isExcluded } from './interface-filter.js';
export { hostAddresses, linksFromDump, type NetlinkDump } from './link-dump.js';
export {
  addLocalTableRoute,
  deleteLocalTableRoute,
  type LocalTableRoute,
  readLocalTableRoutes,
  readNetlinkDump,
  watchNetlink,
} from './native.js';
