/**
 * Concrete example packets that people recognise: a documentation-range or typical public
 * source, the service port, a high source port, a common interface name.
 */
import type { Packet } from "../model/finding.js";
import type { ConnectedSubnets, PipelineKind, Ruleset } from "../model/types.js";
import { CT_STATES } from "../model/types.js";
import { DIM_MAX, Dim, IFACE_BYTES, PROTO_ICMP, PROTO_ICMPV6, ifaceToValue, valueToIface } from "../space/dims.js";
import type { PacketSet } from "../space/packet-set.js";
import { formatIP } from "../model/address.js";
import { leafConditions } from "../model/conditions.js";
import { egressOf } from "../model/routing.js";
import { DEFAULT_TTL } from "./packet.js";

const v4 = (s: string): bigint => s.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
const v6 = (hex: string): bigint => BigInt("0x" + hex);

const SRC_PREFS: Record<4 | 6, bigint[]> = {
  4: [v4("198.51.100.7"), v4("203.0.113.7"), v4("192.0.2.7"), v4("8.8.8.8"), v4("1.1.1.1"), v4("100.64.0.7"), v4("10.1.2.3")],
  6: [v6("20010db8000000000000000000000007"), v6("2001486000000000000000000008888"), v6("fd000000000000000000000000000007")],
};
const DST_PREFS: Record<4 | 6, bigint[]> = {
  4: [v4("10.0.0.5"), v4("192.168.1.5"), v4("172.16.0.5"), v4("203.0.113.10")],
  6: [v6("20010db8000000000000000000000005"), v6("fd000000000000000000000000000005")],
};

export const PROTO_NAMES: Record<number, string> = {
  1: "icmp",
  2: "igmp",
  6: "tcp",
  17: "udp",
  33: "dccp",
  41: "ipv6",
  47: "gre",
  50: "esp",
  51: "ah",
  58: "icmpv6",
  132: "sctp",
  136: "udplite",
};

export function protoName(p: number): string {
  return PROTO_NAMES[p] ?? String(p);
}

/** Interface names to try, most readable first: common names, then names the ruleset uses. */
export function interfaceNames(ruleset: Ruleset): string[] {
  const names = new Set<string>(["eth0", "eth1", "ens3", "wan0", "eth2"]);
  const literal = new Set<string>();
  for (const chain of ruleset.chains.values()) {
    for (const rule of chain.rules) {
      for (const c of leafConditions(rule.conditions)) {
        if (c.kind !== "iface") continue;
        if (c.prefix) {
          names.add(`${c.name}0`);
          names.add(`${c.name}1`);
        } else {
          names.add(c.name);
          literal.add(c.name);
          names.add(`${c.name}1`);
        }
      }
    }
  }
  names.add("x0");
  // Linux names have at most 15 bytes; a longer name the ruleset itself uses (a vendor's
  // GigabitEthernet0/0/0.100) is kept, made-up variants of it are not.
  const kept = [...names].filter((n) => n.length > 0 && (n.length <= 15 || (literal.has(n) && n.length <= IFACE_BYTES)));
  return ruleset.zonedInterfaces ? zonedFirst(ruleset, kept, literal) : kept;
}

/**
 * On a host whose zones a generator assigned (Ruleset.zonedInterfaces), its own names first: one
 * facing the Internet, then those behind the host - examples arrive on the first and a forwarded
 * one leaves by the next (pickWitness), so it goes to the LAN the zones name, not to a made-up name.
 */
function zonedFirst(ruleset: Ruleset, names: readonly string[], literal: ReadonlySet<string>): string[] {
  const internal = new Set(ruleset.internalInterfaces ?? []);
  const internet = ruleset.internetInterfaces ? new Set(ruleset.internetInterfaces) : undefined;
  const faces = (n: string) => (internet ? internet.has(n) : !internal.has(n) && n !== "lo");
  const named = names.filter((n) => literal.has(n));
  const facing = named.find(faces) ?? names.find(faces);
  const behind = named.filter((n) => !faces(n) && n !== "lo");
  return [...new Set([...(facing !== undefined ? [facing] : []), ...behind, ...names])];
}

export interface WitnessHints {
  family: 4 | 6;
  dports?: number[];
  proto?: number;
  kind: PipelineKind;
  ifaces: string[];
  /** Where the device's routes send destinations (witnessRoutes): a forward example goes to a host behind an interface, leaving through it. */
  routes?: readonly ConnectedSubnets[] | undefined;
}

/**
 * The device's routes as witnesses use them (Ruleset.routed): to interfaces only (not Null0 or
 * discard), the interfaces facing the Internet last - an example through the device goes to a host
 * on a LAN, not back out to the Internet.
 */
export function witnessRoutes(ruleset: Ruleset): ConnectedSubnets[] | undefined {
  if (!ruleset.routed) return undefined;
  const internet = new Set(ruleset.internetInterfaces ?? []);
  const routes = ruleset.routed.filter((c) => ruleset.interfaces === undefined || ruleset.interfaces.includes(c.iface));
  return [...routes.filter((c) => !internet.has(c.iface)), ...routes.filter((c) => internet.has(c.iface))];
}

/** Picks a readable member of `set` and returns it as a point. */
export function pickWitness(set: PacketSet, hints: WitnessHints): bigint[] | undefined {
  const ifaceVals = hints.ifaces.filter((n) => n !== "lo").map(ifaceToValue);
  const prefs: Partial<Record<Dim, bigint[]>> = {
    [Dim.Family]: [BigInt(hints.family)],
    [Dim.CtState]: [BigInt(CT_STATES.indexOf("new"))],
    [Dim.Proto]: hints.proto !== undefined ? [BigInt(hints.proto)] : [6n, 17n, 1n, 58n],
    [Dim.Src]: SRC_PREFS[hints.family],
    [Dim.Dst]: DST_PREFS[hints.family],
    [Dim.Dport]: (hints.dports ?? [25, 22, 80, 443, 53]).map(BigInt),
    [Dim.Sport]: [40000n, 50000n, 1024n, 53n],
    [Dim.Iif]: ifaceVals,
    [Dim.Oif]: ifaceVals.slice(1).concat(ifaceVals.slice(0, 1)),
    [Dim.TcpFlags]: [2n, 16n, 24n],
    [Dim.IcmpType]: hints.family === 6 ? [128n, 0n] : [8n, 0n],
    [Dim.IcmpCode]: [0n],
    // the usual TTL, else common initial ones (Windows 128, network gear 255) over an odd low value
    [Dim.Ttl]: [BigInt(DEFAULT_TTL), 128n, 255n],
  };
  const readable = (dim: Dim, lo: bigint, hi: bigint) => readableIn(dim, lo, hi, hints.ifaces);
  const point = set.witness(prefs, readable);
  if (!point || hints.kind !== "forward" || !hints.routes) return point;
  return routedWitness(set, point, hints.family, hints.routes);
}

/**
 * A forward example that leaves where the routes send its destination, not back out of the
 * interface it came in on: the example itself with that egress interface when the set holds it,
 * else a readable host behind the first interface (LANs first) the set sends it to. Lookups only,
 * no set built (intersecting the exposed set with each interface's routes cost the ASA bench's
 * exposure check a fifth more, for examples that are rarely better). The example unchanged when
 * none is found.
 */
function routedWitness(set: PacketSet, point: bigint[], family: 4 | 6, routes: readonly ConnectedSubnets[]): bigint[] {
  const ours = routes.filter((c) => c.family === family);
  const via = (p: readonly bigint[], iface: string): bigint[] => {
    const q = [...p];
    q[Dim.Oif] = ifaceToValue(iface);
    return q;
  };
  const exit = egressOf(ours, family, point[Dim.Dst]!);
  if (exit !== undefined && ifaceToValue(exit) !== point[Dim.Iif]) {
    const q = via(point, exit);
    if (set.has(q)) return q;
  }
  for (const c of ours) {
    if (ifaceToValue(c.iface) === point[Dim.Iif]) continue;
    const r = c.ranges[0]!;
    const q = via(point, c.iface);
    q[Dim.Dst] = r.hi - r.lo >= 8n ? r.lo + 7n : r.lo;
    if (set.has(q)) return q;
  }
  return point;
}

function readableIn(dim: Dim, lo: bigint, hi: bigint, ifaces: string[]): bigint {
  if (dim === Dim.Iif || dim === Dim.Oif) {
    for (const n of ifaces) {
      const v = ifaceToValue(n);
      if (v >= lo && v <= hi) return v;
    }
    // Try extending the lowest name in the piece with a digit.
    const base = valueToIface(lo);
    for (const suffix of ["", "0", "1", "a", "x"]) {
      if (base === undefined) break;
      const cand = base + suffix;
      if (cand.length > 15) break;
      const v = ifaceToValue(cand);
      if (v >= lo && v <= hi) return v;
    }
    return lo;
  }
  if (dim === Dim.Src || dim === Dim.Dst) {
    // Avoid network and broadcast-looking addresses when the piece allows it.
    const span = hi - lo;
    if (span >= 8n) return lo + 7n;
    return lo;
  }
  if (dim === Dim.Sport && lo <= 40000n && hi >= 40000n) return 40000n;
  if (dim === Dim.Sport && lo === 0n && hi > 1024n) return 1024n;
  if (lo === 0n && hi >= 1n && (dim === Dim.Dport || dim === Dim.Sport)) return 1n;
  return lo > DIM_MAX[dim]! ? DIM_MAX[dim]! : lo;
}

const FLAG_LETTERS = ["F", "S", "R", "P", "A", "U", "E", "C"];

export function pointToPacket(point: readonly bigint[], kind: PipelineKind): Packet {
  const family = Number(point[Dim.Family]) === 6 ? 6 : 4;
  const proto = Number(point[Dim.Proto]);
  const pkt: Packet = {
    family,
    proto: protoName(proto),
    src: formatIP(point[Dim.Src]!, family),
    dst: formatIP(point[Dim.Dst]!, family),
    hook: kind === "inbound" ? "input" : kind === "forward" ? "forward" : "output",
  };
  if (proto === 6 || proto === 17 || proto === 33 || proto === 132 || proto === 136) {
    pkt.sport = Number(point[Dim.Sport]);
    pkt.dport = Number(point[Dim.Dport]);
  }
  if ((proto === PROTO_ICMP && family === 4) || (proto === PROTO_ICMPV6 && family === 6)) {
    pkt.icmp_type = Number(point[Dim.IcmpType]);
    pkt.icmp_code = Number(point[Dim.IcmpCode]);
  }
  if (kind !== "outbound") pkt.iif = valueToIface(point[Dim.Iif]!, true) ?? "?";
  if (kind !== "inbound") pkt.oif = valueToIface(point[Dim.Oif]!, true) ?? "?";
  if (proto === 6) {
    const f = Number(point[Dim.TcpFlags]);
    pkt.tcp_flags = FLAG_LETTERS.filter((_, i) => f & (1 << i)).join("");
  }
  // only a ruleset that tests the TTL gives an example another one
  if (point[Dim.Ttl] !== undefined && point[Dim.Ttl] !== BigInt(DEFAULT_TTL)) pkt.ttl = Number(point[Dim.Ttl]);
  return pkt;
}
