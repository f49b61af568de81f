/** Port ranges (and other small numeric fields): merging, comparisons, and the short text every report uses ("22,80-90"). */
import type { PortRange } from "./types.js";

/** The sorted union of `ranges`: overlapping and adjacent ranges merged, into new tuples. */
export function mergePortRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: PortRange[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** "22,80-90": each range as one value or `lo-hi`, comma-separated (empty for no ranges). */
export function portsText(ranges: readonly (readonly [number, number] | readonly [bigint, bigint])[]): string {
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(",");
}

/**
 * The values of a field from 0 to `max` that a comparison admits, as sorted ranges: eq (any of
 * `values`), neq (none of them), lt, gt (the first value), range (the first two, inclusive). The
 * operators of Cisco port clauses and of TTL matches (IOS `ttl lt 2`, iptables `--ttl-gt 200`).
 */
export function comparisonRanges(op: "eq" | "neq" | "lt" | "gt" | "range", values: readonly number[], max: number): PortRange[] {
  const v = values;
  switch (op) {
    case "eq":
      return mergePortRanges(v.map((p) => [p, p] as PortRange));
    case "range":
      return [[v[0]!, v[1]!]];
    case "lt":
      return v[0]! > 0 ? [[0, v[0]! - 1]] : [];
    case "gt":
      return v[0]! < max ? [[v[0]! + 1, max]] : [];
    case "neq": {
      // every value but the listed ones
      const out: PortRange[] = [];
      let lo = 0;
      for (const [a, b] of mergePortRanges(v.map((p) => [p, p] as PortRange))) {
        if (a > lo) out.push([lo, a - 1]);
        lo = b + 1;
      }
      if (lo <= max) out.push([lo, max]);
      return out;
    }
  }
}
