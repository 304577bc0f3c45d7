import { describe, expect, it } from 'vitest';
import {
  assembleInputs,
  healthMetadataOf,
  interfaceHealthOf,
  localInterfacesOf,
} from '../../../src/speaker/inputs.js';
import { alphaConfig } from './fixtures.js';

const reports = [
  { name: 'eth0', up: true, usable: true },
  { name: 'eth1', up: false, usable: true },
  { name: 'lo', up: true, usable: false, skipReason: 'excluded' },
  { name: 'bond0-slave', up: true, usable: false, skipReason: 'enslaved' },
];

describe('speaker inputs', () => {
  it('L2/L13: excluded interfaces do not exist for the check; down or enslaved ones do', () => {
    expect(localInterfacesOf(reports)).toEqual(['eth0', 'eth1', 'bond0-slave']);
  });

  it('DESIGN election/Q10: gossip metadata publishes each usable interface and whether it is up', () => {
    expect(healthMetadataOf(reports)).toEqual({ eth0: true, eth1: false, 'bond0-slave': false });
  });

  it('DESIGN election/Q10: member metadata becomes interface health; garbage is ignored', () => {
    expect(
      interfaceHealthOf([
        { name: 'a', state: 'alive', metadata: { interfaces: { eth0: true, eth1: 'yes' } } },
        { name: 'b', state: 'alive', metadata: {} },
        { name: 'c', state: 'alive', metadata: { interfaces: null } },
      ]),
    ).toEqual({ a: { eth0: true } });
  });

  it('invalid input: a bad Service is reported and skipped, the others are read (daemons never crash on input)', () => {
    const good = { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer' } };
    const bad = {
      metadata: { name: 'odd', namespace: 'default' },
      spec: { type: 'LoadBalancer', ports: 'all' },
    };
    const { inputs, problems } = assembleInputs(
      {
        services: [good, bad, 42],
        endpointSlices: [],
        nodes: [{ metadata: { name: 'n1' } }, {}],
        namespaces: [],
        pools: [],
        advertisements: [],
      },
      { base: { nodeName: 'n1' }, config: alphaConfig, members: undefined, interfaces: undefined },
    );
    expect(inputs.services.map((service) => service.key)).toEqual(['default/web']);
    expect(inputs.nodes.map((node) => node.name)).toEqual(['n1']);
    expect(inputs.liveMembers).toBeUndefined();
    expect(problems).toMatchObject([
      { key: 'default/odd', field: 'spec.ports' },
      { key: 'default/', field: 'metadata.name' },
    ]);
  });
});
