import { isIP } from 'node:net';
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

/** The UTF-8 bytes of a message. */
export function encodeMessage(message: Message): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
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
    isSequence(value.incarnation) &&
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
function isSequence(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
