// MetalLB reads only the annotation keys it knows, so a misspelt `metallb.io/` key is silently
// without effect; `plan` names it instead (the API server accepts any annotation).
import { ALLOCATED_FROM_POOL, Annotation, DEPRECATED_PREFIX } from './annotations.js';
import { isFields } from './fields.js';

const CURRENT_PREFIX = 'metallb.io/';

const KNOWN_KEYS: ReadonlySet<string> = new Set([
  ...Object.values(Annotation).flatMap((pair) => [pair.current, pair.deprecated]),
  ALLOCATED_FROM_POOL,
  // Declared by MetalLB, never read or written (N1 table); not a typo.
  `${DEPRECATED_PREFIX}/ip-allocated-from-pool`,
]);

/** Whether an annotation key has MetalLB's prefix (`metallb.io/` or `metallb.universe.tf/`). */
export function isMetallbAnnotationKey(key: string): boolean {
  return key.startsWith(CURRENT_PREFIX) || key.startsWith(`${DEPRECATED_PREFIX}/`);
}

/** One `metallb.io/` or `metallb.universe.tf/` annotation key that nothing reads, with a hint. */
export interface UnknownAnnotation {
  readonly key: string;
  readonly didYouMean?: string;
}

/** The MetalLB-prefixed annotation keys of `metadata.annotations` that no MetalLB component reads. */
export function unknownMetallbAnnotations(object: unknown): UnknownAnnotation[] {
  const metadata = isFields(object) && isFields(object.metadata) ? object.metadata : {};
  const annotations = isFields(metadata.annotations) ? metadata.annotations : {};
  return Object.keys(annotations)
    .filter(isMetallbAnnotationKey)
    .filter((key) => !KNOWN_KEYS.has(key))
    .map((key) => {
      const match = closestKnownKey(key);
      return match === undefined ? { key } : { key, didYouMean: match };
    });
}

/** Typo'd keys already looked up: a file repeats the same typo on many Services. */
const closestCache = new Map<string, string | undefined>();
/** Distinct typos remembered at most (each is a short string). */
const CLOSEST_CACHE_SIZE = 1024;

/** The known key within two edits (letter case ignored), if any. */
function closestKnownKey(key: string): string | undefined {
  if (closestCache.has(key)) return closestCache.get(key);
  const closest = searchKnownKeys(key);
  if (closestCache.size < CLOSEST_CACHE_SIZE) closestCache.set(key, closest);
  return closest;
}

function searchKnownKeys(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const known of KNOWN_KEYS) {
    const distance = editDistance(key.toLowerCase(), known.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: known, distance };
  }
  return best?.key;
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const substitution = (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** The warning text for one unknown annotation key. */
export function describeUnknownAnnotation(annotation: UnknownAnnotation): string {
  const hint = annotation.didYouMean === undefined ? '' : ` (did you mean "${annotation.didYouMean}"?)`;
  return `annotation ${JSON.stringify(annotation.key)} is not a MetalLB annotation and has no effect${hint}`;
}
