/**
 * The shared corpus: every file indexed `cisco-ios` with expect=clean parses with zero error
 * diagnostics (the named exception: Batfish test files whose note says they hold deliberate
 * undefined references, where the error must name the undefined object), evaluates without
 * throwing, and the rate is printed. sample_05.ios (~15,000 ACEs) is timed end to end.
 * Without ../shared/corpus the suite is skipped with a visible message, unless
 * FWLINT_REQUIRE_SHARED=1, in which case it fails.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCiscoIos } from "../../../parsers/cisco-ios/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { analyzeText } from "../../../src/engine/check.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("cisco-ios corpus");

describe.skipIf(corpus === undefined)("cisco-ios corpus (../shared/corpus)", () => {
  it("clean files parse with zero errors; deliberate undefined references are errors naming the object", () => {
    const clean = corpusRows(corpus!, { formats: ["cisco-ios"], expect: ["clean"] });
    expect(clean.length).toBeGreaterThan(50);
    let n = 0;
    let ok = 0;
    let deliberate = 0;
    let rules = 0;
    let partly = 0;
    const failures: string[] = [];
    for (const r of clean) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      n++;
      const rs = parseCiscoIos(text, r.path);
      expect(rs.diagnostics.some((d) => d.message.startsWith("internal error")), r.path).toBe(false);
      evaluateRuleset(rs); // must not throw
      for (const c of rs.chains.values()) {
        for (const x of c.rules) {
          rules++;
          if (x.conditions.some((k) => k.kind === "unknown")) partly++;
        }
      }
      const errors = rs.diagnostics.filter((d) => d.severity === "error");
      if (errors.length === 0) {
        ok++;
        continue;
      }
      if (r.note.includes("deliberate undefined refs") && errors.every((e) => /object-group \S+ is (not defined|a \w+ group)/.test(e.message))) {
        deliberate++;
        continue;
      }
      failures.push(`${r.path}: ${errors.map((e) => `${e.line}:${e.column} ${e.message}`).join(" | ")}`);
    }
    console.log(`cisco-ios corpus: ${ok}/${n} clean files with zero error diagnostics (${((100 * ok) / Math.max(n, 1)).toFixed(1)}%); ${deliberate} more whose only errors are their deliberate undefined object-group references`);
    console.log(`cisco-ios corpus: ${partly}/${rules} model rules keep an unmodelled part (${((100 * partly) / Math.max(rules, 1)).toFixed(1)}%)`);
    expect(failures).toEqual([]);
    expect(ok + deliberate).toBe(n);
  });

  it("sample_05.ios (~15,000 ACEs): parsed and checked end to end, timed", () => {
    const path = "ciscoconfparse/cisco_ios/sample_05.ios";
    const text = corpusText(join(corpus!, path));
    if (text === undefined) return;
    const t0 = performance.now();
    const rs = parseCiscoIos(text, path);
    const t1 = performance.now();
    const res = analyzeText(path, text, { inputFormat: "cisco-ios" });
    const t2 = performance.now();
    console.log(`cisco-ios sample_05.ios: ${rs.ruleCount} ACEs in ${rs.chains.size} chains; parse ${(t1 - t0).toFixed(0)} ms, full check ${(t2 - t1).toFixed(0)} ms, ${res.findings.length} findings`);
    expect(rs.ruleCount).toBeGreaterThan(14_000);
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(res.file.format).toBe("cisco-ios");
    expect(t2 - t0).toBeLessThan(60_000); // a guard against blow-ups on a shared, loaded machine, not a benchmark
  });
});
