/**
 * Semantic diff of two rulesets: which traffic the new one accepts that the old one did not
 * (opened), and the reverse (closed), computed exactly on the packet-set algebra and split into
 * readable regions (one per protocol and destination-port ranges decided by the same rule).
 *
 * Both sides are compared on the packets as they arrived (original, before DNAT), per pipeline
 * kind (inbound, forward, outbound) and family. A pipeline one side does not have at all (a
 * family its file does not speak for) accepts everything, as the kernel does with empty tables.
 * A side given as `null` is a file that does not exist: it accepts nothing.
 *
 * Findings are compared by content (rule id, message with positions left out, exposure), not by
 * line numbers, so that moving rules around does not make findings "new".
 */
import type { Finding, Location, Packet } from "../model/finding.js";
import type { Family, Pipeline, PipelineKind, Ruleset } from "../model/types.js";
import { CT_STATES } from "../model/types.js";
import { formatAddrRange } from "../model/address.js";
import { DIM_MAX, Dim, PORT_PROTOS, PROTO_ICMP, PROTO_ICMPV6 } from "../space/dims.js";
import { PacketSet } from "../space/packet-set.js";
import { acceptedUnions, evaluateRuleset, type PipelineResult, surelyReached } from "./evaluate.js";
import { publicSize, strangerRegion } from "./regions.js";
import { tracePacket } from "./trace.js";
import { interfaceNames, pickWitness, pointToPacket, protoName, type WitnessHints, witnessRoutes } from "./witness.js";

/** What a region's example packet is drawn with: interface names, and the side's routes (see WitnessHints). */
type WitnessNames = Pick<WitnessHints, "ifaces" | "routes">;

export interface DiffRegion {
  direction: PipelineKind;
  family: Family;
  /** Protocol name ("tcp", "icmp", ...); "other" when the region spans several non-port protocols. */
  protocol: string;
  /** Destination ports (inclusive ranges); empty for protocols without ports. */
  ports: [number, number][];
  /** IP protocol numbers of the region (inclusive ranges). */
  protocols: [number, number][];
  /** A packet inside the region (as it arrives, before any DNAT). */
  witness: Packet;
  /**
   * For opened regions the NEW rule (or policy) that accepts the witness, for closed regions the
   * OLD one that accepted it. Absent when no rule decides (a path with no rules at all).
   */
  location?: Location;
  /** Text of that rule ("policy ACCEPT" for a policy). */
  rule?: string;
  /**
   * Inbound/forward: largest share of the family's public unicast sources that reach one
   * connection of the region as a new connection from the outside (like exposed-service).
   * Outbound: the same share over the whole source space of the family.
   */
  sourceCoverage: number;
  /** Destination addresses of the region, readable ("any", "10.0.0.25", "10.0.0.0-10.0.0.255", ...). */
  destinations: string[];
  /** Connection-tracking states in the region (most diffs are about "new"). */
  states: string[];
  /** False when the region depends on conditions fwlint does not model (on either side). */
  certain: boolean;
}

export interface RulesetDiff {
  opened: DiffRegion[];
  closed: DiffRegion[];
}

export interface DiffOptions {
  /** Split one protocol's port ranges into at most this many pieces before grouping (default 256). */
  maxPieces?: number;
}

interface Side {
  rs: Ruleset;
  results: Map<string, { pipeline: Pipeline; possible: PacketSet; certain: PacketSet }>;
}

const KINDS: readonly PipelineKind[] = ["inbound", "forward", "outbound"];

function evaluateSide(rs: Ruleset | null): Side | null {
  if (!rs) return null;
  const { results } = evaluateRuleset(rs);
  const map = new Map<string, { pipeline: Pipeline; possible: PacketSet; certain: PacketSet }>();
  for (const r of results) map.set(`${r.pipeline.family}|${r.pipeline.kind}`, { pipeline: r.pipeline, possible: r.possiblyAccepted, certain: surelyAccepted(r) });
  return { rs, results: map };
}

/**
 * What a side accepts for certain in a diff's words - "opens", not "opens, depending on ..." - as
 * in findings: accepted for certain, or reached as surelyReached tells (a load balancer's draws,
 * what ordinary traffic passes).
 */
function surelyAccepted(r: PipelineResult): PacketSet {
  return r.accepted.some((a) => !a.certain && surelyReached(a)) ? acceptedUnions(r.accepted, "original", surelyReached).certain : r.certainlyAccepted;
}

/** What one side accepts on a path: its evaluation, everything (no pipeline), or nothing (no file). */
function acceptedOn(side: Side | null, family: Family, kind: PipelineKind): { possible: PacketSet; certain: PacketSet; pipeline?: Pipeline } {
  if (!side) return { possible: PacketSet.empty(), certain: PacketSet.empty() };
  const r = side.results.get(`${family}|${kind}`);
  if (r) return r;
  const all = PacketSet.universe([family]);
  return { possible: all, certain: all };
}

/**
 * Traffic `newRs` accepts and `oldRs` did not (opened), and the reverse (closed). `null` for a side
 * means the file does not exist there: it accepts nothing.
 */
export function diffRulesets(oldRs: Ruleset | null, newRs: Ruleset | null, options: DiffOptions = {}): RulesetDiff {
  const oldSide = evaluateSide(oldRs);
  const newSide = evaluateSide(newRs);
  const families = [...new Set<Family>([...(oldRs?.families ?? []), ...(newRs?.families ?? [])])].sort();
  const ifaces = [...new Set([...(newRs ? interfaceNames(newRs) : []), ...(oldRs ? interfaceNames(oldRs) : [])])];
  const newNames: WitnessNames = { ifaces, routes: newRs ? witnessRoutes(newRs) : undefined };
  const oldNames: WitnessNames = { ifaces, routes: oldRs ? witnessRoutes(oldRs) : undefined };
  const opened: DiffRegion[] = [];
  const closed: DiffRegion[] = [];
  for (const family of families) {
    for (const kind of KINDS) {
      const o = acceptedOn(oldSide, family, kind);
      const n = acceptedOn(newSide, family, kind);
      if (o.possible.equals(n.possible)) continue;
      const plus = n.possible.minus(o.possible);
      const minus = o.possible.minus(n.possible);
      // Certain: accepted for sure on the accepting side and refused for sure on the other.
      const surePlus = n.certain.minus(o.possible);
      const sureMinus = o.certain.minus(n.possible);
      if (!plus.isEmpty()) opened.push(...splitRegions(plus, surePlus, family, kind, newSide, n.pipeline, newNames, options));
      if (!minus.isEmpty()) closed.push(...splitRegions(minus, sureMinus, family, kind, oldSide, o.pipeline, oldNames, options));
    }
  }
  return { opened, closed };
}

const COMMON_PORTS = [25, 22, 80, 443, 53, 3306, 5432, 6379, 3389, 8080];

function toNum(ranges: [bigint, bigint][]): [number, number][] {
  return ranges.map(([a, b]) => [Number(a), Number(b)]);
}

function one(v: number | bigint): [bigint, bigint] {
  return [BigInt(v), BigInt(v)];
}

/**
 * Splits a difference into regions: per port protocol by destination-port ranges, ICMP on its own,
 * every other protocol by protocol ranges; then joins neighbouring pieces that the same rule decides.
 */
function splitRegions(
  set: PacketSet,
  sure: PacketSet,
  family: Family,
  kind: PipelineKind,
  side: Side | null,
  pipeline: Pipeline | undefined,
  names: WitnessNames,
  options: DiffOptions,
): DiffRegion[] {
  const maxPieces = options.maxPieces ?? 256;
  const out: DiffRegion[] = [];
  const icmp = family === 4 ? PROTO_ICMP : PROTO_ICMPV6;
  const protos = set.valuesOf(Dim.Proto);
  const protoIn = (p: number) => protos.some(([a, b]) => a <= BigInt(p) && BigInt(p) <= b);
  // Port protocols, one by one, split by destination-port ranges.
  for (const p of [...PORT_PROTOS].sort((a, b) => a - b)) {
    if (!protoIn(p)) continue;
    const part = set.intersect(PacketSet.box({ [Dim.Proto]: [one(p)] }));
    if (part.isEmpty()) continue;
    let ranges = apartFromStrangers(part.valuesOf(Dim.Dport), part, family, kind, [p], Dim.Dport);
    if (ranges.length > maxPieces) ranges = [[ranges[0]![0], ranges[ranges.length - 1]![1]]];
    const pieces = ranges.map((r) => ({ ranges: [r], set: part.intersect(PacketSet.box({ [Dim.Dport]: [r] })) }));
    out.push(...joinPieces(pieces, (piece) => describe(piece.set, sure, family, kind, side, pipeline, names, p, piece.ranges, [one(p)])));
  }
  // ICMP of the family.
  if (protoIn(icmp)) {
    const part = set.intersect(PacketSet.box({ [Dim.Proto]: [one(icmp)] }));
    if (!part.isEmpty()) out.push(describe(part, sure, family, kind, side, pipeline, names, icmp, [], [one(icmp)]));
  }
  // Everything else, by protocol ranges.
  const special = PacketSet.box({ [Dim.Proto]: [...PORT_PROTOS, icmp].map(one) });
  const rest = set.minus(special);
  if (!rest.isEmpty()) {
    const restRanges = rest.valuesOf(Dim.Proto);
    let ranges = apartFromStrangers(restRanges, rest, family, kind, protocolList(restRanges), Dim.Proto);
    if (ranges.length > maxPieces) ranges = [[ranges[0]![0], ranges[ranges.length - 1]![1]]];
    const pieces = ranges.map((r) => ({ ranges: [r], set: rest.intersect(PacketSet.box({ [Dim.Proto]: [r] })) }));
    out.push(
      ...joinPieces(pieces, (piece) => {
        const single = piece.ranges.length === 1 && piece.ranges[0]![0] === piece.ranges[0]![1] ? Number(piece.ranges[0]![0]) : undefined;
        return describe(piece.set, sure, family, kind, side, pipeline, names, single, [], piece.ranges);
      }),
    );
  }
  return out;
}

/**
 * `ranges` (of dimension `dim`, covering `set`) cut where the part of `set` that strangers reach
 * (public sources, new connections, outside interfaces) starts or stops: a region's ports or
 * protocols are then those its source coverage speaks for. Without the cut, an opening of every
 * port on loopback next to TCP/25 from anywhere read "opens every TCP port from any source".
 */
function apartFromStrangers(ranges: [bigint, bigint][], set: PacketSet, family: Family, kind: PipelineKind, protos: number[], dim: Dim): [bigint, bigint][] {
  if (kind === "outbound" || protos.length === 0) return ranges;
  const reached = set.intersect(strangerRegion(family, protos));
  if (reached.isEmpty() || reached.equals(set)) return ranges;
  // valuesOf gives sorted, disjoint ranges: their starts and ends are the cuts, in order
  const cuts = reached.valuesOf(dim).flatMap(([lo, hi]) => [lo, hi + 1n]);
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of ranges) {
    let start = lo;
    for (const c of cuts) {
      if (c <= start || c > hi) continue;
      out.push([start, c - 1n]);
      start = c;
    }
    out.push([start, hi]);
  }
  return out;
}

type Piece = { ranges: [bigint, bigint][]; set: PacketSet };

/** Describes each piece; consecutive pieces decided by the same rule become one region. */
function joinPieces(pieces: Piece[], describeOne: (p: Piece) => DiffRegion): DiffRegion[] {
  const out: DiffRegion[] = [];
  let cur: { piece: Piece; region: DiffRegion; merged: boolean } | undefined;
  const flush = () => {
    if (cur) out.push(cur.merged ? describeOne(cur.piece) : cur.region);
  };
  for (const piece of pieces) {
    const region = describeOne(piece);
    if (cur && locKey(cur.region) === locKey(region)) {
      cur = { piece: { ranges: [...cur.piece.ranges, ...piece.ranges], set: cur.piece.set.union(piece.set) }, region, merged: true };
      continue;
    }
    flush();
    cur = { piece, region, merged: false };
  }
  flush();
  return out;
}

function locKey(r: DiffRegion): string {
  return r.location ? `${r.location.file}:${r.location.line}:${r.location.column}` : `-`;
}

function describe(
  set: PacketSet,
  sure: PacketSet,
  family: Family,
  kind: PipelineKind,
  side: Side | null,
  pipeline: Pipeline | undefined,
  names: WitnessNames,
  proto: number | undefined,
  ports: [bigint, bigint][],
  protocols: [bigint, bigint][],
): DiffRegion {
  const dports = COMMON_PORTS.filter((p) => ports.some(([a, b]) => a <= BigInt(p) && BigInt(p) <= b));
  if (ports.length > 0) dports.push(Number(ports[0]![0] === 0n && ports[0]![1] > 0n ? 1n : ports[0]![0]));
  // Prefer a witness a stranger could send (public source, new connection), then any member.
  const stranger = kind === "outbound" ? set : set.intersect(strangerRegion(family, proto !== undefined ? [proto] : protocolList(protocols)));
  // Several protocols: prefer GRE, else the first one (never the other family's ICMP by default).
  const hintProto = proto ?? (protocols.some(([a, b]) => a <= 47n && 47n <= b) ? 47 : Number(protocols[0]![0]));
  const hints = { family, kind, ...names, dports, proto: hintProto };
  const point = pickWitness(stranger.isEmpty() ? set : stranger, hints) ?? set.witness()!;
  const witness = pointToPacket(point, kind);
  let location: Location | undefined;
  let rule: string | undefined;
  if (side && pipeline) {
    const paths = tracePacket(side.rs, pipeline, point);
    const path = paths.find((t) => t.verdict === "accept") ?? paths[0];
    const by = path?.decidedBy;
    if (by) {
      location = { file: by.file, line: by.line, column: by.column ?? 1 };
      rule = by.rule;
    }
  } else if (side) {
    rule = `no IPv${family} rules: everything is accepted`;
  }
  const coverage = sourceCoverage(stranger, family, kind, set);
  const region: DiffRegion = {
    direction: kind,
    family,
    protocol: proto !== undefined ? protoName(proto) : "other",
    ports: toNum(ports),
    protocols: toNum(protocols),
    witness,
    sourceCoverage: coverage,
    destinations: describeAddrs(set.valuesOf(Dim.Dst), family),
    states: set.valuesOf(Dim.CtState).flatMap(([a, b]) => CT_STATES.slice(Number(a), Number(b) + 1)),
    certain: set.isSubsetOf(sure),
  };
  if (location) region.location = location;
  if (rule !== undefined) region.rule = rule;
  return region;
}

function protocolList(ranges: [bigint, bigint][]): number[] {
  const out: number[] = [];
  for (const [a, b] of ranges) for (let p = Number(a); p <= Number(b); p++) out.push(p);
  return out;
}

function sourceCoverage(stranger: PacketSet, family: Family, kind: PipelineKind, set: PacketSet): number {
  if (kind === "outbound") {
    const total = (family === 4 ? (1n << 32n) : DIM_MAX[Dim.Src]! + 1n);
    return Math.round(Number((set.maxSourceCount() * 1_000_000n) / total) / 100) / 10000;
  }
  if (stranger.isEmpty()) return 0;
  const c = Number((stranger.maxSourceCount() * 1_000_000n) / publicSize(family)) / 1_000_000;
  return Math.round(c * 10000) / 10000;
}

function describeAddrs(ranges: [bigint, bigint][], family: Family): string[] {
  const max = family === 4 ? (1n << 32n) - 1n : DIM_MAX[Dim.Dst]!;
  if (ranges.length === 1 && ranges[0]![0] === 0n && ranges[0]![1] >= max) return ["any"];
  const shown = ranges.slice(0, 8).map(([a, b]) => formatAddrRange(a, b, family));
  if (ranges.length > 8) shown.push(`... ${ranges.length - 8} more ranges`);
  return shown;
}

// ---------------------------------------------------------------------------------------------
// Findings by content

/**
 * What identifies a finding across two versions of a file: its rule id, its message with positions
 * (line numbers, file:line references) left out, its exposure, and the text of the rule it points
 * at. An exposure is matched by its text first and then without it (see diffFindings): each rule
 * that opens a service is a finding of its own, so a rule inserted above an unchanged one that
 * opens the same service is the new finding, not the unchanged one; and the same rules written
 * another way (iptables-save and a script) still match.
 */
export function findingKey(f: Finding, withSource = true): string {
  const message = stripPositions(f.message);
  const exposure = f.exposure ? stableJson(f.exposure) : "";
  const source = f.exposure && !withSource ? "" : (f.sourceLine ?? "").trim().replace(/\s+/g, " ");
  return `${f.ruleId}\u0000${message}\u0000${exposure}\u0000${source}`;
}

function stripPositions(message: string): string {
  return message
    .replace(/\S+:\d+(:\d+)?/g, "<at>")
    .replace(/\blines? \d+(?:, \d+)*/g, "line <n>");
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * Findings of NEW that OLD does not have (newFindings) and of OLD that NEW no longer has
 * (resolvedFindings), matched by {@link findingKey} as multisets (two equal findings in NEW and
 * one in OLD: one is new): first with the rule's text, then the exposures left without it.
 */
export function diffFindings(oldFindings: readonly Finding[], newFindings: readonly Finding[]): { newFindings: Finding[]; resolvedFindings: Finding[] } {
  let olds = [...oldFindings];
  let news = [...newFindings];
  for (const withSource of [true, false]) {
    const key = (f: Finding) => findingKey(f, withSource);
    const count = new Map<string, number>();
    for (const f of olds) count.set(key(f), (count.get(key(f)) ?? 0) + 1);
    const unmatchedNew = news.filter((f) => {
      const c = count.get(key(f)) ?? 0;
      if (c === 0) return true;
      count.set(key(f), c - 1);
      return false;
    });
    const remaining = new Map<string, number>();
    for (const f of news) remaining.set(key(f), (remaining.get(key(f)) ?? 0) + 1);
    olds = olds.filter((f) => {
      const c = remaining.get(key(f)) ?? 0;
      if (c === 0) return true;
      remaining.set(key(f), c - 1);
      return false;
    });
    news = unmatchedNew;
  }
  // An exposure that a wider one of NEW now reports (SSH inside "every TCP port") is not resolved.
  const resolved = olds.filter((f) => !newFindings.some((n) => subsumes(n, f)));
  return { newFindings: news, resolvedFindings: resolved };
}

/** `wide` reports at least the exposure `narrow` did: same path and protocol, more ports, more sources. */
function subsumes(wide: Finding, narrow: Finding): boolean {
  const w = wide.exposure;
  const n = narrow.exposure;
  if (!w || !n || wide.ruleId !== narrow.ruleId) return false;
  if (w.family !== n.family || w.direction !== n.direction || w.protocol !== n.protocol) return false;
  if (w.sourceCoverage < n.sourceCoverage) return false;
  if (wide.uncertain && !narrow.uncertain) return false;
  return n.ports.every(([a, b]) => w.ports.some(([c, d]) => c <= a && b <= d));
}
