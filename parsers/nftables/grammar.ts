/**
 * The nftables text reader: `nft list ruleset` output, hand-written files and command files ->
 * syntax tree (ast.ts). Lexing (tokens.ts), includes and defines (preprocess.ts, include.ts),
 * then the chevrotain grammar (text-parser.ts). Never throws: every problem is a diagnostic.
 */
import { dirname, resolve } from "node:path";
import type { NftDocument } from "./ast.js";
import { ioWith, type IncludeIo } from "../file-io.js";
import { preprocess, type SourcedToken } from "./preprocess.js";
import { Unterminated } from "./tokens.js";
import type { Diagnostic } from "../../src/model/types.js";
import { nftTextParser } from "./text-parser.js";

/** How the text is read: includes through `readFile`/`listDir`/`shown` (IncludeIo; default the disk). */
export interface NftTextOptions extends Partial<IncludeIo> {
  /** Includes must stay inside this folder. Defaults to the including file's folder. */
  root?: string;
  /** Where the file is, when `file` only labels it (a file at a git revision): its includes are resolved from here. */
  origin?: string;
  /** Plain set elements read as runs (scan.ts ElementRun); default true. False: a token per element (tests compare the two). */
  elementRuns?: boolean;
  /**
   * The lines the file's spans show, when the text read is made from another one at the same
   * lines and columns (a script's nft commands, parsers/nft-script): the script's own.
   */
  shownLines?: readonly string[];
  /**
   * The line of `shownLines` each line of the text stands for, when the text holds them in another
   * order (a script's nft commands in the order they ran): every place read is given at that line.
   */
  lineMap?: readonly { line: number; file?: string }[];
  /** The lines of other files `lineMap` names (the files a script sources), by their names. */
  shownFiles?: ReadonlyMap<string, readonly string[]>;
}

export function readNftText(text: string, file: string, options: NftTextOptions = {}): NftDocument {
  const abs = resolve(options.origin ?? file);
  const root = resolve(options.root ?? dirname(abs));
  const io = ioWith(options);
  try {
    const pre = preprocess(text, file, root, io, { elementRuns: options.elementRuns, ...(options.origin !== undefined ? { origin: abs } : {}), ...(options.lineMap ? { lineMap: options.lineMap } : {}) });
    if (options.shownLines) pre.lines.set(file, [...options.shownLines]);
    for (const [name, lines] of options.shownFiles ?? []) pre.lines.set(name, [...lines]);
    const parsed = nftTextParser().parseTokens(pre.tokens, { file, lines: pre.lines, handles: pre.handles });
    const said = [...pre.diagnostics, ...parsed.diagnostics];
    const diagnostics = [...said, ...unterminatedStrings(pre.tokens, file, said)].sort((a, b) =>
      a.file === b.file ? a.line - b.line || a.column - b.column : 0,
    );
    const includedLines = new Map([...pre.lines].filter(([name]) => name !== file));
    return {
      commands: parsed.commands,
      diagnostics,
      included: pre.included,
      ...(includedLines.size > 0 ? { includedLines } : {}),
      ...(pre.watched.length > 0 ? { includeWatch: pre.watched } : {}),
    };
  } catch (e) {
    // A bug of ours must not take the whole analysis down: report it where the file starts.
    return {
      commands: [],
      diagnostics: [{ severity: "error", message: `internal error while reading nftables text: ${(e as Error).message}`, file, line: 1, column: 1 }],
      included: [],
    };
  }
}

/**
 * A quoted string with no closing quote on its line, wherever it stands: nft's scanner cannot read
 * it ("unexpected junk"), so the file does not load. Most places that read a string say so
 * themselves (`comment "x`: "found an unterminated string"); this tells the others - a set's or a
 * counter's comment, a log prefix - once per line.
 */
function unterminatedStrings(tokens: readonly SourcedToken[], file: string, said: readonly Diagnostic[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = new Set(said.filter((d) => d.severity === "error").map((d) => `${d.file ?? file}:${d.line}`));
  for (const t of tokens) {
    if (t.tokenType !== Unterminated) continue;
    const at = t.file ?? file;
    if (lines.has(`${at}:${t.startLine}`)) continue;
    lines.add(`${at}:${t.startLine}`);
    out.push({ severity: "error", message: `the string ${t.image.slice(0, 30)}${t.image.length > 30 ? "..." : ""} has no closing '"' on its line: nft cannot read it (the file does not load)`, file: at, line: t.startLine!, column: t.startColumn! });
  }
  return out;
}
