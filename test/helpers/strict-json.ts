// A strict reader of one JSON log line: JSON.parse silently keeps the last of two equal keys,
// Elasticsearch and OpenSearch refuse such a document. This scanner walks the text and names every
// object key that appears twice, then parses it.

/** The keys repeated inside any one object of `text` (as `path.key`); throws on invalid JSON. */
export function duplicateKeys(text: string): string[] {
  const duplicates: string[] = [];
  let index = 0;
  const skipSpace = () => {
    while (/\s/.test(text[index] ?? '')) index += 1;
  };
  const expect = (character: string) => {
    if (text[index] !== character) throw new Error(`expected ${character} at ${index} in ${text}`);
    index += 1;
  };
  const readString = (): string => {
    const start = index;
    expect('"');
    while (text[index] !== '"') {
      if (index >= text.length) throw new Error(`unterminated string in ${text}`);
      index += text[index] === '\\' ? 2 : 1;
    }
    index += 1;
    return JSON.parse(text.slice(start, index)) as string;
  };
  const readValue = (path: string): void => {
    skipSpace();
    const character = text[index];
    if (character === '{') readObject(path);
    else if (character === '[') readArray(path);
    else if (character === '"') readString();
    else {
      const match = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(index));
      if (!match) throw new Error(`invalid JSON value at ${index} in ${text}`);
      index += match[0].length;
    }
  };
  const readArray = (path: string): void => {
    expect('[');
    skipSpace();
    let position = 0;
    while (text[index] !== ']') {
      readValue(`${path}[${position}]`);
      position += 1;
      skipSpace();
      if (text[index] === ',') index += 1;
      else if (text[index] !== ']') throw new Error(`expected , or ] at ${index} in ${text}`);
      skipSpace();
    }
    index += 1;
  };
  const readObject = (path: string): void => {
    expect('{');
    const seen = new Set<string>();
    skipSpace();
    while (text[index] !== '}') {
      const key = readString();
      if (seen.has(key)) duplicates.push(path === '' ? key : `${path}.${key}`);
      seen.add(key);
      skipSpace();
      expect(':');
      readValue(path === '' ? key : `${path}.${key}`);
      skipSpace();
      if (text[index] === ',') index += 1;
      else if (text[index] !== '}') throw new Error(`expected , or } at ${index} in ${text}`);
      skipSpace();
    }
    index += 1;
  };
  readValue('');
  skipSpace();
  if (index !== text.length) throw new Error(`trailing text at ${index} in ${text}`);
  return duplicates;
}

/** MetalLB's level names (internal/logging: go-kit levels). */
export const METALLB_LEVELS = ['debug', 'info', 'warn', 'error'];

/**
 * What is wrong with one log line against MetalLB's shape: repeated keys, a level that is not
 * MetalLB's, a `ts` that is not RFC 3339, no `caller` or `msg`, `service` or `code` not a string.
 */
export function logLineProblems(line: string): string[] {
  const problems = duplicateKeys(line).map((key) => `key "${key}" repeated`);
  const fields = JSON.parse(line) as Record<string, unknown>;
  if (!METALLB_LEVELS.includes(fields.level as string))
    problems.push(`level ${JSON.stringify(fields.level)}`);
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  if (typeof fields.ts !== 'string' || !rfc3339.test(fields.ts))
    problems.push(`ts ${JSON.stringify(fields.ts)}`);
  if (typeof fields.caller !== 'string' || !/^[\w./-]+:\d+$/.test(fields.caller)) {
    problems.push(`caller ${JSON.stringify(fields.caller)}`);
  }
  if (typeof fields.msg !== 'string' || fields.msg === '') problems.push('no msg');
  for (const key of ['service', 'code', 'op', 'event', 'node']) {
    if (key in fields && typeof fields[key] !== 'string') problems.push(`${key} is not a string`);
  }
  for (const key of ['time', 'pid', 'hostname']) if (key in fields) problems.push(`pino's "${key}"`);
  if ('ips' in fields) problems.push('"ips" where MetalLB logs "ip"');
  if (typeof fields.code === 'string' && !/^FERROLB_[A-Z_]+$/.test(fields.code))
    problems.push(`code ${fields.code}`);
  return problems;
}
