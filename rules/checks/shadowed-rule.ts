/**
 * shadowed-rule: a rule that can never match, because the rules before it in its chain -
 * possibly several together - already decide every packet it matches. Exact: the rule's match
 * is tested for containment in the union of the earlier terminating rules, so a rule hidden
 * by the union of several earlier rules is found too.
 */
import { compileRule } from "../../src/analysis/compile.js";
import type { Finding } from "../../src/model/finding.js";
import type { Action, Rule } from "../../src/model/types.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { ProjectionList, Projections } from "../../src/space/projections.js";
import { type PartedUnion, UnionStack } from "../../src/space/union-stack.js";
import { verb } from "./chains.js";
import type { Check } from "./context.js";

/** Actions after which a packet never reaches the next rule of the chain. */
function terminates(a: Action): boolean {
  return a.kind !== "jump" && a.kind !== "continue";
}

/** Same verdict and target; two REJECTs decide alike whatever they answer with. */
function sameDecision(a: Action, b: Action): boolean {
  return a.kind === b.kind && (a.kind === "reject" || verb(a) === verb(b));
}

export const shadowedRule: Check<Record<string, never>> = (ctx, _params, rule) => {
  const findings: Finding[] = [];
  const families = ctx.ruleset.families;
  for (const chain of ctx.ruleset.chains.values()) {
    // What earlier terminating rules match: a rule is shadowed when that holds all it matches.
    const earlier = new CoveredHistory();
    for (const r of chain.rules) {
      const m = compileRule(r, families);
      const loc = { file: r.span.file, line: r.span.line, column: r.span.column };
      if (m.known.isEmpty()) {
        findings.push({
          ruleId: rule.id,
          severity: rule.severity,
          message: `rule can never match: its conditions contradict each other (no ${families.map((f) => `IPv${f}`).join("/")} packet satisfies them all)`,
          location: loc,
        });
        continue;
      }
      if (earlier.holds(m.known)) {
        // The earlier rules that actually decide some of its packets (first match wins).
        const found = earlier.deciders(m.known);
        const by = found.by;
        const whole = by.find((e) => e.all);
        const differs = by.filter((e) => !sameDecision(e.rule.action, r.action));
        const more = found.more ? ", and more" : "";
        const lines = by.map((e) => `${e.rule.span.line}`).join(", ");
        const head = whole
          ? `line ${whole.rule.span.line} (${verb(whole.rule.action)}) already matches every packet it matches`
          : `earlier rules together match every packet it matches (lines ${lines}${more} in chain ${chain.name})`;
        const tail = differs.length > 0
          ? `; ${differs.map((e) => `line ${e.rule.span.line} (${verb(e.rule.action)})`).join(", ")}${more} ${differs.length === 1 && !more ? "decides" : "decide"} differently from this rule (${verb(r.action)})`
          : "";
        findings.push({
          ruleId: rule.id,
          severity: rule.severity,
          message: `rule can never match: ${head}${tail}`,
          location: loc,
          related: by.map((e) => ({
            file: e.rule.span.file,
            line: e.rule.span.line,
            column: e.rule.span.column,
            message: `${e.all ? "matches all" : "decides part"} of it first (${verb(e.rule.action)})`,
          })),
        });
      }
      if (terminates(r.action) && m.unknowns.length === 0) {
        earlier.push({ rule: r, known: m.known });
      }
    }
  }
  return findings;
};

/** Deciders named per shadowed rule; the message says when there are more. */
const MAX_DECIDERS = 10;

interface Earlier {
  rule: Rule;
  known: PacketSet;
}

/**
 * The packets earlier terminating rules match (the union of their matches: rule-sized sets, grown
 * balanced and kept in parts, see UnionStack), before each such rule and now, and those rules with
 * their projections, to find the ones deciding a shadowed rule without a set operation per
 * earlier rule.
 */
class CoveredHistory {
  private readonly covered = new UnionStack();
  private readonly before: PartedUnion[] = [];
  private readonly rules = new ProjectionList<Earlier & { index: number }>();

  /** Do the earlier rules match every packet of `set`? */
  holds(set: PacketSet): boolean {
    return this.covered.snapshot().holds(set);
  }

  /** A terminating rule. */
  push(e: Earlier): void {
    this.rules.add({ ...e, index: this.before.length }, e.known);
    this.before.push(this.covered.snapshot());
    this.covered.add(e.known);
  }

  /**
   * The earlier rules that decide some packet of `set` (which they cover), in order - walking the
   * earlier rules that may meet it, each takes what is left of it first - at most MAX_DECIDERS of
   * them (a rule after a long blocklist is decided in part by every entry), each with whether it
   * matches all of `set`, then the first decider that matches all of it if it comes later; `more`
   * when some deciders are not named.
   */
  deciders(set: PacketSet): { by: { rule: Rule; all: boolean }[]; more: boolean } {
    const by: { rule: Rule; all: boolean }[] = [];
    // the first rule holding all of `set` after the listed ones, when it still decides some of it
    let later: (Earlier & { index: number }) | undefined;
    let left = set;
    const proj = Projections.of(set);
    const next = this.rules.forEachMayMeet(proj, (e) => {
      if (!left.overlaps(e.known)) return false;
      left = left.minus(e.known);
      by.push({ rule: e.rule, all: set.isSubsetOf(e.known) });
      return left.isEmpty() || by.length === MAX_DECIDERS; // a rule holding all of it leaves nothing
    });
    if (!left.isEmpty()) {
      // Past the listed ones only the first rule holding all of it is still wanted: it decides
      // what is left when it comes, unless the rules before it took everything.
      this.rules.forEachMayHold(
        proj,
        (e) => {
          if (!set.isSubsetOf(e.known)) return false;
          if (!this.before[e.index]!.holds(set)) later = e;
          return true;
        },
        next,
      );
    }
    if (later) by.push({ rule: later.rule, all: true });
    // What the listed rules left is decided by others: none but `later` when it was all still open there.
    const more = !left.isEmpty() && !(later && !this.before[later.index]!.meets(left));
    return { by, more };
  }
}
