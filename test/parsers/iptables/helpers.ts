import { spawnSync } from "node:child_process";
import { parseIPv4Strict, parseIPv6 } from "../../../src/model/address.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { parseIptablesSave } from "../../../parsers/iptables/index.js";
import type { AddrRange, Diagnostic, Rule, Ruleset } from "../../../src/model/types.js";

export const FILE = "rules.v4";

/** Parse a file body (lines joined with \n). */
export function parse(lines: string[], family: 4 | 6 = 4): Ruleset {
  return parseIptablesSave(lines.join("\n") + "\n", FILE, { family });
}

/** Rules of one chain of a `*table` block holding the given rule lines (chain declared). */
export function rulesOf(ruleLines: string[], opts: { table?: string; chain?: string; family?: 4 | 6; extra?: string[] } = {}): { rules: Rule[]; rs: Ruleset } {
  const table = opts.table ?? "filter";
  const chain = opts.chain ?? "INPUT";
  const rs = parse([`*${table}`, `:${chain} ACCEPT [0:0]`, ...(opts.extra ?? []), ...ruleLines, "COMMIT"], opts.family ?? 4);
  return { rules: rs.chains.get(`${table}/${chain}`)?.rules ?? [], rs };
}

/** The single rule of `-A INPUT <spec>` in filter (or the given table/chain); fails on errors. */
export function one(spec: string, opts: { table?: string; chain?: string; family?: 4 | 6; extra?: string[] } = {}): Rule {
  const chain = opts.chain ?? "INPUT";
  const { rules, rs } = rulesOf([`-A ${chain} ${spec}`], opts);
  const errors = rs.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`unexpected errors: ${errors.map((e) => `${e.line}:${e.column} ${e.message}`).join("; ")}`);
  if (rules.length !== 1) throw new Error(`expected one rule, got ${rules.length}`);
  return rules[0]!;
}

export function errorsOf(rs: Ruleset): Diagnostic[] {
  return rs.diagnostics.filter((d) => d.severity === "error");
}

export function v4(a: string, b?: string): AddrRange {
  return { lo: parseIPv4Strict(a)!, hi: parseIPv4Strict(b ?? a)! };
}

export function v6(a: string, b?: string): AddrRange {
  return { lo: parseIPv6(a)!, hi: parseIPv6(b ?? a)! };
}

/** A /len network as a range. */
export function net4(cidr: string): AddrRange {
  const [a, len] = cidr.split("/");
  const lo = parseIPv4Strict(a!)!;
  const host = (1n << BigInt(32 - Number(len))) - 1n;
  return { lo: lo & ~host & 0xffffffffn, hi: (lo & ~host & 0xffffffffn) | host };
}

export function net6(cidr: string): AddrRange {
  const [a, len] = cidr.split("/");
  const lo = parseIPv6(a!)!;
  const host = (1n << BigInt(128 - Number(len))) - 1n;
  const max = (1n << 128n) - 1n;
  return { lo: lo & (max ^ host), hi: (lo & (max ^ host)) | host };
}

/** An IPv4 iptables-save text, read, and the IPv4 inbound path's result. */
export function readInbound(text: string) {
  const rs = parseIptablesSave(text, "a.rules", { family: 4 });
  const inbound = evaluateRuleset(rs).results.find((r) => r.pipeline.kind === "inbound" && r.pipeline.family === 4)!;
  return { rs, inbound };
}

/**
 * What iptables makes of a filter table (loaded in a namespace of its own): the `-A INPUT` line
 * iptables-save lists, or why iptables-restore refused it. undefined `listed`: refused.
 */
export function iptablesLists(text: string): { listed?: string; says: string } {
  const run = spawnSync("unshare", ["-n", "sh", "-c", "iptables-restore && iptables-save -t filter"], { input: text, encoding: "utf8" });
  const listed = run.status === 0 ? run.stdout.match(/-A INPUT.*/)?.[0] : undefined;
  return { ...(listed !== undefined ? { listed } : {}), says: run.status === 0 ? `lists ${listed}` : `refuses it: ${run.stderr.trim()}` };
}
