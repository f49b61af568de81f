/**
 * A rule whose match is partly certain and partly unknown, as two rules: the engine holds an
 * unknown inside an `or` as making the whole rule uncertain (compile.ts, uncertainInOr), so a
 * field that lists known values beside ones the file cannot resolve (an Azure service tag next to
 * addresses, an ASA object-group holding an fqdn object next to hosts) would lose its word on
 * the known values too. Split, the known part goes first and matches for certain; the second rule
 * keeps the rest. Both must carry the same action and the same span object (one source rule to
 * the checks), and the action must end the packet's walk (accept, drop, reject): a jump taken for
 * certain by the first rule would be taken again by the second for the packets that return.
 */
import type { Condition, Rule } from "../src/model/types.js";

/**
 * A rule whose `or` conditions mix alternatives with and without unknown conditions, as two rules
 * of the same action tried in turn: `sure`, each such `or` cut down to its alternatives with no
 * unknown (certain), then `rest`, what is left - when one `or` is mixed, its unknown alternatives
 * alone (so an unknown strangers never meet, VirtualNetwork, keeps saying so at the top level);
 * with several, the rule as written. Undefined when no `or` is mixed, or a condition is unknown
 * whatever the alternatives (then no part of the rule is certain).
 */
export function sureFirst(conditions: readonly Condition[]): { sure: Condition[]; rest: Condition[] } | undefined {
  const sure: Condition[] = [];
  const unknownOnly: Condition[] = [];
  let mixed = 0;
  const spread = (alts: Condition[][]): Condition[] => (alts.length === 1 ? alts[0]! : [{ kind: "or", anyOf: alts }]);
  for (const c of conditions) {
    if (c.kind === "unknown") return undefined;
    if (c.kind !== "or") {
      sure.push(c);
      unknownOnly.push(c);
      continue;
    }
    const known = c.anyOf.filter((alt) => !alt.some((a) => a.kind === "unknown"));
    if (known.length === 0) return undefined;
    // not (known or unknown): what is certain of it is not the known alternatives
    if (c.negate && known.length < c.anyOf.length) return undefined;
    if (known.length === c.anyOf.length) {
      sure.push(c);
      unknownOnly.push(c);
      continue;
    }
    mixed++;
    sure.push(...spread(known));
    unknownOnly.push(...spread(c.anyOf.filter((alt) => alt.some((a) => a.kind === "unknown"))));
  }
  if (mixed === 0) return undefined;
  return { sure, rest: mixed === 1 ? unknownOnly : [...conditions] };
}

/**
 * The model rules for `rule`: its known part first (`ID#known`), then the rest, when its
 * conditions mix known and unknown alternatives (sureFirst) and its action ends the packet's walk;
 * the rule alone otherwise. Both carry the rule's span object.
 */
export function sureFirstRules(rule: Rule): Rule[] {
  const a = rule.action.kind;
  if (a !== "accept" && a !== "drop" && a !== "reject") return [rule];
  const split = sureFirst(rule.conditions);
  if (!split) return [rule];
  return [
    { ...rule, id: `${rule.id}#known`, conditions: split.sure },
    { ...rule, conditions: split.rest },
  ];
}
