/**
 * The token stream the grammar reads: `include` statements replaced by the included files'
 * tokens, `define`/`redefine`/`undefine` statements removed and every `$NAME` replaced by the
 * defined value's tokens, placed at the use (so spans and errors point where the variable was
 * written). Defines are shared across includes, as nft does.
 *
 * Tokens from included files carry their file path in `file` (tokens of the top file have none).
 */
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { IToken, TokenType } from "chevrotain";
import type { Diagnostic } from "../../src/model/types.js";
import { resolveInclude } from "./include.js";
import type { IncludeIo } from "../file-io.js";
import { tokenMatcher } from "chevrotain";
import { scanNft, type ElementRunToken, type ScanOptions } from "./scan.js";
import { NFT_KEYWORDS } from "./keywords.js";
import { Comma, DefineKw, ElementRun, Equals, IncludeKw, LCurly, LParen, Newline, RCurly, RParen, Semi, Str, UndefineKw, Unterminated, Variable, Word, WordTok } from "./tokens.js";

export interface SourcedToken extends IToken {
  /** Path of the file the token came from, when not the top file. */
  file?: string;
  /**
   * On a ',' placed from a define whose value is a comma list without braces (`define P = 22,80`):
   * the define's name. nft reads such a value as one value of bits, so inside a set it is refused
   * unless the key is a bitmask (the mapper checks; see SetExpr.listDefine).
   */
  listOf?: string;
}

export interface Preprocessed {
  tokens: SourcedToken[];
  diagnostics: Diagnostic[];
  included: string[];
  /** What the includes read files by, to watch for files that come or go (include.ts IncludeResolution.watch). */
  watched: string[];
  /** Source lines per file, for span texts. */
  lines: Map<string, string[]>;
  /** `# handle N` comments: file -> line -> handle. */
  handles: Map<string, Map<number, number>>;
}

const MAX_INCLUDE_DEPTH = 16;
/** Braces and parentheses nested deeper than this are an error (and would exhaust the parser's stack). */
export const MAX_NESTING = 100;
const HANDLE = /^#\s*handle\s+(\d+)\s*$/;

export function describeToken(t: IToken | undefined): string {
  if (t === undefined || t.tokenType.name === "EOF") return "end of file";
  if (t.tokenType === Newline) return "end of line";
  if (t.tokenType === Semi) return "';'";
  if (t.tokenType === Unterminated) return "an unterminated string";
  return `'${t.image}'`;
}

/** A define's value that is a comma list outside any braces or parentheses (`22,80`, not `{ 22, 80 }`). */
function bareList(value: readonly SourcedToken[]): boolean {
  let depth = 0;
  for (const v of value) {
    if (v.tokenType === LCurly || v.tokenType === LParen) depth++;
    else if (v.tokenType === RCurly || v.tokenType === RParen) depth--;
    else if (depth === 0 && v.tokenType === Comma) return true;
  }
  return false;
}

function isBoundary(t: IToken | undefined): boolean {
  return t === undefined || t.tokenType === Newline || t.tokenType === Semi || t.tokenType === LCurly || t.tokenType === RCurly;
}

/**
 * The defines in force, by block: nft gives each table and chain block a scope of its own, whose
 * defines its inner blocks see and no other block does. A name the block sees may not be defined
 * again (only redefined); an undefine takes away only a define of the block's own.
 */
class DefineScopes {
  private readonly scopes: Map<string, { value: SourcedToken[]; at: string }>[] = [new Map()];
  open(): void {
    this.scopes.push(new Map());
  }
  close(): void {
    if (this.scopes.length > 1) this.scopes.pop();
  }
  private find(name: string): { value: SourcedToken[]; at: string } | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const d = this.scopes[i]!.get(name);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  get(name: string): SourcedToken[] | undefined {
    return this.find(name)?.value;
  }
  /** Where the define in force was made ("file:line"). */
  where(name: string): string {
    return this.find(name)?.at ?? "";
  }
  set(name: string, value: SourcedToken[], at: string): void {
    this.scopes[this.scopes.length - 1]!.set(name, { value, at });
  }
  /** Takes away the block's own define of `name`; false when the block has none. */
  undefine(name: string): boolean {
    return this.scopes[this.scopes.length - 1]!.delete(name);
  }
}

export interface PreprocessOptions extends ScanOptions {
  /** Where the top file is when `file` only labels it (grammar.ts NftTextOptions.origin). */
  origin?: string;
  /** The line of the top file each line of the text stands for (grammar.ts NftTextOptions.lineMap). */
  lineMap?: readonly { line: number; file?: string }[];
}

export function preprocess(text: string, file: string, root: string, io: IncludeIo, options: PreprocessOptions = {}): Preprocessed {
  const { origin, lineMap, ...scan } = options;
  const out: SourcedToken[] = [];
  const diagnostics: Diagnostic[] = [];
  const included: string[] = [];
  const watched: string[] = [];
  const lines = new Map<string, string[]>();
  const handles = new Map<string, Map<number, number>>();
  const defines = new DefineScopes();
  const stack: string[] = [];
  const topPath = origin ?? (isAbsolute(file) ? file : resolve(file));

  /** An error at token `t`; `why` marks one that is no fault of the file's own (see Diagnostic unread, unresolved). */
  const error = (fileName: string, t: { startLine?: number; startColumn?: number; file?: string } | undefined, message: string, why?: Pick<Diagnostic, "unread" | "unresolved">) => {
    // (a token of the top file may stand for a place in another: NftTextOptions.lineMap)
    diagnostics.push({ severity: "error", message, file: t?.file ?? fileName, line: t?.startLine ?? 1, column: t?.startColumn ?? 1, ...why });
  };

  /** Copies a define's value tokens to the place of use. */
  const expandAt = (use: SourcedToken, name: string, fileName: string, into: SourcedToken[]): void => {
    const value = defines.get(name);
    if (value === undefined) {
      // (a define an including file may give)
      error(fileName, use, `undefined variable '$${name}'`, { unresolved: true });
      const word: SourcedToken = { image: `$${name}`, startOffset: use.startOffset, startLine: use.startLine, startColumn: use.startColumn, tokenTypeIdx: WordTok.tokenTypeIdx!, tokenType: WordTok };
      if (use.file !== undefined) word.file = use.file;
      into.push(word);
      return;
    }
    // Same shape as the scanner's tokens (no spread, no delete: both make slow objects).
    const place = (image: string, type: TokenType, listOf?: string): void => {
      const copy: SourcedToken = {
        image,
        startOffset: use.startOffset,
        startLine: use.startLine,
        startColumn: use.startColumn,
        tokenTypeIdx: type.tokenTypeIdx!,
        tokenType: type,
      };
      if (use.file !== undefined) copy.file = use.file;
      if (listOf !== undefined) copy.listOf = listOf;
      into.push(copy);
    };
    const list = bareList(value) ? name : undefined;
    for (const v of value) {
      if (v.tokenType !== ElementRun) {
        place(v.image, v.tokenType, v.tokenType === Comma ? (list ?? v.listOf) : undefined);
        continue;
      }
      // A run of set elements (scan.ts) holds its elements as offsets into the define's line: at
      // the use they are the word and comma tokens it stands for, each placed there as the rest.
      const { source, spans, trailingComma } = v as ElementRunToken;
      for (let k = 0; k < spans.length; k += 2) {
        if (k > 0) place(",", Comma);
        place(source.slice(spans[k]!, spans[k + 1]!), WordTok);
      }
      if (trailingComma) place(",", Comma);
    }
  };

  const run = (source: string, path: string, displayName: string, depth: number): void => {
    const { tokens, comments } = scanNft(source, scan);
    lines.set(displayName, source.split("\n"));
    if (depth === 0 && lineMap) {
      for (const t of tokens as SourcedToken[]) {
        const at = lineMap[t.startLine! - 1];
        if (at === undefined) continue;
        t.startLine = at.line;
        if (at.file !== undefined) t.file = at.file;
      }
    }
    for (const c of comments) {
      const m = HANDLE.exec(c.image);
      if (m === null) continue;
      let perLine = handles.get(displayName);
      if (perLine === undefined) handles.set(displayName, (perLine = new Map()));
      perLine.set(c.startLine!, Number(m[1]));
    }
    const tag = displayName !== file;
    if (tag) for (const t of tokens as SourcedToken[]) t.file = displayName;
    stack.push(path);
    let prev: IToken | undefined;
    const n = tokens.length;
    for (let i = 0; i < n; i++) {
      const t = tokens[i] as SourcedToken;
      const atStart = isBoundary(prev);
      if (atStart && t.tokenType === DefineKw) {
        i = readDefine(tokens as SourcedToken[], i, displayName);
        prev = tokens[i]; // the terminator (or the last value token at end of file)
        if (prev !== undefined && prev.tokenType !== Newline && prev.tokenType !== Semi) prev = undefined;
        continue;
      }
      if (atStart && t.tokenType === UndefineKw) {
        const name = tokens[i + 1];
        if (name === undefined || !tokenMatcher(name, Word)) error(displayName, name ?? t, `expected a variable name after 'undefine', found ${describeToken(name)}`);
        else {
          // (nft takes an undefine of a name its block does not define, and does nothing)
          if (!defines.undefine(name.image)) {
            const warning = `undefine of '${name.image}', which ${defines.get(name.image) ? "an enclosing block defines: nft leaves that define as it is" : "is not defined: nft takes it and does nothing"}`;
            diagnostics.push({ severity: "warning", message: warning, file: (name as SourcedToken).file ?? displayName, line: name.startLine ?? 1, column: name.startColumn ?? 1 });
          }
          i++;
        }
        continue;
      }
      if (atStart && t.tokenType === IncludeKw) {
        const spec = tokens[i + 1];
        if (spec === undefined || spec.tokenType !== Str) {
          error(displayName, spec ?? t, `expected a quoted file name after 'include', found ${describeToken(spec)}`);
          continue;
        }
        i++;
        include(spec.image.slice(1, -1), path, displayName, spec, depth);
        continue;
      }
      if (t.tokenType === Variable) {
        expandAt(t, t.image.slice(1), displayName, out);
        prev = t;
        continue;
      }
      // a block's defines are its own and its inner blocks' (nft's scopes: table and chain blocks)
      if (t.tokenType === LCurly) defines.open();
      else if (t.tokenType === RCurly) defines.close();
      out.push(t);
      prev = t;
    }
    stack.pop();
  };

  /** Reads `define NAME = value` starting at tokens[i]; returns the index of its last token. */
  const readDefine = (tokens: SourcedToken[], i: number, fileName: string): number => {
    const kwTok = tokens[i]!;
    const name = tokens[i + 1];
    if (name === undefined || !tokenMatcher(name, Word)) {
      error(fileName, name ?? kwTok, `expected a variable name after '${kwTok.image}', found ${describeToken(name)}`);
      return skipStatement(tokens, i + 1);
    }
    // (the define is still made, so the rest of the file reads as it was meant)
    if (NFT_KEYWORDS.has(name.image)) error(fileName, name, `'${name.image}' is an nft keyword: nft cannot read it as a variable name (the file does not load); rename it`);
    const eq = tokens[i + 2];
    if (eq === undefined || eq.tokenType !== Equals) {
      error(fileName, eq ?? name, `expected '=' after '${kwTok.image} ${name.image}', found ${describeToken(eq)}`);
      return skipStatement(tokens, i + 2);
    }
    const value: SourcedToken[] = [];
    let depth = 0;
    let j = i + 3;
    for (; j < tokens.length; j++) {
      const v = tokens[j]!;
      if (depth === 0 && (v.tokenType === Newline || v.tokenType === Semi)) break;
      if (v.tokenType === LCurly || v.tokenType === LParen) depth++;
      else if (v.tokenType === RCurly || v.tokenType === RParen) {
        if (depth === 0) break; // a '}' closing the enclosing block ends the define
        depth--;
      }
      if (v.tokenType === Variable) expandAt(v, v.image.slice(1), fileName, value);
      else value.push(v);
    }
    if (value.length === 0) {
      error(fileName, tokens[j] ?? eq, `expected a value after '${kwTok.image} ${name.image} =', found ${describeToken(tokens[j])}`);
    } else if (depth > 0) {
      error(fileName, kwTok, `'${kwTok.image} ${name.image}': unbalanced braces or parentheses in the value`);
    }
    if (kwTok.image === "define" && defines.get(name.image) !== undefined) {
      error(fileName, name, `'${name.image}' is defined already (${defines.where(name.image)}): nft refuses a second define of a name its block sees ("redefinition of symbol '${name.image}'"); write 'redefine' to change it`);
    }
    defines.set(name.image, value, `${fileName}:${name.startLine ?? 1}`);
    return tokens[j]?.tokenType === RCurly || tokens[j]?.tokenType === RParen ? j - 1 : j;
  };

  const skipStatement = (tokens: SourcedToken[], i: number): number => {
    let j = i;
    while (j < tokens.length && tokens[j]!.tokenType !== Newline && tokens[j]!.tokenType !== Semi) j++;
    return j;
  };

  /** A path as the reading names places: as given when the top file is (absolute, or read from elsewhere), else relative to the working folder. */
  const placeOf = (path: string): string => (isAbsolute(file) || origin !== undefined ? path : relative(process.cwd(), path) || ".");

  const include = (spec: string, fromPath: string, fromName: string, at: IToken, depth: number): void => {
    if (depth >= MAX_INCLUDE_DEPTH) {
      error(fromName, at, `include "${spec}": includes nested more than ${MAX_INCLUDE_DEPTH} deep`);
      return;
    }
    const r = resolveInclude(spec, fromPath, root, io);
    if (r.kind !== "outside-glob" && r.watch !== undefined && !watched.includes(r.watch)) watched.push(r.watch);
    if (r.kind === "error") {
      error(fromName, at, r.message, { unread: true });
      return;
    }
    if (r.kind === "outside-glob") {
      diagnostics.push({ severity: "warning", message: r.message, file: (at as SourcedToken).file ?? fromName, line: at.startLine ?? 1, column: at.startColumn ?? 1 });
      return;
    }
    if (r.kind === "none") return;
    if (r.copy) {
      diagnostics.push({ severity: "info", message: `include "${spec}" read in the scanned tree, ${placeOf(r.copy.tree)} taken for the root of the machine that loads it`, file: (at as SourcedToken).file ?? fromName, line: at.startLine ?? 1, column: at.startColumn ?? 1 });
    }
    for (const f of r.files) {
      if (stack.includes(f.path)) {
        error(fromName, at, `include cycle: ${[...stack.slice(stack.indexOf(f.path)), f.path].join(" -> ")}`);
        continue;
      }
      const where = placeOf(f.path);
      if (!included.includes(where)) included.push(where);
      run(f.text, f.path, io.shown?.(f.path) ?? where, depth + 1);
      // An included file's last statement ends with the file even without a newline.
      const last = out[out.length - 1];
      if (last !== undefined && last.tokenType !== Newline && last.tokenType !== Semi) {
        const nl: SourcedToken = { image: "\n", startOffset: last.startOffset, startLine: last.startLine, startColumn: last.startColumn, tokenTypeIdx: Newline.tokenTypeIdx!, tokenType: Newline };
        if (last.file !== undefined) nl.file = last.file;
        out.push(nl);
      }
    }
  };

  run(text, topPath, file, 0);
  return { tokens: limitNesting(out, file, diagnostics), diagnostics, included, watched, lines, handles };
}

/**
 * Drops the braces and parentheses nested deeper than MAX_NESTING (their content stays), with one
 * error at the first of them: the grammar is recursive, and no real ruleset nests that deep.
 */
function limitNesting(tokens: SourcedToken[], file: string, diagnostics: Diagnostic[]): SourcedToken[] {
  let depth = 0;
  let dropped = 0;
  // The tokens kept, copied only from the first one dropped (a file within the limit is returned as it is).
  let out: SourcedToken[] | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const tt = t.tokenType;
    if (tt === LCurly || tt === LParen) {
      if (depth >= MAX_NESTING) {
        dropped++;
        if (!out) {
          diagnostics.push({ severity: "error", message: `braces or parentheses nested more than ${MAX_NESTING} deep`, file: t.file ?? file, line: t.startLine ?? 1, column: t.startColumn ?? 1 });
          out = tokens.slice(0, i);
        }
        continue;
      }
      depth++;
    } else if (tt === RCurly || tt === RParen) {
      if (dropped > 0) {
        dropped--;
        continue;
      }
      if (depth > 0) depth--;
    }
    out?.push(t);
  }
  return out ?? tokens;
}
