import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_NAMESPACE } from '../config/index.js';
import { byDocumentOrder, type PlanResult, planDocuments } from '../controller/index.js';
import { ConfigError, ErrorCode, UsageError } from '../errors.js';

const USAGE = 'usage: ferrolb plan -f FILE [--namespace NS] [--json]';

/** Parsed `plan` flags. */
export interface PlanFlags {
  readonly file: string;
  readonly namespace: string;
  readonly json: boolean;
}

/** Parses `plan` flags; `--flag value` and `--flag=value` both work. Throws UsageError. */
export function parsePlanFlags(args: readonly string[]): PlanFlags | 'help' {
  let file: string | undefined;
  let namespace = DEFAULT_NAMESPACE;
  let json = false;
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index] as string;
    const [flag, inline] = argument.startsWith('--') ? splitInline(argument) : [argument, undefined];
    const value = (): string => {
      if (inline === undefined) index += 1;
      const next = inline ?? args[index];
      if (next === undefined || next === '') throw new UsageError(`flag ${flag} needs a value\n${USAGE}`);
      return next;
    };
    if (flag === '-h' || flag === '--help') return 'help';
    else if (flag === '-f' || flag === '--file') file = value();
    else if (flag === '-n' || flag === '--namespace') namespace = value();
    else if (flag === '--json' && inline === undefined) json = true;
    else throw new UsageError(`unknown flag ${JSON.stringify(argument)}\n${USAGE}`);
  }
  if (file === undefined) throw new UsageError(`-f FILE is required\n${USAGE}`);
  return { file, namespace, json };
}

function splitInline(argument: string): [string, string | undefined] {
  const equals = argument.indexOf('=');
  return equals < 0 ? [argument, undefined] : [argument.slice(0, equals), argument.slice(equals + 1)];
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
  if (flags === 'help') {
    console.log(USAGE);
    return 0;
  }
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
