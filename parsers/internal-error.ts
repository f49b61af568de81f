/**
 * What a reader returns when a bug stops it: no chains, the diagnostics it had gathered, and the
 * error as one more, at the file's start. A bug in one reader must not take the caller down (a
 * pre-commit run over many files, the review).
 */
import type { Diagnostic, Pipeline, Ruleset } from "../src/model/types.js";

export function internalErrorRuleset(
  reader: string,
  base: Pick<Ruleset, "format" | "file" | "families"> & { pipelines?: Pipeline[] },
  diagnostics: readonly Diagnostic[],
  e: unknown,
): Ruleset {
  const message = `internal error in the ${reader}: ${e instanceof Error ? e.message : String(e)}`;
  return {
    format: base.format,
    file: base.file,
    families: base.families,
    chains: new Map(),
    pipelines: base.pipelines ?? [],
    // (fwlint's failure, not the file's: see Diagnostic unread)
    diagnostics: [...diagnostics, { severity: "error", message, file: base.file, line: 1, column: 1, unread: true }],
    ruleCount: 0,
  };
}
