// I/O for `ferrolb plan`: reads the input (a file, or stdin for `-f -`), parses its YAML
// documents one at a time (memory linear in the input: no whole-stream syntax tree is kept),
// and loads the strict field schemas (the CRDs in deploy/crds, the same files the cluster gets).
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Composer, type Document, Parser, parse } from 'yaml';
import {
  type FieldSchema,
  fromOpenApi,
  isFields,
  NAMESPACE_SCHEMA,
  SERVICE_SCHEMA,
  withObjectMeta,
} from '../config/index.js';
import { ConfigError, ErrorCode } from '../errors.js';

/** The standard-input marker of `-f -`, as kubectl has it. */
export const STDIN_FILE = '-';

/**
 * The whole input, in a box: the reader (yamlDocuments) takes the text out, so that no caller's
 * variable keeps it in memory once its last document is read.
 */
export interface PlanInput {
  text: string;
}

/** Reads the whole input; a file that cannot be read is a ConfigError (exit 2). */
export async function readPlanInput(file: string): Promise<PlanInput> {
  try {
    return { text: file === STDIN_FILE ? await readStdin() : await readFile(file, 'utf8') };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(ErrorCode.configFile, `cannot read ${file}: ${reason}`);
  }
}

/** The input as messages name it. */
export function describeInput(file: string): string {
  return file === STDIN_FILE ? 'standard input' : file;
}

async function readStdin(): Promise<string> {
  // Decoded as it arrives (a character split across chunks is kept whole): the text is then held
  // once more while joined, not twice more as bytes (chunks, their concatenation) and text.
  process.stdin.setEncoding('utf8');
  const chunks: string[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as string);
  return chunks.join('');
}

/** What reading the documents found besides them: warnings, and how many held anything. */
export interface YamlTally {
  readonly warnings: string[];
  objects: number;
}

/** Parses a multi-document YAML text; a document that does not parse becomes null plus a warning. */
export function readYamlDocuments(text: string): { documents: unknown[]; warnings: string[] } {
  const tally: YamlTally = { warnings: [], objects: 0 };
  const documents = [...yamlDocuments({ text }, tally)];
  return { documents, warnings: tally.warnings };
}

/**
 * Each document of a multi-document YAML text as a plain value, parsed only when the caller asks
 * for it, so a caller that keeps less than the document keeps memory linear and small: the
 * Composer yields each document once complete and its syntax tree is dropped before the next is
 * read (parseAllDocuments keeps every tree: 3.4x the memory). A document that does not parse
 * is null plus a warning in `tally`. Read once: the text is taken out of `input` as reading
 * starts, so it is garbage once the last document is read.
 */
export function yamlDocuments(input: PlanInput, tally: YamlTally): Iterable<unknown> {
  return {
    [Symbol.iterator]: () => {
      const text = input.text;
      input.text = '';
      return parseDocuments(text, tally);
    },
  };
}

function* parseDocuments(text: string, tally: YamlTally): Generator<unknown> {
  const documents = new Composer().compose(new Parser().parse(text));
  const plainEnv = { ...process.env };
  for (let number = 1; ; number += 1) {
    const step = withEnv(plainEnv, () => documents.next());
    if (step.done === true) return;
    yield plainValue(step.value, number, tally);
  }
}

/** A parsed document as a plain value; null plus a warning when it does not parse. */
function plainValue(document: Document.Parsed, number: number, tally: YamlTally): unknown {
  const problem = document.errors[0]?.message;
  if (problem !== undefined) {
    tally.warnings.push(`document ${number}: invalid YAML: ${problem.split('\n')[0]}`);
    return null;
  }
  try {
    const value: unknown = document.toJS();
    if (value !== null) tally.objects += 1;
    return value;
  } catch (error) {
    // toJS can still refuse a document that parsed, e.g. one exceeding the alias limit.
    const reason = error instanceof Error ? error.message : String(error);
    tally.warnings.push(`document ${number}: invalid YAML: ${reason}`);
    return null;
  }
}

/**
 * Runs `work` with process.env a plain copy: yaml's parser reads process.env.LOG_TOKENS at every
 * token, and every read of the real process.env is a getenv() call (an eighth of the parse
 * time). Swapped only while `work` runs, synchronously, so no other code sees the copy.
 */
function withEnv<T>(env: NodeJS.ProcessEnv, work: () => T): T {
  const real = process.env;
  process.env = env;
  try {
    return work();
  } finally {
    process.env = real;
  }
}

let schemas: Readonly<Record<string, FieldSchema>> | undefined;

/** Field schemas by kind: the shipped CRDs' for MetalLB kinds, core/v1's for Service and Namespace. */
export function strictSchemas(): Readonly<Record<string, FieldSchema>> {
  schemas ??= { ...crdSchemas(), Service: SERVICE_SCHEMA, Namespace: NAMESPACE_SCHEMA };
  return schemas;
}

// src/cli and dist/cli are both two levels below the package root, which ships deploy/crds.
const CRD_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), '../../deploy/crds');

function crdSchemas(): Record<string, FieldSchema> {
  const result: Record<string, FieldSchema> = {};
  for (const file of readdirSync(CRD_DIRECTORY).filter((name) => name.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(CRD_DIRECTORY, file), 'utf8')) as unknown;
    const spec = isFields(crd) && isFields(crd.spec) ? crd.spec : {};
    const kind = isFields(spec.names) ? spec.names.kind : undefined;
    const versions = Array.isArray(spec.versions) ? spec.versions : [];
    const served = versions.find((version) => isFields(version) && version.storage === true);
    const schema = isFields(served) && isFields(served.schema) ? served.schema.openAPIV3Schema : undefined;
    if (typeof kind === 'string' && schema !== undefined) result[kind] = withObjectMeta(fromOpenApi(schema));
  }
  return result;
}
