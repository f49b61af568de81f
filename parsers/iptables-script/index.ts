/**
 * Shell scripts of iptables / ip6tables commands (the "firewall.sh" form).
 *
 *   parseIptablesScript(text, file) -> Ruleset     never throws
 *   detectIptablesScript(text) -> boolean
 *
 * lexer.ts tokenizes the shell, syntax.ts groups tokens into commands, run.ts runs them as the
 * shell would as far as that is statically known, argv.ts groups an iptables command's words,
 * parsers/iptables/rule.ts reads the rule options (the same code as for iptables-save), and
 * tables.ts keeps the kernel's tables as each command changes them.
 *
 * The script is assumed to run on a machine with empty tables (as at boot): the built-in chains
 * of each table it uses, with policy ACCEPT.
 *
 * Families: a script with only iptables commands gives a ruleset for family 4, only ip6tables
 * commands one for family 6, both kinds one ruleset with families [4, 6] in which the IPv6 tables
 * are named "ip6:filter", "ip6:nat" ... (chain keys "ip6:filter/INPUT"), the pipelines of each
 * family run its own tables, and every rule carries a family condition so that a rule compiled
 * against both families never matches a packet of the other one.
 */
import type { Chain, Diagnostic, DiagnosticSeverity, Family, Pipeline, Ruleset } from "../../src/model/types.js";
import { buildPipelines } from "../iptables/mapper.js";
import { detectIptablesScript } from "./detect.js";
import type { Pos } from "./lexer.js";
import { type SourcedFiles, runScript } from "./run.js";
import { readScript } from "./syntax.js";
import type { FamilyTables } from "./tables.js";
import { internalErrorRuleset } from "../internal-error.js";
import { ipsetsFor, namesIpsets } from "../ipset/beside.js";
import type { IpsetIndex } from "../ipset/match.js";
import { IpsetLog } from "./ipsets.js";
import { diskIo, memoIo, type IncludeIo } from "../file-io.js";

export { detectIptablesScript };

export const FORMAT = "iptables-script";
/** Prefix of the IPv6 tables when one ruleset holds both families. */
export const V6_TABLE_PREFIX = "ip6:";

export interface ParseScriptOptions {
  /** Reads the ipset save files beside the script and the files it sources (default: the disk; a git revision's tree for diff --base). */
  io?: IncludeIo;
  /** Where the file is when `file` only labels it. */
  origin?: string;
  /** The files the script sources must stay in this folder (default: the script's own; see SourcedFiles). */
  root?: string;
}

/** How a script reads the files it sources, from the parser's options: one for all runs of one reading (its reads kept, memoIo). */
export function sourcedFiles(opts: { io?: IncludeIo; origin?: string; root?: string }): SourcedFiles {
  return { io: memoIo(opts.io ?? diskIo), ...(opts.origin !== undefined ? { origin: opts.origin } : {}), ...(opts.root !== undefined ? { root: opts.root } : {}) };
}

/** The files a script sourced or read, as a ruleset names the files read with it (Ruleset.includedFiles and includedLines). */
export function withReadFiles(ruleset: Ruleset, read: ReadonlyMap<string, string[]>): Ruleset {
  if (read.size === 0) return ruleset;
  return { ...ruleset, includedFiles: [...(ruleset.includedFiles ?? []), ...read.keys()], includedLines: new Map([...(ruleset.includedLines ?? []), ...read]) };
}

/**
 * Marks the diagnostic that says a variable comes from the environment (RunResult.fromEnvironment)
 * as naming what the file does not define: a script sourced by another (`. ./site-rules.sh`) uses
 * that one's variables, and read on its own it is such a fragment (src/cli/includer.ts reads it as
 * part of the script that sources it, when the run has one).
 */
export function markUnresolved(diagnostics: Diagnostic[], at: Pos | undefined, file: string): void {
  if (!at) return;
  const there = diagnostics.find((d) => d.file === (at.file ?? file) && d.line === at.line && d.column === at.column) ?? diagnostics.find((d) => d.file === (at.file ?? file) && d.line === at.line && /is not assigned in this file/.test(d.message));
  if (there) there.unresolved = true;
}

/** Diagnostics in order: the script's first, then each sourced file's, each by line and column. */
export function byPlace(file: string): (a: Diagnostic, b: Diagnostic) => number {
  return (a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file === file ? -1 : b.file === file ? 1 : a.file < b.file ? -1 : 1);
}

/**
 * A script that runs `ipset` itself (create, add, restore ...) makes its sets as it runs: they are
 * read from its commands when fwlint follows every one of them (ipsets.ts), and the ipsets saved
 * beside it are read only for a script that runs none.
 */
const RUNS_IPSET = /(^|[\s;&|(`])(\S*\/)?ipset\s/m;

export function parseIptablesScript(text: string, file: string, opts: ParseScriptOptions = {}): Ruleset {
  const diagnostics: Diagnostic[] = [];
  const diag = (severity: DiagnosticSeverity, pos: Pos, message: string) => diagnostics.push({ severity, message, file: pos.file ?? file, line: pos.line, column: pos.column });
  try {
    const { items, lines, errexit, shell } = readScript(text, diag);
    const runsIpset = RUNS_IPSET.test(text);
    const files = sourcedFiles(opts);
    const sets = runsIpset ? undefined : ipsetsFor(text, file, opts.io ?? diskIo, opts.origin);
    // A script that makes its sets: run once to follow its ipset commands (quietly), then with the sets they leave.
    let made: IpsetIndex | undefined;
    if (runsIpset && namesIpsets(text)) {
      const log = new IpsetLog();
      runScript(items, lines, file, () => {}, { errexit, shell, ipsetLog: log, files });
      const read = log.sets(file, text);
      if ("index" in read) {
        made = read.index;
        diagnostics.push(...read.diagnostics);
      } else diag("info", read.pos, `${read.why}: what the script's ipsets hold is not known, and each -m set match is an unknown condition`);
    }
    const index = made ?? sets?.index;
    // (the second run follows the ipset commands again with a log of its own: each gets the outcome it
    // got in the first, so `&&` / `||` take the same branches; nothing reads that log)
    const { v4, v6, readFiles, fromEnvironment } = runScript(items, lines, file, diag, { errexit, shell, ...(index ? { ipsets: index } : {}), ...(runsIpset ? { ipsetLog: new IpsetLog() } : {}), files });
    markUnresolved(diagnostics, fromEnvironment, file);
    diagnostics.sort(byPlace(file));
    const ruleset = withReadFiles(assemble(file, v4, v6, diagnostics), readFiles);
    sets?.attach(ruleset);
    return ruleset;
  } catch (e) {
    return internalErrorRuleset("iptables script parser", { format: FORMAT, file, families: [4], pipelines: buildPipelines(4, new Map()) }, diagnostics, e);
  }
}

function prefixed(pipelines: Pipeline[], prefix: string): Pipeline[] {
  return pipelines.map((p) => ({ ...p, stages: p.stages.map((s) => ({ ...s, chain: prefix + s.chain })) }));
}

/** The ruleset of a family's tables, or of both (the IPv6 tables named apart, each rule saying its family), in `format`. */
export function assemble(file: string, v4: FamilyTables, v6: FamilyTables, diagnostics: Diagnostic[], format = FORMAT): Ruleset {
  const ruleCount = v4.ruleCount + v6.ruleCount;
  if (v4.used && v6.used) {
    const chains = new Map<string, Chain>([...v4.chains("", true), ...v6.chains(V6_TABLE_PREFIX, true)]);
    const pipelines = [...buildPipelines(4, v4.chains()), ...prefixed(buildPipelines(6, v6.chains()), V6_TABLE_PREFIX)];
    return { format, file, families: [4, 6], chains, pipelines, diagnostics, ruleCount };
  }
  const only: FamilyTables = v6.used ? v6 : v4;
  const family: Family = only.family;
  const chains = only.chains();
  return { format, file, families: [family], chains, pipelines: buildPipelines(family, chains), diagnostics, ruleCount };
}
