/**
 * The names Cisco ASA accepts for protocols, ports and ICMP types, with their numbers. These are
 * the vendor's own tables (ASA CLI configuration guide, "Addresses, Protocols, and Ports"), not
 * /etc/services: `radius` is 1645, `sqlnet` 1521, `kerberos` 750, and one number has different
 * names per protocol (512 exec/biff, 513 login/who, 514 cmd/syslog, 520 efs/rip).
 */
import { CISCO_ICMP4_TYPES, CISCO_ICMP6_TYPES, CISCO_PROTOCOLS, CISCO_TCP_PORTS, CISCO_UDP_PORTS } from "../cisco-common/names.js";

/**
 * A protocol keyword or number of the ACE protocol slot and `protocol-object`: a list of protocol
 * numbers, `null` for `ip` (every protocol), `undefined` when the text is not a protocol. `tcp-udp`
 * is both. ASA's keywords are exactly the Cisco-wide ones; its ICMP (v4) type names too.
 */
export function asaProtocol(text: string): number[] | null | undefined {
  const t = text.toLowerCase();
  if (t === "ip") return null;
  if (t === "tcp-udp") return [6, 17];
  const named = CISCO_PROTOCOLS.get(t);
  if (named !== undefined) return [named];
  if (/^[0-9]{1,3}$/.test(t)) {
    const n = Number(t);
    if (n === 0) return null;
    return n <= 255 ? [n] : undefined;
  }
  return undefined;
}

/** TCP port names: the Cisco-wide ones and ASA's own. */
const TCP_PORTS: ReadonlyMap<string, number> = new Map([
  ...CISCO_TCP_PORTS,
  ["aol", 5190],
  ["cifs", 3020],
  ["kerberos", 750],
]);

/** UDP port names: the Cisco-wide ones and ASA's own. */
const UDP_PORTS: ReadonlyMap<string, number> = new Map([
  ...CISCO_UDP_PORTS,
  ["cifs", 3020],
  ["http", 80],
  ["kerberos", 750],
  ["pcanywhere-status", 5632],
  ["secureid-udp", 5510],
  ["vxlan", 4789],
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

/** ICMPv6 type names of `icmp6` ACEs. */
const ICMP6_TYPES: ReadonlyMap<string, number> = new Map([
  ...CISCO_ICMP6_TYPES,
  ["membership-query", 130],
  ["membership-report", 131],
  ["membership-reduction", 132],
  ["neighbor-solicitation", 135],
  ["neighbor-advertisement", 136],
  ["neighbor-redirect", 137],
]);

/** An ICMP type name or number 0-255 for family 4 (icmp) or 6 (icmp6), or undefined. */
export function asaIcmpType(text: string, family: 4 | 6): number | undefined {
  if (/^[0-9]{1,3}$/.test(text)) {
    const n = Number(text);
    return n <= 255 ? n : undefined;
  }
  return (family === 4 ? CISCO_ICMP4_TYPES : ICMP6_TYPES).get(text.toLowerCase());
}

/** TCP ports of the management services the box itself offers. */
export const MANAGEMENT_PORTS: ReadonlyMap<string, number> = new Map([
  ["ssh", 22],
  ["telnet", 23],
  ["http", 443],
]);
