/**
 * Address parsing helpers shared by the text-format parsers: IPv4 dotted quads, IPv6 (with `::`
 * and embedded IPv4), prefix lengths, dotted masks and address ranges. Addresses are bigint
 * (IPv4 in 32 bits, IPv6 in 128), as in src/model/types.ts.
 *
 * Every function here is linear in its input and never throws.
 */
import type { AddrRange, Family } from "./types.js";

export const V4_MAX = (1n << 32n) - 1n;
export const V6_MAX = (1n << 128n) - 1n;

export function familyBits(family: Family): number {
  return family === 4 ? 32 : 128;
}

export function familyMax(family: Family): bigint {
  return family === 4 ? V4_MAX : V6_MAX;
}

/** The family's multicast block: 224.0.0.0/4, ff00::/8 (the kernel's class MULTICAST on any host). */
export const MULTICAST: Readonly<Record<Family, AddrRange>> = {
  4: { lo: 0xe0000000n, hi: 0xefffffffn },
  6: { lo: 0xffn << 120n, hi: V6_MAX },
};

/**
 * Group and broadcast destinations: the multicast block, and for IPv4 the loopback network's
 * broadcast 127.255.255.255 (every Linux host has 127.0.0.1/8 on `lo`, and its local routing table a
 * `broadcast 127.255.255.255` route: the kernel does not call it LOCAL) and the limited broadcast
 * 255.255.255.255 - addresses no host owns (a subnet's directed broadcast depends on its interfaces).
 */
export const GROUP_ADDRESSES: Readonly<Record<Family, readonly AddrRange[]>> = {
  4: [{ lo: 0x7fffffffn, hi: 0x7fffffffn }, MULTICAST[4], { lo: V4_MAX, hi: V4_MAX }],
  6: [MULTICAST[6]],
};

const DEC = /^[0-9]+$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;
const OCT = /^0[0-7]+$/;

/**
 * An unsigned integer as C's strtoul(s, NULL, 0) reads a whole string: `0x1f` hex, `017` octal,
 * otherwise decimal. Returns null for anything else (signs, empty, trailing junk) or above max.
 */
export function parseCInt(s: string, max: number): number | null {
  if (s.length === 0 || s.length > 40) return null;
  let v: number;
  if (HEX.test(s)) v = parseInt(s.slice(2), 16);
  else if (OCT.test(s)) v = parseInt(s.slice(1), 8);
  else if (DEC.test(s) && (s === "0" || s[0] !== "0")) v = parseInt(s, 10);
  else return null;
  if (!Number.isFinite(v) || v > max) return null;
  return v;
}

/**
 * The value of an octal number in C notation that a reader would take for decimal: a leading 0
 * and two digits or more (`022` is 18, not 22). undefined for anything else (`07` reads alike).
 */
export function octalReading(s: string): number | undefined {
  if (!OCT.test(s)) return undefined;
  const v = parseInt(s.slice(1), 8);
  return v === Number(s) ? undefined : v;
}

/** Strict dotted quad: exactly four decimal parts 0-255 (no leading-zero octal games). */
export function parseIPv4Strict(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!DEC.test(p) || p.length > 3) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

/**
 * IPv4 as iptables reads it (xtables numeric_to_ipaddr): 1 to 4 dot-separated parts, each an
 * integer 0-255 in C notation (decimal, 0x hex, 0 octal); missing trailing parts are 0, so `10/8`
 * is 10.0.0.0/8 and `010.0.0.1` is 8.0.0.1.
 */
export function parseIPv4(s: string): bigint | null {
  if (s.length === 0 || s.length > 64) return null;
  const parts = s.split(".");
  if (parts.length > 4) return null;
  let v = 0n;
  for (let i = 0; i < 4; i++) {
    let n = 0;
    if (i < parts.length) {
      const p = parseCInt(parts[i]!, 255);
      if (p === null) return null;
      n = p;
    }
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

/**
 * IPv4 as inet_aton reads it - what the resolver (getaddrinfo) takes for a number before it asks
 * DNS: 1 to 4 dotted parts in C notation, the last filling the bytes the others leave, so `443` is
 * 0.0.1.187, `10.1` 10.0.0.1 and `1.2.65535` 1.2.255.255. Null for anything else.
 */
export function parseInetAton(s: string): bigint | null {
  if (s.length === 0 || s.length > 64) return null;
  const parts = s.split(".");
  if (parts.length > 4) return null;
  let v = 0n;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parseCInt(parts[i]!, 255);
    if (p === null) return null;
    v = (v << 8n) | BigInt(p);
  }
  const lastBits = 8 * (5 - parts.length);
  const last = parseCInt(parts[parts.length - 1]!, 2 ** lastBits - 1);
  if (last === null) return null;
  return (v << BigInt(lastBits)) | BigInt(last);
}

/**
 * IPv6 text form (RFC 4291): eight groups of 1-4 hex digits, one `::` for a run of zero groups,
 * and an optional trailing dotted IPv4 (`::ffff:192.0.2.1`). No zone index. Case-insensitive.
 */
export function parseIPv6(s: string): bigint | null {
  if (s.length < 2 || s.length > 64) return null;
  const dbl = s.indexOf("::");
  if (dbl !== -1 && s.indexOf("::", dbl + 1) !== -1) return null;
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | null => {
    if (part === "") return [];
    const items = part.split(":");
    const out: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (allowV4Tail && i === items.length - 1 && it.includes(".")) {
        const v4 = parseIPv4Strict(it);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return null;
      out.push(parseInt(it, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl === -1) {
    const g = parseGroups(s, true);
    if (g === null || g.length !== 8) return null;
    groups = g;
  } else {
    const head = parseGroups(s.slice(0, dbl), false);
    const tail = parseGroups(s.slice(dbl + 2), true);
    if (head === null || tail === null) return null;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

/** An address of the given family (IPv4 in iptables' lenient form, IPv6 strict). */
export function parseIP(s: string, family: Family): bigint | null {
  return family === 4 ? parseIPv4(s) : parseIPv6(s);
}

/** Which family a literal looks like: contains ':' -> 6, otherwise 4. */
export function guessFamily(s: string): Family {
  return s.includes(":") ? 6 : 4;
}

/** The range covered by `addr/len` (host bits ignored, as the kernel masks them). */
export function prefixRange(addr: bigint, len: number, family: Family): AddrRange {
  const bits = familyBits(family);
  const hostBits = BigInt(bits - len);
  const hostMask = (1n << hostBits) - 1n;
  const lo = addr & (familyMax(family) ^ hostMask);
  return { lo, hi: lo | hostMask };
}

/** The prefix length of a contiguous mask (255.255.0.0 -> 16), or null if not contiguous. */
export function maskToPrefix(mask: bigint, family: Family): number | null {
  const bits = familyBits(family);
  const inv = familyMax(family) ^ mask;
  // inv must be 2^k - 1
  if ((inv & (inv + 1n)) !== 0n) return null;
  let k = 0;
  let t = inv;
  while (t > 0n) {
    k++;
    t >>= 1n;
  }
  return bits - k;
}

export type AddrParse =
  | { ok: true; family: Family; range: AddrRange; prefix: number }
  /** A non-contiguous mask: the exact ranges (null when too many to list). */
  | { ok: true; family: Family; ranges: AddrRange[] | null; prefix: null; detail: string }
  | { ok: false; reason: "hostname" | "invalid" | "bad-mask" | "wrong-family"; detail: string };

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

/** Does the text look like a DNS name rather than a (malformed) address literal? */
export function looksLikeHostname(s: string): boolean {
  return s.length <= 253 && HOSTNAME.test(s) && /[A-Za-z]/.test(s) && !/^[0-9a-fA-F:.]+$/.test(s);
}

/**
 * What a loader (`nft`, `iptables`) looking a host name up when it loads the file means for
 * fwlint, which does not: the warning to give where it is written (after `after`), and the reason
 * of the unknown condition that stands for it.
 */
export function hostNameLookup(name: string, after: string, loader: string): { warning: string; reason: string } {
  return {
    warning: `'${name}' after ${after} is a host name: ${loader} looks it up when it loads the file (and refuses the file where it does not resolve); fwlint does not resolve names, and leaves what it decides unknown`,
    reason: `'${name}' is a host name ${loader} looks up when it loads the file`,
  };
}

/**
 * `addr`, `addr/len` or `addr/dotted-mask` (IPv4) / `addr/mask` (IPv6) for the given family.
 * A mask that is not contiguous (iptables accepts 10.0.0.0/255.0.255.0) gives `prefix: null` and
 * the list of ranges it covers.
 */
export function parseAddrSpec(text: string, family: Family): AddrParse {
  const slash = text.indexOf("/");
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const maskText = slash === -1 ? null : text.slice(slash + 1);
  const addr = parseIP(addrText, family);
  if (addr === null) {
    const other: Family = family === 4 ? 6 : 4;
    if (parseIP(addrText, other) !== null && (other === 6 || parseIPv4Strict(addrText) !== null)) {
      return { ok: false, reason: "wrong-family", detail: `'${addrText}' is an IPv${other} address` };
    }
    if (looksLikeHostname(addrText)) {
      return { ok: false, reason: "hostname", detail: `'${addrText}' is a host name` };
    }
    return { ok: false, reason: "invalid", detail: `'${addrText}' is not an IPv${family} address` };
  }
  const bits = familyBits(family);
  let prefix = bits;
  if (maskText !== null) {
    const n = parseCInt(maskText, bits);
    if (n !== null && !maskText.includes(".") && !maskText.includes(":")) {
      prefix = n;
    } else {
      const mask = parseIP(maskText, family);
      if (mask === null || (family === 4 && !maskText.includes("."))) {
        return { ok: false, reason: "bad-mask", detail: `invalid mask '${maskText}'` };
      }
      const p = maskToPrefix(mask, family);
      if (p === null) {
        return { ok: true, family, ranges: maskRanges(addr, mask, family, 4096), prefix: null, detail: `mask '${maskText}' is not contiguous` };
      }
      prefix = p;
    }
  }
  return { ok: true, family, range: prefixRange(addr, prefix, family), prefix };
}

/** `a-b` (inclusive, a <= b) or a single address, for the given family. */
export function parseAddrRange(text: string, family: Family): AddrRange | null {
  const dash = text.indexOf("-");
  if (dash === -1) {
    const a = parseIP(text, family);
    return a === null ? null : { lo: a, hi: a };
  }
  const a = parseIP(text.slice(0, dash), family);
  const b = parseIP(text.slice(dash + 1), family);
  if (a === null || b === null || a > b) return null;
  return { lo: a, hi: b };
}

export function formatIPv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join(".");
}

/** RFC 5952 canonical text (lower case, longest zero run compressed). */
export function formatIPv6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

export function formatIP(v: bigint, family: Family): string {
  return family === 4 ? formatIPv4(v) : formatIPv6(v);
}

/** Is the range a CIDR block: 2^n addresses starting at a multiple of 2^n? */
export function isPrefixRange(r: AddrRange): boolean {
  const size = r.hi - r.lo + 1n;
  return (size & (size - 1n)) === 0n && r.lo % size === 0n;
}

/** An inclusive address range as written by people: one address, a CIDR block when it is one, else lo-hi. */
export function formatAddrRange(lo: bigint, hi: bigint, family: Family): string {
  if (lo === hi) return formatIP(lo, family);
  const size = hi - lo + 1n;
  if (isPrefixRange({ lo, hi })) return `${formatIP(lo, family)}/${familyBits(family) - (size.toString(2).length - 1)}`;
  return `${formatIP(lo, family)}-${formatIP(hi, family)}`;
}

/**
 * The ranges an address under a possibly non-contiguous mask covers (`addr/mask` matches every
 * address a with a & mask == addr & mask), or null when that would take more than `limit` ranges.
 */
export function maskRanges(addr: bigint, mask: bigint, family: Family, limit: number): AddrRange[] | null {
  const bits = familyBits(family);
  const base = addr & mask;
  // trailing zero bits of the mask form one contiguous block
  let tz = 0;
  while (tz < bits && ((mask >> BigInt(tz)) & 1n) === 0n) tz++;
  const free: number[] = [];
  for (let b = tz; b < bits; b++) if (((mask >> BigInt(b)) & 1n) === 0n) free.push(b);
  if (free.length > 30 || 2 ** free.length > limit) return null;
  const block = (1n << BigInt(tz)) - 1n;
  const out: AddrRange[] = [];
  const count = 2 ** free.length;
  for (let i = 0; i < count; i++) {
    let v = base;
    for (let k = 0; k < free.length; k++) if ((i >> k) & 1) v |= 1n << BigInt(free[k]!);
    out.push({ lo: v, hi: v | block });
  }
  out.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  return out;
}

/** The sorted union of `ranges`: overlapping and adjacent ranges merged, into new objects. */
export function mergeAddrRanges(ranges: readonly AddrRange[]): AddrRange[] {
  const sorted = [...ranges].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: AddrRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.lo <= last.hi + 1n) {
      if (r.hi > last.hi) last.hi = r.hi;
    } else out.push({ lo: r.lo, hi: r.hi });
  }
  return out;
}
