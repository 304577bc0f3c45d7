// The one argument parser of every ferrolb command (DESIGN command-line contract): a thin layer over
// node:util parseArgs with Go's flag conventions, which MetalLB's manifests rely on (`-flag` and
// `--flag`, `=value` or a separate value, booleans as `--flag` or `--flag=false`), environment
// variables as defaults, MetalLB flags ferrolb does not implement accepted and reported, and
// `--help` / `--version` everywhere.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

/** One flag a command implements. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** One-letter alias (`-f`). */
  readonly short?: string;
  /** Environment variable read when the flag is absent (MetalLB's, where MetalLB has one). */
  readonly env?: string;
  /** Placeholder of the value in the usage text. */
  readonly value?: string;
  /** The default as the usage text shows it. */
  readonly default?: string;
  readonly help: string;
}

/** A command's flags: those it implements, and MetalLB's it accepts without implementing them. */
export interface CommandSpec {
  readonly command: string;
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** MetalLB flags accepted and ignored with one warning (DESIGN drop-in), by name and type. */
  readonly ignored?: Readonly<Record<string, 'string' | 'boolean'>>;
  /** MetalLB environment variables ferrolb does not use: named in the same warning when set. */
  readonly ignoredEnv?: readonly string[];
}

/** What a command line asked for: values by flag name (flag, else environment), or help/version. */
export type ParsedCommand =
  | { readonly kind: 'help' | 'version' }
  | {
      readonly kind: 'run';
      readonly values: ReadonlyMap<string, string>;
      /** MetalLB flags and environment variables given that ferrolb ignores, for one warning. */
      readonly ignored: readonly string[];
    };

/** Go's strconv.ParseBool, which MetalLB's boolean flags use. */
const GO_BOOLEANS: Readonly<Record<string, boolean>> = {
  '1': true,
  t: true,
  T: true,
  true: true,
  TRUE: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  false: false,
  FALSE: false,
  False: false,
};

const BUILT_IN: Readonly<Record<string, FlagSpec>> = {
  help: { type: 'boolean', short: 'h', help: 'print this help and exit' },
  version: { type: 'boolean', help: 'print the ferrolb version and exit' },
};

/** The package version, read from package.json (two levels above src/cli and dist/cli). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** Go's flag package treats `-name` like `--name`; parseArgs would read it as a group of letters. */
function goStyle(argument: string, names: ReadonlySet<string>): string {
  const match = /^-([a-z][a-z0-9-]+)(=.*)?$/.exec(argument);
  return match && names.has(match[1] as string) ? `-${argument}` : argument;
}

function flagValue(spec: CommandSpec, token: Token, argument: string): string | undefined {
  const name = token.name;
  const type = spec.flags[name]?.type ?? BUILT_IN[name]?.type ?? spec.ignored?.[name];
  if (type === undefined) throw new UsageError(`unknown flag --${name} ("${argument}")\n${usage(spec)}`);
  if (type === 'boolean') {
    if (token.value === undefined) return 'true';
    const value = GO_BOOLEANS[token.value];
    if (value === undefined) throw new UsageError(`${token.rawName}: "${token.value}" is not true or false`);
    return String(value);
  }
  const value = token.value;
  const looksLikeFlag = !token.inlineValue && value !== undefined && /^-./.test(value);
  // An ignored MetalLB flag may be empty, as Go allows; an implemented one needs a value.
  const empty = value === '' && spec.ignored?.[name] === undefined;
  if (value === undefined || empty || looksLikeFlag) {
    throw new UsageError(`flag ${token.rawName} needs a value\n${usage(spec)}`);
  }
  return value;
}

interface Token {
  readonly name: string;
  readonly rawName: string;
  readonly value?: string;
  readonly inlineValue?: boolean;
}

/** parseArgs' options: the built-in, implemented and ignored flags, by name. */
function optionsOf(spec: CommandSpec): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, flag] of Object.entries({ ...BUILT_IN, ...spec.flags })) {
    options[name] = flag.short ? { type: flag.type, short: flag.short } : { type: flag.type };
  }
  for (const [name, type] of Object.entries(spec.ignored ?? {})) options[name] = { type };
  return options;
}

/** Parses `args` for `spec`, environment variables as defaults; throws UsageError (exit 2). */
export function parseCommand(
  spec: CommandSpec,
  args: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
): ParsedCommand {
  const options = optionsOf(spec);
  const names = new Set(Object.keys(options));
  const normalised = args.map((argument) => goStyle(argument, names));
  const { tokens } = parseArgs({
    args: normalised,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values = new Map<string, string>();
  const ignored: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    const argument = normalised[token.index] ?? '';
    if (token.kind === 'positional')
      throw new UsageError(`unexpected argument "${token.value}"\n${usage(spec)}`);
    const value = flagValue(spec, token, argument);
    if (token.name === 'help' || token.name === 'version') {
      if (value === 'true') return { kind: token.name };
    } else if (spec.ignored?.[token.name] !== undefined) {
      if (!ignored.includes(`--${token.name}`)) ignored.push(`--${token.name}`);
    } else values.set(token.name, value as string);
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    const fromEnvironment = flag.env ? environment[flag.env] : undefined;
    if (!values.has(name) && fromEnvironment) values.set(name, fromEnvironment);
  }
  for (const variable of spec.ignoredEnv ?? []) if (environment[variable]) ignored.push(variable);
  return { kind: 'run', values, ignored };
}

/** The usage text of a command: one line per flag, with its default and environment variable. */
export function usage(spec: CommandSpec): string {
  const lines = Object.entries(spec.flags).map(([name, flag]) => {
    const names = `${flag.short ? `-${flag.short}, ` : ''}--${name}${flag.type === 'string' ? ` ${flag.value ?? 'VALUE'}` : ''}`;
    const extras = [
      flag.default !== undefined ? `default ${flag.default}` : '',
      flag.env ? `env ${flag.env}` : '',
    ].filter((extra) => extra !== '');
    return `  ${names.padEnd(34)} ${flag.help}${extras.length > 0 ? ` (${extras.join('; ')})` : ''}`;
  });
  const ignored = Object.keys(spec.ignored ?? {}).map((name) => `--${name}`);
  const tail = ignored.length > 0 ? `\nMetalLB flags accepted and ignored: ${ignored.join(' ')}` : '';
  return `usage: ferrolb ${spec.command} [flags]\n${spec.summary}\n\nflags:\n${lines.join('\n')}\n  ${'-h, --help'.padEnd(34)} print this help\n  ${'--version'.padEnd(34)} print the version${tail}`;
}

/** An integer flag from 0 to `maximum`; `fallback` when absent. Throws UsageError naming the flag. */
export function integerValue(
  values: ReadonlyMap<string, string>,
  flag: string,
  limits: { readonly fallback: number; readonly maximum: number },
): number {
  const text = values.get(flag);
  if (text === undefined) return limits.fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > limits.maximum) {
    const what =
      limits.maximum === 65535 ? 'a port number (0 to 65535)' : `an integer from 0 to ${limits.maximum}`;
    throw new UsageError(`--${flag}: "${text}" is not ${what}`);
  }
  return value;
}
