/**
 * nftables text -> tokens. A single linear scan (no regular expressions): words, quoted strings,
 * punctuation, comparison operators and newlines; `#` comments and `\`-newline continuations are
 * skipped.
 */
export type TokKind = "word" | "string" | "punct" | "op" | "nl" | "eof";

export interface Tok {
  kind: TokKind;
  /** The text (strings without their quotes). */
  text: string;
  line: number;
  column: number;
}

const PUNCT = new Set(["{", "}", ";", ",", "(", ")", "|", "&", "+", "^"]);

function isWordChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) ||
    c === "_" || c === "." || c === ":" || c === "/" || c === "-" || c === "*" || c === "$" || c === "@" || c === "%" || c === "[" || c === "]"
  );
}

export function lex(text: string): Tok[] {
  const out: Tok[] = [];
  let line = 1;
  let col = 1;
  let i = 0;
  const n = text.length;
  const push = (kind: TokKind, t: string, l: number, c: number) => out.push({ kind, text: t, line: l, column: c });
  while (i < n) {
    const c = text[i]!;
    if (c === "\n") {
      push("nl", "\n", line, col);
      i++;
      line++;
      col = 1;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      col++;
      continue;
    }
    if (c === "\\" && (text[i + 1] === "\n" || (text[i + 1] === "\r" && text[i + 2] === "\n"))) {
      i += text[i + 1] === "\n" ? 2 : 3;
      line++;
      col = 1;
      continue;
    }
    if (c === "#") {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    const l0 = line;
    const c0 = col;
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"' && text[j] !== "\n") j++;
      push("string", text.slice(i + 1, j), l0, c0);
      const end = j < n && text[j] === '"' ? j + 1 : j;
      col += end - i;
      i = end;
      continue;
    }
    if (c === "!" || c === "=" || c === "<" || c === ">") {
      const two = text.slice(i, i + 2);
      const op = two === "!=" || two === "==" || two === "<=" || two === ">=" ? two : c;
      push("op", op, l0, c0);
      i += op.length;
      col += op.length;
      continue;
    }
    if (PUNCT.has(c)) {
      push("punct", c, l0, c0);
      i++;
      col++;
      continue;
    }
    if (isWordChar(c)) {
      let j = i;
      while (j < n && isWordChar(text[j]!)) j++;
      push("word", text.slice(i, j), l0, c0);
      col += j - i;
      i = j;
      continue;
    }
    // Anything else is kept as a one-character word so the parser can report it in context.
    push("word", c, l0, c0);
    i++;
    col++;
  }
  push("eof", "", line, col);
  return out;
}
