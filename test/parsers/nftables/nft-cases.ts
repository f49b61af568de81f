/**
 * The nftables tests that hold fwlint's errors against nft's own verdict share these: a list of
 * cases, each a file nft refuses (and what fwlint's error must say, and where) or loads; one test
 * per case for fwlint's side; the loader asked about every case (nft -c, or a real load into a
 * namespace's kernel); and random files, where fwlint must err exactly when nft refuses.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import type { Diagnostic } from "../../../src/model/types.js";
import { loaderSays } from "../../loaders.js";

/** fwlint's error diagnostics for an nft text. */
export function nftErrors(text: string): Diagnostic[] {
  return parseNft(text, "case.nft").diagnostics.filter((d) => d.severity === "error");
}

export interface NftCase {
  name: string;
  text: string;
  /** What fwlint's (first) error says; undefined when nft loads the file. */
  refused?: RegExp;
  /** Where fwlint reports it: "line:column", or "line". */
  at?: string;
}

/**
 * One test per case: a refused file gets an error saying `refused` (exactly one unless
 * `oneError` is false), where `at` says; a loaded one gets none.
 */
export function fwlintVerdicts(cases: readonly NftCase[], opts: { oneError?: boolean; errors?: (text: string) => Diagnostic[] } = {}): void {
  const errorsOf = opts.errors ?? nftErrors;
  for (const c of cases) {
    it(`${c.refused ? "refuses" : "loads"} ${c.name}`, () => {
      const errors = errorsOf(c.text);
      if (!c.refused) {
        expect(errors).toEqual([]);
        return;
      }
      if (opts.oneError === false) expect(errors.length).toBeGreaterThan(0);
      else expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toMatch(c.refused);
      if (c.at !== undefined) expect(c.at.includes(":") ? `${errors[0]!.line}:${errors[0]!.column}` : `${errors[0]!.line}`).toBe(c.at);
    });
  }
}

/**
 * The cases whose verdict the loader does not share (written to `dir`): nft -c, or with `commit`
 * a real load. With `atLine`, a refused case must also be refused at the line fwlint names.
 */
export function loaderDisagrees(dir: string, cases: readonly NftCase[], opts: { commit?: boolean; atLine?: boolean } = {}): string[] {
  const wrong: string[] = [];
  const file = join(dir, "case.nft");
  for (const c of cases) {
    writeFileSync(file, c.text);
    const nft = loaderSays(file, opts.commit);
    if (nft.refused !== (c.refused !== undefined)) wrong.push(`${c.name}: nft ${nft.says}`);
    else if (opts.atLine && c.refused && c.at && !nft.says.includes(`case.nft:${c.at.split(":")[0]}:`)) wrong.push(`${c.name}: nft names another line: ${nft.says}`);
  }
  return wrong;
}

/**
 * Files (written to `dir`) fwlint must err on exactly when nft -c refuses them: the ones where it
 * does not, with both verdicts, and how many nft refused.
 */
export function differential(dir: string, files: readonly { name: string; text: string }[], errorsOf: (text: string) => Diagnostic[] = nftErrors): { wrong: string[]; refused: number } {
  const wrong: string[] = [];
  let refused = 0;
  for (const [i, f] of files.entries()) {
    const file = join(dir, `case${i}.nft`);
    writeFileSync(file, f.text);
    const nft = loaderSays(file);
    const errors = errorsOf(f.text);
    if (nft.refused) refused++;
    if (nft.refused !== errors.length > 0) wrong.push(`${f.name}:\n${f.text}nft ${nft.says}\nfwlint: ${errors.map((e) => e.message).join("; ") || "no error"}`);
  }
  return { wrong, refused };
}
