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

/** Protocol keyword -> IP protocol number; `ip` / `ipv6` (any protocol) are handled by the caller. */
const PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ["ahp", 51],
  ["ah", 51],
  ["eigrp", 88],
  ["esp", 50],
  ["gre", 47],
  ["icmp", 1],
  ["igmp", 2],
  ["ipinip", 4],
  ["nos", 94],
  ["ospf", 89],
  ["pcp", 108],
  ["pim", 103],
  ["sctp", 132],
  ["tcp", 6],
  ["udp", 17],
  ["vrrp", 112],
  ["icmpv6", 58],
  ["hbh", 0],
  ["l2tp", 115],
  ["mobility", 135],
  // ASA/NX-OS spellings found in Cisco-family exports
  ["icmp6", 58],
  ["igrp", 9],
  ["ipsec", 50],
  ["pptp", 47],
  ["snp", 109],
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
  ["bgp", 179],
  ["chargen", 19],
  ["citrix-ica", 1494],
  ["cmd", 514],
  ["ctiqbe", 2748],
  ["daytime", 13],
  ["discard", 9],
  ["domain", 53],
  ["drip", 3949],
  ["echo", 7],
  ["exec", 512],
  ["finger", 79],
  ["ftp", 21],
  ["ftp-data", 20],
  ["gopher", 70],
  ["h323", 1720],
  ["hostname", 101],
  ["http", 80],
  ["https", 443],
  ["ident", 113],
  ["imap4", 143],
  ["irc", 194],
  ["kerberos", 88],
  ["klogin", 543],
  ["kshell", 544],
  ["ldap", 389],
  ["ldaps", 636],
  ["login", 513],
  ["lotusnotes", 1352],
  ["lpd", 515],
  ["microsoft-ds", 445],
  ["mlag", 4432],
  ["msrpc", 135],
  ["netbios-ssn", 139],
  ["netbios-ss", 139],
  ["nfs", 2049],
  ["nntp", 119],
  ["onep-plain", 15001],
  ["onep-tls", 15002],
  ["pcanywhere-data", 5631],
  ["pim-auto-rp", 496],
  ["pop2", 109],
  ["pop3", 110],
  ["pptp", 1723],
  ["rsh", 514],
  ["rtsp", 554],
  ["sip", 5060],
  ["smtp", 25],
  ["sqlnet", 1521],
  ["ssh", 22],
  ["sunrpc", 111],
  ["tacacs", 49],
  ["tacacs-ds", 65],
  ["talk", 517],
  ["telnet", 23],
  ["time", 37],
  ["uucp", 540],
  ["whois", 43],
  ["www", 80],
]);

/** Port names valid for UDP. */
const UDP_PORTS: ReadonlyMap<string, number> = new Map([
  ["bfd", 3784],
  ["bfd-echo", 3785],
  ["biff", 512],
  ["bootpc", 68],
  ["bootps", 67],
  ["discard", 9],
  ["dnsix", 195],
  ["domain", 53],
  ["echo", 7],
  ["isakmp", 500],
  ["kerberos", 88],
  ["mlag", 4432],
  ["mobile-ip", 434],
  ["nameserver", 42],
  ["netbios-dgm", 138],
  ["netbios-ns", 137],
  ["netbios-ss", 139],
  ["netbios-ssn", 139],
  ["nfs", 2049],
  ["non500-isakmp", 4500],
  ["ntp", 123],
  ["pim-auto-rp", 496],
  ["radius", 1645],
  ["radius-acct", 1646],
  ["rip", 520],
  ["ripv6", 521],
  ["sip", 5060],
  ["snmp", 161],
  ["snmptrap", 162],
  ["sunrpc", 111],
  ["syslog", 514],
  ["tacacs", 49],
  ["tacacs-ds", 65],
  ["talk", 517],
  ["tftp", 69],
  ["time", 37],
  ["who", 513],
  ["www", 80],
  ["xdmcp", 177],
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

const ICMP4: ReadonlyMap<string, IcmpName> = new Map<string, IcmpName>([
  ["administratively-prohibited", { type: 3, code: 13 }],
  ["alternate-address", { type: 6 }],
  ["conversion-error", { type: 31 }],
  ["dod-host-prohibited", { type: 3, code: 10 }],
  ["dod-net-prohibited", { type: 3, code: 9 }],
  ["echo", { type: 8 }],
  ["echo-reply", { type: 0 }],
  ["general-parameter-problem", { type: 12, code: 0 }],
  ["host-isolated", { type: 3, code: 8 }],
  ["host-precedence-unreachable", { type: 3, code: 14 }],
  ["host-redirect", { type: 5, code: 1 }],
  ["host-tos-redirect", { type: 5, code: 3 }],
  ["host-tos-unreachable", { type: 3, code: 12 }],
  ["host-unknown", { type: 3, code: 7 }],
  ["host-unreachable", { type: 3, code: 1 }],
  ["information-reply", { type: 16 }],
  ["information-request", { type: 15 }],
  ["mask-reply", { type: 18 }],
  ["mask-request", { type: 17 }],
  ["mobile-redirect", { type: 32 }],
  ["net-redirect", { type: 5, code: 0 }],
  ["net-tos-redirect", { type: 5, code: 2 }],
  ["net-tos-unreachable", { type: 3, code: 11 }],
  ["net-unreachable", { type: 3, code: 0 }],
  ["network-unknown", { type: 3, code: 6 }],
  ["no-room-for-option", { type: 12, code: 2 }],
  ["option-missing", { type: 12, code: 1 }],
  ["packet-too-big", { type: 3, code: 4 }],
  ["parameter-problem", { type: 12 }],
  ["port-unreachable", { type: 3, code: 3 }],
  ["precedence-unreachable", { type: 3, code: 15 }],
  ["protocol-unreachable", { type: 3, code: 2 }],
  ["reassembly-timeout", { type: 11, code: 1 }],
  ["redirect", { type: 5 }],
  ["router-advertisement", { type: 9 }],
  ["router-solicitation", { type: 10 }],
  ["source-quench", { type: 4 }],
  ["source-route-failed", { type: 3, code: 5 }],
  ["time-exceeded", { type: 11 }],
  ["timestamp-reply", { type: 14 }],
  ["timestamp-request", { type: 13 }],
  ["traceroute", { type: 30 }],
  ["ttl-exceeded", { type: 11, code: 0 }],
  ["unreachable", { type: 3 }],
]);

const ICMP6: ReadonlyMap<string, IcmpName> = new Map<string, IcmpName>([
  ["beyond-scope", { type: 1, code: 2 }],
  ["destination-unreachable", { type: 1 }],
  ["unreachable", { type: 1 }],
  ["no-admin", { type: 1, code: 1 }],
  ["no-route", { type: 1, code: 0 }],
  ["addr-unreachable", { type: 1, code: 3 }],
  ["port-unreachable", { type: 1, code: 4 }],
  ["packet-too-big", { type: 2 }],
  ["time-exceeded", { type: 3 }],
  ["hop-limit", { type: 3, code: 0 }],
  ["reassembly-timeout", { type: 3, code: 1 }],
  ["parameter-problem", { type: 4 }],
  ["header", { type: 4, code: 0 }],
  ["next-header", { type: 4, code: 1 }],
  ["parameter-option", { type: 4, code: 2 }],
  ["echo-request", { type: 128 }],
  ["echo", { type: 128 }],
  ["echo-reply", { type: 129 }],
  ["mld-query", { type: 130 }],
  ["mld-report", { type: 131 }],
  ["mld-reduction", { type: 132 }],
  ["router-solicitation", { type: 133 }],
  ["router-advertisement", { type: 134 }],
  ["nd-ns", { type: 135 }],
  ["nd-na", { type: 136 }],
  ["redirect", { type: 137 }],
  ["router-renumbering", { type: 138 }],
  ["mldv2", { type: 143 }],
]);

export function icmpName(word: string, family: 4 | 6): IcmpName | undefined {
  return (family === 4 ? ICMP4 : ICMP6).get(word.toLowerCase());
}
