/**
 * A quick, conservative test of whether two packet sets can meet: their projections on the
 * protocol, destination port and the two addresses, as sorted ranges of doubles rounded outwards.
 * Sets whose projections are disjoint on some dimension are disjoint; the converse need not hold
 * (two sets can overlap on every projection and still not meet). Checks that would otherwise
 * test a set against every earlier rule use it to skip the pairs that cannot meet before doing
 * exact set operations on the rest.
 */
import { Dim } from "./dims.js";
import type { PacketSet } from "./packet-set.js";

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

/** Sorted disjoint ranges as [lo0, hi0, lo1, hi1, ...], at most MAX_RANGES of them. */
function projection(ranges: readonly (readonly [bigint, bigint])[]): Float64Array {
  const per = Math.ceil(ranges.length / MAX_RANGES) || 1;
  const out = new Float64Array(2 * Math.ceil(ranges.length / per));
  for (let i = 0, k = 0; i < ranges.length; i += per, k += 2) {
    out[k] = below(ranges[i]![0]);
    out[k + 1] = above(ranges[Math.min(i + per, ranges.length) - 1]![1]);
  }
  return out;
}

/** Does every range of a lie inside some range of b? */
function inside(a: Float64Array, b: Float64Array): boolean {
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    while (j < b.length && b[j + 1]! < a[i]!) j += 2;
    if (j >= b.length || a[i]! < b[j]! || b[j + 1]! < a[i + 1]!) return false;
  }
  return true;
}

function meet(a: Float64Array, b: Float64Array): boolean {
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

export class Projections {
  private constructor(
    /** Per dimension of DIMS. */
    private readonly ranges: Float64Array[],
    /** Per dimension: lowest and highest value (for a flat scan, see ProjectionList). */
    readonly hull: Float64Array,
  ) {}

  /** The projections of a set, computed once per set (sets are immutable and hash-consed). */
  static of(set: PacketSet): Projections {
    let p = known.get(set.node);
    if (p === undefined) known.set(set.node, (p = Projections.compute(set)));
    return p;
  }

  private static compute(set: PacketSet): Projections {
    const ranges = set.valuesOfEach(DIMS).map(projection);
    const hull = new Float64Array(2 * DIMS.length);
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

  /** False when the two sets certainly do not meet. */
  mayMeet(o: Projections): boolean {
    for (let k = 0; k < DIMS.length; k++) if (!meet(this.ranges[k]!, o.ranges[k]!)) return false;
    return true;
  }
}

/**
 * Sets added in order with their projections - computed when first searched, as most lists are
 * never searched - and their hulls in one flat array so that finding the ones that may meet a
 * given set, or may contain a given packet, is a tight scan.
 */
export class ProjectionList<T> {
  private hulls = new Float64Array(2 * DIMS.length * 64);
  private readonly items: { item: T; set: PacketSet; proj?: Projections }[] = [];
  /** Items whose projections are computed and whose hulls are in `hulls`. */
  private projected = 0;

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

  /** A packet's values on the projected dimensions as a hull, rounded outwards (see mayContain). */
  static pointHull(point: readonly bigint[]): Float64Array {
    const out = new Float64Array(2 * DIMS.length);
    DIMS.forEach((d, k) => {
      const v = point[d] ?? 0n;
      out[2 * k] = below(v);
      out[2 * k + 1] = above(v);
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
   * The items from index `from` on that may meet `p`, in the order they were added; stops when
   * `visit` returns true and returns the index after that item (the size when it never did).
   */
  forEachMayMeet(p: Projections, visit: (item: T) => boolean | void, from = 0): number {
    return this.scan(p, false, visit, from);
  }

  /**
   * The items from index `from` on whose projections hold `p`'s (those that may hold all of its
   * set), in the order they were added; stops when `visit` returns true.
   */
  forEachMayHold(p: Projections, visit: (item: T) => boolean | void, from = 0): void {
    this.scan(p, true, visit, from);
  }

  /** The items that may meet `p` (or, `holding`, may hold it): hulls first, then projections. */
  private scan(p: Projections, holding: boolean, visit: (item: T) => boolean | void, from: number): number {
    this.project();
    const h = p.hull;
    const w = 2 * DIMS.length;
    const hulls = this.hulls;
    outer: for (let i = from; i < this.items.length; i++) {
      const base = i * w;
      for (let k = 0; k < w; k += 2) {
        const lo = hulls[base + k]!;
        const hi = hulls[base + k + 1]!;
        if (holding ? h[k]! < lo || hi < h[k + 1]! : hi < h[k]! || h[k + 1]! < lo) continue outer;
      }
      const it = this.items[i]!;
      if (holding ? !p.mayBeWithin(it.proj!) : !it.proj!.mayMeet(p)) continue;
      if (visit(it.item)) return i + 1;
    }
    return this.items.length;
  }
}
