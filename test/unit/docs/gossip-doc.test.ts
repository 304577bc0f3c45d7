// docs/gossip.md's limits table and wire bytes are checked against their single source in the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as limits from '../../../src/membership/defaults.js';

const markdown = readFileSync('docs/gossip.md', 'utf8');
const documentedValue = (name: string) =>
  markdown
    .split('\n')
    .find((line) => line.startsWith(`| \`${name}\` |`))
    ?.split(' | ')[1];

describe('docs/gossip.md matches the code', () => {
  it.each([
    'MAX_MEMBERS',
    'MAX_PACKETS_PER_SOURCE_PER_SECOND',
    'MAX_TRACKED_SOURCES',
    'REPLAY_WINDOW',
    'MAX_REPLAY_SENDERS',
    'INCARNATION_LIMIT',
  ] as const)('%s is documented with its value', (name) => {
    expect(documentedValue(name)).toBe(String(limits[name]));
  });

  it('the wire version is the one documented', () => {
    expect(markdown).toContain(`## Wire format (version ${limits.WIRE_VERSION})`);
  });
});
