// The process logger: JSON lines on stderr in MetalLB's shape (internal/logging: go-kit's JSON
// logger): a string `level` (debug, info, warn, error), an RFC 3339 `ts`, `caller` as file:line,
// `msg`; each key once per line, whatever the child bindings and the call pass.
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { FerrolbError } from './errors.js';

/** MetalLB's `--log-level` values (all, debug, info, warn, error, none), plus `trace`. */
export const LOG_LEVELS = ['all', 'trace', 'debug', 'info', 'warn', 'error', 'none'] as const;

const PINO_LEVEL: Readonly<Record<string, string>> = { all: 'trace', none: 'silent' };
/** pino's level labels by MetalLB's names: MetalLB has no trace or fatal. */
const METALLB_LEVEL: Readonly<Record<string, string>> = { trace: 'debug', fatal: 'error' };
/** Keys the logger writes itself; a call or binding that passes one is renamed, never repeated. */
const RESERVED = new Set(['level', 'ts', 'caller', 'msg']);

const THIS_URL = import.meta.url;
const THIS_FILE = fileURLToPath(import.meta.url);

/** `file` relative to src/ or dist/ (the module path), else its base name. */
function modulePath(file: string): string {
  const path = file.startsWith('file://') ? fileURLToPath(file) : file;
  const root = Math.max(path.lastIndexOf('/src/'), path.lastIndexOf('/dist/'));
  return root < 0 ? path.slice(path.lastIndexOf('/') + 1) : path.slice(path.indexOf('/', root + 1) + 1);
}

const callerCache = new Map<string, string>();

/**
 * `file:line` of the first stack frame outside pino and this file. V8's call sites are read
 * directly (no stack text is formatted), which keeps a line's cost in microseconds.
 */
function callerOf(): string {
  const { prepareStackTrace, stackTraceLimit } = Error;
  Error.stackTraceLimit = 12;
  Error.prepareStackTrace = (_error, sites) => sites;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  Error.captureStackTrace(holder, callerOf);
  const sites = holder.stack ?? [];
  Error.prepareStackTrace = prepareStackTrace;
  Error.stackTraceLimit = stackTraceLimit;
  for (const site of sites) {
    const file = site.getFileName();
    if (
      !file ||
      file === THIS_FILE ||
      file === THIS_URL ||
      file.includes('/node_modules/') ||
      file.startsWith('node:')
    )
      continue;
    let path = callerCache.get(file);
    if (path === undefined) {
      path = modulePath(file);
      callerCache.set(file, path);
    }
    return `${path}:${site.getLineNumber()}`;
  }
  return 'unknown';
}

const boundOf = new WeakMap<object, Readonly<Record<string, unknown>>>();
const BOUND = Symbol('bound');

/** The keys and values a child logger binds, read once per logger. */
function bindingsOf(instance: pino.Logger): Readonly<Record<string, unknown>> {
  let bound = boundOf.get(instance);
  if (bound === undefined) {
    bound = instance.bindings();
    boundOf.set(instance, bound);
  }
  return bound;
}

/**
 * The call's fields with `caller` (and the error `code` of a FerrolbError), minus keys the logger
 * already bound: the same value is dropped, a different one kept as `<key>_2`, so no key repeats.
 */
function merge(mergeObject: object, mixin: object): object {
  const fields = mergeObject as Record<string, unknown>;
  const mixed = mixin as Record<string | symbol, unknown>;
  const bound = mixed[BOUND] as Readonly<Record<string, unknown>>;
  const result: Record<string, unknown> = { caller: mixed.caller };
  const error = fields.err ?? fields.error;
  if (error instanceof FerrolbError && fields.code === undefined) result.code = error.code;
  for (const [key, value] of Object.entries(fields)) {
    if (key in bound && JSON.stringify(bound[key]) === JSON.stringify(value)) continue;
    result[key in bound || RESERVED.has(key) ? `${key}_2` : key] = value;
  }
  return result;
}

/** A child binding a key its parent bound replaces it (the innermost wins) instead of repeating it. */
function dedupeBindings(child: pino.Logger): void {
  const symbol = pino.symbols.chindingsSym as unknown as keyof pino.Logger;
  const text = child[symbol] as unknown as string;
  const bound = JSON.parse(`{${text.slice(1)}}`) as Record<string, unknown>;
  const rebuilt = Object.entries(bound)
    .map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join('');
  (child as unknown as Record<symbol, string>)[symbol as unknown as symbol] = rebuilt;
}

function pinoLevel(level: string | undefined): string {
  if (level === undefined || !(LOG_LEVELS as readonly string[]).includes(level)) return 'info';
  return PINO_LEVEL[level] ?? level;
}

/** A logger in MetalLB's shape writing to `destination` (the process logger's is stderr). */
export function createLogger(destination: pino.DestinationStream, level?: string): pino.Logger {
  return pino(
    {
      level: pinoLevel(level),
      base: { app: 'ferrolb' },
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: METALLB_LEVEL[label] ?? label }) },
      mixin: (_fields, _level, instance) => ({ caller: callerOf(), [BOUND]: bindingsOf(instance) }),
      mixinMergeStrategy: merge,
      onChild: dedupeBindings,
    },
    destination,
  );
}

/** The process logger: level from FERROLB_LOG_LEVEL or `--log-level`. */
export const logger = createLogger(pino.destination({ fd: 2, sync: true }), process.env.FERROLB_LOG_LEVEL);
export type Logger = pino.Logger;

/** Changes the level of every logger derived from the process logger (MetalLB's names). */
export function setLogLevel(level: string): void {
  logger.level = pinoLevel(level);
}
