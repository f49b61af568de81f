/**
 * The pair-keyed memo tables agree with a Map model: through growth, with ids 0 and 1, with
 * pairs that differ only in order, and when they forget everything past their limit.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PairFlags, PairFlagsCache, PairInts, PairMemo } from "../../src/space/pair-memo.js";

// ids from a small range: gets often find a pair set before, and 6,000 sets still grow the table
const op = fc.record({ a: fc.integer({ min: 0, max: 90 }), b: fc.integer({ min: 0, max: 90 }), v: fc.integer(), set: fc.boolean() });

describe("PairMemo", () => {
  it("answers like a Map keyed by the pair, across growth", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 3000, maxLength: 6000 }), (ops) => {
        const memo = new PairMemo<{ v: number }>(1_000_000);
        const model = new Map<string, { v: number }>();
        for (const { a, b, v, set } of ops) {
          if (set) {
            const value = { v };
            memo.set(a, b, value);
            model.set(`${a},${b}`, value);
          } else expect(memo.get(a, b)).toBe(model.get(`${a},${b}`));
        }
        expect(memo.size).toBe(model.size);
        for (const [k, value] of model) {
          const [a, b] = k.split(",").map(Number) as [number, number];
          expect(memo.get(a, b)).toBe(value);
        }
      }),
      { seed: 0x9a1, numRuns: 20 },
    );
  });

  it("keeps (a, b) and (b, a) apart, and ids 0 and 1", () => {
    const memo = new PairMemo<string>(100);
    memo.set(0, 1, "01");
    memo.set(1, 0, "10");
    memo.set(0, 0, "00");
    expect([memo.get(0, 1), memo.get(1, 0), memo.get(0, 0), memo.get(1, 1)]).toEqual(["01", "10", "00", undefined]);
  });

  it("holds 100,000 entries (many grow steps) and forgets all once past its limit", () => {
    const memo = new PairMemo<number>(100_000);
    for (let i = 0; i < 100_000; i++) memo.set(i, i * 7 + 3, i);
    expect(memo.size).toBe(100_000);
    for (let i = 0; i < 100_000; i += 997) expect(memo.get(i, i * 7 + 3)).toBe(i);
    memo.set(5, 5, -1);
    expect(memo.size).toBe(1);
    expect(memo.get(0, 3)).toBeUndefined();
    expect(memo.get(5, 5)).toBe(-1);
  });
});

interface TypedTable<V> {
  get(a: number, b: number): V | undefined;
  set(a: number, b: number, v: V): void;
  readonly size: number;
}

/**
 * Random sets and gets on a fresh table (`make`) and a Map side by side: every get answers as the
 * Map does (`absent` for a pair never set), and the sizes agree.
 */
function agreesWithMap<V>(make: () => TypedTable<V>, value: (v: number) => V, absent: V | undefined, seed: number): void {
  fc.assert(
    fc.property(fc.array(op, { minLength: 3000, maxLength: 6000 }), (ops) => {
      const table = make();
      const model = new Map<string, V>();
      for (const { a, b, v, set } of ops) {
        if (set) {
          table.set(a, b, value(v));
          model.set(`${a},${b}`, value(v));
        } else expect(table.get(a, b)).toBe(model.get(`${a},${b}`) ?? absent);
      }
      expect(table.size).toBe(model.size);
    }),
    { seed, numRuns: 20 },
  );
}

describe("PairFlags", () => {
  it("answers like a Map of booleans, false stored as false (not as absent)", () => {
    agreesWithMap(() => new PairFlags(1_000_000), (v) => v % 2 === 0, undefined, 0x9a2);
  });
});

describe("PairInts", () => {
  it("answers like a Map of non-negative integers (-1 when absent), 0 stored as 0, across growth and past its limit", () => {
    agreesWithMap(() => new PairInts(1_000_000), (v) => Math.abs(v) % 3, -1, 0x9a3);
    const small = new PairInts(10);
    for (let i = 0; i < 10; i++) small.set(i, i, i);
    small.set(20, 20, 7);
    expect([small.size, small.get(3, 3), small.get(20, 20)]).toEqual([1, -1, 7]);
  });
});

describe("PairFlagsCache", () => {
  it("answers a pair only with what was last set for it, and forgets pairs that lost their slot", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 500, maxLength: 3000 }), (ops) => {
        // 64 slots for 8,281 pairs: most sets take the slot of another pair
        const cache = new PairFlagsCache(6);
        const model = new Map<string, boolean>();
        for (const { a, b, v, set } of ops) {
          if (set) {
            cache.set(a, b, v % 2 === 0);
            model.set(`${a},${b}`, v % 2 === 0);
          } else {
            const got = cache.get(a, b);
            if (got !== undefined) expect(got).toBe(model.get(`${a},${b}`));
          }
        }
        // right after a set, the pair is answered (both values, ids 0 and 1 included)
        for (const [a, b, v] of [[0, 1, true], [1, 0, false], [0, 0, false], [90, 90, true]] as const) {
          cache.set(a, b, v);
          expect(cache.get(a, b)).toBe(v);
        }
        cache.clear();
        expect(cache.get(90, 90)).toBeUndefined();
        // a clear with nothing set since the last one is free; a set after it is cleared again
        cache.clear();
        cache.set(5, 7, true);
        cache.clear();
        expect(cache.get(5, 7)).toBeUndefined();
      }),
      { seed: 0x9a2, numRuns: 20 },
    );
  });
});
