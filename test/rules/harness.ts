/**
 * Runs the built-in rules on a ruleset by calling the checks directly, the way a generic
 * runChecks does (`CHECKS[rule.check](ctx, rule.params, ref)`), and reads the
 * `# fwlint-expect:` lines of a fixture (same syntax as test/engine/fixtures.test.ts).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { detectFormat, parseAs } from "../../src/engine/formats.js";
import { loadBuiltinRules, type RuleDefinition } from "../../src/engine/rule-pack.js";
import type { Finding } from "../../src/model/finding.js";
import type { Ruleset } from "../../src/model/types.js";
import { makeContext } from "../../rules/checks/context.js";
import { CHECKS } from "../../rules/checks/index.js";
import type { Check } from "../../rules/checks/context.js";

export function runRules(ruleset: Ruleset, only?: (r: RuleDefinition) => boolean): Finding[] {
  const ctx = makeContext(ruleset);
  const out: Finding[] = [];
  for (const rule of loadBuiltinRules().rules) {
    if (!rule.enabled || (only && !only(rule))) continue;
    const check = CHECKS[rule.check] as Check<typeof rule.params>;
    out.push(...check(ctx, rule.params, { id: rule.id, severity: rule.severity }));
  }
  return out;
}

/** Findings of the rules with these ids. */
export function findingsOf(ruleset: Ruleset, ...ids: string[]): Finding[] {
  return runRules(ruleset, (r) => ids.includes(r.id));
}

export function parseFile(path: string, name = path): Ruleset {
  const text = readFileSync(path, "utf8");
  const format = detectFormat(text);
  if (!format) throw new Error(`${path}: unknown format`);
  return parseAs(format, text, name);
}

export interface Expectation {
  negate: boolean;
  ruleId: string;
  filters: Record<string, string>;
  text: string;
}

/** What an expectation may filter on (see matches). */
const FILTER_KEYS: ReadonlySet<string> = new Set(["service", "line", "file", "severity", "direction", "family", "certain"]);

export function expectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  for (const line of text.split("\n")) {
    const m = /fwlint-expect(-not)?:\s*(\S+)(.*)$/.exec(line);
    if (!m) continue;
    const filters: Record<string, string> = {};
    // (an XML fixture's expectation stands in a <!-- --> comment, a Jinja template's in a {# #} one)
    for (const kv of m[3]!.trim().replace(/(-->|#\})$/, "").split(/\s+/).filter(Boolean)) {
      const [k, v] = kv.split("=");
      if (!FILTER_KEYS.has(k!) || v === undefined) throw new Error(`${line.trim()}: '${kv}' is not one of ${[...FILTER_KEYS].map((f) => `${f}=...`).join(", ")}`);
      filters[k!] = v;
    }
    out.push({ negate: !!m[1], ruleId: m[2]!, filters, text: line.trim() });
  }
  return out;
}

export function matches(f: Finding, e: Expectation): boolean {
  if (f.ruleId !== e.ruleId) return false;
  for (const [k, v] of Object.entries(e.filters)) {
    if (k === "service" && f.exposure?.service !== v && !f.exposure?.services?.includes(v)) return false;
    if (k === "line" && String(f.location.line) !== v) return false;
    // file: the name of the file the finding is in, when not the fixture itself (a file it sources)
    if (k === "file" && basename(f.location.file) !== v) return false;
    if (k === "severity" && f.severity !== v) return false;
    if (k === "direction" && f.exposure?.direction !== v) return false;
    if (k === "family" && String(f.exposure?.family) !== v) return false;
    // certain: the finding claims it ("is reachable"), with nothing it depends on left open
    if (k === "certain" && String(f.uncertain === undefined) !== v) return false;
  }
  return true;
}
