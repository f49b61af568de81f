/**
 * Every fixture under fixtures/ states the findings it must and must not produce, in comments (a
 * JSON fixture, which has none, in NAME.expect beside it):
 *   # fwlint-expect: RULE-ID [key=value ...]
 *   # fwlint-expect-not: RULE-ID [key=value ...]
 * Keys: service, line, file (the finding's file, when not the fixture: a file it sources), severity,
 * direction, family, certain (true: the finding depends on no unmodelled condition); read by
 * test/rules/harness.ts.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../src/engine/check.js";
import { expectations, matches } from "../rules/harness.js";

const root = join(import.meta.dirname, "..", "..");
const fixturesDir = join(root, "fixtures");

function fixtureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...fixtureFiles(p));
    else if (!e.name.endsWith(".md") && !e.name.endsWith(".jsonl") && !e.name.endsWith(".expect")) out.push(p);
  }
  return out.sort();
}

describe("fixtures produce the findings they declare", () => {
  for (const file of fixtureFiles(fixturesDir)) {
    const rel = relative(root, file);
    const text = readFileSync(file, "utf8");
    // a format without comments (JSON) declares them in NAME.expect beside the fixture
    const sidecar = file.replace(/\.[^./]+$/, ".expect");
    const exps = expectations(file.endsWith(".json") && existsSync(sidecar) ? readFileSync(sidecar, "utf8") : text);
    if (exps.length === 0) continue;
    it(rel, () => {
      const res = analyzeText(rel, text);
      expect(res.fatal).toBeUndefined();
      // (a fixture of a file its loader refuses has the errors it is about)
      const refused = exps.some((e) => !e.negate && e.ruleId === "ruleset-does-not-load");
      if (!refused) expect(res.file.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      else expect(res.file.diagnostics.filter((d) => d.severity === "error").length).toBeGreaterThan(0);
      const summary = res.findings.map((f) => `${f.location.line} ${f.ruleId} ${f.exposure?.service ?? ""} ${f.message}`);
      for (const e of exps) {
        const hit = res.findings.filter((f) => matches(f, e));
        if (e.negate) expect(hit, `${e.text}\nfindings:\n${summary.join("\n")}`).toEqual([]);
        else expect(hit.length, `${e.text}\nfindings:\n${summary.join("\n")}`).toBeGreaterThan(0);
      }
      // Every exposure carries a witness and a trace that ends in an accept.
      for (const f of res.findings.filter((x) => x.exposure)) {
        expect(f.witness).toBeDefined();
        expect(f.trace?.length ?? 0).toBeGreaterThan(0);
      }
    });
  }
});
