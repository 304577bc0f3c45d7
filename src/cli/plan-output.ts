// Output of `ferrolb plan`, written a batch of lines at a time: the plan of a 10 MB input is
// itself several MB of text, which is never built as one string (memory linear and small).
import type { PlannedService, PlanResult } from '../controller/index.js';

/** Characters per write: large enough that writes are few, small beside the whole output. */
const BATCH_CHARACTERS = 64 * 1024;

/** JSON.stringify's indent under `--json`. */
const INDENT = '  ';

/**
 * The lines of `JSON.stringify({services, warnings}, null, 2)` (DESIGN `plan --json` contract),
 * byte for byte, one Service at a time.
 */
export function* planJsonLines(
  services: Readonly<Record<string, PlannedService>>,
  warnings: readonly string[],
): Generator<string> {
  yield '{';
  let previous: string | undefined;
  // for-in, not Object.entries: no array of every entry (the same order: no key is an index).
  for (const key in services) {
    if (previous === undefined) yield `${INDENT}"services": {`;
    else yield `${previous},`;
    previous = `${INDENT}${INDENT}${JSON.stringify(key)}: ${indented(services[key], 2)}`;
  }
  if (previous === undefined) yield `${INDENT}"services": {},`;
  else yield* [previous, `${INDENT}},`];
  if (warnings.length === 0) yield `${INDENT}"warnings": []`;
  else {
    yield `${INDENT}"warnings": [`;
    const last = warnings.length - 1;
    for (const [index, warning] of warnings.entries()) {
      yield `${INDENT}${INDENT}${JSON.stringify(warning)}${index < last ? ',' : ''}`;
    }
    yield `${INDENT}]`;
  }
  yield '}';
}

/** `value` as JSON.stringify(value, null, 2) writes it `depth` levels deep. */
function indented(value: unknown, depth: number): string {
  // JSON text holds no raw line breaks inside strings, so every one is a line of the layout.
  return JSON.stringify(value, null, INDENT).replaceAll('\n', `\n${INDENT.repeat(depth)}`);
}

/** Text output: one readable line per Service. */
export function* planTextLines(result: PlanResult): Generator<string> {
  for (const key in result.services) {
    const planned = result.services[key] as PlannedService;
    if ('ips' in planned) {
      yield `${key}: ${planned.ips.join(', ')} (pool ${planned.pool})`;
      continue;
    }
    const reasons = (result.poolReasons[key] ?? []).map((reason) => `${reason.pool}: ${reason.message}`);
    yield `${key}: no IP: ${planned.error}${reasons.length > 0 ? ` [${reasons.join('; ')}]` : ''}`;
  }
}

/** Prints the lines as `print(lines.join('\n'))` would, in batches (print adds the line break). */
export function printLines(lines: Iterable<string>, print: (text: string) => void): void {
  let batch: string[] = [];
  let size = 0;
  for (const line of lines) {
    batch.push(line);
    size += line.length + 1;
    if (size < BATCH_CHARACTERS) continue;
    print(batch.join('\n'));
    batch = [];
    size = 0;
  }
  if (batch.length > 0) print(batch.join('\n'));
}
