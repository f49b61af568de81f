import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runChecks } from "../../src/engine/check.js";
import { loadRulePack, loadUserRules, RulePackError, type RuleDefinition } from "../../src/engine/rule-pack.js";
import { filter, lines } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "fwlint-reach-"));
let n = 0;
function pack(text: string): string {
  const file = join(dir, `pack${n++}.yaml`);
  writeFileSync(file, text);
  return file;
}
const DOCS = `    docs:
      what: Reports the database reachable from the office VPN range.
      why: Only the application servers should talk to it.
      example: "-A INPUT -s 198.51.100.0/24 -p tcp --dport 5432 -j ACCEPT"
      fix: Drop it.
`;
function rule(id: string, params: string, severity = "critical"): string {
  return `rules:
  - id: ${id}
    name: Custom reachability rule
    severity: ${severity}
    check: reachability
    summary: Database reachable from the office VPN range
${DOCS}    params:
${params.replace(/^/gm, "      ")}
`;
}
const load = (text: string): RuleDefinition[] => loadUserRules([pack(text)]);
/** Findings of the user rules only. */
function run(extra: RuleDefinition[], body: string, options = {}) {
  const ids = new Set(extra.map((r) => r.id));
  return runChecks(filter(body), { ...options, extraRules: extra }).findings.filter((f) => ids.has(f.ruleId));
}

const PG_FROM_OFFICE = rule("pg-from-office", "to: { services: [postgresql] }\nfrom: { sources: [198.51.100.0/24] }\ndirections: [inbound]");

describe("reachability", () => {
  it("reports PostgreSQL reachable from 198.51.100.0/24 inbound, with the rule's severity, witness, trace and location", () => {
    const rules = load(PG_FROM_OFFICE);
    const fs = run(rules, "-A INPUT -s 198.51.100.0/24 -p tcp --dport 5432 -j ACCEPT\n");
    expect(fs).toHaveLength(1);
    const f = fs[0]!;
    expect(f.severity).toBe("critical");
    expect(f.message).toMatch(/^Database reachable from the office VPN range: PostgreSQL/);
    expect(f.message).toMatch(/198\.51\.100\.0\/24 on the inbound path/);
    expect(f.location.line).toBe(5);
    expect(f.witness?.src).toMatch(/^198\.51\.100\./);
    expect(f.witness?.dport).toBe(5432);
    expect(f.trace?.length).toBeGreaterThan(0);
    expect(f.exposure?.service).toBe("postgresql");
  });

  it("is quiet when the sources cannot reach it (other sources, other port, other direction)", () => {
    const rules = load(PG_FROM_OFFICE);
    expect(run(rules, "-A INPUT -s 192.0.2.0/24 -p tcp --dport 5432 -j ACCEPT\n")).toEqual([]);
    expect(run(rules, "-A INPUT -s 198.51.100.0/24 -p tcp --dport 22 -j ACCEPT\n")).toEqual([]);
    expect(run(rules, "-A FORWARD -s 198.51.100.0/24 -p tcp --dport 5432 -j ACCEPT\n")).toEqual([]);
    expect(run(rules, "-A INPUT -s 198.51.100.0/24 -p tcp --dport 5432 -j DROP\n-A INPUT -p tcp --dport 5432 -j ACCEPT\n")).toEqual([]);
  });

  it("fires when part of the range is reached, even through a wider rule", () => {
    const rules = load(PG_FROM_OFFICE);
    expect(lines(run(rules, "-A INPUT -s 198.51.100.128/25 -p tcp --dport 5000:6000 -j ACCEPT\n"))).toEqual([5]);
    expect(lines(run(rules, "-A INPUT -p tcp -j ACCEPT\n"))).toEqual([5]);
  });

  it("protocol and ports, destinations", () => {
    const rules = load(rule("smtp-to-mx", 'message: SMTP to the MX\nto: { protocol: tcp, ports: ["25", "587"], destinations: [10.0.0.25] }\nfrom: { sources: [0.0.0.0/0] }', "high"));
    expect(run(rules, "-A FORWARD -d 10.0.0.25 -p tcp --dport 587 -j ACCEPT\n", {}).map((f) => f.message)).toEqual([
      "SMTP to the MX: tcp/25,587 is reachable from 0.0.0.0/0 on the forward path",
    ]);
    expect(run(rules, "-A FORWARD -d 10.0.0.26 -p tcp --dport 587 -j ACCEPT\n")).toEqual([]);
  });

  it("from: any counts coverage above minCoverage", () => {
    const half = load(rule("ssh-any", "to: { services: [ssh] }\nfrom: any\nminCoverage: 0.1"));
    expect(run(half, "-A INPUT -s 11.0.0.0/8 -p tcp --dport 22 -j ACCEPT\n")).toEqual([]); // ~0.4%
    expect(run(half, "-A INPUT -s 0.0.0.0/1 -p tcp --dport 22 -j ACCEPT\n")).toHaveLength(1);
    const tiny = load(rule("ssh-any-tiny", "to: { services: [ssh] }\nfrom: any\nminCoverage: 0.001"));
    expect(run(tiny, "-A INPUT -s 11.0.0.0/8 -p tcp --dport 22 -j ACCEPT\n")).toHaveLength(1);
    // Default: the exposure threshold (0.5), which --threshold changes.
    const dflt = load(rule("ssh-any-default", "to: { services: [ssh] }\nfrom: any"));
    expect(run(dflt, "-A INPUT -s 0.0.0.0/2 -p tcp --dport 22 -j ACCEPT\n")).toEqual([]);
    expect(run(dflt, "-A INPUT -s 0.0.0.0/2 -p tcp --dport 22 -j ACCEPT\n", { threshold: 0.1 })).toHaveLength(1);
  });

  it("from: any follows the Internet-facing interfaces like exposed-service", () => {
    const rules = load(rule("ssh-any-if", "to: { services: [ssh] }\nfrom: any"));
    const body = "-A INPUT -i eth1 -p tcp --dport 22 -j ACCEPT\n";
    expect(run(rules, body)).toHaveLength(1);
    expect(run(rules, body, { internetInterfaces: [{ name: "eth0", prefix: false }] })).toEqual([]);
  });

  it("interfaces restrict where the packets arrive (eth+ is a prefix)", () => {
    const rules = load(rule("pg-from-wan", "to: { services: [postgresql] }\nfrom: { sources: [198.51.100.0/24], interfaces: [wan+] }"));
    expect(run(rules, "-A INPUT -i lan0 -p tcp --dport 5432 -j ACCEPT\n")).toEqual([]);
    const fs = run(rules, "-A INPUT -i wan1 -p tcp --dport 5432 -j ACCEPT\n");
    expect(fs).toHaveLength(1);
    expect(fs[0]!.witness?.iif).toBe("wan1");
  });

  it("a bad pack gives positioned errors", () => {
    const file = pack(rule("bad", "to: { services: [postgresql], ports: 99999 }\nfrom: { sources: [198.51.100.0/33] }\nminCoverage: 0.2\ndirections: [sideways]"));
    let err: unknown;
    try {
      loadRulePack(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RulePackError);
    const msg = (err as Error).message;
    expect(msg).toContain(`${file}:13:44: rules[0].params.to.ports: must be <= 65535`);
    expect(msg).toContain(`${file}:16:20: rules[0].params.directions[0]: must be one of inbound, forward, outbound`);
    const file2 = pack(rule("bad", "to: { services: [nosuch], protocol: any, ports: 25 }\nfrom: { sources: [198.51.100.0/33] }\nminCoverage: 0.2"));
    const msg2 = (() => {
      try {
        loadRulePack(file2);
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(msg2).toContain(`${file2}:13:24: rules[0].params.to.services[0]: unknown service 'nosuch'`);
    expect(msg2).toContain("rules[0].params.to.ports: protocol \"any\" has no ports");
    expect(msg2).toContain(`${file2}:14:25: rules[0].params.from.sources[0]: prefix length /33 is out of range for IPv4`);
    expect(msg2).toContain("rules[0].params.minCoverage: minCoverage applies only to sources \"any\"");
  });

  it("a user rule id that the built-in pack has is an error", () => {
    expect(() => load(rule("exposed-service", "to: { services: [ssh] }"))).toThrow(/duplicate rule id "exposed-service" \(already defined at .*builtin\.yaml:\d+:\d+\)/);
  });
});
