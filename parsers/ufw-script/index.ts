/**
 * Shell scripts of ufw commands (`ufw default deny incoming`, `ufw allow 22/tcp`, `ufw limit ssh`,
 * `ufw allow from 10.0.0.0/8 to any port 3306 proto tcp`, `ufw --force enable`): the provisioning
 * script form of a ufw configuration.
 *
 *   parseUfwScript(text, file) -> Ruleset     never throws
 *   detectUfwScript(text) -> boolean
 *
 * The shell is followed as for scripts of iptables commands (parsers/iptables-script), each ufw
 * command changes ufw's rules as ufw does (commands.ts), and what ufw-init then loads is read as
 * parsers/ufw reads a host's /etc/ufw: the user rules ufw would write, between the package's
 * before.rules and after.rules (stock.ts), with the default policies the script set - both
 * families in one ruleset. Each user rule stands at the ufw command that made it; a default policy
 * at its `ufw default`; a rule of the package's files in that file.
 */
import type { Chain, Diagnostic, DiagnosticSeverity, Pipeline, Ruleset } from "../../src/model/types.js";
import { chainKey } from "../../src/model/types.js";
import type { Pos } from "../iptables-script/lexer.js";
import { runScript } from "../iptables-script/run.js";
import { byPlace, markUnresolved, sourcedFiles, withReadFiles } from "../iptables-script/index.js";
import { readScript } from "../iptables-script/syntax.js";
import { internalErrorRuleset } from "../internal-error.js";
import { diskIo, type IncludeIo } from "../file-io.js";
import { dirname, join, resolve } from "node:path";
import { parseIptablesSave } from "../iptables/index.js";
import { buildPipelines } from "../iptables/mapper.js";
import { composeUfw, type LineOrigin, type UfwDefaults } from "../ufw/compose.js";
import { placeInFiles } from "../ufw/index.js";
import { UfwCommands } from "./commands.js";
import { profilesFrom } from "./profiles.js";
import { stockRules } from "./stock.js";
import { detectUfwScript } from "./detect.js";

export { detectUfwScript };

export const FORMAT = "ufw-script";

/** The labels of the package's rule files (their rules' places: lines of stock.ts's text, not of a host's file). */
const STOCK_FILES = { 4: { before: "(ufw package) before.rules", after: "(ufw package) after.rules" }, 6: { before: "(ufw package) before6.rules", after: "(ufw package) after6.rules" } } as const;
/** The composed user rules' own label, before their lines are moved to the commands. */
const USER = "\u0000ufw-script user rules";
/** Table names of the IPv6 side in the one ruleset (as parsers/iptables-script names them). */
const V6_PREFIX = "ip6:";

export interface ParseUfwScriptOptions {
  io?: IncludeIo;
  /** Files it sources must stay inside this folder; default the script's own. */
  root?: string;
  /** Where the file is when `file` only labels it (a file at a git revision). */
  origin?: string;
}

export function parseUfwScript(text: string, file: string, opts: ParseUfwScriptOptions = {}): Ruleset {
  const diagnostics: Diagnostic[] = [];
  const diag = (severity: DiagnosticSeverity, pos: Pos, message: string) => diagnostics.push({ severity, message, file: pos.file ?? file, line: pos.line, column: pos.column });
  try {
    const { items, lines, errexit, shell } = readScript(text, diag);
    const ufw = new UfwCommands(
      (pos, message) => diag("info", pos, message),
      (pos, message) => diag("error", pos, message),
      profilesFrom(treeProfiles(file, opts)),
    );
    const { readFiles, fromEnvironment } = runScript(items, lines, file, diag, { errexit, shell, ufw, files: sourcedFiles(opts) });
    markUnresolved(diagnostics, fromEnvironment, file);
    const at = (pos: Pos | undefined): LineOrigin | undefined => {
      if (!pos) return undefined;
      const shown = pos.file ?? file;
      const textOf = pos.file === undefined ? lines : readFiles.get(pos.file);
      return { file: shown, line: pos.line, text: textOf?.[pos.line - 1] ?? "" };
    };
    const policyLine = (p: { at?: Pos }) => (p.at && p.at.file === undefined ? p.at.line : undefined);
    const lineOf = {
      ...(policyLine(ufw.policies.input) !== undefined ? { input: policyLine(ufw.policies.input)! } : {}),
      ...(policyLine(ufw.policies.output) !== undefined ? { output: policyLine(ufw.policies.output)! } : {}),
      ...(policyLine(ufw.policies.forward) !== undefined ? { forward: policyLine(ufw.policies.forward)! } : {}),
    };
    const defaults: UfwDefaults = { policies: { input: ufw.policies.input.policy, output: ufw.policies.output.policy, forward: ufw.policies.forward.policy }, ipv6: true, at: { file, lines: lineOf, text: lines } };
    const sides = ([4, 6] as const).map((family) => {
      const user = ufw.userRules(family);
      const stock = stockRules(family);
      const composed = composeUfw(family, { before: { file: STOCK_FILES[family].before, text: stock.before }, after: { file: STOCK_FILES[family].after, text: stock.after }, user: { file: USER, text: user.map((l) => l.text).join("\n") } }, defaults, { file, text });
      // a user rule at the command that made it; the rest of the user file is ufw's own
      const origins = composed.origins.map((o): LineOrigin => {
        if (o.file !== USER) return o;
        const from = at(user[o.line - 1]?.at);
        return from ?? { file, line: 1, text: lines[0] ?? "", made: "ufw's user rules file (its chains and rate limit)" };
      });
      const ruleset = parseIptablesSave(composed.text, file, { family });
      placeInFiles(ruleset, file, origins);
      for (const p of composed.problems) ruleset.diagnostics.push({ severity: p.severity, message: p.message, file: p.file, line: p.line, column: p.column });
      return ruleset;
    });
    const [r4, r6] = sides as [Ruleset, Ruleset];
    const notes: Diagnostic[] = [];
    const note = (message: string, pos?: Pos) => notes.push({ severity: "info", message, file: pos?.file ?? file, line: pos?.line ?? 1, column: pos?.column ?? 1 });
    const p = defaults.policies;
    note(`read as ufw loads it once the script has run: its rules between the ufw package's before.rules and after.rules (ufw 0.36), default policies incoming ${p.input}, outgoing ${p.output}, routed ${p.forward}`);
    if (ufw.enabled && !ufw.enabled.on) note("ufw is disabled where the script ends: it loads none of this until `ufw enable`; analysed as enabled", ufw.enabled.at);
    else if (!ufw.enabled) note("the script does not run `ufw enable`: what ufw loads is analysed as if it were enabled");
    const ruleset = merged(file, r4, r6);
    ruleset.diagnostics = [...diagnostics, ...notes, ...r4.diagnostics, ...r6.diagnostics.filter((d) => d.file !== file || !r4.diagnostics.some((e) => e.message === d.message && e.line === d.line))].sort(byPlace(file));
    const stock = ([4, 6] as const).flatMap((f) => [
      [STOCK_FILES[f].before, stockRules(f).before.split("\n")],
      [STOCK_FILES[f].after, stockRules(f).after.split("\n")],
    ]) as [string, string[]][];
    ruleset.includedLines = new Map([...(ruleset.includedLines ?? []), ...stock]);
    return withReadFiles(ruleset, readFiles);
  } catch (e) {
    return internalErrorRuleset("ufw script reader", { format: FORMAT, file, families: [4, 6], pipelines: buildPipelines(4, new Map()) }, diagnostics, e);
  }
}

/** The application profiles the scanned tree defines (its etc/ufw/applications.d, as the host's would be): file path -> text. */
function treeProfiles(file: string, opts: ParseUfwScriptOptions): Map<string, string> {
  const io = opts.io ?? diskIo;
  const dir = join(resolve(opts.root ?? dirname(opts.origin ?? file)), "etc", "ufw", "applications.d");
  const out = new Map<string, string>();
  for (const name of (io.listDir(dir) ?? []).sort()) {
    const text = io.readFile(join(dir, name));
    if (text !== undefined) out.set(io.shown?.(join(dir, name)) ?? join(dir, name), text);
  }
  return out;
}

/** The IPv4 and IPv6 sides as one ruleset: each rule says its family, the IPv6 tables named apart. */
function merged(file: string, r4: Ruleset, r6: Ruleset): Ruleset {
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
  return { format: FORMAT, file, families: [4, 6], chains, pipelines: [...r4.pipelines, ...prefixed(r6.pipelines)], diagnostics: [], ruleCount };
}
