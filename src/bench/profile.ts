/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): where the time goes, by function (self and
 * inclusive time) and by source file, so the people tuning the engine know where to look.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { relative } from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileEntry {
  name: string;
  /** Milliseconds. */
  ms: number;
  /** Share of all sampled time, 0..100. */
  pct: number;
}

export interface ProfileSummary {
  totalMs: number;
  samples: number;
  /** Time spent in the function's own code. */
  self: ProfileEntry[];
  /** Time with the function on the stack (counted once per sample even when recursive); fwlint code only. */
  inclusive: ProfileEntry[];
  /** Self time by source file. */
  byFile: ProfileEntry[];
}

function shortUrl(url: string, root: string): string {
  if (!url) return "";
  if (url.startsWith("node:")) return url;
  try {
    const path = url.startsWith("file:") ? fileURLToPath(url) : url;
    const rel = relative(root, path);
    return rel.startsWith("..") ? path : rel;
  } catch {
    return url;
  }
}

function frameKey(cf: CallFrame, root: string): string {
  const fn = cf.functionName || (cf.url ? "(anonymous)" : "");
  const where = shortUrl(cf.url, root);
  if (!where) return fn || "(unknown)";
  return `${fn} ${where}:${cf.lineNumber + 1}`;
}

function top(map: Map<string, number>, total: number, n: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: us / 1000, pct: total > 0 ? (100 * us) / total : 0 }));
}

/** Read and summarise one .cpuprofile; `root` shortens paths and picks out fwlint's own code. */
export function summarizeCpuProfile(file: string, root: string, n = 15): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of prof.nodes) {
    byId.set(node.id, node);
    for (const c of node.children ?? []) parent.set(c, node.id);
  }
  const keys = new Map<number, string>();
  const key = (id: number): string => {
    let k = keys.get(id);
    if (k === undefined) {
      k = frameKey(byId.get(id)!.callFrame, root);
      keys.set(id, k);
    }
    return k;
  };
  const ours = (id: number): boolean => {
    const url = byId.get(id)!.callFrame.url;
    return url.includes("/dist/") && !url.includes("/node_modules/") && !url.includes("/dist/src/bench/");
  };

  const samples = prof.samples ?? [];
  const deltas = prof.timeDeltas ?? [];
  // Sample i lasts until sample i+1 (DevTools' convention); the last one until endTime.
  let t = prof.startTime;
  const stamps = samples.map((_, i) => (t += deltas[i] ?? 0));
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const dur = Math.max(0, (i + 1 < samples.length ? stamps[i + 1]! : prof.endTime) - stamps[i]!);
    const id = samples[i]!;
    total += dur;
    const k = key(id);
    self.set(k, (self.get(k) ?? 0) + dur);
    const cf = byId.get(id)!.callFrame;
    const file = shortUrl(cf.url, root) || k;
    files.set(file, (files.get(file) ?? 0) + dur);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      if (!ours(cur)) continue;
      const ck = key(cur);
      if (seen.has(ck)) continue;
      seen.add(ck);
      incl.set(ck, (incl.get(ck) ?? 0) + dur);
    }
  }
  return {
    totalMs: total / 1000,
    samples: samples.length,
    self: top(self, total, n),
    inclusive: top(incl, total, n),
    byFile: top(files, total, n),
  };
}

export function formatProfileSummary(s: ProfileSummary): string {
  const lines: string[] = [];
  const table = (title: string, rows: ProfileEntry[]) => {
    lines.push(title);
    for (const r of rows) lines.push(`  ${r.ms.toFixed(0).padStart(7)} ms ${r.pct.toFixed(1).padStart(5)}%  ${r.name}`);
  };
  lines.push(`CPU profile: ${s.totalMs.toFixed(0)} ms sampled, ${s.samples} samples`);
  table("Top self time (function, file:line):", s.self);
  table("Top inclusive time, fwlint code (on stack):", s.inclusive);
  table("Self time by file:", s.byFile);
  return lines.join("\n");
}
