/**
 * exposed-service: a sensitive service (or every port) is reachable on an inbound or forward
 * path from (nearly) any public source.
 */
import type { AcceptedRegion, PipelineResult } from "../../src/analysis/evaluate.js";
import { stepRule, type TracePath } from "../../src/analysis/trace.js";
import { strangerRegion, strangerTraffic } from "../../src/analysis/regions.js";
import { pickWitness, pointToPacket, protoName, type WitnessHints } from "../../src/analysis/witness.js";
import { describePacket } from "../../src/model/packet-text.js";
import { formatIP } from "../../src/model/address.js";
import type { ExposureParams, Service } from "../../src/engine/rule-pack.js";
import { severityRank, type Finding, type Location, type TraceStep } from "../../src/model/finding.js";
import { DIM_COUNT, Dim, ifaceToValue } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { compiled, filterEntriesOf, filtersPath, matchInChain, rulesOfSource } from "./chains.js";
import { locationOf, witnessHints, type Check, type CheckContext } from "./context.js";
import { acceptingPath, coverageText, groupAtLocation, publicShare, publicSourceCount, strangerRegions, strangerUnions, surelyReached, uncertainAssumptions, widestPublicPart } from "./reach.js";
import { portsText } from "../../src/model/ports.js";
import { placeRef, type Family, type Rule } from "../../src/model/types.js";

const ALL_PORTS: [bigint, bigint][] = [[1n, 65535n]];

interface Hit {
  exposed: PacketSet;
  coverage: number;
  certain: boolean;
  regions: AcceptedRegion[];
}

/**
 * How much of the public source space reaches a service's stranger region, certain acceptances
 * first. The public sources are counted in place (publicSourceCount) in what reaches the region
 * from anyone (strangerTraffic): most services measured are not findings, and only a finding's
 * exposed set is built. With `interfaces`, only what arrives on those counts.
 */
function measure(res: PipelineResult, protos: readonly number[], ports: [bigint, bigint][], forAll: boolean, threshold: number, interfaces?: readonly string[]): Hit | undefined {
  const family = res.pipeline.family;
  const all = strangerUnions(res);
  let traffic = strangerTraffic(family, protos, ports);
  if (interfaces) traffic = traffic.intersect(PacketSet.box({ [Dim.Iif]: interfaces.map((n) => [ifaceToValue(n), ifaceToValue(n)] as [bigint, bigint]) }));
  for (const certainOnly of [true, false]) {
    let reached = (certainOnly ? all.certain : all.possible).intersect(traffic);
    if (forAll) {
      // Every destination port open: the packets of the region reached on each of its ports
      // (ALL_PORTS: the region is a product with them; the source condition left aside is one
      // on the source alone, so it commutes with this).
      reached = traffic.intersect(reached.forAll(Dim.Dport, ALL_PORTS));
    }
    const sources = publicSourceCount(reached, family);
    if (sources === 0n) continue;
    const coverage = publicShare(sources, family);
    if (coverage > threshold) {
      const exposed = reached.intersect(strangerRegion(family, protos, ports));
      const regions = strangerRegions(res).filter((a) => (certainOnly ? surelyReached(a) : true));
      return { exposed, coverage, certain: certainOnly, regions };
    }
    if (!certainOnly) return undefined;
  }
  return undefined;
}

/** Per every-port finding, its combinations of everything but the source (see outsideOf). */
const toldCombos = new WeakMap<Hit, PacketSet>();

/**
 * The part of `hit` whose combination of everything but the source (destination, port,
 * interfaces ...) has no packet in `told`, when it is still reached from more than `threshold` of
 * the public sources. `told` is taken without its source dimension: with a blocklist there, the
 * exact difference of the two sets costs seconds (nft bench: 16 s -> 27 s); taking out a set whose
 * source sets are all or nothing stops above them.
 */
function outsideOf(hit: Hit, told: Hit, family: 4 | 6, threshold: number): Hit | undefined {
  let combos = toldCombos.get(told);
  if (!combos) toldCombos.set(told, (combos = told.exposed.forget([Dim.Src])));
  const rest = hit.exposed.minus(combos);
  if (rest.isEmpty()) return undefined;
  const coverage = publicShare(publicSourceCount(rest, family), family);
  return coverage > threshold ? { ...hit, exposed: rest, coverage } : undefined;
}

function exposedPorts(set: PacketSet): [number, number][] {
  return set.valuesOf(Dim.Dport).map(([a, b]) => [Number(a), Number(b)]);
}

/**
 * A hit split by the hosts it reaches on a ruleset analysed per interface (Ruleset.hosts): one
 * part per host interface whose packets it holds - still reached from more than `threshold` of the
 * public sources there -, with that interface; the hit whole where there are none or one.
 */
function perHost(hosts: readonly HostValue[], hit: Hit, kind: string, family: Family, threshold: number): { hit: Hit; target?: string }[] {
  if (hosts.length === 0) return [{ hit }];
  const dim = kind === "outbound" ? Dim.Oif : Dim.Iif;
  const values = hit.exposed.valuesOf(dim);
  const reached = hosts.filter(([, v]) => values.some(([a, b]) => v >= a && v <= b));
  if (reached.length <= 1) return [{ hit, ...(reached.length === 1 ? { target: reached[0]![0] } : {}) }];
  const out: { hit: Hit; target: string }[] = [];
  for (const [h, v] of reached) {
    const exposed = hit.exposed.intersect(PacketSet.box({ [dim]: [[v, v]] }));
    if (exposed.isEmpty()) continue;
    const coverage = publicShare(publicSourceCount(exposed, family), family);
    if (coverage > threshold) out.push({ hit: { ...hit, exposed, coverage }, target: h });
  }
  return out;
}

/** Source rules told per service, path and host; past them the last finding says there are more. */
export const MAX_RULES_TOLD = 20;
/** What the last finding of a service cut at MAX_RULES_TOLD rules says. */
const MORE_RULES = `; more rules open it than the ${MAX_RULES_TOLD} reported`;

/** The rule an example's path is decided by, and what it decides for certain there. */
interface Decider {
  rule: Rule;
  /** What the rule's source rule matches for certain of what can enter its chains on the path. */
  taken: PacketSet;
  path: TracePath;
}

/**
 * A hit told at each source rule that opens it, not only at the rule deciding its example.
 *
 * Each step takes an example of what is left and the rule deciding it for certain: the rule the
 * example's path names, or, when that one decides it only under a condition fwlint does not model,
 * the rule another way of the example's trace names (the packet a group's fqdn member may match is
 * let in by a later rule for certain). What that rule's source rule decides for certain - what
 * every exact model rule made from it (copies for other targets, map elements, the known half of a
 * split rule) matches of the packets that can enter its chain (filterEntries) - is its part: a
 * finding of its own when that part is reached from more than `threshold` of the public sources,
 * with the part's ports and coverage (the first finding: the whole hit's when its part alone is
 * not), and then taken out. It goes on while what is left is reached from more than `threshold`.
 *
 * It ends at a default: an example let through by a chain's policy (or by a rule that has the
 * credit only because a later stage passes everything by its policy: a router's own address on an
 * interface without a filter) is told once there, for all that is left; at an example no rule
 * decides for certain; at MAX_RULES_TOLD findings (the last in source order then says there are
 * more). So a rule that opens SSH beside one already reported (or in a baseline) is a finding of
 * its own, where before it was told only once the first was fixed. `explained` (an every-port
 * finding of the same host) is not told again at a policy; `own` cuts a rule's part to what it
 * opens by itself in the sense of the hit (every port: the combinations it opens on every port).
 * The findings come in source order.
 */
function perRule(
  ctx: CheckContext,
  res: PipelineResult,
  hit: Hit,
  threshold: number,
  examine: (hit: Hit) => Example | undefined,
  tell: (hit: Hit, example: Example) => Finding,
  { explained, own = (set) => set }: { explained?: Hit | undefined; own?: (set: PacketSet) => PacketSet } = {},
): Finding[] {
  const out: Finding[] = [];
  const p = res.pipeline;
  const entries = filterEntriesOf(ctx.ruleset, p.kind);
  const share = (set: PacketSet) => publicShare(publicSourceCount(set, p.family), p.family);
  /** The source rules told (by their first model rule's span). */
  const told = new Set<object>();
  const sourceOf = (r: Rule) => rulesOfSource(ctx.ruleset, r)[0]?.rule.span ?? r.span;
  const certainPart = (r: Rule): PacketSet => {
    const parts: PacketSet[] = [];
    for (const c of rulesOfSource(ctx.ruleset, r)) {
      // (a condition the trace decides per packet - a DNAT on the path, a mark - is no doubt:
      // the path told shows it held; only conditions fwlint does not model are)
      if (compiled(ctx.ruleset, c.rule).unknowns.length > 0) continue;
      const m = matchInChain(ctx.ruleset, c.chain, c.rule);
      if (m.known.isEmpty()) continue;
      const into = entries.get(c.key);
      parts.push(into ? m.known.intersect(into) : m.known);
    }
    return PacketSet.unionAll(parts);
  };
  const deciderOf = (example: Example): Decider | undefined => {
    const paths = [example.path, ...example.paths.filter((t) => t !== example.path && t.verdict === "accept")];
    for (const path of paths) {
      const by = path?.decidedBy;
      const rule = by && stepRule(by);
      if (!path || !rule || creditOnly(path, by)) continue;
      const taken = certainPart(rule);
      if (taken.has(example.delivered)) return { rule, taken, path };
    }
    return undefined;
  };
  let rest = hit;
  let capped = false;
  for (let step = 0; step < 4 * MAX_RULES_TOLD; step++) {
    const example = examine(rest);
    if (!example) break;
    const by = example.path?.decidedBy;
    const named = by && stepRule(by);
    const atDefault = !named || (example.path !== undefined && creditOnly(example.path, by));
    const decider = atDefault ? undefined : deciderOf(example);
    if (step === 0) {
      // the first finding is at the example's own path, as ever; with its rule's own part when
      // that rule is the decider and its part alone is reached widely
      const mine = decider && sourceOf(decider.rule) === sourceOf(named!) ? own(rest.exposed.intersect(decider.taken)) : undefined;
      const coverage = mine ? share(mine) : 0;
      out.push(tell(mine && coverage > threshold ? { ...rest, exposed: mine, coverage } : rest, example));
      if (named) told.add(sourceOf(named));
    } else if (atDefault) {
      // a default lets in all that is left: told once, unless an every-port finding tells it
      const left = explained ? outsideOf(rest, explained, p.family, threshold) : rest;
      if (left) {
        if (out.length >= MAX_RULES_TOLD) capped = true;
        else out.push(tell(left, example));
      }
      break;
    }
    if (!decider) break;
    const source = sourceOf(decider.rule);
    if (!told.has(source)) {
      told.add(source);
      const mine = own(rest.exposed.intersect(decider.taken));
      const coverage = mine.isEmpty() ? 0 : share(mine);
      if (coverage > threshold) {
        if (out.length >= MAX_RULES_TOLD) {
          capped = true;
          break;
        }
        out.push(tell({ ...rest, exposed: mine, coverage }, { ...example, path: decider.path }));
      }
    }
    const left = rest.exposed.minus(decider.taken);
    if (left.isEmpty()) break;
    const coverage = share(left);
    if (coverage <= threshold) break;
    rest = { ...rest, exposed: left, coverage };
  }
  out.sort((a, b) => compareLocations(a.location, b.location));
  if (capped) out[out.length - 1]!.message += MORE_RULES;
  return out;
}

/**
 * The path's deciding rule has the credit only because a later filter stage lets the packet pass
 * by its policy (an ACCEPT policy takes no credit from an earlier stage's rule): the router's own
 * address, let in by "to the device", on an interface no filter guards.
 */
function creditOnly(path: TracePath, by: TraceStep): boolean {
  const at = path.steps.indexOf(by);
  return at >= 0 && path.steps.slice(at + 1).some((s) => s.action === "accept" && stepRule(s) === undefined);
}

function compareLocations(a: Location, b: Location): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}

/** A host interface (Ruleset.hosts) and its value in the packet space, computed once per check. */
type HostValue = readonly [name: string, value: bigint];

/** The finding for a host's part of a hit, naming its interface (see perHost). */
function targeted(f: Finding | undefined, target: string | undefined): Finding | undefined {
  return f && target !== undefined && f.exposure ? { ...f, exposure: { ...f.exposure, target } } : f;
}


export const exposure: Check<ExposureParams> = (ctx, params, rule) => {
  const findings: Finding[] = [];
  const hosts: HostValue[] = (ctx.ruleset.hosts ?? []).map((h) => [h, ifaceToValue(h)]);
  for (const res of ctx.results()) {
    const p = res.pipeline;
    if (!params.directions.includes(p.kind)) continue;
    if (!filtersPath(ctx.ruleset, p)) continue;
    /**
     * Per protocol and host interface (Ruleset.hosts; "" where there are none), what every-port
     * findings already explain (packets to a fully open host).
     */
    const allOpen = new Map<string, Hit>();
    const everyPort = ctx.catalog.services.find((s) => s.protocols === "any");
    if (everyPort) {
      for (const proto of [6, 17]) {
        const hit = measure(res, [proto], ALL_PORTS, true, params.threshold);
        if (!hit) continue;
        for (const part of perHost(hosts, hit, p.kind, p.family, params.threshold)) {
          const told = perRule(
            ctx,
            res,
            part.hit,
            params.threshold,
            (h) => exampleOf(ctx, res, h, everyPort, proto),
            (h, e) => toldAt(ctx, res, h, e, everyPort, proto, rule.id, `Every ${protoName(proto).toUpperCase()} port`),
            { own: (set) => set.intersect(set.forAll(Dim.Dport, ALL_PORTS)) },
          );
          if (told.length === 0) continue;
          findings.push(...told.map((f) => targeted(f, part.target)!));
          allOpen.set(`${proto}|${part.target ?? ""}`, part.hit);
        }
      }
    }
    /** Per protocol, what the device's own management services explain (see deviceServiceFindings). */
    const managed = new Map<number, PacketSet>();
    if (p.kind === "inbound") findings.push(...deviceServiceFindings(ctx, res, params.threshold, rule.id, managed));
    const perService: Finding[] = [];
    for (const svc of ctx.catalog.services) {
      if (svc.protocols === "any") continue;
      for (const proto of svc.protocols) {
        const ranges = svc.ports.map(([a, b]) => [BigInt(a), BigInt(b)] as [bigint, bigint]);
        const whole = measure(res, [proto], ranges, false, params.threshold);
        if (!whole) continue;
        for (const part of perHost(hosts, whole, p.kind, p.family, params.threshold)) {
          let hit = part.hit;
          const open = allOpen.get(`${proto}|${part.target ?? ""}`);
          if (open && (open.certain || !hit.certain)) {
            // Already told: every packet that reaches this service reaches a host open on every port.
            if (hit.exposed.isSubsetOf(open.exposed)) continue;
            // What reaches it where the every-port finding has no packet at all (another host, say)
            // is shown by a packet of its own, at the rule that opens it there.
            hit = outsideOf(hit, open, p.family, params.threshold) ?? hit;
          }
          // A port the device's web UI listens on: told as that, not as a web server.
          const device = managed.get(proto);
          if (device && hit.exposed.isSubsetOf(device)) continue;
          const told = perRule(
            ctx,
            res,
            hit,
            params.threshold,
            (h) => exampleOf(ctx, res, h, svc, proto),
            (h, e) => toldAt(ctx, res, h, e, svc, proto, rule.id, `${svc.name} (${protoName(proto)}/${portsText(exposedPorts(h.exposed))})`),
            { explained: open && (open.certain || !hit.certain) ? open : undefined },
          );
          perService.push(...told.map((f) => targeted(f, part.target)!));
        }
      }
    }
    findings.push(...groupByLocation(perService, p.kind, ctx.ruleset.families));
  }
  return findings;
};

/**
 * The device's own management services (Ruleset.deviceServices: its web UI) reachable from the
 * Internet, each a finding of its own at high severity whatever the catalog rates its port (HTTPS
 * is info there: a web server's business). Not folded into an every-port finding either: that the
 * device listens there is known, not assumed. Fills `managed` with what they explain, per protocol.
 */
function deviceServiceFindings(ctx: CheckContext, res: PipelineResult, threshold: number, ruleId: string, managed: Map<number, PacketSet>): Finding[] {
  const out: Finding[] = [];
  for (const d of ctx.ruleset.deviceServices ?? []) {
    const hit = measure(res, [d.protocol], d.ports.map(([a, b]) => [BigInt(a), BigInt(b)]), false, threshold, d.interfaces);
    if (!hit) continue;
    const svc: Service = { id: d.id, name: d.name, protocols: [d.protocol], protocolNames: ["tcp"], ports: d.ports, severity: "high", source: { file: d.span.file, line: d.span.line, column: d.span.column } };
    const f = makeFinding(ctx, res, hit, svc, d.protocol, ruleId, `${d.name} (${protoName(d.protocol)}/${portsText(exposedPorts(hit.exposed))})`);
    if (!f) continue;
    out.push(f);
    const before = managed.get(d.protocol);
    managed.set(d.protocol, before ? before.union(hit.exposed) : hit.exposed);
  }
  return out;
}

/**
 * A packet to the device, as people expect one: to the address of the interface it arrives on
 * (the device's subnet there, Ruleset.connected), when `set` has one - rather than to the address
 * of another of its interfaces, which a packet may reach too but which reads as a mistake.
 */
function onArrivingSubnet(ctx: CheckContext, set: PacketSet, point: bigint[] | undefined, hints: WitnessHints): bigint[] | undefined {
  if (!point) return point;
  const iif = point[Dim.Iif]!;
  const subnets = (ctx.ruleset.connected ?? []).filter((c) => c.family === hints.family && ifaceToValue(c.iface) === iif).flatMap((c) => c.ranges);
  if (subnets.length === 0 || subnets.some((r) => point[Dim.Dst]! >= r.lo && point[Dim.Dst]! <= r.hi)) return point;
  const there = set.intersect(PacketSet.box({ [Dim.Iif]: [[iif, iif]], [Dim.Dst]: subnets.map((r) => [r.lo, r.hi] as [bigint, bigint]) }));
  return there.isEmpty() ? point : (pickWitness(there, hints) ?? point);
}

/**
 * Many services opened by one rule or policy (a default ACCEPT, a wide port range) make one
 * finding that lists them, not one finding each.
 */
function groupByLocation(findings: Finding[], kind: string, families: readonly Family[]): Finding[] {
  return groupAtLocation(
    findings,
    (f) => f,
    () => "",
    (g, coverage) => {
      const head = g[0]!.exposure!;
      const names = g.map((f) => `${f.message.split(" (")[0]} (${portsText(f.exposure!.ports)})`);
      const verb = g.some((f) => f.uncertain) ? "may be reachable" : "are reachable";
      // services cut at MAX_RULES_TOLD rules say so here too
      const capped = g.filter((f) => f.message.endsWith(MORE_RULES)).map((f) => f.message.split(" (")[0]);
      const more = capped.length > 0 ? `; more rules open ${capped.join(", ")} than the ${MAX_RULES_TOLD} reported` : "";
      return `${g.length} ${head.protocol.toUpperCase()} services ${verb} from ${coverageText(coverage, head.family, families)} on the ${kind} path: ${names.join(", ")}${more}`;
    },
    (a, b) => severityRank(b.severity) - severityRank(a.severity),
  );
}

function makeFinding(ctx: CheckContext, res: PipelineResult, hit: Hit, svc: Service, proto: number, ruleId: string, label: string): Finding | undefined {
  const example = exampleOf(ctx, res, hit, svc, proto);
  return example && toldAt(ctx, res, hit, example, svc, proto, ruleId, label);
}

/** A hit's example packet, as delivered and as it arrived, with its accepting path and how a port forward took it. */
interface Example {
  delivered: bigint[];
  original: bigint[];
  /** The path shown (acceptingPath), and every way the trace found (see perRule). */
  path: TracePath | undefined;
  paths: readonly TracePath[];
  /** The port forward's DNAT rules and other endpoints, told in the message (empty without one). */
  endpoints: { region: AcceptedRegion; delivered: bigint[] }[];
  natNote: string;
}

function exampleOf(ctx: CheckContext, res: PipelineResult, hit: Hit, svc: Service, proto: number): Example | undefined {
  const p = res.pipeline;
  const hints = { ...witnessHints(ctx, p), proto, dports: svc.ports.map(([a]) => a) };
  const widest = widestPublicPart(hit.exposed, p.family);
  const delivered = p.kind === "inbound" ? onArrivingSubnet(ctx, widest, pickWitness(widest, hints), hints) : pickWitness(widest, hints);
  if (!delivered) return undefined;
  // The packet as it arrived: for a port-forward, before DNAT rewrote it.
  let original = delivered;
  // A packet a port forward delivers is shown as it arrived, before DNAT rewrote it - also when
  // the same packet could be sent there directly (to a global IPv6 address, a routable subnet):
  // the forward is what the Internet reaches.
  const region = hit.regions.find((r) => r.natRules.length > 0 && r.delivered.has(delivered));
  let natNote = "";
  /** Where the packet may be forwarded: the region's DNAT, and a load balancer's other endpoints that let it in. */
  let endpoints: { region: AcceptedRegion; delivered: bigint[] }[] = [];
  if (region) {
    const spec: Partial<Record<Dim, [bigint, bigint][]>> = {};
    for (let d = 0; d < DIM_COUNT; d++) if (d !== Dim.Dst && d !== Dim.Dport) spec[d as Dim] = [[delivered[d]!, delivered[d]!]];
    const candidates = region.original.intersect(PacketSet.box(spec));
    // the port it was delivered on where it arrived on that one too (a static NAT keeps ports)
    original = pickWitness(candidates, { ...hints, dports: [Number(delivered[Dim.Dport])] }) ?? delivered;
    endpoints = [{ region, delivered }, ...otherEndpoints(hit.regions, region, original, delivered, hints)];
    const each = endpoints.slice(0, MAX_ENDPOINTS_TOLD).map((e) => `to ${endpointText(e.delivered, p.family)} by ${e.region.natRules.map((r) => placeRef(r.span)).join(", ")}`);
    const more = endpoints.length - each.length;
    const listed = endpoints.length === 1 ? each[0]! : more > 0 ? `${each.join(", ")} and ${more} more endpoint${more === 1 ? "" : "s"}` : `${each.slice(0, -1).join(", ")} or ${each[each.length - 1]}`;
    natNote = ` (forwarded ${listed}${endpoints.length > 1 ? ", one per connection" : ""})`;
  }
  const paths = ctx.trace(p, original, region ? delivered : undefined);
  const path = acceptingPath(paths, delivered, region?.natRules.map((r) => r.span));
  return { delivered, original, path, paths, endpoints, natNote };
}

/** The finding for a hit, shown by `example`. */
function toldAt(ctx: CheckContext, res: PipelineResult, hit: Hit, example: Example, svc: Service, proto: number, ruleId: string, label: string): Finding {
  const p = res.pipeline;
  const { delivered, original, path, endpoints, natNote } = example;
  const witness = pointToPacket(original, p.kind);
  const location = locationOf(path?.decidedBy, { file: ctx.ruleset.file, line: 1, column: 1 });
  const uncertain = hit.certain ? undefined : uncertainAssumptions(hit.regions, (d) => d.has(delivered));
  const ports = exposedPorts(hit.exposed);
  const verb = hit.certain ? "is reachable" : "may be reachable";
  return {
    ruleId,
    severity: svc.severity,
    message: `${label} ${verb} from ${coverageText(hit.coverage, p.family, ctx.ruleset.families)} on the ${p.kind} path${natNote}`,
    location,
    exposure: {
      family: p.family,
      protocol: protoName(proto),
      ports,
      direction: p.kind,
      sourceCoverage: Math.round(hit.coverage * 10000) / 10000,
      service: svc.id,
    },
    witness,
    trace: path?.steps,
    ...(uncertain ? { uncertain } : {}),
    related: endpoints.length > 0 ? endpoints.flatMap((e) => e.region.natRules.map((r) => ({ file: r.span.file, line: r.span.line, column: r.span.column, message: `DNAT to ${describePacket(pointToPacket(e.delivered, p.kind)).split(" -> ")[1]}` }))) : undefined,
  };
}

/** Endpoints named in a finding's message; the rest are counted (the related locations list them all). */
const MAX_ENDPOINTS_TOLD = 4;

function endpointText(point: readonly bigint[], family: Family): string {
  const dst = formatIP(point[Dim.Dst]!, family);
  return `${family === 6 ? `[${dst}]` : dst}:${point[Dim.Dport]}`;
}

/**
 * The other endpoints the packet `original` (delivered to `delivered` through `region`) may be
 * forwarded to and is let in at: regions of other DNAT rules - a load balancer's - that take the
 * same arriving packet. Each is shown by the packet as delivered there (same source and protocol).
 */
function otherEndpoints(regions: readonly AcceptedRegion[], region: AcceptedRegion, original: readonly bigint[], delivered: readonly bigint[], hints: WitnessHints): { region: AcceptedRegion; delivered: bigint[] }[] {
  const out: { region: AcceptedRegion; delivered: bigint[] }[] = [];
  const seen = new Set<string>([region.natRules.map((r) => r.id).join("|")]);
  const same = PacketSet.box({ [Dim.Family]: [[delivered[Dim.Family]!, delivered[Dim.Family]!]], [Dim.Src]: [[delivered[Dim.Src]!, delivered[Dim.Src]!]], [Dim.Sport]: [[delivered[Dim.Sport]!, delivered[Dim.Sport]!]], [Dim.Proto]: [[delivered[Dim.Proto]!, delivered[Dim.Proto]!]] });
  for (const r of regions) {
    if (r === region || r.natRules.length === 0) continue;
    const key = r.natRules.map((n) => n.id).join("|");
    if (seen.has(key) || !r.original.has(original)) continue;
    const there = pickWitness(r.delivered.intersect(same), hints);
    if (!there) continue;
    seen.add(key);
    out.push({ region: r, delivered: there });
  }
  return out;
}
