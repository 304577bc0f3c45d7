import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// STYLE.md layout: pure files never import sockets, fs, prom-client or native/; only the data
// plane's I/O shell files may. A type-only import of native.ts (its interfaces) is not I/O.
const SHELL_FILES = new Set([
  'data-plane.ts',
  'interfaces.ts',
  'layer2-metrics.ts',
  'native.ts',
  'responder-settings.ts',
]);
const FORBIDDEN = [
  /from 'node:(child_process|fs|dgram|net|http)'/,
  /from 'prom-client'/,
  /metrics\/registry\.js'/,
  /^import \{[^}]*\} from '\.\/native\.js'/m,
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(directory, entry.name)]
        : [],
  );
}

const pureFiles = sourceFiles('src/l2').filter((file) => !SHELL_FILES.has(file.split('/').pop() ?? ''));

describe('src/l2 purity (STYLE.md pure core / thin shell)', () => {
  it.each(pureFiles)('STYLE: %s imports no I/O module', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(FORBIDDEN.filter((pattern) => pattern.test(text)).map(String)).toEqual([]);
  });

  it.each(sourceFiles('src/l2').filter((file) => !file.endsWith('defaults.ts')))(
    'STYLE constants: %s carries no GARP timing literal (src/config/defaults.ts holds them)',
    (file) => {
      // Comments may explain the timing; code may not restate it.
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code).not.toMatch(/\b(1100|1_100|5000|5_000)\b/);
    },
  );
});
