/**
 * The shared corpus: every file indexed `cisco-asa` is detected and parsed; `clean` files have
 * no error diagnostics except the named files below, whose errors must all be references to
 * names the file really does not define (Batfish parser tests carry such references on purpose);
 * no file of another format is taken for ASA. Prints the rate.
 * Without ../shared/corpus the suite is skipped with a visible message, unless
 * FWLINT_REQUIRE_SHARED=1, in which case it fails.
 */
import { describe, expect, it } from "vitest";
import { detectCiscoAsa, parseCiscoAsa } from "../../../parsers/cisco-asa/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("cisco-asa corpus");

/** Clean-indexed files that name objects they never define (checked: the names are absent). */
const UNDEFINED_REFS: Record<string, string> = {
  "batfish/cisco_asa/asa-acl-object": "objects onfake1, onfake2 and service object osfake",
  "batfish/cisco_asa/asa-gh-6042": "objects X and Y (a crypto-map ACL)",
  "batfish/cisco_asa/asa-service-object-inline": "service objects icmp-echo and ospf",
  "batfish/cisco_asa/unit-tests/asa_acl": "group drawbridge_hosts, service objects icmp-*, ospf, interface outside (no nameif)",
  "batfish/cisco_asa/unit-tests/asa_nat": "NAT objects net1-net4, service objects service1/2",
  "ciscoconfparse/cisco_asa/sample_01.asa": "object-group TSUNAMI_addrs",
  "ansible-cisco-asa/cisco_asa/asa_acls_config.cfg": "show access-list output: group ALLSERV.12, whose only expansion has the non-mask '1.1.1.1 1.1.1.1'",
};
const UNDEFINED_MESSAGE = /is not defined \(line [0-9]+\)|is not a nameif of this config/;

describe.skipIf(corpus === undefined)("Cisco ASA corpus", () => {
  const all = corpus === undefined ? [] : corpusRows(corpus);
  const asaRows = all.filter((r) => r.format === "cisco-asa");

  it("indexes ASA files", () => {
    expect(asaRows.length).toBeGreaterThan(40);
  });

  it("clean files parse with no error diagnostics (named undefined-reference files apart)", () => {
    const clean = asaRows.filter((r) => r.expect === "clean");
    let read_ = 0;
    let noErrors = 0;
    let rules = 0;
    const unexpected: string[] = [];
    for (const r of clean) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      read_++;
      expect(detectCiscoAsa(text), r.path).toBe(true);
      const rs = parseCiscoAsa(text, r.path);
      rules += rs.ruleCount;
      evaluateRuleset(rs); // the model must be evaluable, not only parsed
      const errs = rs.diagnostics.filter((d) => d.severity === "error");
      if (errs.length === 0) {
        noErrors++;
        continue;
      }
      const deliberate = /deliberate undefined refs/.test(r.note) || r.path in UNDEFINED_REFS;
      const others = errs.filter((d) => !UNDEFINED_MESSAGE.test(d.message));
      if (!deliberate || others.length > 0) unexpected.push(`${r.path}: ${(deliberate ? others : errs).map((d) => `${d.line}:${d.column} ${d.message}`).join("; ")}`);
    }
    console.log(`[cisco-asa corpus] ${noErrors}/${read_} clean files without error diagnostics (${((100 * noErrors) / Math.max(1, read_)).toFixed(1)}%); the other ${read_ - noErrors} only report names the file does not define; ${rules} ACEs`);
    expect(unexpected).toEqual([]);
  });

  it("the Batfish files with deliberate undefined references report them", () => {
    for (const r of asaRows.filter((x) => /deliberate undefined refs/.test(x.note))) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      const errs = parseCiscoAsa(text, r.path).diagnostics.filter((d) => d.severity === "error");
      expect(errs.length, r.path).toBeGreaterThan(0);
    }
  });

  it("the file with injected non-config text reports those lines", () => {
    // Unknown commands are skipped with an info diagnostic (real configs have thousands of
    // lines fwlint does not read), so the injected text is reported, at its line, as info.
    for (const r of asaRows.filter((x) => x.expect === "error")) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      expect(detectCiscoAsa(text), r.path).toBe(true);
      const rs = parseCiscoAsa(text, r.path);
      const lines = text.split("\n");
      const injected = lines.findIndex((l) => /^(foo|biz) /.test(l)) + 1;
      expect(injected).toBeGreaterThan(0);
      expect(rs.diagnostics.some((d) => d.line === injected && /not read by fwlint/.test(d.message)), r.path).toBe(true);
    }
  });

  it("no file of another format is taken for ASA", () => {
    const others = all.filter((r) => r.format !== "cisco-asa" && !r.format.endsWith("-other"));
    const claimed: string[] = [];
    for (const r of others) {
      const text = corpusText(r.file);
      if (text !== undefined && detectCiscoAsa(text)) claimed.push(`${r.format} ${r.path}`);
    }
    expect(claimed).toEqual([]);
  });
});
