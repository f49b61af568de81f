/**
 * Keys whose value the kernel draws from a known range, though fwlint cannot say which value a
 * packet gets: `numgen inc|random mod N [offset K]` (a counter or a random number),
 * `jhash EXPR mod N [seed S] [offset K]` and `symhash mod N [offset K]` (hashes of the packet). Each
 * yields K..K+N-1. A map looked up with such a key (`dnat to numgen inc mod 2 map { 0 : A, 1 : B }`,
 * a load balancer) whose elements hold every one of those values never misses: some element
 * always matches, only which one is not known.
 */
import { parseCInt } from "../../src/model/address.js";
import type { Expr } from "./ast.js";

const GENERATORS: ReadonlySet<string> = new Set(["numgen", "jhash", "symhash"]);
const U32 = 0xffffffff;

/** Is the expression a generator (numgen, jhash, symhash): a value drawn per packet? */
export function isGenerator(e: Expr): e is Extract<Expr, { kind: "opaque" }> {
  return e.kind === "opaque" && GENERATORS.has(e.name);
}

/**
 * The values (lo, hi) a generator key yields, or undefined for any other key. Read from the
 * expression's text, text form (`numgen inc mod 2 offset 100`) or nft JSON's (`numgen mode inc mod 2
 * offset 0`): `mod` and `offset` end it.
 */
export function generatorRange(key: Expr): [number, number] | undefined {
  if (!isGenerator(key)) return undefined;
  const m = /\smod\s+(\S+)(?:\s+seed\s+\S+)?(?:\s+offset\s+(\S+))?\s*$/.exec(key.text);
  if (!m) return undefined;
  const n = parseCInt(m[1]!, U32);
  const k = m[2] === undefined ? 0 : parseCInt(m[2], U32);
  if (n === null || k === null || n < 1 || k + n - 1 > U32) return undefined;
  return [k, k + n - 1];
}

/** The integers a map element's key holds (a number or a range `a-b`), or undefined when it is something else. */
export function elementRange(key: Expr): [number, number] | undefined {
  if (key.kind === "value") {
    const v = parseCInt(key.text, U32);
    return v === null ? undefined : [v, v];
  }
  if (key.kind === "range" && key.low.kind === "value" && key.high.kind === "value") {
    const lo = parseCInt(key.low.text, U32);
    const hi = parseCInt(key.high.text, U32);
    return lo === null || hi === null || lo > hi ? undefined : [lo, hi];
  }
  return undefined;
}

/** Do the ranges together hold every integer of `domain`? */
export function coversRange(ranges: readonly (readonly [number, number])[], domain: readonly [number, number]): boolean {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let next = domain[0];
  for (const [lo, hi] of sorted) {
    if (lo > next) break;
    if (hi >= next) next = hi + 1;
    if (next > domain[1]) return true;
  }
  return next > domain[1];
}
