/**
 * Over every fixture: the suppression comment the review writes for a file's first finding is
 * honoured by the checker in every format that takes `#` comments (the finding is gone, no new
 * error), and refused (so the review offers the baseline) in the formats that do not.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../src/engine/check.js";
import { planSuppressionComment } from "../../src/review/accept.js";

const fixtures = join(import.meta.dirname, "..", "..", "fixtures");
const files = readdirSync(fixtures, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name))
  .sort();

describe("suppression comments in every fixture format", () => {
  it("honoured where written, refused where the format has no '#' comments", () => {
    const written = new Set<string>();
    const refused = new Set<string>();
    for (const path of files) {
      const text = readFileSync(path, "utf8");
      const before = analyzeText(path, text);
      const f = before.findings.find((x) => x.location.file === path);
      if (!f) continue;
      const plan = planSuppressionComment(text, before.file.format, f.location.line, f.ruleId, "accepted in review");
      if (!plan.ok) {
        expect(plan.why, path).toMatch(/no '#' comments/);
        refused.add(before.file.format);
        continue;
      }
      written.add(before.file.format);
      const after = analyzeText(path, plan.text);
      expect(after.fatal, path).toBeUndefined();
      expect(after.file.format, path).toBe(before.file.format);
      const same = after.findings.filter((x) => x.ruleId === f.ruleId && x.message === f.message && x.sourceLine === f.sourceLine);
      expect(same, `${path}: ${f.ruleId} at line ${f.location.line} still reported`).toEqual([]);
      const errors = (r: typeof before) => r.file.diagnostics.filter((d) => d.severity === "error").length;
      expect(errors(after), path).toBe(errors(before));
    }
    expect([...written].sort()).toEqual(expect.arrayContaining(["iptables", "ip6tables", "iptables-script", "nft-script"]));
    expect(written.size + refused.size).toBeGreaterThanOrEqual(4);
    for (const f of refused) expect(written.has(f)).toBe(false);
  });
});
