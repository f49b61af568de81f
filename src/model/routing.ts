/**
 * Connected routes of a device whose interfaces the configuration describes (vendor exports): a
 * packet to a subnet connected to interface X leaves through X - a connected route is more
 * specific than the default route, and the device refuses overlapping interface subnets. On the
 * forward path a stage of implied rules drops the packets the model would otherwise send out of
 * another interface, so that an outbound list, a zone or a security level is judged for the
 * interface the packet really leaves through. It only takes packets away, so it can be the last
 * stage (after destination NAT, it sees the destination routing sees), where it does not split
 * every flow by interface before the filters run.
 */
import type { AddrRange, Chain, Condition, ConnectedSubnets, Family, Rule, SourceSpan } from "./types.js";

/**
 * The stage's chain for the given families (one chain for both, or one per family): per interface
 * and family, drop what is addressed to its subnets but leaves elsewhere (each rule located where
 * `spanFor` says the interface is, else at `span`). No policy: the rest passes on, and the filter
 * that admitted it keeps the credit. Undefined when no interface shows a subnet of the families.
 */
export function connectedRoutesChain(table: string, subnets: readonly ConnectedSubnets[], families: readonly Family[], span: SourceSpan, spanFor: (iface: string) => SourceSpan | undefined = () => undefined): Chain | undefined {
  const rules: Rule[] = [];
  for (const family of families) {
    for (const s of subnets) {
      if (s.family !== family || s.ranges.length === 0) continue;
      const conditions: Condition[] = [
        { kind: "addr", field: "dst", family, ranges: s.ranges },
        { kind: "iface", field: "oif", name: s.iface, prefix: false, negate: true },
      ];
      const why = `a subnet connected to ${s.iface}: routed out of ${s.iface}, never another interface`;
      rules.push({ id: `connected routes#${s.iface}${family === 6 ? "-v6" : ""}`, conditions, action: { kind: "drop" }, span: { ...(spanFor(s.iface) ?? span), text: why }, comment: why, implied: true });
    }
  }
  if (rules.length === 0) return undefined;
  return { name: families.length === 1 && families[0] === 6 ? "connected routes (ipv6)" : "connected routes", table, rules, span };
}

/**
 * What makes a packet's destination an address of the device that its configuration does not
 * show (one DHCP or PPP gives an interface): an unknown condition, in its family and outside
 * `others`, the subnets of the device's other interfaces, where it cannot lie (a device refuses
 * overlapping interface subnets) - so that the hosts of its LANs are not taken for it.
 */
export function obtainedAddressConditions(family: Family, others: readonly AddrRange[], unknown: Extract<Condition, { kind: "unknown" }>): Condition[] {
  return [others.length > 0 ? { kind: "addr", field: "dst", family, ranges: [...others], negate: true } : { kind: "family", family }, unknown];
}
