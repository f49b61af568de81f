/**
 * `fwlint check [options] PATH...`: read the files, analyse each, report, and choose the exit status
 * (../shared/docs/contracts.md): 0 no finding at or above --fail-on (default high); 1 such findings;
 * 2 usage error, unreadable file, or a file that could not be parsed at all.
 *
 * Reports go to stdout (text or JSON); one-line file errors and warnings go to stderr, so stdout stays
 * valid JSON with --format json.
 */
import { analyzeFile, FWLINT_VERSION, knownFormats, type AnalyzedFile, type CheckOptions } from "../engine/check.js";
import { SEVERITIES, severityRank, type FileReport, type Finding, type Severity } from "../model/finding.js";
import { ConfigResolver, optionsFromConfig, type FwlintConfig } from "../engine/config.js";
import { loadUserRules, RulePackError, type RuleDefinition } from "../engine/rule-pack.js";
import { sanitize } from "../report/sanitize.js";
import { failOnOption, maxFileSizeOption, parseArgs, quoted, UsageError, type OptionSpec, parseCommandArgs } from "./args.js";
import { expandPaths, readConfigFile } from "./files.js";
import { notReportedYet, RunReadings, type PartOf } from "./includer.js";
import type { Diagnostic } from "../model/types.js";
import type { CliIo } from "./io.js";

const OUTPUT_FORMATS = ["text", "json", "sarif", "github", "junit"] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];
type FailOn = Severity | "none";

const SPECS: OptionSpec[] = [
  { name: "format", value: true },
  { name: "fail-on", value: true },
  { name: "input-format", value: true },
  { name: "threshold", value: true },
  { name: "no-color", value: false },
  { name: "new-only", value: false },
  { name: "base", value: true },
  { name: "config", value: true },
  { name: "baseline", value: true },
  { name: "show-suppressed", value: false },
  { name: "skip-unknown", value: false },
  { name: "max-file-size", value: true },
  { name: "help", value: false, short: "h" },
];

export function checkUsage(): string {
  return `Usage: fwlint check [options] PATH...

Analyse firewall rulesets and report what they let in that is too wide. PATH is a file or a folder;
folders are walked recursively, and files in them that fwlint cannot read as a ruleset are skipped.
PATH '-' reads standard input: iptables-save | fwlint check -

Options:
  --format FORMAT         text (default), json, sarif (SARIF 2.1.0 for code scanning), github (workflow
                          annotations), junit (JUnit XML)
  --fail-on SEVERITY      exit 1 when a finding is at least this severe: ${SEVERITIES.join(", ")}, or none
                          (default: high)
  --input-format NAME     read every file as NAME instead of detecting the format
                          (${knownFormats().join(", ")})
  --threshold 0..1        share of the public address space from which a service must be reachable to
                          count as reachable from any source (default: from the rule pack)
  --new-only --base REF   report only findings that the file did not already have at git revision REF
                          (matched by content, not line numbers: the pull-request check)
  --config FILE           read settings from FILE instead of the nearest .fwlint.yaml found from each
                          scanned file's folder upwards (see 'fwlint schema')
  --rules FILE            also run the rules of this rule pack (same schema as the built-in pack;
                          repeatable); .fwlint.yaml 'rulePacks:' adds more
  --baseline FILE         report only findings that are not in FILE (written by 'fwlint baseline';
                          matched by content, not line numbers)
  --show-suppressed       keep findings silenced by '# fwlint-disable...' comments, marked suppressed
  --skip-unknown          skip a named file that is not a firewall configuration fwlint reads, as in folders
                          (for hooks given any .conf, .xml, .json ... file); one that is, but cannot be
                          parsed, is still an error; standard input is never skipped
  --max-file-size SIZE    read files up to SIZE (default 10M; K, M, G: e.g. 50M): a larger one is an
                          error when named, skipped when a folder walk finds it
  --no-color              plain text output (colour is used only on a terminal and when NO_COLOR is unset)
  -h, --help              show this help

Exit status: 0 no finding at or above --fail-on; 1 such findings; 2 usage error, unreadable file,
or a file that could not be parsed at all.
`;
}

interface CheckArgs {
  format: OutputFormat;
  failOn: FailOn;
  options: CheckOptions;
  noColor: boolean;
  paths: string[];
  help: boolean;
  /** Report only findings that are not already present at this git revision (matched by content). */
  newSince?: string;
  /** True when --fail-on was given (it then wins over the configuration's failOn). */
  failOnGiven: boolean;
  /** --config FILE. */
  configFile?: string;
  /** --baseline FILE. */
  baselineFile?: string;
  /** --rules FILE, in order (repeatable). */
  rulePacks: string[];
  /** --skip-unknown: named files that are not rulesets are skipped as walked ones are. */
  skipUnknown: boolean;
  /** --max-file-size: the largest file read, in bytes. */
  maxFileBytes: number;
}

/** `--rules FILE` / `--rules=FILE` may repeat: take them out before the general parser (which keeps one). */
function extractRules(argv: readonly string[]): { rest: string[]; rulePacks: string[] } {
  const rest: string[] = [];
  const rulePacks: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith("--rules=")) rulePacks.push(arg.slice("--rules=".length));
    else if (arg === "--rules") {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("-") && next !== "-")) throw new UsageError(`${COMMAND}: option '--rules' needs a value (see '${COMMAND} --help')`);
      rulePacks.push(next);
      i++;
    } else rest.push(arg);
  }
  return { rest, rulePacks };
}

const COMMAND = "fwlint check";


export function parseCheckArgs(argv: readonly string[]): CheckArgs {
  const { rest, rulePacks } = extractRules(argv);
  const { options, positionals } = parseArgs(rest, SPECS, COMMAND);
  const str = (name: string): string | undefined => {
    const v = options.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const help = options.has("help");

  const format = str("format") ?? "text";
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`${COMMAND}: unknown --format ${quoted(format)} (expected ${OUTPUT_FORMATS.join(", ")})`);
  }
  const failOnGiven = str("fail-on") !== undefined;
  const failOn = failOnOption(COMMAND, str("fail-on"));
  const checkOptions: CheckOptions = {};
  const inputFormat = str("input-format");
  if (inputFormat !== undefined) {
    const known = knownFormats();
    if (!known.includes(inputFormat)) {
      throw new UsageError(`${COMMAND}: unknown --input-format ${quoted(inputFormat)} (known: ${known.join(", ")})`);
    }
    checkOptions.inputFormat = inputFormat;
  }
  const threshold = str("threshold");
  if (threshold !== undefined) {
    const n = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(threshold) ? Number(threshold) : NaN;
    if (!(n >= 0 && n <= 1)) {
      throw new UsageError(`${COMMAND}: --threshold must be a number from 0 to 1, not ${quoted(threshold)}`);
    }
    checkOptions.threshold = n;
  }
  if (options.has("show-suppressed")) checkOptions.showSuppressed = true;
  const configFile = str("config");
  const baselineFile = str("baseline");
  if (!help && positionals.length === 0) throw new UsageError(`${COMMAND}: no PATH given (see '${COMMAND} --help')`);
  const base = str("base");
  if (options.has("new-only") !== (base !== undefined)) throw new UsageError(`${COMMAND}: --new-only and --base REF go together`);
  return {
    ...(base !== undefined ? { newSince: base } : {}),
    ...(configFile !== undefined ? { configFile } : {}),
    ...(baselineFile !== undefined ? { baselineFile } : {}),
    failOnGiven,
    rulePacks,
    format: format as OutputFormat,
    failOn,
    options: checkOptions,
    noColor: options.has("no-color"),
    skipUnknown: options.has("skip-unknown"),
    maxFileBytes: maxFileSizeOption(COMMAND, str("max-file-size")),
    paths: positionals,
    help,
  };
}

/** Colour only on a terminal, when NO_COLOR is unset or empty, and without --no-color. */
export function useColor(io: CliIo, noColor: boolean): boolean {
  const env = io.env.NO_COLOR;
  return io.stdoutIsTTY && !noColor && (env === undefined || env === "");
}

/** True when the file's content is simply not a format fwlint reads (skipped when found by a walk, or with --skip-unknown). */
function isUnrecognised(result: AnalyzedFile): boolean {
  return result.fatal !== undefined && result.file.format === "unknown";
}

/** Exit status for these findings: 1 when one is at or above `failOn`. */
export function failStatus(findings: readonly Finding[], failOn: FailOn): 0 | 1 {
  if (failOn === "none") return 0;
  const bar = severityRank(failOn);
  return findings.some((f) => !f.suppressed && severityRank(f.severity) >= bar) ? 1 : 0;
}

export async function runCheck(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, parseCheckArgs, checkUsage, io);
  if (typeof args === "number") return args;

  let hadError = false;
  const error = (path: string, message: string): void => {
    hadError = true;
    io.stderr(`${sanitize(path)}: ${sanitize(message)}\n`);
  };

  // The configuration: given, or found from each file upwards. Its errors are positioned and final.
  const configs = new ConfigResolver(args.configFile);
  const configErrors = new Set<string>();
  const configFor = (path: string): { ok: true; config?: FwlintConfig } | { ok: false } => {
    try {
      const config = configs.configFor(path);
      return config ? { ok: true, config } : { ok: true };
    } catch (err) {
      if (!(err instanceof RulePackError)) throw err;
      hadError = true;
      if (!configErrors.has(err.message)) {
        configErrors.add(err.message);
        io.stderr(`${sanitize(err.message)}\n`);
      }
      return { ok: false };
    }
  };
  if (args.configFile !== undefined && !configFor(args.configFile).ok) return 2;

  // User rule packs: --rules, then the configuration's rulePacks. Loaded once per combination.
  const userRules = new Map<string, RuleDefinition[] | undefined>();
  const allUserRules = new Map<string, RuleDefinition>();
  const rulesFor = (config: FwlintConfig | undefined): { ok: true; rules: RuleDefinition[] } | { ok: false } => {
    const files = [...args.rulePacks, ...(config?.rulePacks ?? [])];
    if (files.length === 0) return { ok: true, rules: [] };
    const key = files.join("\n");
    if (!userRules.has(key)) {
      try {
        const rules = loadUserRules(files);
        for (const r of rules) if (!allUserRules.has(r.id)) allUserRules.set(r.id, r);
        userRules.set(key, rules);
      } catch (err) {
        if (!(err instanceof RulePackError)) throw err;
        userRules.set(key, undefined);
        if (!configErrors.has(err.message)) {
          configErrors.add(err.message);
          io.stderr(`${sanitize(err.message)}\n`);
        }
      }
    }
    const rules = userRules.get(key);
    if (!rules) {
      hadError = true;
      return { ok: false };
    }
    return { ok: true, rules };
  };
  if (args.rulePacks.length > 0 && !rulesFor(args.configFile !== undefined ? configs.configFor(args.configFile) : undefined).ok) return 2;

  let baseline: import("../engine/baseline.js").BaselineFilter | undefined;
  if (args.baselineFile !== undefined) {
    const { BaselineFilter, loadBaseline } = await import("../engine/baseline.js");
    try {
      baseline = new BaselineFilter(args.baselineFile, loadBaseline(args.baselineFile));
    } catch (err) {
      io.stderr(`${sanitize((err as Error).message)}\n`);
      return 2;
    }
  }
  /** Exit 1: some file has a finding at or above its failOn (the command line's, else its configuration's). */
  let failing = false;

  const expansion = await expandPaths(args.paths, args.maxFileBytes);
  for (const p of expansion.problems) {
    if (p.level === "error") error(p.path, p.message);
    else io.stderr(`${sanitize(p.path)}: ${sanitize(p.message)}\n`);
  }

  /** Every file analysed or named, for the JSON report (a failed one carries its error as a diagnostic). */
  const jsonFiles: FileReport[] = [];
  /** Analysed files for the text report (a fatal error is on stderr, not repeated there). */
  const textFiles: FileReport[] = [];
  const failed: { path: string; message: string }[] = [];
  const findings: Finding[] = [];
  const analysedPerFolder = new Map<string, number>();

  const fail = (path: string, message: string, report?: FileReport): void => {
    error(path, message);
    failed.push({ path, message });
    const base: FileReport = report ?? { path, format: "unknown", rules: 0, diagnostics: [] };
    jsonFiles.push({
      ...base,
      diagnostics: [{ severity: "error", message, file: path, line: 1, column: 1 }, ...base.diagnostics],
    });
    if (report) textFiles.push(report);
  };

  /** --skip-unknown applies to named files; standard input is always what the user meant to check. */
  const skippable = (path: string) => args.skipUnknown && path !== "-";
  // First every file is read and analysed; then each is reported, except a fragment another one
  // includes (an nft `include`) that names what only its includer defines (chains, tables,
  // variables): its rules were analysed there, in the ruleset the loader builds, and on its own it
  // cannot be. A file that stands on its own is reported on its own as well; a finding both
  // analyses make is reported once.
  type Analysed = { input: (typeof expansion.files)[number]; result: AnalyzedFile; options: CheckOptions; failOn: FailOn };
  /** In the order of the files: one analysed, or what to say of one that was not (failed: an error; else a note). */
  const checked: (Analysed | { input: (typeof expansion.files)[number]; failed: boolean; message: string })[] = [];
  for (const input of expansion.files) {
    const read = await readConfigFile(input.path, args.maxFileBytes);
    if (!read.ok) {
      // A folder may hold anything; only a named file, or one we could not even read, is an error.
      // With --skip-unknown a named file (not standard input) is skipped as a walked one is: one too
      // large is said to be skipped, as a walk says it.
      if ((input.explicit && !skippable(input.path)) || read.reason === "unreadable") checked.push({ input, failed: true, message: read.message });
      else if (input.explicit && read.reason === "too-large") checked.push({ input, failed: false, message: `skipped: ${read.message}` });
      continue;
    }
    const found = configFor(input.path);
    if (!found.ok) continue;
    const extra = rulesFor(found.config);
    if (!extra.ok) continue;
    const options: CheckOptions = {
      ...optionsFromConfig(found.config, input.path, args.options),
      ...(extra.rules.length > 0 ? { extraRules: extra.rules } : {}),
      // a walked file may include others from anywhere under the folder that was named
      ...(input.folder !== undefined ? { scanRoot: input.folder } : {}),
    };
    const failOn: FailOn = args.failOnGiven ? args.failOn : (found.config?.failOn ?? args.failOn);
    try {
      const result = await analyzeFile(input.path, read.text, options);
      // (the model and the text are not needed past here: let them go before the next file is analysed)
      delete result.ruleset;
      fillSourceLines(result.findings, input.path, read.text);
      checked.push({ input, result, options, failOn });
    } catch (err) {
      checked.push({ input, failed: true, message: `internal error: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  /** Findings reported so far (an included file's may come from its includer's analysis and its own). */
  const reported = new Set<string>();
  const readings = new RunReadings(
    checked.flatMap((c) => ("result" in c ? [{ path: c.input.path, includes: c.result.includes ?? [], format: c.result.file.format }] : [])),
    args.maxFileBytes,
    args.options.inputFormat,
  );
  for (const c of checked) {
    const { input } = c;
    if (!("result" in c)) {
      if (c.failed) fail(input.path, c.message);
      else io.stderr(`${sanitize(input.path)}: ${sanitize(c.message)}\n`);
      continue;
    }
    let { result } = c;
    const reading = await readings.of(input.path, input.explicit, result, c.options);
    if (reading.kind === "aside" || reading.kind === "included") {
      // a file analysed elsewhere, or not at all: reported with the one line that says so
      const report: FileReport =
        reading.kind === "aside"
          ? { path: input.path, format: reading.format, rules: 0, diagnostics: [{ severity: "info", message: reading.note, file: input.path, line: 1, column: 1 }] }
          : { path: input.path, format: result.file.format, rules: 0, diagnostics: [readAsPartOf(input.path, reading.includer, false, reading.via)] };
      jsonFiles.push(report);
      textFiles.push(report);
      // (an aside file is one named on the command line, in no folder walked)
      if (input.folder !== undefined) analysedPerFolder.set(input.folder, (analysedPerFolder.get(input.folder) ?? 0) + 1);
      continue;
    }
    /** The file whose analysis this one's report is part of (its includer, found beside it). */
    let analysedAs = input.path;
    if (reading.kind === "found") {
      const { part } = reading;
      result = { file: { path: input.path, format: reading.format, rules: result.file.rules, diagnostics: [readAsPartOf(input.path, reading.includer, true, reading.via, reading.also), ...part.diagnostics] }, findings: part.findings };
      analysedAs = reading.includer;
    }
    if (args.newSince !== undefined && result.fatal === undefined) {
      const { findingsNewSince } = await import("./diff.js");
      // (a fragment several files read: each one's findings against its own version at the revision)
      const each = reading.kind === "found" && reading.each ? reading.each : [{ path: analysedAs, findings: result.findings }];
      const kept: typeof result.findings = [];
      for (const e of each) kept.push(...(await findingsNewSince(args.newSince, e.path, e.findings, c.options)));
      result.findings = kept;
    }
    if (result.fatal !== undefined) {
      if ((!input.explicit || skippable(input.path)) && args.options.inputFormat === undefined && isUnrecognised(result)) continue;
      fail(input.path, result.fatal, result.file);
    } else {
      jsonFiles.push(result.file);
      textFiles.push(result.file);
    }
    if (input.folder !== undefined) analysedPerFolder.set(input.folder, (analysedPerFolder.get(input.folder) ?? 0) + 1);
    if (baseline) result.findings = baseline.filter(result.findings);
    if (failStatus(result.findings, c.failOn) === 1) failing = true;
    findings.push(...notReportedYet(reported, result.findings));
  }
  for (const folder of expansion.folders) {
    if (!analysedPerFolder.get(folder.path)) error(folder.path, "no firewall configuration found in this folder");
  }

  if (baseline && baseline.hidden > 0) {
    io.stderr(`note: ${baseline.hidden} finding${baseline.hidden === 1 ? "" : "s"} hidden by the baseline ${sanitize(args.baselineFile!)}\n`);
  }

  if (args.format === "json") {
    const { renderJson } = await import("../report/json.js");
    io.stdout(renderJson(FWLINT_VERSION, jsonFiles, findings));
  } else if (args.format === "sarif") {
    // The findings keep their source lines: SARIF shows them as snippets and fingerprints them.
    const [{ renderSarif }, { loadBuiltinRules }] = await Promise.all([import("../report/sarif.js"), import("../engine/rule-pack.js")]);
    const report = { version: 1 as const, tool: { name: "fwlint" as const, version: FWLINT_VERSION }, files: jsonFiles, findings };
    io.stdout(renderSarif(report, [...loadBuiltinRules().rules, ...allUserRules.values()]));
  } else if (args.format === "github") {
    const [{ buildReport }, { renderGithub }] = await Promise.all([import("../report/json.js"), import("../report/github.js")]);
    io.stdout(renderGithub(buildReport(FWLINT_VERSION, jsonFiles, findings)));
  } else if (args.format === "junit") {
    const [{ buildReport }, { renderJunit }] = await Promise.all([import("../report/json.js"), import("../report/junit.js")]);
    io.stdout(renderJunit(buildReport(FWLINT_VERSION, jsonFiles, findings)));
  } else {
    const { renderText } = await import("../report/text.js");
    io.stdout(renderText({ files: textFiles, findings, failed }, { color: useColor(io, args.noColor) }));
  }
  return hadError ? 2 : failing ? 1 : 0;
}

/** Source lines for findings the engine left without one (the text reporter shows them). */
function fillSourceLines(findings: Finding[], path: string, text: string): void {
  let lines: string[] | undefined;
  for (const f of findings) {
    if (f.sourceLine !== undefined || f.location.file !== path) continue;
    lines ??= text.split("\n");
    const line = lines[f.location.line - 1];
    if (line !== undefined) f.sourceLine = line;
  }
}

/**
 * The info line on a file read as part of `includer` (`found`: looked for beside it, not named with
 * it): an ipset save file whose sets it reads, a file a script sources, or an included one.
 */
function readAsPartOf(path: string, includer: string, found: boolean, as: PartOf, also: readonly string[] = []): Diagnostic {
  const how =
    as === "ipset"
      ? "which reads its sets: what they hold is analysed there"
      : as === "sourced"
        ? "which sources it: its rules are analysed there"
        : as === "policy"
          ? also.length > 0
            ? "policies that read it: each is analysed with it"
            : "a policy that reads it: the policy is analysed with it"
          : as === "variables"
            ? also.length > 0
              ? "playbooks that read its variables: each is analysed with them"
              : "a playbook that reads its variables: it is analysed with them"
            : as === "tasks"
              ? "which runs its tasks: their rules are analysed there"
              : as === "rendered"
                ? also.length > 0
                  ? "templates rendered with what it holds: each is analysed with it"
                  : "a template rendered with what it holds: it is analysed with it"
                : "which includes it: its rules are analysed there";
  const whom = also.length > 0 ? `${includer} and ${also.join(", ")}` : includer;
  return { severity: "info", message: `read as part of ${whom}${found ? ", found beside it," : ","} ${how}`, file: path, line: 1, column: 1 };
}

