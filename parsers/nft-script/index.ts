/**
 * Shell scripts of nft commands (`nft add rule ...`, `nft -f - <<EOF ... EOF`): the "firewall.sh"
 * form of an nftables ruleset.
 *
 *   parseNftScript(text, file) -> Ruleset     never throws
 *   detectNftScript(text) -> boolean
 *
 * The shell is followed as for scripts of iptables commands (parsers/iptables-script: variables,
 * `&&` / `||`, `set -e`, `exit`; conditions, loops and functions are reported, not run), each nft
 * command becomes nft text at its place in the script (commands.ts), and the nftables reader reads
 * that as a command file: the ruleset a freshly booted machine has once the script has run.
 */
import type { Diagnostic, DiagnosticSeverity, Ruleset } from "../../src/model/types.js";
import type { Pos } from "../iptables-script/lexer.js";
import { runScript } from "../iptables-script/run.js";
import { markUnresolved, sourcedFiles, withReadFiles } from "../iptables-script/index.js";
import { readScript } from "../iptables-script/syntax.js";
import { internalErrorRuleset } from "../internal-error.js";
import { ioWith, type IncludeIo } from "../file-io.js";
import { parseNft } from "../nftables/index.js";
import { NftScriptCommands, holds, shiftAt, type PlacedCommand } from "./commands.js";
import { detectNftScript } from "./detect.js";

export { detectNftScript };

export const FORMAT = "nft-script";

export interface ParseNftScriptOptions extends Partial<IncludeIo> {
  /** Files it loads (`nft -f`) must stay inside this folder; default the script's own. */
  root?: string;
  /** Where the file is when `file` only labels it (a file at a git revision). */
  origin?: string;
}

/** Runs of the script past which commands still found failing are left as read (each run fails at least one more). */
const MAX_RUNS = 8;

/** An error nft gives (not fwlint's reading of an include it could not open): in a command's text, it makes the command fail (holds). */
function refused(d: Diagnostic): boolean {
  return d.severity === "error" && d.unread !== true;
}

/** A place in a command's text, moved back by the command's shift there to where its words are. */
function atWords<T extends { line: number; column: number }>(d: T, c: PlacedCommand): T {
  const shift = shiftAt(c, d);
  return shift > 0 && d.column - shift >= 1 ? { ...d, column: d.column - shift } : d;
}

/**
 * The rules and diagnostics of commands written right of their words (a function's command at a
 * later call, see PlacedCommand.shift) pointed back at the words: the script's column.
 */
function unshift(ruleset: Ruleset, placed: readonly PlacedCommand[]): void {
  const shifted = placed.filter((c) => c.shift > 0 || [...(c.lines?.values() ?? [])].some((l) => l.shift > 0));
  if (shifted.length === 0) return;
  const of = (at: { file: string; line: number; column: number }) => shifted.find((c) => holds(c, at));
  ruleset.diagnostics = ruleset.diagnostics.map((d) => {
    const c = of(d);
    return c ? atWords(d, c) : d;
  });
  for (const chain of ruleset.chains.values()) {
    for (const r of chain.rules) {
      const c = of(r.span);
      const shift = c ? shiftAt(c, r.span) : 0;
      if (shift > 0 && r.span.column - shift >= 1) r.span.column -= shift;
    }
  }
}

/**
 * Each word known only when the script runs (see unknownOperands) made an unknown condition of the
 * rule its invocation wrote: every model rule whose place is in that invocation's text gets it (the
 * places are the written text's, before unshift).
 */
function withUnknowns(ruleset: Ruleset, unknowns: NftScriptCommands["unknowns"]): void {
  if (unknowns.length === 0) return;
  const rules = [...ruleset.chains.values()].flatMap((c) => c.rules);
  for (const u of unknowns) for (const r of rules) if (holds(u.command, r.span)) r.conditions.push(...u.conditions);
}

export function parseNftScript(text: string, file: string, opts: ParseNftScriptOptions = {}): Ruleset {
  const diagnostics: Diagnostic[] = [];
  const diag = (severity: DiagnosticSeverity, pos: Pos, message: string) => diagnostics.push({ severity, message, file: pos.file ?? file, line: pos.line, column: pos.column });
  try {
    const { items, lines, errexit, shell } = readScript(text, diag);
    // Run the script, read what its nft commands wrote, and run it again with the commands the
    // reader found errors in failing (nft applies none of such an invocation; `set -e` stops
    // there, `||` runs its other side), until no new one fails. What the later runs no longer
    // read, the errors that made their commands fail, is said from the run that read it.
    const failing = new Set<string>();
    // (one way of reading the files the script sources for all its runs: each file read once)
    const files = sourcedFiles({ io: ioWith(opts), ...(opts.origin !== undefined ? { origin: opts.origin } : {}), ...(opts.root !== undefined ? { root: opts.root } : {}) });
    const refusedErrors: Diagnostic[] = [];
    let run = 0;
    for (;;) {
      const said: Diagnostic[] = [];
      const sayTo = (severity: DiagnosticSeverity, pos: Pos, message: string) => said.push({ severity, message, file: pos.file ?? file, line: pos.line, column: pos.column });
      const commands = new NftScriptCommands(lines, (pos, message) => sayTo("info", pos, message), (pos, message) => sayTo("error", pos, message), file, failing);
      const { readFiles, fromEnvironment } = runScript(items, lines, file, sayTo, { errexit, shell, nft: commands, files });
      // (what `nft -f FILE` includes is read the same way)
      const ruleset = parseNft(commands.text(), file, { ...opts, ...files.io, shownLines: lines, lineMap: commands.lineMap(), shownFiles: commands.sourcedLines() });
      const fails = commands.placed.filter((c) => ruleset.diagnostics.some((d) => refused(d) && holds(c, d)));
      if (fails.length === 0 || ++run >= MAX_RUNS) {
        withUnknowns(ruleset, commands.unknowns);
        unshift(ruleset, commands.placed);
        markUnresolved(said, fromEnvironment, file);
        const all = [...diagnostics, ...said, ...refusedErrors, ...ruleset.diagnostics].sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : 0));
        return withReadFiles({ ...ruleset, format: FORMAT, diagnostics: all }, readFiles);
      }
      for (const c of fails) {
        failing.add(c.key);
        refusedErrors.push(...ruleset.diagnostics.filter((d) => refused(d) && holds(c, d)).map((d) => atWords(d, c)));
      }
    }
  } catch (e) {
    return internalErrorRuleset("nft script reader", { format: FORMAT, file, families: [4, 6] }, diagnostics, e);
  }
}
