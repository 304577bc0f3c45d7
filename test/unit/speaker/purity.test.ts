import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// STYLE.md layout: the speaker's decisions are pure; only its shell files touch the API server,
// sockets, files, the metrics registry or timers. index.ts exports the pure part only.
const SHELL_FILES = new Set([
  'gossip.ts',
  'loop.ts',
  'readiness-tracker.ts',
  'runner.ts',
  'seeds.ts',
  'status-writer.ts',
  'watches.ts',
]);
const FORBIDDEN = [
  /from 'node:(child_process|fs|fs\/promises|dgram|net|http|crypto)'/,
  /^import \{[^}]*\} from '@kubernetes\/client-node'/m,
  /from 'prom-client'/,
  /metrics\/(registry|server)\.js'/,
  /from '\.\.\/k8s\/index\.js'/,
  /from '\.\.\/(l2|membership)\/index\.js'/,
  /\bset(Timeout|Interval)\(/,
];

const pureFiles = readdirSync('src/speaker')
  .filter((name) => name.endsWith('.ts') && !SHELL_FILES.has(name))
  .map((name) => `src/speaker/${name}`);

describe('src/speaker purity (STYLE.md pure core / thin shell)', () => {
  it('STYLE: the pure files were found', () => {
    expect(pureFiles.length).toBeGreaterThan(6);
  });

  it.each(pureFiles)('STYLE: %s does no I/O', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(FORBIDDEN.filter((pattern) => pattern.test(text)).map(String)).toEqual([]);
  });

  it('STYLE layout: index.ts exports no shell file', () => {
    const index = readFileSync('src/speaker/index.ts', 'utf8');
    for (const shell of SHELL_FILES) expect(index).not.toContain(`./${shell.replace(/\.ts$/, '.js')}`);
  });
});
