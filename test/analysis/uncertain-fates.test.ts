/**
 * Uncertain fates are bounded (Evaluator.boundFates): rules with unmodelled conditions that each
 * meet every flow before them would make a flow per combination of their conditions. Past the
 * bound, uncertain flows that differ only in their assumptions are joined - and what is accepted,
 * certainly or possibly, is exactly what the evaluation without the bound finds.
 */
import { afterAll, describe, expect, it } from "vitest";
import { configureEvaluator, evaluateRuleset, type PipelineResult } from "../../src/analysis/evaluate.js";
import { generateAsaConfig } from "../../src/bench/asa.js";
import { parseCiscoAsa } from "../../parsers/cisco-asa/index.js";
import { parseNft } from "../../parsers/nftables/index.js";

/**
 * An ACL of `k` entries, each from the source blocks whose index has bit i set to a group holding
 * one host and an fqdn object: the fqdn part splits every flow by its own bit of the source, so
 * each of the 2^k source blocks meets its own combination of names (and a final ACCEPT takes all).
 */
function combinations(k: number): string {
  const lines = ["interface Gi0/0", " nameif outside", " security-level 0", " ip address 203.0.113.1 255.255.255.0", "interface Gi0/1", " nameif inside", " security-level 100", " ip address 10.0.0.1 255.255.0.0"];
  for (let i = 0; i < k; i++) {
    lines.push(`object network RELAY-${i}`, ` fqdn relay${i}.example.com`, `object-group network G${i}`, ` network-object host 10.0.${i}.1`, ` network-object object RELAY-${i}`);
    lines.push(`object-group network S${i}`);
    for (let b = 0; b < 1 << k; b++) if (b & (1 << i)) lines.push(` network-object 198.51.${b}.0 255.255.255.0`);
  }
  for (let i = 0; i < k; i++) lines.push(`access-list OUT extended ${i % 3 === 2 ? "deny" : "permit"} tcp object-group S${i} object-group G${i} eq www`);
  lines.push("access-list OUT extended permit tcp any any eq www", "access-group OUT in interface outside");
  return lines.join("\n");
}

function evaluate(text: string, bounded: boolean): PipelineResult[] {
  configureEvaluator(bounded ? { maxUncertainFates: 64, maxApart: 128 } : { maxUncertainFates: Infinity, maxApart: Infinity });
  const rs = parseCiscoAsa(text, "f.cfg");
  expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return evaluateRuleset(rs).results;
}

describe("uncertain fates", () => {
  afterAll(() => configureEvaluator({ maxUncertainFates: 64, maxApart: 128, maxJoinedAssumptions: 32 }));

  it("joined past the bound, accept exactly what the unbounded evaluation accepts", () => {
    const text = combinations(8);
    const free = evaluate(text, false);
    const bounded = evaluate(text, true);
    // the combinations of eight names: hundreds of fates without the bound
    const fates = (rs: PipelineResult[]) => Math.max(...rs.map((r) => r.accepted.filter((a) => !a.certain).length));
    expect(fates(free)).toBeGreaterThan(100);
    expect(fates(bounded)).toBeLessThanOrEqual(64);
    expect(bounded.length).toBe(free.length);
    bounded.forEach((r, i) => {
      expect(r.possiblyAccepted.equals(free[i]!.possiblyAccepted)).toBe(true);
      expect(r.certainlyAccepted.equals(free[i]!.certainlyAccepted)).toBe(true);
      // each uncertain region still names conditions, and only ones the rules have
      const named = new Set(free[i]!.accepted.flatMap((a) => a.assumptions));
      for (const a of r.accepted.filter((x) => !x.certain)) {
        expect(a.assumptions.length).toBeGreaterThan(0);
        for (const s of a.assumptions) expect(named.has(s)).toBe(true);
      }
    });
  });

  it("are not joined when each depends on one condition only (rate-limited services)", () => {
    const rules = Array.from({ length: 200 }, (_, i) => `    ip daddr 10.0.${i >> 8}.${i & 255} tcp dport 443 ct state new limit rate 50/second accept`);
    const text = ["table inet t {", "  chain input {", "    type filter hook input priority 0; policy drop;", ...rules, "  }", "}"].join("\n");
    configureEvaluator({ maxUncertainFates: 64, maxApart: 128 });
    const rs = parseNft(text, "r.nft");
    const input = evaluateRuleset(rs).results.find((r) => r.pipeline.kind === "inbound" && r.pipeline.family === 4)!;
    const uncertain = input.accepted.filter((a) => !a.certain);
    expect(uncertain.length).toBe(200);
    for (const a of uncertain) expect(a.assumptions).toHaveLength(1);
  });

  it("once joined, name at most 32 conditions and a note, and stay as drawn as they were", () => {
    // seven random draws on source bits make 128 fates (joined), 36 more on every packet make
    // the joined flows name 43 conditions, and six more split and join them again
    const bit = (k: number) => {
      const v = (0x80000000 >>> k) >>> 0;
      return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    };
    const split = (from: number, n: number) => Array.from({ length: n }, (_, k) => `    ip saddr & ${bit(from + k)} == ${bit(from + k)} tcp dport 443 numgen random mod ${k + 2} 0 accept`);
    // (the last of them the processor it runs on, not drawn: its groups are past the 32 names kept, and not drawn)
    const every = Array.from({ length: 36 }, (_, k) => `    tcp dport 443 ${k === 35 ? "meta cpu 1" : `numgen random mod ${100 + k} 0`} accept`);
    const text = ["table ip t {", "  chain input {", "    type filter hook input priority 0; policy drop;", ...split(0, 7), ...every, ...split(7, 6), "  }", "}"].join("\n");
    const run = (most: number) => {
      configureEvaluator({ maxUncertainFates: 64, maxApart: 128, maxJoinedAssumptions: most });
      return evaluateRuleset(parseNft(text, "r.nft")).results.find((r) => r.pipeline.kind === "inbound")!;
    };
    const whole = run(Infinity);
    const cut = run(32);
    expect(Math.max(...whole.accepted.map((a) => a.assumptions.length))).toBeGreaterThan(33);
    expect(cut.possiblyAccepted.equals(whole.possiblyAccepted)).toBe(true);
    expect(cut.certainlyAccepted.equals(whole.certainlyAccepted)).toBe(true);
    const named = new Set(whole.accepted.flatMap((a) => a.assumptions));
    const note = /^further .* \(fates joined\)$/;
    for (const a of cut.accepted) {
      expect(a.assumptions.length).toBeLessThanOrEqual(33);
      for (const s of a.assumptions.slice(0, -1)) expect(named.has(s)).toBe(true);
      if (!named.has(a.assumptions.at(-1)!)) expect(a.assumptions.at(-1)).toMatch(note);
    }
    // a region cut whose conditions are all draws is still told drawn (surely reached, see surelyReached),
    // one with the processor test among those cut off is not
    expect(cut.accepted.some((a) => a.drawn && note.test(a.assumptions.at(-1)!))).toBe(true);
    expect(cut.accepted.some((a) => !a.drawn && !a.certain && note.test(a.assumptions.at(-1)!))).toBe(true);
    const where = (r: PipelineResult, which: (a: PipelineResult["accepted"][number]) => boolean) =>
      r.accepted.filter(which).reduce((u, a) => u.union(a.original), r.possiblyAccepted.minus(r.possiblyAccepted));
    expect(where(cut, (a) => a.drawn === true).equals(where(whole, (a) => a.drawn === true))).toBe(true);
    expect(where(cut, (a) => a.ordinary === true).equals(where(whole, (a) => a.ordinary === true))).toBe(true);
  });

  it("keep an ACL whose groups hold fqdn objects to a bounded number of regions", () => {
    // the benchmark's data-centre config with an fqdn object in every tenth network group
    const lines = generateAsaConfig({ aces: 3000, groups: 300 }, 2).text.split("\n");
    const out: string[] = [];
    let groups = 0;
    for (const l of lines) {
      out.push(l);
      if (/^object-group network /.test(l) && ++groups % 10 === 0) out.push(` network-object object RELAY-${groups}`);
    }
    const first = out.findIndex((l) => l.startsWith("object-group"));
    const relays = Array.from({ length: Math.floor(groups / 10) }, (_, k) => [`object network RELAY-${(k + 1) * 10}`, ` fqdn relay${k}.example.com`]).flat();
    out.splice(first, 0, ...relays);
    configureEvaluator({ maxUncertainFates: 64, maxApart: 128 });
    const rs = parseCiscoAsa(out.join("\n"), "fq.cfg");
    expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const results = evaluateRuleset(rs).results;
    expect(results.some((r) => r.accepted.some((a) => a.assumptions.length > 1))).toBe(true);
    // combinations of names are bounded; what one name alone decides stays apart, told by its own
    for (const r of results) expect(r.accepted.filter((a) => a.assumptions.length > 1).length).toBeLessThanOrEqual(64);
  }, 60_000);
});
