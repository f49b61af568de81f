/**
 * The shared corpus: every Azure NSG file (`azure-nsg` in INDEX.tsv: Batfish's ARM REST exports,
 * cloud-custodian's VCR cassettes of the REST list, and an ARM deployment template) is detected as
 * such, read without an internal error and evaluated, and every clean one with zero error
 * diagnostics; no file of another format - the VMs, NICs, VNets and public IPs of `azure-other`
 * above all - is taken for one. Without ../shared/corpus the suite is skipped with a visible
 * message, unless FWLINT_REQUIRE_SHARED=1, in which case it fails.
 */
import { describe, expect, it } from "vitest";
import { detectAzureNsg } from "../../../parsers/azure/detect.js";
import { parseAzureNsg } from "../../../parsers/azure/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { detectFormat } from "../../../src/engine/formats.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("azure corpus");

describe.skipIf(corpus === undefined)("azure nsg corpus (../shared/corpus)", () => {
  const all = corpus === undefined ? [] : corpusRows(corpus);

  it("reads every azure-nsg file, clean ones with zero error diagnostics, and evaluates it", () => {
    const files = all.filter((r) => r.format === "azure-nsg");
    expect(files.length).toBeGreaterThanOrEqual(12);
    const problems: string[] = [];
    const counts: string[] = [];
    let clean = 0;
    let judged = 0;
    let rules = 0;
    for (const r of files) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      if (detectFormat(text) !== "azure-nsg") problems.push(`${r.path}: detected as ${detectFormat(text) ?? "nothing"}`);
      const rs = parseAzureNsg(text, r.path);
      for (const d of rs.diagnostics.filter((x) => x.message.startsWith("internal error"))) problems.push(`${r.path}: ${d.message}`);
      const evaluated = evaluateRuleset(rs);
      expect(evaluated.results.length, r.path).toBe(4);
      const nsgs = [...rs.chains.keys()].filter((k) => k.endsWith(" inbound") && !k.includes("/asg:")).length;
      expect(nsgs, r.path).toBeGreaterThan(0);
      rules += rs.ruleCount;
      counts.push(`${r.path.split("/").pop()}: ${rs.ruleCount} rules in ${nsgs} NSG${nsgs === 1 ? "" : "s"}`);
      if (r.expect !== "clean") continue;
      judged++;
      const errors = rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${r.path}:${d.line}:${d.column} ${d.message}`);
      problems.push(...errors);
      if (errors.length === 0) clean++;
    }
    console.log(`[azure corpus] ${files.length} files read, ${rules} security rules; clean files with zero errors: ${clean}/${judged}\n  ${counts.join("\n  ")}`);
    expect(problems).toEqual([]);
    expect(judged).toBeGreaterThanOrEqual(11);
  });

  it("reads the ARM template (a fragment: its name is a parameter) without an internal error, its expressions unknown", () => {
    const fragments = all.filter((r) => r.format === "azure-nsg" && r.expect === "fragment");
    expect(fragments.length).toBeGreaterThanOrEqual(1);
    for (const r of fragments) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      const rs = parseAzureNsg(text, r.path);
      expect(rs.diagnostics.filter((d) => d.message.startsWith("internal error")), r.path).toEqual([]);
      expect(rs.ruleCount, r.path).toBeGreaterThan(0);
    }
  });

  it("takes no file of another format for Azure NSGs, VMs, NICs and VNets included", () => {
    const wrong = all.filter((r) => r.format !== "azure-nsg").filter((r) => {
      const text = corpusText(r.file);
      return text !== undefined && detectAzureNsg(text);
    });
    expect(wrong.map((r) => `${r.path} (${r.format})`)).toEqual([]);
    expect(all.filter((r) => r.format === "azure-other").length).toBeGreaterThanOrEqual(10);
  });
});
