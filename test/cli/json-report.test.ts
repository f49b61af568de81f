import { describe, expect, it } from "vitest";
import { buildReport, renderJson } from "../../src/report/json.js";
import { fileReport, shadowFinding, smtpFinding } from "./fixtures.js";

describe("JSON reporter", () => {
  it("has the contract's top-level shape", () => {
    const report = JSON.parse(renderJson("0.1.0", [fileReport()], [smtpFinding()]));
    expect(Object.keys(report)).toEqual(["version", "tool", "files", "findings"]);
    expect(report.version).toBe(1);
    expect(report.tool).toEqual({ name: "fwlint", version: "0.1.0" });
  });

  it("writes files as {path, format, rules, diagnostics: [{severity, message, line, column}]}", () => {
    const report = JSON.parse(
      renderJson(
        "0.1.0",
        [fileReport({ diagnostics: [{ severity: "error", message: "bad address", file: "rules.v4", line: 3, column: 5 }] })],
        [],
      ),
    );
    expect(report.files).toEqual([
      { path: "rules.v4", format: "iptables", rules: 12, diagnostics: [{ severity: "error", message: "bad address", line: 3, column: 5 }] },
    ]);
    expect(report.findings).toEqual([]);
  });

  it("writes an exposure finding field by field", () => {
    const [f] = JSON.parse(renderJson("0.1.0", [fileReport()], [smtpFinding()])).findings;
    expect(Object.keys(f).slice(0, 7)).toEqual(["ruleId", "severity", "message", "location", "exposure", "witness", "trace"]);
    expect(f.ruleId).toBe("exposed-service");
    expect(f.severity).toBe("high");
    expect(f.message).toBe("SMTP (tcp/25) is reachable from any source on the inbound path");
    expect(f.location).toEqual({ file: "rules.v4", line: 9, column: 1 });
    expect(f.exposure).toEqual({ family: 4, protocol: "tcp", ports: [[25, 25]], direction: "inbound", sourceCoverage: 1, service: "smtp" });
    expect(f.witness).toEqual({
      family: 4, proto: "tcp", src: "198.51.100.7", dst: "10.0.0.5", sport: 40000, dport: 25, iif: "eth0", hook: "input", tcp_flags: "S",
    });
    expect(f.trace).toHaveLength(1);
    expect(f.trace[0]).toMatchObject({ chain: "INPUT", rule: "-p tcp --dport 25 -j ACCEPT", line: 9 });
    expect(Object.keys(f.trace[0]).slice(0, 3)).toEqual(["chain", "rule", "line"]);
    expect(f).not.toHaveProperty("sourceLine");
  });

  it("drops undefined fields and keeps structural findings without exposure", () => {
    const [f] = JSON.parse(
      renderJson("0.1.0", [fileReport()], [shadowFinding({ exposure: undefined, witness: undefined, uncertain: undefined })]),
    ).findings;
    expect(f).not.toHaveProperty("exposure");
    expect(f).not.toHaveProperty("witness");
    expect(f).not.toHaveProperty("trace");
    expect(f).not.toHaveProperty("uncertain");
    expect(f.related).toEqual([{ file: "rules.v4", line: 10, column: 1, message: "accepts every packet this rule matches" }]);
    const json = renderJson("0.1.0", [fileReport()], [smtpFinding({ witness: { ...smtpFinding().witness!, oif: undefined } })]);
    expect(json).not.toContain("undefined");
    expect(json).not.toContain('"oif"');
  });

  it("keeps extra fields the engine adds", () => {
    const f = { ...shadowFinding(), suppressed: true } as ReturnType<typeof shadowFinding>;
    expect(JSON.parse(renderJson("0.1.0", [], [f])).findings[0].suppressed).toBe(true);
  });

  it("sorts findings most severe first, then file, then line", () => {
    const report = buildReport("0.1.0", [], [
      shadowFinding({ location: { file: "a.rules", line: 1, column: 1 } }),
      smtpFinding({ location: { file: "b.rules", line: 5, column: 1 } }),
      smtpFinding({ location: { file: "a.rules", line: 7, column: 1 } }),
      smtpFinding({ location: { file: "a.rules", line: 3, column: 1 } }),
      smtpFinding({ severity: "critical", location: { file: "z.rules", line: 99, column: 1 } }),
    ]);
    expect(report.findings.map((f) => `${f.severity} ${f.location.file}:${f.location.line}`)).toEqual([
      "critical z.rules:99",
      "high a.rules:3",
      "high a.rules:7",
      "high b.rules:5",
      "low a.rules:1",
    ]);
  });

  it("escapes control characters from the config (JSON.stringify does)", () => {
    const json = renderJson("0.1.0", [], [smtpFinding({ message: "x\x1b[2Jy" })]);
    expect(json).not.toContain("\x1b");
    expect(JSON.parse(json).findings[0].message).toBe("x\x1b[2Jy");
  });
});
