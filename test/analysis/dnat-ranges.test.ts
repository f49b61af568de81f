/**
 * A DNAT to a range of addresses or ports: the kernel chooses the address (by a hash of the
 * connection) and, for a port outside the range, the port; a port already inside the range is kept
 * unless the rule asks for a random one (get_unique_tuple, checked with the kernel oracle: `dnat to
 * 10.9.0.2:50000-50100` forwards a packet for 50050 as 50050, the same with `random` does not). The trace follows the choice like a MASQUERADE's - both ways where
 * the rules after it tell the values apart - and the evaluator keeps the in-range ports exact, so
 * the two agree packet by packet.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { Evaluator } from "../../src/analysis/evaluate.js";
import { verdictFor } from "../../src/analysis/verdict.js";
import type { Packet } from "../../src/model/finding.js";
import type { Ruleset } from "../../src/model/types.js";

const ruleset = (dnat: string, filter: string): Ruleset =>
  parseNft(
    `table ip n {\n  chain pre { type nat hook prerouting priority dstnat; ${dnat}; }\n}\n` +
      `table ip f {\n  chain forward_f { type filter hook forward priority 0; policy drop; ${filter}; }\n}\n`,
    "d.nft",
  );

const packet = (dport: number, dst = "203.0.113.5"): Packet => ({ family: 4, proto: "tcp", src: "198.51.100.7", dst, dport, hook: "forward", iif: "eth0", oif: "eth1", tcp_flags: "S" }) as Packet;

/** The trace's verdict, and whether the evaluator's regions say the same of the packet. */
function judge(rs: Ruleset, dport: number, dst?: string): { verdict: string; consistent: boolean } {
  const v = verdictFor(rs, packet(dport, dst));
  const res = new Evaluator(rs).evaluate(v.pipeline!);
  const some = v.paths.some((p) => p.verdict === "accept");
  const all = v.paths.every((p) => p.verdict === "accept");
  return { verdict: v.verdict, consistent: res.possiblyAccepted.has(v.point) === some && res.certainlyAccepted.has(v.point) === all };
}

describe("DNAT to a range", () => {
  it("a port inside the range is kept, exactly; one outside it is any port of the range", () => {
    const rs = ruleset("tcp dport { 80, 50000-50100 } dnat to 10.9.0.2:50000-50100", "ip daddr 10.9.0.2 tcp dport 50050 accept");
    expect(judge(rs, 50050)).toEqual({ verdict: "accept", consistent: true });
    expect(judge(rs, 50051)).toEqual({ verdict: "drop", consistent: true });
    // port 80 becomes one of 50000-50100: 50050 is accepted, the others are not
    expect(judge(rs, 80)).toEqual({ verdict: "unknown", consistent: true });
    const trace = verdictFor(rs, packet(50050)).paths[0]!;
    expect(trace.steps[0]!.action).toBe("dnat to 10.9.0.2:50050");
    // every port of the range accepted: whatever the choice, accepted
    const whole = ruleset("tcp dport { 80, 50000-50100 } dnat to 10.9.0.2:50000-50100", "ip daddr 10.9.0.2 tcp dport 50000-50100 accept");
    expect(judge(whole, 80)).toEqual({ verdict: "accept", consistent: true });
  });

  it("with a random port (nft random / fully-random, iptables --random) even an in-range port is a choice", () => {
    // the kernel oracle: six connections to 50050 through `... :50000-50100 random`, all dropped
    const rs = ruleset("tcp dport 50000-50100 dnat to 10.9.0.2:50000-50100 random", "ip daddr 10.9.0.2 tcp dport 50050 accept");
    expect(rs.chains.get("ip n/pre")!.rules[0]!.action).toMatchObject({ kind: "dnat", to: { ports: [50000, 50100], randomPort: true } });
    expect(judge(rs, 50050)).toEqual({ verdict: "unknown", consistent: true });
    expect(judge(rs, 50051)).toEqual({ verdict: "unknown", consistent: true });
    const ipt = parseIptablesSave("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -j DNAT --to-destination 10.9.0.2:50000-50100 --random\nCOMMIT\n", "r.rules", { family: 4 });
    expect(ipt.chains.get("nat/PREROUTING")!.rules[0]!.action).toMatchObject({ to: { randomPort: true } });
  });

  it("a packet sent to the target already is left as it was on a kept port, not with a random one", () => {
    // the kernel oracle: four connections straight to 10.9.0.2:50050 pass `ct status dnat drop`
    // through the plain rule, and are all DNATed (to another port) through the random one
    const kept = ruleset("ip daddr 10.9.0.2 tcp dport 50000-50100 dnat to 10.9.0.2:50000-50100", "ct status dnat drop; accept");
    expect(judge(kept, 50050, "10.9.0.2")).toEqual({ verdict: "accept", consistent: true });
    const random = ruleset("ip daddr 10.9.0.2 tcp dport 50000-50100 dnat to 10.9.0.2:50000-50100 random", "ct status dnat drop; accept");
    expect(judge(random, 50050, "10.9.0.2")).toEqual({ verdict: "drop", consistent: true });
  });

  it("an address of a range is a choice the filter may tell apart", () => {
    const one = ruleset("tcp dport 80 dnat to 10.0.0.1-10.0.0.3", "ip daddr 10.0.0.1 accept");
    expect(judge(one, 80)).toEqual({ verdict: "unknown", consistent: true });
    const paths = verdictFor(one, packet(80)).paths;
    expect(paths.map((p) => p.verdict).sort()).toEqual(["accept", "drop"]);
    expect(paths.find((p) => p.verdict === "accept")!.assumptions).toEqual(["the destination d.nft:2 takes from 10.0.0.1-10.0.0.3 is 10.0.0.1"]);
    const all = ruleset("tcp dport 80 dnat to 10.0.0.1-10.0.0.3", "ip daddr 10.0.0.0/24 accept");
    expect(judge(all, 80)).toEqual({ verdict: "accept", consistent: true });
  });

  it("with both an address and a port to choose, the port is taken as the first and says so", () => {
    const rs = ruleset("tcp dport 80 dnat to 10.0.0.1-10.0.0.3:8080-8090", "ip daddr 10.0.0.1 tcp dport 8080 accept");
    const v = verdictFor(rs, packet(80));
    expect(v.verdict).toBe("unknown");
    for (const p of v.paths) expect(p.assumptions).toContain("the port d.nft:2 takes from 8080-8090 is 8080");
  });
});
