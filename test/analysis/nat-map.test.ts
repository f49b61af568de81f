/**
 * 1:1 address mappings (NatRewrite.map): iptables NETMAP and nft `dnat ip prefix to` move each
 * address of a block to its counterpart; the evaluator follows each host through the mapping
 * (delivered and original sides) instead of taking the block as "one of several destinations".
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { evaluateRuleset } from "../../src/analysis/evaluate.js";
import { mapAddress, mappedBlocks, unmapAddress } from "../../src/analysis/nat-map.js";
import { packetToPoint } from "../../src/analysis/packet.js";
import { Dim } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";

const ip = (a: number, b: number, c: number, d: number) => (BigInt(a) << 24n) | (BigInt(b) << 16n) | (BigInt(c) << 8n) | BigInt(d);

describe("mapping arithmetic", () => {
  const prefix = { addr: { lo: ip(10, 0, 5, 0), hi: ip(10, 0, 5, 15) }, map: { kind: "prefix" as const } };
  const offset = { addr: { lo: ip(10, 0, 0, 10), hi: ip(10, 0, 0, 20) }, map: { kind: "offset" as const, from: ip(203, 0, 113, 100) } };

  it("keeps the host bits (prefix) or the place in the range (offset)", () => {
    expect(mapAddress(prefix, ip(203, 0, 113, 3))).toBe(ip(10, 0, 5, 3));
    expect(mapAddress(prefix, ip(198, 51, 100, 19))).toBe(ip(10, 0, 5, 3));
    expect(mapAddress(offset, ip(203, 0, 113, 105))).toBe(ip(10, 0, 0, 15));
    expect(mapAddress(offset, ip(203, 0, 113, 111))).toBeUndefined();
    expect(unmapAddress(prefix, ip(10, 0, 5, 3), [{ lo: ip(203, 0, 113, 0), hi: ip(203, 0, 113, 255) }])).toBe(ip(203, 0, 113, 3));
    expect(unmapAddress(offset, ip(10, 0, 0, 15), [])).toBe(ip(203, 0, 113, 105));
  });

  it("lists the blocks a set of addresses touches, and gives up past 256", () => {
    expect(mappedBlocks(prefix, [[ip(203, 0, 113, 0), ip(203, 0, 113, 31)]])).toEqual([
      { lo: ip(203, 0, 113, 0), hi: ip(203, 0, 113, 15), delta: ip(10, 0, 5, 0) - ip(203, 0, 113, 0) },
      { lo: ip(203, 0, 113, 16), hi: ip(203, 0, 113, 31), delta: ip(10, 0, 5, 0) - ip(203, 0, 113, 16) },
    ]);
    expect(mappedBlocks(prefix, [[0n, ip(255, 255, 255, 255)]])).toBeUndefined();
    expect(mappedBlocks(offset, [[ip(203, 0, 113, 100), ip(203, 0, 113, 110)]])).toHaveLength(1);
    expect(mappedBlocks(offset, [[ip(203, 0, 113, 100), ip(203, 0, 113, 111)]])).toBeUndefined();
  });

  it("moves a set's destinations exactly as each packet moves (property)", () => {
    const box = (lo: number, hi: number, plo: number, phi: number) => PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[6n, 6n]], [Dim.Dst]: [[ip(203, 0, 113, lo), ip(203, 0, 113, hi)]], [Dim.Dport]: [[BigInt(plo), BigInt(phi)]] });
    const arb = fc.array(fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 9 }), (boxes, host, port) => {
        const set = PacketSet.unionAll(boxes.map(([a, b, p, q]) => box(Math.min(a, b), Math.max(a, b), Math.min(p, q), Math.max(p, q))));
        const blocks = mappedBlocks(prefix, set.valuesOf(Dim.Dst))!;
        const moved = PacketSet.unionAll(blocks.map((b) => set.translate(Dim.Dst, b.lo, b.hi, b.delta)));
        // 10.0.5.x is reached from port `port` iff some 203.0.113.y with y = x mod 16 was in the set
        const x = host % 16;
        const target = packetToPoint({ family: 4, proto: "tcp", src: "198.51.100.7", dst: `10.0.5.${x}`, dport: port, hook: "forward", iif: "eth0", oif: "eth1", tcp_flags: "S" });
        const expected = [0, 16, 32, 48].some((base) => set.has(packetToPoint({ family: 4, proto: "tcp", src: "198.51.100.7", dst: `203.0.113.${base + x}`, dport: port, hook: "forward", iif: "eth0", oif: "eth1", tcp_flags: "S" })));
        expect(moved.has(target)).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});

const NETMAP = (match: string) => `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i eth0 ${match} -j NETMAP --to 10.0.5.0/28
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -d 10.0.5.3/32 -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
`;

describe("NETMAP through the evaluator", () => {
  const pkt = (dst: string) => packetToPoint({ family: 4, proto: "tcp", src: "198.51.100.7", dst, dport: 22, hook: "forward", iif: "eth0", oif: "eth1", tcp_flags: "S" });
  const forward = (text: string) => evaluateRuleset(parseIptablesSave(text, "netmap.rules")).results.find((r) => r.pipeline.kind === "forward")!;

  it("accepts for certain exactly the public address of the open host", () => {
    const res = forward(NETMAP("-d 203.0.113.0/28"));
    expect(res.certainlyAccepted.has(pkt("203.0.113.3"))).toBe(true);
    expect(res.possiblyAccepted.has(pkt("203.0.113.4"))).toBe(false);
    const mapped = res.accepted.filter((a) => a.natRules.length > 0);
    expect(mapped.every((a) => a.certain)).toBe(true);
    expect(mapped.some((a) => a.delivered.has(pkt("10.0.5.3")) && !a.delivered.has(pkt("10.0.5.4")))).toBe(true);
  });

  it("follows a NETMAP of a few blocks block by block, and a NETMAP of everything as a choice", () => {
    const few = forward(NETMAP("-d 203.0.113.0/26"));
    for (const h of ["203.0.113.3", "203.0.113.19", "203.0.113.51"]) expect(few.certainlyAccepted.has(pkt(h))).toBe(true);
    expect(few.possiblyAccepted.has(pkt("203.0.113.20"))).toBe(false);
    const all = forward(NETMAP(""));
    expect(all.certainlyAccepted.has(pkt("203.0.113.3"))).toBe(false);
    expect(all.possiblyAccepted.has(pkt("203.0.113.3"))).toBe(true);
  });
});
