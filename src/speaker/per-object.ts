// Reads remembered per cached object. The speaker's informer caches replace an object on every
// change and never mutate a cached one, so an unchanged object is read once, and its read is the
// same object every run: that identity is how the speaker sees what did not change (issue 14).

/** `read`, remembered per object. */
export function perObject<K extends object, V>(read: (object: K) => V): (object: K) => V {
  const reads = new WeakMap<K, V>();
  return (object) => {
    if (reads.has(object)) return reads.get(object) as V;
    const value = read(object);
    reads.set(object, value);
    return value;
  };
}

/** Same elements, by identity. */
export function sameItems<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((item, index) => item === b[index]);
}
