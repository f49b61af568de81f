/**
 * Unit tests of the interval decision diagram primitives and the dimension helpers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DIM_COUNT,
  DIM_MAX,
  DIM_NAMES,
  Dim,
  IFACE_BYTES,
  V4_MAX,
  V6_MAX,
  ifacePrefixRange,
  ifaceToValue,
  valueToIface,
} from "../../src/space/dims.js";
import * as idd from "../../src/space/idd.js";
import type { Node } from "../../src/space/idd.js";

const SEED = 0x1dd;
type R = [bigint, bigint];
const r = (lo: number | bigint, hi: number | bigint = lo): R => [BigInt(lo), BigInt(hi)];
const PORT = Dim.Dport;
const PORT_MAX = DIM_MAX[Dim.Dport]!;

const ports = (...rs: R[]) => idd.mkRanges(PORT, rs, idd.FULL);

function pieces(n: Node): [bigint, bigint, Node][] {
  return n.cuts.map((c, i) => [c, idd.pieceEnd(n, i), n.kids[i]!]);
}

describe("normalizeRanges", () => {
  const norm = (rs: R[], max: bigint = 100n) => idd.normalizeRanges(rs, max);

  it("handles empty input and single ranges", () => {
    expect(norm([])).toEqual([]);
    expect(norm([r(5)])).toEqual([r(5)]);
    expect(norm([r(0, 100)])).toEqual([r(0, 100)]);
    expect(norm([r(0)])).toEqual([r(0)]);
    expect(norm([r(100)])).toEqual([r(100)]);
  });

  it("sorts, and merges overlapping, nested, duplicate and touching ranges", () => {
    expect(norm([r(10, 20), r(1, 5)])).toEqual([r(1, 5), r(10, 20)]);
    expect(norm([r(1, 5), r(3, 8)])).toEqual([r(1, 8)]);
    expect(norm([r(1, 10), r(2, 3)])).toEqual([r(1, 10)]);
    expect(norm([r(4, 6), r(4, 6)])).toEqual([r(4, 6)]);
    expect(norm([r(1, 2), r(3, 4)])).toEqual([r(1, 4)]); // touching
    expect(norm([r(3, 4), r(1, 2)])).toEqual([r(1, 4)]);
    expect(norm([r(1, 2), r(4, 5)])).toEqual([r(1, 2), r(4, 5)]); // a gap of one value stays
    expect(norm([r(7), r(5), r(6)])).toEqual([r(5, 7)]);
    expect(norm([r(0, 0), r(1, 99), r(100, 100)])).toEqual([r(0, 100)]);
    expect(norm([r(1, 50), r(10, 20), r(21, 60)])).toEqual([r(1, 60)]);
  });

  it("clips to [0, max] and drops empty or reversed ranges", () => {
    expect(norm([r(-5, 3)])).toEqual([r(0, 3)]);
    expect(norm([r(90, 1000)])).toEqual([r(90, 100)]);
    expect(norm([r(-5, 1000)])).toEqual([r(0, 100)]);
    expect(norm([r(101, 200)])).toEqual([]);
    expect(norm([r(-10, -1)])).toEqual([]);
    expect(norm([r(5, 3)])).toEqual([]);
    expect(norm([r(5, 3), r(1, 2)])).toEqual([r(1, 2)]);
  });

  it("works at the 128-bit edge and does not mutate its input", () => {
    const input: R[] = [
      [V6_MAX - 1n, V6_MAX],
      [0n, 0n],
      [V6_MAX - 5n, V6_MAX - 2n],
    ];
    const copy = input.map((x) => [...x]);
    expect(idd.normalizeRanges(input, V6_MAX)).toEqual([
      [0n, 0n],
      [V6_MAX - 5n, V6_MAX],
    ]);
    expect(input).toEqual(copy);
  });

  it("agrees with a brute-force model on small domains", () => {
    const rangeArb = fc.tuple(fc.integer({ min: -3, max: 23 }), fc.integer({ min: -3, max: 23 })).map(([a, b]) => r(a, b));
    fc.assert(
      // as given, and in ascending order of their starts (the lists merged without a sorted copy)
      fc.property(fc.array(rangeArb, { maxLength: 6 }), fc.boolean(), (given, ascending) => {
        const rs = ascending ? [...given].sort((a, b) => Number(a[0] - b[0])) : given;
        const out = idd.normalizeRanges(rs, 20n);
        const want = new Set<number>();
        for (const [lo, hi] of rs) for (let v = Number(lo); v <= Number(hi); v++) if (v >= 0 && v <= 20) want.add(v);
        const got = new Set<number>();
        out.forEach(([lo, hi], i) => {
          expect(lo <= hi).toBe(true);
          if (i > 0) expect(lo > out[i - 1]![1] + 1n).toBe(true); // sorted, disjoint, not touching
          for (let v = Number(lo); v <= Number(hi); v++) got.add(v);
        });
        expect([...got].sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("mkRanges and mk", () => {
  it("builds the same node from any order of the ranges, normal or not, and leaves them as they were", () => {
    // Lists already sorted, apart and in range take a path of their own (no sorting): both must
    // give the one canonical node, and the members of the model.
    const rangeArb = fc.tuple(fc.integer({ min: -3, max: 70 }), fc.integer({ min: -3, max: 70 })).map(([a, b]) => r(a, b));
    const inRange = (v: number, rs: R[]) => rs.some(([lo, hi]) => BigInt(v) >= lo && BigInt(v) <= hi);
    fc.assert(
      fc.property(fc.array(rangeArb, { minLength: 1, maxLength: 8 }), (rs) => {
        const before = rs.map((x) => [...x]);
        const n = ports(...rs);
        expect(rs).toEqual(before);
        const normal = idd.normalizeRanges(rs, PORT_MAX);
        expect(ports(...normal)).toBe(n);
        expect(ports(...[...normal].reverse())).toBe(n);
        for (let v = 0; v <= 72; v++) expect(idd.restrict(n, PORT, BigInt(v)) === idd.FULL).toBe(inRange(v, rs));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("returns a terminal when the ranges cover all or nothing", () => {
    expect(ports(r(0, PORT_MAX))).toBe(idd.FULL);
    expect(ports(r(0, 10), r(11, PORT_MAX))).toBe(idd.FULL);
    expect(ports(r(-1, PORT_MAX + 1n))).toBe(idd.FULL);
    expect(ports()).toBe(idd.EMPTY);
    expect(ports(r(5, 3))).toBe(idd.EMPTY);
    expect(ports(r(PORT_MAX + 1n, PORT_MAX + 9n))).toBe(idd.EMPTY);
    expect(idd.mkRanges(PORT, [r(1, 5)], idd.FULL, idd.FULL)).toBe(idd.FULL);
    expect(idd.mkRanges(PORT, [], idd.FULL, idd.FULL)).toBe(idd.FULL);
    expect(idd.mkRanges(PORT, [], idd.EMPTY, idd.FULL)).toBe(idd.FULL);
  });

  it("puts cuts at 0 and max correctly", () => {
    const zero = ports(r(0));
    expect(zero.level).toBe(PORT);
    expect(pieces(zero)).toEqual([
      [0n, 0n, idd.FULL],
      [1n, PORT_MAX, idd.EMPTY],
    ]);
    const top = ports(r(PORT_MAX));
    expect(pieces(top)).toEqual([
      [0n, PORT_MAX - 1n, idd.EMPTY],
      [PORT_MAX, PORT_MAX, idd.FULL],
    ]);
    const mid = ports(r(22), r(80, 81));
    expect(pieces(mid)).toEqual([
      [0n, 21n, idd.EMPTY],
      [22n, 22n, idd.FULL],
      [23n, 79n, idd.EMPTY],
      [80n, 81n, idd.FULL],
      [82n, PORT_MAX, idd.EMPTY],
    ]);
    const addr = idd.mkRanges(Dim.Src, [[V6_MAX, V6_MAX]], idd.FULL);
    expect(pieces(addr)).toEqual([
      [0n, V6_MAX - 1n, idd.EMPTY],
      [V6_MAX, V6_MAX, idd.FULL],
    ]);
  });

  it("is canonical: touching, overlapping and split ranges give the same node", () => {
    expect(ports(r(1, 2), r(3, 4))).toBe(ports(r(1, 4)));
    expect(ports(r(1, 3), r(2, 4))).toBe(ports(r(1, 4)));
    expect(ports(r(3, 4), r(1, 2), r(2, 2))).toBe(ports(r(1, 4)));
    expect(ports(r(1, 4))).not.toBe(ports(r(1, 5)));
    expect(idd.or(ports(r(1, 2)), ports(r(3, 4)))).toBe(ports(r(1, 4)));
    expect(idd.diff(ports(r(1, 10)), ports(r(4, 6)))).toBe(ports(r(1, 3), r(7, 10)));
    // The "outside" child makes a complement.
    expect(idd.mkRanges(PORT, [r(5, 10)], idd.EMPTY, idd.FULL)).toBe(idd.diff(idd.FULL, ports(r(5, 10))));
    expect(idd.mkRanges(PORT, [r(0, 10)], idd.EMPTY, idd.FULL)).toBe(ports(r(11, PORT_MAX)));
  });

  it("mk collapses single pieces and hash-conses equal partitions", () => {
    const child = ports(r(1));
    expect(idd.mk(Dim.Proto, [0n], [child])).toBe(child);
    const a = idd.mk(Dim.Proto, [0n, 6n, 7n], [idd.EMPTY, child, idd.EMPTY]);
    const b = idd.mk(Dim.Proto, [0n, 6n, 7n], [idd.EMPTY, child, idd.EMPTY]);
    expect(a).toBe(b);
    expect(idd.mkRanges(Dim.Proto, [r(6)], child)).toBe(a);
    expect(idd.mk(Dim.Proto, [0n, 6n, 8n], [idd.EMPTY, child, idd.EMPTY])).not.toBe(a);
    // Cuts that differ only above 2^32 must not be confused.
    const hiA = idd.mkRanges(Dim.Src, [[1n << 40n, 1n << 41n]], idd.FULL);
    const hiB = idd.mkRanges(Dim.Src, [[(1n << 40n) + (1n << 96n), 1n << 41n]], idd.FULL);
    const hiC = idd.mkRanges(Dim.Src, [[1n << 40n, (1n << 41n) + (1n << 100n)]], idd.FULL);
    // IPv6 prefixes that differ only in bits 64..95 (2001:db8:X::/48).
    const v6 = (x: bigint) => (0x20010db8n << 96n) | (x << 80n);
    const hiD = idd.mkRanges(Dim.Src, [[v6(1n), v6(2n) - 1n]], idd.FULL);
    const hiE = idd.mkRanges(Dim.Src, [[v6(2n), v6(3n) - 1n]], idd.FULL);
    expect(hiD).not.toBe(hiE);
    expect(idd.mkRanges(Dim.Src, [[v6(2n), v6(3n) - 1n]], idd.FULL)).toBe(hiE);
    expect(new Set([hiA, hiB, hiC]).size).toBe(3);
    expect(idd.mkRanges(Dim.Src, [[1n << 40n, 1n << 41n]], idd.FULL)).toBe(hiA);
  });

  it("hash-conses also partitions whose hashes collide: 200,000 distinct nodes built twice", () => {
    // With 32-bit hashes, 200k nodes share a hash a few times over; each must still be found.
    const n = 200_000;
    const first: Node[] = [];
    for (let i = 0; i < n; i++) first.push(idd.mkRanges(Dim.Src, [r(i * 3 + 1, i * 3 + 1)], idd.FULL));
    expect(new Set(first).size).toBe(n);
    for (let i = 0; i < n; i++) if (idd.mkRanges(Dim.Src, [r(i * 3 + 1, i * 3 + 1)], idd.FULL) !== first[i]) expect.fail(`node ${i} built again is another object`);
  });

  it("and/or/diff handle terminals", () => {
    const p = ports(r(22));
    for (const [op, a, b, want] of [
      [idd.and, idd.EMPTY, p, idd.EMPTY],
      [idd.and, idd.FULL, p, p],
      [idd.and, p, p, p],
      [idd.or, idd.EMPTY, p, p],
      [idd.or, p, idd.FULL, idd.FULL],
      [idd.or, p, p, p],
      [idd.diff, p, p, idd.EMPTY],
      [idd.diff, p, idd.EMPTY, p],
      [idd.diff, idd.EMPTY, p, idd.EMPTY],
      [idd.diff, p, idd.FULL, idd.EMPTY],
      [idd.diff, idd.FULL, idd.FULL, idd.EMPTY],
    ] as const) {
      expect(op(a, b)).toBe(want);
    }
    expect(idd.orAll([])).toBe(idd.EMPTY);
    expect(idd.orAll([p])).toBe(p);
    expect(idd.orAll([ports(r(1)), ports(r(2)), ports(r(3)), ports(r(4)), ports(r(5))])).toBe(ports(r(1, 5)));
  });
});

describe("set operations on wide nodes", () => {
  // A two-level model: dport columns 0..W-1 plus one "tail" column standing for every dport >= W;
  // each column holds a subset of src values 0..3 (as 4 bits). The builder makes the canonical
  // node directly with mk/mkRanges, so it does not depend on and/or/diff.
  const W = 160;
  type Cols = number[]; // W + 1 entries, the last is the tail
  const srcNode = (bits: number): Node =>
    idd.mkRanges(
      Dim.Src,
      [0, 1, 2, 3].filter((s) => bits & (1 << s)).map((s) => r(s)),
      idd.FULL,
    );
  const build = (cols: Cols): Node => {
    const cuts: bigint[] = [];
    const kids: Node[] = [];
    cols.forEach((bits, v) => {
      const kid = srcNode(bits);
      if (kids.length > 0 && kids[kids.length - 1] === kid) return;
      cuts.push(BigInt(v));
      kids.push(kid);
    });
    return idd.mk(PORT, cuts, kids);
  };
  const wideArb = fc.array(fc.nat(15), { minLength: W + 1, maxLength: W + 1 });
  const paint = fc
    .array(fc.record({ lo: fc.nat(W + 2), len: fc.nat(70), bits: fc.nat(15) }), { maxLength: 3 })
    .map((strokes) => {
      const cols: Cols = new Array(W + 1).fill(0);
      for (const { lo, len, bits } of strokes) for (let v = lo; v <= Math.min(lo + len, W); v++) cols[v] = bits;
      return cols;
    });
  const srcOnly = fc.nat(15).map((bits): Cols => new Array(W + 1).fill(bits));
  const narrowArb = fc.oneof(paint, srcOnly, wideArb.map((c) => c.map((b, i) => (i % 40 < 20 ? b : 0)))); // last: also wide
  const ops = [
    ["and", idd.and, (a: number, b: number) => a & b],
    ["or", idd.or, (a: number, b: number) => a | b],
    ["diff", idd.diff, (a: number, b: number) => a & ~b],
  ] as const;

  it("agree with a brute-force model in both operand orders", () => {
    fc.assert(
      fc.property(wideArb, narrowArb, (ca, cb) => {
        const a = build(ca);
        const b = build(cb);
        expect(a.kids.length).toBeGreaterThanOrEqual(64);
        for (const [name, op, f] of ops) {
          expect(op(a, b), `${name}(wide, narrow)`).toBe(build(ca.map((x, i) => f(x, cb[i]!))));
          expect(op(b, a), `${name}(narrow, wide)`).toBe(build(cb.map((x, i) => f(x, ca[i]!))));
        }
        expect(idd.and(a, idd.diff(idd.FULL, b))).toBe(idd.diff(a, b));
        // the tests that build nothing
        expect(idd.within(a, b), "within(wide, narrow)").toBe(ca.every((x, i) => (x & ~cb[i]!) === 0));
        expect(idd.within(b, a), "within(narrow, wide)").toBe(cb.every((x, i) => (x & ~ca[i]!) === 0));
        expect(idd.meets(a, b), "meets").toBe(ca.some((x, i) => (x & cb[i]!) !== 0));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("agree with the model when the narrow side is FULL, EMPTY or a single dport", () => {
    const ca: Cols = Array.from({ length: W + 1 }, (_, i) => (i * 7) % 16);
    const a = build(ca);
    expect(idd.and(a, idd.FULL)).toBe(a);
    expect(idd.or(a, idd.EMPTY)).toBe(a);
    expect(idd.diff(a, a)).toBe(idd.EMPTY);
    for (const v of [0, 1, 63, 64, W - 1, W]) {
      const one: Cols = new Array(W + 1).fill(0);
      one[v] = 15;
      const b = build(one);
      expect(idd.or(a, b)).toBe(build(ca.map((x, i) => (i === v ? 15 : x))));
      expect(idd.diff(a, b)).toBe(build(ca.map((x, i) => (i === v ? 0 : x))));
      expect(idd.and(b, a)).toBe(build(one.map((x, i) => x & ca[i]!)));
    }
    // A set that does not test dport against one that does, with an EMPTY piece there: that piece
    // leaves the whole set outside.
    const src01 = srcNode(3);
    const cover: Cols = Array.from({ length: W + 1 }, (_, i) => (i === 5 ? 0 : i % 2 ? 7 : 15));
    expect(idd.within(src01, build(cover))).toBe(false);
    expect(idd.within(src01, build(cover.map((x) => x || 3)))).toBe(true);
    expect(idd.meets(src01, build(cover))).toBe(true);
  });
});

describe("exists", () => {
  const srcA = idd.mkRanges(Dim.Src, [r(10, 19)], idd.FULL);
  const srcB = idd.mkRanges(Dim.Src, [r(15, 30)], idd.FULL);
  // dport 22 from A, or dport 80 from B
  const s = idd.or(idd.mkRanges(PORT, [r(22)], srcA), idd.mkRanges(PORT, [r(80)], srcB));

  it("forgets one or more dimensions", () => {
    expect(idd.exists(s, [PORT])).toBe(idd.mkRanges(Dim.Src, [r(10, 30)], idd.FULL));
    expect(idd.exists(s, [Dim.Src])).toBe(ports(r(22), r(80)));
    expect(idd.exists(s, [PORT, Dim.Src])).toBe(idd.FULL);
    expect(idd.exists(s, [Dim.Src, PORT])).toBe(idd.FULL);
  });

  it("leaves sets alone that do not test the dimension", () => {
    expect(idd.exists(s, [Dim.Proto])).toBe(s);
    expect(idd.exists(s, [])).toBe(s);
    expect(idd.exists(idd.EMPTY, [PORT])).toBe(idd.EMPTY);
    expect(idd.exists(idd.FULL, [PORT])).toBe(idd.FULL);
  });

  it("keeps the structure above the forgotten dimension", () => {
    const t = idd.or(idd.mkRanges(Dim.Proto, [r(6)], s), idd.mkRanges(Dim.Proto, [r(17)], idd.mkRanges(PORT, [r(53)], srcA)));
    expect(idd.exists(t, [PORT])).toBe(
      idd.or(
        idd.mkRanges(Dim.Proto, [r(6)], idd.mkRanges(Dim.Src, [r(10, 30)], idd.FULL)),
        idd.mkRanges(Dim.Proto, [r(17)], srcA),
      ),
    );
    // Two protocols that become equal after forgetting are merged into one piece.
    const u = idd.or(idd.mkRanges(Dim.Proto, [r(6)], ports(r(1))), idd.mkRanges(Dim.Proto, [r(7)], ports(r(2))));
    expect(idd.exists(u, [PORT])).toBe(idd.mkRanges(Dim.Proto, [r(6, 7)], idd.FULL));
  });
});

describe("restrict, pieceIndex, pieceEnd, contains", () => {
  const p = ports(r(22), r(80, 81)); // pieces start at 0, 22, 23, 80, 82

  it("pieceIndex finds the piece of every boundary value", () => {
    const cases: [bigint, number][] = [
      [0n, 0],
      [21n, 0],
      [22n, 1],
      [23n, 2],
      [79n, 2],
      [80n, 3],
      [81n, 3],
      [82n, 4],
      [PORT_MAX, 4],
    ];
    for (const [v, i] of cases) expect(idd.pieceIndex(p, v), `value ${v}`).toBe(i);
    expect(idd.pieceEnd(p, 4)).toBe(PORT_MAX);
    expect(idd.pieceEnd(p, 0)).toBe(21n);
  });

  it("pieceIndex agrees with a linear scan on many pieces", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 65535 }), (cs, v) => {
        const cuts = [0, ...cs].sort((a, b) => a - b);
        // Alternate children so that no neighbours merge.
        const node = idd.mk(
          PORT,
          cuts.map(BigInt),
          cuts.map((_, i) => (i % 2 ? idd.FULL : idd.EMPTY)),
        );
        let want = 0;
        for (let i = 0; i < cuts.length; i++) if (cuts[i]! <= v) want = i;
        expect(idd.pieceIndex(node, BigInt(v))).toBe(want);
        expect(idd.restrict(node, PORT, BigInt(v))).toBe(want % 2 ? idd.FULL : idd.EMPTY);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("restrict selects a child, or rebuilds the levels above", () => {
    expect(idd.restrict(p, PORT, 22n)).toBe(idd.FULL);
    expect(idd.restrict(p, PORT, 23n)).toBe(idd.EMPTY);
    expect(idd.restrict(p, PORT, 81n)).toBe(idd.FULL);
    // A node below the level is untouched.
    expect(idd.restrict(p, Dim.Proto, 6n)).toBe(p);
    expect(idd.restrict(idd.FULL, PORT, 1n)).toBe(idd.FULL);
    expect(idd.restrict(idd.EMPTY, PORT, 1n)).toBe(idd.EMPTY);
    // Restricting a deeper dimension keeps (and re-merges) the levels above.
    const srcA = idd.mkRanges(Dim.Src, [r(10, 19)], idd.FULL);
    const srcB = idd.mkRanges(Dim.Src, [r(15, 30)], idd.FULL);
    const s = idd.or(idd.mkRanges(PORT, [r(22)], srcA), idd.mkRanges(PORT, [r(80)], srcB));
    expect(idd.restrict(s, Dim.Src, 12n)).toBe(ports(r(22)));
    expect(idd.restrict(s, Dim.Src, 16n)).toBe(ports(r(22), r(80)));
    expect(idd.restrict(s, Dim.Src, 25n)).toBe(ports(r(80)));
    expect(idd.restrict(s, Dim.Src, 31n)).toBe(idd.EMPTY);
  });

  it("contains is false for values outside a dimension's range", () => {
    const point = (port: bigint) => {
      const pt: bigint[] = new Array(DIM_COUNT).fill(0n);
      pt[PORT] = port;
      return pt;
    };
    const top = ports(r(PORT_MAX));
    expect(idd.contains(top, point(PORT_MAX))).toBe(true);
    expect(idd.contains(top, point(PORT_MAX + 1n))).toBe(false);
    expect(idd.contains(ports(r(0)), point(0n))).toBe(true);
    expect(idd.contains(ports(r(0)), point(-1n))).toBe(false);
    expect(idd.contains(idd.FULL, point(-1n))).toBe(false);
    expect(idd.contains(idd.FULL, point(0n).slice(1))).toBe(false);
    expect(idd.contains(idd.EMPTY, point(0n))).toBe(false);
  });

  it("nodeCount counts shared nodes once", () => {
    expect(idd.nodeCount(idd.EMPTY)).toBe(1);
    expect(idd.nodeCount(p)).toBe(3);
    const shared = idd.mkRanges(Dim.Proto, [r(6), r(17)], p);
    expect(idd.nodeCount(shared)).toBe(4);
  });
});

describe("dimension helpers", () => {
  it("describes twelve dimensions", () => {
    expect(DIM_NAMES).toHaveLength(DIM_COUNT);
    expect(DIM_MAX).toHaveLength(DIM_COUNT);
    expect(Object.values(Dim).sort((a, b) => a - b)).toEqual([...Array(DIM_COUNT).keys()]);
    expect(DIM_MAX[Dim.Iif]).toBe((1n << BigInt(8 * IFACE_BYTES)) - 1n);
    expect(DIM_MAX[Dim.Src]).toBe(V6_MAX);
    expect(V4_MAX).toBe(0xffffffffn);
  });

  it("ifaceToValue reads the name as zero-padded bytes, preserving order", () => {
    expect(ifaceToValue("")).toBe(0n);
    expect(ifaceToValue("a")).toBe(0x61n << BigInt(8 * (IFACE_BYTES - 1)));
    expect(ifaceToValue("eth0")).toBe(0x65746830n << BigInt(8 * (IFACE_BYTES - 4)));
    const names = ["", "e", "et", "eth", "eth0", "eth1", "eth10", "eth2", "ethz", "fth0", "lo"];
    const vals = names.map(ifaceToValue);
    for (let i = 1; i < vals.length; i++) expect(vals[i - 1]! < vals[i]!, `${names[i - 1]} < ${names[i]}`).toBe(true);
    const longest = "GigabitEthernet0/0/0.100-abcdefg";
    expect(longest).toHaveLength(IFACE_BYTES);
    expect(ifaceToValue(longest)).not.toBe(ifaceToValue("GigabitEthernet0/0/0.200-abcdefg"));
    expect(ifaceToValue(longest) <= DIM_MAX[Dim.Iif]!).toBe(true);
  });

  it('ifacePrefixRange("eth") covers eth, eth0, eth10 but not et or fth0', () => {
    const [lo, hi] = ifacePrefixRange("eth");
    const inside = (n: string) => {
      const v = ifaceToValue(n);
      return lo <= v && v <= hi;
    };
    for (const n of ["eth", "eth0", "eth10", "eth.100", "ethernet012345"]) expect(inside(n), n).toBe(true);
    for (const n of ["et", "etg", "eti", "fth0", "eeth0", "", "lo", "Eth0"]) expect(inside(n), n).toBe(false);
    expect(lo).toBe(ifaceToValue("eth"));
    expect(ifacePrefixRange("")).toEqual([0n, DIM_MAX[Dim.Iif]!]);
    const full = "abcdefghijklmnopqrstuvwxyz012345";
    expect(ifacePrefixRange(full)).toEqual([ifaceToValue(full), ifaceToValue(full)]);
  });

  const nameChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-_.@+:");
  const nameArb = fc.array(nameChar, { minLength: 1, maxLength: IFACE_BYTES }).map((cs) => cs.join(""));

  it("a prefix range holds exactly the names that start with the prefix", () => {
    fc.assert(
      fc.property(fc.array(nameChar, { maxLength: 6 }).map((cs) => cs.join("")), nameArb, (prefix, name) => {
        const [lo, hi] = ifacePrefixRange(prefix);
        const v = ifaceToValue(name);
        expect(lo <= v && v <= hi).toBe(name.startsWith(prefix));
        const extended = (prefix + name).slice(0, IFACE_BYTES);
        const e = ifaceToValue(extended);
        expect(lo <= e && e <= hi).toBe(true);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("valueToIface inverts ifaceToValue for valid names", () => {
    for (const n of ["eth0", "lo", "wg0", "br-lan", "eth0.100", "abcdefghijklmno"]) expect(valueToIface(ifaceToValue(n))).toBe(n);
    fc.assert(
      fc.property(nameArb, (n) => {
        expect(valueToIface(ifaceToValue(n))).toBe(n);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("valueToIface rejects values that are no interface name", () => {
    expect(valueToIface(0n)).toBeUndefined();
    expect(valueToIface(ifaceToValue("a b"))).toBeUndefined();
    expect(valueToIface(ifaceToValue("a/b"))).toBeUndefined();
    expect(valueToIface(ifaceToValue("tab\t"))).toBeUndefined();
    expect(valueToIface(ifaceToValue("del\x7f"))).toBeUndefined();
    expect(valueToIface(ifaceToValue("é0"))).toBeUndefined(); // non-ASCII
    // An embedded zero byte: "a\0b".
    expect(valueToIface((0x61n << 112n) | (0x62n << 96n))).toBeUndefined();
    // The top of a prefix range is padded with 0xff bytes.
    expect(valueToIface(ifacePrefixRange("eth")[1])).toBeUndefined();
    expect(valueToIface(DIM_MAX[Dim.Iif]!)).toBeUndefined();
  });
});
