/** Small helpers for the ASA parser tests: parse a config, ask fwlint's verdict for one packet. */
import { packetToPoint } from "../../../src/analysis/packet.js";
import { tracePacket } from "../../../src/analysis/trace.js";
import { pipelineFor, verdictFor, type Verdict } from "../../../src/analysis/verdict.js";
import type { Packet } from "../../../src/model/finding.js";
import type { Diagnostic, Ruleset } from "../../../src/model/types.js";
import { parseCiscoAsa } from "../../../parsers/cisco-asa/index.js";

/** Two interfaces (outside 0 / inside 100) and a DMZ at 50, as most tests need. */
export const INTERFACES = `ASA Version 9.12(4)
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 203.0.113.2 255.255.255.0
interface GigabitEthernet0/1
 nameif inside
 security-level 100
 ip address 10.1.0.1 255.255.0.0
interface GigabitEthernet0/2
 nameif dmz
 security-level 50
 ip address 172.16.1.1 255.255.255.0
`;

export function asa(text: string, file = "asa.cfg"): Ruleset {
  return parseCiscoAsa(text, file);
}

export function errors(rs: Ruleset): Diagnostic[] {
  return rs.diagnostics.filter((d) => d.severity === "error");
}

export type Probe = Partial<Packet> & { src: string; dst: string };

/** fwlint's verdict for the first packet of a flow (forward path unless `hook` says otherwise). */
export function verdict(rs: Ruleset, p: Probe): Verdict {
  return verdictFor(rs, packet(p)).verdict;
}

export function packet(p: Probe): Packet {
  const family = p.family ?? (p.src.includes(":") ? 6 : 4);
  const proto = p.proto ?? "tcp";
  const dport = p.dport ?? (proto === "tcp" || proto === "udp" ? 80 : undefined);
  return { hook: "forward", iif: "outside", oif: "inside", ...p, proto, family, ...(dport !== undefined ? { dport } : {}) };
}

/** The trace steps (chain and action) of the first path. */
export function steps(rs: Ruleset, p: Probe): string[] {
  return verdictFor(rs, packet(p)).paths[0]?.steps.map((s) => `${s.chain}: ${s.action}`) ?? [];
}

/** The verdict for a packet of an already established connection (every path must agree). */
export function establishedVerdict(rs: Ruleset, p: Probe): Verdict {
  const pk = packet(p);
  const paths = tracePacket(rs, pipelineFor(rs, pk)!, packetToPoint(pk, "established"));
  const v = new Set(paths.map((x) => x.verdict));
  return v.size === 1 ? [...v][0]! : "unknown";
}
