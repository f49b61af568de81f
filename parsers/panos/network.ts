/**
 * A PAN-OS device's network side: interfaces (`network interface ethernet|aggregate-ethernet|vlan|
 * loopback|tunnel NAME`, their `layer3` addresses and `units`), the zones of a virtual system and
 * the interfaces in them, the virtual routers' static routes, and which interfaces face the
 * Internet: those of a zone named untrust, outside, internet, external or wan/wanN (any case), else
 * those that get their address from the provider (DHCP client, PPPoE), else those a default
 * route leaves through, else those with a public address.
 */
import { isPublicAddress } from "../../src/analysis/regions.js";
import { namesInternetZone } from "../internet-zones.js";
import { parseAddrSpec, parseIP } from "../../src/model/address.js";
import { egressOf, type StaticRoute } from "../../src/model/routing.js";
import type { AddrRange, ConnectedSubnets, Family } from "../../src/model/types.js";
import { child, kids, type ConfigNode } from "../junos/tree.js";
import { isYes, lastValue, lookup, members, type Device, type PanosContext } from "./scope.js";

export interface Iface {
  name: string;
  node: ConfigNode;
  /** Addresses with their subnets, per family. */
  addresses: { family: Family; address: bigint; subnet: AddrRange }[];
  /** The address comes from the provider (DHCP client, PPPoE). */
  providerAssigned: boolean;
  /** `interface-management-profile` name. */
  managementProfile: ConfigNode | undefined;
}

export interface Zone {
  name: string;
  node: ConfigNode;
  /** Interfaces in the zone (any layer: layer3, layer2, virtual-wire, tap, tunnel). */
  interfaces: ConfigNode[];
  /** An external zone: the other virtual systems (or shared gateways) it leads to. */
  external: ConfigNode[];
}

/**
 * Interfaces of the device, units included. An `ip` member may name an address object (of the
 * device's vsys or shared: `namespaces`).
 */
export function readInterfaces(ctx: PanosContext, device: Device, namespaces: readonly ConfigNode[]): Map<string, Iface> {
  const out = new Map<string, Iface>();
  const add = (name: string, node: ConfigNode, l3: ConfigNode | undefined) => {
    const iface: Iface = { name, node, addresses: [], providerAssigned: !!(child(l3, "dhcp-client") || child(l3, "pppoe")), managementProfile: lastValue(l3, "interface-management-profile") };
    for (const a of [...kids(child(l3, "ip")), ...kids(child(child(l3, "ipv6"), "address"))]) {
      const parsed = interfaceAddress(a.name) ?? objectAddress(namespaces, a.name);
      if (parsed) iface.addresses.push(parsed);
      else ctx.diags.warn(a, `interface ${name}: '${a.name}' is not an address with its prefix length, nor an address object with one`);
    }
    out.set(name, iface);
  };
  const iface = child(device.network, "interface");
  for (const kind of ["ethernet", "aggregate-ethernet"]) {
    for (const n of kids(child(iface, kind))) {
      const l3 = child(n, "layer3");
      add(n.name, n, l3);
      for (const unit of kids(child(l3, "units"))) add(unit.name, unit, unit);
      // a layer2 / virtual-wire port's subinterfaces
      for (const layer of ["layer2", "virtual-wire"]) for (const unit of kids(child(child(n, layer), "units"))) add(unit.name, unit, undefined);
    }
  }
  // vlan, loopback and tunnel are one interface each, with numbered units (vlan.10)
  for (const kind of ["vlan", "loopback", "tunnel"]) {
    const n = child(iface, kind);
    if (!n) continue;
    add(kind, n, n);
    for (const unit of kids(child(n, "units"))) add(unit.name, unit, unit);
  }
  return out;
}

function interfaceAddress(text: string): Iface["addresses"][number] | undefined {
  const family: Family = text.includes(":") ? 6 : 4;
  const slash = text.indexOf("/");
  const a = parseIP(slash < 0 ? text : text.slice(0, slash), family);
  const p = parseAddrSpec(text, family);
  if (a === null || !p.ok || !("range" in p)) return undefined;
  return { family, address: a, subnet: p.range };
}

function objectAddress(namespaces: readonly ConfigNode[], name: string): Iface["addresses"][number] | undefined {
  const o = lookup(namespaces, ["address"], name);
  const v = lastValue(o?.node, "ip-netmask");
  return v ? interfaceAddress(v.name) : undefined;
}

/** The zones of a virtual system (a Panorama device group has none). */
export function readZones(scopeNode: ConfigNode): Map<string, Zone> {
  const zones = new Map<string, Zone>();
  for (const z of kids(child(scopeNode, "zone"))) {
    const net = child(z, "network");
    const ifs = ["layer3", "layer2", "virtual-wire", "tap", "tunnel"].flatMap((k) => members(net, k));
    zones.set(z.name, { name: z.name, node: z, interfaces: ifs, external: members(net, "external") });
  }
  return zones;
}

export function connectedSubnets(ifaces: Iterable<Iface>): ConnectedSubnets[] {
  const out: ConnectedSubnets[] = [];
  for (const i of ifaces) {
    for (const family of [4, 6] as const) {
      const ranges = i.addresses.filter((a) => a.family === family).map((a) => a.subnet);
      if (ranges.length > 0) out.push({ iface: i.name, family, ranges });
    }
  }
  return out;
}

/**
 * Static routes of the device's virtual routers (`routing-table ip|ipv6 static-route`). `used`
 * is false when a routing protocol is enabled (it may learn more specific routes).
 */
export function staticRoutes(device: Device): { statics: StaticRoute[]; protocol: ConfigNode | undefined } {
  const statics: StaticRoute[] = [];
  let protocol: ConfigNode | undefined;
  for (const vr of kids(child(device.network, "virtual-router"))) {
    for (const p of kids(child(vr, "protocol"))) if (isYes(p, "enable") && !protocol) protocol = p;
    for (const [key, family] of [["ip", 4], ["ipv6", 6]] as const) {
      for (const r of kids(child(child(child(vr, "routing-table"), key), "static-route"))) {
        const dst = lastValue(r, "destination");
        const p = dst ? parseAddrSpec(dst.name, family) : undefined;
        if (!p || !p.ok || !("range" in p)) continue;
        const nh = child(r, "nexthop");
        // preference: the lower admin distance, and between equal ones the lower metric (a backup
        // default route of a dual-ISP setup has the same distance and a higher metric)
        const adminDist = Number(lastValue(r, "admin-dist")?.name ?? "10");
        const metric = Number(lastValue(r, "metric")?.name ?? "10");
        const distance = (Number.isFinite(adminDist) ? adminDist : 10) + (Number.isFinite(metric) ? Math.min(metric, 65535) : 10) / 65536;
        const ifName = lastValue(r, "interface")?.name;
        let via: StaticRoute["via"] = ifName;
        if (child(nh, "discard")) via = "discard";
        else if (!via) {
          const hop = lastValue(nh, family === 4 ? "ip-address" : "ipv6-address") ?? lastValue(nh, "ip-address");
          const a = hop ? parseIP(hop.name, family) : null;
          via = a === null ? undefined : a;
        }
        statics.push({ family, range: p.range, distance, via });
      }
    }
  }
  return { statics, protocol };
}

/** Interfaces facing the Internet (see the module comment); undefined when nothing tells. */
export function internetInterfaces(zones: readonly Zone[], ifaces: Map<string, Iface>, statics: readonly StaticRoute[], routed: readonly ConnectedSubnets[]): string[] | undefined {
  const named = zones.filter((z) => namesInternetZone(z.name)).flatMap((z) => z.interfaces.map((i) => i.name));
  if (named.length > 0) return [...new Set(named)];
  const provider = [...ifaces.values()].filter((i) => i.providerAssigned).map((i) => i.name);
  if (provider.length > 0) return provider;
  const byDefault = new Set<string>();
  for (const s of statics) {
    const full = s.family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
    if (s.range.lo !== 0n || s.range.hi !== full) continue;
    if (typeof s.via === "string" && s.via !== "discard") byDefault.add(s.via);
    if (typeof s.via === "bigint") {
      const out = egressOf(routed, s.family, s.via);
      if (out) byDefault.add(out);
    }
  }
  if (byDefault.size > 0) return [...byDefault];
  const pub = [...ifaces.values()].filter((i) => i.addresses.some((a) => a.family === 4 && isPublicAddress(a.address, 4))).map((i) => i.name);
  return pub.length > 0 ? pub : undefined;
}
