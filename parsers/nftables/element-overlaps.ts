/**
 * Elements of one set or map that nft or the kernel refuse together, so the whole file fails to
 * load (`nft -f` is one transaction). Checked with nft 1.0.6 on this machine's kernel:
 * - an interval set or map of one key (`flags interval`, no `auto-merge`): two elements that
 *   overlap without being the same range - "conflicting intervals specified". A repeated element
 *   is taken once.
 * - a concatenated interval set or map (`type ipv4_addr . inet_service; flags interval`): an
 *   element whose first or last point (every part at its low end, or at its high end) lies in an
 *   element written before it, other than the same box - "File exists" from the kernel, whose
 *   set (pipapo) looks up those two points of each element it inserts. So the order counts: a box
 *   around an earlier one is taken, one inside it is not.
 * - a map: one key given twice with different data - "File exists".
 */

/**
 * The elements of a set as boxes: per element and part of the key, its lowest and highest value
 * (element i's part k at i * parts + k). Flat arrays: a blocklist has 100k+ elements.
 */
export interface ElementBoxes<E> {
  parts: number;
  lo: readonly bigint[];
  hi: readonly bigint[];
  /** The elements as written, in the order written. */
  elements: readonly E[];
}

export interface ElementConflict<E> {
  /** The element written later (where nft reports it), and the one it conflicts with. */
  later: E;
  earlier: E;
  why: "overlap" | "data";
}

/** Comparisons of element pairs past which the search stops (a set of 0.0.0.0/0 . PORT entries, say). */
const MAX_COMPARISONS = 4_000_000;

/**
 * The conflicts among the elements: each element met in a sweep over the first part's ranges
 * that conflicts with one met before it, with the first such; at most `max` of them, and how many
 * there are in all. `overlaps`: whether overlapping elements conflict (an interval set, or a
 * concatenated one; `corners`: only where the later one's first or last point lies in the
 * earlier, as in a concatenated one); a repeated key whose data differs (`sameData`) always
 * does. An element repeated as it was is taken once.
 */
export function elementConflicts<E>(
  boxes: ElementBoxes<E>,
  overlaps: boolean,
  sameData: (a: E, b: E) => boolean,
  max: number,
  corners = false,
): { conflicts: ElementConflict<E>[]; total: number } {
  const { parts, lo, hi, elements } = boxes;
  const conflicts: ElementConflict<E>[] = [];
  let total = 0;
  // the sweep's order: by the first part's low end, then its high end (generated lists mostly come so)
  const before = (a: number, b: number): number => {
    const x = lo[a * parts]!;
    const y = lo[b * parts]!;
    if (x !== y) return x < y ? -1 : 1;
    const u = hi[a * parts]!;
    const v = hi[b * parts]!;
    return u === v ? 0 : u < v ? -1 : 1;
  };
  const order = elements.map((_, i) => i);
  let sorted = true;
  for (let i = 1; i < order.length && sorted; i++) sorted = before(i - 1, i) <= 0;
  if (!sorted) order.sort((a, b) => before(a, b) || a - b);
  const same = (a: number, b: number): boolean => {
    for (let k = 0; k < parts; k++) if (lo[a * parts + k] !== lo[b * parts + k] || hi[a * parts + k] !== hi[b * parts + k]) return false;
    return true;
  };
  const meet = (a: number, b: number): boolean => {
    for (let k = 0; k < parts; k++) if (hi[a * parts + k]! < lo[b * parts + k]! || hi[b * parts + k]! < lo[a * parts + k]!) return false;
    return true;
  };
  /** Does box `a` hold the first (`high`: last) point of box `b`? */
  const holdsCorner = (a: number, b: number, high: boolean): boolean => {
    const at = high ? hi : lo;
    for (let k = 0; k < parts; k++) {
      const v = at[b * parts + k]!;
      if (v < lo[a * parts + k]! || v > hi[a * parts + k]!) return false;
    }
    return true;
  };
  /** Do the earlier element `a` and the later `b`, not the same box, conflict? */
  const conflict = (a: number, b: number): boolean => (corners ? holdsCorner(a, b, false) || holdsCorner(a, b, true) : meet(a, b));
  // the elements met so far whose first part's range may still meet the next ones'
  const active: number[] = [];
  let comparisons = 0;
  for (const i of order) {
    const start = lo[i * parts]!;
    let kept = 0;
    for (const j of active) if (hi[j * parts]! >= start) active[kept++] = j;
    active.length = kept;
    comparisons += kept;
    if (comparisons > MAX_COMPARISONS) break;
    if (active.some((j) => same(j, i) && sameData(elements[j]!, elements[i]!))) continue; // a repeat
    for (const j of active) {
      const why = same(j, i) ? "data" : overlaps && conflict(Math.min(i, j), Math.max(i, j)) ? "overlap" : undefined;
      if (!why) continue;
      total++;
      if (conflicts.length < max) conflicts.push(i > j ? { later: elements[i]!, earlier: elements[j]!, why } : { later: elements[j]!, earlier: elements[i]!, why });
      break;
    }
    active.push(i);
  }
  return { conflicts, total };
}
