/**
 * The shared corpus: every pfSense and OPNsense config.xml (`pfsense-xml`, `opnsense-xml` in
 * INDEX.tsv: opnDossier's samples, pfSense's factory default, pfsensible's fixtures) is read and
 * evaluated without an internal error, and every clean one with zero error diagnostics, per flavour.
 * Without ../shared/corpus the suite is skipped with a visible message, unless FWLINT_REQUIRE_SHARED=1.
 */
import { describe, expect, it } from "vitest";
import { parsePfsense } from "../../../parsers/pfsense/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("pfsense corpus");

describe.skipIf(corpus === undefined)("pfsense corpus (../shared/corpus)", () => {
  for (const [flavour, min] of [["pfsense-xml", 9], ["opnsense-xml", 9]] as const) {
    it(`reads every ${flavour} file, clean ones with zero error diagnostics, and evaluates it`, () => {
      const files = corpusRows(corpus!, { formats: [flavour] });
      expect(files.length).toBeGreaterThanOrEqual(min);
      const problems: string[] = [];
      let clean = 0;
      let judged = 0;
      let rules = 0;
      for (const r of files) {
        const text = corpusText(r.file);
        if (text === undefined) continue;
        const rs = parsePfsense(text, r.path);
        for (const d of rs.diagnostics) if (d.message.startsWith("internal error")) problems.push(`${r.path}: ${d.message}`);
        evaluateRuleset(rs);
        rules += rs.ruleCount;
        expect(rs.pipelines.length, r.path).toBeGreaterThan(0);
        if (r.expect !== "clean") continue;
        judged++;
        const errors = rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);
        expect(errors, r.path).toEqual([]);
        if (errors.length === 0) clean++;
      }
      console.log(`[pfsense corpus] ${flavour}: ${files.length} files read, ${rules} rules; clean files with zero errors: ${clean}/${judged}`);
      expect(problems).toEqual([]);
      expect(clean).toBe(judged);
    });
  }
});
