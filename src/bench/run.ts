/**
 * `npm run bench`: how fast fwlint reads and checks kube-proxy-sized iptables files, against
 * `iptables-restore --test` on the same file as the reference; then the other-format cases of
 * cases.ts (an nftables ruleset of 20k rules and 200k set elements against `nft -c -f`, ...).
 *
 *   node --expose-gc dist/src/bench/run.js [--sizes 1000,10000,50000] [--repeat 3] [--timeout 60]
 *        [--json] [--profile [RULES|typical]] [--no-typical] [--no-reference] [--seed 1] [--keep]
 *
 * For each size (plus a typical 20-rule host file) it writes the file to a temp dir and measures,
 * each in its own child process with a time limit so a slow engine can never hang the bench:
 *   - parse: detectFormat + parseAs, in-process (worker.js parse)
 *   - check: analyzeText (parse + evaluate + checks), in-process (worker.js check)
 *   - CLI:   `node bin/fwlint.js check FILE --format json` wall time and the child's peak RSS
 *   - reference: `iptables-restore --test < FILE` in a fresh network namespace (and, for context,
 *     a real `iptables-restore < FILE` load in another fresh namespace)
 * and reports the median of --repeat runs. Progress goes to stderr; the table (or --json) to stdout.
 * Ctrl-C stops the children, deletes the namespaces and the temp dir.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BENCH_CASES, type BenchCase } from "./cases.js";
import { DIFF_BASE_CASE, makeDiffRepo, DIFF_REPO } from "./diff-base.js";
import { countRules, generateKubeProxy, servicesForRules, typicalHostRuleset } from "./kube-proxy.js";
import { formatProfileSummary, summarizeCpuProfile, type ProfileSummary } from "./profile.js";
import type { WorkerResult } from "./worker.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..", "..");
const workerJs = join(here, "worker.js");
const rssHookJs = join(here, "rss-hook.js");
const cliJs = join(root, "bin", "fwlint.js");

interface Options {
  sizes: number[];
  repeat: number;
  timeoutS: number;
  json: boolean;
  typical: boolean;
  reference: boolean;
  seed: number;
  keep: boolean;
  /** Rules to profile `check` on, or "typical" for the 20-rule file. */
  profile?: number | "typical";
  /** Other-format cases to run (src/bench/cases.ts ids). */
  cases: string[];
}

const USAGE = `usage: npm run bench -- [--sizes 1000,10000,50000] [--repeat 3] [--timeout 60] [--json]
                        [--profile [RULES|typical]] [--no-typical] [--no-reference] [--seed 1] [--keep]
                        [--cases ${[...BENCH_CASES.map((c) => c.id), DIFF_BASE_CASE].join(",")}|none]`;

function parseOptions(argv: string[]): Options {
  const o: Options = { sizes: [1000, 10000, 50000], repeat: 3, timeoutS: 60, json: false, typical: true, reference: true, seed: 1, keep: false, cases: BENCH_CASES.map((c) => c.id) };
  const num = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min) throw new Error(`${name} needs a number >= ${min}, got '${v ?? ""}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--sizes": {
        const v = value();
        if (!v) throw new Error("--sizes needs a list like 1000,10000");
        o.sizes = v.split(",").map((s) => num("--sizes", s.trim().replace(/k$/i, "000"), 1));
        break;
      }
      case "--repeat":
        o.repeat = Math.floor(num("--repeat", value(), 1));
        break;
      case "--timeout":
        o.timeoutS = num("--timeout", value(), 1);
        break;
      case "--seed":
        o.seed = Math.floor(num("--seed", value(), 0));
        break;
      case "--profile": {
        const next = inline ?? argv[i + 1];
        if (next !== undefined && /^(\d+k?|typical)$/i.test(next)) {
          if (inline === undefined) i++;
          o.profile = next.toLowerCase() === "typical" ? "typical" : Number(next.replace(/k$/i, "000"));
        } else o.profile = 10000;
        break;
      }
      case "--json":
        o.json = true;
        break;
      case "--cases": {
        const v = value();
        if (!v) throw new Error("--cases needs a list like nft or 'none'");
        o.cases = v === "none" ? [] : v.split(",").map((c) => c.trim());
        for (const c of o.cases) if (c !== DIFF_BASE_CASE && !BENCH_CASES.some((b) => b.id === c)) throw new Error(`unknown case '${c}' (known: ${[...BENCH_CASES.map((b) => b.id), DIFF_BASE_CASE].join(", ")})`);
        break;
      }
      case "--no-typical":
        o.typical = false;
        break;
      case "--no-reference":
        o.reference = false;
        break;
      case "--keep":
        o.keep = true;
        break;
      case "-h":
      case "--help":
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
      // falls through (unreachable)
      default:
        throw new Error(`unknown option '${argv[i]}'\n${USAGE}`);
    }
  }
  o.sizes = [...new Set(o.sizes)].sort((a, b) => a - b);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Measurement plumbing

interface Stat {
  /** Wall milliseconds per completed run. */
  runs: number[];
  median?: number;
  /** CPU milliseconds (user + system) per completed run, where known. */
  cpu?: number[];
  cpuMedian?: number;
  timedOut?: boolean;
  skipped?: string;
  error?: string;
}

interface SizeResult {
  label: string;
  /** Other-format case: what the file holds besides rules, its goal, and the reference tool's name. */
  caseNote?: string;
  goalMs?: number;
  refTool?: string;
  targetRules: number;
  services?: number;
  rules: number;
  bytes: number;
  file: string;
  fwlintRules?: number;
  findings?: number;
  parse: Stat;
  check: Stat;
  cli: Stat;
  /** Peak RSS of the CLI process, MB (median over runs). */
  cliRssMB?: number;
  /** Peak RSS of the in-process check worker, MB. */
  checkRssMB?: number;
  /** Heap in use after analyzeText, MB. */
  checkHeapMB?: number;
  ref: Stat;
  refLoad: Stat;
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function progress(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

interface Timed {
  /** Wall milliseconds from spawn to exit. */
  ms: number;
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Children running now, killed if the bench is interrupted. */
const liveChildren = new Set<ChildProcess>();

/** Spawns a command, waits for it, kills it (SIGKILL) after `timeoutMs`. */
function timedSpawn(cmd: string, args: string[], timeoutMs: number, stdio: Array<"pipe" | "ignore" | number> = ["ignore", "pipe", "pipe"], env?: NodeJS.ProcessEnv, cwd?: string): Promise<Timed> {
  return new Promise((resolvePromise) => {
    const t0 = performance.now();
    let ms = 0;
    let timedOut = false;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const child = spawn(cmd, args, { stdio, env: env ?? process.env, ...(cwd !== undefined ? { cwd } : {}) });
    liveChildren.add(child);
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("exit", () => {
      ms = performance.now() - t0;
    });
    const finish = (status: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      if (!ms) ms = performance.now() - t0;
      const stderr = Buffer.concat(err).toString("utf8") + (spawnError ? `${spawnError.message}\n` : "");
      resolvePromise({ ms, status, signal, stdout: Buffer.concat(out).toString("utf8"), stderr, timedOut });
    };
    child.on("error", (e) => finish(null, null, e));
    child.on("close", (status, signal) => finish(status, signal));
  });
}

function firstLine(s: string | null | undefined): string {
  return (s ?? "").trim().split("\n").slice(0, 3).join(" | ").slice(0, 300);
}

interface Once {
  ms?: number;
  cpuMs?: number;
  timedOut?: boolean;
  error?: string;
}

/** Runs `once` up to `repeat` times, stopping at the first time-out or error. */
async function measure(repeat: number, once: () => Promise<Once>): Promise<Stat> {
  const st: Stat = { runs: [] };
  const cpu: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const r = await once();
    if (r.timedOut) {
      st.timedOut = true;
      break;
    }
    if (r.error !== undefined) {
      st.error = r.error;
      break;
    }
    st.runs.push(r.ms!);
    if (r.cpuMs !== undefined) cpu.push(r.cpuMs);
  }
  st.median = median(st.runs);
  if (cpu.length) {
    st.cpu = cpu;
    st.cpuMedian = median(cpu);
  }
  return st;
}

async function runWorker(mode: "parse" | "check", file: string, timeoutMs: number, extraNodeArgs: string[] = []): Promise<Once & { out?: WorkerResult }> {
  const t = await timedSpawn(process.execPath, ["--expose-gc", ...extraNodeArgs, workerJs, mode, file], timeoutMs);
  if (t.timedOut) return { timedOut: true };
  let out: WorkerResult | undefined;
  try {
    out = JSON.parse(t.stdout.trim().split("\n").pop() ?? "") as WorkerResult;
  } catch {
    return { error: `worker exited ${t.status ?? t.signal}: ${firstLine(t.stderr) || firstLine(t.stdout)}` };
  }
  if (!out.ok) return { error: out.error ?? out.fatal ?? "failed", out };
  return { ms: out.ms, cpuMs: out.cpuMs, out };
}

// ---------------------------------------------------------------------------------------------
// The reference: iptables-restore in a fresh network namespace

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin", "/bin"];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

interface Reference {
  available: boolean;
  reason?: string;
  iptablesRestore?: string;
  ip?: string;
  version?: string;
  /** Wall time of `ip netns exec NS true`: the namespace-entry overhead included in the reference times. */
  netnsExecMs?: number;
  /** bash, whose `times` gives the CPU time of iptables-restore to the millisecond (optional). */
  bash?: string;
}

const liveNamespaces = new Set<string>();
let nsCounter = 0;

function deleteNamespace(ip: string, ns: string): void {
  spawnSync(ip, ["netns", "del", ns], { stdio: "ignore" });
  liveNamespaces.delete(ns);
}

/** The temp dir to remove if the bench is interrupted (unset with --keep). */
let tempDirToRemove: string | undefined;

process.on("exit", () => {
  for (const child of liveChildren) child.kill("SIGKILL");
  const ip = findExecutable("ip");
  if (ip) for (const ns of [...liveNamespaces]) deleteNamespace(ip, ns);
  if (tempDirToRemove) rmSync(tempDirToRemove, { recursive: true, force: true });
});
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    progress(`bench: ${sig}, stopping`);
    process.exit(130);
  });
}

/**
 * Runs `argv` inside a namespace created for it and deleted afterwards. With `cpu`, runs it from
 * bash (when there is one) and reads its CPU time from `times`; the wall time then includes bash's
 * start-up (a few ms).
 */
async function inFreshNamespace(ref: Reference, argv: string[], stdinFile: string | undefined, timeoutMs: number, cpu = false): Promise<Once> {
  const ip = ref.ip!;
  const ns = `fwlint-bench-${process.pid}-${nsCounter++}`;
  const add = spawnSync(ip, ["netns", "add", ns], { encoding: "utf8" });
  if (add.status !== 0) return { error: `ip netns add failed: ${firstLine(add.stderr)}` };
  liveNamespaces.add(ns);
  const fd = stdinFile ? openSync(stdinFile, "r") : "ignore";
  const timed = cpu && ref.bash ? [ref.bash, "-c", '"$@"; rc=$?; times >&2; exit $rc', "fwlint-bench"] : [];
  try {
    const t = await timedSpawn(ip, ["netns", "exec", ns, ...timed, ...argv], timeoutMs, [fd, "ignore", "pipe"]);
    if (t.timedOut) return { timedOut: true };
    if (t.status !== 0) return { error: `${argv.join(" ")} exited ${t.status ?? t.signal}: ${firstLine(t.stderr)}` };
    let cpuMs: number | undefined;
    if (timed.length) {
      // `times` prints the shell's user/system time, then its children's: "0m0.012s 0m0.004s".
      const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(t.stderr);
      if (m) cpuMs = (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
    }
    return { ms: t.ms, cpuMs };
  } finally {
    if (typeof fd === "number") closeSync(fd);
    deleteNamespace(ip, ns);
  }
}

async function probeReference(wanted: boolean, timeoutMs: number): Promise<Reference> {
  if (!wanted) return { available: false, reason: "skipped (--no-reference)" };
  if (process.getuid?.() !== 0) return { available: false, reason: "skipped: not running as root (ip netns and iptables-restore need root)" };
  const iptablesRestore = findExecutable("iptables-restore");
  if (!iptablesRestore) return { available: false, reason: "skipped: iptables-restore not found" };
  const ip = findExecutable("ip");
  if (!ip) return { available: false, reason: "skipped: 'ip' (iproute2) not found, cannot make a network namespace" };
  const version = spawnSync(iptablesRestore, ["--version"], { encoding: "utf8" }).stdout?.trim();
  const ref: Reference = { available: true, iptablesRestore, ip, version, bash: findExecutable("bash") };
  const probe = await measure(3, () => inFreshNamespace(ref, ["true"], undefined, timeoutMs, true));
  if (probe.error || probe.timedOut) return { available: false, reason: `skipped: cannot run in a network namespace (${probe.error ?? "timed out"})` };
  ref.netnsExecMs = probe.median;
  return ref;
}

// ---------------------------------------------------------------------------------------------
// One size

interface Skips {
  parse?: string;
  check?: string;
  cli?: string;
  ref?: string;
  refLoad?: string;
}

function skipped(reason: string): Stat {
  return { runs: [], skipped: reason };
}

/** How a file is checked by its native tool (default: iptables-restore --test / a real restore, from stdin). */
interface ReferenceSpec {
  test: string[];
  load?: string[];
  /** The file is given on stdin (iptables-restore) rather than as the last argument (nft -f). */
  stdin: boolean;
}

async function benchSize(label: string, targetRules: number, services: number | undefined, file: string, dir: string, o: Options, ref: Reference, skips: Skips, spec?: { rules: number; reference?: ReferenceSpec }): Promise<SizeResult> {
  const rules = spec?.rules ?? countRules(readFileSync(file, "utf8"));
  const timeoutMs = o.timeoutS * 1000;
  const r: SizeResult = {
    label,
    targetRules,
    services,
    rules,
    bytes: statSync(file).size,
    file,
    parse: skipped(""),
    check: skipped(""),
    cli: skipped(""),
    ref: skipped(""),
    refLoad: skipped(""),
  };
  const note = (what: string) => progress(`[${label}] ${what}`);

  // parse
  if (skips.parse) r.parse = skipped(skips.parse);
  else {
    note(`fwlint parse x${o.repeat}`);
    r.parse = await measure(o.repeat, () => runWorker("parse", file, timeoutMs));
  }

  // check (parse + evaluate + checks)
  if (skips.check) r.check = skipped(skips.check);
  else {
    note(`fwlint check x${o.repeat}`);
    const rss: number[] = [];
    const heap: number[] = [];
    r.check = await measure(o.repeat, async () => {
      const w = await runWorker("check", file, timeoutMs);
      if (w.out) {
        rss.push(w.out.maxRssKB / 1024);
        heap.push(w.out.heapUsedMB);
        r.fwlintRules = w.out.rules;
        r.findings = w.out.findings;
      }
      return w;
    });
    r.checkRssMB = median(rss);
    r.checkHeapMB = median(heap);
  }

  // CLI end to end
  if (skips.cli) r.cli = skipped(skips.cli);
  else {
    note(`fwlint CLI x${o.repeat}`);
    const rss: number[] = [];
    const outFile = join(dir, `${label}.out.json`);
    const rssFile = join(dir, `${label}.rss`);
    r.cli = await measure(o.repeat, async () => {
      rmSync(rssFile, { force: true });
      const fd = openSync(outFile, "w");
      let t: Timed;
      try {
        t = await timedSpawn(process.execPath, ["--import", pathToFileURL(rssHookJs).href, cliJs, "check", file, "--format", "json"], timeoutMs, ["ignore", fd, "pipe"], {
          ...process.env,
          FWLINT_BENCH_RSS_FILE: rssFile,
        });
      } finally {
        closeSync(fd);
      }
      if (t.timedOut) return { timedOut: true };
      if (t.status !== 0 && t.status !== 1) return { error: `fwlint check exited ${t.status ?? t.signal}: ${firstLine(t.stderr)}` };
      let cpuMs: number | undefined;
      try {
        const u = JSON.parse(readFileSync(rssFile, "utf8")) as { maxRssKB: number; cpuMs: number };
        rss.push(u.maxRssKB / 1024);
        cpuMs = u.cpuMs;
      } catch {
        // no RSS/CPU figure for this run
      }
      return { ms: t.ms, cpuMs };
    });
    r.cliRssMB = median(rss);
  }

  // reference
  const refSpec: ReferenceSpec | undefined = spec ? spec.reference : { test: [ref.iptablesRestore ?? "iptables-restore", "--test"], load: [ref.iptablesRestore ?? "iptables-restore"], stdin: true };
  const withFile = (argv: string[]) => (refSpec?.stdin ? argv : [...argv, file]);
  if (!ref.available || !refSpec) {
    const why = !refSpec ? "no native tool for this format" : (ref.reason ?? "unavailable");
    r.ref = skipped(why);
    r.refLoad = skipped(why);
  } else {
    if (skips.ref) r.ref = skipped(skips.ref);
    else {
      note(`${refSpec.test.join(" ")} x${o.repeat}`);
      r.ref = await measure(o.repeat, () => inFreshNamespace(ref, withFile(refSpec.test), refSpec.stdin ? file : undefined, timeoutMs, true));
    }
    if (skips.refLoad || !refSpec.load) r.refLoad = skipped(skips.refLoad ?? "no load command");
    else {
      const load = refSpec.load;
      note(`${load.join(" ")} (load) x${o.repeat}`);
      r.refLoad = await measure(o.repeat, () => inFreshNamespace(ref, withFile(load), refSpec.stdin ? file : undefined, timeoutMs, true));
    }
  }

  // A time-out at this size means larger sizes would time out too: skip them.
  const carry = (k: keyof Skips, st: Stat) => {
    if (st.timedOut) skips[k] ??= `skipped: timed out (> ${o.timeoutS} s) at ${label}`;
  };
  carry("parse", r.parse);
  carry("check", r.check);
  carry("cli", r.cli);
  carry("ref", r.ref);
  carry("refLoad", r.refLoad);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Reporting

function sizeLabel(n: number): string {
  return n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

function cell(st: Stat, o: Options): string {
  if (st.median !== undefined) return (st.median / 1000).toFixed(3);
  if (st.timedOut) return `>${o.timeoutS} (timeout)`;
  if (st.error) return "error";
  return "-";
}

interface GrowthPoint {
  label: string;
  rules: number;
  /** Milliseconds per 1k rules, whole run. */
  ms: number;
  /** Milliseconds per 1k rules after taking off the 20-rule file's time (start-up, rule packs). */
  netMs?: number;
}

interface GrowthStep {
  from: string;
  to: string;
  /** The larger size hit the time limit: the exponent is a lower bound. */
  atLeast?: boolean;
  /** k in (time - fixed) ~ rules^k between two consecutive sizes: 1 = linear, 2 = quadratic. */
  exponent: number;
}

interface GrowthSeries {
  name: string;
  points: GrowthPoint[];
  steps: GrowthStep[];
}

interface Growth {
  series: GrowthSeries[];
}

function growth(results: SizeResult[], timeoutMs: number): Growth {
  const typical = results.find((r) => r.services === undefined);
  const kube = results.filter((r) => r.services !== undefined);
  const series = (name: string, pick: (r: SizeResult) => Stat, cpu: boolean): GrowthSeries => {
    const value = (st: Stat) => (cpu ? st.cpuMedian : st.median);
    const fixed = typical ? value(pick(typical)) : undefined;
    const points: GrowthPoint[] = [];
    const steps: GrowthStep[] = [];
    const net = (t: number) => (fixed !== undefined ? Math.max(0, t - fixed) : t);
    for (const r of kube) {
      const st = pick(r);
      const prev = points[points.length - 1];
      const t = value(st);
      if (t === undefined) {
        // A time-out still bounds the wall-time growth from below (not the CPU time: it is not known).
        if (st.timedOut && prev && !cpu) {
          const ta = ((prev.netMs ?? prev.ms) * prev.rules) / 1000;
          if (ta > 0) steps.push({ from: prev.label, to: r.label, atLeast: true, exponent: Math.log(net(timeoutMs) / ta) / Math.log(r.rules / prev.rules) });
        }
        break;
      }
      const point: GrowthPoint = { label: r.label, rules: r.rules, ms: (t * 1000) / r.rules, netMs: fixed !== undefined ? (net(t) * 1000) / r.rules : undefined };
      if (prev) {
        const ta = ((prev.netMs ?? prev.ms) * prev.rules) / 1000;
        const tb = net(t);
        if (ta > 0 && tb > 0) steps.push({ from: prev.label, to: r.label, exponent: Math.log(tb / ta) / Math.log(r.rules / prev.rules) });
      }
      points.push(point);
    }
    return { name, points, steps };
  };
  return {
    series: [
      series("check wall", (r) => r.check, false),
      series("check CPU ", (r) => r.check, true),
      series("CLI wall  ", (r) => r.cli, false),
      series("CLI CPU   ", (r) => r.cli, true),
    ],
  };
}

function describeExponent(k: number): string {
  return k < 0.85 ? "sublinear (fixed costs still dominate)" : k < 1.15 ? "about linear" : k < 1.5 ? "somewhat worse than linear" : k < 1.85 ? "clearly superlinear" : "about quadratic or worse";
}

function growthLine({ name, points, steps }: GrowthSeries): string | undefined {
  if (points.length === 0) return undefined;
  const per = points.map((p) => `${p.label} ${p.ms.toFixed(0)} ms${p.netMs !== undefined ? ` (net ${p.netMs.toFixed(0)})` : ""}`).join(", ");
  const st = steps.map((s) => `${s.from}->${s.to} ^${s.atLeast ? ">=" : ""}${s.exponent.toFixed(2)}${s.atLeast ? " (time limit hit)" : ""}`).join(", ");
  const last = steps[steps.length - 1];
  const verdict = last ? (last.atLeast && last.exponent < 1.15 ? "" : ` -> ${last.atLeast ? "at least " : ""}${describeExponent(last.exponent)}`) : "";
  return `growth, ${name} per 1k rules: ${per}${st ? `; time ~ rules^k: ${st}${verdict}` : ""}`;
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
}

function formatTable(results: SizeResult[], o: Options, ref: Reference, nodeStartup: Stat, g: Growth, load: { start: number[]; end: number[] }, profile?: ProfileResult): string {
  const head = ["size", "rules", "fwlint parse s", "fwlint check s", "CLI wall s", "peak RSS MB", "ipt-restore --test s", "ratio CLI/ipt", "ipt-restore load s", "findings"];
  const rows = results.map((r) => {
    const ratio = r.cli.median !== undefined && r.ref.median !== undefined ? `${(r.cli.median / r.ref.median).toFixed(1)}x` : "-";
    return [
      r.label,
      String(r.rules),
      cell(r.parse, o),
      cell(r.check, o),
      cell(r.cli, o),
      r.cliRssMB !== undefined ? r.cliRssMB.toFixed(0) : "-",
      cell(r.ref, o),
      ratio,
      cell(r.refLoad, o),
      r.findings !== undefined ? String(r.findings) : "-",
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const lines: string[] = [];
  lines.push(`fwlint bench: node ${process.version}, ${cpus().length} CPU (${cpus()[0]?.model ?? "?"}), median of ${o.repeat}, time limit ${o.timeoutS} s per run, seed ${o.seed}`);
  const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" ");
  lines.push(`load average at start: ${la(load.start)}, at end: ${la(load.end)}${Math.max(load.start[0]!, load.end[0]!) > cpus().length ? " (machine busy: figures are pessimistic)" : ""}`);
  lines.push("");
  lines.push(pad(head, widths));
  lines.push(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) lines.push(pad(row, widths));
  const cpuCell = (st: Stat) => (st.cpuMedian !== undefined ? (st.cpuMedian / 1000).toFixed(3) : st.timedOut ? "timeout" : "-");
  const cpuHead = ["size", "rules", "parse CPU s", "check CPU s", "CLI CPU s", "ipt-restore --test CPU s", "ratio CLI/ipt CPU", "ipt-restore load CPU s"];
  const cpuRows = results.map((r) => [
    r.label,
    String(r.rules),
    cpuCell(r.parse),
    cpuCell(r.check),
    cpuCell(r.cli),
    cpuCell(r.ref),
    r.cli.cpuMedian !== undefined && r.ref.cpuMedian ? `${(r.cli.cpuMedian / r.ref.cpuMedian).toFixed(1)}x` : "-",
    cpuCell(r.refLoad),
  ]);
  const cpuWidths = cpuHead.map((h, i) => Math.max(h.length, ...cpuRows.map((row) => row[i]!.length)));
  lines.push("");
  lines.push("CPU time (user + system, median), steadier than wall time when the machine is shared:");
  lines.push(pad(cpuHead, cpuWidths));
  lines.push(cpuWidths.map((w) => "-".repeat(w)).join("  "));
  for (const row of cpuRows) lines.push(pad(row, cpuWidths));
  lines.push("");
  lines.push("parse/check: in-process (detectFormat+parseAs / analyzeText), fresh child per run, module load not included.");
  lines.push("CLI wall: `node bin/fwlint.js check FILE --format json` as a process (node start-up included); peak RSS is that process's maxRSS.");
  if (ref.available) {
    lines.push(
      `reference: ${ref.version ?? "iptables-restore"}, '--test' in a fresh network namespace, run from bash to read its CPU time (wall includes ~${(ref.netnsExecMs ?? 0).toFixed(0)} ms of 'ip netns exec' + bash); ratio = CLI wall / iptables-restore --test; 'load' = a real restore in another fresh namespace.`,
    );
  } else lines.push(`reference: ${ref.reason}`);
  if (nodeStartup.median !== undefined) {
    const cpu = nodeStartup.cpuMedian !== undefined ? ` wall, ${nodeStartup.cpuMedian.toFixed(0)} ms CPU` : "";
    lines.push(`node start-up alone (node -e ...): ${nodeStartup.median.toFixed(0)} ms${cpu}`);
  }

  for (const r of results) {
    for (const [what, st] of [["parse", r.parse], ["check", r.check], ["CLI", r.cli], ["iptables-restore --test", r.ref], ["iptables-restore load", r.refLoad]] as const) {
      if (st.error) lines.push(`! ${r.label} ${what}: ${st.error}`);
      else if (st.timedOut) lines.push(`! ${r.label} ${what}: stopped after ${o.timeoutS} s`);
      else if (st.skipped && st.skipped.startsWith("skipped: timed out")) lines.push(`! ${r.label} ${what}: ${st.skipped}`);
    }
  }

  lines.push("");
  for (const sr of g.series) {
    const line = growthLine(sr);
    if (line) lines.push(line);
  }
  if (g.series.some((sr) => sr.points.some((p) => p.netMs !== undefined))) lines.push("(net = after taking off the 20-rule file's time, i.e. start-up and rule-pack loading)");
  const typical = results.find((r) => r.label === "typical");
  if (typical) {
    const ms = typical.cli.median;
    lines.push(
      ms !== undefined
        ? `goal, 20-rule file: CLI process ${ms.toFixed(0)} ms wall${typical.cli.cpuMedian !== undefined ? ` / ${typical.cli.cpuMedian.toFixed(0)} ms CPU` : ""} (goal < 300 ms): ${ms < 300 ? "met" : "NOT met"}${typical.check.median !== undefined ? `; in-process check ${typical.check.median.toFixed(1)} ms` : ""}`
        : `goal, 20-rule file: no CLI figure (${typical.cli.error ?? typical.cli.skipped ?? (typical.cli.timedOut ? "timed out" : "?")})`,
    );
  }
  const big = results.find((r) => r.targetRules === 50000);
  if (big) {
    const cli = big.cli.median;
    const chk = big.check.median;
    if (cli !== undefined) lines.push(`goal, 50k rules: CLI ${(cli / 1000).toFixed(2)} s wall${big.cli.cpuMedian !== undefined ? ` / ${(big.cli.cpuMedian / 1000).toFixed(2)} s CPU` : ""} (goal < 3 s): ${cli < 3000 ? "met" : "NOT met"}${chk !== undefined ? `; in-process check ${(chk / 1000).toFixed(2)} s` : ""}`);
    else lines.push(`goal, 50k rules: no CLI figure (${big.cli.timedOut ? `stopped after ${o.timeoutS} s` : (big.cli.error ?? big.cli.skipped ?? "?")}) - NOT met`);
  }
  if (profile) {
    lines.push("");
    if (profile.summary) {
      lines.push(`profile of 'check' on the ${profile.label} file (node --cpu-prof, whole worker process):`);
      lines.push(formatProfileSummary(profile.summary));
    } else lines.push(`profile of the ${profile.label} file: ${profile.error}`);
  }
  return lines.join("\n");
}

/** Other formats: one row per case, its own reference tool, and its goal. */
function formatCases(results: SizeResult[], o: Options): string {
  const head = ["case", "rules", "also", "fwlint parse s", "fwlint check s", "CLI wall s", "peak RSS MB", "reference", "reference s", "ratio CLI/ref", "reference load s", "goal"];
  const rows = results.map((r) => [
    r.label,
    String(r.rules),
    r.caseNote ?? "",
    cell(r.parse, o),
    cell(r.check, o),
    cell(r.cli, o),
    r.cliRssMB !== undefined ? r.cliRssMB.toFixed(0) : "-",
    r.refTool ?? "-",
    cell(r.ref, o),
    r.cli.median !== undefined && r.ref.median !== undefined ? `${(r.cli.median / r.ref.median).toFixed(2)}x` : "-",
    cell(r.refLoad, o),
    r.goalMs === undefined ? "-" : r.cli.median === undefined ? `< ${r.goalMs / 1000} s: no figure` : `< ${r.goalMs / 1000} s: ${r.cli.median < r.goalMs ? "met" : "NOT met"}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const lines = ["other formats (CLI wall = `node bin/fwlint.js check FILE --format json`; reference = the native tool on the same file in a fresh network namespace, same run):"];
  lines.push(pad(head, widths), widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) lines.push(pad(row, widths));
  for (const r of results) {
    for (const [what, st] of [["parse", r.parse], ["check", r.check], ["CLI", r.cli], ["reference", r.ref], ["reference load", r.refLoad]] as const) {
      if (st.error) lines.push(`! ${r.label} ${what}: ${st.error}`);
      else if (st.timedOut) lines.push(`! ${r.label} ${what}: stopped after ${o.timeoutS} s`);
    }
  }
  return lines.join("\n");
}

interface DiffBaseResult {
  diff: Stat;
  check: Stat;
}

/**
 * The diff-base case (src/bench/diff-base.ts): `fwlint diff --base HEAD` in the generated
 * repository, and the reference `fwlint check .` of the same tree. Both exit 1 (the change opens
 * SMTP, and the check finds it); another status is the run's error.
 */
async function benchDiffBase(dir: string, o: Options): Promise<DiffBaseResult> {
  const repo = makeDiffRepo(dir);
  const cli = (args: string[]) => async (): Promise<Once> => {
    const t = await timedSpawn(process.execPath, [cliJs, ...args], o.timeoutS * 1000, ["ignore", "ignore", "pipe"], undefined, repo);
    if (t.timedOut) return { timedOut: true };
    if (t.status !== 1) return { error: `fwlint ${args.join(" ")} ended with ${t.status ?? t.signal} (expected 1): ${firstLine(t.stderr)}` };
    return { ms: t.ms };
  };
  return { diff: await measure(o.repeat, cli(["diff", "--base", "HEAD", "--format", "json"])), check: await measure(o.repeat, cli(["check", ".", "--format", "json"])) };
}

function formatDiffBase(r: DiffBaseResult, o: Options): string {
  const d = r.diff.median;
  const c = r.check.median;
  const lines = [
    `diff-base (a pull request's check): a git repository of ${DIFF_REPO.rulesets} rulesets and ${DIFF_REPO.otherFiles} other files, one ruleset changed;`,
    "`fwlint diff --base HEAD` against the reference `fwlint check .` of the same tree, same run (median):",
    `  diff --base s ${cell(r.diff, o)}   check . s ${cell(r.check, o)}   ratio diff/check ${d !== undefined && c !== undefined ? `${(d / c).toFixed(2)}x` : "-"}`,
  ];
  for (const [what, st] of [["diff --base", r.diff], ["check .", r.check]] as const) {
    if (st.error) lines.push(`! diff-base ${what}: ${st.error}`);
    else if (st.timedOut) lines.push(`! diff-base ${what}: stopped after ${o.timeoutS} s`);
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------

interface ProfileResult {
  label: string;
  summary?: ProfileSummary;
  error?: string;
}

async function runProfile(label: string, file: string, dir: string, o: Options): Promise<ProfileResult> {
  const profDir = join(dir, `profile-${label}`);
  progress(`[profile] node --cpu-prof check on the ${label} file`);
  const w = await runWorker("check", file, o.timeoutS * 1000, ["--cpu-prof", `--cpu-prof-dir=${profDir}`]);
  if (w.timedOut) return { label, error: `stopped after ${o.timeoutS} s (V8 writes the profile only on a normal exit)` };
  if (w.error) return { label, error: w.error };
  let prof: string | undefined;
  try {
    prof = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
  } catch {
    // none
  }
  if (!prof) return { label, error: "no .cpuprofile written" };
  if (o.keep) progress(`[profile] ${join(profDir, prof)}`);
  return { label, summary: summarizeCpuProfile(join(profDir, prof), root) };
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), "fwlint-bench-"));
  if (!o.keep) tempDirToRemove = dir;
  const loadStart = loadavg();
  try {
    const timeoutMs = o.timeoutS * 1000;
    const ref = await probeReference(o.reference, timeoutMs);
    if (!ref.available) progress(`reference: ${ref.reason}`);

    const starts = await measure(o.repeat, async () => {
      const script = "process.on('exit', () => { const u = process.resourceUsage(); process.stdout.write(String((u.userCPUTime + u.systemCPUTime) / 1000)); })";
      const t = await timedSpawn(process.execPath, ["-e", script], timeoutMs);
      return t.timedOut ? { timedOut: true } : { ms: t.ms, cpuMs: Number(t.stdout) || undefined };
    });

    const inputs: Array<{ label: string; target: number; services?: number; file: string }> = [];
    if (o.typical) {
      const file = join(dir, "typical.rules");
      writeFileSync(file, typicalHostRuleset());
      inputs.push({ label: "typical", target: 20, file });
    }
    const fileFor = new Map<number, string>();
    const generate = (rules: number) => {
      const services = servicesForRules(rules, o.seed);
      const file = join(dir, `kube-proxy-${rules}.rules`);
      writeFileSync(file, generateKubeProxy(services, o.seed));
      fileFor.set(rules, file);
      return { services, file };
    };
    for (const n of o.sizes) {
      progress(`generating kube-proxy file for ~${n} rules`);
      const { services, file } = generate(n);
      inputs.push({ label: sizeLabel(n), target: n, services, file });
    }

    const skips: Skips = {};
    const results: SizeResult[] = [];
    for (const inp of inputs) {
      results.push(await benchSize(inp.label, inp.target, inp.services, inp.file, dir, o, ref, inp.label === "typical" ? {} : skips));
    }

    const caseResults: SizeResult[] = [];
    for (const c of BENCH_CASES.filter((b) => o.cases.includes(b.id))) {
      progress(`generating the ${c.id} case`);
      const made = c.generate(o.seed);
      const file = join(dir, c.fileName);
      writeFileSync(file, made.text);
      const tool = c.reference ? findExecutable(c.reference.tool) : undefined;
      const reference: ReferenceSpec | undefined =
        c.reference && tool ? { test: [tool, ...c.reference.test], load: c.reference.load ? [tool, ...c.reference.load] : undefined, stdin: false } : undefined;
      const r = await benchSize(c.id, made.rules, undefined, file, dir, o, ref, {}, { rules: made.rules, reference });
      r.caseNote = made.note;
      r.goalMs = c.goalMs;
      r.refTool = c.reference ? (tool ? `${c.reference.tool} ${c.reference.test.join(" ")}` : `${c.reference.tool} not found`) : "none";
      caseResults.push(r);
    }

    let diffBase: DiffBaseResult | undefined;
    if (o.cases.includes(DIFF_BASE_CASE)) {
      progress("the diff-base case: a repository of 60 rulesets and 240 other files, one ruleset changed");
      diffBase = await benchDiffBase(dir, o);
    }

    let profile: ProfileResult | undefined;
    if (o.profile !== undefined) {
      let file: string;
      if (o.profile === "typical") {
        file = join(dir, "typical.rules");
        writeFileSync(file, typicalHostRuleset());
      } else file = fileFor.get(o.profile) ?? generate(o.profile).file;
      profile = await runProfile(o.profile === "typical" ? "typical" : sizeLabel(o.profile), file, dir, o);
    }

    const g = growth(results, o.timeoutS * 1000);
    const load = { start: loadStart, end: loadavg() };
    if (o.json) {
      const out = {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        repeat: o.repeat,
        timeoutS: o.timeoutS,
        seed: o.seed,
        loadAverage: load,
        nodeStartupMs: starts.median,
        nodeStartupCpuMs: starts.cpuMedian,
        reference: { available: ref.available, reason: ref.reason, version: ref.version, netnsExecMs: ref.netnsExecMs },
        results: results.map(({ file: _file, ...r }) => r),
        cases: caseResults.map(({ file: _file, ...r }) => r),
        ...(diffBase ? { diffBase: { ...DIFF_REPO, ...diffBase } } : {}),
        growth: g,
        goals: {
          typicalCliMs: results.find((r) => r.label === "typical")?.cli.median,
          typicalGoalMs: 300,
          rules50kCliMs: results.find((r) => r.targetRules === 50000)?.cli.median,
          rules50kGoalMs: 3000,
        },
        profile,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      process.stdout.write(`${formatTable(results, o, ref, starts, g, load, profile)}\n`);
      if (caseResults.length) process.stdout.write(`\n${formatCases(caseResults, o)}\n`);
      if (diffBase) process.stdout.write(`\n${formatDiffBase(diffBase, o)}\n`);
    }
    return 0;
  } finally {
    if (o.keep) progress(`files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
    tempDirToRemove = undefined;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
