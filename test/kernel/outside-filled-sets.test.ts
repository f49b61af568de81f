/**
 * Sets only something outside the ruleset fills, judged by the kernel. nft: a ban list whose
 * elements time out (as crowdsec's and sshguard's are, and as `nft list ruleset` of a running host
 * lists them, with their expiries), an empty `flags dynamic,timeout` IPv6 ban list, an address .
 * port list, and an allow list with a set timeout that nothing has written to yet. iptables: the
 * ipsets fail2ban's ipset actions create with a timeout, saved beside the ruleset with the sources
 * banned now (fixtures/iptables/ipset-timeout), loaded into the oracle's namespace first. fwlint
 * reads what such a set lists now as it is and leaves what may be added an unknown condition that a
 * stranger's connection does not meet (Condition unknown `ordinary`): the listed sources' packets
 * are certain, and a stranger's fate on its ordinary path must be the kernel's. Looked up by
 * destination (a daemon's openings: fixtures/nftables/timed-openings.nft, a verdict map and an
 * address . port set with timeouts; fixtures/iptables/ipset-opened, a hash:ip,port ipset looked up
 * dst,dst), what may be added is unknown for strangers too: the listed elements' packets are
 * certain and must be the kernel's, the others stay uncertain.
 *
 * Needs root and ../shared's kernel-oracle (as the agreement suite), and ipset; skips with a message
 * otherwise, and FWLINT_REQUIRE_KERNEL=1 / FWLINT_REQUIRE_SHARED=1 turn the skip into a failure.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseNft, parseNftJson } from "../../parsers/nftables/index.js";
import { verdictFor } from "../../src/analysis/verdict.js";
import type { Packet } from "../../src/model/finding.js";
import type { Ruleset } from "../../src/model/types.js";
import { FIXTURES, ORACLE, checkEnvironment, ipsetLoaderShim, ipsetOracleEnv, kernelSuite, kernelVerdicts, listedNftJson, which } from "./harness.js";
import { compareOrdinary } from "./ordinary-judge.js";

const NFT = `table inet t {
  set ban4 { type ipv4_addr; flags timeout; elements = { 198.51.100.200 timeout 1h expires 59m } }
  set ban6 { type ipv6_addr; flags dynamic,timeout; }
  set allow { type ipv4_addr; timeout 1h; }
  set pairs { type ipv4_addr . inet_service; flags timeout; elements = { 198.51.100.201 . 22 timeout 1h } }
  chain input {
    type filter hook input priority filter; policy drop;
    ip saddr @ban4 drop
    ip6 saddr @ban6 drop
    ip saddr . tcp dport @pairs drop
    tcp dport { 22, 25 } accept
    tcp dport 26 ip saddr @allow accept
    tcp dport 27 ip saddr != @allow drop
    tcp dport 27 accept
  }
}
`;

const v4 = (src: string, dport: number): Packet => ({ family: 4, proto: "tcp", src, dst: "10.0.0.5", sport: 40000, dport, hook: "input", iif: "eth0" });
const v6 = (src: string, dport: number): Packet => ({ family: 6, proto: "tcp", src, dst: "2001:db8::5", sport: 40000, dport, hook: "input", iif: "eth0" });

/**
 * Strangers (each its own source) to every port, and the listed sources: the banned address to 22
 * and 25 (dropped, certain), the listed pair's address to 22 (dropped, certain) and to 25 (its
 * pair is port 22 only: a stranger's fate there).
 */
const PACKETS: Packet[] = [
  ...[22, 25, 26, 27, 28].map((port, i) => v4(`198.51.100.${10 + i}`, port)),
  v4("198.51.100.200", 22),
  v4("198.51.100.200", 25),
  v4("198.51.100.201", 22),
  v4("198.51.100.201", 25),
  ...[22, 25, 26].map((port, i) => v6(`2001:db8:ffff::${(16 + i).toString(16)}`, port)),
];

const env = checkEnvironment();
const skip = env.skip ?? (!which("ipset") ? "ipset is not installed" : undefined);

/** fail2ban's jails as ipsets with timeouts, and the sources banned now (see the fixture's comment). */
const F2B_DIR = join(FIXTURES, "ipset-timeout");
const F2B_RULES = join(F2B_DIR, "rules.v4");
const F2B_PACKETS: Packet[] = [
  ...[25, 143, 22, 80].map((port, i) => v4(`198.51.100.${10 + i}`, port)),
  v4("203.0.113.66", 25),
  v4("198.51.100.200", 143),
  v4("203.0.113.66", 22),
];

/** Per form: fwlint's reading of the ruleset the kernel loads. */
const FORMS: { what: string; ruleset: () => Ruleset | Promise<Ruleset> }[] = [
  { what: "nft text", ruleset: () => parseNft(NFT, "rules.nft") },
  { what: "nft JSON (nft -j list ruleset of the loaded text)", ruleset: async () => parseNftJson(await listedNftJson(NFT), "rules.json") },
];

kernelSuite(`sets filled from outside the ruleset against the kernel (${ORACLE})`, skip, env.required, () => {
  const shim = ipsetLoaderShim();
  afterAll(() => rmSync(shim, { recursive: true, force: true }));

  it("iptables with fail2ban's ipsets saved beside it", async () => {
    const text = readFileSync(F2B_RULES, "utf8");
    const rs = parseIptablesSave(text, F2B_RULES, { family: 4 });
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const kernel = await kernelVerdicts(text, "iptables", F2B_PACKETS, "input", ipsetOracleEnv(shim, join(F2B_DIR, "ipsets")));
    const r = compareOrdinary(rs, F2B_PACKETS, kernel);
    console.log(`[outside-filled sets vs kernel] iptables + ipsets: ${r.judged} packets judged (${r.accepted} accepted, ${r.uncertain.length} uncertain), ${r.disagree.length} disagree`);
    expect(r.disagree).toEqual([]);
    expect(r.judged).toBe(F2B_PACKETS.length);
    // strangers to SMTP and IMAP; the banned sources dropped for certain; SSH only for admins (none)
    expect(r.accepted).toBe(2);
    expect(r.uncertain.map((p) => `${p.src}:${p.dport}`)).toEqual(["198.51.100.10:25", "198.51.100.11:143", "198.51.100.12:22", "203.0.113.66:22"]);
  }, 120_000);

  // A daemon's openings, looked up by destination: what is listed now is certain, the rest unknown
  // (what may be added says nothing of strangers, so no ordinary fate is compared there).
  const certainAgree = (rs: Ruleset, packets: readonly Packet[], kernel: readonly string[]) => {
    const certain: string[] = [];
    const disagree: string[] = [];
    packets.forEach((p, i) => {
      const v = verdictFor(rs, p).verdict;
      if (v === "unknown" || kernel[i] === "error") return;
      certain.push(`${p.dst}:${p.dport} ${v}`);
      if (v !== kernel[i]) disagree.push(`${p.dst}:${p.dport}: kernel ${kernel[i]}, fwlint ${v}`);
    });
    return { certain, disagree };
  };
  const OPENED_NFT = readFileSync(join(FIXTURES, "..", "nftables", "timed-openings.nft"), "utf8");
  const OPENED_NFT_PACKETS: Packet[] = [
    v4("198.51.100.10", 5432),
    v6("2001:db8:ffff::10", 5432),
    v6("2001:db8:ffff::11", 3306),
    { ...v4("198.51.100.12", 6379), dst: "192.0.2.10" },
    v4("198.51.100.13", 3306),
    v4("198.51.100.14", 6379),
    v6("2001:db8:ffff::12", 22),
  ];
  for (const form of ["text", "JSON"] as const) {
    it(`nft ${form}: a verdict map and an address . port set a daemon fills, looked up by destination`, async () => {
      const rs = form === "text" ? parseNft(OPENED_NFT, "rules.nft") : parseNftJson(await listedNftJson(OPENED_NFT), "rules.json");
      expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const kernel = await kernelVerdicts(OPENED_NFT, "nft", OPENED_NFT_PACKETS);
      const r = certainAgree(rs, OPENED_NFT_PACKETS, kernel);
      console.log(`[outside-filled sets vs kernel] nft ${form}, destination-keyed: ${r.certain.length} of ${OPENED_NFT_PACKETS.length} packets certain, ${r.disagree.length} disagree`);
      expect(r.disagree).toEqual([]);
      expect(r.certain).toEqual(["10.0.0.5:5432 accept", "2001:db8::5:5432 accept", "2001:db8::5:3306 drop", "192.0.2.10:6379 accept"]);
      // the kernel, with nothing added since: the others are dropped
      expect(kernel.slice(4)).toEqual(["drop", "drop", "drop"]);
    }, 120_000);
  }

  it("iptables with an ipset of address,port pairs a daemon fills, looked up by destination", async () => {
    const dir = join(FIXTURES, "ipset-opened");
    const text = readFileSync(join(dir, "rules.v4"), "utf8");
    const rs = parseIptablesSave(text, join(dir, "rules.v4"), { family: 4 });
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const packets = [v4("198.51.100.10", 5432), v4("198.51.100.11", 9200), v4("198.51.100.12", 3306), { ...v4("198.51.100.13", 5432), dst: "10.0.0.6" }, v4("192.0.2.7", 22)];
    const kernel = await kernelVerdicts(text, "iptables", packets, "input", ipsetOracleEnv(shim, join(dir, "ipsets")));
    const r = certainAgree(rs, packets, kernel);
    console.log(`[outside-filled sets vs kernel] iptables + ipsets, destination-keyed: ${r.certain.length} of ${packets.length} packets certain, ${r.disagree.length} disagree`);
    expect(r.disagree).toEqual([]);
    expect(r.certain).toEqual(["10.0.0.5:5432 accept", "10.0.0.5:9200 accept", "10.0.0.5:22 accept"]);
    expect(kernel.slice(2, 4)).toEqual(["drop", "drop"]);
  }, 120_000);

  // Ban lists the ruleset fills itself, only with sources over a rate limit (a meter's, a set
  // statement's element limit) or already banned: a stranger's first connection is in none of them
  // (fixtures/nftables/ban-list-rules.nft; the knocked port is left out: a knock lets anyone in, so
  // no fate is ordinary there).
  const BANS_NFT = readFileSync(join(FIXTURES, "..", "nftables", "ban-list-rules.nft"), "utf8");
  const BANS_PACKETS: Packet[] = [
    ...[22, 25, 80, 3306].map((port, i) => v4(`198.51.100.${20 + i}`, port)),
    ...[22, 25, 443, 3306].map((port, i) => v6(`2001:db8:ffff::${(32 + i).toString(16)}`, port)),
  ];
  for (const form of ["text", "JSON"] as const) {
    it(`nft ${form}: ban lists filled by rules over a rate limit`, async () => {
      const rs = form === "text" ? parseNft(BANS_NFT, "rules.nft") : parseNftJson(await listedNftJson(BANS_NFT), "rules.json");
      expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const kernel = await kernelVerdicts(BANS_NFT, "nft", BANS_PACKETS);
      const r = compareOrdinary(rs, BANS_PACKETS, kernel);
      console.log(`[outside-filled sets vs kernel] nft ${form}, ban lists the rules fill: ${r.judged} packets judged (${r.accepted} accepted, ${r.uncertain.length} uncertain), ${r.disagree.length} disagree`);
      expect(r.disagree).toEqual([]);
      expect(r.judged).toBe(BANS_PACKETS.length);
      expect(r.accepted).toBe(6);
      // a stranger's fate at an open port depends on the ban lists (unknowns ordinary traffic does
      // not meet); MySQL is closed to the banned and the others alike
      expect(r.uncertain.map((p) => `${p.src}:${p.dport}`)).toEqual(["198.51.100.20:22", "198.51.100.21:25", "198.51.100.22:80", "2001:db8:ffff::20:22", "2001:db8:ffff::21:25", "2001:db8:ffff::22:443"]);
    }, 120_000);
  }

  for (const f of FORMS) {
    it(f.what, async () => {
      const rs = await f.ruleset();
      expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const kernel = await kernelVerdicts(NFT, "nft", PACKETS);
      const r = compareOrdinary(rs, PACKETS, kernel);
      console.log(`[outside-filled sets vs kernel] ${f.what}: ${r.judged} packets judged (${r.accepted} accepted, ${r.uncertain.length} uncertain), ${r.disagree.length} disagree`);
      expect(r.disagree).toEqual([]);
      expect(r.judged).toBe(PACKETS.length);
      // IPv4 strangers to 22 and 25 (not 26: not allowed; not 27: not allowed, so dropped), the
      // pair's address to 25; IPv6 strangers to 22 and 25
      expect(r.accepted).toBe(5);
      // the listed sources' packets (three) and the strangers' to closed ports are certain; a
      // stranger's to an open one or 26/27 depends on what may be added
      expect(r.uncertain.map((p) => `${p.src}:${p.dport}`)).toEqual([
        "198.51.100.10:22",
        "198.51.100.11:25",
        "198.51.100.12:26",
        "198.51.100.13:27",
        "198.51.100.201:25",
        "2001:db8:ffff::10:22",
        "2001:db8:ffff::11:25",
      ]);
    }, 120_000);
  }
});
