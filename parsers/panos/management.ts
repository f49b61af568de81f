/**
 * What a PAN-OS firewall itself answers on its interfaces: the services an interface management
 * profile (`network profiles interface-management-profile P`, bound by `layer3
 * interface-management-profile P`) turns on - web interface (HTTP, HTTPS), SSH, Telnet, ping,
 * SNMP, User-ID, response pages - from its `permitted-ip` sources (any when none), as the inbound
 * path's chain: per interface, first match, and nothing else reaches the device (default deny).
 * The web interface is a device service: what reaches it is a way into the firewall.
 *
 * Not modelled: the security policy on traffic to the firewall's own addresses (the intrazone
 * rule of the interface's zone; `intrazone-default` allows it), so the inbound path may show more
 * than a policy that denies intrazone traffic lets in; the dedicated management port (not in the
 * dataplane's interfaces).
 */
import type { Chain, Condition, DeviceService, Rule } from "../../src/model/types.js";
import { child, kids, type ConfigNode } from "../junos/tree.js";
import { alternatives, parseRange, type AddrSet } from "./addresses.js";
import type { Iface } from "./network.js";
import { addChain, anyOf, isYes, spanOf, type Device, type PanosContext } from "./scope.js";

const TCP = 6;
const UDP = 17;

/** Profile keys and what each opens. */
const SERVICES: readonly { key: string; name: string; conditions: Condition[][] }[] = [
  { key: "https", name: "HTTPS (web interface)", conditions: [[{ kind: "proto", protos: [TCP] }, { kind: "port", field: "dport", ranges: [[443, 443]] }]] },
  { key: "http", name: "HTTP (web interface)", conditions: [[{ kind: "proto", protos: [TCP] }, { kind: "port", field: "dport", ranges: [[80, 80]] }]] },
  { key: "ssh", name: "SSH", conditions: [[{ kind: "proto", protos: [TCP] }, { kind: "port", field: "dport", ranges: [[22, 22]] }]] },
  { key: "telnet", name: "Telnet", conditions: [[{ kind: "proto", protos: [TCP] }, { kind: "port", field: "dport", ranges: [[23, 23]] }]] },
  { key: "snmp", name: "SNMP", conditions: [[{ kind: "proto", protos: [UDP] }, { kind: "port", field: "dport", ranges: [[161, 161]] }]] },
  { key: "ping", name: "ping", conditions: [[{ kind: "icmp", family: 4, type: 8 }], [{ kind: "icmp", family: 6, type: 128 }]] },
  { key: "response-pages", name: "response pages", conditions: [[{ kind: "proto", protos: [TCP] }, { kind: "port", field: "dport", ranges: [[6080, 6082]] }]] },
  { key: "http-ocsp", name: "HTTP OCSP", conditions: [[{ kind: "proto", protos: [TCP] }, { kind: "port", field: "dport", ranges: [[6080, 6080]] }]] },
  { key: "userid-service", name: "User-ID service", conditions: [[{ kind: "proto", protos: [TCP] }, { kind: "port", field: "dport", ranges: [[5007, 5007]] }]] },
  { key: "userid-syslog-listener-ssl", name: "User-ID syslog listener (SSL)", conditions: [[{ kind: "proto", protos: [TCP] }, { kind: "port", field: "dport", ranges: [[6514, 6514]] }]] },
  { key: "userid-syslog-listener-udp", name: "User-ID syslog listener (UDP)", conditions: [[{ kind: "proto", protos: [UDP] }, { kind: "port", field: "dport", ranges: [[514, 514]] }]] },
];

/** The inbound chain and the device services; undefined when no interface has a management profile. */
export function buildManagement(ctx: PanosContext, devices: readonly Device[], ifaces: Map<string, Iface>): { chain: string; services: DeviceService[] } | undefined {
  const profiles = new Map<string, ConfigNode>();
  for (const d of devices) for (const p of kids(child(child(d.network, "profiles"), "interface-management-profile"))) profiles.set(p.name, p);
  const rules: Rule[] = [];
  const web = new Map<string, { ports: [number, number][]; span: ConfigNode }>();
  for (const i of ifaces.values()) {
    const ref = i.managementProfile;
    if (!ref) continue;
    const p = profiles.get(ref.name);
    if (!p) {
      ctx.diags.error(ref, `interface ${i.name}: interface-management-profile '${ref.name}' is not defined under 'network profiles'`);
      continue;
    }
    const sources = permitted(ctx, p);
    for (const s of SERVICES) {
      if (!isYes(p, s.key)) continue;
      rules.push({ id: `${i.name} ${s.key}`, conditions: [{ kind: "iface", field: "iif", name: i.name, prefix: false }, ...sources, ...anyOf(s.conditions)], action: { kind: "accept" }, span: spanOf(ctx, ref), comment: `interface-management-profile ${p.name}: ${s.name}` });
      if (s.key === "https" || s.key === "http") {
        const w = web.get(i.name) ?? { ports: [], span: ref };
        w.ports.push(s.key === "https" ? [443, 443] : [80, 80]);
        web.set(i.name, w);
      }
    }
  }
  if (rules.length === 0) return undefined;
  const first = [...ifaces.values()].find((i) => i.managementProfile)!.managementProfile!;
  const chain: Chain = { name: "interface management", table: "management", rules, policy: "drop", span: spanOf(ctx, first), policySpan: spanOf(ctx, first), label: "the interface management profiles" };
  const services: DeviceService[] = [...web].map(([iface, w]) => ({ id: "panos-web", name: "PAN-OS web interface", protocol: 6, ports: w.ports, interfaces: [iface], span: spanOf(ctx, w.span) }));
  return { chain: addChain(ctx, chain), services };
}

/** A profile's `permitted-ip` sources as a condition (none: any source). */
function permitted(ctx: PanosContext, p: ConfigNode): Condition[] {
  const list = kids(child(p, "permitted-ip"));
  if (list.length === 0) return [];
  const set: AddrSet = { 4: [], 6: [], other: [] };
  for (const e of list) {
    const family = e.name.includes(":") ? 6 : 4;
    const r = parseRange(e.name, family);
    if (r) set[family].push(...r);
    else ctx.diags.error(e, `interface-management-profile '${p.name}': permitted-ip '${e.name}' is not an address or prefix`);
  }
  return anyOf(alternatives(set, "src"));
}
