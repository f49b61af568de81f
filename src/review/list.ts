/**
 * The findings list as the review shows it: filtered (minimum severity, one rule, search text),
 * sorted, and grouped by severity and file with counts. Pure functions over ReviewFinding, so the
 * UI only keeps the settings and a selected key.
 */
import { SEVERITIES, severityRank, type Severity } from "../model/finding.js";
import type { ReviewFinding } from "./session.js";

export type SortOrder = "severity" | "file" | "rule";
export const SORT_ORDERS: readonly SortOrder[] = ["severity", "file", "rule"];

export interface ListSettings {
  /** Show findings at least this severe (undefined: all). */
  minSeverity?: Severity;
  /** Show only this rule's findings. */
  rule?: string;
  /** Case-insensitive text searched in the rule id, message, file and source line. */
  search: string;
  sort: SortOrder;
}

export const DEFAULT_SETTINGS: ListSettings = { search: "", sort: "severity" };

/** A header line (group with its count) or a finding, in display order. */
export type ListRow = { kind: "group"; label: string; count: number } | { kind: "finding"; item: ReviewFinding };

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function matches(f: ReviewFinding, s: ListSettings): boolean {
  const x = f.finding;
  if (s.minSeverity && severityRank(x.severity) < severityRank(s.minSeverity)) return false;
  if (s.rule !== undefined && x.ruleId !== s.rule) return false;
  const q = s.search.trim().toLowerCase();
  if (q === "") return true;
  const hay = `${x.ruleId}\n${x.message}\n${x.location.file}:${x.location.line}\n${x.sourceLine ?? ""}\n${x.severity}`.toLowerCase();
  return q.split(/\s+/).every((w) => hay.includes(w));
}

const bySeverity = (a: ReviewFinding, b: ReviewFinding) => severityRank(b.finding.severity) - severityRank(a.finding.severity);
const byPlace = (a: ReviewFinding, b: ReviewFinding) =>
  cmp(a.finding.location.file, b.finding.location.file) || a.finding.location.line - b.finding.location.line || a.finding.location.column - b.finding.location.column;
const byRule = (a: ReviewFinding, b: ReviewFinding) => cmp(a.finding.ruleId, b.finding.ruleId);
const byMessage = (a: ReviewFinding, b: ReviewFinding) => cmp(a.finding.message, b.finding.message);

/** The findings shown, in order. */
export function visibleFindings(all: readonly ReviewFinding[], s: ListSettings): ReviewFinding[] {
  const order =
    s.sort === "severity"
      ? (a: ReviewFinding, b: ReviewFinding) => bySeverity(a, b) || byPlace(a, b) || byRule(a, b) || byMessage(a, b)
      : s.sort === "file"
        ? (a: ReviewFinding, b: ReviewFinding) => byPlace(a, b) || bySeverity(a, b) || byRule(a, b) || byMessage(a, b)
        : (a: ReviewFinding, b: ReviewFinding) => byRule(a, b) || bySeverity(a, b) || byPlace(a, b) || byMessage(a, b);
  return all.filter((f) => matches(f, s)).sort(order);
}

/**
 * Rows with group headers. Sorted by severity: a header per severity and, under it, per file; by
 * file: per file; by rule: per rule. Each header carries how many findings it holds.
 */
export function groupRows(visible: readonly ReviewFinding[], sort: SortOrder): ListRow[] {
  const keyOf = (f: ReviewFinding): string =>
    sort === "severity" ? `${f.finding.severity.toUpperCase()}  ${f.finding.location.file}` : sort === "file" ? f.finding.location.file : f.finding.ruleId;
  const counts = new Map<string, number>();
  for (const f of visible) counts.set(keyOf(f), (counts.get(keyOf(f)) ?? 0) + 1);
  const rows: ListRow[] = [];
  let current: string | undefined;
  for (const f of visible) {
    const k = keyOf(f);
    if (k !== current) {
      rows.push({ kind: "group", label: k, count: counts.get(k)! });
      current = k;
    }
    rows.push({ kind: "finding", item: f });
  }
  return rows;
}

/** Count per severity, most severe first (only severities present). */
export function severityCounts(findings: readonly ReviewFinding[]): { severity: Severity; count: number }[] {
  return SEVERITIES.map((severity) => ({ severity, count: findings.filter((f) => f.finding.severity === severity).length })).filter((c) => c.count > 0);
}

/** The next minimum severity in the cycle: all, critical, high, medium, low, info, all ... */
export function nextMinSeverity(current: Severity | undefined): Severity | undefined {
  if (current === undefined) return SEVERITIES[0];
  const i = SEVERITIES.indexOf(current);
  return i + 1 < SEVERITIES.length ? SEVERITIES[i + 1] : undefined;
}

/** The next rule filter in the cycle over the rules that have findings: all, first, second ... */
export function nextRule(all: readonly ReviewFinding[], current: string | undefined): string | undefined {
  const rules = [...new Set(all.map((f) => f.finding.ruleId))].sort(cmp);
  if (rules.length === 0) return undefined;
  if (current === undefined) return rules[0];
  const i = rules.indexOf(current);
  return i >= 0 && i + 1 < rules.length ? rules[i + 1] : undefined;
}

/**
 * After a re-scan: the index to select in `visible`: the same finding (by key) if it is still
 * there, else the one now at the old position (clamped), so the cursor stays where the eye is.
 */
export function reselect(visible: readonly ReviewFinding[], previousKey: string | undefined, previousIndex: number): number {
  if (visible.length === 0) return 0;
  if (previousKey !== undefined) {
    const i = visible.findIndex((f) => f.key === previousKey);
    if (i >= 0) return i;
  }
  return Math.max(0, Math.min(previousIndex, visible.length - 1));
}
