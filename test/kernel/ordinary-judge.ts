/**
 * The kernel's verdicts on ordinary traffic, against the fate fwlint gives ordinary traffic where
 * a rule's condition is not modelled (Condition unknown `ordinary`): each packet is one connection's
 * first, from a source of its own, so that what the kernel does with it is what it does with a
 * stranger's connection on a quiet host. fwlint's verdict for such a packet is the certain one, or
 * that of the one trace path whose every assumption is what ordinary traffic does.
 */
import { expect } from "vitest";
import { verdictFor } from "../../src/analysis/verdict.js";
import type { Packet } from "../../src/model/finding.js";
import type { Ruleset } from "../../src/model/types.js";

/** Each unknown condition's text in `rs`, with its value for ordinary traffic (see Condition unknown `ordinary`). */
function ordinaryValues(rs: Ruleset): Map<string, boolean | undefined> {
  const out = new Map<string, boolean | undefined>();
  for (const c of rs.chains.values()) for (const r of c.rules) for (const x of r.conditions) if (x.kind === "unknown") out.set(x.text, x.ordinary);
  return out;
}

/**
 * fwlint's verdict for one ordinary connection: the certain one, or that of the one trace path
 * whose every assumption is the value the condition has for it (a limit drawn over many
 * connections has its first connection's value). The test rulesets hold one unknown condition per
 * rule, each text once.
 */
export function ordinaryVerdict(rs: Ruleset, p: Packet): { verdict: string; certain: boolean } {
  const v = verdictFor(rs, p);
  if (v.verdict !== "unknown") return { verdict: v.verdict, certain: true };
  const values = ordinaryValues(rs);
  const agrees = (assumption: string) => {
    // (the rule's place ends it: "file:line", nft JSON's "file:line (handle N)")
    const text = assumption.replace(/ \((?:[^()]|\([^()]*\))*\)$/, "");
    const negated = text.startsWith("not ");
    const value = values.get(negated ? text.slice(4) : text);
    return value !== undefined && value !== negated;
  };
  const ordinary = v.paths.filter((x) => x.assumptions.every(agrees));
  expect(ordinary, `IPv${p.family} ${p.proto}/${p.dport}: one ordinary path of ${v.paths.map((x) => x.assumptions.join(" & ")).join(" | ")}`).toHaveLength(1);
  return { verdict: ordinary[0]!.verdict, certain: false };
}

export interface OrdinaryComparison {
  judged: number;
  accepted: number;
  /** Packets fwlint is not certain of (their ordinary fate compared). */
  uncertain: Packet[];
  disagree: string[];
}

/** fwlint's ordinary verdicts on `packets` against the kernel's (`kernel`, from kernelVerdicts). */
export function compareOrdinary(rs: Ruleset, packets: readonly Packet[], kernel: readonly string[]): OrdinaryComparison {
  const r: OrdinaryComparison = { judged: 0, accepted: 0, uncertain: [], disagree: [] };
  packets.forEach((p, i) => {
    const k = kernel[i]!;
    if (k === "error") return;
    const ours = ordinaryVerdict(rs, p);
    r.judged++;
    if (k === "accept") r.accepted++;
    if (!ours.certain) r.uncertain.push(p);
    if (ours.verdict !== k) r.disagree.push(`IPv${p.family} ${p.proto}/${p.dport}: kernel ${k}, fwlint ${ours.verdict}${ours.certain ? "" : " (ordinary path)"}`);
  });
  return r;
}
