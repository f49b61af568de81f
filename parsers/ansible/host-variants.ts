/**
 * An Ansible reading - a playbook's iptables or ufw tasks, a template the play's task renders - as
 * each host of the plays sees it. The walk (tasks.ts) reads a play for the first host its pattern
 * names in the inventory; the others may get other variables (host_vars, a group of their own)
 * and so other rules. They are read too (up to MAX_OTHER_HOSTS, each a reading with the host
 * given: AnsibleOptions.host), and each distinct reading (up to MAX_VARIANTS) is returned as a
 * variant of the ruleset (Ruleset.variants), checked as well, what only it opens labelled with its
 * host; an info says which hosts read otherwise, and at which lines of the file.
 */
import type { Diagnostic, Ruleset } from "../../src/model/types.js";
import type { AnsibleOptions } from "./tasks.js";
import { diskIo, memoIo } from "../file-io.js";

/** The play's other hosts read, to compare, at most. */
const MAX_OTHER_HOSTS = 16;
/** Distinct readings of other hosts that are checked too, at most (each is a whole analysis). */
const MAX_VARIANTS = 8;

export function readForEveryHost(read: (opts: AnsibleOptions) => Ruleset, given: AnsibleOptions, file: string): Ruleset {
  // (every host's reading reads the same playbooks, roles and variables files: each read once)
  const opts: AnsibleOptions = { ...given, io: memoIo(given.io ?? diskIo) };
  const plays: { host: string; hosts: readonly string[] }[] = [];
  const first = read({ ...opts, onPlayHosts: (host, hosts) => plays.push({ host, hosts }) });
  const chosen = new Set(plays.map((p) => p.host));
  const others = [...new Set(plays.flatMap((p) => p.hosts))].filter((h) => !chosen.has(h));
  if (others.length === 0) return first;
  const own = rulesOf(first);
  const ownEach = eachRule(first, file);
  const seen = new Set([own]);
  const differ: string[] = [];
  const lines = new Set<number>();
  const variants: { label: string; ruleset: Ruleset }[] = [];
  /** The host each variant is read for. */
  const checked: string[] = [];
  // (what any host's reading read - its host_vars among them - is an input of the file: a change there is checked with it)
  const inputs = new Set(first.includedFiles ?? []);
  for (const host of others.slice(0, MAX_OTHER_HOSTS)) {
    const theirs = read({ ...opts, host });
    for (const f of theirs.includedFiles ?? []) inputs.add(f);
    const rules = rulesOf(theirs);
    if (rules === own) continue;
    differ.push(host);
    // (the lines of the file whose rules one reading has and the other has not)
    const theirEach = eachRule(theirs, file);
    for (const [rule, line] of theirEach) if (!ownEach.has(rule)) lines.add(line);
    for (const [rule, line] of ownEach) if (!theirEach.has(rule)) lines.add(line);
    if (!seen.has(rules) && variants.length < MAX_VARIANTS) {
      variants.push({ label: `as read for host ${host}`, ruleset: theirs });
      checked.push(host);
    }
    seen.add(rules);
  }
  const read1 = [...chosen].join(", ");
  const rest = others.length > MAX_OTHER_HOSTS ? ` (the first ${MAX_OTHER_HOSTS} of the others compared)` : "";
  const message =
    differ.length === 0
      ? `read for host ${read1}; the plays' other hosts in the inventory (${others.length}) get the same rules${rest}`
      : `read for host ${read1}; ${differ.slice(0, 4).join(", ")}${differ.length > 4 ? ` and ${differ.length - 4} more` : ""} get${differ.length === 1 ? "s" : ""} other rules from ${differ.length === 1 ? "its" : "their"} variables${at(lines)}${checked.length > 0 ? `: checked as read for ${checked.join(", ")} too (what only that opens is labelled "as read for host ${checked[0]}")` : ""}${rest}`;
  const told: Diagnostic = { severity: "info", message, file, line: 1, column: 1 };
  return { ...first, diagnostics: [...first.diagnostics, told], ...(inputs.size > 0 ? { includedFiles: [...inputs] } : {}), ...(variants.length > 0 ? { variants } : {}) };
}

/** " (at lines 5, 9)": where the readings differ, when told by rules of the file itself. */
function at(lines: ReadonlySet<number>): string {
  const sorted = [...lines].sort((a, b) => a - b);
  if (sorted.length === 0) return "";
  return ` (at line${sorted.length > 1 ? "s" : ""} ${sorted.slice(0, 8).join(", ")}${sorted.length > 8 ? ", ..." : ""})`;
}

/** Each rule of the file itself in a reading (its chain, conditions, action and place; not its number in the chain), with its line. */
function eachRule(rs: Ruleset, file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, chain] of rs.chains) for (const r of chain.rules) if (r.span.file === file) out.set(key + textOf({ ...r, id: undefined }), r.span.line);
  return out;
}

/** The rules a reading holds - chains, their policies and rules with where they stand - as one text to compare. */
function rulesOf(rs: Ruleset): string {
  return textOf([...rs.chains]);
}

/** A value of the model as text, bigints and maps written out (the chains hold no cycle: a shared object is written where it stands each time). */
function textOf(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v instanceof Map ? [...v] : v));
}
