/**
 * bash's brace expansion, the first expansion of a command's words (before parameters are filled
 * in): `{21,23}` is two words, `{6000..6003}` four, `eth{0..2}` three, `{1..10..3}` every third,
 * `{a..c}` letters, `{01..03}` zero-padded, nested `{a,{b,c}}`; a word's text around the braces is
 * kept on each (`--dport=1{0,1}` is `--dport=10 --dport=11`). Only unquoted text takes part; a
 * brace pair with no comma at its top level and no sequence (`{}`, `{x}`) stays as written, as
 * bash leaves it. Assignments and case patterns are not brace-expanded (bash does not either): the
 * caller applies it to command and `for` list words only.
 *
 * Here a brace expression is expanded when it lies within one unquoted run of literal text (`{$A,$B}`,
 * whose parts are expansions, stays as written).
 */
import { topLevelPieces } from "./pieces.js";
import type { Part, WordTok } from "./lexer.js";

/** Words one word may become; past it the word is left as written (an unknown value later). */
export const MAX_BRACE_WORDS = 65_536;

/** The index of the `}` that closes the `{` at `open`, or -1. */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === "{") depth++;
    else if (s[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

/** The top-level comma-separated pieces of `inner`, or undefined without a top-level comma. */
function alternatives(inner: string): string[] | undefined {
  const out = topLevelPieces(inner, "{", "}", ",");
  return out.length > 1 ? out : undefined;
}

/** The words of a sequence expression `x..y[..incr]` (integers or single letters), or undefined. */
function sequence(inner: string): string[] | undefined {
  const num = /^([-+]?\d+)\.\.([-+]?\d+)(?:\.\.([-+]?\d+))?$/.exec(inner);
  const chr = num ? null : /^([A-Za-z])\.\.([A-Za-z])(?:\.\.([-+]?\d+))?$/.exec(inner);
  const m = num ?? chr;
  if (!m) return undefined;
  const step = Math.abs(m[3] === undefined ? 1 : Number(m[3])) || 1;
  const [a, b] = num ? [Number(m[1]), Number(m[2])] : [m[1]!.charCodeAt(0), m[2]!.charCodeAt(0)];
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || Math.abs(b - a) / step >= MAX_BRACE_WORDS) return undefined;
  // (zero-padded when either end is written with a leading zero: every word as wide as the wider end)
  const padded = num && /^[-+]?0\d/.test(m[1]!) ? Math.max(m[1]!.length, m[2]!.length) : num && /^[-+]?0\d/.test(m[2]!) ? Math.max(m[1]!.length, m[2]!.length) : 0;
  const out: string[] = [];
  for (let v = a; a <= b ? v <= b : v >= b; v += a <= b ? step : -step) {
    if (!num) out.push(String.fromCharCode(v));
    else if (padded === 0) out.push(String(v));
    else out.push(v < 0 ? "-" + String(-v).padStart(padded - 1, "0") : String(v).padStart(padded, "0"));
  }
  return out;
}

/** The texts `s` makes (see expandBraces); "many" past MAX_BRACE_WORDS. */
function expansions(s: string): string[] | undefined | "many" {
  for (let open = s.indexOf("{"); open >= 0; open = s.indexOf("{", open + 1)) {
    const close = closing(s, open);
    if (close < 0) continue;
    const inner = s.slice(open + 1, close);
    const alts = alternatives(inner) ?? sequence(inner);
    if (!alts) continue;
    const prefix = s.slice(0, open);
    const tail = s.slice(close + 1);
    const tails = expansions(tail);
    if (tails === "many") return "many";
    const out: string[] = [];
    for (const alt of alts) {
      const inAlt = expansions(alt);
      if (inAlt === "many") return "many";
      for (const a of inAlt ?? [alt]) {
        for (const t of tails ?? [tail]) {
          if (out.length >= MAX_BRACE_WORDS) return "many";
          out.push(prefix + a + t);
        }
      }
    }
    return out;
  }
  return undefined;
}

/**
 * The texts brace expansion makes of `s` (unquoted literal text), or undefined when it holds no
 * brace expression, or makes more than MAX_BRACE_WORDS words.
 */
export function expandBraces(s: string): string[] | undefined {
  const out = expansions(s);
  return out === "many" ? undefined : out;
}

/**
 * The words brace expansion makes of `w`: the first unquoted literal part that holds a brace
 * expression expanded (and the words made so expanded again for the parts after it); `[w]` when
 * there is none.
 */
export function braceWords(w: WordTok): WordTok[] {
  const k = w.parts.findIndex((p) => p.kind === "lit" && !p.quoted && p.text.includes("{") && p.text.includes("}"));
  if (k < 0) return [w];
  for (let i = k; i < w.parts.length; i++) {
    const p = w.parts[i]!;
    if (p.kind !== "lit" || p.quoted) continue;
    const texts = expandBraces(p.text);
    if (!texts) continue;
    const out: WordTok[] = [];
    for (const text of texts) {
      // (an empty text from `{,x}` adds nothing: a word left with no part is no field)
      const parts: Part[] = [...w.parts.slice(0, i), ...(text !== "" ? [{ kind: "lit" as const, text, quoted: false }] : [])];
      // the parts after it may hold brace expressions of their own
      const rest: WordTok = { ...w, parts: w.parts.slice(i + 1) };
      for (const tail of rest.parts.length > 0 ? braceWords(rest) : [rest]) {
        out.push({ ...w, parts: [...parts, ...tail.parts] });
        if (out.length > MAX_BRACE_WORDS) return [w];
      }
    }
    return out;
  }
  return [w];
}
