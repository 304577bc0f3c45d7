// The gossip attacks of issue 12 as plain tools, aimed only at lab addresses inside lab
// namespaces: a tcpdump capture of the gossip on the lab bridge (encrypted packets, read back from
// the pcap file), a UDP sender that replays packets or sends forged ones from the client's
// namespace, and a garbage flood bounded in count and time.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runInNamespace } from './probes.js';

/** One captured or forged datagram and where it goes. */
export interface Datagram {
  readonly address: string;
  readonly port: number;
  readonly payload: Buffer;
}

/** A captured datagram: also who sent it and when (epoch ms, from the pcap record). */
export interface CapturedDatagram extends Datagram {
  readonly source: string;
  readonly atMs: number;
}

const PCAP_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const ETHERNET_BYTES = 14;
const ETHERTYPE_IPV4 = 0x0800;
const PROTOCOL_UDP = 17;
const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;

/** The IPv4 UDP datagrams to `port` in a classic pcap file of Ethernet frames (tcpdump -w). */
export function udpDatagrams(pcap: Buffer, port: number): CapturedDatagram[] {
  if (pcap.length < PCAP_HEADER_BYTES) return [];
  const magic = pcap.readUInt32LE(0);
  if (magic !== PCAP_MAGIC_MICROSECONDS && magic !== PCAP_MAGIC_NANOSECONDS)
    throw new Error(`not a little-endian pcap file (magic ${magic.toString(16)})`);
  const fractionMs = magic === PCAP_MAGIC_NANOSECONDS ? 1e-6 : 1e-3;
  const found: CapturedDatagram[] = [];
  for (let offset = PCAP_HEADER_BYTES; offset + RECORD_HEADER_BYTES <= pcap.length; ) {
    const atMs = pcap.readUInt32LE(offset) * 1000 + Math.floor(pcap.readUInt32LE(offset + 4) * fractionMs);
    const captured = pcap.readUInt32LE(offset + 8);
    const frame = pcap.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + captured);
    offset += RECORD_HEADER_BYTES + captured;
    const datagram = udpOfFrame(frame);
    if (datagram && datagram.port === port) found.push({ ...datagram, atMs });
  }
  return found;
}

function udpOfFrame(frame: Buffer): Omit<CapturedDatagram, 'atMs'> | undefined {
  if (frame.length < ETHERNET_BYTES + 20 || frame.readUInt16BE(12) !== ETHERTYPE_IPV4) return undefined;
  const ip = frame.subarray(ETHERNET_BYTES);
  const headerBytes = ((ip[0] ?? 0) & 0x0f) * 4;
  if (ip[9] !== PROTOCOL_UDP || ip.length < headerBytes + 8) return undefined;
  const source = [...ip.subarray(12, 16)].join('.');
  const address = [...ip.subarray(16, 20)].join('.');
  const udp = ip.subarray(headerBytes);
  const length = udp.readUInt16BE(4);
  if (length < 8 || length > udp.length) return undefined;
  return { source, address, port: udp.readUInt16BE(2), payload: Buffer.from(udp.subarray(8, length)) };
}

/** A running capture of UDP `port` on `device` in `namespace` (at most `maxPackets`). */
export class Capture {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    namespace: string,
    private readonly options: { device: string; port: number; file: string; maxPackets: number },
  ) {
    const { device, port, file, maxPackets } = options;
    this.child = spawn(
      'ip',
      [
        'netns',
        'exec',
        namespace,
        'tcpdump',
        '-i',
        device,
        '-U',
        '-n',
        '-c',
        String(maxPackets),
        '-w',
        file,
        'udp',
        'port',
        String(port),
      ],
      { stdio: 'ignore' },
    );
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** Stops tcpdump (which flushes its file) and returns the captured datagrams to the port. */
  async stop(): Promise<CapturedDatagram[]> {
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
    try {
      return udpDatagrams(readFileSync(this.options.file), this.options.port);
    } catch {
      return [];
    }
  }
}

// Reads "address port base64" lines from stdin and sends each datagram, `gap` ms apart.
const SENDER = `
const dgram = require('node:dgram');
const gap = Number(process.argv[1]);
const lines = require('node:fs').readFileSync(0, 'utf8').trim().split('\\n').filter(Boolean);
const socket = dgram.createSocket('udp4');
let index = 0;
const next = () => {
  if (index >= lines.length) { socket.close(); return; }
  const [address, port, data] = lines[index].split(' ');
  index += 1;
  socket.send(Buffer.from(data, 'base64'), Number(port), address, () => setTimeout(next, gap));
};
next();
`;

/** Sends `datagrams` in order from `namespace` (its own source address), `gapMs` apart. */
export async function sendDatagrams(
  namespace: string,
  datagrams: readonly Datagram[],
  gapMs = 1,
): Promise<void> {
  const input = datagrams.map((d) => `${d.address} ${d.port} ${d.payload.toString('base64')}`).join('\n');
  await runInNamespace(namespace, process.execPath, {
    args: ['-e', SENDER, String(gapMs)],
    input: Buffer.from(`${input}\n`),
    timeoutMs: 60_000 + datagrams.length * (gapMs + 1),
  });
}

// Random garbage to one address and port as fast as the socket takes it, until `count` datagrams
// or `ms` milliseconds; prints the number sent.
const FLOODER = `
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const [address, port, count, ms] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const packets = Array.from({ length: 64 }, (_, i) => crypto.randomBytes(16 + ((i * 37) % 1200)));
const socket = dgram.createSocket('udp4');
const end = Date.now() + ms;
let sent = 0;
let inFlight = 0;
const pump = () => {
  while (inFlight < 256 && sent < count && Date.now() < end) {
    inFlight += 1;
    socket.send(packets[sent % 64], port, address, () => { inFlight -= 1; });
    sent += 1;
  }
  if (sent < count && Date.now() < end) setImmediate(pump);
  else { console.log(sent); setTimeout(() => socket.close(), 100); }
};
pump();
`;

/** Floods `address:port` with garbage from `namespace`; resolves to the datagrams sent. */
export async function garbageFlood(
  namespace: string,
  target: { address: string; port: number },
  bounds: { maxPackets: number; maxMs: number },
): Promise<number> {
  const result = await runInNamespace(namespace, process.execPath, {
    args: [
      '-e',
      FLOODER,
      target.address,
      String(target.port),
      String(bounds.maxPackets),
      String(bounds.maxMs),
    ],
    timeoutMs: bounds.maxMs + 15_000,
  });
  return Number(result.output.trim().split('\n').pop()) || 0;
}

/**
 * `packets` plaintext gossip messages (version byte 0, then the JSON message), each carrying
 * `perPacket` forged "alive" member records; the records point at lab addresses nobody holds
 * (198.51.100.128 to .227), so the traffic they draw stays inside the lab.
 */
export function forgedMemberPackets(options: { packets: number; perPacket: number; port: number }): Buffer[] {
  const packets: Buffer[] = [];
  for (let packet = 0; packet < options.packets; packet += 1) {
    const updates = Array.from({ length: options.perPacket }, (_, index) => {
      const number = packet * options.perPacket + index;
      return {
        name: `forged-${number}`,
        address: `198.51.100.${128 + (number % 100)}`,
        port: options.port,
        state: 'alive',
        incarnation: 1,
        metadata: {},
      };
    });
    const message = { type: 'gossip', from: `forger-${packet % 10}`, updates };
    packets.push(Buffer.concat([Buffer.of(0), Buffer.from(JSON.stringify(message))]));
  }
  return packets;
}
