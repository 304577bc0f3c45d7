// The process logger: JSON lines in MetalLB's shape (internal/logging: go-kit's JSON logger on
// stdout): a string `level` (debug, info, warn, error), an RFC 3339 `ts`, `caller` as file:line,
// `msg`, an error as its message in a string `error`; each key once per line, whatever the child
// bindings and the call pass. The daemons log to stdout as MetalLB's do (setLogOutput); until then,
// and for the commands whose stdout is data (plan, status, --help), lines go to stderr.
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
/** Keys that carry an error: written as MetalLB does (`"error":"<message>"`), never pino's object. */
const ERROR_KEYS = new Set(['err', 'error']);

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
const VERBOSE = Symbol('verbose');

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
 * An Error under `err` or `error` becomes MetalLB's `error` string (go-kit logs err.Error()); its
 * stack only at debug, where a developer reads it.
 */
function errorFields(error: Error, verbose: boolean): Record<string, unknown> {
  return verbose && error.stack ? { error: error.message, stack: error.stack } : { error: error.message };
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
  for (const [name, value] of Object.entries(fields)) {
    const entries =
      ERROR_KEYS.has(name) && value instanceof Error
        ? Object.entries(errorFields(value, mixed[VERBOSE] === true))
        : [[name, value] as const];
    for (const [key, item] of entries) {
      if (key in bound && JSON.stringify(bound[key]) === JSON.stringify(item)) continue;
      result[key in bound || key in result || RESERVED.has(key) ? `${key}_2` : key] = item;
    }
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

/** A logger in MetalLB's shape writing to `destination`. */
export function createLogger(destination: pino.DestinationStream, level?: string): pino.Logger {
  return pino(
    {
      level: pinoLevel(level),
      base: { app: 'ferrolb' },
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: METALLB_LEVEL[label] ?? label }) },
      mixin: (_fields, _level, instance) => ({
        caller: callerOf(),
        [BOUND]: bindingsOf(instance),
        [VERBOSE]: instance.isLevelEnabled('debug'),
      }),
      mixinMergeStrategy: merge,
      onChild: dedupeBindings,
    },
    destination,
  );
}

/** Where the process logger writes: MetalLB's daemons log to stdout; tools keep stdout for data. */
export type LogOutput = 'stdout' | 'stderr';

const OUTPUT_FD: Readonly<Record<LogOutput, number>> = { stdout: 1, stderr: 2 };
const destinations = new Map<number, pino.DestinationStream>();
let outputFd = OUTPUT_FD.stderr;

/** Synchronous, so the last line before an exit is written. */
function destinationOf(fd: number): pino.DestinationStream {
  let destination = destinations.get(fd);
  if (destination === undefined) {
    destination = pino.destination({ fd, sync: true });
    destinations.set(fd, destination);
  }
  return destination;
}

/** The process logger: level from FERROLB_LOG_LEVEL or `--log-level`; stderr until setLogOutput. */
export const logger = createLogger(
  { write: (line: string) => destinationOf(outputFd).write(line) },
  process.env.FERROLB_LOG_LEVEL,
);
export type Logger = pino.Logger;

/** Changes the level of every logger derived from the process logger (MetalLB's names). */
export function setLogLevel(level: string): void {
  logger.level = pinoLevel(level);
}

/** Sends every later line of the process logger (and its children) to `output`. */
export function setLogOutput(output: LogOutput): void {
  outputFd = OUTPUT_FD[output];
}
