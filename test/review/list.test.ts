/**
 * The findings list: filters (severity, rule, search), sort orders, group headers with counts,
 * and keeping the selection on the same finding across re-scans.
 */
import { describe, expect, it } from "vitest";
import type { Finding, Severity } from "../../src/model/finding.js";
import { groupRows, nextMinSeverity, nextRule, reselect, visibleFindings, DEFAULT_SETTINGS } from "../../src/review/list.js";
import { findingKey, type ReviewFinding, type ScannedFile } from "../../src/review/session.js";

const file: ScannedFile = { path: "a.rules", format: "iptables", rules: 3, text: "", options: {}, diagnostics: [], readAlso: [], readMatching: [] };
function item(ruleId: string, severity: Severity, path: string, line: number, message: string): ReviewFinding {
  const f: Finding = { ruleId, severity, message, location: { file: path, line, column: 1 } };
  return { key: findingKey(f), finding: f, file };
}
const all = [
  item("exposed-service", "high", "b.rules", 4, "SMTP (tcp/25) is reachable"),
  item("shadowed-rule", "low", "a.rules", 9, "never matches"),
  item("exposed-service", "high", "a.rules", 7, "SSH (tcp/22) is reachable"),
  item("default-accept-policy", "medium", "a.rules", 2, "INPUT policy ACCEPT"),
];
const ids = (l: ReviewFinding[]) => l.map((f) => `${f.finding.location.file}:${f.finding.location.line}`);

describe("findings list", () => {
  it("sorts by severity (then place), file, or rule", () => {
    expect(ids(visibleFindings(all, DEFAULT_SETTINGS))).toEqual(["a.rules:7", "b.rules:4", "a.rules:2", "a.rules:9"]);
    expect(ids(visibleFindings(all, { ...DEFAULT_SETTINGS, sort: "file" }))).toEqual(["a.rules:2", "a.rules:7", "a.rules:9", "b.rules:4"]);
    expect(ids(visibleFindings(all, { ...DEFAULT_SETTINGS, sort: "rule" }))).toEqual(["a.rules:2", "a.rules:7", "b.rules:4", "a.rules:9"]);
  });

  it("filters by minimum severity, rule and words of text (all must match, any case)", () => {
    expect(ids(visibleFindings(all, { ...DEFAULT_SETTINGS, minSeverity: "medium" }))).toEqual(["a.rules:7", "b.rules:4", "a.rules:2"]);
    expect(ids(visibleFindings(all, { ...DEFAULT_SETTINGS, rule: "shadowed-rule" }))).toEqual(["a.rules:9"]);
    expect(ids(visibleFindings(all, { ...DEFAULT_SETTINGS, search: "TCP b.rules" }))).toEqual(["b.rules:4"]);
    expect(visibleFindings(all, { ...DEFAULT_SETTINGS, search: "nothing-like-this" })).toEqual([]);
  });

  it("groups by severity and file with counts", () => {
    const rows = groupRows(visibleFindings(all, DEFAULT_SETTINGS), "severity");
    expect(rows.filter((r) => r.kind === "group").map((r) => r.kind === "group" && `${r.label} (${r.count})`)).toEqual([
      "HIGH  a.rules (1)",
      "HIGH  b.rules (1)",
      "MEDIUM  a.rules (1)",
      "LOW  a.rules (1)",
    ]);
    const byFile = groupRows(visibleFindings(all, { ...DEFAULT_SETTINGS, sort: "file" }), "file");
    expect(byFile.filter((r) => r.kind === "group").map((r) => r.kind === "group" && `${r.label} (${r.count})`)).toEqual(["a.rules (3)", "b.rules (1)"]);
  });

  it("cycles severities and rules back to all", () => {
    expect(nextMinSeverity(undefined)).toBe("critical");
    expect(nextMinSeverity("low")).toBe("info");
    expect(nextMinSeverity("info")).toBeUndefined();
    expect(nextRule(all, undefined)).toBe("default-accept-policy");
    expect(nextRule(all, "default-accept-policy")).toBe("exposed-service");
    expect(nextRule(all, "shadowed-rule")).toBeUndefined();
  });

  it("keeps the selection on the same finding after a re-scan, else at the same place", () => {
    const visible = visibleFindings(all, DEFAULT_SETTINGS);
    const moved = item("exposed-service", "high", "b.rules", 5, "SMTP (tcp/25) is reachable"); // a line was added above
    expect(moved.key).toBe(visible[1]!.key); // identity does not depend on the line number
    expect(reselect([visible[0]!, moved, visible[3]!], visible[1]!.key, 1)).toBe(1);
    expect(reselect([visible[0]!, visible[3]!], visible[1]!.key, 1)).toBe(1);
    expect(reselect([visible[0]!], visible[3]!.key, 3)).toBe(0);
    expect(reselect([], undefined, 2)).toBe(0);
  });
});
