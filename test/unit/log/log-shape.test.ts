// Issue 13 #3: ferrolb's log lines in MetalLB's shape (internal/logging: go-kit JSON with a string
// `level`, RFC 3339 `ts`, `caller`), each key once per line, the error code printed.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode } from '../../../src/errors.js';
import { createLogger, setLogLevel } from '../../../src/log.js';
import { duplicateKeys, logLineProblems } from '../../helpers/strict-json.js';

function collector(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== ''),
  };
}

describe('the strict JSON scanner', () => {
  it.each([
    { text: '{"node":"a","node":"b"}', want: ['node'] },
    { text: '{"a":{"x":1,"x":[1,{"y":2,"y":3}]},"b":"a\\"b"}', want: ['a.x', 'a.x[1].y'] },
    { text: '{"a":1,"b":[{"a":1},{"a":2}],"c":null}', want: [] },
  ])('finds the repeated keys JSON.parse hides in $text', ({ text, want }) => {
    expect(duplicateKeys(text)).toEqual(want);
  });

  it('refuses what is not JSON', () => {
    expect(() => duplicateKeys('{"a":1')).toThrow();
    expect(() => duplicateKeys('{"a":1} x')).toThrow(/trailing/);
  });
});

describe('log lines in MetalLB shape', () => {
  it('issue 13 #3: string level, RFC 3339 ts, caller file:line, no repeated key from bindings or calls', () => {
    const { stream, lines } = collector();
    const logger = createLogger(stream, 'all');
    const speaker = logger.child({ component: 'speaker', node: 'node-a' });
    const membership = speaker.child({ component: 'membership' });
    membership.info({ node: 'node-a', member: 'node-b' }, 'gossip member state changed');
    speaker.warn({ node: 'node-b', level: 'x', ts: 1 }, 'a field named like a binding or a reserved key');
    speaker.debug('debug line');
    speaker.trace('trace is MetalLB debug');
    speaker.error({ err: new ConfigError(ErrorCode.configInvalid, 'pool p: bad CIDR') }, 'invalid');
    const written = lines();
    expect(written).toHaveLength(5);
    for (const line of written) expect(logLineProblems(line), line).toEqual([]);
    const parsed = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({
      level: 'info',
      component: 'membership',
      node: 'node-a',
      member: 'node-b',
    });
    expect(parsed[0]?.caller).toMatch(/^unit\/log\/log-shape\.test\.ts:\d+$|log-shape\.test\.ts:\d+$/);
    expect(parsed[1]).toMatchObject({
      level: 'warn',
      node: 'node-a',
      node_2: 'node-b',
      level_2: 'x',
      ts_2: 1,
    });
    expect(parsed.map((line) => line.level)).toEqual(['info', 'warn', 'debug', 'debug', 'error']);
    expect(parsed[4]).toMatchObject({ code: 'FERROLB_CONFIG_INVALID', error: 'pool p: bad CIDR' });
    expect(parsed[4]).not.toHaveProperty('err');
    expect(Math.abs(Date.parse(parsed[0]?.ts as string) - Date.now())).toBeLessThan(60_000);
  });

  it.each([
    { level: 'info', call: 'err', wantStack: false },
    { level: 'info', call: 'error', wantStack: false },
    { level: 'info', call: 'bare', wantStack: false },
    { level: 'debug', call: 'err', wantStack: true },
  ])(
    'issue 13 #3: an Error ($call) at $level is a string `error` with its message, as go-kit logs err.Error()',
    ({ level, call, wantStack }) => {
      const { stream, lines } = collector();
      const logger = createLogger(stream, level).child({ component: 'speaker' });
      const failure = new Error('connect ECONNREFUSED 127.0.0.1:6443');
      if (call === 'bare') logger.error(failure);
      else logger.error({ [call]: failure, error_detail: 'x' }, 'watch failed');
      const [line = ''] = lines();
      expect(logLineProblems(line), line).toEqual([]);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(parsed.error).toBe('connect ECONNREFUSED 127.0.0.1:6443');
      expect(parsed).not.toHaveProperty('err');
      expect(typeof parsed.stack === 'string' && parsed.stack.includes('log-shape.test')).toBe(wantStack);
    },
  );

  it('issue 13 #3: an Error beside a string error keeps both, under two keys', () => {
    const { stream, lines } = collector();
    createLogger(stream, 'info').warn({ err: new Error('inner'), error: 'outer' }, 'both');
    const [line = ''] = lines();
    expect(logLineProblems(line), line).toEqual([]);
    expect(JSON.parse(line)).toMatchObject({ error: 'inner', error_2: 'outer' });
  });

  it("issue 13 #2: MetalLB's levels none and error filter as MetalLB's do", () => {
    const { stream, lines } = collector();
    const logger = createLogger(stream, 'none');
    logger.error('not written');
    expect(lines()).toEqual([]);
    const errorsOnly = createLogger(stream, 'error');
    errorsOnly.warn('not written');
    errorsOnly.error('written');
    expect(lines().map((line) => JSON.parse(line).msg)).toEqual(['written']);
  });

  it('setLogLevel takes MetalLB names', () => {
    expect(() => setLogLevel('all')).not.toThrow();
    expect(() => setLogLevel('none')).not.toThrow();
    setLogLevel('info');
  });
});
