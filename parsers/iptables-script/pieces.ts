/**
 * Text cut at a separator that stands outside brackets: a brace expansion's alternatives (`{a,{b,c}}`),
 * a `for (( INIT; COND; STEP ))` header's three expressions.
 */

/** The pieces of `text` between the `sep` characters that no `open` ... `close` pair holds. */
export function topLevelPieces(text: string, open: string, close: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === open) depth++;
    else if (c === close) depth--;
    else if (c === sep && depth === 0) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out;
}
