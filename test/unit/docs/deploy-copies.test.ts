import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// The chart must not diverge from deploy/: the chart's crds/ directory holds byte-identical
// copies of deploy/crds. (The alerts have one source, the chart's template: test/k8s/prometheus-rules.test.ts.)
describe('Helm chart copies of deploy/ files', () => {
  const crds = readdirSync(join(root, 'deploy/crds')).filter((name) => name.endsWith('.yaml'));

  it('DESIGN drop-in: the chart ships exactly the CRDs of deploy/crds', () => {
    expect(readdirSync(join(root, 'deploy/chart/crds')).sort()).toEqual([...crds].sort());
  });

  it.each(crds)('DESIGN drop-in: chart crds/%s is identical to deploy/crds', (name) => {
    expect(read(`deploy/chart/crds/${name}`)).toBe(read(`deploy/crds/${name}`));
  });
});
