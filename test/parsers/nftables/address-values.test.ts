/**
 * Addresses as nft reads them, not as iptables does: a bare integer is a whole 32-bit address
 * (`ip saddr 10` is 0.0.0.10, `65536` is 0.1.0.0, `0x0a000001` 10.0.0.1, and a prefix or range of
 * them too), the parts of a dotted quad as inet_aton reads them (`010.0.0.1` is 8.0.0.1),
 * `localhost` the loopback address; another host name is looked up by nft when it loads the file,
 * so fwlint leaves its match unknown (with a warning) instead of refusing the file. Each reading was taken from nft 1.0.6 (load, then `nft list ruleset`); where
 * nft runs here the test asks it again, and CI (FWLINT_REQUIRE_KERNEL=1) requires that it can.
 */
import { describe, expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { Dim } from "../../../src/space/dims.js";
import { PacketSet } from "../../../src/space/packet-set.js";
import { nftListing, withLoaders } from "../../loaders.js";
import { fwlintVerdicts } from "./nft-cases.js";

const file = (match: string) => `table ip t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\t${match} accept\n\t}\n}\n`;

/** A match, how `nft list ruleset` writes it back, a source it accepts and one it does not. */
const READINGS: [string, string, string, string][] = [
  ["ip saddr 10", "ip saddr 0.0.0.10", "0.0.0.10", "10.0.0.0"],
  ["ip saddr 65536", "ip saddr 0.1.0.0", "0.1.0.0", "0.0.0.1"],
  ["ip saddr 0x0a000001", "ip saddr 10.0.0.1", "10.0.0.1", "10.0.0.0"],
  ["ip saddr 0X10", "ip saddr 0.0.0.16", "0.0.0.16", "0.0.0.10"],
  ["ip saddr 037777777777", "ip saddr 255.255.255.255", "255.255.255.255", "0.0.0.37"],
  ["ip saddr 00", "ip saddr 0.0.0.0", "0.0.0.0", "0.0.0.1"],
  ["ip saddr 4294967295", "ip saddr 255.255.255.255", "255.255.255.255", "255.255.255.254"],
  ["ip saddr 010.0.0.1", "ip saddr 8.0.0.1", "8.0.0.1", "10.0.0.1"],
  ["ip saddr 1.2.3.04", "ip saddr 1.2.3.4", "1.2.3.4", "1.2.3.40"],
  ["ip saddr 65536/16", "ip saddr 0.1.0.0/16", "0.1.255.255", "0.2.0.0"],
  ["ip saddr 0x0a000001/8", "ip saddr 10.0.0.0/8", "10.255.0.1", "11.0.0.0"],
  ["ip saddr 10-20", "ip saddr 0.0.0.10-0.0.0.20", "0.0.0.20", "0.0.0.21"],
  ["ip saddr 65536-70000", "ip saddr 0.1.0.0-0.1.17.112", "0.1.17.112", "0.1.17.113"],
  ["ip saddr { 65536, 10.0.0.1 }", "ip saddr { 0.1.0.0, 10.0.0.1 }", "0.1.0.0", "1.0.0.0"],
  ["ip saddr localhost", "ip saddr 127.0.0.1", "127.0.0.1", "127.0.0.2"],
  ["ip saddr & 0xffffff00 == 0x0a000000", "ip saddr 10.0.0.0/24", "10.0.0.7", "10.0.1.7"],
];

const v4 = (dotted: string) => dotted.split(".").reduce((a, o) => (a << 8n) | BigInt(o), 0n);
const fromSource = (dotted: string) => PacketSet.box({ [Dim.Src]: [[v4(dotted), v4(dotted)]] });

function accepted(text: string) {
  const rs = parseNft(text, "a.nft");
  expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return evaluateRuleset(rs).results.find((r) => r.pipeline.kind === "inbound" && r.pipeline.family === 4)!;
}

describe("nft addresses written as integers and in inet_aton's forms", () => {
  for (const [match, , yes, no] of READINGS) {
    it(`'${match}' accepts ${yes}, not ${no}`, () => {
      const r = accepted(file(match));
      expect(r.certainlyAccepted.overlaps(fromSource(yes))).toBe(true);
      expect(r.possiblyAccepted.overlaps(fromSource(no))).toBe(false);
    });
  }

  it("a host name is left unknown (nft looks it up when it loads the file), not refused", () => {
    const r = accepted(file("ip saddr gw.example.org"));
    expect(r.certainlyAccepted.isEmpty()).toBe(true);
    expect(r.possiblyAccepted.overlaps(fromSource("192.0.2.1"))).toBe(true);
    const rs = parseNft(file("ip6 saddr mail.example.org").replace("table ip t", "table ip6 t"), "a.nft");
    const rule = [...rs.chains.values()].flatMap((c) => c.rules)[0]!;
    expect(JSON.stringify(rule.conditions)).toMatch(/host name nft looks up when it loads the file/);
    expect(rs.diagnostics.map((d) => `${d.severity} ${d.line}:${d.column} ${d.message}`)).toEqual([
      "warning 4:13 'mail.example.org' after 'ip6 saddr' is a host name: nft looks it up when it loads the file (and refuses the file where it does not resolve); fwlint does not resolve names, and leaves what it decides unknown",
    ]);
  });

  fwlintVerdicts([
    { name: "an integer over 32 bits", text: file("ip saddr 4294967296"), refused: /expected an IPv4 address after 'ip saddr', found '4294967296'/, at: "4:12" },
    { name: "an octal part with an 8 (inet_aton refuses 08)", text: file("ip saddr 10.0.0.08"), refused: /found '10.0.0.08'/ },
    { name: "'08' as an integer", text: file("ip saddr 08"), refused: /found '08'/ },
    { name: "three dotted parts", text: file("ip saddr 10.1.2"), refused: /found '10.1.2'/ },
    { name: "an integer as an IPv6 address", text: file("ip6 saddr 1").replace("table ip t", "table ip6 t"), refused: /expected an IPv6 address after 'ip6 saddr', found '1'/ },
    { name: "an integer as an address", text: file("ip saddr 65536") },
    { name: "a host name", text: file("ip saddr gw.example.org") },
  ]);
});

const loaders = withLoaders("nft address values");

describe("nft itself", () => {
  loaders("writes each integer address back as fwlint reads it", (dir) => {
    const wrong: string[] = [];
    for (const [match, listed] of READINGS) {
      const got = nftListing(dir, file(match));
      if (!got.listed?.includes(`${listed} accept`)) wrong.push(`${match}: nft ${got.listed !== undefined ? `lists ${got.listed.match(/ip saddr.*accept/)?.[0]}` : got.says}`);
    }
    expect(wrong).toEqual([]);
  });
});
