/**
 * The GitHub Action's runner (action.yml): `node dist/src/action/main.js sarif|check`.
 *
 * Reads the action's inputs from FWLINT_INPUT_* (action.yml passes them), lists the files the pull
 * request changed when changed-only is on (FWLINT_BASE_SHA is the pull request's base commit; empty
 * outside pull requests), and runs the command line {@link actionCommand} builds:
 *
 *   sarif  writes the SARIF report to sarif-file (an empty run when nothing is to be checked, so the
 *          upload still clears old alerts); exits 0 unless fwlint itself failed (2)
 *   check  the text report on stdout; exits with fwlint's status (1 on findings at or above fail-on)
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { actionCommand, type ActionInputs, type ActionStep } from "./command.js";

function changedFiles(base: string): string[] | undefined {
  if (base === "") return undefined;
  const diff = spawnSync("git", ["diff", "--name-only", "--diff-filter=d", "-z", `${base}...HEAD`], { encoding: "utf8" });
  if (diff.status !== 0) {
    process.stderr.write(
      `::warning::fwlint: cannot list the files changed since ${base} (check out with fetch-depth: 0); checking all paths\n${diff.stderr ?? ""}`,
    );
    return undefined;
  }
  return diff.stdout.split("\0").filter((f) => f !== "");
}

function main(): number {
  const step = process.argv[2];
  if (step !== "sarif" && step !== "check") {
    process.stderr.write("usage: main.js sarif|check\n");
    return 2;
  }
  const env = process.env;
  const inputs: ActionInputs = {
    paths: env.FWLINT_INPUT_PATHS ?? ".",
    failOn: env.FWLINT_INPUT_FAIL_ON ?? "high",
    sarifFile: env.FWLINT_INPUT_SARIF_FILE || "fwlint.sarif",
    changedOnly: env.FWLINT_INPUT_CHANGED_ONLY ?? "true",
  };
  const files = inputs.changedOnly.trim().toLowerCase() === "true" ? changedFiles(env.FWLINT_BASE_SHA ?? "") : undefined;
  if (files !== undefined) inputs.changedFiles = files;
  const argv = actionCommand(inputs, step as ActionStep);

  if (argv.length === 0) {
    if (step === "sarif") {
      const empty = { version: "2.1.0", runs: [{ tool: { driver: { name: "fwlint" } }, results: [] }] };
      writeFileSync(inputs.sarifFile, `${JSON.stringify(empty, null, 2)}\n`);
    } else {
      process.stdout.write("fwlint: no firewall configuration changed in this pull request\n");
    }
    return 0;
  }
  process.stderr.write(`${argv.join(" ")}\n`);
  const out = step === "sarif" ? openSync(inputs.sarifFile, "w") : "inherit";
  try {
    const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: ["ignore", out, "inherit"] });
    if (r.error) {
      process.stderr.write(`fwlint: ${r.error.message}\n`);
      return 2;
    }
    const status = r.status ?? 2;
    return step === "sarif" && status !== 2 ? 0 : status;
  } finally {
    if (typeof out === "number") closeSync(out);
  }
}

process.exitCode = main();
