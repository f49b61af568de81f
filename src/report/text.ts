/**
 * Human output for `fwlint check --format text`.
 *
 *   rules.v4:9:1 high exposed-service SMTP (tcp/25) is reachable from any source on the inbound path
 *     9 | -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT
 *       | ^
 *     e.g. tcp 198.51.100.7:40000 -> 10.0.0.5:25 iif eth0
 *     decided by:
 *       filter INPUT rules.v4:9 accept
 *
 *   3 findings (1 critical, 2 high) in 2 files; 1 file with errors
 *
 * Every string that can come from a scanned file or a file name goes through sanitize(), so a ruleset
 * cannot drive the terminal. Colour (severity, rule id) is the caller's decision (TTY, NO_COLOR, --no-color).
 */
import { SEVERITIES, severityRank, type FileReport, type Finding, type Packet, type Severity } from "../model/finding.js";
import type { Diagnostic } from "../model/types.js";
import { describePacket } from "../model/packet-text.js";
import { sanitize } from "./sanitize.js";
import { groupedDigits } from "../model/digits.js";
import { nameTable } from "../model/name-table.js";

/** Related locations a finding shows in text; more are counted. */
const MAX_RELATED = 10;

export interface TextOptions {
  color: boolean;
}

export interface TextInput {
  /** Files that were analysed, in the order they were checked. */
  files: FileReport[];
  findings: Finding[];
  /** Files that could not be read or parsed at all (their one-line errors go to stderr). */
  failed?: { path: string; message: string }[];
}

const RESET = "\x1b[0m";
const SEVERITY_STYLE: Record<Severity, string> = nameTable({
  critical: "\x1b[1;31m",
  high: "\x1b[31m",
  medium: "\x1b[33m",
  low: "\x1b[36m",
  info: "\x1b[34m",
});
const DIAGNOSTIC_STYLE: Record<Diagnostic["severity"], string> = nameTable({
  error: "\x1b[31m",
  warning: "\x1b[33m",
  info: "\x1b[34m",
});
const RULE_ID_STYLE = "\x1b[90m";

function paint(on: boolean, style: string, text: string): string {
  return on ? `${style}${text}${RESET}` : text;
}

/** The rule text of a trace step that is a chain's policy (see trace.ts). */
const CHAIN_POLICY = /^policy (ACCEPT|DROP)$/;

/** A finding's example packet as text (describePacket), safe for a terminal. */
export function describeWitness(p: Packet): string {
  return sanitize(describePacket(p));
}

/** Characters of a source line shown at most; a longer one is cut to a window around the column. */
const EXCERPT_WIDTH = 160;
/** Characters kept before the column in such a window. */
const EXCERPT_BEFORE = 60;
/** Past this many UTF-16 units a line is cut around the column before it is split into characters. */
const LONG_LINE = 8 * EXCERPT_WIDTH;

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * The source line and a caret under `column` (1-based), both sanitised. The caret padding mirrors the
 * sanitised prefix: tabs stay tabs (so the caret lines up however wide the terminal's tabs are) and an
 * escaped control character is padded by the width of its escape. A line longer than EXCERPT_WIDTH
 * (nft -j prints a whole ruleset on one line) is shown as the part around the column, cut ends
 * marked with '...'.
 */
export function sourceExcerpt(lineNo: number, source: string, column: number): string[] {
  const gutter = String(lineNo);
  // A very long line (a JSON document printed on one line) is first cut to a stretch around the
  // column, so that each finding costs that stretch and not the whole line: 200 network ACLs on
  // one line took 37 s to print as text, splitting the 1 MB line once per finding.
  let cutHead = false;
  let cutTail = false;
  if (source.length > LONG_LINE) {
    const at = Math.max(0, (Math.trunc(column) || 1) - 1);
    let from = Math.max(0, at - 2 * EXCERPT_WIDTH);
    let to = Math.min(source.length, at + 2 * EXCERPT_WIDTH);
    // (not between the two halves of a character)
    if (from > 0 && isLowSurrogate(source.charCodeAt(from))) from++;
    if (to < source.length && isLowSurrogate(source.charCodeAt(to))) to++;
    cutHead = from > 0;
    cutTail = to < source.length;
    source = source.slice(from, to);
    column = at + 1 - from;
  }
  let chars = Array.from(source);
  let col = Math.min(Math.max(1, Math.trunc(column) || 1), chars.length + 1);
  let head = cutHead ? "..." : "";
  let tail = cutTail ? "..." : "";
  if (chars.length > EXCERPT_WIDTH) {
    const from = Math.max(0, Math.min(col - 1 - EXCERPT_BEFORE, chars.length - EXCERPT_WIDTH));
    const to = Math.min(chars.length, from + EXCERPT_WIDTH);
    if (from > 0) head = "...";
    if (to < chars.length) tail = "...";
    chars = chars.slice(from, to);
    col -= from;
  }
  let pad = " ".repeat(head.length);
  for (const ch of chars.slice(0, col - 1)) pad += ch === "\t" ? "\t" : " ".repeat(sanitize(ch).length);
  return [`  ${gutter} | ${head}${sanitize(chars.join(""))}${tail}`.trimEnd(), `  ${" ".repeat(gutter.length)} | ${pad}^`];
}

/** Longest message printed whole; a longer one (a 100,000-character token quoted back) keeps its two ends. */
const MESSAGE_MAX = 400;

/** `text` sanitised, its middle left out (and said so) past MESSAGE_MAX characters. */
function message(text: string): string {
  // code points never outnumber UTF-16 units: most messages are told short without splitting them
  if (text.length <= MESSAGE_MAX) return sanitize(text);
  const chars = Array.from(text);
  if (chars.length <= MESSAGE_MAX) return sanitize(text);
  const keep = MESSAGE_MAX / 2;
  const omitted = chars.length - 2 * keep;
  return `${sanitize(chars.slice(0, keep).join(""))}... (${groupedDigits(omitted)} characters left out) ...${sanitize(chars.slice(-keep).join(""))}`;
}

function location(file: string, line: number, column?: number): string {
  return column === undefined ? `${sanitize(file)}:${line}` : `${sanitize(file)}:${line}:${column}`;
}

export function renderFinding(f: Finding, color: boolean): string[] {
  const out: string[] = [];
  const { file, line, column } = f.location;
  out.push(
    `${location(file, line, column)} ${paint(color, SEVERITY_STYLE[f.severity] ?? "", f.severity)} ` +
      `${paint(color, RULE_ID_STYLE, sanitize(f.ruleId))} ${message(f.message)}`,
  );
  if (f.sourceLine !== undefined) out.push(...sourceExcerpt(line, f.sourceLine, column));
  if (f.witness) out.push(`  e.g. ${describeWitness(f.witness)}`);
  if (f.trace && f.trace.length > 0) {
    out.push("  decided by:");
    for (const step of f.trace) {
      const parts: string[] = [];
      // a vendor list by its own name ("access-list EDGE"), other chains by table and name
      if (step.title) parts.push(sanitize(step.title));
      else {
        if (step.table) parts.push(sanitize(step.table));
        parts.push(sanitize(step.chain));
      }
      parts.push(step.file ? location(step.file, step.line) : `line ${step.line}`);
      if (step.label) parts.push(`(${sanitize(step.label)})`);
      // A chain's policy reads as one, not as a rule's verdict on the policy's line (but a JunOS
      // security policy, "policy allow-web {", is a rule).
      if (step.action) parts.push(sanitize(CHAIN_POLICY.test(step.rule) ? `policy ${step.action}` : step.action));
      out.push(`    ${parts.join(" ")}`);
    }
  }
  if (f.related && f.related.length > 0) {
    out.push("  related:");
    // a long list (the earlier rules a broad rule overlaps) is cut: the JSON and SARIF reports hold it whole
    const shown = f.related.length > MAX_RELATED ? f.related.slice(0, MAX_RELATED - 1) : f.related;
    for (const r of shown) out.push(`    ${location(r.file, r.line, r.column)} ${message(r.message)}`);
    if (shown.length < f.related.length) out.push(`    ... and ${f.related.length - shown.length} more (the JSON report lists them all)`);
  }
  if (f.uncertain && f.uncertain.length > 0) {
    out.push(`  uncertain: depends on what fwlint does not model: ${f.uncertain.map(message).join("; ")}`);
  }
  return out;
}

export function renderDiagnostic(d: Diagnostic, fallbackFile: string, color: boolean): string {
  const sev = paint(color, DIAGNOSTIC_STYLE[d.severity] ?? "", d.severity);
  return `${location(d.file || fallbackFile, d.line, d.column)}: ${sev}: ${message(d.message)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `3 findings (1 critical, 2 high) in 2 files; 1 file with errors`. */
export function summaryLine(input: TextInput): string {
  const paths = new Set<string>();
  const withErrors = new Set<string>();
  for (const f of input.files) {
    paths.add(f.path);
    if (f.diagnostics.some((d) => d.severity === "error")) withErrors.add(f.path);
  }
  for (const f of input.failed ?? []) {
    paths.add(f.path);
    withErrors.add(f.path);
  }
  const counts = SEVERITIES.map((s) => [s, input.findings.filter((f) => f.severity === s).length] as const).filter(
    ([, n]) => n > 0,
  );
  const n = input.findings.length;
  let s =
    n === 0
      ? `no findings in ${plural(paths.size, "file")}`
      : `${plural(n, "finding")} (${counts.map(([sev, k]) => `${k} ${sev}`).join(", ")}) in ${plural(paths.size, "file")}`;
  if (withErrors.size > 0) s += `; ${plural(withErrors.size, "file")} with errors`;
  return s;
}

type Entry =
  | { kind: "diagnostic"; line: number; column: number; d: Diagnostic; file: string }
  | { kind: "finding"; line: number; column: number; f: Finding };

function compareEntries(a: Entry, b: Entry): number {
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.kind !== b.kind) return a.kind === "diagnostic" ? -1 : 1;
  if (a.kind === "finding" && b.kind === "finding") {
    const bySeverity = severityRank(b.f.severity) - severityRank(a.f.severity);
    if (bySeverity !== 0) return bySeverity;
    return a.f.ruleId < b.f.ruleId ? -1 : a.f.ruleId > b.f.ruleId ? 1 : 0;
  }
  return 0;
}

/**
 * The whole stdout text: per file (in the order checked) its diagnostics and findings by line, a blank
 * line after each finding, then the summary line. Ends with a newline.
 */
export function renderText(input: TextInput, options: TextOptions): string {
  const byFile = new Map<string, Entry[]>();
  const order: string[] = [];
  const bucket = (path: string): Entry[] => {
    let b = byFile.get(path);
    if (!b) {
      b = [];
      byFile.set(path, b);
      order.push(path);
    }
    return b;
  };
  for (const file of input.files) {
    const b = bucket(file.path);
    for (const d of file.diagnostics) b.push({ kind: "diagnostic", line: d.line, column: d.column, d, file: file.path });
  }
  for (const f of input.findings) {
    bucket(f.location.file).push({ kind: "finding", line: f.location.line, column: f.location.column, f });
  }

  const lines: string[] = [];
  for (const path of order) {
    const entries = byFile.get(path)!.sort(compareEntries);
    entries.forEach((e, i) => {
      if (e.kind === "diagnostic") {
        lines.push(renderDiagnostic(e.d, e.file, options.color));
        if (entries[i + 1]?.kind === "finding") lines.push("");
      } else {
        lines.push(...renderFinding(e.f, options.color), "");
      }
    });
    if (entries.length > 0 && entries[entries.length - 1]!.kind === "diagnostic") lines.push("");
  }
  lines.push(summaryLine(input));
  return lines.join("\n") + "\n";
}
