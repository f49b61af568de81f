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
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parseNft, parseNftJson } from "../../parsers/nftables/index.js";
import { verdictFor } from "../../src/analysis/verdict.js";
import type { Packet } from "../../src/model/finding.js";
import type { Ruleset } from "../../src/model/types.js";
import { ORACLE, checkEnvironment, kernelSuite, runOracle, type OracleLine } from "./harness.js";

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

const env = checkEnvironment();

/** The ruleset as `nft -j list ruleset` gives it once loaded, in a namespace made for it. */
function listedJson(dir: string): string {
  const ns = `fwlint-exthdr-${process.pid}`;
  const file = join(dir, "rules.nft");
  execFileSync("ip", ["netns", "add", ns]);
  try {
    execFileSync("ip", ["netns", "exec", ns, "nft", "-f", file]);
    return execFileSync("ip", ["netns", "exec", ns, "nft", "-j", "list", "ruleset"], { encoding: "utf8" });
  } finally {
    spawnSync("ip", ["netns", "del", ns]);
  }
}

/** fwlint's verdict for ordinary traffic: the certain one, or that of the one path whose every assumption is what ordinary traffic does. */
function ordinaryVerdict(rs: Ruleset, p: Packet): { verdict: string; certain: boolean } {
  const v = verdictFor(rs, p);
  if (v.verdict !== "unknown") return { verdict: v.verdict, certain: true };
  const ordinary = v.paths.filter((x) => x.ordinary);
  expect(ordinary, `${p.family} ${p.proto}/${p.dport}: one ordinary path`).toHaveLength(1);
  return { verdict: ordinary[0]!.verdict, certain: false };
}

kernelSuite(`IPv6 extension header expressions against the kernel (${ORACLE})`, env.skip, env.required, () => {
  it("ordinary packets: fwlint's ordinary path reaches the kernel's verdict, text and JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-exthdr-"));
    try {
      writeFileSync(join(dir, "rules.nft"), NFT);
      writeFileSync(join(dir, "packets.jsonl"), PACKETS.map((p, i) => JSON.stringify({ id: `p${i}`, ...p })).join("\n") + "\n");
      const out = await runOracle(["--ruleset", join(dir, "rules.nft"), "--format", "nft", "--packets", join(dir, "packets.jsonl"), "--hook", "input"], dir);
      expect(out.code, out.stderr).toBe(0);
      const kernel = out.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as OracleLine);
      const readings: [string, Ruleset][] = [
        ["text", parseNft(NFT, join(dir, "rules.nft"))],
        ["json", parseNftJson(listedJson(dir), join(dir, "rules.json"))],
      ];
      for (const [form, rs] of readings) {
        expect(rs.diagnostics.filter((d) => d.severity === "error"), form).toEqual([]);
        const disagree: string[] = [];
        let judged = 0;
        let accepted = 0;
        let uncertain6 = 0;
        for (const k of kernel) {
          if (k.verdict === "error") continue;
          const p = PACKETS[Number(String(k.id).slice(1))]!;
          const ours = ordinaryVerdict(rs, p);
          judged++;
          if (k.verdict === "accept") accepted++;
          if (p.family === 4 && !ours.certain) disagree.push(`IPv4 ${p.proto}/${p.dport}: fwlint uncertain`);
          if (p.family === 6 && !ours.certain) uncertain6++;
          if (ours.verdict !== k.verdict) disagree.push(`IPv${p.family} ${p.proto}/${p.dport}: kernel ${k.verdict}, fwlint ${ours.verdict}`);
        }
        console.log(`[extension headers vs kernel] ${form}: ${judged} packets judged (${accepted} accepted), ${disagree.length} disagree`);
        expect(disagree, form).toEqual([]);
        expect(judged, form).toBe(PACKETS.length);
        // IPv6 22, 80, 443, 53 (past every `!=` on an absent header; 81 not: `exthdr rt != missing`), IPv4 443 and 53
        expect(accepted, form).toBe(6);
        // the IPv6 packets stay uncertain (their headers are not in the model), their ordinary fate
        // decided; but tcp/25 and udp/54, dropped whichever way each unknown goes
        expect(uncertain6, form).toBe(5);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
