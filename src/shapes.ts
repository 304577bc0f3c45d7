// Objects made per Service, endpoint or IP share V8 hidden classes only when their properties are
// added in one order by assignment. An object literal with conditional spreads
// (`...(x ? { x } : {})`) gives every object a hidden class of its own once its site has seen a few
// shapes: 60,000 such classes, about 11 MB, in a speaker at 10,000 Services (issue 14).

/** `T` with its `readonly` modifiers removed, for building a value before handing it out. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sets `target[key]` only when `value` is defined: the assignment form of a conditional spread. */
export function setDefined<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) (target as Mutable<T>)[key] = value;
}
