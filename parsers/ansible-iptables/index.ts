/**
 * Ansible playbooks and task files that build an iptables ruleset with Ansible's own module
 * (`ansible.builtin.iptables:` or `iptables:`): each task is the iptables command the module runs
 * for it, run on the tables as for a script of iptables commands (parsers/iptables-script) - so a
 * task that opens SMTP to everyone is found at the task.
 *
 *   parseAnsibleIptables(text, file) -> Ruleset     never throws
 *   detectAnsibleIptables(text) -> boolean
 *
 * The module's arguments become its rule in its own order (`protocol`, `source`, `destination`,
 * `match`, `tcp_flags`, `jump`, log options, NAT targets, `goto`, interfaces, ports and
 * `destination_ports`, `syn`, `ctstate`, ranges, `limit`, owners, `reject_with`, `icmp_type`,
 * `comment`, `match_set`; a value starting with `!` negated), and the module's behaviour is kept:
 * a rule it finds present already (`iptables -C`) is not added again, `state: absent` deletes
 * one that is there, `action: insert` inserts (at `rule_num`), `policy` sets a chain's policy,
 * `flush` empties a chain or the table, `chain_management` makes a missing chain. Tasks are
 * walked as parsers/ansible/tasks.ts walks them; a rule a `when:` task adds carries that condition
 * as unknown ("may be reachable"); a policy, flush or deletion under `when:` is told and left out.
 */
import type { Diagnostic, Ruleset, SourceSpan } from "../../src/model/types.js";
import { type AnsibleOptions, type Value, walkTasks, whenCondition } from "../ansible/tasks.js";
import { readInvocation } from "../iptables-script/argv.js";
import { assemble } from "../iptables-script/index.js";
import type { Pos } from "../iptables-script/lexer.js";
import { FamilyTables } from "../iptables-script/tables.js";
import { internalErrorRuleset } from "../internal-error.js";
import { buildPipelines } from "../iptables/mapper.js";
import { detectAnsibleIptables } from "./detect.js";

export { detectAnsibleIptables };

export const FORMAT = "ansible-iptables";

const MODULES = new Set(["iptables", "ansible.builtin.iptables"]);
const TABLES = new Set(["filter", "nat", "mangle", "raw", "security"]);
/** The module's parameters (ansible-core's argument_spec of ansible.builtin.iptables). */
const PARAMETERS: ReadonlySet<string> = new Set([
  "table", "state", "action", "ip_version", "chain", "protocol", "source", "destination", "tcp_flags", "match", "jump", "gateway", "log_prefix", "log_level",
  "goto", "in_interface", "out_interface", "fragment", "set_counters", "source_port", "destination_port", "destination_ports", "to_ports", "to_destination",
  "to_source", "syn", "set_dscp_mark", "set_dscp_mark_class", "comment", "ctstate", "src_range", "dst_range", "match_set", "match_set_flags", "limit",
  "limit_burst", "uid_owner", "gid_owner", "reject_with", "icmp_type", "flush", "policy", "wait", "chain_management", "numeric", "rule_num",
]);

type Params = ReadonlyMap<string, Value>;

export function parseAnsibleIptables(text: string, file: string, opts: AnsibleOptions = {}): Ruleset {
  const diagnostics: Diagnostic[] = [];
  const say = (severity: Diagnostic["severity"], pos: Pos, message: string) => diagnostics.push({ severity, message, file: pos.file ?? file, line: pos.line, column: pos.column });
  try {
    const v4 = new FamilyTables(4, say);
    const v6 = new FamilyTables(6, say);
    const lines = text.split("\n");
    const read = new Map<string, string[]>();
    walkTasks(
      text,
      file,
      opts,
      MODULES,
      (task) => {
        const p = task.args;
        const fail = (why: string) => say("error", task.pos, `ansible.builtin.iptables: ${why}`);
        const str = (k: string): string | undefined => {
          const v = p.get(k);
          return v === null || v === undefined ? undefined : typeof v === "object" ? undefined : String(v);
        };
        const table = str("table") ?? "filter";
        // (Ansible refuses a task whose arguments the module does not take, before running it)
        const unsupported = [...p.keys()].filter((k) => !PARAMETERS.has(k)).sort();
        if (unsupported.length > 0) return fail(`unsupported parameters for (ansible.builtin.iptables) module: ${unsupported.join(", ")}`);
        const ipVersion = str("ip_version") ?? "ipv4";
        if (!TABLES.has(table)) return fail(`table must be one of filter, nat, mangle, raw, security, not '${table}'`);
        if (ipVersion !== "ipv4" && ipVersion !== "ipv6") return fail(`ip_version must be ipv4 or ipv6, not '${ipVersion}'`);
        const tables = ipVersion === "ipv6" ? v6 : v4;
        const program = ipVersion === "ipv6" ? "ip6tables" : "iptables";
        const span: SourceSpan = { file: task.pos.file ?? file, line: task.pos.line, column: task.pos.column, text: (task.pos.file === undefined ? lines : read.get(task.pos.file))?.[task.pos.line - 1] ?? "" };
        const run = (words: readonly string[], conditional = false) => tables.run(readInvocation(words.map((t) => ({ text: t, pos: task.pos }))), span, program, conditional && task.when.length > 0 ? [whenCondition(task.when)] : []);
        const chain = str("chain");
        const conditional = task.when.length > 0;
        const skipConditional = (what: string) => say("info", task.pos, `task skipped: ${what} under when: ${task.when.join(" and ")} (whether it happens depends on the host)`);
        if (truthy(str("flush"))) {
          if (conditional) return skipConditional("a flush");
          run(["-t", table, "-F", ...(chain !== undefined ? [chain] : [])]);
          return;
        }
        if (chain === undefined) return fail("either chain or flush must be given");
        const policy = str("policy");
        if (policy !== undefined) {
          if (conditional) return skipConditional(`the policy ${policy} of ${chain}`);
          run(["-t", table, "-P", chain, policy]);
          return;
        }
        const rule = constructRule(p, ipVersion);
        if ("why" in rule) return fail(rule.why);
        if (!tables.hasChain(table, chain) && truthy(str("chain_management"))) run(["-t", table, "-N", chain]);
        // the module checks whether the rule is there (-C) and changes nothing when it is as asked
        const present = tables.hasChain(table, chain) && run(["-t", table, "-C", chain, ...rule], true) === "ok";
        const state = str("state") ?? "present";
        if (state === "present" && !present) {
          const insert = (str("action") ?? "append") === "insert";
          const num = str("rule_num");
          run(["-t", table, insert ? "-I" : "-A", chain, ...(insert && num ? [num] : []), ...rule], true);
        } else if (state === "absent" && present) {
          if (conditional) return skipConditional("a deletion");
          run(["-t", table, "-D", chain, ...rule]);
        } else if (state !== "present" && state !== "absent") return fail(`state must be present or absent, not '${state}'`);
        return;
      },
      say,
      read,
    );
    // (the -C the module runs first reports what -A reports again: each once)
    const seen = new Set<string>();
    const once = diagnostics.filter((d) => {
      const k = `${d.file}:${d.line}:${d.column}:${d.severity}:${d.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const ruleset = assemble(file, v4, v6, once, FORMAT);
    if (read.size > 0) {
      ruleset.includedFiles = [...(ruleset.includedFiles ?? []), ...read.keys()];
      ruleset.includedLines = new Map([...(ruleset.includedLines ?? []), ...read]);
    }
    return ruleset;
  } catch (e) {
    return internalErrorRuleset("Ansible iptables reader", { format: FORMAT, file, families: [4], pipelines: buildPipelines(4, new Map()) }, diagnostics, e);
  }
}

const truthy = (v: string | undefined) => v !== undefined && /^(yes|true|on|1|y)$/i.test(v);

/** The rule's words as ansible.builtin.iptables builds them from its arguments (construct_rule's order); or why the module refuses them. */
function constructRule(p: Params, ipVersion: string): string[] | { why: string } {
  const rule: string[] = [];
  const str = (k: string): string | undefined => {
    const v = p.get(k);
    return v === null || v === undefined ? undefined : Array.isArray(v) ? undefined : typeof v === "object" ? undefined : String(v);
  };
  const list = (k: string): string[] => {
    const v = p.get(k);
    return Array.isArray(v) ? v.map(String) : v === null || v === undefined ? [] : [String(v)];
  };
  /** A flag and its value; a value starting with `!` negates it. */
  const param = (k: string, flag: string) => {
    const v = str(k);
    if (v === undefined) return;
    if (v.startsWith("!")) rule.push("!", flag, v.slice(1));
    else rule.push(flag, v);
  };
  const match = list("match");
  let jump = str("jump");
  if ((str("log_prefix") !== undefined || str("log_level") !== undefined) && jump === undefined) jump = "LOG";
  else if ((str("log_prefix") !== undefined || str("log_level") !== undefined) && jump !== "LOG") return { why: "logging options can only be used with the LOG jump target" };
  param("protocol", "-p");
  param("source", "-s");
  param("destination", "-d");
  for (const m of match) rule.push("-m", m);
  const flags = p.get("tcp_flags");
  if (flags && typeof flags === "object" && !Array.isArray(flags) && Array.isArray(flags.flags) && Array.isArray(flags.flags_set)) rule.push("--tcp-flags", flags.flags.map(String).join(","), flags.flags_set.map(String).join(","));
  if (jump !== undefined) rule.push("-j", jump);
  if (jump?.toLowerCase() === "tee") param("gateway", "--gateway");
  param("log_prefix", "--log-prefix");
  param("log_level", "--log-level");
  param("to_destination", "--to-destination");
  param("to_source", "--to-source");
  param("goto", "-g");
  param("in_interface", "-i");
  param("out_interface", "-o");
  param("fragment", "-f");
  param("set_counters", "-c");
  param("source_port", "--source-port");
  param("destination_port", "--destination-port");
  const ports = list("destination_ports");
  if (ports.length > 0) rule.push("-m", "multiport", "--dports", ports.join(","));
  param("to_ports", "--to-ports");
  param("set_dscp_mark", "--set-dscp");
  param("set_dscp_mark_class", "--set-dscp-class");
  const syn = str("syn") ?? "ignore";
  if (syn === "match") rule.push("--syn");
  else if (syn === "negate") rule.push("!", "--syn");
  const ctstate = list("ctstate");
  if (match.includes("conntrack")) {
    if (ctstate.length > 0) rule.push("--ctstate", ctstate.join(","));
  } else if (match.includes("state")) {
    if (ctstate.length > 0) rule.push("--state", ctstate.join(","));
  } else if (ctstate.length > 0) rule.push("-m", "conntrack", "--ctstate", ctstate.join(","));
  if (match.includes("iprange")) {
    param("src_range", "--src-range");
    param("dst_range", "--dst-range");
  } else if (str("src_range") !== undefined || str("dst_range") !== undefined) {
    rule.push("-m", "iprange");
    param("src_range", "--src-range");
    param("dst_range", "--dst-range");
  }
  if (str("limit") !== undefined || str("limit_burst") !== undefined) rule.push("-m", "limit");
  param("limit", "--limit");
  param("limit_burst", "--limit-burst");
  for (const owner of ["uid_owner", "gid_owner"]) {
    if (str(owner) === undefined) continue;
    rule.push("-m", "owner");
    param(owner, `--${owner.replace("_", "-")}`);
  }
  if (jump === undefined && str("reject_with") !== undefined) rule.push("-j", "REJECT");
  param("reject_with", "--reject-with");
  param("icmp_type", ipVersion === "ipv6" ? "--icmpv6-type" : "--icmp-type");
  if (str("match_set") !== undefined) {
    rule.push("-m", "set");
    param("match_set", "--match-set");
    if (str("match_set_flags") !== undefined) rule.push(str("match_set_flags")!);
  }
  if (str("comment") !== undefined) rule.push("-m", "comment", "--comment", str("comment")!);
  return rule;
}
