/**
 * The deferred lookahead (parsers/lookahead.ts): a production's function is built at its first
 * use, takes its stand-in's place in the parser's table, and decides as chevrotain's own does.
 */
import { describe, expect, it } from "vitest";
import { nftTextParser } from "../../parsers/nftables/text-parser.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { IptablesLineParser, lineParser } from "../../parsers/iptables/parser.js";
import { parseIptablesSave } from "../../parsers/iptables/index.js";

type Table = Map<unknown, (...a: never[]) => unknown>;
const standIns = (t: Table) => [...t.values()].filter((f) => f.name === "standIn").length;

describe("lazy lookahead", () => {
  it("builds only what a file uses, and puts the built function in the parser's table", () => {
    const table = (nftTextParser() as unknown as { lookAheadFuncsCache: Table }).lookAheadFuncsCache;
    expect(table).toBeInstanceOf(Map);
    const before = standIns(table);
    const rs = parseNft("table inet f {\n chain input {\n  type filter hook input priority filter; policy drop;\n  tcp dport { 22, 80 } accept\n }\n}\n", "t.nft");
    expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(rs.ruleCount).toBe(1);
    const after = standIns(table);
    expect(after).toBeLessThan(before);
    expect(after).toBeGreaterThan(table.size / 2); // most of the grammar is not used by this file
  });

  // The tool's iptables parser skips chevrotain's grammar checks: they run here.
  it("the iptables grammar passes chevrotain's checks, and the deferred parser reads a file as before", () => {
    expect(() => new IptablesLineParser({ validate: true })).not.toThrow();
    const table = (lineParser as unknown as { lookAheadFuncsCache: Table }).lookAheadFuncsCache;
    const rs = parseIptablesSave("*filter\n:INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT ! -i lo -m conntrack --ctstate NEW -j DROP\nCOMMIT\n", "r.rules");
    expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(rs.ruleCount).toBe(2);
    expect(standIns(table)).toBeLessThan(table.size);
  });
});
