/**
 * Splits a file into lines and runs lexer, parser and visitor on each meaningful one. A line
 * that does not lex or parse gives one error diagnostic and is left out; the other lines go on.
 */
import { EOF, type ILexingError, type IRecognitionException } from "chevrotain";
import type { Diagnostic } from "../../src/model/types.js";
import type { LineNode } from "./ast.js";
import { lineParser } from "./parser.js";
import { lineLexer, Unterminated } from "./tokens.js";
import { lineVisitor } from "./visitor.js";
import { splitLines, type SplitLine } from "./split-lines.js";

export interface ParsedLines {
  nodes: LineNode[];
  diagnostics: Diagnostic[];
  /** Comment lines (for detection and suppression comments). */
  comments: SplitLine[];
}

/** All lines at once (convenient for tests). */
export function parseLines(text: string, file: string): ParsedLines {
  const diagnostics: Diagnostic[] = [];
  const comments: SplitLine[] = [];
  const nodes = [...lineNodes(text, file, diagnostics, comments)];
  return { nodes, diagnostics, comments };
}

/**
 * The AST of each meaningful line, produced lazily so that a large file is mapped while it is
 * read. Lexer and parser errors go to `diagnostics` as they are met.
 */
export function* lineNodes(text: string, file: string, diagnostics: Diagnostic[], comments: SplitLine[] = []): Generator<LineNode> {
  const err = (line: number, column: number, message: string) =>
    diagnostics.push({ severity: "error", message, file, line, column });

  for (const { line, text: lineText } of splitLines(text)) {
    const trimmed = lineText.trimStart();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) {
      comments.push({ line, text: lineText });
      continue;
    }
    let lexed;
    try {
      lexed = lineLexer.tokenize(lineText);
    } catch (e) {
      err(line, 1, `could not read this line: ${String(e)}`);
      continue;
    }
    if (lexed.errors.length > 0) {
      const e: ILexingError = lexed.errors[0]!;
      err(line, e.column ?? 1, `unexpected character '${lineText.slice(e.offset, e.offset + 1)}'`);
      continue;
    }
    const bad = lexed.tokens.find((t) => t.tokenType === Unterminated);
    if (bad) {
      err(line, bad.startColumn ?? 1, "unterminated quoted string: a closing '\"' is missing");
      continue;
    }
    lineParser.input = lexed.tokens;
    let cst;
    try {
      cst = lineParser.line();
    } catch (e) {
      err(line, 1, `could not parse this line: ${String(e)}`);
      continue;
    }
    if (lineParser.errors.length > 0) {
      const e: IRecognitionException = lineParser.errors[0]!;
      const col = e.token.tokenType === EOF || !Number.isFinite(e.token.startColumn) ? lineText.length + 1 : e.token.startColumn!;
      err(line, col, e.message);
      continue;
    }
    yield lineVisitor.visit(cst, { line, text: lineText }) as LineNode;
  }
}
