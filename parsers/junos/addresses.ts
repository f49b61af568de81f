/**
 * Address values and the SRX address books: `address N PREFIX | range-address A to B |
 * dns-name H | wildcard-address A/MASK`, `address-set S address N | address-set S2` (nested, with
 * cycle detection), in the global book, in named books attached to zones, and in the legacy
 * per-zone books (`security zones security-zone Z address-book`).
 */
import { maskRanges, mergeAddrRanges, parseIPv4Strict, parseIPv6, prefixRange } from "../../src/model/address.js";
import type { AddrRange, Family } from "../../src/model/types.js";
import type { Diagnostics } from "./statements.js";
import { at, child, kids, type ConfigNode } from "./tree.js";

/** A prefix literal: `10.0.0.0/8`, `192.0.2.1` (host), `2001:db8::/32`. */
export function parsePrefix(text: string): { family: Family; range: AddrRange; len: number; /** the address as written, not its network */ addr: bigint } | null {
  const slash = text.indexOf("/");
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const family: Family = addrText.includes(":") ? 6 : 4;
  const addr = family === 4 ? parseIPv4Strict(addrText) : parseIPv6(addrText);
  if (addr === null) return null;
  const bits = family === 4 ? 32 : 128;
  let len = bits;
  if (slash !== -1) {
    const l = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(l) || Number(l) > bits) return null;
    len = Number(l);
  }
  return { family, range: prefixRange(addr, len, family), len, addr };
}

/**
 * A filter address: a prefix, or `ADDRESS/MASK` with a dotted (possibly non-contiguous) IPv4 mask
 * (`1.2.3.4/255.0.255.0`); `len` is the number of mask bits (its specificity).
 */
export function parseFilterAddress(text: string): { family: Family; ranges: AddrRange[]; len: number } | null {
  const p = parsePrefix(text);
  if (p) return { family: p.family, ranges: [p.range], len: p.len };
  const m = /^([0-9.]+)\/([0-9.]+)$/.exec(text);
  if (!m) return null;
  const addr = parseIPv4Strict(m[1]!);
  const mask = parseIPv4Strict(m[2]!);
  if (addr === null || mask === null) return null;
  const ranges = maskRanges(addr, mask, 4, 65536);
  if (!ranges) return null;
  let len = 0;
  for (let b = mask; b > 0n; b >>= 1n) len += Number(b & 1n);
  return { family: 4, ranges, len };
}

/** What an address name stands for: ranges per family, plus what could not be modelled. */
export interface AddressValue {
  v4: AddrRange[];
  v6: AddrRange[];
  unknown: string[];
}

export const emptyAddress = (): AddressValue => ({ v4: [], v6: [], unknown: [] });


/** Deepest address-set nesting resolved (JunOS itself allows far less). */
const MAX_NESTING = 64;

/** One address book: its addresses and sets (nodes, resolved on demand). */
export interface AddressBook {
  name: string;
  addresses: Map<string, ConfigNode>;
  sets: Map<string, ConfigNode>;
}

function readBook(name: string, node: ConfigNode | undefined): AddressBook {
  const book: AddressBook = { name, addresses: new Map(), sets: new Map() };
  for (const a of kids(child(node, "address"))) book.addresses.set(a.name, a);
  for (const s of kids(child(node, "address-set"))) book.sets.set(s.name, s);
  return book;
}

/** The address books a zone sees, most specific first, and the global book. */
export class AddressBooks {
  readonly global: AddressBook;
  private readonly byZone = new Map<string, AddressBook[]>();
  private readonly cache = new Map<string, AddressValue>();

  constructor(root: ConfigNode, private readonly diags: Diagnostics) {
    const books = child(at(root, "security"), "address-book");
    this.global = readBook("global", child(books, "global"));
    for (const b of kids(books)) {
      if (b.name === "global") continue;
      const book = readBook(b.name, b);
      for (const z of kids(child(b, "attach")).flatMap((a) => (a.name === "zone" ? kids(a) : []))) this.zoneBooks(z.name).push(book);
    }
    for (const z of kids(at(root, "security", "zones", "security-zone"))) {
      const legacy = child(z, "address-book");
      if (legacy) this.zoneBooks(z.name).unshift(readBook(`zone ${z.name}`, legacy));
    }
  }

  private zoneBooks(zone: string): AddressBook[] {
    let l = this.byZone.get(zone);
    if (!l) {
      l = [];
      this.byZone.set(zone, l);
    }
    return l;
  }

  /** Resolves every address and set of every book once, so bad entries are reported even when unused. */
  checkAll(): void {
    const books = new Set<AddressBook>([this.global, ...[...this.byZone.values()].flat()]);
    for (const b of books) for (const name of [...b.addresses.keys(), ...b.sets.keys()]) this.resolveIn(b, name, []);
  }

  /** Books searched for a name used in a policy of `zone` (undefined: global policies). */
  booksFor(zone: string | undefined): AddressBook[] {
    return zone === undefined ? [this.global] : [...(this.byZone.get(zone) ?? []), this.global];
  }

  /** Resolve a name; undefined when no book defines it. */
  resolve(name: string, zone: string | undefined): AddressValue | undefined {
    for (const book of this.booksFor(zone)) {
      const v = this.resolveIn(book, name, []);
      if (v) return v;
    }
    return undefined;
  }

  /** `visiting`: the sets being resolved, outermost first (cycle detection; bounded depth). */
  private resolveIn(book: AddressBook, name: string, visiting: string[]): AddressValue | undefined {
    const key = `${book.name}\u0000${name}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const addr = book.addresses.get(name);
    if (addr) {
      const v = this.addressValue(addr);
      this.cache.set(key, v);
      return v;
    }
    const set = book.sets.get(name);
    if (!set) return undefined;
    if (visiting.includes(name)) {
      this.diags.error(set, `address-set '${name}' contains itself (${[...visiting, name].join(" -> ")})`);
      return { v4: [], v6: [], unknown: [`address-set ${name} (cycle)`] };
    }
    if (visiting.length >= MAX_NESTING) {
      this.diags.error(set, `address-set '${name}' is nested more than ${MAX_NESTING} levels deep; not resolved`);
      return { v4: [], v6: [], unknown: [`address-set ${name} (nested too deep)`] };
    }
    const out = emptyAddress();
    for (const kind of ["address", "address-set"] as const) {
      for (const m of kids(child(set, kind))) {
        const v = this.resolveIn(book, m.name, [...visiting, name]);
        if (v) {
          // collected here, normalized once below (merging per member would be quadratic)
          out.v4.push(...v.v4);
          out.v6.push(...v.v6);
          for (const u of v.unknown) if (!out.unknown.includes(u)) out.unknown.push(u);
        } else {
          this.diags.error(m, `address-set '${name}' refers to undefined ${kind} '${m.name}' (address book ${book.name})`);
          out.unknown.push(`undefined ${kind} ${m.name}`);
        }
      }
    }
    out.v4 = mergeAddrRanges(out.v4);
    out.v6 = mergeAddrRanges(out.v6);
    this.cache.set(key, out);
    return out;
  }

  private addressValue(n: ConfigNode): AddressValue {
    const out = emptyAddress();
    for (const c of kids(n)) {
      if (c.name === "description") continue;
      if (c.name === "dns-name") {
        out.unknown.push(`dns-name ${kids(c)[0]?.name ?? ""}`.trim());
        continue;
      }
      if (c.name === "range-address") {
        const lo = kids(c)[0];
        const hi = lo ? kids(child(lo, "to"))[0] : undefined;
        const a = lo ? parsePrefix(lo.name) : null;
        const b = hi ? parsePrefix(hi.name) : null;
        if (!a || !b || a.family !== b.family || a.len !== b.len || a.len !== (a.family === 4 ? 32 : 128)) {
          this.diags.error(c, `address '${n.name}': expected 'range-address ADDRESS to ADDRESS'`);
          out.unknown.push(`range-address of ${n.name}`);
        } else if (a.range.lo > b.range.lo) {
          this.diags.error(c, `address '${n.name}': range-address ${lo!.name} to ${hi!.name} ends before it starts`);
          out.unknown.push(`range-address of ${n.name}`);
        } else (a.family === 4 ? out.v4 : out.v6).push({ lo: a.range.lo, hi: b.range.lo });
        continue;
      }
      if (c.name === "wildcard-address") {
        const w = kids(c)[0]?.name ?? "";
        const [addrText = "", maskText = ""] = w.split("/");
        const addr = parseIPv4Strict(addrText);
        const mask = parseIPv4Strict(maskText);
        const ranges = addr !== null && mask !== null ? maskRanges(addr, mask, 4, 4096) : null;
        if (ranges) out.v4.push(...ranges);
        else out.unknown.push(`wildcard-address ${w}`);
        continue;
      }
      const p = parsePrefix(c.name);
      if (p) (p.family === 4 ? out.v4 : out.v6).push(p.range);
      else {
        this.diags.error(c, `address '${n.name}': expected an address prefix, found '${c.name}'`);
        out.unknown.push(`address ${n.name}`);
      }
    }
    out.v4 = mergeAddrRanges(out.v4);
    out.v6 = mergeAddrRanges(out.v6);
    return out;
  }
}
