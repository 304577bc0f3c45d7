import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// The chart must not diverge from deploy/: Helm installs crds/ verbatim and renders the alerts from
// files/, so both are byte-identical copies of the deploy/ originals.
describe('Helm chart copies of deploy/ files', () => {
  const crds = readdirSync(join(root, 'deploy/crds')).filter((name) => name.endsWith('.yaml'));

  it('DESIGN drop-in: the chart ships exactly the CRDs of deploy/crds', () => {
    expect(readdirSync(join(root, 'deploy/chart/crds')).sort()).toEqual([...crds].sort());
  });

  it.each(crds)('DESIGN drop-in: chart crds/%s is identical to deploy/crds', (name) => {
    expect(read(`deploy/chart/crds/${name}`)).toBe(read(`deploy/crds/${name}`));
  });

  it('M7: chart files/prometheus-rules.yaml is identical to deploy/monitoring', () => {
    expect(read('deploy/chart/files/prometheus-rules.yaml')).toBe(
      read('deploy/monitoring/prometheus-rules.yaml'),
    );
  });
});
