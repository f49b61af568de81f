/**
 * Accepting a finding in the review: either a suppression comment written above the rule's line
 *
 *   # fwlint-disable-next-line RULE-ID -- reason
 *
 * (the syntax src/engine/suppress.ts reads), or an entry added to the baseline file (the shape
 * src/engine/baseline.ts reads). A comment is written only where the checker will honour it: the
 * format has `#` comments, the line above does not continue onto the rule's line (`\`), and
 * re-reading the new text with parseSuppressions covers the finding while the format is still
 * detected the same. Otherwise the caller is told to use the baseline.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { entryOf, loadBaseline, type Baseline, type BaselineEntry } from "../engine/baseline.js";
import { detectFormat } from "../engine/formats.js";
import { parseSuppressions } from "../engine/suppress.js";
import type { Finding } from "../model/finding.js";

/**
 * The input formats whose files take `#` comment lines anywhere a rule may stand (checked over every
 * fixture by test/review/accept-formats.test.ts). Cisco configurations (`!` comments) and nft JSON
 * have none: their findings are accepted into the baseline.
 */
const HASH_COMMENT_FORMATS: ReadonlySet<string> = new Set(["iptables", "ip6tables", "iptables-script", "nft-script", "ufw-script", "nft", "junos"]);

export type AcceptTarget = "comment" | "baseline";

/** A reason as one line of plain text: no control characters, whitespace collapsed. */
export function cleanReason(reason: string): string {
  // eslint-disable-next-line no-control-regex
  return reason.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, " ").replace(/\s+/g, " ").trim();
}

export type CommentPlan = { ok: true; text: string; commentLine: number } | { ok: false; why: string };

/**
 * The file's text with a suppression comment for `ruleId` above `line` (1-based), indented like the
 * rule; or why a comment cannot be used there.
 */
export function planSuppressionComment(text: string, format: string, line: number, ruleId: string, reason: string): CommentPlan {
  if (!HASH_COMMENT_FORMATS.has(format)) return { ok: false, why: `${format} files have no '#' comments` };
  const why = cleanReason(reason);
  if (why === "") return { ok: false, why: "a reason is required" };
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text.split("\n");
  const target = lines[line - 1];
  if (target === undefined) return { ok: false, why: `line ${line} is past the end of the file` };
  const above = line >= 2 ? lines[line - 2]!.replace(/\r$/, "") : "";
  if (/\\$/.test(above)) return { ok: false, why: `line ${line} continues line ${line - 1} ('\\'): a comment cannot go between them` };
  const indent = /^[ \t]*/.exec(target)![0];
  const comment = `${indent}# fwlint-disable-next-line ${ruleId} -- ${why}${eol === "\r\n" ? "\r" : ""}`;
  const out = [...lines.slice(0, line - 1), comment, ...lines.slice(line - 1)].join("\n");
  // Only what the checker will honour: same format, and the finding's (now shifted) line covered.
  if (detectFormat(out) !== detectFormat(text)) return { ok: false, why: "the comment would change how the file is read" };
  if (!parseSuppressions("", out).covers(ruleId, line + 1)) return { ok: false, why: "the checker would not apply a comment there" };
  return { ok: true, text: out, commentLine: line };
}

/**
 * Writes the suppression comment into `file`; throws an Error saying why when it cannot,
 * or when line `line` no longer reads `expectedSource` (the file changed since the scan).
 */
export function writeSuppressionComment(file: string, format: string, line: number, ruleId: string, reason: string, expectedSource?: string): number {
  const text = readFileSync(file, "utf8");
  const now = text.split("\n")[line - 1]?.replace(/\r$/, "");
  if (expectedSource !== undefined && now !== expectedSource) {
    throw new Error(`${file}:${line}: the file changed since it was scanned (the line is no longer the rule's); re-scan and try again`);
  }
  const plan = planSuppressionComment(text, format, line, ruleId, reason);
  if (!plan.ok) throw new Error(`${file}:${line}: cannot add a suppression comment: ${plan.why}`);
  writeFileSync(file, plan.text);
  return plan.commentLine;
}

function entryKey(e: BaselineEntry): string {
  return JSON.stringify([e.ruleId, e.file, e.source, e.exposure ?? null, e.message]);
}

/**
 * Adds the finding to the baseline file (created when missing), keeping its other entries. The
 * reason is kept in the entry's message, which the matcher ignores, for whoever reads the file.
 */
export function addToBaseline(baselineFile: string, finding: Finding, reason: string): void {
  let baseline: Baseline = { version: 1, tool: "fwlint", findings: [] };
  let exists = true;
  try {
    readFileSync(baselineFile);
  } catch {
    exists = false;
  }
  if (exists) baseline = loadBaseline(baselineFile);
  const entry = entryOf(baselineFile, finding);
  const why = cleanReason(reason);
  if (why !== "") entry.message = `${entry.message} (accepted: ${why})`;
  const entries = [...baseline.findings, entry].sort((a, b) => (entryKey(a) < entryKey(b) ? -1 : entryKey(a) > entryKey(b) ? 1 : 0));
  writeFileSync(baselineFile, `${JSON.stringify({ ...baseline, version: 1, tool: "fwlint", findings: entries }, null, 2)}\n`);
}
