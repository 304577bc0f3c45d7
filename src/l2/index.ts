// The layer-2 data plane: the API the speaker and standalone mode use, plus the pure specification.

export type { Conflict, DropReason, ResponderProtocol, ResponderTable, Verdict } from './classify.js';
export { classify, detectConflict } from './classify.js';
export type { Announcement, DataPlaneOptions } from './data-plane.js';
export { DataPlane } from './data-plane.js';
export type { InterfaceSkipReason, InterfaceState, LinkInfo } from './interface-filter.js';
export { DEFAULT_EXCLUDED_INTERFACES, isExcluded } from './interface-filter.js';
