/**
 * The hull of a set: per dimension, the smallest range holding every value a member has there.
 * Two sets whose hulls are apart in some dimension share no packet, and telling that costs a
 * comparison per dimension - no walk of the two diagrams, no memo entry. The pairwise questions
 * of the anomaly checks ask it of rule matches, most of which are apart in an address or a port
 * (a 4,841-rule iptables-save of a university network: a million such pairs).
 */
import { DIM_COUNT, DIM_MAX } from "./dims.js";
import * as idd from "./idd.js";
import type { Node } from "./idd.js";

export interface Hull {
  /** Per dimension, the lowest value of a member (DIM_MAX + 1 for the empty set). */
  readonly lo: readonly bigint[];
  /** Per dimension, the highest value of a member (-1 for the empty set). */
  readonly hi: readonly bigint[];
}

const memo = new WeakMap<Node, Hull>();

/** The hull of a diagram (kept per node: nodes never change). */
export function hullOfNode(root: Node): Hull {
  const known = memo.get(root);
  if (known) return known;
  const lo = DIM_MAX.map((m) => m + 1n);
  const hi = DIM_MAX.map(() => -1n);
  const widen = (dim: number, a: bigint, b: bigint) => {
    if (a < lo[dim]!) lo[dim] = a;
    if (b > hi[dim]!) hi[dim] = b;
  };
  // dimensions a path passes over without a test hold every value there
  const untested = (from: number, to: number) => {
    for (let d = from; d < to; d++) widen(d, 0n, DIM_MAX[d]!);
  };
  if (root !== idd.EMPTY) {
    untested(0, root.level);
    const seen = new Set<Node>();
    const walk = (n: Node) => {
      if (n === idd.FULL || seen.has(n)) return;
      seen.add(n);
      idd.forEachPiece(n, (a, b, kid) => {
        if (kid === idd.EMPTY) return;
        widen(n.level, a, b);
        untested(n.level + 1, kid.level);
        walk(kid);
      });
    };
    walk(root);
  }
  const hull = { lo, hi };
  memo.set(root, hull);
  return hull;
}

/** The smallest hull holding both. */
export function joinHulls(a: Hull, b: Hull): Hull {
  return { lo: a.lo.map((x, d) => (x < b.lo[d]! ? x : b.lo[d]!)), hi: a.hi.map((x, d) => (x > b.hi[d]! ? x : b.hi[d]!)) };
}

/** False when the hulls are apart in some dimension: then no set inside one meets a set inside the other. */
export function hullsMeet(a: Hull, b: Hull): boolean {
  for (let d = 0; d < DIM_COUNT; d++) if (a.lo[d]! > b.hi[d]! || b.lo[d]! > a.hi[d]!) return false;
  return true;
}
