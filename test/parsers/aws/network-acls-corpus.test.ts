/**
 * The shared corpus: every AWS network-ACL file (`aws-nacl` in INDEX.tsv: Batfish's and pybatfish's
 * test networks, cloud-custodian's SDK recordings in `{"data": ...}`) is detected as such, every
 * `clean` one parses with zero error diagnostics, and each evaluates; no file of another format is
 * taken for network ACLs. Without ../shared/corpus the suite is skipped with a visible message,
 * unless FWLINT_REQUIRE_SHARED=1 (CI), in which case it fails.
 */
import { describe, expect, it } from "vitest";
import { detectAwsNetworkAcls } from "../../../parsers/aws/nacl-detect.js";
import { parseAwsNetworkAcls } from "../../../parsers/aws/nacl-index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { detectFormat } from "../../../src/engine/formats.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("aws network ACL corpus");

describe.skipIf(corpus === undefined)("aws network ACL corpus (../shared/corpus)", () => {
  const all = corpus === undefined ? [] : corpusRows(corpus);

  it("reads every aws-nacl file (every clean one with zero error diagnostics), and evaluates it", () => {
    const files = all.filter((r) => r.format === "aws-nacl");
    expect(files.length).toBeGreaterThanOrEqual(25);
    const problems: string[] = [];
    const counts: string[] = [];
    let clean = 0;
    let acls = 0;
    let entries = 0;
    for (const r of files) {
      const text = corpusText(r.file);
      if (text === undefined) {
        problems.push(`${r.path}: missing from the corpus checkout`);
        continue;
      }
      const detected = detectFormat(text);
      if (detected !== "aws-nacl") problems.push(`${r.path}: detected as ${detected ?? "nothing"}`);
      const rs = parseAwsNetworkAcls(text, r.path);
      const errs = rs.diagnostics.filter((x) => x.severity === "error");
      if (r.expect === "clean") for (const d of errs) problems.push(`${r.path}:${d.line}:${d.column}: ${d.message}`);
      if (errs.length === 0) clean++;
      evaluateRuleset(rs);
      const n = [...rs.chains.keys()].filter((k) => k.endsWith(" inbound")).length;
      acls += n;
      entries += rs.ruleCount;
      counts.push(`${r.path}: ${n} ACL${n === 1 ? "" : "s"}, ${rs.ruleCount} entr${rs.ruleCount === 1 ? "y" : "ies"}`);
    }
    console.log(`[aws network ACL corpus] ${clean}/${files.length} files clean, ${acls} network ACLs, ${entries} entries\n  ${counts.join("\n  ")}`);
    expect(problems).toEqual([]);
  });

  it("takes no file of another format for network ACLs", () => {
    const wrong = all.filter((r) => r.format !== "aws-nacl").filter((r) => {
      const text = corpusText(r.file);
      return text !== undefined && detectAwsNetworkAcls(text);
    });
    expect(wrong.map((r) => `${r.path} (${r.format})`)).toEqual([]);
  });
});
