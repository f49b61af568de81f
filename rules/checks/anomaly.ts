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
import { CT_STATES, type Action, type Chain, type Family, type Rule, type Ruleset } from "../../src/model/types.js";
import { decidingAction, logsWhatItDecides } from "../../src/model/verdict-chains.js";
import { Dim, ifaceToValue } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { Projections } from "../../src/space/projections.js";
import { UnionStack } from "../../src/space/union-stack.js";
import { baseChains, chainTitle, familyUniverse, isVerdict, isWholeUniverse, lineIn, locOf, matchInChain, polarity, ruleLine, ruleName, sourceRules, targetKey, terminates, verb } from "./chains.js";
import type { Check } from "./context.js";

/** Pairwise classes (correlated, generalization, redundant) skip chains longer than this. */
export const MAX_PAIRWISE_RULES = 400;

interface Entry {
  rule: Rule;
  /** What it decides with: its action, or the verdict of a chain it jumps to that gives one to all (decidingAction). */
  action: Action;
  /** What the rule matches in its chain (see matchInChain). */
  known: PacketSet;
  exact: boolean;
  /** Packets that can reach the rule (a superset: only exact terminating rules are subtracted). */
  reach: PacketSet;
}

/**
 * Can two entries' matches meet? False when their projections are apart (the sets then share no
 * packet): most pairs of a long chain are apart in an address or a port, which this tells without
 * a walk of the two sets (a 4,841-rule iptables-save of a university network: a million pairs).
 */
function mayMeet(a: Entry, b: Entry): boolean {
  return Projections.of(a.known).mayMeet(Projections.of(b.known));
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
  for (const group of sourceRules(chain.rules.map((rule) => ({ rule })))) {
    for (const { rule: r } of group) {
      const { known, exact } = matchInChain(ruleset, chain, r);
      const action = decidingAction(ruleset, chain, r);
      out.push({ rule: r, action, known, exact, reach: covered.outside(known) });
      if (exact && terminates(action)) covered.add(known);
    }
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
        if (kind === "redundant") redundant(rs, chain, es, emit);
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
    // (an anonymous chain is part of the rule that jumps to it: that rule's chain is reported)
    if (reached.has(key) || chain.applied?.elsewhere || chain.anonymous || chain.implied) continue;
    const callers: Rule[] = [];
    for (const c of rs.chains.values()) for (const r of c.rules) if (targetKey(c, r.action) === key) callers.push(r);
    const why = callers.length === 0 ? "no rule jumps or goes to it" : `only chains that are never entered jump to it (${callers.map((r) => `line ${lineIn(r.span, chain.span)}`).join(", ")})`;
    const applied = callers.length === 0 ? chain.applied : undefined;
    const n = applied ? applied.entries : chain.rules.length;
    const runs = n === 1 ? "never runs" : "never run";
    const message = applied
      ? `${chainTitle(chain)} is never applied: ${applied.by}; its ${n} ${(applied.unit ?? ["entry", "entries"])[n === 1 ? 0 : 1]} ${runs}`
      : `chain ${chain.name} (table ${chain.table}) is never entered from a built-in chain: ${why}; its ${n} rule${n === 1 ? "" : "s"} ${runs}`;
    emit({
      message,
      location: locOf(chain),
      related: callers.map((r) => ({ ...locOf(r), message: `${verb(r.action)} from a chain that is never entered` })),
    });
  }
}

/**
 * The source rules after a catch-all that never run: every packet they match is caught first.
 * A catch-all matches every packet of each family it touches; in a dual-stack chain
 * (`ip saddr 0.0.0.0/0 drop` in an inet table) it closes only its own family, so a later rule
 * that still matches packets of another family runs, and catch-alls of both families close both.
 */
function afterCatchAll(rs: Ruleset, chain: Chain, emit: Emit): void {
  let caught: PacketSet | undefined;
  const catchAlls: { rule: Rule; known: PacketSet }[] = [];
  const after: { rule: Rule; known: PacketSet }[][] = [];
  for (const group of sourceRules(chain.rules.map((rule) => ({ rule, ...matchInChain(rs, chain, rule) })))) {
    if (caught && group.every((e) => e.known.isSubsetOf(caught!))) {
      // (a rule the model implies, such as a security group's "refuse the rest", is not the user's to move)
      if (!group[0]!.rule.implied) after.push(group);
      continue;
    }
    for (const { rule: r, known, exact } of group) {
      if (!isVerdict(decidingAction(rs, chain, r)) || !exact || !isWholeUniverse(known, rs.families)) continue;
      catchAlls.push({ rule: r, known });
      caught = caught ? caught.union(known) : known;
    }
  }
  if (after.length === 0) return;
  // The catch-alls that catch the packets of the listed rules (the first one when they match none).
  const by = catchAlls.filter((c) => after.some((g) => g.some((e) => e.known.overlaps(c.known))));
  if (by.length === 0) by.push(catchAlls[0]!);
  const n = after.length;
  const at = after[0]![0]!.rule.span;
  const lines = after.map((g) => lineIn(g[0]!.rule.span, at));
  const caughtBy =
    by.length === 1
      ? `the catch-all ${verb(by[0]!.rule.action)} on ${ruleName(by[0]!.rule, at)}`
      : `the catch-alls on ${by.map((c) => `${ruleName(c.rule, at)} (${verb(c.rule.action)})`).join(", ")}`;
  emit({
    message: `${n} rule${n === 1 ? "" : "s"} after ${caughtBy} in ${chainTitle(chain)} never run${n === 1 ? "s" : ""} (line${n === 1 ? "" : "s"} ${lines.join(", ")})`,
    location: locOf(after[0]![0]!.rule),
    related: by.map((c) => ({ ...locOf(c.rule), message: `catch-all: ${verb(c.rule.action)} every ${familiesOf(c.known, rs)}packet` })),
  });
}

/** "IPv4 " when the set lies in one family of a dual-stack ruleset, else nothing. */
function familiesOf(set: PacketSet, rs: Ruleset): string {
  if (rs.families.length < 2) return "";
  const touched = rs.families.filter((f) => set.overlaps(familyUniverse(f)));
  return touched.length === 1 ? `IPv${touched[0]} ` : "";
}

/**
 * Removing a rule changes nothing when every packet that reaches it would get the same verdict
 * from the rules after it (or the policy). Decided exactly when every later rule that could see
 * such a packet is an exact accept/drop/reject; otherwise the rule is skipped. A source rule of
 * several elements (an nft verdict map) is removed whole: each element's packets must keep that
 * element's verdict, so `vmap { 5432 : accept, 6379 : drop }` under a DROP policy is not redundant.
 * Nor is a rule that logs what it decides (`log prefix "dropped: " drop` before a DROP policy,
 * which logs nothing, or `-j LOGDROP` to a chain that logs and drops): removing it loses the log.
 */
function redundant(rs: Ruleset, chain: Chain, es: Entry[], emit: Emit): void {
  let i = 0;
  for (const group of sourceRules(es)) {
    i += group.length;
    const after = es.slice(i);
    const decided: { e: Entry; by: Entry[]; policy: boolean }[] = [];
    if (group[0]!.rule.implied || logsWhatItDecides(rs, chain, group[0]!.rule)) continue;
    for (const e of group) {
      if (e.reach.isEmpty()) continue; // decides nothing: the shadowed-rule check's business
      const same = sameVerdictWithout(e, after, chain);
      if (!same) {
        decided.length = 0;
        break;
      }
      decided.push({ e, ...same });
    }
    if (decided.length === 0) continue;
    const whoOf = (d: (typeof decided)[number]) =>
      [...d.by.map((b) => ruleName(b.rule, group[0]!.rule.span)), ...(d.policy ? [`the ${chain.name} policy ${chain.policy!.toUpperCase()}`] : [])].join(", ");
    // A plain rule has one verdict; a verdict map's elements are named, each with who decides it.
    const why =
      group[0]!.rule.element === undefined
        ? `(${verb(decided[0]!.e.action)}) without it, from ${[...new Set(decided.map(whoOf))].join(", ")}`
        : `without it: ${decided.map((d) => `element ${d.e.rule.element} (${verb(d.e.action)}) from ${whoOf(d)}`).join("; ")}`;
    const by = [...new Set(decided.flatMap((d) => d.by.map((b) => b.rule)))];
    const policy = decided.some((d) => d.policy);
    emit({
      message: `rule is redundant: every packet it decides would get the same verdict ${why}`,
      location: locOf(group[0]!.rule),
      related: [
        ...by.map((r) => ({ ...locOf(r), message: `decides the same packets the same way (${verb(r.action)})` })),
        ...(policy ? [{ ...locOf({ span: chain.policySpan ?? chain.span }), message: `policy ${chain.policy!.toUpperCase()}` }] : []),
      ],
    });
  }
}

/**
 * The later rules (and whether the policy) that give every packet reaching `e` the verdict `e`
 * gives it, or undefined when some packet would get another verdict or it cannot be told exactly.
 */
function sameVerdictWithout(e: Entry, later: Entry[], chain: Chain): { by: Entry[]; policy: boolean } | undefined {
  if (!e.exact || !isVerdict(e.action)) return undefined;
  const mine = verb(e.action);
  let rem = e.reach;
  const by: Entry[] = [];
  for (const s of later) {
    if (!mayMeet(s, e) || !s.known.overlaps(rem)) continue;
    if (!s.exact || !isVerdict(s.action)) return undefined; // undecidable here: skip the rule
    if (verb(s.action) !== mine) return undefined;
    by.push(s);
    rem = rem.minus(s.known);
    if (rem.isEmpty()) break;
  }
  if (rem.isEmpty()) return { by, policy: false };
  if (chain.policy === undefined || chain.policy.toUpperCase() !== mine) return undefined;
  return { by, policy: true };
}

/** "5", or "5 element 22" for one element of a verdict map (see ruleLine); with its file when not in `at`'s. */
function lineOf(e: Entry, at: Entry): string {
  return ruleLine(e.rule, at.rule.span);
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
  const rules = es.filter((e) => e.exact && !e.rule.implied && polarity(e.action) !== undefined && !e.reach.isEmpty());
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!;
      const b = rules[j]!;
      if (polarity(a.action) === polarity(b.action)) continue;
      // most pairs do not meet: told by a walk that builds nothing
      if (!mayMeet(a, b) || !a.reach.overlaps(b.known)) continue;
      each(a, b);
    }
  }
}

/** Earlier rules a correlated-rules or rule-generalization message names by line; the rest are counted (all are related locations). */
const NAMED_LINES = 8;

/**
 * The pairs `keep` accepts, gathered per later rule, in rule order: a rule whose meaning depends
 * on several earlier ones is one finding that names them all (a broad DROP below a list of
 * per-host ACCEPTs is one question about order, not one per host: a 270-rule iptables file had
 * 2,662 correlated pairs at 11 rules).
 */
function byLaterRule(es: Entry[], keep: (a: Entry, b: Entry) => boolean): [Entry, Entry[]][] {
  const earlier = new Map<Entry, Entry[]>();
  pairs(es, (a, b) => {
    if (!keep(a, b)) return;
    const list = earlier.get(b);
    if (list) list.push(a);
    else earlier.set(b, [a]);
  });
  return es.filter((b) => earlier.has(b)).map((b) => [b, earlier.get(b)!]);
}

/** "5, 6, 7": the lines of `es`, the first NAMED_LINES of them, the rest counted ("and 4 more"). */
function linesNamed(es: readonly Entry[], at: Entry): string {
  const more = es.length > NAMED_LINES ? ` and ${es.length - NAMED_LINES} more` : "";
  return es.slice(0, NAMED_LINES).map((e) => lineOf(e, at)).join(", ") + more;
}

/** The verdicts of `es` in a word each (DROP, REJECT, ACCEPT ...), each once. */
function verdictWords(es: readonly Entry[]): string[] {
  return [...new Set(es.map((e) => verb(e.action).split(" ")[0]!))];
}

function correlated(chain: Chain, es: Entry[], rs: Ruleset, emit: Emit): void {
  const fresh = PacketSet.unionAll(rs.families.map(newNotLoopback));
  /** What of an earlier rule's reach is new traffic not on loopback: once per rule, not per pair. */
  const freshReach = new Map<Entry, PacketSet>();
  const groups = byLaterRule(es, (a, b) => {
    if (a.known.isSubsetOf(b.known) || b.known.isSubsetOf(a.known)) return false;
    if (isWholeUniverse(b.known, rs.families)) return false;
    // An overlap of only loopback or reply (established/related) traffic is what the usual
    // "-i lo -j ACCEPT" and conntrack rules at the top are for: not an ordering question.
    let r = freshReach.get(a);
    if (!r) freshReach.set(a, (r = a.reach.intersect(fresh)));
    return r.overlaps(b.known);
  });
  for (const [b, as] of groups) {
    const a = as[0]!;
    const verdicts = verdictWords(as);
    emit({
      message:
        as.length === 1
          ? `rules on lines ${lineOf(a, b)} (${verb(a.rule.action)}) and ${lineOf(b, b)} (${verb(b.rule.action)}) in ${chainTitle(chain)} overlap partially with different actions: the packets both match get ${verb(a.action)} only because line ${lineOf(a, b)} comes first`
          : `rule on line ${lineOf(b, b)} (${verb(b.rule.action)}) in ${chainTitle(chain)} overlaps partially with ${as.length} earlier rules with different actions (lines ${linesNamed(as, b)}): the packets it shares with each get ${verdicts.length === 1 ? verdicts[0] : "the earlier rule's verdict"} only because that rule comes first`,
      location: locOf(b.rule),
      related: as.map((x) => ({ ...locOf(x.rule), message: `overlaps this rule and decides the common packets first (${verb(x.rule.action)})` })),
    });
  }
}

function generalization(chain: Chain, es: Entry[], rs: Ruleset, emit: Emit): void {
  // A final catch-all acts as the chain's policy: every rule above it is "an exception".
  const groups = byLaterRule(es, (a, b) => a.known.isSubsetOf(b.known) && !a.known.equals(b.known) && !isWholeUniverse(b.known, rs.families));
  for (const [b, as] of groups) {
    const a = as[0]!;
    const what = b.rule.element !== undefined ? `element ${b.rule.element} of the rule` : "rule";
    emit({
      message:
        as.length === 1
          ? `${what} generalizes line ${lineOf(a, b)}: it matches every packet line ${lineOf(a, b)} matches and more, with a different action (${verb(b.rule.action)}, not ${verb(a.rule.action)}); line ${lineOf(a, b)} is an exception that only works because it comes first`
          : `${what} generalizes ${as.length} earlier rules (lines ${linesNamed(as, b)}): it matches every packet each of them matches and more, with a different action (${verb(b.rule.action)}, not ${verdictWords(as).join(" or ")}); they are exceptions that only work because they come first`,
      location: locOf(b.rule),
      related: as.map((x) => ({ ...locOf(x.rule), message: `the exception (${verb(x.rule.action)})` })),
    });
  }
}
