/** nftables rulesets evaluated end to end with the common evaluator. */
import { describe, expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import { evaluateRuleset, type PipelineResult } from "../../../src/analysis/evaluate.js";
import { Dim } from "../../../src/space/dims.js";
import { PacketSet } from "../../../src/space/packet-set.js";
import { ctIndex } from "../../../src/analysis/compile.js";

const tcp = (port: number) => PacketSet.box({ [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: [[BigInt(port), BigInt(port)]] });
const src4 = (a: number) => PacketSet.box({ [Dim.Src]: [[BigInt(a), BigInt(a)]] });

/** The results of one kind of path, by family. */
function resultsOf(kind: "inbound" | "forward", text: string): Map<number, PipelineResult> {
  const rs = parseNft(text, "e.nft");
  expect(rs.diagnostics).toEqual([]);
  const out = new Map<number, PipelineResult>();
  for (const r of evaluateRuleset(rs).results) if (r.pipeline.kind === kind) out.set(r.pipeline.family, r);
  return out;
}
const inbound = (text: string) => resultsOf("inbound", text);
const forward = (text: string) => resultsOf("forward", text);

describe("nftables evaluation", () => {
  it("an IPv4 match in an inet table never matches IPv6, even negated", () => {
    const r = inbound("table inet t {\n chain in {\n  type filter hook input priority 0; policy drop;\n  ip saddr != 10.0.0.0/8 accept\n }\n}\n");
    expect(r.get(6)!.possiblyAccepted.isEmpty()).toBe(true);
    expect(r.get(4)!.certainlyAccepted.overlaps(src4(0x0b000001))).toBe(true);
    expect(r.get(4)!.possiblyAccepted.overlaps(src4(0x0a000001))).toBe(false);
  });
  it("jump returns to the caller; the base chain's policy applies after", () => {
    const r = inbound(
      "table inet t {\n chain in {\n  type filter hook input priority 0; policy drop;\n  jump svc\n }\n chain svc {\n  tcp dport 22 accept\n  return\n  tcp dport 23 accept\n }\n}\n",
    );
    for (const f of [4, 6]) {
      expect(r.get(f)!.certainlyAccepted.overlaps(tcp(22))).toBe(true);
      expect(r.get(f)!.possiblyAccepted.overlaps(tcp(23))).toBe(false);
    }
  });
  it("an ip table filters only IPv4", () => {
    const r = inbound("table ip t {\n chain in {\n  type filter hook input priority 0; policy drop;\n  tcp dport 80 accept\n }\n}\n");
    expect(r.get(4)!.possiblyAccepted.overlaps(tcp(81))).toBe(false);
    expect(r.get(4)!.certainlyAccepted.overlaps(tcp(80))).toBe(true);
    expect(r.has(6)).toBe(false);
  });
  it("an accept in an earlier base chain does not skip a later one; a drop is final", () => {
    const r = inbound(
      "table inet a { chain in { type filter hook input priority filter - 10; policy accept; tcp dport 25 drop; accept; }; }\n" +
        "table inet b { chain in { type filter hook input priority 10; policy accept; tcp dport 26 drop; }; }\n",
    );
    for (const f of [4, 6]) {
      expect(r.get(f)!.possiblyAccepted.overlaps(tcp(25))).toBe(false);
      expect(r.get(f)!.possiblyAccepted.overlaps(tcp(26))).toBe(false);
      expect(r.get(f)!.certainlyAccepted.overlaps(tcp(27))).toBe(true);
    }
  });
  it("an unmodelled match makes acceptance uncertain, not wrong", () => {
    const r = inbound("table inet t {\n chain in {\n  type filter hook input priority 0; policy drop;\n  limit rate 5/second tcp dport 22 accept\n }\n}\n");
    expect(r.get(4)!.possiblyAccepted.overlaps(tcp(22))).toBe(true);
    expect(r.get(4)!.certainlyAccepted.overlaps(tcp(22))).toBe(false);
  });
  it("a redirect is judged on the port it arrived on", () => {
    const r = inbound(
      "table ip n { chain pre { type nat hook prerouting priority dstnat; tcp dport 80 redirect to :8080; }; }\n" +
        "table ip f { chain in { type filter hook input priority 0; policy drop; tcp dport 8080 accept; }; }\n",
    );
    expect(r.get(4)!.possiblyAccepted.overlaps(tcp(80))).toBe(true);
    // whichever address the incoming interface has, port 8080 is accepted: certain
    expect(r.get(4)!.certainlyAccepted.overlaps(tcp(80))).toBe(true);
  });
  it("a redirect sends to the incoming interface's address, not to the address the packet was sent to", () => {
    const r = inbound(
      "table ip n { chain pre { type nat hook prerouting priority dstnat; tcp dport 80 redirect to :8080; }; }\n" +
        "table ip f { chain in { type filter hook input priority 0; policy drop; ip daddr 192.168.1.1 tcp dport 8080 accept; }; }\n",
    );
    const to = (a: number) => PacketSet.box({ [Dim.Dst]: [[BigInt(a), BigInt(a)]] });
    const res = r.get(4)!;
    // accepted only if that address is 192.168.1.1 - for packets sent anywhere, 192.168.1.1 too
    expect(res.certainlyAccepted.overlaps(tcp(80))).toBe(false);
    expect(res.possiblyAccepted.overlaps(tcp(80).intersect(to(0x0a000005)))).toBe(true);
    expect(res.possiblyAccepted.overlaps(tcp(80).intersect(to(0xc0a80101)))).toBe(true);
    const region = res.accepted.find((a) => a.natRules.length > 0)!;
    expect(region.certain).toBe(false);
    expect(region.assumptions.join("\n")).toMatch(/e\.nft:1 redirects to this host's address on the incoming interface/);
    // sent straight to 192.168.1.1:8080, no rewrite: certain
    expect(res.certainlyAccepted.overlaps(tcp(8080).intersect(to(0xc0a80101)))).toBe(true);
  });
  it("a DNAT to a range is certain where every address and port it may choose is accepted", () => {
    const nat = "table ip n { chain pre { type nat hook prerouting priority dstnat; tcp dport 80 dnat to 10.0.0.1-10.0.0.3:8080-8090; }; }\n";
    const fwd = (rule: string) => `table ip f { chain fw { type filter hook forward priority 0; policy drop; ${rule}; }; }\n`;
    // new connections: the others are not rewritten (they follow conntrack)
    const fresh = tcp(80).intersect(PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.CtState]: [[BigInt(ctIndex("new")), BigInt(ctIndex("new"))]] }));
    const all = forward(nat + fwd("ip daddr 10.0.0.0/24 tcp dport 8080-8090 accept")).get(4)!;
    expect(fresh.isSubsetOf(all.certainlyAccepted)).toBe(true);
    // only one of the addresses it may choose is accepted: possible, not certain
    const one = forward(nat + fwd("ip daddr 10.0.0.1 accept")).get(4)!;
    expect(one.certainlyAccepted.overlaps(fresh)).toBe(false);
    expect(fresh.isSubsetOf(one.possiblyAccepted)).toBe(true);
    expect(one.accepted.find((a) => !a.certain)!.assumptions).toEqual(["e.nft:1 rewrites to one of several destinations"]);
  });
  it("a DNAT that leaves a packet as it was does not mark the connection DNATed", () => {
    const r = forward(
      "table ip n { chain pre { type nat hook prerouting priority dstnat; tcp dport 25 dnat to 192.168.1.25; }; }\n" +
        "table ip f { chain fw { type filter hook forward priority 0; policy drop; ct status dnat accept; }; }\n",
    ).get(4)!;
    const fresh = (dst: bigint, port: number) =>
      tcp(port).intersect(PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.CtState]: [[BigInt(ctIndex("new")), BigInt(ctIndex("new"))]], [Dim.Dst]: [[dst, dst]] }));
    // sent to another address: rewritten, accepted
    expect(fresh(0xcb007101n, 25).isSubsetOf(r.certainlyAccepted)).toBe(true);
    // sent to 192.168.1.25:25 already: the DNAT changes nothing, `ct status dnat` does not hold
    expect(r.possiblyAccepted.overlaps(fresh(0xc0a80119n, 25))).toBe(false);
  });
  it("chains after a source NAT on the postrouting hook see the new source", () => {
    const lan = PacketSet.box({ [Dim.Src]: [[0xc0a8010an, 0xc0a8010an]], [Dim.Dst]: [[0x08080808n, 0x08080808n]] });
    const nat = (stmt: string) => `table ip n { chain post { type nat hook postrouting priority srcnat; ${stmt}; }; }\n`;
    const late = "table ip l { chain post { type filter hook postrouting priority 200; policy accept; ip saddr 192.168.1.0/24 drop; }; }\n";
    // masqueraded: the source is the outgoing interface's address - not in 192.168.1.0/24 unless it is
    const masq = forward(nat("masquerade") + late).get(4)!;
    expect(masq.certainlyAccepted.overlaps(lan)).toBe(false);
    expect(masq.possiblyAccepted.overlaps(lan)).toBe(true);
    const region = masq.accepted.find((a) => !a.certain && a.original.overlaps(lan))!;
    expect(region.assumptions).toEqual(["e.nft:1 rewrites the source to the outgoing interface's address, which the ruleset does not give"]);
    // reported as it was before the source NAT; no DNAT rule
    expect(region.delivered.overlaps(lan)).toBe(true);
    expect(region.natRules).toEqual([]);
    // SNAT to one address: accepted for certain, as the LAN host sent it
    const snat = forward(nat("snat to 203.0.113.1") + late).get(4)!;
    expect(snat.certainlyAccepted.overlaps(lan)).toBe(true);
    // SNAT to an address the later chain drops: dropped for certain
    expect(forward(nat("snat to 192.168.1.1") + late).get(4)!.possiblyAccepted.overlaps(lan)).toBe(false);
    // nothing after the masquerade asks for the source: accepted for certain whatever the address
    expect(forward(nat("masquerade") + "table ip l { chain post { type filter hook postrouting priority 200; policy accept; tcp dport 23 drop; }; }\n").get(4)!.certainlyAccepted.overlaps(lan)).toBe(true);
  });
});
