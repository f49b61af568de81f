/**
 * Capirca / Aerleon policy files (`.pol`) and their include files (`.inc`): the text as the
 * policy library reads it, into filters of a header and its terms, each item with its place.
 *
 * The language (aerleon/lib/policy.py): `header { target:: PLATFORM OPTIONS... comment:: "..." }`
 * followed by `term NAME { KEYWORD:: VALUES... }` blocks; a new header starts the next filter. A
 * `#include 'path.inc'` line is replaced by the file's lines before the text is read, the path taken
 * relative to the base folder (aclgen's base_directory); `#` starts a comment elsewhere; a quoted
 * string may run over several lines.
 */
import { resolve } from "node:path";
import type { Diagnostic } from "../../src/model/types.js";
import type { IncludeIo } from "../file-io.js";

export interface Pos {
  file: string;
  line: number;
  column: number;
}

/** One word or quoted string of an item's values. */
export interface Word {
  text: string;
  pos: Pos;
  quoted?: true;
}

/** `KEYWORD:: VALUES` in a header or a term. */
export interface Item {
  key: string;
  values: Word[];
  pos: Pos;
}

export interface TermAst {
  name: string;
  items: Item[];
  pos: Pos;
  /** A syntax error inside it was told: what it matches is not known, so it is left out. */
  broken?: true;
}

export interface FilterAst {
  header: { items: Item[]; pos: Pos } | undefined;
  terms: TermAst[];
}

export interface PolicyAst {
  filters: FilterAst[];
  /** Files of the tree read through includes, by the name their places give, with their lines. */
  included: Map<string, string[]>;
}

/** Includes nest this deep at most (the policy library's limit, for .pol and YAML policies alike). */
const MAX_INCLUDE_DEPTH = 5;

type Tok = { kind: "word" | "string" | "punct"; text: string; pos: Pos };

export interface IncludeContext {
  io: IncludeIo;
  /** The base folders an include may name a file of, nearest first (see baseFolders). */
  bases: readonly string[];
  /** How a file read is named in places. */
  shown: (path: string) => string;
}

type Say = (severity: Diagnostic["severity"], pos: Pos, message: string, extra?: Partial<Diagnostic>) => void;

/** The tokens of `text` (file `file`), includes read in place. */
function tokenize(text: string, file: string, inc: IncludeContext | undefined, say: Say, included: Map<string, string[]>, depth: number): Tok[] {
  const out: Tok[] = [];
  const lines = text.split("\n");
  let i = 0;
  while (i < lines.length) {
    let raw = lines[i]!.replace(/\r$/, "");
    const words = raw.trim().split(/\s+/);
    if (words.length > 1 && words[0] === "#include") {
      const pos = { file, line: i + 1, column: raw.indexOf("#include") + 1 };
      out.push(...includeTokens(words[1]!.replace(/^['"]|['"]$/g, ""), pos, inc, say, included, depth));
      i++;
      continue;
    }
    // the rest of the line, or more lines while a quoted string is open
    let col = 0;
    while (col < raw.length) {
      const ch = raw[col]!;
      if (ch === " " || ch === "\t") {
        col++;
        continue;
      }
      const pos = { file, line: i + 1, column: col + 1 };
      if (ch === "#") break;
      if (ch === '"') {
        // a string may run over lines: gather them
        let textOf = "";
        let line = i;
        let at = col + 1;
        let closed = false;
        for (;;) {
          const l = lines[line]!.replace(/\r$/, "");
          const end = l.indexOf('"', at);
          if (end !== -1) {
            textOf += l.slice(at, end);
            col = end + 1;
            closed = true;
            break;
          }
          textOf += l.slice(at) + "\n";
          if (line + 1 >= lines.length) break;
          line++;
          at = 0;
        }
        if (!closed) {
          say("error", pos, "a quoted string is not closed before the end of the file");
          return out;
        }
        out.push({ kind: "string", text: textOf, pos });
        // (go on after the string's end, on its last line)
        i = line;
        raw = lines[i]!.replace(/\r$/, "");
        continue;
      }
      if (ch === ":" && raw[col + 1] === ":") {
        out.push({ kind: "punct", text: "::", pos });
        col += 2;
        continue;
      }
      if ("{}[](),".includes(ch)) {
        out.push({ kind: "punct", text: ch, pos });
        col++;
        continue;
      }
      const m = /^[A-Za-z0-9_][A-Za-z0-9_\-+.@/:]*/.exec(raw.slice(col));
      if (m) {
        // a word ends before `::` (as in `action::accept`)
        let w = m[0];
        const dc = w.indexOf("::");
        if (dc > 0) w = w.slice(0, dc);
        out.push({ kind: "word", text: w, pos });
        col += w.length;
        continue;
      }
      say("error", pos, `unexpected character '${ch}'`);
      col++;
    }
    i++;
  }
  return out;
}

/**
 * The file an include names (`ending`: .inc for a .pol policy, .yaml for a YAML one), from the first
 * base folder holding it inside the tree, its lines kept in `included`; undefined (told) when it is
 * not read.
 */
export function readInclude(name: string, ending: ".inc" | ".yaml", pos: Pos, inc: IncludeContext | undefined, depth: number, say: Say, included: Map<string, string[]>): { text: string; shown: string } | undefined {
  if (!inc) {
    say("info", pos, `the include of ${name} is not read here`, { unread: true });
    return undefined;
  }
  if (!name.endsWith(ending)) {
    say("error", pos, `an include file's name must end in ${ending} (the policy library refuses '${name}')`);
    return undefined;
  }
  if (depth >= MAX_INCLUDE_DEPTH) {
    say("error", pos, `includes nest deeper than ${MAX_INCLUDE_DEPTH} (the policy library's limit): ${name} is not read`);
    return undefined;
  }
  for (const base of inc.bases) {
    const path = resolve(base, name);
    if (!(path === base || path.startsWith(base + "/"))) continue;
    const text = inc.io.readFile(path);
    if (text === undefined) continue;
    const shown = inc.shown(path);
    included.set(shown, text.split("\n"));
    return { text, shown };
  }
  say("error", pos, `include file ${name} is not found in the base folder (${inc.bases.length > 0 ? inc.bases.map((b) => inc.shown(b)).join(", ") : "none inside the scanned tree"})`, { unread: true });
  return undefined;
}

function includeTokens(name: string, pos: Pos, inc: IncludeContext | undefined, say: Say, included: Map<string, string[]>, depth: number): Tok[] {
  const file = readInclude(name, ".inc", pos, inc, depth, say, included);
  return file ? tokenize(file.text, file.shown, inc, say, included, depth + 1) : [];
}

/** Reads a .pol or .inc text. */
export function parsePolicyText(text: string, file: string, inc: IncludeContext | undefined, say: Say): PolicyAst {
  const included = new Map<string, string[]>();
  const toks = tokenize(text, file, inc, say, included, 0);
  const filters: FilterAst[] = [];
  let current: FilterAst | undefined;
  let k = 0;
  const eofPos = (): Pos => {
    const lines = text.split("\n");
    return { file, line: lines.length, column: lines[lines.length - 1]!.length + 1 };
  };

  /** Whether the last block read had a syntax error. */
  let blockBroken = false;
  /** The items of a block whose `{` was just read, up to its `}`. */
  const block = (opened: Pos): Item[] => {
    blockBroken = false;
    const items: Item[] = [];
    while (k < toks.length) {
      const t = toks[k]!;
      if (t.kind === "punct" && t.text === "}") {
        k++;
        return items;
      }
      if (t.kind === "word" && toks[k + 1]?.text === "::") {
        k += 2;
        const values: Word[] = [];
        while (k < toks.length) {
          const v = toks[k]!;
          if (v.kind === "punct" && v.text === "}") break;
          if (v.kind === "word" && toks[k + 1]?.text === "::") break;
          if (v.kind === "word") values.push({ text: v.text, pos: v.pos });
          else if (v.kind === "string") values.push({ text: v.text, pos: v.pos, quoted: true });
          else if (v.text === "{") {
            say("error", v.pos, "expected a value or '}', found '{'");
            blockBroken = true;
          }
          k++;
        }
        items.push({ key: t.text, values, pos: t.pos });
        continue;
      }
      say("error", t.pos, `expected 'KEYWORD::' or '}', found '${t.kind === "string" ? `"${t.text.split("\n")[0]}"` : t.text}'`);
      blockBroken = true;
      // skip to the next keyword or the block's end
      k++;
      while (k < toks.length && !(toks[k]!.text === "}" || (toks[k]!.kind === "word" && toks[k + 1]?.text === "::"))) k++;
    }
    say("error", opened, "the block opened here is not closed with '}'");
    blockBroken = true;
    return items;
  };

  while (k < toks.length) {
    const t = toks[k]!;
    if (t.kind === "word" && t.text === "header" && toks[k + 1]?.text === "{") {
      k += 2;
      current = { header: { items: block(t.pos), pos: t.pos }, terms: [] };
      filters.push(current);
      continue;
    }
    if (t.kind === "word" && t.text === "term" && toks[k + 1]?.kind === "word" && toks[k + 2]?.text === "{") {
      const name = toks[k + 1]!.text;
      k += 3;
      const term: TermAst = { name, items: block(t.pos), pos: t.pos, ...(blockBroken ? { broken: true as const } : {}) };
      if (!current) {
        current = { header: undefined, terms: [] };
        filters.push(current);
      }
      current.terms.push(term);
      continue;
    }
    say("error", t.pos, `expected 'header {' or 'term NAME {', found '${t.kind === "string" ? `"${t.text.split("\n")[0]}"` : t.text}'`);
    // skip to the next top-level keyword
    k++;
    while (k < toks.length && !((toks[k]!.text === "header" && toks[k + 1]?.text === "{") || (toks[k]!.text === "term" && toks[k + 2]?.text === "{"))) k++;
  }
  if (toks.length === 0) say("warning", eofPos(), "the policy holds no header and no term");
  return { filters, included };
}
