// A fake clock and an in-memory datagram network, so SWIM engines run on virtual time: for tests,
// and for measuring protocol bandwidth at sizes one process cannot run in real time (issue 5 item 7).
import { DEFAULT_TIMINGS, type MembershipTimings } from './defaults.js';
import { SwimEngine } from './engine.js';
import type { Clock, MembershipEvent } from './engine-types.js';
import type { Member } from './types.js';

interface Timer {
  readonly atMs: number;
  readonly order: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Timers run in time order (then creation order) only when the test advances time. */
export class FakeClock implements Clock {
  #nowMs = 0;
  #order = 0;
  /** A binary min-heap by (atMs, order); cancelled timers are skipped when they surface. */
  readonly #heap: Timer[] = [];

  now(): number {
    return this.#nowMs;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const timer = {
      atMs: this.#nowMs + Math.max(0, delayMs),
      order: this.#order++,
      callback,
      cancelled: false,
    };
    this.#push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Runs every timer due within the next `durationMs`. */
  advance(durationMs: number): void {
    const endMs = this.#nowMs + durationMs;
    for (let next = this.#heap[0]; next !== undefined && next.atMs <= endMs; next = this.#heap[0]) {
      this.#pop();
      if (next.cancelled) continue;
      this.#nowMs = next.atMs;
      next.callback();
    }
    this.#nowMs = endMs;
  }

  #push(timer: Timer): void {
    const heap = this.#heap;
    heap.push(timer);
    for (let index = heap.length - 1; index > 0; ) {
      const parent = (index - 1) >> 1;
      if (!earlier(heap[index] as Timer, heap[parent] as Timer)) break;
      [heap[index], heap[parent]] = [heap[parent] as Timer, heap[index] as Timer];
      index = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop() as Timer;
    if (heap.length === 0) return;
    heap[0] = last;
    for (let index = 0; ; ) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && earlier(heap[left] as Timer, heap[smallest] as Timer)) smallest = left;
      if (right < heap.length && earlier(heap[right] as Timer, heap[smallest] as Timer)) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest] as Timer, heap[index] as Timer];
      index = smallest;
    }
  }
}

function earlier(a: Timer, b: Timer): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
}

/** The address of the `ordinal`-th node added (0-based): 10.0.0.1, 10.0.0.2, … */
export function simulatedAddress(ordinal: number): string {
  return addressOf(ordinal);
}

function addressOf(ordinal: number): string {
  return `10.0.${ordinal >> 8}.${(ordinal & 0xff) + 1}`;
}

/** 16 hex digits from `random` (an epoch id). */
function randomId(random: () => number): string {
  return Array.from({ length: 16 }, () => Math.floor(random() * 16).toString(16)).join('');
}

/** Deterministic uniform random numbers (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** One simulated node. */
export interface SimulatedNode {
  readonly name: string;
  readonly address: string;
  engine: SwimEngine;
  changes: Member[][];
  /** Every `refuted` / `memberReturned` event, in order. */
  events: MembershipEvent[];
  bytesSent: number;
  largestPacketBytes: number;
  /** Until then the node's thread is "blocked": its timers and deliveries wait (see `stall`). */
  frozenUntilMs: number;
}

/** Options for `SimulatedNetwork.add`. */
export interface AddOptions {
  readonly seeds?: readonly string[];
  readonly key?: Buffer;
  readonly metadata?: Record<string, unknown>;
  readonly start?: boolean;
  /** Only these (name → address) may be members; `simulatedAddress` gives node i's address. */
  readonly allowedMembers?: ReadonlyMap<string, string>;
  readonly maxMembers?: number;
}

/** An in-memory network: each node is `10.0.0.N:7946`; `blocked` cuts links for partitions. */
export class SimulatedNetwork {
  readonly clock = new FakeClock();
  readonly nodes = new Map<string, SimulatedNode>();
  readonly #byAddress = new Map<string, SimulatedNode>();
  /** Return true to drop a datagram from `from` to `to` (node names). */
  blocked: (from: string, to: string) => boolean = () => false;
  /** Sees every datagram sent (a capture, as an attacker on the segment would have). */
  tap: (from: string, toAddress: string, packet: Buffer) => void = () => {};
  readonly latencyMs = 0.2;
  #random = seededRandom(7);
  /** Boot times strictly increase, so a node added again is a later life of its name. */
  #boots = 0;

  constructor(readonly timings: MembershipTimings = DEFAULT_TIMINGS) {}

  /** Adds (and by default starts) a node; `seeds` are node names. */
  add(name: string, options: AddOptions = {}): SimulatedNode {
    const address = this.nodes.get(name)?.address ?? addressOf(this.nodes.size);
    // The engine is attached right below; its callbacks need the node object first.
    const node = {
      name,
      address,
      changes: [],
      events: [],
      bytesSent: 0,
      largestPacketBytes: 0,
      frozenUntilMs: 0,
    } as unknown as SimulatedNode;
    node.engine = new SwimEngine({
      nodeName: name,
      advertiseAddress: address,
      port: 7946,
      seeds: (options.seeds ?? []).map((seed) => ({ address: this.nodes.get(seed)?.address ?? seed })),
      key: options.key,
      metadata: options.metadata ?? {},
      timings: this.timings,
      clock: this.#clockOf(node),
      random: this.#random,
      epoch: { boot: ++this.#boots, id: randomId(this.#random) },
      ...(options.allowedMembers ? { allowedMembers: options.allowedMembers } : {}),
      ...(options.maxMembers === undefined ? {} : { maxMembers: options.maxMembers }),
      onChange: (members) => node.changes.push(members),
      onEvent: (event) => node.events.push(event),
      transport: { send: (packet, toAddress) => this.#send(node, packet, toAddress) },
    });
    this.nodes.set(name, node);
    this.#byAddress.set(address, node);
    if (options.start !== false) node.engine.start();
    return node;
  }

  /** Blocks `name`'s thread for `durationMs` (a GC pause, a starved CPU): nothing runs there meanwhile. */
  stall(name: string, durationMs: number): void {
    const node = this.nodes.get(name);
    if (node) node.frozenUntilMs = this.clock.now() + durationMs;
  }

  /** The shared clock as one node sees it: its timers wait while it is stalled. */
  #clockOf(node: SimulatedNode): Clock {
    return {
      now: () => this.clock.now(),
      setTimer: (callback, delayMs) => {
        let cancelled = false;
        const cancel = this.clock.setTimer(
          () => this.#whenAwake(node, () => cancelled || callback()),
          delayMs,
        );
        return () => {
          cancelled = true;
          cancel();
        };
      },
    };
  }

  #whenAwake(node: SimulatedNode, run: () => void): void {
    const waitMs = node.frozenUntilMs - this.clock.now();
    if (waitMs > 0) this.clock.setTimer(() => this.#whenAwake(node, run), waitMs);
    else run();
  }

  #send(from: SimulatedNode, packet: Buffer, toAddress: string): void {
    from.bytesSent += packet.byteLength;
    from.largestPacketBytes = Math.max(from.largestPacketBytes, packet.byteLength);
    this.tap(from.name, toAddress, Buffer.from(packet));
    const to = this.#byAddress.get(toAddress);
    if (to === undefined || this.blocked(from.name, to.name)) return;
    const copy = Buffer.from(packet);
    this.clock.setTimer(() => {
      if (this.#byAddress.get(toAddress) !== to) return;
      this.#whenAwake(to, () => to.engine.receive(copy, { address: from.address, port: 7946 }));
    }, this.latencyMs);
  }

  /** Injects raw bytes as if `fromAddress` had sent them to `to`. */
  inject(to: string, bytes: Uint8Array, fromAddress = '10.9.9.9'): void {
    this.nodes.get(to)?.engine.receive(bytes, { address: fromAddress, port: 7946 });
  }

  /** `name`'s view of `member`, or undefined when unknown. */
  stateOf(name: string, member: string): string | undefined {
    return this.nodes
      .get(name)
      ?.engine.members()
      .find((m) => m.name === member)?.state;
  }

  /** Advances time until `condition` holds; returns the virtual milliseconds it took, or undefined. */
  runUntil(condition: () => boolean, limitMs: number, stepMs = 5): number | undefined {
    const started = this.clock.now();
    while (this.clock.now() - started <= limitMs) {
      if (condition()) return this.clock.now() - started;
      this.clock.advance(stepMs);
    }
    return undefined;
  }

  /** Whether every running node sees exactly `names` as alive. */
  allSeeAlive(names: readonly string[]): boolean {
    return [...this.nodes.values()]
      .filter((node) => !node.engine.stopped && names.includes(node.name))
      .every((node) => {
        const alive = node.engine
          .members()
          .filter((m) => m.state === 'alive')
          .map((m) => m.name)
          .sort();
        return JSON.stringify(alive) === JSON.stringify([...names].sort());
      });
  }
}
