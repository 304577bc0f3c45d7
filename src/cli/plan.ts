import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_NAMESPACE } from '../config/index.js';
import { byDocumentOrder, type PlanResult, planDocuments } from '../controller/index.js';
import { ConfigError, ErrorCode, UsageError } from '../errors.js';
import { type CommandSpec, usage } from './args.js';
import { parseOrAnswer } from './common.js';

export const PLAN_SPEC: CommandSpec = {
  command: 'plan',
  summary: 'Prints the allocation the controller would make for a YAML file.',
  flags: {
    file: {
      type: 'string',
      short: 'f',
      value: 'FILE',
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
  },
};

/** Parsed `plan` flags. */
export interface PlanFlags {
  readonly file: string;
  readonly namespace: string;
  readonly json: boolean;
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
  };
}

/** Reads a multi-document YAML file; a document that does not parse becomes null plus a warning. */
export function readYamlDocuments(text: string): { documents: unknown[]; warnings: string[] } {
  const warnings: string[] = [];
  const documents = parseAllDocuments(text).map((document, index) => {
    const problem = document.errors[0]?.message;
    if (problem === undefined) {
      try {
        return document.toJS();
      } catch (error) {
        // toJS can still refuse a document that parsed, e.g. one exceeding the alias limit.
        warnings.push(
          `document ${index + 1}: invalid YAML: ${error instanceof Error ? error.message : String(error)}`,
        );
        return null;
      }
    }
    warnings.push(`document ${index + 1}: invalid YAML: ${problem.split('\n')[0]}`);
    return null;
  });
  return { documents, warnings };
}

/** Text output: one readable line per Service. */
export function formatPlanText(result: PlanResult): string {
  const lines = Object.entries(result.services).map(([key, planned]) => {
    if ('ips' in planned) return `${key}: ${planned.ips.join(', ')} (pool ${planned.pool})`;
    const reasons = (result.poolReasons[key] ?? []).map((reason) => `${reason.pool}: ${reason.message}`);
    return `${key}: no IP: ${planned.error}${reasons.length > 0 ? ` [${reasons.join('; ')}]` : ''}`;
  });
  return lines.join('\n');
}

/** `ferrolb plan`: prints the allocation the controller would make (DESIGN `plan --json` contract). */
export async function planMain(args: readonly string[]): Promise<number> {
  const flags = parsePlanFlags(args);
  if (flags === 'help' || flags === 'version') return 0;
  let text: string;
  try {
    text = await readFile(flags.file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(ErrorCode.configFile, `cannot read ${flags.file}: ${reason}`);
  }
  const { documents, warnings: yamlWarnings } = readYamlDocuments(text);
  const result = planDocuments(documents, { namespace: flags.namespace });
  const warnings = [...yamlWarnings, ...result.warnings].sort(byDocumentOrder);
  for (const warning of warnings) console.error(`ferrolb plan: ${warning}`);
  if (flags.json) console.log(JSON.stringify({ services: result.services, warnings }, null, 2));
  else if (Object.keys(result.services).length > 0) console.log(formatPlanText(result));
  return yamlWarnings.length > 0 || result.invalid ? 2 : 0;
}
