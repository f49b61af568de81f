import { parseIptablesSave } from "../../../parsers/iptables/index.js";
import { parseIptablesScript } from "../../../parsers/iptables-script/index.js";
import type { Diagnostic, Rule, Ruleset } from "../../../src/model/types.js";

export const FILE = "firewall.sh";

/** Parse a script body (lines joined with \n). */
export function script(lines: string[]): Ruleset {
  return parseIptablesScript(lines.join("\n") + "\n", FILE);
}

export function save(lines: string[], family: 4 | 6 = 4): Ruleset {
  return parseIptablesSave(lines.join("\n") + "\n", "rules.save", { family });
}

/** The model without source positions: chains by key (sorted), policies, rules. */
export function shape(rs: Ruleset): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of [...rs.chains.keys()].sort()) {
    const c = rs.chains.get(key)!;
    out[key] = {
      name: c.name,
      table: c.table,
      policy: c.policy,
      rules: c.rules.map((r) => ({ id: r.id, conditions: r.conditions, action: r.action, comment: r.comment })),
    };
  }
  return out;
}

export function rulesOf(rs: Ruleset, key = "filter/INPUT"): Rule[] {
  return rs.chains.get(key)?.rules ?? [];
}

export function bySeverity(rs: Ruleset, severity: Diagnostic["severity"]): Diagnostic[] {
  return rs.diagnostics.filter((d) => d.severity === severity);
}

/** Diagnostics as "severity line:column message" strings. */
export function diags(rs: Ruleset, severity?: Diagnostic["severity"]): string[] {
  return rs.diagnostics.filter((d) => severity === undefined || d.severity === severity).map((d) => `${d.severity} ${d.line}:${d.column} ${d.message}`);
}

/** The rules of a chain as compact text: "dport=22 accept". */
export function ports(rs: Ruleset, key = "filter/INPUT"): string[] {
  return rulesOf(rs, key).map((r) => {
    const p = r.conditions.find((c) => c.kind === "port");
    const what = p && p.kind === "port" ? `${p.field}=${p.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`)).join(",")}` : r.conditions.map((c) => c.kind).join("+") || "any";
    const a = r.action;
    return `${what} ${a.kind === "jump" || a.kind === "goto" ? `${a.kind} ${a.chain}` : a.kind}`;
  });
}
