/**
 * Splits PAN-OS configuration text in the `set` form (`show` in set mode, RANCID) or the brace form
 * (`show config running` in CLI format) into tokens: words (bare, "double" or 'single' quoted),
 * list brackets `[ ]` (a `]` glued to the last member, `[ a b]`, is still a bracket), the brace
 * form's `{ } ;`, and line ends. A line whose first character other than blanks is `#` or `!` is a
 * comment (RANCID headers).
 *
 * PAN-OS prints free text without escaping its quotes (`description "a "quoted" word"`): after
 * `description` or `comment`, a quoted value ends at the quote that ends its line, and may run over
 * several lines; anywhere else a quoted word ends at the next quote of its kind.
 *
 * Linear in the input; never throws. An unterminated quote is an error at the quote and ends the
 * word at the end of its line.
 */
import type { Token, TokenKind } from "../junos/tokens.js";
import type { Diagnostics } from "../junos/statements.js";

export type { Token, TokenKind };

/** Keys whose quoted value is free text ending at the quote that ends a line. */
const FREE_TEXT = new Set(["description", "comment", "comments"]);

function isBlank(c: string): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v";
}

/** `braces`: the brace form, where `{ } ;` end words and are tokens. */
export function tokenizePanos(text: string, diags: Diagnostics, braces: boolean): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let atLineStart = true;
  const col = (at: number) => at - lineStart + 1;
  // freeTextEnd's last answer per quote: a later search that starts before that answer finds it
  // again (and none after a -1), so hostile input with many open quotes stays linear
  const lastEnd = new Map<string, { from: number; at: number }>();
  const textEnd = (from: number, quote: string): number => {
    const hit = lastEnd.get(quote);
    if (hit && from >= hit.from && (hit.at === -1 || from <= hit.at)) return hit.at;
    const at = freeTextEnd(text, from, quote);
    lastEnd.set(quote, { from, at });
    return at;
  };
  const ends = (c: string) => isBlank(c) || c === "\n" || c === '"' || c === "'" || (braces && (c === "{" || c === "}" || c === ";"));
  while (i < n) {
    const c = text[i]!;
    if (c === "\n") {
      out.push({ kind: "eol", text: "\n", line, column: col(i), quoted: false });
      i++;
      line++;
      lineStart = i;
      atLineStart = true;
      continue;
    }
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (atLineStart && (c === "#" || c === "!")) {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    atLineStart = false;
    if (braces && (c === "{" || c === "}" || c === ";")) {
      out.push({ kind: c, text: c, line, column: col(i), quoted: false });
      i++;
      continue;
    }
    if (c === "[" || c === "]") {
      out.push({ kind: c, text: c, line, column: col(i), quoted: false });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const startLine = line;
      const startCol = col(i);
      const prev = out[out.length - 1];
      const free = !braces && prev !== undefined && prev.kind === "word" && !prev.quoted && FREE_TEXT.has(prev.text);
      let close = free ? textEnd(i + 1, c) : -1;
      if (close === -1) {
        close = i + 1;
        while (close < n && text[close] !== c && (braces || text[close] !== "\n")) close++;
        // a value over several lines (a certificate, a banner): it ends with the quote that ends a line
        if (!braces && text[close] !== c) close = textEnd(i + 1, c);
        if (close < 0 || close >= n || text[close] !== c) {
          close = close < 0 ? text.indexOf("\n", i) : close;
          if (close < 0) close = n;
          diags.error({ line: startLine, column: startCol }, `unterminated string: expected '${c}' before the end of the ${braces ? "file" : "line"}`);
          const word = text.slice(i + 1, close);
          out.push({ kind: "word", text: word, line: startLine, column: startCol, quoted: true });
          i = close;
          continue;
        }
      }
      const word = text.slice(i + 1, close);
      out.push({ kind: "word", text: word, line: startLine, column: startCol, quoted: true });
      // a value over several lines: the next token is on the line of the closing quote
      for (let k = i + 1; k < close; k++) {
        if (text[k] === "\n") {
          line++;
          lineStart = k + 1;
        }
      }
      i = close + 1;
      continue;
    }
    const start = i;
    while (i < n && !ends(text[i]!) && !(text[i] === "]" && i > start)) i++;
    out.push({ kind: "word" as TokenKind, text: text.slice(start, i), line, column: col(start), quoted: false });
  }
  out.push({ kind: "eol", text: "", line, column: col(i), quoted: false });
  return out;
}

/** Where a free-text value opened at `from` ends: the first `quote` followed by blanks and a line end (or the file's end); -1 if none. */
function freeTextEnd(text: string, from: number, quote: string): number {
  let k = text.indexOf(quote, from);
  while (k !== -1) {
    let j = k + 1;
    while (j < text.length && isBlank(text[j]!)) j++;
    if (j >= text.length || text[j] === "\n") return k;
    k = text.indexOf(quote, k + 1);
  }
  return -1;
}
