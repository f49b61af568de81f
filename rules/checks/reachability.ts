/**
 * reachability: a user-written rule "X is reachable from Y on path Z". X is catalog services and/or
 * a protocol with ports (optionally only to some destinations); Y is "any" (the stranger region
 * exposed-service measures, with its coverage threshold) or source CIDR blocks, optionally arriving
 * on some interfaces. A finding when any new connection in that region is accepted.
 */
import type { PipelineResult } from "../../src/analysis/evaluate.js";
import { PUBLIC_RANGES, strangerRegion } from "../../src/analysis/regions.js";
import { protoName } from "../../src/analysis/witness.js";
import { guessFamily, parseIP, prefixRange } from "../../src/model/address.js";
import { CT_STATES, type PipelineKind } from "../../src/model/types.js";
import type { Finding } from "../../src/model/finding.js";
import { PROTOCOL_NUMBERS, type ReachabilityParams } from "../../src/engine/rule-pack.js";
import { Dim, PROTO_TCP, ifacePrefixRange, ifaceToValue } from "../../src/space/dims.js";
import { PacketSet, type Ranges } from "../../src/space/packet-set.js";
import { filtersPath } from "./chains.js";
import type { Check, CheckContext } from "./context.js";
import { coverageText, portsText, sourceCoverage, surelyReached, witnessOf } from "./reach.js";

const one = (v: number | bigint): [bigint, bigint] => [BigInt(v), BigInt(v)];
const ALL_PROTOS: number[] = Array.from({ length: 256 }, (_, i) => i);

/** One thing the rule asks about: a protocol (or every protocol) and its ports. */
interface Target {
  label: string;
  /** undefined: every protocol. */
  proto?: number;
  ports?: [number, number][];
  service?: string;
}

function targets(ctx: CheckContext, params: ReachabilityParams): Target[] {
  const out: Target[] = [];
  for (const id of params.services) {
    const svc = ctx.catalog.byId.get(id);
    if (!svc) continue; // the loader checks ids against the built-in catalog
    if (svc.protocols === "any") {
      out.push({ label: svc.name, service: svc.id });
      continue;
    }
    for (const proto of svc.protocols) {
      const ranges = svc.ports.map(([a, b]) => [BigInt(a), BigInt(b)] as [bigint, bigint]);
      out.push({ label: `${svc.name} (${protoName(proto)}/${portsText(ranges)})`, proto, ports: svc.ports, service: svc.id });
    }
  }
  if (params.protocol !== undefined) {
    if (params.protocol === "any") out.push({ label: "every protocol" });
    else {
      const proto = PROTOCOL_NUMBERS[params.protocol];
      const ports = params.ports;
      const text = ports ? portsText(ports.map(([a, b]) => [BigInt(a), BigInt(b)])) : "every port";
      out.push({ label: `${params.protocol}/${text}`, proto, ...(ports ? { ports } : {}) });
    }
  }
  return out;
}

/** Address blocks of `family` among CIDR texts (validated by the loader). */
function blocks(specs: readonly string[], family: 4 | 6): Ranges {
  const out: [bigint, bigint][] = [];
  for (const spec of specs) {
    const [addr, lenText] = spec.split("/") as [string, string?];
    if (guessFamily(addr) !== family) continue;
    const value = parseIP(addr, family);
    if (value === null) continue;
    const r = prefixRange(value, lenText === undefined ? (family === 4 ? 32 : 128) : Number(lenText), family);
    out.push([r.lo, r.hi]);
  }
  return out;
}

/** New connections (a TCP SYN) from `sources` for `target`, or undefined when none fit this family. */
function region(params: ReachabilityParams, target: Target, family: 4 | 6, kind: PipelineKind): PacketSet | undefined {
  const protos = target.proto === undefined ? ALL_PROTOS : [target.proto];
  let set: PacketSet;
  if (params.sources === "any") {
    set = strangerRegion(family, protos);
  } else {
    const src = blocks(params.sources, family);
    if (src.length === 0) return undefined;
    const all = PacketSet.box({
      [Dim.Family]: [one(family)],
      [Dim.CtState]: [one(CT_STATES.indexOf("new"))],
      [Dim.Proto]: protos.map(one),
      [Dim.Src]: src,
    });
    const tcp = PacketSet.box({ [Dim.Proto]: [one(PROTO_TCP)] });
    set = all.minus(tcp.minus(PacketSet.box({ [Dim.Proto]: [one(PROTO_TCP)], [Dim.TcpFlags]: [one(2)] })));
  }
  if (target.ports) set = set.intersect(PacketSet.box({ [Dim.Dport]: target.ports.map(([a, b]) => [BigInt(a), BigInt(b)] as [bigint, bigint]) }));
  if (params.destinations) {
    const dst = blocks(params.destinations, family);
    if (dst.length === 0) return undefined;
    set = set.intersect(PacketSet.box({ [Dim.Dst]: dst }));
  }
  if (params.interfaces) {
    const ranges = params.interfaces.map((n) => (n.endsWith("+") ? ifacePrefixRange(n.slice(0, -1)) : one(ifaceToValue(n))));
    set = set.intersect(PacketSet.box({ [kind === "outbound" ? Dim.Oif : Dim.Iif]: ranges }));
  }
  return set;
}

const acceptedCache = new WeakMap<PipelineResult, { certain: PacketSet; possible: PacketSet }>();

/**
 * The original packets a pipeline accepts, from its accepted regions. The engine may have cut the
 * regions for exposure-like checks (Internet-facing interfaces, intent): a region without DNAT is
 * taken as delivered (so both cuts show), one with DNAT as it arrived (only the interface cut shows).
 */
function accepted(res: PipelineResult): { certain: PacketSet; possible: PacketSet } {
  let u = acceptedCache.get(res);
  if (!u) {
    const of = (certain: boolean) =>
      PacketSet.unionAll(res.accepted.filter((a) => surelyReached(a) === certain).map((a) => (a.natRules.length === 0 ? a.delivered : a.original)));
    const certain = of(true);
    u = { certain, possible: certain.union(of(false)) };
    acceptedCache.set(res, u);
  }
  return u;
}

/** The accepted part of `wanted`, certain acceptances first; undefined when it does not count. */
function reached(res: PipelineResult, wanted: PacketSet, params: ReachabilityParams): { set: PacketSet; certain: boolean; coverage: number } | undefined {
  const family = res.pipeline.family;
  const all = accepted(res);
  for (const certain of [true, false]) {
    const set = (certain ? all.certain : all.possible).intersect(wanted);
    if (set.isEmpty()) continue;
    const coverage = sourceCoverage(set, family);
    if (params.sources === "any" && !(coverage > (params.minCoverage ?? 0.5))) continue;
    return { set, certain, coverage };
  }
  return undefined;
}

export const reachability: Check<ReachabilityParams> = (ctx, params, rule) => {
  const findings: Finding[] = [];
  const wanted = targets(ctx, params);
  for (const res of ctx.results()) {
    const p = res.pipeline;
    if (!params.directions.includes(p.kind)) continue;
    if (!filtersPath(ctx.ruleset, p)) continue;
    for (const target of wanted) {
      const r = region(params, target, p.family, p.kind);
      if (!r) continue;
      const hit = reached(res, r, params);
      if (!hit) continue;
      const w = witnessOf(ctx, res, hit.set, {
        ...(target.proto !== undefined ? { proto: target.proto } : {}),
        ...(target.ports ? { dports: target.ports.map(([a]) => a) } : {}),
      });
      if (!w) continue;
      const from = params.sources === "any" ? coverageText(hit.coverage, p.family, ctx.ruleset.families) : params.sources.join(", ");
      const verb = hit.certain ? "is reachable" : "may be reachable";
      findings.push({
        ruleId: rule.id,
        severity: rule.severity,
        message: `${params.message}: ${target.label} ${verb} from ${from} on the ${p.kind} path`,
        location: w.location,
        witness: w.witness,
        trace: w.trace,
        ...(hit.certain ? {} : { uncertain: [...new Set(w.path?.assumptions ?? [])].slice(0, 5) }),
        exposure: {
          family: p.family,
          protocol: target.proto === undefined ? "any" : protoName(target.proto),
          ports: hit.set.valuesOf(Dim.Dport).map(([a, b]) => [Number(a), Number(b)]),
          direction: p.kind,
          sourceCoverage: Math.round(hit.coverage * 1_000_000) / 1_000_000,
          ...(target.service ? { service: target.service } : {}),
        },
      });
    }
  }
  return findings;
};
