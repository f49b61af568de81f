/**
 * The flat form (flat-sets.ts) is the same canonical diagram as the object form: a set converted
 * and back is the same node, and every operation done flat gives, converted back, the very node
 * the object form builds (and the same answers to meet, within and has). Sets that do not fit
 * (a cut past 2^53, a node wider than FLAT_MAX_PIECES) are refused. Run with small and with tiny
 * wide-node thresholds, so object sets with chunked nodes are converted too.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIM_COUNT, DIM_MAX, Dim } from "../../src/space/dims.js";
import * as idd from "../../src/space/idd.js";
import { FLAT_MAX_PIECES, flatCorner, flatHasPoint, flatIntersect, flatMeets, flatMinus, flatUnion, flatWithin, fromFlat, toFlat } from "../../src/space/flat-sets.js";
import { PacketSet } from "../../src/space/packet-set.js";

const range = (max: number) => fc.tuple(fc.nat(max), fc.nat(6)).map(([lo, w]) => [BigInt(lo), BigInt(lo + w)] as [bigint, bigint]);
const box = fc
  .record({
    proto: fc.option(fc.constantFrom(6, 17), { nil: undefined }),
    dport: fc.option(fc.array(range(60), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    dst: fc.option(fc.array(range(40), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    src: fc.option(fc.array(range(40), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  })
  .map(({ proto, dport, dst, src }) =>
    PacketSet.box({
      ...(proto !== undefined ? { [Dim.Proto]: [[BigInt(proto), BigInt(proto)] as [bigint, bigint]] } : {}),
      ...(dport ? { [Dim.Dport]: dport } : {}),
      ...(dst ? { [Dim.Family]: [[4n, 4n] as [bigint, bigint]], [Dim.Dst]: dst } : {}),
      ...(src ? { [Dim.Family]: [[4n, 4n] as [bigint, bigint]], [Dim.Src]: src } : {}),
    }),
  );
// unions and differences of boxes: sets of several paths and shared children
const set = fc.tuple(fc.array(box, { minLength: 1, maxLength: 4 }), fc.option(box, { nil: undefined })).map(([adds, cut]) => {
  const u = PacketSet.unionAll(adds);
  return cut ? u.minus(cut) : u;
});
const point = fc.tuple(fc.constantFrom(4n, 6n), fc.constantFrom(0n, 6n, 17n), fc.nat(70), fc.nat(50), fc.nat(50)).map(([fam, proto, dport, dst, src]) => {
  const p = new Array<bigint>(DIM_COUNT).fill(0n);
  p[Dim.Family] = fam;
  p[Dim.Proto] = proto;
  p[Dim.Dport] = BigInt(dport);
  p[Dim.Dst] = BigInt(dst);
  p[Dim.Src] = BigInt(src);
  return p;
});

function suite(name: string, wide?: { minPieces: number; chunkBits: number }): void {
  describe(`flat sets (${name})`, () => {
    if (wide) {
      beforeAll(() => idd.configureWideNodes(wide));
      afterAll(() => idd.configureWideNodes({ minPieces: 64, chunkBits: 5 }));
    }
    it("convert both ways to the same node, and every operation agrees with the object form", () => {
      fc.assert(
        fc.property(set, set, fc.array(point, { minLength: 1, maxLength: 6 }), (a, b, points) => {
          const fa = toFlat(a.node);
          const fb = toFlat(b.node);
          expect(fa).toBeDefined();
          expect(fb).toBeDefined();
          expect(fromFlat(fa!)).toBe(a.node);
          expect(toFlat(a.node)).toBe(fa);
          expect(fromFlat(flatUnion(fa!, fb!))).toBe(a.union(b).node);
          expect(fromFlat(flatMinus(fa!, fb!))).toBe(a.minus(b).node);
          expect(fromFlat(flatIntersect(fa!, fb!))).toBe(a.intersect(b).node);
          expect(flatMeets(fa!, fb!)).toBe(idd.meets(a.node, b.node));
          expect(flatWithin(fa!, fb!)).toBe(idd.within(a.node, b.node));
          // PacketSet answers flat once both sets are (and as objects for a set never converted)
          const c = a.union(b).minus(a);
          expect(a.overlaps(b)).toBe(idd.meets(a.node, b.node));
          expect(a.isSubsetOf(b)).toBe(idd.within(a.node, b.node));
          expect(c.overlaps(a)).toBe(idd.meets(c.node, a.node));
          expect(a.minus(b).node).toBe(idd.diff(a.node, b.node));
          expect(b.minus(a).node).toBe(idd.diff(b.node, a.node));
          expect(a.isSubsetOf(c)).toBe(idd.within(a.node, c.node));
          for (const p of points) expect(flatHasPoint(fa!, Float64Array.from(p, Number))).toBe(a.has(p));
          // the corners are the object form's (Infinity for a dimension's maximum)
          if (!a.isEmpty()) {
            const corner = new Float64Array(DIM_COUNT);
            for (const [high, last, want] of [
              [false, false, a.corner()],
              [true, false, a.corner(true)],
              [true, true, a.farCorner()],
            ] as const) {
              flatCorner(fa!, high, last, corner);
              expect([...corner].map((v, d) => (v === Infinity ? DIM_MAX[d]! : BigInt(v)))).toEqual(want);
            }
          }
          // a result built flat first and converted then is the node the object form builds later
          const u = flatUnion(flatMinus(fa!, fb!), fb!);
          expect(fromFlat(u)).toBe(a.union(b).node);
        }),
        { seed: 0xf1a7, numRuns: 200 },
      );
    });

    it("refuses sets with a cut past 2^32 or a node wider than FLAT_MAX_PIECES", () => {
      const v6 = PacketSet.box({ [Dim.Family]: [[6n, 6n]], [Dim.Src]: [[1n << 64n, (1n << 64n) + 5n]] });
      expect(toFlat(v6.node)).toBeUndefined();
      // a piece may start at 2^32 (the IPv4 addresses end there), not past it
      const edge = PacketSet.box({ [Dim.Family]: [[6n, 6n]], [Dim.Src]: [[(1n << 32n) - 1n, (1n << 32n) - 1n]] });
      expect(toFlat(edge.node)).toBeDefined();
      expect(fromFlat(toFlat(edge.node)!)).toBe(edge.node);
      const past = PacketSet.box({ [Dim.Family]: [[6n, 6n]], [Dim.Src]: [[1n << 32n, 1n << 32n]] });
      expect(toFlat(past.node)).toBeUndefined();
      expect(toFlat(edge.union(v6).node)).toBeUndefined();
      const ports = (n: number) => PacketSet.box({ [Dim.Dport]: Array.from({ length: n }, (_, i) => [BigInt(2 * i), BigInt(2 * i)] as [bigint, bigint]) });
      // n single ports make 2n pieces (each port and the gap after it)
      expect(toFlat(ports(FLAT_MAX_PIECES / 2).node)).toBeDefined();
      expect(toFlat(ports(FLAT_MAX_PIECES / 2 + 1).node)).toBeUndefined();
    });
  });
}

suite("default nodes");
suite("tiny wide nodes, chunked", { minPieces: 2, chunkBits: 1 });
