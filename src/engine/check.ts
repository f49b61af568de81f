/**
 * `check` end to end for one file: detect the format, parse into the model, evaluate, run the
 * rule packs, and return findings with the source lines they point at.
 */
import { resetCaches } from "../space/idd.js";
import { evaluateRuleset, type PipelineResult } from "../analysis/evaluate.js";
import { tracePacket } from "../analysis/trace.js";
import { interfaceNames } from "../analysis/witness.js";
import type { FileReport, Finding } from "../model/finding.js";
import { severityRank } from "../model/finding.js";
import type { Ruleset } from "../model/types.js";
import { CHECKS } from "../../rules/checks/index.js";
import type { CheckContext } from "../../rules/checks/context.js";
import { loadBuiltinCatalog, loadBuiltinRules, type RuleDefinition } from "./rule-pack.js";
import { detectFormat, knownFormats as formatNames, parseAs } from "./formats.js";

export const FWLINT_VERSION = "0.1.0";

export interface CheckOptions {
  /** Share of public source space above which a source counts as "any" (overrides rule packs). */
  threshold?: number;
  /** Force the input format instead of detecting it from content. */
  inputFormat?: string;
  /** Parse only (for trace and other commands that need the model, not the findings). */
  skipChecks?: boolean;
}

export interface AnalyzedFile {
  file: FileReport;
  findings: Finding[];
  /** Set when the file could not be parsed at all. */
  fatal?: string;
  /** The model, for commands that go on from it (trace, diff, review). */
  ruleset?: Ruleset;
}

export function knownFormats(): string[] {
  return formatNames();
}

export function analyzeText(path: string, text: string, options: CheckOptions = {}): AnalyzedFile {
  // Each file is analysed on its own: start from empty set-operation caches so memory stays bounded.
  resetCaches();
  const format = options.inputFormat ?? detectFormat(text);
  if (!format) {
    const fatal = `not a firewall configuration fwlint reads (expected ${formatNames().join(", ")})`;
    return { file: { path, format: "unknown", rules: 0, diagnostics: [] }, findings: [], fatal };
  }
  let ruleset: Ruleset;
  try {
    ruleset = parseAs(format, text, path);
  } catch (err) {
    const fatal = `could not be parsed as ${format}: ${(err as Error).message}`;
    return { file: { path, format, rules: 0, diagnostics: [] }, findings: [], fatal };
  }
  const { findings, diagnostics } = options.skipChecks ? { findings: [], diagnostics: [] } : runChecks(ruleset, options);
  const lines = text.split("\n");
  for (const f of findings) {
    if (f.location.file === path) f.sourceLine = lines[f.location.line - 1]?.replace(/\r$/, "");
  }
  findings.sort(compareFindings);
  return {
    file: { path, format, rules: ruleset.ruleCount, diagnostics: [...ruleset.diagnostics, ...diagnostics] },
    findings,
    ruleset,
  };
}

export function runChecks(ruleset: Ruleset, options: CheckOptions = {}, rules: RuleDefinition[] = loadBuiltinRules().rules) {
  const catalog = loadBuiltinCatalog();
  let evaluated: { results: PipelineResult[]; diagnostics: Ruleset["diagnostics"] } | undefined;
  const evaluate = () => (evaluated ??= evaluateRuleset(ruleset));
  const ctx: CheckContext = {
    ruleset,
    catalog,
    ifaces: interfaceNames(ruleset),
    results: () => evaluate().results,
    trace: (pipeline, point) => tracePacket(ruleset, pipeline, point),
  };
  const findings: Finding[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const ref = { id: rule.id, severity: rule.severity };
    switch (rule.check) {
      case "exposure": {
        const params = options.threshold !== undefined ? { ...rule.params, threshold: options.threshold } : rule.params;
        findings.push(...CHECKS.exposure(ctx, params, ref));
        break;
      }
      case "default-policy":
        findings.push(...CHECKS["default-policy"](ctx, rule.params, ref));
        break;
      case "shadowed-rule":
        findings.push(...CHECKS["shadowed-rule"](ctx, rule.params, ref));
        break;
    }
  }
  return { findings, diagnostics: evaluated?.diagnostics ?? [] };
}

/** Most severe first, then by position, rule and message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareStrings(a.location.file, b.location.file) ||
    a.location.line - b.location.line ||
    a.location.column - b.location.column ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.message, b.message)
  );
}

/**
 * Plain UTF-16 code-unit order: the same on every machine and locale, and no ICU collator to load
 * (localeCompare's first call costs more than a whole small check).
 */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
