// `ferrolb plan` through the real command dispatch (src/cli/main.ts): exact JSON (DESIGN contract),
// exit codes, text output, and the fixtures in test/fixtures/plan/.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/plan');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let stdout: string[] = [];
let stderr: string[] = [];
beforeEach(() => {
  stdout = [];
  stderr = [];
  vi.spyOn(console, 'log').mockImplementation((...items: unknown[]) => void stdout.push(items.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...items: unknown[]) => void stderr.push(items.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

async function plan(...args: string[]): Promise<Run> {
  const code = await main(['plan', ...args]);
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

const ip = (pool: string, ...ips: string[]) => ({ ips, pool });

describe('ferrolb plan --json', () => {
  it.each([
    {
      rule: "A13-A15, A26, A19: MetalLB's documented cases; a Service without clusterIPs takes its requested IPs' family",
      file: 'metallb-docs.yaml',
      code: 0,
      json: {
        services: {
          'default/nginx': ip('first-pool', '198.51.100.0'),
          'default/nginx-requested': ip('first-pool', '198.51.100.7'),
          'default/nginx-from-pool': ip('second-pool', '203.0.113.10'),
          'default/dns-service-tcp': ip('second-pool', '203.0.113.11'),
          'default/dns-service-udp': ip('second-pool', '203.0.113.11'),
          'default/dual': ip('first-pool', '198.51.100.1', '2001:db8:1::'),
          'default/wrong-pool': { error: 'unknown pool "no-such-pool"' },
          'default/v6-requested': ip('first-pool', '2001:db8:1::5'),
        },
        warnings: [],
      },
    },
    {
      rule: 'DESIGN shared pools: requested IPs shared without a key, unused preferred, packed when full',
      file: 'shared-pool.yaml',
      code: 0,
      json: {
        services: {
          'shop/web': ip('test-2048-pool', '198.51.100.90'),
          'shop/api': ip('test-2048-pool', '198.51.100.90'),
          'shop/clash': { error: 'port TCP/80 is already in use on "198.51.100.90"' },
          'shop/auto': ip('test-2048-pool', '198.51.100.91'),
          'shop/packed': ip('test-2048-pool', '198.51.100.90'),
        },
        warnings: [],
      },
    },
    {
      rule: 'DESIGN plan contract: invalid documents are warnings, the valid ones are planned, exit 2',
      file: 'invalid.yaml',
      code: 2,
      json: {
        services: { 'default/web': ip('alpha', '198.51.100.0') },
        warnings: [
          'document 2 (IPAddressPool beta) spec.addresses: CIDR "198.51.100.2/31" in pool "beta" overlaps with already defined CIDR "198.51.100.0/30"',
          'document 3 (IPAddressPool gamma) spec.addresses[0]: parsing address pool gamma: invalid CIDR "203.0.113.0/33" in pool "gamma": invalid CIDR "203.0.113.0/33"',
          'document 5 (Service default/broken) spec.ports[0].port: must be between 1 and 65535',
        ],
      },
    },
    {
      rule: 'C8: existing status is restored before new Services, whatever the file order',
      file: 'restore.yaml',
      code: 0,
      json: {
        services: {
          'default/newcomer': ip('alpha', '198.51.100.1'),
          'default/veteran': ip('alpha', '198.51.100.0'),
          'default/latecomer': { error: 'no available IPs' },
        },
        warnings: [],
      },
    },
    {
      rule: 'seed: pools outside the namespace are ignored; V5 namespaceSelectors; BGP objects ignored',
      file: 'namespaces.yaml',
      code: 0,
      json: {
        services: {
          'red-shop/web': ip('team-pool', '198.51.100.16'),
          'blue-shop/web': ip('zz-general', '198.51.100.32'),
        },
        warnings: [
          'document 1 (IPAddressPool default/stray): not in namespace metallb-system, ignored',
          'document 7 (BGPPeer): BGP objects are not supported, ignored',
        ],
      },
    },
  ])('$rule', async ({ file, code, json }) => {
    const run = await plan('-f', join(FIXTURES, file), '--json');
    expect(run.code).toBe(code);
    expect(JSON.parse(run.stdout)).toEqual(json);
    expect(run.stderr).toBe(json.warnings.map((warning) => `ferrolb plan: ${warning}`).join('\n'));
  });

  it('DESIGN plan contract: --namespace selects which pools count; a pool without one is in it', async () => {
    const run = await plan('--json', `--file=${join(FIXTURES, 'namespaces.yaml')}`, '--namespace', 'default');
    expect(JSON.parse(run.stdout).services).toEqual({
      'red-shop/web': ip('team-pool', '198.51.100.16'),
      'blue-shop/web': ip('stray', '203.0.113.0'),
    });
  });
});

describe('ferrolb plan (text and errors)', () => {
  it('DESIGN plan contract: text output is one line per Service, with each pool reason', async () => {
    const run = await plan('-f', join(FIXTURES, 'restore.yaml'));
    expect(run.stdout.split('\n')).toEqual([
      'default/newcomer: 198.51.100.1 (pool alpha)',
      'default/veteran: 198.51.100.0 (pool alpha)',
      'default/latecomer: no IP: no available IPs [alpha: no available IPs in pool alpha for ipv4 IPFamily]',
    ]);
    expect(run.code).toBe(0);
  });

  it.each([
    {
      rule: 'DESIGN exit codes: -f is required',
      args: ['--json'],
      message: 'ferrolb plan: -f FILE is required',
    },
    {
      rule: 'DESIGN exit codes: an unknown flag',
      args: ['-f', 'x', '--fast'],
      message: 'ferrolb plan: unknown flag --fast ("--fast")',
    },
    {
      rule: 'DESIGN exit codes: a flag without its value',
      args: ['-f'],
      message: 'ferrolb plan: flag -f needs a value',
    },
    {
      rule: 'DESIGN exit codes: a missing file',
      args: ['-f', '/nonexistent/plan.yaml'],
      message: 'ferrolb plan: cannot read /nonexistent/plan.yaml',
    },
  ])('$rule', async ({ args, message }) => {
    const run = await plan(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it('DESIGN plan contract: a document that is not YAML is a warning; the rest is planned', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ferrolb-plan-'));
    const file = join(directory, 'broken.yaml');
    const pool =
      'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p}\nspec: {addresses: [198.51.100.0/32]}';
    const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer}';
    writeFileSync(file, `${pool}\n---\nkey: [unclosed\n---\n${service}\n`);
    const run = await plan('-f', file, '--json');
    const output = JSON.parse(run.stdout);
    expect(run.code).toBe(2);
    expect(output.services).toEqual({ 'default/s': ip('p', '198.51.100.0') });
    expect(output.warnings).toHaveLength(1);
    expect(output.warnings[0]).toMatch(/^document 2: invalid YAML: /);
  });

  it('DESIGN exit codes: a YAML alias bomb is a warning, not a crash', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ferrolb-plan-'));
    const file = join(directory, 'bomb.yaml');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [index, name] of ['b', 'c', 'd', 'e', 'f'].entries()) {
      const previous = 'abcde'[index] as string;
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    writeFileSync(file, `${levels.join('\n')}\n`);
    const run = await plan('-f', file, '--json');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).warnings).toEqual([
      'document 1: invalid YAML: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });
});
