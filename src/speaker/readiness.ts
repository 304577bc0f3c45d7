// Issue 11 "readiness means serving": a speaker (Kubernetes or standalone) is Ready only when it
// can answer (packet sockets open on a selected interface), gossip is keyed as configured (the
// secret was read) and its first election was applied. Pure; readiness-tracker.ts logs and exports.

/** Why a speaker is not Ready (label of ferrolb_speaker_not_ready). */
export type NotReadyReason = 'gossipSecretUnreadable' | 'noPacketSocket' | 'notConverged';

export const NOT_READY_REASONS: readonly NotReadyReason[] = [
  'gossipSecretUnreadable',
  'noPacketSocket',
  'notConverged',
];

/** What readiness is decided from. */
export interface ReadinessInputs {
  /** False while a configured gossip secret could not be read. */
  readonly secretRead: boolean;
  /** An AF_PACKET socket is open on at least one selected interface. */
  readonly packetSockets: boolean;
  /** The first election (reconcile) was applied. */
  readonly converged: boolean;
}

/** Every reason the inputs are not Ready, in a fixed order; empty means Ready. */
export function notReadyReasons(inputs: ReadinessInputs): NotReadyReason[] {
  const reasons: NotReadyReason[] = [];
  if (!inputs.secretRead) reasons.push('gossipSecretUnreadable');
  if (!inputs.packetSockets) reasons.push('noPacketSocket');
  if (!inputs.converged) reasons.push('notConverged');
  return reasons;
}

/** What each reason means, for the log. */
export const NOT_READY_MESSAGES: Record<NotReadyReason, string> = {
  gossipSecretUnreadable:
    'the configured gossip secret could not be read: gossip and the election are not running',
  noPacketSocket: 'no ARP/NDP packet socket is open on any selected interface: nothing can be answered',
  notConverged: 'the first election has not been applied yet',
};
