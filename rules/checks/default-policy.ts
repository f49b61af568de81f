/**
 * default-accept-policy: a built-in filter chain on an inbound or forward path whose policy is
 * ACCEPT, and that new connections actually reach (a chain ending in a catch-all REJECT is fine)
 * and no other filter chain of the path decides.
 */
import { pickWitness, pointToPacket } from "../../src/analysis/witness.js";
import type { DefaultPolicyParams } from "../../src/engine/rule-pack.js";
import type { Finding } from "../../src/model/finding.js";
import { CT_STATES, type Chain, type Family, type PipelineKind } from "../../src/model/types.js";
import { Dim, ifaceToValue } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { witnessHints, type Check } from "./context.js";
import { acceptingPath } from "./reach.js";
import { decides } from "./chains.js";

export const defaultPolicy: Check<DefaultPolicyParams> = (ctx, params, rule) => {
  const findings: Finding[] = [];
  /** Per chain, its finding and the families that reach its policy: an inet chain's one policy is one finding. */
  const found = new Map<string, { finding: Finding; chain: Chain; kind: PipelineKind; families: Family[] }>();
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
    // The filter chains that run after routing (a chain on nft's ingress or prerouting hook that
    // accepts what it does not drop leaves the decision to them, and so does one on postrouting
    // that cannot drop, see decides), SELinux's security table aside.
    const filters = p.stages.filter((s) => {
      const c = s.role === "filter" && !s.beforeRouting && decides(ctx.ruleset, s) ? ctx.ruleset.chains.get(s.chain) : undefined;
      return c !== undefined && c.table !== "security";
    });
    for (const stage of filters) {
      const chain = ctx.ruleset.chains.get(stage.chain)!;
      if (chain.policy !== "accept") continue;
      const known = found.get(stage.chain);
      if (known?.families.includes(p.family)) continue;
      // Several base chains on one hook (nft): an ACCEPT in one ends only that one, so a packet is
      // let in undecided only when it falls off the end of each of them, and each accepts it there.
      let reached = res.policyReached.get(stage.chain)?.intersect(newFromOutside);
      for (const other of filters) {
        if (other === stage || !reached) continue;
        reached = ctx.ruleset.chains.get(other.chain)!.policy !== "drop" ? res.policyReached.get(other.chain)?.intersect(reached) : undefined;
      }
      if (!reached || reached.isEmpty()) continue;
      if (known) {
        known.families.push(p.family);
        continue;
      }
      const point = pickWitness(reached, witnessHints(ctx, p));
      const span = chain.policySpan ?? chain.span;
      const finding: Finding = {
        ruleId: rule.id,
        severity: rule.severity,
        message: policyMessage(chain, p.kind),
        location: { file: span.file, line: span.line, column: span.column },
        ...(point ? { witness: pointToPacket(point, p.kind), trace: acceptingPath(ctx.trace(p, point), undefined, [span])?.steps } : {}),
      };
      found.set(stage.chain, { finding, chain, kind: p.kind, families: [p.family] });
      findings.push(finding);
    }
  }
  // In a ruleset of both families, a policy only one of them reaches says which.
  const families = ctx.ruleset.families;
  for (const { finding, chain, kind, families: reaching } of found.values()) {
    if (families.length > 1 && reaching.length < families.length) finding.message = policyMessage(chain, kind, reaching[0]);
  }
  return findings;
};

/** The finding's message; `family` names the one family that reaches the policy in a dual-stack ruleset. */
function policyMessage(chain: Chain, kind: PipelineKind, family?: Family): string {
  return `${chain.acceptText ?? `${chain.name} policy is ACCEPT`} on the ${kind} path${family ? ` (IPv${family})` : ""}: new connections that no rule decides are let in`;
}
