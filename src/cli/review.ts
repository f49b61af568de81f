/**
 * `fwlint review [options] PATH...`: the interactive review in the terminal (src/review). This
 * module stays light: it parses the arguments, refuses when stdin or stdout is not a terminal (a
 * pipe or CI wants `fwlint check`), scans, and only then imports the UI (ink and React), so no other
 * command ever loads them.
 */
import { DEFAULT_BASELINE_FILE } from "../engine/baseline.js";
import { knownFormats } from "../engine/check.js";
import { sanitize } from "../report/sanitize.js";
import { maxFileSizeOption, parseArgs, parseCommandArgs, UsageError, type OptionSpec } from "./args.js";
import type { CliIo } from "./io.js";

const COMMAND = "fwlint review";

const SPECS: OptionSpec[] = [
  { name: "config", value: true },
  { name: "baseline", value: true },
  { name: "input-format", value: true },
  { name: "no-color", value: false },
  { name: "max-file-size", value: true },
  { name: "help", value: false, short: "h" },
];

export function reviewUsage(): string {
  return `Usage: fwlint review [options] PATH...

Review the findings interactively in the terminal: the findings grouped by severity and file, each
with its source lines, example packet and trace; the exposure map (what the Internet reaches and
which rule lets it in); a packet tracer; accepting a finding with a reason (a suppression comment
or the baseline file); opening $EDITOR at the rule. Files are re-scanned when they change.
Press ? in the review for the keys. Needs a terminal: use 'fwlint check' in scripts and CI.

Options:
  --config FILE           read settings from FILE instead of the nearest .fwlint.yaml
  --baseline FILE         hide the findings listed in FILE, and write accepted ones there
                          (default: ${DEFAULT_BASELINE_FILE}, used when it exists)
  --input-format NAME     read every file as NAME (${knownFormats().join(", ")})
  --max-file-size SIZE    read files up to SIZE (default 10M; K, M, G: e.g. 50M)
  --no-color              no colours (also when NO_COLOR is set)
  -h, --help              show this help

Exit status: 0 after quitting; 2 usage error, not a terminal, or nothing could be read.
`;
}

interface ReviewArgs {
  paths: string[];
  configFile?: string;
  baselineFile: string;
  inputFormat?: string;
  /** --max-file-size: the largest file read, in bytes. */
  maxFileBytes: number;
  noColor: boolean;
  help: boolean;
}

export function parseReviewArgs(argv: readonly string[]): ReviewArgs {
  const { options, positionals } = parseArgs(argv, SPECS, COMMAND);
  const str = (name: string): string | undefined => {
    const v = options.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const help = options.has("help");
  const inputFormat = str("input-format");
  if (inputFormat !== undefined && !knownFormats().includes(inputFormat)) {
    throw new UsageError(`${COMMAND}: unknown --input-format '${sanitize(inputFormat)}' (known: ${knownFormats().join(", ")})`);
  }
  if (!help && positionals.length === 0) throw new UsageError(`${COMMAND}: no PATH given (see '${COMMAND} --help')`);
  const configFile = str("config");
  return {
    paths: positionals,
    ...(configFile !== undefined ? { configFile } : {}),
    baselineFile: str("baseline") ?? DEFAULT_BASELINE_FILE,
    ...(inputFormat !== undefined ? { inputFormat } : {}),
    maxFileBytes: maxFileSizeOption(COMMAND, str("max-file-size")),
    noColor: options.has("no-color"),
    help,
  };
}

export interface Terminal {
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
}

export async function runReview(argv: readonly string[], io: CliIo, terminal: Terminal = { stdinIsTTY: process.stdin.isTTY === true, stdoutIsTTY: io.stdoutIsTTY }): Promise<number> {
  const args = parseCommandArgs(argv, parseReviewArgs, reviewUsage, io);
  if (typeof args === "number") return args;
  if (!terminal.stdinIsTTY || !terminal.stdoutIsTTY) {
    io.stderr(`fwlint review: needs a terminal (stdin and stdout); use 'fwlint check ${args.paths.map(sanitize).join(" ")}' for scripts and CI\n`);
    return 2;
  }
  const { scan } = await import("../review/session.js");
  const source = {
    paths: args.paths,
    baselineFile: args.baselineFile,
    ...(args.configFile !== undefined ? { configFile: args.configFile } : {}),
    ...(args.inputFormat !== undefined ? { inputFormat: args.inputFormat } : {}),
    maxFileBytes: args.maxFileBytes,
  };
  io.stderr(`fwlint review: scanning ${args.paths.map(sanitize).join(" ")} ...\n`);
  const first = await scan(source);
  if (first.files.length === 0) {
    for (const p of first.problems) io.stderr(`${sanitize(p.path)}: ${sanitize(p.message)}\n`);
    io.stderr(`fwlint review: no ruleset could be read\n`);
    return 2;
  }
  const noColorEnv = io.env.NO_COLOR;
  const color = !args.noColor && (noColorEnv === undefined || noColorEnv === "");
  // Both ends are a terminal, so a person is there, even when CI is set in the environment (ink
  // would otherwise only print a final frame). ink reads these when it is loaded, just below.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const { runReviewUi } = await import("../review/run.js");
  return runReviewUi(first, { source, color, env: io.env });
}
