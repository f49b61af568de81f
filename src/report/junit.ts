/**
 * `fwlint check --format junit`: JUnit XML, which most CI systems (GitLab, Jenkins, Azure, CircleCI,
 * test-report actions) show as a test report.
 *
 *   <testsuites name="fwlint" tests="13" failures="2" errors="0">
 *     <testsuite name="rules.v4" tests="12" failures="2" errors="0">
 *       <testcase classname="exposed-service" name="rules.v4:9 SMTP (tcp/25) is reachable from any ...">
 *         <failure message="SMTP (tcp/25) is reachable ..." type="high">rules.v4:9:1 high exposed-service ...
 *     e.g. tcp 198.51.100.7:40000 -> 10.0.0.5:25 iif eth0
 *     decided by: ...</failure>
 *       </testcase>
 *     </testsuite>
 *   </testsuites>
 *
 * One testsuite per checked file (in the order checked; files that only appear in a finding's location
 * follow), `tests` = rules checked in the file (at least 1, and at least the number of testcases),
 * one testcase per finding (most severe first) with a failure whose text is the text reporter's block
 * (witness, trace, related, uncertain). A file diagnostic of severity error (e.g. a file that could not
 * be parsed) is a testcase with an `<error>`; a file with neither findings nor errors gets one passing
 * testcase "no findings".
 *
 * Config-derived text goes through sanitize() (control characters become visible escapes), then XML
 * escaping; characters XML 1.0 does not allow at all are removed as a last guard.
 */
import type { FileReport, Finding, Report } from "../model/finding.js";
import type { Diagnostic } from "../model/types.js";
import { sanitize } from "./sanitize.js";
import { sortFindings } from "./json.js";
import { sourceExcerpt } from "./text.js";
import { findingMessageLines } from "./github.js";

/** Longest testcase name, in characters, before it is cut with an ellipsis. */
export const MAX_NAME_LENGTH = 120;

// Not allowed anywhere in an XML 1.0 document: C0 controls other than TAB, LF, CR; U+FFFE, U+FFFF;
// unpaired surrogates.
// eslint-disable-next-line no-control-regex
const ILLEGAL_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Removes characters that XML 1.0 does not allow. */
export function stripIllegalXml(s: string): string {
  return s.replace(ILLEGAL_XML, "");
}

/** Text content: &, <, > (and quotes, so the same text is safe anywhere) escaped. */
export function escapeXmlText(s: string): string {
  return stripIllegalXml(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** An attribute value: as text, plus TAB/LF/CR as character references (parsers would turn them into spaces). */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/\t/g, "&#9;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;");
}

function attrs(pairs: Record<string, string | number>): string {
  return Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${escapeXmlAttr(String(v))}"`)
    .join("");
}

/** `s` cut to `max` characters (code points), ending in an ellipsis when cut. */
export function shorten(s: string, max = MAX_NAME_LENGTH): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : chars.slice(0, Math.max(0, max - 1)).join("") + "…";
}

interface Suite {
  path: string;
  rules: number;
  findings: Finding[];
  errors: Diagnostic[];
}

function testcase(classname: string, name: string, body?: string): string[] {
  const open = `    <testcase${attrs({ classname, name })}`;
  if (body === undefined) return [`${open}/>`];
  return [`${open}>`, body, "    </testcase>"];
}

function findingCase(f: Finding): string[] {
  const file = sanitize(f.location.file);
  const message = sanitize(f.message);
  const { line, column } = f.location;
  const details = [
    `${file}:${line}:${column} ${f.severity} ${sanitize(f.ruleId)}`,
    ...(f.sourceLine !== undefined ? sourceExcerpt(line, f.sourceLine, column) : []),
    ...findingMessageLines(f),
  ].join("\n");
  return testcase(
    sanitize(f.ruleId),
    shorten(`${file}:${f.location.line} ${message}`),
    `      <failure${attrs({ message, type: f.severity })}>${escapeXmlText(details)}</failure>`,
  );
}

function errorCase(d: Diagnostic, path: string): string[] {
  const file = sanitize(d.file || path);
  const message = sanitize(d.message);
  return testcase(
    "fwlint.file-error",
    shorten(`${file}:${d.line} ${message}`),
    `      <error${attrs({ message, type: "error" })}>${escapeXmlText(`${file}:${d.line}:${d.column}: error: ${message}`)}</error>`,
  );
}

/** The JUnit XML document. Ends with a newline. */
export function renderJunit(report: Report): string {
  const suites = new Map<string, Suite>();
  const suite = (path: string): Suite => {
    let s = suites.get(path);
    if (!s) {
      s = { path, rules: 0, findings: [], errors: [] };
      suites.set(path, s);
    }
    return s;
  };
  for (const file of report.files as readonly FileReport[]) {
    const s = suite(file.path);
    s.rules += file.rules;
    s.errors.push(...file.diagnostics.filter((d) => d.severity === "error"));
  }
  for (const f of sortFindings(report.findings)) suite(f.location.file).findings.push(f);

  const body: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const s of suites.values()) {
    const cases = s.findings.length + s.errors.length;
    const suiteTests = Math.max(1, s.rules, cases);
    tests += suiteTests;
    failures += s.findings.length;
    errors += s.errors.length;
    body.push(
      `  <testsuite${attrs({ name: sanitize(s.path), tests: suiteTests, failures: s.findings.length, errors: s.errors.length })}>`,
    );
    for (const d of s.errors) body.push(...errorCase(d, s.path));
    for (const f of s.findings) body.push(...findingCase(f));
    if (cases === 0) body.push(...testcase("fwlint", "no findings"));
    body.push("  </testsuite>");
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: "fwlint", tests, failures, errors })}>`,
    ...body,
    "</testsuites>",
    "",
  ].join("\n");
}
