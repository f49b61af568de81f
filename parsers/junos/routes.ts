/**
 * Where the device's routes send each destination (src/model/routing.ts): the units' connected
 * subnets, and the static routes of the main tables - `routing-options static route PREFIX` (inet.0)
 * and `routing-options rib inet6.0 static route PREFIX` - to a `next-hop` (an address on a
 * connected subnet, or a unit), a `qualified-next-hop`, or `discard`/`reject` (dropped). Routing
 * instances are other tables, not read. A next hop the file cannot place leaves its prefix to
 * nobody. With a routing protocol configured (`protocols ospf|ospf3|bgp|isis|rip|ripng`), a learned
 * route may be more specific anywhere outside the connected subnets: static routes are not used.
 */
import type { ConnectedSubnets, Family } from "../../src/model/types.js";
import { deviceRoutes, type StaticRoute, staticRoutesUnused } from "../../src/model/routing.js";
import { parsePrefix } from "./addresses.js";
import type { JunosContext } from "./context.js";
import { at, child, kids, value, type ConfigNode } from "./tree.js";
import { liveUnits } from "./zones.js";

/** Protocols that learn routes: with one, static routes do not tell where a packet leaves. */
const ROUTING_PROTOCOLS = ["ospf", "ospf3", "bgp", "isis", "rip", "ripng"];

/** Route preference of a static route unless it says (JunOS default 5); a connected subnet's is 0. */
const STATIC_PREFERENCE = 5;

/** Per unit and family, the destinations routed out of it; `statics` when static routes were used. */
export function routedUnits(ctx: JunosContext, subnets: readonly ConnectedSubnets[]): { routed: ConnectedSubnets[]; statics: boolean } {
  const tables: [ConfigNode | undefined, Family][] = [
    [at(ctx.root, "routing-options", "static"), 4],
    [at(ctx.root, "routing-options", "rib", "inet6.0", "static"), 6],
  ];
  const routes = tables.flatMap(([table, family]) => kids(child(table, "route")).map((route) => ({ route, family })));
  const protocol = ROUTING_PROTOCOLS.map((p) => at(ctx.root, "protocols", p)).find((n) => n !== undefined);
  if (routes.length > 0 && protocol) ctx.diags.info(protocol, staticRoutesUnused(`protocols ${protocol.name}`));
  if (routes.length === 0 || protocol) return { routed: deviceRoutes(subnets, []), statics: false };
  const units = new Set(liveUnits(ctx.root).map((u) => u.name));
  /** Where a next hop leads: a unit named, an address (placed on a connected subnet), or undefined: somewhere the file does not tell. */
  const via = (hop: string, family: Family): StaticRoute["via"] => {
    if (units.has(hop)) return hop;
    const p = parsePrefix(hop);
    return p && p.family === family && p.len === (family === 4 ? 32 : 128) ? p.addr : undefined;
  };
  const statics: StaticRoute[] = [];
  for (const { route, family } of routes) {
    const p = parsePrefix(route.name);
    if (!p || p.family !== family) continue;
    const preference = numberOr(value(route, "preference"), STATIC_PREFERENCE);
    const add = (to: StaticRoute["via"], distance: number) => statics.push({ via: to, family, range: p.range, distance });
    if (child(route, "discard") || child(route, "reject")) add("discard", preference);
    for (const hop of kids(child(route, "next-hop"))) add(via(hop.name, family), preference);
    for (const hop of kids(child(route, "qualified-next-hop"))) add(via(hop.name, family), numberOr(value(hop, "preference"), preference));
    // `next-table`, `receive`: somewhere the file does not say
    if (child(route, "next-table") || child(route, "receive")) add(undefined, preference);
  }
  return { routed: deviceRoutes(subnets, statics), statics: true };
}

function numberOr(n: ConfigNode | undefined, fallback: number): number {
  return n && /^[0-9]+$/.test(n.name) ? Number(n.name) : fallback;
}
