/**
 * Sets kept split (PacketSet.factored: plain ∪ (inner ∩ factor), built only when needed): every
 * operation on them - with plain sets, with sets split over the same factor or another one - gives
 * the set the same operation gives on their built forms, node for node, and every test answers as
 * it does there. Factors are a blocklist's complement (a condition on the source alone) or the
 * complement of source . port pairs (which depends on the port too, so the universal projection
 * over ports cannot be taken through it).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Dim } from "../../src/space/dims.js";
import { PacketSet, type BoxSpec } from "../../src/space/packet-set.js";

const SEED = 0x5b117;
type R = [bigint, bigint];
const rangeOf = (lo: number, span: number): fc.Arbitrary<R> =>
  fc.tuple(fc.integer({ min: 0, max: span }), fc.integer({ min: 0, max: 8 })).map(([a, w]) => [BigInt(lo + a), BigInt(lo + a + w)]);

const boxArb: fc.Arbitrary<BoxSpec> = fc
  .record({
    family: fc.constantFrom(4n, 6n),
    proto: fc.constantFrom(6n, 17n, 1n),
    dports: fc.option(fc.array(rangeOf(20, 60), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    dst: fc.option(fc.array(rangeOf(1000, 100), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    src: fc.option(fc.array(rangeOf(5000, 200), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  })
  .map(({ family, proto, dports, dst, src }) => {
    const spec: BoxSpec = { [Dim.Family]: [[family, family]], [Dim.Proto]: [[proto, proto]] };
    if (dports && proto !== 1n) spec[Dim.Dport] = dports;
    if (dst) spec[Dim.Dst] = dst;
    if (src) spec[Dim.Src] = src;
    return spec;
  });

const setArb: fc.Arbitrary<PacketSet> = fc.array(boxArb, { minLength: 1, maxLength: 3 }).map((bs) => PacketSet.unionAll(bs.map((b) => PacketSet.box(b))));
/** Sets that meet most others: a family, maybe a protocol and ports or sources, nothing else. */
const wideArb: fc.Arbitrary<PacketSet> = fc
  .record({
    family: fc.constantFrom(4n, 6n),
    proto: fc.option(fc.constantFrom(6n, 17n), { nil: undefined }),
    dports: fc.option(fc.array(rangeOf(20, 60), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    src: fc.option(fc.array(rangeOf(5000, 200), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  })
  .map(({ family, proto, dports, src }) => {
    const spec: BoxSpec = { [Dim.Family]: [[family, family]] };
    if (proto) spec[Dim.Proto] = [[proto, proto]];
    if (proto && dports) spec[Dim.Dport] = dports;
    if (src) spec[Dim.Src] = src;
    return PacketSet.box(spec);
  });

/** A large filter's complement: a blocklist of sources, or of source . port pairs. */
const factorArb: fc.Arbitrary<PacketSet> = fc.oneof(
  fc.array(rangeOf(5000, 200), { minLength: 1, maxLength: 6 }).map((rs) => PacketSet.universe().minus(PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Src]: rs }))),
  fc
    .array(fc.tuple(rangeOf(5000, 200), rangeOf(20, 60)), { minLength: 1, maxLength: 4 })
    .map((pairs) => PacketSet.universe().minus(PacketSet.unionAll(pairs.map(([s, p]) => PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[6n, 6n]], [Dim.Src]: [s], [Dim.Dport]: [p] }))))),
);

/** Source ranges to count in (one array each: the counts are memoized by identity). */
const SOURCE_RANGES: R[][] = [[[0n, (1n << 128n) - 1n]], [[5000n, 5100n], [5150n, 6000n]], [[5050n, 5050n]]];

/** How a split set is made: inner ∩ factor, maybe joined with a plain set, maybe cut or narrowed. */
const recipeArb = fc.record({
  inner: fc.oneof(setArb, wideArb),
  plain: fc.option(fc.oneof(setArb, wideArb), { nil: undefined }),
  cut: fc.option(fc.oneof(setArb, wideArb), { nil: undefined }),
  narrow: fc.option(wideArb, { nil: undefined }),
  other: fc.boolean(),
});

type Recipe = typeof recipeArb extends fc.Arbitrary<infer T> ? T : never;

function make(r: Recipe, f: PacketSet, g: PacketSet): PacketSet {
  let x = PacketSet.factored(r.inner, r.other ? g : f);
  if (r.plain) x = x.union(r.plain);
  if (r.cut) x = x.minus(r.cut);
  if (r.narrow) x = x.intersect(r.narrow);
  return x;
}

/** The same set, built. */
const built = (s: PacketSet): PacketSet => PacketSet.fromNode(s.node);

/** Points to ask `has` about: corners of each set. */
function pointsOf(sets: PacketSet[]): bigint[][] {
  return sets.filter((s) => !built(s).isEmpty()).flatMap((s) => [built(s).corner(), built(s).corner(true), built(s).farCorner()]);
}

describe("sets kept split", () => {
  it("combine and compare exactly as their built forms do", () => {
    fc.assert(
      fc.property(factorArb, factorArb, recipeArb, recipeArb, fc.oneof(setArb, wideArb), (f, g, ra, rb, plain) => {
        const a = make(ra, f, g);
        const b = make(rb, f, g);
        const [ea, eb] = [built(make(ra, f, g)), built(make(rb, f, g))];
        expect(a.node).toBe(ea.node);
        // each pair, made afresh for each operation (a set built once stays built): split with
        // split (same factor or not), split with plain, plain with split
        const pairs: [() => [PacketSet, PacketSet], PacketSet, PacketSet][] = [
          [() => [make(ra, f, g), make(rb, f, g)], ea, eb],
          [() => [make(ra, f, g), plain], ea, plain],
          [() => [plain, make(rb, f, g)], plain, eb],
        ];
        for (const [fresh, ex, ey] of pairs) {
          const on = <T>(op: (x: PacketSet, y: PacketSet) => T): T => op(...fresh());
          expect(on((x, y) => x.union(y)).node).toBe(ex.union(ey).node);
          expect(on((x, y) => x.intersect(y)).node).toBe(ex.intersect(ey).node);
          expect(on((x, y) => x.minus(y)).node).toBe(ex.minus(ey).node);
          expect(on((x, y) => x.isSubsetOf(y))).toBe(ex.isSubsetOf(ey));
          expect(on((x, y) => y.isSubsetOf(x))).toBe(ey.isSubsetOf(ex));
          expect(on((x, y) => x.overlaps(y))).toBe(ex.overlaps(ey));
          expect(on((x, y) => x.equals(y))).toBe(ex.equals(ey));
          expect(on((x, y) => x.intersect(y).isEmpty())).toBe(ex.intersect(ey).isEmpty());
          expect(on((x, y) => x.minus(y).isEmpty())).toBe(ex.minus(ey).isEmpty());
        }
        // a set equals itself rebuilt by another path, and what it contains
        expect(make(ra, f, g).equals(make(ra, f, g))).toBe(true);
        expect(make(ra, f, g).union(make(ra, f, g).intersect(plain)).equals(make(ra, f, g))).toBe(true);
        expect(make(ra, f, g).isEmpty()).toBe(ea.isEmpty());
        for (const p of pointsOf([ea, eb, plain, f])) expect(make(ra, f, g).has(p)).toBe(ea.has(p));
        // a set inside a split set or not, as the factor decides; split sets equal but for the plain part
        expect(ra.inner.isSubsetOf(PacketSet.factored(ra.inner, f))).toBe(ra.inner.isSubsetOf(ra.inner.intersect(f)));
        expect(PacketSet.factored(ra.inner, f).union(plain).equals(PacketSet.factored(ra.inner, f))).toBe(ra.inner.intersect(f).union(plain).equals(ra.inner.intersect(f)));
        // a plain part minus a split set keeps what the other's factor leaves out
        expect(PacketSet.factored(ra.inner, f).union(plain).minus(PacketSet.factored(rb.inner, f)).node).toBe(ra.inner.intersect(f).union(plain).minus(rb.inner.intersect(f)).node);
        // what the factor takes out of an inner is nothing
        expect(PacketSet.factored(ra.inner.minus(f), f).isEmpty()).toBe(true);
        expect(PacketSet.factored(ra.inner.minus(f), f).union(ra.inner.minus(f)).equals(ra.inner.minus(f))).toBe(true);
        // how many sources reach one connection
        for (const ranges of SOURCE_RANGES) expect(make(ra, f, g).maxSourceCountIn(ranges)).toBe(ea.maxSourceCountIn(ranges));
        // unions of many, mixing plain and split sets
        const all = [make(ra, f, g), plain, make(rb, f, g)];
        expect(PacketSet.unionAll(all).node).toBe(PacketSet.unionAll([ea, plain, eb]).node);
        // a split set as the inner of another
        expect(PacketSet.factored(make(ra, f, g), g).node).toBe(ea.intersect(g).node);
        // every port open: through the factor when it does not depend on the port
        const ports: R[] = [[25n, 40n]];
        expect(make(ra, f, g).forAll(Dim.Dport, ports).node).toBe(ea.forAll(Dim.Dport, ports).node);
        expect(PacketSet.factored(ra.inner, f).forAll(Dim.Dport, ports).node).toBe(ra.inner.intersect(f).forAll(Dim.Dport, ports).node);
        expect(PacketSet.factored(ra.inner, f).intersect(plain).forAll(Dim.Dport, ports).node).toBe(ra.inner.intersect(f).intersect(plain).forAll(Dim.Dport, ports).node);
      }),
      { seed: SEED, numRuns: 250 },
    );
  });

  it("stay unbuilt through the operations the evaluator and the checks chain on them", () => {
    const blocked = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Src]: [[5000n, 5100n]] });
    const factor = PacketSet.universe().minus(blocked);
    const inner = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: [[20n, 30n]] });
    const plain = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[17n, 17n]] });
    const s = PacketSet.factored(inner, factor).union(plain).minus(PacketSet.box({ [Dim.Dport]: [[22n, 22n]] }));
    const narrowed = s.intersect(PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: [[25n, 25n]] }));
    const joined = PacketSet.unionAll([s, PacketSet.factored(plain, factor)]);
    for (const x of [s, narrowed, joined, narrowed.forAll(Dim.Dport, [[25n, 25n]])]) {
      expect(x.split).toBeDefined();
      expect(x.split!.factor.node).toBe(factor.node);
      expect(x.isEmpty()).toBe(false);
    }
    expect(narrowed.has([4n, 0n, 0n, 0n, 6n, 25n, 0n, 0n, 0n, 0n, 0n, 64n, 5200n])).toBe(true);
    expect(narrowed.has([4n, 0n, 0n, 0n, 6n, 25n, 0n, 0n, 0n, 0n, 0n, 64n, 5050n])).toBe(false);
    expect(narrowed.node).toBe(inner.intersect(factor).intersect(PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: [[25n, 25n]] })).node);
  });
});
