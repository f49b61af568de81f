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
    return internalErrorRuleset("iptables parser", { format: family === 4 ? "iptables" : "ip6tables", file, families: [family], pipelines: buildPipelines(family, new Map()) }, [], e);
  }
}
