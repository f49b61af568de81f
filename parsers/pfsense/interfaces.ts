/**
 * pfSense / OPNsense interfaces (`<interfaces><wan|lan|optN>`): the internal id rules name, the
 * device, static addresses and subnets per family (`<ipaddr>`/`<subnet>`, `<ipaddrv6>`/`<subnetv6>`;
 * `dhcp`, `pppoe`, `dhcp6`, `track6`, `slaac` ... are obtained at run time: unknown), the automatic
 * blocks (`<blockpriv>`, `<blockbogons>`), interface groups (`<ifgroups>`), gateways and static routes,
 * and which interfaces face the Internet (`wan`, and those with a gateway or a dynamic address).
 */
import { parseIP, prefixRange } from "../../src/model/address.js";
import type { StaticRoute } from "../../src/model/routing.js";
import type { AddrRange, ConnectedSubnets, Family } from "../../src/model/types.js";
import type { Diagnostics } from "../junos/statements.js";
import { child, childrenNamed, path, present, textOf, type XmlNode } from "./reading.js";

export interface Iface {
  id: string;
  node: XmlNode;
  device: string | undefined;
  descr: string | undefined;
  /** Static address and subnet per family. */
  address: Partial<Record<Family, bigint>>;
  subnet: Partial<Record<Family, AddrRange>>;
  /** How an address not in the file is obtained (dhcp, pppoe, track6 ...), per family. */
  dynamic: Partial<Record<Family, string>>;
  blockpriv: XmlNode | undefined;
  blockbogons: XmlNode | undefined;
  gateway: string | undefined;
}

/** Names pfSense uses for interfaces outside `<interfaces>` (VPN and PPP servers' interface tabs). */
export const PSEUDO_INTERFACES = new Set(["openvpn", "ipsec", "enc0", "l2tp", "pppoe", "wireguard", "any", "lo0"]);

export function readInterfaces(root: XmlNode, diags: Diagnostics): Map<string, Iface> {
  const out = new Map<string, Iface>();
  const opnsense = root.name === "opnsense";
  for (const n of child(root, "interfaces")?.children ?? []) {
    // an interface without <enable> is not in pf's interface list: no rules, no addresses, no traffic
    const enable = child(n, "enable");
    if (!enable || (opnsense && (enable.text.trim() === "0"))) {
      diags.info(n.at, `interface '${n.name}' is not enabled (no <enable>): it carries no traffic and its rules are not used`);
      continue;
    }
    const iface: Iface = {
      id: n.name,
      node: n,
      device: textOf(n, "if"),
      descr: textOf(n, "descr"),
      address: {},
      subnet: {},
      dynamic: {},
      blockpriv: present(n, "blockpriv") ? child(n, "blockpriv") : undefined,
      blockbogons: present(n, "blockbogons") ? child(n, "blockbogons") : undefined,
      gateway: textOf(n, "gateway") || undefined,
    };
    for (const [family, a, s] of [[4, "ipaddr", "subnet"], [6, "ipaddrv6", "subnetv6"]] as const) {
      const addrNode = child(n, a);
      const text = addrNode?.text ?? "";
      if (text === "") continue;
      const ip = parseIP(text, family);
      if (ip === null) {
        if (/^[a-z][a-z0-9_-]*$/i.test(text)) iface.dynamic[family] = text;
        else diags.error(addrNode!.at, `interface '${n.name}': <${a}> '${text}' is not an IPv${family} address nor a method such as ${family === 4 ? "dhcp or pppoe" : "dhcp6, slaac or track6"}`);
        continue;
      }
      const bitsText = textOf(n, s) ?? "";
      const bits = Number(bitsText);
      const max = family === 4 ? 32 : 128;
      if (bitsText === "" || !Number.isInteger(bits) || bits < 0 || bits > max) {
        diags.error(child(n, s)?.at ?? addrNode!.at, `interface '${n.name}': <${s}> '${bitsText}' is not a prefix length 0-${max}`);
        iface.address[family] = ip;
        continue;
      }
      iface.address[family] = ip;
      iface.subnet[family] = prefixRange(ip, bits, family);
    }
    out.set(n.name, iface);
  }
  return out;
}

/** Interface groups (`<ifgroups><ifgroupentry><ifname>G</ifname><members>lan opt1</members>`). */
export function readGroups(root: XmlNode): Map<string, { node: XmlNode; members: string[] }> {
  const out = new Map<string, { node: XmlNode; members: string[] }>();
  for (const e of childrenNamed(child(root, "ifgroups"), "ifgroupentry")) {
    const name = textOf(e, "ifname");
    // pfSense separates members with spaces, OPNsense with commas
    if (name) out.set(name, { node: e, members: (textOf(e, "members") ?? "").split(/[\s,]+/).filter(Boolean) });
  }
  return out;
}

export function connectedSubnets(ifaces: Iterable<Iface>): ConnectedSubnets[] {
  const out: ConnectedSubnets[] = [];
  for (const i of ifaces) for (const family of [4, 6] as const) {
    const s = i.subnet[family];
    if (s) out.push({ iface: i.id, family, ranges: [s] });
  }
  return out;
}

/** Static routes (`<staticroutes><route>`): their gateway (`<gateways><gateway_item>`) names the interface. */
export function staticRoutes(root: XmlNode, ifaces: Map<string, Iface>): StaticRoute[] {
  const gateways = new Map<string, string>();
  for (const g of childrenNamed(child(root, "gateways"), "gateway_item")) {
    const name = textOf(g, "name");
    const iface = textOf(g, "interface");
    if (name && iface) gateways.set(name, iface);
  }
  const out: StaticRoute[] = [];
  for (const r of childrenNamed(child(root, "staticroutes"), "route")) {
    if (present(r, "disabled")) continue;
    const net = textOf(r, "network") ?? "";
    const slash = net.indexOf("/");
    const family: Family = net.includes(":") ? 6 : 4;
    const a = parseIP(slash === -1 ? net : net.slice(0, slash), family);
    const bits = slash === -1 ? (family === 4 ? 32 : 128) : Number(net.slice(slash + 1));
    if (a === null || !Number.isInteger(bits)) continue;
    const gw = gateways.get(textOf(r, "gateway") ?? "");
    out.push({ family, range: prefixRange(a, bits, family), distance: 1, via: gw !== undefined && ifaces.has(gw) ? gw : undefined });
  }
  return out;
}

/** `wan`, and the interfaces with an upstream gateway or a dynamic (provider-assigned) address. */
export function internetInterfaces(ifaces: Map<string, Iface>): string[] | undefined {
  const out = [...ifaces.values()].filter((i) => i.id === "wan" || i.gateway !== undefined || /^(dhcp|pppoe|pptp|l2tp)$/.test(i.dynamic[4] ?? "")).map((i) => i.id);
  return out.length > 0 ? out : undefined;
}

/** The webGUI settings (`<system><webgui>`): protocol and port, and whether the anti-lockout rule is off. */
export function webgui(root: XmlNode): { node: XmlNode | undefined; https: boolean; port: number; antiLockout: boolean; redirect: boolean } {
  const node = path(root, "system", "webgui");
  const https = (textOf(node, "protocol") ?? "https") !== "http";
  const n = Number(textOf(node, "port") ?? "");
  const port = Number.isInteger(n) && n > 0 && n <= 65535 ? n : https ? 443 : 80;
  return { node, https, port, antiLockout: !present(node, "noantilockout") && !present(path(root, "system"), "noantilockout"), redirect: https && !present(node, "disablehttpredirect") };
}

/** The SSH daemon's port when it is on (`<system><ssh><enable>`), for the anti-lockout rule. */
export function sshPort(root: XmlNode): number | undefined {
  const ssh = path(root, "system", "ssh");
  const enable = textOf(ssh, "enable") ?? textOf(ssh, "enabled");
  if (enable === undefined || enable === "0" || enable === "disabled") return undefined;
  const n = Number(textOf(ssh, "port") ?? "");
  return Number.isInteger(n) && n > 0 && n <= 65535 ? n : 22;
}
