/** SWIM-style gossip membership over UDP, AES-256-GCM protected (DESIGN "Membership"). */
export { type BandwidthOptions, type BandwidthReport, measureGossipBandwidth } from './bandwidth.js';
export { deriveKey } from './crypto.js';
export {
  DEFAULT_GOSSIP_PORT,
  DEFAULT_TIMINGS,
  MAX_PACKET_BYTES,
  type MembershipTimings,
} from './defaults.js';
export { Membership } from './membership.js';
export type { DropReason, Member, MemberState, MembershipOptions, MembershipStats, Seed } from './types.js';
