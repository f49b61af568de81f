/**
 * The union of many boxes built in one pass, not as a balanced tree of pairwise unions.
 *
 * A set of address . port pairs (nft `ip saddr . tcp dport @partners`, 20k elements) is an `or` of
 * one box per element. Joined pair by pair, every level of the balanced union rebuilds nodes the
 * size of its operands: n log n node builds, each allocating. Built directly, each dimension is
 * split once: the boxes are grouped by their ranges on the first dimension any of them restricts,
 * each group's remainder is built the same way one dimension down, and where the groups' ranges
 * do not overlap (distinct addresses, distinct ports - what such sets hold) the node is written
 * piece by piece. Overlapping groups are joined with ordinary unions, so the result is exact
 * either way; it is the same canonical node the pairwise unions give.
 */
import { DIM_COUNT, DIM_MAX } from "./dims.js";
import * as idd from "./idd.js";
import type { Node } from "./idd.js";
import type { BoxSpec, Ranges } from "./packet-set.js";

/** The union of the boxes (raw: not cut to the universe of well-formed packets). */
export function rawBoxUnion(boxes: readonly BoxSpec[]): Node {
  return build(boxes, 0);
}

function build(boxes: readonly BoxSpec[], from: number): Node {
  if (boxes.length === 0) return idd.EMPTY;
  let level = from;
  while (level < DIM_COUNT && !boxes.some((b) => b[level as keyof BoxSpec] !== undefined)) level++;
  if (level === DIM_COUNT) return idd.FULL;
  const free: BoxSpec[] = [];
  /** Boxes by their ranges here; `kid`: their union below this level, with the free boxes'. */
  const groups = new Map<string, { ranges: Ranges; boxes: BoxSpec[]; kid: Node }>();
  for (const b of boxes) {
    const r = b[level as keyof BoxSpec];
    if (r === undefined) {
      free.push(b);
      continue;
    }
    const key = rangesKey(r);
    const g = groups.get(key);
    if (g) g.boxes.push(b);
    else groups.set(key, { ranges: r, boxes: [b], kid: idd.EMPTY });
  }
  const freeNode = build(free, level + 1);
  const max = DIM_MAX[level]!;
  const pieces: { lo: bigint; hi: bigint; kid: Node }[] = [];
  for (const g of groups.values()) {
    const kid = (g.kid = idd.or(build(g.boxes, level + 1), freeNode));
    for (const [lo, hi] of g.ranges) {
      const a = lo < 0n ? 0n : lo;
      const b = hi > max ? max : hi;
      if (a <= b) pieces.push({ lo: a, hi: b, kid });
    }
  }
  pieces.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  for (let i = 1; i < pieces.length; i++) {
    if (pieces[i]!.lo > pieces[i - 1]!.hi) continue;
    // Ranges overlap (across groups or within one): each group's node is exact, joined by unions.
    return idd.orAll([...groups.values()].map((g) => idd.mkRanges(level, g.ranges, g.kid, freeNode)));
  }
  return idd.layRanges(level, pieces.map((p) => [p.lo, p.hi] as const), pieces.map((p) => p.kid), freeNode);
}

function rangesKey(r: Ranges): string {
  if (r.length === 1) return `${r[0]![0]}-${r[0]![1]}`;
  let s = "";
  for (const [lo, hi] of r) s += `${lo}-${hi},`;
  return s;
}
