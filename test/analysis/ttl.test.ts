/**
 * The TTL (IPv4) and hop limit (IPv6) as a dimension of the packet space: tested by iptables
 * -m ttl / -m hl and nft `ip ttl` / `ip6 hoplimit`, seen as the packet arrived before routing and
 * on the inbound path, one lower after routing on the forward path (ip_forward takes one off
 * before the FORWARD hook, and drops what would reach 0). The kernel agrees on the fixtures
 * fixtures/iptables/ttl.rules and fixtures/nftables/ttl.nft (test/kernel).
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { evaluateRuleset, type PipelineResult } from "../../src/analysis/evaluate.js";
import { packetToPoint } from "../../src/analysis/packet.js";
import { generateProbes } from "../../src/analysis/probes.js";
import { tracePacket } from "../../src/analysis/trace.js";
import { pointToPacket } from "../../src/analysis/witness.js";
import type { Ruleset } from "../../src/model/types.js";
import { Dim } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";

function iptables(lines: string[]): Ruleset {
  const rs = parseIptablesSave(lines.join("\n") + "\n", "rules.v4", { family: 4 });
  expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return rs;
}

function result(rs: Ruleset, kind: "inbound" | "forward"): PipelineResult {
  return evaluateRuleset(rs).results.find((r) => r.pipeline.kind === kind && r.pipeline.family === 4)!;
}

const packet = (dport: number, ttl: number | undefined, hook: "input" | "forward") =>
  packetToPoint({ family: 4, proto: "tcp", src: "198.51.100.7", dst: "10.0.0.5", dport, hook, iif: "eth0", ...(hook === "forward" ? { oif: "eth1" } : {}), ...(ttl !== undefined ? { ttl } : {}) });

const verdicts = (rs: Ruleset, kind: "inbound" | "forward", point: bigint[]) => {
  const p = rs.pipelines.find((x) => x.kind === kind && x.family === 4)!;
  return tracePacket(rs, p, point).map((t) => t.verdict);
};

const FILTER = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"];

describe("the TTL", () => {
  it("is the arrival TTL on the inbound path, one lower in FORWARD, the arrival one again in mangle PREROUTING", () => {
    const rs = iptables([
      "*mangle", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
      "-A PREROUTING -p tcp --dport 8080 -m ttl --ttl-eq 64 -j DROP",
      "COMMIT",
      ...FILTER,
      "-A INPUT -p tcp --dport 25 -m ttl --ttl-eq 63 -j ACCEPT",
      "-A FORWARD -p tcp --dport 25 -m ttl --ttl-eq 63 -j ACCEPT",
      "-A FORWARD -p tcp --dport 8080 -j ACCEPT",
      "COMMIT",
    ]);
    const inbound = result(rs, "inbound");
    const forward = result(rs, "forward");
    // INPUT: 63 as it arrived; FORWARD: 64 on arrival is 63 there
    expect(inbound.certainlyAccepted.has(packet(25, 63, "input"))).toBe(true);
    expect(inbound.certainlyAccepted.has(packet(25, 64, "input"))).toBe(false);
    expect(forward.certainlyAccepted.has(packet(25, 64, "forward"))).toBe(true);
    expect(forward.possiblyAccepted.has(packet(25, 63, "forward"))).toBe(false);
    // before routing, the arrival TTL
    expect(forward.possiblyAccepted.has(packet(8080, 64, "forward"))).toBe(false);
    expect(forward.certainlyAccepted.has(packet(8080, 65, "forward"))).toBe(true);
    // the trace walks the same way
    expect(verdicts(rs, "forward", packet(25, 64, "forward"))).toEqual(["accept"]);
    expect(verdicts(rs, "forward", packet(25, 63, "forward"))).toEqual(["drop"]);
    expect(verdicts(rs, "inbound", packet(25, 63, "input"))).toEqual(["accept"]);
    expect(verdicts(rs, "forward", packet(8080, 64, "forward"))).toEqual(["drop"]);
  });

  it("a forwarded packet whose TTL would reach 0 is dropped in routing, before FORWARD decides", () => {
    const rs = iptables([...FILTER, "-A FORWARD -p tcp --dport 80 -m ttl --ttl-lt 200 -j ACCEPT", "COMMIT"]);
    const forward = result(rs, "forward");
    expect(forward.certainlyAccepted.has(packet(80, 2, "forward"))).toBe(true);
    expect(forward.possiblyAccepted.has(packet(80, 1, "forward"))).toBe(false);
    expect(forward.possiblyAccepted.has(packet(80, 0, "forward"))).toBe(false);
    const p = rs.pipelines.find((x) => x.kind === "forward" && x.family === 4)!;
    const [path] = tracePacket(rs, p, packet(80, 1, "forward"));
    expect(path!.verdict).toBe("drop");
    expect(path!.decidedBy?.rule).toMatch(/routing: the TTL \(hop limit\) expires/);
    // inbound: delivered with any TTL
    expect(result(rs, "inbound").possiblyAccepted.isEmpty()).toBe(true);
  });

  it("a ruleset that tests no TTL does not split anything by it", () => {
    const rs = iptables([...FILTER, "-A FORWARD -p tcp --dport 80 -j ACCEPT", "COMMIT"]);
    const forward = result(rs, "forward");
    // no node on the TTL dimension: every TTL alike (routing's expiry is not followed then)
    expect(forward.certainlyAccepted.has(packet(80, 1, "forward"))).toBe(true);
    expect(forward.certainlyAccepted.equals(forward.certainlyAccepted.forAll(Dim.Ttl, [[0n, 255n]]))).toBe(true);
  });

  it("nft: ip ttl and ip6 hoplimit on both families of an inet table, negations and sets", () => {
    const rs = parseNft(
      `table inet t {
        chain fw {
          type filter hook forward priority 0; policy drop;
          tcp dport 443 ip ttl != 63 accept
          tcp dport 22 ip6 hoplimit { 1, 200-254 } accept
        }
      }`,
      "t.nft",
    );
    expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const all = evaluateRuleset(rs).results;
    const v4 = all.find((r) => r.pipeline.kind === "forward" && r.pipeline.family === 4)!;
    const v6 = all.find((r) => r.pipeline.kind === "forward" && r.pipeline.family === 6)!;
    expect(v4.certainlyAccepted.has(packet(443, 64, "forward"))).toBe(false);
    expect(v4.certainlyAccepted.has(packet(443, 65, "forward"))).toBe(true);
    const six = (ttl: number) =>
      packetToPoint({ family: 6, proto: "tcp", src: "2001:db8::7", dst: "2001:db8::5", dport: 22, hook: "forward", iif: "eth0", oif: "eth1", ttl });
    // hop limit 2 on arrival is 1 in forward; 201-255 are 200-254
    expect([2, 3, 200, 201, 255].map((t) => v6.certainlyAccepted.has(six(t)))).toEqual([true, false, false, true, true]);
  });

  it("witnesses name a TTL only when the usual 64 is not in the set; probes try the edges", () => {
    const rs = iptables([...FILTER, "-A INPUT -p tcp --dport 22 -m ttl --ttl-gt 200 -j ACCEPT", "-A INPUT -p tcp --dport 80 -j ACCEPT", "COMMIT"]);
    const inbound = result(rs, "inbound");
    const only = (port: number) => inbound.certainlyAccepted.intersect(PacketSet.box({ [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: [[BigInt(port), BigInt(port)]] }));
    const ssh = only(22).witness({ [Dim.Ttl]: [64n, 128n, 255n] })!;
    const web = only(80).witness({ [Dim.Ttl]: [64n, 128n, 255n] })!;
    expect(pointToPacket(ssh, "inbound").ttl).toBe(255);
    expect(pointToPacket(web, "inbound").ttl).toBeUndefined();
    const ttls = new Set(generateProbes(rs, { hook: "input", seed: 1 }).map((p) => p.ttl));
    for (const t of [200, 201, 202]) expect(ttls.has(t)).toBe(true);
    expect(ttls.has(0)).toBe(false);
  });
});
