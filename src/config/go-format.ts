// MetalLB's user-facing messages are built with Go's fmt verbs; these reproduce the verbs it uses
// so that ferrolb's messages stay byte-identical (metallb-behaviour contract rule, "%q" term).

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
};

/** Go `%q` of a string: double-quoted, with Go escapes for quotes, backslashes and controls. */
export function goQuote(text: string): string {
  let out = '"';
  for (const character of text) {
    const escaped = ESCAPES[character];
    if (escaped !== undefined) {
      out += escaped;
      continue;
    }
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += character;
  }
  return `${out}"`;
}

/** Go `%q` of a string slice: `["a" "b"]`. */
export function goQuoteList(items: readonly string[]): string {
  return `[${items.map(goQuote).join(' ')}]`;
}

/** Go `%v` of a string slice: `[a b]`. */
export function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}
