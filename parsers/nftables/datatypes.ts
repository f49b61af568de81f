/**
 * nft's data types: the names it takes in a set or map declaration (`type ipv4_addr .
 * inet_service`, `type ifname : verdict`), as nft 1.0.6 accepts them (each checked with `nft -c
 * -f`; it refuses a file naming another: "unknown datatype foo_bar", `integer` and `string` only
 * through `typeof`), and the symbols of those fwlint reads values of without modelling them.
 */
import type { SourceSpan } from "../../src/model/types.js";
import type { SetDefinition } from "./ast.js";
import { nameTable } from "../../src/model/name-table.js";

/** Key types, and data types of a map. */
const VALUE_TYPES: ReadonlySet<string> = new Set([
  "nf_proto", "ipv4_addr", "ipv6_addr", "ether_addr", "ether_type", "arp_op", "inet_proto", "inet_service",
  "icmp_type", "tcp_flag", "dccp_pkttype", "mh_type", "time", "mark", "iface_index", "iface_type", "realm",
  "classid", "uid", "gid", "ct_state", "ct_dir", "ct_status", "icmpv6_type", "pkt_type", "icmp_code",
  "icmpv6_code", "icmpx_code", "devgroup", "dscp", "ecn", "fib_addrtype", "boolean", "ifname", "igmp_type",
  "cgroupsv2",
]);

/** What a map may hold besides values: verdicts and stateful objects (nft JSON names the ct objects so). */
const DATA_ONLY: ReadonlySet<string> = new Set(["verdict", "counter", "quota", "limit", "secmark", "synproxy", "ct helper", "ct timeout", "ct expectation"]);

/** The first type name of the declaration nft does not know, and where it stands (the declaration when not told), or undefined. */
export function unknownDatatype(def: SetDefinition): { name: string; span: SourceSpan } | undefined {
  const at = (i: number) => def.typeSpans?.[i] ?? def.span;
  const keys = def.keyTypeof ? [] : def.keyType;
  for (const [i, t] of keys.entries()) if (!VALUE_TYPES.has(t)) return { name: t, span: at(i) };
  for (const [i, t] of (def.dataTypeof ? [] : (def.dataType ?? [])).entries()) {
    if (!VALUE_TYPES.has(t) && !DATA_ONLY.has(t)) return { name: t, span: at(keys.length + i) };
  }
  return undefined;
}

/** fib_addrtype (`fib ... type`): the route types RTN_*, by number. nft has names for the first nine. */
const ROUTE_TYPES: readonly string[] = ["unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"];

/**
 * The network protocol a `meta nfproto` value (`nfproto`: ipv4, ipv6, 2, 10) or a `meta protocol`
 * / `ether type` value (ip, ip6, arp, 0x0800, 0x86dd, 0x0806) names; undefined for another.
 */
export function networkProtocol(text: string, nfproto: boolean): "ip" | "ip6" | "arp" | undefined {
  if (nfproto) {
    const n = text === "ipv4" ? 2 : text === "ipv6" ? 10 : nftNumber(text, 255);
    return n === 2 ? "ip" : n === 10 ? "ip6" : undefined;
  }
  if (text === "ip" || text === "ip6" || text === "arp") return text;
  const n = nftNumber(text, 0xffff);
  return n === 0x0800 ? "ip" : n === 0x86dd ? "ip6" : n === 0x0806 ? "arp" : undefined;
}

/**
 * A number as nft's scanner reads one (strtoull with base 0): 0x hex, octal after a leading 0
 * (`022` is 18), else decimal. `08` and `0099` are none: the scanner reads a string there.
 */
export const NFT_NUMBER = /^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i;

/** An octal number to nft (NFT_NUMBER with a leading 0). */
const NFT_OCTAL = /^0[0-7]+$/;

/** The value of a number as nft's scanner reads it (NFT_NUMBER), or undefined for any other word. */
export function nftInteger(text: string): bigint | undefined {
  if (!NFT_NUMBER.test(text)) return undefined;
  return NFT_OCTAL.test(text) ? BigInt(`0o${text.slice(1)}`) : BigInt(text);
}

/** A number as nft's scanner reads it (nftInteger), at most `max`, or null. */
export function nftNumber(text: string, max: number): number | null {
  const n = nftInteger(text);
  return n !== undefined && n <= BigInt(max) ? Number(n) : null;
}

/** A data type whose values are symbols or numbers (0-255, or up to `max`): what nft takes, and how an error names it. */
export interface SymbolType {
  /** "a packet type": what a value is expected to be. */
  what: string;
  names: ReadonlySet<string>;
  max?: number;
}
/** pkt_type (`meta pkttype`): the names nft has (PACKET_HOST ... PACKET_OTHERHOST); other values only as numbers. */
export const PKT_TYPE: SymbolType = { what: "a packet type", names: new Set(["host", "unicast", "broadcast", "multicast", "other"]) };
/** fib_addrtype (`fib ... type`). */
export const FIB_ADDR_TYPE: SymbolType = { what: "an address type", names: new Set(ROUTE_TYPES.slice(0, 9)) };

/** dscp (`ip dscp`, `ip6 dscp`), as `nft describe ip dscp` lists it. */
export const DSCP: SymbolType = {
  what: "a DSCP class",
  names: new Set(["cs0", "cs1", "cs2", "cs3", "cs4", "cs5", "cs6", "cs7", "df", "be", "lephb", "af11", "af12", "af13", "af21", "af22", "af23", "af31", "af32", "af33", "af41", "af42", "af43", "va", "ef"]),
  max: 63,
};
/** ct_status (`ct status`), as `nft describe ct status` lists it. */
export const CT_STATUS: SymbolType = { what: "a connection status", names: new Set(["expected", "seen-reply", "assured", "confirmed", "snat", "dnat", "dying"]), max: 0xffffffff };
/** iface_type (`meta iiftype`, `meta oiftype`), as `nft describe meta iiftype` lists it. */
export const IFACE_TYPE: SymbolType = { what: "an interface type", names: new Set(["ether", "ppp", "ipip", "ipip6", "loopback", "sit", "ipgre"]), max: 0xffff };

/** nf_proto (`meta nfproto`), as `nft describe meta nfproto` lists it ("Could not parse netfilter protocol"). */
export const NF_PROTO: SymbolType = { what: "a netfilter protocol", names: new Set(["ipv4", "ipv6"]) };
/** ether_type (`meta protocol`, `ether type`, `vlan type`), as `nft describe ether type` lists it. */
export const ETHER_TYPE: SymbolType = { what: "an Ethernet protocol", names: new Set(["ip", "arp", "ip6", "8021q", "8021ad", "vlan"]), max: 0xffff };

/** ecn (`ip ecn`, `ip6 ecn`), as `nft describe ip ecn` lists it. */
export const ECN: SymbolType = { what: "an ECN codepoint", names: new Set(["not-ect", "ect1", "ect0", "ce"]), max: 3 };
/** ct_dir (`ct direction`), as `nft describe ct direction` lists it. */
export const CT_DIR: SymbolType = { what: "a conntrack direction", names: new Set(["original", "reply"]) };

/**
 * Keys whose values nft reads as one of a type's names or a number (checkSymbols), by the name
 * keyName gives them (`fib ... type` is told apart by its result).
 */
export const SYMBOL_KEYS: ReadonlyMap<string, SymbolType> = new Map([
  ["meta pkttype", PKT_TYPE], ["meta iiftype", IFACE_TYPE], ["meta oiftype", IFACE_TYPE], ["meta nfproto", NF_PROTO], ["meta protocol", ETHER_TYPE],
  ["ct status", CT_STATUS], ["ct direction", CT_DIR],
  ["ether type", ETHER_TYPE], ["vlan type", ETHER_TYPE], ["arp ptype", ETHER_TYPE],
  ["ip dscp", DSCP], ["ip6 dscp", DSCP], ["ip ecn", ECN], ["ip6 ecn", ECN],
]);

/**
 * Keys whose values are plain integers (`nft describe KEY`: "datatype integer"), by width in bits:
 * nft reads only a number there ("Could not parse integer"), and none wider ("Value 16 exceeds
 * valid range 0-15").
 */
export const INTEGER_KEYS: ReadonlyMap<string, number> = new Map([
  ["meta length", 32], ["meta cpu", 32], ["meta cgroup", 32], ["meta random", 32], ["meta nftrace", 1],
  ["ct zone", 16], ["ct packets", 64], ["ct bytes", 64], ["ct avgpkt", 64], ["ct id", 32],
  ["ip version", 4], ["ip hdrlength", 4], ["ip length", 16], ["ip id", 16], ["ip frag-off", 16], ["ip checksum", 16],
  ["ip6 version", 4], ["ip6 flowlabel", 20], ["ip6 length", 16],
  ["tcp sequence", 32], ["tcp ackseq", 32], ["tcp doff", 4], ["tcp window", 16], ["tcp checksum", 16], ["tcp urgptr", 16],
  ["udp length", 16], ["udp checksum", 16], ["udplite checksum", 16],
  ["icmp id", 16], ["icmp sequence", 16], ["icmp mtu", 16], ["icmp gateway", 32], ["icmp checksum", 16],
  ["icmpv6 mtu", 32], ["icmpv6 id", 16], ["icmpv6 sequence", 16], ["icmpv6 checksum", 16], ["icmpv6 max-delay", 16],
  ["vlan id", 12], ["vlan pcp", 3], ["vlan dei", 1], ["vlan cfi", 1], ["arp htype", 16], ["arp hlen", 8], ["arp plen", 8],
  ["sctp vtag", 32], ["sctp checksum", 32], ["ah spi", 32], ["ah sequence", 32], ["esp spi", 32], ["esp sequence", 32], ["comp cpi", 16],
  ["ipsec reqid", 32], ["ipsec spi", 32],
]);
/**
 * Keys whose values are integers or names nft looks up on the machine that loads the file, and
 * where it looks (`meta mark foo`: /etc/iproute2/rt_marks).
 */
export const NAMED_INTEGER_KEYS: ReadonlyMap<string, string> = new Map([
  ["meta mark", "/etc/iproute2/rt_marks"], ["ct mark", "/etc/iproute2/rt_marks"],
  ["meta skuid", "the user database"], ["meta skgid", "the group database"],
  ["meta iifgroup", "/etc/iproute2/group"], ["meta oifgroup", "/etc/iproute2/group"], ["meta rtclassid", "/etc/iproute2/rt_realms"],
]);

/** icmp_code (`icmp code`, `reject with icmp`), as `nft describe icmp code` lists it. */
export const ICMP_CODES: ReadonlyMap<string, number> = new Map([
  ["net-unreachable", 0], ["host-unreachable", 1], ["prot-unreachable", 2], ["port-unreachable", 3], ["frag-needed", 4],
  ["net-prohibited", 9], ["host-prohibited", 10], ["admin-prohibited", 13],
]);
/** icmpv6_code (`icmpv6 code`, `reject with icmpv6`), as `nft describe icmpv6 code` lists it. */
export const ICMPV6_CODES: ReadonlyMap<string, number> = new Map([
  ["no-route", 0], ["admin-prohibited", 1], ["addr-unreachable", 3], ["port-unreachable", 4], ["policy-fail", 5], ["reject-route", 6],
]);
/** What `reject with KIND [type] CODE` takes as CODE besides a number 0-255 (icmpx: nft's icmpx_code). */
export const REJECT_CODES: Readonly<Record<string, ReadonlySet<string>>> = nameTable({
  icmp: new Set(ICMP_CODES.keys()),
  icmpv6: new Set(ICMPV6_CODES.keys()),
  icmpx: new Set(["port-unreachable", "admin-prohibited", "no-route", "host-unreachable"]),
});

/** Does nft take `text` as a value of the type: one of its names, or a number? */
export function takesSymbol(type: SymbolType, text: string): boolean {
  return type.names.has(text) || nftNumber(text, type.max ?? 255) !== null;
}

/** The error for a value nft does not take as one of the type's (nft: "Could not parse packet type", ...). */
export function symbolError(type: SymbolType, after: string, found: string): string {
  return `expected ${type.what} (${[...type.names].join(", ")}) after '${after}', found '${found}'`;
}

/** The RTN_* name of a `fib ... type` value (a name, or the number of a route type the kernel has), else undefined. */
export function fibAddrType(text: string): string | undefined {
  if (FIB_ADDR_TYPE.names.has(text)) return text;
  const n = nftNumber(text, 255);
  return n === null ? undefined : ROUTE_TYPES[n];
}
