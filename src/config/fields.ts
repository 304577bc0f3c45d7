// Readers for untrusted documents (YAML or API objects). Each failure names the field path; the
// document parsers catch `FieldProblem` and return it as a value, so nothing escapes them.

/** A plain object read from a document. */
export type Fields = Readonly<Record<string, unknown>>;

/** One invalid field: the path (`spec.addresses[0]`) and the reason. */
export class FieldProblem extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** Whether `value` is a plain object (not null, not an array). */
export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object; absent or null reads as an empty object. */
export function objectAt(value: unknown, field: string): Fields {
  if (value === undefined || value === null) return {};
  if (!isFields(value)) throw new FieldProblem(field, 'expected an object');
  return value;
}

/** `value` as a string, or `fallback` when absent. */
export function stringAt(value: unknown, field: string, fallback = ''): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw new FieldProblem(field, 'expected a string');
  return value;
}

/** `value` as a boolean, or `fallback` when absent. */
export function booleanAt(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new FieldProblem(field, 'expected a boolean');
  return value;
}

/** `value` as an integer, or `fallback` when absent. */
export function integerAt(value: unknown, field: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new FieldProblem(field, 'expected an integer');
  return value;
}

/** `value` as an array (absent reads as empty), each element read by `read` with its index. */
export function arrayAt<T>(
  value: unknown,
  field: string,
  read: (item: unknown, itemField: string) => T,
): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FieldProblem(field, 'expected a list');
  return value.map((item, index) => read(item, `${field}[${index}]`));
}

/** `value` as a map of strings (labels, annotations, selectors). */
export function stringMapAt(value: unknown, field: string): Record<string, string> {
  const fields = objectAt(value, field);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(fields)) out[key] = stringAt(item, `${field}.${key}`);
  return out;
}
