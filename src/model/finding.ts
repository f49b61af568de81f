/**
 * Findings and the report shapes (../shared/docs/contracts.md). Reporters read only these.
 */
import type { Diagnostic, Family, PipelineKind } from "./types.js";

export type Severity = "critical" | "high" | "medium" | "low" | "info";
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "info"];

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s); // critical 5 ... info 1
}

/** A concrete packet, in the JSON-lines shape shared with tools/kernel-oracle. */
export interface Packet {
  id?: string;
  family: Family;
  proto: string;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  icmp_type?: number;
  icmp_code?: number;
  iif?: string;
  oif?: string;
  hook: "input" | "forward" | "output";
  tcp_flags?: string;
  /** IPv4 TTL or IPv6 hop limit as the packet arrives (default 64, the kernel oracle's); shown only when it matters. */
  ttl?: number;
}

/** One step of a trace: a rule (or policy) that matched on the way to the verdict. */
export interface TraceStep {
  table: string;
  chain: string;
  /** Short text of the rule or "policy DROP". */
  rule: string;
  line: number;
  column?: number;
  /** Tells the place apart when its line holds others too: "handle 12" (see SourceSpan.label). */
  label?: string;
  /** The device's own name for the chain, where it has one ("access-list EDGE": Chain.label). */
  title?: string;
  file: string;
  /** What happened at this step: "accept", "drop", "jump", "return", "dnat to 10.0.0.5:25", ... */
  action: string;
}

export interface Location {
  file: string;
  line: number;
  column: number;
}

export interface Exposure {
  family: Family;
  protocol: string;
  ports: [number, number][];
  direction: PipelineKind;
  /** Share of the family's public unicast space that reaches it (0..1). */
  sourceCoverage: number;
  service?: string;
  /** When one finding reports several services opened by the same rule: all of them. */
  services?: string[];
  /**
   * The interface the exposed hosts are behind, on a ruleset analysed per interface
   * (Ruleset.hosts): the security group, network ACL, NSG or firewall target.
   */
  target?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  location: Location;
  /** The source line the location points at, for text output. */
  sourceLine?: string;
  exposure?: Exposure;
  witness?: Packet;
  trace?: TraceStep[];
  /** Other places that explain the finding (e.g. the earlier rules that cover a shadowed rule). */
  related?: (Location & { message: string })[];
  /** The finding depends on conditions fwlint does not model (rate limits, marks ...). */
  uncertain?: string[];
  /** Covered by an inline suppression (kept only with `check --show-suppressed`). */
  suppressed?: boolean;
}

export interface FileReport {
  path: string;
  format: string;
  rules: number;
  diagnostics: Diagnostic[];
}

export interface Report {
  version: 1;
  tool: { name: "fwlint"; version: string };
  files: FileReport[];
  findings: Finding[];
}
