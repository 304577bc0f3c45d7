// Strict field checking as the API server does it (kubectl's default `--validate=strict`): a
// field the schema does not know fails the whole object with `unknown field "spec.adresses"`,
// instead of being dropped and surfacing later as a confusing semantic error.
import { isFields } from './fields.js';

/** The part of a structural schema (OpenAPI v3 as CRDs write it) that decides which fields exist. */
export interface FieldSchema {
  readonly properties?: Readonly<Record<string, FieldSchema>>;
  readonly items?: FieldSchema;
  /** A map whose values follow this schema (any key allowed), or `true` for any value. */
  readonly additionalProperties?: FieldSchema | boolean;
  /** `x-kubernetes-preserve-unknown-fields`, or a type this check does not look into. */
  readonly open?: boolean;
}

/** A field of the object that its schema does not declare. */
export interface UnknownField {
  readonly path: string;
  /** The declared sibling that differs only in letter case (`autoassign` → `autoAssign`). */
  readonly didYouMean?: string;
}

/** Every field of `value` that `schema` does not know, in document order (path as kubectl prints it). */
export function unknownFields(value: unknown, schema: FieldSchema, path = ''): UnknownField[] {
  if (schema.open) return [];
  if (Array.isArray(value)) {
    if (!schema.items) return [];
    const items = schema.items;
    return value.flatMap((item, index) => unknownFields(item, items, `${path}[${index}]`));
  }
  if (!isFields(value)) return [];
  const found: UnknownField[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const declared = schema.properties?.[key];
    if (declared) {
      found.push(...unknownFields(child, declared, childPath));
      continue;
    }
    const extra = schema.additionalProperties;
    if (extra === true) continue;
    if (extra) {
      found.push(...unknownFields(child, extra, childPath));
      continue;
    }
    found.push(withHint(childPath, key, schema));
  }
  return found;
}

function withHint(path: string, key: string, schema: FieldSchema): UnknownField {
  const lower = key.toLowerCase();
  const match = Object.keys(schema.properties ?? {}).find((name) => name.toLowerCase() === lower);
  if (match === undefined) return { path };
  const parent = path.slice(0, path.length - key.length);
  return { path, didYouMean: `${parent}${match}` };
}

/** kubectl's wording, plus the case hint when there is one. */
export function describeUnknownField(field: UnknownField): string {
  const hint = field.didYouMean === undefined ? '' : ` (did you mean "${field.didYouMean}"?)`;
  return `unknown field ${JSON.stringify(field.path)}${hint}`;
}

type OpenApi = Readonly<Record<string, unknown>>;

/**
 * Reads an OpenAPI v3 schema (a CRD's `openAPIV3Schema`) into a FieldSchema. A schema without
 * `properties` whose `type` is not object/array (string, integer, …) has no fields to check.
 */
export function fromOpenApi(schema: unknown): FieldSchema {
  if (!isFields(schema)) return { open: true };
  const openApi = schema as OpenApi;
  if (openApi['x-kubernetes-preserve-unknown-fields'] === true) return { open: true };
  const result: { -readonly [K in keyof FieldSchema]: FieldSchema[K] } = {};
  if (isFields(openApi.properties)) {
    result.properties = Object.fromEntries(
      Object.entries(openApi.properties).map(([key, child]) => [key, fromOpenApi(child)]),
    );
  }
  if (openApi.items !== undefined) result.items = fromOpenApi(openApi.items);
  if (openApi.additionalProperties === true) result.additionalProperties = true;
  else if (isFields(openApi.additionalProperties)) {
    result.additionalProperties = fromOpenApi(openApi.additionalProperties);
  }
  const isObject = openApi.type === 'object' || result.properties !== undefined;
  if (isObject && result.properties === undefined && result.additionalProperties === undefined) {
    // `type: object` with nothing declared: the API server keeps nothing, but metadata is the
    // one such field every CRD has, and it is ObjectMeta; callers substitute it.
    return { properties: {} };
  }
  return result;
}
