/**
 * Sets made flat (PacketSet.box of a box whose cuts fit, and what set operations build from sets
 * that have a flat form) hold only their flat form until something needs their node. They must
 * answer exactly as the object form does, in either operand order and mixed with object sets, and
 * keep reading right after the caches reset (a new analysis), when their flat store is retired.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DIM_COUNT, DIM_MAX, Dim, ifacePrefixRange, ifaceToValue } from "../../src/space/dims.js";
import { configureFlatLimit, configureFlatUnionCap, FLAT_STORE_PIECES } from "../../src/space/flat-sets.js";
import { unionFactored } from "../../src/space/factored.js";
import * as idd from "../../src/space/idd.js";
import { PacketSet, nodeWitness } from "../../src/space/packet-set.js";
import { Projections } from "../../src/space/projections.js";

type Spec = { proto: number; dport?: [number, number][]; dst?: [number, number][]; src?: [number, number][] };

const ranges = (max: number) => fc.array(fc.tuple(fc.nat(max), fc.nat(5)).map(([lo, w]) => [lo, lo + w] as [number, number]), { minLength: 1, maxLength: 3 });
const spec: fc.Arbitrary<Spec> = fc.record(
  { proto: fc.constantFrom(6, 17), dport: ranges(40), dst: ranges(30), src: ranges(30) },
  { requiredKeys: ["proto"] },
);

const big = (rs: [number, number][]) => rs.map(([lo, hi]) => [BigInt(lo), BigInt(hi)] as [bigint, bigint]);

function boxOf(s: Spec): PacketSet {
  return PacketSet.box({
    [Dim.Family]: [[4n, 4n]],
    [Dim.Proto]: [[BigInt(s.proto), BigInt(s.proto)]],
    ...(s.dport ? { [Dim.Dport]: big(s.dport) } : {}),
    ...(s.dst ? { [Dim.Dst]: big(s.dst) } : {}),
    ...(s.src ? { [Dim.Src]: big(s.src) } : {}),
  });
}

/** The same box, as the object form builds it: the box's ranges, cut to the universe. */
function objectBoxOf(s: Spec): PacketSet {
  const within = (lv: Dim, rs: [number, number][] | undefined, inside: idd.Node) => (rs ? idd.mkRanges(lv, big(rs), inside) : inside);
  let n = within(Dim.Src, s.src, idd.FULL);
  n = within(Dim.Dst, s.dst, n);
  n = within(Dim.Dport, s.dport, n);
  n = idd.mkRanges(Dim.Proto, [[BigInt(s.proto), BigInt(s.proto)]], n);
  n = idd.mkRanges(Dim.Family, [[4n, 4n]], n);
  return PacketSet.fromNode(idd.and(n, PacketSet.universe().node));
}

function member(s: Spec, p: readonly bigint[]): boolean {
  const inR = (rs: [number, number][] | undefined, v: bigint) => !rs || rs.some(([lo, hi]) => v >= BigInt(lo) && v <= BigInt(hi));
  return p[Dim.Family] === 4n && p[Dim.Proto] === BigInt(s.proto) && inR(s.dport, p[Dim.Dport]!) && inR(s.dst, p[Dim.Dst]!) && inR(s.src, p[Dim.Src]!);
}

/** The values dimension d takes in a node, found with idd's existential projection of every other dimension. */
function valuesByProjection(n: idd.Node, d: Dim): [bigint, bigint][] {
  const others = Array.from({ length: DIM_COUNT }, (_, k) => k).filter((k) => k !== d);
  const only = idd.exists(n, others);
  if (only === idd.EMPTY) return [];
  if (only === idd.FULL || only.level !== d) return [[0n, DIM_MAX[d]!]];
  const out: [bigint, bigint][] = [];
  idd.forEachPiece(only, (lo, hi, kid) => {
    if (kid !== idd.EMPTY) out.push([lo, hi]);
  });
  return idd.normalizeRanges(out, DIM_MAX[d]!);
}

const point = fc.tuple(fc.constantFrom(6n, 17n), fc.nat(48), fc.nat(38), fc.nat(38)).map(([proto, dport, dst, src]) => {
  const p = new Array<bigint>(DIM_COUNT).fill(0n);
  p[Dim.Family] = 4n;
  p[Dim.Proto] = proto;
  p[Dim.Dport] = BigInt(dport);
  p[Dim.Dst] = BigInt(dst);
  p[Dim.Src] = BigInt(src);
  return p;
});

describe("sets held flat", () => {
  it("are made flat, and are the very sets the object form builds", () => {
    fc.assert(
      fc.property(spec, (s) => {
        const a = boxOf(s);
        expect(a.flatForm()).toBeDefined();
        expect(a.node).toBe(objectBoxOf(s).node);
        // a box of every protocol (no one kind of the universe's) is cut to the universe flat too
        const anyProto = PacketSet.box({ [Dim.Family]: [[4n, 4n]], ...(s.dst ? { [Dim.Dst]: big(s.dst) } : {}) });
        expect(anyProto.flatForm()).toBeDefined();
        const raw = idd.mkRanges(Dim.Family, [[4n, 4n]], s.dst ? idd.mkRanges(Dim.Dst, big(s.dst), idd.FULL) : idd.FULL);
        expect(anyProto.node).toBe(idd.and(raw, PacketSet.universe().node));
      }),
      { numRuns: 150 },
    );
  });

  it("combine, compare and test exactly as object sets do, in either order and mixed with them", () => {
    fc.assert(
      fc.property(spec, spec, spec, (s, t, u) => {
        const [a, b, c] = [boxOf(s), boxOf(t), boxOf(u)];
        const [oa, ob, oc] = [objectBoxOf(s), objectBoxOf(t), objectBoxOf(u)];
        const flat = a.union(b).minus(c);
        expect(flat.flatForm()).toBeDefined();
        expect(flat.node).toBe(idd.diff(idd.or(oa.node, ob.node), oc.node));
        expect(a.intersect(b).node).toBe(idd.and(oa.node, ob.node));
        expect(PacketSet.unionAll([a, PacketSet.fromNode(ob.node), c]).node).toBe(idd.orAll([oa.node, ob.node, oc.node]));
        // a set held flat with one that has only its node
        expect(a.intersect(PacketSet.fromNode(ob.node)).node).toBe(idd.and(oa.node, ob.node));
        expect(PacketSet.fromNode(ob.node).minus(a).node).toBe(idd.diff(ob.node, oa.node));
        expect(a.isEmpty()).toBe(oa.node === idd.EMPTY);
        expect(a.minus(b).isEmpty()).toBe(idd.diff(oa.node, ob.node) === idd.EMPTY);
        expect(a.isSubsetOf(b)).toBe(idd.within(oa.node, ob.node));
        expect(a.overlaps(b)).toBe(idd.meets(oa.node, ob.node));
        expect(a.union(b).equals(b.union(a))).toBe(true);
        expect(a.equals(b)).toBe(oa.node === ob.node);
        expect(a.isUniverse()).toBe(false);
        expect(PacketSet.universe().minus(a).union(a).isUniverse()).toBe(true);
        // corners are read from the flat form, and are the object form's
        for (const x of [a.union(b).minus(c), PacketSet.empty()]) {
          const o = x.node;
          const fresh = () => PacketSet.fromFlat(x.flatForm()!);
          expect(fresh().corner()).toEqual(idd.cornerPoint(o, false));
          expect(fresh().corner(true)).toEqual(idd.cornerPoint(o, true));
          expect(fresh().farCorner()).toEqual(idd.cornerPoint(o, true, true));
        }
      }),
      { numRuns: 150 },
    );
  });

  it("are projected from their flat form as from their node", () => {
    const merged = (rs: [number, number][] | undefined, max: number) => {
      const out: number[] = [];
      for (const [lo, hi] of [...(rs ?? [[0, max]])].sort((x, y) => x[0] - y[0])) {
        if (out.length > 0 && lo <= out[out.length - 1]! + 1) out[out.length - 1] = Math.max(out[out.length - 1]!, hi);
        else out.push(lo, hi);
      }
      return out;
    };
    fc.assert(
      fc.property(spec, (s) => {
        const a = boxOf(s);
        expect(a.flatForm()).toBeDefined();
        // proto, dport, dst, src (projections.ts DIMS)
        const want = [[s.proto, s.proto], merged(s.dport, 65535), merged(s.dst, 2 ** 32 - 1), merged(s.src, 2 ** 32 - 1)];
        expect(Projections.of(a).ranges.map((r) => [...r])).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });

  it("give the values of one dimension, and the universal projection over one, from their flat form", () => {
    const dims = [Dim.Proto, Dim.Dport, Dim.Dst, Dim.Src, Dim.Family, Dim.Sport];
    fc.assert(
      fc.property(spec, spec, spec, ranges(50), (s, t, u, over) => {
        const a = boxOf(s).union(boxOf(t)).minus(boxOf(u));
        const object = idd.diff(idd.or(objectBoxOf(s).node, objectBoxOf(t).node), objectBoxOf(u).node);
        expect(a.flatForm()).toBeDefined();
        for (const d of dims) {
          expect(a.valuesOf(d)).toEqual(valuesByProjection(object, d));
          // the universal projection over a few values (ports, addresses) and over all of them
          for (const rs of [big(over), [[0n, DIM_MAX[d]!] as [bigint, bigint]]]) {
            const all = a.forAll(d, rs);
            expect(all.flatForm()).toBeDefined(); // built flat, not as the object form
            expect(all.node).toBe(idd.and(idd.forAll(object, d, rs), PacketSet.universe().node));
          }
        }
        // a witness: each dimension at a preferred value that keeps the rest non-empty, else picked in the first piece
        if (!a.isEmpty()) {
          const prefs = { [Dim.Dport]: [25n, 3n, 80n], [Dim.Src]: [7n, 2n ** 40n], [Dim.Dst]: [-1n, 12n] };
          const pick = (d: Dim, lo: bigint, hi: bigint) => (d === Dim.Dst ? hi : lo + (hi - lo) / 2n);
          expect(a.witness(prefs, pick)).toEqual(nodeWitness(object, prefs, pick));
          expect(a.witness()).toEqual(nodeWitness(object));
          expect(a.has(a.witness(prefs, pick)!)).toBe(true);
        } else expect(a.witness()).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  it("measure their sources as the object form does", () => {
    const within: [bigint, bigint][] = [
      [5n, 20n],
      [25n, 30n],
    ];
    fc.assert(
      fc.property(spec, spec, (s, t) => {
        const u = boxOf(s).union(boxOf(t));
        expect(u.flatForm()).toBeDefined();
        // by brute force: the most sources (all, and those in `within`) reaching one combination
        let best = 0;
        let bestWithin = 0;
        for (const proto of [6, 17])
          for (let dport = 0; dport <= 46; dport++)
            for (let dst = 0; dst <= 36; dst++) {
              let n = 0;
              let m = 0;
              for (let src = 0; src <= 36; src++) {
                const p = new Array<bigint>(DIM_COUNT).fill(0n);
                [p[Dim.Family], p[Dim.Proto], p[Dim.Dport], p[Dim.Dst], p[Dim.Src]] = [4n, BigInt(proto), BigInt(dport), BigInt(dst), BigInt(src)];
                if (!member(s, p) && !member(t, p)) continue;
                n++;
                if (within.some(([lo, hi]) => BigInt(src) >= lo && BigInt(src) <= hi)) m++;
              }
              best = Math.max(best, n);
              bestWithin = Math.max(bestWithin, m);
            }
        // a box without a source range reaches every IPv4 source
        const open = (x: Spec) => x.src === undefined;
        if (!open(s) && !open(t)) expect(u.maxSourceCount()).toBe(BigInt(best));
        else expect(u.maxSourceCount()).toBe(2n ** 32n);
        expect(u.maxSourceCountIn(within)).toBe(BigInt(bestWithin));
        // the part the most sources in `within` reach: the combinations they reach, with every source
        const widest = u.widestSourcePart(within);
        expect(widest.flatForm()).toBeDefined();
        if (bestWithin === 0) expect(widest).toBe(u);
        else
          for (const proto of [6, 17])
            for (let dport = 0; dport <= 46; dport += 3)
              for (let dst = 0; dst <= 36; dst += 2) {
                const at = (src: number) => {
                  const p = new Array<bigint>(DIM_COUNT).fill(0n);
                  [p[Dim.Family], p[Dim.Proto], p[Dim.Dport], p[Dim.Dst], p[Dim.Src]] = [4n, BigInt(proto), BigInt(dport), BigInt(dst), BigInt(src)];
                  return p;
                };
                let m = 0;
                for (let src = 0; src <= 36; src++) if ((member(s, at(src)) || member(t, at(src))) && within.some(([lo, hi]) => BigInt(src) >= lo && BigInt(src) <= hi)) m++;
                for (let src = 0; src <= 36; src++) expect(widest.has(at(src))).toBe(m === bestWithin && (member(s, at(src)) || member(t, at(src))));
              }
      }),
      { numRuns: 25 },
    );
  });

  it("combine right once the flat store is full (the rest is built as objects)", () => {
    configureFlatLimit(400);
    try {
      fc.assert(
        fc.property(fc.array(spec, { minLength: 2, maxLength: 12 }), (specs) => {
          let flat = PacketSet.empty();
          let object: idd.Node = idd.EMPTY;
          for (const [k, x] of specs.entries()) {
            flat = k % 3 === 2 ? flat.minus(boxOf(x)) : flat.union(boxOf(x));
            object = k % 3 === 2 ? idd.diff(object, objectBoxOf(x).node) : idd.or(object, objectBoxOf(x).node);
          }
          expect(flat.node).toBe(object);
          expect(flat.isEmpty()).toBe(object === idd.EMPTY);
          expect(flat.isSubsetOf(boxOf(specs[0]!))).toBe(idd.within(object, objectBoxOf(specs[0]!).node));
        }),
        { numRuns: 100 },
      );
    } finally {
      configureFlatLimit(FLAT_STORE_PIECES);
    }
  });

  it("are united many at once flat, building no node, as the object form unites them", () => {
    fc.assert(
      fc.property(fc.array(spec, { minLength: 2, maxLength: 9 }), (specs) => {
        // a fresh store: a node an earlier run built (its `u.node` below) is not this union's
        idd.resetCaches();
        const sets = specs.map(boxOf);
        const u = PacketSet.unionAll(sets);
        expect(u.flatForm()).toBeDefined();
        expect(u.builtNode()).toBeUndefined();
        // joining flows (unionFactored) asks no set held flat for its node
        const v = unionFactored(sets);
        expect(v.builtNode()).toBeUndefined();
        expect(sets.some((x) => x.builtNode() !== undefined)).toBe(false);
        const want = idd.orAll(specs.map((x) => objectBoxOf(x).node));
        expect(u.node).toBe(want);
        expect(v.node).toBe(want);
      }),
      { numRuns: 100 },
    );
  });

  it("give up a union of many past its cap, drop what it built, and every set still reads right", () => {
    configureFlatUnionCap(6);
    try {
      fc.assert(
        fc.property(fc.array(spec, { minLength: 4, maxLength: 9 }), fc.array(spec, { minLength: 1, maxLength: 4 }), (specs, others) => {
          idd.resetCaches();
          const sets = specs.map(boxOf);
          const want = idd.orAll(specs.map((x) => objectBoxOf(x).node));
          const u = PacketSet.unionAll(sets);
          expect(u.node).toBe(want);
          // new sets take the ids the given-up union's nodes had; the unions it memoized are made again
          for (const o of others) boxOf(o).minus(sets[0]!);
          for (let k = 1; k < sets.length; k++) expect(sets[k - 1]!.union(sets[k]!).node).toBe(idd.or(objectBoxOf(specs[k - 1]!).node, objectBoxOf(specs[k]!).node));
          expect(PacketSet.unionAll(sets.slice(0, 2)).node).toBe(idd.or(objectBoxOf(specs[0]!).node, objectBoxOf(specs[1]!).node));
        }),
        { numRuns: 150 },
      );
    } finally {
      configureFlatUnionCap(1 << 20);
    }
  });

  it("read right after the caches reset, when the store they were built in is retired", () => {
    fc.assert(
      fc.property(spec, spec, fc.array(spec, { minLength: 1, maxLength: 5 }), fc.array(point, { minLength: 1, maxLength: 8 }), (s, t, others, points) => {
        const a = boxOf(s);
        const ab = a.union(boxOf(t));
        expect(ab.flatForm()).toBeDefined();
        idd.resetCaches();
        // the new store gets other sets under the ids the old one gave these
        for (const o of others) boxOf(o).union(boxOf(t));
        for (const p of points) {
          expect(a.has(p)).toBe(member(s, p));
          expect(ab.has(p)).toBe(member(s, p) || member(t, p));
        }
        expect(ab.equals(boxOf(s).union(boxOf(t)))).toBe(true);
        expect(ab.minus(boxOf(t)).equals(boxOf(s).minus(boxOf(t)))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  // Interface names are numbers far past 2^53: flat nodes hold codes for them (flat-sets.ts NameCodes).
  const names = ["eth0", "eth1", "eth10", "wan", "lan", "br-lan", "GigabitEthernet0/0/0.100", "ge-0/0/0.0", "outside", "x"];
  const ifaceRanges = fc.array(
    fc.oneof(
      fc.constantFrom(...names).map((n) => [ifaceToValue(n), ifaceToValue(n)] as [bigint, bigint]),
      fc.constantFrom("eth", "br-", "ge-", "G").map((p) => ifacePrefixRange(p)),
    ),
    { minLength: 1, maxLength: 3 },
  );
  const ifaceBox = fc.tuple(ifaceRanges, fc.option(ifaceRanges, { nil: undefined }), spec).map(([iif, oif, s]) => ({ iif, oif, s }));
  const ifaceSet = (b: { iif: [bigint, bigint][]; oif?: [bigint, bigint][]; s: Spec }) =>
    boxOf(b.s).intersect(PacketSet.box({ [Dim.Iif]: b.iif, ...(b.oif ? { [Dim.Oif]: b.oif } : {}) }));
  /** A packet on the interfaces named, inside the spec's box where it has ranges. */
  const pointIn = (s: Spec, iif: string, oif: string): bigint[] => {
    const p = new Array<bigint>(DIM_COUNT).fill(0n);
    p[Dim.Family] = 4n;
    p[Dim.Proto] = BigInt(s.proto);
    p[Dim.Dport] = BigInt(s.dport?.[0]?.[0] ?? 0);
    p[Dim.Dst] = BigInt(s.dst?.[0]?.[0] ?? 0);
    p[Dim.Src] = BigInt(s.src?.[0]?.[0] ?? 0);
    p[Dim.Iif] = ifaceToValue(iif);
    p[Dim.Oif] = ifaceToValue(oif);
    return p;
  };
  const ifaceObject = (b: { iif: [bigint, bigint][]; oif?: [bigint, bigint][]; s: Spec }) => {
    let n = idd.mkRanges(Dim.Iif, b.iif, b.oif ? idd.mkRanges(Dim.Oif, b.oif, idd.FULL) : idd.FULL);
    n = idd.and(n, objectBoxOf(b.s).node);
    return PacketSet.fromNode(n);
  };

  it("hold interface names as codes, and still build the very sets the object form builds", () => {
    fc.assert(
      fc.property(ifaceBox, ifaceBox, (x, y) => {
        const [a, b] = [ifaceSet(x), ifaceSet(y)];
        expect(a.flatForm()).toBeDefined();
        const [oa, ob] = [ifaceObject(x), ifaceObject(y)];
        expect(a.node).toBe(oa.node);
        expect(a.union(b).node).toBe(idd.or(oa.node, ob.node));
        expect(a.minus(b).node).toBe(idd.diff(oa.node, ob.node));
        expect(a.isSubsetOf(b)).toBe(idd.within(oa.node, ob.node));
        expect(a.overlaps(b)).toBe(idd.meets(oa.node, ob.node));
        // corners on names: a piece's start is a name, its end one below the next piece's name
        const both = a.union(b);
        expect(PacketSet.fromFlat(both.flatForm()!).corner()).toEqual(idd.cornerPoint(both.node, false));
        expect(PacketSet.fromFlat(both.flatForm()!).corner(true)).toEqual(idd.cornerPoint(both.node, true));
        expect(PacketSet.fromFlat(both.flatForm()!).farCorner()).toEqual(idd.cornerPoint(both.node, true, true));
        // the names a flat set holds, read from its codes: a piece's end is one below the next piece's name
        expect(PacketSet.fromFlat(both.flatForm()!).valuesOf(Dim.Iif)).toEqual(valuesByProjection(both.node, Dim.Iif));
        expect(PacketSet.fromFlat(both.flatForm()!).valuesOf(Dim.Oif)).toEqual(valuesByProjection(both.node, Dim.Oif));
        // a witness on names: preferred names with and without a code, picked names decoded
        const namePrefs = { [Dim.Iif]: ["eth00", "lan1", "zzz"].map(ifaceToValue), [Dim.Oif]: [ifaceToValue("y")] };
        const pickName = (d: Dim, lo: bigint, hi: bigint) => (d === Dim.Oif ? hi : lo);
        expect(PacketSet.fromFlat(both.flatForm()!).witness(namePrefs, pickName)).toEqual(nodeWitness(both.node, namePrefs, pickName));
        expect(PacketSet.fromFlat(both.flatForm()!).witness()).toEqual(nodeWitness(both.node));
        // a packet is looked up in the flat form: on names with a code, and on names between them
        // (another name, or one character more), which no piece starts at
        expect(both.flatForm()).toBeDefined();
        for (const iif of [...names, "eth00", "eth1a", "ge-", "br-lan0", "a", "zzz"]) {
          for (const oif of ["wan", "eth0", "lan1", "y"]) {
            const p = pointIn(x.s, iif, oif);
            expect(a.has(p)).toBe(idd.contains(oa.node, p));
            expect(both.has(p)).toBe(idd.contains(idd.or(oa.node, ob.node), p));
          }
        }
        // the names are read back as themselves after the store is retired
        const u = a.union(b);
        idd.resetCaches();
        ifaceSet(y).minus(ifaceSet(x));
        expect(u.node).toBe(idd.or(ifaceObject(x).node, ifaceObject(y).node));
      }),
      { numRuns: 150 },
    );
  });

  it("leave a set in the object form when no code is left for a name, and it still reads right", () => {
    idd.resetCaches();
    // names that each fall halfway between the last one and "eth1": the room between two codes runs out
    const lo = ifaceToValue("eth0");
    const hi = ifaceToValue("eth1");
    const sets: PacketSet[] = [];
    const wanted: bigint[] = [];
    let v = hi;
    let refused = 0;
    for (let k = 0; k < 80; k++) {
      v = lo + (v - lo) / 2n;
      wanted.push(v);
      const s = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[6n, 6n]], [Dim.Iif]: [[v, v]] });
      if (s.flatForm() === undefined) refused++;
      sets.push(s);
    }
    expect(refused).toBeGreaterThan(0);
    // built flat or not, each set holds its one name and no other
    const u = PacketSet.unionAll(sets);
    for (const w of wanted) {
      const p = new Array<bigint>(DIM_COUNT).fill(0n);
      p[Dim.Family] = 4n;
      p[Dim.Proto] = 6n;
      p[Dim.Iif] = w;
      expect(u.has(p)).toBe(true);
      p[Dim.Iif] = w + 1n;
      expect(u.has(p)).toBe(wanted.includes(w + 1n));
    }
    expect(u.valuesOf(Dim.Iif)).toEqual([...wanted].sort((a, b) => (a < b ? -1 : 1)).map((w) => [w, w]));
    expect(DIM_MAX[Dim.Iif]! > 2n ** 53n).toBe(true);
  });
});

describe("a box of a long list (a set's elements)", () => {
  // Lists past a flat node's width (FLAT_MAX_PIECES) are built in the object form, lists short of
  // it flat; either way the list is sorted and merged once, whatever order it comes in.
  const list = fc.oneof(
    fc.array(fc.tuple(fc.nat(20000), fc.nat(3)), { minLength: 64, maxLength: 400 }),
    fc.array(fc.tuple(fc.nat(20000), fc.nat(3)), { minLength: 2500, maxLength: 3500 }),
  );
  it("is the set of the list's addresses, in or out of order, with or without a protocol", () => {
    fc.assert(
      fc.property(list, fc.boolean(), fc.boolean(), (pairs, ascending, tcp) => {
        const given = pairs.map(([lo, w]) => [BigInt(lo), BigInt(lo + w)] as [bigint, bigint]);
        if (ascending) given.sort((a, b) => Number(a[0] - b[0]));
        const copy = given.map(([lo, hi]) => [lo, hi]);
        const s = PacketSet.box({ [Dim.Family]: [[4n, 4n]], ...(tcp ? { [Dim.Proto]: [[6n, 6n]] } : {}), [Dim.Src]: given });
        expect(given).toEqual(copy); // the caller's list is left as it was
        const covered = new Uint8Array(20010);
        for (const [lo, w] of pairs) covered.fill(1, lo, lo + w + 1);
        const p = new Array<bigint>(DIM_COUNT).fill(0n);
        p[Dim.Family] = 4n;
        p[Dim.Proto] = 6n;
        for (const [lo, w] of pairs) {
          for (const v of [lo - 1, lo, lo + w, lo + w + 1]) {
            if (v < 0) continue;
            p[Dim.Src] = BigInt(v);
            expect(s.has(p)).toBe(covered[v] === 1);
          }
        }
        p[Dim.Proto] = 17n;
        p[Dim.Src] = BigInt(pairs[0]![0]);
        expect(s.has(p)).toBe(!tcp);
      }),
      { seed: 0xb10c, numRuns: 25 },
    );
  });
});
