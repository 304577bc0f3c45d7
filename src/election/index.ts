/** Pure L2 owner election (metallb-behaviour §9, DESIGN "Election"). */
export { canServe, interfacesForNode } from './advertisements.js';
export { electOwner, shouldAnnounce } from './elect.js';
export { failoversGained } from './failover.js';
export { electionDigest, hashOrder } from './hash.js';
export { goIPString } from './ip-string.js';
export type * from './types.js';
