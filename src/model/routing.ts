/**
 * Connected routes of a device whose interfaces the configuration describes (vendor exports): a
 * packet to a subnet connected to interface X leaves through X - a connected route is more
 * specific than the default route, and the device refuses overlapping interface subnets - and,
 * where a format reads them, static routes by longest-prefix match (routedDestinations). On the
 * forward path a stage of implied rules drops the packets the model would otherwise send out of
 * another interface, so that an outbound list, a zone or a security level is judged for the
 * interface the packet really leaves through. It only takes packets away, so it can be the last
 * stage (after destination NAT, it sees the destination routing sees), where it does not split
 * every flow by interface before the filters run.
 */
import { mergeAddrRanges } from "./address.js";
import type { AddrRange, Chain, Condition, ConnectedSubnets, Family, Rule, SourceSpan } from "./types.js";

/**
 * A route of a device: packets to `range` (one prefix) leave through `iface` - undefined when the
 * file does not tell which (a next hop it cannot place): the prefix is then nobody's, and still
 * hides the shorter prefixes under it.
 */
export interface Route {
  iface: string | undefined;
  family: Family;
  range: AddrRange;
  /** Administrative distance: a connected subnet 0, a static route 1 unless it says; the lowest wins its prefix. */
  distance: number;
}

/**
 * Where the routes send each destination, by longest-prefix match: per interface and family, the
 * destinations it wins. A prefix that interfaces claim at the same distance (two links into one
 * subnet, equal-cost static routes) is nobody's - which one a packet takes is not in the file - and
 * still hides the shorter prefixes under it.
 */
export function routedDestinations(routes: readonly Route[]): ConnectedSubnets[] {
  const won = new Map<string, ConnectedSubnets>();
  for (const family of [4, 6] as const) {
    // per prefix, the interfaces of its lowest distance
    const best = new Map<string, { range: AddrRange; distance: number; ifaces: Set<string | undefined> }>();
    for (const r of routes) {
      if (r.family !== family) continue;
      const key = `${r.range.lo}-${r.range.hi}`;
      const b = best.get(key);
      if (!b || r.distance < b.distance) best.set(key, { range: r.range, distance: r.distance, ifaces: new Set([r.iface]) });
      else if (r.distance === b.distance) b.ifaces.add(r.iface);
    }
    // Longest prefixes first. Prefixes nest or are disjoint, so what longer ones took is a list of
    // disjoint prefixes, each inside the current one or apart from it.
    const prefixes = [...best.values()].sort((a, b) => {
      const d = a.range.hi - a.range.lo - (b.range.hi - b.range.lo);
      return d < 0n ? -1 : d > 0n ? 1 : 0;
    });
    const taken: AddrRange[] = []; // sorted by lo
    for (const p of prefixes) {
      const at = lowerBound(taken, p.range.lo);
      let end = at;
      while (end < taken.length && taken[end]!.hi <= p.range.hi) end++;
      const iface = p.ifaces.size === 1 ? [...p.ifaces][0] : undefined;
      if (iface !== undefined) {
        const key = `${iface}|${family}`;
        let entry = won.get(key);
        if (!entry) won.set(key, (entry = { iface, family, ranges: [] }));
        let lo = p.range.lo;
        for (let k = at; k < end; k++) {
          if (taken[k]!.lo > lo) entry.ranges.push({ lo, hi: taken[k]!.lo - 1n });
          lo = taken[k]!.hi + 1n;
        }
        if (lo <= p.range.hi) entry.ranges.push({ lo, hi: p.range.hi });
      }
      taken.splice(at, end - at, p.range);
    }
  }
  return [...won.values()].map((c) => ({ ...c, ranges: mergeAddrRanges(c.ranges) })).filter((c) => c.ranges.length > 0);
}

/**
 * A static route as a format reads it: packets to `range` leave by `via` - an interface (its name),
 * a next hop (an address, placed on the connected subnet that holds it), or undefined: somewhere
 * the file does not tell.
 */
export interface StaticRoute {
  family: Family;
  range: AddrRange;
  distance: number;
  via: string | bigint | undefined;
}

/**
 * Where a device's routes send each destination (routedDestinations): its connected subnets
 * (distance 0) and its static routes, a next hop leading out of the interface whose subnet holds
 * it (one the file cannot place: somewhere it does not tell).
 */
export function deviceRoutes(connected: readonly ConnectedSubnets[], statics: readonly StaticRoute[]): ConnectedSubnets[] {
  const routes: Route[] = connected.flatMap((c) => c.ranges.map((range) => ({ iface: c.iface, family: c.family, range, distance: 0 })));
  const direct = routedDestinations(routes);
  if (statics.length === 0) return direct;
  for (const s of statics) {
    const iface = typeof s.via === "bigint" ? egressOf(direct, s.family, s.via) : s.via;
    routes.push({ iface, family: s.family, range: s.range, distance: s.distance });
  }
  return routedDestinations(routes);
}

/** The note for a configuration whose routing protocol (`protocol`: its statement) makes its static routes unused. */
export function staticRoutesUnused(protocol: string): string {
  return `static routes do not tell where packets leave: '${protocol}' may learn more specific routes (only connected subnets are used)`;
}

/** The interface `routed` (routedDestinations) sends `addr` out of, or undefined when it does not say. */
export function egressOf(routed: readonly ConnectedSubnets[], family: Family, addr: bigint): string | undefined {
  return routed.find((c) => c.family === family && c.ranges.some((r) => r.lo <= addr && addr <= r.hi))?.iface;
}

/** The first index of `sorted` whose range starts at or after `lo`. */
function lowerBound(sorted: readonly AddrRange[], lo: bigint): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (sorted[m]!.lo < lo) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * The stage's chain for the given families (one chain for both, or one per family): per interface
 * and family, drop what is addressed to its subnets (`subnets`: connected ones, or all that routes
 * send there when `routes` says the device's static routes are in) but leaves elsewhere (each rule
 * located where `spanFor` says the interface is, else at `span`). No policy: the rest passes on,
 * and the filter that admitted it keeps the credit. Undefined when no interface shows a subnet of
 * the families.
 */
export function routesChain(
  table: string,
  subnets: readonly ConnectedSubnets[],
  families: readonly Family[],
  span: SourceSpan,
  spanFor: (iface: string) => SourceSpan | undefined = () => undefined,
  routes = false,
): Chain | undefined {
  const rules: Rule[] = [];
  const name = routes ? "routes" : "connected routes";
  for (const family of families) {
    for (const s of subnets) {
      if (s.family !== family || s.ranges.length === 0) continue;
      const conditions: Condition[] = [
        { kind: "addr", field: "dst", family, ranges: s.ranges },
        { kind: "iface", field: "oif", name: s.iface, prefix: false, negate: true },
      ];
      const why = routes ? `routes send these destinations out of ${s.iface}, never another interface` : `a subnet connected to ${s.iface}: routed out of ${s.iface}, never another interface`;
      rules.push({ id: `${name}#${s.iface}${family === 6 ? "-v6" : ""}`, conditions, action: { kind: "drop" }, span: { ...(spanFor(s.iface) ?? span), text: why }, comment: why, implied: true });
    }
  }
  if (rules.length === 0) return undefined;
  return { name: families.length === 1 && families[0] === 6 ? `${name} (ipv6)` : name, table, rules, span };
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
