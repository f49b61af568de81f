/**
 * The names Cisco ASA accepts for protocols, ports and ICMP types, with their numbers. These are
 * the vendor's own tables (ASA CLI configuration guide, "Addresses, Protocols, and Ports"), not
 * /etc/services: `radius` is 1645, `sqlnet` 1521, `kerberos` 750, and one number has different
 * names per protocol (512 exec/biff, 513 login/who, 514 cmd/syslog, 520 efs/rip).
 */

/** Protocol keywords of the ACE protocol slot and `protocol-object` (ip = any protocol). */
const PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ["ah", 51],
  ["eigrp", 88],
  ["esp", 50],
  ["gre", 47],
  ["icmp", 1],
  ["icmp6", 58],
  ["igmp", 2],
  ["igrp", 9],
  ["ipinip", 4],
  ["ipsec", 50],
  ["nos", 94],
  ["ospf", 89],
  ["pcp", 108],
  ["pim", 103],
  ["pptp", 47],
  ["sctp", 132],
  ["snp", 109],
  ["tcp", 6],
  ["udp", 17],
]);

/**
 * A protocol keyword or number: a list of protocol numbers, `null` for `ip` (every protocol),
 * `undefined` when the text is not a protocol. `tcp-udp` is both.
 */
export function asaProtocol(text: string): number[] | null | undefined {
  const t = text.toLowerCase();
  if (t === "ip") return null;
  if (t === "tcp-udp") return [6, 17];
  const named = PROTOCOLS.get(t);
  if (named !== undefined) return [named];
  if (/^[0-9]{1,3}$/.test(t)) {
    const n = Number(t);
    if (n === 0) return null;
    return n <= 255 ? [n] : undefined;
  }
  return undefined;
}

const TCP_PORTS: ReadonlyMap<string, number> = new Map([
  ["aol", 5190],
  ["bgp", 179],
  ["chargen", 19],
  ["cifs", 3020],
  ["citrix-ica", 1494],
  ["cmd", 514],
  ["ctiqbe", 2748],
  ["daytime", 13],
  ["discard", 9],
  ["domain", 53],
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
  ["kerberos", 750],
  ["klogin", 543],
  ["kshell", 544],
  ["ldap", 389],
  ["ldaps", 636],
  ["login", 513],
  ["lotusnotes", 1352],
  ["lpd", 515],
  ["netbios-ssn", 139],
  ["nfs", 2049],
  ["nntp", 119],
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
  ["talk", 517],
  ["telnet", 23],
  ["uucp", 540],
  ["whois", 43],
  ["www", 80],
]);

const UDP_PORTS: ReadonlyMap<string, number> = new Map([
  ["biff", 512],
  ["bootpc", 68],
  ["bootps", 67],
  ["cifs", 3020],
  ["discard", 9],
  ["dnsix", 195],
  ["domain", 53],
  ["echo", 7],
  ["http", 80],
  ["isakmp", 500],
  ["kerberos", 750],
  ["mobile-ip", 434],
  ["nameserver", 42],
  ["netbios-dgm", 138],
  ["netbios-ns", 137],
  ["nfs", 2049],
  ["non500-isakmp", 4500],
  ["ntp", 123],
  ["pcanywhere-status", 5632],
  ["pim-auto-rp", 496],
  ["radius", 1645],
  ["radius-acct", 1646],
  ["rip", 520],
  ["secureid-udp", 5510],
  ["sip", 5060],
  ["snmp", 161],
  ["snmptrap", 162],
  ["sunrpc", 111],
  ["syslog", 514],
  ["tacacs", 49],
  ["talk", 517],
  ["tftp", 69],
  ["time", 37],
  ["vxlan", 4789],
  ["who", 513],
  ["www", 80],
  ["xdmcp", 177],
]);

export type PortLookup = { ok: true; port: number } | { ok: false; reason: string };

/**
 * A port number or name for the given protocols (6 tcp, 17 udp; other protocols take numbers
 * only). For tcp-udp a name must mean the same number in both tables, or exist in only one.
 */
export function asaPort(text: string, protos: readonly number[] | null): PortLookup {
  if (/^[0-9]{1,5}$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? { ok: true, port: n } : { ok: false, reason: `port ${text} is above 65535` };
  }
  const t = text.toLowerCase();
  const tcp = TCP_PORTS.get(t);
  const udp = UDP_PORTS.get(t);
  const wantTcp = protos === null || protos.includes(6) || protos.includes(132);
  const wantUdp = protos === null || protos.includes(17);
  const found: number[] = [];
  if (wantTcp && tcp !== undefined) found.push(tcp);
  if (wantUdp && udp !== undefined) found.push(udp);
  if (found.length === 0) return { ok: false, reason: `'${text}' is not an ASA port name${tcp === undefined && udp === undefined ? "" : " for this protocol"}` };
  if (found.length === 2 && found[0] !== found[1]) return { ok: false, reason: `'${text}' names different tcp and udp ports` };
  return { ok: true, port: found[0]! };
}

/** ICMP (v4) type names of `icmp` ACEs and `icmp-object`. */
const ICMP4_TYPES: ReadonlyMap<string, number> = new Map([
  ["echo-reply", 0],
  ["unreachable", 3],
  ["source-quench", 4],
  ["redirect", 5],
  ["alternate-address", 6],
  ["echo", 8],
  ["router-advertisement", 9],
  ["router-solicitation", 10],
  ["time-exceeded", 11],
  ["parameter-problem", 12],
  ["timestamp-request", 13],
  ["timestamp-reply", 14],
  ["information-request", 15],
  ["information-reply", 16],
  ["mask-request", 17],
  ["mask-reply", 18],
  ["traceroute", 30],
  ["conversion-error", 31],
  ["mobile-redirect", 32],
]);

/** ICMPv6 type names of `icmp6` ACEs. */
const ICMP6_TYPES: ReadonlyMap<string, number> = new Map([
  ["unreachable", 1],
  ["packet-too-big", 2],
  ["time-exceeded", 3],
  ["parameter-problem", 4],
  ["echo", 128],
  ["echo-reply", 129],
  ["membership-query", 130],
  ["membership-report", 131],
  ["membership-reduction", 132],
  ["router-solicitation", 133],
  ["router-advertisement", 134],
  ["neighbor-solicitation", 135],
  ["neighbor-advertisement", 136],
  ["neighbor-redirect", 137],
  ["router-renumbering", 138],
]);

/** An ICMP type name or number 0-255 for family 4 (icmp) or 6 (icmp6), or undefined. */
export function asaIcmpType(text: string, family: 4 | 6): number | undefined {
  if (/^[0-9]{1,3}$/.test(text)) {
    const n = Number(text);
    return n <= 255 ? n : undefined;
  }
  return (family === 4 ? ICMP4_TYPES : ICMP6_TYPES).get(text.toLowerCase());
}

/** TCP ports of the management services the box itself offers. */
export const MANAGEMENT_PORTS: ReadonlyMap<string, number> = new Map([
  ["ssh", 22],
  ["telnet", 23],
  ["http", 443],
]);
