/**
 * What the review shows, scanned the way `check` scans: the paths expanded (expandPaths), each file
 * read (readConfigFile), its .fwlint.yaml and rule packs applied (ConfigResolver, optionsFromConfig,
 * loadUserRules), analysed (analyzeFile) and, with a baseline file, the findings it lists hidden
 * (BaselineFilter); the files of a split nft configuration are read as check reads them
 * (RunReadings). No React here: the UI receives a ScanResult and asks for a new one on changes.
 */
import type { AnalyzedFile, CheckOptions } from "../engine/check.js";
import { analyzeFile } from "../engine/check.js";
import { BaselineFilter, loadBaseline, normaliseLine } from "../engine/baseline.js";
import { ConfigResolver, optionsFromConfig } from "../engine/config.js";
import { loadUserRules, RulePackError } from "../engine/rule-pack.js";
import type { Finding } from "../model/finding.js";
import type { Diagnostic, Ruleset } from "../model/types.js";
import { expandPaths, MAX_FILE_BYTES, readConfigFile } from "../cli/files.js";
import { notReportedYet, RunReadings } from "../cli/includer.js";
import { existsSync } from "node:fs";

/** What to scan: the command line of `fwlint review`. */
export interface ReviewSource {
  paths: string[];
  configFile?: string;
  /** Findings listed here are hidden; "accept to baseline" writes here. */
  baselineFile: string;
  inputFormat?: string;
  /** The largest file read, in bytes (default MAX_FILE_BYTES). */
  maxFileBytes?: number;
}

export interface ScannedFile {
  path: string;
  format: string;
  rules: number;
  /** The file's text as analysed (for the source excerpt and the suppression writer). */
  text: string;
  ruleset?: Ruleset;
  /** The options the file was analysed with (its configuration applied). */
  options: CheckOptions;
  diagnostics: Diagnostic[];
  /**
   * The other files its analysis read, as its findings name them: those its ruleset includes (an
   * nftables.conf's nftables.d/*.nft) and, for a fragment named alone, the includer it was read as
   * part of. A change to any of them is a change to what is shown.
   */
  readAlso: string[];
  /**
   * Paths and glob patterns (absolute) its includes read files by (`/etc/nftables.d/*.nft`): a
   * fragment added there, or a missing included file created, changes what is shown too.
   */
  readMatching: string[];
}

/** The text of `name` as `file`'s analysis read it: its own, or an included file's; undefined when it read no such file. */
export function sourceText(file: ScannedFile, name: string): string | undefined {
  if (name === file.path) return file.text;
  const lines = file.ruleset?.includedLines?.get(name);
  return lines ? lines.join("\n") : undefined;
}

export interface ReviewFinding {
  /** Identity that survives edits which move lines (rule, file, source line, exposure, message). */
  key: string;
  finding: Finding;
  file: ScannedFile;
}

export interface ScanResult {
  files: ScannedFile[];
  findings: ReviewFinding[];
  /** One line each: files or paths that could not be read or parsed, configuration errors. */
  problems: { path: string; message: string }[];
  /** Findings hidden because the baseline lists them. */
  baselineHidden: number;
  /** When this scan finished (shown in the header after a re-scan). */
  at: Date;
}

export function findingKey(f: Finding): string {
  const x = f.exposure;
  return JSON.stringify([
    f.ruleId,
    f.location.file,
    normaliseLine(f.sourceLine),
    x ? [x.family, x.direction, x.protocol, x.service ?? null, x.ports] : null,
    f.message,
  ]);
}

export async function scan(source: ReviewSource, now?: Date): Promise<ScanResult> {
  const problems: ScanResult["problems"] = [];
  const files: ScannedFile[] = [];
  const findings: ReviewFinding[] = [];
  const configs = new ConfigResolver(source.configFile);
  let baseline: BaselineFilter | undefined;
  if (existsSync(source.baselineFile)) {
    try {
      baseline = new BaselineFilter(source.baselineFile, loadBaseline(source.baselineFile));
    } catch (err) {
      problems.push({ path: source.baselineFile, message: (err as Error).message });
    }
  }

  const expansion = await expandPaths(source.paths, source.maxFileBytes);
  for (const p of expansion.problems) problems.push({ path: p.path, message: p.message });
  const base: CheckOptions = { ...(source.inputFormat !== undefined ? { inputFormat: source.inputFormat } : {}), ...(now ? { now } : {}) };

  // First every file is read and analysed; then each is shown as check reports it (RunReadings): a
  // fragment another file includes is part of that file, a fragment named alone is read with the
  // includer found beside it, and a finding both analyses make is shown once.
  const analysed: { input: (typeof expansion.files)[number]; text: string; options: CheckOptions; result: AnalyzedFile }[] = [];
  for (const input of expansion.files) {
    const read = await readConfigFile(input.path, source.maxFileBytes);
    if (!read.ok) {
      if (input.explicit || read.reason === "unreadable") problems.push({ path: input.path, message: read.message });
      continue;
    }
    let options: CheckOptions;
    try {
      const config = configs.configFor(input.path);
      options = optionsFromConfig(config, input.path, base);
      if (config?.rulePacks && config.rulePacks.length > 0) options = { ...options, extraRules: loadUserRules(config.rulePacks) };
    } catch (err) {
      if (!(err instanceof RulePackError)) throw err;
      problems.push({ path: input.path, message: err.message });
      continue;
    }
    // a walked file may include others from anywhere under the folder that was named
    if (input.folder !== undefined) options = { ...options, scanRoot: input.folder };
    try {
      analysed.push({ input, text: read.text, options, result: await analyzeFile(input.path, read.text, options) });
    } catch (err) {
      problems.push({ path: input.path, message: `internal error: ${(err as Error).message}` });
    }
  }
  const readings = new RunReadings(
    analysed.map((a) => ({ path: a.input.path, includes: a.result.includes ?? [] })),
    source.maxFileBytes ?? MAX_FILE_BYTES,
    source.inputFormat,
    true,
  );
  const reported = new Set<string>();
  for (const { input, text, options, result } of analysed) {
    const reading = await readings.of(input.path, input.explicit, result, options);
    if (reading.kind === "included" || reading.kind === "aside") continue;
    if (reading.kind !== "found" && result.fatal !== undefined) {
      // A folder may hold anything: only a file named on the command line is worth a problem line.
      if (input.explicit || result.file.format !== "unknown") problems.push({ path: input.path, message: result.fatal });
      continue;
    }
    // a fragment named alone is shown with its part of the includer's analysis, and that one's model
    const found = reading.kind === "found" ? reading : undefined;
    const ruleset = found ? found.ruleset : result.ruleset;
    const file: ScannedFile = {
      path: input.path,
      format: found ? found.format : result.file.format,
      rules: result.file.rules,
      text,
      ...(ruleset ? { ruleset } : {}),
      options,
      diagnostics: found ? found.part.diagnostics : result.file.diagnostics,
      readAlso: [...(found ? [found.includer] : []), ...(ruleset?.includedLines?.keys() ?? [])],
      readMatching: [...(ruleset?.includeWatch ?? [])],
    };
    const own = found ? found.part.findings : result.findings;
    files.push(file);
    const shown = notReportedYet(reported, baseline ? baseline.filter(own) : own);
    for (const f of shown) findings.push({ key: findingKey(f), finding: f, file });
  }
  return { files, findings, problems, baselineHidden: baseline?.hidden ?? 0, at: new Date() };
}
