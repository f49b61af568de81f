/**
 * nat-port-forward-exposure: a DNAT port-forward that makes a sensitive service of an internal
 * host reachable from (nearly) any public source. Derived from the evaluator's accepted regions
 * that a DNAT rule rewrote; the finding is located at the DNAT rule and names the internal target.
 */
import type { AcceptedRegion } from "../../src/analysis/evaluate.js";
import { strangerRegion } from "../../src/analysis/regions.js";
import { pickWitness, pointToPacket, protoName } from "../../src/analysis/witness.js";
import type { ThresholdParams } from "../../src/engine/rule-pack.js";
import { formatIP } from "../../src/model/address.js";
import { severityRank, type Finding } from "../../src/model/finding.js";
import type { Family, Rule } from "../../src/model/types.js";
import { DIM_COUNT, Dim } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { locOf } from "./chains.js";
import { witnessHints, type Check } from "./context.js";
import { acceptingPath, coverageText, exposureOf, strangerRegions, surelyReached, groupBy, portsText, sourceCoverage, uncertainAssumptions, widestPublicPart } from "./reach.js";

export const natPortForwardExposure: Check<ThresholdParams> = (ctx, params, rule) => {
  /** Findings in order; a single service's forward kept as found, for alternatives() to join. */
  const findings: (Finding | Found)[] = [];
  const seen = new Set<string>();
  const families = ctx.ruleset.families;
  for (const res of ctx.results()) {
    const p = res.pipeline;
    if (p.kind === "outbound") continue;
    // The regions each DNAT rule (the last rewrite) let through: certain ones first, then those
    // that depend on a condition fwlint does not model (a forward of packets addressed to this
    // host, `fib daddr type local` / `-m addrtype --dst-type LOCAL`, is the common case).
    const byNat = new Map<Rule, AcceptedRegion[]>();
    for (const a of strangerRegions(res)) {
      const nat = a.natRules[a.natRules.length - 1];
      if (!nat) continue;
      const list = byNat.get(nat);
      if (list) list.push(a);
      else byNat.set(nat, [a]);
    }
    for (const [nat, all] of byNat) {
      // A DNAT to another address is forwarded; a REDIRECT (no address) is delivered to the host.
      const redirect = nat.action.kind === "dnat" && nat.action.to.addr === undefined;
      if (p.kind !== (redirect ? "inbound" : "forward")) continue;
      const certainly = new Set<string>();
      for (const certain of [true, false]) {
        const regions = certain ? all.filter(surelyReached) : all;
        if (regions.length === 0 || (!certain && regions.every(surelyReached))) continue;
        const delivered = PacketSet.unionAll(regions.map((r) => r.delivered));
        const original = PacketSet.unionAll(regions.map((r) => r.original));
        // A forward delivers a few ports: only the services on them can be exposed through it.
        const ports = delivered.valuesOf(Dim.Dport);
        const protos = new Set(delivered.valuesOf(Dim.Proto).flatMap(([a, b]) => Array.from({ length: Number(b - a) + 1 }, (_, i) => Number(a) + i)));
        const onPorts = (svcPorts: readonly (readonly [number, number])[]) => svcPorts.some(([a, b]) => ports.some(([lo, hi]) => BigInt(a) <= hi && lo <= BigInt(b)));
        const found: Found[] = [];
        for (const svc of ctx.catalog.services) {
          // a forward to a web server's 80/443 is what port forwards are for: not sensitive (info)
          if (svc.protocols === "any" || svc.severity === "info" || !onPorts(svc.ports)) continue;
          for (const proto of svc.protocols) {
            if (!protos.has(proto) || certainly.has(`${svc.id}|${proto}`)) continue;
            const ranges = svc.ports.map(([a, b]) => [BigInt(a), BigInt(b)] as [bigint, bigint]);
            const exposed = delivered.intersect(strangerRegion(p.family, [proto], ranges));
            const coverage = sourceCoverage(exposed, p.family);
            if (coverage <= params.threshold) continue;
            const point = pickWitness(widestPublicPart(exposed, p.family), { ...witnessHints(ctx, p), proto, dports: svc.ports.map(([a]) => a) });
            if (!point) continue;
            if (certain) certainly.add(`${svc.id}|${proto}`);
            const dst = formatIP(point[Dim.Dst]!, p.family);
            const port = String(point[Dim.Dport]);
            const address = redirect ? undefined : p.family === 6 ? `[${dst}]` : dst;
            const host = address === undefined ? "this host" : `internal host ${address}`;
            const key = `${nat.id}|${svc.id}|${proto}|${host}:${port}`;
            if (seen.has(key)) continue;
            seen.add(key);
            // The witness as it arrived (before the rewrite), and the path it takes.
            const spec: Partial<Record<Dim, [bigint, bigint][]>> = {};
            for (let d = 0; d < DIM_COUNT; d++) if (d !== Dim.Dst && d !== Dim.Dport) spec[d as Dim] = [[point[d]!, point[d]!]];
            const before = pickWitness(original.intersect(PacketSet.box(spec)), { ...witnessHints(ctx, p), proto, dports: [] }) ?? point;
            // The ports the forward arrives on from that source to that address (one host of a
            // mapped subnet is one public address; what partners alone may send is not "from any").
            const arriving = original.intersect(PacketSet.box({ [Dim.Src]: [[before[Dim.Src]!, before[Dim.Src]!]], [Dim.Dst]: [[before[Dim.Dst]!, before[Dim.Dst]!]], [Dim.Proto]: [[BigInt(proto), BigInt(proto)]] })).valuesOf(Dim.Dport);
            const path = acceptingPath(ctx.trace(p, before, point), point, [nat.span]);
            // What the forward depends on: the assumptions of the uncertain regions holding the witness.
            const uncertain = certain ? [] : uncertainAssumptions(regions, (d) => d.has(point));
            const forwarded = `${protoName(proto)}/${portsText(arriving)}`;
            found.push({ service: svc.name, rank: severityRank(svc.severity), host, ...(address !== undefined ? { address } : {}), port, forwarded, certain, finding: {
              ruleId: rule.id,
              severity: rule.severity,
              message: `DNAT rule ${certain ? "forwards" : "may forward"} ${forwarded} from ${coverageText(coverage, p.family, families)} to ${svc.name} on ${redirect ? `this host, port ${port}` : `${host}:${port}`} (${p.kind} path)`,
              location: locOf(nat),
              witness: pointToPacket(before, p.kind),
              trace: path?.steps,
              exposure: exposureOf(p.family, p.kind, proto, exposed, coverage, svc.id),
              ...(uncertain.length > 0 ? { uncertain } : {}),
            } });
          }
        }
        findings.push(...grouped(found, certain, families));
      }
    }
  }
  return alternatives(findings, families);
};

/**
 * One finding for forwards that are alternatives: the same packet as it arrived (the witness),
 * the same service, forwarded to one internal host or another - a load balancer's endpoints
 * (kube-proxy's -m statistic, nft's numgen map) -, at the first DNAT rule, the others related.
 * Findings keep their order; a group stands where its first member was.
 */
function alternatives(entries: readonly (Finding | Found)[], families: readonly Family[]): Finding[] {
  const isFound = (x: Finding | Found): x is Found => "finding" in x;
  const key = (f: Found) => (f.address !== undefined ? `${f.certain}|${f.finding.exposure!.service}|${JSON.stringify(f.finding.witness)}` : undefined);
  const groups = new Map<string, Found[]>();
  for (const entry of entries) {
    const k = isFound(entry) ? key(entry) : undefined;
    if (k === undefined) continue;
    const g = groups.get(k);
    if (g) g.push(entry as Found);
    else groups.set(k, [entry as Found]);
  }
  const out: Finding[] = [];
  for (const entry of entries) {
    if (!isFound(entry)) {
      out.push(entry);
      continue;
    }
    const k = key(entry);
    const g = k === undefined ? [entry] : groups.get(k)!;
    if (g[0] !== entry) continue; // joined into its group's first
    out.push(g.length === 1 ? entry.finding : joined(g, families));
  }
  return out;
}

/** The finding of forwards that are alternatives (see alternatives). */
function joined(g: readonly Found[], families: readonly Family[]): Finding {
  const head = g[0]!;
  const e = head.finding.exposure!;
  const target = (f: Found) => `${f.address}:${f.port}`;
  const hosts = g.map(target);
  const listed = hosts.slice(0, LISTED).join(", ") + (hosts.length > LISTED ? `, and ${hosts.length - LISTED} more` : "");
  const coverage = Math.min(...g.map((f) => f.finding.exposure!.sourceCoverage));
  const uncertain = [...new Set(g.flatMap((f) => f.finding.uncertain ?? []))].slice(0, 5);
  return {
    ...head.finding,
    message: `DNAT rules ${head.certain ? "forward" : "may forward"} ${head.forwarded} from ${coverageText(coverage, e.family, families)} to ${head.service} on ${g.length} internal hosts, one per connection: ${listed} (${e.direction} path)`,
    exposure: { ...e, sourceCoverage: coverage },
    related: [...(head.finding.related ?? []), ...g.slice(1).map((f) => ({ ...f.finding.location, message: `also forwards to ${target(f)}` }))],
    ...(uncertain.length > 0 ? { uncertain } : {}),
  };
}

const GROUP_MIN = 6;
/** Services a grouped message names (the finding's exposure lists them all). */
const LISTED = 12;

/** One service a forward exposes: its finding, and the parts a grouped message names. */
interface Found {
  finding: Finding;
  service: string;
  /** The service's own severity, as a rank: the message names the most sensitive first. */
  rank: number;
  /** "internal host 10.0.0.5" or "this host". */
  host: string;
  /** The internal host's address as written ("10.0.0.5", "[2001:db8::5]"); none for this host. */
  address?: string;
  port: string;
  /** What arrives: "tcp/2222". */
  forwarded: string;
  /** "forwards", not "may forward". */
  certain: boolean;
}

/**
 * A forward of many ports to one host (a 1:1 static NAT of every port) makes one finding that
 * lists the services, per protocol, not one finding each. The others stay as found (for
 * alternatives()).
 */
function grouped(found: Found[], certain: boolean, families: readonly Family[]): (Finding | Found)[] {
  const out: (Finding | Found)[] = [];
  for (const g of groupBy(found, (f) => `${f.finding.exposure!.protocol}|${f.host}`)) {
    if (g.length < GROUP_MIN) {
      out.push(...g);
      continue;
    }
    const head = g[0]!;
    const e = head.finding.exposure!;
    const named = [...g].sort((a, b) => b.rank - a.rank).slice(0, LISTED);
    const coverage = Math.min(...g.map((f) => f.finding.exposure!.sourceCoverage));
    out.push({
      ...head.finding,
      message: `DNAT rule ${certain ? "forwards" : "may forward"} ${head.forwarded} from ${coverageText(coverage, e.family, families)} to ${g.length} ${e.protocol.toUpperCase()} services on ${head.host}: ${named.map((f) => `${f.service} (${f.port})`).join(", ")}${g.length > LISTED ? `, and ${g.length - LISTED} more` : ""} (${e.direction} path)`,
      exposure: { ...e, ports: g.flatMap((f) => f.finding.exposure!.ports).sort((a, b) => a[0] - b[0]), sourceCoverage: coverage, services: g.map((f) => f.finding.exposure!.service!) },
    });
  }
  return out;
}
