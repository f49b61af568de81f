/**
 * Where ../shared/corpus is, and what its INDEX.tsv lists, for tests that read the public corpus by
 * path. Absent (a user's clone): the caller skips, and a visible message says so. Under
 * FWLINT_REQUIRE_SHARED=1 (CI) an absent corpus is an error instead of a skip.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const SHARED_DIR = resolve(ROOT, process.env.FWLINT_SHARED_DIR ?? "../shared");

/**
 * The corpus folder, or undefined (after printing why `what` is skipped). Throws when CI requires it.
 * FWLINT_CORPUS_DIR names the corpus folder itself (used to check the skip path).
 */
export function sharedCorpus(what: string): string | undefined {
  const corpus = process.env.FWLINT_CORPUS_DIR ?? join(SHARED_DIR, "corpus");
  if (existsSync(join(corpus, "INDEX.tsv"))) return corpus;
  if (process.env.FWLINT_REQUIRE_SHARED === "1") throw new Error(`${what}: ${corpus} is absent, and FWLINT_REQUIRE_SHARED=1 requires it`);
  console.warn(`[${what}] SKIPPED: ${corpus} is absent (these tests read the shared corpus by path)`);
  return undefined;
}

/** One line of INDEX.tsv; `file` is `path` resolved inside the corpus folder. */
export interface CorpusRow {
  path: string;
  file: string;
  format: string;
  kernel: string;
  expect: string;
  note: string;
}

/** Which rows to keep: only these formats and/or only these `expect` values (all when omitted). */
export interface CorpusFilter {
  formats?: readonly string[];
  expect?: readonly string[];
}

/** The rows of `corpus`/INDEX.tsv (header and blank lines dropped), in index order. */
export function corpusRows(corpus: string, only: CorpusFilter = {}): CorpusRow[] {
  const [, ...lines] = readFileSync(join(corpus, "INDEX.tsv"), "utf8").split("\n");
  const rows: CorpusRow[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    const [path = "", format = "", kernel = "", expect = "", note = ""] = line.split("\t");
    if (only.formats && !only.formats.includes(format)) continue;
    if (only.expect && !only.expect.includes(expect)) continue;
    rows.push({ path, file: join(corpus, path), format, kernel, expect, note });
  }
  return rows;
}

/** A corpus file's text, or undefined when it is missing (large files may be absent from a checkout). */
export function corpusText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
