/**
 * anomaly: per-chain rule anomalies, exact over the packet space (Al-Shaer and Hamed's classes,
 * plus chain-graph problems). One check, one rule per class (params.anomaly):
 *   redundant            removing the rule changes no packet's verdict
 *   correlated           two rules with different actions overlap partially (order decides)
 *   generalization       a later rule with a different action contains an earlier one
 *   unreachable-chain    a user chain no path jumps or goes to
 *   missing-jump-target  a jump or goto to a chain that does not exist
 *   rule-after-catch-all rules after an unconditional accept/drop/reject
 */
import type { AnomalyKind, AnomalyParams } from "../../src/engine/rule-pack.js";
import type { Finding } from "../../src/model/finding.js";
import { CT_STATES, type Chain, type Family, type Rule, type Ruleset } from "../../src/model/types.js";
import { Dim, ifaceToValue } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { UnionStack } from "../../src/space/union-stack.js";
import { baseChains, compiled, isExact, isVerdict, isWholeUniverse, locOf, polarity, targetKey, verb } from "./chains.js";
import type { Check } from "./context.js";

/** Pairwise classes (correlated, generalization, redundant) skip chains longer than this. */
export const MAX_PAIRWISE_RULES = 400;

interface Entry {
  rule: Rule;
  known: PacketSet;
  exact: boolean;
  /** Packets that can reach the rule (a superset: only exact terminating rules are subtracted). */
  reach: PacketSet;
}

/**
 * Per chain (a chain belongs to one ruleset), its entries: the pairwise classes are three rules
 * (three calls) over the same ones.
 */
const entryCache = new WeakMap<Chain, Entry[]>();

function entries(ruleset: Ruleset, chain: Chain): Entry[] {
  let out = entryCache.get(chain);
  if (!out) entryCache.set(chain, (out = chainEntries(ruleset, chain)));
  return out;
}

function chainEntries(ruleset: Ruleset, chain: Chain): Entry[] {
  // what the exact terminating rules above take, grown balanced (see UnionStack)
  const covered = new UnionStack();
  const out: Entry[] = [];
  for (const r of chain.rules) {
    const m = compiled(ruleset, r);
    const exact = isExact(m);
    out.push({ rule: r, known: m.known, exact, reach: covered.outside(m.known) });
    if (exact && r.action.kind !== "jump" && r.action.kind !== "continue") covered.add(m.known);
  }
  return out;
}

type Emit = (f: Omit<Finding, "ruleId" | "severity">) => void;

export const anomaly: Check<AnomalyParams> = (ctx, params, rule) => {
  const findings: Finding[] = [];
  const emit: Emit = (f) => findings.push({ ruleId: rule.id, severity: rule.severity, ...f });
  const rs = ctx.ruleset;
  const kind: AnomalyKind = params.anomaly;
  switch (kind) {
    case "missing-jump-target":
      missingTargets(rs, emit);
      break;
    case "unreachable-chain":
      unreachableChains(rs, emit);
      break;
    case "rule-after-catch-all":
      for (const chain of rs.chains.values()) afterCatchAll(rs, chain, emit);
      break;
    default:
      for (const chain of rs.chains.values()) {
        if (chain.rules.length > MAX_PAIRWISE_RULES) continue;
        const es = entries(rs, chain);
        if (kind === "redundant") redundant(chain, es, emit);
        else if (kind === "correlated") correlated(chain, es, rs, emit);
        else generalization(chain, es, rs, emit);
      }
  }
  return findings;
};

function missingTargets(rs: Ruleset, emit: Emit): void {
  for (const chain of rs.chains.values()) {
    for (const r of chain.rules) {
      const t = targetKey(chain, r.action);
      if (!t || rs.chains.has(t)) continue;
      const name = (r.action as { chain: string }).chain;
      emit({
        message: `${r.action.kind} to chain ${name}, which does not exist in table ${chain.table} (the ruleset cannot be loaded, or the rule does not do what it says)`,
        location: locOf(r),
      });
    }
  }
}

function unreachableChains(rs: Ruleset, emit: Emit): void {
  const reached = new Set<string>();
  const work = [...baseChains(rs)];
  for (const k of work) reached.add(k);
  while (work.length > 0) {
    const chain = rs.chains.get(work.pop()!)!;
    for (const r of chain.rules) {
      const t = targetKey(chain, r.action);
      if (t && rs.chains.has(t) && !reached.has(t)) {
        reached.add(t);
        work.push(t);
      }
    }
  }
  for (const [key, chain] of rs.chains) {
    if (reached.has(key)) continue;
    const callers: Rule[] = [];
    for (const c of rs.chains.values()) for (const r of c.rules) if (targetKey(c, r.action) === key) callers.push(r);
    const why = callers.length === 0 ? "no rule jumps or goes to it" : `only chains that are never entered jump to it (${callers.map((r) => `line ${r.span.line}`).join(", ")})`;
    const n = chain.rules.length;
    emit({
      message: `chain ${chain.name} (table ${chain.table}) is never entered from a built-in chain: ${why}; its ${n} rule${n === 1 ? "" : "s"} never run${n === 1 ? "s" : ""}`,
      location: locOf(chain),
      related: callers.map((r) => ({ ...locOf(r), message: `${verb(r.action)} from a chain that is never entered` })),
    });
  }
}

function afterCatchAll(rs: Ruleset, chain: Chain, emit: Emit): void {
  const i = chain.rules.findIndex((r) => {
    if (!isVerdict(r.action)) return false;
    const m = compiled(rs, r);
    return isExact(m) && isWholeUniverse(m.known, rs.families);
  });
  if (i < 0) return;
  const catchAll = chain.rules[i]!;
  // A dual-stack chain: the catch-all closes only the families it matches.
  const closed = compiled(rs, catchAll).known;
  const after = chain.rules.slice(i + 1).filter((r) => compiled(rs, r).known.overlaps(closed) || compiled(rs, r).known.isEmpty());
  if (after.length === 0) return;
  const lines = after.map((r) => r.span.line);
  emit({
    message: `${after.length} rule${after.length === 1 ? "" : "s"} after the catch-all ${verb(catchAll.action)} on line ${catchAll.span.line} in chain ${chain.name} never run${after.length === 1 ? "s" : ""} (line${lines.length === 1 ? "" : "s"} ${lines.join(", ")})`,
    location: locOf(after[0]!),
    related: [{ ...locOf(catchAll), message: `catch-all: ${verb(catchAll.action)} every packet` }],
  });
}

/**
 * Removing a rule changes nothing when every packet that reaches it would get the same verdict
 * from the rules after it (or the policy). Decided exactly when every later rule that could see
 * such a packet is an exact accept/drop/reject; otherwise the rule is skipped.
 */
function redundant(chain: Chain, es: Entry[], emit: Emit): void {
  es.forEach((e, i) => {
    if (!e.exact || !isVerdict(e.rule.action) || e.reach.isEmpty()) return;
    const mine = verb(e.rule.action);
    let rem = e.reach;
    const by: Rule[] = [];
    for (const s of es.slice(i + 1)) {
      if (!s.known.overlaps(rem)) continue;
      if (!s.exact || !isVerdict(s.rule.action)) return; // undecidable here: skip the rule
      if (verb(s.rule.action) !== mine) return;
      by.push(s.rule);
      rem = rem.minus(s.known);
      if (rem.isEmpty()) break;
    }
    let policy = false;
    if (!rem.isEmpty()) {
      if (chain.policy === undefined || chain.policy.toUpperCase() !== mine) return;
      policy = true;
    }
    const who = [
      ...by.map((r) => `line ${r.span.line}`),
      ...(policy ? [`the ${chain.name} policy ${chain.policy!.toUpperCase()}`] : []),
    ].join(", ");
    emit({
      message: `rule is redundant: every packet it decides would get the same verdict (${mine}) without it, from ${who}`,
      location: locOf(e.rule),
      related: [
        ...by.map((r) => ({ ...locOf(r), message: `decides the same packets the same way (${verb(r.action)})` })),
        ...(policy ? [{ ...locOf({ span: chain.policySpan ?? chain.span }), message: `policy ${chain.policy!.toUpperCase()}` }] : []),
      ],
    });
  });
}

/** New packets (conntrack state NEW) that do not arrive on loopback. */
function newNotLoopback(f: Family): PacketSet {
  const lo = ifaceToValue("lo");
  const nw = BigInt(CT_STATES.indexOf("new"));
  return PacketSet.box({ [Dim.Family]: [[BigInt(f), BigInt(f)]], [Dim.CtState]: [[nw, nw]] }).minus(PacketSet.box({ [Dim.Iif]: [[lo, lo]] }));
}

/**
 * Pairs (i before j) of exact accept/deny rules with different polarity whose overlap reaches i.
 * The overlap itself is not built: the classes ask other questions of the pair first, and
 * correlated asks only whether it meets a set (see freshReach).
 */
function pairs(es: Entry[], each: (a: Entry, b: Entry) => void): void {
  const rules = es.filter((e) => e.exact && polarity(e.rule.action) !== undefined && !e.reach.isEmpty());
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!;
      const b = rules[j]!;
      if (polarity(a.rule.action) === polarity(b.rule.action)) continue;
      // most pairs do not meet: told by a walk that builds nothing
      if (!a.reach.overlaps(b.known)) continue;
      each(a, b);
    }
  }
}

function correlated(chain: Chain, es: Entry[], rs: Ruleset, emit: Emit): void {
  const fresh = PacketSet.unionAll(rs.families.map(newNotLoopback));
  /** What of an earlier rule's reach is new traffic not on loopback: once per rule, not per pair. */
  const freshReach = new Map<Entry, PacketSet>();
  pairs(es, (a, b) => {
    if (a.known.isSubsetOf(b.known) || b.known.isSubsetOf(a.known)) return;
    if (isWholeUniverse(b.known, rs.families)) return;
    // An overlap of only loopback or reply (established/related) traffic is what the usual
    // "-i lo -j ACCEPT" and conntrack rules at the top are for: not an ordering question.
    let r = freshReach.get(a);
    if (!r) freshReach.set(a, (r = a.reach.intersect(fresh)));
    if (!r.overlaps(b.known)) return;
    emit({
      message: `rules on lines ${a.rule.span.line} (${verb(a.rule.action)}) and ${b.rule.span.line} (${verb(b.rule.action)}) in chain ${chain.name} overlap partially with different actions: the packets both match get ${verb(a.rule.action)} only because line ${a.rule.span.line} comes first`,
      location: locOf(b.rule),
      related: [{ ...locOf(a.rule), message: `overlaps this rule and decides the common packets first (${verb(a.rule.action)})` }],
    });
  });
}

function generalization(chain: Chain, es: Entry[], rs: Ruleset, emit: Emit): void {
  pairs(es, (a, b) => {
    if (!a.known.isSubsetOf(b.known) || a.known.equals(b.known)) return;
    // A final catch-all acts as the chain's policy: every rule above it is "an exception".
    if (isWholeUniverse(b.known, rs.families)) return;
    emit({
      message: `rule generalizes line ${a.rule.span.line}: it matches every packet line ${a.rule.span.line} matches and more, with a different action (${verb(b.rule.action)}, not ${verb(a.rule.action)}); line ${a.rule.span.line} is an exception that only works because it comes first`,
      location: locOf(b.rule),
      related: [{ ...locOf(a.rule), message: `the exception (${verb(a.rule.action)})` }],
    });
  });
}
