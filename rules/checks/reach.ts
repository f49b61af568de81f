/**
 * Helpers for checks that ask "which packets does a path accept": coverage of public sources,
 * witnesses with the rule that decided them.
 */
import { acceptedUnions, surelyReached, type AcceptedRegion, type PipelineResult } from "../../src/analysis/evaluate.js";
import { PUBLIC_RANGES, publicSize } from "../../src/analysis/regions.js";
import { deliversTo, type TracePath } from "../../src/analysis/trace.js";
import { pickWitness, pointToPacket, protoName } from "../../src/analysis/witness.js";
import type { Finding, Location, TraceStep } from "../../src/model/finding.js";
import type { Family, PipelineKind, SourceSpan } from "../../src/model/types.js";
import { Dim } from "../../src/space/dims.js";
import type { PacketSet } from "../../src/space/packet-set.js";
import { locationOf, witnessHints, type CheckContext } from "./context.js";

/** Share (0..1) of the family's public unicast sources that reach one combination of the rest. */
export function sourceCoverage(set: PacketSet, family: 4 | 6): number {
  if (set.isEmpty()) return 0;
  return publicShare(set.maxSourceCount(), family);
}

/**
 * Public unicast sources of `set` that reach one combination of the rest, counted inside the
 * public ranges in place: `set` need not be cut to them first - a service's strangerTraffic
 * rather than its strangerRegion - and cutting would rebuild every large source set it holds
 * (the accepted packets under a blocklist). Build the strangerRegion part only for a finding.
 */
export function publicSourceCount(set: PacketSet, family: 4 | 6): bigint {
  return set.maxSourceCountIn(PUBLIC_RANGES[family]);
}

/**
 * The part of `set` that publicSourceCount measured: one destination (and port, interface ...)
 * with every public source that reaches it. A finding that says "from N sources" takes its
 * witness, and so its rule, from here: not from a neighbour open to a few partners only.
 */
export function widestPublicPart(set: PacketSet, family: 4 | 6): PacketSet {
  return set.widestSourcePart(PUBLIC_RANGES[family]);
}

/** Share (0..1) of the family's public unicast sources that `count` sources are. */
export function publicShare(count: bigint, family: 4 | 6): number {
  return Number((count * 1_000_000n) / publicSize(family)) / 1_000_000;
}

/** The fewest public sources whose share (publicShare) is past `threshold`. */
export function sourcesPast(threshold: number, family: 4 | 6): bigint {
  return (BigInt(Math.floor(threshold * 1_000_000)) * publicSize(family)) / 1_000_000n + 1n;
}

/**
 * "any source", or the share of the public sources. In a ruleset that filters both families
 * (`families`, the ruleset's): "any IPv6 source", so the IPv4 and IPv6 findings of one rule in an
 * inet table do not read as the same finding twice.
 */
export function coverageText(c: number, family: 4 | 6, families: readonly Family[] = [family]): string {
  if (c >= 0.999) return families.length > 1 ? `any IPv${family} source` : "any source";
  const pct = c * 100;
  return `${pct >= 1 ? Math.floor(pct * 10) / 10 : pct.toPrecision(2)}% of public IPv${family} sources`;
}

export { portsText } from "../../src/model/ports.js";
export { surelyReached } from "../../src/analysis/evaluate.js";

/**
 * The path a finding shows for its witness. Where an unmodelled condition branches - a load
 * balancer's random pick of an endpoint, a mark fwlint cannot compute - the branches end at other
 * rules: the path shown is an accepting one that delivers the packet where the finding says it goes
 * (`delivered`: destination address and port after DNAT) and passes the place the finding names
 * (`through`: its DNAT rule, the policy it reports); else one that does either; else the first
 * accepting path, else the first. Among equals, the path ordinary traffic takes (TracePath.ordinary).
 */
export function acceptingPath(paths: readonly TracePath[], delivered?: readonly bigint[], through: readonly SourceSpan[] = []): TracePath | undefined {
  const accepting = paths.filter((t) => t.verdict === "accept");
  const there = delivered ? accepting.filter((t) => deliversTo(t.delivered, delivered)) : accepting;
  const passes = (t: TracePath) => t.steps.some((step) => through.some((span) => sameSpan(step, span)));
  // of those, the way ordinary traffic goes (TracePath.ordinary): a stranger's connection
  const best = (ts: TracePath[]) => ts.find((t) => passes(t) && t.ordinary) ?? ts.find(passes) ?? ts.find((t) => t.ordinary) ?? ts[0];
  return best(there) ?? best(accepting) ?? paths[0];
}

function sameSpan(step: TraceStep, span: SourceSpan): boolean {
  return step.file === span.file && step.line === span.line && step.column === span.column && step.label === span.label;
}

/** A witness of `set` (original packets of the pipeline), its accepting trace and the deciding rule. */
export function witnessOf(
  ctx: CheckContext,
  res: PipelineResult,
  set: PacketSet,
  hints: { proto?: number; dports?: number[] } = {},
): { witness: Finding["witness"]; trace?: Finding["trace"]; location: Location; path?: TracePath } | undefined {
  const p = res.pipeline;
  const point = pickWitness(set, { ...witnessHints(ctx, p), ...hints });
  if (!point) return undefined;
  const path = acceptingPath(ctx.trace(p, point));
  return {
    witness: pointToPacket(point, p.kind),
    trace: path?.steps,
    location: locationOf(path?.decidedBy, { file: ctx.ruleset.file, line: 1, column: 1 }),
    path,
  };
}

/** A finding's `exposure`: the ports of `exposed`, and from what share of the public sources. */
export function exposureOf(
  family: 4 | 6,
  direction: PipelineKind,
  proto: number,
  exposed: PacketSet,
  coverage: number,
  service: string,
  precision = 10_000,
): NonNullable<Finding["exposure"]> {
  return {
    family,
    protocol: protoName(proto),
    ports: exposed.valuesOf(Dim.Dport).map(([a, b]) => [Number(a), Number(b)]),
    direction,
    sourceCoverage: Math.round(coverage * precision) / precision,
    service,
  };
}

/**
 * What an uncertain finding depends on: the assumptions of the uncertain regions `holds` picks
 * (those holding its example, or meeting its set), the first five, each once.
 */
export function uncertainAssumptions(regions: readonly AcceptedRegion[], holds: (delivered: PacketSet) => boolean): string[] {
  return [...new Set(regions.filter((r) => !surelyReached(r) && holds(r.delivered)).flatMap((r) => r.assumptions))].slice(0, 5);
}

/** `items` by `key`, each group in the items' order, the groups in order of their first item. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  return [...groups.values()];
}

/** Exposure findings of one check at one place from which they are told as one that lists them. */
const GROUP_MIN = 6;

/**
 * Exposure findings of one family and protocol at one location (and alike by `alike`), GROUP_MIN
 * or more of them, as one finding that lists them - a default ACCEPT or an unfiltered path opens a
 * hundred services at one line; fewer stay as they are. The group is taken in its items' order (or
 * `order`'s), its first item's finding stands for it, with the ports and services of all and the
 * smallest source coverage; `say` writes its message from the group and that coverage.
 */
export function groupAtLocation<T>(
  items: readonly T[],
  findingOf: (t: T) => Finding,
  alike: (t: T) => string,
  say: (group: readonly T[], coverage: number) => string,
  order?: (a: T, b: T) => number,
): Finding[] {
  const out: Finding[] = [];
  const key = (t: T) => {
    const f = findingOf(t);
    return `${alike(t)}|${f.exposure!.family}|${f.exposure!.protocol}|${f.location.file}:${f.location.line}:${f.location.column}`;
  };
  for (const g of groupBy(items, key)) {
    if (g.length < GROUP_MIN) {
      out.push(...g.map(findingOf));
      continue;
    }
    if (order) g.sort(order);
    const head = findingOf(g[0]!);
    const findings = g.map(findingOf);
    const coverage = Math.min(...findings.map((f) => f.exposure!.sourceCoverage));
    out.push({
      ...head,
      message: say(g, coverage),
      exposure: { ...head.exposure!, ports: findings.flatMap((f) => f.exposure!.ports).sort((a, b) => a[0] - b[0]), sourceCoverage: coverage, services: findings.map((f) => f.exposure!.service!) },
    });
  }
  return out;
}

const deliveredUnion = new WeakMap<PipelineResult, ReturnType<typeof acceptedUnions>>();

/**
 * Everything a pipeline delivers (after DNAT), certain and possible, computed once per result and
 * shared by the checks. Without a rewrite, and with no region that surelyReached counts beyond the
 * certain ones, it is what the pipeline accepts.
 */
export function deliveredUnions(res: PipelineResult): ReturnType<typeof acceptedUnions> {
  let u = deliveredUnion.get(res);
  if (!u) {
    u = res.accepted.some((a) => a.natRules.length > 0 || (!a.certain && surelyReached(a)))
      ? acceptedUnions(res.accepted, "delivered", surelyReached)
      : {
          certain: res.certainlyAccepted,
          get possible() {
            return res.possiblyAccepted;
          },
        };
    deliveredUnion.set(res, u);
  }
  return u;
}

const strangerUnion = new WeakMap<PipelineResult, ReturnType<typeof acceptedUnions>>();

/**
 * What a pipeline delivers of the connections strangers open (see deliveredUnions): without the
 * regions ordinary traffic never reaches (AcceptedRegion.extraordinary: accepted as broadcasts,
 * or as traffic of the instances of an AWS security group).
 */
export function strangerUnions(res: PipelineResult): ReturnType<typeof acceptedUnions> {
  if (!res.accepted.some((a) => a.extraordinary)) return deliveredUnions(res);
  let u = strangerUnion.get(res);
  if (!u) strangerUnion.set(res, (u = acceptedUnions(strangerRegions(res), "delivered", surelyReached)));
  return u;
}

/** The regions strangers' connections may reach: all but the extraordinary ones. */
export function strangerRegions(res: PipelineResult): AcceptedRegion[] {
  return res.accepted.filter((a) => !a.extraordinary);
}
