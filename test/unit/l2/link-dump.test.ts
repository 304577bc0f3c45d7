import { describe, expect, it } from 'vitest';
import { flagNames, hostAddresses, linksFromDump, type NetlinkDump } from '../../../src/l2/link-dump.js';

// IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_LOWER_UP, as the kernel reports an up Ethernet port.
const ETHERNET_UP = 0x1 | 0x2 | 0x1000 | 0x10000;

const dump: NetlinkDump = {
  links: [
    { index: 1, name: 'lo', flags: 0x1 | 0x8 | 0x10000, type: 772, mac: new Uint8Array(6), operstate: 0 },
    {
      index: 4,
      name: 'eth0',
      flags: ETHERNET_UP,
      type: 1,
      mac: Uint8Array.from([2, 0, 0, 0, 0, 0xab]),
      operstate: 6,
      carrier: 1,
      master: 7,
    },
    { index: 7, name: 'br0', flags: ETHERNET_UP, type: 1, kind: 'bridge', operstate: 2 },
    { index: 9, name: 'tun0', flags: 0x1 | 0x10 | 0x80, type: 65534, master: 42 },
  ],
  addresses: [
    { index: 1, family: 4, address: '127.0.0.1', prefixLength: 8, scope: 254, flags: 0x80 },
    { index: 4, family: 4, address: '198.51.100.2', prefixLength: 24, scope: 0, flags: 0x80 },
    { index: 4, family: 6, address: 'fe80::ab', prefixLength: 64, scope: 253, flags: 0x80 },
    { index: 7, family: 6, address: '2001:db8:1::7', prefixLength: 64, scope: 0, flags: 0 },
  ],
};

describe('linksFromDump (rtnetlink → LinkInfo, issue 11)', () => {
  it('flags are named as iproute2 names them; IFF_RUNNING is not listed', () => {
    expect(flagNames(ETHERNET_UP | 0x40)).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
    expect(flagNames(0x1 | 0x10 | 0x80)).toEqual(['POINTOPOINT', 'NOARP', 'UP']);
  });

  it('joins addresses to links by index and names the master by its own link', () => {
    const [lo, eth0, br0, tun0] = linksFromDump(dump);
    expect(lo).toMatchObject({
      name: 'lo',
      mac: '00:00:00:00:00:00',
      operstate: 'UNKNOWN',
      hasIPv6LinkLocal: false,
    });
    expect(eth0).toEqual({
      name: 'eth0',
      index: 4,
      mac: '02:00:00:00:00:ab',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      master: 'br0',
      operstate: 'UP',
      hasIPv6LinkLocal: true,
      addresses: [
        { family: 4, address: '198.51.100.2', prefixLength: 24, scope: 'global' },
        { family: 6, address: 'fe80::ab', prefixLength: 64, scope: 'link' },
      ],
    });
    // L6: a global IPv6 address alone is no link-local: no NDP on br0.
    expect(br0).toMatchObject({ kind: 'bridge', operstate: 'DOWN', hasIPv6LinkLocal: false, mac: '' });
    expect(br0?.master).toBeUndefined();
    // A master in another namespace has no name here: it is still a master (L4), named by index.
    expect(tun0).toMatchObject({ master: 'if42', flags: ['POINTOPOINT', 'NOARP', 'UP'] });
  });

  it('hostAddresses lists every address of every link, loopback included', () => {
    expect(hostAddresses(dump)).toEqual(['127.0.0.1', '198.51.100.2', 'fe80::ab', '2001:db8:1::7']);
  });
});
