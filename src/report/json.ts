/**
 * `fwlint check --format json`: the Report shape of ../shared/docs/contracts.md, which outside checks read.
 *
 *   {version: 1, tool: {name, version}, files: [{path, format, rules, diagnostics: [{severity, message,
 *    line, column}]}], findings: [...]}
 *
 * Findings are sorted most severe first, then by file, line, column and rule id, so the output is stable.
 * Undefined fields are dropped; the contract's keys come first in the contract's order, and any other
 * field the engine adds (e.g. `related`, `uncertain`, `suppressed`) follows. `sourceLine` is a hint for
 * the text reporter and is left out.
 */
import { severityRank, type FileReport, type Finding, type Report } from "../model/finding.js";

const FINDING_KEYS = ["ruleId", "severity", "message", "location", "exposure", "witness", "trace"];
const LOCATION_KEYS = ["file", "line", "column"];
const EXPOSURE_KEYS = ["family", "protocol", "ports", "direction", "sourceCoverage", "service"];
const PACKET_KEYS = ["id", "family", "proto", "src", "dst", "sport", "dport", "icmp_type", "icmp_code", "iif", "oif", "hook", "tcp_flags", "ttl"];
const TRACE_KEYS = ["chain", "rule", "line", "table", "file", "action"];
const TEXT_ONLY = new Set(["sourceLine"]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A plain-data copy with undefined fields dropped and `first` keys leading, in that order. */
function ordered(value: object, first: readonly string[], omit: ReadonlySet<string> = new Set()): { [key: string]: Json } {
  const src = value as Record<string, unknown>;
  const out: { [key: string]: Json } = {};
  const keys = [...first.filter((k) => k in src), ...Object.keys(src).filter((k) => !first.includes(k))];
  for (const k of keys) {
    if (omit.has(k)) continue;
    const v = toJson(src[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function toJson(v: unknown): Json | undefined {
  if (v === undefined || typeof v === "function" || typeof v === "symbol") return undefined;
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map((x) => toJson(x) ?? null);
  if (v instanceof Map) return toJson(Object.fromEntries(v));
  if (v instanceof Set) return toJson([...v]);
  return ordered(v as object, []);
}

function compareFindings(a: Finding, b: Finding): number {
  const bySeverity = severityRank(b.severity) - severityRank(a.severity);
  if (bySeverity !== 0) return bySeverity;
  if (a.location.file !== b.location.file) return a.location.file < b.location.file ? -1 : 1;
  if (a.location.line !== b.location.line) return a.location.line - b.location.line;
  if (a.location.column !== b.location.column) return a.location.column - b.location.column;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}

/** Most severe first, then file, line, column, rule id. Does not modify `findings`. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

function findingToJson(f: Finding): { [key: string]: Json } {
  const out = ordered(f, FINDING_KEYS, TEXT_ONLY);
  out.location = ordered(f.location, LOCATION_KEYS);
  if (f.exposure) out.exposure = ordered(f.exposure, EXPOSURE_KEYS);
  if (f.witness) out.witness = ordered(f.witness, PACKET_KEYS);
  if (f.trace) out.trace = f.trace.map((step) => ordered(step, TRACE_KEYS));
  return out;
}

function fileToJson(f: FileReport): { [key: string]: Json } {
  return {
    path: f.path,
    format: f.format,
    rules: f.rules,
    diagnostics: f.diagnostics.map((d) => ordered({ severity: d.severity, message: d.message, line: d.line, column: d.column }, [])),
  };
}

/** The contract's Report, as plain JSON data. */
export function buildReport(version: string, files: readonly FileReport[], findings: readonly Finding[]): Report {
  return {
    version: 1,
    tool: { name: "fwlint", version },
    files: files.map(fileToJson) as unknown as FileReport[],
    findings: sortFindings(findings).map(findingToJson) as unknown as Finding[],
  };
}

/** The JSON text written to stdout (pretty-printed, newline-terminated). */
export function renderJson(version: string, files: readonly FileReport[], findings: readonly Finding[]): string {
  return JSON.stringify(buildReport(version, files, findings), null, 2) + "\n";
}
