/** Why bytes off the wire were rejected: too short, a declared length that disagrees, or a value we do not handle. */
export type ParseFailureReason = 'truncated' | 'bad-length' | 'unsupported';

/** Result of every codec parser: parsers never throw on wire bytes (STYLE.md codecs). */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: ParseFailureReason; readonly offset: number };

/** A rejection at byte `offset`. */
export function failure<T>(reason: ParseFailureReason, offset: number): Parsed<T> {
  return { ok: false, reason, offset };
}

/** A successful parse. */
export function success<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/** Big-endian 16-bit read; callers check the length first. */
export function readUint16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

/** Big-endian 32-bit read (unsigned); callers check the length first. */
export function readUint32(bytes: Uint8Array, offset: number): number {
  return readUint16(bytes, offset) * 0x10000 + readUint16(bytes, offset + 2);
}

/** Big-endian 16-bit write. */
export function writeUint16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 8) & 0xff;
  bytes[offset + 1] = value & 0xff;
}

/** Big-endian 32-bit write. */
export function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  writeUint16(bytes, offset, Math.floor(value / 0x10000) & 0xffff);
  writeUint16(bytes, offset + 2, value & 0xffff);
}

/** Whether two byte strings are equal. */
export function bytesEqual(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index += 1) if (left[index] !== right[index]) return false;
  return true;
}

/** Throws a TypeError when a constructor argument has the wrong size (a programming error, never wire input). */
export function requireLength(name: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) throw new TypeError(`${name}: expected ${length} bytes, got ${bytes.length}`);
}
