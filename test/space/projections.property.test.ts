/**
 * The projections the checks filter with (protocol, destination port, destination, source as
 * ranges of doubles): never wrong in the safe direction - a set that meets, holds or contains
 * something is never ruled out - and, where doubles are exact (IPv4) and a dimension has at most
 * 64 ranges, exactly the set's values: the filter rules out everything it can.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DIM_COUNT, Dim } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { ProjectionList, Projections } from "../../src/space/projections.js";
import { boxArb, r, type R } from "./box-arbitraries.js";

const SEED = 0x9e0;
const DIMS = [Dim.Proto, Dim.Dport, Dim.Dst, Dim.Src] as const;
/** A union of boxes minus another box: sets of several shapes, some with open dimensions. */
const setArb = (v6: boolean): fc.Arbitrary<PacketSet> =>
  fc.tuple(fc.array(boxArb(v6), { minLength: 1, maxLength: 4 }), fc.option(boxArb(v6), { nil: undefined })).map(([boxes, cut]) => {
    const u = PacketSet.unionAll(boxes.map((b) => PacketSet.box(b)));
    return cut ? u.minus(PacketSet.box(cut)) : u;
  });

const inRanges = (v: bigint, rs: readonly (readonly [bigint, bigint])[]) => rs.some(([lo, hi]) => v >= lo && v <= hi);
const meet = (a: readonly R[], b: readonly R[]) => a.some(([lo, hi]) => b.some(([l2, h2]) => lo <= h2 && l2 <= hi));
const inside = (a: readonly R[], b: readonly R[]) => a.every(([lo, hi]) => b.some(([l2, h2]) => l2 <= lo && hi <= h2));
const values = (s: PacketSet) => DIMS.map((d) => s.valuesOf(d) as R[]);

/** Points to probe a set with: each dimension at the ends of its ranges, just past them, or random. */
function probes(s: PacketSet, seed: number): bigint[][] {
  const vs = values(s);
  const out: bigint[][] = [];
  let x = seed;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  for (let n = 0; n < 60; n++) {
    const p: bigint[] = new Array(DIM_COUNT).fill(0n);
    DIMS.forEach((d, k) => {
      const rs = vs[k]!;
      const [lo, hi] = rs.length > 0 ? rs[next() % rs.length]! : r(0);
      const pick = [lo, hi, lo - 1n, hi + 1n, lo + BigInt(next() % 4)][next() % 5]!;
      p[d] = pick < 0n ? 0n : pick;
    });
    out.push(p);
  }
  return out;
}

describe("Projections", () => {
  it("a packet outside the hull of a set's values on one dimension is ruled out, one inside all of them never is", () => {
    fc.assert(
      fc.property(fc.oneof(setArb(false).map((s) => [false, s] as const), setArb(true).map((s) => [true, s] as const)), fc.integer(), ([v6, s], seed) => {
        const list = new ProjectionList<number>();
        list.add(0, s);
        const vs = values(s);
        for (const p of probes(s, seed)) {
          const inAll = DIMS.every((d, k) => inRanges(p[d]!, vs[k]!));
          // a packet's test is against each dimension's hull: lowest to highest value
          const inHulls = DIMS.every((d, k) => vs[k]!.length > 0 && inRanges(p[d]!, [[vs[k]![0]![0], vs[k]!.at(-1)![1]]]));
          const may = list.mayContain(0, ProjectionList.pointHull(p));
          if (inAll) expect(may).toBe(true);
          if (!v6) expect(may).toBe(inHulls); // doubles are exact on IPv4
          if (s.has(p)) expect(may).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("two sets that meet may meet; one inside another may be within it; exactly so on IPv4", () => {
    fc.assert(
      fc.property(fc.boolean(), setArb(false), setArb(false), setArb(true), (v6, a4, b4, a6) => {
        const [a, b] = v6 ? [a6, a6.union(a4).minus(b4)] : [a4, b4];
        const pa = Projections.of(a);
        const pb = Projections.of(b);
        if (a.overlaps(b)) expect(pa.mayMeet(pb)).toBe(true);
        if (a.isSubsetOf(b)) expect(pa.mayBeWithin(pb)).toBe(true);
        if (!v6) {
          const [va, vb] = [values(a), values(b)];
          expect(pa.mayMeet(pb)).toBe(va.every((x, k) => meet(x, vb[k]!)));
          expect(pa.mayBeWithin(pb)).toBe(va.every((x, k) => inside(x, vb[k]!)));
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("past 64 ranges a dimension is joined into covering ranges, still holding every value", () => {
    const ports = Array.from({ length: 150 }, (_, i) => r(100 + 3 * i));
    const many = PacketSet.box({ [Dim.Family]: [r(4)], [Dim.Proto]: [r(6)], [Dim.Dport]: ports });
    const pm = Projections.of(many);
    const one = (port: number) => Projections.of(PacketSet.box({ [Dim.Family]: [r(4)], [Dim.Proto]: [r(6)], [Dim.Dport]: [r(port)] }));
    for (const [lo] of ports) {
      expect(one(Number(lo)).mayMeet(pm)).toBe(true);
      expect(one(Number(lo)).mayBeWithin(pm)).toBe(true);
    }
    expect(one(99).mayMeet(pm)).toBe(false);
    expect(one(100 + 3 * 149 + 1).mayMeet(pm)).toBe(false);
    // 150 ranges become 50 of three each: the gaps inside one are not told any more, those between are
    expect(one(101).mayMeet(pm)).toBe(true);
    expect(one(108).mayMeet(pm)).toBe(false);
    expect(one(109).mayMeet(pm)).toBe(true);
  });

  it("ofSmallFlat projects a set held flat as of does while it is small, and gives up on a larger one or one not flat", () => {
    // (not a set projected before: ofSmallFlat gives a projection it has whatever its size)
    const ports = Array.from({ length: 150 }, (_, i) => r(200 + 5 * i));
    const many = PacketSet.box({ [Dim.Family]: [r(4)], [Dim.Proto]: [r(6)], [Dim.Dport]: ports });
    const flat = PacketSet.fromFlat(many.toFlat()!);
    expect(Projections.ofSmallFlat(flat, 10)).toBeUndefined();
    const small = Projections.ofSmallFlat(flat, 1000)!;
    expect(small.ranges).toEqual(Projections.of(many).ranges);
    expect(small.hull).toEqual(Projections.of(many).hull);
    // a set with no flat form is never walked
    const objects = PacketSet.box({ [Dim.Family]: [r(4)], [Dim.Proto]: [r(17)] });
    if (objects.flatForm() === undefined) expect(Projections.ofSmallFlat(objects, 1000)).toBeUndefined();
  });
});

describe("ProjectionList searches", () => {
  /** The items from `from` on a search must visit, in order: those whose projections meet (hold) the query's. */
  const expected = (sets: PacketSet[], q: PacketSet, holding: boolean, from: number) => {
    const pq = Projections.of(q);
    const out: number[] = [];
    for (let i = from; i < sets.length; i++) if (holding ? pq.mayBeWithin(Projections.of(sets[i]!)) : Projections.of(sets[i]!).mayMeet(pq)) out.push(i);
    return out;
  };

  it("long lists (searched through the range index) visit exactly the items a test of every item would, in order, and stop where told", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.tuple(setArb(false), setArb(true)), { minLength: 130, maxLength: 420 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean(), fc.nat()), { minLength: 1, maxLength: 12 }),
        (v6, pairs, queries) => {
          const sets = pairs.map(([a4, a6]) => (v6 ? a6 : a4));
          const list = new ProjectionList<number>();
          // the list grows between searches, as the shadowed-rule check grows it
          let added = 0;
          for (const [at, qi, holding, stopAt] of queries) {
            const upTo = Math.min(sets.length, added + 1 + (at % 200));
            for (; added < upTo; added++) list.add(added, sets[added]!);
            const q = sets[qi % added]!.union(sets[(qi >> 3) % added]!);
            const from = at % Math.max(1, added - 100);
            const want = expected(sets.slice(0, added), q, holding, from);
            const seen: number[] = [];
            const stop = want.length > 0 ? want[stopAt % want.length]! : -1;
            const visit = (i: number) => {
              seen.push(i);
              return i === stop;
            };
            const pq = Projections.of(q);
            if (holding) list.forEachMayHold(pq, visit, from);
            else expect(list.forEachMayMeet(pq, visit, from)).toBe(stop >= 0 ? stop + 1 : added);
            expect(seen).toEqual(stop >= 0 ? want.slice(0, want.indexOf(stop) + 1) : want);
          }
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  });
});
