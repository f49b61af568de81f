/**
 * Packet regions the checks ask about: "a stranger on the Internet opens a new connection".
 */
import { CT_STATES } from "../model/types.js";
import { GROUP_ADDRESSES } from "../model/address.js";
import { Dim, PROTO_TCP, ifacePrefixRange, ifaceToValue } from "../space/dims.js";
import { PacketSet, type Ranges } from "../space/packet-set.js";

const v4 = (s: string): bigint => s.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
function cidr4(s: string): [bigint, bigint] {
  const [a, len] = s.split("/") as [string, string];
  const size = 1n << BigInt(32 - Number(len));
  const lo = v4(a);
  return [lo, lo + size - 1n];
}

/** IPv4 space that is not public unicast (RFC 6890 special-purpose and multicast/reserved). */
const V4_NOT_PUBLIC = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"].map(cidr4);

/** What of [0, max] the ranges leave out. */
export function complementRanges(excl: readonly (readonly [bigint, bigint])[], max: bigint): [bigint, bigint][] {
  const sorted = [...excl].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const out: [bigint, bigint][] = [];
  let pos = 0n;
  for (const [lo, hi] of sorted) {
    if (lo > pos) out.push([pos, lo - 1n]);
    if (hi + 1n > pos) pos = hi + 1n;
  }
  if (pos <= max) out.push([pos, max]);
  return out;
}

/** Public unicast source ranges per family: IPv4 minus special-purpose blocks; IPv6 2000::/3. */
export const PUBLIC_RANGES: Record<4 | 6, [bigint, bigint][]> = {
  4: complementRanges(V4_NOT_PUBLIC, (1n << 32n) - 1n),
  6: [[0x2n << 124n, (0x4n << 124n) - 1n]],
};

/** Is an address public unicast (inside PUBLIC_RANGES)? A vendor reader's hint for an Internet-facing interface. */
export function isPublicAddress(addr: bigint, family: 4 | 6): boolean {
  return PUBLIC_RANGES[family].some(([lo, hi]) => addr >= lo && addr <= hi);
}

export function publicSize(family: 4 | 6): bigint {
  return PUBLIC_RANGES[family].reduce((acc, [lo, hi]) => acc + (hi - lo + 1n), 0n);
}

const one = (v: number | bigint): [bigint, bigint] => [BigInt(v), BigInt(v)];

/**
 * Interfaces that do not face the Internet by default: loopback, the bridges and veth pairs of
 * containers and virtual machines (Docker, libvirt, CNI plugins, LXC, Qubes), and the tunnels of
 * overlay VPNs whose every packet is a peer's, checked by its key (WireGuard's wg*, Tailscale,
 * ZeroTier's zt*, Nebula). Traffic arriving on them comes from the host's own guests or its VPN's
 * peers, so an opening there is not an exposure to strangers. (OpenVPN's tun* is not among them:
 * as often the host's own way out to a provider as a server's for its clients.)
 */
export const INTERNAL_IFACE_PREFIXES = ["docker", "br-", "veth", "virbr", "cni", "cali", "flannel", "kube-", "lxc", "lxdbr", "podman", "vif", "vnet", "weave", "cilium", "wg", "tailscale", "zt", "nebula"];
/** The container and VM bridges of INTERNAL_IFACE_PREFIXES, as interface ranges. */
export const BRIDGE_IFACES: [bigint, bigint][] = INTERNAL_IFACE_PREFIXES.map((p) => ifacePrefixRange(p));
/** Loopback and the container and VM bridges, as interface ranges. */
export const INTERNAL_IFACES: [bigint, bigint][] = [[ifaceToValue("lo"), ifaceToValue("lo")], ...BRIDGE_IFACES];

/**
 * Group and broadcast destinations - IPv4 224.0.0.0/4 and 255.255.255.255, IPv6 ff00::/8: a
 * stranger on the Internet opens no connection to them (multicast is not routed across the
 * Internet, a broadcast stays on its link), so mDNS or SSDP accepted on 224.0.0.251 or ff02::f,
 * as ufw's shipped rules accept them, is not an opening to the Internet.
 */
export const GROUP_DESTINATIONS: Record<4 | 6, readonly [bigint, bigint][]> = {
  4: GROUP_ADDRESSES[4].map((r) => [r.lo, r.hi]),
  6: GROUP_ADDRESSES[6].map((r) => [r.lo, r.hi]),
};

/**
 * New connections from public sources to a unicast destination, arriving on any interface but
 * loopback and container/VM bridges: for TCP the first packet is a SYN.
 */
export function strangerRegion(family: 4 | 6, protos: readonly number[], dports?: Ranges): PacketSet {
  return toPorts(strangerBase(family, protos, true), dports);
}

/**
 * strangerRegion without its source condition: new connections from anyone, on the same
 * interfaces. strangerRegion(f, p, d) is strangerTraffic(f, p, d) ∩ {source in PUBLIC_RANGES[f]};
 * a check can count the public sources of a set inside it in place (PacketSet.maxSourceCountIn)
 * instead of building that intersection, whose source sets are the large part.
 */
export function strangerTraffic(family: 4 | 6, protos: readonly number[], dports?: Ranges): PacketSet {
  return toPorts(strangerBase(family, protos, false), dports);
}

function toPorts(base: PacketSet, dports: Ranges | undefined): PacketSet {
  return dports ? base.intersect(PacketSet.box({ [Dim.Dport]: dports })) : base;
}

const baseCache = new Map<string, PacketSet>();

function strangerBase(family: 4 | 6, protos: readonly number[], publicSources: boolean): PacketSet {
  const key = `${family}|${protos.join(",")}|${publicSources}`;
  let base = baseCache.get(key);
  if (!base) {
    const all = PacketSet.box({
      [Dim.Family]: [one(family)],
      [Dim.CtState]: [one(CT_STATES.indexOf("new"))],
      [Dim.Proto]: protos.map(one),
      ...(publicSources ? { [Dim.Src]: PUBLIC_RANGES[family] } : {}),
    })
      .minus(PacketSet.box({ [Dim.Iif]: INTERNAL_IFACES }))
      .minus(PacketSet.box({ [Dim.Family]: [one(family)], [Dim.Dst]: GROUP_DESTINATIONS[family] }));
    const tcp = PacketSet.box({ [Dim.Proto]: [one(PROTO_TCP)] });
    base = all.minus(tcp.minus(PacketSet.box({ [Dim.Proto]: [one(PROTO_TCP)], [Dim.TcpFlags]: [one(2)] })));
    baseCache.set(key, base);
  }
  return base;
}
