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
import { noteNodeCreated } from "./budget.js";
import { DIM_COUNT, DIM_MAX } from "./dims.js";
import { HashChains } from "./hash-chains.js";
import { PairFlags, PairFlagsCache, PairMemo } from "./pair-memo.js";
import { Builder, Chunk, Cursor, eachPiece, flipChunk, foldCut, forgetChunks, kidAtValue, lastAtOrBelow, mapChunk, reinternChunk, setChunkBits, viewChunk } from "./piece-tree.js";

/**
 * A node of the diagram. Small nodes hold their pieces in two arrays; a node with more than
 * wideMin (64) pieces holds them in a canonical chunked tree (piece-tree.ts), so that operations
 * touching few of its pieces cost O(changed * log n) and share the untouched chunks. `cuts` and
 * `kids` read as arrays either way (built on demand for a wide node, for tests and rare readers);
 * the set operations and the walks below use the tree directly.
 */
export class Node {
  constructor(
    readonly id: number,
    /** Dimension tested; DIM_COUNT for the two terminals. */
    readonly level: number,
    private flatCuts: readonly bigint[] | undefined,
    private flatKids: readonly Node[] | undefined,
    /** The pieces of a wide node (undefined for a small one). */
    readonly tree: Chunk | undefined,
    /** Number of pieces. */
    readonly size: number,
  ) {}
  /** The next small node whose partition hashes alike (see `unique`). */
  sameHash: Node | undefined = undefined;
  /** The node's flat form as flat-sets.ts last recorded it (its own to read and write). */
  flatForm = 0;
  /** Start of each piece; cuts[0] is 0n. Piece i ends where piece i+1 starts, the last at DIM_MAX. */
  get cuts(): readonly bigint[] {
    if (this.flatCuts === undefined) this.flatten();
    return this.flatCuts!;
  }
  get kids(): readonly Node[] {
    if (this.flatKids === undefined) this.flatten();
    return this.flatKids!;
  }
  private flatten(): void {
    const cuts: bigint[] = [];
    const kids: Node[] = [];
    eachPiece(this.tree!, (c, k) => {
      cuts.push(c);
      kids.push(k);
    });
    this.flatCuts = cuts;
    this.flatKids = kids;
  }
}

export const EMPTY: Node = new Node(0, DIM_COUNT, [], [], undefined, 0);
export const FULL: Node = new Node(1, DIM_COUNT, [], [], undefined, 0);

/**
 * "No next cut", and one past each dimension's largest value, made once: a BigInt expression such as
 * `-1n` or `max + 1n` allocates a new BigInt each time it runs, even in optimized code (50M runs
 * of `-1n` in a loop: 582 young-generation collections; of a constant: none), and the loops below
 * run it per piece.
 */
const NO_CUT = -1n;
const LIMIT: readonly bigint[] = DIM_MAX.map((m) => m + 1n);

/**
 * The pieces apply and layRanges build, as a stack: one pair of arrays for every call instead of
 * two new arrays per call (nft bench: 0.7 GB of what the analysis allocated). A call builds above
 * its caller's pieces and takes its own off before it returns.
 */
let scratchCuts: bigint[] = [];
let scratchKids: Node[] = [];
let top = 0;

/** Pushes a piece on the scratch stack, merged with the previous one of the call (above `base`) when their children agree. */
function pushPiece(base: number, start: bigint, kid: Node): void {
  if (top > base && scratchKids[top - 1] === kid) return;
  scratchCuts[top] = start;
  scratchKids[top] = kid;
  top++;
}

let nextId = 2;
/** Small nodes by the hash of their partition. */
const unique = new HashChains<Node>();
/** Wide nodes by level and root chunk: the root of a canonical tree identifies its content. */
const uniqueWide = new Map<number, Node>();

/** Nodes with more pieces than this are wide (see Node). */
let wideMin = 64;

/**
 * Sets the size from which nodes are wide and the average chunk size (2^chunkBits), for tests
 * that exercise the wide representation on small domains. Forgets every cache (nodes built
 * before stay valid sets but are no longer canonical with new ones).
 */
export function configureWideNodes(opts: { minPieces: number; chunkBits: number }): void {
  wideMin = opts.minPieces;
  setChunkBits(opts.chunkBits);
  pinned.length = 0;
  holders.clear();
  resetCaches();
  for (const f of reconfigureHooks.splice(0)) f();
}

/** Nodes that stay canonical across resetCaches (see pin). */
const pinned: Node[] = [];
const reconfigureHooks: (() => void)[] = [];

/**
 * Keeps a node (and everything below it) in the hash-consing tables across resetCaches, so a
 * set that other modules keep across analyses (the universe) stays equal, as an object, to the
 * same set built later. `rebuild` runs when configureWideNodes changes the representation: the
 * pinned nodes are dropped then, and the owner must build them again.
 */
export function pin(n: Node, rebuild: () => void): void {
  pinned.push(n);
  reconfigureHooks.push(rebuild);
}

/** Nodes that usually hold the other side of an intersection (the universe's): see apply. */
const holders = new Set<Node>();

/** Marks `n` and every node below it as likely to hold what they are intersected with. */
export function markHolder(n: Node): void {
  if (n === EMPTY || n === FULL || holders.has(n)) return;
  holders.add(n);
  forEachPiece(n, (_lo, _hi, k) => markHolder(k));
}

function reintern(n: Node, seen: Set<Node>): void {
  if (n === EMPTY || n === FULL || seen.has(n)) return;
  seen.add(n);
  if (n.tree) {
    reinternChunk(n.tree);
    uniqueWide.set(n.tree.id * 16 + n.level, n);
    eachPiece(n.tree, (_c, k) => reintern(k, seen));
    return;
  }
  for (const k of n.kids) reintern(k, seen);
  unique.addOnce(hashOf(n.level, n.cuts, n.kids), n);
}

/**
 * Hash of a partition: every child id and every cut (small cuts converted directly, large ones
 * folded word by word), so partitions that differ anywhere - also in the middle - land in
 * different buckets.
 */
function hashOf(level: number, cuts: readonly bigint[], kids: readonly Node[], from = 0, to = kids.length): number {
  let h = Math.imul(level + 1, 0x9e3779b1) ^ (to - from);
  for (let i = from; i < to; i++) {
    const c = cuts[i]!;
    h = Math.imul(h ^ kids[i]!.id, 0x85ebca6b);
    h = Math.imul(h ^ (c <= 0xffffffffn ? Number(c) : foldCut(c)), 0xc2b2ae35);
    h ^= h >>> 15;
  }
  return h | 0;
}

function sameNode(n: Node, level: number, cuts: readonly bigint[], kids: readonly Node[], from: number, to: number): boolean {
  if (n.level !== level || n.size !== to - from || n.tree !== undefined) return false;
  const nc = n.cuts;
  const nk = n.kids;
  for (let i = 0; i < n.size; i++) {
    if (nk[i] !== kids[from + i] || nc[i] !== cuts[from + i]) return false;
  }
  return true;
}

/**
 * The canonical node for a partition. `cuts`/`kids` must already be merged (no neighbours with
 * the same child) and start at 0n.
 */
export function mk(level: number, cuts: readonly bigint[], kids: readonly Node[], from = 0, to = kids.length): Node {
  if (to - from === 1) return kids[from]!;
  if (to - from > wideMin) {
    const b = new Builder();
    for (let i = from; i < to; i++) b.push(cuts[i]!, kids[i]!);
    return finish(level, b);
  }
  return mkSmall(level, cuts, kids, from, to);
}

/** The node of pieces from..to-1 of `cuts`/`kids` (a caller's arrays or the scratch: copied when new). */
function mkSmall(level: number, cuts: readonly bigint[], kids: readonly Node[], from = 0, to = kids.length): Node {
  const h = hashOf(level, cuts, kids, from, to);
  for (let n = unique.first(h); n !== undefined; n = n.sameHash) if (sameNode(n, level, cuts, kids, from, to)) return n;
  noteNodeCreated();
  // Copies of exact length: arrays grown by push keep spare room, and most nodes live long.
  const node = new Node(nextId++, level, cuts.slice(from, to), kids.slice(from, to), undefined, to - from);
  unique.add(h, node);
  return node;
}

/** The canonical node of the pieces pushed into a builder. */
function finish(level: number, b: Builder): Node {
  if (b.count <= wideMin) {
    const { cuts, kids } = b.flat();
    return kids.length === 1 ? kids[0]! : mkSmall(level, cuts, kids);
  }
  const root = b.finishTree()!;
  const key = root.id * 16 + level;
  let node = uniqueWide.get(key);
  if (!node) {
    noteNodeCreated();
    node = new Node(nextId++, level, undefined, undefined, root, root.count);
    uniqueWide.set(key, node);
  }
  return node;
}

/** A node constraining one dimension to a list of inclusive ranges (normalized here). */
export function mkRanges(level: number, ranges: readonly (readonly [bigint, bigint])[], inside: Node, outside: Node = EMPTY): Node {
  return layRanges(level, normalView(ranges, DIM_MAX[level]!), inside, outside);
}

/**
 * The node whose pieces are `ranges` - sorted, apart, inside the dimension - leading to `kids`
 * (one child for all, or one per range), with `rest` between and around them.
 */
export function layRanges(level: number, ranges: readonly (readonly [bigint, bigint])[], kids: Node | readonly Node[], rest: Node): Node {
  const max = DIM_MAX[level]!;
  const base = top;
  const each = Array.isArray(kids) ? (kids as readonly Node[]) : undefined;
  let pos = 0n;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (r[0] > pos) pushPiece(base, pos, rest);
    pushPiece(base, r[0], each ? each[i]! : (kids as Node));
    pos = r[1] + 1n;
  }
  if (pos <= max) pushPiece(base, pos, rest);
  if (top === base) return rest;
  const node = mk(level, scratchCuts, scratchKids, base, top);
  top = base;
  return node;
}

/**
 * Are the ranges sorted, apart (not even touching) and inside [0, max]? Most lists are (one
 * address, a prefix, a port list): one pass tells it, and they need no sorting or merging.
 */
function isNormal(ranges: readonly (readonly [bigint, bigint])[], max: bigint): boolean {
  let prevHi = -2n;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    const lo = r[0];
    const hi = r[1];
    if (lo <= prevHi + 1n || lo < 0n || hi < lo || hi > max) return false;
    prevHi = hi;
  }
  return true;
}

/** The ranges normalized: themselves when they already are (read only), else sorted and merged. */
export function normalView(ranges: readonly (readonly [bigint, bigint])[], max: bigint): readonly (readonly [bigint, bigint])[] {
  return isNormal(ranges, max) ? ranges : sortAndMerge(ranges, max);
}

/** Sorts, clips to [0, max] and merges overlapping or touching ranges (a new list). */
export function normalizeRanges(ranges: readonly (readonly [bigint, bigint])[], max: bigint): [bigint, bigint][] {
  return isNormal(ranges, max) ? ranges.map(([lo, hi]) => [lo, hi]) : sortAndMerge(ranges, max);
}

function sortAndMerge(ranges: readonly (readonly [bigint, bigint])[], max: bigint): [bigint, bigint][] {
  // Lists in ascending order of their starts (a set's elements as nft lists them, ranges that only
  // touch) are merged as they are: no sorted copy of a 200k-element blocklist is made.
  let ascending = true;
  for (let i = 1; i < ranges.length && ascending; i++) ascending = ranges[i - 1]![0] <= ranges[i]![0];
  const sorted = ascending ? ranges : [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  let last: [bigint, bigint] | undefined;
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    const lo = r[0] < 0n ? 0n : r[0];
    const hi = r[1] > max ? max : r[1];
    if (lo > hi) continue;
    if (last && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else out.push((last = [lo, hi]));
  }
  return out;
}

type Op = 0 | 1 | 2; // and, or, diff
const MEMO_LIMIT = 2_000_000;
/** Memo per operation, keyed by the two operand ids. */
const memo: PairMemo<Node>[] = [new PairMemo(MEMO_LIMIT), new PairMemo(MEMO_LIMIT), new PairMemo(MEMO_LIMIT)];

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
  const hit = memo[op]!.get(a.id, b.id);
  if (hit) return hit;

  // The universe's nodes hold every set built inside it on the same path: for a wide node (a large
  // set of pieces) a walk that builds nothing tells it, and the intersection is then that node as it
  // is, not rebuilt.
  if (op === 0 && holders.size > 0) {
    if (b.tree && holders.has(a) && within(b, a)) return remember(op, a, b, b);
    if (a.tree && holders.has(b) && within(a, b)) return remember(op, a, b, a);
  }
  const level = a.level < b.level ? a.level : b.level;
  if ((a.level === level && a.tree) || (b.level === level && b.tree)) return remember(op, a, b, merge(op, level, a, b));
  // a side that tests a deeper level is one piece, itself (no array made for it)
  const aKids = a.level === level ? a.kids : undefined;
  const bKids = b.level === level ? b.kids : undefined;
  const aCuts = aKids ? a.cuts : ZERO_CUTS;
  const bCuts = bKids ? b.cuts : ZERO_CUTS;
  const na = aKids ? aKids.length : 1;
  const nb = bKids ? bKids.length : 1;
  const base = top;
  let i = 0;
  let j = 0;
  let pos = 0n;
  for (;;) {
    pushPiece(base, pos, apply(op, aKids ? aKids[i]! : a, bKids ? bKids[j]! : b));
    const nextA = i + 1 < na ? aCuts[i + 1]! : NO_CUT;
    const nextB = j + 1 < nb ? bCuts[j + 1]! : NO_CUT;
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
  const node = mk(level, scratchCuts, scratchKids, base, top);
  top = base;
  return remember(op, a, b, node);
}


function remember(op: Op, a: Node, b: Node, res: Node): Node {
  memo[op]!.set(a.id, b.id, res);
  return res;
}

const ZERO_CUTS: readonly bigint[] = [0n];

/** A cursor over the pieces of `n` seen at `level` (one piece when n tests a deeper level). */
function cursorOf(n: Node, level: number): Cursor {
  const limit = LIMIT[level]!;
  if (n.level !== level) return new Cursor(viewChunk(ZERO_CUTS, [n]), limit);
  return new Cursor(n.tree ?? viewChunk(n.cuts, n.kids), limit);
}

/** What a constant operand does over a range: 1 keeps the other side, 2 gives `absorbed`, 0 neither. */
const KEEP = 1;
const ABSORB = 2;
function effectOf(op: Op, kid: Node, left: boolean): number {
  if (kid === EMPTY) return op === 1 || (op === 2 && !left) ? KEEP : ABSORB;
  if (kid === FULL) {
    if (op === 0) return KEEP;
    if (op === 1 || !left) return ABSORB;
  }
  return 0;
}
/** The result over a range where one side absorbs. */
function absorbed(op: Op): Node {
  return op === 1 ? FULL : EMPTY;
}

/**
 * `a op b` at `level` when one side is wide: a walk over both piece sequences that skips
 * what it need not look at. Where one side's piece spans many of the other's and keeps or
 * absorbs it, the other side's chunks are copied whole or jumped over; where both sides are at
 * the start of the same chunk (equal content) ending at the same place, the chunk is copied
 * (and, or) or emptied (diff) without a look inside; FULL minus a range set copies the range
 * set's chunks flipped (memoized per chunk). The rest is combined piece by piece. The result is built through the
 * canonical Builder, which reuses whole chunks when the output is aligned with them.
 */
function merge(op: Op, level: number, a: Node, b: Node): Node {
  const limit = LIMIT[level]!;
  const ca = cursorOf(a, level);
  const cb = cursorOf(b, level);
  const out = new Builder();
  // the smaller wide side, whose chunks the other may leave as they are (see keepChunk)
  const keeping = keepingSide(op, level, a, b);
  const keeper = keeping === 0 ? ca : keeping === 1 ? cb : undefined;
  let pos = 0n;
  for (;;) {
    if (ca.cut === pos && cb.cut === pos) {
      const after = skipSame(op, ca, cb, out, pos);
      if (after >= 0n) {
        if (after === limit) break;
        pos = after;
        continue;
      }
    }
    if (keeper !== undefined && keeper.atLeafStart && keeper.cut === pos) {
      const kept = keepChunk(op, level, keeper, keeper === ca ? cb : ca, keeper === ca ? b : a, out, pos, limit);
      if (kept >= 0n) {
        if (kept === limit) break;
        pos = kept;
        continue;
      }
    }
    const aNext = ca.nextStart;
    const bNext = cb.nextStart;
    // One side's piece spans several of the other's: handled whole when its child decides there.
    const over = bNext > aNext ? cb : aNext > bNext ? ca : undefined;
    if (over && (spanned(op, over, over === ca ? cb : ca, over === ca, pos, limit, out) || mapUntil(op, over, over === ca ? cb : ca, over === ca, pos, out))) {
      const end = over.nextStart;
      if (end === limit) break;
      over.advance();
      pos = end;
      continue;
    }
    out.push(pos, apply(op, ca.kid, cb.kid));
    const next = aNext < bNext ? aNext : bNext;
    if (next === limit) break;
    if (aNext === next) ca.advance();
    if (bNext === next) cb.advance();
    pos = next;
  }
  return finish(level, out);
}

/**
 * `over`'s current piece runs on past `under`'s: when its child keeps the other side there (copy
 * `under`'s pieces), absorbs it (one constant piece), or is FULL on the left of a difference (copy
 * `under`'s pieces complemented, chunks flipped whole), emits the result up to where `over`'s piece
 * ends, leaves `under` at the piece containing that end, and returns true; false when the pieces
 * must be combined one by one.
 */
function spanned(op: Op, over: Cursor, under: Cursor, overIsLeft: boolean, pos: bigint, limit: bigint, out: Builder): boolean {
  const stop = over.nextStart;
  if (op === 2 && overIsLeft && over.kid === FULL) {
    copyUntil(under, pos, stop, out, true);
    return true;
  }
  const e = effectOf(op, over.kid, overIsLeft);
  if (e === 0) return false;
  if (e === ABSORB) {
    out.push(pos, absorbed(op));
    if (stop !== limit) under.seek(stop);
  } else copyUntil(under, pos, stop, out);
  return true;
}

/**
 * `over`'s current piece runs on past several of `under`'s, with a child that neither keeps nor
 * absorbs them (spanned): each of `under`'s pieces up to where `over`'s ends is combined with
 * that one child, so whole chunks of `under` are mapped at once (mapChunk, memoized per chunk and
 * child) and appended where the builder is aligned with them. A level whose nodes differ from one
 * another in a few pieces - the destinations a rule set treats alike under each of thousands of
 * port ranges, intersected with the region of one service - then costs the chunks that differ,
 * not every piece of every node (nft bench: 7.4M pieces under 2,558 nodes, 0.9 s). Returns false,
 * doing nothing, when `under` is not a wide node's tree.
 */
function mapUntil(op: Op, over: Cursor, under: Cursor, overIsLeft: boolean, pos: bigint, out: Builder): boolean {
  if (!under.wide) return false;
  const k = over.kid;
  const key = k.id * 6 + op * 2 + (overIsLeft ? 1 : 0);
  if (key > 0x7ffffffe) return false;
  const fn = overIsLeft ? (x: Node) => apply(op, k, x) : (x: Node) => apply(op, x, k);
  emitUntil(under, pos, over.nextStart, out, fn, (x) => mapChunk(x, key, fn));
  return true;
}

/** The largest chunk keepChunk tries (in pieces): its test walks the chunk, and is wasted where it fails. */
const KEEP_MAX = 256;
/** keepChunk's answers per (chunk id, other operand and operation): the chunk is the result over its pieces but the last. */
const keptMemo = new PairFlags(MEMO_LIMIT);

/**
 * One side is at the start of a chunk of terminal pieces (a source set's), the other side leaves
 * those pieces as they are - for `and`, it holds every packet of the chunk's FULL pieces; for `or`,
 * none of its EMPTY ones; for a difference with the chunk on the left, none of its FULL ones -:
 * the result there is the chunk itself, appended whole, and the other side is sought past it.
 * Returns the position after the chunk, or -1n when no chunk was kept. A set cut by one large set
 * (the accepted sources under each destination, intersected with a blocklist's complement) is so
 * built from the chunks its source sets share, not piece by piece for each (nft bench: 7,500 source
 * sets, 6.3M pieces in 3,832 distinct chunks). Whether the other side leaves a chunk's pieces (but
 * the last, whose end lies beyond it) as they are is memoized per chunk and other operand.
 */
function keepChunk(op: Op, level: number, x: Cursor, y: Cursor, other: Node, out: Builder, pos: bigint, limit: bigint): bigint {
  // which of the chunk's pieces the other side must leave alone, and how it must be there
  const tested = op === 1 ? EMPTY : FULL;
  const mustBe = op === 0 ? FULL : EMPTY;
  const key = other.id * 3 + op;
  for (let h = Math.min(x.startHeight(), out.alignedHeight()); h >= 0; h--) {
    const c = x.chunkAt(h)!;
    if (!c.terminal || c.count > KEEP_MAX) continue;
    if (c.firstKid === out.lastKid) return NO_CUT;
    let leaves = keptMemo.get(c.id, key);
    if (leaves === undefined) keptMemo.set(c.id, key, (leaves = leavesAlone(c, other, level, tested, mustBe)));
    if (!leaves) continue;
    const end = x.chunkNext(h);
    if (c.lastKid === tested && !uniformOver(other, level, c.lastCut, end, mustBe)) continue;
    out.append(c);
    x.skipChunk(h);
    if (end !== limit) y.seek(end);
    return end;
  }
  return NO_CUT;
}

/**
 * Which operand's chunks keepChunk may keep: the smaller wide one (0: a, 1: b), the larger being
 * the filter they pass through (a blocklist's complement), so that whether it leaves them alone is
 * asked once per chunk of theirs; -1 for none. A difference keeps only its left side's.
 */
function keepingSide(op: Op, level: number, a: Node, b: Node): number {
  // (the memo key, other id * 3 + op, must fit an int32)
  if (a.level !== level || b.level !== level || a.id > 0x2aaaaaa9 || b.id > 0x2aaaaaa9) return -1;
  if (a.tree && a.size <= b.size) return 0;
  if (op !== 2 && b.tree && b.size <= a.size) return 1;
  return -1;
}

/** Whether `other` is `mustBe` all over each piece of chunk c whose child is `tested` (but c's last piece, left to the caller). */
function leavesAlone(c: Chunk, other: Node, level: number, tested: Node, mustBe: Node): boolean {
  const oc = cursorOf(other, level);
  let ok = true;
  let prev: bigint | undefined;
  let prevKid: Node | undefined;
  eachPiece(c, (cut, kid) => {
    if (prevKid === tested && !coveredBy(oc, prev!, cut, mustBe)) return !(ok = false);
    prev = cut;
    prevKid = kid;
    return false;
  });
  return ok;
}

/** Whether the cursor's node is `kid` over all of [lo, end) (lo at or after its current piece); leaves it at lo's piece. */
function coveredBy(c: Cursor, lo: bigint, end: bigint, kid: Node): boolean {
  c.seek(lo);
  return c.kid === kid && c.nextStart >= end;
}

/** Whether `n` is `kid` all over [lo, end). */
function uniformOver(n: Node, level: number, lo: bigint, end: bigint, kid: Node): boolean {
  return coveredBy(cursorOf(n, level), lo, end, kid);
}

/**
 * Both cursors start a piece at `pos`: when they are at the start of the same chunk, or of a
 * chunk and its complement twin (flipChunk: the same cuts, EMPTY and FULL children swapped - a
 * blocklist and the packets it lets past), emits its result and moves both past it. Returns the
 * next position, or -1n when nothing was skipped.
 */
function skipSame(op: Op, ca: Cursor, cb: Cursor, out: Builder, pos: bigint): bigint {
  const aligned = out.alignedHeight();
  for (let h = Math.min(ca.startHeight(), cb.startHeight()); h >= 0; h--) {
    const x = ca.chunkAt(h);
    if (x === undefined || x.id < 0) continue;
    const y = cb.chunkAt(h);
    const same = x === y;
    if (!same && (y === undefined || x.flipped !== y)) continue;
    // x op x is x (and, or) or nothing (diff); x op ¬x is nothing (and), everything (or), x (diff).
    const copies = same ? op !== 2 : op === 2;
    if (copies && h > aligned) continue;
    // The chunk's last piece runs to where the next chunk starts, which may differ.
    const after = ca.chunkNext(h);
    if (after !== cb.chunkNext(h)) continue;
    if (!copies) out.push(pos, same || op === 0 ? EMPTY : FULL);
    else if (x.firstKid !== out.lastKid) out.append(x);
    else return NO_CUT;
    ca.skipChunk(h);
    cb.skipChunk(h);
    return after;
  }
  return NO_CUT;
}

/** FULL minus a child. */
function complementOf(k: Node): Node {
  return k === EMPTY ? FULL : k === FULL ? EMPTY : apply(2, FULL, k);
}

/**
 * Emits the pieces of `c` over [pos, stop) (c's current piece contains pos), or their
 * complements when `flip`, whole chunks where the builder is aligned with them; leaves c at the
 * piece containing stop.
 */
function copyUntil(c: Cursor, pos: bigint, stop: bigint, out: Builder, flip = false): void {
  if (flip) emitUntil(c, pos, stop, out, complementOf, flippedTerminal);
  else emitUntil(c, pos, stop, out, itself, itself);
}

const itself = <T>(x: T): T => x;
/** A chunk of EMPTY and FULL pieces flipped (see flipChunk); undefined for any other. */
const flippedTerminal = (x: Chunk): Chunk | undefined => (x.terminal ? flipChunk(x, EMPTY, FULL) : undefined);

/**
 * Emits the pieces of `c` over [pos, stop) (c's current piece contains pos), each child as `kidOf`
 * makes it, and whole chunks, as `chunkOf` makes them (undefined where it makes none), where the
 * builder is aligned with them; leaves c at the piece containing stop.
 */
function emitUntil(c: Cursor, pos: bigint, stop: bigint, out: Builder, kidOf: (k: Node) => Node, chunkOf: (x: Chunk) => Chunk | undefined): void {
  out.push(pos, kidOf(c.kid));
  let next = c.nextStart;
  while (next < stop) {
    c.advance();
    for (;;) {
      let h = Math.min(c.startHeight(), out.alignedHeight());
      let appended = false;
      for (; h >= 0; h--) {
        const chunk = c.chunkAt(h)!;
        if (chunk.id < 0) break;
        const after = c.chunkNext(h);
        if (after > stop) continue;
        const x = chunkOf(chunk);
        if (x === undefined) continue;
        // Every chunk starting here starts with the same piece.
        if (x.firstKid === out.lastKid) break;
        out.append(x);
        c.skipChunk(h);
        if (after === stop) return;
        appended = true;
        break;
      }
      if (!appended) break;
    }
    out.push(c.cut, kidOf(c.kid));
    next = c.nextStart;
  }
  if (next === stop) c.advance();
}

export const and = (a: Node, b: Node): Node => apply(0, a, b);
export const or = (a: Node, b: Node): Node => apply(1, a, b);
export const diff = (a: Node, b: Node): Node => apply(2, a, b);

/** Results of nonEmpty for and (meets) and for diff (not within), keyed like the operation memo. */
const meetMemo = new PairFlags(MEMO_LIMIT);
const outsideMemo = new PairFlags(MEMO_LIMIT);
/**
 * The same answers for pairs of nodes of at most two pieces each (rule-sized sets, most of what the
 * pairwise checks test), in tables that stay in the processor's cache: cheap to answer again, they
 * were most of the entries, and storing each in the growing tables above cost a trip to memory (an
 * iptables-save of 4,841 rules: 0.4 s of 3.5).
 */
const SMALL_BITS = 16;
const meetCache = new PairFlagsCache(SMALL_BITS);
const outsideCache = new PairFlagsCache(SMALL_BITS);

/** Is `a op b` non-empty, when one side is a terminal or both are the same node? */
function terminalTest(op: 0 | 2, a: Node, b: Node): boolean | undefined {
  if (op === 0) {
    if (a === EMPTY || b === EMPTY) return false;
    if (a === FULL || b === FULL || a === b) return true;
    return undefined;
  }
  if (a === EMPTY || b === FULL || a === b) return false;
  if (b === EMPTY || a === FULL) return true; // b is not FULL: it lacks some point
  return undefined;
}

/**
 * Is `a op b` non-empty (op: and, diff)? Like apply(op, a, b) !== EMPTY, without building the
 * result: the walk stops at the first point found, and builds no nodes.
 */
function nonEmpty(op: 0 | 2, a: Node, b: Node): boolean {
  const t = terminalTest(op, a, b);
  if (t !== undefined) return t;
  if (op === 0 && a.id > b.id) [a, b] = [b, a];
  const table = a.size <= 2 && b.size <= 2 ? (op === 0 ? meetCache : outsideCache) : op === 0 ? meetMemo : outsideMemo;
  const hit = table.get(a.id, b.id);
  if (hit !== undefined) return hit;
  const level = a.level < b.level ? a.level : b.level;
  let res = false;
  // (for diff, an EMPTY piece of b leaves a whole: it is tested too)
  if (a.level !== level) {
    // a is constant here: some child of b with it (for diff, an EMPTY child of b too)
    const kids = b.tree ? distinctKids(b) : b.kids;
    for (let i = 0; i < kids.length && !res; i++) if (kids[i] !== EMPTY || op === 2) res = nonEmpty(op, a, kids[i]!);
  } else if (b.level !== level) {
    const kids = a.tree ? distinctKids(a) : a.kids;
    for (let i = 0; i < kids.length && !res; i++) if (kids[i] !== EMPTY) res = nonEmpty(op, kids[i]!, b);
  } else if (a.tree || b.tree) {
    const ca = cursorOf(a, level);
    const cb = cursorOf(b, level);
    const limit = LIMIT[level]!;
    for (;;) {
      const ka = ca.kid;
      const kb = cb.kid;
      if (nonEmpty(op, ka, kb)) {
        res = true;
        break;
      }
      const aNext = ca.nextStart;
      const bNext = cb.nextStart;
      // A piece that gives nothing whatever meets it (EMPTY on the left; for and, EMPTY on either
      // side; for diff, FULL on the right) skips the other side's pieces under it.
      if (ka === EMPTY && bNext < aNext) {
        if (aNext === limit) break;
        cb.seek(aNext);
        ca.advance();
        continue;
      }
      if (aNext < bNext && (op === 0 ? kb === EMPTY : kb === FULL)) {
        if (bNext === limit) break;
        ca.seek(bNext);
        cb.advance();
        continue;
      }
      const next = aNext < bNext ? aNext : bNext;
      if (next === limit) break;
      if (aNext === next) ca.advance();
      if (bNext === next) cb.advance();
    }
  } else {
    // two small nodes: their arrays walked directly, as in apply (cursors cost more here)
    const ac = a.cuts;
    const ak = a.kids;
    const bc = b.cuts;
    const bk = b.kids;
    let i = 0;
    let j = 0;
    for (;;) {
      if (nonEmpty(op, ak[i]!, bk[j]!)) {
        res = true;
        break;
      }
      const nextA = i + 1 < ak.length ? ac[i + 1]! : NO_CUT;
      const nextB = j + 1 < bk.length ? bc[j + 1]! : NO_CUT;
      if (nextA < 0n && nextB < 0n) break;
      if (nextB < 0n || (nextA >= 0n && nextA < nextB)) i++;
      else if (nextA < 0n || nextB < nextA) j++;
      else {
        i++;
        j++;
      }
    }
  }
  table.set(a.id, b.id, res);
  return res;
}

/** Do the two sets share a point? Like and(a, b) !== EMPTY, without building the intersection. */
export const meets = (a: Node, b: Node): boolean => nonEmpty(0, a, b);

/** Is every point of `a` in `b`? Like diff(a, b) === EMPTY, without building the difference. */
export const within = (a: Node, b: Node): boolean => !nonEmpty(2, a, b);

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

/** Calls fn(start, end, child) for each piece of a node in order; stops when fn returns true. */
export function forEachPiece(n: Node, fn: (start: bigint, end: bigint, kid: Node) => boolean | void): void {
  const max = DIM_MAX[n.level]!;
  let prevCut = -1n;
  let prevKid: Node | undefined;
  let stopped = false;
  const step = (cut: bigint, kid: Node): boolean => {
    if (prevKid !== undefined && fn(prevCut, cut - 1n, prevKid)) return (stopped = true);
    prevCut = cut;
    prevKid = kid;
    return false;
  };
  if (n.tree) eachPiece(n.tree, step);
  else {
    const cuts = n.cuts;
    const kids = n.kids;
    for (let i = 0; i < kids.length; i++) if (step(cuts[i]!, kids[i]!)) break;
  }
  if (!stopped && prevKid !== undefined) fn(prevCut, max, prevKid);
}

/**
 * A member of a set that is not EMPTY: at each level tested on the way, the low end (`high`: the
 * high end) of the first piece that is not EMPTY (`last`: of the last one); elsewhere 0 (`high`:
 * the dimension's maximum). Without `last`, what `PacketSet.witness` gives without preferences,
 * for probes that need a point, not a readable one.
 */
export function cornerPoint(a: Node, high: boolean, last = false): bigint[] {
  const point = DIM_MAX.map((max) => (high ? max : 0n));
  let n = a;
  while (n !== FULL && n !== EMPTY) {
    let next: Node = EMPTY;
    const level = n.level;
    forEachPiece(n, (lo, hi, kid) => {
      if (kid === EMPTY) return false;
      point[level] = high ? hi : lo;
      next = kid;
      return !last;
    });
    n = next;
  }
  return point;
}

/** The distinct children of a node. */
function distinctKids(n: Node): readonly Node[] {
  if (!n.tree) return [...new Set(n.kids)];
  let kids = wideKids.get(n);
  if (!kids) {
    const seen = new Set<Node>();
    eachPiece(n.tree, (_c, k) => {
      seen.add(k);
    });
    wideKids.set(n, (kids = [...seen]));
  }
  return kids;
}

/** The distinct children of wide nodes, listed once (nodes never change). */
const wideKids = new WeakMap<Node, readonly Node[]>();

/** The node of the same partition with every child replaced by f(child). */
function mapKids(n: Node, f: (k: Node) => Node): Node {
  if (n.tree) {
    const b = new Builder();
    eachPiece(n.tree, (c, k) => b.push(c, f(k)));
    return finish(n.level, b);
  }
  const cuts: bigint[] = [];
  const kids: Node[] = [];
  for (let i = 0; i < n.size; i++) {
    const k = f(n.kids[i]!);
    if (kids.length > 0 && kids[kids.length - 1] === k) continue;
    cuts.push(n.cuts[i]!);
    kids.push(k);
  }
  return mk(n.level, cuts, kids);
}

const forAllMemo = new Map<string, Node>();

/**
 * The points whose every variant with dimension `level` in `ranges` is in the set, that dimension
 * left open: the intersection of the children over those values. Where one of them is EMPTY the
 * answer is EMPTY at once - the common case of "is every port open?", which `exists` over the
 * complement answered by joining every port's children.
 */
export function forAll(a: Node, level: number, ranges: readonly (readonly [bigint, bigint])[]): Node {
  const rs = normalView(ranges, DIM_MAX[level]!);
  return forAllIn(a, level, rs, `${level}:${rs.map(([lo, hi]) => `${lo}-${hi}`).join(",")}`);
}

function forAllIn(a: Node, level: number, rs: readonly (readonly [bigint, bigint])[], rsKey: string): Node {
  if (a === EMPTY || a === FULL || a.level > level) return a;
  const key = `${a.id}:${rsKey}`;
  const hit = forAllMemo.get(key);
  if (hit) return hit;
  let res: Node;
  if (a.level < level) res = mapKids(a, (k) => forAllIn(k, level, rs, rsKey));
  else {
    res = FULL;
    let r = 0; // the first range that does not end before the piece
    forEachPiece(a, (start, end, kid) => {
      while (r < rs.length && rs[r]![1] < start) r++;
      if (r === rs.length) return true;
      if (rs[r]![0] > end) return false; // the piece lies between two ranges
      res = and(res, kid);
      return res === EMPTY;
    });
  }
  if (forAllMemo.size > MEMO_LIMIT) forAllMemo.clear();
  forAllMemo.set(key, res);
  return res;
}

const existsMemo = new Map<string, Node>();

/** Forgets the given dimensions: the set of points that agree with some member on every other dimension. */
export function exists(a: Node, levels: readonly number[]): Node {
  if (a === EMPTY || a === FULL || levels.length === 0) return a;
  let deepest = -1;
  for (const l of levels) if (l > deepest) deepest = l;
  if (a.level > deepest) return a; // nothing below tests a forgotten dimension
  // the last dimension's children are FULL or EMPTY, and a node has a FULL one: no walk of its
  // pieces (a 140k-address blocklist's) to find that out
  if (a.level === DIM_COUNT - 1 && levels.includes(a.level)) return FULL;
  const key = `${a.id}:${levels.join(",")}`;
  const hit = existsMemo.get(key);
  if (hit) return hit;
  const res = levels.includes(a.level) ? orAll(distinctKids(a).map((k) => exists(k, levels))) : mapKids(a, (k) => exists(k, levels));
  if (existsMemo.size > MEMO_LIMIT) existsMemo.clear();
  existsMemo.set(key, res);
  return res;
}

const translateMemo = new Map<string, Node>();

/**
 * The set with every value of dimension `level` moved by `delta` (a 1:1 address mapping). Every
 * member's value there must stay inside the dimension once moved, and every path of the set must
 * test that dimension (the caller restricts it to a range first), unless `delta` is 0.
 */
export function translate(a: Node, level: number, delta: bigint): Node {
  if (delta === 0n || a === EMPTY) return a;
  if (a === FULL || a.level > level) throw new RangeError(`translate: dimension ${level} is not restricted on some path`);
  const key = `${a.id}:${level}:${delta}`;
  const hit = translateMemo.get(key);
  if (hit) return hit;
  let res: Node;
  if (a.level < level) res = mapKids(a, (k) => translate(k, level, delta));
  else {
    const max = DIM_MAX[level]!;
    const ranges: [bigint, bigint][] = [];
    const kids: Node[] = [];
    forEachPiece(a, (start, end, kid) => {
      if (kid === EMPTY) return;
      const lo = start + delta;
      const hi = end + delta;
      if (lo < 0n || hi > max) throw new RangeError(`translate: ${start}-${end} moved by ${delta} leaves dimension ${level}`);
      ranges.push([lo, hi]);
      kids.push(kid);
    });
    res = layRanges(level, ranges, kids, EMPTY);
  }
  if (translateMemo.size > MEMO_LIMIT) translateMemo.clear();
  translateMemo.set(key, res);
  return res;
}

/** The child reached for `value` at `level` (the node itself when it does not test that level). */
export function restrict(a: Node, level: number, value: bigint): Node {
  if (a.level > level) return a;
  if (a.level < level) return mapKids(a, (k) => restrict(k, level, value));
  return kidAt(a, value);
}

/** The child of the piece containing `value` (a node testing its own level). */
export function kidAt(a: Node, value: bigint): Node {
  if (a.tree) return kidAtValue(a.tree, value);
  return a.kids[pieceIndex(a, value)]!;
}

export function pieceIndex(a: Node, value: bigint): number {
  return lastAtOrBelow(a.cuts, value, 0);
}

/** Inclusive end of piece i of a node. */
export function pieceEnd(a: Node, i: number): bigint {
  const cuts = a.cuts;
  return i + 1 < cuts.length ? cuts[i + 1]! - 1n : DIM_MAX[a.level]!;
}

/** Does the point have a value inside its range on every dimension (else it is no packet, and in no set)? */
export function isPacket(point: readonly bigint[]): boolean {
  for (let d = 0; d < DIM_COUNT; d++) {
    const v = point[d];
    if (v === undefined || v < 0n || v > DIM_MAX[d]!) return false;
  }
  return true;
}

/** Does the set contain the point (one value per dimension)? A value outside its dimension's range is in no set. */
export function contains(a: Node, point: readonly bigint[]): boolean {
  if (!isPacket(point)) return false;
  let n = a;
  while (n !== EMPTY && n !== FULL) n = kidAt(n, point[n.level]!);
  return n === FULL;
}

/**
 * Total width of the pieces of `n` whose child is not EMPTY. For a wide node this is kept per
 * chunk, so a node that shares most chunks with one measured before costs only its new chunks.
 */
export function coveredWidth(n: Node): bigint {
  if (n === EMPTY) return 0n;
  const end = LIMIT[n.level]!;
  return n.tree ? chunkWidth(n.tree, end) : piecesWidthBelow(n.cuts, n.kids, end, end);
}

/**
 * Width of the pieces of `n` whose child is not EMPTY, counted inside [lo, hi] only (a sorted,
 * apart list of such ranges may be given by calling this once per range). Builds nothing: a wide
 * node is walked down the chunks that hold lo and hi, the chunks in between counted whole from
 * their cached widths.
 */
export function coveredWidthIn(n: Node, lo: bigint, hi: bigint): bigint {
  if (n === EMPTY || hi < lo) return 0n;
  const max = DIM_MAX[n.level]!;
  return widthBelow(n, hi >= max ? max + 1n : hi + 1n, max) - widthBelow(n, lo, max);
}

/** Width of the non-EMPTY pieces of `n` below v (v <= max + 1). */
function widthBelow(n: Node, v: bigint, max: bigint): bigint {
  if (v <= 0n) return 0n;
  if (v > max) return coveredWidth(n);
  return n.tree ? chunkWidthBelow(n.tree, v, max + 1n) : piecesWidthBelow(n.cuts, n.kids, v, max + 1n);
}

/** Width of the non-EMPTY pieces below v of a run of pieces; `end`: where the piece after it starts. */
function piecesWidthBelow(cuts: readonly bigint[], kids: readonly Node[], v: bigint, end: bigint): bigint {
  let sum = 0n;
  for (let i = 0; i < kids.length; i++) {
    const start = cuts[i]!;
    if (start >= v) break;
    if (kids[i] === EMPTY) continue;
    const next = i + 1 < kids.length ? cuts[i + 1]! : end;
    sum += (next < v ? next : v) - start;
  }
  return sum;
}

/** Width of the non-EMPTY pieces of chunk `c` below v; `end`: where the piece after c starts. */
function chunkWidthBelow(c: Chunk, v: bigint, end: bigint): bigint {
  if (c.height === 0) return piecesWidthBelow(c.cuts, c.kids, v, end);
  let sum = 0n;
  const items = c.items;
  for (let i = 0; i < items.length; i++) {
    const x = items[i]!;
    const next = i + 1 < items.length ? items[i + 1]!.cuts[0]! : end;
    if (next <= v) {
      sum += chunkWidth(x, next); // x lies wholly below v
      continue;
    }
    if (x.cuts[0]! < v) sum += chunkWidthBelow(x, v, next);
    break;
  }
  return sum;
}

/** Width of the non-EMPTY pieces of chunk `c`, its last piece running up to `end` (where the next starts). */
function chunkWidth(c: Chunk, end: bigint): bigint {
  return innerWidth(c) + (c.lastKid !== EMPTY ? end - c.lastCut : 0n);
}

/** Width of the non-EMPTY pieces of a chunk, its last piece left out (its end lies beyond); cached. */
function innerWidth(c: Chunk): bigint {
  if (c.innerWidth !== undefined) return c.innerWidth;
  let sum = 0n;
  if (c.height === 0) sum = piecesWidthBelow(c.cuts, c.kids, c.lastCut, c.lastCut);
  else {
    const items = c.items;
    for (let i = 0; i < items.length; i++) {
      const x = items[i]!;
      sum += i + 1 < items.length ? chunkWidth(x, items[i + 1]!.cuts[0]!) : innerWidth(x);
    }
  }
  c.innerWidth = sum;
  return sum;
}

/** Number of nodes reachable from a (size of the diagram), for benchmarks and tests. */
export function nodeCount(a: Node): number {
  const seen = new Set<number>();
  const stack = [a];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    if (n !== EMPTY && n !== FULL) for (const k of distinctKids(n)) stack.push(k);
  }
  return seen.size;
}

/** Caches kept by other modules over nodes (keyed by node id): cleared with this module's own. */
const resetHooks: (() => void)[] = [];
export function onResetCaches(clear: () => void): void {
  resetHooks.push(clear);
}

/**
 * Forgets the hash-consing tables and the memos, to bound memory between independent analyses
 * (one file after another). Sets built before stay valid: terminals are shared, emptiness and
 * containment stay exact; only identity-based equality between an old and a new set is lost,
 * except for pinned nodes, which are put back into the tables.
 */
export function resetCaches(): void {
  scratchCuts = [];
  scratchKids = [];
  top = 0;
  unique.clear();
  uniqueWide.clear();
  forgetChunks();
  for (const m of memo) m.clear();
  keptMemo.clear();
  existsMemo.clear();
  forAllMemo.clear();
  translateMemo.clear();
  meetMemo.clear();
  meetCache.clear();
  outsideCache.clear();
  outsideMemo.clear();
  for (const clear of resetHooks) clear();
  const seen = new Set<Node>();
  for (const n of pinned) reintern(n, seen);
}
