/**
 * `fwlint baseline [--output FILE] [--config FILE] [--input-format NAME] PATH...`: write the current
 * findings to a baseline file (default .fwlint-baseline.json), for `fwlint check --baseline FILE`.
 * Nothing is written when a file cannot be analysed (exit 2).
 */
import { writeFileSync } from "node:fs";
import { DEFAULT_BASELINE_FILE, renderBaseline } from "../engine/baseline.js";
import { analyzeFile, knownFormats, type AnalyzedFile, type CheckOptions } from "../engine/check.js";
import { ConfigResolver, optionsFromConfig } from "../engine/config.js";
import { RulePackError } from "../engine/rule-pack.js";
import type { Finding } from "../model/finding.js";
import { sanitize } from "../report/sanitize.js";
import { maxFileSizeOption, parseArgs, UsageError, type OptionSpec } from "./args.js";
import { expandPaths, readConfigFile } from "./files.js";
import type { CliIo } from "./io.js";
import { notReportedYet, RunReadings } from "./includer.js";

const COMMAND = "fwlint baseline";
const SPECS: OptionSpec[] = [
  { name: "output", value: true, short: "o" },
  { name: "config", value: true },
  { name: "input-format", value: true },
  { name: "max-file-size", value: true },
  { name: "help", value: false, short: "h" },
];

export function baselineUsage(): string {
  return `Usage: fwlint baseline [--output FILE] PATH...

Record the findings fwlint reports today, so that 'fwlint check --baseline FILE' reports only new ones.
Findings are matched by content (rule, file, source line, service, ports), not line numbers, so the
baseline survives edits that move rules.

Options:
  -o, --output FILE       where to write (default: ${DEFAULT_BASELINE_FILE})
  --config FILE           settings file instead of the nearest .fwlint.yaml
  --input-format NAME     read every file as NAME (${knownFormats().join(", ")})
  --max-file-size SIZE    read files up to SIZE (default 10M; K, M, G: e.g. 50M)
  -h, --help              show this help
`;
}

export async function runBaseline(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  let maxFileBytes: number;
  try {
    parsed = parseArgs(argv, SPECS, COMMAND);
    const size = parsed.options.get("max-file-size");
    maxFileBytes = maxFileSizeOption(COMMAND, typeof size === "string" ? size : undefined);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { options, positionals } = parsed;
  const str = (name: string): string | undefined => {
    const v = options.get(name);
    return typeof v === "string" ? v : undefined;
  };
  if (options.has("help")) {
    io.stdout(baselineUsage());
    return 0;
  }
  if (positionals.length === 0) {
    io.stderr(`${COMMAND}: no PATH given (see '${COMMAND} --help')\n`);
    return 2;
  }
  const base: CheckOptions = {};
  const inputFormat = str("input-format");
  if (inputFormat !== undefined) {
    if (!knownFormats().includes(inputFormat)) {
      io.stderr(`${COMMAND}: unknown --input-format '${sanitize(inputFormat)}' (known: ${knownFormats().join(", ")})\n`);
      return 2;
    }
    base.inputFormat = inputFormat;
  }
  const output = str("output") ?? DEFAULT_BASELINE_FILE;
  const configs = new ConfigResolver(str("config"));

  let failed = false;
  const error = (path: string, message: string) => {
    failed = true;
    io.stderr(`${sanitize(path)}: ${sanitize(message)}\n`);
  };
  const expansion = await expandPaths(positionals, maxFileBytes);
  for (const p of expansion.problems) {
    if (p.level === "error") error(p.path, p.message);
    else io.stderr(`${sanitize(p.path)}: ${sanitize(p.message)}\n`);
  }
  // Read as check reads them: a fragment another file includes, that cannot be read alone, is
  // part of its includer's analysis; one named alone is read with the includer beside it.
  const analysed: { path: string; explicit: boolean; options: CheckOptions; result: AnalyzedFile }[] = [];
  for (const input of expansion.files) {
    const read = await readConfigFile(input.path, maxFileBytes);
    if (!read.ok) {
      if (input.explicit || read.reason === "unreadable") error(input.path, read.message);
      continue;
    }
    let opts: CheckOptions;
    try {
      opts = optionsFromConfig(configs.configFor(input.path), input.path, { ...base, ...(input.folder !== undefined ? { scanRoot: input.folder } : {}) });
    } catch (err) {
      if (!(err instanceof RulePackError)) throw err;
      io.stderr(`${sanitize(err.message)}\n`);
      return 2;
    }
    const result = await analyzeFile(input.path, read.text, opts);
    delete result.ruleset;
    analysed.push({ path: input.path, explicit: input.explicit, options: opts, result });
  }
  const readings = new RunReadings(analysed.map((a) => ({ path: a.path, includes: a.result.includes ?? [] })), maxFileBytes, inputFormat);
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const add = (fs: readonly Finding[]) => findings.push(...notReportedYet(reported, fs));
  for (const { path, explicit, options: opts, result } of analysed) {
    const reading = await readings.of(path, explicit, result, opts);
    if (reading.kind === "included" || reading.kind === "aside") continue;
    if (reading.kind === "found") {
      add(reading.part.findings);
      continue;
    }
    if (result.fatal !== undefined) {
      if (!explicit && inputFormat === undefined && result.file.format === "unknown") continue;
      error(path, result.fatal);
      continue;
    }
    add(result.findings);
  }
  if (failed) {
    io.stderr(`${COMMAND}: nothing written (fix the errors above first)\n`);
    return 2;
  }
  writeFileSync(output, renderBaseline(output, findings));
  io.stderr(`${COMMAND}: ${findings.length} finding${findings.length === 1 ? "" : "s"} written to ${sanitize(output)}\n`);
  return 0;
}
