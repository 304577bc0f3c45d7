import { describe, expect, it } from 'vitest';
import { HOSTNAME_LABEL, isClusterDocument, parseCluster } from '../../../src/standalone/cluster.js';

const members = [
  { name: 'node-a', address: '198.51.100.11' },
  { name: 'node-b', address: '2001:db8:1::12' },
];

function cluster(spec: Record<string, unknown> | undefined): unknown {
  return { apiVersion: 'ferrolb.io/v1alpha1', kind: 'Cluster', metadata: { name: 'lab' }, spec };
}

describe('parseCluster', () => {
  it('standalone contract: defaults gossip port 7946, no secret, all interfaces', () => {
    const parsed = parseCluster(cluster({ members }));
    expect(parsed).toEqual({
      ok: true,
      value: {
        name: 'lab',
        gossipPort: 7946,
        members: [
          { name: 'node-a', address: '198.51.100.11', labels: { [HOSTNAME_LABEL]: 'node-a' } },
          { name: 'node-b', address: '2001:db8:1::12', labels: { [HOSTNAME_LABEL]: 'node-b' } },
        ],
      },
    });
  });

  it('standalone contract: gossip, interfaces and member labels are kept', () => {
    const parsed = parseCluster(
      cluster({
        members: [{ name: 'node-a', address: '198.51.100.11', labels: { rack: 'r1' } }],
        gossip: { port: 7000, secretKeyFile: '/etc/ferrolb/key' },
        interfaces: ['eth0'],
      }),
    );
    expect(parsed.ok && parsed.value).toMatchObject({
      gossipPort: 7000,
      secretKeyFile: '/etc/ferrolb/key',
      interfaces: ['eth0'],
      members: [{ labels: { rack: 'r1', [HOSTNAME_LABEL]: 'node-a' } }],
    });
  });

  it.each([
    {
      rule: 'standalone contract: metadata.name required',
      document: { apiVersion: 'ferrolb.io/v1alpha1', kind: 'Cluster', metadata: {}, spec: { members } },
      field: 'metadata.name',
    },
    { rule: 'standalone contract: spec required', document: cluster(undefined), field: 'spec' },
    {
      rule: 'standalone contract: members non-empty',
      document: cluster({ members: [] }),
      field: 'spec.members',
    },
    {
      rule: 'standalone contract: member address must be an IP',
      document: cluster({ members: [{ name: 'a', address: 'node-a.example' }] }),
      field: 'spec.members[0].address',
    },
    {
      rule: 'standalone contract: member name required',
      document: cluster({ members: [{ address: '198.51.100.11' }] }),
      field: 'spec.members[0].name',
    },
    {
      rule: 'standalone contract: member names unique',
      document: cluster({ members: [members[0], { name: 'node-a', address: '198.51.100.12' }] }),
      field: 'spec.members[1].name',
    },
    {
      rule: 'standalone contract: gossip port in range',
      document: cluster({ members, gossip: { port: 70000 } }),
      field: 'spec.gossip.port',
    },
    {
      rule: 'standalone contract: secretKeyFile is a path',
      document: cluster({ members, gossip: { secretKeyFile: 3 } }),
      field: 'spec.gossip.secretKeyFile',
    },
    {
      rule: 'standalone contract: interfaces is a list of names',
      document: cluster({ members, interfaces: 'eth0' }),
      field: 'spec.interfaces',
    },
    {
      rule: 'standalone contract: member labels are strings',
      document: cluster({ members: [{ name: 'a', address: '198.51.100.11', labels: { rack: 1 } }] }),
      field: 'spec.members[0].labels.rack',
    },
  ])('$rule', ({ document, field }) => {
    const parsed = parseCluster(document);
    expect(parsed).toMatchObject({ ok: false, field });
  });

  it.each([
    { rule: 'standalone contract: Cluster document recognised', document: cluster({}), want: true },
    {
      rule: 'standalone contract: other kinds are not',
      document: { apiVersion: 'v1', kind: 'Service' },
      want: false,
    },
    {
      rule: 'standalone contract: wrong group is not',
      document: { apiVersion: 'x/v1', kind: 'Cluster' },
      want: false,
    },
    { rule: 'standalone contract: scalars are not', document: 'Cluster', want: false },
  ])('$rule', ({ document, want }) => {
    expect(isClusterDocument(document)).toBe(want);
  });
});
