/**
 * Helpers the per-chain checks share: rule verbs, "the whole universe of a family", jump targets
 * and which chains a path can enter.
 */
import { compileRule, type CompiledMatch } from "../../src/analysis/compile.js";
import type { Location } from "../../src/model/finding.js";
import { chainKey, type Action, type Chain, type Family, type PipelineKind, type Rule, type Ruleset } from "../../src/model/types.js";
import { PacketSet } from "../../src/space/packet-set.js";

export function verb(a: Action): string {
  switch (a.kind) {
    case "jump":
    case "goto":
      return `${a.kind} ${a.chain}`;
    case "continue":
    case "dnat":
    case "snat":
    case "unknown":
      return a.target;
    case "reject":
      return a.with ? `REJECT --reject-with ${a.with}` : "REJECT";
    default:
      return a.kind.toUpperCase();
  }
}

/** accept, drop or reject: the rule ends the packet's walk with a verdict. */
export function isVerdict(a: Action): a is Extract<Action, { kind: "accept" | "drop" | "reject" }> {
  return a.kind === "accept" || a.kind === "drop" || a.kind === "reject";
}

/** Allow or deny: drop and reject both deny (Al-Shaer and Hamed's two actions). */
export function polarity(a: Action): "allow" | "deny" | undefined {
  if (a.kind === "accept") return "allow";
  if (a.kind === "drop" || a.kind === "reject") return "deny";
  return undefined;
}

/** The rule's match is modelled exactly (no unmodelled or path-dependent condition). */
export function isExact(m: CompiledMatch): boolean {
  return m.unknowns.length === 0 && m.context.length === 0;
}

export function compiled(ruleset: Ruleset, r: Rule): CompiledMatch {
  return compileRule(r, ruleset.families);
}

const universes = new Map<Family, PacketSet>();
export function familyUniverse(f: Family): PacketSet {
  let u = universes.get(f);
  if (!u) universes.set(f, (u = PacketSet.universe([f])));
  return u;
}

/**
 * The set matches every packet of each family it touches (a rule with only a family condition,
 * as the iptables-script parser adds to dual-stack rulesets, is a catch-all of its family).
 */
export function isWholeUniverse(set: PacketSet, families: readonly Family[]): boolean {
  if (set.isEmpty()) return false;
  for (const f of families) {
    // what it matches of the family is all of it: walks that build nothing (most rules fail the
    // containment at their first node)
    const u = familyUniverse(f);
    if (set.overlaps(u) && !u.isSubsetOf(set)) return false;
  }
  return true;
}

/** The chain a jump or goto of a rule in `chain` goes to (table-qualified key). */
export function targetKey(chain: Chain, a: Action): string | undefined {
  return a.kind === "jump" || a.kind === "goto" ? chainKey(chain.table, a.chain) : undefined;
}

export function locOf(r: { span: { file: string; line: number; column: number } }): Location {
  return { file: r.span.file, line: r.span.line, column: r.span.column };
}

/** Chains that some pipeline runs as a stage, or that have a policy: built-in/base chains. */
export function baseChains(ruleset: Ruleset): Set<string> {
  const out = new Set<string>();
  for (const p of ruleset.pipelines) for (const s of p.stages) if (ruleset.chains.has(s.chain)) out.add(s.chain);
  for (const [k, c] of ruleset.chains) if (c.policy !== undefined) out.add(k);
  return out;
}

/**
 * Per chain reachable from the filter stages of the given paths: a superset of the packets that
 * can enter it (base chains: everything; user chains: what the jumps into them match, from the
 * part of their own chain that can enter). Earlier rules are not subtracted, so it is a superset.
 */
export function filterEntries(ruleset: Ruleset, kinds: readonly PipelineKind[]): Map<string, PacketSet> {
  const entry = new Map<string, PacketSet>();
  const work: string[] = [];
  const add = (key: string, set: PacketSet) => {
    if (!ruleset.chains.has(key) || set.isEmpty()) return;
    const prev = entry.get(key);
    const next = prev ? prev.union(set) : set;
    if (prev && next.equals(prev)) return;
    entry.set(key, next);
    work.push(key);
  };
  for (const p of ruleset.pipelines) {
    if (!kinds.includes(p.kind)) continue;
    for (const s of p.stages) if (s.role === "filter") add(s.chain, familyUniverse(p.family));
  }
  let steps = 0;
  while (work.length > 0 && steps++ < 10_000) {
    const key = work.pop()!;
    const chain = ruleset.chains.get(key)!;
    const into = entry.get(key)!;
    for (const r of chain.rules) {
      const t = targetKey(chain, r.action);
      if (t) add(t, into.intersect(compiled(ruleset, r).known));
    }
  }
  return entry;
}
