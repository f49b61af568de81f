/**
 * What ufw-init loads once a sequence of ufw commands has run (commands.ts), as one ruleset of
 * both families: the user rules ufw would write between the package's before.rules and
 * after.rules (stock.ts), with the default policies the commands set, composed and read as
 * parsers/ufw composes and reads a host's /etc/ufw. Each user rule stands where the command that
 * made it stands (a shell script's line, an Ansible task's), each default policy at its command;
 * a rule of the package's files at `(ufw package) before.rules:LINE`. Used by the readers of ufw
 * command scripts and of Ansible's ufw tasks.
 */
import type { Chain, Pipeline, Ruleset } from "../../src/model/types.js";
import { chainKey } from "../../src/model/types.js";
import type { Pos } from "../iptables-script/lexer.js";
import { parseIptablesSave } from "../iptables/index.js";
import { composeUfw, type LineOrigin, type UfwDefaults } from "../ufw/compose.js";
import { placeInFiles } from "../ufw/index.js";
import type { UfwCommands } from "./commands.js";
import { stockRules } from "./stock.js";

/** The labels of the package's rule files (their rules' places: lines of stock.ts's text, not of a host's file). */
const STOCK_FILES = { 4: { before: "(ufw package) before.rules", after: "(ufw package) after.rules" }, 6: { before: "(ufw package) before6.rules", after: "(ufw package) after6.rules" } } as const;
/** The composed user rules' own label, before their lines are moved to the commands. */
const USER = "\u0000ufw user rules";
/** Table names of the IPv6 side in the one ruleset (as parsers/iptables-script names them). */
const V6_PREFIX = "ip6:";

/**
 * The ruleset ufw loads after `ufw`'s commands, for `file` (whose lines are `lines`; `linesOf`
 * gives another file's, where a command stood in a file the first one read). `what` says what
 * ran the commands, for the info that says how it was read ("the script", "the playbook").
 */
export function loadedRuleset(ufw: UfwCommands, format: string, file: string, lines: readonly string[], linesOf: (file: string) => readonly string[] | undefined, what: string): Ruleset {
  const text = lines.join("\n");
  const at = (pos: Pos | undefined): LineOrigin | undefined => {
    if (!pos) return undefined;
    const textOf = pos.file === undefined ? lines : linesOf(pos.file);
    // (every column of the rule's text is the command's own)
    return { file: pos.file ?? file, line: pos.line, text: textOf?.[pos.line - 1] ?? "", columns: { composedRest: Number.MAX_SAFE_INTEGER, shift: 0, start: pos.column } };
  };
  const policyLine = (p: { at?: Pos }) => (p.at && p.at.file === undefined ? p.at.line : undefined);
  const lineOf: NonNullable<UfwDefaults["at"]>["lines"] = {};
  for (const k of ["input", "output", "forward"] as const) {
    const line = policyLine(ufw.policies[k]);
    if (line !== undefined) lineOf[k] = line;
  }
  const defaults: UfwDefaults = { policies: { input: ufw.policies.input.policy, output: ufw.policies.output.policy, forward: ufw.policies.forward.policy }, ipv6: true, at: { file, lines: lineOf, text: [...lines] } };
  const stock = { 4: stockRules(4), 6: stockRules(6) };
  const [r4, r6] = ([4, 6] as const).map((family) => {
    const user = ufw.userRules(family);
    const composed = composeUfw(family, { before: { file: STOCK_FILES[family].before, text: stock[family].before }, after: { file: STOCK_FILES[family].after, text: stock[family].after }, user: { file: USER, text: user.map((l) => l.text).join("\n") } }, defaults, { file, text });
    // a user rule at the command that made it; the rest of the user file is ufw's own
    const origins = composed.origins.map((o): LineOrigin => {
      if (o.file !== USER) return o;
      return at(user[o.line - 1]?.at) ?? { file, line: 1, text: lines[0] ?? "", made: "ufw's user rules file (its chains and rate limit)" };
    });
    const ruleset = parseIptablesSave(composed.text, file, { family });
    placeInFiles(ruleset, file, origins);
    for (const p of composed.problems) ruleset.diagnostics.push({ severity: p.severity, message: p.message, file: p.file, line: p.line, column: p.column });
    return ruleset;
  }) as [Ruleset, Ruleset];
  const ruleset = merged(format, file, r4, r6);
  const note = (message: string, pos?: Pos) => ruleset.diagnostics.push({ severity: "info", message, file: pos?.file ?? file, line: pos?.line ?? 1, column: pos?.column ?? 1 });
  const p = defaults.policies;
  note(`read as ufw loads it once ${what} has run: its rules between the ufw package's before.rules and after.rules (ufw 0.36), default policies incoming ${p.input}, outgoing ${p.output}, routed ${p.forward}`);
  if (ufw.enabled && !ufw.enabled.on) note(`ufw is disabled where ${what} ends: it loads none of this until it is enabled; analysed as enabled`, ufw.enabled.at);
  else if (!ufw.enabled) note(`${what} does not enable ufw: what ufw loads is analysed as if it were enabled`);
  // (both sides say the same of the same place once)
  ruleset.diagnostics.push(...r4.diagnostics, ...r6.diagnostics.filter((d) => d.file !== file || !r4.diagnostics.some((e) => e.message === d.message && e.line === d.line)));
  ruleset.includedLines = new Map(([4, 6] as const).flatMap((f): [string, string[]][] => [
    [STOCK_FILES[f].before, stock[f].before.split("\n")],
    [STOCK_FILES[f].after, stock[f].after.split("\n")],
  ]));
  return ruleset;
}

/** The IPv4 and IPv6 sides as one ruleset: each rule says its family, the IPv6 tables named apart. */
function merged(format: string, file: string, r4: Ruleset, r6: Ruleset): Ruleset {
  const chains = new Map<string, Chain>();
  for (const [r, family, prefix] of [[r4, 4, ""], [r6, 6, V6_PREFIX]] as const) {
    for (const c of r.chains.values()) {
      const table = prefix + c.table;
      const rules = c.rules.map((rule, i) => ({ ...rule, id: `${table}/${c.name}#${i + 1}`, conditions: [{ kind: "family" as const, family }, ...rule.conditions] }));
      chains.set(chainKey(table, c.name), { ...c, table, rules });
    }
  }
  const prefixed = (ps: Pipeline[]): Pipeline[] => ps.map((p) => ({ ...p, stages: p.stages.map((s) => ({ ...s, chain: V6_PREFIX + s.chain })) }));
  const ruleCount = [...chains.values()].reduce((n, c) => n + c.rules.filter((r) => !r.implied).length, 0);
  return { format, file, families: [4, 6], chains, pipelines: [...r4.pipelines, ...prefixed(r6.pipelines)], diagnostics: [], ruleCount };
}
