import { describe, expect, it } from "vitest";
import { analyzeText } from "../../src/engine/check.js";
import { parseSuppressions } from "../../src/engine/suppress.js";
import type { Finding } from "../../src/model/finding.js";

const NOW = new Date("2026-06-01T12:00:00Z");

describe("parseSuppressions", () => {
  it("covers the next line that is not a comment, for the named rules", () => {
    const s = parseSuppressions("f", ["# fwlint-disable-next-line exposed-service,shadowed-rule -- MX", "# another comment", "", "-A INPUT ...", "-A INPUT ..."].join("\n"), NOW);
    expect(s.diagnostics).toEqual([]);
    expect(s.covers("exposed-service", 4)).toBe(true);
    expect(s.covers("shadowed-rule", 4)).toBe(true);
    expect(s.covers("default-policy", 4)).toBe(false);
    expect(s.covers("exposed-service", 5)).toBe(false);
  });

  it("covers disable ... enable ranges, and to the end without enable", () => {
    const text = ["a", "# fwlint-disable exposed-service -- lab", "b", "# fwlint-enable exposed-service", "c", "# fwlint-disable -- everything", "d", "e"].join("\n");
    const s = parseSuppressions("f", text, NOW);
    expect([1, 3, 5].map((l) => s.covers("exposed-service", l))).toEqual([false, true, false]);
    expect(s.covers("shadowed-rule", 3)).toBe(false);
    expect(s.covers("shadowed-rule", 7)).toBe(true);
    expect(s.covers("shadowed-rule", 8)).toBe(true);
  });

  it("requires a reason", () => {
    const s = parseSuppressions("f", ["x", "-A X # fwlint-disable-next-line exposed-service", "y"].join("\n"), NOW);
    expect(s.covers("exposed-service", 3)).toBe(false);
    expect(s.diagnostics).toEqual([
      {
        severity: "warning",
        file: "f",
        line: 2,
        column: 6,
        message: "fwlint-disable-next-line exposed-service has no reason (write '-- why this is acceptable'); the suppression does not apply",
      },
    ]);
  });

  it("stops applying after its expiry date", () => {
    const text = ["# fwlint-disable-next-line exposed-service -- migration until 2026-05-31", "x", "# fwlint-disable-next-line exposed-service -- migration until 2026-06-01", "y"].join("\n");
    const s = parseSuppressions("f", text, NOW);
    expect(s.covers("exposed-service", 2)).toBe(false);
    expect(s.covers("exposed-service", 4)).toBe(true);
    expect(s.diagnostics.map((d) => [d.line, d.message])).toEqual([[1, "fwlint-disable-next-line exposed-service expired on 2026-05-31; the suppression no longer applies"]]);
    const bad = parseSuppressions("f", "# fwlint-disable-next-line x -- r until 2026-02-30\ny", NOW);
    expect(bad.covers("x", 2)).toBe(false);
    expect(bad.diagnostics[0]!.message).toMatch(/'2026-02-30' is not a date/);
  });
});

const RULES = (comment: string) =>
  ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]", comment, "-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT", "COMMIT", ""].join("\n");

const exposures = (findings: Finding[]) => findings.filter((f) => f.ruleId === "exposed-service");

describe("in analyzeText", () => {
  it("leaves out a suppressed finding, or keeps it marked", () => {
    const plain = exposures(analyzeText("r", RULES("# mail")).findings);
    expect(plain.map((f) => f.exposure?.service)).toEqual(["smtp"]);
    const text = RULES("# fwlint-disable-next-line exposed-service -- our MX");
    expect(exposures(analyzeText("r", text, { now: NOW }).findings)).toEqual([]);
    const kept = exposures(analyzeText("r", text, { now: NOW, showSuppressed: true }).findings);
    expect(kept.map((f) => [f.exposure?.service, f.suppressed])).toEqual([["smtp", true]]);
  });

  it("warns and reports the finding when the reason is missing", () => {
    const r = analyzeText("r", RULES("# fwlint-disable-next-line exposed-service"), { now: NOW });
    expect(exposures(r.findings).map((f) => f.exposure?.service)).toEqual(["smtp"]);
    expect(r.file.diagnostics.map((d) => [d.severity, d.line])).toEqual([["warning", 5]]);
  });
});
