/**
 * The shared corpus: files indexed `iptables-script` are parsed (no crash; the share with error
 * diagnostics is reported), and no file of another format is taken for a script.
 * Without ../shared/corpus the suite is skipped with a visible message, unless
 * FWLINT_REQUIRE_SHARED=1, in which case it fails.
 */
import { describe, expect, it } from "vitest";
import { detectIptablesScript, parseIptablesScript } from "../../../parsers/iptables-script/index.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("iptables-script corpus");

describe.skipIf(corpus === undefined)("iptables-script corpus (../shared/corpus)", () => {
  const all = corpus === undefined ? [] : corpusRows(corpus);

  it("files indexed iptables-script parse without crashing; error rate reported", () => {
    const scripts = all.filter((r) => r.format === "iptables-script");
    let withErrors = 0;
    let errors = 0;
    for (const r of scripts) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      const rs = parseIptablesScript(text, r.path);
      expect(rs.diagnostics.some((d) => d.message.startsWith("internal error")), r.path).toBe(false);
      const n = rs.diagnostics.filter((d) => d.severity === "error").length;
      errors += n;
      if (n > 0) withErrors++;
    }
    console.log(
      scripts.length === 0
        ? "[iptables-script corpus] the index lists no iptables-script file: nothing to parse"
        : `[iptables-script corpus] ${scripts.length} files, ${withErrors} with error diagnostics (${((100 * withErrors) / scripts.length).toFixed(1)}%), ${errors} errors`,
    );
  });

  it("no file of another format is detected as a script", () => {
    const claimed: string[] = [];
    for (const r of all) {
      if (r.format === "iptables-script") continue;
      const text = corpusText(r.file);
      if (text !== undefined && detectIptablesScript(text)) claimed.push(`${r.format} ${r.path}`);
    }
    expect(claimed).toEqual([]);
  });
});
