/**
 * Names JunOS accepts where a number is expected: port names (firewall filter `port`/`source-port`
 * /`destination-port` and application `destination-port`), IP protocol names (`protocol`,
 * `next-header`), ICMP and ICMPv6 type names, and `tcp-flags` bit names. From the JunOS CLI's
 * completion lists (firewall filter match conditions, applications); numbers are always accepted.
 */
import { protocolNumber } from "../../src/model/names.js";

const PORTS: ReadonlyMap<string, number> = new Map([
  ["afs", 1483], ["bgp", 179], ["biff", 512], ["bootpc", 68], ["bootps", 67], ["cmd", 514], ["cvspserver", 2401],
  ["dhcp", 67], ["domain", 53], ["eklogin", 2105], ["ekshell", 2106], ["exec", 512], ["finger", 79], ["ftp", 21],
  ["ftp-data", 20], ["http", 80], ["https", 443], ["ident", 113], ["imap", 143], ["kerberos-sec", 88], ["klogin", 543],
  ["kpasswd", 761], ["krb-prop", 754], ["krbupdate", 760], ["kshell", 544], ["ldap", 389], ["ldp", 646], ["login", 513],
  ["mobileip-agent", 434], ["mobilip-mn", 435], ["msdp", 639], ["netbios-dgm", 138], ["netbios-ns", 137],
  ["netbios-ssn", 139], ["nfsd", 2049], ["nntp", 119], ["ntalk", 518], ["ntp", 123], ["pop3", 110], ["pptp", 1723],
  ["printer", 515], ["radacct", 1813], ["radius", 1812], ["rip", 520], ["rkinit", 2108], ["smtp", 25], ["snmp", 161],
  ["snmp-trap", 162], ["snmptrap", 162], ["snpp", 444], ["socks", 1080], ["ssh", 22], ["sunrpc", 111], ["syslog", 514], ["tacacs", 49],
  ["tacacs-ds", 65], ["talk", 517], ["telnet", 23], ["tftp", 69], ["timed", 525], ["who", 513], ["xdmcp", 177],
  ["zephyr-clt", 2103], ["zephyr-hm", 2104], ["zephyr-srv", 2102],
]);

/** A port or `lo-hi` range (names allowed on either side); null when not a port. */
export function parsePortRange(text: string): [number, number] | null {
  const one = (s: string): number | null => {
    if (/^[0-9]{1,5}$/.test(s)) {
      const n = Number(s);
      return n <= 65535 ? n : null;
    }
    return PORTS.get(s.toLowerCase()) ?? null;
  };
  const whole = one(text);
  if (whole !== null) return [whole, whole];
  const dash = text.indexOf("-", 1);
  // names may contain '-' (ftp-data): try every split point
  for (let i = dash; i !== -1; i = text.indexOf("-", i + 1)) {
    const lo = one(text.slice(0, i));
    const hi = one(text.slice(i + 1));
    if (lo !== null && hi !== null && lo <= hi) return [lo, hi];
  }
  return null;
}

const JUNOS_PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ["icmp6", 58], ["icmpv6", 58], ["ipv6", 41], ["ipip", 4], ["hop-by-hop", 0], ["routing", 43], ["fragment", 44],
  ["dstopts", 60], ["no-next-header", 59], ["mobility", 135], ["rsvp", 46], ["egp", 8], ["igmp", 2], ["pim", 103],
  ["vrrp", 112], ["ospf", 89], ["gre", 47], ["esp", 50], ["ah", 51], ["sctp", 132], ["tcp", 6], ["udp", 17], ["icmp", 1],
]);

export function junosProtocol(text: string): number | null {
  return JUNOS_PROTOCOLS.get(text.toLowerCase()) ?? protocolNumber(text);
}

/** A protocol or `lo-hi` range of protocol numbers. */
export function parseProtocolRange(text: string): number[] | null {
  const p = junosProtocol(text);
  if (p !== null) return [p];
  const m = /^([0-9]{1,3})-([0-9]{1,3})$/.exec(text);
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo > hi || hi > 255) return null;
  return Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
}

const ICMP4_TYPES: ReadonlyMap<string, number> = new Map([
  ["echo-reply", 0], ["unreachable", 3], ["source-quench", 4], ["redirect", 5], ["echo-request", 8],
  ["router-advertisement", 9], ["router-solicit", 10], ["time-exceeded", 11], ["parameter-problem", 12],
  ["timestamp", 13], ["timestamp-reply", 14], ["info-request", 15], ["info-reply", 16], ["mask-request", 17],
  ["mask-reply", 18],
]);

const ICMP6_TYPES: ReadonlyMap<string, number> = new Map([
  ["destination-unreachable", 1], ["packet-too-big", 2], ["time-exceeded", 3], ["parameter-problem", 4],
  ["private-experimentation-100", 100], ["private-experimentation-101", 101], ["echo-request", 128], ["echo-reply", 129],
  ["membership-query", 130], ["membership-report", 131], ["membership-termination", 132], ["router-solicit", 133],
  ["router-advertisement", 134], ["neighbor-solicit", 135], ["neighbor-advertisement", 136], ["redirect", 137],
  ["router-renumbering", 138], ["node-information-request", 139], ["node-information-reply", 140],
  ["inverse-neighbor-discovery-solicitation", 141], ["inverse-neighbor-discovery-advertisement", 142],
  ["home-agent-address-discovery-request", 144], ["home-agent-address-discovery-reply", 145],
  ["mobile-prefix-solicitation", 146], ["mobile-prefix-advertisement-reply", 147],
  ["certificate-path-solicitation", 148], ["certificate-path-advertisement", 149],
  ["private-experimentation-200", 200], ["private-experimentation-201", 201],
]);

/** An ICMP (family 4) or ICMPv6 (family 6) type name, number or `lo-hi` range. */
export function parseIcmpTypeRange(text: string, family: 4 | 6): [number, number] | null {
  const named = (family === 4 ? ICMP4_TYPES : ICMP6_TYPES).get(text.toLowerCase());
  if (named !== undefined) return [named, named];
  return parseSmallRange(text);
}

/** A number 0-255 or `lo-hi` range of them. */
export function parseSmallRange(text: string): [number, number] | null {
  const m = /^([0-9]{1,3})(?:-([0-9]{1,3}))?$/.exec(text);
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi && hi <= 255 ? [lo, hi] : null;
}

export const TCP_FLAG_BITS: ReadonlyMap<string, number> = new Map([
  ["fin", 0x01], ["syn", 0x02], ["rst", 0x04], ["push", 0x08], ["psh", 0x08], ["ack", 0x10], ["urgent", 0x20], ["urg", 0x20],
]);
