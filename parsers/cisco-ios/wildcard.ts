/**
 * Wildcard masks to exact address ranges.
 *
 * `A W` matches every address x with (x & ~W) == (A & ~W). A contiguous wildcard (0.0.0.255) is
 * one prefix. A non-contiguous one (0.0.255.0, 0.255.0.255) is a union of ranges: the wildcard
 * bits below the lowest fixed bit form one contiguous block, every other wildcard bit doubles the
 * number of blocks. 0.255.0.255 is 256 ranges of 256 addresses, not 65,536 single addresses.
 *
 * The count is bounded by MAX_WILDCARD_RANGES. Beyond it (0.0.0.254 style "every odd address"
 * masks, 2^31 ranges), the fixed bits from the lowest one upward are dropped until the count fits:
 * the result is a superset, and the caller adds an unknown condition saying which fixed bits are
 * not modelled. The analysis then stays sound ("may match") instead of exploding.
 */
import { familyMax, maskRanges } from "../../src/model/address.js";
import type { AddrRange, Family } from "../../src/model/types.js";

export const MAX_WILDCARD_RANGES = 4096;

export interface WildcardRanges {
  ranges: AddrRange[];
  /** True when `ranges` is exactly the matched set; false: a superset (low fixed bits ignored). */
  exact: boolean;
  /** For a superset: the wildcard actually modelled. */
  modelledWildcard?: bigint;
}

function popcount(v: bigint): number {
  let n = 0;
  for (let x = v; x > 0n; x &= x - 1n) n++;
  return n;
}

/** Number of ranges `mask` (1 = fixed bit) gives: 2^(free bits above the lowest fixed bit). */
function rangeCount(mask: bigint, family: Family): number {
  if (mask === 0n) return 1;
  const low = mask & -mask; // lowest fixed bit
  const above = familyMax(family) ^ (low | (low - 1n)); // bits above it
  const freeAbove = popcount(above & ~mask);
  return freeAbove > 52 ? Infinity : 2 ** freeAbove;
}

export function wildcardRanges(addr: bigint, wildcard: bigint, family: Family, limit = MAX_WILDCARD_RANGES): WildcardRanges {
  const max = familyMax(family);
  let mask = max ^ (wildcard & max);
  let exact = true;
  while (rangeCount(mask, family) > limit) {
    mask &= mask - 1n; // drop the lowest fixed bit: a superset with fewer, larger ranges
    exact = false;
  }
  const ranges = maskRanges(addr, mask, family, limit) ?? [{ lo: 0n, hi: max }];
  return exact ? { ranges, exact } : { ranges, exact, modelledWildcard: max ^ mask };
}
