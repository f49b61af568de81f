/**
 * The shared corpus's nft JSON: every `nft-json` file indexed clean, newer-syntax or kernel-feature
 * and every `*.json-nft` dump of the nftables project's shell tests reads with zero error
 * diagnostics (the rate is printed; a miss names the file and its first error). Files indexed
 * `error` (fuzzer bogons nft itself rejects) are measured: the share fwlint reports an error for.
 * Every file is also evaluated (must not throw). Without ../shared the suite is skipped with a
 * visible message, or fails under FWLINT_REQUIRE_SHARED=1.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNftJson } from "../../../parsers/nftables/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { corpusRows, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("nft JSON corpus");

function dumps(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) dumps(p, out);
    else if (name.endsWith(".json-nft")) out.push(p);
  }
  return out;
}

describe.skipIf(corpus === undefined)("nft JSON corpus", () => {
  const root = corpus ?? "";
  const index = corpus === undefined ? [] : corpusRows(corpus, { formats: ["nft-json"] });
  const firstError = (path: string) => {
    const rs = parseNftJson(readFileSync(path, "utf8"), relative(root, path));
    evaluateRuleset(rs);
    const e = rs.diagnostics.find((d) => d.severity === "error");
    return e ? `${e.file}:${e.line}:${e.column}: ${e.message}` : undefined;
  };

  it("every valid nft JSON file reads with zero errors", () => {
    const paths = new Set(index.filter((r) => r.expect !== "error").map((r) => r.file));
    for (const p of dumps(join(root, "nftables-upstream"))) paths.add(p);
    const misses: string[] = [];
    for (const p of paths) {
      const e = firstError(p);
      if (e) misses.push(e);
    }
    const ok = paths.size - misses.length;
    console.log(`nft JSON corpus: ${ok}/${paths.size} valid files read with zero errors (${((100 * ok) / paths.size).toFixed(1)}%)`);
    for (const m of misses) console.log(`  miss: ${m}`);
    expect(paths.size).toBeGreaterThan(400);
    expect(misses).toEqual([]);
  });

  it("files nft rejects: share fwlint reports an error for", () => {
    const bad = index.filter((r) => r.expect === "error");
    const found = bad.filter((r) => firstError(r.file) !== undefined);
    console.log(`nft JSON corpus: ${found.length}/${bad.length} files indexed 'error' get an error diagnostic`);
    for (const r of bad) if (!found.includes(r)) console.log(`  not detected: ${r.path} (${r.note})`);
    expect(bad.length).toBeGreaterThan(0);
  });
});
