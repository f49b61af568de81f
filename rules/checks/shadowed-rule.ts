/**
 * shadowed-rule: a rule that can never match, because the rules before it in its chain -
 * possibly several together - already decide every packet it matches. Exact: the rule's match
 * is tested for containment in the union of the earlier terminating rules, so a rule hidden
 * by the union of several earlier rules is found too.
 *
 * A source rule the model holds as several rules (an nft verdict map: one per element, each with
 * its own verdict) is shadowed only when every element is; the message names the elements an
 * earlier rule decides differently.
 */
import type { Finding } from "../../src/model/finding.js";
import type { Action, Chain, Rule, Ruleset, SourceSpan } from "../../src/model/types.js";
import { decidingAction } from "../../src/model/verdict-chains.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { ProjectionList, Projections } from "../../src/space/projections.js";
import { hullsOf } from "../../src/analysis/trace.js";
import { type PartedUnion, UnionStack } from "../../src/space/union-stack.js";
import { chainTitle, compiled, lineIn, locOf, matchInChain, ruleName, sourceRules, terminates, verb, type ChainMatch } from "./chains.js";
import type { Check } from "./context.js";

/** Same verdict and target; two REJECTs decide alike whatever they answer with. */
function sameDecision(a: Action, b: Action): boolean {
  return a.kind === b.kind && (a.kind === "reject" || verb(a) === verb(b));
}

/** One model rule with what it decides with (decidingAction) and what it matches in its chain. */
interface Placed {
  rule: Rule;
  /** Its position in the chain. */
  at: number;
  action: Action;
  match: ChainMatch;
}

export const shadowedRule: Check<Record<string, never>> = (ctx, _params, rule) => {
  const rs = ctx.ruleset;
  // A source rule the model copies into several chains (a cloud rule into the chain of each
  // target it reaches, a JunOS global policy into each zone pair) can never match only when no
  // copy can: one hidden in one chain still matches in another, and removing it would change that.
  // (copies share their source span object; rules the model makes at the same position do not)
  const copies = new Map<object, number>();
  const dead = new Map<object, { finding: Finding; copies: number }>();
  for (const chain of rs.chains.values()) {
    // What earlier terminating rules match: a rule is shadowed when that holds all it matches.
    const earlier = new CoveredHistory(rs, chain);
    const placed = chain.rules.map((r, at) => ({ rule: r, at, action: decidingAction(rs, chain, r), match: matchInChain(rs, chain, r) }));
    for (const elements of sourceRules(placed)) {
      // a rule the model implies (an implicit deny, a connected route) is not the user's to remove
      const first = elements[0]!.rule;
      const message = first.implied ? undefined : judge(rs, chain, elements, earlier);
      if (!first.implied) {
        const key = first.span;
        copies.set(key, (copies.get(key) ?? 0) + 1);
        if (message) {
          const known = dead.get(key);
          if (known) known.copies++;
          else dead.set(key, { finding: { ruleId: rule.id, severity: rule.severity, ...message }, copies: 1 });
        }
      }
      for (const e of elements) {
        // A rule whose context condition is false here matches nothing: it covers nothing.
        if (terminates(e.action) && e.match.exact && !e.match.known.isEmpty()) earlier.push({ rule: e.rule, action: e.action, known: e.match.known }, e.at);
      }
    }
  }
  return [...dead].filter(([key, d]) => d.copies === copies.get(key)).map(([, d]) => d.finding);
};

/** Why a source rule never matches (with the deciding rules as related), or undefined when it may. */
function judge(rs: Ruleset, chain: Chain, elements: Placed[], earlier: CoveredHistory): Pick<Finding, "message" | "location" | "related"> | undefined {
  const loc = locOf(elements[0]!.rule);
  if (elements.every((e) => compiled(rs, e.rule).known.isEmpty())) {
    const empty = [...new Set(elements.flatMap((e) => e.rule.emptySets ?? []))];
    return {
      message:
        empty.length > 0
          ? `rule can never match: it looks packets up in ${empty.map((n) => `set @${n}`).join(" and ")}, which ${empty.length === 1 ? "holds" : "hold"} no element (nothing in the ruleset adds to ${empty.length === 1 ? "it" : "them"})`
          : `rule can never match: its conditions contradict each other (no ${rs.families.map((f) => `IPv${f}`).join("/")} packet satisfies them all)`,
      location: loc,
    };
  }
  // Elements that match nothing here (contradictory, or a context condition the hook makes false)
  // leave the others to decide. A rule that matches nothing only because of its hook is not
  // reported: "the destination is local" is the model's reading of the input hook, while
  // broadcast and multicast packets reach it too.
  const live = elements.filter((e) => !e.match.known.isEmpty());
  if (live.length === 0 || !live.every((e) => earlier.holds(e.match.known))) return undefined;
  // The earlier rules that actually decide some of its packets (first match wins).
  const found = earlier.deciders(live.length === 1 ? live[0]!.match.known : PacketSet.unionAll(live.map((e) => e.match.known)));
  const by = found.by;
  const whole = by.find((e) => e.all);
  const more = found.more ? ", and more" : "";
  // Several elements of one earlier source rule are one line here: the tail and related name them.
  const sources = [...new Set(by.map((e) => e.rule.span))];
  const at = elements[0]!.rule.span;
  const lines = sources.map((span) => lineIn(span, at)).join(", ");
  const head = whole
    ? `${name(whole, at)} (${verb(whole.rule.action)}) already matches every packet it matches`
    : sources.length === 1 && !more
      ? `the elements of line ${lines} together match every packet it matches`
      : `earlier rules together match every packet it matches (lines ${lines}${more} in ${chainTitle(chain)})`;
  // Per element, the deciders with another verdict: an earlier DROP makes a later ACCEPT dead.
  const conflicts: string[] = [];
  for (const e of live) {
    const mine = live.length === 1 ? found : earlier.deciders(e.match.known);
    const differs = mine.by.filter((d) => !sameDecision(d.action, e.action));
    if (differs.length === 0) continue;
    const also = mine.more ? ", and more" : "";
    const subject = e.rule.element !== undefined ? `element ${e.rule.element}` : "this rule";
    conflicts.push(`${differs.map((d) => `${name(d, at)} (${verb(d.rule.action)})`).join(", ")}${also} ${differs.length === 1 && !also ? "decides" : "decide"} differently from ${subject} (${verb(e.rule.action)})`);
  }
  const tail = conflicts.length > 0 ? `; ${[...new Set(conflicts)].join("; ")}` : "";
  return {
    message: `rule can never match: ${head}${tail}`,
    location: loc,
    related: by.map((e) => ({
      ...locOf(e.rule),
      message: `${e.rule.element !== undefined ? `element ${e.rule.element} ` : ""}${e.all ? "matches all" : "decides part"} of it first (${verb(e.rule.action)})`,
    })),
  };
}

/** An earlier rule in a message: its line, and its element of a map statement. */
function name(e: { rule: Rule }, at: SourceSpan): string {
  return ruleName(e.rule, at);
}

/** Deciders named per shadowed rule; the message says when there are more. */
const MAX_DECIDERS = 10;

interface Earlier {
  rule: Rule;
  action: Action;
  known: PacketSet;
}

type Decider = Pick<Earlier, "rule" | "action"> & { all: boolean };

/**
 * The packets earlier terminating rules match (the union of their matches: rule-sized sets, grown
 * balanced and kept in parts, see UnionStack), before each such rule and now, and those rules, to
 * find the ones deciding a shadowed rule without a set operation per earlier rule: they are
 * searched for in the chain's list of its rules and range index (hullsOf), among the positions of
 * the rules pushed. That list is the trace's, built once per chain with cuts from all its rules:
 * an index of the rules pushed, cut at the first search, had the cuts of the rules before it (on
 * the ASA 20k bench, 636 entries of a blocklist that meet every destination and port, so that the
 * index told none of the 9,000 rules after it apart on those).
 */
class CoveredHistory {
  private readonly covered = new UnionStack();
  /** Per position in the chain, the terminating rule pushed there and what the rules pushed before it cover. */
  private readonly pushed: ({ earlier: Earlier; before: PartedUnion } | undefined)[] = [];
  /** The positions of the rules pushed, as a bitset (ProjectionList's `among`). */
  private readonly among: Uint32Array;
  private readonly rules: ProjectionList<Rule>;

  constructor(rs: Ruleset, chain: Chain) {
    this.rules = hullsOf(rs, chain);
    this.among = new Uint32Array(Math.ceil(chain.rules.length / 32));
  }

  /** Do the earlier rules match every packet of `set`? */
  holds(set: PacketSet): boolean {
    return this.covered.snapshot().holds(set);
  }

  /** A terminating rule, at position `at` of the chain (its match is the one hullsOf lists there). */
  push(e: Earlier, at: number): void {
    this.pushed[at] = { earlier: e, before: this.covered.snapshot() };
    this.among[at >>> 5]! |= 1 << (at & 31);
    this.covered.add(e.known);
  }

  /**
   * The earlier rules that decide some packet of `set` (which they cover), in order - walking the
   * earlier rules that may meet it, each takes what is left of it first - at most MAX_DECIDERS of
   * them (a rule after a long blocklist is decided in part by every entry), each with whether it
   * matches all of `set`, then the first decider that matches all of it if it comes later; `more`
   * when some deciders are not named.
   */
  deciders(set: PacketSet): { by: Decider[]; more: boolean } {
    const by: Decider[] = [];
    // the first rule holding all of `set` after the listed ones, when it still decides some of it
    let later: { earlier: Earlier; before: PartedUnion } | undefined;
    let left = set;
    const proj = Projections.of(set);
    const next = this.rules.forEachMayMeet(
      proj,
      (_, at) => {
        const e = this.pushed[at]!.earlier;
        if (!left.overlaps(e.known)) return false;
        left = left.minus(e.known);
        by.push({ rule: e.rule, action: e.action, all: set.isSubsetOf(e.known) });
        return left.isEmpty() || by.length === MAX_DECIDERS; // a rule holding all of it leaves nothing
      },
      0,
      this.among,
    );
    if (!left.isEmpty()) {
      // Past the listed ones only the first rule holding all of it is still wanted: it decides
      // what is left when it comes, unless the rules before it took everything.
      this.rules.forEachMayHold(
        proj,
        (_, at) => {
          const p = this.pushed[at]!;
          if (!set.isSubsetOf(p.earlier.known)) return false;
          if (!p.before.holds(set)) later = p;
          return true;
        },
        next,
        this.among,
      );
    }
    if (later) by.push({ rule: later.earlier.rule, action: later.earlier.action, all: true });
    // What the listed rules left is decided by others: none but `later` when it was all still open there.
    const more = !left.isEmpty() && !(later && !later.before.meets(left));
    return { by, more };
  }
}
