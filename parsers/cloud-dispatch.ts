/**
 * The layout the cloud readers (AWS security groups and network ACLs, GCP firewall rules, Azure
 * NSGs) give a ruleset: per direction a dispatch chain - replies first where the platform is
 * stateful - that jumps to each target's own chain on the target's interface (inbound `iif`,
 * outbound `oif`), and four pipelines: inbound and outbound, IPv4 and IPv6, each starting there.
 */
import type { Chain, Pipeline, Rule, SourceSpan } from "../src/model/types.js";
import { chainKey } from "../src/model/types.js";

export type CloudDirection = "inbound" | "outbound";

/** A direction's dispatch chain, its jumps to be added (targetJump); `stateful`: replies pass first. */
export function dispatchChain(table: string, kind: CloudDirection, span: SourceSpan, label: string, stateful: boolean): Chain {
  const rules: Rule[] = stateful
    ? [{ id: `${kind}#established`, conditions: [{ kind: "ctstate", states: ["established", "related"] }], action: { kind: "accept" }, span, comment: "stateful: replies and packets of allowed connections pass", implied: true }]
    : [];
  return { name: kind, table, rules, policy: "drop", policySpan: span, span, label };
}

/** The dispatch chain's jump to a target's chain, on the target's interface. */
export function targetJump(kind: CloudDirection, iface: string, chain: string, span: SourceSpan, implied: boolean): Rule {
  return {
    id: `${kind}/${iface}`,
    conditions: [{ kind: "iface", field: kind === "inbound" ? "iif" : "oif", name: iface, prefix: false }],
    action: { kind: "jump", chain },
    span,
    ...(implied ? { implied: true as const } : {}),
  };
}

/** The four pipelines, each starting in its direction's dispatch chain of `table`. */
export function dispatchPipelines(table: string): Pipeline[] {
  const pipelines: Pipeline[] = [];
  for (const kind of ["inbound", "outbound"] as const) {
    for (const family of [4, 6] as const) pipelines.push({ kind, family, stages: [{ chain: chainKey(table, kind), role: "filter" }] });
  }
  return pipelines;
}
