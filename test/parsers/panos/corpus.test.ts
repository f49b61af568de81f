/**
 * The shared corpus: every PAN-OS file (`panos-set` and `panos-xml` in INDEX.tsv: Batfish's PAN-OS
 * tests, aerleon's generated policies, pan-os-php's firewall and Panorama configurations, and
 * Batfish's brace-form tests indexed as `other`) is read and evaluated without an internal error,
 * and every clean one with zero error diagnostics but the named exceptions. Without
 * ../shared/corpus the suite is skipped with a visible message, unless FWLINT_REQUIRE_SHARED=1, in
 * which case it fails.
 */
import { describe, expect, it } from "vitest";
import { parsePanos } from "../../../parsers/panos/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("panos corpus");

/**
 * Clean files whose errors are real. Batfish's tests name objects on purpose that they never
 * define (INDEX.tsv: "has deliberate undefined refs"), and destination-nat-panorama puts
 * ethernet1/1.2 and ethernet1/2.2 in zones though the device declares only units .1.
 */
const KNOWN_ERRORS: Record<string, string[]> = {
  "batfish/palo_alto/nat-service": ["38:38 NAT rule 'RULE3': service 'SERVICE_UNDEF' is not a service or service group"],
  "batfish/palo_alto/rulebase-nat": [
    "21:42 NAT rule '2nd_RULE': source 'SRC_1' is not an address, address group, external list or IP address",
    "21:48 NAT rule '2nd_RULE': source 'SRC_2' is not an address, address group, external list or IP address",
    "22:40 NAT rule '2nd_RULE': source 'SRC_3' is not an address, address group, external list or IP address",
    "23:45 NAT rule '2nd_RULE': destination 'DST_1' is not an address, address group, external list or IP address",
    "24:47 NAT rule '2nd_RULE': destination 'DST_2' is not an address, address group, external list or IP address",
    "24:53 NAT rule '2nd_RULE': destination 'DST_3' is not an address, address group, external list or IP address",
    "30:76 NAT rule '2nd_RULE': translated-address 'DST_2' is not an address object or IP address",
  ],
  "batfish/palo_alto/destination-nat-panorama": [
    "155:40 zone 'INSIDE': interface 'ethernet1/1.2' is not an interface of the device (network interface)",
    "160:40 zone 'OUTSIDE': interface 'ethernet1/2.2' is not an interface of the device (network interface)",
  ],
};

describe.skipIf(corpus === undefined)("panos corpus (../shared/corpus)", () => {
  it("reads every PAN-OS file, clean ones with zero error diagnostics, and evaluates it", () => {
    const rows = corpus === undefined ? [] : corpusRows(corpus);
    const files = rows.filter((r) => r.format === "panos-set" || r.format === "panos-xml" || (r.format === "other" && r.path.startsWith("batfish/palo_alto/")));
    expect(files.length).toBeGreaterThanOrEqual(160);
    const problems: string[] = [];
    const perForm = new Map<string, { clean: number; judged: number }>();
    let rules = 0;
    for (const r of files) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      const rs = parsePanos(text, r.path);
      for (const d of rs.diagnostics.filter((x) => x.message.startsWith("internal error"))) problems.push(`${r.path}: ${d.message}`);
      evaluateRuleset(rs);
      rules += rs.ruleCount;
      if (r.expect !== "clean") continue;
      const form = r.format === "other" ? "brace" : r.format;
      const tally = perForm.get(form) ?? { clean: 0, judged: 0 };
      tally.judged++;
      const errors = rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);
      expect(errors, r.path).toEqual(KNOWN_ERRORS[r.path] ?? []);
      if (errors.length === 0) tally.clean++;
      perForm.set(form, tally);
    }
    const rates = [...perForm].map(([form, t]) => `${form} ${t.clean}/${t.judged}`).join(", ");
    console.log(`[panos corpus] ${files.length} files read, ${rules} security and NAT rules; clean files with zero errors: ${rates} (the others named in KNOWN_ERRORS)`);
    expect(problems).toEqual([]);
  });
});
