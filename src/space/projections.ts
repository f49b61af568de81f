/**
 * A quick, conservative test of whether two packet sets can meet: their projections on the
 * protocol, destination port and the two addresses, as sorted ranges of doubles rounded outwards.
 * Sets whose projections are disjoint on some dimension are disjoint; the converse need not hold
 * (two sets can overlap on every projection and still not meet). Checks that would otherwise
 * test a set against every earlier rule use it to skip the pairs that cannot meet before doing
 * exact set operations on the rest.
 */
import { DIM_COUNT, DIM_MAX, Dim } from "./dims.js";
import * as idd from "./idd.js";
import type { Node } from "./idd.js";
import type { PacketSet } from "./packet-set.js";
import { FLAT_EMPTY, type FlatSet, type FlatStore, currentFlatStore, flatLevel, forEachFlatPiece } from "./flat-sets.js";

const DIMS: readonly Dim[] = [Dim.Proto, Dim.Dport, Dim.Dst, Dim.Src];
/** A projection keeps at most this many ranges; more are joined into covering ranges. */
const MAX_RANGES = 64;
const EXACT = 2n ** 53n;

/** Largest double not above v, smallest double not below v (Number(v) may round either way). */
function below(v: bigint): number {
  return v <= EXACT ? Number(v) : Number(v) * (1 - 2 ** -52);
}
function above(v: bigint): number {
  return v <= EXACT ? Number(v) : Number(v) * (1 + 2 ** -52);
}

/** Position of each dimension in DIMS, -1 for the others. */
const SLOT: readonly number[] = Array.from({ length: DIM_COUNT }, (_, d) => DIMS.indexOf(d as Dim));

/** The rounded-up end of a piece that ends just before `next` (exact below 2^53, as `above`). */
function endBefore(next: bigint): number {
  return next <= EXACT ? Number(next) - 1 : above(next - 1n);
}

/** How walkRanges reads the nodes of one form of sets: object nodes (idd.ts) or flat ones (flat-sets.ts). */
interface NodeForm<N> {
  empty: N;
  level(n: N): number;
  /** Each piece of a node (not a terminal) with its child: its values as doubles rounded outwards. */
  pieces(n: N, visit: (lo: number, hi: number, kid: N) => void): void;
}

const OBJECT_NODES: NodeForm<Node> = {
  empty: idd.EMPTY,
  level: (n) => n.level,
  pieces(n, visit) {
    if (n.tree) {
      idd.forEachPiece(n, (lo, hi, kid) => visit(below(lo), above(hi), kid));
      return;
    }
    // a small node is read straight from its arrays, with no bigint per piece
    const cuts = n.cuts;
    const kids = n.kids;
    const m = kids.length;
    for (let i = 0; i < m; i++) visit(below(cuts[i]!), i + 1 < m ? endBefore(cuts[i + 1]!) : above(DIM_MAX[n.level]!), kids[i]!);
  },
};

/** Flat nodes: their cuts are exact doubles already. */
const FLAT_NODES: NodeForm<FlatSet> = {
  empty: FLAT_EMPTY,
  level: flatLevel,
  pieces(n, visit) {
    const max = above(DIM_MAX[flatLevel(n)]!);
    forEachFlatPiece(n, (lo, next, kid) => visit(lo, next === Infinity ? max : next - 1, kid));
  },
};

/**
 * The values each of DIMS takes in the set, as ranges of doubles rounded outwards ([lo0, hi0,
 * lo1, hi1, ...] per dimension, in the order the walk meets them), and which of DIMS some path
 * skips (bit k: DIMS[k] is open there). One walk of the set's nodes that keeps no bigint per
 * piece: rule-sized sets are projected by the tens of thousands.
 */
function walkRanges<N>(root: N, form: NodeForm<N>, budget = Infinity): { found: number[][]; open: number } | undefined {
  const found: number[][] = DIMS.map(() => []);
  let pieces = 0;
  let open = 0;
  /** Dimensions strictly between levels `from` and `to` are open on this edge. */
  const skipped = (from: number, to: number) => {
    for (let k = 0; k < DIMS.length; k++) if (DIMS[k]! > from && DIMS[k]! < to) open |= 1 << k;
  };
  if (root === form.empty) return { found, open };
  const rootLevel = form.level(root);
  skipped(-1, rootLevel);
  const seen = new Set<N>();
  const stack: N[] = rootLevel < DIM_COUNT ? [root] : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const lv = form.level(n);
    const out = found[SLOT[lv]!];
    form.pieces(n, (lo, hi, kid) => {
      pieces++;
      if (kid === form.empty) return;
      out?.push(lo, hi);
      const kidLevel = form.level(kid);
      if (kidLevel > lv + 1) skipped(lv, kidLevel);
      if (kidLevel < DIM_COUNT && !seen.has(kid)) {
        seen.add(kid);
        stack.push(kid);
      }
    });
    // (a node's pieces are walked whole: the budget is kept to within one node)
    if (pieces > budget) return undefined;
  }
  return { found, open };
}

/**
 * Ranges as [lo0, hi0, ...] sorted and merged (touching ones too), at most MAX_RANGES of them:
 * past that, consecutive ranges are joined into covering ones.
 */
function projection(found: number[]): readonly number[] {
  const n = found.length / 2;
  let sorted = true;
  for (let i = 2; i < found.length && sorted; i += 2) sorted = found[i - 2]! <= found[i]!;
  let pairs = found;
  if (!sorted) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => found[2 * a]! - found[2 * b]!);
    pairs = [];
    for (const i of order) pairs.push(found[2 * i]!, found[2 * i + 1]!);
  }
  const merged: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const lo = pairs[i]!;
    const hi = pairs[i + 1]!;
    const m = merged.length;
    if (m > 0 && lo <= merged[m - 1]! + 1) {
      if (hi > merged[m - 1]!) merged[m - 1] = hi;
    } else merged.push(lo, hi);
  }
  const count = merged.length / 2;
  // (a copy: an array grown by push keeps room for more, and projections are kept to the end)
  if (count <= MAX_RANGES) return merged.slice();
  const per = Math.ceil(count / MAX_RANGES);
  const out: number[] = new Array(2 * Math.ceil(count / per));
  for (let i = 0, k = 0; i < count; i += per, k += 2) {
    out[k] = merged[2 * i]!;
    out[k + 1] = merged[2 * Math.min(i + per, count) - 1]!;
  }
  return out;
}

/** Does every range of a lie inside some range of b? */
function inside(a: readonly number[], b: readonly number[]): boolean {
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    while (j < b.length && b[j + 1]! < a[i]!) j += 2;
    if (j >= b.length || a[i]! < b[j]! || b[j + 1]! < a[i + 1]!) return false;
  }
  return true;
}

function meet(a: readonly number[], b: readonly number[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i + 1]! < b[j]!) i += 2;
    else if (b[j + 1]! < a[i]!) j += 2;
    else return true;
  }
  return false;
}

const known = new WeakMap<object, Projections>();
/** Projections of sets held flat, by flat id, for the flat store they belong to. */
let knownFlat = new Map<FlatSet, Projections>();
let knownFlatStore: FlatStore | undefined;

export class Projections {
  private constructor(
    /** Per dimension of DIMS. */
    readonly ranges: readonly (readonly number[])[],
    /** Per dimension: lowest and highest value (for a flat scan, see ProjectionList). */
    readonly hull: readonly number[],
  ) {}

  /** The projections of a set, computed once per set (sets are immutable and hash-consed). */
  static of(set: PacketSet): Projections {
    const f = set.flatForm();
    // a set held flat is projected from its flat form: its node need not be built
    if (f !== undefined) return Projections.ofFlat(f, Infinity)!;
    let p = known.get(set.node);
    if (p === undefined) known.set(set.node, (p = Projections.compute(walkRanges(set.node, OBJECT_NODES)!)));
    return p;
  }

  /**
   * The projections of a set held flat whose nodes have at most about `pieces` pieces in all, or
   * that was projected before; undefined for a larger set or one not held flat. A caller that may
   * ask about any superset (a rule's own match) asks about the set itself only when it is small:
   * a rule's part of an exposure carries what the flow passed, such as a blocklist's complement,
   * and one walk of that per rule told cost the nft bench with a 700-entry blocklist 19 s.
   */
  static ofSmallFlat(set: PacketSet, pieces: number): Projections | undefined {
    const f = set.flatForm();
    return f === undefined ? undefined : Projections.ofFlat(f, pieces);
  }

  /** A flat set's projections, remembered for the current flat store; undefined past `budget` pieces (see walkRanges). */
  private static ofFlat(f: FlatSet, budget: number): Projections | undefined {
    if (knownFlatStore !== currentFlatStore()) {
      knownFlat = new Map();
      knownFlatStore = currentFlatStore();
    }
    let p = knownFlat.get(f);
    if (p === undefined) {
      const walked = walkRanges(f, FLAT_NODES, budget);
      if (walked === undefined) return undefined;
      knownFlat.set(f, (p = Projections.compute(walked)));
    }
    return p;
  }

  private static compute({ found, open }: { found: number[][]; open: number }): Projections {
    const ranges = found.map((f, k) => (open & (1 << k) ? [0, above(DIM_MAX[DIMS[k]!]!)] : projection(f)));
    const hull = new Array<number>(2 * DIMS.length);
    ranges.forEach((r, k) => {
      hull[2 * k] = r.length > 0 ? r[0]! : Infinity;
      hull[2 * k + 1] = r.length > 0 ? r[r.length - 1]! : -Infinity;
    });
    return new Projections(ranges, hull);
  }

  /**
   * False when this set is certainly not inside `o`'s: some range of its projections lies outside
   * `o`'s (a projection range joined from several stays a superset of them).
   */
  mayBeWithin(o: Projections): boolean {
    for (let k = 0; k < DIMS.length; k++) if (!inside(this.ranges[k]!, o.ranges[k]!)) return false;
    return true;
  }

  /** The projections of a set as wide as `hull` ([lo, hi] per dimension of DIMS, see ProjectionList.pointHull). */
  static ofHull(hull: Float64Array): Projections {
    return new Projections(
      DIMS.map((_, k) => [hull[2 * k]!, hull[2 * k + 1]!]),
      Array.from(hull),
    );
  }

  /** False when the two sets certainly do not meet. */
  mayMeet(o: Projections): boolean {
    for (let k = 0; k < DIMS.length; k++) if (!meet(this.ranges[k]!, o.ranges[k]!)) return false;
    return true;
  }
}

/** Buckets each dimension's values are cut into by a RangeIndex. */
const BUCKETS = 64;
/** Range ends a RangeIndex takes its cuts from at the most (see its constructor). */
const QUANTILE_SAMPLE = 8192;
/** Lists shorter than this are scanned item by item. */
const INDEX_MIN = 128;

/**
 * The items' projections, per dimension, in buckets: the value line is cut at quantiles of the
 * items' range ends, and each bucket keeps the set of items (a bitset) with a range reaching into
 * it. An item whose projections meet a query's shares a bucket with it on every dimension: a few
 * word-wide ORs and ANDs list those items, in order, instead of a test of every item (a shadowed
 * rule is searched for among thousands of earlier rules, most of them for other hosts or ports).
 * Items added later go into the existing buckets; the cuts are chosen again only when the list
 * has doubled between two searches (see ProjectionList.indexed).
 */
class RangeIndex {
  /** Per dimension, the first value of each bucket after the first (ascending). */
  private readonly starts: Float64Array[] = [];
  /** Per dimension, BUCKETS bitsets of `words` words each, one after the other. */
  private bits: Uint32Array[] = [];
  private words: number;
  /** Items indexed: 0..size-1. */
  size = 0;

  constructor(projs: readonly Projections[]) {
    for (let k = 0; k < DIMS.length; k++) {
      let count = 0;
      for (const p of projs) count += p.ranges[k]!.length;
      // The quantiles of every `step`-th range end (odd: a range's two ends take turns): sorting
      // all of them was most of a build (ASA 20k bench: 176,000 ends for a chain of 9,853 rules),
      // and a cut moves by a fraction of a bucket.
      const step = count > QUANTILE_SAMPLE ? Math.floor(count / QUANTILE_SAMPLE) | 1 : 1;
      const ends = new Float64Array(Math.ceil(count / step));
      let at = 0;
      let taken = 0;
      for (const p of projs) {
        const rs = p.ranges[k]!;
        // (`at`: the position in all the ends of the next one taken, past this item's so far)
        for (; at < rs.length; at += step) ends[taken++] = rs[at]!;
        at -= rs.length;
      }
      ends.sort();
      const starts: number[] = [];
      for (let b = 1; b < BUCKETS && ends.length > 0; b++) {
        const v = ends[Math.floor((b * ends.length) / BUCKETS)]!;
        if (starts.length === 0 || v > starts[starts.length - 1]!) starts.push(v);
      }
      this.starts.push(Float64Array.from(starts));
    }
    this.words = Math.max(1, Math.ceil((2 * projs.length) / 32));
    this.bits = DIMS.map(() => new Uint32Array(BUCKETS * this.words));
    for (const p of projs) this.add(p);
  }

  /** The bucket of value v on dimension slot k: how many bucket starts lie at or below it. */
  private bucketOf(k: number, v: number): number {
    const s = this.starts[k]!;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The buckets add() reaches, one dimension at a time (see bucketsReached). */
  private readonly reached: number[] = [];

  /**
   * Puts the next item into the buckets its ranges reach (into one array kept for it: every rule
   * of a long chain is added, most of them reaching every bucket of the source).
   */
  add(p: Projections): void {
    const i = this.size++;
    if (i >= this.words * 32) this.grow();
    const words = this.words;
    const word = i >>> 5;
    const bit = 1 << (i & 31);
    for (let k = 0; k < DIMS.length; k++) {
      const bits = this.bits[k]!;
      for (const b of this.bucketsReached(k, p.ranges[k]!, this.reached)) bits[b * words + word]! |= bit;
    }
  }

  /**
   * The buckets of dimension slot k that ranges `rs` reach, ascending, each once (a projection's
   * ranges are sorted and apart, so only a bucket shared by two neighbouring ranges repeats), in
   * `out` (emptied first: add passes the one array it keeps).
   */
  private bucketsReached(k: number, rs: readonly number[], out: number[] = []): number[] {
    out.length = 0;
    for (let r = 0; r < rs.length; r += 2) {
      const last = this.bucketOf(k, rs[r + 1]!);
      for (let b = Math.max(this.bucketOf(k, rs[r]!), (out.at(-1) ?? -1) + 1); b <= last; b++) out.push(b);
    }
    return out;
  }

  private grow(): void {
    const words = this.words * 2;
    this.bits = this.bits.map((old) => {
      const grown = new Uint32Array(BUCKETS * words);
      for (let b = 0; b < BUCKETS; b++) grown.set(old.subarray(b * this.words, (b + 1) * this.words), b * words);
      return grown;
    });
    this.words = words;
  }

  /**
   * The items whose projections may hold `q`'s, as a bitset (a superset): an item holding q's
   * ranges reaches, on every dimension, the buckets of q's lowest and highest values. Far fewer
   * than those that may meet it where q is wide: a rule after a blocklist of single sources meets
   * every entry and is held by none (ASA 20k bench: 585,000 items tested for 1,113 shadowed rules).
   * Undefined for an empty set (left to the item tests).
   */
  mayHold(q: Projections): Uint32Array | undefined {
    if (q.ranges.some((rs) => rs.length === 0)) return undefined;
    const words = this.words;
    const out = new Uint32Array(words).fill(0xffffffff);
    for (let k = 0; k < DIMS.length; k++) {
      const bits = this.bits[k]!;
      const lo = this.bucketOf(k, q.hull[2 * k]!);
      const hi = this.bucketOf(k, q.hull[2 * k + 1]!);
      for (let b = lo; b <= hi; b += Math.max(1, hi - lo)) {
        const base = b * words;
        for (let j = 0; j < words; j++) out[j]! &= bits[base + j]!;
      }
    }
    return out;
  }

  /**
   * The items whose projections may meet `q`'s, as a bitset (a superset: those sharing a bucket
   * with it on the dimensions looked at); undefined when no dimension narrows them down. The
   * dimension where `q` reaches the fewest buckets gives the first set; the next ones, if they
   * reach few buckets, narrow it down where it still has items.
   */
  mayMeet(q: Projections): Uint32Array | undefined {
    const words = this.words;
    if (q.ranges.some((rs) => rs.length === 0)) return undefined; // an empty set: left to the item tests
    const reach = q.ranges.map((rs, k) => this.bucketsReached(k, rs));
    // a dimension where q reaches every bucket (starts.length + 1 of them) rules nothing out
    const order = DIMS.map((_, k) => k)
      .filter((k) => reach[k]!.length <= this.starts[k]!.length)
      .sort((x, y) => reach[x]!.length - reach[y]!.length);
    if (order.length === 0) return undefined;
    const out = new Uint32Array(words);
    const first = order[0]!;
    const firstBits = this.bits[first]!;
    for (const b of reach[first]!) {
      const base = b * words;
      for (let j = 0; j < words; j++) out[j]! |= firstBits[base + j]!;
    }
    for (let o = 1; o < order.length; o++) {
      const k = order[o]!;
      const buckets = reach[k]!;
      // past a quarter of the buckets a dimension costs more words than it rules out items
      if (buckets.length > BUCKETS / 4) break;
      const bits = this.bits[k]!;
      for (let j = 0; j < words; j++) {
        if (out[j] === 0) continue;
        let any = 0;
        for (const b of buckets) any |= bits[b * words + j]!;
        out[j]! &= any;
      }
    }
    return out;
  }
}

/**
 * Sets added in order with their projections - computed when first searched, as most lists are
 * never searched - and their hulls in one flat array so that finding the ones that may meet a
 * given set, or may contain a given packet, is a tight scan. A search in a long list tests only
 * the items its range index lists (see RangeIndex).
 */
export class ProjectionList<T> {
  private hulls = new Float64Array(2 * DIMS.length * 64);
  private readonly items: { item: T; set: PacketSet; proj?: Projections }[] = [];
  /** Items whose projections are computed and whose hulls are in `hulls`. */
  private projected = 0;
  /** The items' projections in buckets, for searches in long lists (see RangeIndex). */
  private index: RangeIndex | undefined;

  add(item: T, set: PacketSet): void {
    this.items.push({ item, set });
  }

  private project(): void {
    const w = 2 * DIMS.length;
    if (this.items.length * w > this.hulls.length) {
      const grown = new Float64Array(Math.max(this.hulls.length * 2, this.items.length * w));
      grown.set(this.hulls);
      this.hulls = grown;
    }
    for (; this.projected < this.items.length; this.projected++) {
      const it = this.items[this.projected]!;
      it.proj = Projections.of(it.set);
      this.hulls.set(it.proj.hull, this.projected * w);
    }
  }

  /**
   * A packet's values on the projected dimensions as a hull, rounded outwards (see mayContain);
   * `open` widens one dimension to a range (a value the packet may have any of).
   */
  static pointHull(point: readonly bigint[], open?: { dim: Dim; lo: bigint; hi: bigint }): Float64Array {
    const out = new Float64Array(2 * DIMS.length);
    DIMS.forEach((d, k) => {
      const v = point[d] ?? 0n;
      out[2 * k] = below(open?.dim === d ? open.lo : v);
      out[2 * k + 1] = above(open?.dim === d ? open.hi : v);
    });
    return out;
  }

  /**
   * False when item i's set certainly does not contain the packet (`p` from pointHull): a walk of a
   * packet through thousands of rules tests each rule's hull before the exact membership test.
   */
  mayContain(i: number, p: Float64Array): boolean {
    if (this.projected < this.items.length) this.project();
    const h = this.hulls;
    const base = i * p.length;
    for (let k = 0; k < p.length; k += 2) if (p[k + 1]! < h[base + k]! || h[base + k + 1]! < p[k]!) return false;
    return true;
  }

  /**
   * In a long list, the items that may contain the packet (`p` from pointHull) as a bitset - a
   * superset, from the range index: the walk of a packet through a chain of thousands of rules
   * jumps from one to the next (nextOf) instead of testing every hull -; undefined in a short list,
   * or when the index rules nothing out.
   */
  mayContainAny(p: Float64Array): Uint32Array | undefined {
    this.project();
    if (this.items.length < INDEX_MIN) return undefined;
    return this.indexed().mayMeet(Projections.ofHull(p));
  }

  /** The first item at or after `from` in a bitset from mayContainAny; the list's size when none. */
  nextOf(candidates: Uint32Array, from: number): number {
    const n = this.items.length;
    for (let j = from >>> 5; j < candidates.length; j++) {
      let word = candidates[j]!;
      if (j === from >>> 5) word &= ~((1 << (from & 31)) - 1) | 0;
      if (word !== 0) return Math.min(n, j * 32 + 31 - Math.clz32(word & -word));
    }
    return n;
  }

  /**
   * The items from index `from` on that may meet `p`, in the order they were added, with their
   * index - only those whose bit `among` sets, when given (a bitset of item indexes: one list and
   * its range index serve searches among some kinds of its items) -; stops when `visit` returns
   * true and returns the index after that item (the size when it never did).
   */
  forEachMayMeet(p: Projections, visit: (item: T, index: number) => boolean | void, from = 0, among?: Uint32Array): number {
    return this.scan(p, false, visit, from, among);
  }

  /**
   * The items from index `from` on whose projections hold `p`'s (those that may hold all of its
   * set), in the order they were added, with their index - only those `among` sets, when given (see
   * forEachMayMeet) -; stops when `visit` returns true.
   */
  forEachMayHold(p: Projections, visit: (item: T, index: number) => boolean | void, from = 0, among?: Uint32Array): void {
    this.scan(p, true, visit, from, among);
  }

  /**
   * The items that may meet `p` (or, `holding`, may hold it): hulls first, then projections. In a
   * long list the range index gives the items that may meet `p` (or hold it), and only those are
   * tested.
   */
  private scan(p: Projections, holding: boolean, visit: (item: T, index: number) => boolean | void, from: number, among?: Uint32Array): number {
    this.project();
    const n = this.items.length;
    const index = n - from >= INDEX_MIN ? this.indexed() : undefined;
    const candidates = holding ? index?.mayHold(p) : index?.mayMeet(p);
    if (candidates === undefined) {
      for (let i = from; i < n; i++) {
        if (among !== undefined && ((among[i >>> 5] ?? 0) & (1 << (i & 31))) === 0) continue;
        if (this.fits(i, p, holding) && visit(this.items[i]!.item, i)) return i + 1;
      }
      return n;
    }
    for (let j = from >>> 5; j < candidates.length; j++) {
      let word = candidates[j]!;
      if (among !== undefined) word &= among[j] ?? 0;
      if (j === from >>> 5) word &= ~((1 << (from & 31)) - 1) | 0;
      while (word !== 0) {
        const low = word & -word;
        const i = j * 32 + 31 - Math.clz32(low);
        word ^= low;
        if (this.fits(i, p, holding) && visit(this.items[i]!.item, i)) return i + 1;
      }
    }
    return n;
  }

  /** Does item i's hull, then its projections, meet `p`'s (or, `holding`, hold them)? */
  private fits(i: number, p: Projections, holding: boolean): boolean {
    const h = p.hull;
    const w = 2 * DIMS.length;
    const base = i * w;
    const hulls = this.hulls;
    for (let k = 0; k < w; k += 2) {
      const lo = hulls[base + k]!;
      const hi = hulls[base + k + 1]!;
      if (holding ? h[k]! < lo || hi < h[k + 1]! : hi < h[k]! || h[k + 1]! < lo) return false;
    }
    const it = this.items[i]!;
    return holding ? p.mayBeWithin(it.proj!) : it.proj!.mayMeet(p);
  }

  /**
   * The range index over every item. Built again when the list has doubled since the last search
   * (items added in between go into the old buckets otherwise); a list searched often keeps the
   * cuts of its first search - re-cutting at every doubling of the list measured slower (ASA 20k
   * bench: shadowed-rule 585 -> 652 ms), the early quantiles still separating the items well.
   */
  private indexed(): RangeIndex {
    const n = this.items.length;
    let index = this.index;
    if (index === undefined || n >= 2 * index.size) this.index = index = new RangeIndex(this.items.map((it) => it.proj!));
    for (let i = index.size; i < n; i++) index.add(this.items[i]!.proj!);
    return index;
  }
}
