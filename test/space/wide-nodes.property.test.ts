/**
 * Property tests of wide nodes: nodes with hundreds of pieces, stored as canonical chunked trees
 * (src/space/piece-tree.ts). Small thresholds (a node is wide above 8 pieces, chunks of 4 on
 * average) give trees of four or five levels on sets of a few hundred pieces, so chunk reuse,
 * cursor seeks and the skipping merge run on every operation. Every result is compared by
 * identity with the set built from scratch out of a brute-force reference: that checks the
 * value and canonicity (the same set reached by different operations is the same object) at
 * once.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIM_MAX, Dim, V4_MAX } from "../../src/space/dims.js";
import * as idd from "../../src/space/idd.js";
import type { Node } from "../../src/space/idd.js";
import type { Chunk } from "../../src/space/piece-tree.js";
import { PacketSet } from "../../src/space/packet-set.js";

const SEED = 0x71de;
const DEFAULTS = { minPieces: 64, chunkBits: 5 };
const SMALL = { minPieces: 8, chunkBits: 2 };

type Cells = boolean[];
type R = [bigint, bigint];

/**
 * A one-dimensional model: the dimension is cut into N cells, cell i starting at start(i) (the
 * last cell runs to the dimension's end); a set is a choice of cells.
 */
function cellModel(dim: number, n: number, start: (i: number) => bigint) {
  const max = DIM_MAX[dim]!;
  const end = (i: number): bigint => (i + 1 < n ? start(i + 1) - 1n : max);
  const ranges = (cells: Cells): R[] => {
    const out: R[] = [];
    cells.forEach((on, i) => {
      if (on) out.push([start(i), end(i)]);
    });
    return out;
  };
  const build = (cells: Cells): Node => idd.mkRanges(dim, ranges(cells), idd.FULL);
  const width = (cells: Cells): bigint => cells.reduce((acc, on, i) => (on ? acc + end(i) - start(i) + 1n : acc), 0n);
  return { n, start, end, ranges, build, width };
}

/** Cells from patterns that make many pieces: random, sparse (a blocklist), alternating runs. */
function cellsArb(n: number): fc.Arbitrary<Cells> {
  return fc.oneof(
    fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    fc.array(fc.nat(9), { minLength: n, maxLength: n }).map((xs) => xs.map((x) => x === 0)),
    fc.array(fc.nat(9), { minLength: n, maxLength: n }).map((xs) => xs.map((x) => x !== 0)),
  );
}

interface Stroke {
  lo: number;
  len: number;
  on: boolean;
}
const strokesArb = (n: number) => fc.array(fc.record({ lo: fc.nat(n - 1), len: fc.nat(6), on: fc.boolean() }), { minLength: 1, maxLength: 12 });

function paint(cells: Cells, strokes: readonly Stroke[]): Cells {
  const out = cells.slice();
  for (const s of strokes) for (let i = s.lo; i <= Math.min(s.lo + s.len, out.length - 1); i++) out[i] = s.on;
  return out;
}

/** Chunks reachable from a tree. */
function chunksOf(root: Chunk | undefined, acc = new Set<Chunk>()): Set<Chunk> {
  if (!root || acc.has(root)) return acc;
  acc.add(root);
  for (const x of root.items) chunksOf(x, acc);
  return acc;
}
const treeHeight = (n: Node): number => n.tree?.height ?? -1;

const OPS = [
  ["and", idd.and, (a: boolean, b: boolean) => a && b],
  ["or", idd.or, (a: boolean, b: boolean) => a || b],
  ["diff", idd.diff, (a: boolean, b: boolean) => a && !b],
] as const;

// Source addresses crossing the 32-bit boundary (folded hashes) and reaching 2^128 - 1.
const N = 400;
const SRC = cellModel(Dim.Src, N, (i) => BigInt(i) * 0x1_0000_0003n + (i >= N / 2 ? 1n << 100n : 0n));

describe("wide nodes: one dimension with hundreds of pieces", () => {
  beforeAll(() => idd.configureWideNodes(SMALL));
  afterAll(() => idd.configureWideNodes(DEFAULTS));

  it("are trees of several levels, and read back as their pieces", () => {
    const cells = Array.from({ length: N }, (_, i) => i % 3 === 0 || i % 7 === 0);
    const a = SRC.build(cells);
    expect(a.tree).toBeDefined();
    expect(treeHeight(a)).toBeGreaterThanOrEqual(3);
    const want: R[] = [];
    idd.forEachPiece(a, (lo, hi, kid) => {
      if (kid === idd.FULL) want.push([lo, hi]);
    });
    expect(want).toEqual(idd.normalizeRanges(SRC.ranges(cells), DIM_MAX[Dim.Src]!));
    expect(a.kids.length).toBe(a.size);
  });

  it("and, or, diff agree with the reference and give the canonical object", () => {
    fc.assert(
      fc.property(cellsArb(N), cellsArb(N), (ca, cb) => {
        const a = SRC.build(ca);
        const b = SRC.build(cb);
        for (const [name, op, f] of OPS) {
          expect(op(a, b), name).toBe(SRC.build(ca.map((x, i) => f(x, cb[i]!))));
          expect(op(b, a), `${name} swapped`).toBe(SRC.build(cb.map((x, i) => f(x, ca[i]!))));
        }
        const subset = ca.every((x, i) => !x || cb[i]);
        expect(idd.diff(a, b) === idd.EMPTY).toBe(subset);
        expect(idd.and(a, b) === a).toBe(subset);
        expect(idd.within(a, b)).toBe(subset);
        expect(idd.within(b, a)).toBe(cb.every((x, i) => !x || ca[i]));
        expect(idd.meets(a, b)).toBe(ca.some((x, i) => x && cb[i]));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("few changes to a wide set: every way of making the result gives the same object", () => {
    fc.assert(
      fc.property(cellsArb(N), strokesArb(N), (base, strokes) => {
        const want = paint(base, strokes);
        const wantNode = SRC.build(want);
        // Stroke by stroke, as or / diff with a small set.
        let step = SRC.build(base);
        for (const s of strokes) {
          const small = SRC.build(paint(new Array(N).fill(false), [{ ...s, on: true }]));
          step = s.on ? idd.or(step, small) : idd.diff(step, small);
        }
        expect(step).toBe(wantNode);
        // The changed cells only, applied to the base in one go (as two wide operands).
        const added = SRC.build(want.map((x, i) => x && !base[i]));
        const removed = SRC.build(base.map((x, i) => x && !want[i]));
        expect(idd.diff(idd.or(SRC.build(base), added), removed)).toBe(wantNode);
        expect(idd.or(idd.diff(SRC.build(base), removed), added)).toBe(wantNode);
        // Union of one-cell sets in a shuffled order.
        const singles = want.flatMap((on, i) => (on ? [i] : []));
        const shuffled = singles.map((v, k) => [v, (k * 7919) % (singles.length || 1)] as const).sort((x, y) => x[1] - y[1]);
        const one = (i: number) => idd.mkRanges(Dim.Src, [[SRC.start(i), SRC.end(i)]], idd.FULL);
        expect(idd.orAll(shuffled.map(([i]) => one(i)))).toBe(wantNode);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("membership, covered width and children agree with the reference", () => {
    fc.assert(
      fc.property(cellsArb(N), fc.array(fc.nat(N - 1), { minLength: 1, maxLength: 20 }), (cells, probes) => {
        const a = SRC.build(cells);
        expect(idd.coveredWidth(a)).toBe(SRC.width(cells));
        for (const i of probes) {
          for (const v of [SRC.start(i), SRC.end(i)]) {
            expect(idd.kidAt(a, v)).toBe(cells[i] ? idd.FULL : idd.EMPTY);
            expect(idd.restrict(a, Dim.Src, v)).toBe(cells[i] ? idd.FULL : idd.EMPTY);
          }
        }
        expect(idd.exists(a, [Dim.Src])).toBe(cells.some((x) => x) ? idd.FULL : idd.EMPTY);
        expect(idd.exists(a, [Dim.Dport])).toBe(a);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});

describe("wide nodes share the chunks an operation does not change", () => {
  beforeAll(() => idd.configureWideNodes(DEFAULTS));

  it("a one-cell change to a 20000-piece set rebuilds a few chunks per level", () => {
    const n = 20000;
    const big = cellModel(Dim.Src, n, (i) => BigInt(i) * 16n);
    const cells = Array.from({ length: n }, (_, i) => (i * 2654435761) % 7 < 3);
    const a = big.build(cells);
    const before = chunksOf(a.tree);
    fc.assert(
      fc.property(fc.nat(n - 1), (i) => {
        const one = idd.mkRanges(Dim.Src, [[big.start(i), big.end(i)]], idd.FULL);
        const b = cells[i] ? idd.diff(a, one) : idd.or(a, one);
        const fresh = [...chunksOf(b.tree)].filter((c) => !before.has(c)).length;
        expect(fresh).toBeLessThanOrEqual(8 * (treeHeight(b) + 1));
        expect(idd.coveredWidth(b)).toBe(idd.coveredWidth(a) + (cells[i] ? -1n : 1n) * (big.end(i) - big.start(i) + 1n));
      }),
      { seed: SEED, numRuns: 50 },
    );
  });
});

describe("complements of wide range sets", () => {
  beforeAll(() => idd.configureWideNodes(SMALL));
  afterAll(() => idd.configureWideNodes(DEFAULTS));

  it("a narrow set minus a wide one agrees with the reference, and near-equal operands share chunks", () => {
    fc.assert(
      fc.property(cellsArb(N), fc.nat(N - 1), fc.nat(N - 1), fc.nat(N - 1), (cells, lo, len, flipAt) => {
        const hi = Math.min(N - 1, lo + len);
        const window = cells.map((_, i) => i >= lo && i <= hi);
        const w = SRC.build(window);
        const a = SRC.build(cells);
        const got = idd.diff(w, a);
        expect(got).toBe(SRC.build(window.map((x, i) => x && !cells[i])));
        const cells2 = cells.slice();
        cells2[flipAt] = !cells2[flipAt];
        const got2 = idd.diff(w, SRC.build(cells2));
        expect(got2).toBe(SRC.build(window.map((x, i) => x && !cells2[i])));
        if (got.tree && got2.tree) {
          const first = chunksOf(got.tree);
          const fresh = [...chunksOf(got2.tree)].filter((c) => !first.has(c)).length;
          expect(fresh).toBeLessThanOrEqual(8 * (treeHeight(got2) + 1));
        }
        // The complement inside the whole dimension, twice, is the set itself.
        expect(idd.diff(idd.FULL, idd.diff(idd.FULL, a))).toBe(a);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});

describe("pinned sets survive resetCaches", () => {
  it("the universe built before a reset equals, as an object, the one built after", () => {
    const u4 = PacketSet.universe([4]);
    const u = PacketSet.universe();
    idd.resetCaches();
    expect(PacketSet.box({ [Dim.Family]: [[4n, 4n]] }).equals(u4)).toBe(true);
    expect(PacketSet.box({}).equals(u)).toBe(true);
    expect(PacketSet.box({ [Dim.Proto]: [[6n, 6n]] }).union(PacketSet.box({ [Dim.Proto]: [[0n, 5n], [7n, 255n]] })).equals(u)).toBe(true);
  });
});

describe("wide nodes above other nodes: a destination level over source sets", () => {
  beforeAll(() => idd.configureWideNodes(SMALL));
  afterAll(() => idd.configureWideNodes(DEFAULTS));

  // Each destination cell holds a subset of four source values (4 bits).
  const W = 300;
  const dstStart = (i: number) => BigInt(i) * 5n;
  const srcNode = (bits: number): Node =>
    idd.mkRanges(
      Dim.Src,
      [0, 1, 2, 3].filter((s) => bits & (1 << s)).map((s): R => [BigInt(s) * 10n, BigInt(s) * 10n + 4n]),
      idd.FULL,
    );
  const build = (cols: number[]): Node => {
    const byBits = new Map<number, R[]>();
    cols.forEach((bits, i) => {
      const rs = byBits.get(bits) ?? [];
      rs.push([dstStart(i), i + 1 < W ? dstStart(i + 1) - 1n : DIM_MAX[Dim.Dst]!]);
      byBits.set(bits, rs);
    });
    return idd.orAll([...byBits].map(([bits, rs]) => idd.mkRanges(Dim.Dst, rs, srcNode(bits))));
  };
  const colsArb = fc.oneof(
    fc.array(fc.nat(15), { minLength: W, maxLength: W }),
    fc.array(fc.nat(40), { minLength: W, maxLength: W }).map((xs) => xs.map((x) => (x < 16 ? x : 0))),
  );
  const bitOps = [
    ["and", idd.and, (a: number, b: number) => a & b],
    ["or", idd.or, (a: number, b: number) => a | b],
    ["diff", idd.diff, (a: number, b: number) => a & ~b],
  ] as const;

  it("operations, projections and restrictions agree with the reference", () => {
    fc.assert(
      fc.property(colsArb, colsArb, fc.nat(3), (ca, cb, s) => {
        const a = build(ca);
        const b = build(cb);
        expect(a.level).toBe(Dim.Dst);
        for (const [name, op, f] of bitOps) {
          expect(op(a, b), name).toBe(build(ca.map((x, i) => f(x, cb[i]!))));
          // A deeper operand spans every destination piece (mixed levels).
          expect(op(a, srcNode(5)), `${name} with a source set`).toBe(build(ca.map((x) => f(x, 5))));
        }
        expect(idd.exists(a, [Dim.Dst])).toBe(srcNode(ca.reduce((acc, x) => acc | x, 0)));
        expect(idd.exists(a, [Dim.Src])).toBe(
          idd.mkRanges(
            Dim.Dst,
            ca.flatMap((x, i): R[] => (x ? [[dstStart(i), i + 1 < W ? dstStart(i + 1) - 1n : DIM_MAX[Dim.Dst]!]] : [])),
            idd.FULL,
          ),
        );
        expect(idd.restrict(a, Dim.Src, BigInt(s) * 10n)).toBe(
          idd.mkRanges(
            Dim.Dst,
            ca.flatMap((x, i): R[] => (x & (1 << s) ? [[dstStart(i), i + 1 < W ? dstStart(i + 1) - 1n : DIM_MAX[Dim.Dst]!]] : [])),
            idd.FULL,
          ),
        );
        const i = (s * 97) % W;
        expect(idd.restrict(a, Dim.Dst, dstStart(i))).toBe(srcNode(ca[i]!));
        const reachable = new Set<Node>([a]);
        for (const x of ca) {
          const k = srcNode(x);
          reachable.add(k);
          if (k !== idd.EMPTY && k !== idd.FULL) reachable.add(idd.EMPTY).add(idd.FULL);
        }
        expect(idd.nodeCount(a)).toBe(reachable.size);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
  it("a coarse operand, whose pieces each span many of the other's, combines with it as the reference says", () => {
    // 6 runs of 50 destination cells: each run's source set meets, keeps or merges a's pieces
    // below it (mapped a chunk at a time, see mapUntil in idd.ts).
    const coarseArb = fc.array(fc.nat(15), { minLength: 6, maxLength: 6 }).map((runs) => Array.from({ length: W }, (_, i) => runs[Math.floor(i / 50)]!));
    fc.assert(
      fc.property(colsArb, coarseArb, fc.array(fc.nat(W - 1), { minLength: 1, maxLength: 4 }), (ca, cb, touched) => {
        // a and a neighbour of it that differs in a few cells: the second reuses chunks mapped for the first
        const nearA = ca.map((x, i) => (touched.includes(i) ? x ^ 9 : x));
        for (const cols of [ca, nearA]) {
          const a = build(cols);
          const b = build(cb);
          for (const [name, op, f] of bitOps) {
            expect(op(a, b), name).toBe(build(cols.map((x, i) => f(x, cb[i]!))));
            expect(op(b, a), `${name} swapped`).toBe(build(cb.map((x, i) => f(x, cols[i]!))));
          }
        }
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});

describe("packet sets with a wide source level", () => {
  beforeAll(() => idd.configureWideNodes(SMALL));
  afterAll(() => idd.configureWideNodes(DEFAULTS));

  // IPv4 sources: N cells inside the family's range.
  const V4 = cellModel(Dim.Src, N, (i) => BigInt(i) * 0x00a0_0001n);
  const clip = (r: R): R => [r[0], r[1] > V4_MAX ? V4_MAX : r[1]];
  const DPORTS = [22n, 25n, 443n];
  const rowSet = (dport: bigint, cells: Cells): PacketSet =>
    PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: [[dport, dport]], [Dim.Src]: V4.ranges(cells).map(clip) });
  const widthIn = (cells: Cells) => V4.ranges(cells).map(clip).reduce((acc, [lo, hi]) => acc + hi - lo + 1n, 0n);

  /** Sorted, apart source windows from random ends (not aligned with the cells). */
  const windowsArb = fc.array(fc.bigInt({ min: 0n, max: V4_MAX }), { minLength: 1, maxLength: 12 }).map((ends): R[] => {
    const sorted = [...new Set(ends)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out: R[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) out.push([sorted[i]!, sorted[i + 1]!]);
    if (sorted.length % 2 === 1) out.push([sorted[sorted.length - 1]!, sorted[sorted.length - 1]!]);
    return out.filter((r, i) => i === 0 || r[0] > out[i - 1]![1] + 1n);
  });
  const overlap = (a: readonly R[], b: readonly R[]): bigint => {
    let sum = 0n;
    for (const [alo, ahi] of a) {
      for (const [blo, bhi] of b) {
        const lo = alo > blo ? alo : blo;
        const hi = ahi < bhi ? ahi : bhi;
        if (lo <= hi) sum += hi - lo + 1n;
      }
    }
    return sum;
  };

  it("maxSourceCountIn counts the sources inside the windows without building the intersection", () => {
    fc.assert(
      fc.property(fc.array(cellsArb(N), { minLength: 3, maxLength: 3 }), windowsArb, (rows, windows) => {
        const s = PacketSet.unionAll(rows.map((cells, k) => rowSet(DPORTS[k]!, cells)));
        const expected = rows.map((cells) => overlap(V4.ranges(cells).map(clip), windows)).reduce((m, w) => (w > m ? w : m), 0n);
        expect(s.maxSourceCountIn(windows)).toBe(expected);
        expect(s.intersect(PacketSet.box({ [Dim.Src]: windows })).maxSourceCount()).toBe(expected);
        // a set that leaves the source free counts the windows whole (IPv6: no source level at all)
        const whole = windows.reduce((acc, [lo, hi]) => acc + hi - lo + 1n, 0n);
        for (const family of [4n, 6n]) {
          const free = PacketSet.box({ [Dim.Family]: [[family, family]], [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: [[22n, 22n]] });
          expect(free.maxSourceCountIn(windows)).toBe(whole);
        }
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("maxSourceCount, valuesOf, forget, witness and equality agree with the reference", () => {
    fc.assert(
      fc.property(fc.array(cellsArb(N), { minLength: 3, maxLength: 3 }), fc.nat(N - 1), (rows, probe) => {
        const parts = rows.map((cells, k) => rowSet(DPORTS[k]!, cells));
        const s = PacketSet.unionAll(parts);
        // The same set assembled the other way round, and through a difference.
        const reversed = parts.slice().reverse().reduce((acc, p) => acc.union(p), PacketSet.empty());
        expect(reversed.equals(s)).toBe(true);
        const all = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: DPORTS.map((d): R => [d, d]) });
        const holes = PacketSet.unionAll(rows.map((cells, k) => rowSet(DPORTS[k]!, cells.map((x) => !x))));
        expect(all.minus(holes).equals(s)).toBe(true);

        const widths = rows.map(widthIn);
        expect(s.maxSourceCount()).toBe(widths.reduce((m, w) => (w > m ? w : m), 0n));
        const anyCells = rows[0]!.map((_, i) => rows.some((r) => r[i]));
        expect(s.valuesOf(Dim.Src)).toEqual(idd.normalizeRanges(V4.ranges(anyCells).map(clip), DIM_MAX[Dim.Src]!));
        const openPorts = DPORTS.filter((_, k) => rows[k]!.some((x) => x));
        expect(s.valuesOf(Dim.Dport)).toEqual(openPorts.map((d): R => [d, d]));
        const srcAny = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[6n, 6n]], [Dim.Src]: V4.ranges(anyCells).map(clip) });
        expect(s.forget([Dim.Dport]).equals(srcAny.isEmpty() ? PacketSet.empty() : srcAny)).toBe(true);
        const portsOnly = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: openPorts.map((d): R => [d, d]) });
        // forget is a plain projection: the sources it frees include non-IPv4 values.
        expect(s.forget([Dim.Src]).intersect(PacketSet.universe([4])).equals(portsOnly)).toBe(true);

        const w = s.witness({ [Dim.Src]: [V4.start(probe)] });
        if (s.isEmpty()) expect(w).toBeUndefined();
        else {
          expect(s.has(w!)).toBe(true);
          const k = DPORTS.indexOf(w![Dim.Dport]!);
          if (rows[k]![probe]) expect(w![Dim.Src]).toBe(V4.start(probe));
        }
      }),
      { seed: SEED, numRuns: 30 },
    );
  });
});
