/**
 * The evaluator's shortcuts change no result: random nftables rulesets - large set rules (a
 * blocklist, address . port pairs) kept aside as factors, batches of ACCEPT/DROP rules accounted
 * for as a whole, flows returned by jumped-to chains and flows going on past a rule with an
 * unmodelled condition kept apart, next to jumps (also through a verdict map, whose jumps run as
 * one), gotos, returns, DNAT and notrack - give the same accepted packets, certain and possible,
 * per pipeline, with the shortcuts on and off.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parseNft } from "../../parsers/nftables/index.js";
import { configureEvaluator, evaluateRuleset, surelyReached, type PipelineResult } from "../../src/analysis/evaluate.js";
import type { PacketSet } from "../../src/space/packet-set.js";

fc.configureGlobal({ seed: 0xe7a1 });

const ip = (n: number) => `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const PORTS = [22, 25, 53, 80, 443, 8080];

/** A large interval set of ascending, disjoint addresses and /24s. */
function bigSet(seed: number, count: number): string {
  const out: string[] = [];
  let at = (11 << 24) + seed * 4096;
  for (let i = 0; i < count; i++) {
    if (i % 7 === 0) {
      at = (at + 256) & ~255;
      out.push(`${ip(at)}/24`);
      at += 256;
    } else {
      out.push(ip(at));
      at += 2 + ((i * 37 + seed) % 50);
    }
  }
  return out.join(", ");
}

const rule = fc.oneof(
  fc.constantFrom("ip saddr @block drop", "ip saddr @block accept", "ip saddr . tcp dport @pairs accept", "ip saddr != @block tcp dport 25 drop"),
  fc.tuple(fc.constantFrom(...PORTS), fc.constantFrom("accept", "drop", "reject")).map(([p, a]) => `tcp dport ${p} ${a}`),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom(...PORTS)).map(([h, p]) => `ip daddr 10.0.0.${h} tcp dport ${p} accept`),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom("accept", "drop")).map(([h, v]) => `ip daddr 10.0.0.${h} ${v}`),
  // unmodelled conditions on rule-sized matches: the flows going on past them are kept apart
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom(...PORTS), fc.constantFrom("accept", "drop", "jump sub")).map(([h, p, v]) => `ip daddr 10.0.0.${h} tcp dport ${p} limit rate 5/second ${v}`),
  fc.tuple(fc.constantFrom(...PORTS), fc.constantFrom("accept", "drop")).map(([p, v]) => `tcp dport ${p} meta mark 0x3 ${v}`),
  // and on matches of both families (batches are reused by the other family's pipeline), drawn or not
  fc.tuple(fc.constantFrom(...PORTS), fc.constantFrom("limit rate 5/second", "numgen random mod 2 0", "meta pkttype host"), fc.constantFrom("accept", "drop", "reject")).map(([p, c, v]) => `tcp dport ${p} ${c} ${v}`),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom("sub", "sub2")).map(([h, c]) => `ip daddr 10.0.0.${h} jump ${c}`),
  fc.integer({ min: 0, max: 40 }).map((k) => `ip saddr ${ip((11 << 24) + k * 4096)}/20 drop`),
  fc.constantFrom(
    "ct state established,related accept",
    "tcp dport 80 limit rate 5/second accept",
    "meta mark 0x1 drop",
    "meta mark set 0x2",
    "jump sub",
    "ip daddr vmap { 10.0.0.1 : jump sub, 10.0.0.2 : jump sub2, 10.0.0.3 : goto sub2, 10.0.0.4 : jump sub2 }",
    "ip daddr vmap { 10.0.0.1 : jump sub2, 10.0.0.2 : jump sub, 10.0.0.3 : jump sub, 10.0.0.4 : jump sub2 }",
    "iifname \"wan0\" goto sub",
    "udp dport 53 accept",
    "ip6 saddr 2001:db8::/32 accept",
    "counter",
  ),
);

const ruleset = fc
  .record({
    input: fc.array(rule, { minLength: 1, maxLength: 14 }),
    forward: fc.array(rule, { minLength: 1, maxLength: 14 }),
    sub: fc.array(rule.filter((r) => !r.includes("sub")), { maxLength: 5 }),
    policy: fc.constantFrom("accept", "drop"),
    seed: fc.integer({ min: 0, max: 9 }),
    dnat: fc.boolean(),
    notrack: fc.boolean(),
    late: fc.boolean(),
  })
  .map((r) => {
    const pairs = Array.from({ length: 300 }, (_, i) => `${ip((12 << 24) + i * 97 + r.seed)} . ${PORTS[i % PORTS.length]}`).join(", ");
    return [
      "table inet t {",
      `  set block { type ipv4_addr; flags interval; elements = { ${bigSet(r.seed, 300)} } }`,
      `  set pairs { type ipv4_addr . inet_service; elements = { ${pairs} } }`,
      `  chain sub {\n${r.sub.map((x) => `    ${x}\n`).join("")}  }`,
      `  chain sub2 {\n${r.sub.slice().reverse().map((x) => `    ${x}\n`).join("")}    tcp dport 22 return\n    udp dport 53 drop\n  }`,
      `  chain input {\n    type filter hook input priority 0; policy ${r.policy};\n${r.input.map((x) => `    ${x}\n`).join("")}  }`,
      `  chain forward {\n    type filter hook forward priority 0; policy ${r.policy};\n${r.forward.map((x) => `    ${x}\n`).join("")}  }`,
      // a later filter chain that may drop (unmodelled) what the first one accepted
      r.late ? "  chain late_fwd {\n    type filter hook forward priority 10;\n    meta mark 0x2 drop\n  }\n  chain late_in {\n    type filter hook input priority 10;\n    meta mark 0x2 drop\n  }" : "",
      r.notrack ? "  chain raw {\n    type filter hook prerouting priority raw;\n    ip saddr @block notrack\n    udp dport 53 notrack\n  }" : "",
      r.dnat ? "  chain pre {\n    type nat hook prerouting priority dstnat;\n    ip saddr != @block tcp dport 8080 dnat ip to 10.0.0.3:80\n    tcp dport 2222 dnat ip to 10.0.0.4:22\n  }" : "",
      "}",
    ].join("\n");
  });

function evaluate(text: string, shortcuts: boolean, apartFanout = 16, batchSteps = 16, lazyWork = 32_000): PipelineResult[] {
  configureEvaluator(
    shortcuts ? { runs: true, batchSteps, largeFilterMin: 256, apart: true, apartFanout, lazyWork, jumpGroups: true } : { runs: false, largeFilterMin: Infinity, apart: false, lazyWork: Infinity, jumpGroups: false },
  );
  const rs = parseNft(text, "p.nft");
  expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return evaluateRuleset(rs).results;
}

/** Per fate of accepted packets (certainty and standing, DNAT rules, assumptions): a canonical node id of their union. */
function byFate(r: PipelineResult): Record<string, number> {
  const sets = new Map<string, PacketSet>();
  for (const a of r.accepted) {
    // (and how sure: ordinary, drawn or extraordinary regions are told apart by the checks)
    const key = `${a.certain}${a.ordinary ? "+" : ""}${a.drawn ? "~" : ""}${a.extraordinary ? "!" : ""}|${a.natRules.map((n) => n.id).join(",")}|${a.assumptions.join(";")}`;
    const had = sets.get(key);
    sets.set(key, had ? had.union(a.original) : a.original);
  }
  return Object.fromEntries([...sets].map(([k, s]) => [k, s.node.id]));
}

/** The same accepted packets, certain and possible, delivered, and per fate. */
function expectSame(fast: PipelineResult[], plain: PipelineResult[]): void {
  expect(fast.length).toBe(plain.length);
  fast.forEach((r, i) => {
    const p = plain[i]!;
    expect(r.pipeline).toEqual(p.pipeline);
    // canonical sets: equal sets are the same diagram
    expect(r.possiblyAccepted.equals(p.possiblyAccepted)).toBe(true);
    expect(r.certainlyAccepted.equals(p.certainlyAccepted)).toBe(true);
    const delivered = (x: PipelineResult) => x.accepted.map((a) => a.delivered);
    expect(delivered(r).reduce((a, b) => a.union(b), r.possiblyAccepted.minus(r.possiblyAccepted)).equals(delivered(p).reduce((a, b) => a.union(b), p.possiblyAccepted.minus(p.possiblyAccepted)))).toBe(true);
    // and the same packets for each fate: certainty, DNAT rules and assumptions
    expect(byFate(r)).toEqual(byFate(p));
  });
}

describe("evaluator shortcuts", () => {
  afterAll(() => configureEvaluator({ runs: true, batchSteps: 16, largeFilterMin: 256, apart: true, apartFanout: 16, lazyWork: 32_000, jumpGroups: true }));
  it("keep a large ACCEPT's packets unmarked when a later ACCEPT of the same fate marks its own", () => {
    // the blocklist's ACCEPT, then a jump that marks and accepts; a later chain accepts marked
    // packets for certain and the rest only under rate limits (found by review: the widened
    // factor of the marked ACCEPT told the blocklist's packets marked, so surely reached)
    const text = [
      "table ip t {",
      `  set block { type ipv4_addr; flags interval; elements = { ${bigSet(0, 300)} } }`,
      "  chain sub {\n    meta mark set 0x1\n    tcp dport 22 accept\n  }",
      "  chain forward {\n    type filter hook forward priority 0; policy accept;",
      "    limit rate 5/second numgen random mod 2 0 drop\n    ip saddr @block accept\n    jump sub\n  }",
      "  chain late {\n    type filter hook forward priority 10;\n    meta mark 0x1 accept\n    limit rate 5/second accept\n  }",
      "}",
    ].join("\n");
    const sure = (rs: PipelineResult[]) =>
      rs.map((r) => r.accepted.filter(surelyReached).reduce((a, x) => a.union(x.original), r.possiblyAccepted.minus(r.possiblyAccepted)));
    const plain = sure(evaluate(text, false));
    const fast = sure(evaluate(text, true));
    fast.forEach((s, i) => expect(s.equals(plain[i]!)).toBe(true));
  });
  it("run what goes on past each uncertain rule of a batch through its own later rules", () => {
    // both rate limits are steps of one batch; what goes on past the first meets the third and
    // fourth rules, what goes on past the second the third and fifth (a rule by rule run of each
    // must not be taken for the other's)
    const text = [
      "table inet t {",
      "  chain input {",
      "    type filter hook input priority 0; policy drop;",
      "    tcp dport 80 limit rate 5/second accept",
      "    tcp dport 443 limit rate 5/second accept",
      "    tcp dport { 80, 443 } ip saddr 10.0.0.0/8 drop",
      "    tcp dport 80 ip saddr 11.0.0.0/8 accept",
      "    tcp dport 443 ip saddr 12.0.0.0/8 accept",
      "  }",
      "}",
    ].join("\n");
    expectSame(evaluate(text, true), evaluate(text, false));
  });
  it("give the same accepted packets as the plain evaluation", () => {
    fc.assert(
      fc.property(ruleset, fc.constantFrom(16, 2), fc.constantFrom(16, 2, 1, 0), fc.constantFrom(Infinity, 32_000, 0, -1), (text, fanout, steps, work) => {
        // fanout 2: flows kept apart are joined (with their bounds) as soon as there are three;
        // steps: the uncertain rules (rate limits) a batch takes, 1 ends it at
        // the second, 2 at the third, 0 at each; work: what cutting a batch out of a certain flow
        // may build before the later batches' takes wait (Flow.pending), -1 past the first batch
        const plain = evaluate(text, false);
        expectSame(evaluate(text, true, fanout, steps, work), plain);
      }),
      { numRuns: 300 },
    );
  });
});
