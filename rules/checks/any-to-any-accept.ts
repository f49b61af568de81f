/**
 * any-to-any-accept: a rule on the inbound or forward filter path that accepts every new
 * connection - all protocols, all ports, any source, any destination - arriving on any interface
 * but loopback and container/VM bridges. Rules limited to an interface (a trusted LAN), to
 * established traffic or to loopback are not reported.
 */
import { INTERNAL_IFACES } from "../../src/analysis/regions.js";
import type { Finding } from "../../src/model/finding.js";
import { CT_STATES, type Family, type PipelineKind, type Rule } from "../../src/model/types.js";
import { Dim } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { Projections } from "../../src/space/projections.js";
import { UnionStack } from "../../src/space/union-stack.js";
import { decidingAction, verdictOfAll } from "../../src/model/verdict-chains.js";
import { baseChains, chainTitle, compiled, filterEntriesOf, isExact, locOf, terminates } from "./chains.js";
import type { Check } from "./context.js";

/** New packets of a family arriving on an interface that is not loopback or a guest bridge. */
export function newFromOutside(family: Family): PacketSet {
  const nw = BigInt(CT_STATES.indexOf("new"));
  return PacketSet.box({ [Dim.Family]: [[BigInt(family), BigInt(family)]], [Dim.CtState]: [[nw, nw]] }).minus(PacketSet.box({ [Dim.Iif]: INTERNAL_IFACES }));
}

export const anyToAnyAccept: Check<Record<string, never>> = (ctx, _params, rule) => {
  const rs = ctx.ruleset;
  const hits = new Map<Rule, { chain: string; paths: PipelineKind[] }>();
  // With their projections (protocol, port, addresses: a few whole ranges each, none joined, so
  // exact): a rule whose projections do not hold them does not hold them, told without a set
  // operation (the containment test walked the rule's whole match: ASA bench, 20k rules, about 0.1 s).
  const outside = new Map(
    rs.families.map((f) => {
      const set = newFromOutside(f);
      return [f, { set, proj: Projections.of(set) }] as const;
    }),
  );
  const bases = baseChains(rs);
  for (const kind of ["inbound", "forward"] as const) {
    const entries = filterEntriesOf(rs, kind);
    for (const [key, into] of entries) {
      const chain = rs.chains.get(key)!;
      // a chain that accepts all that enters it (log, then accept): its jumps are judged instead
      if (!bases.has(key) && verdictOfAll(chain) !== undefined) continue;
      // What earlier terminating rules match, united only when a wide rule asks.
      const covered = new UnionStack();
      for (const r of chain.rules) {
        const m = compiled(rs, r);
        const exact = isExact(m);
        const action = decidingAction(rs, chain, r);
        // Cheap tests first: almost every rule is narrower than "every new connection".
        const wide =
          exact && action.kind === "accept"
            ? rs.families.filter((f) => {
                const out = outside.get(f)!;
                return out.proj.mayBeWithin(Projections.of(m.known)) && out.set.isSubsetOf(m.known);
              })
            : [];
        if (wide.length > 0) {
          const matched = into.intersect(m.known);
          const reached = covered.outside(matched);
          for (const f of wide) {
            const out = outside.get(f)!.set;
            if (!out.isSubsetOf(matched) || !reached.overlaps(out)) continue;
            const h = hits.get(r) ?? { chain: chainTitle(chain), paths: [] };
            if (!h.paths.includes(kind)) h.paths.push(kind);
            hits.set(r, h);
          }
        }
        if (exact && terminates(action)) covered.add(m.known);
      }
    }
  }
  const findings: Finding[] = [];
  for (const [r, h] of hits) {
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message: `rule in ${h.chain} accepts every new connection - all protocols and ports, from any source to any destination - on the ${h.paths.join(" and ")} path${h.paths.length > 1 ? "s" : ""}`,
      location: locOf(r),
    });
  }
  return findings;
};
