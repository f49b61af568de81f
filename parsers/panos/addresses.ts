/**
 * PAN-OS addresses as packet conditions. What a rule's `source` / `destination` member names:
 * `any`; a literal (`10.1.1.1`, `10.0.0.0/8`, `10.0.0.1-10.0.0.9`, IPv6 alike); an `address`
 * object (`ip-netmask`, `ip-range`, `ip-wildcard` with a wildcard mask, modelled exactly; `fqdn`
 * resolves at run time: unknown); an `address-group` (`static` members, nesting; PAN-OS 5/6 put
 * the members directly under the group; `dynamic` groups' members are tagged at run time:
 * unknown); an `external-list` (EDL, fetched at run time: unknown) or a `region`. Names are looked
 * up in the scope's namespaces in order (vsys, then pushed/parent, then shared), address objects
 * before groups. A set of addresses is kept per family, so any mix of names is one condition per
 * family.
 */
import { familyMax, maskRanges, mergeAddrRanges, parseAddrRange, parseAddrSpec, parseIP } from "../../src/model/address.js";
import type { AddrRange, Condition, Family } from "../../src/model/types.js";
import { child, kids, type ConfigNode } from "../junos/tree.js";
import { anyOf, lastValue, lookup, members, undefinedRef, type PanosContext } from "./scope.js";

/** Addresses per family, plus alternatives fwlint cannot spell as addresses (unknowns). */
export interface AddrSet {
  4: AddrRange[];
  6: AddrRange[];
  other: Condition[][];
}

const EMPTY = (): AddrSet => ({ 4: [], 6: [], other: [] });

/** Two-letter region codes (and PAN-OS's predefined regions) name countries: their addresses are PAN-OS's database. */
const REGION = /^[A-Z]{2}$/;

export class Addresses {
  private readonly memo = new Map<string, AddrSet | undefined>();
  private readonly resolving = new Set<string>();
  /** Some rule names an IPv6 address (the ruleset speaks for IPv6 too). */
  sawV6 = false;

  constructor(
    private readonly ctx: PanosContext,
    private readonly namespaces: readonly ConfigNode[],
  ) {}

  /** Does the scope define an address object or group of this name? */
  has(name: string): boolean {
    return lookup(this.namespaces, ["address", "address-group"], name) !== undefined;
  }

  /**
   * The conditions of a rule's address field (`user`: the rule, for messages); `negate` for
   * `negate-source` / `negate-destination`. Undefined names are reported and match unknown addresses.
   */
  condition(names: readonly ConfigNode[], field: "src" | "dst", negate: boolean, user: string, key: string): Condition[] {
    if (names.length === 0 || names.some((n) => n.name === "any")) return negate ? [{ kind: "or", anyOf: [] }] : [];
    const set = EMPTY();
    for (const n of names) {
      const v = this.resolve(n.name, n) ?? this.literal(n.name);
      if (v) add(set, v);
      else {
        undefinedRef(this.ctx, n, `${user}: ${key} '${n.name}' is not an address, address group, external list or IP address`);
        set.other.push([{ kind: "unknown", text: `address ${n.name}`, reason: `undefined address ${n.name}` }]);
      }
    }
    if (set[6].length > 0) this.sawV6 = true;
    return anyOf(alternatives(set, field), negate);
  }

  /** The addresses a name stands for; undefined when it names no object, group, list or region. */
  resolve(name: string, at: ConfigNode): AddrSet | undefined {
    if (this.memo.has(name)) return this.memo.get(name);
    if (this.resolving.has(name)) {
      this.ctx.diags.error(at, `address group member '${name}' contains the group itself (a cycle)`);
      return EMPTY();
    }
    this.resolving.add(name);
    const value = this.compute(name);
    this.resolving.delete(name);
    this.memo.set(name, value);
    return value;
  }

  private compute(name: string): AddrSet | undefined {
    const hit = lookup(this.namespaces, ["address", "address-group", "external-list", "region"] as const, name);
    switch (hit?.key) {
      case "address":
        return this.objectOf(hit.node);
      case "address-group":
        return this.groupOf(hit.node);
      case "external-list":
        return unknownSet(`external-list ${name}`, "an external dynamic list is fetched by the firewall at run time");
      case "region":
        return unknownSet(`region ${name}`, "a region's addresses are PAN-OS's geolocation database");
    }
    if (REGION.test(name)) return unknownSet(`region ${name}`, "a region's addresses are PAN-OS's geolocation database");
    return undefined;
  }

  /** A literal address, prefix or range written in a rule or group; undefined when the text is none. */
  literal(text: string): AddrSet | undefined {
    const set = EMPTY();
    const family: Family = text.includes(":") ? 6 : 4;
    const r = parseRange(text, family);
    if (!r) return undefined;
    set[family].push(...r);
    return set;
  }

  private objectOf(o: ConfigNode): AddrSet {
    for (const kind of ["ip-netmask", "ip-range", "ip-wildcard"] as const) {
      const v = lastValue(o, kind);
      if (!v) continue;
      const family: Family = v.name.includes(":") ? 6 : 4;
      const ranges = kind === "ip-wildcard" ? wildcard(v.name) : parseRange(v.name, family, kind === "ip-range");
      if (ranges === "too-many") return unknownSet(`address ${o.name} (ip-wildcard ${v.name})`, "a wildcard mask whose free bits make more than 4096 ranges is not modelled");
      if (!ranges) {
        this.ctx.diags.error(v, `address '${o.name}': '${v.name}' is not a valid ${kind} (${kind === "ip-range" ? "expected A-B with A <= B" : kind === "ip-wildcard" ? "expected ADDRESS/WILDCARD-MASK" : "expected an address or prefix"})`);
        return EMPTY();
      }
      const set = EMPTY();
      set[family].push(...ranges);
      return set;
    }
    const fqdn = lastValue(o, "fqdn");
    if (fqdn) return unknownSet(`address ${o.name} (fqdn ${fqdn.name})`, "an FQDN address is resolved by the firewall at run time");
    this.ctx.diags.warn(o, `address '${o.name}' has no ip-netmask, ip-range, ip-wildcard or fqdn; it matches nothing`);
    return EMPTY();
  }

  private groupOf(g: ConfigNode): AddrSet {
    const dynamic = child(g, "dynamic");
    if (dynamic) {
      const filter = lastValue(dynamic, "filter")?.name ?? "";
      return unknownSet(`address-group ${g.name} (dynamic ${filter})`.trim(), "a dynamic address group's members are tagged at run time");
    }
    // PAN-OS 7+: static members; 5/6: members directly under the group (leaves, unlike description/tag)
    const list = child(g, "static") ? members(g, "static") : kids(g).filter((c) => c.children.size === 0);
    const set = EMPTY();
    for (const m of list) {
      const v = this.resolve(m.name, m) ?? this.literal(m.name);
      if (v) add(set, v);
      else {
        undefinedRef(this.ctx, m, `address group '${g.name}': member '${m.name}' is not an address, address group or IP address`);
        set.other.push([{ kind: "unknown", text: `address ${m.name}`, reason: `undefined address ${m.name}` }]);
      }
    }
    return set;
  }
}

function add(into: AddrSet, v: AddrSet): void {
  into[4].push(...v[4]);
  into[6].push(...v[6]);
  into.other.push(...v.other);
}

function unknownSet(text: string, reason: string): AddrSet {
  return { 4: [], 6: [], other: [[{ kind: "unknown", text, reason }]] };
}

/** The alternatives a set of addresses is for one field: one address condition per family, and the unknowns. */
export function alternatives(set: AddrSet, field: "src" | "dst"): Condition[][] {
  const out: Condition[][] = [];
  for (const family of [4, 6] as const) {
    const ranges = mergeAddrRanges(set[family]);
    if (ranges.length === 0) continue;
    const whole = ranges.length === 1 && ranges[0]!.lo === 0n && ranges[0]!.hi === familyMax(family);
    out.push(whole ? [{ kind: "family", family }] : [{ kind: "family", family }, { kind: "addr", field, family, ranges }]);
  }
  out.push(...set.other);
  return out;
}

/** `A`, `A/len`, or `A-B` (ranges only when `rangeOnly`, and then only ranges). */
export function parseRange(text: string, family: Family, rangeOnly = false): AddrRange[] | undefined {
  const dash = text.indexOf("-");
  if (dash > 0 && !text.includes("/")) {
    const r = parseAddrRange(text, family);
    return r ? [r] : undefined;
  }
  if (rangeOnly) return undefined;
  const p = parseAddrSpec(text, family);
  if (!p.ok) return undefined;
  if ("range" in p) return [p.range];
  return p.ranges ?? undefined;
}

/**
 * `10.0.1.0/0.0.254.255`: the address with the wildcard mask's bits free (non-contiguous masks
 * exact); "too-many" when that takes more than 4096 ranges.
 */
function wildcard(text: string): AddrRange[] | "too-many" | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const family: Family = text.includes(":") ? 6 : 4;
  const a = parseIP(text.slice(0, slash), family);
  const m = parseIP(text.slice(slash + 1), family);
  if (a === null || m === null) return undefined;
  return maskRanges(a, familyMax(family) ^ m, family, 4096) ?? "too-many";
}
