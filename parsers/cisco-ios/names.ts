/**
 * The names Cisco IOS / IOS-XE accepts in ACLs, with their numbers: IP protocol keywords, named
 * TCP/UDP ports (a vendor table: the same number has different names per protocol, and a few
 * values are Cisco's own choices), and ICMP / ICMPv6 message names with their type and code.
 *
 * Port numbers follow the table in ../shared/docs/formats.md section 10 (Batfish's NamedPort.java,
 * cross-checked with Cisco's ACL command reference). Names NX-OS and EOS accept in the same
 * position (https, microsoft-ds, mlag ...) are listed too, since Cisco-family exports share files.
 */
import { servicePort } from "../../src/model/names.js";
import { CISCO_ICMP4_TYPES, CISCO_ICMP6_TYPES, CISCO_PROTOCOLS, CISCO_TCP_PORTS, CISCO_UDP_PORTS } from "../cisco-common/names.js";

/** Protocol keyword -> IP protocol number; `ip` / `ipv6` (any protocol) are handled by the caller. */
const PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ...CISCO_PROTOCOLS,
  ["ahp", 51],
  ["vrrp", 112],
  ["icmpv6", 58],
  ["hbh", 0],
  ["l2tp", 115],
  ["mobility", 135],
  // ASA/NX-OS spellings found in Cisco-family exports
  ["nd", 77],
]);

/** The IP protocol a keyword or number (0-255) names in an ACL of the given family; null if none. */
export function iosProtocol(word: string, family: 4 | 6): number | null {
  const w = word.toLowerCase();
  if (/^[0-9]{1,3}$/.test(w)) {
    const n = Number(w);
    return n <= 255 ? n : null;
  }
  // `icmp` in an IPv6 ACL is ICMPv6
  if (w === "icmp" && family === 6) return 58;
  return PROTOCOLS.get(w) ?? null;
}

/** Port names valid for TCP (and, where the same number, for UDP). */
const TCP_PORTS: ReadonlyMap<string, number> = new Map([
  ...CISCO_TCP_PORTS,
  ["drip", 3949],
  ["kerberos", 88],
  ["microsoft-ds", 445],
  ["mlag", 4432],
  ["msrpc", 135],
  ["netbios-ss", 139],
  ["onep-plain", 15001],
  ["onep-tls", 15002],
  ["tacacs-ds", 65],
  ["time", 37],
]);

/** Port names valid for UDP. */
const UDP_PORTS: ReadonlyMap<string, number> = new Map([
  ...CISCO_UDP_PORTS,
  ["bfd", 3784],
  ["bfd-echo", 3785],
  ["kerberos", 88],
  ["mlag", 4432],
  ["netbios-ss", 139],
  ["netbios-ssn", 139],
  ["ripv6", 521],
  ["tacacs-ds", 65],
]);

/** Names only SCTP-less, protocol-neutral entries accept (`tcp-udp` service entries): both tables. */
export type PortProto = "tcp" | "udp" | "tcp-udp" | "sctp";

/**
 * Port number for a name or decimal number under the given protocol. Unknown IOS names fall back
 * to the usual IANA services (NX-OS/EOS files use them; `ianaFallback` false turns that off),
 * never across the tcp/udp divide for the names IOS itself assigns differently (512-520). Null
 * when not a port.
 */
export function iosPort(word: string, proto: PortProto, ianaFallback = true): number | null {
  const w = word.toLowerCase();
  if (/^[0-9]{1,5}$/.test(w)) {
    const n = Number(w);
    return n <= 65535 ? n : null;
  }
  const iana = (p: "tcp" | "udp") => (ianaFallback ? servicePort(w, p) : null);
  if (proto === "udp") return UDP_PORTS.get(w) ?? (TCP_PORTS.has(w) ? null : iana("udp"));
  if (proto === "tcp" || proto === "sctp") return TCP_PORTS.get(w) ?? (UDP_PORTS.has(w) ? null : iana("tcp"));
  // tcp-udp: the name must mean the same number for both
  const t = TCP_PORTS.get(w);
  const u = UDP_PORTS.get(w);
  if (t !== undefined && u !== undefined) return t === u ? t : null;
  return t ?? u ?? iana("tcp");
}

/** ICMP message name -> type and optional code (absent: every code of the type). */
export interface IcmpName {
  type: number;
  code?: number;
}

/** Cisco-wide names of a whole ICMP type, as IOS entries (no code). */
const wholeTypes = (names: ReadonlyMap<string, number>): [string, IcmpName][] => [...names].map(([name, type]) => [name, { type }]);

const ICMP4: ReadonlyMap<string, IcmpName> = new Map<string, IcmpName>([
  ...wholeTypes(CISCO_ICMP4_TYPES),
  ["administratively-prohibited", { type: 3, code: 13 }],
  ["dod-host-prohibited", { type: 3, code: 10 }],
  ["dod-net-prohibited", { type: 3, code: 9 }],
  ["general-parameter-problem", { type: 12, code: 0 }],
  ["host-isolated", { type: 3, code: 8 }],
  ["host-precedence-unreachable", { type: 3, code: 14 }],
  ["host-redirect", { type: 5, code: 1 }],
  ["host-tos-redirect", { type: 5, code: 3 }],
  ["host-tos-unreachable", { type: 3, code: 12 }],
  ["host-unknown", { type: 3, code: 7 }],
  ["host-unreachable", { type: 3, code: 1 }],
  ["net-redirect", { type: 5, code: 0 }],
  ["net-tos-redirect", { type: 5, code: 2 }],
  ["net-tos-unreachable", { type: 3, code: 11 }],
  ["net-unreachable", { type: 3, code: 0 }],
  ["network-unknown", { type: 3, code: 6 }],
  ["no-room-for-option", { type: 12, code: 2 }],
  ["option-missing", { type: 12, code: 1 }],
  ["packet-too-big", { type: 3, code: 4 }],
  ["port-unreachable", { type: 3, code: 3 }],
  ["precedence-unreachable", { type: 3, code: 15 }],
  ["protocol-unreachable", { type: 3, code: 2 }],
  ["reassembly-timeout", { type: 11, code: 1 }],
  ["source-route-failed", { type: 3, code: 5 }],
  ["ttl-exceeded", { type: 11, code: 0 }],
]);

const ICMP6: ReadonlyMap<string, IcmpName> = new Map<string, IcmpName>([
  ...wholeTypes(CISCO_ICMP6_TYPES),
  ["beyond-scope", { type: 1, code: 2 }],
  ["destination-unreachable", { type: 1 }],
  ["no-admin", { type: 1, code: 1 }],
  ["no-route", { type: 1, code: 0 }],
  ["addr-unreachable", { type: 1, code: 3 }],
  ["port-unreachable", { type: 1, code: 4 }],
  ["hop-limit", { type: 3, code: 0 }],
  ["reassembly-timeout", { type: 3, code: 1 }],
  ["header", { type: 4, code: 0 }],
  ["next-header", { type: 4, code: 1 }],
  ["parameter-option", { type: 4, code: 2 }],
  ["echo-request", { type: 128 }],
  ["mld-query", { type: 130 }],
  ["mld-report", { type: 131 }],
  ["mld-reduction", { type: 132 }],
  ["nd-ns", { type: 135 }],
  ["nd-na", { type: 136 }],
  ["redirect", { type: 137 }],
  ["mldv2", { type: 143 }],
]);

export function icmpName(word: string, family: 4 | 6): IcmpName | undefined {
  return (family === 4 ? ICMP4 : ICMP6).get(word.toLowerCase());
}
