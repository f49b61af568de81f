/**
 * Destination and static NAT (`security nat destination|static rule-set`), which happen before
 * the zone and policy lookup, as one `dstnat` stage: each rule-set's `from zone|interface`, then
 * its rules' `match` (destination-address, destination-port, source-address, protocol), then
 * `destination-nat pool P` (the pool's address and port) or `static-nat prefix B`. `off` stops NAT
 * for the packet. Source NAT happens after the policies and does not change what they see.
 */
import type { Chain, Condition, NatRewrite, Rule } from "../../src/model/types.js";
import { parsePrefix } from "./addresses.js";
import type { AddressBooks } from "./addresses.js";
import { addChain, anyOf, spanOf, undefinedRef, type JunosContext } from "./context.js";
import { parsePortRange, junosProtocol } from "./names.js";
import { at, child, kids, type ConfigNode } from "./tree.js";
import { unitName, zoneCondition, type Zone } from "./zones.js";

export function buildDestinationNat(ctx: JunosContext, zones: Map<string, Zone>, books: AddressBooks): string | undefined {
  const nat = at(ctx.root, "security", "nat");
  const kinds = (["destination", "static"] as const).filter((k) => child(nat, k));
  if (kinds.length === 0) return undefined;
  const base: Chain = { name: "destination and static nat", table: "security nat", rules: [], policy: "accept", span: spanOf(ctx, nat!) };
  for (const kind of kinds) {
    const section = child(nat, kind)!;
    const pools = child(section, "pool");
    for (const rs of kids(child(section, "rule-set"))) {
      const from = child(rs, "from");
      const fromConds: Condition[][] = [];
      for (const z of kids(child(from, "zone"))) fromConds.push(zoneCondition(ctx, zones, z.name, "iif", z));
      for (const i of kids(child(from, "interface"))) fromConds.push([{ kind: "iface", field: "iif", name: unitName(i.name), prefix: false }]);
      for (const r of kids(child(from, "routing-instance"))) fromConds.push([{ kind: "unknown", text: `from routing-instance ${r.name}`, reason: "routing instances are not modelled" }]);
      const fromCondition = fromConds.length > 0 ? anyOf(fromConds) : [];
      for (const rule of kids(child(rs, "rule"))) {
        const r = natRule(ctx, kind, rs, rule, pools, books);
        if (r) base.rules.push({ ...r, conditions: [...fromCondition, ...r.conditions] });
      }
    }
  }
  return addChain(ctx, base);
}

function natRule(ctx: JunosContext, kind: "destination" | "static", rs: ConfigNode, rule: ConfigNode, pools: ConfigNode | undefined, books: AddressBooks): Rule | undefined {
  const match = child(rule, "match");
  const conditions: Condition[] = [];
  let matched: Condition[][] = []; // the destination-address alternatives
  for (const [key, field] of [["destination-address", "dst"], ["source-address", "src"]] as const) {
    const alts: Condition[][] = [];
    if (field === "dst") matched = alts;
    for (const v of kids(child(match, key))) {
      const p = parsePrefix(v.name);
      if (p) alts.push([{ kind: "addr", field, family: p.family, ranges: [p.range] }]);
      else alts.push([{ kind: "unknown", text: `${key} ${v.name}`, reason: "NAT address not modelled" }]);
    }
    for (const v of kids(child(match, `${key}-name`))) {
      const val = books.resolve(v.name, undefined);
      if (!val) {
        ctx.diags.warn(v, `NAT rule '${rule.name}': ${key}-name '${v.name}' is not defined in the global address book`);
        alts.push([{ kind: "unknown", text: `${key}-name ${v.name}`, reason: "undefined address" }]);
        continue;
      }
      if (val.v4.length) alts.push([{ kind: "addr", field, family: 4, ranges: val.v4 }]);
      if (val.v6.length) alts.push([{ kind: "addr", field, family: 6, ranges: val.v6 }]);
      for (const u of val.unknown) alts.push([{ kind: "unknown", text: u, reason: "address not modelled" }]);
    }
    if (alts.length > 0) conditions.push(...anyOf(alts));
  }
  const protos = kids(child(match, "protocol")).map((p) => junosProtocol(p.name)).filter((p): p is number => p !== null);
  if (protos.length > 0) conditions.push({ kind: "proto", protos });
  const dports = kids(child(match, "destination-port")).map((p) => portOrRange(p)).filter((p): p is [number, number] => p !== null);
  if (dports.length > 0) conditions.push({ kind: "proto", protos: protos.length > 0 ? protos : [6, 17] }, { kind: "port", field: "dport", ranges: dports });
  const then = child(rule, "then");
  const id = `${kind} nat ${rs.name}/${rule.name}`;
  const span = spanOf(ctx, rule);
  if (kind === "destination") {
    const dn = child(then, "destination-nat");
    if (!dn) {
      ctx.diags.warn(rule, `NAT rule '${rule.name}' has no 'then destination-nat'; skipped`);
      return undefined;
    }
    if (child(dn, "off")) return { id, conditions, action: { kind: "accept" }, span, comment: "destination-nat off" };
    const poolName = kids(child(dn, "pool"))[0];
    const pool = poolName ? child(pools, poolName.name) : undefined;
    if (!pool) {
      if (poolName) undefinedRef(ctx, poolName, `NAT rule '${rule.name}': pool '${poolName.name}' is not defined under 'security nat destination pool'`);
      return { id, conditions, action: { kind: "unknown", target: `destination-nat pool ${poolName?.name ?? "?"}` }, span };
    }
    const to: NatRewrite = {};
    const addr = kids(child(pool, "address"))[0];
    const p = addr ? parsePrefix(addr.name) : null;
    const last = addr ? kids(child(addr, "to"))[0] : undefined;
    const q = last ? parsePrefix(last.name) : null;
    if (p) {
      to.addr = q && q.family === p.family && q.range.lo >= p.range.lo ? { lo: p.range.lo, hi: q.range.lo } : p.range;
      to.family = p.family;
      const port = kids(child(addr!, "port"))[0] ?? kids(at(pool, "address", "port"))[0];
      const pr = port ? parsePortRange(port.name) : null;
      if (pr) to.ports = pr;
    } else return { id, conditions, action: { kind: "unknown", target: `destination-nat pool ${pool.name}` }, span };
    return { id, conditions, action: { kind: "dnat", to, target: `pool ${pool.name}` }, span };
  }
  const sn = child(then, "static-nat");
  if (!sn) {
    ctx.diags.warn(rule, `NAT rule '${rule.name}' has no 'then static-nat'; skipped`);
    return undefined;
  }
  // `prefix A/LEN` or `prefix-name NAME` (an address-book entry), each with an optional
  // `mapped-port P` (a static port translation); `inet` (NAT64) names the prefix too
  const named = child(sn, "prefix-name");
  const holder = child(sn, "prefix") ?? named ?? child(sn, "inet");
  const prefix = kids(holder).find((k) => k.name !== "mapped-port" && k.name !== "routing-instance");
  let p = prefix && holder !== named ? parsePrefix(prefix.name) : null;
  if (prefix && holder === named) {
    const val = books.resolve(prefix.name, undefined);
    const ranges = val ? [...val.v4.map((r) => ({ family: 4 as const, r })), ...val.v6.map((r) => ({ family: 6 as const, r }))] : [];
    if (!val) ctx.diags.warn(prefix, `NAT rule '${rule.name}': prefix-name '${prefix.name}' is not defined in the global address book`);
    else if (ranges.length === 1 && val.unknown.length === 0) p = { family: ranges[0]!.family, range: ranges[0]!.r, len: 0, addr: ranges[0]!.r.lo };
  }
  if (!p) return { id, conditions, action: { kind: "unknown", target: `static-nat ${kids(sn).map((k) => k.name).join(" ")}` }, span };
  const mappedPort = kids(child(holder, "mapped-port"))[0];
  const ports = mappedPort ? portOrRange(mappedPort) : null;
  // The k-th address of the matched block becomes the k-th of the prefix (a host to a host, a
  // subnet to a subnet of the same size, address by address).
  const block = matched.length === 1 && matched[0]!.length === 1 && matched[0]![0]!.kind === "addr" && matched[0]![0]!.ranges.length === 1 ? matched[0]![0]!.ranges[0]! : undefined;
  const map = block && block.hi - block.lo === p.range.hi - p.range.lo && block.hi > block.lo ? { map: { kind: "offset" as const, from: block.lo } } : {};
  const to: NatRewrite = { addr: p.range, family: p.family, ...map, ...(ports ? { ports } : {}) };
  return { id, conditions, action: { kind: "dnat", to, target: `static-nat ${holder === named ? "prefix-name" : "prefix"} ${prefix!.name}${ports ? ` mapped-port ${mappedPort!.name}` : ""}` }, span };
}

/** `100`, `100-200` or `100 to 200`. */
function portOrRange(n: ConfigNode): [number, number] | null {
  const r = parsePortRange(n.name);
  const hi = kids(child(n, "to"))[0];
  if (!r || !hi) return r;
  const h = parsePortRange(hi.name);
  return h && h[0] >= r[0] ? [r[0], h[0]] : null;
}
