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
    // The packets no earlier terminating rule matches, before each such rule and now: a rule is
    // shadowed when it takes nothing from `open` (one difference per rule, equal sets are one
    // object), and the rules deciding it are where its part of `open` shrinks.
    const earlier = new OpenHistory();
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
      const rest = earlier.open.minus(m.known);
      if (earlier.size > 0 && rest.equals(earlier.open)) {
        // The earlier rules that actually decide some of its packets (first match wins).
        const by = earlier.deciders(m.known).map((e) => ({ rule: e.rule, all: m.known.isSubsetOf(e.known) }));
        const whole = by.find((e) => e.all);
        const differs = by.filter((e) => !sameDecision(e.rule.action, r.action));
        const lines = by.map((e) => `${e.rule.span.line}`).join(", ");
        const head = whole
          ? `line ${whole.rule.span.line} (${verb(whole.rule.action)}) already matches every packet it matches`
          : `earlier rules together match every packet it matches (lines ${lines} in chain ${chain.name})`;
        const tail = differs.length > 0
          ? `; ${differs.map((e) => `line ${e.rule.span.line} (${verb(e.rule.action)})`).join(", ")} ${differs.length === 1 ? "decides" : "decide"} differently from this rule (${verb(r.action)})`
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
        earlier.push({ rule: r, known: m.known }, rest);
      }
    }
  }
  return findings;
};

interface Earlier {
  rule: Rule;
  known: PacketSet;
}

/** The open packets (matched by no earlier terminating rule) before each terminating rule. */
class OpenHistory {
  open = PacketSet.universe();
  private readonly before: PacketSet[] = [];
  private readonly rules: Earlier[] = [];

  get size(): number {
    return this.rules.length;
  }

  /** A terminating rule; `rest` is the open packets it leaves. */
  push(e: Earlier, rest: PacketSet): void {
    this.before.push(this.open);
    this.rules.push(e);
    this.open = rest;
  }

  /**
   * The earlier rules that decide some packet of `set`, in order: where `set`'s part of the open
   * packets shrinks. That part only ever shrinks, so a stretch of rules where it is the same at
   * both ends decides nothing of it, and bisection finds the k deciders with O(k log n)
   * intersections.
   */
  deciders(set: PacketSet): Earlier[] {
    const n = this.rules.length;
    const part = (i: number) => (i === n ? this.open : this.before[i]!).intersect(set);
    const out: Earlier[] = [];
    const find = (lo: number, atLo: PacketSet, hi: number, atHi: PacketSet): void => {
      if (atLo.equals(atHi)) return;
      if (hi === lo + 1) {
        out.push(this.rules[lo]!);
        return;
      }
      const mid = (lo + hi) >> 1;
      const atMid = part(mid);
      find(lo, atLo, mid, atMid);
      find(mid, atMid, hi, atHi);
    };
    if (n > 0) find(0, part(0), n, part(n));
    return out;
  }
}
