import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigResolver, findConfig, internetInterfacesFor, loadConfig, matchGlob, optionsFromConfig } from "../../src/engine/config.js";
import { RulePackError } from "../../src/engine/rule-pack.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-config-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function write(text: string, name = `c${n++}.yaml`): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}
function errorOf(file: string): RulePackError {
  try {
    loadConfig(file);
  } catch (err) {
    if (err instanceof RulePackError) return err;
    throw err;
  }
  throw new Error("expected a RulePackError");
}

describe("loadConfig", () => {
  it("reads every setting", () => {
    const file = write(
      [
        "internet:",
        '  - files: "*.rules"',
        "    interfaces: [eth0, ppp+]",
        "severity:",
        "  exposed-service: low",
        "rules:",
        "  shadowed-rule: false",
        "threshold: 0.25",
        "failOn: medium",
        "services:",
        "  - { id: my-app, name: My app, protocols: [tcp], ports: ['8000-8010'], severity: high }",
        "intent:",
        "  - protocol: tcp",
        '    ports: "25"',
        "    to: 10.0.0.25/32",
        "    from: any",
        "    reason: our MX",
        "  - service: my-app",
        "    from: [198.51.100.0/24, 2001:db8::/32]",
        "    reason: partner",
        "",
      ].join("\n"),
    );
    const c = loadConfig(file);
    expect(c.internet).toEqual([{ files: "*.rules", interfaces: [{ name: "eth0", prefix: false }, { name: "ppp", prefix: true }] }]);
    expect(c.severity).toEqual({ "exposed-service": "low" });
    expect(c.rules).toEqual({ "shadowed-rule": false });
    expect(c.threshold).toBe(0.25);
    expect(c.failOn).toBe("medium");
    expect(c.services?.[0]).toMatchObject({ id: "my-app", protocols: [6], ports: [[8000, 8010]], severity: "high" });
    expect(c.intent?.[0]).toMatchObject({ protocols: [6], ports: [[25, 25]], to: [{ family: 4, lo: 0x0a000019n, hi: 0x0a000019n }], reason: "our MX" });
    expect(c.intent?.[0]?.from).toBeUndefined();
    expect(c.intent?.[1]).toMatchObject({ protocols: [6], ports: [[8000, 8010]], reason: "partner" });
    expect(c.intent?.[1]?.from?.map((b) => b.family)).toEqual([4, 6]);
    expect(c.intent?.[1]?.source).toEqual({ file, line: 18, column: 5 });
  });

  it("accepts an empty file and resolves catalog services", () => {
    expect(loadConfig(write(""))).toEqual({ file: join(tmp, `c${n - 1}.yaml`) });
    const c = loadConfig(write("intent:\n  - service: smtp\n    reason: mail\n"));
    expect(c.intent?.[0]).toMatchObject({ protocols: [6], ports: [[25, 25]] });
  });

  it("takes ansibleVars as they are: extra variables for Ansible playbooks and templates, handed to the check", () => {
    const c = loadConfig(write("ansibleVars:\n  ansible_default_ipv4: { interface: ens3 }\n  smtp_ports: [25, 587]\n"));
    expect(c.ansibleVars).toEqual({ ansible_default_ipv4: { interface: "ens3" }, smtp_ports: [25, 587] });
    expect(optionsFromConfig(c, "rules.v4.j2", {})).toMatchObject({ ansibleVars: { smtp_ports: [25, 587] } });
    expect(errorOf(write("ansibleVars: [a]\n")).message).toMatch(/:1:14: ansibleVars: must be a mapping \(key: value\)$/);
  });

  it("takes ansibleHostVars: each inventory host's variables, as its facts stand, handed to the check", () => {
    const c = loadConfig(write("ansibleHostVars:\n  db1.example.net: { ansible_default_ipv4: { address: 10.0.0.11 } }\n"));
    expect(c.ansibleHostVars).toEqual({ "db1.example.net": { ansible_default_ipv4: { address: "10.0.0.11" } } });
    expect(optionsFromConfig(c, "rules.v4.j2", {})).toMatchObject({ ansibleHostVars: { "db1.example.net": { ansible_default_ipv4: { address: "10.0.0.11" } } } });
    expect(errorOf(write("ansibleHostVars:\n  db1: 5\n")).message).toMatch(/:2:8: ansibleHostVars\.db1: must be a mapping \(key: value\)$/);
  });

  it("names file, line, column and field for schema errors", () => {
    const file = write(["severity:", "  exposed-service: huge", "threshold: 2", "colour: red", "intent:", "  - protocol: tcp", "    ports: '25'", ""].join("\n"));
    const e = errorOf(file);
    expect(e.message.split("\n")).toEqual([
      `${file}:2:20: severity.exposed-service: must be one of critical, high, medium, low, info`,
      `${file}:3:12: threshold: must be <= 1`,
      `${file}:4:1: colour: unknown field; expected one of internet, severity, rules, threshold, failOn, services, rulePacks, intent, ansibleVars, ansibleHostVars`,
      `${file}:6:5: intent[0].reason: required field is missing`,
    ]);
  });

  it("reports bad ports, addresses and services at their node", () => {
    const schemaErrors = write(
      ["intent:", "  - { protocol: tcp, ports: [25, 99999], reason: x }", "  - { protocol: tcp, ports: {a: 1}, reason: x }", ""].join("\n"),
    );
    expect(errorOf(schemaErrors).message.split("\n")).toEqual([
      `${schemaErrors}:2:34: intent[0].ports[1]: must be <= 65535`,
      `${schemaErrors}:3:29: intent[1].ports: must be a port "N", a range "N-M", or a list of them`,
    ]);
    // The checks beyond the schema run once it passes.
    const file = write(
      [
        "intent:",
        "  - { protocol: tcp, ports: '30-20', reason: x }",
        "  - { protocol: udp, to: 10.0.0.999/32, reason: x }",
        "  - { service: nope, reason: x }",
        "  - { ports: '25', reason: x }",
        "  - { service: smtp, protocol: tcp, reason: x }",
        "",
      ].join("\n"),
    );
    expect(errorOf(file).message.split("\n")).toEqual([
      `${file}:2:29: intent[0].ports: port range 30-20 is empty (low end above high end)`,
      `${file}:3:26: intent[1].to: '10.0.0.999/32' is not an IPv4 address`,
      `${file}:4:16: intent[2].service: unknown service 'nope' (not in the catalog or this file's services)`,
      `${file}:5:5: intent[3].protocol: required field is missing (or give service)`,
      `${file}:6:16: intent[4].service: give either service or protocol and ports, not both`,
    ]);
  });

  it("reports YAML syntax errors with a position", () => {
    const file = write("severity: [a\n");
    expect(errorOf(file).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: YAML syntax error`));
  });
});

describe("finding the configuration", () => {
  it("walks up from the scanned path and stops at the repository root", () => {
    const repo = join(tmp, "repo");
    mkdirSync(join(repo, ".git"), { recursive: true });
    mkdirSync(join(repo, "fw", "edge"), { recursive: true });
    writeFileSync(join(repo, "fw", "edge", "a.rules"), "");
    expect(findConfig(join(repo, "fw", "edge", "a.rules"))).toBeUndefined();
    // Above the repository: not used.
    writeFileSync(join(tmp, ".fwlint.yaml"), "threshold: 0.1\n");
    expect(findConfig(join(repo, "fw", "edge"))).toBeUndefined();
    writeFileSync(join(repo, ".fwlint.yaml"), "threshold: 0.2\n");
    expect(findConfig(join(repo, "fw", "edge", "a.rules"))).toBe(join(repo, ".fwlint.yaml"));
    writeFileSync(join(repo, "fw", ".fwlint.yaml"), "threshold: 0.3\n");
    expect(findConfig(join(repo, "fw", "edge"))).toBe(join(repo, "fw", ".fwlint.yaml"));
    expect(new ConfigResolver().configFor(join(repo, "fw", "edge", "a.rules"))?.threshold).toBe(0.3);
    expect(new ConfigResolver(join(repo, ".fwlint.yaml")).configFor(join(repo, "fw", "edge", "a.rules"))?.threshold).toBe(0.2);
    rmSync(join(tmp, ".fwlint.yaml"));
  });
});

describe("applying", () => {
  it("matches file globs", () => {
    expect(matchGlob("*.rules", "/etc/fw/edge.rules")).toBe(true);
    expect(matchGlob("*.rules", "edge.rules.bak")).toBe(false);
    expect(matchGlob("fw/*.rules", "repo/fw/a.rules")).toBe(true);
    expect(matchGlob("fw/*.rules", "repo/fw/x/a.rules")).toBe(false);
    expect(matchGlob("fw/**/*.rules", "fw/x/y/a.rules")).toBe(true);
    expect(matchGlob("edge?.v4", "edge1.v4")).toBe(true);
  });

  it("gives interfaces per file and lets the command line win", () => {
    const c = loadConfig(write('threshold: 0.3\ninternet:\n  - {files: "edge*", interfaces: [ppp+]}\n  - {files: "*", interfaces: [eth0]}\n'));
    expect(internetInterfacesFor(c, "x/edge.v4")).toEqual([{ name: "ppp", prefix: true }]);
    expect(internetInterfacesFor(c, "core.v4")).toEqual([{ name: "eth0", prefix: false }]);
    expect(optionsFromConfig(c, "core.v4", {})).toMatchObject({ threshold: 0.3, internetInterfaces: [{ name: "eth0", prefix: false }] });
    expect(optionsFromConfig(c, "core.v4", { threshold: 0.9 }).threshold).toBe(0.9);
    expect(optionsFromConfig(undefined, "core.v4", { threshold: 0.9 })).toEqual({ threshold: 0.9 });
  });
});
