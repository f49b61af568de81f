/**
 * Exact sets of packets: union, intersection, difference, emptiness, containment, a concrete
 * member (witness) and how much of the source space a set covers.
 *
 * Every set is a subset of the universe of well-formed packets: family 4 or 6, addresses in
 * the family's range, ports only for protocols that have them (0 otherwise), ICMP type and
 * code only for ICMP/ICMPv6 (0 otherwise), TCP flags only for TCP (0 otherwise). Complement is
 * taken inside that universe, so `! -s 10.0.0.0/8` never includes impossible packets.
 */
import { DIM_COUNT, DIM_MAX, Dim, PORT_PROTOS, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, V4_MAX } from "./dims.js";
import { FLAT_EMPTY, type FlatSet, type FlatStore, builtNodeOfFlat, currentFlatStore, flatBox, flatCornerPoint, flatFirstPiece, flatForAll, flatFormOf, flatHas, flatLevel, flatRestrict, flatMaxSources, flatIntersect, flatMeets, flatMinus, flatOrUndefined, flatRoom, flatUnion, flatUnionOf, flatValuesOf, flatWidest, flatWithin, nodeOfFlat, toFlat } from "./flat-sets.js";
import * as idd from "./idd.js";
import { rawBoxUnion } from "./box-union.js";
import type { Node } from "./idd.js";

export type Ranges = readonly (readonly [bigint, bigint])[];
export type BoxSpec = Partial<Record<Dim, Ranges>>;

/**
 * A set kept as `plain` ∪ (`inner` ∩ `factor`) (see PacketSet.factored): the three built, the
 * intersection not yet. `factor` is the same node for the sets the evaluator builds from one large
 * filter, so those combine through their parts.
 */
export interface Split {
  readonly plain: PacketSet;
  readonly inner: PacketSet;
  readonly factor: PacketSet;
}

export class PacketSet {
  /** The set's node: undefined while it is kept split or flat and nothing has needed its node. */
  private built: Node | undefined;
  /** The set's flat form when it was made flat (see fromFlat), else -1. */
  private flat: FlatSet = -1;
  /** The flat sets `flat` belongs to. */
  private store: FlatStore | undefined;

  private constructor(
    node: Node | undefined,
    /** The parts of a set made split (see factored), kept once it is built. */
    readonly split?: Split,
  ) {
    this.built = node;
  }

  /** The parts of a set kept split whose node is not built yet. */
  private kept(): Split | undefined {
    return this.built === undefined ? this.split : undefined;
  }

  private static readonly EMPTY = new PacketSet(idd.EMPTY);

  static fromNode(node: Node): PacketSet {
    return node === idd.EMPTY ? PacketSet.EMPTY : new PacketSet(node);
  }

  /** The set's decision diagram (built now when the set was kept split or flat). */
  get node(): Node {
    if (this.built === undefined) {
      if (this.store !== undefined) {
        this.built = nodeOfFlat(this.flat, this.store);
        // a retired store's set has its node now: it need not keep the store alive
        if (this.store !== currentFlatStore()) {
          this.store = undefined;
          this.flat = -1;
        }
      } else {
        const { plain, inner, factor } = this.split!;
        this.built = idd.or(plain.node, idd.and(inner.node, factor.node));
      }
    }
    return this.built;
  }

  /** The flat set this set was made as, while its store is the current one; else undefined. */
  private madeFlat(): FlatSet | undefined {
    return this.store !== undefined && this.store === currentFlatStore() ? this.flat : undefined;
  }

  /** The set's node when it has been built already (see node), else undefined: builds nothing. */
  builtNode(): Node | undefined {
    if (this.built !== undefined) return this.built;
    const f = this.madeFlat();
    return f === undefined ? undefined : builtNodeOfFlat(f);
  }

  /**
   * The set's flat form when it has one already (it was made flat, or its node was converted),
   * without converting; undefined otherwise.
   */
  flatForm(): FlatSet | undefined {
    return this.madeFlat() ?? (this.built === undefined ? undefined : flatFormOf(this.built));
  }

  /** The set's flat form, converted now when it has none yet; undefined when it does not fit (see flat-sets.ts). */
  toFlat(): FlatSet | undefined {
    return this.flatForm() ?? (this.kept() ? undefined : toFlat(this.node));
  }

  /**
   * `inner` ∩ `factor` (`inner` within the universe), kept split: the intersection of a large
   * filter (a blocklist's complement) with the packets that passed it is built only when something
   * needs it whole. The evaluator's outcomes and the checks mostly join such sets with one another
   * and with plain sets, narrow them to a service, take other sets out of them, or test them: kept
   * as plain ∪ (inner ∩ factor), each of those costs what the parts cost, while the whole set
   * carries the filter down each of its paths (nft bench: 500 customer chains' outcomes under a
   * 140k-entry blocklist, 4.6 s to build). A set's node is the same whichever way it was made.
   */
  static factored(inner: PacketSet, factor: PacketSet): PacketSet {
    return PacketSet.splitOf(PacketSet.EMPTY, inner, factor);
  }

  /** plain ∪ (inner ∩ factor), kept split when that says something. */
  private static splitOf(plain: PacketSet, inner: PacketSet, factor: PacketSet): PacketSet {
    if (factor.built === undefined) factor = PacketSet.fromNode(factor.node);
    if (plain.built === undefined) plain = PacketSet.fromNode(plain.node);
    if (inner.kept()) {
      const s = inner.split!;
      // P ∪ ((Q ∪ (J ∩ G)) ∩ F) = (P ∪ (Q ∩ F)) ∪ (J ∩ (G ∩ F))
      return PacketSet.splitOf(plain.union(s.plain.intersect(factor)), s.inner, s.factor.intersect(factor));
    }
    if (inner.isEmpty() || factor.isEmpty()) return plain;
    if (factor.built === universes().all.node) return plain.union(inner);
    return new PacketSet(undefined, { plain, inner, factor });
  }

  /**
   * The parts of this set and `o` over one factor, when at least one of them is kept split and
   * their factors agree (a set not split is all plain); undefined otherwise.
   */
  private splitWith(o: PacketSet): [Split, Split] | undefined {
    if (!this.kept() && !o.kept()) return undefined;
    const a = this.split;
    const b = o.split;
    if (a && b) return a.factor.built === b.factor.built ? [a, b] : undefined;
    if (a) return [a, { plain: o, inner: PacketSet.EMPTY, factor: a.factor }];
    return [{ plain: this, inner: PacketSet.EMPTY, factor: b!.factor }, b!];
  }

  /** The set a flat set stands for, held flat: its node is built only when something needs it. */
  static fromFlat(f: FlatSet): PacketSet {
    if (f === FLAT_EMPTY) return PacketSet.EMPTY;
    const s = new PacketSet(undefined);
    s.flat = f;
    s.store = currentFlatStore();
    return s;
  }

  /** All well-formed packets (of the given families). */
  static universe(families: readonly (4 | 6)[] = [4, 6]): PacketSet {
    let u = PacketSet.EMPTY;
    for (const f of families) u = u.union(f === 4 ? universes().v4 : universes().v6);
    return u;
  }

  static empty(): PacketSet {
    return PacketSet.EMPTY;
  }

  /** The packets of the universe whose listed dimensions lie in the given ranges. */
  static box(given: BoxSpec): PacketSet {
    const spec = wideListsNormal(given);
    const inUniverse = boxSpecInUniverse(spec);
    if (inUniverse === undefined) {
      // the box cut to the universe, flat when both fit (every box of IPv4 addresses, ports, names)
      const f = flatBox(spec);
      const u = f === undefined ? undefined : universes().all.toFlat();
      const cut = u === undefined ? undefined : flatOrUndefined(() => flatIntersect(f!, u));
      return cut !== undefined ? PacketSet.fromFlat(cut) : PacketSet.fromNode(idd.and(rawBox(spec), universes().all.node));
    }
    if (inUniverse === null) return PacketSet.EMPTY;
    const f = flatBox(inUniverse);
    return f !== undefined ? PacketSet.fromFlat(f) : PacketSet.fromNode(rawBox(inUniverse));
  }

  /** The union of the boxes' sets (PacketSet.box of each), built in one pass (see box-union.ts). */
  static boxUnion(specs: readonly BoxSpec[]): PacketSet {
    return PacketSet.fromNode(idd.and(rawBoxUnion(specs), universes().all.node));
  }

  union(o: PacketSet): PacketSet {
    const s = this.splitWith(o);
    if (s) {
      const [a, b] = s;
      return PacketSet.splitOf(a.plain.union(b.plain), a.inner.union(b.inner), a.factor);
    }
    return flatOp(this, o, flatUnion) ?? PacketSet.fromNode(idd.or(this.node, o.node));
  }
  intersect(o: PacketSet): PacketSet {
    const s = this.splitWith(o);
    if (s) {
      // (P ∪ IF) ∩ (Q ∪ JF) = PQ ∪ (PJ ∪ IQ ∪ IJ)F
      const [a, b] = s;
      const inner = PacketSet.unionAll([a.plain.intersect(b.inner), a.inner.intersect(b.plain), a.inner.intersect(b.inner)]);
      return PacketSet.splitOf(a.plain.intersect(b.plain), inner, a.factor);
    }
    return flatOp(this, o, flatIntersect) ?? PacketSet.fromNode(idd.and(this.node, o.node));
  }
  /** this minus o (flat when one has a flat form and the other fits, see flatOp). */
  minus(o: PacketSet): PacketSet {
    const s = this.kept() ? this.splitWith(o) : undefined;
    if (s) {
      // (P ∪ IF) \ (Q ∪ JF) = (P \ Q \ JF) ∪ (I \ Q \ J)F, and X \ JF = (X \ J) ∪ ((X ∩ J) \ F)
      const [a, b] = s;
      const x = a.plain.minus(b.plain);
      const plain = b.inner.isEmpty() ? x : x.minus(b.inner).union(x.intersect(b.inner).minus(a.factor));
      return PacketSet.splitOf(plain, a.inner.minus(b.plain).minus(b.inner), a.factor);
    }
    return flatOp(this, o, flatMinus) ?? PacketSet.fromNode(idd.diff(this.node, o.node));
  }
  /** Complement inside the universe. */
  complement(): PacketSet {
    return universes().all.minus(this);
  }
  isEmpty(): boolean {
    if (this.built !== undefined) return this.built === idd.EMPTY;
    if (this.store !== undefined) return this.flat === FLAT_EMPTY;
    const { plain, inner, factor } = this.split!;
    return plain.isEmpty() && !inner.overlaps(factor);
  }
  /** Is this every well-formed packet of both families (every set lies inside it)? */
  isUniverse(): boolean {
    const f = this.built === undefined ? this.flatForm() : undefined;
    if (f !== undefined) return f === universes().all.toFlat();
    return this.node === universes().all.node;
  }
  equals(o: PacketSet): boolean {
    if (this === o) return true;
    const s = this.splitWith(o);
    if (s && s[0].plain.node === s[1].plain.node && s[0].inner.node === s[1].inner.node) return true;
    if (s) return this.isSubsetOf(o) && o.isSubsetOf(this);
    const f = flatPair(this, o);
    if (f) return f[0] === f[1];
    return this.node === o.node;
  }
  /** this ⊆ o (flat when one has a flat form and the other fits, see flatPair). */
  isSubsetOf(o: PacketSet): boolean {
    if (this.kept() && this.splitWith(o)) return this.minus(o).isEmpty();
    if (o.kept()) {
      // A ⊆ Q ∪ (J ∩ F) when A \ Q lies in both J and F
      const { plain, inner, factor } = o.split!;
      const rest = this.minus(plain);
      return rest.isSubsetOf(inner) && rest.isSubsetOf(factor);
    }
    const f = flatPair(this, o);
    return f ? flatWithin(f[0], f[1]) : idd.within(this.node, o.node);
  }
  overlaps(o: PacketSet): boolean {
    if (this.splitWith(o)) return !this.intersect(o).isEmpty();
    const f = flatPair(this, o);
    return f ? flatMeets(f[0], f[1]) : idd.meets(this.node, o.node);
  }
  has(point: readonly bigint[]): boolean {
    if (this.kept()) {
      const { plain, inner, factor } = this.split!;
      return plain.has(point) || (inner.has(point) && factor.has(point));
    }
    const f = this.flatForm();
    return f !== undefined ? flatHas(f, point) : idd.contains(this.node, point);
  }
  /** Forget the given dimensions (existential projection). */
  forget(dims: readonly Dim[]): PacketSet {
    return PacketSet.fromNode(idd.exists(this.node, dims));
  }
  /**
   * The packets whose every variant with `dim` in `ranges` is in this set (universal projection):
   * `dim` itself is left open, inside the universe. For a box R over `ranges` on `dim` in which the
   * universe leaves `dim` free (ports of TCP or UDP, say), R ∩ S.forAll(dim, ranges) is
   * R minus (R minus S).forget([dim]), without joining every value's part.
   */
  forAll(dim: Dim, ranges: Ranges): PacketSet {
    const s = this.split;
    // ∀d (I ∩ F) = (∀d I) ∩ F when F holds alike for every value of d the universe allows
    if (this.kept() && s!.plain.isEmpty() && ranges.length > 0 && freeOf(s!.factor, dim)) return PacketSet.factored(s!.inner.forAll(dim, ranges), s!.factor);
    const flat = this.flatForAll(dim, ranges);
    if (flat !== undefined) return flat;
    return PacketSet.fromNode(idd.and(idd.forAll(this.node, dim, ranges), universes().all.node));
  }
  /**
   * forAll on the flat form, for a set held flat (its node need not be built: exposure asks it of
   * every path's accepted traffic); undefined when the set, the universe or the ranges do not fit it.
   */
  private flatForAll(dim: Dim, ranges: Ranges): PacketSet | undefined {
    const f = this.flatForm();
    const all = f === undefined ? undefined : universes().all.toFlat();
    if (all === undefined) return undefined;
    const res = flatOrUndefined(() => {
      const held = flatForAll(f!, dim, idd.normalView(ranges, DIM_MAX[dim]!));
      return held === undefined ? undefined : flatIntersect(held, all);
    });
    return res === undefined ? undefined : PacketSet.fromFlat(res);
  }
  /** Packets of this set with dimension `dim` replaced by any value of `ranges`. */
  rewrite(dim: Dim, ranges: Ranges): PacketSet {
    if (this.isEmpty()) return this;
    return PacketSet.fromNode(idd.and(idd.and(idd.exists(this.node, [dim]), rawBox({ [dim]: ranges })), universes().all.node));
  }

  /**
   * The packets of this set whose `dim` lies in [lo, hi], with that value moved by `delta`: a 1:1
   * mapping of one range onto another of the same size (the moved range must stay inside the
   * dimension).
   */
  translate(dim: Dim, lo: bigint, hi: bigint, delta: bigint): PacketSet {
    const part = this.intersect(PacketSet.box({ [dim]: [[lo, hi]] }));
    if (part.isEmpty() || delta === 0n) return part;
    return PacketSet.fromNode(idd.and(idd.translate(part.node, dim, delta), universes().all.node));
  }

  static unionAll(sets: readonly PacketSet[]): PacketSet {
    const split = sets.find((s) => s.kept())?.split;
    if (split) {
      // sets split over one factor join part by part; plain sets join the plain part
      const f = split.factor.built;
      const plains: PacketSet[] = [];
      const inners: PacketSet[] = [];
      for (const s of sets) {
        if (!s.split) plains.push(s);
        else if (s.split.factor.built === f) {
          plains.push(s.split.plain);
          inners.push(s.split.inner);
        } else return PacketSet.fromNode(idd.orAll(sets.map((x) => x.node)));
      }
      return PacketSet.splitOf(PacketSet.unionAll(plains), PacketSet.unionAll(inners), split.factor);
    }
    if (sets.length <= 1) return sets[0] ?? PacketSet.EMPTY;
    return flatUnionAll(sets) ?? PacketSet.fromNode(idd.orAll(sets.map((s) => s.node)));
  }

  /** The values of one dimension that some member has, as sorted disjoint ranges. */
  valuesOf(dim: Dim): [bigint, bigint][] {
    const f = this.flatForm();
    if (f !== undefined) return idd.normalizeRanges(flatValuesOf(f, dim), DIM_MAX[dim]!);
    return projectDim(this.node, dim);
  }

  /**
   * A member, choosing at each dimension the first preferred value that keeps the rest of the
   * set non-empty, else a readable value of the first non-empty piece. Undefined when empty.
   * Preferred values outside the dimension's range are ignored, and picks are clamped to
   * their piece, so the result is always a member.
   */
  witness(prefs: Partial<Record<Dim, readonly bigint[]>> = {}, pick?: PiecePicker): bigint[] | undefined {
    if (this.isEmpty()) return undefined;
    // a set held flat is read from its flat form: a finding's witness comes from a path's whole traffic
    const f = this.flatForm();
    return f !== undefined ? witnessIn(f, FLAT_READER, prefs, pick) : nodeWitness(this.node, prefs, pick);
  }

  /**
   * A member of a non-empty set, as witness() gives it without preferences (each tested dimension
   * at the low end of its first non-empty piece; `high`: the high end), but without its search for
   * readable values: for probes that only need some point of the set.
   */
  corner(high = false): bigint[] {
    const f = this.flatForm();
    return f !== undefined ? flatCornerPoint(f, high, false) : idd.cornerPoint(this.node, high);
  }

  /**
   * The member at the far end of a non-empty set: each tested dimension at the high end of its
   * last non-empty piece (untested ones at their maximum). With the two corners, a third probe
   * from the other side of the set.
   */
  farCorner(): bigint[] {
    const f = this.flatForm();
    return f !== undefined ? flatCornerPoint(f, true, true) : idd.cornerPoint(this.node, true, true);
  }

  /**
   * The largest number of sources that reach any single combination of the other dimensions:
   * "how much of the Internet can open this one connection?".
   */
  maxSourceCount(): bigint {
    return this.maxSourceCountIn(ALL_SOURCES);
  }

  /**
   * maxSourceCount of this set ∩ {packets whose source lies in `ranges`} (sorted, apart), without
   * building that intersection: the source sets are measured inside the ranges where they are.
   * `ranges` is compared by identity for the memo: pass the same array for the same ranges.
   */
  maxSourceCountIn(ranges: Ranges): bigint {
    const f = this.flatForm();
    if (f !== undefined) return flatMaxSources(f, ranges, rangesWidth(ranges), memoFor(maxSrcFlatMemo, ranges));
    return maxSrcIn(this.node, ranges, memoFor(maxSrcMemo, ranges));
  }

  /**
   * The part of the set that maxSourceCountIn measures: the combinations of the other dimensions
   * that the most sources in `ranges` reach, each with every source reaching it. A witness for
   * "reachable from N sources" is taken from here, not from a part of the set that few sources
   * reach (a partner-only rule next to an open one). The whole set when no source in `ranges`
   * reaches anything.
   */
  widestSourcePart(ranges: Ranges = ALL_SOURCES): PacketSet {
    const f = this.flatForm();
    if (f !== undefined) {
      // (read from the flat form: a finding's witness is taken from a path's whole accepted traffic)
      const flatMemo = memoFor(maxSrcFlatMemo, ranges);
      const all = rangesWidth(ranges);
      const most = flatMaxSources(f, ranges, all, flatMemo);
      if (most === 0n) return this;
      const part = flatOrUndefined(() => flatWidest(f, ranges, all, flatMemo, most));
      if (part !== undefined) return PacketSet.fromFlat(part);
    }
    const memo = memoFor(maxSrcMemo, ranges);
    const best = maxSrcIn(this.node, ranges, memo);
    if (best === 0n) return this;
    return new PacketSet(sourcePaths(this.node, ranges, memo, (count) => count === best, new Map()));
  }

  /**
   * The part of the set whose combinations of the other dimensions at least `min` sources in
   * `ranges` reach, each with every source reaching it (as widestSourcePart, for a count short of
   * the widest: an every-port finding's hosts, each open to more than a threshold of the sources).
   */
  sourcePartAtLeast(ranges: Ranges, min: bigint): PacketSet {
    if (min <= 0n) return this;
    return new PacketSet(sourcePaths(this.node, ranges, memoFor(maxSrcMemo, ranges), (count) => count >= min, new Map()));
  }

  /** Number of decision-diagram nodes (a size measure for benchmarks). */
  size(): number {
    return idd.nodeCount(this.node);
  }
}

/** How witnessIn reads the nodes of one form of sets: object nodes (idd.ts) or flat ones (flat-sets.ts). */
interface NodeReader<N> {
  empty: N;
  level(n: N): number;
  /** The child where the node's level has value v; the node itself when it tests a deeper level. */
  restrict(n: N, level: number, v: bigint): N;
  /** The node's first piece whose child is not empty. */
  firstPiece(n: N): [bigint, bigint];
}

const OBJECT_READER: NodeReader<Node> = {
  empty: idd.EMPTY,
  level: (n) => n.level,
  restrict: idd.restrict,
  firstPiece(n) {
    let piece: [bigint, bigint] | undefined;
    idd.forEachPiece(n, (lo, hi, kid) => {
      if (kid === idd.EMPTY) return false;
      piece = [lo, hi];
      return true;
    });
    return piece!;
  },
};

const FLAT_READER: NodeReader<FlatSet> = { empty: FLAT_EMPTY, level: flatLevel, restrict: flatRestrict, firstPiece: flatFirstPiece };

/** PacketSet.witness of the non-empty set whose node is `n`, read from the node (the object form). */
export function nodeWitness(n: Node, prefs: Partial<Record<Dim, readonly bigint[]>> = {}, pick?: PiecePicker): bigint[] {
  return witnessIn(n, OBJECT_READER, prefs, pick);
}

/** PacketSet.witness of the non-empty set whose root is `root`. */
function witnessIn<N>(root: N, form: NodeReader<N>, prefs: Partial<Record<Dim, readonly bigint[]>>, pick: PiecePicker | undefined): bigint[] {
  const point: bigint[] = new Array(DIM_COUNT).fill(0n);
  let n = root;
  const pickIn = (level: number, lo: bigint, hi: bigint): bigint => {
    if (!pick) return lo;
    const v = pick(level as Dim, lo, hi);
    return v < lo ? lo : v > hi ? hi : v;
  };
  for (let level = 0; level < DIM_COUNT; level++) {
    const max = DIM_MAX[level]!;
    const pref = (prefs[level as Dim] ?? []).filter((v) => v >= 0n && v <= max);
    if (form.level(n) > level) {
      point[level] = pref.length > 0 ? pref[0]! : pickIn(level, 0n, max);
      continue;
    }
    let chosen = pref.find((v) => form.restrict(n, level, v) !== form.empty);
    if (chosen === undefined) {
      const [lo, hi] = form.firstPiece(n);
      chosen = pickIn(level, lo, hi);
    }
    point[level] = chosen;
    n = form.restrict(n, level, chosen);
  }
  return point;
}

/** Chooses a value inside [lo, hi] for a witness. */
export type PiecePicker = (dim: Dim, lo: bigint, hi: bigint) => bigint;

/**
 * The flat forms of two sets, when one of them has a flat form already and the other fits the flat
 * form (converted now, once: a flow against a rule match, say); undefined otherwise, and when the
 * flat store is full. Two sets that only have nodes are combined and compared as nodes: a large
 * set (a blocklist, a flow shaped by one) keeps the object form's shared chunks.
 */
function flatPair(a: PacketSet, b: PacketSet): [FlatSet, FlatSet] | undefined {
  const fa = a.flatForm();
  const fb = b.flatForm();
  if (fa === undefined && fb === undefined) return undefined;
  if (fa !== undefined && fb !== undefined) return [fa, fb];
  // once the store is full nothing more is converted (see flatRoom)
  if (!flatRoom()) return undefined;
  const x = fa ?? a.toFlat();
  const y = x === undefined ? undefined : (fb ?? b.toFlat());
  return y === undefined ? undefined : [x!, y];
}

/** `op` of two sets, held flat, when flatPair gives their flat forms; undefined otherwise, and once the flat store is full. */
function flatOp(a: PacketSet, b: PacketSet, op: (x: FlatSet, y: FlatSet) => FlatSet): PacketSet | undefined {
  const f = flatRoom() ? flatPair(a, b) : undefined;
  const r = f && flatOrUndefined(() => op(f[0], f[1]));
  return r === undefined ? undefined : PacketSet.fromFlat(r);
}

/**
 * The union of sets that are all held flat already, held flat (see flatUnionOf); undefined when
 * one is not (a set is not converted for it), the store is full, or the union is too wide.
 */
function flatUnionAll(sets: readonly PacketSet[]): PacketSet | undefined {
  if (!flatRoom()) return undefined;
  const flats: FlatSet[] = [];
  for (const s of sets) {
    const f = s.flatForm();
    if (f === undefined) return undefined;
    flats.push(f);
  }
  const u = flatUnionOf(flats);
  return u === undefined ? undefined : PacketSet.fromFlat(u);
}

const freeOfMemo = new WeakMap<Node, Map<Dim, boolean>>();

/**
 * Whether membership in `set` does not depend on dimension `dim`, apart from the universe's own
 * constraint on it (a blocklist's complement and ports: TCP packets on every port, others on 0).
 */
function freeOf(set: PacketSet, dim: Dim): boolean {
  let m = freeOfMemo.get(set.node);
  if (!m) freeOfMemo.set(set.node, (m = new Map()));
  let free = m.get(dim);
  if (free === undefined) m.set(dim, (free = idd.and(idd.exists(set.node, [dim]), universes().all.node) === set.node));
  return free;
}

function rawBox(spec: BoxSpec): Node {
  let node: Node = idd.FULL;
  for (let level = DIM_COUNT - 1; level >= 0; level--) {
    const r = spec[level as Dim];
    if (r) node = idd.mkRanges(level, r, node);
  }
  return node;
}

function projectDim(node: Node, dim: Dim): [bigint, bigint][] {
  const acc: [bigint, bigint][] = [];
  const seen = new Set<number>();
  const walk = (n: Node) => {
    if (n === idd.EMPTY || seen.has(n.id)) return;
    seen.add(n.id);
    if (n.level > dim) {
      acc.push([0n, DIM_MAX[dim]!]);
      return;
    }
    if (n.level === dim) {
      idd.forEachPiece(n, (lo, hi, kid) => {
        if (kid !== idd.EMPTY) acc.push([lo, hi]);
      });
      return;
    }
    idd.forEachPiece(n, (_lo, _hi, kid) => walk(kid));
  };
  walk(node);
  return idd.normalizeRanges(acc, DIM_MAX[dim]!);
}

/** Every source: maxSourceCount counts inside it. */
const ALL_SOURCES: Ranges = [[0n, DIM_MAX[Dim.Src]!]];

/**
 * Largest source count below each node, per list of source ranges (by identity), by node id.
 * Nodes are immutable, so the answer never changes; kept across calls because the checks ask it
 * of the same big source sets (a 100k-entry blocklist) once per service and family.
 */
let maxSrcMemo = new WeakMap<Ranges, Map<number, bigint>>();
/** The same for sets held flat, by flat id (flatMaxSources). */
let maxSrcFlatMemo = new WeakMap<Ranges, Map<FlatSet, bigint>>();
idd.onResetCaches(() => {
  maxSrcMemo = new WeakMap();
  maxSrcFlatMemo = new WeakMap();
});

function memoFor(memos: WeakMap<Ranges, Map<number, bigint>>, ranges: Ranges): Map<number, bigint> {
  let memo = memos.get(ranges);
  if (!memo) memos.set(ranges, (memo = new Map()));
  return memo;
}

/** How many values the ranges hold. */
function rangesWidth(ranges: Ranges): bigint {
  return ranges.reduce((acc, [lo, hi]) => acc + (hi - lo + 1n), 0n);
}

/** maxSourceCount of n ∩ {source in ranges}. */
function maxSrcIn(n: Node, ranges: Ranges, memo: Map<number, bigint>): bigint {
  if (n === idd.EMPTY) return 0n;
  if (n === idd.FULL) return rangesWidth(ranges);
  const hit = memo.get(n.id);
  if (hit !== undefined) return hit;
  let best = 0n;
  if (n.level === Dim.Src) {
    // children are terminals here
    for (const [lo, hi] of ranges) best += idd.coveredWidthIn(n, lo, hi);
  } else {
    idd.forEachPiece(n, (_lo, _hi, k) => {
      const v = maxSrcIn(k, ranges, memo);
      if (v > best) best = v;
    });
  }
  memo.set(n.id, best);
  return best;
}

/**
 * The paths of `n` above the source level whose combinations the sources `reached` takes reach:
 * `reached(maxSrcIn of the subtree)` (the widest: the count is the best; sourcePartAtLeast: at
 * least a minimum). `done` is per call, as `reached` is.
 */
function sourcePaths(n: Node, ranges: Ranges, memo: Map<number, bigint>, reached: (count: bigint) => boolean, done: Map<number, Node>): Node {
  if (n === idd.EMPTY || n === idd.FULL || n.level === Dim.Src) return n;
  const hit = done.get(n.id);
  if (hit) return hit;
  const pieces: [bigint, bigint][] = [];
  const kids: Node[] = [];
  idd.forEachPiece(n, (lo, hi, k) => {
    if (!reached(maxSrcIn(k, ranges, memo))) return;
    pieces.push([lo, hi]);
    kids.push(sourcePaths(k, ranges, memo, reached, done));
  });
  const out = idd.layRanges(n.level, pieces, kids, idd.EMPTY);
  done.set(n.id, out);
  return out;
}

const r = (lo: number | bigint, hi: number | bigint = lo): [bigint, bigint] => [BigInt(lo), BigInt(hi)];
const ZERO = [r(0)];

/**
 * The universe of one family is a union of boxes, one per kind of protocol (protoKind): TCP, the
 * other port protocols, the family's ICMP, and the rest, each with the dimensions it holds at 0
 * (familyUniverse builds it from this table, boxSpecInUniverse cuts a box to one of them).
 */
const KIND_ZEROS: readonly (readonly Dim[])[] = [
  [Dim.IcmpType, Dim.IcmpCode],
  [Dim.IcmpType, Dim.IcmpCode, Dim.TcpFlags],
  [Dim.Sport, Dim.Dport, Dim.TcpFlags],
  [Dim.Sport, Dim.Dport, Dim.IcmpType, Dim.IcmpCode, Dim.TcpFlags],
];

function protoKind(family: 4 | 6, proto: number): number {
  if (proto === PROTO_TCP) return 0;
  if (PORT_PROTOS.includes(proto)) return 1;
  return proto === (family === 4 ? PROTO_ICMP : PROTO_ICMPV6) ? 2 : 3;
}

/** Highest address of a family (IPv6 addresses fill the dimension). */
function familyAddrMax(family: 4 | 6): bigint {
  return family === 4 ? V4_MAX : DIM_MAX[Dim.Src]!;
}

/**
 * The spec with its long range lists (a set's elements) sorted and merged, once: both forms a box
 * may be built in (flatBox, then rawBox when it is too wide to be flat) read its lists normalized,
 * and each would sort a list that is not.
 */
function wideListsNormal(spec: BoxSpec): BoxSpec {
  let out: { [d in Dim]?: Ranges } | undefined;
  for (let d = 0 as Dim; d < DIM_COUNT; d++) {
    const r = spec[d];
    if (r === undefined || r.length < WIDE_LIST) continue;
    const normal = idd.normalView(r, DIM_MAX[d]!);
    if (normal !== r) (out ??= { ...spec })[d] = normal;
  }
  return out ?? spec;
}

/** Range lists at least this long are normalized before a box is built (see wideListsNormal). */
const WIDE_LIST = 64;

/** `ranges` ∩ [lo, hi]. */
function clip(ranges: Ranges, lo: bigint, hi: bigint): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const [a, b] of ranges) {
    const x = a > lo ? a : lo;
    const y = b < hi ? b : hi;
    if (x <= y) out.push([x, y]);
  }
  return out;
}

/**
 * A box of one family whose protocols are all of one kind lies in one of the universe's boxes: its
 * intersection with the universe is the box with that kind's dimensions held at 0 and the
 * addresses cut to the family's range - one product of ranges, built directly instead of by an
 * intersection with the whole universe (compiling a 20k-rule ASA config makes 20k such boxes).
 * Undefined for other boxes.
 */
function boxSpecInUniverse(spec: BoxSpec): BoxSpec | null | undefined {
  const fam = spec[Dim.Family];
  const protos = spec[Dim.Proto];
  if (!fam || !protos || fam.length !== 1 || fam[0]![0] !== fam[0]![1]) return undefined;
  const family = Number(fam[0]![0]);
  if (family !== 4 && family !== 6) return undefined;
  let kind = -1;
  for (const [lo, hi] of protos) {
    if (hi - lo > 255n) return undefined;
    for (let p = lo < 0n ? 0 : Number(lo); p <= Number(hi) && p <= 255; p++) {
      const k = protoKind(family, p);
      if (kind !== -1 && k !== kind) return undefined;
      kind = k;
    }
  }
  if (kind === -1) return null;
  const out: { [d in Dim]?: Ranges } = { ...spec };
  const addrMax = familyAddrMax(family);
  for (const d of [Dim.Src, Dim.Dst] as const) out[d] = clip(spec[d] ?? [[0n, addrMax]], 0n, addrMax);
  for (const d of KIND_ZEROS[kind]!) out[d] = clip(spec[d] ?? ZERO, 0n, 0n);
  for (const d of Object.keys(out)) if (out[Number(d) as Dim]!.length === 0) return null;
  return out;
}

function familyUniverse(family: 4 | 6): Node {
  const protos: [bigint, bigint][][] = KIND_ZEROS.map(() => []);
  for (let p = 0; p <= 255; p++) protos[protoKind(family, p)]!.push(r(p));
  const addr = [r(0, familyAddrMax(family))];
  return idd.orAll(
    protos.map((ps, kind) => {
      const spec: { [d in Dim]?: Ranges } = { [Dim.Family]: [r(family)], [Dim.Proto]: ps, [Dim.Src]: addr, [Dim.Dst]: addr };
      for (const d of KIND_ZEROS[kind]!) spec[d] = ZERO;
      return rawBox(spec);
    }),
  );
}

/**
 * The universes, built on first use and pinned: other modules keep them across analyses and
 * compare sets with them by identity, so they stay canonical when the node tables are reset.
 */
let universeCache: { v4: PacketSet; v6: PacketSet; all: PacketSet } | undefined;

function universes(): { v4: PacketSet; v6: PacketSet; all: PacketSet } {
  if (!universeCache) {
    const v4 = PacketSet.fromNode(familyUniverse(4));
    const v6 = PacketSet.fromNode(familyUniverse(6));
    const all = PacketSet.fromNode(idd.or(v4.node, v6.node));
    universeCache = { v4, v6, all };
    const rebuild = () => (universeCache = undefined);
    for (const u of [v4, v6, all]) {
      idd.pin(u.node, rebuild);
      idd.markHolder(u.node);
    }
  }
  return universeCache;
}
