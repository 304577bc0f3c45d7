// The speaker's gossip (ML1-ML6): started with the other speaker pods as seeds and the shared
// secret, and re-seeded every minute so added nodes and restarted pods are joined. Only speaker
// pods (node name, pod IP) are admitted as members; a configured secret that cannot be read keeps
// the speaker out of gossip and the election (fail closed, issue 12 #2) while it retries.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SPEAKER_SEED_REFRESH_MS } from '../config/defaults.js';
import type { CoreV1Api } from '../k8s/api/index.js';
import type { Logger } from '../log.js';
import type { MembershipPort } from './ports.js';
import type { SpeakerFlags } from './runner.js';
import { listSpeakerPods, type SpeakerPods } from './seeds.js';

/** How often an unreadable configured secret is read again. */
const SECRET_RETRY_MS = 5_000;
/** Packets from unknown senders re-list the speaker pods at most this often (a new node's speaker). */
const UNKNOWN_SENDER_RELIST_MS = 5_000;

/** Shared with readiness: false while a configured secret has not been read. */
export interface SecretStatus {
  secretRead: boolean;
}

/** Reads `secretkey` in `directory` (ML3); throws a message naming the file and the reason. */
export async function readSecretFile(directory: string): Promise<Uint8Array> {
  const path = join(directory, 'secretkey');
  let secret: Buffer;
  try {
    secret = await readFile(path);
  } catch (error) {
    throw new Error(`cannot read the gossip secret ${path}: ${(error as Error).message}`);
  }
  if (secret.byteLength === 0) throw new Error(`the gossip secret ${path} is empty`);
  return new Uint8Array(secret);
}

/**
 * Fail closed: returns the secret once readable, retrying every SECRET_RETRY_MS with an error log;
 * `status.secretRead` stays false meanwhile (not Ready). Undefined only when none is configured.
 */
export async function waitForSecret(
  directory: string | undefined,
  context: { readonly logger: Logger; readonly status: SecretStatus; readonly retryMs?: number },
): Promise<Uint8Array | undefined> {
  if (!directory) return undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const secret = await readSecretFile(directory);
      context.status.secretRead = true;
      if (attempt > 1) context.logger.info({ directory, attempt }, 'gossip secret read: joining gossip');
      return secret;
    } catch (error) {
      context.status.secretRead = false;
      context.logger.error(
        { directory, attempt, error: (error as Error).message, retryMs: context.retryMs ?? SECRET_RETRY_MS },
        'gossip secret configured but unreadable: NOT joining gossip or the election, NOT Ready (never plaintext); retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, context.retryMs ?? SECRET_RETRY_MS));
    }
  }
}

type GossipContext = {
  readonly core: CoreV1Api;
  readonly logger: Logger;
  readonly metadata: Record<string, unknown>;
  readonly status: SecretStatus;
};

async function listPods(
  flags: SpeakerFlags,
  core: CoreV1Api,
  logger: Logger,
): Promise<SpeakerPods | undefined> {
  const memberlist = flags.memberlist;
  if (!memberlist) return undefined;
  const query = {
    namespace: flags.namespace,
    labelSelector: memberlist.labelSelector,
    ownAddress: memberlist.bindAddress,
  };
  return listSpeakerPods(core, query).catch((error: unknown) => {
    logger.warn({ error: String(error) }, 'listing speaker pods for gossip seeds failed');
    return undefined;
  });
}

export async function startMembership(
  flags: SpeakerFlags,
  context: GossipContext,
): Promise<{ readonly membership: MembershipPort | undefined; readonly seedCount: number }> {
  const memberlist = flags.memberlist;
  if (!memberlist) {
    context.logger.info('not starting fast dead node detection (memberlist): no --ml-bindaddr (ML1)');
    return { membership: undefined, seedCount: 0 };
  }
  const secret = await waitForSecret(memberlist.secretKeyPath, context);
  const pods = await listPods(flags, context.core, context.logger);
  // Loaded here: flag errors never start a worker thread.
  const { Membership } = await import('../membership/index.js');
  const membership = await Membership.start({
    nodeName: flags.nodeName,
    bindAddress: memberlist.bindAddress,
    port: memberlist.port,
    seeds: (pods?.seeds ?? []).map((seed) => ({ address: seed.address, port: memberlist.port })),
    ...(secret ? { secret } : {}),
    // Without a pod list yet, anyone is admitted up to the table bound until the next refresh.
    ...(pods ? { allowedMembers: pods.allowed } : {}),
    metadata: context.metadata,
    logger: context.logger,
  });
  let lastRelistMs = Date.now();
  membership.on('unknownSenders', () => {
    if (Date.now() - lastRelistMs < UNKNOWN_SENDER_RELIST_MS) return;
    lastRelistMs = Date.now();
    void syncPods(flags, { ...context, membership });
  });
  return { membership, seedCount: pods?.seeds.length ?? 0 };
}

/** Re-lists speaker pods: replaces the allow-list, joins seeds gossip does not know yet (ML6). */
async function syncPods(
  flags: SpeakerFlags,
  context: { readonly core: CoreV1Api; readonly membership: MembershipPort; readonly logger: Logger },
): Promise<void> {
  const memberlist = flags.memberlist;
  const pods = await listPods(flags, context.core, context.logger);
  if (!pods || !memberlist) return;
  const { membership } = context;
  membership.setAllowedMembers(pods.allowed);
  const known = new Set(membership.members().map((member) => member.address));
  const fresh = pods.seeds.filter((seed) => !known.has(seed.address));
  if (fresh.length === 0) return;
  context.logger.info({ seeds: fresh.map((seed) => seed.address) }, 'joining new gossip seeds');
  membership.join(fresh.map((seed) => ({ address: seed.address, port: memberlist.port })));
}

/** ML6: every minute, joins speaker pods that gossip does not know yet (nodes added, pods restarted). */
export function refreshSeeds(
  flags: SpeakerFlags,
  context: {
    readonly core: CoreV1Api;
    readonly membership: MembershipPort | undefined;
    readonly logger: Logger;
  },
): NodeJS.Timeout | undefined {
  const { membership } = context;
  if (!membership || !flags.memberlist) return undefined;
  const timer = setInterval(() => void syncPods(flags, { ...context, membership }), SPEAKER_SEED_REFRESH_MS);
  timer.unref();
  return timer;
}
