/**
 * The exposure map: what a stranger on the Internet can open a connection to, per file, as rows of
 * destinations x protocol/ports, each with the rule that decides it.
 *
 * Computed from the evaluated pipelines (evaluateRuleset), seen the way the exposure checks see them
 * (only Internet-facing interfaces when the configuration or the ruleset names them, intended
 * openings removed: restrictResults), restricted to new connections from public sources
 * (strangerRegion). Per protocol, the reachable destination ports are cut into ranges, and each
 * range at every port where a rule's destination-port match starts or ends, so one rule decides each
 * piece (found by tracing an example packet, as exposure findings are); neighbouring pieces with the
 * same deciding rule, destinations and reach are joined again. Rows that
 * an exposure finding covers carry its severity, so the map and the list agree.
 */
import { evaluateRuleset, type PipelineResult } from "../analysis/evaluate.js";
import { GROUP_DESTINATIONS, complementRanges, publicSize, strangerRegion } from "../analysis/regions.js";
import { tracePacket } from "../analysis/trace.js";
import { interfaceNames, pickWitness, pointToPacket, protoName, witnessRoutes } from "../analysis/witness.js";
import { exposureView, internetSideOf } from "../engine/intent.js";
import { loadBuiltinCatalog } from "../engine/rule-pack.js";
import { formatAddrRange, formatIP, familyMax } from "../model/address.js";
import type { Packet, Severity, TraceStep } from "../model/finding.js";
import { severityRank } from "../model/finding.js";
import type { Family, PipelineKind, Ruleset } from "../model/types.js";
import { leafConditions } from "../model/conditions.js";
import { Dim, PORT_PROTOS, PROTO_ICMP, PROTO_ICMPV6 } from "../space/dims.js";
import { PacketSet } from "../space/packet-set.js";
import type { ReviewFinding, ScannedFile } from "./session.js";
import { portsText } from "../model/ports.js";

export interface ExposureRow {
  file: string;
  family: Family;
  direction: PipelineKind;
  protocol: string;
  /** Destination ports, [] for protocols without ports. */
  ports: [number, number][];
  /** Destination addresses as the Internet sends them (before DNAT), "any" for the whole family. */
  destinations: string;
  /** Where a DNAT rule sends the example packet ("10.0.0.5:22"), when it does. */
  forwardedTo?: string;
  /** Catalog services on these ports (ssh, smtp ...); for a DNAT, on the port it forwards to. */
  services: string[];
  /** Share of public sources that reach it (0..1). */
  coverage: number;
  /** The rule (or policy) that lets the example packet in. */
  decidedBy?: TraceStep;
  /** An example packet of this row. */
  example: Packet;
  /** The most severe exposure finding about these ports, if any. */
  severity?: Severity;
  findingKey?: string;
}

const MAX_ROWS_PER_FILE = 200;
const MAX_SPLIT_DEPTH = 17;
/** More port cuts than this in one range: bisect on the deciding rule instead of tracing each piece. */
const MAX_CUTS = 512;

/** Every port where some rule's destination-port match or DNAT target starts, or ends (+1), sorted. */
function destinationPortCuts(ruleset: Ruleset): number[] {
  const cuts = new Set<number>();
  for (const chain of ruleset.chains.values()) {
    for (const rule of chain.rules) {
      for (const c of leafConditions(rule.conditions)) if (c.kind === "port" && c.field === "dport") for (const [a, b] of c.ranges) cuts.add(a).add(b + 1);
      if (rule.action.kind === "dnat" && rule.action.to.ports) cuts.add(rule.action.to.ports[0]).add(rule.action.to.ports[1] + 1);
    }
  }
  return [...cuts].sort((a, b) => a - b);
}

/** Ports for the map: "-" when a row has none (ICMP, other protocols). */
export function mapPortsText(ports: readonly [number, number][]): string {
  return ports.length === 0 ? "-" : portsText(ports);
}

/**
 * Address ranges as CIDR blocks where exact, `a-b` otherwise; "any" for the whole space, or all of
 * it but group and broadcast addresses (GROUP_DESTINATIONS: what strangers reach leaves them out).
 */
export function describeAddresses(ranges: readonly [bigint, bigint][], family: Family, limit = 3): string {
  const max = familyMax(family);
  if (ranges.length > 0 && complementRanges(ranges, max).every(([lo, hi]) => GROUP_DESTINATIONS[family].some(([a, b]) => lo >= a && hi <= b))) return "any";
  const parts = ranges.map(([lo, hi]) => formatAddrRange(lo, hi, family));
  return parts.length <= limit ? parts.join(", ") : `${parts.slice(0, limit).join(", ")} +${parts.length - limit} more`;
}

function sameStep(a: TraceStep | undefined, b: TraceStep | undefined): boolean {
  return a?.file === b?.file && a?.line === b?.line && a?.chain === b?.chain;
}

/** Restricted like the exposure checks' view (runChecks): Internet interfaces, intent removed. */
function exposureResults(file: ScannedFile): PipelineResult[] {
  const ruleset = file.ruleset!;
  const results = evaluateRuleset(ruleset).results;
  const configured = file.options.internetInterfaces;
  const restrict = exposureView(ruleset, internetSideOf(ruleset, configured), configured !== undefined, file.options.intent);
  return restrict ? restrict(results) : results;
}

export function exposureMapForFile(file: ScannedFile, findings: readonly ReviewFinding[]): ExposureRow[] {
  const ruleset = file.ruleset;
  if (!ruleset) return [];
  const catalog = loadBuiltinCatalog();
  const ifaces = interfaceNames(ruleset);
  const routes = witnessRoutes(ruleset);
  const rows: ExposureRow[] = [];
  const mine = findings.filter((f) => f.file === file && f.finding.exposure);
  const cuts = destinationPortCuts(ruleset);
  for (const res of exposureResults(file)) {
    const p = res.pipeline;
    if (p.kind === "outbound") continue;
    const family = p.family;
    const reaching = res.accepted.filter((a) => !a.delivered.isEmpty()).map((a) => a.original);
    if (reaching.length === 0) continue;
    const accepted = PacketSet.unionAll(reaching);
    const icmp = family === 4 ? PROTO_ICMP : PROTO_ICMPV6;
    for (const proto of [...PORT_PROTOS, icmp]) {
      const exposed = accepted.intersect(strangerRegion(family, [proto]));
      if (exposed.isEmpty()) continue;
      const ported = PORT_PROTOS.includes(proto);
      const hints = { family, kind: p.kind, ifaces, routes, proto };
      const decide = (set: PacketSet, dport?: number) => {
        const point = pickWitness(set, dport === undefined ? hints : { ...hints, dports: [dport] });
        if (!point) return undefined;
        const paths = tracePacket(ruleset, p, point);
        const path = paths.find((t) => t.verdict === "accept") ?? paths[0];
        return { point, by: path?.decidedBy, delivered: path?.delivered };
      };
      const addRow = (set: PacketSet, ports: [number, number][], decided: { point: bigint[]; by: TraceStep | undefined; delivered: bigint[] | undefined }) => {
        const coverage = Number((set.maxSourceCount() * 1_000_000n) / publicSize(family)) / 1_000_000;
        const protoText = protoName(proto);
        const d = decided.delivered;
        const natted = d !== undefined && (d[Dim.Dst] !== decided.point[Dim.Dst] || (ported && d[Dim.Dport] !== decided.point[Dim.Dport]));
        let forwardedTo: string | undefined;
        let servicePorts = ports;
        if (natted) {
          const addr = formatIP(d[Dim.Dst]!, family);
          forwardedTo = ported ? (family === 6 ? `[${addr}]:${d[Dim.Dport]}` : `${addr}:${d[Dim.Dport]}`) : addr;
          if (ported) servicePorts = [[Number(d[Dim.Dport]), Number(d[Dim.Dport])]];
        }
        const services = catalog.services
          .filter((s) => s.protocols !== "any" && s.protocols.includes(proto) && s.ports.some(([a, b]) => servicePorts.some(([lo, hi]) => a <= hi && b >= lo)))
          .map((s) => s.id);
        const related = mine.filter((f) => {
          const x = f.finding.exposure!;
          return x.family === family && x.direction === p.kind && x.protocol === protoText && (ports.length === 0 || x.ports.some(([a, b]) => [...ports, ...servicePorts].some(([lo, hi]) => a <= hi && b >= lo)));
        });
        related.sort((a, b) => severityRank(b.finding.severity) - severityRank(a.finding.severity));
        const top = related[0];
        rows.push({
          file: file.path,
          family,
          direction: p.kind,
          protocol: protoText,
          ports,
          destinations: describeAddresses(set.valuesOf(Dim.Dst), family),
          ...(forwardedTo !== undefined ? { forwardedTo } : {}),
          services,
          coverage,
          ...(decided.by ? { decidedBy: decided.by } : {}),
          example: pointToPacket(decided.point, p.kind),
          ...(top ? { severity: top.finding.severity, findingKey: top.key } : {}),
        });
      };
      if (!ported) {
        const d = decide(exposed);
        if (d) addRow(exposed, [], d);
        continue;
      }
      // Each port range cut where some rule's destination-port match (or a DNAT's) starts or ends,
      // so that one rule decides each piece; a range with too many cuts is bisected instead.
      const split = (lo: number, hi: number, depth: number): void => {
        if (rows.length >= MAX_ROWS_PER_FILE) return;
        const set = exposed.intersect(PacketSet.box({ [Dim.Dport]: [[BigInt(lo), BigInt(hi)]] }));
        if (set.isEmpty()) return;
        const ports = set.valuesOf(Dim.Dport).map(([a, b]) => [Number(a), Number(b)] as [number, number]);
        if (ports.length > 1 || ports[0]![0] !== lo || ports[0]![1] !== hi) {
          for (const [a, b] of ports) split(a, b, depth);
          return;
        }
        const inside = cuts.filter((c) => c > lo && c <= hi);
        if (inside.length > 0 && inside.length <= MAX_CUTS) {
          let from = lo;
          for (const c of [...inside, hi + 1]) {
            const piece = exposed.intersect(PacketSet.box({ [Dim.Dport]: [[BigInt(from), BigInt(c - 1)]] }));
            if (!piece.isEmpty()) {
              const d = decide(piece, from);
              if (d) addRow(piece, piece.valuesOf(Dim.Dport).map(([a, b]) => [Number(a), Number(b)] as [number, number]), d);
            }
            from = c;
          }
          return;
        }
        const first = decide(set, lo);
        if (!first) return;
        if (lo < hi && depth < MAX_SPLIT_DEPTH) {
          const last = decide(set, hi);
          if (last && !sameStep(first.by, last.by)) {
            const mid = lo + Math.floor((hi - lo) / 2);
            split(lo, mid, depth + 1);
            split(mid + 1, hi, depth + 1);
            return;
          }
        }
        addRow(set, ports, first);
      };
      const first = rows.length;
      for (const [a, b] of exposed.valuesOf(Dim.Dport)) split(Number(a), Number(b), 0);
      rows.splice(first, rows.length - first, ...mergeAdjacent(rows.slice(first)));
    }
  }
  return rows;
}

/**
 * Rows of one protocol in port order, neighbours joined when they are the same opening: adjacent
 * ports, same deciding rule, destinations, forwarding target and coverage (the binary split leaves
 * a wide range in power-of-two pieces).
 */
function mergeAdjacent(rows: ExposureRow[]): ExposureRow[] {
  const out: ExposureRow[] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    const lastHi = last?.ports[last.ports.length - 1]?.[1];
    const lo = r.ports[0]?.[0];
    if (
      last &&
      r.ports.length === 1 &&
      lastHi !== undefined &&
      lo === lastHi + 1 &&
      sameStep(last.decidedBy, r.decidedBy) &&
      last.destinations === r.destinations &&
      last.forwardedTo === r.forwardedTo &&
      last.coverage === r.coverage
    ) {
      last.ports = [...last.ports.slice(0, -1), [last.ports[last.ports.length - 1]![0], r.ports[0]![1]]];
      last.services = [...new Set([...last.services, ...r.services])];
      if (r.severity && (!last.severity || severityRank(r.severity) > severityRank(last.severity))) {
        last.severity = r.severity;
        if (r.findingKey !== undefined) last.findingKey = r.findingKey;
      }
      continue;
    }
    out.push({ ...r });
  }
  return out;
}

/** The map of every scanned file, most severe rows first, then by file, family, protocol, port. */
export function exposureMap(files: readonly ScannedFile[], findings: readonly ReviewFinding[]): ExposureRow[] {
  const rows = files.flatMap((f) => exposureMapForFile(f, findings));
  const rank = (r: ExposureRow) => (r.severity ? severityRank(r.severity) : 0);
  return rows.sort(
    (a, b) =>
      rank(b) - rank(a) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.family - b.family ||
      (a.direction < b.direction ? -1 : a.direction > b.direction ? 1 : 0) ||
      (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0) ||
      (a.ports[0]?.[0] ?? 0) - (b.ports[0]?.[0] ?? 0),
  );
}
