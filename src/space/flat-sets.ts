/**
 * Rule-sized packet sets in flat typed arrays: the same canonical interval decision diagrams as
 * idd.ts, for the unions of rule matches that the evaluator and the checks grow one rule at a
 * time (UnionStack), with none of the per-node costs of the object form - a node is an index into
 * typed arrays, its cuts are doubles, its children ids - so building and hash-consing a node
 * allocates nothing the garbage collector has to copy or walk. (ASA bench, 20k ACEs: the four
 * access lists' unions and first-match remainders 943-1,100 ms as objects, 368-393 ms here.)
 *
 * A set comes here only when it fits: every cut below 2^53 (exact as a double: ports, protocols,
 * IPv4 addresses, not IPv6 addresses or interface names) and no node wider than FLAT_MAX_PIECES
 * (large sets keep the object form's chunked nodes, whose unions share the untouched chunks). The
 * set operations only ever cut where their operands cut, so whatever is built from sets that fit
 * fits too. toFlat and fromFlat convert, each conversion remembered both ways, so a set converted
 * back and forth is the same node each time.
 *
 * Everything here is forgotten with idd's caches (resetCaches), like the object form's tables.
 */
import { DIM_COUNT } from "./dims.js";
import * as idd from "./idd.js";
import type { Node } from "./idd.js";
import { PairFlags, PairInts } from "./pair-memo.js";

/** A flat set: the id of its root node. */
export type FlatSet = number;
export const FLAT_EMPTY: FlatSet = 0;
const FLAT_FULL: FlatSet = 1;

/** Nodes wider than this stay in the object form (see above). */
export const FLAT_MAX_PIECES = 4096;
/** Cuts from here on are not exact as doubles. */
const EXACT = 2n ** 53n;
/**
 * Pieces the flat sets of one analysis may hold (12 bytes each, outside the JavaScript heap and
 * its budget). Past it nothing more is built flat: the operation that would pass it stops with
 * FlatFull, which the callers (flatOrUndefined) take as "does not fit", and the unions go on as
 * objects, within the heap's budget (budget.ts).
 */
let maxPieces = 1 << 25;

/** The flat store is full (see maxPieces). */
class FlatFull extends Error {
  constructor() {
    super("the flat sets of this analysis are full");
  }
}
const FULL_STORE = new FlatFull();

/** Sets how many pieces the flat sets may hold (tests; forgets every flat set). */
export function configureFlatLimit(pieces: number): void {
  maxPieces = pieces;
  reset();
}

/**
 * `op()`, or undefined when it would pass the flat store's limit (the scratch it was building on
 * is dropped). Every flat operation that builds is run through this by its callers.
 */
export function flatOrUndefined<T>(op: () => T): T | undefined {
  const base = top;
  try {
    return op();
  } catch (e) {
    if (e !== FULL_STORE) throw e;
    top = base;
    return undefined;
  }
}

// Nodes: level, first piece in the pools, piece count, hash. Ids 0 and 1 are EMPTY and FULL.
let level = new Uint8Array(0);
let first = new Int32Array(0);
let count = new Int32Array(0);
let hashes = new Int32Array(0);
let nodeTop = 2;
// Pieces of every node, one after the other: where each starts, and its child.
let cuts = new Float64Array(0);
let kids = new Int32Array(0);
let poolTop = 0;
// Pieces of the nodes being built (a stack: an operation builds its result above its caller's).
let scratchCuts = new Float64Array(0);
let scratchKids = new Int32Array(0);
let top = 0;
// The hash-consing table: node ids by hash, open addressing (0 is free).
let table = new Int32Array(0);
let tableSize = 0;

/** Results of the operations (and, or, diff) and of the tests (meet, outside), by the two ids. */
let ops: PairInts[] = [];
let tests: PairFlags[] = [];
/** Entries a memo keeps before it starts again (as idd's). */
const MEMO_LIMIT = 2_000_000;
/**
 * Conversions, both ways. An object node keeps its flat form in `flatForm`, stamped with the
 * generation of the flat sets it belongs to (they are all forgotten at each reset): 0 when not
 * known, else generation * 2^27 + (flat id + 2), where flat id -1 means "does not fit".
 */
let generation = 0;
const GEN = 2 ** 27;
let nodeOf = new Map<FlatSet, Node>();

function knownFlat(n: Node): number | undefined {
  const f = n.flatForm;
  return f >= generation * GEN && f < (generation + 1) * GEN ? (f % GEN) - 2 : undefined;
}

function recordFlat(n: Node, id: number): void {
  n.flatForm = generation * GEN + id + 2;
}

function reset(): void {
  generation++;
  // Nothing built since the last reset (a file no long union met, and start-up, where idd resets
  // again before the first analysis): the empty store and its memos stand as they are.
  if (nodeTop === 2 && level.length > 0) return;
  level = new Uint8Array(1 << 14);
  first = new Int32Array(1 << 14);
  count = new Int32Array(1 << 14);
  hashes = new Int32Array(1 << 14);
  level[FLAT_EMPTY] = DIM_COUNT;
  level[FLAT_FULL] = DIM_COUNT;
  nodeTop = 2;
  cuts = new Float64Array(1 << 16);
  kids = new Int32Array(1 << 16);
  poolTop = 0;
  scratchCuts = new Float64Array(1 << 12);
  scratchKids = new Int32Array(1 << 12);
  top = 0;
  table = new Int32Array(1 << 15);
  tableSize = 0;
  ops = [new PairInts(MEMO_LIMIT), new PairInts(MEMO_LIMIT), new PairInts(MEMO_LIMIT)];
  tests = [new PairFlags(MEMO_LIMIT), new PairFlags(MEMO_LIMIT), new PairFlags(MEMO_LIMIT)];
  nodeOf = new Map([
    [FLAT_EMPTY, idd.EMPTY],
    [FLAT_FULL, idd.FULL],
  ]);
}
reset();
idd.onResetCaches(reset);

/**
 * A copy of `a` with room for `need` entries: past the small first size, at least `jump`, then
 * fourfold. Fresh memory costs only once touched, so the room ahead is cheap, and copying is not:
 * growing the pieces twofold copied 80 ms of the ASA bench, and from 2^22 fourfold still 55 ms
 * (one copy of 48 MB into fresh pages).
 */
function grown<T extends Int32Array | Float64Array | Uint8Array>(a: T, need: number, jump: number): T {
  let n = Math.max(a.length, jump);
  while (n < need) n *= 4;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

function hashOf(lv: number, from: number, to: number): number {
  let h = Math.imul(lv + 1, 0x9e3779b1) ^ (to - from);
  for (let i = from; i < to; i++) {
    const c = scratchCuts[i]!;
    h = Math.imul(h ^ scratchKids[i]!, 0x85ebca6b);
    h = Math.imul(h ^ (c | 0) ^ ((c / 4294967296) | 0), 0xc2b2ae35);
    h ^= h >>> 15;
  }
  return h;
}

/** Appends a piece to the node being built, merged with the previous one when their children agree. */
function push(base: number, cut: number, kid: FlatSet): void {
  if (top > base && scratchKids[top - 1] === kid) return;
  if (top >= scratchCuts.length) {
    scratchCuts = grown(scratchCuts, top + 1, 1 << 16);
    scratchKids = grown(scratchKids, top + 1, 1 << 16);
  }
  scratchCuts[top] = cut;
  scratchKids[top] = kid;
  top++;
}

/** The canonical node of the pieces built since `base` (which are then dropped). */
function finish(lv: number, base: number): FlatSet {
  const n = top - base;
  if (n === 1) {
    top = base;
    return scratchKids[base]!;
  }
  const h = hashOf(lv, base, top);
  const mask = table.length - 1;
  let slot = h & mask;
  for (let id = table[slot]!; id !== 0; slot = (slot + 1) & mask, id = table[slot]!) {
    if (hashes[id] !== h || level[id] !== lv || count[id] !== n) continue;
    const at = first[id]!;
    let same = true;
    for (let k = 0; k < n && same; k++) same = cuts[at + k] === scratchCuts[base + k] && kids[at + k] === scratchKids[base + k];
    if (same) {
      top = base;
      return id;
    }
  }
  if (poolTop + n > maxPieces) throw FULL_STORE;
  if (nodeTop >= level.length) {
    level = grown(level, nodeTop + 1, 1 << 22);
    first = grown(first, nodeTop + 1, 1 << 22);
    count = grown(count, nodeTop + 1, 1 << 22);
    hashes = grown(hashes, nodeTop + 1, 1 << 22);
  }
  if (poolTop + n > cuts.length) {
    cuts = grown(cuts, poolTop + n, 1 << 24);
    kids = grown(kids, poolTop + n, 1 << 24);
  }
  const id = nodeTop++;
  level[id] = lv;
  first[id] = poolTop;
  count[id] = n;
  hashes[id] = h;
  for (let k = 0; k < n; k++) {
    cuts[poolTop + k] = scratchCuts[base + k]!;
    kids[poolTop + k] = scratchKids[base + k]!;
  }
  poolTop += n;
  top = base;
  table[slot] = id;
  if (++tableSize * 2 > table.length) rehash();
  return id;
}

function rehash(): void {
  table = new Int32Array(table.length * 2);
  const mask = table.length - 1;
  for (let id = 2; id < nodeTop; id++) {
    let slot = hashes[id]! & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = id;
  }
}

/** The result of `op` (0 and, 1 or, 2 diff) where a terminal decides it, else -1. */
function terminalCase(op: number, a: FlatSet, b: FlatSet): number {
  if (op === 0) {
    if (a === FLAT_EMPTY || b === FLAT_EMPTY) return FLAT_EMPTY;
    if (a === FLAT_FULL) return b;
    if (b === FLAT_FULL || a === b) return a;
  } else if (op === 1) {
    if (a === FLAT_EMPTY || b === FLAT_FULL) return b;
    if (b === FLAT_EMPTY || a === FLAT_FULL || a === b) return a;
  } else {
    if (a === FLAT_EMPTY || b === FLAT_FULL || a === b) return FLAT_EMPTY;
    if (b === FLAT_EMPTY) return a;
  }
  return -1;
}

/**
 * What `op` gives wherever one operand's child is `kid` (on the left when `left`), whatever the
 * other's is: EMPTY where an intersection has an EMPTY side or a difference an EMPTY left side or
 * a FULL right side, FULL where a union has a FULL side; -1 when it depends on the other side.
 */
function absorbed(op: number, kid: FlatSet, left: boolean): number {
  if (op === 1) return kid === FLAT_FULL ? FLAT_FULL : -1;
  if (kid === FLAT_EMPTY) return op === 0 || left ? FLAT_EMPTY : -1;
  return op === 2 && !left && kid === FLAT_FULL ? FLAT_EMPTY : -1;
}

/** The piece among [from, to] of a node that holds `value` (cuts[from] <= value). */
function pieceAt(from: number, to: number, value: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cuts[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * `a op b`, one level at a time: where one side tests a deeper level it is one piece over the
 * whole dimension, else the two partitions are merged piece by piece.
 */
function apply(op: number, a: FlatSet, b: FlatSet): FlatSet {
  const t = terminalCase(op, a, b);
  if (t >= 0) return t;
  if (op !== 2 && a > b) [a, b] = [b, a]; // and/or commute
  const memo = ops[op]!;
  const hit = memo.get(a, b);
  if (hit >= 0) return hit;
  const la = level[a]!;
  const lb = level[b]!;
  const base = top;
  let lv: number;
  if (la < lb) {
    lv = la;
    for (let i = first[a]!, end = i + count[a]!; i < end; i++) {
      const c = cuts[i]!;
      push(base, c, apply(op, kids[i]!, b));
    }
  } else if (lb < la) {
    lv = lb;
    for (let j = first[b]!, end = j + count[b]!; j < end; j++) {
      const c = cuts[j]!;
      push(base, c, apply(op, a, kids[j]!));
    }
  } else {
    lv = la;
    let i = first[a]!;
    let j = first[b]!;
    const endA = i + count[a]! - 1;
    const endB = j + count[b]! - 1;
    let pos = 0;
    for (;;) {
      const nextA = i < endA ? cuts[i + 1]! : Infinity;
      const nextB = j < endB ? cuts[j + 1]! : Infinity;
      // One side's piece runs on past the other's: when its child decides the result there, the
      // other side's pieces up to where it ends are passed over at once (a binary search), not
      // combined one by one - a rule-sized set against a union of thousands of rules.
      const over = nextA > nextB ? absorbed(op, kids[i]!, true) : nextB > nextA ? absorbed(op, kids[j]!, false) : -1;
      if (over >= 0) {
        push(base, pos, over);
        if (nextA > nextB) {
          if (nextA === Infinity) break;
          j = pieceAt(j, endB, nextA);
          i++;
          pos = nextA;
        } else {
          if (nextB === Infinity) break;
          i = pieceAt(i, endA, nextB);
          j++;
          pos = nextB;
        }
        continue;
      }
      push(base, pos, apply(op, kids[i]!, kids[j]!));
      if (nextA === Infinity && nextB === Infinity) break;
      if (nextA <= nextB) i++;
      if (nextB <= nextA) j++;
      pos = nextA < nextB ? nextA : nextB;
    }
  }
  const r = finish(lv, base);
  memo.set(a, b, r);
  return r;
}

/** Is `a op b` non-empty (op 0: do they meet; 2: is some of a outside b)? Builds nothing. */
function nonEmpty(op: number, a: FlatSet, b: FlatSet): boolean {
  const t = terminalCase(op, a, b);
  if (t >= 0) return t !== FLAT_EMPTY;
  if (op === 0 && a > b) [a, b] = [b, a];
  const memo = tests[op]!;
  const hit = memo.get(a, b);
  if (hit !== undefined) return hit;
  const la = level[a]!;
  const lb = level[b]!;
  let res = false;
  if (la < lb) {
    for (let i = first[a]!, end = i + count[a]!; i < end && !res; i++) res = nonEmpty(op, kids[i]!, b);
  } else if (lb < la) {
    for (let j = first[b]!, end = j + count[b]!; j < end && !res; j++) res = nonEmpty(op, a, kids[j]!);
  } else {
    let i = first[a]!;
    let j = first[b]!;
    const endA = i + count[a]! - 1;
    const endB = j + count[b]! - 1;
    for (;;) {
      const nextA = i < endA ? cuts[i + 1]! : Infinity;
      const nextB = j < endB ? cuts[j + 1]! : Infinity;
      // a piece whose child leaves nothing there passes over the other side's pieces (see apply)
      if (nextA > nextB && absorbed(op, kids[i]!, true) === FLAT_EMPTY) {
        if (nextA === Infinity) break;
        j = pieceAt(j, endB, nextA);
        i++;
        continue;
      }
      if (nextB > nextA && absorbed(op, kids[j]!, false) === FLAT_EMPTY) {
        if (nextB === Infinity) break;
        i = pieceAt(i, endA, nextB);
        j++;
        continue;
      }
      if (nonEmpty(op, kids[i]!, kids[j]!)) {
        res = true;
        break;
      }
      if (nextA === Infinity && nextB === Infinity) break;
      if (nextA <= nextB) i++;
      if (nextB <= nextA) j++;
    }
  }
  memo.set(a, b, res);
  return res;
}

export const flatUnion = (a: FlatSet, b: FlatSet): FlatSet => apply(1, a, b);
export const flatMinus = (a: FlatSet, b: FlatSet): FlatSet => apply(2, a, b);
export const flatIntersect = (a: FlatSet, b: FlatSet): FlatSet => apply(0, a, b);
export const flatMeets = (a: FlatSet, b: FlatSet): boolean => nonEmpty(0, a, b);
/** Is every point of a in b? */
export const flatWithin = (a: FlatSet, b: FlatSet): boolean => !nonEmpty(2, a, b);

/**
 * A member of a non-empty set `of`, as PacketSet.corner and farCorner pick it: at each level `of`
 * tests, its first piece that is not EMPTY (`last`: its last), at the piece's low end (`high`: its
 * high end), every dimension it leaves open at 0 (`high`: at its maximum). Written into `point`
 * (Infinity stands for a maximum: it lies in the last piece of any node, as the maximum does).
 */
export function flatCorner(of: FlatSet, high: boolean, last: boolean, point: Float64Array): void {
  point.fill(high ? Infinity : 0);
  for (let n = of; n > FLAT_FULL; ) {
    const at = first[n]!;
    const end = at + count[n]! - 1;
    let i = last ? end : at;
    while (kids[i] === FLAT_EMPTY) i += last ? -1 : 1;
    point[level[n]!] = high ? (i < end ? cuts[i + 1]! - 1 : Infinity) : cuts[i]!;
    n = kids[i]!;
  }
}

/** Does the set hold the point (one value per dimension, as PacketSet.has, as doubles)? */
export function flatHasPoint(s: FlatSet, point: Float64Array): boolean {
  while (s > FLAT_FULL) {
    const v = point[level[s]!]!;
    let lo = first[s]!;
    let hi = lo + count[s]! - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cuts[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    s = kids[lo]!;
  }
  return s === FLAT_FULL;
}

/** The flat form of a set when it has been converted already (no conversion here). */
export function flatFormOf(n: Node): FlatSet | undefined {
  if (n === idd.EMPTY) return FLAT_EMPTY;
  if (n === idd.FULL) return FLAT_FULL;
  const f = knownFlat(n);
  return f === undefined || f < 0 ? undefined : f;
}

/** The flat form of a set, or undefined when it does not fit (see above). */
export function toFlat(n: Node): FlatSet | undefined {
  const known = knownFlat(n); // most calls: no conversion, and no guard to set up
  if (known !== undefined) return known < 0 ? undefined : known;
  const r = flatOrUndefined(() => convert(n));
  return r === undefined || r < 0 ? undefined : r;
}

function convert(n: Node): number {
  if (n === idd.EMPTY) return FLAT_EMPTY;
  if (n === idd.FULL) return FLAT_FULL;
  const known = knownFlat(n);
  if (known !== undefined) return known;
  let r = -1;
  if (n.size <= FLAT_MAX_PIECES) {
    const base = top;
    let fits = true;
    const piece = (c: bigint, kid: Node): boolean => {
      const k = c >= EXACT ? -1 : convert(kid); // (a cut too large refuses the node before its children are converted)
      if (k < 0) fits = false;
      else push(base, Number(c), k);
      return !fits;
    };
    if (n.tree) idd.forEachPiece(n, (lo, _hi, kid) => piece(lo, kid)); // (a wide node's arrays are built only on demand)
    else {
      const nc = n.cuts;
      const nk = n.kids;
      for (let i = 0; i < nk.length && fits; i++) piece(nc[i]!, nk[i]!);
    }
    if (fits) r = finish(n.level, base);
    top = base;
  }
  recordFlat(n, r);
  if (r >= 0 && !nodeOf.has(r)) nodeOf.set(r, n);
  return r;
}

/** The object form of a flat set. */
export function fromFlat(s: FlatSet): Node {
  const known = nodeOf.get(s);
  if (known !== undefined) return known;
  const n = count[s]!;
  const at = first[s]!;
  const nodeCuts: bigint[] = new Array(n);
  const nodeKids: Node[] = new Array(n);
  for (let i = 0; i < n; i++) {
    nodeCuts[i] = BigInt(cuts[at + i]!);
    nodeKids[i] = fromFlat(kids[at + i]!);
  }
  const node = idd.mk(level[s]!, nodeCuts, nodeKids);
  nodeOf.set(s, node);
  recordFlat(node, s);
  return node;
}
