// CHANGELOG.md "Versions": one version names everything that ships together — the package
// (`ferrolb --version`), the image tag deploy/ and the chart reference, the chart — and the
// changelog has a section for it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const VERSION = (JSON.parse(read('package.json')) as { version: string }).version;

function imagesOf(path: string): string[] {
  const text = JSON.stringify(parseAllDocuments(read(path)).map((document) => document.toJS()));
  return [...text.matchAll(/"image":"([^"]+)"/g)].map((match) => match[1] ?? '');
}

describe('one version for package, image, manifests and chart', () => {
  it('the chart version and appVersion are the package version', () => {
    const chart = parse(read('deploy/chart/Chart.yaml')) as { version: string; appVersion: string };
    expect(chart.appVersion).toBe(VERSION);
    expect(chart.version).toBe(VERSION);
  });

  it('deploy/ pins the image to the package version, in the manifests and in kustomize images:', () => {
    const images = [...imagesOf('deploy/speaker.yaml'), ...imagesOf('deploy/controller.yaml')];
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) expect(image).toBe(`ghcr.io/ferrolb/ferrolb:${VERSION}`);
    const kustomization = parse(read('deploy/kustomization.yaml')) as { images: { newTag: string }[] };
    expect(kustomization.images.map((image) => image.newTag)).toEqual([VERSION]);
  });

  it('the chart image tag defaults to appVersion (no second place to bump)', () => {
    const values = parse(read('deploy/chart/values.yaml')) as { image: { tag: string } };
    expect(values.image.tag).toBe('');
  });

  it('CHANGELOG.md has a section for the version', () => {
    expect(read('CHANGELOG.md')).toMatch(new RegExp(`^## \\[${VERSION.replaceAll('.', '\\.')}\\]`, 'm'));
  });
});
