/**
 * Where ../shared/corpus is, for tests that read the public corpus by path.
 * Absent (a user's clone): the caller skips, and a visible message says so. Under
 * FWLINT_REQUIRE_SHARED=1 (CI) an absent corpus is an error instead of a skip.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const SHARED_DIR = resolve(ROOT, process.env.FWLINT_SHARED_DIR ?? "../shared");

/** The corpus folder, or undefined (after printing why `what` is skipped). Throws when CI requires it. */
export function sharedCorpus(what: string): string | undefined {
  const corpus = join(SHARED_DIR, "corpus");
  if (existsSync(join(corpus, "INDEX.tsv"))) return corpus;
  if (process.env.FWLINT_REQUIRE_SHARED === "1") throw new Error(`${what}: ${corpus} is absent, and FWLINT_REQUIRE_SHARED=1 requires it`);
  console.warn(`[${what}] SKIPPED: ${corpus} is absent (these tests read the shared corpus by path)`);
  return undefined;
}
