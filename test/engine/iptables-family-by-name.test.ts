/**
 * A hand-written iptables-save file that tells no family in its text (no generator header, no IPv6
 * address or IPv6-only match) is read in the family its name gives: netfilter-persistent loads
 * /etc/iptables/rules.v6 with ip6tables-restore, so an IPv4 address there makes loading fail, and
 * fwlint says so where it used to read the file as IPv4 rules.
 */
import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/engine/check.js";

const TEXT = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 25 -j ACCEPT\nCOMMIT\n";

describe("the iptables family of a file whose text does not tell it", () => {
  it("rules.v6 is read as ip6tables-restore loads it", async () => {
    const r = await analyzeFile("/etc/iptables/rules.v6", TEXT);
    expect(r.file.format).toBe("ip6tables");
    expect(r.file.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "3:13 address '10.0.0.0' is an IPv4 address in an ip6tables (IPv6) rule",
    ]);
    expect(r.findings.map((f) => `${f.location.line} ${f.ruleId}`)).toEqual(expect.arrayContaining(["3 ruleset-does-not-load", "4 exposed-service"]));
    expect(r.findings.find((f) => f.ruleId === "exposed-service")?.exposure?.family).toBe(6);
  });

  it("rules.v4, or a name that says nothing, is IPv4", async () => {
    for (const path of ["/etc/iptables/rules.v4", "firewall.rules"]) {
      const r = await analyzeFile(path, TEXT);
      expect(r.file.format, path).toBe("iptables");
      expect(r.file.diagnostics.filter((d) => d.severity === "error"), path).toEqual([]);
      expect(r.findings.find((f) => f.ruleId === "exposed-service")?.exposure?.family, path).toBe(4);
    }
  });
});
