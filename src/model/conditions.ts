/**
 * Walking a rule's conditions.
 */
import type { Condition } from "./types.js";

export type LeafCondition = Exclude<Condition, { kind: "or" }>;

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
