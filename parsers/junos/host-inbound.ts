/**
 * SRX `host-inbound-traffic`: which traffic to the device itself a zone's interfaces accept
 * (`system-services ssh`, `protocols bgp`, `all`, with `except` entries). `system-services all`
 * is every system service and no routing protocol; `protocols all` every routing protocol. Set on the zone or,
 * overriding it for one interface, under `security-zone Z interfaces IF`. On an SRX in flow mode,
 * traffic to the device on an interface not in any zone is dropped, except on the out-of-band
 * management port (fxp0, when the configuration has it), which zones do not govern.
 *
 * Becomes the last stage of the `inbound` pipeline: established sessions pass, then per interface
 * the services it accepts, then the chain policy drops.
 */
import type { Chain, Condition, Rule } from "../../src/model/types.js";
import { addChain, spanOf, type JunosContext } from "./context.js";
import { at, child, kids, type ConfigNode } from "./tree.js";
import { unitName, type Zone } from "./zones.js";

const tcp = (lo: number, hi = lo): Condition[] => [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[lo, hi]] }];
const udp = (lo: number, hi = lo): Condition[] => [{ kind: "proto", protos: [17] }, { kind: "port", field: "dport", ranges: [[lo, hi]] }];
const proto = (p: number): Condition[] => [{ kind: "proto", protos: [p] }];
const icmp = (family: 4 | 6, type: number): Condition[] => [{ kind: "proto", protos: [family === 4 ? 1 : 58] }, { kind: "icmp", family, type }];

/** What each system service and protocol admits (alternatives). */
const SERVICES: ReadonlyMap<string, Condition[][]> = new Map([
  ["ssh", [tcp(22)]], ["telnet", [tcp(23)]], ["http", [tcp(80)]], ["https", [tcp(443)]], ["ftp", [tcp(21)]],
  ["tftp", [udp(69)]], ["snmp", [udp(161)]], ["snmp-trap", [udp(162)]], ["ntp", [udp(123)]], ["dns", [udp(53), tcp(53)]],
  ["netconf", [tcp(830)]], ["xnm-clear-text", [tcp(3221)]], ["xnm-ssl", [tcp(3220)]], ["dhcp", [udp(67)]],
  ["bootp", [udp(67)]], ["dhcpv6", [udp(547)]], ["ike", [udp(500), udp(4500)]], ["finger", [tcp(79)]],
  ["rlogin", [tcp(513)]], ["rsh", [tcp(514)]], ["r2cp", [udp(28672)]], ["lsping", [udp(3503)]], ["sip", [udp(5060), tcp(5060)]],
  ["ident-reset", [tcp(113)]], ["rpm", [udp(7)]], ["traceroute", [udp(33434, 33534), icmp(4, 8), icmp(6, 128)]],
  ["ping", [icmp(4, 8), icmp(6, 128)]],
]);

const PROTOCOLS: ReadonlyMap<string, Condition[][]> = new Map([
  ["bgp", [tcp(179)]], ["ospf", [proto(89)]], ["ospf3", [proto(89)]], ["rip", [udp(520)]], ["ripng", [udp(521)]],
  ["bfd", [udp(3784, 3785), udp(4784)]], ["ldp", [tcp(646), udp(646)]], ["pim", [proto(103)]], ["vrrp", [proto(112)]],
  ["rsvp", [proto(46)]], ["igmp", [proto(2)]], ["msdp", [tcp(639)]], ["sap", [udp(9875)]],
  ["router-discovery", [icmp(4, 9), icmp(4, 10)]], ["ndp", [icmp(6, 133), icmp(6, 134), icmp(6, 135), icmp(6, 136), icmp(6, 137)]],
]);

export function buildHostInbound(ctx: JunosContext, zones: Map<string, Zone>): string | undefined {
  if (zones.size === 0) return undefined;
  const first = [...zones.values()][0]!.node;
  const chain: Chain = { name: "host-inbound-traffic", table: "security zones", rules: [], policy: "drop", span: spanOf(ctx, first) };
  chain.policySpan = spanOf(ctx, first);
  chain.rules.push({ id: "established sessions", conditions: [{ kind: "ctstate", states: ["established", "related"] }], action: { kind: "accept" }, span: spanOf(ctx, first) });
  const fxp0 = at(ctx.root, "interfaces", "fxp0");
  if (fxp0) chain.rules.push({ id: "management port fxp0", conditions: [{ kind: "iface", field: "iif", name: "fxp0", prefix: true }], action: { kind: "accept" }, span: spanOf(ctx, fxp0), comment: "out-of-band management is not governed by zones" });
  for (const z of zones.values()) {
    const zoneLevel = child(z.node, "host-inbound-traffic");
    for (const i of kids(child(z.node, "interfaces"))) {
      const own = child(i, "host-inbound-traffic");
      const settings = own ?? zoneLevel;
      if (!settings) continue;
      const iface = unitName(i.name);
      chain.rules.push(...serviceRules(ctx, z.name, iface, settings));
    }
  }
  return addChain(ctx, chain);
}

function serviceRules(ctx: JunosContext, zone: string, iface: string, settings: ConfigNode): Rule[] {
  const out: Rule[] = [];
  const onIface: Condition = { kind: "iface", field: "iif", name: iface, prefix: false };
  for (const [kind, table] of [["system-services", SERVICES], ["protocols", PROTOCOLS]] as const) {
    const entries = kids(child(settings, kind));
    // `except` entries are refusals that take effect before `all`
    const ordered = [...entries.filter((e) => child(e, "except")), ...entries.filter((e) => !child(e, "except"))];
    for (const e of ordered) {
      const except = child(e, "except") !== undefined;
      const id = `zone ${zone} ${iface} host-inbound ${kind} ${e.name}${except ? " except" : ""}`;
      const span = spanOf(ctx, e);
      const action = except ? { kind: "drop" as const } : { kind: "accept" as const };
      if (e.name === "all" || e.name === "any-service") {
        // every system service (not the routing protocols), or every routing protocol
        out.push({ id, conditions: [onIface, { kind: "or", anyOf: [...table.values()].flat() }], action, span });
        continue;
      }
      const alts = table.get(e.name);
      if (!alts) {
        ctx.diags.info(e, `host-inbound-traffic ${kind} '${e.name}' is not modelled; kept as an unknown condition`);
        out.push({ id, conditions: [onIface, { kind: "unknown", text: `${kind} ${e.name}`, reason: "host-inbound service not modelled" }], action, span });
        continue;
      }
      out.push({ id, conditions: [onIface, ...(alts.length === 1 ? alts[0]! : [{ kind: "or" as const, anyOf: alts }])], action, span });
    }
  }
  return out;
}
