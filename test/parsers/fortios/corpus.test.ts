/**
 * The shared corpus: every FortiOS file (`fortios` in INDEX.tsv: Batfish's FortiOS tests, aerleon's
 * generated policies, FortiOS 5.2 backups) is read and evaluated without an internal error, and
 * every clean one with zero error diagnostics but the named exception. Without ../shared/corpus the
 * suite is skipped with a visible message, unless FWLINT_REQUIRE_SHARED=1, in which case it fails.
 */
import { describe, expect, it } from "vitest";
import { parseFortios } from "../../../parsers/fortios/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("fortios corpus");

/**
 * Clean files whose errors are real: example.conf is a shortened copy of global.conf that lost the
 * address 'android' and the interface 'port5' its policies still name.
 */
const KNOWN_ERRORS: Record<string, string[]> = {
  "fortigate-config-parser/fortios/example.conf": [
    "1003:21 policy 1: dstaddr 'android' is not a defined IPv4 address or address group",
    "1012:21 policy 2: srcintf 'port5' is not an interface or zone of this device",
  ],
};

describe.skipIf(corpus === undefined)("fortios corpus (../shared/corpus)", () => {
  it("reads every fortios file, clean ones with zero error diagnostics, and evaluates it", () => {
    const files = (corpus === undefined ? [] : corpusRows(corpus)).filter((r) => r.format === "fortios");
    expect(files.length).toBeGreaterThanOrEqual(90);
    const problems: string[] = [];
    let clean = 0;
    let judged = 0;
    let rules = 0;
    for (const r of files) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      const rs = parseFortios(text, r.path);
      const internal = rs.diagnostics.filter((d) => d.message.startsWith("internal error"));
      for (const d of internal) problems.push(`${r.path}: ${d.message}`);
      evaluateRuleset(rs);
      rules += rs.ruleCount;
      if (r.expect !== "clean") continue;
      judged++;
      const errors = rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);
      expect(errors, r.path).toEqual(KNOWN_ERRORS[r.path] ?? []);
      if (errors.length === 0) clean++;
    }
    console.log(`[fortios corpus] ${files.length} files read, ${rules} policies; clean files with zero errors: ${clean}/${judged} (the other named in KNOWN_ERRORS)`);
    expect(problems).toEqual([]);
  });
});
