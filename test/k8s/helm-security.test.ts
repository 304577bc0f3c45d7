// issue 11: what the installed pods run as, and the file modes of their volumes, read as each real
// parser reads them. The chart is rendered by the real helm; deploy/ and the chart's output go
// through `kubectl kustomize`, whose Go YAML parser reads numbers as the API server does (`0420`
// is octal there, decimal for JavaScript's YAML 1.2), and through JavaScript YAML 1.1 and 1.2.
// Every reader must agree, and the agreed mode must let the container's own user read the file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject, V1PodSpec, V1SecurityContext } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { ensureHelm, parseObjects, renderChartText } from './helm-render.js';

const run = promisify(execFile);

/** The image's `USER` line: what a container runs as when nothing in the pod says otherwise. */
const IMAGE_UID = Number(/^USER (\d+)/m.exec(readFileSync(join(REPOSITORY_ROOT, 'Dockerfile'), 'utf8'))?.[1]);

/** Each reader of a manifest, and the objects it read. */
type Readings = Record<'go' | 'yaml11' | 'yaml12', KubernetesObject[]>;

let scratch: string;
const readings = new Map<string, Readings>();

async function kustomize(directory: string): Promise<KubernetesObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', directory], { maxBuffer: 32 * 1024 * 1024 });
  // kustomize re-serialises every number in decimal: any YAML reader now sees Go's values.
  return parseObjects(stdout);
}

/** The three readings of a rendered chart: kustomize gets the text as one resource file. */
async function readRendered(name: string, text: string): Promise<Readings> {
  const directory = join(scratch, name);
  await run('mkdir', ['-p', directory]);
  writeFileSync(join(directory, 'rendered.yaml'), text);
  writeFileSync(join(directory, 'kustomization.yaml'), 'resources: [rendered.yaml]\n');
  return { go: await kustomize(directory), yaml11: parseObjects(text, '1.1'), yaml12: parseObjects(text) };
}

/** deploy/ as `kubectl apply -k` reads it, and each file as the two JavaScript readers do. */
async function readDeploy(): Promise<Readings> {
  const files = ['controller.yaml', 'speaker.yaml'].map((file) =>
    readFileSync(join(REPOSITORY_ROOT, 'deploy', file), 'utf8'),
  );
  return {
    go: await kustomize(join(REPOSITORY_ROOT, 'deploy')),
    yaml11: files.flatMap((text) => parseObjects(text, '1.1')),
    yaml12: files.flatMap((text) => parseObjects(text)),
  };
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'ferrolb-helm-security-'));
  const helm = await ensureHelm();
  readings.set('deploy/', await readDeploy());
  readings.set('chart defaults', await readRendered('defaults', await renderChartText(helm)));
  const configured = await renderChartText(helm, {
    values: { speaker: { memberlist: { secretKey: 'c2VjcmV0LWZvci10ZXN0cw' } } },
    label: 'security',
  });
  readings.set('chart with a gossip secret', await readRendered('configured', configured));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function podSpec(objects: readonly KubernetesObject[], kind: string, name: string): V1PodSpec {
  const workload = objects.find((object) => object.kind === kind && object.metadata?.name === name) as
    | (KubernetesObject & { spec?: { template?: { spec?: V1PodSpec } } })
    | undefined;
  const spec = workload?.spec?.template?.spec;
  if (!spec) throw new Error(`no ${kind}/${name} among the rendered objects`);
  return spec;
}

/** The uid the container's process gets: container, then pod securityContext, then the image. */
function effectiveUid(pod: V1PodSpec, container: V1SecurityContext | undefined): number {
  return container?.runAsUser ?? pod.securityContext?.runAsUser ?? IMAGE_UID;
}

/**
 * Whether `uid` can read a file of `mode` in a Secret or ConfigMap volume. The kubelet makes the
 * files root-owned (group fsGroup when set); with every capability dropped, root has no
 * CAP_DAC_OVERRIDE either, so only the permission bits count.
 */
function isReadable(mode: number, uid: number, pod: V1PodSpec): boolean {
  if (uid === 0) return (mode & 0o400) !== 0;
  const inGroup = pod.securityContext?.fsGroup !== undefined;
  return (mode & 0o004) !== 0 || (inGroup && (mode & 0o040) !== 0);
}

interface VolumeMode {
  volume: string;
  mode: number | undefined;
}

function volumeModes(pod: V1PodSpec): VolumeMode[] {
  return (pod.volumes ?? []).map((volume) => ({
    volume: volume.name,
    mode: volume.secret?.defaultMode ?? volume.configMap?.defaultMode,
  }));
}

const sources = ['deploy/', 'chart defaults', 'chart with a gossip secret'];

describe('issue 11: volume modes mean the same to every parser', () => {
  it.each(sources)('D3: %s: the speaker volume modes read alike in Go and JavaScript YAML', (source) => {
    const reading = readings.get(source) as Readings;
    const [go, yaml11, yaml12] = [reading.go, reading.yaml11, reading.yaml12].map((objects) =>
      volumeModes(podSpec(objects, 'DaemonSet', 'speaker')),
    );
    expect(yaml11, 'YAML 1.1 (octal 0NNN) agrees with Go').toEqual(go);
    expect(yaml12, 'YAML 1.2 (decimal 0NNN) agrees with Go').toEqual(go);
  });

  it.each(sources)(
    'D3: %s: the gossip Secret is 0400 and the exclusion list 0444, readable by the speaker',
    (source) => {
      const pod = podSpec((readings.get(source) as Readings).go, 'DaemonSet', 'speaker');
      const modes = Object.fromEntries(volumeModes(pod).map(({ volume, mode }) => [volume, mode]));
      expect(modes).toEqual({ memberlist: 0o400, 'metallb-excludel2': 0o444 });
      const uid = effectiveUid(pod, pod.containers[0]?.securityContext);
      for (const [volume, mode] of Object.entries(modes))
        expect(isReadable(mode ?? 0o644, uid, pod), `${volume} (${mode?.toString(8)}) for uid ${uid}`).toBe(
          true,
        );
    },
  );
});

describe('issue 11: who each container runs as', () => {
  it.each(sources)(
    'D3: %s: the speaker runs as uid 0 with NET_RAW only (a non-root process gets no effective capability)',
    (source) => {
      const pod = podSpec((readings.get(source) as Readings).go, 'DaemonSet', 'speaker');
      const context = pod.containers[0]?.securityContext;
      expect(effectiveUid(pod, context)).toBe(0);
      expect(context?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(false);
      expect(context?.capabilities).toEqual({ drop: ['ALL'], add: ['NET_RAW'] });
      expect(context?.allowPrivilegeEscalation).toBe(false);
      expect(context?.readOnlyRootFilesystem).toBe(true);
      expect(context?.privileged ?? false).toBe(false);
    },
  );

  it.each(sources)('D2: %s: the controller stays uid 65534, non-root, no capabilities', (source) => {
    const pod = podSpec((readings.get(source) as Readings).go, 'Deployment', 'controller');
    const context = pod.containers[0]?.securityContext;
    expect(effectiveUid(pod, context)).toBe(65534);
    expect(context?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);
    expect(context?.capabilities).toEqual({ drop: ['ALL'] });
    expect(context?.allowPrivilegeEscalation).toBe(false);
    expect(context?.readOnlyRootFilesystem).toBe(true);
  });
});
