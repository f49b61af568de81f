import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  loadBuiltinCatalog,
  loadBuiltinRules,
  loadRulePack,
  loadServiceCatalog,
  packageRoot,
  PROTOCOL_NUMBERS,
  RulePackError,
  type Service,
} from "../../src/engine/rule-pack.js";
import { SEVERITIES } from "../../src/model/finding.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-rule-pack-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fileNo = 0;
function write(text: string, name = `pack${++fileNo}.yaml`): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

/** The error message thrown by `fn`, failing if it does not throw a RulePackError. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RulePackError);
    return (e as Error).message;
  }
  throw new Error("expected a RulePackError, nothing was thrown");
}

const DOCS = `    docs:
      what: w
      why: y
      example: e
      fix: f
`;
function rule(id: string, extra = "", check = "shadowed-rule", severity = "low"): string {
  return `  - id: ${id}
    name: N
    severity: ${severity}
    check: ${check}
    summary: S
${DOCS}${extra}`;
}

describe("built-in rule pack", () => {
  const pack = loadBuiltinRules();

  it("has the built-in rules with their checks and severities", () => {
    expect(pack.rules.map((r) => [r.id, r.check, r.severity, r.enabled])).toEqual([
      ["exposed-service", "exposure", "high", true],
      ["default-accept-policy", "default-policy", "medium", true],
      ["shadowed-rule", "shadowed-rule", "low", true],
      ["redundant-rule", "anomaly", "low", true],
      ["correlated-rules", "anomaly", "info", true],
      ["rule-generalization", "anomaly", "info", true],
      ["unreachable-chain", "anomaly", "low", true],
      ["missing-jump-target", "anomaly", "high", true],
      ["ruleset-does-not-load", "load-errors", "high", true],
      ["rule-after-catch-all", "anomaly", "low", true],
      ["ipv6-parity", "ipv6-parity", "medium", true],
      ["outbound-smtp-open", "outbound-smtp-open", "medium", true],
      ["any-to-any-accept", "any-to-any-accept", "high", true],
      ["broad-source-range", "broad-source-range", "low", true],
      ["icmp-fully-open", "icmp-fully-open", "low", true],
      ["nat-port-forward-exposure", "nat-port-forward-exposure", "high", true],
    ]);
    expect(pack.file).toBe(join(packageRoot(), "rules", "builtin.yaml"));
  });

  it("gives the exposure rule its params and every rule full docs and a source line", () => {
    const exposure = pack.rules.find((r) => r.check === "exposure");
    expect(exposure?.check === "exposure" && exposure.params).toEqual({ threshold: 0.5, directions: ["inbound", "forward"] });
    for (const r of pack.rules) {
      for (const section of ["what", "why", "example", "fix"] as const) {
        expect(r.docs[section].trim().length, `${r.id} docs.${section}`).toBeGreaterThan(40);
      }
      expect(r.summary).not.toContain("\n");
      expect(r.source.line).toBeGreaterThan(1);
    }
  });

  it("documents that shadowed-rule names every covering rule and flags a different action", () => {
    const what = pack.rules.find((r) => r.id === "shadowed-rule")!.docs.what;
    expect(what).toMatch(/names every earlier rule/);
    expect(what).toMatch(/different action/);
  });

  it("uses the same severities as the model", () => {
    const schema = JSON.parse(readFileSync(join(packageRoot(), "rules/schema/rule-pack.schema.json"), "utf8")) as {
      definitions: { severity: { enum: string[] } };
    };
    expect(schema.definitions.severity.enum).toEqual(SEVERITIES);
  });
});

describe("built-in service catalog", () => {
  const catalog = loadBuiltinCatalog();
  const svc = (id: string): Service => {
    const s = catalog.byId.get(id);
    if (!s) throw new Error(`no service ${id}`);
    return s;
  };

  it("loads, with unique ids", () => {
    expect(catalog.services.length).toBeGreaterThanOrEqual(90);
    expect(catalog.byId.size).toBe(catalog.services.length);
  });

  it("has the hand-checked entries", () => {
    expect(svc("smtp")).toMatchObject({ name: "SMTP", protocols: [6], ports: [[25, 25]], severity: "high" });
    expect(svc("ntp")).toMatchObject({ protocols: [17], ports: [[123, 123]] });
    expect(svc("every-port")).toMatchObject({ protocols: "any", protocolNames: ["any"], ports: [[0, 65535]], severity: "critical" });
    expect(svc("etcd")).toMatchObject({ protocols: [6], ports: [[2379, 2380]], severity: "high" });
    expect(svc("kubelet")).toMatchObject({ protocols: [6], ports: [[10250, 10250]], severity: "high" });
    expect(svc("dns").protocols).toEqual([6, 17]);
    expect(svc("memcached")).toMatchObject({ protocols: [6, 17], severity: "high" });
    expect(svc("http").severity).toBe("info");
    expect(svc("https").severity).toBe("info");
    for (const id of ["ssh", "rdp", "telnet", "mysql", "postgresql", "mssql", "redis", "mongodb", "docker", "kubernetes-api", "smb", "vnc", "x11", "winrm"]) {
      expect(svc(id).severity, id).toBe("high");
    }
  });

  it("covers every row of ../shared/docs/sensitive-services.md", () => {
    const doc = join(packageRoot(), "..", "shared", "docs", "sensitive-services.md");
    if (!existsSync(doc)) {
      if (process.env.FWLINT_REQUIRE_SHARED === "1") throw new Error(`FWLINT_REQUIRE_SHARED=1 but ${doc} is missing`);
      console.warn(`SKIPPED: ${doc} not found; the catalog is not checked against it (set FWLINT_REQUIRE_SHARED=1 to fail)`);
      return;
    }
    const rows: { port: string; protocol: string; service: string }[] = [];
    for (const line of readFileSync(doc, "utf8").split("\n")) {
      const m = /^\|\s*(\d+(?:-\d+)?)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|/.exec(line);
      if (m) rows.push({ port: m[1]!, protocol: m[2]!, service: m[3]! });
    }
    expect(rows.length).toBeGreaterThanOrEqual(100);

    const covers = (s: Service, proto: number | "any", lo: number, hi: number): boolean =>
      (proto === "any" ? s.protocols === "any" : s.protocols !== "any" && s.protocols.includes(proto)) &&
      s.ports.some(([a, b]) => a <= lo && hi <= b);
    const missing: string[] = [];
    for (const row of rows) {
      const [lo, hi = lo] = row.port.split("-").map(Number) as [number, number?];
      const names = [...new Set(row.protocol.toLowerCase().match(/\b(tcp|udp|sctp|any)\b/g) ?? [])];
      expect(names.length, `protocol of ${row.port} ${row.service}`).toBeGreaterThan(0);
      for (const name of names) {
        const proto = name === "any" ? "any" : PROTOCOL_NUMBERS[name as "tcp" | "udp" | "sctp"];
        if (!catalog.services.some((s) => covers(s, proto, lo, hi))) missing.push(`${name}/${row.port} (${row.service})`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe("rule pack errors", () => {
  it("reports a bad enum value with file:line:column and field path", () => {
    const file = write(`rules:\n${rule("a")}${rule("b")}${rule("c", "", "shadowed-rule", "severe")}`);
    // Each rule() is 10 lines: rules[2] starts on line 22, its severity is on line 24.
    expect(errorOf(() => loadRulePack(file))).toBe(
      `${file}:24:15: rules[2].severity: must be one of critical, high, medium, low, info`,
    );
  });

  it("points at the key of an unknown field", () => {
    const file = write(`rules:\n${rule("a")}      extra: nope\n`);
    expect(errorOf(() => loadRulePack(file))).toBe(
      `${file}:12:7: rules[0].docs.extra: unknown field; expected one of what, why, example, fix`,
    );
  });

  it("points at the mapping that lacks a required field", () => {
    const file = write(`rules:\n  - id: a\n    name: N\n    severity: low\n    check: shadowed-rule\n${DOCS}`);
    expect(errorOf(() => loadRulePack(file))).toBe(`${file}:2:5: rules[0].summary: required field is missing`);
  });

  it("checks params against the rule's check", () => {
    const bad = write(`rules:\n${rule("a", "    params:\n      threshold: 1.5\n      directions: [inbound, sideways]\n", "exposure")}`);
    expect(errorOf(() => loadRulePack(bad))).toBe(
      [
        `${bad}:13:18: rules[0].params.threshold: must be <= 1`,
        `${bad}:14:29: rules[0].params.directions[1]: must be one of inbound, forward, outbound`,
      ].join("\n"),
    );
    const noParams = write(`rules:\n${rule("a", "    params: { threshold: 0.2 }\n")}`);
    expect(errorOf(() => loadRulePack(noParams))).toBe(
      `${noParams}:12:15: rules[0].params.threshold: unknown field; no fields are allowed here`,
    );
    const ok = loadRulePack(write(`rules:\n${rule("a", "    params: { threshold: 0.9 }\n    enabled: false\n", "exposure")}`));
    expect(ok.rules[0]).toMatchObject({ params: { threshold: 0.9, directions: ["inbound", "forward"] }, enabled: false });
  });

  it("reports wrong types, non-kebab ids and unknown checks", () => {
    const file = write(`rules:\n${rule("Bad_Id", "", "port-scan")}`.replace("summary: S", "summary: [S]"));
    expect(errorOf(() => loadRulePack(file))).toBe(
      [
        `${file}:2:9: rules[0].id: must be kebab-case (lowercase letters and digits separated by single hyphens, e.g. exposed-service)`,
        `${file}:5:12: rules[0].check: must be one of exposure, default-policy, shadowed-rule, anomaly, any-to-any-accept, icmp-fully-open, outbound-smtp-open, broad-source-range, nat-port-forward-exposure, ipv6-parity, reachability, load-errors`,
        `${file}:6:14: rules[0].summary: must be a string`,
      ].join("\n"),
    );
    expect(errorOf(() => loadRulePack(write("rules: []\n")))).toMatch(/:1:8: rules: must have at least 1 item$/);
    expect(errorOf(() => loadRulePack(write("")))).toMatch(/:1:1: must be a mapping \(key: value\)$/);
  });

  it("reports YAML syntax errors with line and column", () => {
    const file = write(`rules:\n  - id: a\n    name: [unclosed\n`);
    expect(errorOf(() => loadRulePack(file))).toMatch(new RegExp(`^${escape(file)}:\\d+:\\d+: YAML syntax error: `));
    const dup = write(`rules:\n  - id: a\n    id: b\n`);
    expect(errorOf(() => loadRulePack(dup))).toBe(`${dup}:3:5: YAML syntax error: Map keys must be unique`);
  });

  it("rejects duplicate rule ids, naming the first definition", () => {
    const file = write(`rules:\n${rule("same")}${rule("other")}${rule("same")}`);
    expect(errorOf(() => loadRulePack(file))).toBe(
      `${file}:22:9: rules[2].id: duplicate rule id "same" (first defined at ${file}:2:5)`,
    );
  });

  it("compiles each schema once per process", () => {
    loadBuiltinRules();
    loadBuiltinCatalog();
    const compile = vi.spyOn(Ajv.prototype, "compile");
    try {
      loadBuiltinRules();
      loadBuiltinCatalog();
      expect(() => loadRulePack(write("rules: 1\n"))).toThrow(RulePackError);
      expect(compile).not.toHaveBeenCalled();
    } finally {
      compile.mockRestore();
    }
  });

  it("reports a missing file", () => {
    expect(errorOf(() => loadRulePack(join(tmp, "absent.yaml")))).toMatch(/absent\.yaml:1:1: cannot read file/);
  });
});

describe("service catalog errors", () => {
  it("rejects ports above 65535, empty ranges, bad specs and duplicate ids", () => {
    const file = write(
      [
        "services:",
        '  - { id: a, name: A, protocols: [tcp], ports: ["70000"], severity: high }',
        '  - { id: b, name: B, protocols: [udp], ports: ["10-5", 8], severity: high }',
        '  - { id: a, name: A2, protocols: [tcp], ports: ["1"], severity: low }',
        "",
      ].join("\n"),
    );
    expect(errorOf(() => loadServiceCatalog(file))).toBe(
      [
        `${file}:2:49: services[0].ports[0]: port 70000 is above 65535`,
        `${file}:3:49: services[1].ports[0]: port range 10-5 is empty (low end above high end)`,
        `${file}:4:11: services[2].id: duplicate service id "a" (first defined at ${file}:2:5)`,
      ].join("\n"),
    );
    const schemaBad = write(
      'services:\n  - { id: c, name: C, protocols: [icmp], ports: ["1:2"], severity: high, note: x }\n',
    );
    expect(errorOf(() => loadServiceCatalog(schemaBad))).toBe(
      [
        `${schemaBad}:2:35: services[0].protocols[0]: must be one of tcp, udp, sctp, any`,
        `${schemaBad}:2:50: services[0].ports[0]: must be a port "N" or a port range "N-M"`,
        `${schemaBad}:2:74: services[0].note: unknown field; expected one of id, name, protocols, ports, severity`,
      ].join("\n"),
    );
  });

  it("accepts integer ports and parses protocols to numbers", () => {
    const file = write('services:\n  - { id: s, name: S, protocols: [sctp, udp], ports: [3868, "5060-5061"], severity: medium }\n');
    expect(loadServiceCatalog(file).services[0]).toMatchObject({
      protocols: [132, 17],
      protocolNames: ["sctp", "udp"],
      ports: [
        [3868, 3868],
        [5060, 5061],
      ],
      source: { file, line: 2, column: 5 },
    });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
