/**
 * iptables-save / ip6tables-save (and iptables-restore input) parser.
 *
 *   parseIptablesSave(text, file, { family }) -> Ruleset   never throws
 *   detectIptablesSave(text) -> null | "iptables" | "ip6tables"
 *
 * Pipeline: lines.ts splits the file and runs the chevrotain lexer (tokens.ts), parser (parser.ts)
 * and CST visitor (visitor.ts) per line into a typed AST (ast.ts); mapper.ts and rule.ts turn the
 * AST into the common model (src/model/types.ts).
 */
import type { Diagnostic, Family, Ruleset } from "../../src/model/types.js";
import { detectIptablesSave } from "./detect.js";
import { lineNodes } from "./lines.js";
import { buildPipelines, mapToRuleset } from "./mapper.js";
import { internalErrorRuleset } from "../internal-error.js";
import { ipsetsBeside, namesIpsets } from "../ipset/beside.js";
import { diskIo, type IncludeIo } from "../file-io.js";

/** Line and column (1-based) of the first `what` in the text. */
function positionOf(text: string, what: string): { line: number; column: number } {
  const i = Math.max(0, text.indexOf(what));
  const before = text.slice(0, i);
  return { line: before.split("\n").length, column: i - before.lastIndexOf("\n") };
}

export { detectIptablesSave };

export interface ParseIptablesOptions {
  /** 4 for iptables-save, 6 for ip6tables-save; detected from the content when absent. */
  family?: Family;
  /** Reads the ipset save files beside the ruleset (default: the disk; a git revision's tree for diff --base). */
  io?: IncludeIo;
  /** Where the file is when `file` only labels it (a file at a git revision). */
  origin?: string;
}

export function parseIptablesSave(text: string, file: string, opts: ParseIptablesOptions = {}): Ruleset {
  let family: Family = opts.family ?? 4;
  try {
    if (opts.family === undefined) family = detectIptablesSave(text) === "ip6tables" ? 6 : 4;
    const diagnostics: Diagnostic[] = [];
    // the sets `-m set --match-set` names, from the `ipset save` files beside the ruleset (not for standard input)
    const found = namesIpsets(text) && file !== "-" ? ipsetsBeside(opts.origin ?? file, text, opts.io ?? diskIo) : undefined;
    const read = found && found.files.length > 0 ? found : undefined;
    const ruleset = mapToRuleset(lineNodes(text, file, diagnostics), file, family, family === 4 ? "iptables" : "ip6tables", diagnostics, read?.index);
    if (found) {
      const at = positionOf(text, text.includes("--match-set") ? "--match-set" : "--set");
      const said = read
        ? `ipsets read from ${read.files.map((f) => f.name).join(", ")} (${read.index.sets.size} set${read.index.sets.size === 1 ? "" : "s"})`
        : "no ipset save file beside the ruleset (a file named *ipset* in its folder or the one above): which packets the sets hold is unknown";
      // in place among the ruleset's own (by line), then the ipset files'
      const own = [...ruleset.diagnostics, { severity: "info" as const, message: said, file, ...at }].sort((a, b) => a.line - b.line || a.column - b.column);
      ruleset.diagnostics = own.concat(read?.diagnostics ?? []);
    }
    if (read) {
      ruleset.includedFiles = read.files.map((f) => f.name);
      ruleset.includedLines = new Map(read.files.map((f) => [f.name, f.text.split("\n")]));
    }
    if (found) ruleset.includeWatch = found.lookedIn;
    return ruleset;
  } catch (e) {
    return internalErrorRuleset("iptables parser", { format: family === 4 ? "iptables" : "ip6tables", file, families: [family], pipelines: buildPipelines(family, new Map()) }, [], e);
  }
}
