// Issue 12 #4 and #10 end to end, with the real `ferrolb standalone` binary on one node. #4: a pool
// holding the node's own address (its member address, and a second address of its interface)
// never damages the host: the VIPs are refused and not announced; the node keeps its addresses
// and the kernel's local routes through start, stop and the next start (which used to fail with
// EADDRNOTAVAIL). #10: SIGHUP keeps every running allocation.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../helpers/lab.js';
import { LabCluster, requireBuild, waitForOwner, whoAnswers } from '../helpers/lab-cluster.js';
import { waitFor } from '../helpers/lab-probes.js';
import { inNs } from '../helpers/netns.js';

const WEB = '203.0.113.41';
const SECOND = '203.0.113.50';

let lab: Lab;
let cluster: LabCluster;

beforeAll(() => {
  requireBuild();
  lab = Lab.create({ prefix: 'flb-lhs', nodeCount: 1, httpServers: false });
});

afterEach(async () => {
  await cluster?.stopAll();
});

afterAll(() => lab?.destroy());

function hostState(namespace: string): { addresses: string; routes: string } {
  return {
    addresses: inNs(namespace, 'ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']).replace(
      /valid_lft.*$/gm,
      '',
    ),
    routes: inNs(namespace, 'ip', ['-4', 'route', 'show', 'table', 'local', 'dev', 'eth0']),
  };
}

describe('standalone never damages the host (issue 12 #4)', { timeout: 180_000 }, () => {
  it("a pool holding the node's own addresses: VIPs refused, addresses and kernel routes kept, restart works", async () => {
    const node = lab.nodes[0];
    if (!node) throw new Error('no node');
    inNs(node.namespace, 'ip', ['addr', 'add', `${SECOND}/32`, 'dev', 'eth0']);
    const before = hostState(node.namespace);
    expect(before.routes).toContain(`local ${node.ipv4} proto kernel scope host src ${node.ipv4}`);
    expect(before.routes).toContain(`local ${SECOND} proto kernel scope host src ${SECOND}`);
    cluster = new LabCluster(lab);
    cluster.writeConfig({
      pools: [{ name: 'edge', addresses: ['203.0.113.40-203.0.113.70', `${node.ipv4}/32`] }],
      services: [
        { name: 'web', ips: [WEB] },
        { name: 'own', ips: [node.ipv4] },
        { name: 'second', ips: [SECOND] },
      ],
    });
    for (const round of ['first start', 'restart']) {
      cluster.start();
      await waitForOwner(lab, WEB, node.name);
      // Routes are added before anything is announced: the host state is final once WEB answers.
      expect(hostState(node.namespace), `${round}: while running`).toEqual(before);
      const speaker = cluster.speaker(node.name);
      await waitFor(() => (speaker.log().includes('VIP refused') ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 100,
        what: `the refusal of ${SECOND} in the log (${round})`,
      });
      const log = speaker.log();
      expect(log, round).toContain(
        `Service default/own: IP ${node.ipv4} from pool edge is the address of member ${node.name}: refused, not announced`,
      );
      expect(log, round).toMatch(new RegExp(`"ip":"${SECOND}".*"pool":"edge".*is an address of this host`));
      expect(log, round).not.toContain('EADDRNOTAVAIL');
      expect(await cluster.stop(node.name, 'SIGTERM'), `${round}: exit code`).toBe(0);
      expect(hostState(node.namespace), `${round}: after stop`).toEqual(before);
    }
  });
});

describe('SIGHUP keeps running allocations (issue 12 #10)', { timeout: 120_000 }, () => {
  it("removing one auto-assigned Service leaves the other's IP where it is", async () => {
    const node = lab.nodes[0];
    if (!node) throw new Error('no node');
    cluster = new LabCluster(lab);
    const pools = [{ name: 'edge', addresses: ['203.0.113.40-203.0.113.70'] }];
    cluster.writeConfig({ pools, services: [{ name: 'one' }, { name: 'two' }] });
    cluster.start();
    // File order allocates one → .40, two → .41 (as `ferrolb plan` prints).
    await waitForOwner(lab, '203.0.113.41', node.name);
    cluster.writeConfig({ pools, services: [{ name: 'two' }] });
    cluster.speaker(node.name).kill('SIGHUP');
    await waitFor(
      () => (cluster.speaker(node.name).log().includes('configuration reloaded') ? true : undefined),
      {
        timeoutMs: 10_000,
        intervalMs: 100,
        what: 'the reload',
      },
    );
    await waitFor(() => (whoAnswers(lab, '203.0.113.40') === undefined ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: '203.0.113.40 withdrawn with Service one',
    });
    expect(whoAnswers(lab, '203.0.113.41'), 'Service two keeps 203.0.113.41').toBe(`MAC ${node.mac}`);
  });
});
