/**
 * The deferred lookahead (parsers/lookahead.ts): a production's function is built at its first
 * use, takes its stand-in's place in the parser's table, and decides as chevrotain's own does.
 */
import { describe, expect, it } from "vitest";
import { nftTextParser } from "../../parsers/nftables/text-parser.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { IptablesLineParser, lineParser } from "../../parsers/iptables/parser.js";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { lineLexer, NON_BLANK } from "../../parsers/iptables/tokens.js";

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

// The Word token's first-character hint lists one code unit per chevrotain bucket above 255, not
// all of them: a word may still start with any code unit but a blank.
describe("iptables words start with any code unit but a blank", () => {
  it("the hint covers every bucket chevrotain files a code unit under", () => {
    const bucket = (c: number) => (c < 256 ? c : 255 + Math.floor(c / 255));
    const hinted = new Set(NON_BLANK.map(bucket));
    const wanted = new Set<number>();
    for (let c = 0; c < 65536; c++) if (c !== 32 && c !== 9) wanted.add(bucket(c));
    expect([...wanted].filter((b) => !hinted.has(b))).toEqual([]);
    expect(NON_BLANK.length).toBeLessThan(600);
  });

  it("lexes words that start with letters of other scripts, emoji and the last code unit", () => {
    for (const first of ["é", "Ω", "中", "😀", "\uffff", "\u0100", "\u01fe"]) {
      const { tokens, errors } = lineLexer.tokenize(`-A INPUT -m comment --comment ${first}x -j ACCEPT`);
      expect(errors).toEqual([]);
      expect(tokens.map((t) => t.image)).toContain(`${first}x`);
    }
  });
});
