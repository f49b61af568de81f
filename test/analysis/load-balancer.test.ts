/**
 * A load balancer picks an endpoint per connection with a condition fwlint does not model
 * (iptables -m statistic, nft numgen). A packet is certainly accepted when every endpoint lets it
 * in (certainlyAccepted), though which DNAT it gets stays uncertain (its regions are not certain);
 * each endpoint's region is uncertain only by that draw (AcceptedRegion.drawn), and a region that
 * also depends on another unknown is not.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { evaluateRuleset } from "../../src/analysis/evaluate.js";
import { packetToPoint } from "../../src/analysis/packet.js";

const nat = (extra = "") =>
  "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:SVC - [0:0]\n:SEP1 - [0:0]\n:SEP2 - [0:0]\n" +
  "-A PREROUTING -d 203.0.113.10 -p tcp --dport 443 -j SVC\n" +
  `-A SVC -m statistic --mode random --probability 0.5${extra} -j SEP1\n` +
  "-A SVC -j SEP2\n" +
  "-A SEP1 -p tcp -j DNAT --to-destination 10.0.0.5:8443\n" +
  "-A SEP2 -p tcp -j DNAT --to-destination 10.0.0.6:8443\nCOMMIT\n";
const filter = (rules: string) => `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n${rules}COMMIT\n`;

const forward = (text: string) => evaluateRuleset(parseIptablesSave(text, "lb.rules")).results.find((r) => r.pipeline.kind === "forward" && r.pipeline.family === 4)!;
const packet = packetToPoint({ family: 4, proto: "tcp", src: "198.51.100.7", dst: "203.0.113.10", dport: 443, iif: "eth0", oif: "eth1", hook: "forward", tcp_flags: "S" });

describe("load-balanced port forwards", () => {
  it("every endpoint lets the packet in: certainly accepted, each endpoint's region drawn", () => {
    const res = forward(nat() + filter("-A FORWARD -d 10.0.0.5 -p tcp --dport 8443 -j ACCEPT\n-A FORWARD -d 10.0.0.6 -p tcp --dport 8443 -j ACCEPT\n"));
    expect(res.certainlyAccepted.has(packet)).toBe(true);
    const regions = res.accepted.filter((a) => a.original.has(packet));
    expect(regions.map((a) => [a.natRules.map((r) => r.span.line), a.certain, a.drawn])).toEqual([
      [[12], false, true],
      [[13], false, true],
    ]);
  });

  it("one endpoint dropped: possibly accepted only, the other endpoint still reached", () => {
    const res = forward(nat() + filter("-A FORWARD -d 10.0.0.5 -p tcp --dport 8443 -j ACCEPT\n"));
    expect(res.certainlyAccepted.has(packet)).toBe(false);
    expect(res.possiblyAccepted.has(packet)).toBe(true);
    expect(res.accepted.filter((a) => a.original.has(packet)).map((a) => [a.natRules.map((r) => r.span.line), a.drawn])).toEqual([[[12], true]]);
  });

  it("a draw and an unknown of another kind: not drawn", () => {
    const res = forward(nat(" -m recent --name lb --rcheck") + filter("-A FORWARD -d 10.0.0.5 -p tcp --dport 8443 -j ACCEPT\n-A FORWARD -d 10.0.0.6 -p tcp --dport 8443 -j ACCEPT\n"));
    expect(res.certainlyAccepted.has(packet)).toBe(true); // both ways accept all the same
    expect(res.accepted.filter((a) => a.original.has(packet)).every((a) => !a.certain && a.drawn === undefined)).toBe(true);
  });
});
