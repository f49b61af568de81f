/**
 * A match on a list of addresses that only something outside the ruleset fills - an nft set whose
 * elements time out and no rule adds to (crowdsec's and sshguard's ban sets), an ipset created with
 * `timeout` that no `-j SET` fills (fail2ban's, crowdsec's): what it lists now is read as it is (a
 * dump of a running host lists the banned addresses), and what may be added later is an unknown
 * condition that ordinary traffic - a stranger, whom nothing has put there - does not meet (Condition
 * unknown `ordinary`). As iptables' `-m recent` lists no rule fills (parsers/iptables/ordinary.ts).
 *
 * `key in list` is "listed, or not listed and added": two disjoint alternatives, made one rule each
 * (splitRule), so that the second alone carries the unknown and ordinary traffic takes its fate
 * from it - inside one rule's `or`, an unknown makes the whole match uncertain and says nothing of
 * ordinary traffic (compile.ts, uncertainInOr). The alternatives are disjoint, so a packet meets at
 * most one of the two rules: any action splits so, jumps and marks too.
 */
import type { Condition } from "../src/model/types.js";

/** The `or` conditions that are one rule per alternative. */
const SPLITS = new WeakSet<Condition>();

/** A rule is split at most this often (2^n rules); past that its `or`s stay whole (uncertain). */
const MAX_SPLITS = 4;

/** The unknown "added since", without its value for ordinary traffic (addedSince gives it). */
export type AddedSince = Omit<Extract<Condition, { kind: "unknown" }>, "ordinary">;

/**
 * The unknown "added since" of a lookup (`notAdded`: of a negated one). Keyed by the packet's
 * source (`bySource`), the list is a ban list, which a stranger - whom nothing has put there - is
 * not in: ordinary traffic is not added. Another key (a destination a DNS daemon adds, a port a
 * daemon opens) says nothing of strangers: the condition stays unknown for them too.
 */
export function addedSince(added: AddedSince, bySource: boolean, notAdded = false): Condition {
  return bySource ? { ...added, ordinary: notAdded } : added;
}

/**
 * The conditions of `key in list` (`negate`: not in it), given the listed elements' own conditions
 * (`listed(negate)`), whether it lists none, and the unknown "added since" (see addedSince).
 */
export function outsideFilledMatch(negate: boolean, listed: (negate: boolean) => Condition[], empty: boolean, added: AddedSince, bySource: boolean): Condition[] {
  if (negate) {
    const notAdded = addedSince(added, bySource, true);
    return empty ? [notAdded] : [...listed(true), notAdded];
  }
  if (empty) return [addedSince(added, bySource)];
  const split: Condition = { kind: "or", anyOf: [listed(false), [...listed(true), addedSince(added, bySource)]] };
  SPLITS.add(split);
  return [split];
}

/** One condition list per alternative of each split `or` in `conditions` (the list itself when there is none). */
export function splitRule(conditions: readonly Condition[], left = MAX_SPLITS): Condition[][] {
  const i = left > 0 ? conditions.findIndex((c) => SPLITS.has(c)) : -1;
  if (i < 0) return [conditions as Condition[]];
  const split = conditions[i] as Extract<Condition, { kind: "or" }>;
  return split.anyOf.flatMap((alt) => splitRule([...conditions.slice(0, i), ...alt, ...conditions.slice(i + 1)], left - 1));
}
