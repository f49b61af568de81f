/**
 * routedDestinations (src/model/routing.ts) against a lookup done the slow way: for an address,
 * the longest prefix holding it, among that prefix's routes the lowest distance, and an answer only
 * when one interface has it (not one the file does not tell, undefined). Routes are drawn inside 10.0.0.0/24 with prefix lengths 24-32 so that
 * they nest, repeat and tie often.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prefixRange } from "../../src/model/address.js";
import { type Route, routedDestinations } from "../../src/model/routing.js";

fc.configureGlobal({ seed: 0x0a7e });

const BASE = 0x0a000000n; // 10.0.0.0

const route = fc.record({
  iface: fc.constantFrom("inside", "outside", "dmz", undefined),
  host: fc.integer({ min: 0, max: 255 }),
  len: fc.integer({ min: 24, max: 32 }),
  distance: fc.constantFrom(0, 1, 5),
  family: fc.constantFrom(4 as const, 4 as const, 6 as const),
});

function toRoute(r: { iface: string | undefined; host: number; len: number; distance: number; family: 4 | 6 }): Route {
  const addr = r.family === 4 ? BASE + BigInt(r.host) : (0x20010db8n << 96n) + BigInt(r.host);
  return { iface: r.iface, family: r.family, range: prefixRange(addr, r.family === 4 ? r.len : r.len + 96, r.family), distance: r.distance };
}

/** The interface the routes send `addr` out of, or undefined (no route, or a tie). */
function lookup(routes: readonly Route[], family: 4 | 6, addr: bigint): string | undefined {
  const holding = routes.filter((r) => r.family === family && r.range.lo <= addr && addr <= r.range.hi);
  if (holding.length === 0) return undefined;
  const narrowest = holding.reduce((a, b) => (b.range.hi - b.range.lo < a.range.hi - a.range.lo ? b : a));
  const same = holding.filter((r) => r.range.lo === narrowest.range.lo && r.range.hi === narrowest.range.hi);
  const best = Math.min(...same.map((r) => r.distance));
  const ifaces = new Set(same.filter((r) => r.distance === best).map((r) => r.iface));
  return ifaces.size === 1 ? [...ifaces][0] : undefined; // one interface, or one the file does not tell
}

describe("routedDestinations", () => {
  it("sends each destination where longest-prefix match does, and nowhere on a tie", () => {
    fc.assert(
      fc.property(fc.array(route, { minLength: 0, maxLength: 12 }), (drawn) => {
        const routes = drawn.map(toRoute);
        const won = routedDestinations(routes);
        for (const family of [4, 6] as const) {
          const base = family === 4 ? BASE : 0x20010db8n << 96n;
          for (let h = 0n; h < 256n; h++) {
            const addr = base + h;
            const got = won.filter((c) => c.family === family && c.ranges.some((r) => r.lo <= addr && addr <= r.hi)).map((c) => c.iface);
            const want = lookup(routes, family, addr);
            expect(got).toEqual(want === undefined ? [] : [want]);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a longer prefix carves its part out of a shorter one's interface", () => {
    const r = (iface: string, text: string, len: number, distance = 1): Route => ({ iface, family: 4, range: prefixRange(BigInt(text.split(".").reduce((a, o) => a * 256 + Number(o), 0)), len, 4), distance });
    const won = routedDestinations([r("outside", "0.0.0.0", 0), r("inside", "10.0.0.0", 8, 0), r("dmz", "10.1.0.0", 16)]);
    const of = (iface: string) => won.find((c) => c.iface === iface)!.ranges.map((x) => [x.lo, x.hi]);
    expect(of("dmz")).toEqual([[0x0a010000n, 0x0a01ffffn]]);
    expect(of("inside")).toEqual([[0x0a000000n, 0x0a00ffffn], [0x0a020000n, 0x0affffffn]]);
    expect(of("outside")).toEqual([[0n, 0x09ffffffn], [0x0b000000n, 0xffffffffn]]);
  });
});
