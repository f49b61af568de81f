/**
 * default-accept-policy: a built-in filter chain on an inbound or forward path whose policy is
 * ACCEPT, and that new connections actually reach (a chain ending in a catch-all REJECT is fine).
 */
import { pickWitness, pointToPacket } from "../../src/analysis/witness.js";
import type { DefaultPolicyParams } from "../../src/engine/rule-pack.js";
import type { Finding } from "../../src/model/finding.js";
import { CT_STATES } from "../../src/model/types.js";
import { Dim, ifaceToValue } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import type { Check } from "./context.js";

export const defaultPolicy: Check<DefaultPolicyParams> = (ctx, params, rule) => {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const lo = ifaceToValue("lo");
  const newFromOutside = PacketSet.box({
    [Dim.CtState]: [[BigInt(CT_STATES.indexOf("new")), BigInt(CT_STATES.indexOf("new"))]],
    [Dim.Iif]: [
      [0n, lo - 1n],
      [lo + 1n, (1n << 120n) - 1n],
    ],
  });
  for (const res of ctx.results()) {
    const p = res.pipeline;
    if (!params.directions.includes(p.kind)) continue;
    for (const stage of p.stages) {
      if (stage.role !== "filter") continue;
      const chain = ctx.ruleset.chains.get(stage.chain);
      if (!chain || chain.policy !== "accept") continue;
      // The security table (SELinux marks) always has ACCEPT policies; filtering policy lives in filter.
      if (chain.table === "security") continue;
      const key = `${stage.chain}@${p.family}`;
      if (seen.has(key)) continue;
      const reached = res.policyReached.get(stage.chain)?.intersect(newFromOutside);
      if (!reached || reached.isEmpty()) continue;
      seen.add(key);
      const point = pickWitness(reached, { family: p.family, kind: p.kind, ifaces: ctx.ifaces });
      const span = chain.policySpan ?? chain.span;
      findings.push({
        ruleId: rule.id,
        severity: rule.severity,
        message: `${chain.name} policy is ACCEPT on the ${p.kind} path: new connections that no rule decides are let in`,
        location: { file: span.file, line: span.line, column: span.column },
        ...(point ? { witness: pointToPacket(point, p.kind), trace: ctx.trace(p, point).find((t) => t.verdict === "accept")?.steps } : {}),
      });
    }
  }
  return findings;
};
