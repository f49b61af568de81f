/**
 * The file that includes a fragment checked on its own: pre-commit names only the staged files, so
 * an nftables.d/20-mail.nft edited alone comes without the nftables.conf that includes it - and
 * alone it names the includer's chains and `$variables`. Such an includer is looked for beside the
 * fragment: in its folder and the two above, among the files named as nft rulesets are
 * (`*.nft`, `*.conf`, `nftables*`) that say `include`, the first (in name order, nearest folder
 * first) whose ruleset reads the fragment through its includes.
 */
import { readdir } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { analyzeFile, type AnalyzedFile, type CheckOptions } from "../engine/check.js";
import { readConfigFile } from "./files.js";

/** How many folders up from the fragment's own an includer is looked for. */
const FOLDERS_UP = 2;
const INCLUDER_NAME = /(\.nft|\.conf)$|^nftables/;

export async function findIncluder(fragment: string, options: CheckOptions, maxFileBytes: number): Promise<{ path: string; result: AnalyzedFile } | undefined> {
  const target = resolve(fragment);
  let dir = dirname(target);
  for (let up = 0; up <= FOLDERS_UP; up++) {
    let names: string[] = [];
    try {
      names = (await readdir(dir)).sort();
    } catch {
      names = [];
    }
    for (const name of names) {
      const path = join(dir, name);
      if (path === target || !INCLUDER_NAME.test(name)) continue;
      const read = await readConfigFile(path, maxFileBytes);
      if (!read.ok || !read.text.includes("include")) continue;
      const shown = isAbsolute(fragment) ? path : relative(process.cwd(), path);
      const { scanRoot: _fragments, ...rest } = options;
      const result = await analyzeFile(shown, read.text, rest);
      if (result.includes?.includes(target)) return { path: shown, result };
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** The part of an includer's analysis that lies in `fragment`: its findings and diagnostics there. */
export function partIn(result: AnalyzedFile, fragment: string): Pick<AnalyzedFile, "findings"> & { diagnostics: AnalyzedFile["file"]["diagnostics"] } {
  const target = resolve(fragment);
  return {
    findings: result.findings.filter((f) => resolve(f.location.file) === target),
    diagnostics: result.file.diagnostics.filter((d) => resolve(d.file) === target),
  };
}

