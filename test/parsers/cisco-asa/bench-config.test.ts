/**
 * The benchmark's ASA config (src/bench/asa.ts) is what issue 5 asks for - 20k ACEs over 2k
 * object-groups nested through group-object - deterministic, and clean for the parser.
 */
import { describe, expect, it } from "vitest";
import { generateAsaConfig, generateAsaFqdnConfig } from "../../../src/bench/asa.js";
import { parseCiscoAsa } from "../../../parsers/cisco-asa/index.js";

describe("benchmark ASA config", () => {
  const cfg = generateAsaConfig({ aces: 20000, groups: 2000 }, 1);
  it("is deterministic for a seed", () => {
    expect(generateAsaConfig({ aces: 500, groups: 100 }, 3).text).toBe(generateAsaConfig({ aces: 500, groups: 100 }, 3).text);
    expect(generateAsaConfig({ aces: 500, groups: 100 }, 3).text).not.toBe(generateAsaConfig({ aces: 500, groups: 100 }, 4).text);
  });
  it("has 20k ACEs and 2k object-groups, nested several levels deep", () => {
    const lines = cfg.text.split("\n");
    expect(lines.filter((l) => / extended (permit|deny) /.test(l)).length).toBe(cfg.aces);
    expect(cfg.aces).toBeGreaterThanOrEqual(20000);
    const groups = new Map<string, string[]>();
    let current: string[] | undefined;
    for (const l of lines) {
      const m = /^object-group \S+ (\S+)/.exec(l);
      if (m) groups.set(m[1]!, (current = []));
      else if (!l.startsWith(" ")) current = undefined;
      else if (current && l.startsWith(" group-object ")) current.push(l.slice(14));
    }
    expect(groups.size).toBe(2000);
    const depth = (g: string, seen = new Set<string>()): number =>
      seen.has(g) ? 0 : 1 + Math.max(0, ...(groups.get(g) ?? []).map((x) => depth(x, new Set([...seen, g]))));
    expect(Math.max(...[...groups.keys()].map((g) => depth(g)))).toBeGreaterThanOrEqual(3);
  });
  it("parses without errors or warnings", () => {
    const rs = parseCiscoAsa(cfg.text, "bench.cfg");
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(rs.ruleCount).toBe(cfg.aces);
    expect(rs.chains.get("access-list/OUTSIDE_IN")!.rules.length).toBeGreaterThan(9000);
  }, 60_000); // 2.5 MB of config: about a second, several on a loaded CI machine
});

describe("benchmark ASA config with fqdn objects", () => {
  const cfg = generateAsaFqdnConfig(300, 1);
  it("parses clean, each entry a known part and an fqdn part", () => {
    const rs = parseCiscoAsa(cfg.text, "fqdn.cfg");
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(cfg.aces).toBe(301);
    const acl = rs.chains.get("access-list/OUTSIDE_IN")!.rules;
    // 300 entries split in two (the group's hosts, then its fqdn object), and the final deny
    expect(acl.length).toBe(601);
    const unknowns = acl.filter((r) => JSON.stringify(r.conditions, (_k, v) => (typeof v === "bigint" ? String(v) : v)).includes('"unknown"'));
    expect(unknowns.length).toBe(300);
  });
});
