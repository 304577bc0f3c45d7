import { describe, expect, it } from 'vitest';
import { detectConflict } from '../../../src/l2/classify.js';
import { ALL_NODES_ADDRESS, ALL_NODES_MAC } from '../../../src/l2/codec/index.js';
import { gratuitousArpFrame, neighborAdvertisementFrame } from '../../../src/l2/frames.js';
import {
  arpFrame,
  ipv4,
  ipv6,
  mac,
  OTHER_MAC,
  OUR_MAC,
  solicitationFrame,
  TABLE,
  VIP4,
  VIP6,
} from './fixtures.js';

describe('detectConflict (DESIGN conflict detection)', () => {
  const otherNa = (fields: { target?: string; solicited?: boolean }) =>
    neighborAdvertisementFrame({
      mac: mac(OTHER_MAC),
      target: ipv6(fields.target ?? VIP6),
      destinationMac: ALL_NODES_MAC,
      destinationIp: ALL_NODES_ADDRESS,
      solicited: fields.solicited ?? false,
    });
  const corrupted = otherNa({});
  corrupted.set([(corrupted[corrupted.length - 20] ?? 0) ^ 0xff], corrupted.length - 20);

  it.each([
    {
      rule: 'conflict: gratuitous ARP request for our VIP from another MAC',
      frame: gratuitousArpFrame(1, mac(OTHER_MAC), ipv4(VIP4)),
      want: { ip: VIP4, mac: OTHER_MAC },
    },
    {
      rule: 'conflict: gratuitous ARP reply for our VIP from another MAC',
      frame: gratuitousArpFrame(2, mac(OTHER_MAC), ipv4(VIP4)),
      want: { ip: VIP4, mac: OTHER_MAC },
    },
    {
      rule: 'conflict: an ARP request whose sender IP is our VIP',
      frame: arpFrame({ senderMac: OTHER_MAC, senderIp: VIP4, targetIp: '198.51.100.1' }),
      want: { ip: VIP4, mac: OTHER_MAC },
    },
    {
      rule: 'conflict: an NA for our VIP with another TLLA',
      frame: otherNa({}),
      want: { ip: VIP6, mac: OTHER_MAC },
    },
    {
      rule: 'conflict: a solicited NA for our VIP with another TLLA',
      frame: otherNa({ solicited: true }),
      want: { ip: VIP6, mac: OTHER_MAC },
    },
    {
      rule: 'conflict: none for our own MAC',
      frame: gratuitousArpFrame(1, mac(OUR_MAC), ipv4(VIP4)),
      want: undefined,
    },
    {
      rule: 'conflict: none for an IP we do not own',
      frame: gratuitousArpFrame(1, mac(OTHER_MAC), ipv4('203.0.113.99')),
      want: undefined,
    },
    {
      rule: 'conflict: none for a probe of our VIP (RFC 5227 sender 0.0.0.0)',
      frame: arpFrame({ senderIp: '0.0.0.0' }),
      want: undefined,
    },
    { rule: 'conflict: none for an NA with a bad checksum', frame: corrupted, want: undefined },
    {
      rule: 'conflict: none for an NA of another target',
      frame: otherNa({ target: '2001:db8:1::99' }),
      want: undefined,
    },
    { rule: 'conflict: none for an NS', frame: solicitationFrame(), want: undefined },
    { rule: 'conflict: none for garbage', frame: new Uint8Array(20), want: undefined },
  ])('$rule', ({ frame, want }) => {
    expect(detectConflict(frame, TABLE)).toEqual(want);
  });

  it('L18: another NIC of this host is not a conflict', () => {
    expect(
      detectConflict(gratuitousArpFrame(1, mac(OTHER_MAC), ipv4(VIP4)), TABLE, new Set([OTHER_MAC])),
    ).toBeUndefined();
  });
});
