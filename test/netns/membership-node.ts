// One gossip member for test/netns/membership.test.ts, run inside a network namespace:
//   node --import tsx membership-node.ts NAME ADDRESS SEED[,SEED…] SECRET
// Prints one JSON line per membership change; SIGTERM leaves gracefully and exits 0.
import { logger } from '../../src/log.js';
import { Membership } from '../../src/membership/index.js';

const [name = '', address = '', seedList = '', secret = ''] = process.argv.slice(2);
const membership = await Membership.start({
  nodeName: name,
  bindAddress: address,
  port: 7946,
  seeds: seedList
    .split(',')
    .filter((seed) => seed !== '')
    .map((seed) => ({ address: seed })),
  secret: new TextEncoder().encode(secret),
  logger: logger.child({ node: name }, { level: 'warn' }),
});
const report = (): void => {
  const members = membership.members().map((member) => ({ name: member.name, state: member.state }));
  process.stdout.write(`${JSON.stringify({ atMs: Date.now(), members })}\n`);
};
membership.on('change', report);
report();
process.once('SIGTERM', () => {
  void membership.leave().then(() => process.exit(0));
});
