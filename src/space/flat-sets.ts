/**
 * Rule-sized packet sets in flat typed arrays: the same canonical interval decision diagrams as
 * idd.ts, with none of the per-node costs of the object form - a node is an index into typed
 * arrays, its cuts are doubles, its children ids - so building and hash-consing a node allocates
 * nothing the garbage collector has to copy or walk. (ASA bench, 20k ACEs: the four access lists'
 * unions and first-match remainders 943-1,100 ms as objects, 368-393 ms here.) Rule matches are
 * made here (flatBox, from PacketSet.box), the unions the evaluator and the checks grow one rule
 * at a time (UnionStack) are built here, and PacketSet keeps what it builds from two sets that
 * have a flat form flat too (and a union of many held flat, flatUnionOf), building a set's object
 * form only when something asks for its node.
 *
 * A set comes here only when it fits: every cut at most 2^32 (CUT_MAX: ports, protocols,
 * IPv4 addresses, not IPv6 addresses), interface names given a code (NameCodes), and no node wider
 * than FLAT_MAX_PIECES (large sets keep the object form's chunked nodes, whose unions share the
 * untouched chunks). The set operations only ever cut where their operands cut, so whatever is
 * built from sets that fit fits too. toFlat and fromFlat convert, each conversion remembered both
 * ways, so a set converted back and forth is the same node each time.
 *
 * Everything here is forgotten with idd's caches (resetCaches), like the object form's tables; a
 * PacketSet still holding a set of the retired store reads it from there (FlatStore).
 */
import { DIM_COUNT, DIM_MAX, Dim } from "./dims.js";
import * as idd from "./idd.js";
import type { Node } from "./idd.js";
import { lastAtOrBelow } from "./piece-tree.js";
import { PairFlags, PairInts } from "./pair-memo.js";
import { PrefaultedArrays } from "./prefault.js";

/** A flat set: the id of its root node. */
export type FlatSet = number;
export const FLAT_EMPTY: FlatSet = 0;
const FLAT_FULL: FlatSet = 1;

/** Nodes wider than this stay in the object form (see above). */
export const FLAT_MAX_PIECES = 4096;
/**
 * The largest cut a flat node holds: a piece's start is kept as start - 1 in 32 bits (a node's first
 * piece starts at 0 and keeps nothing), so that the pieces of the IPv4 address space (whose last
 * piece, past the family's addresses, starts at 2^32), ports and protocols fit in half the room of a
 * double. The pool is most of what the flat sets touch, and memory touched for the first time is
 * dear here: about 11 microseconds a page (ASA bench: the pool 84 MB as doubles, 56 MB so).
 */
const CUT_MAX = 2n ** 32n;
/**
 * Pieces the flat sets of one analysis may hold (8 bytes each, outside the JavaScript heap and
 * its budget). Past it nothing more is built flat: the operation that would pass it stops with
 * FlatFull, which the callers (flatOrUndefined) take as "does not fit", and the unions go on as
 * objects, within the heap's budget (budget.ts). Only the pieces built are touched (see growPool),
 * so the room costs nothing where it is not used; where it is, the object form would take more:
 * an ASA config of 8,000 entries, a tenth of its groups with an fqdn object, filled 32M pieces and
 * went on as objects - 9.4 s and 1.02 GB; with 64M, 7.7 s and 0.96 GB. The same shape at 16,000
 * and 20,000 entries filled 64M: 22 s / 2.0 GB and 33 s / 2.5 GB, with 128M 12 s / 1.3 GB and
 * 15 s / 1.5 GB (the pool at most 1 GB, where the objects it stands for took more).
 */
export const FLAT_STORE_PIECES = 1 << 27;
let maxPieces = FLAT_STORE_PIECES;

/**
 * Interface names are numbers far past 2^32 (IFACE_BYTES bytes, dims.ts): at their levels a flat
 * node's cuts are codes, not the names themselves. Codes keep the names' order (a piece of names
 * is a piece of codes, and the set operations, which only compare cuts, build the same diagrams),
 * so a code is given where a name comes in, between its neighbours' codes: past the highest so
 * far by CODE_STEP, else halfway between. When two neighbours' codes leave no room (more than
 * about 20 names given between two others, or 4,096 in rising order), the name is refused as a cut
 * too large is elsewhere, and the set stays in the object form. Code 0 is name 0 (every node's
 * first cut). The codes belong to a store and are forgotten with it.
 */
const CODED: readonly boolean[] = Array.from({ length: DIM_COUNT }, (_, lv) => lv === Dim.Iif || lv === Dim.Oif);
const CODE_STEP = 2 ** 20;
const CODE_END = 2 ** 32;

class NameCodes {
  /** Names given a code, ascending, and their codes (ascending too: the codes keep the order). */
  private readonly names: bigint[] = [0n];
  private readonly codes: number[] = [0];

  /** The name's code, given now if it has none; undefined when there is no room for it. */
  code(name: bigint): number | undefined {
    const lo = lastAtOrBelow(this.names, name);
    if (this.names[lo] === name) return this.codes[lo];
    const below = this.codes[lo]!;
    const above = lo + 1 < this.codes.length ? this.codes[lo + 1]! : undefined;
    const next = above ?? Math.min(below + 2 * CODE_STEP, CODE_END);
    const code = below + Math.floor((next - below) / 2);
    if (code <= below || (above !== undefined && code >= above) || code >= CODE_END) return undefined;
    this.names.splice(lo + 1, 0, name);
    this.codes.splice(lo + 1, 0, code);
    return code;
  }

  /**
   * The code of the name, or else of the greatest coded name below it: a flat node's pieces start
   * only at coded names, so a name without a code lies in the piece that one lies in.
   */
  codeAtOrBelow(name: bigint): number {
    return this.codes[lastAtOrBelow(this.names, name)]!;
  }

  /** The name a code was given for. */
  name(code: number): bigint {
    return this.names[lastAtOrBelow(this.codes, code)]!;
  }
}

let names = new NameCodes();

/** The cut a flat node at `lv` holds for the value `v`; undefined when it has none (see CUT_MAX, NameCodes). */
function cutOf(lv: number, v: bigint): number | undefined {
  if (CODED[lv]) return names.code(v);
  return v <= CUT_MAX ? Number(v) : undefined;
}

/** The value a flat node's cut at `lv` stands for. */
function valueOf(lv: number, c: number, codes: NameCodes): bigint {
  return CODED[lv] ? codes.name(c) : BigInt(c);
}

/** The flat store is full (see maxPieces). */
class FlatFull extends Error {
  constructor() {
    super("the flat sets of this analysis are full");
  }
}
const FULL_STORE = new FlatFull();
/** An operation built more than it was allowed to (see flatOrUndefined). */
const OVER_CAP = new Error("the flat operation passed its cap");
/** The pool may not grow past this while an operation with a cap runs (see flatOrUndefined). */
let ceiling = Infinity;

/** Sets how many pieces the flat sets may hold (tests; forgets every flat set). */
export function configureFlatLimit(pieces: number): void {
  maxPieces = pieces;
  reset();
}

/**
 * `op()`, or undefined when it would pass the flat store's limit (the scratch it was building on
 * is dropped), or add more than `cap` pieces to it (what it built is dropped too: see
 * dropNodesFrom). Every flat operation that builds is run through this by its callers.
 */
export function flatOrUndefined<T>(op: () => T, cap = Infinity): T | undefined {
  const base = top;
  const nodeMark = nodeTop;
  const poolMark = poolTop;
  const outer = ceiling;
  const own = poolTop + cap < outer;
  if (own) ceiling = poolTop + cap;
  try {
    return op();
  } catch (e) {
    // (a cap set by an enclosing call is that call's to handle)
    if (e !== FULL_STORE && !(e === OVER_CAP && own)) throw e;
    top = base;
    if (e === FULL_STORE) filled = true;
    else dropNodesFrom(nodeMark, poolMark);
    return undefined;
  } finally {
    ceiling = outer;
  }
}

/** An operation found the flat store full since the last reset. */
let filled = false;

/**
 * Whether sets not made flat yet should still be built here: not once the store has been found
 * full (until the next analysis), when an attempt would only redo work up to the limit.
 */
export function flatRoom(): boolean {
  return !filled;
}

// Nodes: level, first piece in the pools, piece count, hash. Ids 0 and 1 are EMPTY and FULL.
let level = new Uint8Array(0);
let first = new Int32Array(0);
let count = new Int32Array(0);
let hashes = new Int32Array(0);
let nodeTop = 2;
// Pieces of every node, one after the other: where each starts (minus 1, see CUT_MAX; 0 for a
// node's first piece, which starts at 0), and its child.
let cuts: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
let kids: Int32Array<ArrayBufferLike> = new Int32Array(0);
let poolTop = 0;
/** Past its first size, the pool's pages are touched ahead of poolTop by a helper thread (prefault.ts). */
let prefault: PrefaultedArrays | undefined;
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

/**
 * One generation of flat sets (from one reset to the next). A set that holds only its flat form
 * (PacketSet) keeps the store it was built in: while that is the current one its nodes are read
 * through this module's arrays; once reset retires it, they are read from the arrays it kept
 * (retiredNode), so a set made in one analysis still reads right in the next (fwlint diff compares
 * two analysed files). A retired store lives as long as some set still holds it.
 */
export class FlatStore {
  retired: StoreArrays | undefined;
}

/** What a store's sets are read from: its arrays, the names' codes, and the object forms built so far. */
interface StoreArrays {
  level: Uint8Array;
  first: Int32Array;
  count: Int32Array;
  cuts: Uint32Array;
  kids: Int32Array;
  names: NameCodes;
  nodes: Map<FlatSet, Node>;
}
let store = new FlatStore();

/** The store sets are built in now. */
export function currentFlatStore(): FlatStore {
  return store;
}

function reset(): void {
  generation++;
  filled = false;
  // Nothing built since the last reset (a file no long union met, and start-up, where idd resets
  // again before the first analysis): the empty store and its memos stand as they are.
  if (nodeTop === 2 && level.length > 0) return;
  if (level.length > 0) {
    store.retired = { level, first, count, cuts, kids, names, nodes: new Map() };
    store = new FlatStore();
  }
  names = new NameCodes();
  prefault?.stop();
  prefault = undefined;
  level = new Uint8Array(1 << 14);
  first = new Int32Array(1 << 14);
  count = new Int32Array(1 << 14);
  hashes = new Int32Array(1 << 14);
  level[FLAT_EMPTY] = DIM_COUNT;
  level[FLAT_FULL] = DIM_COUNT;
  nodeTop = 2;
  cuts = new Uint32Array(1 << 16);
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
 * growing the pool of pieces this way twofold copied 80 ms of the ASA bench, and from 2^22 fourfold
 * still 55 ms (one copy of 48 MB into fresh pages); the pool now grows once (growPool).
 */
function grown<T extends Int32Array | Uint32Array | Float64Array | Uint8Array>(a: T, need: number, jump: number): T {
  const b = new (a.constructor as new (n: number) => T)(grownLength(a.length, need, jump));
  b.set(a);
  return b;
}

function grownLength(length: number, need: number, jump: number): number {
  let n = Math.max(length, jump);
  while (n < need) n *= 4;
  return n;
}

/**
 * The pool, past its small first size, at once as large as the store may grow (maxPieces), in
 * arrays a helper thread touches ahead of poolTop. Shared memory costs only once touched, so the
 * room ahead is free, while growing it again would copy the whole pool into fresh pages: 16M to
 * 64M pieces took 0.55 s and 130 MB more at the peak on 20k nft rules with small sets.
 */
function growPool(): void {
  const length = maxPieces; // finish refuses a node past it before it asks for room
  const next = PrefaultedArrays.of([length * 4, length * 4]);
  const c = new Uint32Array(next.buffers[0]!);
  const k = new Int32Array(next.buffers[1]!);
  c.set(cuts);
  k.set(kids);
  cuts = c;
  kids = k;
  prefault?.stop();
  prefault = next;
}

/** Pieces the flat sets hold now (grows as operations build; a measure of their work). */
export function flatPiecesHeld(): number {
  return poolTop;
}

/** Pieces the pool has room for now (tests: it grows once, to maxPieces). */
export function flatPoolRoom(): number {
  return cuts.length;
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

/** Where piece `i` of the node whose pieces start at `at` starts (a node's first piece starts at 0, see CUT_MAX). */
function pieceStart(at: number, i: number): number {
  return i === at ? 0 : cuts[i]! + 1;
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

/** Are the `n` pieces built from `base` on those of the node whose pieces start at `at`? */
function samePieces(at: number, base: number, n: number): boolean {
  if (kids[at] !== scratchKids[base]) return false;
  for (let k = 1; k < n; k++) if (kids[at + k] !== scratchKids[base + k] || cuts[at + k]! + 1 !== scratchCuts[base + k]) return false;
  return true;
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
    if (samePieces(first[id]!, base, n)) {
      top = base;
      return id;
    }
  }
  if (poolTop + n > maxPieces) throw FULL_STORE;
  if (poolTop + n > ceiling) throw OVER_CAP;
  if (nodeTop >= level.length) {
    level = grown(level, nodeTop + 1, 1 << 22);
    first = grown(first, nodeTop + 1, 1 << 22);
    count = grown(count, nodeTop + 1, 1 << 22);
    hashes = grown(hashes, nodeTop + 1, 1 << 22);
  }
  if (poolTop + n > cuts.length) growPool();
  const id = nodeTop++;
  level[id] = lv;
  first[id] = poolTop;
  count[id] = n;
  hashes[id] = h;
  cuts[poolTop] = 0;
  kids[poolTop] = scratchKids[base]!;
  for (let k = 1; k < n; k++) {
    cuts[poolTop + k] = scratchCuts[base + k]! - 1;
    kids[poolTop + k] = scratchKids[base + k]!;
  }
  poolTop += n;
  prefault?.advance(poolTop);
  top = base;
  table[slot] = id;
  if (++tableSize * 2 > table.length) rehash();
  return id;
}

/**
 * Forgets the nodes from id `nodeMark` on (their pieces from `poolMark` on): an operation that
 * stopped at its cap built them, and no set holds one. Their ids are given again, so the memos,
 * which may name them, start again too.
 */
function dropNodesFrom(nodeMark: number, poolMark: number): void {
  nodeTop = nodeMark;
  poolTop = poolMark;
  tableSize = nodeTop - 2;
  rehash(table.length);
  for (const m of ops) m.clear();
  for (const m of tests) m.clear();
}

/** Fills the hash-consing table anew, `size` slots (by default twice as many as now). */
function rehash(size = table.length * 2): void {
  table = new Int32Array(size);
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

/** The piece among [from, to] of a node that holds `value` (>= the start of `from`). */
function pieceAt(from: number, to: number, value: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cuts[mid]! < value) lo = mid; // (mid > from: its start is cuts[mid] + 1)
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
    const at = first[a]!;
    for (let i = at, end = i + count[a]!; i < end; i++) push(base, pieceStart(at, i), apply(op, kids[i]!, b));
  } else if (lb < la) {
    lv = lb;
    const at = first[b]!;
    for (let j = at, end = j + count[b]!; j < end; j++) push(base, pieceStart(at, j), apply(op, a, kids[j]!));
  } else {
    lv = la;
    let i = first[a]!;
    let j = first[b]!;
    const endA = i + count[a]! - 1;
    const endB = j + count[b]! - 1;
    let pos = 0;
    for (;;) {
      const nextA = i < endA ? cuts[i + 1]! + 1 : Infinity;
      const nextB = j < endB ? cuts[j + 1]! + 1 : Infinity;
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
  const r = sameAs(a, lv, base) ? a : sameAs(b, lv, base) ? b : finish(lv, base);
  memo.set(a, b, r);
  return r;
}

/**
 * Are the pieces built since `base` node `s`'s own (then dropped)? A union that adds nothing, a
 * difference that takes nothing away: the operand is the result, found without hashing its pieces
 * (15% of the pieces the ASA bench's operations build).
 */
function sameAs(s: FlatSet, lv: number, base: number): boolean {
  const n = top - base;
  if (s <= FLAT_FULL || level[s] !== lv || count[s] !== n) return false;
  if (!samePieces(first[s]!, base, n)) return false;
  top = base;
  return true;
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
      const nextA = i < endA ? cuts[i + 1]! + 1 : Infinity;
      const nextB = j < endB ? cuts[j + 1]! + 1 : Infinity;
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

/**
 * Pieces a union of many sets (flatUnionOf) may add to the store: unionOfCap, or, for a union of
 * at least UNITED_FROM sets, as many as the sets hold themselves when that is more. The unions the
 * evaluator joins its flows with are rule-sized to a few hundred thousand pieces (ASA bench: 316k
 * at most), or add about what they unite (an ASA ACL whose entries name groups with fqdn objects:
 * 3,929 uncertain outcomes of 4.5M pieces joined with 3.5M more; given up at 1M, the object form
 * took 1.9 s); a union past both is of sets that share wide nodes (nft bench: 3,000 flows of 2.5M
 * pieces under a set of 20k address . port pairs, more than 16M), which the object form's chunked
 * nodes share instead of copying.
 */
let unionOfCap = 1 << 20;

/**
 * Sets from which a union's inputs are counted for its cap: the walk over them is paid on every
 * union, and the unions that need more room join thousands of flows. (Counted for every union, the
 * walks took 115 ms of the nft bench and 35 ms of the ASA bench; from 64 sets, 49 and 1 ms, and
 * the fqdn config above gains as much.)
 */
const UNITED_FROM = 64;

/** Sets unionOfCap (tests). */
export function configureFlatUnionCap(pieces: number): void {
  unionOfCap = pieces;
}

/** The pieces of the nodes `sets` reach, each node counted once. */
function piecesOf(sets: readonly FlatSet[]): number {
  const seen = new Set<number>();
  const stack = sets.slice();
  let total = 0;
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n <= FLAT_FULL || seen.has(n)) continue;
    seen.add(n);
    total += count[n]!;
    for (let i = first[n]!, end = i + count[n]!; i < end; i++) stack.push(kids[i]!);
  }
  return total;
}

/**
 * The union of `sets` (at least one), paired as a balanced union, built flat; undefined when the
 * store is full or the union would add more pieces than its cap (see unionOfCap, flatOrUndefined).
 */
export function flatUnionOf(sets: readonly FlatSet[]): FlatSet | undefined {
  const cap = sets.length >= UNITED_FROM ? Math.max(unionOfCap, piecesOf(sets)) : unionOfCap;
  return flatOrUndefined(() => {
    let layer = sets;
    while (layer.length > 1) {
      const next: FlatSet[] = [];
      for (let i = 0; i < layer.length; i += 2) next.push(i + 1 < layer.length ? apply(1, layer[i]!, layer[i + 1]!) : layer[i]!);
      layer = next;
    }
    return layer[0]!;
  }, cap);
}
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
    point[level[n]!] = high ? (i < end ? cuts[i + 1]! : Infinity) : pieceStart(at, i);
    n = kids[i]!;
  }
}

/**
 * flatCorner as values (one bigint per dimension, as PacketSet.corner gives them): a corner's
 * values on interface names are codes, a piece's start the code of its name and a piece's end one
 * below the code of the name the next piece starts at.
 */
export function flatCornerPoint(of: FlatSet, high: boolean, last: boolean): bigint[] {
  const p = scratchPoint;
  flatCorner(of, high, last, p);
  const out = new Array<bigint>(DIM_COUNT);
  for (let lv = 0; lv < DIM_COUNT; lv++) {
    const v = p[lv]!;
    out[lv] = v === Infinity ? DIM_MAX[lv]! : !CODED[lv] ? BigInt(v) : high ? names.name(v + 1) - 1n : names.name(v);
  }
  return out;
}

/** Does the set hold the point (one value per dimension, as PacketSet.has, as doubles)? */
export function flatHasPoint(s: FlatSet, point: Float64Array): boolean {
  while (s > FLAT_FULL) {
    const at = first[s]!;
    s = kids[pieceAt(at, at + count[s]! - 1, point[level[s]!]!)]!;
  }
  return s === FLAT_FULL;
}

/**
 * Does the set hold the packet (one value per dimension, as PacketSet.has)? Read from its pieces,
 * without building its node: a trace tests thousands of rules' matches against one packet.
 */
export function flatHas(s: FlatSet, point: readonly bigint[]): boolean {
  // as the object form's contains: a point with a value outside its dimension is no packet
  if (!idd.isPacket(point)) return false;
  // (a value past the cuts, which all fit in 32 bits, lies in the last piece however it rounds)
  for (let d = 0; d < DIM_COUNT; d++) scratchPoint[d] = CODED[d] ? names.codeAtOrBelow(point[d]!) : Number(point[d]!);
  return flatHasPoint(s, scratchPoint);
}

/** A point in the flat form's values, for flatHas and flatCornerPoint (neither keeps it). */
const scratchPoint = new Float64Array(DIM_COUNT);

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
      const cut = cutOf(n.level, c);
      const k = cut === undefined ? -1 : convert(kid); // (a cut too large refuses the node before its children are converted)
      if (k < 0) fits = false;
      else push(base, cut!, k);
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

/** The object form of a flat set of `from` (the current store, or one reset retired). */
export function nodeOfFlat(s: FlatSet, from: FlatStore): Node {
  return from === store ? fromFlat(s) : objectNode(s, from.retired!, false);
}

/** The object form of a flat set of the current store when it has been built already, else undefined. */
export function builtNodeOfFlat(s: FlatSet): Node | undefined {
  return nodeOf.get(s);
}

/** The object form of a flat set. */
export function fromFlat(s: FlatSet): Node {
  return objectNode(s, { level, first, count, cuts, kids, names, nodes: nodeOf }, true);
}

/**
 * The object form of flat set `s` of the store whose arrays are `r`, each node remembered in
 * `r.nodes`; `current`: the store is the current one, and each node also remembers its flat form.
 */
function objectNode(s: FlatSet, r: StoreArrays, current: boolean): Node {
  if (s === FLAT_EMPTY) return idd.EMPTY;
  if (s === FLAT_FULL) return idd.FULL;
  const known = r.nodes.get(s);
  if (known !== undefined) return known;
  const n = r.count[s]!;
  const at = r.first[s]!;
  const lv = r.level[s]!;
  const nodeCuts: bigint[] = new Array(n);
  const nodeKids: Node[] = new Array(n);
  for (let i = 0; i < n; i++) {
    nodeCuts[i] = valueOf(lv, i === 0 ? 0 : r.cuts[at + i]! + 1, r.names);
    nodeKids[i] = objectNode(r.kids[at + i]!, r, current);
  }
  const node = idd.mk(lv, nodeCuts, nodeKids);
  r.nodes.set(s, node);
  if (current) recordFlat(node, s);
  return node;
}

/**
 * The box whose dimensions lie in the given ranges (per level; undefined: the whole dimension),
 * built flat; undefined when a cut does not fit (see CUT_MAX, NameCodes) or a node would be wider than
 * FLAT_MAX_PIECES. The ranges are normalized here.
 */
export function flatBox(spec: { readonly [level: number]: readonly (readonly [bigint, bigint])[] | undefined }): FlatSet | undefined {
  return flatOrUndefined(() => {
    // the deepest level first, each node's pieces pushed straight from the ranges
    let node: FlatSet = FLAT_FULL;
    for (let lv = DIM_COUNT - 1; lv >= 0; lv--) {
      const r = spec[lv];
      if (!r) continue;
      const max = DIM_MAX[lv]!;
      const base = top;
      // the cut where the last range ended (0 at first), -1 when it ended at the dimension's end
      let pos = 0;
      for (const [lo, hi] of idd.normalView(r, max)) {
        const start = cutOf(lv, lo);
        if (start === undefined) return dropped(base);
        if (start > pos) push(base, pos, FLAT_EMPTY);
        push(base, start, node);
        // a wide box (a long list of ports or addresses) keeps the object form's chunked node, as toFlat would
        if (top - base > FLAT_MAX_PIECES) return dropped(base);
        // (a range ending below CUT_MAX ends one below a cut that fits: no bigint is made for it)
        const end = hi === max ? -1 : CODED[lv] || hi >= CUT_MAX ? cutOf(lv, hi + 1n) : Number(hi) + 1;
        if (end === undefined) return dropped(base);
        pos = end;
      }
      if (pos >= 0) push(base, pos, FLAT_EMPTY);
      if (top - base > FLAT_MAX_PIECES) return dropped(base);
      node = top === base ? FLAT_EMPTY : finish(lv, base);
    }
    return node;
  });
}

/** Drops the pieces built since `base`: undefined, for a box that does not fit. */
function dropped(base: number): undefined {
  top = base;
  return undefined;
}

/**
 * Calls `piece` for each piece of the flat node `s` (not a terminal): its start, the start of the
 * next piece (Infinity for the last) and its child. For walks that read a set's pieces without its
 * object form (projections.ts).
 */
export function forEachFlatPiece(s: FlatSet, piece: (lo: number, next: number, kid: FlatSet) => void): void {
  const at = first[s]!;
  const end = at + count[s]!;
  for (let i = at; i < end; i++) piece(pieceStart(at, i), i + 1 < end ? cuts[i + 1]! + 1 : Infinity, kids[i]!);
}

/** The level a flat node tests (DIM_COUNT for the terminals). */
export function flatLevel(s: FlatSet): number {
  return level[s]!;
}

/**
 * The largest number of sources in `ranges` (sorted, apart) that reach any one combination of the
 * other dimensions, for a set held flat (PacketSet.maxSourceCountIn). The source address is the
 * last level: below it are only terminals. `memo` holds the answer per node for these ranges.
 */
export function flatMaxSources(s: FlatSet, ranges: readonly (readonly [bigint, bigint])[], all: bigint, memo: Map<FlatSet, bigint>): bigint {
  if (s === FLAT_EMPTY) return 0n;
  if (s === FLAT_FULL) return all;
  const hit = memo.get(s);
  if (hit !== undefined) return hit;
  let best = 0n;
  const at = first[s]!;
  const end = at + count[s]!;
  if (level[s] === Dim.Src) {
    // the width of the pieces held (FULL) inside the ranges: both run in order
    let r = 0;
    for (let i = at; i < end && r < ranges.length; i++) {
      if (kids[i] === FLAT_EMPTY) continue;
      const lo = i === at ? 0n : BigInt(cuts[i]! + 1);
      const hi = i + 1 < end ? BigInt(cuts[i + 1]!) : DIM_MAX[Dim.Src]!;
      while (r < ranges.length && ranges[r]![1] < lo) r++;
      for (let k = r; k < ranges.length && ranges[k]![0] <= hi; k++) {
        const [a, b] = ranges[k]!;
        best += (b < hi ? b : hi) - (a > lo ? a : lo) + 1n;
      }
    }
  } else {
    for (let i = at; i < end; i++) {
      const v = flatMaxSources(kids[i]!, ranges, all, memo);
      if (v > best) best = v;
    }
  }
  memo.set(s, best);
  return best;
}

/**
 * The values level `lv` takes in the set (PacketSet.valuesOf, read from the flat form): the
 * pieces at that level with a child that is not EMPTY, or the whole dimension as soon as a path
 * skips the level. Unsorted, possibly overlapping: the caller normalizes them.
 */
export function flatValuesOf(s: FlatSet, lv: number): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  if (s === FLAT_EMPTY) return out;
  const seen = new Set<FlatSet>([s]);
  const stack = [s];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (level[n]! > lv) return [[0n, DIM_MAX[lv]!]];
    const at = first[n]!;
    const end = at + count[n]!;
    for (let i = at; i < end; i++) {
      const kid = kids[i]!;
      if (kid === FLAT_EMPTY) continue;
      if (level[n] === lv) {
        out.push([valueOf(lv, pieceStart(at, i), names), pieceEnd(lv, i, end)]);
      } else if (!seen.has(kid)) {
        seen.add(kid);
        stack.push(kid);
      }
    }
  }
  return out;
}

/**
 * The packets whose every variant with level `lv` in `ranges` (sorted, apart) is in `s` (the
 * universal projection of idd.forAll, on the flat form), `lv` left open; undefined when the ranges
 * do not fit the flat form (a level of names, a value past CUT_MAX).
 */
export function flatForAll(s: FlatSet, lv: number, ranges: readonly (readonly [bigint, bigint])[]): FlatSet | undefined {
  if (CODED[lv] || ranges.some(([, hi]) => hi > CUT_MAX)) return undefined;
  return forAllIn(s, lv, ranges.map(([lo, hi]) => [Number(lo), Number(hi)]), new Map());
}

function forAllIn(s: FlatSet, lv: number, ranges: readonly (readonly [number, number])[], memo: Map<FlatSet, FlatSet>): FlatSet {
  if (s <= FLAT_FULL || level[s]! > lv) return s;
  const hit = memo.get(s);
  if (hit !== undefined) return hit;
  let res: FlatSet;
  if (level[s]! < lv) res = mapKids(s, (kid) => forAllIn(kid, lv, ranges, memo));
  else {
    // the intersection of the children of the pieces the ranges reach
    const at = first[s]!;
    const end = at + count[s]!;
    res = FLAT_FULL;
    let r = 0;
    for (let i = at; i < end && r < ranges.length && res !== FLAT_EMPTY; i++) {
      const lo = pieceStart(at, i);
      const hi = i + 1 < end ? cuts[i + 1]! : Infinity;
      while (r < ranges.length && ranges[r]![1] < lo) r++;
      if (r < ranges.length && ranges[r]![0] <= hi) res = apply(0, res, kids[i]!);
    }
  }
  memo.set(s, res);
  return res;
}

/** The node `s` (not a terminal) with each piece's child replaced by `f` of it (built above the caller's pieces). */
function mapKids(s: FlatSet, f: (kid: FlatSet) => FlatSet): FlatSet {
  const at = first[s]!;
  const end = at + count[s]!;
  const base = top;
  for (let i = at; i < end; i++) push(base, pieceStart(at, i), f(kids[i]!));
  return finish(level[s]!, base);
}

/**
 * The paths of flat set `s` whose combination of the other dimensions `best` sources in `ranges`
 * reach (flatMaxSources of `s` is `best`, `memo` its answers), each with every source reaching
 * it: PacketSet.widestSourcePart on the flat form. `done`: per node, for this call.
 */
export function flatWidest(s: FlatSet, ranges: readonly (readonly [bigint, bigint])[], all: bigint, memo: Map<FlatSet, bigint>, best: bigint, done = new Map<FlatSet, FlatSet>()): FlatSet {
  if (s <= FLAT_FULL || level[s] === Dim.Src) return s;
  const hit = done.get(s);
  if (hit !== undefined) return hit;
  const res = mapKids(s, (kid) => (flatMaxSources(kid, ranges, all, memo) === best ? flatWidest(kid, ranges, all, memo, best, done) : FLAT_EMPTY));
  done.set(s, res);
  return res;
}

/**
 * The child of flat node `s` where its level `lv` has value `v` (idd.restrict on the flat form);
 * `s` itself when it is a terminal or tests a deeper level. A name without a code lies in the
 * piece of the coded name below it; a value past the cuts, in the last piece.
 */
export function flatRestrict(s: FlatSet, lv: number, v: bigint): FlatSet {
  if (s <= FLAT_FULL || level[s] !== lv) return s;
  const at = first[s]!;
  return kids[pieceAt(at, at + count[s]! - 1, CODED[lv] ? names.codeAtOrBelow(v) : Number(v))]!;
}

/** The first piece of flat node `s` (not a terminal) whose child is not EMPTY, as values [lo, hi]. */
export function flatFirstPiece(s: FlatSet): [bigint, bigint] {
  const lv = level[s]!;
  const at = first[s]!;
  const end = at + count[s]!;
  let i = at;
  while (i + 1 < end && kids[i] === FLAT_EMPTY) i++;
  return [valueOf(lv, pieceStart(at, i), names), pieceEnd(lv, i, end)];
}

/**
 * The last value of piece `i` of a node at level `lv` whose pieces end before `end`: one below
 * where the next piece starts (on names, one below the next piece's name), the dimension's
 * maximum for the last piece.
 */
function pieceEnd(lv: number, i: number, end: number): bigint {
  if (i + 1 === end) return DIM_MAX[lv]!;
  const next = cuts[i + 1]! + 1;
  return CODED[lv] ? names.name(next) - 1n : BigInt(next - 1);
}
