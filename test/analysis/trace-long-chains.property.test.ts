/**
 * Tracing a packet through long chains (where the tracer tells most rules apart from the packet
 * by their hulls before the exact test) gives the evaluator's verdict, and names as deciding rule
 * the first rule that matches the packet: random nftables chains of 40-200 rules over a few hosts,
 * ports, source networks, an interval set and a jump, packets drawn from the same values. From 128
 * rules on, the walk jumps between the candidates its range index lists (ProjectionList.mayContainAny).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseNft } from "../../parsers/nftables/index.js";
import { evaluateRuleset } from "../../src/analysis/evaluate.js";
import { packetToPoint } from "../../src/analysis/packet.js";
import { tracePacket, tracerOf } from "../../src/analysis/trace.js";
import { compileRule } from "../../src/analysis/compile.js";

fc.configureGlobal({ seed: 0x7ace });

const PORTS = [22, 25, 53, 80, 443, 8080];
const HOSTS = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "192.0.2.7", "2001:db8::1"];
const SOURCES = ["11.0.0.0/8", "11.2.3.0/24", "198.51.100.9", "12.0.0.0/16"];
const SRC_PICKS = ["11.2.3.4", "11.9.9.9", "198.51.100.9", "12.0.5.5", "13.1.1.1", "2001:db8:9::5"];

const rule = fc.oneof(
  fc.tuple(fc.constantFrom(...HOSTS.slice(0, 4)), fc.constantFrom(...PORTS), fc.constantFrom("accept", "drop", "reject")).map(([h, p, a]) => `ip daddr ${h} tcp dport ${p} ${a}`),
  fc.tuple(fc.constantFrom(...SOURCES), fc.constantFrom(...PORTS), fc.constantFrom("accept", "drop")).map(([s, p, a]) => `ip saddr ${s} tcp dport ${p} ${a}`),
  fc.tuple(fc.constantFrom(...SOURCES), fc.constantFrom(...HOSTS.slice(0, 4)), fc.constantFrom("accept", "drop")).map(([s, h, a]) => `ip saddr ${s} ip daddr ${h} ${a}`),
  fc.tuple(fc.constantFrom(...PORTS), fc.constantFrom(...PORTS)).map(([a, b]) => `udp dport { ${Math.min(a, b)}-${Math.max(a, b)} } accept`),
  fc.constantFrom(
    "ip saddr @block drop",
    "ip6 daddr 2001:db8::1 tcp dport 22 accept",
    "ip6 saddr 2001:db8:9::/48 drop",
    "ip daddr 10.0.0.2 jump sub",
    "meta l4proto icmp accept",
    "counter",
  ),
);

const ruleset = fc
  .record({ forward: fc.integer({ min: 40, max: 200 }).chain((n) => fc.array(rule, { minLength: n, maxLength: n })), policy: fc.constantFrom("accept", "drop") })
  .map((r) =>
    [
      "table inet t {",
      "  set block { type ipv4_addr; flags interval; elements = { 11.2.3.0/25, 198.51.100.9, 12.0.0.0/20 } }",
      "  chain sub {\n    tcp dport 22 drop\n    ip saddr 11.0.0.0/8 return\n    accept\n  }",
      `  chain forward {\n    type filter hook forward priority 0; policy ${r.policy};\n${r.forward.map((x) => `    ${x}\n`).join("")}  }`,
      "}",
    ].join("\n"),
  );

const packet = fc.record({
  src: fc.constantFrom(...SRC_PICKS),
  dst: fc.constantFrom(...HOSTS),
  proto: fc.constantFrom("tcp", "udp"),
  dport: fc.constantFrom(...PORTS, 1000),
});

describe("trace through long chains", () => {
  it("gives the evaluator's verdict and the first matching rule", () => {
    fc.assert(
      fc.property(ruleset, fc.array(packet, { minLength: 10, maxLength: 10 }), (text, packets) => {
        const rs = parseNft(text, "long.nft");
        const chain = rs.chains.get("inet t/forward")!;
        const results = evaluateRuleset(rs).results;
        for (const pk of packets) {
          const family = pk.src.includes(":") ? 6 : 4;
          if (pk.dst.includes(":") !== (family === 6)) continue;
          const result = results.find((r) => r.pipeline.kind === "forward" && r.pipeline.family === family)!;
          const pipeline = result.pipeline;
          const point = packetToPoint({ family, proto: pk.proto, src: pk.src, dst: pk.dst, dport: pk.dport, iif: "wan0", oif: "lan0", hook: "forward", tcp_flags: "S" });
          const paths = tracePacket(rs, pipeline, point);
          expect(paths.length).toBe(1);
          expect(paths[0]!.verdict === "accept").toBe(result.certainlyAccepted.has(point));
          const first = chain.rules.find((r) => compileRule(r, rs.families).known.has(point));
          expect(paths[0]!.steps[0]?.line).toBe(first ? first.span.line : chain.policySpan?.line ?? chain.span.line);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("a ruleset's tracer traces each packet once per pipeline, with tracePacket's paths", () => {
    const rs = parseNft(
      "table inet t {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 22 accept\n  }\n  chain forward {\n    type filter hook forward priority 0; policy accept;\n    tcp dport 22 drop\n  }\n}\n",
      "t.nft",
    );
    const trace = tracerOf(rs);
    const inbound = rs.pipelines.find((p) => p.kind === "inbound" && p.family === 4)!;
    const forward = rs.pipelines.find((p) => p.kind === "forward" && p.family === 4)!;
    const at = (dport: number, hook: "input") => packetToPoint({ family: 4, proto: "tcp", src: "198.51.100.1", dst: "192.0.2.1", dport, iif: "wan0", hook, tcp_flags: "S" });
    const first = trace(inbound, at(22, "input"));
    expect(first).toEqual(tracePacket(rs, inbound, at(22, "input")));
    expect(first[0]!.verdict).toBe("accept");
    // the same packet again (another array of the same values): the same paths, not traced again
    expect(trace(inbound, at(22, "input"))).toBe(first);
    // another packet, or the same on another pipeline: traced for itself
    const other = trace(inbound, at(80, "input"));
    expect(other).not.toBe(first);
    expect(other[0]!.verdict).toBe("drop");
    const fwd = trace(forward, at(22, "input"));
    expect(fwd[0]!.verdict).toBe("drop");
    expect(fwd).toEqual(tracePacket(rs, forward, at(22, "input")));
  });
});
