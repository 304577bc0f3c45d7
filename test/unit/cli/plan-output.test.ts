// DESIGN `plan --json` contract: the output written a batch of lines at a time (so a 10 MB input's
// plan is never one string) is byte for byte what JSON.stringify(value, null, 2) prints, for
// empty and full plans, escapes and outputs of many batches.
import { describe, expect, it } from 'vitest';
import { planJsonLines, printLines } from '../../../src/cli/plan-output.js';
import type { PlannedService } from '../../../src/controller/index.js';

function printed(services: Record<string, PlannedService>, warnings: string[]): string[] {
  const writes: string[] = [];
  printLines(planJsonLines(services, warnings), (text) => void writes.push(text));
  return writes;
}

/** What console.log(JSON.stringify(...)) wrote before: the text and one line break. */
function expected(services: Record<string, PlannedService>, warnings: string[]): string {
  return `${JSON.stringify({ services, warnings }, null, 2)}\n`;
}

const many: Record<string, PlannedService> = {};
for (let index = 0; index < 5_000; index += 1) {
  many[`team-${index % 7}/svc-${index}`] =
    index % 3 === 0
      ? { error: 'no available IPs' }
      : { ips: [`198.51.100.${index % 256}`, `2001:db8:1::${index.toString(16)}`], pool: 'alpha' };
}

describe('plan --json output in batches', () => {
  it.each<{ name: string; services: Record<string, PlannedService>; warnings: string[] }>([
    { name: 'nothing planned, no warnings', services: {}, warnings: [] },
    { name: 'warnings only', services: {}, warnings: ['document 1: invalid YAML: x'] },
    {
      name: 'IPs, refusals, escapes and non-ASCII',
      services: {
        'default/web': { ips: ['198.51.100.0'], pool: 'alpha' },
        'default/big': { error: 'unknown pool "no\\such\tpool" — é' },
        'default/dual': { ips: ['198.51.100.1', '2001:db8:1::'], pool: 'alpha' },
      },
      warnings: [
        'document 4 (IPAddressPool default/stray): not in namespace metallb-system, ignored',
        'b "q"',
      ],
    },
    { name: '5,000 Services (many batches)', services: many, warnings: ['document 9: w'] },
  ])('$name: the same bytes as JSON.stringify(value, null, 2)', ({ services, warnings }) => {
    const writes = printed(services, warnings);
    expect(writes.map((text) => `${text}\n`).join('')).toBe(expected(services, warnings));
  });

  it('a large plan is written in several writes, none much over 64 KiB', () => {
    const writes = printed(many, []);
    expect(writes.length).toBeGreaterThan(3);
    for (const text of writes) expect(text.length).toBeLessThan(64 * 1024 + 1024);
  });
});
