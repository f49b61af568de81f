/**
 * Set and map elements nft or the kernel refuse together (element-overlaps.ts): the file does not
 * load, so fwlint reports an error where nft does. Each case's verdict was taken from nft 1.0.6
 * (`nft -c -f` in a network namespace); where nft runs here (root, unshare), the test asks it again,
 * and CI (FWLINT_REQUIRE_KERNEL=1) requires that it can.
 */
import { describe, expect, it } from "vitest";
import { prng } from "../../../src/analysis/probes.js";
import { withLoaders } from "../../loaders.js";
import { differential, fwlintVerdicts, loaderDisagrees, nftErrors, type NftCase } from "./nft-cases.js";

const set = (type: string, flags: string, elements: string, after = "") =>
  `table inet t {\n\tset s {\n\t\ttype ${type}\n\t\t${flags}\n\t\telements = { ${elements} }\n\t}\n\tchain c {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tip saddr 192.0.2.1 accept\n\t}\n}\n${after}`;
const map = (flags: string, elements: string) =>
  `table inet t {\n\tmap m {\n\t\ttype ipv4_addr : verdict\n\t\t${flags}\n\t\telements = { ${elements} }\n\t}\n\tchain c {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tip saddr vmap @m\n\t}\n}\n`;

const rule = (r: string) => `table inet t {\n\tchain c {\n\t\ttype filter hook input priority filter; policy drop;\n\t\t${r}\n\t}\n\tchain x {\n\t}\n}\n`;

const CASES: NftCase[] = [
  { name: "an address inside a prefix", text: set("ipv4_addr", "flags interval", "10.0.0.1, 10.0.0.0/24"), refused: /element 10\.0\.0\.0\/24 overlaps 10\.0\.0\.1 \(line 5\).*conflicting intervals specified/, at: "5:26" },
  { name: "ranges sharing an end", text: set("ipv4_addr", "flags interval", "10.0.0.0-10.0.0.10, 10.0.0.10-10.0.0.20"), refused: /conflicting intervals/, at: "5:36" },
  { name: "nested prefixes", text: set("ipv4_addr", "flags interval", "10.0.0.0/8, 10.0.0.0/24"), refused: /10\.0\.0\.0\/24 overlaps 10\.0\.0\.0\/8/, at: "5:28" },
  { name: "IPv6", text: set("ipv6_addr", "flags interval", "2001:db8::/32, 2001:db8::1"), refused: /2001:db8::1 overlaps 2001:db8::\/32/ },
  { name: "ports", text: set("inet_service", "flags interval", "20-30, 25"), refused: /element 25 overlaps 20-30/ },
  { name: "an element added later inside one declared", text: set("ipv4_addr", "flags interval", "10.0.0.0/24", "add element inet t s { 10.0.0.1 }\n"), refused: /element 10\.0\.0\.1 overlaps 10\.0\.0\.0\/24 \(line 5\)/, at: "12:24" },
  { name: "a concatenation's boxes crossing", text: set("ipv4_addr . inet_service", "flags interval", "10.0.0.0/24 . 20-30, 10.0.0.128/25 . 25-40"), refused: /concatenated interval set \("File exists"\)/, at: "5:37" },
  { name: "a map key given twice with other data", text: map("", "10.0.0.1 : accept, 10.0.0.1 : drop"), refused: /key 10\.0\.0\.1 is mapped again, to drop, after 10\.0\.0\.1 \(line 5\) mapped it to accept/, at: "5:35" },
  { name: "an interval map's overlapping keys", text: map("flags interval", "10.0.0.0/24 : accept, 10.0.0.1 : drop"), refused: /conflicting intervals/ },
  { name: "an anonymous verdict map's overlapping keys", text: rule("ip saddr vmap { 10.0.0.0/24 : accept, 10.0.0.1 : drop }"), refused: /the verdict map: element 10\.0\.0\.1 overlaps 10\.0\.0\.0\/24 \(line 4\)/, at: "4:41" },
  { name: "an anonymous verdict map's overlapping keys, the same verdict", text: rule("ip saddr vmap { 10.0.0.0/24 : accept, 10.0.0.1 : accept }"), refused: /conflicting intervals/ },
  { name: "an anonymous verdict map's port ranges", text: rule("tcp dport vmap { 20-30 : accept, 25 : drop }"), refused: /element 25 overlaps 20-30/ },
  { name: "an anonymous verdict map's key given twice", text: rule("tcp dport vmap { 22 : accept, 22 : jump x }"), refused: /key 22 is mapped again, to jump x, after 22 \(line 4\) mapped it to accept/ },
  { name: "an anonymous DNAT map's key given twice", text: `table ip n {\n\tchain p {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tdnat to tcp dport map { 80 : 10.0.0.1, 80 : 10.0.0.2 }\n\t}\n}\n`, refused: /the dnat map: key 80 is mapped again/ },
  { name: "an anonymous set of concatenations overlapping", text: rule("ip saddr . tcp dport { 10.0.0.0/24 . 22, 10.0.0.1 . 22 } accept"), refused: /the set: element 10\.0\.0\.1 \. 22 overlaps 10\.0\.0\.0\/24 \. 22 \(line 4\).*concatenated interval set/ },
  { name: "a prefix in a set without flags interval", text: set("ipv4_addr", "", "10.0.0.1, 10.0.0.0/24, 10.0.1.0/24"), refused: /set s: element 10\.0\.0\.0\/24 is a prefix, which nft takes only in a set declared with 'flags interval'.*\(1 more of its elements are prefixes or ranges\)/, at: "5:26" },
  { name: "a /32 prefix in a set without flags interval", text: set("ipv4_addr", "", "10.0.0.1/32"), refused: /is a prefix/ },
  { name: "a range in a map without flags interval", text: map("", "10.0.0.1-10.0.0.5 : accept"), refused: /map m: element 10\.0\.0\.1-10\.0\.0\.5 is a range, which nft takes only in a map declared with 'flags interval'/ },
  { name: "a name wildcard in a set without flags interval", text: set("ifname", "", '"eth*"'), refused: /element eth\* is a wildcard/ },
  { name: "a prefix in a concatenation without flags interval", text: set("ipv4_addr . inet_service", "", "10.0.0.0/8 . 22"), refused: /is a prefix/ },
  { name: "a prefix added later to a set without flags interval", text: set("ipv4_addr", "flags timeout", "10.0.0.1", "add element inet t s { 10.0.0.0/8 }\n"), refused: /is a prefix/, at: "12:24" },
  { name: "a concatenation's box inside one written before", text: set("ipv4_addr . inet_service", "flags interval", "10.0.0.0/24 . 20-30, 10.0.0.1 . 25"), refused: /element 10\.0\.0\.1 \. 25 overlaps 10\.0\.0\.0\/24 \. 20-30/ },
  { name: "a concatenation with auto-merge, overlapping (the kernel checks it all the same)", text: set("ipv4_addr . inet_service", "flags interval\n\t\tauto-merge", "10.0.0.0/22 . 30-38, 10.0.0.0 . 37-43"), refused: /File exists/ },
  { name: "auto-merge in a map", text: map("flags interval\n\t\tauto-merge", "10.0.0.0/24 : accept"), refused: /'auto-merge' is a property of sets, not of map m/ },
  // loaded
  { name: "a concatenation's box around one written before", text: set("ipv4_addr . inet_service", "flags interval", "10.0.0.1 . 25, 10.0.0.0/24 . 20-30") },
  { name: "a concatenation across one written before, neither of its corners inside", text: set("ipv4_addr . inet_service", "flags interval", "10.0.1.0/30 . 48", "add element inet t s { 10.0.1.0 . 46-50 }\n") },
  { name: "single values in sets and maps without flags interval", text: set("ipv4_addr . inet_service", "", "10.0.0.1 . 22, 10.0.0.2 . 22") + map("", "10.0.0.1 : accept, * : drop").replace("table inet t", "table inet u") },
  { name: "an anonymous set of concatenations apart", text: rule("ip saddr . tcp dport { 10.0.0.0/24 . 22, 10.0.0.1 . 23, 10.0.0.0/24 . 22 } accept") },
  { name: "an anonymous set's overlapping elements (merged)", text: rule("ip saddr { 10.0.0.0/24, 10.0.0.1 } accept") },
  { name: "an anonymous verdict map's keys given twice alike", text: rule("tcp dport vmap { 22 : accept, 22 : accept, 23 : drop }") },
  { name: "a named set of interface names overlapping a wildcard", text: set("ifname", "flags interval", '"eth*", "eth0", "wlan0"'), refused: /element eth0 overlaps eth\* \(line 5\)/ },
  { name: "an anonymous verdict map on names overlapping a wildcard", text: rule('iifname vmap { "eth0" : accept, "eth*" : drop }'), refused: /element eth\* overlaps eth0/ },
  { name: "an anonymous verdict map on names apart", text: rule('iifname vmap { "eth0" : accept, "wlan*" : drop, "eth1" : drop }') },
  { name: "a named set of names where one wildcard's prefix is another's", text: set("ifname", "flags interval", '"veth*", "vethab*"'), refused: /overlaps/ },
  { name: "a repeated address", text: set("ipv4_addr", "flags interval", "10.0.0.1, 10.0.0.1") },
  { name: "a repeated prefix next to its neighbour", text: set("ipv4_addr", "flags interval", "10.0.0.0/25, 10.0.0.0/25, 10.0.0.128/25") },
  { name: "ranges that touch without sharing", text: set("ipv4_addr", "flags interval", "10.0.0.0-10.0.0.10, 10.0.0.11-10.0.0.20") },
  { name: "overlaps with auto-merge", text: set("ipv4_addr", "flags interval\n\t\tauto-merge", "10.0.0.0/24, 10.0.0.1") },
  { name: "a concatenation meeting in one part only", text: set("ipv4_addr . inet_service", "flags interval", "10.0.0.0/24 . 22, 10.0.0.1 . 23") },
  { name: "a repeated concatenation", text: set("ipv4_addr . inet_service", "flags interval", "10.0.0.0/24 . 22, 10.0.0.0/24 . 22") },
  { name: "a set flushed before the overlapping element", text: set("ipv4_addr", "flags interval", "10.0.0.0/24", "flush set inet t s\nadd element inet t s { 10.0.0.1 }\n") },
  { name: "a map key given twice with the same data", text: map("", "10.0.0.1 : accept, 10.0.0.1 : accept") },
];

describe("set and map elements nft refuses together", () => {
  fwlintVerdicts(CASES);

  it("reports ten conflicts of a set and then how many more, and finds them in a list of 100k elements", () => {
    const good: string[] = [];
    for (let i = 0; i < 100_000; i++) good.push(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    // 25 single addresses inside prefixes listed before them, in another order than the prefixes'
    const prefixes = Array.from({ length: 25 }, (_, k) => `172.16.${k}.0/24`);
    const inside = Array.from({ length: 25 }, (_, k) => `172.16.${24 - k}.9`);
    const errors = nftErrors(set("ipv4_addr", "flags interval", [...prefixes, ...good, ...inside].join(", ")));
    expect(errors).toHaveLength(11);
    expect(errors.slice(0, 10).every((e) => /element 172\.16\.\d+\.9 overlaps 172\.16\.\d+\.0\/24/.test(e.message))).toBe(true);
    expect(errors[10]!.message).toMatch(/15 more elements conflict as these do/);
  });
});

const withNft = withLoaders("nft element conflicts");

describe("the verdicts above are nft's", () => {
  withNft("nft -c -f refuses exactly the refused cases", (dir) => expect(loaderDisagrees(dir, CASES)).toEqual([]));
});

/**
 * Random sets and maps of the shapes above - addresses, prefixes and ranges; ports; interface
 * names and wildcards; address . port concatenations, named and anonymous; verdict maps with keys
 * repeated; with and without `flags interval` and `auto-merge`; elements added by a later command -
 * each one file: fwlint reports an error exactly when nft refuses it.
 */
function randomCases(seed: number, count: number): { kind: string; text: string }[] {
  const rand = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
  const addr = () => `10.0.${Math.floor(rand() * 4)}.${Math.floor(rand() * 256)}`;
  const v4 = () => {
    const r = rand();
    if (r < 0.4) return addr();
    const [a, b, c, d] = addr().split(".");
    if (r < 0.7) return `${a}.${b}.${c}.0/${pick([22, 23, 24, 25, 26, 28, 30, 32])}`;
    return `${a}.${b}.${c}.${d}-${a}.${b}.${c}.${Math.min(255, Number(d) + Math.floor(rand() * 40))}`;
  };
  const port = () => {
    const p = 20 + Math.floor(rand() * 30);
    return rand() < 0.6 ? `${p}` : `${p}-${p + Math.floor(rand() * 10)}`;
  };
  const name = () => pick(['"eth0"', '"eth1"', '"eth*"', '"wlan0"', '"wl*"', '"veth*"', '"vethab*"']);
  const out: { kind: string; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const kind = pick(["v4", "port", "name", "concat", "map", "anonymous map", "anonymous concatenation"]);
    const flags = pick(["flags interval", "flags interval", "", "flags interval\n\t\tauto-merge"]);
    const n = 1 + Math.floor(rand() * 5);
    const verdict = () => pick(["accept", "drop"]);
    const chain = (rule: string) => `table inet t {\n\tchain c {\n\t\ttype filter hook input priority filter; policy drop;\n\t\t${rule}\n\t}\n}\n`;
    if (kind === "map" || kind === "anonymous map") {
      const els = Array.from({ length: n }, () => `${kind === "map" ? v4() : pick([v4, addr])()} : ${verdict()}`);
      if (rand() < 0.3) els.push(els[0]!.replace(/: \w+$/, `: ${verdict()}`));
      out.push({ kind, text: kind === "map" ? map(flags.includes("auto-merge") ? "flags interval" : flags, els.join(", ")) : chain(`ip saddr vmap { ${els.join(", ")} }`) });
    } else if (kind === "anonymous concatenation") {
      out.push({ kind, text: chain(`ip saddr . tcp dport { ${Array.from({ length: n }, () => `${v4()} . ${port()}`).join(", ")} } accept`) });
    } else {
      const el = { v4, port, name, concat: () => `${v4()} . ${port()}` }[kind as "v4" | "port" | "name" | "concat"];
      const type = { v4: "ipv4_addr", port: "inet_service", name: "ifname", concat: "ipv4_addr . inet_service" }[kind as "v4" | "port" | "name" | "concat"];
      const els = Array.from({ length: n }, el);
      if (rand() < 0.2) els.push(els[0]!);
      out.push({ kind, text: set(type, flags, els.join(", "), rand() < 0.3 ? `add element inet t s { ${el()} }\n` : "") });
    }
  }
  return out;
}

describe("random sets and maps", () => {
  withNft(
    "get an error from fwlint exactly when nft refuses them (400 files)",
    (dir) => {
      const { wrong, refused } = differential(dir, randomCases(44, 400).map((c) => ({ name: c.kind, text: c.text })));
      expect(wrong).toEqual([]);
      // both verdicts are well represented
      expect(refused).toBeGreaterThan(60);
      expect(refused).toBeLessThan(340);
    },
    120_000,
  );
});
