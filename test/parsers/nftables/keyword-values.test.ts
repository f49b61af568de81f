/**
 * A keyword written bare where nft wants an address or an interface name: nft refuses it ("syntax
 * error", "datatype mismatch"), but for the few it reads as a plain string (`iifname ether`, or a
 * host name to look up: `ip saddr ip`) and the constants it takes in a set as the integer they are
 * (`ip saddr { 1.1.1.1, tcp }`; one alone nft refuses, fwlint does not tell). fwlint used to take
 * such a word for an interface or host name.
 * Where nft runs here, every keyword is tried in each place (CI: FWLINT_REQUIRE_KERNEL=1): fwlint
 * must never refuse what nft loads, and must refuse all but those.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNftJson } from "../../../parsers/nftables/index.js";
import { NFT_KEYWORDS } from "../../../parsers/nftables/keywords.js";
import { loaderSays, withLoaders } from "../../loaders.js";
import { fwlintVerdicts, nftErrors } from "./nft-cases.js";

const file = (match: string) => `table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\t${match} accept\n\t}\n}\n`;

describe("keywords where a value stands", () => {
  fwlintVerdicts([
    { name: "iifname masquerade", text: file("iifname masquerade"), refused: /'masquerade' after 'iifname' is an nft keyword: nft cannot read it as an interface name \(the file does not load\); quote it/, at: "4:11" },
    { name: "oifname { eth0, counter }", text: file("oifname { eth0, counter }"), refused: /found 'counter'/ },
    { name: "oifname { eth0, hook }", text: file("oifname { eth0, hook }"), refused: /'hook' after 'oifname' is an nft keyword/ },
    { name: "ip saddr mark", text: file("ip saddr mark"), refused: /'mark' after 'ip saddr' is an nft keyword: nft cannot read it as an address/ },
    { name: "ip6 daddr { ::1, hook }", text: file("ip6 daddr { ::1, hook }"), refused: /'hook' after 'ip6 daddr' is an nft keyword/ },
    { name: 'iifname "masquerade" (quoted: a name)', text: file('iifname "masquerade"') },
    { name: "iifname ether (nft reads it as a string)", text: file("iifname ether") },
    { name: "ip saddr { 10.0.0.1, tcp } (the constant 6 as an address)", text: file("ip saddr { 10.0.0.1, tcp }") },
  ]);

  it("in nft JSON a string is a string: an interface named 'log' is no keyword", () => {
    const rule = { family: "inet", table: "t", chain: "c", handle: 2, expr: [{ match: { op: "==", left: { meta: { key: "iifname" } }, right: "log" } }, { accept: null }] };
    const json = { nftables: [{ table: { family: "inet", name: "t", handle: 1 } }, { chain: { family: "inet", table: "t", name: "c", handle: 1, type: "filter", hook: "input", prio: 0, policy: "drop" } }, { rule }] };
    const rs = parseNftJson(JSON.stringify(json), "k.json");
    expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(JSON.stringify([...rs.chains.values()][0]!.rules[0]!.conditions)).toContain('"name":"log"');
  });
});

const loaders = withLoaders("nft keyword values");

describe("the verdicts are nft's", () => {
  loaders(
    `fwlint refuses a keyword where an address or interface name stands only where nft does (${NFT_KEYWORDS.size} keywords, 5 places)`,
    (dir) => {
      const places: [string, string][] = [
        ["ip saddr ", ""],
        ["ip6 daddr ", ""],
        ["iifname ", ""],
        ["ip saddr { 10.0.0.1, ", " }"],
        ["oifname { eth0, ", " }"],
      ];
      const falseErrors: string[] = [];
      let refusedByBoth = 0;
      for (const [before, after] of places) {
        for (const word of NFT_KEYWORDS) {
          const match = `${before}${word}${after}`;
          const text = file(match);
          if (nftErrors(text).length === 0) continue;
          const path = join(dir, "case.nft");
          writeFileSync(path, text);
          if (loaderSays(path).refused) refusedByBoth++;
          else falseErrors.push(match);
        }
      }
      expect(falseErrors).toEqual([]);
      // every keyword but the 8 nft reads as strings, in each place; the 14 constants only alone (3 places)
      expect(refusedByBoth).toBe((NFT_KEYWORDS.size - 8) * places.length - 14 * 2);
    },
    120_000,
  );
});
