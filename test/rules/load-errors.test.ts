/**
 * ruleset-does-not-load (rules/checks/load-errors.ts): an nftables or iptables-save file with an
 * error its loader refuses as a whole is a high finding at the first error, so `check` fails on
 * it; errors that are fwlint's own reading (an include it could not read here) and formats loaded
 * command by command are not.
 */
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../src/engine/check.js";

const RULE = "ruleset-does-not-load";
const found = (path: string, text: string) => analyzeText(path, text).findings.filter((f) => f.ruleId === RULE);

const nft = (elements: string, extra = "") =>
  `table inet t {\n\tset bl {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { ${elements} }\n\t}\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tip saddr @bl drop\n\t\ttcp dport 22 accept\n${extra}\t}\n}\n`;

describe("ruleset-does-not-load", () => {
  it("an nft file nft refuses: one high finding at the first error, counting the others", () => {
    const one = found("rules.nft", nft("198.51.100.0/24, 198.51.100.7"));
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ severity: "high", location: { file: "rules.nft", line: 5, column: 33 } });
    expect(one[0]!.message).toMatch(/^nft -f refuses this file: set bl: element 198\.51\.100\.7 overlaps 198\.51\.100\.0\/24 .*; loading it fails, and the firewall keeps the rules it had$/);
    const three = found("rules.nft", nft("198.51.100.0/24, 198.51.100.7", "\t\tjump nowhere\n\t\tip saddr 10.0.0.300 accept\n"));
    expect(three).toHaveLength(1);
    expect(three[0]!.location.line).toBe(5);
    expect(three[0]!.message).toContain("(and 2 more errors)");
  });

  it("an iptables-save table iptables-restore refuses", () => {
    const f = found("rules.v4", "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j GUARD\nCOMMIT\n");
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/^iptables-restore refuses this file: -j GUARD/);
    expect(found("rules.v4", "*filter\n:INPUT DROP [0:0]\n:GUARD - [0:0]\n-A INPUT -p tcp --dport 22 -j GUARD\nCOMMIT\n")).toEqual([]);
  });

  it("nothing for a file that loads, an include fwlint could not read here, or a script run command by command", () => {
    expect(found("rules.nft", nft("198.51.100.0/24, 203.0.113.7"))).toEqual([]);
    const withIncludes = `include "/nonexistent/extra.nft"\ninclude "missing.nft"\n${nft("203.0.113.7")}`;
    const res = analyzeText("rules.nft", withIncludes);
    expect(res.file.diagnostics.filter((d) => d.severity === "error")).toHaveLength(2);
    expect(res.findings.filter((f) => f.ruleId === RULE)).toEqual([]);
    const script = "#!/bin/sh\niptables -A INPUT -j NOPE\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n";
    const s = analyzeText("fw.sh", script);
    expect(s.file.diagnostics.some((d) => d.severity === "error")).toBe(true);
    expect(s.findings.filter((f) => f.ruleId === RULE)).toEqual([]);
  });
});
