/** Port ranges: merging and the short text every report uses ("22,80-90"). */
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
