import { isIP } from 'node:net';
import { INCARNATION_LIMIT, WIRE_VERSION } from './defaults.js';
import type { Freshness } from './freshness.js';
import type { MemberRecord, MemberState } from './types.js';

/** Every gossip message. `updates` are piggy-backed member records (SWIM §4.1). */
export type Message =
  | {
      readonly type: 'ping';
      readonly sequence: number;
      readonly from: string;
      readonly target: string;
      readonly updates: readonly MemberRecord[];
    }
  | {
      readonly type: 'ack';
      readonly sequence: number;
      readonly from: string;
      readonly updates: readonly MemberRecord[];
    }
  | {
      readonly type: 'nack';
      readonly sequence: number;
      readonly from: string;
      readonly updates: readonly MemberRecord[];
    }
  | {
      readonly type: 'pingRequest';
      readonly sequence: number;
      readonly from: string;
      readonly target: string;
      readonly address: string;
      readonly port: number;
      readonly updates: readonly MemberRecord[];
    }
  | { readonly type: 'gossip'; readonly from: string; readonly updates: readonly MemberRecord[] }
  /** One chunk of a full-state exchange; `join` asks the receiver to answer with its own state. */
  | {
      readonly type: 'sync';
      readonly from: string;
      readonly join: boolean;
      readonly updates: readonly MemberRecord[];
    };

const STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left'];
const MAX_NAME_LENGTH = 253;

/** Bytes the version-2 header (`v`, `boot`, `id`, `counter`) adds to a payload, at most. */
export const FRESHNESS_HEADER_BYTES = 96;

/** The UTF-8 bytes of a message: version 2 with `freshness`, the previous release's version 1 without. */
export function encodeMessage(message: Message, freshness?: Freshness): Buffer {
  const body = freshness === undefined ? message : { v: WIRE_VERSION, ...freshness, ...message };
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/** A decoded payload: the message and, for version 2, the sender's freshness fields. */
export interface Decoded {
  readonly message: Message;
  readonly freshness: Freshness | undefined;
}

/** Parses a payload of wire `version`; undefined for anything that is not exactly a known message. */
export function decodePayload(payload: Uint8Array, version: 1 | 2): Decoded | undefined {
  const message = decodeMessage(payload);
  if (message === undefined) return undefined;
  if (version === 1) return { message, freshness: undefined };
  const fields = message as unknown as Record<string, unknown>;
  const { v, boot, id, counter } = fields;
  if (v !== WIRE_VERSION || !isSequence(boot) || !isSequence(counter)) return undefined;
  if (typeof id !== 'string' || !/^[0-9a-f]{16}$/.test(id)) return undefined;
  return { message, freshness: { boot, id, counter } };
}

/** Bytes one record adds to a message's `updates` array (its JSON plus a comma). */
export function recordBytes(record: MemberRecord): number {
  return Buffer.byteLength(JSON.stringify(record), 'utf8') + 1;
}

/** Parses and validates a payload; undefined for anything that is not exactly a known message. */
export function decodeMessage(payload: Uint8Array): Message | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(value) || !isName(value.from) || !Array.isArray(value.updates)) return undefined;
  if (!value.updates.every(isRecord)) return undefined;
  return hasTypeFields(value) ? (value as unknown as Message) : undefined;
}

function hasTypeFields(value: Record<string, unknown>): boolean {
  switch (value.type) {
    case 'ping':
      return isSequence(value.sequence) && isName(value.target);
    case 'ack':
    case 'nack':
      return isSequence(value.sequence);
    case 'pingRequest':
      return (
        isSequence(value.sequence) && isName(value.target) && isAddress(value.address) && isPort(value.port)
      );
    case 'gossip':
      return true;
    case 'sync':
      return typeof value.join === 'boolean';
    default:
      return false;
  }
}

/** Whether `value` is a well-formed member record. */
export function isRecord(value: unknown): value is MemberRecord {
  if (!isObject(value)) return false;
  return (
    isName(value.name) &&
    isAddress(value.address) &&
    isPort(value.port) &&
    STATES.includes(value.state as MemberState) &&
    isIncarnation(value.incarnation) &&
    isObject(value.metadata) &&
    (value.suspectedBy === undefined || isName(value.suspectedBy))
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_LENGTH;
}
function isAddress(value: unknown): value is string {
  return typeof value === 'string' && isIP(value) !== 0;
}
function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536;
}
function isIncarnation(value: unknown): value is number {
  return isSequence(value) && value < INCARNATION_LIMIT;
}
function isSequence(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
