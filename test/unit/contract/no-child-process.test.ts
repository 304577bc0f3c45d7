import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 11: the daemons start no child process (the runtime image has no shell and no iproute2):
// links, addresses and routes come from rtnetlink in native/, sysctls from /proc/sys.
function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(directory, entry.name)]
        : [],
  );
}

describe('no child processes in the daemons (issue 11)', () => {
  it('no file in src/ imports node:child_process', () => {
    const importing = sourceFiles('src').filter((file) =>
      /from 'node:child_process'|require\('(node:)?child_process'\)|import\('(node:)?child_process'\)/.test(
        readFileSync(file, 'utf8'),
      ),
    );
    expect(importing).toEqual([]);
  });
});
