/**
 * The helper thread that touches large arrays' pages before the main thread writes them: it
 * touches them all when told they will be written all over, keeps within its distance of the mark
 * it is given, never changes what the main thread wrote, and stops when told.
 */
import { describe, expect, it, vi } from "vitest";
import { PREFAULT_AHEAD, PrefaultedArrays } from "../../src/space/prefault.js";

const ALL = 2 ** 31 - 1;
/** The helper runs on its own thread: what it does is waited for (at most 10 s). */
const WAIT = { timeout: 10_000, interval: 5 };


describe("PrefaultedArrays", () => {
  it("are touched all over by the helper when the mark is past their end, and it changes nothing the main thread wrote", async () => {
    const p = PrefaultedArrays.of([8 << 20, 1 << 20]);
    const big = new Int32Array(p.buffers[0]!);
    const small = new Uint8Array(p.buffers[1]!);
    // values on the very words the helper compares-and-swaps (each page's first), before and while it runs
    for (let i = 0; i < big.length; i += 4096) big[i] = i + 1;
    p.advance(big.length);
    for (let i = 1024; i < big.length; i += 4096) big[i] = -i;
    for (let i = 0; i < small.length; i += 4096) small[i] = 200;
    await vi.waitUntil(() => p.touched() === ALL, WAIT);
    expect(p.touched()).toBe(ALL);
    for (let i = 0; i < big.length; i += 1024) {
      const want = i % 4096 === 0 ? i + 1 : i % 4096 === 1024 ? -i : 0;
      if (big[i] !== want) expect([i, big[i]]).toEqual([i, want]);
    }
    for (let i = 0; i < small.length; i += 4096) if (small[i] !== 200) expect([i, small[i]]).toEqual([i, 200]);
  });

  it("keeps within its distance past the mark, follows it, and stops when told", async () => {
    const p = PrefaultedArrays.of([64 << 20]); // 16M elements
    p.advance(0);
    await vi.waitUntil(() => p.touched() >= PREFAULT_AHEAD, WAIT);
    await new Promise((r) => setTimeout(r, 100));
    expect(p.touched()).toBe(PREFAULT_AHEAD);
    p.advance(3 * PREFAULT_AHEAD);
    await vi.waitUntil(() => p.touched() >= 4 * PREFAULT_AHEAD, WAIT);
    expect(p.touched()).toBe(4 * PREFAULT_AHEAD);
    p.stop();
    p.advance(8 * PREFAULT_AHEAD);
    // it lets go of the arrays (they would stay in memory with it) and touches no more
    await vi.waitUntil(() => p.touched() === -1, WAIT);
    expect(p.touched()).toBe(-1);
    // the helper goes on with other arrays
    const q = PrefaultedArrays.of([1 << 20]);
    q.advance(1 << 18);
    await vi.waitUntil(() => q.touched() === ALL, WAIT);
    expect(q.touched()).toBe(ALL);
  });
});
