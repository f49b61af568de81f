/**
 * One in-process measurement, run in its own child process by the benchmark (so a slow or stuck
 * engine can be killed on a time limit, and every measurement starts from a fresh heap).
 *
 *   node --expose-gc dist/src/bench/worker.js parse|check FILE
 *
 * Prints one JSON line (WorkerResult) on stdout. Reading the file is not timed; module loading is
 * not timed either (the CLI wall time covers start-up).
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

export interface WorkerResult {
  ok: boolean;
  mode: "parse" | "check";
  /** Milliseconds (wall) for the measured call. */
  ms: number;
  /** CPU milliseconds (user + system, all threads) for the measured call: steadier than wall time on a busy machine. */
  cpuMs: number;
  /** Rules fwlint counted in the file. */
  rules?: number;
  findings?: number;
  diagnostics?: number;
  /** analyzeText's fatal message, if the file could not be parsed. */
  fatal?: string;
  /** Peak resident set of this process, kB (process.resourceUsage().maxRSS). */
  maxRssKB: number;
  /** Heap in use right after the measured call, MB. */
  heapUsedMB: number;
  error?: string;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(argv: string[]): Promise<number> {
  const [mode, file] = argv;
  if ((mode !== "parse" && mode !== "check") || !file) {
    process.stderr.write("usage: worker.js parse|check FILE\n");
    return 2;
  }
  const out: WorkerResult = { ok: false, mode, ms: 0, cpuMs: 0, maxRssKB: 0, heapUsedMB: 0 };
  const cpuSince = (c: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(c);
    return (d.user + d.system) / 1000;
  };
  try {
    const text = readFileSync(file, "utf8");
    if (mode === "parse") {
      const { detectFormat, parseAs, loadFormats } = await import("../engine/formats.js");
      await loadFormats();
      gc();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const format = detectFormat(text);
      if (!format) throw new Error("format not detected");
      const ruleset = parseAs(format, text, file);
      out.ms = performance.now() - t0;
      out.cpuMs = cpuSince(c0);
      out.rules = ruleset.ruleCount;
      out.diagnostics = ruleset.diagnostics.length;
    } else {
      const { analyzeText, loadFormats } = await import("../engine/check.js");
      await loadFormats();
      gc();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const res = analyzeText(file, text);
      out.ms = performance.now() - t0;
      out.cpuMs = cpuSince(c0);
      out.rules = res.file.rules;
      out.findings = res.findings.length;
      out.diagnostics = res.file.diagnostics.length;
      if (res.fatal) out.fatal = res.fatal;
    }
    out.ok = out.fatal === undefined;
  } catch (err) {
    out.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  out.heapUsedMB = process.memoryUsage().heapUsed / 2 ** 20;
  out.maxRssKB = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify(out)}\n`);
  return out.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`worker: ${String(err)}\n`);
    process.exitCode = 2;
  },
);
