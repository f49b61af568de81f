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
import { type Route, routedDestinations } from "../../src/model/routing.js";
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
  const routes: Route[] = subnets.flatMap((c) => c.ranges.map((range) => ({ iface: c.iface, family: c.family, range, distance: 0 })));
  const connected = routedDestinations(routes);
  const tables: [ConfigNode | undefined, Family][] = [
    [at(ctx.root, "routing-options", "static"), 4],
    [at(ctx.root, "routing-options", "rib", "inet6.0", "static"), 6],
  ];
  const statics = tables.flatMap(([table, family]) => kids(child(table, "route")).map((route) => ({ route, family })));
  if (statics.length === 0) return { routed: connected, statics: false };
  const protocol = ROUTING_PROTOCOLS.map((p) => at(ctx.root, "protocols", p)).find((n) => n !== undefined);
  if (protocol) {
    ctx.diags.info(protocol, `static routes do not tell where packets leave: 'protocols ${protocol.name}' may learn more specific routes (only connected subnets are used)`);
    return { routed: connected, statics: false };
  }
  const units = new Set(liveUnits(ctx.root).map((u) => u.name));
  /** The unit a next hop leaves through: a unit named, or the one whose subnet holds the address; undefined when the file does not tell. */
  const place = (hop: string, family: Family): string | undefined => {
    if (units.has(hop)) return hop;
    const p = parsePrefix(hop);
    if (!p || p.family !== family || p.len !== (family === 4 ? 32 : 128)) return undefined;
    return connected.find((c) => c.family === family && c.ranges.some((r) => r.lo <= p.addr && p.addr <= r.hi))?.iface;
  };
  for (const { route, family } of statics) {
    const p = parsePrefix(route.name);
    if (!p || p.family !== family) continue;
    const preference = numberOr(value(route, "preference"), STATIC_PREFERENCE);
    const add = (iface: string | undefined, distance: number) => routes.push({ iface, family, range: p.range, distance });
    if (child(route, "discard") || child(route, "reject")) add("discard", preference);
    for (const hop of kids(child(route, "next-hop"))) add(place(hop.name, family), preference);
    for (const hop of kids(child(route, "qualified-next-hop"))) add(place(hop.name, family), numberOr(value(hop, "preference"), preference));
    // `next-table`, `receive`, a resolved-elsewhere next hop: somewhere the file does not say
    if (child(route, "next-table") || child(route, "receive")) add(undefined, preference);
  }
  return { routed: routedDestinations(routes), statics: true };
}

function numberOr(n: ConfigNode | undefined, fallback: number): number {
  return n && /^[0-9]+$/.test(n.name) ? Number(n.name) : fallback;
}
