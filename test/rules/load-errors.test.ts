/**
 * ruleset-does-not-load (rules/checks/load-errors.ts): an nftables or iptables-save file with an
 * error its loader refuses as a whole is a high finding at the first error, so `check` fails on
 * it; errors that are fwlint's own reading (an include it could not read here) and formats loaded
 * command by command are not.
 */
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../src/engine/check.js";
import { loadableFixtures } from "../kernel/harness.js";
import { loaderSays, withLoaders } from "../loaders.js";

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
    const three = found("rules.nft", nft("198.51.100.0/24, 198.51.100.7", "\t\tip saddr 10.0.0.300 accept\n\t\ttcp dport 99999 accept\n"));
    expect(three).toHaveLength(1);
    expect(three[0]!.location.line).toBe(5);
    expect(three[0]!.message).toContain("(and 2 more errors)");
  });

  it("an iptables-save table iptables-restore refuses", () => {
    const f = found("rules.v4", "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j ACCEPT\nCOMMIT\n");
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/^iptables-restore refuses this file: too many ports after --dports/);
  });

  it("nothing for names the file uses and does not define: a fragment loaded with others has them", () => {
    // a chain another file of the same load makes; an nft include uses its includer's defines and sets
    for (const [path, text] of [
      ["before.rules", "*filter\n:my-before-input - [0:0]\n-A my-before-input -p icmp -j my-logging-deny\nCOMMIT\n"],
      ["part.nft", "table inet t {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tip saddr $TRUSTED accept\n\t\tip saddr @blocklist drop\n\t\tjump from_elsewhere\n\t}\n}\n"],
    ] as const) {
      const res = analyzeText(path, text);
      expect(res.file.diagnostics.filter((d) => d.severity === "error").length, path).toBeGreaterThan(0);
      expect(res.findings.filter((f) => f.ruleId === RULE), path).toEqual([]);
    }
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

const withLoadersHere = withLoaders("ruleset-does-not-load");

describe("the fixtures of files their loader refuses", () => {
  const refused = loadableFixtures().filter((f) => f.refused);

  it("exist, and fwlint reports each", () => {
    expect(refused.length).toBeGreaterThan(0);
    for (const f of refused) expect(found(f.file, f.text), f.name).toHaveLength(1);
  });

  withLoadersHere("are refused by the loader itself (iptables-restore, nft -f, in a network namespace)", () => {
    for (const f of refused) expect(loaderSays(f.file).refused, `${f.name} loads: fwlint says it does not`).toBe(true);
  });
});
