/**
 * Aliases: pfSense's `<aliases><alias>` (name, type, members space-separated in `<address>`) and
 * OPNsense's MVC aliases `<OPNsense><Firewall><Alias><aliases><alias>` (members newline-separated
 * in `<content>`, `<enabled>0</enabled>` turns one off). Host and network aliases hold addresses,
 * CIDR networks, ranges `a-b` and other aliases (nesting, cycles refused); port aliases hold ports,
 * ranges `a-b` or `a:b` and other port aliases. URL, GeoIP, dynamic and other aliases whose members
 * are fetched at run time, and host names, are unknown conditions.
 */
import { servicePort } from "../../src/model/names.js";
import { parseAddrRange, parseAddrSpec } from "../../src/model/address.js";
import type { AddrRange, Condition, Family, PortRange } from "../../src/model/types.js";
import type { Diagnostics } from "../junos/statements.js";
import { child, childrenNamed, path, textOf, type At, type XmlNode } from "./reading.js";

export interface Alias {
  name: string;
  type: string;
  members: string[];
  at: At;
}

/** A set of addresses of one family: exact ranges, plus alternatives fwlint does not know exactly. */
export interface AddrSet {
  ranges: AddrRange[];
  other: Condition[][];
}

/** Ports: exact ranges, plus unknown alternatives. */
export interface PortSet {
  ranges: PortRange[];
  unknown: string[];
}

/** Alias types whose members are in the file (OPNsense `internal`/`external` tables are filled at run time). */
const ADDRESS_TYPES = new Set(["host", "network", "networkgroup"]);

export class Aliases {
  readonly byName = new Map<string, Alias>();

  constructor(root: XmlNode, private readonly diags: Diagnostics) {
    for (const a of childrenNamed(child(root, "aliases"), "alias")) {
      const name = textOf(a, "name");
      if (!name) {
        diags.error(a.at, "alias without <name>");
        continue;
      }
      this.byName.set(name, { name, type: textOf(a, "type") ?? "host", members: (textOf(a, "address") ?? "").split(/\s+/).filter(Boolean), at: a.at });
    }
    for (const a of childrenNamed(path(root, "OPNsense", "Firewall", "Alias", "aliases"), "alias")) {
      const name = textOf(a, "name");
      if (!name || textOf(a, "enabled") === "0") continue;
      this.byName.set(name, { name, type: textOf(a, "type") ?? "host", members: (textOf(a, "content") ?? "").split(/[\n,]+/).map((s) => s.trim()).filter(Boolean), at: a.at });
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * The addresses of `token` (an IP, CIDR, range or alias name) in `family`; undefined when it is
   * none of these (the caller reports it).
   */
  addresses(token: string, family: Family, seen: Set<string> = new Set()): AddrSet | undefined {
    const literal = literalAddress(token, family);
    if (literal !== undefined) return literal;
    const alias = this.byName.get(token);
    if (!alias) return undefined;
    if (!ADDRESS_TYPES.has(alias.type)) {
      return { ranges: [], other: [[{ kind: "unknown", text: `alias ${alias.name}`, reason: alias.type === "port" ? "a port alias used as an address" : `${alias.type} alias: its members are fetched at run time` }]] };
    }
    if (seen.has(token)) {
      this.diags.error(alias.at, `alias '${alias.name}' contains itself`);
      return { ranges: [], other: [] };
    }
    seen.add(token);
    const out: AddrSet = { ranges: [], other: [] };
    for (const m of alias.members) {
      const s = this.addresses(m, family, seen);
      if (s) {
        out.ranges.push(...s.ranges);
        out.other.push(...s.other);
      } else if (/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(m) || /^[A-Za-z][A-Za-z0-9-]*$/.test(m) && alias.type === "host" && !m.includes("_")) {
        out.other.push([{ kind: "unknown", text: `host name ${m} (alias ${alias.name})`, reason: "a host name is resolved at run time" }]);
      } else {
        this.diags.error(alias.at, `alias '${alias.name}': member '${m}' is not an IP address, a network, a range a-b or a defined alias`);
      }
    }
    seen.delete(token);
    return out;
  }

  /** The ports of `token` (a port, `a-b`, `a:b` or a port alias); undefined when it is none of these. */
  ports(token: string, seen: Set<string> = new Set()): PortSet | undefined {
    const r = portRange(token);
    if (r) return { ranges: [r], unknown: [] };
    const alias = this.byName.get(token);
    if (!alias) {
      // a well-known service name (OPNsense MVC rules take `https`, `ssh`, ...)
      const named = servicePort(token);
      return named === null ? undefined : { ranges: [[named, named]], unknown: [] };
    }
    if (alias.type !== "port") return { ranges: [], unknown: [`alias ${alias.name} (${alias.type})`] };
    if (seen.has(token)) {
      this.diags.error(alias.at, `alias '${alias.name}' contains itself`);
      return { ranges: [], unknown: [] };
    }
    seen.add(token);
    const out: PortSet = { ranges: [], unknown: [] };
    for (const m of alias.members) {
      const s = this.ports(m, seen);
      if (s) {
        out.ranges.push(...s.ranges);
        out.unknown.push(...s.unknown);
      } else this.diags.error(alias.at, `port alias '${alias.name}': member '${m}' is not a port, a range a-b or a defined port alias`);
    }
    seen.delete(token);
    return out;
  }
}

/** A port `80`, or a range `8000-9000` / `8000:9000` (pf's form). */
export function portRange(text: string): PortRange | undefined {
  const m = /^(\d{1,5})(?:\s*[-:]\s*(\d{1,5}))?$/.exec(text.trim());
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a > 65535 || b > 65535) return undefined;
  return a <= b ? [a, b] : [b, a];
}

/** An IP, a CIDR network or a range `a-b` of either family: its part in `family` (empty for the other family). */
export function literalAddress(token: string, family: Family): AddrSet | undefined {
  const other: Family = family === 4 ? 6 : 4;
  if (token.includes("-") && !token.includes("/")) {
    const r = parseAddrRange(token, family);
    if (r) return { ranges: [r], other: [] };
    if (parseAddrRange(token, other)) return { ranges: [], other: [] };
    return undefined;
  }
  const p = parseAddrSpec(token, family);
  if (p.ok) return { ranges: "range" in p ? [p.range] : p.ranges ?? [], other: [] };
  const q = parseAddrSpec(token, other);
  if (q.ok) return { ranges: [], other: [] };
  return undefined;
}
