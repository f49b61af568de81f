/**
 * `fwlint check --format github`: GitHub Actions workflow commands, so findings show up as annotations
 * on the pull request's changed files.
 *
 *   ::error file=rules.v4,line=9,col=1,title=fwlint exposed-service (high)::SMTP (tcp/25) is reachable ...%0Ae.g. tcp 198.51.100.7:40000 -> 10.0.0.5:25 iif eth0%0Adecided by: filter INPUT rules.v4:9 accept: -A INPUT ...
 *   fwlint: 3 findings, 0 file errors; annotated 2 errors, 0 warnings, 1 notice; not annotated: none
 *
 * Severity maps to the command: critical/high -> error, medium -> warning, low/info -> notice. File
 * diagnostics of severity error become `::error` lines too (first, before the findings). Findings come
 * most severe first (the JSON reporter's order), so the annotations GitHub keeps are the worst ones.
 *
 * GitHub shows at most 10 annotations of each kind per step; more are dropped silently. So at most
 * `maxPerKind` (10) commands of each kind are written, and the output ends with a plain summary line
 * (not a workflow command) that says how many were not annotated per kind, and the totals.
 *
 * Escaping is the one @actions/core uses (toolkit packages/core/src/command.ts): in the message `%`,
 * CR and LF become %25, %0D, %0A; in property values `:` and `,` also become %3A and %2C. Text from a
 * scanned file or a file name first goes through sanitize(), so it cannot carry a raw line break (which
 * would let a ruleset comment start a workflow command of its own) or terminal escapes into the log.
 */
import { type Finding, type Report, type Severity, type TraceStep } from "../model/finding.js";
import type { Diagnostic } from "../model/types.js";
import { sanitize } from "./sanitize.js";
import { sortFindings } from "./json.js";
import { describeWitness } from "./text.js";

export type AnnotationKind = "error" | "warning" | "notice";
export const ANNOTATION_KINDS: readonly AnnotationKind[] = ["error", "warning", "notice"];

/** GitHub's per-step display limit for each annotation kind. */
export const GITHUB_ANNOTATION_LIMIT = 10;

export interface GithubOptions {
  /** Annotations written per kind (default 10, GitHub's per-step limit). */
  maxPerKind?: number;
}

export function annotationKind(severity: Severity): AnnotationKind {
  switch (severity) {
    case "critical":
    case "high":
      return "error";
    case "medium":
      return "warning";
    default:
      return "notice";
  }
}

/** The message part of a workflow command (@actions/core escapeData). */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A property value of a workflow command (@actions/core escapeProperty). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export interface AnnotationProperties {
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

/**
 * `::kind file=..,line=..,col=..,title=..::message`. Properties and message are taken as they are
 * (sanitise config-derived text before) and escaped here; missing or non-positive numbers are left out.
 */
export function workflowCommand(kind: AnnotationKind, props: AnnotationProperties, message: string): string {
  const parts: string[] = [];
  if (props.file !== undefined && props.file !== "") parts.push(`file=${escapeProperty(props.file)}`);
  const num = (n: number | undefined): n is number => typeof n === "number" && Number.isInteger(n) && n > 0;
  if (num(props.line)) {
    parts.push(`line=${props.line}`);
    if (num(props.col)) parts.push(`col=${props.col}`);
  }
  if (props.title !== undefined && props.title !== "") parts.push(`title=${escapeProperty(props.title)}`);
  return `::${kind}${parts.length > 0 ? " " + parts.join(",") : ""}::${escapeData(message)}`;
}

function stepText(step: TraceStep): string {
  const parts: string[] = [];
  if (step.table) parts.push(sanitize(step.table));
  parts.push(sanitize(step.chain));
  parts.push(step.file ? `${sanitize(step.file)}:${step.line}` : `line ${step.line}`);
  if (step.label) parts.push(`(${sanitize(step.label)})`);
  if (step.action) parts.push(sanitize(step.action));
  let s = parts.join(" ");
  if (step.rule) s += `: ${sanitize(step.rule)}`;
  return s;
}

/** The annotation's message lines: the finding, an example packet, the rules that decided it. Sanitised. */
export function findingMessageLines(f: Finding): string[] {
  const lines = [sanitize(f.message)];
  if (f.witness) lines.push(`e.g. ${describeWitness(f.witness)}`);
  const trace = f.trace ?? [];
  if (trace.length === 1) lines.push(`decided by: ${stepText(trace[0]!)}`);
  else if (trace.length > 1) lines.push("decided by:", ...trace.map((s) => `  ${stepText(s)}`));
  for (const r of f.related ?? []) lines.push(`related: ${sanitize(r.file)}:${r.line} ${sanitize(r.message)}`);
  if (f.uncertain && f.uncertain.length > 0) {
    lines.push(`uncertain: depends on what fwlint does not model: ${f.uncertain.map(sanitize).join("; ")}`);
  }
  return lines;
}

function findingCommand(f: Finding): string {
  return workflowCommand(
    annotationKind(f.severity),
    {
      file: sanitize(f.location.file),
      line: f.location.line,
      col: f.location.column,
      title: `fwlint ${sanitize(f.ruleId)} (${f.severity})`,
    },
    findingMessageLines(f).join("\n"),
  );
}

function diagnosticCommand(d: Diagnostic, path: string): string {
  return workflowCommand(
    "error",
    { file: sanitize(d.file || path), line: d.line, col: d.column, title: "fwlint file error" },
    sanitize(d.message),
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function kindCounts(counts: Record<AnnotationKind, number>): string {
  return ANNOTATION_KINDS.map((k) => plural(counts[k], k)).join(", ");
}

/**
 * The whole stdout text: one workflow command per finding (at most `maxPerKind` of each kind), then a
 * plain summary line. Ends with a newline.
 */
export function renderGithub(report: Report, options: GithubOptions = {}): string {
  const limit = Math.max(0, Math.trunc(options.maxPerKind ?? GITHUB_ANNOTATION_LIMIT));
  const emitted: Record<AnnotationKind, number> = { error: 0, warning: 0, notice: 0 };
  const skipped: Record<AnnotationKind, number> = { error: 0, warning: 0, notice: 0 };
  const lines: string[] = [];
  const emit = (kind: AnnotationKind, line: () => string): void => {
    if (emitted[kind] < limit) {
      emitted[kind]++;
      lines.push(line());
    } else {
      skipped[kind]++;
    }
  };

  let fileErrors = 0;
  for (const file of report.files) {
    for (const d of file.diagnostics) {
      if (d.severity !== "error") continue;
      fileErrors++;
      emit("error", () => diagnosticCommand(d, file.path));
    }
  }
  const findings = sortFindings(report.findings);
  for (const f of findings) emit(annotationKind(f.severity), () => findingCommand(f));

  const notAnnotated = skipped.error + skipped.warning + skipped.notice;
  let summary =
    `fwlint: ${plural(findings.length, "finding")}, ${plural(fileErrors, "file error")}; ` +
    `annotated ${kindCounts(emitted)}; `;
  summary +=
    notAnnotated === 0
      ? "not annotated: none"
      : `not annotated (GitHub shows at most ${limit} of each kind per step): ` +
        `${plural(skipped.error, "more error")}, ${plural(skipped.warning, "more warning")}, ${plural(skipped.notice, "more notice")}` +
        ` (${notAnnotated} in total)`;
  lines.push(summary);
  return lines.join("\n") + "\n";
}
