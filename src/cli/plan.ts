import { DEFAULT_NAMESPACE } from '../config/index.js';
import { type PlanResult, planDocuments, sortByDocumentOrder } from '../controller/index.js';
import { ConfigError, ErrorCode, UsageError } from '../errors.js';
import { type CommandSpec, usage } from './args.js';
import { parseOrAnswer } from './common.js';
import { describeInput, readPlanInput, strictSchemas, type YamlTally, yamlDocuments } from './plan-input.js';
import { planJsonLines, planTextLines, printLines } from './plan-output.js';

export { readYamlDocuments } from './plan-input.js';

/**
 * Exit code under `--exit-code` when every input is valid but a Service gets no IP (nothing was
 * wrong with the input, yet the plan is not what the user wants: scripts tell the two apart).
 * Opt-in, like `git diff --exit-code`: without it a refusal is a planned outcome (exit 0).
 */
export const EXIT_SERVICE_WITHOUT_IP = 3;

export const PLAN_SPEC: CommandSpec = {
  command: 'plan',
  summary: 'Prints the allocation the controller would make for a YAML file (- reads stdin).',
  flags: {
    file: {
      type: 'string',
      short: 'f',
      value: 'FILE|-',
      default: 'required',
      help: 'pools, advertisements and Services',
    },
    namespace: {
      type: 'string',
      short: 'n',
      value: 'NS',
      default: DEFAULT_NAMESPACE,
      help: 'pools outside it are ignored',
    },
    json: { type: 'boolean', help: 'print JSON' },
    'exit-code': { type: 'boolean', help: `exit ${EXIT_SERVICE_WITHOUT_IP} when a Service gets no IP` },
  },
};

/** Parsed `plan` flags. */
export interface PlanFlags {
  readonly file: string;
  readonly namespace: string;
  readonly json: boolean;
  /** Exit EXIT_SERVICE_WITHOUT_IP when a Service gets no IP. */
  readonly exitCode: boolean;
}

/** Parses `plan` flags; `--flag value` and `--flag=value` both work. Throws UsageError. */
export function parsePlanFlags(args: readonly string[]): PlanFlags | 'help' | 'version' {
  const parsed = parseOrAnswer(PLAN_SPEC, args, {});
  if (parsed.kind !== 'run') return parsed.kind;
  const file = parsed.values.get('file');
  if (file === undefined) throw new UsageError(`-f FILE is required\n${usage(PLAN_SPEC)}`);
  return {
    file,
    namespace: parsed.values.get('namespace') ?? DEFAULT_NAMESPACE,
    json: parsed.values.get('json') === 'true',
    exitCode: parsed.values.get('exit-code') === 'true',
  };
}

/** Text output: one readable line per Service. */
export function formatPlanText(result: PlanResult): string {
  return [...planTextLines(result)].join('\n');
}

/** `ferrolb plan`: prints the allocation the controller would make (DESIGN `plan --json` contract). */
export async function planMain(args: readonly string[]): Promise<number> {
  const flags = parsePlanFlags(args);
  if (flags === 'help' || flags === 'version') return 0;
  // Documents are parsed one at a time as planning reads them (memory linear in the input).
  const tally: YamlTally = { warnings: [], objects: 0 };
  const result = planDocuments(yamlDocuments(await readPlanInput(flags.file), tally), {
    namespace: flags.namespace,
    schemas: strictSchemas(),
    keepDecisions: false,
    keepPoolReasons: !flags.json,
  });
  if (tally.objects === 0 && tally.warnings.length === 0) {
    // kubectl: "no objects passed to apply". Nothing to plan is a mistake, not an empty plan.
    throw new ConfigError(
      ErrorCode.configFile,
      `${describeInput(flags.file)} holds no objects: nothing to plan`,
    );
  }
  const yamlWarnings = tally.warnings;
  const warnings = sortByDocumentOrder([...yamlWarnings, ...result.warnings]);
  printLines(stderrLines(warnings), console.error);
  if (flags.json) printLines(planJsonLines(result.services, warnings), console.log);
  else printLines(planTextLines(result), console.log);
  if (yamlWarnings.length > 0 || result.invalid) return 2;
  return flags.exitCode && isAnyRefused(result) ? EXIT_SERVICE_WITHOUT_IP : 0;
}

function* stderrLines(warnings: readonly string[]): Generator<string> {
  for (const warning of warnings) yield `ferrolb plan: ${warning}`;
}

function isAnyRefused(result: PlanResult): boolean {
  for (const key in result.services) if ('error' in (result.services[key] ?? {})) return true;
  return false;
}
