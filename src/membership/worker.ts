// The worker_thread that owns the gossip socket and timers (DESIGN "Membership": off the main
// loop), so a busy main thread never makes this node miss acks and look dead.
import { parentPort, workerData } from 'node:worker_threads';
import { STATS_REPORT_INTERVAL_MS } from './defaults.js';
import type { MembershipStats } from './types.js';
import { type NodeSettings, startUdpNode } from './udp.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

if (parentPort === null) throw new Error('membership worker started outside a worker_thread');
const port = parentPort;
const post = (message: FromWorker): void => port.postMessage(message);

async function main(settings: NodeSettings): Promise<void> {
  const node = await startUdpNode(settings, {
    onChange: (members) => post({ type: 'change', members }),
    onEvent: (event) => post({ type: 'event', event }),
    log: (level, message, fields) => post({ type: 'log', level, message, fields }),
  });
  // Drops reach the main thread only in these periodic batches, never one message per packet, and
  // only when there are new ones: the main thread reads nothing else from them unasked, and each
  // message wakes it (issue 14). Fresh byte counters are sent when asked (`stats`).
  const reportStats = (): void => post({ type: 'stats', stats: node.stats() satisfies MembershipStats });
  let reportedDrops = '';
  const reportNewDrops = (): void => {
    const drops = JSON.stringify(node.stats().dropsByReason);
    if (drops === reportedDrops) return;
    reportedDrops = drops;
    reportStats();
  };
  const statsTimer = setInterval(reportNewDrops, STATS_REPORT_INTERVAL_MS);
  port.on('message', async (message: ToWorker) => {
    if (message.type === 'setMetadata') node.engine.setMetadata(message.metadata);
    if (message.type === 'stats') reportStats();
    if (message.type === 'join') node.engine.join(message.seeds);
    if (message.type === 'setAllowedMembers') node.setAllowedMembers(message.allowed);
    if (message.type === 'leave' || message.type === 'stop') {
      if (message.type === 'leave') await node.engine.leave(message.timeoutMs);
      node.engine.stop();
      clearInterval(statsTimer);
      reportStats();
      await node.close();
      post({ type: 'stopped' });
    }
  });
  post({ type: 'ready', port: node.port, members: node.engine.members() });
}

main(workerData as NodeSettings).catch((error: unknown) =>
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
);
