/**
 * exposed-service: a sensitive service (or every port) is reachable on an inbound or forward
 * path from (nearly) any public source.
 */
import type { AcceptedRegion, PipelineResult } from "../../src/analysis/evaluate.js";
import { hullsOf, stepRule, type TracePath } from "../../src/analysis/trace.js";
import { Projections } from "../../src/space/projections.js";
import { PUBLIC_RANGES, strangerRegion, strangerTraffic } from "../../src/analysis/regions.js";
import { pickWitness, pointToPacket, protoName, type WitnessHints } from "../../src/analysis/witness.js";
import { describePacket } from "../../src/model/packet-text.js";
import { formatIP } from "../../src/model/address.js";
import type { ExposureParams, Service } from "../../src/engine/rule-pack.js";
import { severityRank, type Finding, type Location, type TraceStep } from "../../src/model/finding.js";
import { DIM_COUNT, Dim, ifaceToValue } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { compiled, filterEntriesOf, filtersPath, matchInChain, rulesOfSource } from "./chains.js";
import { decisionLocation, witnessHints, type Check, type CheckContext } from "./context.js";
import { acceptingPath, coverageText, groupAtLocation, publicShare, publicSourceCount, sourcesPast, strangerRegions, strangerUnions, surelyReached, uncertainAssumptions, widestPublicPart } from "./reach.js";
import { portsText } from "../../src/model/ports.js";
import { CT_STATES, chainKey, placeRef, type Chain, type Condition, type Family, type Rule, type Ruleset } from "../../src/model/types.js";

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
 * source sets are all or nothing stops above them. Only its combinations that more than
 * `threshold` of the public sources reach count: a host open on every port to a few sources
 * (TUM's firewall: its admins' hosts, on public addresses) is no reason to leave the DNS that
 * strangers reach there untold.
 */
function outsideOf(hit: Hit, told: Hit, family: 4 | 6, threshold: number): Hit | undefined {
  let combos = toldCombos.get(told);
  if (!combos) toldCombos.set(told, (combos = told.exposed.sourcePartAtLeast(PUBLIC_RANGES[family], sourcesPast(threshold, family)).forget([Dim.Src])));
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
const MORE_RULES = `; more rules open it than are reported (at most ${MAX_RULES_TOLD} per service and path)`;

/** What decides an example: a rule (its source rule) or a default (a chain's policy), and its part. */
interface Decider {
  /** The source rule (its first model rule's span), or the default's chain. */
  source: object;
  /** Whether this is a default: a policy, or a device default acceptText describes. */
  isDefault: boolean;
  /** What it decides for certain of what is left of the hit (within what can enter its chains on the path). */
  part: PacketSet;
  /** What it matches of the whole hit (its part and what earlier rules take first). */
  matched: PacketSet;
  path: TracePath;
}

/** Examples no rule decides for certain that the walk steps over (their destination) before it ends. */
const MAX_SKIPS = 8;

/** Earlier rules subtracted from a rule's part at the most (the rest stays in: a superset). */
const MAX_EARLIER = 64;
/**
 * Pieces of a rule's part past which withoutEarlier asks the chain's index about the rule's own
 * match instead (see Projections.ofSmallFlat): a rule-sized part has a few dozen.
 */
const MAX_QUERY_PIECES = 2048;
/**
 * Earlier rules with more ranges and alternatives than this are not subtracted (the part stays a
 * superset): subtracting a named set of thousands of elements from what is left under a blocklist
 * builds a node per element over the blocklist's (the nft bench ran out of array size).
 */
const MAX_EARLIER_WIDTH = 64;

/** How many ranges and alternatives a rule's conditions hold (a size measure for MAX_EARLIER_WIDTH). */
function conditionWidth(conds: readonly Condition[]): number {
  let n = 0;
  for (const c of conds) {
    if (c.kind === "or") n += c.anyOf.length + c.anyOf.reduce((k, alt) => k + conditionWidth(alt), 0);
    else if (c.kind === "addr") n += c.ranges.length;
    else if (c.kind === "port") n += c.ranges.length;
    else n += 1;
    if (n > MAX_EARLIER_WIDTH) return n;
  }
  return n;
}

/**
 * A hit told at each source rule that opens it, not only at the rule deciding its example.
 *
 * Each step takes an example of what is left and what decides it for certain - the rule the
 * example's path names, or, when that one decides it only under a condition fwlint does not model,
 * the rule another way of the example's trace names (the packet an fqdn member may match is let in
 * by a later rule for certain); else the default the path ends at: a chain's policy, or a device
 * default (an interface without a filter) that gives the credit to an earlier stage's rule. Its
 * part: for a rule, what every exact model rule of its source rule (copies for other targets, map
 * elements, the known half of a split rule; a rule taking DNATed connections: those the hit's port
 * forwards deliver) matches of what can enter its chain (filterEntries), without what earlier exact
 * rules of the chain decide; for a default, what no rule of its chain matches. The part is a
 * finding of its own when it is reached from more than `threshold` of the public sources (`own`
 * cuts it first: every port, the combinations it opens on every port), with the part's ports and
 * coverage, and is then taken out; the walk goes on while what is left is reached from more than
 * `threshold` (`scope`: the service's box, what the rules' index is asked about). The first example's rule is told whatever its part: with the whole hit when its part
 * alone is not reached widely (a service open only through several rules together), unless `own`
 * leaves it nothing (a rule opening some of the ports of an every-port hit): then the first rule
 * whose part is, or the whole hit at the first example when none is.
 *
 * An example only conditions fwlint does not model decide is stepped over (its destination), up to
 * MAX_SKIPS times. At most MAX_RULES_TOLD findings (the last in source order then says there are
 * more, as it does when the walk's steps run out first); `explained` (an every-port finding of the same host) is not
 * told again at a default. So a rule that opens SSH beside one already reported (or in a baseline)
 * is a finding of its own, where before it was told only once the first was fixed. The findings
 * come in source order.
 */
function perRule(
  ctx: CheckContext,
  res: PipelineResult,
  hit: Hit,
  threshold: number,
  examine: (hit: Hit) => Example | undefined,
  tell: (hit: Hit, example: Example) => Finding,
  scope: PacketSet,
  { explained, own = (decided) => decided }: { explained?: Hit | undefined; own?: (decided: PacketSet, matched: PacketSet) => PacketSet } = {},
): Finding[] {
  const rs = ctx.ruleset;
  const out: Finding[] = [];
  const p = res.pipeline;
  const entries = filterEntriesOf(rs, p.kind);
  const share = (set: PacketSet) => publicShare(publicSourceCount(set, p.family), p.family);
  const forwarded = PacketSet.unionAll(hit.regions.filter((r) => r.natRules.length > 0).map((r) => r.delivered));
  const untracked = PacketSet.unionAll(hit.regions.filter((r) => r.untracked).map((r) => r.delivered));
  const told = new Set<object>();
  /** Examples whose rule opens none of the hit by itself (own left nothing), and what was told. */
  const deferred: Example[] = [];
  const toldSets: PacketSet[] = [];
  let rest = hit;
  let capped = false;
  const add = (h: Hit, example: Example) => {
    if (out.length >= MAX_RULES_TOLD) capped = true;
    else {
      out.push(tell(h, example));
      toldSets.push(h.exposed);
    }
  };
  const ownPart = (d: Decider) => own(d.part, d.matched);
  let step = 0;
  let skips = 0;
  for (; step < 8 * MAX_RULES_TOLD && !capped; step++) {
    const example = examine(rest);
    if (!example) break;
    const decider = deciderOf(rs, entries, { forwarded, untracked }, example, rest, hit.exposed, scope);
    if (step === 0) {
      // the first example's rule (or default), as ever: with its own part when that is reached widely
      const mine = decider && decider.path === example.path ? ownPart(decider) : undefined;
      if (mine && mine.isEmpty()) deferred.push(example);
      else {
        const coverage = mine ? share(mine) : 0;
        add(mine && coverage > threshold ? { ...rest, exposed: mine, coverage } : rest, example);
        if (decider && decider.path === example.path) told.add(decider.source);
      }
    }
    if (!decider) {
      // only conditions fwlint does not model decide it: on with the other destinations, a few
      // times (a rule that may match any destination would take them one by one)
      if (++skips > MAX_SKIPS) break;
      const dst = example.delivered[Dim.Dst]!;
      const left = rest.exposed.minus(PacketSet.box({ [Dim.Dst]: [[dst, dst]] }));
      if (left.isEmpty()) break;
      const coverage = share(left);
      if (coverage <= threshold) break;
      rest = { ...rest, exposed: left, coverage };
      continue;
    }
    if (!told.has(decider.source)) {
      told.add(decider.source);
      let mine = ownPart(decider);
      if (mine.isEmpty() && step > 0) deferred.push(example);
      if (decider.isDefault && explained) mine = outsideOf({ ...rest, exposed: mine }, explained, p.family, threshold)?.exposed ?? PacketSet.empty();
      const coverage = mine.isEmpty() ? 0 : share(mine);
      if (coverage > threshold) add({ ...rest, exposed: mine, coverage }, { ...example, path: decider.path });
    }
    const left = rest.exposed.minus(decider.part);
    if (left.isEmpty()) {
      rest = { ...rest, exposed: left, coverage: 0 };
      break;
    }
    const coverage = share(left);
    rest = { ...rest, exposed: left, coverage };
    if (coverage <= threshold) break;
  }
  // what only several rules together open (each a part of the ports): once, at the first such example
  const together = deferred.find((e) => !toldSets.some((t) => t.has(e.delivered)));
  if (together && out.length < MAX_RULES_TOLD) out.push(tell(hit, together));
  // the steps ran out with more left: said as for the cap
  if (step >= 8 * MAX_RULES_TOLD && out.length > 0) capped = true;
  out.sort((a, b) => compareLocations(a.location, b.location));
  if (capped && out.length > 0) out[out.length - 1]!.message += MORE_RULES;
  return out;
}

/**
 * What decides `example` for certain, with its part (see perRule): the rule of the path shown, else
 * of another way the trace found; else the default the path shown ends at; undefined when only
 * conditions fwlint does not model decide it.
 */
function deciderOf(rs: Ruleset, entries: Map<string, PacketSet>, rewritten: Rewritten, example: Example, rest: Hit, whole: PacketSet, scope: PacketSet): Decider | undefined {
  const paths = [example.path, ...example.paths.filter((t) => t !== example.path && t.verdict === "accept")];
  for (const path of paths) {
    const by = path?.decidedBy;
    const rule = by && stepRule(by);
    if (!path || !rule || deviceDefaultAfter(rs, path, by) !== undefined) continue;
    const part = rulePart(rs, entries, rewritten, rule, rest.exposed, whole);
    if (part.part.has(example.delivered)) return { source: sourceOf(rs, rule), isDefault: false, ...part, path };
  }
  const path = example.path;
  const by = path?.decidedBy;
  if (!path || !by) return undefined;
  const policy = stepRule(by) === undefined ? by : deviceDefaultAfter(rs, path, by);
  const chain = policy && rs.chains.get(chainKey(policy.table, policy.chain));
  if (!chain) return undefined;
  const part = defaultPart(rs, entries, chain, rest.exposed, scope);
  return part.has(example.delivered) ? { source: chain, isDefault: true, part, matched: part, path } : undefined;
}

/** A source rule's identity: its first model rule's span (rulesOfSource). */
function sourceOf(rs: Ruleset, r: Rule): object {
  return rulesOfSource(rs, r)[0]?.rule.span ?? r.span;
}

/**
 * The hit's packets (as delivered) that a rewrite on their way made other than they arrived, for
 * the rules after it: those a port forward delivers, and those a notrack made UNTRACKED.
 */
interface Rewritten {
  forwarded: PacketSet;
  untracked: PacketSet;
}

/** Connection state UNTRACKED, as a set (made when first asked: sets made as a module loads outlive the stores). */
function untrackedState(): PacketSet {
  const s = BigInt(CT_STATES.indexOf("untracked"));
  return PacketSet.box({ [Dim.CtState]: [[s, s]] });
}

/**
 * What a source rule decides for certain of `rest` (see perRule), and what it matches of `whole`.
 * Cut to `rest` before the earlier rules are taken out: most of those (a conntrack accept, rules for
 * other hosts) do not meet it there, and a set cut to `rest` is one rest's operations share nodes
 * with (the nft bench: 34 s for one intersection of the uncut part with what was left).
 */
function rulePart(rs: Ruleset, entries: Map<string, PacketSet>, { forwarded, untracked }: Rewritten, r: Rule, rest: PacketSet, whole: PacketSet): { part: PacketSet; matched: PacketSet } {
  const parts: PacketSet[] = [];
  const matched: PacketSet[] = [];
  for (const c of rulesOfSource(rs, r)) {
    const m = compiled(rs, c.rule);
    // a condition fwlint does not model, or the packet's mark: no certain part
    if (m.unknowns.length > 0 || m.marks.length > 0) continue;
    // a DNATed connection: those the hit's port forwards deliver (not the connection)
    if (m.dnat.some((d) => d.negate)) continue;
    let known = matchInChain(rs, c.chain, c.rule).known;
    if (m.dnat.length > 0) known = known.intersect(forwarded);
    // a rule that takes UNTRACKED packets: those a notrack on their way made so, as they arrived
    if (!untracked.isEmpty()) {
      const state = untrackedState();
      if (known.overlaps(state)) known = known.union(known.intersect(state).forget([Dim.CtState]).intersect(untracked));
    }
    const into = entries.get(c.key);
    if (into) known = known.intersect(into);
    if (known.isEmpty()) continue;
    matched.push(whole.intersect(known));
    parts.push(withoutEarlier(rs, c.chain, c.rule, rest.intersect(known)));
  }
  return { part: PacketSet.unionAll(parts), matched: PacketSet.unionAll(matched) };
}

/**
 * `set` without what the exact ACCEPT rules before `rule` in `chain` match (the first MAX_EARLIER
 * that meet it): the packets those decide. Earlier DROP rules are left in - what they take is not
 * accepted, so not in what the walk asks about - and their sets are the dear ones (a blocklist of
 * 140,000 addresses: the nft bench took over a minute subtracting it).
 */
function withoutEarlier(rs: Ruleset, chain: Chain, rule: Rule, set: PacketSet): PacketSet {
  let left = set;
  let n = 0;
  const { accepts, at } = earlierAcceptsOf(rs, chain);
  const end = at.get(rule) ?? chain.rules.length;
  // The index is asked about `set` when it is held flat and small (often much narrower than the
  // rule: one host and port of a rule over groups), else about the rule's own match: rule-sized,
  // where `set` may be a large set whose projection walk would not end.
  const query = Projections.ofSmallFlat(set, MAX_QUERY_PIECES) ?? Projections.of(compiled(rs, rule).known);
  hullsOf(rs, chain).forEachMayMeet(
    query,
    (r, i) => {
      if (i >= end || left.isEmpty() || n >= MAX_EARLIER) return true;
      const m = matchInChain(rs, chain, r);
      if (!m.exact || !left.overlaps(m.known)) return false;
      n++;
      left = left.minus(m.known);
      return false;
    },
    0,
    accepts,
  );
  return left;
}

/**
 * Per chain, the rules withoutEarlier may take out - ACCEPT rules of at most MAX_EARLIER_WIDTH
 * ranges -, as a bitset of their positions, and each rule's position. They are searched for in
 * the chain's own list and index (hullsOf: the trace's, built once), among those alone: the DROP
 * rules before an opening (an ACL's blocklist of 500 hosts, each meeting any destination and port)
 * are not walked for every finding (ASA bench: 346,000 visits, 171 of them to such rules), and no
 * index of their own is built (ASA 20k bench: 9,000 rules, about as long as the trace's).
 */
const earlierAccepts = new WeakMap<Chain, { accepts: Uint32Array; at: Map<Rule, number> }>();
function earlierAcceptsOf(rs: Ruleset, chain: Chain): { accepts: Uint32Array; at: Map<Rule, number> } {
  let x = earlierAccepts.get(chain);
  if (x === undefined) {
    const accepts = new Uint32Array(Math.ceil(chain.rules.length / 32));
    const at = new Map<Rule, number>();
    chain.rules.forEach((r, i) => {
      at.set(r, i);
      if (r.action.kind === "accept" && conditionWidth(r.conditions) <= MAX_EARLIER_WIDTH) accepts[i >>> 5]! |= 1 << (i & 31);
    });
    earlierAccepts.set(chain, (x = { accepts, at }));
  }
  return x;
}

/**
 * What reaches a default of `chain` for certain: `set` (within the chain's entry) without what its
 * rules that decide or hand on packets match (ACCEPT, jumps, rewrites). DROP and REJECT rules are
 * left in, as in withoutEarlier; rules that only count or log decide nothing.
 */
function defaultPart(rs: Ruleset, entries: Map<string, PacketSet>, chain: Chain, set: PacketSet, scope: PacketSet): PacketSet {
  const into = entries.get(chainKey(chain.table, chain.name));
  let left = into ? set.intersect(into) : set;
  // the rules that may meet the service's box (`scope`: what the index is asked about, not `left`)
  hullsOf(rs, chain).forEachMayMeet(Projections.of(scope), (e) => {
    if (left.isEmpty()) return true;
    const kind = e.action.kind;
    if (kind === "drop" || kind === "reject" || kind === "continue") return false;
    const known = compiled(rs, e).known;
    if (left.overlaps(known)) left = left.minus(known);
    return false;
  });
  return left;
}

/**
 * The device default after the path's deciding step, when the deciding rule has the credit only
 * because a later stage lets the packet pass by a default the device describes (Chain.acceptText:
 * an interface without a filter accepts what arrives) - the router's own address, let in by "to
 * the device". A plain ACCEPT policy of a later chain (an nft blocklist chain) leaves the credit
 * where it is.
 */
function deviceDefaultAfter(rs: Ruleset, path: TracePath, by: TraceStep): TraceStep | undefined {
  const at = path.steps.indexOf(by);
  if (at < 0) return undefined;
  return path.steps.slice(at + 1).find((s) => s.action === "accept" && stepRule(s) === undefined && rs.chains.get(chainKey(s.table, s.chain))?.acceptText !== undefined);
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
            strangerRegion(p.family, [proto], ALL_PORTS),
            // a rule's own: what its match opens on every port (earlier rules may take some ports first)
            { own: (_decided, matched) => matched.intersect(matched.forAll(Dim.Dport, ALL_PORTS)) },
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
            // is shown by a packet of its own, at the rule that opens it there; when that is
            // reached from too few sources, the every-port finding tells it all.
            const elsewhere = outsideOf(hit, open, p.family, params.threshold);
            if (!elsewhere) continue;
            hit = elsewhere;
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
            strangerRegion(p.family, [proto], ranges),
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
 * finding that lists them, not one finding each: those it opens for certain apart from those it
 * may open (a verdict map that takes elements from outside opens some ports now, and any other
 * later), so that a certain one is never told as only "may be reachable".
 */
function groupByLocation(findings: Finding[], kind: string, families: readonly Family[]): Finding[] {
  return groupAtLocation(
    findings,
    (f) => f,
    (f) => (f.uncertain ? "may" : "is"),
    (g, coverage) => {
      const head = g[0]!.exposure!;
      // one service a rule opens on several hosts (Ruleset.hosts: one policy term in several filters) is named once, with them
      const targets = new Map<string, string[]>();
      for (const f of g) {
        const name = `${f.message.split(" (")[0]} (${portsText(f.exposure!.ports)})`;
        const list = targets.get(name) ?? [];
        if (f.exposure!.target !== undefined) list.push(f.exposure!.target);
        targets.set(name, list);
      }
      const names = [...targets].map(([name, on]) => (on.length > 1 ? `${name} on ${on.join(", ")}` : name));
      const verb = g.some((f) => f.uncertain) ? "may be reachable" : targets.size === 1 ? "is reachable" : "are reachable";
      // services cut at MAX_RULES_TOLD rules say so here too
      const capped = g.filter((f) => f.message.endsWith(MORE_RULES)).map((f) => f.message.split(" (")[0]);
      const more = capped.length > 0 ? `; more rules open ${capped.join(", ")} than are reported (at most ${MAX_RULES_TOLD} per service and path)` : "";
      return `${targets.size} ${head.protocol.toUpperCase()} service${targets.size === 1 ? "" : "s"} ${verb} from ${coverageText(coverage, head.family, families)} on the ${kind} path: ${names.join(", ")}${more}`;
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
  const location = decisionLocation(ctx.ruleset, path, { file: ctx.ruleset.file, line: 1, column: 1 });
  const uncertain = hit.certain ? undefined : uncertainOf(hit, delivered);
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

/**
 * What an uncertain hit depends on: the unmodelled conditions of the regions that hold its example,
 * else - the example is let in for certain, and what is uncertain is elsewhere in the hit (an
 * every-port finding whose example port is open while another is open only to a port-knocker) -
 * those of the regions that let in any of it.
 */
function uncertainOf(hit: Hit, delivered: readonly bigint[]): string[] {
  const atExample = uncertainAssumptions(hit.regions, (d) => d.has(delivered));
  return atExample.length > 0 ? atExample : uncertainAssumptions(hit.regions, (d) => d.overlaps(hit.exposed));
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
