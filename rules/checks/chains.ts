/**
 * Helpers the per-chain checks share: rule verbs, "the whole universe of a family", jump targets,
 * which chains a path can enter, what a rule matches in its chain, and the source rules (with
 * their elements) the model rules came from.
 */
import { compileRule, inboundMatch, localDstOnPath, type CompiledMatch } from "../../src/analysis/compile.js";
import type { Location } from "../../src/model/finding.js";
import { canDrop } from "../../src/model/verdict-chains.js";
import { chainKey, lineRef, placeRef, type SourceSpan, type Action, type Chain, type Family, type Pipeline, type PipelineKind, type Rule, type Ruleset, type Stage } from "../../src/model/types.js";
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

/** The chain as a message names it: the device's own name for it, or "chain NAME". */
export function chainTitle(chain: Chain): string {
  return chain.label ?? `chain ${chain.name}`;
}

/** accept, drop or reject: the rule ends the packet's walk with a verdict. */
export function isVerdict(a: Action): a is Extract<Action, { kind: "accept" | "drop" | "reject" }> {
  return a.kind === "accept" || a.kind === "drop" || a.kind === "reject";
}

/** Does a packet the rule matches never reach the next rule of the chain (anything but a jump or continue)? */
export function terminates(a: Action): boolean {
  return a.kind !== "jump" && a.kind !== "continue";
}

/** Allow or deny: drop and reject both deny (Al-Shaer and Hamed's two actions). */
export function polarity(a: Action): "allow" | "deny" | undefined {
  if (a.kind === "accept") return "allow";
  if (a.kind === "drop" || a.kind === "reject") return "deny";
  return undefined;
}

/** The rule's match is modelled exactly (no unmodelled or path-dependent condition). */
export function isExact(m: CompiledMatch): boolean {
  return m.unknowns.length === 0 && m.context.length === 0 && m.dnat.length === 0 && m.marks.length === 0;
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

/**
 * Does the ruleset filter this path, so that what it lets through is its decision? Some filter
 * chain must run on it after routing (INPUT, FORWARD, OUTPUT, their nft hooks), or before routing
 * with a DROP policy. A chain on nft's ingress or prerouting hook that only takes out a few
 * packets (anti-spoofing, a blocklist) and accepts the rest does not make its family's other
 * paths filtered: an `ip`-only ruleset with a netdev ingress table says nothing about IPv6 - nor
 * does one whose DROP policy is the other half of a reverse-path filter (acceptsOrdinaryTraffic).
 */
export function filtersPath(ruleset: Ruleset, p: Pipeline): boolean {
  return p.stages.some((s) => {
    const chain = s.role === "filter" ? ruleset.chains.get(s.chain) : undefined;
    return chain !== undefined && (s.beforeRouting ? chain.policy === "drop" && !acceptsOrdinaryTraffic(chain) : decides(ruleset, s));
  });
}

/**
 * Does a filter stage after routing decide what its path lets through? One on the path's own hook
 * (INPUT, FORWARD, OUTPUT, their nft hooks) does; one on nft's postrouting hook (Stage.postRouting)
 * only when it can drop: a host's ruleset whose only chain on the forward path marks DSCP there
 * (no forward chain) leaves forwarding undecided, as an iptables mangle chain does.
 */
export function decides(ruleset: Ruleset, s: Stage): boolean {
  const chain = ruleset.chains.get(s.chain);
  return chain !== undefined && (!s.postRouting || canDrop(ruleset, chain));
}


/**
 * Does a chain accept every packet ordinary traffic sends - a rule whose only conditions are
 * tests ordinary traffic passes (Condition `ordinary`), as `fib saddr . mark . iif oif exists
 * accept` under `policy drop` is a reverse-path filter (NixOS's rpfilter chain)? Its DROP policy
 * then takes out only spoofed packets, whatever the rules before that accept or drop.
 */
function acceptsOrdinaryTraffic(chain: Chain): boolean {
  return chain.rules.some((r) => r.action.kind === "accept" && r.conditions.length > 0 && r.conditions.every((c) => c.kind === "unknown" && c.ordinary === true));
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
function filterEntries(ruleset: Ruleset, kinds: readonly PipelineKind[]): Map<string, PacketSet> {
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

/**
 * Per ruleset, per chain key: whether every packet the chain sees is addressed to this host (true),
 * none is (false), or it depends on the path (undefined: the hooks it runs under disagree or do
 * not decide, or no path enters it). A user chain sees what the base chains that reach it see.
 */
const localDstByChain = new WeakMap<Ruleset, Map<string, boolean | undefined>>();

export function localDstInChain(ruleset: Ruleset, key: string): boolean | undefined {
  let byChain = localDstByChain.get(ruleset);
  if (!byChain) localDstByChain.set(ruleset, (byChain = localDstOfChains(ruleset)));
  return byChain.get(key);
}

function localDstOfChains(ruleset: Ruleset): Map<string, boolean | undefined> {
  const seen = new Map<string, Set<boolean | undefined>>();
  for (const p of ruleset.pipelines) {
    for (const s of p.stages) {
      const value = localDstOnPath(p.kind, s);
      const work = [s.chain];
      while (work.length > 0) {
        const key = work.pop()!;
        const chain = ruleset.chains.get(key);
        if (!chain) continue;
        let values = seen.get(key);
        if (!values) seen.set(key, (values = new Set()));
        if (values.has(value)) continue;
        values.add(value);
        for (const r of chain.rules) {
          const t = targetKey(chain, r.action);
          if (t) work.push(t);
        }
      }
    }
  }
  const out = new Map<string, boolean | undefined>();
  for (const [key, values] of seen) out.set(key, values.size === 1 ? [...values][0] : undefined);
  return out;
}

/** What a rule matches where it stands: its chain decides the context conditions it can. */
export interface ChainMatch {
  /** Packets that satisfy every modelled condition (nothing when a context condition is false here). */
  known: PacketSet;
  /** The rule matches exactly `known`: no unmodelled condition, no context condition left open. */
  exact: boolean;
}

export function matchInChain(ruleset: Ruleset, chain: Chain, r: Rule): ChainMatch {
  const m = compiled(ruleset, r);
  // whether the connection was DNATed depends on the packet's path before the chain: never exact here
  // nor does the mark: it is set on the path (a chain reached from several places may see several)
  if (m.dnat.length > 0 || m.marks.length > 0) return { known: m.known, exact: false };
  if (m.context.length === 0) return { known: m.known, exact: m.unknowns.length === 0 };
  // "Is the destination local?" is a fact of the path, not of the packet: only a chain whose
  // every path agrees on it (input: yes; forward after routing: no) makes the rule exact.
  const local = localDstInChain(ruleset, chainKey(chain.table, chain.name));
  if (local === undefined) return { known: m.known, exact: false };
  // false here: the rule matches nothing in this chain, whatever else it asks
  if (!local) return m.context.some((c) => !c.negate) ? { known: PacketSet.empty(), exact: true } : { known: m.known, exact: m.unknowns.length === 0 };
  // true (the input path): decided as the evaluator decides it there
  return { known: inboundMatch(m).known, exact: m.unknowns.length === 0 };
}

/**
 * The chain's rules grouped by the source rule they came from, in order. A parser that expands one
 * statement into several rules (nft verdict and NAT maps: one rule per element) gives them the
 * statement's span object; each other rule is a group of its own.
 */
export function sourceRules<T extends { rule: Rule }>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (const it of items) {
    const last = out[out.length - 1];
    if (last && last[0]!.rule.span === it.rule.span) last.push(it);
    else out.push([it]);
  }
  return out;
}

/**
 * A rule's name in messages: "line 5", or for one element of a map statement ("tcp dport vmap
 * { 5432 : accept, 22 : accept }") "line 5 element 5432", so a finding says which element it is
 * about. A statement the model splits for its own reasons (a match on the original tuple: new
 * connections, the others) is named by its line alone. `at`: where the finding is; a rule in
 * another file (an nft include) is named with its file, "line nftables.d/05-hold.nft:1".
 */
export function ruleName(r: Rule, at?: SourceSpan): string {
  return `line ${ruleLine(r, at)}`;
}

/** What follows "line" in ruleName: "5", or "5 element 5432" (for messages that list several lines). */
export function ruleLine(r: Rule, at?: SourceSpan): string {
  const line = lineIn(r.span, at);
  return r.element !== undefined ? `${line} element ${r.element}` : line;
}

/**
 * A line for a message about the rule at `at`: "5", or "file:5" when it lies in another file (an
 * included one, or its includer): line 1 of nftables.d/05-hold.nft is not line 1 of the rule's file.
 */
export function lineIn(span: SourceSpan, at?: SourceSpan): string {
  return at !== undefined && span.file !== at.file ? placeRef(span) : lineRef(span);
}

/** Per ruleset, its model rules (with their chains) by source rule (see rulesOfSource). */
const rulesBySource = new WeakMap<Ruleset, Map<string, PlacedRule[]>>();

/** A model rule and the chain it stands in (with its key). */
export interface PlacedRule {
  rule: Rule;
  chain: Chain;
  key: string;
}

/**
 * What tells a source rule's model rules from others: its place (file, line, column, label) -
 * readers give the rules they make of one source rule its span, or a copy of it (iptables-restore's
 * comma lists: a rule per address) -, and its verdict and whether the model implies it: a cloud's
 * implied rules are placed at the first rule of the file.
 */
function sourceKey(r: Rule): string {
  const s = r.span;
  return `${s.file}\n${s.line}\n${s.column}\n${s.label ?? ""}\n${r.action.kind}\n${r.implied === true}`;
}

/**
 * The model rules made from the source rule `rule` was made from: every copy of it (a cloud rule in
 * the chain of each target, a JunOS global policy in each zone pair), every element of a map
 * statement with its verdict, every address of an iptables comma list.
 */
export function rulesOfSource(ruleset: Ruleset, rule: Rule): readonly PlacedRule[] {
  let index = rulesBySource.get(ruleset);
  if (!index) {
    index = new Map();
    for (const [key, chain] of ruleset.chains) {
      for (const r of chain.rules) {
        const k = sourceKey(r);
        const list = index.get(k);
        if (list) list.push({ rule: r, chain, key });
        else index.set(k, [{ rule: r, chain, key }]);
      }
    }
    rulesBySource.set(ruleset, index);
  }
  return index.get(sourceKey(rule)) ?? [];
}

/** filterEntries per ruleset and path kind, computed once. */
const entriesByKind = new WeakMap<Ruleset, Map<PipelineKind, Map<string, PacketSet>>>();

export function filterEntriesOf(ruleset: Ruleset, kind: PipelineKind): Map<string, PacketSet> {
  let byKind = entriesByKind.get(ruleset);
  if (!byKind) entriesByKind.set(ruleset, (byKind = new Map()));
  let entries = byKind.get(kind);
  if (!entries) byKind.set(kind, (entries = filterEntries(ruleset, [kind])));
  return entries;
}
