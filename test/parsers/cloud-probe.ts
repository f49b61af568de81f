/**
 * The packet the cloud readers' tests probe with: a new connection from a stranger (198.51.100.7)
 * to tcp/22 of 10.0.0.5 arriving on `iif`, or, with an `oif`, one leaving 10.0.0.5 for
 * 203.0.113.10; anything given in `p` overrides.
 */
import type { Packet } from "../../src/model/finding.js";

export type Probe = Partial<Packet> & { iif?: string; oif?: string };

export function probePacket(p: Probe, iif: string): Packet {
  const egress = p.oif !== undefined;
  const proto = p.proto ?? "tcp";
  return {
    hook: egress ? "output" : "input",
    family: (p.src ?? p.dst ?? "").includes(":") ? 6 : 4,
    src: p.src ?? (egress ? "10.0.0.5" : "198.51.100.7"),
    dst: p.dst ?? (egress ? "203.0.113.10" : "10.0.0.5"),
    proto,
    ...(proto === "tcp" || proto === "udp" || proto === "sctp" ? { sport: 40000, dport: 22 } : {}),
    ...(egress ? {} : { iif }),
    ...p,
  };
}
