/**
 * Concrete packets (the JSON-lines shape shared with tools/kernel-oracle) as points of the
 * packet space, including the conntrack state the kernel gives the first packet of a flow.
 */
import type { Packet } from "../model/finding.js";
import { CT_STATES, type CtState, type Family } from "../model/types.js";
import { DIM_COUNT, Dim, PORT_PROTOS, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, ifaceToValue } from "../space/dims.js";
import { parseIP } from "../model/address.js";
import { protocolNumber } from "../model/names.js";
import { nameTable } from "../model/name-table.js";

export class PacketError extends Error {}

/** The TTL (hop limit) of a packet that names none: Linux's default, and the kernel oracle's. */
export const DEFAULT_TTL = 64;

const FLAG_BITS: Readonly<Record<string, number>> = nameTable({ F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, C: 128 });
const FLAG_NAMES: Readonly<Record<string, number>> = nameTable({ FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 });

export function parseTcpFlags(v: string | number | undefined): number {
  if (v === undefined) return FLAG_BITS.S!;
  if (typeof v === "number") return v & 255;
  if (v.includes(",") || FLAG_NAMES[v.trim().toUpperCase()] !== undefined) {
    return v.split(",").filter(Boolean).reduce((acc, n) => {
      const bit = FLAG_NAMES[n.trim().toUpperCase()];
      if (bit === undefined) throw new PacketError(`unknown TCP flag '${n}'`);
      return acc | bit;
    }, 0);
  }
  let f = 0;
  for (const ch of v.toUpperCase()) {
    const bit = FLAG_BITS[ch];
    if (bit === undefined) throw new PacketError(`unknown TCP flag letter '${ch}' (use F S R P A U E C)`);
    f |= bit;
  }
  return f;
}

/** Conntrack state of the first packet of a flow when no connection exists yet (Linux 6.x). */
export function firstPacketState(family: Family, proto: number, flags: number, icmpType: number): CtState {
  if (proto === PROTO_TCP) {
    const core = flags & (FLAG_BITS.F! | FLAG_BITS.S! | FLAG_BITS.R! | FLAG_BITS.A! | FLAG_BITS.U!);
    const S = FLAG_BITS.S!;
    const A = FLAG_BITS.A!;
    const U = FLAG_BITS.U!;
    if (core === S || core === (S | U)) return "new";
    if (core === A || core === (A | U)) return "new"; // loose tracking picks up mid-stream flows
    return "invalid";
  }
  if (family === 4 && proto === PROTO_ICMP) return [8, 13, 15, 17].includes(icmpType) ? "new" : "invalid";
  if (family === 6 && proto === PROTO_ICMPV6) {
    if (icmpType === 128 || icmpType === 139) return "new";
    // NDP, MLD and (since Linux 6.9) multicast router discovery 151/152 are not tracked.
    if ((icmpType >= 130 && icmpType <= 136) || icmpType === 143 || icmpType === 151 || icmpType === 152) return "untracked";
    return "invalid";
  }
  return "new";
}

/** The point for a packet. `state` overrides the conntrack state (default: first packet of a flow). */
export function packetToPoint(p: Packet, state?: CtState): bigint[] {
  const family: Family = p.family === 6 || (p.family === undefined && String(p.src).includes(":")) ? 6 : 4;
  const proto = typeof p.proto === "number" ? p.proto : protocolNumber(String(p.proto));
  if (proto === null || proto < 0 || proto > 255) throw new PacketError(`unknown protocol '${p.proto}'`);
  const src = parseIP(String(p.src), family);
  const dst = parseIP(String(p.dst), family);
  if (src === null) throw new PacketError(`bad source address '${p.src}' for IPv${family}`);
  if (dst === null) throw new PacketError(`bad destination address '${p.dst}' for IPv${family}`);
  const point: bigint[] = new Array(DIM_COUNT).fill(0n);
  point[Dim.Family] = BigInt(family);
  point[Dim.Proto] = BigInt(proto);
  point[Dim.Src] = src;
  point[Dim.Dst] = dst;
  if (PORT_PROTOS.includes(proto)) {
    const sport = p.sport ?? 40000;
    const dport = p.dport;
    if (dport === undefined) throw new PacketError("dport is required for a protocol with ports");
    for (const [n, v] of [["sport", sport], ["dport", dport]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 65535) throw new PacketError(`${n} must be 0-65535`);
    }
    point[Dim.Sport] = BigInt(sport);
    point[Dim.Dport] = BigInt(dport);
  }
  const icmp = (family === 4 && proto === PROTO_ICMP) || (family === 6 && proto === PROTO_ICMPV6);
  const icmpType = icmp ? (p.icmp_type ?? (family === 4 ? 8 : 128)) : 0;
  if (icmp) {
    point[Dim.IcmpType] = BigInt(icmpType);
    point[Dim.IcmpCode] = BigInt(p.icmp_code ?? 0);
  }
  const flags = proto === PROTO_TCP ? parseTcpFlags(p.tcp_flags) : 0;
  point[Dim.TcpFlags] = BigInt(flags);
  const ct = state ?? firstPacketState(family, proto, flags, icmpType);
  point[Dim.CtState] = BigInt(CT_STATES.indexOf(ct));
  const ttl = p.ttl ?? DEFAULT_TTL;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 255) throw new PacketError("ttl must be 0-255");
  point[Dim.Ttl] = BigInt(ttl);
  point[Dim.Iif] = ifaceToValue(p.iif ?? "eth0");
  point[Dim.Oif] = p.oif ? ifaceToValue(p.oif) : 0n;
  return point;
}
