/**
 * Ordinary traffic - a unicast packet whose source routes back through the interface it arrived
 * on - decides some conditions fwlint cannot (Condition unknown `ordinary`): a region uncertain
 * only by such conditions, each taken the way ordinary traffic takes it, is reached for certain
 * in findings (AcceptedRegion.ordinary, surelyReached), while the kernel's verdict for a given
 * packet stays unknown (certainlyAccepted, the trace). A region that took one of them the other
 * way, or depends on anything else, is not.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { uncertainIn } from "../../src/analysis/compile.js";
import { evaluateRuleset, surelyReached, type PipelineResult } from "../../src/analysis/evaluate.js";
import { packetToPoint } from "../../src/analysis/packet.js";
import { verdictFor } from "../../src/analysis/verdict.js";
import type { Packet } from "../../src/model/finding.js";
import type { Ruleset } from "../../src/model/types.js";
import { runRules } from "../rules/harness.js";

const hostFirewall = (...rules: string[]) => {
  const rs = parseNft(`table ip t {\n chain in {\n  type filter hook input priority 0; policy drop;\n  ${rules.join("\n  ")}\n }\n}\n`, "h.nft");
  expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return rs;
};
/** iptables: `rule` in raw PREROUTING, then filter INPUT (policy DROP) accepting SSH. */
const rawThenSsh = (rule: string) =>
  parseIptablesSave(
    [
      "*raw", ":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", `-A PREROUTING ${rule}`, "COMMIT",
      "*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]", "-A INPUT -p tcp --dport 22 -j ACCEPT", "COMMIT", "",
    ].join("\n"),
    "r.rules",
    { family: 4 },
  );
const ssh = { family: 4 as const, proto: "tcp", src: "198.51.100.7", dst: "192.0.2.1", dport: 22, hook: "input" as const };
const inbound = (rs: Ruleset): PipelineResult => evaluateRuleset(rs).results.find((r) => r.pipeline.kind === "inbound")!;
/** The accepted regions holding a packet (SSH by default): [certain, ordinary, surely reached] each. */
const regionsOf = (rs: Ruleset, packet: Packet = ssh) =>
  inbound(rs)
    .accepted.filter((a) => a.original.has(packetToPoint(packet)))
    .map((a) => [a.certain, a.ordinary === true, surelyReached(a)]);

describe("regions reached by ordinary traffic", () => {
  it("a reverse-path filter and a drop of broadcasts: reached surely, though not certainly accepted", () => {
    const rs = hostFirewall("fib saddr . iif oif missing drop", "meta pkttype { broadcast, multicast } drop", "tcp dport 22 accept");
    expect(regionsOf(rs)).toEqual([[false, true, true]]);
    const res = inbound(rs);
    expect(res.certainlyAccepted.has(packetToPoint(ssh))).toBe(false);
    // the kernel's answer for one packet still depends on routes: unknown, with the ordinary way marked
    const v = verdictFor(rs, ssh);
    expect(v.verdict).toBe("unknown");
    expect(v.paths.map((p) => [p.verdict, p.ordinary])).toEqual([
      ["drop", false],
      ["drop", false],
      ["accept", true],
    ]);
  });

  it("an accept ordinary traffic matches", () => {
    expect(regionsOf(hostFirewall("meta pkttype host tcp dport 22 accept"))).toEqual([[false, true, true]]);
  });

  it("a drop ordinary traffic matches: what gets past it is not ordinary", () => {
    expect(regionsOf(hostFirewall("meta pkttype host drop", "tcp dport 22 accept"))).toEqual([[false, false, false]]);
    expect(regionsOf(hostFirewall("fib saddr . iif oif exists drop", "tcp dport 22 accept"))).toEqual([[false, false, false]]);
  });

  it("an accept ordinary traffic misses is not ordinary", () => {
    const netbios = { ...ssh, proto: "udp", dport: 137 };
    expect(regionsOf(hostFirewall("meta pkttype broadcast udp dport 137 accept", "tcp dport 22 accept"), netbios)).toEqual([[false, false, false]]);
    // a packet accepted whichever way the unknown goes is accepted for certain
    expect(regionsOf(hostFirewall("meta pkttype broadcast accept", "tcp dport 22 accept"))).toEqual([
      [true, false, true],
      [true, false, true],
    ]);
  });

  it("another unknown on the way, or one ordinary traffic does not decide: not ordinary", () => {
    expect(regionsOf(hostFirewall("fib saddr . iif oif missing drop", "tcp dport 22 meta hour 09:00-17:00 accept"))).toEqual([[false, false, false]]);
    // a rate limit ordinary traffic is under is one it decides
    expect(regionsOf(hostFirewall("fib saddr . iif oif missing drop", "tcp dport 22 limit rate 3/minute accept"))).toEqual([[false, true, true]]);
    expect(regionsOf(hostFirewall("fib daddr type unicast drop", "tcp dport 22 accept"))).toEqual([[false, false, false]]);
  });

  it("across tables and stages (iptables raw PREROUTING, then filter INPUT)", () => {
    expect(regionsOf(rawThenSsh("-m rpfilter --invert -j DROP"))).toEqual([[false, true, true]]);
  });

  it("inside one of several alternatives an unknown says nothing of the whole rule", () => {
    const u = { kind: "unknown" as const, text: "meta pkttype host", reason: "r", ordinary: true };
    expect(uncertainIn([u])).toEqual([u]);
    expect(uncertainIn([{ kind: "or", anyOf: [[u], [{ kind: "proto", protos: [6] }]] }])).toEqual([{ kind: "unknown", text: "meta pkttype host", reason: "r" }]);
  });
});

describe("regions ordinary traffic never reaches (AcceptedRegion.extraordinary)", () => {
  /** Per accepted region holding the packet: [certain, extraordinary]. */
  const never = (rs: Ruleset, packet: Packet = ssh) =>
    inbound(rs)
      .accepted.filter((a) => a.original.has(packetToPoint(packet)))
      .map((a) => [a.certain, a.extraordinary === true]);
  const exposed = (rs: Ruleset) => runRules(rs, (r) => r.id === "exposed-service").map((f) => f.exposure!.service);

  it("an accept ordinary traffic never matches (a broadcast): not reported as reachable", () => {
    const netbios = { ...ssh, proto: "udp", dport: 137 };
    const rs = hostFirewall("meta pkttype broadcast udp dport 137 accept", "meta pkttype broadcast tcp dport 22 accept");
    expect(never(rs, netbios)).toEqual([[false, true]]);
    expect(never(rs)).toEqual([[false, true]]);
    expect(exposed(rs)).toEqual([]);
    // the same ports for ordinary traffic are
    expect(exposed(hostFirewall("meta pkttype host tcp dport 22 accept"))).toContain("ssh");
  });

  it("what gets past a drop ordinary traffic always matches", () => {
    for (const drop of ["meta pkttype host drop", "fib saddr . iif oif exists drop"]) {
      const rs = hostFirewall(drop, "tcp dport 22 accept");
      expect(never(rs)).toEqual([[false, true]]);
      expect(exposed(rs)).toEqual([]);
    }
  });

  it("an unknown ordinary traffic may take either way stays a possibility", () => {
    const rs = hostFirewall("tcp dport 22 limit rate 3/minute accept");
    expect(never(rs)).toEqual([[false, false]]);
    expect(exposed(rs)).toContain("ssh");
  });

  it("a flow that met an extraordinary branch stays extraordinary in later stages", () => {
    const rs = rawThenSsh("-m pkttype --pkt-type unicast -j DROP");
    expect(never(rs)).toEqual([[false, true]]);
    expect(exposed(rs)).toEqual([]);
  });
});
