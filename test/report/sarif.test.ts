/**
 * SARIF reporter: the output for real findings (every fixtures/iptables/*.rules file, built-in rules)
 * validates against the OASIS SARIF 2.1.0 JSON Schema (draft-07, shipped here as
 * sarif-schema-2.1.0.json, taken from the npm package @datadog/datadog-ci@2.44.0,
 * dist/commands/sarif/json-schema/sarif-schema-2.1.0.json) and passes Microsoft's SARIF Multitool
 * (`validate --rule-kind Sarif` and `--rule-kind Gh`) with no error and no warning.
 *
 * The Multitool is a self-contained .NET binary from the npm optional dependency
 * @microsoft/sarif-multitool-linux (or -darwin/-win32). When it cannot start here, its tests are
 * skipped with a message saying why; set FWLINT_REQUIRE_SARIF_MULTITOOL=1 to make that a failure.
 *
 * One Multitool warning is accepted: SARIF2005 "does not provide 'informationUri'" (rule kind Sarif).
 * fwlint has no public home page yet and a made-up URL would be worse; renderSarif takes
 * `informationUri` once there is one. GitHub does not require it. Notes (SARIF2002 message ids,
 * SARIF2009 rule id format, SARIF2012 helpUri, ...) are suggestions and are not checked.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeText, FWLINT_VERSION } from "../../src/engine/check.js";
import { loadBuiltinRules, type RuleDefinition } from "../../src/engine/rule-pack.js";
import type { FileReport, Finding, Report } from "../../src/model/finding.js";
import {
  artifactLocation,
  buildSarif,
  FINGERPRINT_KEY,
  renderSarif,
} from "../../src/report/sarif.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const fixtureDir = join(root, "fixtures", "iptables");

// ajv-formats is CommonJS: its default export arrives wrapped or not depending on the loader.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function reportOf(files: { path: string; text: string }[]): Report {
  const fileReports: FileReport[] = [];
  const findings: Finding[] = [];
  for (const { path, text } of files) {
    const r = analyzeText(path, text);
    fileReports.push(r.file);
    findings.push(...r.findings);
  }
  return { version: 1, tool: { name: "fwlint", version: FWLINT_VERSION }, files: fileReports, findings };
}

function fixtureFiles(): { path: string; text: string }[] {
  return readdirSync(fixtureDir)
    .filter((f) => f.endsWith(".rules"))
    .sort()
    .map((f) => ({ path: `fixtures/iptables/${f}`, text: readFileSync(join(fixtureDir, f), "utf8") }));
}

const rules: RuleDefinition[] = loadBuiltinRules().rules;

function validator() {
  const schema = JSON.parse(readFileSync(join(here, "sarif-schema-2.1.0.json"), "utf8")) as Any;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: "exposed-service",
    severity: "high",
    message: "SMTP (tcp/25) is reachable from any source on the inbound path",
    location: { file: "rules.v4", line: 9, column: 1 },
    sourceLine: "-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT",
    exposure: { family: 4, protocol: "tcp", ports: [[25, 25]], direction: "inbound", sourceCoverage: 1, service: "smtp" },
    witness: { family: 4, proto: "tcp", src: "198.51.100.7", dst: "10.0.0.5", sport: 40000, dport: 25, hook: "input" },
    trace: [{ table: "filter", chain: "INPUT", rule: "-p tcp --dport 25 -j ACCEPT", line: 9, file: "rules.v4", action: "accept" }],
    ...overrides,
  };
}

function report(findings: Finding[], files: FileReport[] = [{ path: "rules.v4", format: "iptables", rules: 3, diagnostics: [] }]): Report {
  return { version: 1, tool: { name: "fwlint", version: FWLINT_VERSION }, files, findings };
}

const fixtures = fixtureFiles();
const fixtureReport = reportOf(fixtures);

describe("SARIF reporter: schema", () => {
  const validate = validator();

  it("the fixtures give findings of every built-in rule", () => {
    // ipv6-parity needs a ruleset of both families: only the script fixtures (iptables + ip6tables) have one.
    const scriptDir = join(fixtureDir, "..", "iptables-script");
    const scripts = readdirSync(scriptDir)
      .filter((f) => f.endsWith(".sh"))
      .map((f) => ({ path: `fixtures/iptables-script/${f}`, text: readFileSync(join(scriptDir, f), "utf8") }));
    const ids = new Set([...fixtureReport.findings, ...reportOf(scripts).findings].map((f) => f.ruleId));
    // Both iptables parsers refuse a jump to a missing chain (an error diagnostic, the rule left
    // out), so no fixture can give missing-jump-target; test/rules/anomaly.test.ts covers it on the model.
    for (const r of rules) if (r.id !== "missing-jump-target") expect(ids, r.id).toContain(r.id);
  });

  it("validates against the SARIF 2.1.0 schema for the built-in rules on every iptables fixture", () => {
    const log = JSON.parse(renderSarif(fixtureReport, rules));
    const ok = validate(log);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
    expect(log.runs[0].results.length).toBe(fixtureReport.findings.length);
  });

  it("validates per fixture, truncated, with diagnostics, unknown rules and odd paths", () => {
    for (const fx of fixtures) {
      expect(validate(JSON.parse(renderSarif(reportOf([fx]), rules))), fx.path).toBe(true);
    }
    const odd = report(
      [
        finding({ location: { file: "dir with space/ü#?.rules", line: 0, column: 0 }, sourceLine: undefined }),
        finding({ ruleId: "custom-rule", severity: "info", location: { file: "C:\\fw\\rules.v4", line: 2, column: 3 } }),
        finding({ location: { file: "/etc/iptables/rules.v4", line: 2, column: 1 } }),
      ],
      [{ path: "rules.v4", format: "iptables", rules: 1, diagnostics: [{ severity: "error", message: "bad address", file: "rules.v4", line: 3, column: 5 }] }],
    );
    const log = buildSarif(odd, rules, { maxResults: 2 });
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });
});

describe("SARIF reporter: shape", () => {
  const log = buildSarif(fixtureReport, rules) as Any;
  const run = log.runs[0];

  it("has one run with the driver, the rules and the column kind", () => {
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe("fwlint");
    expect(run.tool.driver.version).toBe(FWLINT_VERSION);
    expect(run.tool.driver.informationUri).toBeUndefined();
    expect(run.columnKind).toBe("unicodeCodePoints");
    expect(run.originalUriBaseIds["%SRCROOT%"]).toBeDefined();
    expect(run.tool.driver.rules.map((r: Any) => r.id)).toEqual(rules.map((r) => r.id));
    const exposed = run.tool.driver.rules.find((r: Any) => r.id === "exposed-service");
    expect(exposed.name).toBe("ExposedService");
    expect(exposed.shortDescription.text).toMatch(/^A sensitive service is reachable/);
    expect(exposed.help.markdown).toContain("## What it does");
    expect(exposed.help.markdown).toContain("## How to fix");
    expect(exposed.help.text).toContain("Why is this bad?");
    expect(exposed.defaultConfiguration.level).toBe("error");
    expect(exposed.properties).toEqual({ "security-severity": "8.0", tags: ["security", "firewall", "exposure"], precision: "very-high" });
  });

  it("points results at relative, percent-encoded URIs with the source line as snippet", () => {
    const r = run.results.find((x: Any) => x.ruleId === "exposed-service" && x.locations[0].physicalLocation.artifactLocation.uri.endsWith("open-relay.rules"));
    const loc = r.locations[0].physicalLocation;
    expect(loc.artifactLocation).toEqual({ uri: "fixtures/iptables/open-relay.rules", uriBaseId: "%SRCROOT%" });
    expect(loc.region.startLine).toBeGreaterThan(0);
    expect(loc.region.startColumn).toBe(1);
    expect(loc.region.snippet.text).toMatch(/^-A INPUT /);
    expect(loc.region.endLine).toBe(loc.region.startLine);
    expect(loc.region.endColumn).toBe(Array.from(loc.region.snippet.text as string).length + 1);
    expect(r.message.text).toMatch(/ e\.g\. tcp .* -> .*\.$/);
    expect(r.relatedLocations[0]).toMatchObject({ id: 0, message: { text: "filter INPUT: accept" } });
    expect(r.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{64}:1$/);
    expect(r.properties.exposure.service).toMatch(/^(ssh|smtp)$/);
    expect(r.properties.witness.proto).toBe("tcp");
    expect(run.results.every((x: Any) => run.tool.driver.rules[x.ruleIndex].id === x.ruleId)).toBe(true);
    expect(run.artifacts.map((a: Any) => a.location.uri)).toEqual(fixtures.map((f) => f.path));
  });

  it("encodes paths as URI references", () => {
    expect(artifactLocation("./a b/c#d%.rules")).toEqual({ uri: "a%20b/c%23d%25.rules", uriBaseId: "%SRCROOT%" });
    expect(artifactLocation("dir\\sub\\ü.rules")).toEqual({ uri: "dir/sub/%C3%BC.rules", uriBaseId: "%SRCROOT%" });
    expect(artifactLocation("/srv/fw/x.rules", "/srv")).toEqual({ uri: "fw/x.rules", uriBaseId: "%SRCROOT%" });
    expect(artifactLocation("/etc/x.rules", "/srv").uri).toBe("file:///etc/x.rules");
  });

  it("relates shadowing rules and DNAT rules", () => {
    const shadowed = run.results.find((x: Any) => x.ruleId === "shadowed-rule");
    expect(shadowed.relatedLocations.length).toBeGreaterThan(0);
    for (const rel of shadowed.relatedLocations) expect(rel.physicalLocation.region.startLine).toBeGreaterThan(0);
  });
});

describe("SARIF reporter: levels and security-severity", () => {
  it("maps severities to levels and scores, on the rule and on each result", () => {
    const sevs = ["critical", "high", "medium", "low", "info"] as const;
    const log = buildSarif(
      report(sevs.map((severity, i) => finding({ severity, location: { file: "rules.v4", line: i + 1, column: 1 } }))),
      rules,
    ) as Any;
    const results = log.runs[0].results;
    expect(results.map((r: Any) => r.level)).toEqual(["error", "error", "warning", "note", "note"]);
    expect(results.map((r: Any) => r.properties["security-severity"])).toEqual(["9.5", "8.0", "5.5", "3.0", "1.0"]);
    const levels = Object.fromEntries(log.runs[0].tool.driver.rules.map((r: Any) => [r.id, [r.defaultConfiguration.level, r.properties["security-severity"]]]));
    for (const rule of rules) {
      const expected = { critical: ["error", "9.5"], high: ["error", "8.0"], medium: ["warning", "5.5"], low: ["note", "3.0"], info: ["note", "1.0"] }[rule.severity];
      expect(levels[rule.id], rule.id).toEqual(expected);
    }
  });

  it("takes an exposed-service result's level from the catalog severity, not the rule's", () => {
    const multiport = fixtures.find((f) => f.path.endsWith("multiport.rules"))!;
    const log = buildSarif(reportOf([multiport]), rules) as Any;
    const http = log.runs[0].results.find((r: Any) => r.properties.exposure?.service === "http");
    expect(http.level).toBe("note");
    expect(http.properties["security-severity"]).toBe("1.0");
    const smtp = log.runs[0].results.find((r: Any) => r.properties.exposure?.service === "smtp");
    expect(smtp.level).toBe("error");
  });

  it("adds a descriptor for a finding whose rule was not passed", () => {
    const log = buildSarif(report([finding({ ruleId: "custom-thing", severity: "medium" })]), rules) as Any;
    const r = log.runs[0].results[0];
    expect(log.runs[0].tool.driver.rules[r.ruleIndex]).toMatchObject({ id: "custom-thing", name: "CustomThing", defaultConfiguration: { level: "warning" } });
  });
});

describe("SARIF reporter: fingerprints", () => {
  const relay = fixtures.find((f) => f.path.endsWith("open-relay.rules"))!;
  const smtpOf = (text: string) => {
    const log = buildSarif(reportOf([{ path: relay.path, text }]), rules) as Any;
    const r = log.runs[0].results.find((x: Any) => x.properties.exposure?.service === "smtp");
    return { line: r.locations[0].physicalLocation.region.startLine, fp: r.partialFingerprints[FINGERPRINT_KEY] };
  };

  it("keeps the fingerprint when the rule moves down two lines", () => {
    const before = smtpOf(relay.text);
    const moved = smtpOf(relay.text.replace(":INPUT DROP [0:0]\n", ":INPUT DROP [0:0]\n# moved\n# down\n"));
    expect(moved.line).toBe(before.line + 2);
    expect(moved.fp).toBe(before.fp);
  });

  it("ignores whitespace changes on the rule's line", () => {
    const before = smtpOf(relay.text);
    const spaced = smtpOf(relay.text.replace("-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT", "-A INPUT  -p tcp -m tcp --dport 25   -j ACCEPT"));
    expect(spaced.fp).toBe(before.fp);
  });

  it("changes the fingerprint when the port changes", () => {
    const a = buildSarif(report([finding()]), rules) as Any;
    const b = buildSarif(
      report([finding({ sourceLine: "-A INPUT -p tcp -m tcp --dport 2525 -j ACCEPT", exposure: { ...finding().exposure!, ports: [[2525, 2525]] } })]),
      rules,
    ) as Any;
    expect(a.runs[0].results[0].partialFingerprints[FINGERPRINT_KEY]).not.toBe(b.runs[0].results[0].partialFingerprints[FINGERPRINT_KEY]);
    // Same line text, different exposed port (e.g. a multiport rule): still different.
    const c = buildSarif(report([finding({ exposure: { ...finding().exposure!, ports: [[26, 26]] } })]), rules) as Any;
    expect(c.runs[0].results[0].partialFingerprints[FINGERPRINT_KEY]).not.toBe(a.runs[0].results[0].partialFingerprints[FINGERPRINT_KEY]);
  });

  it("tells apart the same entry text on two cloud groups or ACLs, and keeps other findings' fingerprints", () => {
    const fp = (f: Finding) => (buildSarif(report([f]), rules) as Any).runs[0].results[0].partialFingerprints[FINGERPRINT_KEY];
    const line = { sourceLine: '"RuleNumber": 100,' };
    const on = (target?: string) => finding({ ...line, exposure: { ...finding().exposure!, ...(target !== undefined ? { target } : {}) } });
    expect(fp(on("acl-1"))).not.toBe(fp(on("acl-2")));
    expect(fp(on("acl-1"))).toBe(fp(on("acl-1")));
    // without a target the hash is what it was before targets existed (pinned)
    expect(fp(finding())).toBe("0cd21f1dc7d26b4e5f9ba67828a17ad08e3c8e7d7ce2769cc390bd4a5f7566b9:1");
  });

  it("changes with the real port in a ruleset", () => {
    const before = smtpOf(relay.text);
    const log = buildSarif(reportOf([{ path: relay.path, text: relay.text.replace("--dport 22 ", "--dport 23 ") }]), rules) as Any;
    const ssh = buildSarif(reportOf([relay]), rules) as Any;
    const fp = (l: Any, svc: string) => l.runs[0].results.find((x: Any) => x.properties.exposure?.service === svc).partialFingerprints[FINGERPRINT_KEY];
    expect(fp(log, "telnet")).not.toBe(fp(ssh, "ssh"));
    expect(smtpOf(relay.text).fp).toBe(before.fp);
  });

  it("without the source line, falls back to the message with its line numbers masked", () => {
    const shadow = (line: number, earlier: number) =>
      finding({
        ruleId: "shadowed-rule",
        severity: "low",
        message: `rule can never match: line ${earlier} (accept) already matches every packet it matches`,
        location: { file: "rules.v4", line, column: 1 },
        sourceLine: undefined,
        exposure: undefined,
        witness: undefined,
        trace: undefined,
      });
    const fp = (f: Finding) => (buildSarif(report([f]), rules) as Any).runs[0].results[0].partialFingerprints[FINGERPRINT_KEY];
    expect(fp(shadow(14, 12))).toBe(fp(shadow(12, 10)));
  });

  it("numbers results that share a hash", () => {
    const log = buildSarif(report([finding(), finding({ location: { file: "rules.v4", line: 20, column: 1 } })]), rules) as Any;
    const fps = log.runs[0].results.map((r: Any) => r.partialFingerprints[FINGERPRINT_KEY] as string);
    expect(fps[0]!.split(":")[0]).toBe(fps[1]!.split(":")[0]);
    expect(fps.map((f: string) => f.split(":")[1])).toEqual(["1", "2"]);
  });
});

describe("SARIF reporter: cap", () => {
  it("keeps the most severe results and says how many were left out", () => {
    const two = report([
      finding({ severity: "low", location: { file: "rules.v4", line: 1, column: 1 } }),
      finding({ severity: "critical", location: { file: "rules.v4", line: 5, column: 1 } }),
    ]);
    const log = buildSarif(two, rules, { maxResults: 1 }) as Any;
    const run = log.runs[0];
    expect(run.results).toHaveLength(1);
    expect(run.results[0].level).toBe("error");
    expect(run.results[0].properties["security-severity"]).toBe("9.5");
    expect(run.invocations).toHaveLength(1);
    expect(run.invocations[0].executionSuccessful).toBe(true);
    expect(run.invocations[0].properties).toMatchObject({ truncated: true, omittedResults: 1, totalResults: 2 });
    expect(run.invocations[0].toolExecutionNotifications).toHaveLength(1);
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toMatch(/^1 of 2 results were left out/);
    expect(run.properties).toEqual({ truncated: true });
  });

  it("writes no invocation when nothing is left out and nothing went wrong", () => {
    const run = (buildSarif(report([finding()]), rules, { maxResults: 1 }) as Any).runs[0];
    expect(run.invocations).toBeUndefined();
    expect(run.properties).toBeUndefined();
  });

  it("caps at 4000 by default", () => {
    const many = report(Array.from({ length: 4003 }, (_, i) => finding({ location: { file: "rules.v4", line: i + 1, column: 1 } })));
    const run = (buildSarif(many, rules) as Any).runs[0];
    expect(run.results).toHaveLength(4000);
    expect(run.invocations[0].properties.omittedResults).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------
// Microsoft SARIF Multitool

function multitoolBinary(): { path?: string; why?: string } {
  try {
    const req = createRequire(import.meta.url);
    return { path: req("@microsoft/sarif-multitool") as string };
  } catch (e) {
    return { why: `@microsoft/sarif-multitool is not installed for this platform (${(e as Error).message.split("\n")[0]})` };
  }
}

function probeMultitool(): { path?: string; why?: string } {
  const bin = multitoolBinary();
  if (!bin.path) return bin;
  const r = spawnSync(bin.path, ["--version"], { encoding: "utf8", timeout: 60_000 });
  if (r.error) return { why: `cannot start ${bin.path}: ${r.error.message}` };
  if (r.status !== 0) return { why: `${bin.path} --version exited ${r.status}: ${(r.stderr || r.stdout).trim().slice(0, 500)}` };
  return bin;
}

const multitool = probeMultitool();
const requireMultitool = process.env.FWLINT_REQUIRE_SARIF_MULTITOOL === "1";
if (!multitool.path) {
  const msg = `SARIF Multitool tests skipped: ${multitool.why}`;
  if (requireMultitool) throw new Error(msg);
  console.warn(msg);
}

describe.skipIf(!multitool.path)("SARIF reporter: Microsoft SARIF Multitool", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fwlint-sarif-"));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, () => string][] = [
    ["every iptables fixture", () => renderSarif(fixtureReport, rules)],
    [
      "a truncated log with diagnostics",
      () =>
        renderSarif(
          report(
            [
              finding(),
              finding({ severity: "low", location: { file: "sub dir/rules.v4", line: 4, column: 2 } }),
              finding({ ruleId: "custom-rule", severity: "medium", location: { file: "rules.v4", line: 7, column: 1 } }),
            ],
            [{ path: "rules.v4", format: "iptables", rules: 1, diagnostics: [{ severity: "warning", message: "unknown match", file: "rules.v4", line: 3, column: 5 }] }],
          ),
          rules,
          { maxResults: 2 },
        ),
    ],
  ];

  for (const [name, make] of cases) {
    for (const kind of ["Sarif", "Gh"]) {
      it(`${name}: validate --rule-kind ${kind} reports no error and no warning`, () => {
        const slug = name.replace(/\W+/g, "-");
        const file = join(dir, `${slug}.sarif`);
        const out = join(dir, `${slug}.${kind}.validation.sarif`);
        writeFileSync(file, make());
        const r = spawnSync(multitool.path!, ["validate", file, "--rule-kind", kind, "--level", "Error;Warning;Note", "--output", out, "--log", "ForceOverwrite"], {
          encoding: "utf8",
          timeout: 120_000,
        });
        expect(r.error).toBeUndefined();
        const validation = JSON.parse(readFileSync(out, "utf8").replace(/^\uFEFF/, "")) as Any;
        const problems = (validation.runs ?? [])
          .flatMap((run: Any) => run.results ?? [])
          .filter((res: Any) => res.level === undefined || res.level === "error" || res.level === "warning")
          .filter((res: Any) => !(res.ruleId === "SARIF2005" && res.message?.id === "Warning_ProvideToolnformationUri"))
          .map((res: Any) => `${res.ruleId} ${res.level ?? "warning"}: ${res.message?.text ?? JSON.stringify(res.message)}`);
        const toolErrors = (validation.runs ?? [])
          .flatMap((run: Any) => run.invocations ?? [])
          .flatMap((inv: Any) => [...(inv.toolExecutionNotifications ?? []), ...(inv.toolConfigurationNotifications ?? [])])
          .filter((n: Any) => n.level === undefined || n.level === "error" || n.level === "warning")
          .map((n: Any) => `tool: ${n.message?.text}`);
        expect([...problems, ...toolErrors], r.stdout).toEqual([]);
        expect(r.status, r.stdout + r.stderr).toBe(0);
      });
    }
  }
});
