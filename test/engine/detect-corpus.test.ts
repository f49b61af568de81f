/**
 * Format detection on the whole corpus: every complete file of a format fwlint reads is recognised
 * as that format, and no file of a format fwlint does not read is claimed by one it does.
 * Needs ../shared (skips with a message without it; FWLINT_REQUIRE_SHARED=1 makes that a failure).
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectFormat, knownFormats } from "../../src/engine/formats.js";
import { corpusRows, sharedCorpus } from "../shared-corpus.js";

/** INDEX.tsv format -> the fwlint format that reads it. */
const INDEX_TO_FWLINT: Record<string, string> = {
  "iptables-save": "iptables",
  "ip6tables-save": "ip6tables",
  nft: "nft",
  "nft-json": "nft-json",
  "cisco-asa": "cisco-asa",
  "cisco-ios": "cisco-ios",
  "junos-set": "junos",
  "junos-curly": "junos",
  "aws-sg": "aws-sg",
  "aws-nacl": "aws-nacl",
  fortios: "fortios",
  "panos-set": "panos",
  "panos-xml": "panos",
  "gcp-firewall": "gcp-firewall",
  "azure-nsg": "azure-nsg",
  "pfsense-xml": "pfsense",
  "opnsense-xml": "pfsense",
  "capirca-policy": "capirca",
};
/** Test-vector collections and unclassified files: one line at a time or not configs at all. */
const NOT_CONFIGS = new Set(["iptables-t", "iptables-txlate", "nft-py-t", "other", "format"]);

const corpus = sharedCorpus("format detection");

describe.skipIf(!corpus)("format detection on the corpus", () => {
  it("recognises every complete file of a format fwlint reads, and claims no other", () => {
    const known = new Set(knownFormats());
    const missed: string[] = [];
    const wrong: string[] = [];
    let judged = 0;
    for (const { path, file, format, expect } of corpusRows(corpus!)) {
      if (!path || !format || NOT_CONFIGS.has(format)) continue;
      if (!existsSync(file)) continue;
      const ours = INDEX_TO_FWLINT[format];
      const text = readFileSync(file, "utf8");
      const got = detectFormat(text);
      if (ours !== undefined && known.has(ours)) {
        if (expect !== "clean" && expect !== "newer-syntax") continue;
        // empty dumps and comment-only files say nothing a reader could recognise
        if (!/^[ \t]*[^#!\s]/m.test(text)) continue;
        judged++;
        // iptables vs ip6tables is decided by content; the index decides a family-neutral dump by name
        const same = got === ours || (ours.startsWith("ip") && got?.startsWith("ip") && got !== "iptables-script");
        if (!same) missed.push(`${path}: ${format} detected as ${got ?? "nothing"}`);
      } else if (got !== undefined) {
        wrong.push(`${path}: ${format} claimed by ${got}`);
      }
    }
    console.log(`[format detection] ${judged - missed.length}/${judged} complete files of read formats recognised; ${wrong.length} files of other formats claimed`);
    expect(missed).toEqual([]);
    expect(wrong).toEqual([]);
  });
});
