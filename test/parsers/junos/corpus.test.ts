/**
 * The shared corpus: every JunOS file (set and curly form) indexed `clean` parses with no error
 * diagnostic, except Batfish tests whose note says they have deliberate undefined references
 * (those must report them). Every clean file is detected as JunOS, and no file of another format
 * is. Files indexed `error` are measured. Without ../shared/corpus the suite is skipped with a
 * visible message, unless FWLINT_REQUIRE_SHARED=1, in which case it fails.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectJunos, junosForm, parseJunos } from "../../../parsers/junos/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { detectFormat } from "../../../src/engine/formats.js";
import { type CorpusRow, corpusRows, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("junos corpus");

const DELIBERATE = "deliberate undefined refs";
/** Clean-indexed files with a real defect fwlint reports (an error is right for them). */
const KNOWN_DEFECTS: Record<string, string> = {
  "aerleon/regression/junipersrx/JuniperSRXTest.testLongIcmpTypes.stdout.ref": "aerleon output lacks the '}' closing 'application accept-icmpv6-types-app {'",
  "batfish/juniper/application-set": "a policy uses application-set 'appset4', which no statement defines (a Batfish undefined-reference test not labelled as one)",
};

describe.skipIf(corpus === undefined)("junos corpus (../shared/corpus)", () => {
  const all = corpus === undefined ? [] : corpusRows(corpus);
  const read = (r: CorpusRow) => readFileSync(r.file, "utf8");

  for (const format of ["junos-set", "junos-curly"]) {
    const clean = all.filter((r) => r.format === format && r.expect === "clean");
    it(`${format}: all ${clean.length} clean files parse with zero error diagnostics and evaluate`, () => {
      expect(clean.length).toBeGreaterThan(0);
      const failures: string[] = [];
      const undetected: string[] = [];
      let rules = 0;
      let ok = 0;
      const deliberate: string[] = [];
      let ms = 0;
      for (const r of clean) {
        const text = read(r);
        if (`junos-${junosForm(text)}` !== format) failures.push(`${r.path}: read as the ${junosForm(text)} form`);
        if (detectJunos(text) === undefined || detectFormat(text) !== "junos") undetected.push(`${r.path} (${detectFormat(text) ?? "undetected"})`);
        const started = performance.now();
        const rs = parseJunos(text, r.path);
        evaluateRuleset(rs);
        ms += performance.now() - started;
        rules += rs.ruleCount;
        const errors = rs.diagnostics.filter((d) => d.severity === "error");
        if (r.note.includes(DELIBERATE)) {
          // the named exception: their undefined references may be errors (some are routing-policy
          // references fwlint does not read)
          deliberate.push(`${r.path.split("/").pop()}: ${errors.length} error(s)`);
          ok++;
          continue;
        }
        if (KNOWN_DEFECTS[r.path]) {
          if (errors.length === 0) failures.push(`${r.path}: expected an error (${KNOWN_DEFECTS[r.path]})`);
          else ok++;
          continue;
        }
        for (const d of errors) failures.push(`${r.path}:${d.line}:${d.column}: ${d.message}`);
        if (errors.length === 0) ok++;
      }
      console.log(`[junos corpus] ${format}: ${ok}/${clean.length} clean files as expected (${rules} rules, parse + evaluate ${Math.round(ms)} ms); detected ${clean.length - undetected.length}/${clean.length}`);
      if (deliberate.length) console.log(`[junos corpus] ${format}: deliberate undefined references: ${deliberate.join("; ")}`);
      if (undetected.length) console.log(`[junos corpus] ${format}: not detected: ${undetected.join(", ")}`);
      expect(failures).toEqual([]);
      expect(undetected).toEqual([]);
    });
  }

  it("no file of another format is detected as JunOS", () => {
    const wrong = all.filter((r) => !r.format.startsWith("junos")).filter((r) => {
      try {
        return detectJunos(read(r)) !== undefined;
      } catch {
        return false;
      }
    });
    expect(wrong.map((r) => `${r.path} (${r.format})`)).toEqual([]);
  });

  it("files indexed error: how many get at least one error diagnostic (measured)", () => {
    const bad = all.filter((r) => r.format.startsWith("junos") && r.expect === "error");
    const missed = bad.filter((r) => !parseJunos(read(r), r.path).diagnostics.some((d) => d.severity === "error")).map((r) => r.path);
    console.log(`[junos corpus] error files flagged: ${bad.length - missed.length}/${bad.length}${missed.length ? ` (missed: ${missed.join(", ")})` : ""}`);
    expect(bad.length).toBeGreaterThan(0);
  });
});
