/**
 * Splits JunOS configuration text into tokens: words (bare or "quoted"), the curly form's
 * punctuation `{ } ;`, list brackets `[ ]` (only as whole words, so `<em[0,1]>` stays one word),
 * and line ends. Comments are dropped: `#` starting a word runs to the end of the line
 * (`## SECRET-DATA` trailers, RANCID headers), `/* ... *\/` may span lines, and a line whose
 * first character is `!` is a RANCID comment.
 *
 * Linear in the input; never throws. An unterminated string ends at the end of its line (error).
 */
import type { Diagnostics } from "./statements.js";

export type TokenKind = "word" | "{" | "}" | ";" | "[" | "]" | "eol";

export interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  column: number;
  quoted: boolean;
}

const PUNCT = new Set(["{", "}", ";"]);
/** A bare word runs to whitespace or a quote (and, in the curly form, to `{ } ;`). */
const WORD_SET = /[^\s"]*/y;
const WORD_CURLY = /[^\s"{};]*/y;

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v";
}

/**
 * `punctuation`: whether `{ } ;` are tokens (curly form) or ordinary characters of words (set
 * form, where a description may hold them unquoted).
 */
export function tokenize(text: string, diags: Diagnostics, punctuation: boolean): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  const col = (at: number) => at - lineStart + 1;
  while (i < n) {
    const c = text[i]!;
    if (c === "\n") {
      out.push({ kind: "eol", text: "\n", line, column: col(i), quoted: false });
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === "#" || (c === "!" && i === lineStart)) {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const startLine = line;
      const startCol = col(i);
      i += 2;
      while (i < n && !(text[i] === "*" && text[i + 1] === "/")) {
        if (text[i] === "\n") {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (i >= n) diags.error({ line: startLine, column: startCol }, "unterminated comment: expected '*/'");
      else i += 2;
      continue;
    }
    if (punctuation && PUNCT.has(c)) {
      out.push({ kind: c as TokenKind, text: c, line, column: col(i), quoted: false });
      i++;
      continue;
    }
    if (c === '"') {
      const startCol = col(i);
      let s = "";
      let j = i + 1;
      let closed = false;
      while (j < n && text[j] !== "\n") {
        const d = text[j]!;
        if (d === "\\" && j + 1 < n && text[j + 1] !== "\n") {
          s += text[j + 1];
          j += 2;
          continue;
        }
        if (d === '"') {
          closed = true;
          break;
        }
        s += d;
        j++;
      }
      if (!closed) diags.error({ line, column: startCol }, "unterminated string: expected '\"' before the end of the line");
      out.push({ kind: "word", text: s, line, column: startCol, quoted: true });
      i = closed ? j + 1 : j;
      continue;
    }
    const start = i;
    const wordRe = punctuation ? WORD_CURLY : WORD_SET;
    wordRe.lastIndex = i;
    wordRe.test(text);
    i = Math.max(wordRe.lastIndex, i + 1);
    const word = text.slice(start, i);
    const kind: TokenKind = word === "[" ? "[" : word === "]" ? "]" : "word";
    out.push({ kind, text: word, line, column: col(start), quoted: false });
  }
  out.push({ kind: "eol", text: "", line, column: col(i), quoted: false });
  return out;
}
