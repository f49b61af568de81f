/**
 * The shared corpus: every AWS security-group file (`aws-sg` in INDEX.tsv: Batfish's test networks,
 * cloud-custodian's SDK recordings) is detected as such, parses with zero error diagnostics and
 * evaluates; no file of another format is taken for one. Without ../shared/corpus the suite is
 * skipped with a visible message, unless FWLINT_REQUIRE_SHARED=1, in which case it fails.
 */
import { describe, expect, it } from "vitest";
import { detectAwsSecurityGroups } from "../../../parsers/aws/detect.js";
import { parseAwsSecurityGroups } from "../../../parsers/aws/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { detectFormat } from "../../../src/engine/formats.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("aws corpus");

describe.skipIf(corpus === undefined)("aws security groups corpus (../shared/corpus)", () => {
  const all = corpus === undefined ? [] : corpusRows(corpus);

  it("reads every aws-sg file with zero error diagnostics, and evaluates it", () => {
    const files = all.filter((r) => r.format === "aws-sg");
    expect(files.length).toBeGreaterThanOrEqual(40);
    const problems: string[] = [];
    let groups = 0;
    let rules = 0;
    for (const r of files) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      if (detectFormat(text) !== "aws-sg") problems.push(`${r.path}: detected as ${detectFormat(text) ?? "nothing"}`);
      const rs = parseAwsSecurityGroups(text, r.path);
      for (const d of rs.diagnostics.filter((x) => x.severity === "error")) problems.push(`${r.path}:${d.line}:${d.column}: ${d.message}`);
      evaluateRuleset(rs);
      groups += [...rs.chains.keys()].filter((k) => k.endsWith(" inbound")).length;
      rules += rs.ruleCount;
    }
    console.log(`[aws corpus] ${files.length - new Set(problems.map((p) => p.split(":")[0])).size}/${files.length} files clean, ${groups} security groups, ${rules} rules`);
    expect(problems).toEqual([]);
  });

  it("takes no file of another format for security groups", () => {
    const wrong = all.filter((r) => r.format !== "aws-sg").filter((r) => {
      const text = corpusText(r.file);
      return text !== undefined && detectAwsSecurityGroups(text);
    });
    expect(wrong.map((r) => `${r.path} (${r.format})`)).toEqual([]);
  });
});
