/**
 * Inline suppressions, in every format with `#` comments:
 *
 *   # fwlint-disable-next-line RULE-ID[,RULE-ID] -- reason [until YYYY-MM-DD]
 *   # fwlint-disable RULE-ID[,RULE-ID] -- reason [until YYYY-MM-DD]
 *   ...
 *   # fwlint-enable RULE-ID[,RULE-ID]
 *
 * `disable-next-line` covers the next line that is neither blank nor a comment; `disable` covers every
 * line up to the matching `enable` (or the end of the file). Without rule ids a directive covers every
 * rule. A reason is required: a directive without one is reported as a warning and does not apply.
 * After its `until` date (inclusive) a directive stops applying and a warning says it expired.
 */
import type { Finding } from "../model/finding.js";
import type { Diagnostic } from "../model/types.js";

interface Range {
  /** undefined: every rule. */
  ids?: Set<string>;
  from: number;
  to: number;
}

export interface Suppressions {
  /** True when a finding of `ruleId` located at `line` is suppressed. */
  covers(ruleId: string, line: number): boolean;
  /** Directives without a reason, expired, or malformed. */
  diagnostics: Diagnostic[];
}

const DIRECTIVE = /#\s*fwlint-(disable-next-line|disable|enable)(?=\s|$)(.*)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Today as YYYY-MM-DD (UTC). */
function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function parseSuppressions(path: string, text: string, now: Date = new Date()): Suppressions {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const ranges: Range[] = [];
  const diagnostics: Diagnostic[] = [];
  const open: { ids?: Set<string>; from: number }[] = [];
  const today = isoDay(now);
  const warn = (line: number, column: number, message: string) => diagnostics.push({ severity: "warning", message, file: path, line, column });

  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const m = DIRECTIVE.exec(raw);
    if (!m) return;
    const column = m.index + 1;
    const kind = m[1] as "disable-next-line" | "disable" | "enable";
    const rest = m[2] ?? "";
    const sep = /(^|\s)--(\s|$)/.exec(rest);
    const idsText = sep ? rest.slice(0, sep.index) : rest;
    let reason = sep ? rest.slice(sep.index + sep[0].length).trim() : "";
    const ids = idsText
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter((s) => s !== "");
    const idSet = ids.length > 0 ? new Set(ids) : undefined;
    const what = ids.length > 0 ? ids.join(",") : "every rule";

    if (kind === "enable") {
      for (let j = open.length - 1; j >= 0; j--) {
        const o = open[j]!;
        const closes = idSet === undefined || (o.ids !== undefined && [...o.ids].every((id) => idSet.has(id)));
        if (closes) {
          ranges.push({ ...(o.ids ? { ids: o.ids } : {}), from: o.from, to: lineNo });
          open.splice(j, 1);
        }
      }
      return;
    }

    const until = /(?:^|\s)until\s+(\S+)\s*$/.exec(reason);
    let expires: string | undefined;
    if (until) {
      const d = DATE.exec(until[1]!);
      if (!d || Number.isNaN(Date.parse(`${until[1]}T00:00:00Z`)) || isoDay(new Date(`${until[1]}T00:00:00Z`)) !== until[1]) {
        warn(lineNo, column, `fwlint-${kind} ${what}: '${until[1]}' is not a date (expected until YYYY-MM-DD); the suppression does not apply`);
        return;
      }
      expires = until[1];
      reason = reason.slice(0, until.index).trim();
    }
    if (reason === "") {
      warn(lineNo, column, `fwlint-${kind} ${what} has no reason (write '-- why this is acceptable'); the suppression does not apply`);
      return;
    }
    if (expires !== undefined && today > expires) {
      warn(lineNo, column, `fwlint-${kind} ${what} expired on ${expires}; the suppression no longer applies`);
      return;
    }
    if (kind === "disable") {
      open.push({ ...(idSet ? { ids: idSet } : {}), from: lineNo });
      return;
    }
    // disable-next-line: the next line that holds something other than a comment.
    let target = i + 1;
    while (target < lines.length && /^\s*(#.*)?$/.test(lines[target]!)) target++;
    if (target < lines.length) ranges.push({ ...(idSet ? { ids: idSet } : {}), from: target + 1, to: target + 1 });
  });
  for (const o of open) ranges.push({ ...(o.ids ? { ids: o.ids } : {}), from: o.from, to: lines.length });

  return {
    covers: (ruleId, line) => ranges.some((r) => line >= r.from && line <= r.to && (r.ids === undefined || r.ids.has(ruleId))),
    diagnostics,
  };
}

/**
 * Findings located in `path` and covered by a suppression are dropped, or kept marked
 * `suppressed: true` when `keep` is set.
 */
export function applySuppressions(path: string, findings: Finding[], s: Suppressions, keep: boolean): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.location.file === path && s.covers(f.ruleId, f.location.line)) {
      if (keep) out.push({ ...f, suppressed: true });
    } else {
      out.push(f);
    }
  }
  return out;
}
