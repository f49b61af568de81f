/** Shared helpers of the cisco-ios tests: parse a config, trace one packet through a path. */
import { expect } from "vitest";
import { parseCiscoIos } from "../../../parsers/cisco-ios/index.js";
import { packetToPoint } from "../../../src/analysis/packet.js";
import { tracePacket } from "../../../src/analysis/trace.js";
import type { Packet } from "../../../src/model/finding.js";
import type { Rule, Ruleset } from "../../../src/model/types.js";

export function ios(text: string, file = "r.ios"): Ruleset {
  return parseCiscoIos(text, file);
}

/** Parses and asserts there is no error or warning. */
export function iosClean(text: string): Ruleset {
  const rs = ios(text);
  expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  return rs;
}

export function aclRules(rs: Ruleset, name: string, family: 4 | 6 = 4): Rule[] {
  const c = rs.chains.get(`${family === 4 ? "ip" : "ipv6"} access-list/${name}`);
  expect(c, `chain ${name}`).toBeDefined();
  return c!.rules;
}

export interface Probe {
  kind?: "inbound" | "forward";
  src: string;
  dst: string;
  proto?: string;
  dport?: number;
  sport?: number;
  iif: string;
  oif?: string;
  flags?: string;
  icmpType?: number;
  ttl?: number;
}

/** Verdicts of every traced path ("accept", "drop", or both when an unknown condition splits) and the steps of the first. */
export function trace(rs: Ruleset, p: Probe): { verdict: string; steps: string[]; by?: string } {
  const family = p.src.includes(":") ? 6 : 4;
  const kind = p.kind ?? "forward";
  const pipeline = rs.pipelines.find((x) => x.kind === kind && x.family === family);
  expect(pipeline, `${kind} pipeline for IPv${family}`).toBeDefined();
  const pkt: Packet = {
    family,
    proto: p.proto ?? "tcp",
    src: p.src,
    dst: p.dst,
    hook: kind === "inbound" ? "input" : "forward",
    iif: p.iif,
    ...(p.oif ? { oif: p.oif } : {}),
    ...(p.dport !== undefined ? { dport: p.dport } : (p.proto ?? "tcp") === "tcp" || p.proto === "udp" ? { dport: 80 } : {}),
    ...(p.sport !== undefined ? { sport: p.sport } : {}),
    ...(p.flags ? { tcp_flags: p.flags } : {}),
    ...(p.icmpType !== undefined ? { icmp_type: p.icmpType } : {}),
    ...(p.ttl !== undefined ? { ttl: p.ttl } : {}),
  };
  const paths = tracePacket(rs, pipeline!, packetToPoint(pkt));
  const verdicts = [...new Set(paths.map((x) => x.verdict))].sort().join("|");
  const first = paths[0]!;
  return { verdict: verdicts, steps: first.steps.map((s) => `${s.chain}: ${s.rule} -> ${s.action}`), by: first.decidedBy ? `${first.decidedBy.chain}: ${first.decidedBy.rule}` : undefined };
}
