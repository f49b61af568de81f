/**
 * The pieces of a wide decision-diagram node, stored as a canonical chunked tree (a
 * content-defined "prolly tree").
 *
 * A node's pieces form a sequence of (start, child). Leaf chunks hold runs of pieces; a run ends
 * after a piece whose start hashes to a value with its low chunkBits bits zero, or when it
 * reaches chunkCap pieces. Chunks of one height are grouped the same way into chunks of the next
 * height (by a hash of the starts they cover), until one chunk remains: the root. Chunks are
 * hash-consed by content. Where a run ends depends only on the starts since the previous run
 * ended, so the tree of a sequence is a function of the sequence alone: two equal sets have the
 * same root chunk, and two sets that differ in a few places share every chunk away from those
 * places. An operation that changes few pieces rebuilds only the chunks on the paths to them
 * (see Builder and Cursor). As the shape ignores the children, the complement of a range set is
 * the same tree with its leaves flipped, which flipChunk memoizes chunk by chunk.
 */
import { HashChains } from "./hash-chains.js";
import type { Node } from "./idd.js";
import { PairMemo } from "./pair-memo.js";

let chunkBits = 5;
let chunkMask = (1 << chunkBits) - 1;
/** A run also ends at this many items, so no content makes a chunk arbitrarily large. */
let chunkCap = 8 << chunkBits;

/** Changes the average chunk size (2^bits). Only valid together with forgetting every chunk. */
export function setChunkBits(bits: number): void {
  chunkBits = bits;
  chunkMask = (1 << bits) - 1;
  chunkCap = 8 << bits;
}

export class Chunk {
  /** Lazily computed: total width of the non-EMPTY pieces, except the last piece (see idd). */
  innerWidth: bigint | undefined = undefined;
  /** Lazily computed: the same chunk with EMPTY and FULL children swapped (see flipChunk). */
  flipped: Chunk | undefined = undefined;
  /** The next chunk whose content hashes alike (see `chunks`). */
  sameHash: Chunk | undefined = undefined;
  constructor(
    /** -1 for the temporary single-leaf view of a small node: never shared, never appended. */
    readonly id: number,
    /** 0 for a leaf (pieces), h for a chunk of chunks of height h - 1. */
    readonly height: number,
    readonly hash: number,
    /** Leaf: start of each piece. Inner: start of each item. */
    readonly cuts: readonly bigint[],
    /** Leaf only: child of each piece. */
    readonly kids: readonly Node[],
    /** Inner only: the chunks of height - 1. */
    readonly items: readonly Chunk[],
    /** Pieces below. */
    readonly count: number,
    readonly firstKid: Node,
    readonly lastKid: Node,
    readonly lastCut: bigint,
    /** Hash of the starts alone: decides where runs end. */
    readonly shape: number,
    /** As an item of the next height, this chunk ends a run (decided by `shape`). */
    readonly boundary: boolean,
    /** Every child below is EMPTY or FULL. */
    readonly terminal: boolean,
  ) {}
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A cut folded to 32 bits. Large cuts (interface names are 256-bit values, IPv6 addresses 128)
 * are reduced modulo a prime below 2^53, which depends on every bit and is one bigint operation
 * (a word-by-word fold took five times as long, and hashing is on every node and chunk built).
 */
const FOLD_PRIME = 9007199254740881n; // the largest prime below 2^53
export function foldCut(c: bigint): number {
  if (c <= 0xffffffffn) return Number(c);
  return Number(c % FOLD_PRIME) | 0;
}

/** Hash of a piece's start: where runs end. */
function cutHash(cut: bigint): number {
  return fmix(foldCut(cut));
}
/** Hash of a whole piece, from its start's hash: for hash-consing. */
function pieceHash(shape: number, kid: Node): number {
  return fmix(shape ^ Math.imul(kid.id + 1, 0x9e3779b1));
}
const NO_ITEMS: readonly Chunk[] = [];
const NO_KIDS: readonly Node[] = [];
const isTerminal = (k: Node): boolean => k.id < 2; // EMPTY and FULL have ids 0 and 1

/** Chunks by content hash. */
const chunks = new HashChains<Chunk>();
let nextChunkId = 0;

export function forgetChunks(): void {
  chunks.clear();
  mapped.clear();
}

/** Puts a chunk (and every chunk below it) back into the table after forgetChunks. */
export function reinternChunk(c: Chunk): void {
  for (const x of c.items) reinternChunk(x);
  chunks.addOnce(c.hash, c);
}

function leafChunk(cuts: bigint[], kids: Node[], shapes: number[]): Chunk {
  let h = 0x243f6a88;
  let shape = 0x13198a2e;
  let terminal = true;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i]!;
    h = fmix(h ^ pieceHash(shapes[i]!, k));
    shape = fmix(shape ^ shapes[i]!);
    if (!isTerminal(k)) terminal = false;
  }
  outer: for (let c = chunks.first(h); c !== undefined; c = c.sameHash) {
    if (c.height !== 0 || c.kids.length !== kids.length) continue;
    for (let i = 0; i < kids.length; i++) if (c.kids[i] !== kids[i] || c.cuts[i] !== cuts[i]) continue outer;
    return c;
  }
  const n = kids.length;
  // copies of exact length: arrays grown by push keep spare room, and chunks live long
  const c = new Chunk(nextChunkId++, 0, h, cuts.slice(), kids.slice(), NO_ITEMS, n, kids[0]!, kids[n - 1]!, cuts[n - 1]!, shape, (fmix(shape ^ 0x5bd1e995) & chunkMask) === 0, terminal);
  chunks.add(h, c);
  return c;
}

function innerChunk(height: number, items: Chunk[]): Chunk {
  let h = Math.imul(height, 0x9e3779b1);
  let shape = Math.imul(height, 0x85ebca6b);
  let terminal = true;
  for (const x of items) {
    h = fmix(h ^ x.hash);
    shape = fmix(shape ^ x.shape);
    if (!x.terminal) terminal = false;
  }
  outer: for (let c = chunks.first(h); c !== undefined; c = c.sameHash) {
    if (c.height !== height || c.items.length !== items.length) continue;
    for (let i = 0; i < items.length; i++) if (c.items[i] !== items[i]) continue outer;
    return c;
  }
  let count = 0;
  for (const x of items) count += x.count;
  const last = items[items.length - 1]!;
  const c = new Chunk(
    nextChunkId++,
    height,
    h,
    items.map((x) => x.cuts[0]!),
    NO_KIDS,
    items.slice(),
    count,
    items[0]!.firstKid,
    last.lastKid,
    last.lastCut,
    shape,
    (fmix(shape ^ 0x5bd1e995) & chunkMask) === 0,
    terminal,
  );
  chunks.add(h, c);
  return c;
}

/**
 * A terminal chunk with EMPTY and FULL swapped: the same starts, so the same shape, and a valid
 * chunk of the complemented sequence (neighbours still differ). Memoized on the chunk.
 */
export function flipChunk(c: Chunk, empty: Node, full: Node): Chunk {
  if (c.flipped) return c.flipped;
  let f: Chunk;
  if (c.height === 0) {
    const shapes = c.cuts.map(cutHash);
    f = leafChunk(c.cuts as bigint[], c.kids.map((k) => (k === empty ? full : empty)), shapes);
  } else f = innerChunk(c.height, c.items.map((x) => flipChunk(x, empty, full)));
  c.flipped = f;
  f.flipped = c;
  return f;
}

/** The chunks mapChunk made, keyed by chunk id and the caller's key for its function. */
const mapped = new PairMemo<Chunk>(1_000_000);
/** mapChunk's answer for a chunk whose mapped pieces would merge (no chunk of the same shape). */
const MERGES = new Chunk(-2, 0, 0, [], [], NO_ITEMS, 0, undefined as unknown as Node, undefined as unknown as Node, 0n, 0, false, false);

/**
 * The chunk of the same pieces with every child mapped by `fn`, or undefined when two neighbouring
 * pieces inside it would then have the same child (they would merge, and the chunk's shape with
 * them). A mapped chunk has the same starts, so the same shape: it is the chunk the canonical tree
 * of the mapped sequence holds in its place, provided the pieces either side of it do not merge
 * with its first and last (the caller's check, as for any appended chunk). Memoized per chunk and
 * `key`, which must name `fn` (a non-negative int32): chunks shared by many nodes - the
 * neighbouring sets of a diagram level, which differ in a few pieces - are mapped once.
 */
export function mapChunk(c: Chunk, key: number, fn: (kid: Node) => Node): Chunk | undefined {
  const hit = mapped.get(c.id, key);
  if (hit !== undefined) return hit === MERGES ? undefined : hit;
  let out: Chunk | undefined;
  if (c.height === 0) {
    const kids = c.kids.map(fn);
    let same = true;
    let merges = false;
    for (let i = 0; i < kids.length; i++) {
      if (kids[i] !== c.kids[i]) same = false;
      if (i > 0 && kids[i] === kids[i - 1]) merges = true;
    }
    out = merges ? undefined : same ? c : leafChunk(c.cuts as bigint[], kids, c.cuts.map(cutHash));
  } else {
    const items: Chunk[] = [];
    let same = true;
    for (const x of c.items) {
      const m = mapChunk(x, key, fn);
      if (m === undefined || (items.length > 0 && items[items.length - 1]!.lastKid === m.firstKid)) break;
      if (m !== x) same = false;
      items.push(m);
    }
    out = items.length < c.items.length ? undefined : same ? c : innerChunk(c.height, items);
  }
  mapped.set(c.id, key, out ?? MERGES);
  return out;
}

/** A temporary leaf over a small node's arrays (or one piece over a whole dimension). */
export function viewChunk(cuts: readonly bigint[], kids: readonly Node[]): Chunk {
  const n = kids.length;
  return new Chunk(-1, 0, 0, cuts, kids, NO_ITEMS, n, kids[0]!, kids[n - 1]!, cuts[n - 1]!, 0, false, false);
}

/**
 * Builds the canonical tree of a piece sequence given in order. Pieces are pushed one by one
 * (a piece with the same child as the previous one extends it); whole chunks of an existing
 * tree can be appended when the builder is at a run end of every lower height, which gives the
 * same tree as pushing their pieces.
 */
export class Builder {
  private cuts0: bigint[] = [];
  private kids0: Node[] = [];
  private hashes0: number[] = [];
  /** bufs[h]: chunks of height h not yet grouped into a chunk of height h + 1. */
  private readonly bufs: Chunk[][] = [];
  lastKid: Node | undefined = undefined;
  count = 0;

  push(cut: bigint, kid: Node): void {
    if (kid === this.lastKid) return;
    this.lastKid = kid;
    const h = cutHash(cut);
    this.cuts0.push(cut);
    this.kids0.push(kid);
    this.hashes0.push(h);
    this.count++;
    if ((h & chunkMask) === 0 || this.kids0.length >= chunkCap) this.closeLeaf();
  }

  private closeLeaf(): void {
    const c = leafChunk(this.cuts0, this.kids0, this.hashes0);
    this.cuts0 = [];
    this.kids0 = [];
    this.hashes0 = [];
    this.add(c);
  }

  private add(c: Chunk): void {
    const h = c.height;
    while (this.bufs.length <= h) this.bufs.push([]);
    const buf = this.bufs[h]!;
    buf.push(c);
    if (c.boundary || buf.length >= chunkCap) {
      this.bufs[h] = [];
      this.add(innerChunk(h + 1, buf));
    }
  }

  private nextNonEmpty(from: number): number {
    let i = from;
    while (i < this.bufs.length && this.bufs[i]!.length === 0) i++;
    return i;
  }

  /** The greatest chunk height that `append` accepts now (-1: pieces are pending). */
  alignedHeight(): number {
    if (this.kids0.length > 0) return -1;
    const lowest = this.nextNonEmpty(0);
    return lowest >= this.bufs.length ? Number.MAX_SAFE_INTEGER : lowest;
  }

  /** Appends a whole chunk: its height must be at most alignedHeight() and its first child not lastKid. */
  append(c: Chunk): void {
    this.add(c);
    this.lastKid = c.lastKid;
    this.count += c.count;
  }

  /** The pieces pushed so far, as arrays (for a result small enough to be a plain node). */
  flat(): { cuts: bigint[]; kids: Node[] } {
    const cuts: bigint[] = [];
    const kids: Node[] = [];
    const add = (c: bigint, k: Node) => {
      cuts.push(c);
      kids.push(k);
    };
    for (let h = this.bufs.length - 1; h >= 0; h--) for (const c of this.bufs[h]!) eachPiece(c, add);
    for (let i = 0; i < this.kids0.length; i++) add(this.cuts0[i]!, this.kids0[i]!);
    return { cuts, kids };
  }

  /** The root of the finished tree, or undefined when nothing was pushed. */
  finishTree(): Chunk | undefined {
    if (this.kids0.length > 0) {
      const c = leafChunk(this.cuts0, this.kids0, this.hashes0);
      this.cuts0 = [];
      this.kids0 = [];
      this.hashes0 = [];
      if (this.bufs.length === 0) this.bufs.push([]);
      this.bufs[0]!.push(c);
    }
    let root: Chunk | undefined;
    for (let h = 0; h < this.bufs.length; h++) {
      const buf = this.bufs[h]!;
      if (buf.length === 0) continue;
      const higher = this.nextNonEmpty(h + 1) < this.bufs.length;
      if (!higher && buf.length === 1) {
        root = buf[0]!;
        break;
      }
      while (this.bufs.length <= h + 1) this.bufs.push([]);
      this.bufs[h + 1]!.push(innerChunk(h + 1, buf));
      this.bufs[h] = [];
    }
    while (root && root.height > 0 && root.items.length === 1) root = root.items[0]!;
    return root;
  }
}

/** Calls fn for every piece of a tree in order (start, child); stops when fn returns true. */
export function eachPiece(c: Chunk, fn: (cut: bigint, kid: Node) => boolean | void): boolean {
  if (c.height === 0) {
    for (let i = 0; i < c.kids.length; i++) if (fn(c.cuts[i]!, c.kids[i]!)) return true;
    return false;
  }
  for (const x of c.items) if (eachPiece(x, fn)) return true;
  return false;
}

/** Last index i with cuts[i] <= v, in an ascending list (cuts[from] <= v is known). */
export function lastAtOrBelow<T extends bigint | number>(cuts: readonly T[], v: T, from = 0): number {
  let lo = from;
  let hi = cuts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cuts[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The child of the piece containing v. */
export function kidAtValue(c: Chunk, v: bigint): Node {
  let ch = c;
  while (ch.height > 0) ch = ch.items[lastAtOrBelow(ch.cuts, v, 0)]!;
  return ch.kids[lastAtOrBelow(ch.cuts, v, 0)]!;
}

/**
 * A position in a tree: the path of chunks from the root to a leaf and the index taken in each.
 * Trees are balanced (every leaf at the same depth), so the chunk at depth d has height top - d.
 */
export class Cursor {
  private readonly path: Chunk[] = [];
  private readonly idx: number[] = [];
  private readonly top: number;
  done = false;

  constructor(
    root: Chunk,
    /** One past the dimension's largest value (where the last piece ends). */
    private readonly limit: bigint,
  ) {
    this.path.push(root);
    this.idx.push(0);
    let c = root;
    while (c.height > 0) {
      c = c.items[0]!;
      this.path.push(c);
      this.idx.push(0);
    }
    this.top = this.path.length - 1;
  }

  get cut(): bigint {
    return this.path[this.top]!.cuts[this.idx[this.top]!]!;
  }
  /** Whether the cursor is at the first piece of a leaf chunk. */
  get atLeafStart(): boolean {
    return this.idx[this.top] === 0;
  }
  /** Whether the cursor walks a wide node's tree (not a temporary view, see viewChunk). */
  get wide(): boolean {
    return this.path[0]!.id >= 0;
  }
  get kid(): Node {
    return this.path[this.top]!.kids[this.idx[this.top]!]!;
  }
  /** Start of the next piece (max + 1 after the last). */
  get nextStart(): bigint {
    const leaf = this.path[this.top]!;
    const i = this.idx[this.top]! + 1;
    if (i < leaf.cuts.length) return leaf.cuts[i]!;
    return this.startAfter(this.top);
  }

  /** First value after the chunk at depth d (max + 1 at the end). */
  private startAfter(d: number): bigint {
    for (let e = d - 1; e >= 0; e--) {
      const j = this.idx[e]! + 1;
      const ch = this.path[e]!;
      if (j < ch.items.length) return ch.cuts[j]!;
    }
    return this.limit;
  }

  private descendLeft(d: number): void {
    for (let e = d + 1; e <= this.top; e++) {
      this.path[e] = this.path[e - 1]!.items[this.idx[e - 1]!]!;
      this.idx[e] = 0;
    }
  }

  /** Moves to the next piece (or sets done). */
  advance(): void {
    const t = this.top;
    if (this.idx[t]! + 1 < this.path[t]!.cuts.length) {
      this.idx[t]!++;
      return;
    }
    this.leave(t);
  }

  /** Moves to the first piece after the chunk at depth d. */
  private leave(d: number): void {
    let e = d - 1;
    while (e >= 0 && this.idx[e]! + 1 >= this.path[e]!.items.length) e--;
    if (e < 0) {
      this.done = true;
      return;
    }
    this.idx[e]!++;
    this.descendLeft(e);
  }

  /** Greatest height of a chunk the cursor is at the very start of (-1: inside a leaf). */
  startHeight(): number {
    let d = this.top;
    if (this.idx[d] !== 0) return -1;
    while (d > 0 && this.idx[d - 1] === 0) d--;
    return this.top - d;
  }

  /** The chunk of height h on the path (h <= the tree's height). */
  chunkAt(h: number): Chunk | undefined {
    return h <= this.top ? this.path[this.top - h] : undefined;
  }
  /** First value after the chunk of height h on the path. */
  chunkNext(h: number): bigint {
    return this.startAfter(this.top - h);
  }
  /** Moves past the chunk of height h on the path. */
  skipChunk(h: number): void {
    this.leave(this.top - h);
  }

  /** Moves forward to the piece containing v (v at or after the current piece). */
  seek(v: bigint): void {
    if (v >= this.limit) {
      this.done = true;
      return;
    }
    let d = this.top;
    while (d > 0 && v >= this.startAfter(d)) d--;
    this.idx[d] = lastAtOrBelow(this.path[d]!.cuts, v, this.idx[d]!);
    for (let e = d + 1; e <= this.top; e++) {
      const c = this.path[e - 1]!.items[this.idx[e - 1]!]!;
      this.path[e] = c;
      this.idx[e] = lastAtOrBelow(c.cuts, v, 0);
    }
  }
}
