/**
 * The flat sets' pool grows once, from its small first size straight to the store's limit: growing
 * it again would copy every piece built so far into fresh memory. Sets built before the growth read
 * the same after it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Dim } from "../../src/space/dims.js";
import { configureFlatLimit, FLAT_STORE_PIECES, flatPoolRoom, fromFlat, toFlat } from "../../src/space/flat-sets.js";
import { PacketSet } from "../../src/space/packet-set.js";

/** A set whose source node has about 4,000 pieces: 2,000 single addresses from `base`, 2 apart. */
function wideSources(base: number): PacketSet {
  const ranges: [bigint, bigint][] = [];
  for (let i = 0; i < 2000; i++) ranges.push([BigInt(base + 2 * i), BigInt(base + 2 * i)]);
  return PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Src]: ranges });
}

describe("flat pool", () => {
  afterAll(() => configureFlatLimit(FLAT_STORE_PIECES));

  it("grows once, to the store's limit, and keeps what was built before", () => {
    const limit = 1 << 18;
    configureFlatLimit(limit);
    const first = flatPoolRoom();
    expect(first).toBeLessThan(limit);
    const sets = Array.from({ length: 24 }, (_, k) => wideSources(1000 + k * 10000));
    const flats = sets.map((s) => toFlat(s.node));
    // 24 nodes of ~4,000 pieces: past the first size (this test fails if it no longer is)
    expect(24 * 4000).toBeGreaterThan(first);
    expect(flats.every((f) => f !== undefined)).toBe(true);
    expect(flatPoolRoom()).toBe(limit);
    flats.forEach((f, k) => expect(fromFlat(f!)).toBe(sets[k]!.node));
  });
});
