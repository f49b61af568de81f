/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): where the time goes, by function (self and
 * inclusive time) and by source file, so the people tuning the engine know where to look.
 *
 * The build bundles fwlint (dist/chunks, dist/bench-chunks) without source maps. A bundle keeps each
 * module's code together and in order, so a frame's place in a chunk is mapped back to its
 * TypeScript file through anchors: top-level declarations in the chunk whose name only one source
 * file declares at top level. A frame belongs to the file of the nearest anchor above it. (With a
 * plain tsc build, dist/<path>.js maps to <path>.ts directly.)
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

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
  /** Self time by source file (fwlint's TypeScript files; dependencies and Node by their own file). */
  byFile: ProfileEntry[];
}

function pathOf(url: string): string | undefined {
  if (!url || url.startsWith("node:")) return undefined;
  try {
    return url.startsWith("file:") ? fileURLToPath(url) : url;
  } catch {
    return undefined;
  }
}

function shortPath(path: string, root: string): string {
  const rel = relative(root, path);
  return rel.startsWith("..") ? path : rel;
}

/** fwlint's own compiled code: not dependencies, not the bench's entry points. */
function isOwnCode(url: string): boolean {
  return url.includes("/dist/") && !url.includes("/node_modules/") && !/\/vendor[-/]/.test(url) && !/\/dist\/src\/bench\/(worker|run|rss-hook)\.js$/.test(url);
}

const TOP_DECL_TS = /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?\s+|const\s+|let\s+|class\s+|enum\s+)([A-Za-z_$][\w$]*)/gm;
const TOP_DECL_JS = /^(?:export\s+)?(?:async\s+)?(?:function\*?\s*|const\s+|let\s+|var\s+|class\s+)([A-Za-z_$][\w$]*)/;

/** Maps places in compiled files back to fwlint's TypeScript sources. */
class SourceMapper {
  /** Top-level name -> the one source file declaring it (undefined when several do). */
  private readonly owner = new Map<string, string | undefined>();
  /** Per compiled file: anchors (0-based line, source file), in line order. */
  private readonly anchors = new Map<string, Array<[number, string]>>();

  constructor(private readonly root: string) {
    const walk = (dir: string) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) {
          const rel = relative(root, p);
          for (const m of readFileSync(p, "utf8").matchAll(TOP_DECL_TS)) {
            const name = m[1]!;
            this.owner.set(name, this.owner.has(name) && this.owner.get(name) !== rel ? undefined : rel);
          }
        }
      }
    };
    for (const d of ["src", "parsers", "rules"]) walk(join(root, d));
  }

  /** The TypeScript file behind line `line` (0-based) of the compiled file `path`, if known. */
  sourceOf(path: string, line: number): string | undefined {
    const rel = shortPath(path, this.root);
    // Plain tsc output: dist/<dir>/<name>.js <- <dir>/<name>.ts
    if (rel.startsWith("dist/") && !rel.includes("chunks/")) {
      const ts = rel.slice("dist/".length).replace(/\.js$/, ".ts");
      if (existsSync(join(this.root, ts))) return ts;
    }
    let anchors = this.anchors.get(path);
    if (!anchors) {
      anchors = [];
      try {
        const lines = readFileSync(path, "utf8").split("\n");
        lines.forEach((text, i) => {
          const m = TOP_DECL_JS.exec(text);
          if (!m) return;
          const src = this.owner.get(m[1]!.replace(/\$\d+$/, ""));
          if (src) anchors!.push([i, src]);
        });
      } catch {
        // unreadable: no anchors
      }
      this.anchors.set(path, anchors);
    }
    let lo = 0;
    let hi = anchors.length - 1;
    let found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (anchors[mid]![0] <= line) {
        found = anchors[mid]![1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

function top(map: Map<string, number>, total: number, n: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: us / 1000, pct: total > 0 ? (100 * us) / total : 0 }));
}

/** Read and summarise one .cpuprofile; `root` (the package root) is where the sources are. */
export function summarizeCpuProfile(file: string, root: string, n = 15): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const mapper = new SourceMapper(root);
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of prof.nodes) {
    byId.set(node.id, node);
    for (const c of node.children ?? []) parent.set(c, node.id);
  }

  /** Per node: the function's label and the file its self time is charged to. */
  const labels = new Map<number, { key: string; file: string; own: boolean }>();
  const label = (id: number) => {
    let l = labels.get(id);
    if (l) return l;
    const cf = byId.get(id)!.callFrame;
    const fn = cf.functionName || (cf.url ? "(anonymous)" : "(unknown)");
    const path = pathOf(cf.url);
    const own = isOwnCode(cf.url);
    const src = path && own ? mapper.sourceOf(path, cf.lineNumber) : undefined;
    const where = path ? `${shortPath(path, root)}:${cf.lineNumber + 1}` : cf.url;
    let key: string;
    if (src) key = `${fn}  ${src}  (${where})`;
    else key = where ? `${fn}  ${where}` : fn;
    const fileKey = src ?? (path ? shortPath(path, root) : cf.url || fn);
    l = { key, file: fileKey, own };
    labels.set(id, l);
    return l;
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
    const l = label(id);
    self.set(l.key, (self.get(l.key) ?? 0) + dur);
    files.set(l.file, (files.get(l.file) ?? 0) + dur);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cl = label(cur);
      if (!cl.own || seen.has(cl.key)) continue;
      seen.add(cl.key);
      incl.set(cl.key, (incl.get(cl.key) ?? 0) + dur);
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
  table("Top self time (function  source file  (compiled file:line)):", s.self);
  table("Top inclusive time, fwlint code (on the stack):", s.inclusive);
  table("Self time by source file:", s.byFile);
  return lines.join("\n");
}
