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
 * unknown (certain) - at any depth: a dual-stack policy's per-family `or` holds each family's
 * address `or` -, then `rest`, what is left: when one `or` at the top is mixed, its unknown
 * alternatives alone (so an unknown strangers never meet, VirtualNetwork, keeps saying so at the
 * top level); otherwise the rule as written (the sure rule before it has taken its part).
 * Undefined when no `or` is mixed, or no part of the rule is certain.
 */
export function sureFirst(conditions: readonly Condition[]): { sure: Condition[]; rest: Condition[] } | undefined {
  // most rules are certain or unknown as a whole: told apart without an array per rule
  let cut = false;
  for (const c of conditions) {
    const e = certainOfOne(c);
    if (e === null) return undefined;
    if (e !== SAME) cut = true;
  }
  if (!cut) return undefined;
  const each = conditions.map(certainOfOne);
  const sure = conditions.flatMap((c, i) => (each[i] === SAME ? [c] : (each[i] as Condition[])));
  // one mixed `or` at the top, every other condition certain: the rest is its unknown alternatives
  const mixed = conditions.filter((_, i) => each[i] !== SAME);
  const top = mixed.length === 1 && mixed[0]!.kind === "or" ? mixed[0]! : undefined;
  if (top && top.kind === "or") {
    const alts = top.anyOf.map(certainOf);
    if (alts.every((a) => a === SAME || a === null)) {
      const unknownAlts = top.anyOf.filter((_, i) => alts[i] === null);
      const spread = unknownAlts.length === 1 ? unknownAlts[0]! : [{ kind: "or" as const, anyOf: unknownAlts }];
      return { sure, rest: conditions.flatMap((c) => (c === top ? spread : [c])) };
    }
  }
  return { sure, rest: [...conditions] };
}

/** certainOf: the conjunction is certain as written. */
const SAME = Symbol("same");

type Certain = Condition[] | null | typeof SAME;

/**
 * The part of a conjunction that matches for certain, as conditions: SAME when all of it does,
 * null when none of it does (an unknown condition at its top, or an `or` none of whose
 * alternatives is certain in part), else the conjunction with each mixed `or` cut down to the
 * certain parts of its alternatives. A negated `or` that holds an unknown has no certain part
 * this way (not (known or unknown) is not the known alternatives' negation).
 */
function certainOf(conds: readonly Condition[]): Certain {
  const each = conds.map(certainOfOne);
  if (each.includes(null)) return null;
  if (each.every((e) => e === SAME)) return SAME;
  return conds.flatMap((c, i) => (each[i] === SAME ? [c] : (each[i] as Condition[])));
}

/**
 * Per `or`, by identity: readers share one `or` among the rules that name the same group (an ASA
 * object-group named by hundreds of entries), so it is walked once, and its certain part is one
 * object too - which the engine, caching by identity, then compiles once (compile.ts).
 */
const certainOfOr = new WeakMap<Condition, Certain>();

/** certainOf for one condition. */
function certainOfOne(c: Condition): Certain {
  if (c.kind === "unknown") return null;
  if (c.kind !== "or") return SAME;
  const known = certainOfOr.get(c);
  if (known !== undefined) return known;
  let out: Certain;
  const parts = c.anyOf.map(certainOf);
  if (parts.every((p) => p === SAME)) out = SAME;
  else if (c.negate) out = null;
  else {
    const alts = c.anyOf.flatMap((alt, i) => {
      const p = parts[i]!;
      return p === null ? [] : [p === SAME ? alt : p];
    });
    out = alts.length === 0 ? null : alts.length === 1 ? alts[0]! : [{ kind: "or", anyOf: alts }];
  }
  certainOfOr.set(c, out);
  return out;
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
