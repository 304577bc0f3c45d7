import { arrayAt, FieldProblem, objectAt, stringAt, stringMapAt } from './fields.js';
import { goQuote } from './go-format.js';
import { type LabelSelector, type LabelSelectorRequirement, selectorKey } from './selector.js';

const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Reads one metav1.LabelSelector, with the checks of `metav1.LabelSelectorAsSelector`. */
export function readSelector(value: unknown, field: string): LabelSelector {
  const fields = objectAt(value, field);
  const matchLabels = stringMapAt(fields.matchLabels, `${field}.matchLabels`);
  const matchExpressions = arrayAt(fields.matchExpressions, `${field}.matchExpressions`, readRequirement);
  return { matchLabels, matchExpressions };
}

function readRequirement(value: unknown, field: string): LabelSelectorRequirement {
  const fields = objectAt(value, field);
  const key = stringAt(fields.key, `${field}.key`);
  if (key === '') throw new FieldProblem(`${field}.key`, 'must not be empty');
  const operator = stringAt(fields.operator, `${field}.operator`);
  if (!OPERATORS.has(operator))
    throw new FieldProblem(
      `${field}.operator`,
      `${goQuote(operator)} is not a valid label selector operator`,
    );
  const values = arrayAt(fields.values, `${field}.values`, (item, itemField) => stringAt(item, itemField));
  const needsValues = operator === 'In' || operator === 'NotIn';
  if (needsValues && values.length === 0)
    throw new FieldProblem(`${field}.values`, `must be non-empty for operator ${operator}`);
  if (!needsValues && values.length > 0)
    throw new FieldProblem(`${field}.values`, `must be empty for operator ${operator}`);
  return { key, operator: operator as LabelSelectorRequirement['operator'], values };
}

/** Reads a list of selectors and rejects duplicates with MetalLB's messages (V5, V9). */
export function readSelectorList(value: unknown, field: string, kind: string): LabelSelector[] {
  const selectors = arrayAt(value, field, readSelector);
  const seen = new Set<string>();
  for (const [index, selector] of selectors.entries()) {
    rejectDuplicateValues(selector, `${field}[${index}]`);
    const key = selectorKey(selector);
    if (seen.has(key))
      throw new FieldProblem(`${field}[${index}]`, `duplicate definition of ${kind} ${goQuote(key)}`);
    seen.add(key);
  }
  return selectors;
}

function rejectDuplicateValues(selector: LabelSelector, field: string): void {
  const expressions = new Set<string>();
  for (const [index, requirement] of (selector.matchExpressions ?? []).entries()) {
    const values = requirement.values ?? [];
    const duplicate = values.find((item, position) => values.indexOf(item) !== position);
    if (duplicate !== undefined) {
      throw new FieldProblem(
        `${field}.matchExpressions[${index}].values`,
        `duplicate definition of match expression value in label selector ${goQuote(duplicate)}`,
      );
    }
    const key = selectorKey({ matchExpressions: [requirement] });
    if (expressions.has(key)) {
      throw new FieldProblem(
        `${field}.matchExpressions[${index}]`,
        `duplicate definition of match expressions ${goQuote(key)}`,
      );
    }
    expressions.add(key);
  }
}

/** Reads a list of strings and rejects duplicates: `duplicate definition of <kind> "x"` (V5, V9). */
export function readUniqueStrings(
  value: unknown,
  field: string,
  message: (item: string) => string,
): string[] {
  const items = arrayAt(value, field, (item, itemField) => stringAt(item, itemField));
  for (const [index, item] of items.entries()) {
    if (items.indexOf(item) !== index) throw new FieldProblem(`${field}[${index}]`, message(item));
  }
  return items;
}
