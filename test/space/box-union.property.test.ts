/**
 * The one-pass union of boxes (box-union.ts) against the pairwise union of the same boxes: both
 * are canonical nodes, so the sets agree exactly when the nodes are the same object. Boxes are
 * drawn to hit both ways the builder lays a level out: distinct points side by side (a
 * concatenated set's elements), and ranges that overlap within a box or across boxes (joined by
 * unions), with unconstrained dimensions, empty range lists and duplicates among them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileConjunction } from "../../src/analysis/compile.js";
import type { Condition } from "../../src/model/types.js";
import { DIM_MAX, Dim, V4_MAX, ifaceToValue } from "../../src/space/dims.js";
import { PacketSet, type BoxSpec } from "../../src/space/packet-set.js";

fc.configureGlobal({ seed: 0xb0c5 });

type Range = readonly [bigint, bigint];
const pt = (v: bigint): Range => [v, v];

/** Candidate ranges per dimension: points, neighbours, overlapping spans, the whole dimension, an empty (reversed) one. */
const POOL: Partial<Record<Dim, Range[]>> = {
  [Dim.Family]: [pt(4n), pt(6n), [4n, 6n]],
  [Dim.Iif]: [pt(ifaceToValue("eth0")), pt(ifaceToValue("eth1")), [ifaceToValue("eth0"), ifaceToValue("eth1")]],
  [Dim.Proto]: [pt(6n), pt(17n), [6n, 17n], [0n, 255n]],
  [Dim.Dport]: [pt(22n), pt(23n), pt(25n), [20n, 30n], [24n, 80n], [0n, 65535n], [65535n, 65535n], [40n, 30n]],
  [Dim.Dst]: [pt(0x0a000001n), pt(0x0a000002n), [0x0a000000n, 0x0a0000ffn], [0n, V4_MAX]],
  [Dim.Src]: [pt(0n), pt(1n), pt(2n), pt(0x0b000000n), [0x0b000000n, 0x0b0000ffn], [0x0b000080n, 0x0c000000n], [0n, DIM_MAX[Dim.Src]!]],
};
const DIMS = Object.keys(POOL).map(Number) as Dim[];

const rangeList = (d: Dim) => fc.array(fc.constantFrom(...POOL[d]!), { minLength: 0, maxLength: 3 });

const box: fc.Arbitrary<BoxSpec> = fc
  .subarray(DIMS, { minLength: 0, maxLength: 4 })
  .chain((dims) => fc.tuple(...dims.map((d) => rangeList(d).map((r) => [d, r] as const))))
  .map((entries) => Object.fromEntries(entries) as BoxSpec);

/** Many boxes on few distinct values: what a concatenated set's elements look like. */
const elementBox: fc.Arbitrary<BoxSpec> = fc
  .record({ port: fc.constantFrom(22n, 25n, 443n), src: fc.bigInt({ min: 0n, max: 40n }) })
  .map(({ port, src }) => ({ [Dim.Family]: [pt(4n)], [Dim.Proto]: [pt(6n), pt(17n)], [Dim.Dport]: [pt(port)], [Dim.Src]: [pt(0x0b000000n + src)] }));

function pairwise(specs: readonly BoxSpec[]): PacketSet {
  return PacketSet.unionAll(specs.map((s) => PacketSet.box(s)));
}

describe("union of boxes in one pass", () => {
  it("is the pairwise union of the same boxes (any boxes)", () => {
    fc.assert(
      fc.property(fc.array(box, { maxLength: 24 }), (specs) => {
        expect(PacketSet.boxUnion(specs).node).toBe(pairwise(specs).node);
      }),
      { numRuns: 400 },
    );
  });

  it("is the pairwise union of the same boxes (set elements, with the odd overlapping box)", () => {
    fc.assert(
      fc.property(fc.array(elementBox, { minLength: 1, maxLength: 60 }), fc.option(box, { nil: undefined }), (elements, extra) => {
        const specs = extra ? [...elements, extra] : elements;
        expect(PacketSet.boxUnion(specs).node).toBe(pairwise(specs).node);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the pieces of a set of pairs apart: each element is in, its neighbours are not", () => {
    const specs: BoxSpec[] = [];
    for (let i = 0n; i < 200n; i++) specs.push({ [Dim.Family]: [pt(4n)], [Dim.Proto]: [pt(6n)], [Dim.Dport]: [pt(22n + (i % 3n))], [Dim.Src]: [pt(100n + 2n * i)] });
    const u = PacketSet.boxUnion(specs);
    expect(u.node).toBe(pairwise(specs).node);
    const tcpTo = (port: bigint, src: bigint) => PacketSet.box({ [Dim.Family]: [pt(4n)], [Dim.Proto]: [pt(6n)], [Dim.Dport]: [pt(port)], [Dim.Src]: [pt(src)] });
    expect(tcpTo(22n, 100n).isSubsetOf(u)).toBe(true);
    expect(tcpTo(23n, 102n).isSubsetOf(u)).toBe(true);
    expect(tcpTo(22n, 101n).overlaps(u)).toBe(false);
    expect(tcpTo(23n, 100n).overlaps(u)).toBe(false);
  });
});

describe("compiling an or of many conjunctions", () => {
  const element = (port: number, addr: bigint): Condition[] => [
    { kind: "addr", field: "src", family: 4, ranges: [{ lo: addr, hi: addr }] },
    { kind: "port", field: "dport", ranges: [[port, port]] },
  ];

  it("gives the union of each conjunction compiled on its own, also with a negated alternative", () => {
    const anyOf = Array.from({ length: 40 }, (_, i) => element(20 + (i % 5), 0x0b000000n + BigInt(i * 7)));
    const mixed = [...anyOf, [{ kind: "addr", field: "dst", family: 4, ranges: [{ lo: 1n, hi: 9n }], negate: true } as Condition]];
    for (const alts of [anyOf, mixed]) {
      const expected = PacketSet.unionAll(alts.map((c) => compileConjunction(c).known));
      expect(compileConjunction([{ kind: "or", anyOf: alts }]).known.node).toBe(expected.node);
      const negated = PacketSet.universe().minus(expected);
      expect(compileConjunction([{ kind: "or", anyOf: alts, negate: true }]).known.node).toBe(negated.node);
    }
  });
});
