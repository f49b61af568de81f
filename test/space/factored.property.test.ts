/**
 * Factored sets (src/space/factored.ts): whatever facts were noted - intersections with a factor,
 * factors that are themselves intersections, differences, unions of those - a union taken through
 * them is the plain union, node for node, and every noted difference is the plain difference.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Dim } from "../../src/space/dims.js";
import { intersectFactor, minusFactored, unionFactored } from "../../src/space/factored.js";
import { PacketSet, type BoxSpec } from "../../src/space/packet-set.js";

const SEED = 0xfac7;
type R = [bigint, bigint];
const rangeOf = (lo: number, span: number): fc.Arbitrary<R> =>
  fc.tuple(fc.integer({ min: 0, max: span }), fc.integer({ min: 0, max: 8 })).map(([a, w]) => [BigInt(lo + a), BigInt(lo + a + w)]);

const boxArb: fc.Arbitrary<BoxSpec> = fc
  .record({
    dports: fc.option(fc.array(rangeOf(20, 60), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    dst: fc.option(fc.array(rangeOf(1000, 100), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    src: fc.option(fc.array(rangeOf(5000, 200), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  })
  .map(({ dports, dst, src }) => {
    const spec: BoxSpec = { [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[6n, 6n]] };
    if (dports) spec[Dim.Dport] = dports;
    if (dst) spec[Dim.Dst] = dst;
    if (src) spec[Dim.Src] = src;
    return spec;
  });

const setArb: fc.Arbitrary<PacketSet> = fc.array(boxArb, { minLength: 1, maxLength: 3 }).map((bs) => PacketSet.unionAll(bs.map((b) => PacketSet.box(b))));
/** A large filter's complement: every packet but a few source ranges. */
const filterArb: fc.Arbitrary<PacketSet> = fc.array(rangeOf(5000, 200), { minLength: 1, maxLength: 6 }).map((rs) => PacketSet.universe([4]).minus(PacketSet.box({ [Dim.Src]: rs })));

/** How each set of the list is made. */
const stepArb = fc.record({
  inner: setArb,
  plain: fc.option(setArb, { nil: undefined }),
  nested: fc.boolean(),
  cut: fc.option(setArb, { nil: undefined }),
});

describe("factored sets", () => {
  it("unite and subtract exactly as plain sets do", () => {
    fc.assert(
      fc.property(filterArb, filterArb, fc.array(stepArb, { minLength: 1, maxLength: 6 }), (f, g, steps) => {
        // f, and f ∩ g noted as a factor that is itself an intersection
        const fg = intersectFactor(g, f);
        const sets = steps.map((s) => {
          let x = intersectFactor(s.inner, s.nested ? fg : f);
          // a factored set joined with a plain one keeps its factored part (plain ∪ inner ∩ factor)
          if (s.plain) x = unionFactored([s.plain, x]);
          if (s.cut) {
            const y = minusFactored(x, s.cut);
            expect(y.node).toBe(x.minus(s.cut).node);
            x = y;
          }
          return x;
        });
        const u = unionFactored(sets);
        expect(u.node).toBe(PacketSet.unionAll(sets).node);
        // and again over the union just built, with the sets it came from
        expect(unionFactored([u, ...sets.slice(0, 2)]).node).toBe(u.node);
        const half = unionFactored(sets.slice(0, Math.ceil(sets.length / 2)));
        expect(unionFactored([half, ...sets.slice(Math.ceil(sets.length / 2))]).node).toBe(u.node);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
