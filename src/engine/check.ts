/**
 * `check` end to end for one file: detect the format, parse into the model, evaluate, run the
 * rule packs, and return findings with the source lines they point at.
 */
import { AnalysisLimitError } from "../space/budget.js";
import { resetCaches } from "../space/idd.js";
import { evaluateRuleset, type PipelineResult } from "../analysis/evaluate.js";
import type { FileReport, Finding } from "../model/finding.js";
import { severityRank } from "../model/finding.js";
import type { Diagnostic, Ruleset } from "../model/types.js";
import { resolve } from "node:path";
import { CHECKS } from "../../rules/checks/index.js";
import { makeContext, type Check, type CheckContext } from "../../rules/checks/context.js";
import type { Severity } from "../model/finding.js";
import type { IntentEntry, InterfaceName } from "./config.js";
import type { HostVars as AnsibleHostVars, Value as AnsibleValue } from "../../parsers/ansible/tasks.js";
import { exposureView, internetSideOf } from "./intent.js";
import { loadBuiltinCatalog, loadBuiltinRules, type RuleDefinition, type Service, type ServiceCatalog } from "./rule-pack.js";
import { applySuppressions, parseSuppressions } from "./suppress.js";
import { detectFormat, knownFormats as formatNames, loadFormats, parseAs } from "./formats.js";
import type { IncludeIo } from "../../parsers/file-io.js";

export { loadFormats } from "./formats.js";

export const FWLINT_VERSION = "0.1.0";

export interface CheckOptions {
  /** Share of public source space above which a source counts as "any" (overrides rule packs). */
  threshold?: number;
  /** Force the input format instead of detecting it from content. */
  inputFormat?: string;
  /** The folder the scan started from: files a ruleset includes must stay inside it (default: the file's folder). */
  scanRoot?: string;
  /** Where the file is when `path` only labels it (a file at a git revision): its includes are resolved from here. */
  origin?: string;
  /** Reads the files an nft ruleset includes (default: the disk); diff reads them at the base revision. */
  includeIo?: IncludeIo;
  /** Parse only (for trace and other commands that need the model, not the findings). */
  skipChecks?: boolean;
  /** Only these interfaces face the Internet (.fwlint.yaml `internet:` for this file). */
  internetInterfaces?: InterfaceName[];
  /** Openings that are meant to exist (.fwlint.yaml `intent:`): not reported; what exceeds them is. */
  intent?: IntentEntry[];
  /** Severity per rule id (.fwlint.yaml `severity:`). */
  severity?: Record<string, Severity>;
  /** Rules switched on or off by id (.fwlint.yaml `rules:`). */
  rules?: Record<string, boolean>;
  /** Catalog additions; an entry with a built-in id replaces it (.fwlint.yaml `services:`). */
  services?: Service[];
  /** Rules of user packs (loadUserRules), run after the built-ins. */
  extraRules?: RuleDefinition[];
  /** Extra variables for Ansible playbooks and templates (.fwlint.yaml `ansibleVars`): above every other, as ansible-playbook's `-e`. */
  ansibleVars?: Readonly<Record<string, AnsibleValue>>;
  /** Variables of each Ansible inventory host, as its gathered facts stand (.fwlint.yaml `ansibleHostVars`). */
  ansibleHostVars?: AnsibleHostVars;
  /** Keep suppressed findings, marked `suppressed: true`, instead of leaving them out. */
  showSuppressed?: boolean;
  /** "Today" for suppression expiry dates (tests); default the current date. */
  now?: Date;
}

/**
 * Checks whose findings say strangers on the Internet reach something: they see the pipelines'
 * delivered packets restricted to the Internet-facing interfaces and without the intended openings.
 */
const EXPOSURE_CHECKS: ReadonlySet<string> = new Set(["exposure", "nat-port-forward-exposure", "broad-source-range", "ipv6-parity", "icmp-fully-open"]);

export interface AnalyzedFile {
  file: FileReport;
  findings: Finding[];
  /** Set when the file could not be parsed at all. */
  fatal?: string;
  /** The model, for commands that go on from it (trace, diff, review). */
  ruleset?: Ruleset;
  /** The files the ruleset read through its includes (nft `include`), as absolute paths. */
  includes?: string[];
}

export function knownFormats(): string[] {
  return formatNames();
}

export function analyzeText(path: string, text: string, options: CheckOptions = {}): AnalyzedFile {
  // Each file is analysed on its own: start from empty set-operation caches so memory stays bounded.
  resetCaches();
  const format = options.inputFormat ?? detectFormat(text, path);
  if (!format) {
    const fatal = onlyComments(text)
      ? "holds no rules: only comments and blank lines"
      : `not a firewall configuration fwlint reads (expected ${formatNames().join(", ")})`;
    return { file: { path, format: "unknown", rules: 0, diagnostics: [] }, findings: [], fatal };
  }
  let ruleset: Ruleset;
  try {
    ruleset = parseAs(format, text, path, {
      ...(options.scanRoot !== undefined ? { root: options.scanRoot } : {}),
      ...(options.origin !== undefined ? { origin: options.origin } : {}),
      ...(options.includeIo !== undefined ? { includeIo: options.includeIo } : {}),
      ...(options.ansibleVars !== undefined ? { ansibleVars: options.ansibleVars } : {}),
      ...(options.ansibleHostVars !== undefined ? { ansibleHostVars: options.ansibleHostVars } : {}),
    });
  } catch (err) {
    const fatal = `could not be parsed as ${format}: ${(err as Error).message}`;
    return { file: { path, format, rules: 0, diagnostics: [] }, findings: [], fatal };
  }
  if (ruleset.chains.size === 0 && ruleset.diagnostics.some((d) => d.severity === "error")) {
    // Errors and no chain read: "no findings" would vouch for a file fwlint could not read at all.
    const fatal = `could not be parsed as ${format}: no chain or rule could be read (see the errors)`;
    return { file: { path, format, rules: ruleset.ruleCount, diagnostics: ruleset.diagnostics }, findings: [], fatal, ruleset, ...includesOf(ruleset) };
  }
  let checked: ReturnType<typeof runChecks>;
  try {
    checked = options.skipChecks ? { findings: [], diagnostics: [] } : runChecks(ruleset, options);
  } catch (err) {
    if (!(err instanceof AnalysisLimitError)) throw err;
    // Give the memory back before the next file, and say why this one has no findings.
    resetCaches();
    return { file: { path, format, rules: ruleset.ruleCount, diagnostics: ruleset.diagnostics }, findings: [], fatal: `could not be analysed: ${err.message}`, ruleset };
  }
  if (!options.skipChecks) for (const variant of ruleset.variants ?? []) checkVariant(path, variant, checked, options);
  const { diagnostics } = checked;
  let findings = checked.findings;
  if (!options.skipChecks) {
    // the file's own directives, and those of the files it includes (an nft fragment's rule is
    // accepted where it is written: a comment above it in nftables.d/20-mail.nft)
    const suppress = (file: string, source: string) => {
      const suppressions = parseSuppressions(file, source, options.now);
      findings = applySuppressions(file, findings, suppressions, options.showSuppressed === true);
      diagnostics.push(...suppressions.diagnostics);
    };
    if (text.includes("fwlint-")) suppress(path, text);
    for (const [name, lines] of ruleset.includedLines ?? []) if (lines.some((l) => l.includes("fwlint-"))) suppress(name, lines.join("\n"));
  }
  const lines = text.split("\n");
  for (const f of findings) {
    const own = f.location.file === path ? lines : ruleset.includedLines?.get(f.location.file);
    if (own) f.sourceLine = own[f.location.line - 1]?.replace(/\r$/, "");
  }
  findings.sort(compareFindings);
  return {
    file: { path, format, rules: ruleset.ruleCount, diagnostics: [...ruleset.diagnostics, ...diagnostics] },
    findings,
    ruleset,
    ...includesOf(ruleset),
  };
}

/** One finding's identity within a file's report: what, where, and what it says. */
const findingKey = (f: Finding) => `${f.ruleId}\0${f.location.file}:${f.location.line}:${f.location.column}\0${f.message}`;

/**
 * Checks the file as it stands for another host (Ruleset.variants) and adds to `into` what only
 * that finds - its findings, and the errors of its reading - labelled with it.
 */
function checkVariant(path: string, variant: { label: string; ruleset: Ruleset }, into: { findings: Finding[]; diagnostics: Diagnostic[] }, options: CheckOptions): void {
  let found: Finding[];
  try {
    found = runChecks(variant.ruleset, options).findings;
  } catch (err) {
    if (!(err instanceof AnalysisLimitError)) throw err;
    resetCaches();
    into.diagnostics.push({ severity: "info", message: `not checked ${variant.label}: ${err.message}`, file: path, line: 1, column: 1 });
    return;
  }
  const known = new Set(into.findings.map(findingKey));
  for (const f of found) {
    if (known.has(findingKey(f))) continue;
    known.add(findingKey(f));
    into.findings.push({ ...f, message: `${f.message} (${variant.label})` });
  }
  for (const d of variant.ruleset.diagnostics) if (d.severity === "error") into.diagnostics.push({ ...d, message: `${d.message} (${variant.label})` });
}

/** AnalyzedFile.includes of a ruleset (the reader gives paths relative to the working folder, or absolute). */
function includesOf(ruleset: Ruleset): Pick<AnalyzedFile, "includes"> {
  return ruleset.includedFiles?.length ? { includes: ruleset.includedFiles.map((f) => resolve(f)) } : {};
}

/**
 * Text whose every line is blank or a comment (`#` in iptables, nft and shell; `!` in Cisco
 * configs): a distribution's stock `nftables.conf` with its include commented out. No reader
 * claims it, and saying it is not a firewall configuration would be wrong.
 */
function onlyComments(text: string): boolean {
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t !== "" && !t.startsWith("#") && !t.startsWith("!")) return false;
  }
  return true;
}

/**
 * `analyzeText` for the commands: the format is detected once, its reader loaded if it is not yet
 * (each reader loads on first use), and the text analysed as that format.
 */
export async function analyzeFile(path: string, text: string, options: CheckOptions = {}): Promise<AnalyzedFile> {
  const format = options.inputFormat ?? detectFormat(text, path);
  if (format === undefined) return analyzeText(path, text, options);
  await loadFormats([format]);
  return analyzeText(path, text, { ...options, inputFormat: format });
}

export function runChecks(ruleset: Ruleset, options: CheckOptions = {}, builtin: RuleDefinition[] = loadBuiltinRules().rules) {
  const rules = options.extraRules && options.extraRules.length > 0 ? [...builtin, ...options.extraRules] : builtin;
  const catalog = withServices(loadBuiltinCatalog(), options.services);
  let evaluated: { results: PipelineResult[]; diagnostics: Ruleset["diagnostics"] } | undefined;
  const evaluate = () => (evaluated ??= evaluateRuleset(ruleset));
  const side = internetSideOf(ruleset, options.internetInterfaces);
  const ctx: CheckContext = { ...makeContext(ruleset, catalog), ...side, results: () => evaluate().results };
  // What the exposure checks see: only Internet-facing interfaces, nothing the intent allows, and
  // on a device nothing that goes back out (exposureRestriction).
  let exposureCtx = ctx;
  const restrict = exposureView(ruleset, side, options.internetInterfaces !== undefined, options.intent);
  if (restrict) {
    let restricted: PipelineResult[] | undefined;
    exposureCtx = { ...ctx, results: () => (restricted ??= restrict(evaluate().results)) };
  }
  const findings: Finding[] = [];
  const said = new Set<string>();
  for (const rule of rules) {
    if (!(options.rules?.[rule.id] ?? rule.enabled)) continue;
    const ref = { id: rule.id, severity: options.severity?.[rule.id] ?? rule.severity };
    let params: object =
      options.threshold !== undefined && "threshold" in rule.params ? { ...rule.params, threshold: options.threshold } : rule.params;
    let exposureLike = EXPOSURE_CHECKS.has(rule.check);
    if (rule.check === "reachability" && rule.params.sources === "any") {
      // "From any source" means what exposed-service means: its region, interfaces, intent and threshold.
      exposureLike = true;
      if (rule.params.minCoverage === undefined) params = { ...rule.params, minCoverage: exposureThreshold(rules, options) };
    }
    const check = CHECKS[rule.check] as unknown as Check<object> | undefined;
    if (!check) continue;
    const found = check(exposureLike ? exposureCtx : ctx, params, ref);
    // A configured severity wins over the catalog's (exposure takes its severity from the service).
    const override = options.severity?.[rule.id];
    for (const f of found) {
      // one rule copied into several chains (a GCP rule in the chain of each target it reaches)
      // tells the same thing about the same line once per chain: say it once
      const key = findingKey(f);
      if (said.has(key)) continue;
      said.add(key);
      findings.push(override !== undefined ? { ...f, severity: override } : f);
    }
  }
  return { findings, diagnostics: [...(evaluated?.diagnostics ?? [])] };
}

/** The threshold exposed-service applies: the command line's or configuration's, else its rule's, else 0.5. */
function exposureThreshold(rules: readonly RuleDefinition[], options: CheckOptions): number {
  if (options.threshold !== undefined) return options.threshold;
  for (const r of rules) if (r.check === "exposure") return r.params.threshold;
  return 0.5;
}

/** The catalog with `extra` entries added (an entry with an existing id replaces it). */
function withServices(catalog: ServiceCatalog, extra: readonly Service[] | undefined): ServiceCatalog {
  if (!extra || extra.length === 0) return catalog;
  const ids = new Set(extra.map((s) => s.id));
  const services = [...catalog.services.filter((s) => !ids.has(s.id)), ...extra];
  const byId = new Map<string, Service>();
  for (const s of services) if (!byId.has(s.id)) byId.set(s.id, s);
  return { file: catalog.file, services, byId };
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
