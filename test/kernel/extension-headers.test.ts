/**
 * nft's IPv6 extension header expressions (`rt type 0`, `exthdr frag exists`, `frag
 * more-fragments`, `hbh`, `mh`, `srh`) judged by the kernel, for the packets strangers send: TCP
 * and UDP with no extension header. fwlint has no dimension for extension headers, so each such
 * match stays an unknown condition; what it knows is what ordinary traffic makes of it (Condition
 * unknown `ordinary`): a field of a header the packet does not carry ends the rule in the kernel
 * (NFT_BREAK) whatever the operator, so `rt type != 2 drop` lets such packets on, and `exthdr dst
 * missing` holds. The path fwlint's trace calls ordinary must reach the kernel's verdict, for the
 * text and for the JSON `nft -j` lists of the same ruleset. nft also makes each such rule test
 * `meta nfproto ipv6` first, so in an inet table IPv4 packets never match it: fwlint is certain of
 * every IPv4 packet here.
 *
 * Needs root and ../shared's kernel-oracle (as the agreement suite); skips with a message otherwise,
 * and FWLINT_REQUIRE_KERNEL=1 / FWLINT_REQUIRE_SHARED=1 turn the skip into a failure.
 */
import { expect, it } from "vitest";
import { parseNft, parseNftJson } from "../../parsers/nftables/index.js";
import { verdictFor } from "../../src/analysis/verdict.js";
import type { Packet } from "../../src/model/finding.js";
import type { Ruleset } from "../../src/model/types.js";
import { ORACLE, checkEnvironment, kernelSuite, kernelVerdicts, listedNftJson } from "./harness.js";
import { compareOrdinary } from "./ordinary-judge.js";

const NFT = `table inet t {
  chain input {
    type filter hook input priority filter; policy drop;
    rt type != 2 drop
    exthdr frag exists drop
    frag more-fragments != 1 drop
    hbh nexthdr != 250 drop
    mh type != 99 drop
    srh flags != 9 drop
    exthdr hbh != exists tcp dport 80 accept
    exthdr rt != missing tcp dport 81 accept
    exthdr dst missing tcp dport 22 accept
    udp dport 53 accept
    tcp dport 443 accept
  }
}
`;

const packet = (family: 4 | 6, proto: "tcp" | "udp", dport: number): Packet =>
  family === 4
    ? { family, proto, src: "198.51.100.7", dst: "10.0.0.5", sport: 40000, dport, hook: "input", iif: "eth0" }
    : { family, proto, src: "2001:db8:ffff::7", dst: "2001:db8::5", sport: 40000, dport, hook: "input", iif: "eth0" };

const PACKETS: Packet[] = ([4, 6] as const).flatMap((f) => [
  ...[22, 25, 80, 81, 443].map((p) => packet(f, "tcp", p)),
  ...[53, 54].map((p) => packet(f, "udp", p)),
]);

/**
 * A TCP option's field read breaks off the rule for a packet that is not TCP (nft adds no
 * protocol test, the kernel's NFT_BREAK does it): UDP passes `tcp option maxseg size 1-500 drop`
 * for certain. For TCP the option is the sender's to write (the SACK panic mitigation drops SYNs
 * with a tiny MSS): drawn, so TCP/25 has both fates and is reachable.
 */
const TCP_OPTION = `table inet t {
  chain input {
    type filter hook input priority filter; policy drop;
    tcp option maxseg size 1-500 drop
    udp dport 53 accept
    tcp dport 25 accept
  }
}
`;

const env = checkEnvironment();

kernelSuite(`IPv6 extension header expressions against the kernel (${ORACLE})`, env.skip, env.required, () => {
  it("ordinary packets: fwlint's ordinary path reaches the kernel's verdict, text and JSON", async () => {
    const kernel = await kernelVerdicts(NFT, "nft", PACKETS);
    const readings: [string, Ruleset][] = [
      ["text", parseNft(NFT, "rules.nft")],
      ["json", parseNftJson(await listedNftJson(NFT), "rules.json")],
    ];
    for (const [form, rs] of readings) {
      expect(rs.diagnostics.filter((d) => d.severity === "error"), form).toEqual([]);
      const r = compareOrdinary(rs, PACKETS, kernel);
      console.log(`[extension headers vs kernel] ${form}: ${r.judged} packets judged (${r.accepted} accepted), ${r.disagree.length} disagree`);
      expect(r.disagree, form).toEqual([]);
      expect(r.judged, form).toBe(PACKETS.length);
      // IPv6 22, 80, 443, 53 (past every `!=` on an absent header; 81 not: `exthdr rt != missing`), IPv4 443 and 53
      expect(r.accepted, form).toBe(6);
      // fwlint is certain of every IPv4 packet; the IPv6 ones stay uncertain (their headers are not
      // in the model), their ordinary fate decided - but tcp/25 and udp/54, dropped whichever way
      // each unknown goes
      expect(r.uncertain.filter((p) => p.family === 4), form).toEqual([]);
      expect(r.uncertain.length, form).toBe(5);
    }
  }, 120_000);

  it("a TCP option's field: packets that are not TCP never match it; TCP ones as the sender writes them", async () => {
    const packets = [packet(4, "udp", 53), packet(4, "udp", 54), packet(4, "tcp", 25), packet(6, "udp", 53), packet(6, "tcp", 25)];
    const kernel = await kernelVerdicts(TCP_OPTION, "nft", packets);
    for (const [form, rs] of [
      ["text", parseNft(TCP_OPTION, "rules.nft")],
      ["json", parseNftJson(await listedNftJson(TCP_OPTION), "rules.json")],
    ] as const) {
      const ours = packets.map((p) => verdictFor(rs, p));
      console.log(`[extension headers vs kernel] tcp option, ${form}: kernel ${kernel.join(", ")}; fwlint ${ours.map((v) => v.verdict).join(", ")}`);
      // UDP: certain, and the kernel's
      packets.forEach((p, i) => {
        if (p.proto === "udp") expect(ours[i]!.verdict, `${form} IPv${p.family} udp/${p.dport}`).toBe(kernel[i]);
      });
      // TCP: the kernel accepts the lab's SYN (no MSS option); fwlint keeps both fates
      packets.forEach((p, i) => {
        if (p.proto !== "tcp") return;
        expect(kernel[i]).toBe("accept");
        expect(new Set(ours[i]!.paths.map((x) => x.verdict)), `${form} IPv${p.family} tcp/25`).toEqual(new Set(["accept", "drop"]));
      });
    }
  }, 120_000);
});
