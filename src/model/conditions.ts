/**
 * Walking a rule's conditions.
 */
import type { Condition, CtState } from "./types.js";

export type LeafCondition = Exclude<Condition, { kind: "or" }>;

/**
 * The conntrack states of a packet that has a connection attached: an INVALID or UNTRACKED packet
 * has none, and before connection tracking no packet has one. Tests of the connection (its mark,
 * helper, original tuple ...) hold only for these.
 */
export const CONNECTED_STATES: readonly CtState[] = ["new", "established", "related"];

/** Whether a `ct state` condition holds for a packet in `state`. */
export function stateHolds(c: Extract<Condition, { kind: "ctstate" }>, state: CtState): boolean {
  return c.states.includes(state) !== (c.negate === true);
}

/**
 * The conditions of a conjunction with the alternatives of every `or` opened, at any depth: each
 * single test the rule may make (for collecting the values, ports or interface names it names).
 */
export function* leafConditions(conds: readonly Condition[]): Generator<LeafCondition> {
  for (const c of conds) {
    if (c.kind === "or") for (const alt of c.anyOf) yield* leafConditions(alt);
    else yield c;
  }
}
