/**
 * Security zones and the interfaces in them, interface addresses, and which interfaces face the
 * Internet by default: those of a zone named for it (untrust, outside, internet, external, wan/wanN; any
 * case: internet-zones.ts), otherwise those with a public address. Interfaces are logical units
 * (`ge-0/0/0.0`); a bare `ge-0/0/0` means unit 0.
 */
import type { Condition } from "../../src/model/types.js";
import type { ConnectedSubnets } from "../../src/model/types.js";
import { parsePrefix } from "./addresses.js";
import type { JunosContext } from "./context.js";
import { at, child, kids, values, type ConfigNode } from "./tree.js";
import { namesInternetZone } from "../internet-zones.js";

/** `ge-0/0/0` -> `ge-0/0/0.0`; names with a unit stay as they are. */
export function unitName(name: string): string {
  return name.includes(".") ? name : `${name}.0`;
}

export interface Zone {
  name: string;
  node: ConfigNode;
  interfaces: string[];
}

/**
 * The zones and their interface units. In a complete configuration, a zone interface that the
 * `interfaces` hierarchy does not define is an error (the zone cannot receive traffic on it).
 */
export function readZones(ctx: JunosContext): Map<string, Zone> {
  const zones = new Map<string, Zone>();
  const defined = child(ctx.root, "interfaces");
  for (const z of kids(at(ctx.root, "security", "zones", "security-zone"))) {
    const ifs = kids(child(z, "interfaces"));
    if (ctx.complete && defined) {
      for (const i of ifs) {
        const unit = unitName(i.name);
        const dot = unit.lastIndexOf(".");
        const ifd = child(defined, unit.slice(0, dot));
        if (!ifd || !child(child(ifd, "unit"), unit.slice(dot + 1))) ctx.diags.error(i, `zone ${z.name}: interface ${unit} is not defined under 'interfaces'`);
      }
    }
    zones.set(z.name, { name: z.name, node: z, interfaces: ifs.map((i) => unitName(i.name)) });
  }
  return zones;
}

/**
 * The packets of a zone on one side (`iif`: entering from it, `oif`: leaving into it). A zone the
 * file does not declare is an unknown condition (its interfaces are not known here).
 */
export function zoneCondition(ctx: JunosContext, zones: Map<string, Zone>, name: string, field: "iif" | "oif", ref: { line: number; column: number }): Condition[] {
  const z = zones.get(name);
  if (!z && ctx.standInZones?.has(name)) return [{ kind: "iface", field, name: zoneStandIn(name), prefix: false }];
  if (!z) {
    if (zones.size > 0) ctx.diags.warn(ref, `zone '${name}' is not defined under 'security zones'`);
    return [{ kind: "unknown", text: `${field === "iif" ? "from-zone" : "to-zone"} ${name}`, reason: `the interfaces of zone ${name} are not in this configuration` }];
  }
  if (z.interfaces.length === 1) return [{ kind: "iface", field, name: z.interfaces[0]!, prefix: false }];
  return [{ kind: "or", anyOf: z.interfaces.map((i) => [{ kind: "iface", field, name: i, prefix: false }]) }];
}

const PRIVATE_V4: [string, number][] = [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24],
  ["203.0.113.0", 24], ["224.0.0.0", 3],
];

function isPublicAddress(text: string): boolean {
  const p = parsePrefix(text);
  if (!p) return false;
  const a = p.range.lo;
  if (p.family === 6) return a >> 125n === 1n && a >> 96n !== 0x20010db8n;
  return !PRIVATE_V4.some(([net, len]) => {
    const n = parsePrefix(`${net}/${len}`)!;
    return a >= n.range.lo && a <= n.range.hi;
  });
}

/**
 * How a family gets an address the file does not show, from the provider: a DHCP client (`dhcp`,
 * or `dhcp-client` in older releases; `dhcpv6-client`), PPP's `negotiate-address`, or IPv6
 * autoconfiguration. An interface so configured is the usual WAN of a branch SRX.
 */
const PROVIDER_ASSIGNED: Readonly<Record<"inet" | "inet6", readonly string[]>> = {
  inet: ["dhcp", "dhcp-client", "negotiate-address"],
  inet6: ["dhcpv6-client", "dhcp", "autoconfig", "negotiate-address"],
};

/**
 * Interface units with an inet/inet6 address outside private, shared and documentation space, or
 * one the provider assigns (see PROVIDER_ASSIGNED).
 */
export function publicInterfaces(root: ConfigNode): string[] {
  const out: string[] = [];
  for (const ifd of kids(at(root, "interfaces"))) {
    for (const unit of kids(child(ifd, "unit"))) {
      const fams = child(unit, "family");
      const assigned = (f: "inet" | "inet6") => providerAssignment(unit, f) !== undefined;
      const faces = (f: "inet" | "inet6") => assigned(f) || kids(at(fams, f, "address")).some((a) => isPublicAddress(a.name));
      // A unit with IPv4 is decided by it: a LAN's global IPv6 prefix does not make it an uplink.
      const hasV4 = kids(at(fams, "inet", "address")).length > 0 || assigned("inet");
      if (hasV4 ? faces("inet") : faces("inet6")) out.push(`${ifd.name}.${unit.name}`);
    }
  }
  return out;
}

/**
 * The subnets of each interface unit's addresses (`family inet|inet6 address A/LEN`): its
 * connected routes. Disabled interfaces and units carry nothing.
 */
export function connectedSubnets(root: ConfigNode): (ConnectedSubnets & { at: ConfigNode })[] {
  const out: (ConnectedSubnets & { at: ConfigNode })[] = [];
  for (const { name, unit } of liveUnits(root)) {
    for (const [f, family] of [["inet", 4], ["inet6", 6]] as const) {
      const addresses = kids(at(unit, "family", f, "address"));
      const ranges = addresses.flatMap((a) => {
        const p = parsePrefix(a.name);
        return p && p.family === family ? [p.range] : [];
      });
      if (ranges.length > 0) out.push({ iface: name, family, ranges, at: addresses[0]! });
    }
  }
  return out;
}

/** The interface units that are not disabled (nor is their interface), with their names (`ge-0/0/0.0`). */
export function liveUnits(root: ConfigNode): { name: string; unit: ConfigNode }[] {
  const out: { name: string; unit: ConfigNode }[] = [];
  for (const ifd of kids(at(root, "interfaces"))) {
    if (child(ifd, "disable")) continue;
    for (const unit of kids(child(ifd, "unit"))) if (!child(unit, "disable")) out.push({ name: `${ifd.name}.${unit.name}`, unit });
  }
  return out;
}

/** The statement by which a unit gets its address of a family from the provider (see PROVIDER_ASSIGNED), if any. */
export function providerAssignment(unit: ConfigNode, f: "inet" | "inet6"): ConfigNode | undefined {
  const fam = at(unit, "family", f);
  return PROVIDER_ASSIGNED[f].map((k) => child(fam, k)).find((n) => n !== undefined);
}

/**
 * Every interface unit of the device that carries traffic in or out, when the file declares its
 * interfaces (the `interfaces` hierarchy, interface ranges and groups expanded): the units there
 * that route (family inet or inet6) and those the zones name, but the loopback's.
 * Undefined for a fragment without interfaces, or an excerpt with one unit (a device that forwards
 * nothing but hairpins): any name may then carry traffic.
 */
export function declaredInterfaces(root: ConfigNode, zones: Map<string, Zone>): string[] | undefined {
  const ifds = kids(at(root, "interfaces"));
  if (ifds.length === 0) return undefined;
  const out = new Set<string>();
  // a unit routes with family inet or inet6 (an ethernet-switching port does not); a zone's
  // units carry what the zone's policies judge (in transparent mode too)
  for (const ifd of ifds) {
    for (const unit of kids(child(ifd, "unit"))) if (at(unit, "family", "inet") || at(unit, "family", "inet6")) out.add(`${ifd.name}.${unit.name}`);
  }
  for (const z of zones.values()) for (const i of z.interfaces) out.add(i);
  if (out.size <= 1) return undefined;
  // the loopback carries nothing in or out: a packet to its address arrives on another unit
  const carriers = [...out].filter((n) => !n.startsWith("lo0."));
  return carriers.length > 0 ? carriers : undefined;
}

/** The interface a zone of a policy file without `security zones` stands for (see policyFileZones): `zone:trust`. */
export function zoneStandIn(name: string): string {
  return `zone:${name}`;
}

/**
 * The zones a policy file without `security zones` names - capirca's and aerleon's generated SRX
 * policies, a policy section pasted on its own - when the name of one says it faces the Internet
 * (untrust, outside, internet, external, wan/wanN, as in a complete configuration: see
 * internet-zones.ts): then each zone is taken as one interface of its own (zoneStandIn), packets
 * enter and leave on those only, and those zones' face the Internet. A stranger's connection then
 * arrives in untrust and a trust-to-untrust policy lets out, not in. Without such a zone the file
 * does not tell where strangers arrive: undefined, and the zones stay unknown conditions. The
 * device's own zone, junos-host, is no interface.
 */
export function policyFileZones(root: ConfigNode, zones: Map<string, Zone>): string[] | undefined {
  if (zones.size > 0 || at(root, "security", "zones")) return undefined;
  const names = new Set<string>();
  const policies = at(root, "security", "policies");
  for (const from of kids(child(policies, "from-zone"))) {
    names.add(from.name);
    for (const to of kids(child(from, "to-zone"))) names.add(to.name);
  }
  for (const p of kids(child(child(policies, "global"), "policy"))) {
    for (const key of ["from-zone", "to-zone"]) for (const z of values(child(p, "match"), key)) names.add(z.name);
  }
  const nat = at(root, "security", "nat");
  for (const kind of ["source", "destination", "static"]) {
    for (const rs of kids(child(child(nat, kind), "rule-set"))) for (const end of ["from", "to"]) for (const z of kids(child(child(rs, end), "zone"))) names.add(z.name);
  }
  names.delete("any");
  names.delete("junos-host");
  return [...names].some(namesInternetZone) ? [...names] : undefined;
}

/** Interfaces facing the Internet in a policy file's stand-in zones (see policyFileZones). */
export function standInInternetInterfaces(zones: readonly string[]): string[] {
  return zones.filter(namesInternetZone).map(zoneStandIn);
}

export function defaultInternetInterfaces(root: ConfigNode, zones: Map<string, Zone>): string[] | undefined {
  const named = [...zones.values()].filter((z) => namesInternetZone(z.name)).flatMap((z) => z.interfaces);
  if (named.length > 0) return named;
  const pub = publicInterfaces(root);
  return pub.length > 0 ? pub : undefined;
}
