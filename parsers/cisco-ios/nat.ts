/**
 * Static NAT (`ip nat inside source static`, NVI `ip nat source static`) as the forward path's
 * dstnat stage: a packet arriving on an outside interface (`ip nat outside`; with NVI, any
 * `ip nat enable` interface) for a global address (and port) is translated to the inside one.
 * IOS translates outside-to-inside after the inbound ACL of the outside interface (which sees the
 * global address) and before routing, the outbound ACL and the zone-based firewall (which see the
 * inside address): the stage sits between the ingress and egress stages.
 *
 * A translated packet is forwarded, not delivered to the router even when the global address is
 * the router's own (`interface Dialer0`): the inbound path drops it first (see selfStage).
 * IPv4 only; `static network` maps the global subnet onto the inside one address by address.
 */
import type { Condition, Rule } from "../../src/model/types.js";
import type { IosConfig, IosInterface, StaticNat } from "./config.js";
import type { IosMapper } from "./mapper.js";
import { addressConditions, subnetsBesides } from "./self.js";

const TABLE = "ip nat";
const CHAIN = "inside source static";

/** The dstnat chain (undefined when nothing is translated), and each translation's match for the inbound path. */
export function staticNatStage(m: IosMapper, cfg: IosConfig): { chain?: string; translated: Rule[] } {
  const rules: Rule[] = [];
  const translated: Rule[] = [];
  const facing = (nat: "outside" | "enable") => cfg.interfaces.filter((i) => !i.shutdown && i.nat === nat).map((i) => i.name);
  const outsideOf = { classic: facing("outside"), nvi: facing("enable") };
  let reported = false;
  for (const n of cfg.staticNat) {
    const outside = n.nvi ? outsideOf.nvi : outsideOf.classic;
    if (cfg.interfaces.length > 0 && outside.length === 0) {
      if (!reported) m.info(n.where, `no interface has 'ip nat ${n.nvi ? "enable" : "outside"}': IOS translates nothing with this static NAT (nor the other ones of its kind)`);
      reported = true;
      continue;
    }
    const global = globalConditions(m, cfg, n);
    if (!global) continue;
    const conds: Condition[] = [];
    if (outside.length > 0) conds.push(outside.length === 1 ? { kind: "iface", field: "iif", name: outside[0]!, prefix: false } : { kind: "or", anyOf: outside.map((name) => [{ kind: "iface", field: "iif", name, prefix: false }]) });
    conds.push(...global);
    if (n.proto !== undefined) conds.push({ kind: "proto", protos: [n.proto] }, { kind: "port", field: "dport", ranges: [[n.globalPort!, n.globalPort!]] });
    for (const u of n.unknowns) conds.push({ kind: "unknown", text: u.text, reason: u.reason });
    const size = n.local.hi - n.local.lo + 1n;
    const map = n.global.kind === "addr" && size > 1n ? { map: { kind: "offset" as const, from: n.global.range.lo } } : {};
    const id = `${CHAIN}#${n.where.line}`;
    rules.push(m.rule(id, conds, { kind: "dnat", to: { addr: n.local, family: 4, ...(n.localPort !== undefined ? { ports: [n.localPort, n.localPort] } : {}), ...map }, target: "static NAT" }, n.where));
    const why = `translated by the static NAT of line ${n.where.line}: forwarded to the inside host, not for the router`;
    translated.push(m.impliedRule(`to the router#nat-${n.where.line}`, conds, { kind: "drop" }, n.where, why));
  }
  if (rules.length === 0) return { translated };
  const chain = m.addChain({ name: CHAIN, table: TABLE, rules, policy: "accept", span: m.span({ ...cfg.staticNat[0]!.where, text: "(IOS static NAT)" }) });
  return { chain, translated };
}

/** Packets for the global side: its address, or the addresses of the interface it names. */
function globalConditions(m: IosMapper, cfg: IosConfig, n: StaticNat): Condition[] | undefined {
  const g = n.global;
  if (g.kind === "addr") return [{ kind: "addr", field: "dst", family: 4, ranges: [g.range] }];
  const iface: IosInterface | undefined = cfg.interfaces.find((i) => i.name.toLowerCase() === g.name.toLowerCase());
  if (!iface) {
    if (cfg.interfaces.length > 0) {
      m.warn(g.where, `static NAT names interface ${g.name}, which the file does not declare; the translation is ignored`);
      return undefined;
    }
    return [{ kind: "unknown", text: `interface ${g.name}`, reason: `the address of ${g.name} is not in the file` }];
  }
  const own = iface.addresses.filter((a) => a.family === 4 && !a.virtual);
  if (own.length === 0) {
    m.warn(g.where, `static NAT names interface ${g.name}, which has no IPv4 address; the translation is ignored`);
    return undefined;
  }
  const known = own.filter((a) => typeof a.addr === "bigint");
  if (known.length === own.length) return [{ kind: "addr", field: "dst", family: 4, ranges: known.map((a) => ({ lo: a.addr as bigint, hi: a.addr as bigint })) }];
  // an address the provider assigns: the packet may or may not be for it
  return addressConditions(own.find((a) => typeof a.addr !== "bigint")!, iface, subnetsBesides(cfg.interfaces, iface, 4));
}
