/**
 * ipv6-parity: in a ruleset that speaks both IPv4 and IPv6, a sensitive service that is closed to
 * the Internet on IPv4 but open to (nearly) any source on IPv6 - the classic forgotten ip6tables.
 */
import { strangerRegion, strangerTraffic } from "../../src/analysis/regions.js";
import { protoName } from "../../src/analysis/witness.js";
import type { ThresholdParams } from "../../src/engine/rule-pack.js";
import type { Finding } from "../../src/model/finding.js";
import { Dim } from "../../src/space/dims.js";
import { filtersPath } from "./chains.js";
import type { Check } from "./context.js";
import { coverageText, exposureOf, groupAtLocation, portsText, publicShare, publicSourceCount, widestPublicPart, witnessOf } from "./reach.js";

export const ipv6Parity: Check<ThresholdParams> = (ctx, params, rule) => {
  const findings: Finding[] = [];
  const fams = ctx.ruleset.families;
  if (!fams.includes(4) || !fams.includes(6)) return findings;
  const results = ctx.results();
  for (const kind of ["inbound", "forward"] as const) {
    const found: Parity[] = [];
    const v4 = results.find((r) => r.pipeline.kind === kind && r.pipeline.family === 4);
    const v6 = results.find((r) => r.pipeline.kind === kind && r.pipeline.family === 6);
    if (!v4 || !v6 || !filtersPath(ctx.ruleset, v4.pipeline) || !filtersPath(ctx.ruleset, v6.pipeline)) continue;
    for (const svc of ctx.catalog.services) {
      if (svc.protocols === "any") continue;
      for (const proto of svc.protocols) {
        const ranges = svc.ports.map(([a, b]) => [BigInt(a), BigInt(b)] as [bigint, bigint]);
        // Public sources are counted in place (publicSourceCount); only a finding's IPv6
        // packets are built.
        const reached6 = v6.certainlyAccepted.intersect(strangerTraffic(6, [proto], ranges));
        const cov6 = publicShare(publicSourceCount(reached6, 6), 6);
        if (cov6 <= params.threshold) continue;
        // Open on both is exposed-service's business. What is certainly open tells most of those
        // without the union with the uncertain acceptances (see PipelineResult.possiblyAccepted).
        const traffic4 = strangerTraffic(4, [proto], ranges);
        if (publicShare(publicSourceCount(v4.certainlyAccepted.intersect(traffic4), 4), 4) > params.threshold) continue;
        const sources4 = publicSourceCount(v4.possiblyAccepted.intersect(traffic4), 4);
        const cov4 = publicShare(sources4, 4);
        if (cov4 > params.threshold) continue;
        const open6 = reached6.intersect(strangerRegion(6, [proto], ranges));
        const w = witnessOf(ctx, v6, widestPublicPart(open6, 6), { proto, dports: svc.ports.map(([a]) => a) });
        if (!w) continue;
        const v4text = sources4 === 0n
          ? "closed to the Internet on IPv4"
          : cov4 < 0.0001
            ? "open only to a few sources on IPv4"
            : `open to only ${coverageText(cov4, 4)} on IPv4`;
        const ports = portsText(open6.valuesOf(Dim.Dport));
        const finding: Finding = {
          ruleId: rule.id,
          severity: rule.severity,
          message: `${svc.name} (${protoName(proto)}/${ports}) is ${v4text} but reachable from ${coverageText(cov6, 6)} on IPv6 (${kind} path)`,
          location: w.location,
          witness: w.witness,
          trace: w.trace,
          exposure: exposureOf(6, kind, proto, open6, cov6, svc.id),
        };
        found.push({ finding, named: `${svc.name} (${ports})`, v4text });
      }
    }
    findings.push(...groupByLocation(found, kind));
  }
  return findings;
};

interface Parity {
  finding: Finding;
  /** The service and its ports, as a group lists it. */
  named: string;
  /** What IPv4 allows of it. */
  v4text: string;
}

/**
 * Many services let in on IPv6 by one rule or policy (an IPv6 path nothing filters), told the same
 * way on IPv4, make one finding that lists them - as exposed-service groups them.
 */
function groupByLocation(found: readonly Parity[], kind: string): Finding[] {
  return groupAtLocation(
    found,
    (p) => p.finding,
    (p) => p.v4text,
    (g, coverage) => `${g.length} ${g[0]!.finding.exposure!.protocol.toUpperCase()} services are ${g[0]!.v4text} but reachable from ${coverageText(coverage, 6)} on IPv6 (${kind} path): ${g.map((p) => p.named).join(", ")}`,
  );
}
