/**
 * The fwlint command lines the GitHub Action (action.yml) runs, from its inputs. Pure, so that
 * test/action/command.test.ts can check every mapping; src/action/main.ts reads the inputs from the
 * environment, asks git for the changed files, and runs these argv arrays (no shell, so no quoting).
 *
 * Two commands: `sarif` writes the SARIF report for code scanning and never fails on findings
 * (`--fail-on none`), so the upload step still runs; `check` prints the text report and its exit
 * status is the action's (`--fail-on <input>`).
 */

export interface ActionInputs {
  /** `paths`: whitespace- or newline-separated files and folders (default "."). */
  paths: string;
  /** `fail-on`: a severity, or none (default "high"). */
  failOn: string;
  /** `sarif-file` (default "fwlint.sarif"). */
  sarifFile: string;
  /** `changed-only`: "true"/"false" as GitHub passes it (default "true"). */
  changedOnly: string;
  /**
   * Files changed in the pull request (`git diff --name-only --diff-filter=d BASE...HEAD`), or
   * undefined when there is no pull request (a push, a schedule): then `paths` is checked whole.
   */
  changedFiles?: readonly string[];
}

export type ActionStep = "sarif" | "check";

/** Names fwlint's pre-commit hook matches (.pre-commit-hooks.yaml `files`/`exclude`; kept equal by a test). */
const RULESET_NAME = /(^|\/)(rules\.v[46]|[^/]+\.(rules|ipt)|ip6?tables([-_.][^/]*)?|firewall[^/]*\.sh|[^/]+\.nft|nftables([-_.][^/]*)?|ipsets?([-_.][^/]*)?)$/;
const NOT_RULESET = /(^|\/)rules\.d\/|\.(md|rst|txt|html?|adoc|pdf|png|jpe?g|svg)$/;

/**
 * True for a changed file worth naming to fwlint. A named file fwlint cannot read as a ruleset makes
 * `check` exit 2, so changed files are filtered by name, like the pre-commit hook does.
 */
export function isRulesetName(path: string): boolean {
  return RULESET_NAME.test(path) && !NOT_RULESET.test(path);
}

export function splitPaths(paths: string): string[] {
  const list = paths.split(/\s+/).filter((p) => p !== "");
  return list.length > 0 ? list : ["."];
}

function normalise(p: string): string {
  return p.replace(/^\.\/+/, "").replace(/\/+$/, "");
}

/** True when `file` (repository-relative) is `path` or inside it. */
function under(file: string, path: string): boolean {
  const p = normalise(path);
  const f = normalise(file);
  return p === "" || p === "." || f === p || f.startsWith(`${p}/`);
}

/** The files and folders to check: `paths`, or with changed-only, the changed rulesets inside them. */
export function actionTargets(inputs: ActionInputs): string[] {
  const paths = splitPaths(inputs.paths);
  if (inputs.changedOnly.trim().toLowerCase() !== "true" || inputs.changedFiles === undefined) return paths;
  const changed = inputs.changedFiles.filter((f) => f !== "" && isRulesetName(f) && paths.some((p) => under(f, p)));
  return [...new Set(changed)].sort();
}

/**
 * The argv of one step (argv[0] is "fwlint"), or [] when there is nothing to check (changed-only and
 * no ruleset changed in the pull request).
 */
export function actionCommand(inputs: ActionInputs, step: ActionStep): string[] {
  const targets = actionTargets(inputs);
  if (targets.length === 0) return [];
  const failOn = inputs.failOn.trim() || "high";
  if (step === "sarif") return ["fwlint", "check", "--format", "sarif", "--fail-on", "none", "--", ...targets];
  return ["fwlint", "check", "--fail-on", failOn, "--", ...targets];
}
