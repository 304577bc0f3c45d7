import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * First byte of every packet: wire version and protection. Version 1 (the previous release):
 * 0 plaintext, 1 AES-256-GCM. Version 2 (freshness fields in the payload): 2 plaintext, 3 AES-256-GCM.
 */
const FirstByte = { 1: { plaintext: 0, aes256Gcm: 1 }, 2: { plaintext: 2, aes256Gcm: 3 } } as const;

/** A wire version this build reads. */
export type WireVersion = 1 | 2;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** HKDF salt and info pin the key to this protocol: the same secret used elsewhere yields another key. */
const HKDF_SALT = Buffer.from('ferrolb-gossip-v1', 'utf8');
const HKDF_INFO = Buffer.from('aes-256-gcm packet key', 'utf8');

/** The AES-256 key for `secret` (HKDF-SHA256, RFC 5869); any secret bytes, e.g. a MetalLB Secret. */
export function deriveKey(secret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, HKDF_INFO, KEY_BYTES));
}

/**
 * Wraps `payload` for the wire: with a key, first byte | random 12-byte nonce | AES-256-GCM
 * ciphertext | 16-byte tag (the first byte is authenticated too); without one, first byte | payload.
 */
export function sealPacket(payload: Uint8Array, key: Buffer | undefined, version: WireVersion = 2): Buffer {
  const Version = FirstByte[version];
  if (key === undefined) return Buffer.concat([Buffer.of(Version.plaintext), payload]);
  // A random nonce per packet: 2^-32 collision odds after ~2^32 packets per key (NIST SP 800-38D §8.3).
  const nonce = randomNonce();
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.of(Version.aes256Gcm));
  const body = Buffer.concat([cipher.update(payload), cipher.final()]);
  return Buffer.concat([Buffer.of(Version.aes256Gcm), nonce, body, cipher.getAuthTag()]);
}

/** Random bytes drawn from the CSPRNG in blocks: one call per 256 packets instead of one each. */
const NONCE_POOL_BYTES = NONCE_BYTES * 256;
let noncePool = Buffer.alloc(0);
let noncePoolOffset = 0;

function randomNonce(): Buffer {
  if (noncePoolOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES);
    noncePoolOffset = 0;
  }
  // Each nonce is used once: the offset only moves forward until the pool is replaced.
  const nonce = noncePool.subarray(noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

/** The outcome of opening a packet; never throws on wire bytes. */
export type Opened =
  | { readonly ok: true; readonly payload: Buffer; readonly version: WireVersion }
  | { readonly ok: false; readonly reason: 'authentication' | 'malformed' | 'plaintext' | 'encrypted' };

/** Checks and unwraps a received packet; a keyed node refuses plaintext and vice versa. */
export function openPacket(packet: Uint8Array, key: Buffer | undefined): Opened {
  const bytes = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  const first = bytes[0] ?? -1;
  const version: WireVersion = first <= FirstByte[1].aes256Gcm ? 1 : 2;
  if (first === FirstByte[1].plaintext || first === FirstByte[2].plaintext) {
    if (key !== undefined) return { ok: false, reason: 'plaintext' };
    return { ok: true, payload: bytes.subarray(1), version };
  }
  if (first !== FirstByte[1].aes256Gcm && first !== FirstByte[2].aes256Gcm)
    return { ok: false, reason: 'malformed' };
  if (key === undefined) return { ok: false, reason: 'encrypted' };
  if (bytes.length < 1 + NONCE_BYTES + TAG_BYTES) return { ok: false, reason: 'malformed' };
  const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.of(first));
    decipher.setAuthTag(tag);
    const body = bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES);
    return { ok: true, payload: Buffer.concat([decipher.update(body), decipher.final()]), version };
  } catch {
    return { ok: false, reason: 'authentication' };
  }
}
