// The speaker's HTTPS metrics (MetalLB 0.16, metallb-behaviour M1): real speakers in lab node
// namespaces, tokens checked by the real API server, scraped with curl inside the owner's namespace;
// then docs/metrics.md is diffed against that scrape for every metric the doc says the speaker emits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabNode } from '../helpers/lab.js';
import { tryInNs } from '../helpers/netns.js';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { mintServiceAccountToken } from './harness/bootstrap.js';
import { SYSTEM_NAMESPACE } from './harness/index.js';
import { SpeakerLab } from './harness/speaker-lab.js';
import { eventually } from './harness/waiting.js';

/** MetalLB 0.16's port, the speaker's default `--secure-metrics-port`. */
const SECURE_PORT = 9120;

let speakerLab: SpeakerLab;
let owner: LabNode;

/** `curl` inside `node`'s namespace: the HTTP status and the body. */
function scrape(node: LabNode, token?: string): { status: number; body: string } {
  const auth = token === undefined ? [] : ['-H', `Authorization: Bearer ${token}`];
  const url = `https://127.0.0.1:${SECURE_PORT}/metrics`;
  const { output } = tryInNs(node.namespace, 'curl', ['-sk', '-w', '\n%{http_code}', ...auth, url]);
  const lines = output.trimEnd().split('\n');
  return { status: Number(lines.at(-1)), body: lines.slice(0, -1).join('\n') };
}

beforeAll(async () => {
  speakerLab = await SpeakerLab.start({ prefix: 'flb-smet', nodeCount: 2 });
  owner = await speakerLab.ownerAnswering(() => true);
  await speakerLab.cluster.admin.makeApiClient(CoreV1Api).createNamespacedServiceAccount({
    namespace: SYSTEM_NAMESPACE,
    body: { metadata: { name: 'no-metrics' } },
  });
});

afterAll(async () => {
  await speakerLab?.stop();
});

describe('speaker: HTTPS /metrics with TokenReview and SubjectAccessReview', () => {
  it('M1: reader token 200, token without the right 403, no token 401', async () => {
    const reader = await mintServiceAccountToken(speakerLab.cluster.admin, 'metallb-metrics-reader');
    const allowed = await eventually(
      'the speaker HTTPS endpoint',
      () => {
        const response = scrape(owner, reader);
        return response.status === 200 ? response : undefined;
      },
      { context: () => speakerLab.log(owner.name) },
    );
    expect(allowed.body).toMatch(/^# HELP metallb_speaker_announced /m);
    const stranger = await mintServiceAccountToken(speakerLab.cluster.admin, 'no-metrics');
    expect(scrape(owner, stranger).status).toBe(403);
    expect(scrape(owner).status).toBe(401);
  });

  it("M2: every metric the doc says the speaker emits is in the owner's HTTPS scrape", async () => {
    const markdown = readFileSync(join(REPOSITORY_ROOT, 'docs', 'metrics.md'), 'utf8');
    const rows = [...markdown.matchAll(/^\| `([a-z0-9_]+)` \| [a-z]+ \|[^|]*\|[^|]*\| ([^|]+) \|$/gm)];
    const documented = rows.filter((row) => (row[2] ?? '').includes('speaker')).map((row) => row[1] ?? '');
    expect(documented.length).toBeGreaterThanOrEqual(10);
    const reader = await mintServiceAccountToken(speakerLab.cluster.admin, 'metallb-metrics-reader');
    const exported = new Set(
      [...scrape(owner, reader).body.matchAll(/^# HELP ([a-z0-9_]+) /gm)].map((m) => m[1]),
    );
    expect(documented.filter((name) => !exported.has(name))).toEqual([]);
  });
});
