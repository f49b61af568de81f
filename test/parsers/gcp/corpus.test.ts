/**
 * The shared corpus: every Google Cloud firewall file (`gcp-firewall` in INDEX.tsv: gcpdiag's
 * getEffectiveFirewalls with hierarchical policies, cloud-custodian's recorded API responses,
 * aerleon's generated GCE rules) is detected as such, read without an internal error and evaluated,
 * and every clean one with zero error diagnostics; no file of another format (the recorded 404 of
 * `gcp-other`) is taken for one. Without ../shared/corpus the suite is skipped with a visible
 * message, unless FWLINT_REQUIRE_SHARED=1, in which case it fails.
 */
import { describe, expect, it } from "vitest";
import { detectGcpFirewall } from "../../../parsers/gcp/detect.js";
import { parseGcpFirewall } from "../../../parsers/gcp/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { detectFormat } from "../../../src/engine/formats.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("gcp corpus");

describe.skipIf(corpus === undefined)("gcp firewall corpus (../shared/corpus)", () => {
  const all = corpus === undefined ? [] : corpusRows(corpus);

  it("reads every gcp-firewall file, clean ones with zero error diagnostics, and evaluates it", () => {
    const files = all.filter((r) => r.format === "gcp-firewall");
    expect(files.length).toBeGreaterThanOrEqual(60);
    const problems: string[] = [];
    let clean = 0;
    let judged = 0;
    let rules = 0;
    let targets = 0;
    for (const r of files) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      if (detectFormat(text) !== "gcp-firewall") problems.push(`${r.path}: detected as ${detectFormat(text) ?? "nothing"}`);
      const rs = parseGcpFirewall(text, r.path);
      for (const d of rs.diagnostics.filter((x) => x.message.startsWith("internal error"))) problems.push(`${r.path}: ${d.message}`);
      const evaluated = evaluateRuleset(rs);
      expect(evaluated.results.length, r.path).toBe(4);
      rules += rs.ruleCount;
      targets += [...rs.chains.keys()].filter((k) => k.endsWith(" ingress") && !k.startsWith("gcp-firewall/policy ")).length;
      if (r.expect !== "clean") continue;
      judged++;
      const errors = rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${r.path}:${d.line}:${d.column} ${d.message}`);
      problems.push(...errors);
      if (errors.length === 0) clean++;
    }
    console.log(`[gcp corpus] ${files.length} files read, ${rules} rules, ${targets} targets; clean files with zero errors: ${clean}/${judged}`);
    expect(problems).toEqual([]);
    expect(judged).toBeGreaterThanOrEqual(60);
  });

  it("takes no file of another format for GCP firewall rules", () => {
    const wrong = all.filter((r) => r.format !== "gcp-firewall").filter((r) => {
      const text = corpusText(r.file);
      return text !== undefined && detectGcpFirewall(text);
    });
    expect(wrong.map((r) => `${r.path} (${r.format})`)).toEqual([]);
    expect(all.some((r) => r.format === "gcp-other")).toBe(true);
  });
});
