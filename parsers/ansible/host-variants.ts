/**
 * A playbook's tasks as each host of its plays sees them. The walk (tasks.ts) reads a play for the
 * first host its pattern names in the inventory; the others may get other variables (host_vars, a
 * group of their own) and so other rules. They are read too (up to MAX_OTHER_HOSTS, each a walk
 * with AnsibleOptions.host), and each distinct reading (up to MAX_VARIANTS) is returned as a variant
 * of the ruleset (Ruleset.variants), checked as well, what only it opens labelled with its host.
 */
import type { Diagnostic, Ruleset } from "../../src/model/types.js";
import type { AnsibleOptions } from "./tasks.js";

/** The play's other hosts read, to compare, at most. */
const MAX_OTHER_HOSTS = 16;
/** Distinct readings of other hosts that are checked too, at most (each is a whole analysis). */
const MAX_VARIANTS = 8;

export function readForEveryHost(read: (opts: AnsibleOptions) => Ruleset, opts: AnsibleOptions, file: string): Ruleset {
  const plays: { host: string; hosts: readonly string[] }[] = [];
  const first = read({ ...opts, onPlayHosts: (host, hosts) => plays.push({ host, hosts }) });
  const chosen = new Set(plays.map((p) => p.host));
  const others = [...new Set(plays.flatMap((p) => p.hosts))].filter((h) => !chosen.has(h));
  if (others.length === 0) return first;
  const own = rulesOf(first);
  const seen = new Set([own]);
  const differ: string[] = [];
  const variants: { label: string; ruleset: Ruleset }[] = [];
  for (const host of others.slice(0, MAX_OTHER_HOSTS)) {
    const theirs = read({ ...opts, host });
    const rules = rulesOf(theirs);
    if (rules === own) continue;
    differ.push(host);
    if (!seen.has(rules) && variants.length < MAX_VARIANTS) variants.push({ label: `as read for host ${host}`, ruleset: theirs });
    seen.add(rules);
  }
  const read1 = [...chosen].join(", ");
  const rest = others.length > MAX_OTHER_HOSTS ? ` (the first ${MAX_OTHER_HOSTS} of the others compared)` : "";
  const checked = variants.map((v) => v.label.replace(/^as read for host /, ""));
  const message =
    differ.length === 0
      ? `read for host ${read1}; the plays' other hosts in the inventory (${others.length}) get the same rules${rest}`
      : `read for host ${read1}; ${differ.slice(0, 4).join(", ")}${differ.length > 4 ? ` and ${differ.length - 4} more` : ""} get${differ.length === 1 ? "s" : ""} other rules from ${differ.length === 1 ? "its" : "their"} variables: checked as read for ${checked.join(", ")} too (what only that opens is labelled "as read for host ${checked[0]}")${rest}`;
  const told: Diagnostic = { severity: "info", message, file, line: 1, column: 1 };
  return { ...first, diagnostics: [...first.diagnostics, told], ...(variants.length > 0 ? { variants } : {}) };
}

/** The rules a reading holds - chains, their policies and rules with where they stand - as one text to compare. */
function rulesOf(rs: Ruleset): string {
  const seen = new WeakSet<object>();
  return JSON.stringify([...rs.chains], (_key, v: unknown) => {
    if (typeof v === "bigint") return `${v}n`;
    if (v instanceof Map) return [...v];
    if (v !== null && typeof v === "object") {
      if (seen.has(v)) return "(seen)";
      seen.add(v);
    }
    return v;
  });
}
