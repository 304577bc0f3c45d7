// Documentation describes what the code does: codes, metrics, flags, annotations, CRD fields, Helm
// values and defaults listed in docs/ are checked against their single source in the code, both ways
// where the docs are the reference (STYLE.md: "a test keeps codes, docs and types in step").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONTROLLER_SPEC } from '../../../src/cli/controller.js';
import { IGNORED_METALLB_ENV, METALLB_FLAGS } from '../../../src/cli/metallb-flags.js';
import { PLAN_SPEC } from '../../../src/cli/plan.js';
import { SPEAKER_SPEC } from '../../../src/cli/speaker.js';
import { STANDALONE_SPEC } from '../../../src/cli/standalone.js';
import { STATUS_SPEC } from '../../../src/cli/status.js';
import {
  ALLOCATED_FROM_POOL,
  Annotation,
  EXCLUDE_LB_LABEL,
  OUT_OF_SERVICE_TAINT,
  ServiceL2StatusLabel,
} from '../../../src/config/annotations.js';
import * as defaults from '../../../src/config/defaults.js';
import { ErrorCode } from '../../../src/errors.js';
import { DEFAULT_TIMINGS } from '../../../src/membership/defaults.js';
import { MetricDefinitions } from '../../../src/metrics/definitions.js';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The first cell (in backticks) of every table row of `markdown` that looks like `pattern`. */
function tableKeys(markdown: string, pattern: RegExp): string[] {
  return markdown
    .split('\n')
    .map((line) => /^\| `([^`]+)` \|/.exec(line)?.[1])
    .filter((key): key is string => key !== undefined && pattern.test(key));
}

describe('docs/errors.md', () => {
  const documented = tableKeys(read('docs/errors.md'), /^FERROLB_/);
  const codes = Object.values(ErrorCode);

  it.each(codes)('STYLE errors: %s is documented', (code) => {
    expect(documented).toContain(code);
  });

  it('STYLE errors: every documented code exists, once', () => {
    expect([...documented].sort()).toEqual([...codes].sort());
  });
});

describe('docs/metrics.md', () => {
  const markdown = read('docs/metrics.md');
  const documented = tableKeys(markdown, /^(metallb|ferrolb)_/);
  const definitions = Object.values(MetricDefinitions);

  it.each(definitions.map((definition) => ({ ...definition })))(
    'M2: $name is documented with its help text and labels',
    ({ name, help, labels }) => {
      const row = markdown.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, `add a row for ${name} to docs/metrics.md`).toBeDefined();
      const cells = (row ?? '').split(' | ');
      expect(cells[2]).toBe(labels.length === 0 ? '–' : labels.join(', '));
      expect(cells[3]).toBe(help);
    },
  );

  it('M2: every documented metric is defined, once', () => {
    expect([...documented].sort()).toEqual(definitions.map((definition) => definition.name).sort());
  });
});

describe('docs mention every command-line flag', () => {
  const configuration = read('docs/configuration.md');
  const specs = [CONTROLLER_SPEC, SPEAKER_SPEC, STANDALONE_SPEC, PLAN_SPEC, STATUS_SPEC];
  const flags = specs.flatMap((spec) =>
    [...Object.keys(spec.flags), ...Object.keys(spec.ignored ?? {})].map((name) => ({
      command: spec.command,
      flag: `--${name}`,
    })),
  );

  it('CLI: the command specs were read', () => {
    expect(flags.length).toBeGreaterThan(40);
  });

  it.each(flags)('CLI: ferrolb $command $flag is in docs/configuration.md', ({ command, flag }) => {
    const section = configuration.split(/^### /m).find((part) => part.startsWith(`\`ferrolb ${command}\``));
    expect(section, `docs/configuration.md needs a "### \`ferrolb ${command}\`" section`).toBeDefined();
    expect(section).toContain(`\`${flag}`);
  });
});

describe('docs/flags.md lists every MetalLB flag and what ferrolb does with it', () => {
  const markdown = read('docs/flags.md');
  const rows = new Map(
    markdown
      .split('\n')
      .filter((line) => /^\| `--[a-z0-9-]+` \|/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .map((cells) => [(cells[1] as string).slice(3, -1), cells]),
  );

  it('CLI: every documented flag is in src/cli/metallb-flags.ts and back', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(METALLB_FLAGS).sort());
  });

  it.each(Object.entries(METALLB_FLAGS).map(([name, flag]) => ({ name, ...flag })))(
    'CLI: --$name says what ferrolb does, as the code does',
    ({ name, controller, speaker, env }) => {
      // | flag | controller | speaker | environment | ferrolb |
      const cells = rows.get(name) ?? [];
      const handling = controller ?? speaker;
      expect(cells[5]).toMatch(handling === 'honoured' ? /^Honoured/ : /^Ignored/);
      expect(cells[2] === '').toBe(controller === undefined);
      expect(cells[3] === '').toBe(speaker === undefined);
      expect(cells[4]).toBe(env ? `\`${env}\`` : '');
    },
  );

  it.each([...new Set(Object.values(IGNORED_METALLB_ENV).flat())])(
    'CLI: %s is in docs/flags.md',
    (variable) => {
      expect(markdown).toContain(`\`${variable}\``);
    },
  );
});

describe('docs/configuration.md timings match the code', () => {
  const configuration = read('docs/configuration.md');
  /** The value cell of the table row whose first cell is `name`. */
  const documentedValue = (name: string) =>
    configuration
      .split('\n')
      .find((line) => line.startsWith(`| \`${name}\` |`))
      ?.split(' | ')[1];

  it.each(
    Object.entries(defaults)
      .filter(([name, value]) => name.endsWith('_MS') && typeof value === 'number')
      .map(([name, value]) => ({ name, value })),
  )('DESIGN defaults: $name is documented as $value', ({ name, value }) => {
    expect(documentedValue(name), `add a row for ${name} to docs/configuration.md`).toBe(String(value));
  });

  it.each(Object.entries(DEFAULT_TIMINGS).map(([name, value]) => ({ name, value })))(
    'DESIGN membership: $name is documented as $value',
    ({ name, value }) => {
      expect(documentedValue(name), `add a row for ${name} to docs/configuration.md`).toBe(String(value));
    },
  );
});

describe('docs/configuration.md names every annotation and CRD field', () => {
  const configuration = read('docs/configuration.md');
  const annotationKeys = [
    ...Object.values(Annotation).flatMap((pair) => [pair.current, pair.deprecated]),
    ALLOCATED_FROM_POOL,
    EXCLUDE_LB_LABEL,
    OUT_OF_SERVICE_TAINT,
    ...Object.values(ServiceL2StatusLabel),
  ];

  it.each(annotationKeys)('N1: %s is documented', (key) => {
    expect(configuration).toContain(`\`${key}`);
  });

  type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema };
  const schemaOf = (file: string) => {
    const crd = parse(read(`deploy/crds/${file}`)) as {
      spec: { versions: { schema: { openAPIV3Schema: Schema } }[] };
    };
    return crd.spec.versions[0]?.schema.openAPIV3Schema.properties ?? {};
  };
  /** Field paths under `schema`: each property, and the properties of plain (non-selector) objects below it. */
  const paths = (schema: Schema | undefined, prefix: string): string[] =>
    Object.entries(schema?.properties ?? {}).flatMap(([name, child]) => {
      const path = `${prefix}${name}`;
      const isSelector = child.properties?.matchLabels !== undefined;
      return child.type === 'object' && !isSelector ? [path, ...paths(child, `${path}.`)] : [path];
    });
  const fields = [
    ...paths(schemaOf('metallb.io_ipaddresspools.yaml').spec, '').map((path) => ({
      kind: 'IPAddressPool',
      path,
    })),
    ...paths(schemaOf('metallb.io_ipaddresspools.yaml').status, '').map((path) => ({
      kind: 'IPAddressPool',
      path,
    })),
    ...paths(schemaOf('metallb.io_l2advertisements.yaml').spec, '').map((path) => ({
      kind: 'L2Advertisement',
      path,
    })),
    ...paths(schemaOf('metallb.io_servicel2statuses.yaml').status, 'status.').map((path) => ({
      kind: 'ServiceL2Status',
      path,
    })),
  ];

  it('R1: the CRD schemas were read', () => {
    expect(fields.length).toBeGreaterThan(15);
  });

  it.each(fields)('R1-R4: $kind $path is documented', ({ path }) => {
    expect(configuration).toContain(`\`${path}`);
  });
});

describe('docs/helm.md lists every chart value', () => {
  const helmDocs = read('docs/helm.md');
  const values = parse(read('deploy/chart/values.yaml')) as Record<string, unknown>;
  /** Dotted paths of the leaves (and of lists and empty maps, which users fill in). */
  const leaves = (node: unknown, prefix: string): string[] => {
    const isMap = typeof node === 'object' && node !== null && !Array.isArray(node);
    if (!isMap || Object.keys(node).length === 0) return [prefix];
    // Kubernetes objects and label maps are documented as a whole.
    if (
      /\.(resources|nodeSelector|securityContext|containerSecurityContext|affinity|strategy|updateStrategy|labels)$/.test(
        prefix,
      )
    )
      return [prefix];
    return Object.entries(node).flatMap(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key));
  };

  it.each(leaves(values, ''))('D11: %s is documented', (path) => {
    expect(helmDocs).toContain(`| \`${path}\` |`);
  });
});
