import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashOrder } from '../../../src/election/index.js';
import { HOSTNAME_LABEL } from '../../../src/standalone/cluster.js';
import { computeOwnership, diffOwned, type StandaloneService } from '../../../src/standalone/ownership.js';

const names = ['node-a', 'node-b', 'node-c'];
const members = names.map((name) => ({ name, labels: { [HOSTNAME_LABEL]: name } }));

function service(
  key: string,
  ips: string[],
  advertisements: StandaloneService['advertisements'] = [{ name: 'all' }],
) {
  return { key, ips, pool: 'lab', advertisements };
}

function ownerOf(ip: string, live: readonly string[]): string {
  return hashOrder(live, ip)[0] as string;
}

describe('computeOwnership', () => {
  it.each(names)('E8: %s owns exactly the IPs it sorts first for', (nodeName) => {
    const services = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'].map((ip, index) =>
      service(`default/s${index}`, [ip]),
    );
    const result = computeOwnership({ nodeName, services, members, liveMembers: names });
    const want = services.flatMap((entry) => entry.ips).filter((ip) => ownerOf(ip, names) === nodeName);
    expect([...result.owned.keys()].sort()).toEqual(want.sort());
    for (const ip of want) expect(result.owners.get(ip)).toBe(nodeName);
  });

  it('E5: a member not live in gossip owns nothing and its IPs go to the next in hash order', () => {
    const ip = '203.0.113.9';
    const first = ownerOf(ip, names);
    const live = names.filter((name) => name !== first);
    const result = computeOwnership({
      nodeName: first,
      services: [service('default/web', [ip])],
      members,
      liveMembers: live,
    });
    expect(result.owned.size).toBe(0);
    expect(result.owners.get(ip)).toBe(ownerOf(ip, live));
  });

  it('E9: a dual-stack Service is announced whole by the node elected on ingress[0]', () => {
    const ips = ['203.0.113.5', '2001:db8:1::1:5'];
    const owner = ownerOf(ips[0] as string, names);
    const result = computeOwnership({
      nodeName: owner,
      services: [service('default/dual', ips)],
      members,
      liveMembers: names,
    });
    expect([...result.owned.keys()]).toEqual(ips);
  });

  it('E12: nodeSelectors match member names through kubernetes.io/hostname', () => {
    const advertisements = [
      { name: 'only-c', nodeSelectors: [{ matchLabels: { [HOSTNAME_LABEL]: 'node-c' } }] },
    ];
    const services = ['203.0.113.1', '203.0.113.2', '203.0.113.3'].map((ip) =>
      service(`default/${ip}`, [ip], advertisements),
    );
    const result = computeOwnership({ nodeName: 'node-c', services, members, liveMembers: names });
    expect(result.owned.size).toBe(3);
  });

  it('L13: announcement interfaces come from the advertisement; none listed means all', () => {
    const ip = '203.0.113.7';
    const owner = ownerOf(ip, names);
    const withInterfaces = computeOwnership({
      nodeName: owner,
      services: [service('default/a', [ip], [{ name: 'eth', interfaces: ['eth0'] }])],
      members,
      liveMembers: names,
    });
    expect(withInterfaces.owned.get(ip)).toEqual({ interfaces: ['eth0'] });
    const all = computeOwnership({
      nodeName: owner,
      services: [service('default/a', [ip])],
      members,
      liveMembers: names,
    });
    expect(all.owned.get(ip)).toEqual({});
  });

  it('L13: two Services sharing an IP announce it on the union of their interfaces', () => {
    const ip = '203.0.113.8';
    const owner = ownerOf(ip, names);
    const result = computeOwnership({
      nodeName: owner,
      services: [
        service('default/a', [ip], [{ name: 'one', interfaces: ['eth1'] }]),
        service('default/b', [ip], [{ name: 'two', interfaces: ['eth0'] }]),
      ],
      members,
      liveMembers: names,
    });
    expect(result.owned.get(ip)).toEqual({ interfaces: ['eth0', 'eth1'] });
    expect(result.servicesByIP.get(ip)).toEqual(['default/a', 'default/b']);
  });

  it('E5: exactly one live member owns each IP (property)', () => {
    const address = fc.integer({ min: 1, max: 254 }).map((last) => `203.0.113.${last}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(address, { minLength: 1, maxLength: 20 }),
        fc.subarray(names, { minLength: 1 }),
        (ips, live) => {
          const services = ips.map((ip) => service(`default/${ip}`, [ip]));
          const owners = ips.map((ip) =>
            names.filter((nodeName) =>
              computeOwnership({ nodeName, services, members, liveMembers: live }).owned.has(ip),
            ),
          );
          return owners.every((list) => list.length === 1 && live.includes(list[0] as string));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('diffOwned', () => {
  it('issue 5: gained and lost IPs are the set differences', () => {
    const before = new Map([
      ['203.0.113.1', {}],
      ['203.0.113.2', {}],
    ]);
    const after = new Map([
      ['203.0.113.2', {}],
      ['203.0.113.3', {}],
    ]);
    expect(diffOwned(before, after)).toEqual({ gained: ['203.0.113.3'], lost: ['203.0.113.1'] });
  });
});
