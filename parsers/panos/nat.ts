/**
 * PAN-OS NAT rules (`rulebase nat rules`) as the destination-NAT stage of the forward path. NAT
 * rules are first match on the original packet: from zone, `to` zone (where the original
 * destination is routed), source, destination, `service`. A rule with `destination-translation`
 * (`translated-address`, `translated-port`) rewrites the destination; one with only
 * `source-translation` (or none) matches and stops the search without changing the destination.
 * A static source translation with `bi-directional yes` also translates the other way: connections
 * to the translated address go to the original source.
 *
 * `dynamic-destination-translation` (an FQDN's addresses, load-balanced) and NAT64/NPTv6 rules are
 * not modelled: the first matches with an unknown condition and leaves the destination alone.
 */
import type { AddrRange, Chain, Condition, ConnectedSubnets, Family, NatRewrite, Rule } from "../../src/model/types.js";
import { mergeAddrRanges } from "../../src/model/address.js";
import { child, kids, type ConfigNode } from "../junos/tree.js";
import type { Addresses } from "./addresses.js";
import { addChain, isYes, lastValue, members, spanOf, type PanosContext, type PolicyScope } from "./scope.js";
import type { Services } from "./services.js";
import { scopeLabel } from "./security.js";
import type { ZoneMap } from "./zones.js";

export interface NatScope {
  scope: PolicyScope;
  addresses: Addresses;
  services: Services;
  zones: ZoneMap;
  suffix: string;
  /** Where the device's routes send destinations (for the `to` zone); empty when the file shows none. */
  routed: readonly ConnectedSubnets[];
}

/** The destination NAT chain of a scope; undefined when no NAT rule translates destinations. */
export function buildNat(ctx: PanosContext, s: NatScope): string | undefined {
  const bases = s.scope.rulebases.map((r) => child(child(r.node, "nat"), "rules")).filter((n): n is ConfigNode => n !== undefined);
  const rules: Rule[] = [];
  let translates = false;
  let toZoneNoted = false;
  for (const base of bases) {
    for (const r of kids(base)) {
      const label = `NAT rule '${r.name}'`;
      if (isYes(r, "disabled")) {
        ctx.diags.info(r, `${label} is disabled; it is not a rule`);
        continue;
      }
      const type = lastValue(r, "nat-type")?.name ?? "ipv4";
      const conditions: Condition[] = [];
      conditions.push(...s.zones.condition(s.zones.resolve(members(r, "from"), label, "from"), "iif"));
      // the pre-NAT route: the `to` zone and `to-interface` the original destination leaves by
      const to = s.zones.resolve(members(r, "to"), label, "to");
      const toIface = lastValue(r, "to-interface");
      const egress = [...(to === undefined || s.zones.undeclared ? [] : [to.flatMap((z) => s.zones.interfacesOf(z) ?? [])]), ...(toIface && toIface.name !== "any" ? [[toIface.name]] : [])];
      for (const ifaces of egress) {
        const ranges = destinationsOf(s.routed, ifaces);
        if (ranges) conditions.push(anyFamily(ranges));
        else if (!toZoneNoted) {
          toZoneNoted = true;
          ctx.diags.info(toIface ?? members(r, "to")[0] ?? r, `${label}: where the original destination is routed is not known from this file (no default route); NAT rules match whatever their 'to' zone and to-interface`);
        }
      }
      conditions.push(...s.addresses.condition(members(r, "source"), "src", false, label, "source"));
      conditions.push(...s.addresses.condition(members(r, "destination"), "dst", false, label, "destination"));
      const service = lastValue(r, "service");
      if (service && service.name !== "any") conditions.push(...s.services.condition([service], [], label));
      ctx.ruleCount++;
      const span = spanOf(ctx, r);
      const dt = child(r, "destination-translation");
      const dyn = child(r, "dynamic-destination-translation");
      if (type !== "ipv4") {
        rules.push({ id: `nat ${r.name}`, conditions: [...conditions, { kind: "unknown", text: `nat-type ${type}`, reason: `${type} translation is not modelled` }], action: { kind: "accept" }, span, comment: `${type}: not modelled` });
        continue;
      }
      if (dt || dyn) {
        const target = lastValue(dt ?? dyn, "translated-address");
        const port = lastValue(dt ?? dyn, "translated-port");
        const addr = target ? translated(ctx, s, target, label) : undefined;
        const portNo = port && /^\d{1,5}$/.test(port.name) && Number(port.name) <= 65535 ? Number(port.name) : undefined;
        if (port && portNo === undefined) ctx.diags.error(port, `${label}: translated-port '${port.name}' is not a port number`);
        if (dyn || !addr) {
          if (!dyn && !target) ctx.diags.warn(dt!, `${label}: destination-translation without translated-address; not modelled`);
          rules.push({ id: `nat ${r.name}`, conditions: [...conditions, { kind: "unknown", text: `${dyn ? "dynamic-" : ""}destination-translation ${target?.name ?? ""}`.trim(), reason: dyn ? "dynamic destination translation resolves an FQDN at run time" : "the translated address is not a single address, range or subnet" }], action: { kind: "accept" }, span });
          continue;
        }
        translates = true;
        const to: NatRewrite = { addr: addr.range, ...(addr.family === 6 ? { family: 6 as Family } : {}), ...(portNo !== undefined ? { ports: [portNo, portNo] } : {}) };
        rules.push({ id: `nat ${r.name}`, conditions, action: { kind: "dnat", to, target: "destination-translation" }, span, comment: `translated-address ${target!.name}${portNo !== undefined ? ` translated-port ${portNo}` : ""}` });
        continue;
      }
      rules.push({ id: `nat ${r.name}`, conditions, action: { kind: "accept" }, span, comment: child(r, "source-translation") ? "source translation only: the destination is unchanged" : "no translation" });
      const reverse = biDirectional(ctx, s, r, label);
      if (reverse) {
        translates = true;
        rules.push(reverse);
      }
    }
  }
  if (!translates) return undefined;
  const chain: Chain = { name: `nat rules${s.suffix}`, table: "nat", rules, span: spanOf(ctx, bases[0]!), label: `the NAT rules of ${scopeLabel(s.scope)}` };
  return addChain(ctx, chain);
}

/** What a translated-address names: one address, a range or a subnet (a choice of one). */
function translated(ctx: PanosContext, s: NatScope, target: ConfigNode, label: string): { range: AddrRange; family: Family } | undefined {
  const set = s.addresses.resolve(target.name, target) ?? s.addresses.literal(target.name);
  if (!set) {
    ctx.diags.error(target, `${label}: translated-address '${target.name}' is not an address object or IP address`);
    return undefined;
  }
  for (const family of [4, 6] as const) {
    const ranges = mergeAddrRanges(set[family]);
    if (ranges.length === 1 && set.other.length === 0 && set[family === 4 ? 6 : 4].length === 0) return { range: ranges[0]!, family };
  }
  return undefined;
}

/**
 * `source-translation static-ip translated-address T bi-directional yes`: connections to T are
 * translated to the rule's (single) source address or range, each address keeping its place.
 */
function biDirectional(ctx: PanosContext, s: NatScope, r: ConfigNode, label: string): Rule | undefined {
  const st = child(child(r, "source-translation"), "static-ip");
  if (!st || !isYes(st, "bi-directional")) return undefined;
  const target = lastValue(st, "translated-address");
  const src = members(r, "source");
  if (!target || src.length !== 1 || src[0]!.name === "any") return undefined;
  const from = translated(ctx, s, target, label);
  const real = translated(ctx, s, src[0]!, label);
  if (!from || !real || from.family !== real.family || from.range.hi - from.range.lo !== real.range.hi - real.range.lo) return undefined;
  const cond: Condition = { kind: "addr", field: "dst", family: from.family, ranges: [from.range] };
  return {
    id: `nat ${r.name} (bi-directional)`,
    conditions: [{ kind: "family", family: from.family }, cond],
    action: { kind: "dnat", to: { addr: real.range, map: { kind: "offset", from: from.range.lo } }, target: "bi-directional static-ip" },
    span: spanOf(ctx, st),
    comment: `bi-directional: connections to ${target.name} reach ${src[0]!.name}`,
  };
}

/**
 * The destinations the routes send out of the given interfaces, per family; undefined when the
 * routes do not tell (none given), or give those interfaces nothing (a route the file does not
 * place: better no restriction than a rule that matches nothing).
 */
function destinationsOf(routed: readonly ConnectedSubnets[], ifaces: readonly string[]): Record<Family, AddrRange[]> | undefined {
  if (routed.length === 0) return undefined;
  const out: Record<Family, AddrRange[]> = { 4: [], 6: [] };
  for (const c of routed) if (ifaces.includes(c.iface)) out[c.family].push(...c.ranges);
  return out[4].length > 0 || out[6].length > 0 ? out : undefined;
}

function anyFamily(ranges: Record<Family, AddrRange[]>): Condition {
  const alts: Condition[][] = [];
  for (const family of [4, 6] as const) if (ranges[family].length > 0) alts.push([{ kind: "addr", field: "dst", family, ranges: mergeAddrRanges(ranges[family]) }]);
  return { kind: "or", anyOf: alts };
}
