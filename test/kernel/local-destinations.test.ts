/**
 * "Is the destination an address of this host?" on the input path (iptables `-m addrtype
 * --dst-type LOCAL`, nft `fib daddr type local`), judged by the kernel: a packet the host takes in
 * for a multicast group, the limited broadcast or the loopback network's broadcast is not LOCAL,
 * every unicast one delivered to it is.
 * fwlint took every packet on the input path for local, so ufw's ufw-not-local chain (LOCAL
 * returns, the rest is dropped) let multicast through in fwlint and not in the kernel. (For IPv6
 * the kernel calls a joined group local, with ip6tables and nft alike.) `--dst-type MULTICAST` is
 * the family's multicast block, exactly: fwlint must be certain of every packet here.
 *
 * Needs root and ../shared's kernel-oracle (as the agreement suite); skips with a message otherwise,
 * and FWLINT_REQUIRE_KERNEL=1 / FWLINT_REQUIRE_SHARED=1 turn the skip into a failure.
 */
import { expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { verdictFor } from "../../src/analysis/verdict.js";
import type { Packet } from "../../src/model/finding.js";
import type { Ruleset } from "../../src/model/types.js";
import { ORACLE, checkEnvironment, kernelSuite, kernelVerdicts, type KernelFormat } from "./harness.js";

const IPTABLES = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:not-local - [0:0]
-A INPUT -j not-local
-A INPUT -p udp --dport 5353 -j ACCEPT
-A INPUT -p udp --dport 1900 -m addrtype ! --dst-type LOCAL -j ACCEPT
-A not-local -m addrtype --dst-type LOCAL -j RETURN
-A not-local -p udp --dport 1900 -j RETURN
-A not-local -m addrtype --dst-type MULTICAST -p udp --dport 5353 -j RETURN
-A not-local -j DROP
COMMIT
`;

/** The same for IPv6: a group the host joined is LOCAL there (ipv6_chk_addr finds it), and MULTICAST. */
const IP6TABLES = IPTABLES.replace("--dport 5353 -j RETURN", "--dport 5354 -j RETURN");

const NFT = `table inet t {
  chain input {
    type filter hook input priority filter; policy drop;
    udp dport 1900 fib daddr type != local accept
    fib daddr type != local drop
    udp dport 5353 accept
  }
}
`;

const v4 = (dst: string, dport: number): Packet => ({ family: 4, proto: "udp", src: "198.51.100.7", dst, sport: 40000, dport, hook: "input", iif: "eth0" });
const v6 = (dst: string, dport: number): Packet => ({ family: 6, proto: "udp", src: "2001:db8:ffff::7", dst, sport: 40000, dport, hook: "input", iif: "eth0" });

// (127.255.255.255: the loopback network's broadcast, BROADCAST in every host's local routing table - random iptables seed 2311)
const PACKETS4 = ["224.0.0.251", "239.255.255.250", "255.255.255.255", "127.255.255.255", "10.0.0.5", "198.51.100.20", "127.1.2.3"].flatMap((d) => [v4(d, 5353), v4(d, 1900)]);
const PACKETS6 = ["ff02::fb", "ff02::f", "ff05::1:3", "2001:db8::5", "fe80::5"].flatMap((d) => [v6(d, 5353), v6(d, 1900)]);

const env = checkEnvironment();

async function judged(rs: Ruleset, text: string, format: KernelFormat, packets: Packet[]): Promise<{ judged: number; accepted: number; disagree: string[] }> {
  const kernel = await kernelVerdicts(text, format, packets);
  let n = 0;
  let accepted = 0;
  const disagree: string[] = [];
  packets.forEach((p, i) => {
    const k = kernel[i]!;
    if (k === "error") return;
    const ours = verdictFor(rs, p).verdict;
    n++;
    if (k === "accept") accepted++;
    if (ours !== k) disagree.push(`${p.dst}:${p.dport}: kernel ${k}, fwlint ${ours}`);
  });
  return { judged: n, accepted, disagree };
}

/** Per case: what it checks, fwlint's reading, the text the kernel loads, its format, the packets, and the least judged. */
const CASES: { what: string; ruleset: () => Ruleset; text: string; format: KernelFormat; packets: Packet[]; least: number }[] = [
  { what: "iptables -m addrtype --dst-type LOCAL: multicast and broadcast destinations are not local", ruleset: () => parseIptablesSave(IPTABLES, "rules.v4", { family: 4 }), text: IPTABLES, format: "iptables", packets: PACKETS4, least: 8 },
  {
    what: "ip6tables -m addrtype --dst-type LOCAL: a joined group is local; MULTICAST is ff00::/8",
    ruleset: () => parseIptablesSave(IP6TABLES, "rules.v6", { family: 6 }),
    text: IP6TABLES,
    format: "ip6tables",
    packets: [...PACKETS6, v6("ff02::fb", 5354), v6("2001:db8::5", 5354)],
    least: 10,
  },
  { what: "nft fib daddr type local, both families", ruleset: () => parseNft(NFT, "rules.nft"), text: NFT, format: "nft", packets: [...PACKETS4, ...PACKETS6], least: 14 },
];

kernelSuite(`local destinations against the kernel (${ORACLE})`, env.skip, env.required, () => {
  for (const c of CASES) {
    it(c.what, async () => {
      const r = await judged(c.ruleset(), c.text, c.format, c.packets);
      console.log(`[local destinations vs kernel] ${c.format}: ${r.judged} packets judged (${r.accepted} accepted), ${r.disagree.length} disagree`);
      expect(r.disagree).toEqual([]);
      expect(r.judged).toBeGreaterThanOrEqual(c.least);
      // both verdicts are there to disagree with
      expect(r.accepted).toBeGreaterThanOrEqual(3);
      expect(r.judged - r.accepted).toBeGreaterThanOrEqual(2);
    }, 120_000);
  }
});
