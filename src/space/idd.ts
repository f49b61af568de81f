/**
 * Interval decision diagrams: a canonical, exact representation of sets of points in a
 * product of integer ranges.
 *
 * A node tests one dimension (its level). It partitions that dimension's whole range
 * [0, DIM_MAX[level]] into pieces; each piece leads to a child for the remaining dimensions.
 * Neighbouring pieces never share a child (they are merged), a node with a single piece is
 * replaced by its child (the dimension is unconstrained there), and nodes are hash-consed,
 * so two equal sets are the same object: equality and emptiness are pointer tests, and the
 * set operations can be memoized by node identity.
 */
import { DIM_COUNT, DIM_MAX } from "./dims.js";

export interface Node {
  readonly id: number;
  /** Dimension tested; DIM_COUNT for the two terminals. */
  readonly level: number;
  /** Start of each piece; cuts[0] is 0n. Piece i ends where piece i+1 starts, the last at DIM_MAX. */
  readonly cuts: readonly bigint[];
  readonly kids: readonly Node[];
}

export const EMPTY: Node = { id: 0, level: DIM_COUNT, cuts: [], kids: [] };
export const FULL: Node = { id: 1, level: DIM_COUNT, cuts: [], kids: [] };

let nextId = 2;
const unique = new Map<number, Node[]>();

/**
 * A cut folded to 32 bits. Every 32-bit word counts: IPv6 prefixes often differ only in bits
 * 32..95 (2001:db8:X::/48), and ignoring those made all such nodes share one hash bucket.
 */
function lowBits(c: bigint): number {
  if (c <= 0xffffffffn) return Number(c);
  let h = Number(c & 0xffffffffn);
  for (let rest = c >> 32n; rest > 0n; rest >>= 32n) h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ Number(rest & 0xffffffffn);
  return h;
}

/**
 * Hash of a partition: every child id and every cut (small cuts converted directly, large ones
 * folded word by word), so partitions that differ anywhere - also in the middle - land in
 * different buckets.
 */
function hashOf(level: number, cuts: readonly bigint[], kids: readonly Node[]): number {
  const n = kids.length;
  let h = Math.imul(level + 1, 0x9e3779b1) ^ n;
  for (let i = 0; i < n; i++) {
    const c = cuts[i]!;
    h = Math.imul(h ^ kids[i]!.id, 0x85ebca6b);
    h = Math.imul(h ^ (c <= 0xffffffffn ? Number(c) : lowBits(c)), 0xc2b2ae35);
    h ^= h >>> 15;
  }
  return h | 0;
}

function sameNode(n: Node, level: number, cuts: readonly bigint[], kids: readonly Node[]): boolean {
  if (n.level !== level || n.kids.length !== kids.length) return false;
  for (let i = 0; i < kids.length; i++) {
    if (n.kids[i] !== kids[i] || n.cuts[i] !== cuts[i]) return false;
  }
  return true;
}

/**
 * The canonical node for a partition. `cuts`/`kids` must already be merged (no neighbours with
 * the same child) and start at 0n.
 */
export function mk(level: number, cuts: bigint[], kids: Node[]): Node {
  if (kids.length === 1) return kids[0]!;
  const h = hashOf(level, cuts, kids);
  let bucket = unique.get(h);
  if (bucket) {
    for (const n of bucket) if (sameNode(n, level, cuts, kids)) return n;
  } else {
    bucket = [];
    unique.set(h, bucket);
  }
  const node: Node = { id: nextId++, level, cuts, kids };
  bucket.push(node);
  return node;
}

/** A node constraining one dimension to a sorted list of disjoint inclusive ranges. */
export function mkRanges(level: number, ranges: readonly (readonly [bigint, bigint])[], inside: Node, outside: Node = EMPTY): Node {
  const max = DIM_MAX[level]!;
  const cuts: bigint[] = [];
  const kids: Node[] = [];
  const push = (start: bigint, kid: Node) => {
    if (kids.length > 0 && kids[kids.length - 1] === kid) return;
    cuts.push(start);
    kids.push(kid);
  };
  let pos = 0n;
  for (const [lo0, hi0] of normalizeRanges(ranges, max)) {
    if (lo0 > pos) push(pos, outside);
    push(lo0, inside);
    pos = hi0 + 1n;
  }
  if (pos <= max) push(pos, outside);
  if (kids.length === 0) return outside;
  return mk(level, cuts, kids);
}

/** Sorts, clips to [0, max] and merges overlapping or touching ranges. */
export function normalizeRanges(ranges: readonly (readonly [bigint, bigint])[], max: bigint): [bigint, bigint][] {
  const sorted = ranges
    .map(([lo, hi]) => [lo < 0n ? 0n : lo, hi > max ? max : hi] as [bigint, bigint])
    .filter(([lo, hi]) => lo <= hi)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1n) {
      if (r[1] > last[1]) last[1] = r[1];
    } else out.push([r[0], r[1]]);
  }
  return out;
}

type Op = 0 | 1 | 2; // and, or, diff
/** Memo per operation, keyed by the two operand ids packed into one number (ids stay below 2^26). */
const memo: Map<number, Node>[] = [new Map(), new Map(), new Map()];
const ID_SPACE = 67108864; // 2^26: a * 2^26 + b stays an exact integer below 2^53
const MEMO_LIMIT = 2_000_000;

function terminalCase(op: Op, a: Node, b: Node): Node | undefined {
  switch (op) {
    case 0:
      if (a === EMPTY || b === EMPTY) return EMPTY;
      if (a === FULL) return b;
      if (b === FULL || a === b) return a;
      return undefined;
    case 1:
      if (a === EMPTY || b === FULL) return b;
      if (b === EMPTY || a === FULL || a === b) return a;
      return undefined;
    case 2:
      if (a === EMPTY || b === FULL || a === b) return EMPTY;
      if (b === EMPTY) return a;
      return undefined;
  }
}

function apply(op: Op, a: Node, b: Node): Node {
  const t = terminalCase(op, a, b);
  if (t !== undefined) return t;
  if (op !== 2 && a.id > b.id) [a, b] = [b, a]; // and/or commute
  const key = a.id < ID_SPACE && b.id < ID_SPACE ? a.id * ID_SPACE + b.id : -1;
  const table = memo[op]!;
  const hit = key >= 0 ? table.get(key) : undefined;
  if (hit) return hit;

  const level = a.level < b.level ? a.level : b.level;
  const aCuts = a.level === level ? a.cuts : ZERO_CUTS;
  const aKids = a.level === level ? a.kids : [a];
  const bCuts = b.level === level ? b.cuts : ZERO_CUTS;
  const bKids = b.level === level ? b.kids : [b];

  const na = aKids.length;
  const nb = bKids.length;
  if (nb <= SPARSE_SMALL && na >= SPARSE_BIG) return remember(op, key, sparse(op, level, aCuts, aKids, bCuts, bKids));
  if (op !== 2 && na <= SPARSE_SMALL && nb >= SPARSE_BIG) return remember(op, key, sparse(op, level, bCuts, bKids, aCuts, aKids));
  const cuts: bigint[] = [];
  const kids: Node[] = [];
  let i = 0;
  let j = 0;
  let pos = 0n;
  for (;;) {
    const kid = apply(op, aKids[i]!, bKids[j]!);
    if (kids.length === 0 || kids[kids.length - 1] !== kid) {
      cuts.push(pos);
      kids.push(kid);
    }
    const nextA = i + 1 < na ? aCuts[i + 1]! : -1n;
    const nextB = j + 1 < nb ? bCuts[j + 1]! : -1n;
    if (nextA < 0n && nextB < 0n) break;
    if (nextB < 0n || (nextA >= 0n && nextA < nextB)) {
      pos = nextA;
      i++;
    } else if (nextA < 0n || nextB < nextA) {
      pos = nextB;
      j++;
    } else {
      pos = nextA;
      i++;
      j++;
    }
  }
  return remember(op, key, mk(level, cuts, kids));
}

function remember(op: Op, key: number, res: Node): Node {
  if (key < 0) return res;
  const table = memo[op]!;
  if (table.size > MEMO_LIMIT) table.clear();
  table.set(key, res);
  return res;
}

const SPARSE_SMALL = 8;
const SPARSE_BIG = 64;

/**
 * `big op small` when `small` has few pieces: each piece of `small` either leaves the pieces of
 * `big` it spans unchanged (copied without recursion), replaces them all, or is combined piece
 * by piece. Cost grows with the pieces that change, plus a cheap copy of the rest. For `diff`,
 * `big` must be the left operand; `and`/`or` commute.
 */
function sparse(op: Op, level: number, bigCuts: readonly bigint[], bigKids: readonly Node[], smallCuts: readonly bigint[], smallKids: readonly Node[]): Node {
  const cuts: bigint[] = [];
  const kids: Node[] = [];
  const push = (start: bigint, kid: Node) => {
    if (kids.length > 0 && kids[kids.length - 1] === kid) return;
    cuts.push(start);
    kids.push(kid);
  };
  const max = DIM_MAX[level]!;
  const find = (v: bigint): number => {
    let lo = 0;
    let hi = bigCuts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bigCuts[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (let j = 0; j < smallKids.length; j++) {
    const start = smallCuts[j]!;
    const end = j + 1 < smallKids.length ? smallCuts[j + 1]! - 1n : max;
    const sk = smallKids[j]!;
    const i0 = find(start);
    const i1 = find(end);
    const neutral = op === 0 ? sk === FULL : sk === EMPTY;
    const absorbing = op === 0 ? sk === EMPTY : op === 1 ? sk === FULL : sk === FULL;
    if (absorbing) {
      push(start, op === 1 ? FULL : EMPTY);
    } else if (neutral) {
      push(start, bigKids[i0]!);
      for (let i = i0 + 1; i <= i1; i++) push(bigCuts[i]!, bigKids[i]!);
    } else {
      push(start, apply(op, bigKids[i0]!, sk));
      for (let i = i0 + 1; i <= i1; i++) push(bigCuts[i]!, apply(op, bigKids[i]!, sk));
    }
  }
  return mk(level, cuts, kids);
}

const ZERO_CUTS: readonly bigint[] = [0n];

export const and = (a: Node, b: Node): Node => apply(0, a, b);
export const or = (a: Node, b: Node): Node => apply(1, a, b);
export const diff = (a: Node, b: Node): Node => apply(2, a, b);

/** Union of many sets, combined pairwise so the work stays balanced. */
export function orAll(nodes: readonly Node[]): Node {
  let layer = nodes.slice();
  if (layer.length === 0) return EMPTY;
  while (layer.length > 1) {
    const next: Node[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(i + 1 < layer.length ? or(layer[i]!, layer[i + 1]!) : layer[i]!);
    layer = next;
  }
  return layer[0]!;
}

const existsMemo = new Map<string, Node>();

/** Forgets the given dimensions: the set of points that agree with some member on every other dimension. */
export function exists(a: Node, levels: readonly number[]): Node {
  if (a === EMPTY || a === FULL || levels.length === 0) return a;
  const key = `${a.id}:${levels.join(",")}`;
  const hit = existsMemo.get(key);
  if (hit) return hit;
  let res: Node;
  const kidsDone = a.kids.map((k) => exists(k, levels));
  if (levels.includes(a.level)) {
    res = orAll(kidsDone);
  } else {
    const cuts: bigint[] = [];
    const kids: Node[] = [];
    for (let i = 0; i < kidsDone.length; i++) {
      if (kids.length > 0 && kids[kids.length - 1] === kidsDone[i]) continue;
      cuts.push(a.cuts[i]!);
      kids.push(kidsDone[i]!);
    }
    res = mk(a.level, cuts, kids);
  }
  if (existsMemo.size > MEMO_LIMIT) existsMemo.clear();
  existsMemo.set(key, res);
  return res;
}

/** The child reached for `value` at `level` (the node itself when it does not test that level). */
export function restrict(a: Node, level: number, value: bigint): Node {
  if (a.level > level) return a;
  if (a.level < level) {
    const cuts: bigint[] = [];
    const kids: Node[] = [];
    for (let i = 0; i < a.kids.length; i++) {
      const k = restrict(a.kids[i]!, level, value);
      if (kids.length > 0 && kids[kids.length - 1] === k) continue;
      cuts.push(a.cuts[i]!);
      kids.push(k);
    }
    return mk(a.level, cuts, kids);
  }
  return a.kids[pieceIndex(a, value)]!;
}

export function pieceIndex(a: Node, value: bigint): number {
  let lo = 0;
  let hi = a.cuts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a.cuts[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Inclusive end of piece i of a node. */
export function pieceEnd(a: Node, i: number): bigint {
  return i + 1 < a.cuts.length ? a.cuts[i + 1]! - 1n : DIM_MAX[a.level]!;
}

/** Does the set contain the point (one value per dimension)? A value outside its dimension's range is in no set. */
export function contains(a: Node, point: readonly bigint[]): boolean {
  for (let d = 0; d < DIM_COUNT; d++) {
    const v = point[d];
    if (v === undefined || v < 0n || v > DIM_MAX[d]!) return false;
  }
  let n = a;
  while (n !== EMPTY && n !== FULL) n = n.kids[pieceIndex(n, point[n.level]!)]!;
  return n === FULL;
}

/** Number of nodes reachable from a (size of the diagram), for benchmarks and tests. */
export function nodeCount(a: Node): number {
  const seen = new Set<number>();
  const stack = [a];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    for (const k of n.kids) stack.push(k);
  }
  return seen.size;
}

/**
 * Forgets the hash-consing table and the memos, to bound memory between independent analyses
 * (one file after another). Sets built before stay valid: terminals are shared, emptiness and
 * containment stay exact; only identity-based equality between an old and a new set is lost.
 */
/** Caches kept by other modules over nodes (keyed by node id): cleared with this module's own. */
const resetHooks: (() => void)[] = [];
export function onResetCaches(clear: () => void): void {
  resetHooks.push(clear);
}

export function resetCaches(): void {
  unique.clear();
  for (const m of memo) m.clear();
  existsMemo.clear();
  for (const clear of resetHooks) clear();
}
