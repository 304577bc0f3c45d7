// The speaker's gossip (ML1-ML6): started with the other speaker pods as seeds and the shared
// secret, and re-seeded every minute so added nodes and restarted pods are joined.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoreV1Api } from '@kubernetes/client-node';
import { SPEAKER_SEED_REFRESH_MS } from '../config/defaults.js';
import type { Logger } from '../log.js';
import type { MembershipPort } from './ports.js';
import type { SpeakerFlags } from './runner.js';
import { listSpeakerSeeds } from './seeds.js';

async function readSecret(directory: string | undefined, logger: Logger): Promise<Uint8Array | undefined> {
  if (!directory) return undefined;
  const path = join(directory, 'secretkey');
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    logger.warn({ path, error: (error as Error).message }, 'gossip secret unreadable');
    return undefined;
  }
}

export async function startMembership(
  flags: SpeakerFlags,
  context: { readonly core: CoreV1Api; readonly logger: Logger; readonly metadata: Record<string, unknown> },
): Promise<{ readonly membership: MembershipPort | undefined; readonly seedCount: number }> {
  const memberlist = flags.memberlist;
  if (!memberlist) {
    context.logger.info('not starting fast dead node detection (memberlist): no --ml-bindaddr (ML1)');
    return { membership: undefined, seedCount: 0 };
  }
  const seeds = await listSpeakerSeeds(context.core, {
    namespace: flags.namespace,
    labelSelector: memberlist.labelSelector,
    ownAddress: memberlist.bindAddress,
  }).catch((error: unknown) => {
    context.logger.warn({ error: String(error) }, 'listing speaker pods for gossip seeds failed');
    return [];
  });
  const secret = await readSecret(memberlist.secretKeyPath, context.logger);
  // Loaded here: flag errors never start a worker thread.
  const { Membership } = await import('../membership/index.js');
  const membership = await Membership.start({
    nodeName: flags.nodeName,
    bindAddress: memberlist.bindAddress,
    port: memberlist.port,
    seeds: seeds.map((seed) => ({ address: seed.address, port: memberlist.port })),
    ...(secret ? { secret } : {}),
    metadata: context.metadata,
    logger: context.logger,
  });
  return { membership, seedCount: seeds.length };
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
  const memberlist = flags.memberlist;
  if (!membership || !memberlist) return undefined;
  const timer = setInterval(() => {
    const query = {
      namespace: flags.namespace,
      labelSelector: memberlist.labelSelector,
      ownAddress: memberlist.bindAddress,
    };
    listSpeakerSeeds(context.core, query).then(
      (seeds) => {
        const known = new Set(membership.members().map((member) => member.address));
        const fresh = seeds.filter((seed) => !known.has(seed.address));
        if (fresh.length === 0) return;
        context.logger.info({ seeds: fresh.map((seed) => seed.address) }, 'joining new gossip seeds');
        membership.join(fresh.map((seed) => ({ address: seed.address, port: memberlist.port })));
      },
      (error: unknown) =>
        context.logger.warn({ error: String(error) }, 'listing speaker pods for gossip seeds failed'),
    );
  }, SPEAKER_SEED_REFRESH_MS);
  timer.unref();
  return timer;
}
