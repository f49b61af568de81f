/**
 * FirstClaims against the plain set algebra: the owners of a query are exactly the claimed sets
 * that decide part of it first (as the first matching rule of a chain decides a packet), and
 * covers() is containment in the union of the claims. Claims include wide sets (hundreds of source
 * ranges) so the chunked-node paths of first() and of diff() against labels are exercised.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Dim } from "../../src/space/dims.js";
import { FirstClaims } from "../../src/space/first-match.js";
import { PacketSet } from "../../src/space/packet-set.js";

fc.configureGlobal({ seed: 0xf1257 });

const range = (lo: number, hi: number) => [BigInt(Math.min(lo, hi)), BigInt(Math.max(lo, hi))] as [bigint, bigint];

/** A box: a protocol, a destination-port range and a list of source ranges (many for a wide node). */
const box = fc
  .record({
    proto: fc.constantFrom(6, 17),
    port: fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })),
    srcs: fc.oneof(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 4 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3 })), { minLength: 100, maxLength: 300 }),
    ),
  })
  .map((b) =>
    PacketSet.box({
      [Dim.Family]: [range(4, 4)],
      [Dim.Proto]: [range(b.proto, b.proto)],
      [Dim.Dport]: [range(b.port[0], b.port[1])],
      [Dim.Src]: b.srcs.map(([lo, w]) => range(lo * 7, lo * 7 + w)),
    }),
  );

describe("FirstClaims", () => {
  it("names the claims that decide part of a query, in claim order, and knows what is covered", () => {
    fc.assert(
      fc.property(fc.array(box, { minLength: 1, maxLength: 12 }), fc.array(box, { minLength: 1, maxLength: 4 }), (claims, queries) => {
        const fm = new FirstClaims<number>();
        claims.forEach((s, i) => fm.claim(s, i));
        for (const q of queries) {
          const expected: number[] = [];
          let before = PacketSet.empty();
          claims.forEach((s, i) => {
            if (!s.intersect(q).minus(before).isEmpty()) expected.push(i);
            before = before.union(s);
          });
          expect(fm.ownersOf(q)).toEqual(expected);
          expect(fm.covers(q)).toBe(q.isSubsetOf(before));
        }
      }),
      { numRuns: 150 },
    );
  });

  it("is empty until something is claimed, and an empty claim changes nothing", () => {
    const fm = new FirstClaims<string>();
    expect(fm.isEmpty()).toBe(true);
    fm.claim(PacketSet.empty(), "nothing");
    expect(fm.isEmpty()).toBe(true);
    const tcp = PacketSet.box({ [Dim.Proto]: [range(6, 6)] });
    fm.claim(tcp, "tcp");
    fm.claim(PacketSet.universe(), "rest");
    expect(fm.ownersOf(PacketSet.box({ [Dim.Proto]: [range(6, 6)], [Dim.Dport]: [range(22, 22)] }))).toEqual(["tcp"]);
    expect(fm.ownersOf(PacketSet.universe())).toEqual(["tcp", "rest"]);
    expect(fm.covers(PacketSet.universe())).toBe(true);
  });
});
