// One gratuitous round for one owned IP on one interface (I/O shell of the announcer): ARP
// request + reply (MetalLB G5) or an unsolicited NA with Override (G6), each frame counted.
import type { Logger } from '../log.js';
import { ArpOperation } from './codec/index.js';
import { gratuitousArpFrame, unsolicitedAdvertisementFrame } from './frames.js';
import type { Layer2Metrics } from './layer2-metrics.js';
import type { OwnedAddress } from './ownership.js';
import type { InterfacePort } from './port.js';

/** Sends the round's frames on `port`'s socket for the address family; failures are counted and logged. */
export function sendGratuitousRound(
  port: InterfacePort,
  address: OwnedAddress,
  context: { readonly metrics: Layer2Metrics; readonly logger: Logger },
): void {
  const frames =
    address.family === 4
      ? [ArpOperation.request, ArpOperation.reply].map((operation) =>
          gratuitousArpFrame(operation, port.mac, address.bytes),
        )
      : [unsolicitedAdvertisementFrame(port.mac, address.bytes)];
  const socket = port.sockets.get(address.family === 4 ? 'arp' : 'ipv6');
  for (const frame of frames) {
    try {
      if (!socket) throw new Error('no socket');
      socket.send(frame);
      context.metrics.gratuitous(address.ip, true);
    } catch (error) {
      context.metrics.gratuitous(address.ip, false);
      context.logger.warn(
        { ip: address.ip, interface: port.state.name, err: error },
        'gratuitous announcement not sent',
      );
    }
  }
}
