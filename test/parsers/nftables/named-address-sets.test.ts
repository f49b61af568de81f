/**
 * A named address set is read in one pass over its elements into one range list (mapper.ts
 * setPieces, addrRangesInto), not a piece per element. The condition must be the one the same
 * elements give as an anonymous set (read element by element), in the same order, and a bad
 * element must be reported as it is there.
 */
import { describe, expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import type { Condition, Ruleset } from "../../../src/model/types.js";

const ELEMENTS = "10.0.0.1, 192.0.2.0/24, 198.51.100.7-198.51.100.9, 203.0.113.0/25, 10.0.0.200, 172.16.0.0/12, 10.1.2.3/8, 100.64.0.1 - 100.64.0.3";

const named = (elements: string, type = "ipv4_addr", flags = "flags interval;") =>
  `table inet t {\n set s { type ${type}; ${flags} elements = { ${elements} } }\n chain c {\n  type filter hook input priority 0; policy drop;\n  ip saddr @s accept\n  ip daddr != @s drop\n }\n}\n`;
const anonymous = (elements: string) =>
  `table inet t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  ip saddr { ${elements} } accept\n  ip daddr != { ${elements} } drop\n }\n}\n`;

const conditions = (rs: Ruleset): Condition[][] => rs.chains.get("inet t/c")!.rules.map((r) => r.conditions);

describe("named IPv4 address sets", () => {
  it("give the conditions the same elements give as an anonymous set, in their order", () => {
    // (auto-merge: the elements overlap - 10.0.0.0/8 holds 10.0.0.1 -, which nft refuses in an interval set without it)
    const a = parseNft(named(ELEMENTS, "ipv4_addr", "flags interval; auto-merge;"), "n.nft");
    const b = parseNft(anonymous(ELEMENTS), "a.nft");
    expect(a.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(conditions(a)).toEqual(conditions(b));
    // addresses, prefixes (host bits cleared) and ranges, as listed
    const addr = conditions(a)[0]!.find((c) => c.kind === "addr")!;
    expect(addr).toMatchObject({ kind: "addr", field: "src", family: 4 });
    const ip = (s: string) => s.split(".").reduce((v, o) => (v << 8n) | BigInt(o), 0n);
    expect((addr as Extract<Condition, { kind: "addr" }>).ranges).toEqual([
      { lo: ip("10.0.0.1"), hi: ip("10.0.0.1") },
      { lo: ip("192.0.2.0"), hi: ip("192.0.2.255") },
      { lo: ip("198.51.100.7"), hi: ip("198.51.100.9") },
      { lo: ip("203.0.113.0"), hi: ip("203.0.113.127") },
      { lo: ip("10.0.0.200"), hi: ip("10.0.0.200") },
      { lo: ip("172.16.0.0"), hi: ip("172.31.255.255") },
      { lo: ip("10.0.0.0"), hi: ip("10.255.255.255") },
      { lo: ip("100.64.0.1"), hi: ip("100.64.0.3") },
    ]);
  });

  it("report a bad element where it is, as element-by-element reading does", () => {
    const bad = "10.0.0.1, 10.0.0.256, 192.0.2.0/33, 10.0.0.2";
    const err = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
    const a = err(parseNft(named(bad), "n.nft"));
    expect(a.length).toBeGreaterThan(0);
    expect(a.join("\n")).toContain("10.0.0.256");
    const b = err(parseNft(anonymous(bad), "a.nft"));
    expect(a.filter((m) => m.includes("ip saddr"))).toEqual(b.filter((m) => m.includes("ip saddr")));
    // a prefix longer than an IPv4 address
    const long = err(parseNft(named("10.0.0.1, 192.0.2.0/33"), "n.nft"));
    expect(long.join("\n")).toContain("192.0.2.0/33");
    expect(long).toEqual(err(parseNft(anonymous("10.0.0.1, 192.0.2.0/33"), "a.nft")));
  });
});
