/**
 * The shared corpus: every Capirca / Aerleon file (`capirca-policy` in INDEX.tsv: aerleon's sample
 * policies, their includes and naming definitions) is recognised as the format, read without an
 * internal error and evaluated, and every clean one with zero error diagnostics - its names resolved
 * through the corpus's def/ folder, its includes through its base folder.
 * Without ../shared/corpus the suite is skipped with a visible message, unless FWLINT_REQUIRE_SHARED=1.
 */
import { describe, expect, it } from "vitest";
import { detectCapirca, parseCapirca } from "../../../parsers/capirca/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("capirca corpus");

describe.skipIf(corpus === undefined)("capirca corpus (../shared/corpus)", () => {
  it("reads every capirca-policy file, clean ones with zero error diagnostics, and evaluates it", () => {
    const files = corpusRows(corpus!, { formats: ["capirca-policy"] });
    expect(files.length).toBeGreaterThanOrEqual(19);
    const problems: string[] = [];
    let clean = 0;
    let judged = 0;
    let terms = 0;
    let filters = 0;
    for (const r of files) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      expect(detectCapirca(text), r.path).toBe(true);
      const rs = parseCapirca(text, r.file, { root: corpus!, today: new Date(Date.UTC(2026, 11, 1)) });
      for (const d of rs.diagnostics) if (d.message.startsWith("internal error")) problems.push(`${r.path}: ${d.message}`);
      evaluateRuleset(rs);
      terms += rs.ruleCount;
      filters += rs.hosts?.length ?? 0;
      if (r.expect !== "clean") continue;
      judged++;
      const errors = rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);
      expect(errors, r.path).toEqual([]);
      if (errors.length === 0) clean++;
    }
    console.log(`[capirca corpus] ${files.length} files read, ${terms} terms in ${filters} filters; clean files with zero errors: ${clean}/${judged}`);
    expect(problems).toEqual([]);
    expect(clean).toBe(judged);
  });
});
