/**
 * How fwlint writes one packet, everywhere it shows one (example packets, traces, the review's
 * prompt, which reads it back): `tcp 198.51.100.7:40000 -> 10.0.0.5:25 iif eth0`; ICMP adds
 * type/code, a forwarded packet `iif X oif Y`, a TTL other than the usual one `ttl N`. Raw text:
 * a terminal or file output sanitizes it.
 */
import type { Packet } from "./finding.js";

export function describePacket(p: Packet): string {
  const v6 = p.family === 6;
  const hp = (a: string, port?: number) => (port === undefined ? a : v6 ? `[${a}]:${port}` : `${a}:${port}`);
  let s = `${p.proto} ${hp(p.src, p.sport)} -> ${hp(p.dst, p.dport)}`;
  if (p.icmp_type !== undefined) s += ` type ${p.icmp_type} code ${p.icmp_code ?? 0}`;
  if (p.iif) s += ` iif ${p.iif}`;
  if (p.oif) s += ` oif ${p.oif}`;
  if (p.ttl !== undefined) s += ` ttl ${p.ttl}`;
  return s;
}
