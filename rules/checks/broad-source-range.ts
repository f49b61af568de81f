/**
 * broad-source-range: a sensitive service accepted from a very broad public range that is not
 * "any" (a /8, a /12): between `minimum` (1/256) of the family's public space and the exposure
 * threshold, above which exposed-service reports it instead.
 */
import { strangerRegion } from "../../src/analysis/regions.js";
import { protoName } from "../../src/analysis/witness.js";
import type { BroadSourceParams } from "../../src/engine/rule-pack.js";
import type { Finding } from "../../src/model/finding.js";
import { filtersPath } from "./chains.js";
import type { Check } from "./context.js";
import { coverageText, exposureOf, portsText, sourceCoverage, widestPublicPart, witnessOf } from "./reach.js";
import { Dim } from "../../src/space/dims.js";

export const broadSourceRange: Check<BroadSourceParams> = (ctx, params, rule) => {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const res of ctx.results()) {
    const p = res.pipeline;
    if (p.kind === "outbound") continue;
    if (!filtersPath(ctx.ruleset, p)) continue;
    for (const svc of ctx.catalog.services) {
      if (svc.protocols === "any") continue;
      for (const proto of svc.protocols) {
        const ranges = svc.ports.map(([a, b]) => [BigInt(a), BigInt(b)] as [bigint, bigint]);
        const exposed = res.certainlyAccepted.intersect(strangerRegion(p.family, [proto], ranges));
        if (exposed.isEmpty()) continue;
        const coverage = sourceCoverage(exposed, p.family);
        if (coverage < params.minimum || coverage > params.threshold) continue;
        const w = witnessOf(ctx, res, widestPublicPart(exposed, p.family), { proto, dports: svc.ports.map(([a]) => a) });
        if (!w) continue;
        const key = `${svc.id}|${proto}|${w.location.file}:${w.location.line}:${w.location.column}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const bits = p.family === 4 ? 32 : 128;
        const prefix = bits - Math.floor(Math.log2(Number(exposed.maxSourceCount())));
        findings.push({
          ruleId: rule.id,
          severity: rule.severity,
          message: `${svc.name} (${protoName(proto)}/${portsText(exposed.valuesOf(Dim.Dport))}) is reachable from ${coverageText(coverage, p.family, ctx.ruleset.families)} (about a /${prefix} of addresses) on the ${p.kind} path: a range that broad is not an allow-list`,
          location: w.location,
          witness: w.witness,
          trace: w.trace,
          exposure: exposureOf(p.family, p.kind, proto, exposed, coverage, svc.id, 1_000_000),
        });
      }
    }
  }
  return findings;
};
