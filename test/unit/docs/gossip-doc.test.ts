// docs/gossip.md's limits table and wire bytes are checked against their single source in the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  INCARNATION_LIMIT,
  MAX_MEMBERS,
  MAX_PACKETS_PER_SOURCE_PER_SECOND,
  MAX_REPLAY_SENDERS,
  MAX_TRACKED_SOURCES,
  REPLAY_WINDOW,
  WIRE_VERSION,
} from '../../../src/membership/defaults.js';

const markdown = readFileSync('docs/gossip.md', 'utf8');
const documentedValue = (name: string) =>
  markdown
    .split('\n')
    .find((line) => line.startsWith(`| \`${name}\` |`))
    ?.split(' | ')[1];

describe('docs/gossip.md matches the code', () => {
  it.each(
    Object.entries({
      MAX_MEMBERS,
      MAX_PACKETS_PER_SOURCE_PER_SECOND,
      MAX_TRACKED_SOURCES,
      REPLAY_WINDOW,
      MAX_REPLAY_SENDERS,
      INCARNATION_LIMIT,
    }),
  )('%s is documented with its value', (name, value) => {
    expect(documentedValue(name)).toBe(String(value));
  });

  it('the wire version is the one documented', () => {
    expect(markdown).toContain(`## Wire format (version ${WIRE_VERSION})`);
  });
});
