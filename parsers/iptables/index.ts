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

export { detectIptablesSave };

export interface ParseIptablesOptions {
  /** 4 for iptables-save, 6 for ip6tables-save; detected from the content when absent. */
  family?: Family;
}

export function parseIptablesSave(text: string, file: string, opts: ParseIptablesOptions = {}): Ruleset {
  let family: Family = opts.family ?? 4;
  try {
    if (opts.family === undefined) family = detectIptablesSave(text) === "ip6tables" ? 6 : 4;
    const diagnostics: Diagnostic[] = [];
    return mapToRuleset(lineNodes(text, file, diagnostics), file, family, family === 4 ? "iptables" : "ip6tables", diagnostics);
  } catch (e) {
    // A bug must not take the caller down: report it as a diagnostic on an empty ruleset.
    const chains = new Map();
    return {
      format: family === 4 ? "iptables" : "ip6tables",
      file,
      families: [family],
      chains,
      pipelines: buildPipelines(family, chains),
      diagnostics: [{ severity: "error", message: `internal error in the iptables parser: ${e instanceof Error ? e.message : String(e)}`, file, line: 1, column: 1 }],
      ruleCount: 0,
    };
  }
}
