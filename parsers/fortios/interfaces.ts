/**
 * FortiOS interfaces (`config system interface`, device-wide), zones (`config system zone`, per
 * VDOM) and static routes (`config router static`): which VDOM an interface belongs to, its
 * addresses and connected subnets, which management services it answers (`allowaccess`), and
 * which interfaces face the Internet (`set role wan`, else those named wanN, else those a default
 * route leaves through, else those with a public address).
 */
import { isPublicAddress } from "../../src/analysis/regions.js";
import { parseAddrSpec, parseIP } from "../../src/model/address.js";
import { staticRoutesUnused, type StaticRoute } from "../../src/model/routing.js";
import type { AddrRange, ConnectedSubnets, Family } from "../../src/model/types.js";
import { enabled, valueOf, valuesOf, type Container, type Entry, type Token } from "./reader.js";
import type { FortiosContext, Vdom } from "./scope.js";

export interface Iface {
  name: string;
  entry: Entry;
  vdom: string | undefined;
  /** The interface's own addresses and connected subnets, per family. */
  addresses: Record<Family, bigint[]>;
  subnets: Record<Family, AddrRange[]>;
  allowaccess: Token[];
  allowaccess6: Token[];
  role: string | undefined;
}

export interface Zone {
  name: string;
  entry: Entry;
  members: string[];
  intrazoneAllow: boolean;
}

export function readInterfaces(ctx: FortiosContext): Map<string, Iface> {
  const out = new Map<string, Iface>();
  for (const e of ctx.global.blocks.get("system interface")?.entries ?? []) {
    const iface: Iface = { name: e.key, entry: e, vdom: valueOf(e, "vdom"), addresses: { 4: [], 6: [] }, subnets: { 4: [], 6: [] }, allowaccess: valuesOf(e, "allowaccess"), allowaccess6: [], role: valueOf(e, "role") };
    const ips = [valuesOf(e, "ip"), ...(e.blocks.get("secondaryip")?.entries ?? []).map((s) => valuesOf(s, "ip"))];
    for (const words of ips) addAddress(ctx, iface, words, 4);
    const v6 = e.blocks.get("ipv6");
    if (v6) {
      addAddress(ctx, iface, valuesOf(v6, "ip6-address"), 6);
      for (const extra of v6.blocks.get("ip6-extra-addr")?.entries ?? []) addAddress(ctx, iface, [extra.keyToken], 6);
      iface.allowaccess6 = valuesOf(v6, "ip6-allowaccess");
    }
    out.set(e.key, iface);
  }
  return out;
}

function addAddress(ctx: FortiosContext, iface: Iface, words: Token[], family: Family): void {
  if (words.length === 0) return;
  const spec = family === 4 && words.length >= 2 ? `${words[0]!.text}/${words[1]!.text}` : words[0]!.text;
  if (spec === "0.0.0.0/0.0.0.0" || spec === "::/0") return; // unset
  const p = parseAddrSpec(spec, family);
  const slash = spec.indexOf("/");
  const a = parseIP(slash === -1 ? spec : spec.slice(0, slash), family);
  if (!p.ok || !("range" in p) || a === null) {
    ctx.diags.error(words[0]!, `interface '${iface.name}': '${words.map((w) => w.text).join(" ")}' is not an IPv${family} address with its ${family === 4 ? "mask" : "prefix length"}`);
    return;
  }
  iface.addresses[family].push(a);
  iface.subnets[family].push(p.range);
}

/** The interfaces of one VDOM (all of them for a device without VDOMs). */
export function vdomInterfaces(all: Map<string, Iface>, vdom: Vdom, single: boolean): Iface[] {
  return [...all.values()].filter((i) => single || i.vdom === vdom.name);
}

export function readZones(vdom: Vdom): Map<string, Zone> {
  const zones = new Map<string, Zone>();
  for (const e of vdom.blocks.blocks.get("system zone")?.entries ?? []) {
    zones.set(e.key, { name: e.key, entry: e, members: valuesOf(e, "interface").map((t) => t.text), intrazoneAllow: valueOf(e, "intrazone") === "allow" });
  }
  return zones;
}

/** Names a policy may use as an interface besides `system interface` entries: tunnels and the SSL VPN interface. */
export function otherInterfaceNames(vdom: Vdom): Set<string> {
  const names = new Set<string>([`ssl.${vdom.name}`, "virtual-wan-link", "sdwan"]);
  for (const path of ["vpn ipsec phase1-interface", "vpn ipsec phase1"]) for (const e of vdom.blocks.blocks.get(path)?.entries ?? []) names.add(e.key);
  for (const zone of vdom.blocks.blocks.get("system sdwan")?.blocks.get("zone")?.entries ?? []) names.add(zone.key);
  for (const zone of vdom.blocks.blocks.get("system virtual-wan-link")?.blocks.get("zone")?.entries ?? []) names.add(zone.key);
  return names;
}

export function connectedSubnets(ifaces: readonly Iface[]): ConnectedSubnets[] {
  const out: ConnectedSubnets[] = [];
  for (const i of ifaces) for (const family of [4, 6] as const) if (i.subnets[family].length > 0) out.push({ iface: i.name, family, ranges: i.subnets[family] });
  return out;
}

/** Static routes of a VDOM (`config router static` / `static6`), unless a routing protocol may learn more specific ones. */
export function staticRoutes(ctx: FortiosContext, vdom: Vdom): { statics: StaticRoute[]; used: boolean } {
  const statics: StaticRoute[] = [];
  for (const [path, family] of [["router static", 4], ["router static6", 6]] as const) {
    for (const e of vdom.blocks.blocks.get(path)?.entries ?? []) {
      if (valueOf(e, "status") === "disable") continue;
      const dst = valuesOf(e, "dst");
      const spec = dst.length === 0 ? (family === 4 ? "0.0.0.0/0" : "::/0") : family === 4 && dst.length >= 2 ? `${dst[0]!.text}/${dst[1]!.text}` : dst[0]!.text;
      const p = parseAddrSpec(spec, family);
      if (!p.ok || !("range" in p)) continue;
      const distance = Number(valueOf(e, "distance") ?? "10");
      const device = valueOf(e, "device");
      const via: StaticRoute["via"] = enabled(e, "blackhole") ? "discard" : device ?? (() => {
        const gw = valueOf(e, "gateway");
        const a = gw === undefined ? null : parseIP(gw, family);
        return a === null ? undefined : a;
      })();
      statics.push({ via, family, range: p.range, distance: Number.isFinite(distance) ? distance : 10 });
    }
  }
  const protocol = ["router bgp", "router ospf", "router ospf6", "router rip", "router isis"].find((p) => learns(vdom.blocks.blocks.get(p)));
  if (statics.length > 0 && protocol) {
    ctx.diags.info(vdom.blocks.blocks.get(protocol)!.at, staticRoutesUnused(`config ${protocol}`));
    return { statics, used: false };
  }
  return { statics, used: statics.length > 0 };
}

/** Does a routing protocol block configure anything that learns routes (neighbors, areas, networks)? */
function learns(b: Container | undefined): boolean {
  if (!b) return false;
  return ["neighbor", "area", "network", "neighbor-group"].some((k) => (b.blocks.get(k)?.entries.length ?? 0) > 0);
}

/** Interfaces facing the Internet, by the device's own word where it gives one. */
export function internetInterfaces(ifaces: readonly Iface[], statics: readonly StaticRoute[]): string[] | undefined {
  const wan = ifaces.filter((i) => i.role === "wan").map((i) => i.name);
  if (wan.length > 0) return wan;
  const named = ifaces.filter((i) => /^wan\d*$/i.test(i.name)).map((i) => i.name);
  if (named.length > 0) return named;
  const byDefault = statics.filter((s) => s.range.lo === 0n && s.distance < 255 && ((s.family === 4 && s.range.hi === 0xffffffffn) || (s.family === 6 && s.range.hi === (1n << 128n) - 1n)) && typeof s.via === "string" && s.via !== "discard").map((s) => s.via as string);
  const known = new Set(ifaces.map((i) => i.name));
  const defaults = [...new Set(byDefault)].filter((n) => known.has(n));
  if (defaults.length > 0) return defaults;
  const pub = ifaces.filter((i) => i.addresses[4].some((a) => isPublicAddress(a, 4))).map((i) => i.name);
  return pub.length > 0 ? pub : undefined;
}
