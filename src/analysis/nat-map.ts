/**
 * 1:1 address mappings of NAT (NatRewrite.map): which addresses move where. A mapping is followed
 * as a few blocks of addresses, each moved by one offset; the evaluator moves the packets of each
 * block (and back, to tell which packets arrived), the trace moves one packet.
 */
import type { NatRewrite } from "../model/types.js";

/** Addresses in [lo, hi] become address + delta. */
export interface MappedBlock {
  lo: bigint;
  hi: bigint;
  delta: bigint;
}

/**
 * Blocks a prefix mapping is followed through exactly; a set of packets spread over more of them
 * (a NETMAP of every destination) is mapped as a choice from the target block instead.
 */
const MAX_BLOCKS = 256;

/**
 * The blocks of `to`'s mapping that the addresses `values` (sorted, apart ranges) fall in, or
 * undefined when they are too many, or when some of them are outside what an offset mapping maps.
 */
export function mappedBlocks(to: NatRewrite, values: readonly (readonly [bigint, bigint])[]): MappedBlock[] | undefined {
  if (!to.addr || !to.map) return undefined;
  const { lo, hi } = to.addr;
  const size = hi - lo + 1n;
  if (to.map.kind === "offset") {
    const from = to.map.from;
    const last = from + size - 1n;
    if (values.some(([a, b]) => a < from || b > last)) return undefined;
    return [{ lo: from, hi: last, delta: lo - from }];
  }
  const blocks: MappedBlock[] = [];
  let done = -1n; // the last block listed
  for (const [a, b] of values) {
    const first = a / size > done ? a / size : done + 1n;
    const end = b / size;
    if (end < first) continue;
    if (BigInt(blocks.length) + end - first + 1n > BigInt(MAX_BLOCKS)) return undefined;
    for (let k = first; k <= end; k++) blocks.push({ lo: k * size, hi: k * size + size - 1n, delta: lo - k * size });
    done = end;
  }
  return blocks;
}

/** The address `addr` becomes under a 1:1 mapping, or undefined when the mapping does not map it. */
export function mapAddress(to: NatRewrite, addr: bigint): bigint | undefined {
  const block = mappedBlocks(to, [[addr, addr]])?.[0];
  return block && addr + block.delta;
}

/**
 * An address that a 1:1 mapping turns into `mapped`, taken inside `within` (sorted ranges: the
 * addresses the mapping rule matches), or undefined when there is none there.
 */
export function unmapAddress(to: NatRewrite, mapped: bigint, within: readonly { lo: bigint; hi: bigint }[]): bigint | undefined {
  if (!to.addr || !to.map || mapped < to.addr.lo || mapped > to.addr.hi) return undefined;
  const k = mapped - to.addr.lo;
  const size = to.addr.hi - to.addr.lo + 1n;
  const inside = (a: bigint) => within.length === 0 || within.some((r) => a >= r.lo && a <= r.hi);
  if (to.map.kind === "offset") return inside(to.map.from + k) ? to.map.from + k : undefined;
  for (const r of within.length > 0 ? within : [{ lo: 0n, hi: size - 1n }]) {
    let a = (r.lo / size) * size + k;
    if (a < r.lo) a += size;
    if (a <= r.hi) return a;
  }
  return undefined;
}
