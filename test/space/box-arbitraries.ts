/**
 * Random boxes of the packet space for the projection tests: a family, protocols, and maybe
 * destination ports, destinations and sources as lists of ranges (IPv6 ones far above 2^53, where
 * a double rounds). The shape says how many ranges a dimension may list, how wide they are and
 * over what span they start: small, near sets by default; long lists of wide ranges for the tests
 * of a list's range index.
 */
import fc from "fast-check";
import { Dim } from "../../src/space/dims.js";
import type { BoxSpec } from "../../src/space/packet-set.js";

export type R = [bigint, bigint];
export const r = (lo: number | bigint, hi: number | bigint = lo): R => [BigInt(lo), BigInt(hi)];

/** IPv6 addresses far above 2^53, where a double rounds. */
export const V6_BASE = 0x2001_0db8n << 96n;

export interface BoxShape {
  /** Most ranges listed for destination ports, destinations, sources. */
  most: readonly [number, number, number];
  /** Widest range (values past its start). */
  width: number;
  /** Where port ranges start from, and the spans ports, destinations and sources start in. */
  portFrom: number;
  spans: readonly [number, number, number];
}

export const NEAR: BoxShape = { most: [4, 4, 3], width: 6, portFrom: 20, spans: [120, 300, 300] };

export const rangeOf = (lo: number, span: number, width: number, base = 0n): fc.Arbitrary<R> =>
  fc.tuple(fc.integer({ min: 0, max: span }), fc.integer({ min: 0, max: width })).map(([a, w]) => [base + BigInt(lo + a), base + BigInt(lo + a + w)]);

export const boxArb = (v6: boolean, shape: BoxShape = NEAR): fc.Arbitrary<BoxSpec> => {
  const base = v6 ? V6_BASE : 0n;
  const list = (lo: number, span: number, most: number, from = 0n) => fc.option(fc.array(rangeOf(lo, span, shape.width, from), { minLength: 1, maxLength: most }), { nil: undefined });
  return fc
    .record({
      protos: fc.subarray([r(6), r(17), r(1), r(58), r(47)], { minLength: 1 }),
      dports: list(shape.portFrom, shape.spans[0], shape.most[0]),
      dst: list(1000, shape.spans[1], shape.most[1], base),
      src: list(5000, shape.spans[2], shape.most[2], base),
    })
    .map(({ protos, dports, dst, src }) => {
      const spec: BoxSpec = { [Dim.Family]: [v6 ? r(6) : r(4)], [Dim.Proto]: protos };
      if (dports) spec[Dim.Dport] = dports;
      if (dst) spec[Dim.Dst] = dst;
      if (src) spec[Dim.Src] = src;
      return spec;
    });
};
