/**
 * ProjectionList's searches (forEachMayMeet, forEachMayHold) visit exactly the items a test of
 * each item's hull and projections would, in order, from any start, among any bitset of positions
 * (the checks search a chain's one index among the rules they care about: exposure's earlier
 * ACCEPT rules, shadowed-rule's terminating ones), and stop where the visitor says. Lists long
 * enough to be searched through their range index, and lists whose range ends are sampled for the
 * index's cuts (more than 8,192 per dimension): the index only narrows the candidates down, so
 * any cuts must give the same visits.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PacketSet } from "../../src/space/packet-set.js";
import { ProjectionList, Projections } from "../../src/space/projections.js";
import { boxArb, type BoxShape } from "./box-arbitraries.js";

/** Long lists of wide ranges: lists of 600 such sets have more than 8,192 range ends on a dimension. */
const WIDE = (many: number): BoxShape => ({ most: [many, many, many], width: 30, portFrom: 0, spans: [65500, 3000, 3000] });
const setArb = (v6: boolean, many: number): fc.Arbitrary<PacketSet> =>
  fc.tuple(fc.array(boxArb(v6, WIDE(many)), { minLength: 1, maxLength: 3 }), fc.option(boxArb(v6, WIDE(2)), { nil: undefined }), fc.nat(20)).map(([boxes, cut, e]) => {
    if (e === 0) return PacketSet.empty();
    const u = PacketSet.unionAll(boxes.map((b) => PacketSet.box(b)));
    return cut ? u.minus(PacketSet.box(cut)) : u;
  });

/** The items a search should visit: each tested on its own, hull then projections. */
const expected = (sets: PacketSet[], q: PacketSet, holding: boolean, from: number, among?: Uint32Array) => {
  const pq = Projections.of(q);
  const out: number[] = [];
  for (let i = from; i < sets.length; i++) {
    if (among && ((among[i >>> 5] ?? 0) & (1 << (i & 31))) === 0) continue;
    const pi = Projections.of(sets[i]!);
    const hullOk = (() => {
      for (let k = 0; k < 8; k += 2) {
        const [lo, hi] = [pi.hull[k]!, pi.hull[k + 1]!];
        if (holding ? pq.hull[k]! < lo || hi < pq.hull[k + 1]! : hi < pq.hull[k]! || pq.hull[k + 1]! < lo) return false;
      }
      return true;
    })();
    if (hullOk && (holding ? pq.mayBeWithin(pi) : pi.mayMeet(pq))) out.push(i);
  }
  return out;
};

describe("searches of a projection list through its range index", () => {
  for (const [name, minN, maxN, many, runs] of [["indexed", 100, 300, 3, 30], ["cuts sampled", 600, 1400, 12, 8]] as const) {
    it(`visit exactly the items each item's own test finds, from any start, among any positions (${name})`, () => {
      fc.assert(
        fc.property(
          fc.boolean(),
          fc.array(fc.tuple(setArb(false, many), setArb(true, many)), { minLength: minN, maxLength: maxN }),
          fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 15 }),
          fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 0, maxLength: 60 }),
          (v6, pairs, queries, amongWords) => {
            const sets = pairs.map(([a4, a6]) => (v6 ? a6 : a4));
            const list = new ProjectionList<number>();
            sets.forEach((s, i) => list.add(i, s));
            const n = sets.length;
            for (const [qi, qj, holding, stopAt, mode] of queries) {
              const q = mode === 0 ? sets[qi % n]! : mode === 1 ? sets[qi % n]!.intersect(sets[qj % n]!) : mode === 2 ? sets[qi % n]!.union(sets[qj % n]!) : mode === 3 ? PacketSet.universe([v6 ? 6 : 4]) : sets[qi % n]!.minus(sets[qj % n]!);
              const from = qj % 3 === 0 ? 0 : qj % n;
              const among = amongWords.length === 0 ? undefined : Uint32Array.from(amongWords);
              const want = expected(sets, q, holding, from, among);
              const seen: number[] = [];
              const stop = want.length > 0 && stopAt % 3 !== 0 ? want[stopAt % want.length]! : -1;
              const visit = (item: number, i: number) => {
                expect(item).toBe(i);
                seen.push(i);
                return i === stop;
              };
              const pq = Projections.of(q);
              if (holding) list.forEachMayHold(pq, visit, from, among);
              else expect(list.forEachMayMeet(pq, visit, from, among)).toBe(stop >= 0 ? stop + 1 : n);
              expect(seen).toEqual(stop >= 0 ? want.slice(0, want.indexOf(stop) + 1) : want);
            }
          },
        ),
        { seed: 7, numRuns: runs },
      );
    }, 120_000);
  }
  it("the long lists have more range ends on a dimension than the index takes its cuts from", () => {
    const sets = fc.sample(setArb(false, 12), { numRuns: 600, seed: 3 });
    let max = 0;
    for (let k = 0; k < 4; k++) {
      let c = 0;
      for (const s of sets) c += Projections.of(s).ranges[k]!.length;
      max = Math.max(max, c);
    }
    expect(max).toBeGreaterThan(8192);
  });
});
