/**
 * Baselines: the findings a project has accepted for now (`fwlint baseline`), so that `check
 * --baseline FILE` reports only new ones. Findings are matched by content, not line numbers, so a
 * baseline survives edits that move rules around: rule id, file (relative to the baseline file's
 * folder), the source line with whitespace collapsed, and for exposures the service, protocol, ports
 * and direction. Each baseline entry hides at most one finding.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import type { Finding } from "../model/finding.js";

export const DEFAULT_BASELINE_FILE = ".fwlint-baseline.json";

export interface BaselineEntry {
  ruleId: string;
  /** Relative to the baseline file's folder, `/`-separated. */
  file: string;
  /** The finding's source line, whitespace collapsed. */
  source: string;
  /** `family` since the dual-stack findings (an inet rule's IPv4 and IPv6 findings): older files lack it. */
  exposure?: { service?: string; protocol: string; ports: [number, number][]; direction: string; family?: 4 | 6; target?: string };
  /** For people reading the file; not matched. */
  message: string;
}

export interface Baseline {
  version: 1;
  tool: "fwlint";
  findings: BaselineEntry[];
}

export function normaliseLine(line: string | undefined): string {
  return (line ?? "").replace(/\s+/g, " ").trim();
}

function relPath(baselineFile: string, file: string): string {
  const rel = relative(dirname(resolve(baselineFile)), resolve(file));
  return (isAbsolute(rel) ? rel : rel.split(sep).join("/")) || ".";
}

export function entryOf(baselineFile: string, f: Finding): BaselineEntry {
  const e = f.exposure;
  return {
    ruleId: f.ruleId,
    file: relPath(baselineFile, f.location.file),
    source: normaliseLine(f.sourceLine),
    ...(e ? { exposure: { ...(e.service !== undefined ? { service: e.service } : {}), protocol: e.protocol, ports: e.ports, direction: e.direction, family: e.family, ...(e.target !== undefined ? { target: e.target } : {}) } } : {}),
    message: f.message,
  };
}

/**
 * The entry's identity, as baselines of each age key it: `age` 2 (now) with the family and the
 * host interface (a cloud security group, ACL, NSG or target: the same rule line opens the same
 * service on several), 1 as written before entries named the interface, 0 before they named the
 * family.
 */
function keyOf(e: BaselineEntry, age: 0 | 1 | 2 = 2): string {
  const x = e.exposure;
  const family = age >= 1 && x?.family !== undefined ? [x.family] : [];
  const target = age >= 2 && x?.target !== undefined ? [x.target] : [];
  return JSON.stringify([e.ruleId, e.file, e.source, x ? [x.service ?? null, x.protocol, x.ports, x.direction, ...family, ...target] : null]);
}

/** The baseline file's text for these findings (suppressed ones are left out). */
export function renderBaseline(baselineFile: string, findings: readonly Finding[]): string {
  const entries = findings.filter((f) => !f.suppressed).map((f) => entryOf(baselineFile, f));
  entries.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const baseline: Baseline = { version: 1, tool: "fwlint", findings: entries };
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

/** Read a baseline file; throws an Error naming the file when it is unreadable or malformed. */
export function loadBaseline(file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot read the baseline (${(err as Error).message})`);
  }
  const b = data as Partial<Baseline>;
  if (b === null || typeof b !== "object" || b.version !== 1 || !Array.isArray(b.findings)) {
    throw new Error(`${file}: not an fwlint baseline (expected {"version": 1, "findings": [...]}, as 'fwlint baseline' writes)`);
  }
  b.findings.forEach((e, i) => {
    if (e === null || typeof e !== "object" || typeof e.ruleId !== "string" || typeof e.file !== "string" || typeof e.source !== "string") {
      throw new Error(`${file}: findings[${i}]: expected ruleId, file and source strings`);
    }
  });
  return b as Baseline;
}

/** Matches findings against a baseline; each entry hides at most one finding. */
export class BaselineFilter {
  private readonly remaining = new Map<string, number>();
  hidden = 0;
  constructor(
    private readonly file: string,
    baseline: Baseline,
  ) {
    for (const e of baseline.findings) {
      const k = keyOf(e);
      this.remaining.set(k, (this.remaining.get(k) ?? 0) + 1);
    }
  }

  /** The findings that are not in the baseline. */
  filter(findings: readonly Finding[]): Finding[] {
    const out: Finding[] = [];
    for (const f of findings) {
      const entry = entryOf(this.file, f);
      // an entry that names the family (the interface) hides only that family's (interface's)
      // finding; an older one, either. Baselines written before an nft included file's lines
      // were read have no source line for its findings.
      const forms = entry.source === "" ? [entry] : [entry, { ...entry, source: "" }];
      let k = keyOf(entry);
      for (const form of forms) {
        for (const age of [2, 1, 0] as const) {
          k = keyOf(form, age);
          if (this.remaining.get(k)) break;
        }
        if (this.remaining.get(k)) break;
      }
      const n = this.remaining.get(k) ?? 0;
      if (n > 0 && !f.suppressed) {
        this.remaining.set(k, n - 1);
        this.hidden++;
      } else {
        out.push(f);
      }
    }
    return out;
  }
}
