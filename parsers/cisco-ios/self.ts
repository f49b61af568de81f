/**
 * The router's own addresses, as the first stage of the inbound path (traffic to the router).
 *
 * A packet to any other address is routed through the router: the forward path judges it, and the
 * inbound path must not report again, as traffic to the router, what an ingress ACL lets through
 * to the hosts behind it. So the stage accepts, per address line of a live interface (a shut-down
 * one carries nothing), packets to that address and drops the rest (its policy):
 * - `ip address A M [secondary]`, `ipv6 address X/LEN`, `ipv6 address X link-local`: that address;
 * - `standby|vrrp|glbp N ip A`: the redundancy group's virtual address (a packet to it reaches
 *   this router only while it is the active one, and is then for the router itself);
 * - `ipv6 address P/64 eui-64`: the prefix, with the interface identifier as an unknown condition
 *   (it comes from the MAC address);
 * - an address the file does not show (`ip address dhcp|negotiated`, `ipv6 address
 *   dhcp|autoconfig`, a general prefix): an unknown condition - the packet may or may not be for
 *   the router; neither "any" nor "nothing" (formats.md, pitfall 10) -, outside the subnets of
 *   the other interfaces.
 * IPv6 link-local addresses IOS derives by itself are left out: nothing from beyond the link
 * reaches them, and the checks ask about traffic from the Internet.
 *
 * The stage runs before the ingress ACLs, so that the ACL entry (or the self zone's policy) stays
 * the rule that admitted a packet (the last accepting filter stage decides).
 */
import { prefixRange } from "../../src/model/address.js";
import { obtainedAddressConditions } from "../../src/model/routing.js";
import type { AddrRange, Condition, Family, Rule } from "../../src/model/types.js";
import type { InterfaceAddress, IosInterface, Where } from "./config.js";
import { aclTable, type IosMapper } from "./mapper.js";

const NAME = "to the router";

/**
 * What makes a packet's destination this address. `connected`: the subnets of the other live
 * interfaces, where an address the file does not show cannot lie (IOS refuses overlapping
 * subnets), so that the hosts of the LANs are not taken for it.
 */
export function addressConditions(a: InterfaceAddress, iface: IosInterface, connected: readonly AddrRange[]): Condition[] {
  const text = a.where.text.trim();
  if (typeof a.addr !== "bigint") return obtainedAddressConditions(a.family, connected, { kind: "unknown", text, reason: `the address ${iface.name} obtains (${a.addr}) is not in the file` });
  if (!a.eui64 || a.prefix === undefined) return [{ kind: "addr", field: "dst", family: a.family, ranges: [{ lo: a.addr, hi: a.addr }] }];
  return [
    { kind: "addr", field: "dst", family: 6, ranges: [prefixRange(a.addr, a.prefix, 6)] },
    { kind: "unknown", text, reason: `the EUI-64 interface identifier of ${iface.name} comes from its MAC address` },
  ];
}

/** The subnets of the live interfaces other than `iface`, in one family. */
export function subnetsBesides(ifaces: readonly IosInterface[], iface: IosInterface, family: Family): AddrRange[] {
  const out: AddrRange[] = [];
  for (const i of ifaces) {
    if (i === iface || i.shutdown) continue;
    for (const a of i.addresses) if (a.family === family && typeof a.addr === "bigint" && a.prefix !== undefined) out.push(prefixRange(a.addr, a.prefix, family));
  }
  return out;
}

/** The inbound stage's chain key for one family. */
export function selfStage(m: IosMapper, ifaces: readonly IosInterface[], family: Family, w: Where, translated: readonly Rule[] = []): string {
  const rules: Rule[] = [];
  for (const iface of ifaces) {
    if (iface.shutdown) continue;
    const mine = iface.addresses.filter((a) => a.family === family);
    // the other interfaces' subnets, once per interface and only for an address the file does not show
    const connected = mine.some((a) => typeof a.addr !== "bigint") ? subnetsBesides(ifaces, iface, family) : [];
    mine.forEach((a, n) => {
      const id = `${NAME}#${iface.name}${mine.length > 1 ? `#${n + 1}` : ""}`;
      rules.push(m.rule(id, addressConditions(a, iface, connected), { kind: "accept" }, a.where, `an address of ${iface.name}`));
    });
  }
  // Addresses known exactly first, then EUI-64 prefixes, then unknown addresses: a packet to a
  // known address is traced through its own line, not through the assumption that an unknown
  // address is that one.
  const rank = (r: Rule) => (!r.conditions.some((c) => c.kind === "unknown") ? 0 : r.conditions.some((c) => c.kind === "addr" && !c.negate) ? 1 : 2);
  rules.sort((a, b) => rank(a) - rank(b));
  // what static NAT translates is forwarded before anything here sees it
  rules.unshift(...translated);
  const text = "not an address of the router: routed through it (the forward path)";
  const span = m.span({ ...w, text });
  return m.addChain({ name: NAME, table: aclTable(family), rules, policy: "drop", policySpan: span, span });
}
