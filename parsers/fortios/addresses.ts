/**
 * FortiOS address objects as packet conditions: `firewall address` / `address6` entries (ipmask,
 * iprange, wildcard, interface-subnet; fqdn, geography, dynamic and the like are not in the file and
 * become unknown conditions), and `firewall addrgrp` / `addrgrp6` groups (members nest; `exclude
 * enable` with `exclude-member` takes those out). An address that is not defined but FortiOS has
 * built in - `all`, `none` - has its factory meaning. A name resolves to alternatives (each a
 * conjunction) for one field, memoized.
 */
import { mergeAddrRanges, maskRanges, parseIP, parseAddrSpec, prefixRange, familyMax } from "../../src/model/address.js";
import type { AddrRange, Condition, Family } from "../../src/model/types.js";
import { subtract } from "../junos/ranges.js";
import { entryOf, valueOf, valuesOf, type Block, type Entry, type Token } from "./reader.js";
import { undefinedRef, type FortiosContext } from "./scope.js";

export type Alternatives = Condition[][];

/** How one family's address blocks are named. */
const BLOCKS = { 4: ["firewall address", "firewall addrgrp"], 6: ["firewall address6", "firewall addrgrp6"] } as const;

export class AddressBook {
  private readonly memo = new Map<string, Alternatives | undefined>();
  private readonly resolving = new Set<string>();

  constructor(
    private readonly ctx: FortiosContext,
    private readonly objects: Record<Family, Block | undefined>,
    private readonly groups: Record<Family, Block | undefined>,
    /** The connected subnets of each interface (for `type interface-subnet`). */
    private readonly interfaceSubnet: (iface: string, family: Family) => AddrRange[] | undefined,
  ) {}

  static of(ctx: FortiosContext, blocks: { get(path: string): Block | undefined }, interfaceSubnet: (iface: string, family: Family) => AddrRange[] | undefined): AddressBook {
    return new AddressBook(ctx, { 4: blocks.get(BLOCKS[4][0]), 6: blocks.get(BLOCKS[6][0]) }, { 4: blocks.get(BLOCKS[4][1]), 6: blocks.get(BLOCKS[6][1]) }, interfaceSubnet);
  }

  /** Is the name an address or group of the family (or a built-in one)? */
  has(name: string, family: Family): boolean {
    return entryOf(this.objects[family], name) !== undefined || entryOf(this.groups[family], name) !== undefined || name === "all" || name === "none";
  }

  /**
   * What `name` matches in `field`, as alternatives; undefined when it is not defined. `at` is
   * where it is used (for the messages about the objects it reads).
   */
  resolve(name: string, family: Family, field: "src" | "dst"): Alternatives | undefined {
    const key = `${family} ${field} ${name}`;
    if (this.memo.has(key)) return this.memo.get(key);
    if (this.resolving.has(key)) return undefined;
    this.resolving.add(key);
    const value = this.compute(name, family, field);
    this.resolving.delete(key);
    this.memo.set(key, value);
    return value;
  }

  /**
   * What the names a policy uses (`key`: the field, e.g. srcaddr6) match, as alternatives; an
   * undefined one is reported (at its word, naming `user`) and matches an unknown address.
   */
  resolveUsed(names: readonly Token[], family: Family, field: "src" | "dst", user: string, key: string): Alternatives {
    const alts: Alternatives = [];
    for (const n of names) {
      const v = this.resolve(n.text, family, field);
      if (v) alts.push(...v);
      else {
        undefinedRef(this.ctx, n, `${user}: ${key} '${n.text}' is not a defined IPv${family} address or address group`);
        alts.push([{ kind: "family", family }, { kind: "unknown", text: `address ${n.text}`, reason: `undefined address ${n.text}` }]);
      }
    }
    return alts;
  }

  private compute(name: string, family: Family, field: "src" | "dst"): Alternatives | undefined {
    const object = entryOf(this.objects[family], name);
    if (object) return this.addressOf(object, family, field);
    const group = entryOf(this.groups[family], name);
    if (group) return this.groupOf(group, family, field);
    if (name === "all") return [[{ kind: "family", family }]];
    if (name === "none") return [[addr(field, family, [{ lo: 0n, hi: 0n }])]];
    return undefined;
  }

  private addressOf(e: Entry, family: Family, field: "src" | "dst"): Alternatives {
    const type = valueOf(e, "type") ?? (family === 4 ? "ipmask" : "ipprefix");
    const unknown = (what: string): Alternatives => [[{ kind: "family", family }, { kind: "unknown", text: `address ${e.key} (${what})`, reason: `a ${type} address: which addresses it holds is not in the file` }]];
    switch (type) {
      case "ipmask": {
        const words = valuesOf(e, "subnet");
        if (words.length === 0) return [[{ kind: "family", family: 4 }]]; // FortiOS's default subnet 0.0.0.0 0.0.0.0
        const spec = words.length >= 2 ? `${words[0]!.text}/${words[1]!.text}` : words[0]!.text;
        const r = this.spec(spec, 4, words[0]!, e);
        return r ? [[addr(field, 4, r)]] : [];
      }
      case "ipprefix": {
        const w = valuesOf(e, "ip6")[0];
        if (!w) return [[{ kind: "family", family: 6 }]];
        const r = this.spec(w.text, 6, w, e);
        return r ? [[addr(field, 6, r)]] : [];
      }
      case "iprange": {
        const start = valuesOf(e, "start-ip")[0];
        const end = valuesOf(e, "end-ip")[0];
        const lo = start ? parseIP(start.text, family) : 0n;
        const hi = end ? parseIP(end.text, family) : lo;
        if (lo === null || hi === null || hi < lo) {
          this.ctx.diags.error(start ?? e.keyToken, `address '${e.key}': expected an IPv${family} range start-ip <= end-ip`);
          return [];
        }
        return [[addr(field, family, [{ lo, hi }])]];
      }
      case "wildcard": {
        const words = valuesOf(e, "wildcard");
        const a = words[0] ? parseIP(words[0].text, 4) : 0n;
        const m = words[1] ? parseIP(words[1].text, 4) : 0n;
        const ranges = a !== null && m !== null ? maskRanges(a, m, 4, 4096) : null;
        if (a === null || m === null) {
          this.ctx.diags.error(words[0] ?? e.keyToken, `address '${e.key}': expected 'set wildcard ADDRESS MASK'`);
          return [];
        }
        return ranges ? [[addr(field, 4, ranges)]] : unknown(`wildcard ${words.map((w) => w.text).join(" ")}`);
      }
      case "interface-subnet": {
        const iface = valueOf(e, "interface");
        const subnet = iface === undefined ? undefined : this.interfaceSubnet(iface, family);
        return subnet && subnet.length > 0 ? [[addr(field, family, subnet)]] : unknown(`the subnet of interface ${iface ?? "(none)"}`);
      }
      default: {
        const detail = valueOf(e, "fqdn") ?? valueOf(e, "country") ?? valueOf(e, "sdn") ?? type;
        return unknown(`${type} ${detail}`);
      }
    }
  }

  private spec(text: string, family: Family, at: Token, e: Entry): AddrRange[] | undefined {
    const p = parseAddrSpec(text, family);
    if (!p.ok) {
      this.ctx.diags.error(at, `address '${e.key}': ${p.detail}; expected an IPv${family} ${family === 4 ? "address and mask" : "prefix"}`);
      return undefined;
    }
    if ("range" in p) return [p.range];
    return p.ranges ?? undefined;
  }

  private groupOf(g: Entry, family: Family, field: "src" | "dst"): Alternatives {
    const members = this.membersOf(g, valuesOf(g, "member"), family, field);
    if (valueOf(g, "exclude") !== "enable") return members;
    const excluded = this.membersOf(g, valuesOf(g, "exclude-member"), family, field);
    if (excluded.length === 0) return members;
    // each member alternative, minus every excluded one
    const ranges = plainRanges(excluded);
    return members.flatMap((alt) => {
      const only = alt.length === 1 && alt[0]!.kind === "addr" && !alt[0]!.negate ? alt[0]! : undefined;
      if (only && only.kind === "addr" && ranges && ranges.length > 0) {
        const left = ranges.reduce((rest, cut) => subtract(rest, cut), [...only.ranges]);
        return left.length > 0 ? [[addr(field, family, left)]] : [];
      }
      return [[...alt, { kind: "or", anyOf: excluded, negate: true } as Condition]];
    });
  }

  private membersOf(g: Entry, names: Token[], family: Family, field: "src" | "dst"): Alternatives {
    const alts: Alternatives = [];
    for (const m of names) {
      const v = this.resolve(m.text, family, field);
      if (v === undefined) {
        const cycle = this.resolving.has(`${family} ${field} ${m.text}`);
        this.ctx.diags.error(m, cycle ? `address group '${g.key}': member '${m.text}' contains the group itself (a cycle)` : `address group '${g.key}': member '${m.text}' is not a defined IPv${family} address or group`);
        alts.push([{ kind: "family", family }, { kind: "unknown", text: `address ${m.text}`, reason: `undefined address ${m.text}` }]);
        continue;
      }
      alts.push(...v);
    }
    return mergeAlternatives(alts, field, family);
  }
}

function addr(field: "src" | "dst", family: Family, ranges: AddrRange[]): Condition {
  return { kind: "addr", field, family, ranges: mergeAddrRanges(ranges) };
}

/** The ranges merged alternatives (mergeAlternatives) hold when they are plain addresses only; undefined otherwise. */
function plainRanges(alts: Alternatives): AddrRange[] | undefined {
  const c = alts.length === 1 && alts[0]!.length === 1 ? alts[0]![0]! : undefined;
  if (c?.kind === "addr" && !c.negate) return c.ranges;
  if (c?.kind === "family") return [{ lo: 0n, hi: familyMax(c.family) }];
  return undefined;
}

/** Alternatives with their plain address ranges joined into one condition. */
function mergeAlternatives(alts: Alternatives, field: "src" | "dst", family: Family): Alternatives {
  const ranges: AddrRange[] = [];
  const rest: Alternatives = [];
  for (const a of alts) {
    const c = a[0];
    if (a.length === 1 && c && c.kind === "addr" && !c.negate) ranges.push(...c.ranges);
    else if (a.length === 1 && c && c.kind === "family") ranges.push(prefixRange(0n, 0, c.family));
    else rest.push(a);
  }
  if (ranges.length === 0) return rest;
  const merged = mergeAddrRanges(ranges);
  const whole = merged.length === 1 && merged[0]!.lo === 0n && merged[0]!.hi === familyMax(family);
  return [[whole ? { kind: "family", family } : addr(field, family, merged)], ...rest];
}
