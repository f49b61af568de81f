/**
 * What both JunOS readers produce: a flat, ordered list of configuration statements. Each is a
 * path of words from the root of the hierarchy (`security policies from-zone trust to-zone
 * untrust policy P match source-address any`) with the position of every word, and what the
 * statement does to the tree: add the path (`set`), remove it (`delete`), mark it inactive
 * (`deactivate`) or active again (`activate`), or clear it before its new content (`replace:`).
 *
 * The set form (`show | display set`) and the curly form (`show configuration`) of the same
 * configuration give the same list, up to positions.
 */
import type { Diagnostic, DiagnosticSeverity } from "../../src/model/types.js";

export interface Word {
  text: string;
  line: number;
  column: number;
}

export type StatementOp = "set" | "delete" | "deactivate" | "activate" | "replace";

export interface Statement {
  op: StatementOp;
  words: Word[];
}

/** Collects diagnostics for one file; positions are 1-based. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];
  constructor(readonly file: string) {}
  add(severity: DiagnosticSeverity, line: number, column: number, message: string): void {
    this.list.push({ severity, message, file: this.file, line, column });
  }
  error(at: { line: number; column: number }, message: string): void {
    this.add("error", at.line, at.column, message);
  }
  warn(at: { line: number; column: number }, message: string): void {
    this.add("warning", at.line, at.column, message);
  }
  info(at: { line: number; column: number }, message: string): void {
    this.add("info", at.line, at.column, message);
  }
}
