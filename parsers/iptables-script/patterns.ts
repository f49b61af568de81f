/**
 * Shell glob patterns as `case` arms and `[[ X == PATTERN ]]` match them: `*`, `?`, bracket
 * expressions (`[abc]`, `[!a-z]`, `[^0-9]`, `[[:digit:]]`), with quoted text matched literally.
 * A pattern is a list of pieces: the text of a word's parts after expansion, each marked glob
 * (written unquoted: its `*` matches) or not (quoted: literal).
 */
import { type GlobToken, globWalk } from "../../src/model/glob.js";
import { nameTable } from "../../src/model/name-table.js";

export interface PatternPiece {
  text: string;
  /** Unquoted: its special characters are the pattern's. */
  glob: boolean;
}

const CLASSES: Readonly<Record<string, string>> = nameTable({
  alpha: "A-Za-z",
  digit: "0-9",
  alnum: "A-Za-z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\r\\f\\v",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  xdigit: "0-9A-Fa-f",
  word: "A-Za-z0-9_",
});

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/** The bracket expression starting at text[k] (a `[`) as a regex class and the index after it, or undefined when it is not closed. */
function bracket(text: string, k: number): { cls: string; next: number } | undefined {
  let j = k + 1;
  let negate = false;
  if (text[j] === "!" || text[j] === "^") {
    negate = true;
    j++;
  }
  let body = "";
  let first = true;
  while (j < text.length) {
    const c = text[j]!;
    if (c === "]" && !first) return { cls: `[${negate ? "^" : ""}${body}]`, next: j + 1 };
    first = false;
    if (c === "[" && text[j + 1] === ":") {
      const end = text.indexOf(":]", j + 2);
      const name = end === -1 ? undefined : text.slice(j + 2, end);
      if (name !== undefined && CLASSES[name] !== undefined) {
        body += CLASSES[name];
        j = end + 2;
        continue;
      }
    }
    if (c === "\\" && j + 1 < text.length) {
      body += escapeRegExp(text[j + 1]!);
      j += 2;
      continue;
    }
    // a range keeps its `-`; any other special character is escaped
    body += c === "-" && body !== "" && text[j + 1] !== "]" ? "-" : escapeRegExp(c);
    j++;
  }
  return undefined;
}

/** The regular expression a pattern stands for (anchored at both ends). */
export function patternRegExp(pieces: readonly PatternPiece[]): RegExp {
  let src = "";
  for (const { text, glob } of pieces) {
    if (!glob) {
      src += escapeRegExp(text);
      continue;
    }
    let k = 0;
    while (k < text.length) {
      const c = text[k]!;
      if (c === "*") {
        src += "[\\s\\S]*";
        k++;
      } else if (c === "?") {
        src += "[\\s\\S]";
        k++;
      } else if (c === "[") {
        const b = bracket(text, k);
        if (b) {
          src += b.cls;
          k = b.next;
        } else {
          src += "\\[";
          k++;
        }
      } else if (c === "\\" && k + 1 < text.length) {
        src += escapeRegExp(text[k + 1]!);
        k += 2;
      } else {
        src += escapeRegExp(c);
        k++;
      }
    }
  }
  return new RegExp(`^${src}$`);
}

function tokensOf(pieces: readonly PatternPiece[]): GlobToken[] {
  const out: GlobToken[] = [];
  const literal = (c: string): GlobToken => (ch) => ch === c;
  for (const { text, glob } of pieces) {
    const chars = [...text];
    for (let k = 0; k < chars.length; k++) {
      const c = chars[k]!;
      if (!glob) out.push(literal(c));
      else if (c === "*") {
        if (out[out.length - 1] !== "*") out.push("*");
      } else if (c === "?") out.push(() => true);
      else if (c === "\\" && k + 1 < chars.length) out.push(literal(chars[++k]!));
      else if (c === "[") {
        const rest = chars.slice(k).join("");
        const b = bracket(rest, 0);
        let re: RegExp | undefined;
        try {
          re = b ? new RegExp(`^${b.cls}$`) : undefined;
        } catch {
          re = /(?!)/; // a bracket expression the regex engine refuses (a reversed range) matches nothing
        }
        if (b && re) {
          const test = re;
          out.push((ch) => test.test(ch));
          k += [...rest.slice(0, b.next)].length - 1;
        } else out.push(literal(c));
      } else out.push(literal(c));
    }
  }
  return out;
}

/** Does `subject` match the pattern? (globWalk: no regular expression to backtrack without end.) */
export function patternMatches(pieces: readonly PatternPiece[], subject: string): boolean {
  return globWalk(tokensOf(pieces), [...subject]);
}
