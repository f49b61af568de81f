/**
 * UnionStack keeps a growing union in parts; every question it answers - the union, what of a
 * set lies outside it, whether it holds or meets a set, now and as it stood before later
 * additions, after one addition or many, one union minus another (flat when both were) - agrees
 * with the same question asked of the plain union. Its parts are objects, flat sets (from the n-th
 * set added), or turn back into objects when a set that does not fit the flat form comes (an IPv6
 * source here) or the flat store is full (a small limit): the answers are the same in each.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { Dim } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { configureFlatLimit, FLAT_STORE_PIECES } from "../../src/space/flat-sets.js";
import { configureFlatUnions, UnionStack } from "../../src/space/union-stack.js";

const smallBox = fc
  .record({ port: fc.nat(40), ports: fc.nat(5), src: fc.nat(30), srcs: fc.nat(8) })
  .map(({ port, ports, src, srcs }) =>
    PacketSet.box({
      [Dim.Dport]: [[BigInt(port), BigInt(port + ports)]],
      [Dim.Src]: [[BigInt(src), BigInt(src + srcs)]],
    }),
  );
// A source past 2^53 (IPv6): such a set does not fit the flat form.
const wideSource = fc.nat(5).map((src) =>
  PacketSet.box({
    [Dim.Family]: [[6n, 6n]],
    [Dim.Src]: [[(1n << 100n) + BigInt(src), (1n << 100n) + BigInt(src + 3)]],
  }),
);
// Now and then a catch-all: everything, which no later addition changes.
const box = fc.oneof({ weight: 12, arbitrary: smallBox }, { weight: 1, arbitrary: fc.constant(PacketSet.universe()) });
const anyBox = fc.oneof({ weight: 10, arbitrary: box }, { weight: 1, arbitrary: wideSource });

afterAll(() => {
  configureFlatUnions(128);
  configureFlatLimit(FLAT_STORE_PIECES);
});

describe("UnionStack", () => {
  it("answers like the plain union, also for snapshots taken before later additions", () => {
    fc.assert(
      fc.property(fc.array(anyBox, { minLength: 1, maxLength: 40, size: "max" }), fc.array(anyBox, { minLength: 1, maxLength: 5 }), fc.constantFrom(1, 2, 7, 1000), fc.constantFrom(FLAT_STORE_PIECES, 40, 300), (added, probes, flatFrom, flatLimit) => {
        configureFlatUnions(flatFrom);
        configureFlatLimit(flatLimit); // a small store fills up on the way: the union goes on as objects
        const stack = new UnionStack();
        let plain = PacketSet.empty();
        const kept: { snap: ReturnType<UnionStack["snapshot"]>; plain: PacketSet }[] = [];
        for (const s of added) {
          kept.push({ snap: stack.snapshot(), plain });
          stack.add(s);
          plain = plain.union(s);
          expect(stack.union().equals(plain)).toBe(true);
        }
        kept.push({ snap: stack.snapshot(), plain });
        for (const { snap, plain: then } of kept) {
          for (const p of [...probes, ...added.slice(0, 3)]) {
            expect(snap.outside(p).equals(p.minus(then))).toBe(true);
            expect(snap.holds(p)).toBe(p.isSubsetOf(then));
            expect(snap.meets(p)).toBe(p.overlaps(then));
          }
        }
        for (const p of probes) expect(stack.outside(p).equals(p.minus(plain))).toBe(true);
        // Sets added with no question in between are all counted when one comes.
        const quiet = new UnionStack();
        for (const s of added) quiet.add(s);
        for (const p of probes) expect(quiet.outside(p).equals(p.minus(plain))).toBe(true);
        quiet.add(probes[0]!);
        expect(quiet.union().equals(plain.union(probes[0]!))).toBe(true);
        // One union minus another (the evaluator's accepted part of a batch).
        const other = new UnionStack();
        for (const p of probes) other.add(p);
        expect(quiet.union().minus(other.union()).equals(plain.union(probes[0]!).minus(PacketSet.unionAll(probes)))).toBe(true);
      }),
      { seed: 0x57ac, numRuns: 150 },
    );
  });
});
