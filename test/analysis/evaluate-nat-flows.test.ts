/**
 * A filter stage entered by several flows (packets rewritten by different DNAT rules, and the
 * rest) runs its chain once over their union and hands each flow its own share of what it
 * accepts: a rewritten flow gets only the packets it delivers that the filter accepts, with its
 * DNAT rule - whether all it delivers is accepted or only part; the packets nothing rewrote keep
 * no rule.
 */
import { afterAll, describe, expect, it } from "vitest";
import { parseNft } from "../../parsers/nftables/index.js";
import { configureEvaluator, evaluateRuleset } from "../../src/analysis/evaluate.js";
import { packetToPoint } from "../../src/analysis/packet.js";
import { verdictFor } from "../../src/analysis/verdict.js";

const RULESET = `table ip t {
  chain pre {
    type nat hook prerouting priority dstnat;
    tcp dport 8080 dnat to 10.0.0.3:80
    tcp dport 2222 dnat to 10.0.0.4:22
  }
  chain fw {
    type filter hook forward priority 0; policy drop;
    ip saddr 198.51.100.0/24 ip daddr 10.0.0.3 tcp dport 80 accept
    ip daddr 10.0.0.4 tcp dport 22 accept
    ip daddr 10.0.0.9 tcp dport 443 accept
  }
}
`;

const at = (dst: string, dport: number, src = "198.51.100.7") => packetToPoint({ family: 4, proto: "tcp", src, dst, dport, iif: "wan0", oif: "lan0", hook: "forward", tcp_flags: "S" });

describe("filter stage over several flows", () => {
  const rs = parseNft(RULESET, "nat.nft");
  const res = evaluateRuleset(rs).results.find((r) => r.pipeline.kind === "forward" && r.pipeline.family === 4)!;
  const byRule = (line: number | undefined) => res.accepted.filter((a) => (a.natRules[0]?.span.line ?? undefined) === line);

  it("gives each rewritten flow only the packets it delivers", () => {
    const to3 = byRule(4);
    const to4 = byRule(5);
    expect(to3.length).toBe(1);
    expect(to4.length).toBe(1);
    expect(to3[0]!.delivered.has(at("10.0.0.3", 80))).toBe(true);
    expect(to3[0]!.delivered.has(at("10.0.0.4", 22))).toBe(false);
    expect(to3[0]!.delivered.has(at("10.0.0.9", 443))).toBe(false);
    expect(to4[0]!.delivered.has(at("10.0.0.4", 22))).toBe(true);
    expect(to4[0]!.delivered.has(at("10.0.0.3", 80))).toBe(false);
    expect(to3[0]!.original.has(at("203.0.113.1", 8080))).toBe(true);
    expect(to3[0]!.original.has(at("203.0.113.1", 2222))).toBe(false);
    // the filter takes only some sources of what DNAT sends to 10.0.0.3
    expect(to3[0]!.original.has(at("203.0.113.1", 8080, "192.0.2.1"))).toBe(false);
  });

  it("keeps the packets nothing rewrote without a rule, and accepts them as they came", () => {
    const plain = byRule(undefined);
    expect(plain.length).toBe(1);
    expect(plain[0]!.delivered.has(at("10.0.0.9", 443))).toBe(true);
    expect(plain[0]!.delivered.has(at("10.0.0.3", 80))).toBe(true);
    expect(plain[0]!.delivered.has(at("203.0.113.1", 8080))).toBe(false);
    expect(res.certainlyAccepted.has(at("203.0.113.1", 2222))).toBe(true);
    expect(res.certainlyAccepted.has(at("10.0.0.3", 8080))).toBe(true);
    expect(res.certainlyAccepted.has(at("10.0.0.9", 80))).toBe(false);
  });
});

/**
 * A DNAT that may or may not happen (its rule tests a mark fwlint cannot know) and a filter that
 * drops what it would deliver: the packets are accepted only if the mark is not set, so they are
 * possibly but not certainly accepted. The filter runs over both flows as one; its drop is certain,
 * and only the share of it that falls in the uncertain rewritten flow says so - whichever way the
 * evaluator takes the DROP rule (in a batch, on its own, or as a large set kept aside).
 */
describe("a certain drop of what an uncertain DNAT delivers", () => {
  const text = `table ip t {
  chain pre {
    type nat hook prerouting priority dstnat;
    meta cpu 1 tcp dport 8080 dnat to 10.0.0.5:80
  }
  chain fw {
    type filter hook forward priority 0; policy accept;
    ip daddr 10.0.0.5 drop
  }
}
`;
  afterAll(() => configureEvaluator({ runs: true, largeFilterMin: 256 }));

  it.each([
    ["in a batch", { runs: true, largeFilterMin: 256 }],
    ["rule by rule", { runs: false, largeFilterMin: 256 }],
    ["as a large set", { runs: true, largeFilterMin: 1 }],
  ])("leaves the packets it may rewrite uncertain (%s)", (_how, opts) => {
    configureEvaluator(opts);
    const res = evaluateRuleset(parseNft(text, "maybe-dnat.nft")).results.find((r) => r.pipeline.kind === "forward" && r.pipeline.family === 4)!;
    const p = at("203.0.113.1", 8080);
    expect(res.possiblyAccepted.has(p)).toBe(true);
    expect(res.certainlyAccepted.has(p)).toBe(false);
    // what the rule cannot match stays certain, and the filter's own drop is certain
    expect(res.certainlyAccepted.has(at("203.0.113.1", 8081))).toBe(true);
    expect(res.possiblyAccepted.has(at("10.0.0.5", 80))).toBe(false);
  });

  it("and so does a DROP policy that the rewritten packets fall through to", () => {
    const policy = text.replace("policy accept;\n    ip daddr 10.0.0.5 drop", "policy drop;\n    tcp dport { 8080, 8081 } accept");
    expect(policy).not.toBe(text);
    const res = evaluateRuleset(parseNft(policy, "maybe-dnat.nft")).results.find((r) => r.pipeline.kind === "forward" && r.pipeline.family === 4)!;
    expect(res.possiblyAccepted.has(at("203.0.113.1", 8080))).toBe(true);
    expect(res.certainlyAccepted.has(at("203.0.113.1", 8080))).toBe(false);
    expect(res.certainlyAccepted.has(at("203.0.113.1", 8081))).toBe(true);
  });
});

describe("a notrack before the filter chains", () => {
  // The raw table's notrack makes port 53 UNTRACKED; the input chain accepts UNTRACKED queries.
  const rs = parseNft(
    `table inet raw {
  chain pre { type filter hook prerouting priority raw; policy accept; udp dport 53 notrack; }
}
table inet filter {
  chain in {
    type filter hook input priority 0; policy drop;
    ct state untracked udp dport 53 accept
    ct state established accept
  }
}
`,
    "notrack.nft",
  );
  const res = evaluateRuleset(rs).results.find((r) => r.pipeline.kind === "inbound" && r.pipeline.family === 4)!;
  const query = (dport: number) => packetToPoint({ family: 4, proto: "udp", src: "198.51.100.7", dst: "10.0.0.5", sport: 40000, dport, iif: "eth0", hook: "input" });

  it("tells the packets it accepts as they arrived: a stranger's first query, a new connection", () => {
    expect(res.certainlyAccepted.has(query(53))).toBe(true);
    expect(res.possiblyAccepted.has(query(54))).toBe(false);
    // as delivered too (what the exposure checks read), with no NAT rule named
    expect(res.accepted.some((a) => a.delivered.has(query(53)) && a.natRules.length === 0)).toBe(true);
  });
});

describe("a notrack in a chain that several flows enter", () => {
  // An earlier raw chain drops some packets under a condition fwlint does not model, so that two
  // flows (certain, and uncertain) enter the notrack's chain: it runs once over them, and each gets
  // its own share of the packets it made UNTRACKED. (It once also dropped `ct state != new` to keep
  // only new connections - which, before connection tracking, drops every packet: all are INVALID
  // there, as the kernel judges it.)
  const rs = parseNft(
    `table inet raw {
  chain early { type filter hook prerouting priority -350; policy accept; udp dport 5000 meta iifgroup 2 drop; }
  chain pre { type filter hook prerouting priority raw; policy accept; udp dport 53 notrack; }
}
table inet filter {
  chain in {
    type filter hook input priority 0; policy drop;
    ct state untracked udp dport 53 accept
  }
}
`,
    "notrack-merged.nft",
  );
  const res = evaluateRuleset(rs).results.find((r) => r.pipeline.kind === "inbound" && r.pipeline.family === 4)!;
  const query = packetToPoint({ family: 4, proto: "udp", src: "198.51.100.7", dst: "10.0.0.5", sport: 40000, dport: 53, iif: "eth0", hook: "input" });

  it("keeps them: a query the unmodelled condition never touched is accepted for certain, as the trace says", () => {
    expect(verdictFor(rs, { family: 4, proto: "udp", src: "198.51.100.7", dst: "10.0.0.5", sport: 40000, dport: 53, iif: "eth0", hook: "input" }).verdict).toBe("accept");
    expect(res.certainlyAccepted.has(query)).toBe(true);
  });
});

describe("a notrack whose match is not known", () => {
  // Whether the raw chain's notrack takes the packet turns on a condition fwlint does not model (the
  // processor that handles it): the packet may arrive UNTRACKED or NEW, and the filter chain
  // accepts only the first. The evaluator read the notrack as never taking it (a rule that goes on
  // was taken to change nothing but the mark), the trace as always taking it, and with no
  // assumption: its way past the rule shared the packet it then made UNTRACKED.
  const rs = parseNft(
    `table inet raw {
  chain pre { type filter hook prerouting priority raw; policy accept; udp dport 53 meta cpu 1 notrack; }
}
table inet filter {
  chain in {
    type filter hook input priority 0; policy drop;
    ct state untracked udp dport 53 accept
  }
}
`,
    "notrack-unknown.nft",
  );
  const packet = { family: 4 as const, proto: "udp" as const, src: "198.51.100.7", dst: "10.0.0.5", sport: 40000, dport: 53, iif: "eth0", hook: "input" as const };
  const res = evaluateRuleset(rs).results.find((r) => r.pipeline.kind === "inbound" && r.pipeline.family === 4)!;

  it("is accepted only if the notrack takes it: possibly, not for certain - in the evaluator and in the trace alike", () => {
    expect(res.possiblyAccepted.has(packetToPoint(packet))).toBe(true);
    expect(res.certainlyAccepted.has(packetToPoint(packet))).toBe(false);
    const v = verdictFor(rs, packet);
    expect(v.verdict).toBe("unknown");
    expect(v.paths.map((p) => `${p.verdict} ${p.assumptions.length}`).sort()).toEqual(["accept 1", "drop 1"]);
  });
});
