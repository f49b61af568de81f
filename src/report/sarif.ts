/**
 * `fwlint check --format sarif`: SARIF 2.1.0 (OASIS), as GitHub code scanning and other CI tools read it.
 *
 * One run. `tool.driver.rules` has one reportingDescriptor per rule of the pack (disabled rules are listed
 * with `defaultConfiguration.enabled: false`); a finding whose rule is not in the pack gets a minimal
 * descriptor appended, so every `ruleIndex` is valid. Levels and GitHub's `security-severity` come from
 * fwlint's severities (critical/high -> error, medium -> warning, low/info -> note; scores 9.5, 8.0, 5.5,
 * 3.0, 1.0). A result carries its own severity too: the exposed-service rule takes it per finding from the
 * service catalog, so the result's `level` and `properties["security-severity"]` can differ from the rule's.
 *
 * Locations are relative URI references (forward slashes, percent-encoded) against `%SRCROOT%`, the
 * directory fwlint ran in. `partialFingerprints["fwlint/v1"]` hashes the rule id, the file, the rule's
 * source text (whitespace-normalised) and the exposure, but not the line number, so a result keeps its
 * identity when edits above it move the rule; `:N` counts results that would otherwise share a hash.
 *
 * At most `maxResults` results (default 4000, under GitHub's 5,000 per run) are written, most severe
 * first; when some are left out, `invocations[0]` says how many in a tool execution notification.
 * Parse diagnostics of the scanned files are tool execution notifications too.
 *
 * SARIF is JSON: strings from scanned files are only JSON-escaped, not sanitised for a terminal.
 */
import { createHash } from "node:crypto";
import { isAbsolute, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { Finding, Location, Report, Severity, TraceStep } from "../model/finding.js";
import type { RuleDefinition } from "../engine/rule-pack.js";
import { sortFindings } from "./json.js";
import { describeWitness } from "./text.js";
import { nameTable } from "../model/name-table.js";

export interface SarifOptions {
  /** At most this many results (most severe first). Default 4000. */
  maxResults?: number;
  /**
   * Absolute path of the directory the finding paths are relative to (usually the working directory).
   * When given it becomes `originalUriBaseIds["%SRCROOT%"].uri`, and absolute finding paths under it are
   * made relative. When absent the output names no absolute path.
   */
  srcRoot?: string;
  /**
   * `tool.driver.informationUri`: fwlint's home page. Left out when not given (there is no public URL
   * yet); the SARIF Multitool then warns SARIF2005 (ProvideToolInformationUri), GitHub does not mind.
   */
  informationUri?: string;
}

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
export const DEFAULT_MAX_RESULTS = 4000;
export const FINGERPRINT_KEY = "fwlint/v1";
const SRCROOT = "%SRCROOT%";

type SarifLevel = "error" | "warning" | "note";

const LEVEL: Record<Severity, SarifLevel> = nameTable({
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
});

/** GitHub: critical 9.0+, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9. */
const SECURITY_SEVERITY: Record<Severity, string> = nameTable({
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
  info: "1.0",
});

export function sarifLevel(s: Severity): SarifLevel {
  return LEVEL[s] ?? "warning";
}
export function securitySeverity(s: Severity): string {
  return SECURITY_SEVERITY[s] ?? "5.5";
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** A plain JSON copy with undefined fields dropped. */
function plain(v: unknown): Json | undefined {
  if (v === undefined || typeof v === "function" || typeof v === "symbol") return undefined;
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map((x) => plain(x) ?? null);
  const out: Obj = {};
  for (const [k, x] of Object.entries(v as object)) {
    const j = plain(x);
    if (j !== undefined) out[k] = j;
  }
  return out;
}

/** "exposed-service" -> "ExposedService". */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

/** SARIF messages are sentences (multitool SARIF2001): end them with a period. */
function sentence(text: string): string {
  const t = text.trimEnd();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Lone surrogates (not encodable as UTF-8) become U+FFFD. */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/** One path segment, percent-encoded for a URI reference. */
function encodeSegment(seg: string): string {
  return encodeURIComponent(wellFormed(seg)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The artifactLocation of a file path as fwlint reports it: relative (to %SRCROOT%), forward slashes,
 * percent-encoded; an absolute path outside `srcRoot` stays an absolute file: URI.
 */
export function artifactLocation(file: string, srcRoot?: string): Obj {
  let p = file;
  if (srcRoot !== undefined && isAbsolute(p)) {
    const rel = relative(srcRoot, p);
    if (rel !== "" && !rel.startsWith("..") && !isAbsolute(rel)) p = rel.split(sep).join("/");
  }
  const windowsAbsolute = /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");
  if (isAbsolute(p) || windowsAbsolute) {
    try {
      return { uri: pathToFileURL(p).href };
    } catch {
      // not a path this platform can express: fall through to a relative reference
    }
  }
  p = p.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
  const uri = p.split("/").map(encodeSegment).join("/");
  return { uri, uriBaseId: SRCROOT };
}

function region(line: number, column: number | undefined, snippet?: string): Obj | undefined {
  if (!Number.isInteger(line) || line < 1) return undefined;
  const r: Obj = { startLine: line };
  if (column !== undefined && Number.isInteger(column) && column >= 1) r.startColumn = column;
  if (snippet !== undefined) {
    // The region covers the rest of the source line, so a viewer highlights the rule, not one character.
    const end = Array.from(snippet.trimEnd()).length + 1;
    if (r.startColumn !== undefined && end > (r.startColumn as number)) {
      r.endLine = line;
      r.endColumn = end;
    }
    r.snippet = { text: snippet };
  }
  return r;
}

function physicalLocation(loc: { file: string; line: number; column?: number }, srcRoot?: string, snippet?: string): Obj {
  const out: Obj = { artifactLocation: artifactLocation(loc.file, srcRoot) };
  const r = region(loc.line, loc.column, snippet);
  if (r) out.region = r;
  return out;
}

/** The rule's docs as plain text and as Markdown, in Ruff's four sections. */
function help(rule: RuleDefinition): { text: string; markdown: string } {
  const sections: [string, string][] = [
    ["What it does", rule.docs.what],
    ["Why is this bad?", rule.docs.why],
    ["Example", rule.docs.example],
    ["How to fix", rule.docs.fix],
  ];
  const body = sections.filter(([, t]) => t.trim() !== "");
  return {
    text: body.map(([h, t]) => `${h}\n\n${t.trim()}`).join("\n\n") + "\n",
    markdown: body.map(([h, t]) => `## ${h}\n\n${t.trim()}`).join("\n\n") + "\n",
  };
}

function ruleDescriptor(rule: RuleDefinition): Obj {
  const d: Obj = {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: sentence(rule.summary) },
    fullDescription: { text: sentence(rule.docs.what.trim()) },
    help: help(rule),
    defaultConfiguration: { level: sarifLevel(rule.severity) },
    properties: {
      "security-severity": securitySeverity(rule.severity),
      tags: ["security", "firewall", rule.check],
      precision: "very-high",
    },
  };
  if (!rule.enabled) (d.defaultConfiguration as Obj).enabled = false;
  return d;
}

/** For a finding whose rule the caller did not pass. */
function minimalDescriptor(id: string, severity: Severity): Obj {
  return {
    id,
    name: pascalCase(id),
    shortDescription: { text: sentence(`fwlint rule ${id}`) },
    fullDescription: { text: sentence(`fwlint rule ${id}; its rule pack was not given to the SARIF reporter`) },
    help: {
      text: `No documentation: the rule pack that defines ${id} was not given to the SARIF reporter.\n`,
      markdown: `No documentation: the rule pack that defines \`${id}\` was not given to the SARIF reporter.\n`,
    },
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: { "security-severity": securitySeverity(severity), tags: ["security", "firewall"], precision: "very-high" },
  };
}

/** Whitespace-insensitive source text: runs of blanks become one space, ends trimmed. */
function normaliseSource(line: string): string {
  return line.replace(/\s+/g, " ").trim();
}

/**
 * The hex sha256 that identifies a finding across edits: rule id, file, the normalised source line and
 * the exposure (service(s), protocol, ports, direction, and the cloud group or ACL it is on). Without a source line (a Report made by
 * buildReport in json.ts has none) the message, digits masked, stands in.
 */
export function fingerprintHash(f: Finding): string {
  const e = f.exposure;
  const parts = [
    "fwlint/v1",
    f.ruleId,
    f.location.file.replace(/\\/g, "/").replace(/^(\.\/)+/, ""),
    // Messages can name line numbers ("line 12 already matches ..."): without them.
    f.sourceLine !== undefined ? normaliseSource(f.sourceLine) : `message:${f.message.replace(/[0-9]+/g, "#")}`,
    e ? e.service ?? "" : "",
    e ? [...(e.services ?? [])].sort().join(",") : "",
    e ? e.protocol : "",
    e ? e.ports.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(",") : "",
    e ? e.direction : "",
    e ? String(e.family) : "",
    // the security group or ACL it is on (cloud rulesets: rule 100 of two ACLs reads alike); only
    // when there is one, so that other findings keep their fingerprints
    ...(e?.target !== undefined ? [`target:${e.target}`] : []),
  ];
  return createHash("sha256").update(JSON.stringify(parts), "utf8").digest("hex");
}

function traceMessage(step: TraceStep): string {
  const where = [step.table, step.chain].filter((s) => s).join(" ");
  return step.action ? `${where}: ${step.action}` : where;
}

function result(f: Finding, ruleIndex: number, fingerprint: string, srcRoot?: string): Obj {
  let text = f.message;
  if (f.witness) text += ` e.g. ${describeWitness(f.witness)}`;
  const related: Obj[] = [];
  for (const step of f.trace ?? []) {
    related.push({
      id: related.length,
      physicalLocation: physicalLocation({ file: step.file || f.location.file, line: step.line, column: step.column }, srcRoot),
      message: { text: traceMessage(step) },
    });
  }
  for (const r of f.related ?? []) {
    related.push({ id: related.length, physicalLocation: physicalLocation(r, srcRoot), message: { text: r.message } });
  }
  const properties: Obj = { "security-severity": securitySeverity(f.severity), severity: f.severity };
  const extra = plain({ exposure: f.exposure, witness: f.witness, uncertain: f.uncertain }) as Obj;
  Object.assign(properties, extra);
  const out: Obj = {
    ruleId: f.ruleId,
    ruleIndex,
    level: sarifLevel(f.severity),
    message: { text: sentence(text) },
    locations: [{ physicalLocation: physicalLocation(f.location, srcRoot, f.sourceLine) }],
  };
  if (related.length > 0) out.relatedLocations = related;
  out.partialFingerprints = { [FINGERPRINT_KEY]: fingerprint };
  out.properties = properties;
  return out;
}

function diagnosticLevel(s: string): SarifLevel {
  return s === "error" ? "error" : s === "warning" ? "warning" : "note";
}

/** The SARIF log as plain data (renderSarif writes it). */
export function buildSarif(report: Report, rules: readonly RuleDefinition[], opts: SarifOptions = {}): Obj {
  const max = Math.max(0, Math.trunc(opts.maxResults ?? DEFAULT_MAX_RESULTS));
  const srcRoot = opts.srcRoot;

  const descriptors: Obj[] = [];
  const indexById = new Map<string, number>();
  for (const rule of rules) {
    if (indexById.has(rule.id)) continue;
    indexById.set(rule.id, descriptors.length);
    descriptors.push(ruleDescriptor(rule));
  }

  const all = sortFindings(report.findings);
  const kept = all.slice(0, max);
  const omitted = all.length - kept.length;

  const seen = new Map<string, number>();
  const results: Obj[] = [];
  for (const f of kept) {
    let index = indexById.get(f.ruleId);
    if (index === undefined) {
      index = descriptors.length;
      indexById.set(f.ruleId, index);
      descriptors.push(minimalDescriptor(f.ruleId, f.severity));
    }
    const hash = fingerprintHash(f);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    results.push(result(f, index, `${hash}:${n}`, srcRoot));
  }

  // Artifacts: the analysed files in the order checked, then any other file a kept result points at.
  const artifacts: Obj[] = [];
  const artifactFiles = new Set<string>();
  const addArtifact = (file: string, analysed: boolean) => {
    if (file === "" || artifactFiles.has(file)) return;
    artifactFiles.add(file);
    const a: Obj = { location: artifactLocation(file, srcRoot) };
    if (analysed) a.roles = ["analysisTarget"];
    artifacts.push(a);
  };
  for (const f of report.files) addArtifact(f.path, true);
  for (const f of kept) addArtifact(f.location.file, false);

  const notifications: Obj[] = [];
  for (const file of report.files) {
    for (const d of file.diagnostics) {
      const loc: Location = { file: d.file || file.path, line: d.line, column: d.column };
      notifications.push({
        level: diagnosticLevel(d.severity),
        message: { text: sentence(d.message) },
        locations: [{ physicalLocation: physicalLocation(loc, srcRoot) }],
      });
    }
  }
  if (omitted > 0) {
    notifications.push({
      level: "warning",
      descriptor: { id: "fwlint/results-truncated" },
      message: {
        text: `${omitted} of ${all.length} results were left out: at most ${max} are written (the most severe first).`,
      },
    });
  }

  const driver: Obj = {
    name: "fwlint",
    version: report.tool.version,
    semanticVersion: report.tool.version,
  };
  if (opts.informationUri !== undefined) driver.informationUri = opts.informationUri;
  driver.rules = descriptors;

  const run: Obj = {
    tool: { driver },
    originalUriBaseIds: {
      [SRCROOT]:
        srcRoot !== undefined
          ? { uri: pathToFileURL(srcRoot.endsWith(sep) ? srcRoot : srcRoot + sep).href }
          : { description: { text: "The directory fwlint was run from; result paths are relative to it." } },
    },
  };
  if (notifications.length > 0 || omitted > 0) {
    const invocation: Obj = { executionSuccessful: true, toolExecutionNotifications: notifications };
    if (omitted > 0) invocation.properties = { truncated: true, omittedResults: omitted, totalResults: all.length };
    run.invocations = [invocation];
  }
  run.artifacts = artifacts;
  run.results = results;
  run.columnKind = "unicodeCodePoints";
  if (omitted > 0) run.properties = { truncated: true };

  return { $schema: SARIF_SCHEMA_URI, version: "2.1.0", runs: [run] };
}

/** The SARIF text written to stdout (pretty-printed, newline-terminated). */
export function renderSarif(report: Report, rules: RuleDefinition[], opts: SarifOptions = {}): string {
  return JSON.stringify(buildSarif(report, rules, opts), null, 2) + "\n";
}
