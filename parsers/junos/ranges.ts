/**
 * Sorted, disjoint address-range lists: difference, and the longest-prefix-match reading of a
 * JunOS prefix list with `except` entries (the union is mergeAddrRanges of src/model/address.ts).
 */
import { mergeAddrRanges } from "../../src/model/address.js";
import type { AddrRange } from "../../src/model/types.js";

export function subtract(ranges: AddrRange[], cut: AddrRange): AddrRange[] {
  const out: AddrRange[] = [];
  for (const r of ranges) {
    if (cut.hi < r.lo || cut.lo > r.hi) {
      out.push(r);
      continue;
    }
    if (r.lo < cut.lo) out.push({ lo: r.lo, hi: cut.lo - 1n });
    if (r.hi > cut.hi) out.push({ lo: cut.hi + 1n, hi: r.hi });
  }
  return out;
}

export interface PrefixEntry {
  range: AddrRange;
  /** Prefix length: longer (more specific) entries win. */
  len: number;
  except: boolean;
}

/** The addresses whose most specific matching entry is not an `except`. */
export function longestMatch(entries: PrefixEntry[]): AddrRange[] {
  const ordered = [...entries].sort((a, b) => a.len - b.len);
  let set: AddrRange[] = [];
  for (const e of ordered) set = e.except ? subtract(set, e.range) : mergeAddrRanges([...set, e.range]);
  return set;
}
