/**
 * Differential testing of fwlint against the Linux kernel: generate probe packets for a
 * ruleset, ask ../shared/tools/kernel-oracle what the kernel does with each, and compare with
 * fwlint's verdict (src/analysis/verdict.ts). Also cross-checks the packet tracer against the
 * set-based evaluator on every probe.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Evaluator, type PipelineResult } from "../../src/analysis/evaluate.js";
import { generateProbes, type Hook } from "../../src/analysis/probes.js";
import { pipelineFor, verdictFor, type PacketVerdict, type Verdict } from "../../src/analysis/verdict.js";
import type { Packet } from "../../src/model/finding.js";
import type { Family, Pipeline, Ruleset } from "../../src/model/types.js";
import { detectIptablesSave, parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { formatIP } from "../../src/model/address.js";
import { packetToPoint } from "../../src/analysis/packet.js";
import { Dim } from "../../src/space/dims.js";
import { corpusRows, SHARED_DIR } from "../shared-corpus.js";
import { spreadDestinations } from "./oracle-rounds.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** ../shared next to the repository (FWLINT_SHARED_DIR overrides it). */
export const SHARED = SHARED_DIR;
export const ORACLE = join(SHARED, "tools/kernel-oracle/kernel-oracle");
export const CORPUS = join(SHARED, "corpus");
export const FIXTURES = join(ROOT, "fixtures/iptables");
export const NFT_FIXTURES = join(ROOT, "fixtures/nftables");

/** Packets per file per hook (FWLINT_AGREEMENT_MAX overrides). */
export const DEFAULT_MAX = Number(process.env.FWLINT_AGREEMENT_MAX ?? 300);
/** Oracle runs at once (they mostly wait on the kernel). */
export const CONCURRENCY = Number(process.env.FWLINT_AGREEMENT_JOBS ?? 4);

export interface Environment {
  /** Why the kernel suite cannot run here (undefined: it can). */
  skip?: string;
  /** When set, a missing piece is a failure rather than a skip. */
  required: boolean;
}

/** Is `cmd` on PATH? */
export function which(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

export function checkEnvironment(): Environment {
  const requireShared = process.env.FWLINT_REQUIRE_SHARED === "1";
  const requireKernel = process.env.FWLINT_REQUIRE_KERNEL === "1";
  if (!existsSync(SHARED) || !existsSync(ORACLE)) {
    return { skip: `${SHARED} (with tools/kernel-oracle) is absent`, required: requireShared };
  }
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return { skip: "not root (the kernel oracle needs network namespaces)", required: requireKernel };
  }
  for (const tool of ["iptables-restore", "ip6tables-restore", "nft", "ip", "python3"]) {
    if (!which(tool)) return { skip: `${tool} is not installed`, required: requireKernel };
  }
  return { required: requireKernel || requireShared };
}

/**
 * A kernel-checked suite: `body` declares its tests when `skip` is undefined; otherwise the suite is
 * skipped with a visible message, or - `required` (CI) - fails with one test saying what is missing.
 */
export function kernelSuite(title: string, skip: string | undefined, required: boolean, body: () => void): void {
  if (skip === undefined) {
    describe(title, body);
    return;
  }
  if (required) {
    describe(title, () => {
      it("has the environment it requires", () => {
        throw new Error(`${title} cannot run: ${skip} (required: FWLINT_REQUIRE_KERNEL / FWLINT_REQUIRE_SHARED)`);
      });
    });
    return;
  }
  console.warn(`[${title}] SKIPPED: ${skip}`);
  describe.skip(`${title} (skipped: ${skip})`, () => {
    it("needs what it says it skipped for", () => {});
  });
}

export interface Target {
  /** Path as reported (relative to the corpus or the repository). */
  name: string;
  file: string;
  /** The kernel-oracle's --format. */
  format: "iptables" | "ip6tables" | "nft";
  kind: "fixture" | "corpus";
}

/** The target's ruleset as fwlint reads it. */
export function parseTarget(target: Target, text: string): Ruleset {
  if (target.format === "nft") return parseNft(text, target.name);
  return parseIptablesSave(text, target.name, { family: target.format === "ip6tables" ? 6 : 4 });
}

function listDir(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  return (spawnSync("ls", [dir], { encoding: "utf8" }).stdout ?? "").split("\n").filter((n) => n.endsWith(ext)).sort();
}

/**
 * The iptables-save and nftables fixtures, each with its text, and whether it is one of a file its
 * loader refuses (`fwlint-expect: ruleset-does-not-load`; test/rules/load-errors.test.ts asks the
 * loader): such a one has nothing for the kernel to judge.
 */
export function loadableFixtures(): { name: string; file: string; text: string; refused: boolean }[] {
  return [...listDir(FIXTURES, ".rules").map((n) => ({ n, dir: FIXTURES, kind: "iptables" })), ...listDir(NFT_FIXTURES, ".nft").map((n) => ({ n, dir: NFT_FIXTURES, kind: "nftables" }))].map(({ n, dir, kind }) => {
    const file = join(dir, n);
    const text = readFileSync(file, "utf8");
    return { name: `fixtures/${kind}/${n}`, file, text, refused: /fwlint-expect:\s*ruleset-does-not-load\b/.test(text) };
  });
}

export function fixtureTargets(): Target[] {
  return loadableFixtures()
    .filter((f) => !f.refused)
    .map(({ name, file, text }): Target => {
      const format = file.endsWith(".nft") ? "nft" : detectIptablesSave(text) === "ip6tables" ? "ip6tables" : "iptables";
      return { name, file, format, kind: "fixture" };
    });
}

export function corpusTargets(): Target[] {
  if (!existsSync(join(CORPUS, "INDEX.tsv"))) return [];
  const out: Target[] = [];
  for (const r of corpusRows(CORPUS, { formats: ["iptables-save", "ip6tables-save", "nft"] })) {
    if (r.kernel !== "pass" || !existsSync(r.file)) continue;
    // nft rulesets the kernel loads; a fragment (include-only piece) has no complete policy to judge.
    if (r.format === "nft" && r.expect !== "clean") continue;
    const format = r.format === "nft" ? "nft" : r.format === "iptables-save" ? "iptables" : "ip6tables";
    out.push({ name: r.path, file: r.file, format, kind: "corpus" });
  }
  return out;
}

export interface OracleLine {
  id: string;
  verdict: "accept" | "drop" | "error";
  reason?: string;
  detail?: string;
  warning?: string;
}

export interface Disagreement {
  packet: Packet;
  kernel: string;
  kernelDetail?: string;
  fwlint: Verdict;
  /** The rules fwlint's trace went through (first path). */
  trace: string[];
}

export interface EngineMismatch {
  /**
   * unsound: the evaluator's possiblyAccepted disagrees with the paths, or certainlyAccepted
   * holds while some path drops. imprecise: every path accepts but certainlyAccepted misses it.
   */
  kind: "unsound" | "imprecise";
  packet: Packet;
  trace: string;
  evaluator: string;
}

export interface HookResult {
  hook: Hook;
  packets: number;
  /** Judged packets the kernel accepted. */
  kernelAccepts: number;
  agree: number;
  disagreements: Disagreement[];
  unknown: number;
  /** What fwlint did not model, for the packets it was uncertain about: condition -> packets. */
  unknownCauses: Map<string, number>;
  errors: number;
  errorReasons: Map<string, number>;
  /** A few packets per error reason. */
  errorExamples: Map<string, Packet[]>;
  engineMismatches: EngineMismatch[];
  /** The oracle could not judge this file at all (load failure, environment). */
  oracleFailure?: string;
  warnings: string[];
  /**
   * The ruleset has no rule and no DROP policy anywhere (see isVacuous): the kernel lets every
   * packet through, so the probes were not sent to it; `packets` counts those fwlint also lets
   * through, and a probe fwlint drops or is unsure of is a disagreement.
   */
  vacuous?: boolean;
  /** Time spent in fwlint (probes, verdicts, evaluator) and waiting for the oracle. */
  fwlintMs: number;
  oracleMs: number;
}

/**
 * What every judged hook must show: the oracle ran, no packet where fwlint is certain and the
 * kernel decides otherwise, and the tracer and the evaluator do not disagree unsoundly.
 */
export function expectHookAgrees(h: HookResult): void {
  expect(h.oracleFailure, `${h.hook}: oracle failure`).toBeUndefined();
  expect(
    h.disagreements.map((d) => `${h.hook}: kernel ${d.kernel}, fwlint ${d.fwlint}: ${JSON.stringify(d.packet)}`),
    "packets where fwlint is certain and the kernel decides otherwise",
  ).toEqual([]);
  expect(h.engineMismatches.filter((m) => m.kind === "unsound").map((m) => `${JSON.stringify(m.packet)}: ${m.trace} / ${m.evaluator}`), "tracer and evaluator disagree").toEqual([]);
}

/** The first error of fwlint's reading of a ruleset, as a line starting with `label`; none when it read it without one. */
export function readingErrors(ruleset: Ruleset, label: string): string[] {
  const e = ruleset.diagnostics.find((d) => d.severity === "error");
  return e ? [`${label}: ${e.line}:${e.column} ${e.message}`] : [];
}

/**
 * What a judged file shows that expectHookAgrees refuses - oracle failures, packets where fwlint is
 * certain and the kernel decides otherwise, tracer and evaluator at odds - as lines starting with
 * `label`: for the random rulesets, which collect them over many files before asserting.
 */
export function problemsOf(r: FileResult, label: string): string[] {
  const out: string[] = [];
  for (const h of r.hooks) {
    if (h.oracleFailure) out.push(`${label} ${h.hook}: oracle failure ${h.oracleFailure}`);
    for (const d of h.disagreements) out.push(`${label} ${h.hook}: kernel ${d.kernel}, fwlint ${d.fwlint}: ${JSON.stringify(d.packet)} via ${d.trace.join(" > ")}`);
    for (const m of h.engineMismatches.filter((x) => x.kind === "unsound")) out.push(`${label} ${h.hook}: tracer and evaluator disagree on ${JSON.stringify(m.packet)}: ${m.trace} / ${m.evaluator}`);
  }
  return out;
}

/** expectHookAgrees on every hook of a file, and the packets judged, accepted by the kernel and left uncertain by fwlint, summed. */
export function expectFileAgrees(r: FileResult): { judged: number; accepted: number; unknown: number } {
  const sum = { judged: 0, accepted: 0, unknown: 0 };
  for (const h of r.hooks) {
    expectHookAgrees(h);
    sum.judged += h.packets;
    sum.accepted += h.kernelAccepts;
    sum.unknown += h.unknown;
  }
  return sum;
}

/**
 * What a tool loaded (`target`: its listing or save, which the kernel oracle loads) judged packet by
 * packet against fwlint's reading of the tool's own files (`ruleset`): no disagreement, and enough
 * packets either way that the comparison says something. Logs the figures under `label`.
 */
export async function expectLoadedAgrees(target: Target, ruleset: Ruleset, label: string, uncertainWhy = "", oracleEnv?: NodeJS.ProcessEnv): Promise<void> {
  const result = await testFile(target, { max: 300, ruleset, ...(oracleEnv ? { oracleEnv } : {}) });
  const { judged, accepted, unknown } = expectFileAgrees(result);
  console.log(`[${label}] ${target.name}: ${judged} packets judged (${accepted} accepted), ${judged - unknown} agree, ${unknown} fwlint uncertain${uncertainWhy}, 0 disagree`);
  expect(judged).toBeGreaterThan(50);
  expect(accepted).toBeGreaterThan(5);
  expect(judged - accepted).toBeGreaterThan(10);
}

export interface FileResult {
  target: Target;
  /** Same content (and format) as this earlier target: its result was reused. */
  sameAs?: string;
  hooks: HookResult[];
  ms: number;
  /** fwlint's parser diagnostics at error severity. */
  parseErrors: string[];
}

/** Where the forward lab routes DNAT targets (see dnatRoutes). */
const DNAT_OIF = "eth1";

/** The fewest prefixes that cover [lo, hi] exactly. */
function rangePrefixes(lo: bigint, hi: bigint, bits: number): [bigint, number][] {
  const out: [bigint, number][] = [];
  let at = lo;
  while (at <= hi) {
    let size = 0;
    while (size < bits && (at & ((1n << BigInt(size + 1)) - 1n)) === 0n && at + (1n << BigInt(size + 1)) - 1n <= hi) size++;
    out.push([at, bits - size]);
    at += 1n << BigInt(size);
  }
  return out;
}

/** The prefixes DNAT rules send packets to (at most 8 per rule's range). */
function dnatPrefixes(ruleset: Ruleset): string[] {
  const out = new Set<string>();
  for (const chain of ruleset.chains.values()) {
    for (const r of chain.rules) {
      if (r.action.kind !== "dnat" || !r.action.to.addr) continue;
      const { lo, hi } = r.action.to.addr;
      const family: Family = r.action.to.family ?? (ruleset.families.length === 1 ? ruleset.families[0]! : lo > 0xffffffffn ? 6 : 4);
      for (const [net, len] of rangePrefixes(lo, hi, family === 4 ? 32 : 128).slice(0, 8)) out.add(`${formatIP(net, family)}/${len}`);
    }
  }
  return [...out];
}

/** Most DNAT targets routed one by one; past it, a default route out of DNAT_OIF takes them all. */
const MAX_DNAT_ROUTES = 16;

/**
 * Routes for DNAT targets: the oracle needs one to forward rewritten packets (it routes only the
 * probes' destinations). A ruleset with many targets (kube-proxy: one per endpoint) gets a default
 * route; every probe's destination keeps its own, more specific, route.
 */
function dnatRoutes(ruleset: Ruleset): string[] {
  const prefixes = dnatPrefixes(ruleset);
  if (prefixes.length > MAX_DNAT_ROUTES) return [`default=${DNAT_OIF}`];
  return prefixes.map((p) => `${p}=${DNAT_OIF}`);
}

let python: string | undefined;
/**
 * The oracle's `#!/usr/bin/env python3` may go through a slow shim (pyenv: ~0.15 s a start);
 * run the interpreter it resolves to directly, without site imports.
 */
function pythonCommand(): string[] {
  if (python === undefined) {
    const r = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
    python = r.status === 0 ? r.stdout.trim() : "";
  }
  return python ? [python, "-S", ORACLE] : [ORACLE];
}

/** A command run in a scratch namespace: its output as text. */
export type NamespaceRun = (args: string[], input?: string) => SpawnSyncReturns<string>;

/**
 * Runs `body` with a network namespace made for it (`run` executes a command there), and deletes
 * the namespace afterwards, however `body` ends. `tag` names it (with this process's id).
 */
export async function inScratchNamespace<T>(tag: string, body: (run: NamespaceRun) => T | Promise<T>): Promise<T> {
  const ns = `fwlint-${tag}-${process.pid}`;
  const added = spawnSync("ip", ["netns", "add", ns], { encoding: "utf8" });
  expect(added.status, added.stderr).toBe(0);
  try {
    return await body((args, input) => spawnSync("ip", ["netns", "exec", ns, ...args], { encoding: "utf8", ...(input !== undefined ? { input } : {}) }));
  } finally {
    spawnSync("ip", ["netns", "del", ns]);
  }
}

/** The nft ruleset `text` as `nft -j list ruleset` gives it once loaded (in a scratch namespace). */
export async function listedNftJson(text: string): Promise<string> {
  return inScratchNamespace("nft-json", (run) => {
    const loaded = run(["nft", "-f", "-"], text);
    expect(loaded.status, loaded.stderr).toBe(0);
    return run(["nft", "-j", "list", "ruleset"]).stdout;
  });
}

/** A ruleset format the kernel-oracle loads. */
export type KernelFormat = "iptables" | "ip6tables" | "nft";

/**
 * The kernel oracle loads a ruleset with iptables-restore into a network namespace of its own, where
 * no ipset exists, so a rule naming one does not load. This makes a folder holding an
 * `iptables-restore` and an `ip6tables-restore` that restore $FWLINT_ORACLE_IPSETS into their own
 * namespace first (`ipset restore`), then run the real one (found on PATH now) with the same
 * arguments and input; ipsetOracleEnv puts it first on the oracle's PATH.
 */
export function ipsetLoaderShim(): string {
  const dir = mkdtempSync(join(tmpdir(), "fwlint-ipset-shim-"));
  for (const loader of ["iptables-restore", "ip6tables-restore"]) {
    const real = spawnSync("sh", ["-c", `command -v ${loader}`], { encoding: "utf8" }).stdout.trim();
    if (!real) throw new Error(`${loader} is not on PATH`);
    const shim = join(dir, loader);
    writeFileSync(shim, `#!/bin/sh\nipset -exist restore -file "$FWLINT_ORACLE_IPSETS" || exit 1\nexec ${real} "$@"\n`);
    chmodSync(shim, 0o755);
  }
  return dir;
}

/** The oracle's environment to load a ruleset naming the sets saved in `ipsets` (see ipsetLoaderShim). */
export function ipsetOracleEnv(shim: string, ipsets: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${shim}:${process.env.PATH ?? ""}`, FWLINT_ORACLE_IPSETS: ipsets };
}

/**
 * The kernel's verdict on each of `packets` (in order; "error" where the oracle could not judge one).
 * A packet the oracle's control run (no ruleset) did not see delivered is asked again, up to twice,
 * alone with the others so reported: on a loaded machine the lab's own setup can lag behind the
 * first sends (CI once saw every IPv6 packet of a run so reported, none on the rerun). Each packet
 * is the first of its own connection, so asking again for some of them is the same question - unless
 * the packets share a state the rules keep (a rate limit's bucket): `askAgain` false then.
 */
export async function kernelVerdicts(text: string, format: KernelFormat, packets: readonly Packet[], hook: "input" | "forward" = "input", env?: NodeJS.ProcessEnv, askAgain = true): Promise<string[]> {
  const verdicts = packets.map(() => "error");
  let ask = packets.map((_, i) => i);
  for (let attempt = 0; attempt < (askAgain ? 3 : 1) && ask.length > 0; attempt++) {
    const lines = await oracleLines(text, format, ask.map((i) => ({ id: `p${i}`, packet: packets[i]! })), hook, env);
    const undelivered: number[] = [];
    for (const k of lines) {
      const i = Number(String(k.id).slice(1));
      verdicts[i] = k.verdict;
      if (k.verdict === "error" && /even without a ruleset/.test(k.reason ?? "")) undelivered.push(i);
    }
    if (attempt > 0) console.log(`[kernel oracle] asked again for ${ask.length} packet(s) its control run had not seen delivered: ${ask.length - undelivered.length} judged now`);
    ask = undelivered;
  }
  return verdicts;
}

/** The oracle's line for each of `packets` (their ids given), the ruleset `text` loaded. */
async function oracleLines(text: string, format: KernelFormat, packets: readonly { id: string; packet: Packet }[], hook: "input" | "forward", env?: NodeJS.ProcessEnv): Promise<OracleLine[]> {
  const dir = mkdtempSync(join(tmpdir(), "fwlint-verdicts-"));
  try {
    const ruleFile = join(dir, format === "nft" ? "rules.nft" : format === "ip6tables" ? "rules.v6" : "rules.v4");
    writeFileSync(ruleFile, text);
    writeFileSync(join(dir, "packets.jsonl"), packets.map(({ id, packet }) => JSON.stringify({ id, ...packet })).join("\n") + "\n");
    const out = await runOracle(["--ruleset", ruleFile, "--format", format, "--packets", join(dir, "packets.jsonl"), "--hook", hook], dir, env);
    expect(out.code, out.stderr).toBe(0);
    return out.stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as OracleLine);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `cwd`: nft resolves a ruleset's relative `include`s from the directory it runs in. */
export function runOracle(args: string[], cwd: string, env?: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const [cmd, ...pre] = pythonCommand();
    const child = spawn(cmd!, [...pre, ...args], { stdio: ["ignore", "pipe", "pipe"], cwd, ...(env ? { env } : {}) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

function pointInfo(res: PipelineResult | undefined, point: bigint[]): { possibly: boolean; certainly: boolean } {
  if (!res) return { possibly: true, certainly: true };
  return { possibly: res.possiblyAccepted.has(point), certainly: res.certainlyAccepted.has(point) };
}

/** The rules fwlint's first path for a packet went through, for a disagreement's report. */
function firstTrace(v: PacketVerdict): string[] {
  const path = v.paths[0];
  return path ? path.steps.map((s) => `${s.table}/${s.chain}:${s.line} ${s.action}`) : ["(no pipeline)"];
}

/**
 * A ruleset in which nothing can stop a packet: no chain holds a rule or has a DROP policy, and
 * the parser said nothing (so nothing was left out of the model) - a file of sets and maps only,
 * an "allow everything" stop script, a comment-only file. The kernel accepts every packet the
 * lab can deliver there; an oracle run (0.25-2 s of namespace work each, most of this suite's
 * time) would only say so again.
 */
export function isVacuous(ruleset: Ruleset): boolean {
  if (ruleset.diagnostics.length > 0) return false;
  for (const c of ruleset.chains.values()) if (c.rules.length > 0 || c.policy === "drop") return false;
  return true;
}

/**
 * A hook on whose path nothing can stop a packet: the whole ruleset is vacuous, or the parser said
 * nothing and every chain that holds a rule or a DROP policy runs only on the other paths - a file
 * of INPUT rules says nothing about forwarded packets (a third of the corpus rulesets leave one of
 * the two hooks alone). The kernel accepts every packet the lab can deliver there, as with no
 * ruleset at all. A base chain the model put on no path at all is not trusted to be elsewhere.
 */
export function isVacuousHook(ruleset: Ruleset, hook: Hook): boolean {
  if (isVacuous(ruleset)) return true;
  if (ruleset.diagnostics.length > 0) return false;
  const kind = hook === "input" ? "inbound" : "forward";
  const placed = new Set<string>();
  const onPath = new Set<string>();
  for (const p of ruleset.pipelines) {
    for (const s of p.stages) {
      placed.add(s.chain);
      if (p.kind === kind) onPath.add(s.chain);
    }
  }
  for (const [key, c] of ruleset.chains) {
    if (c.rules.length === 0 && c.policy !== "drop") continue;
    if (onPath.has(key) || (c.policy !== undefined && !placed.has(key))) return false;
  }
  return true;
}

/** A probe's packet, without its id. */
function probeKey(p: Packet & { id?: string }): string {
  const { id: _id, ...packet } = p;
  return JSON.stringify(packet);
}

export async function testFile(
  target: Target,
  opts: {
    max?: number;
    seed?: number;
    /** The oracle's environment (default: this process's): a loader shim on PATH, say (see ipset-rules.test.ts). */
    oracleEnv?: NodeJS.ProcessEnv;
    /**
     * fwlint's model to judge with, when it is not the target file read as its format: what fwlint
     * reads from a tool's configuration, the target being what that tool loaded (see ufw.test.ts).
     */
    ruleset?: Ruleset;
  } = {},
): Promise<FileResult> {
  const t0 = Date.now();
  const text = readFileSync(target.file, "utf8");
  const ruleset = opts.ruleset ?? parseTarget(target, text);
  const loaded = opts.ruleset ? parseTarget(target, text) : undefined;
  const parseErrors = ruleset.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);
  const hooks: HookResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), "fwlint-agreement-"));
  try {
    for (const hook of ["input", "forward"] as const) {
      const hr: HookResult = { hook, packets: 0, kernelAccepts: 0, agree: 0, disagreements: [], unknown: 0, unknownCauses: new Map(), errors: 0, errorReasons: new Map(), errorExamples: new Map(), engineMismatches: [], warnings: [], fwlintMs: 0, oracleMs: 0 };
      const tf = Date.now();
      hooks.push(hr);
      const probes = generateProbes(ruleset, { hook, seed: opts.seed ?? 1, max: opts.max ?? DEFAULT_MAX });
      // (judging fwlint's reading of another file - a script, ufw's files - the probes come from what
      // was loaded too: a rule the reading misses is probed where it stands)
      if (loaded) {
        const seen = new Set(probes.map(probeKey));
        for (const p of generateProbes(loaded, { hook, seed: opts.seed ?? 1, max: opts.max ?? DEFAULT_MAX })) {
          if (seen.has(probeKey(p))) continue;
          seen.add(probeKey(p));
          probes.push({ ...p, id: `p${probes.length + 1}` });
        }
      }
      if (probes.length === 0) continue;
      const vacuous = isVacuousHook(ruleset, hook);
      if (hook === "forward" && !vacuous) {
        // After DNAT the kernel routes the rewritten destination, so the packet leaves by the
        // route's interface, whatever oif the probe named; fwlint keeps the probe's oif. Make
        // them the same: packets that are (or are sent to) DNAT targets leave by DNAT_OIF.
        const targets = new Set(dnatPrefixes(ruleset).map((r) => r.split("/")[0]));
        for (const p of probes) {
          const rewritten = verdictFor(ruleset, p).paths.some((x) => x.delivered[Dim.Dst] !== packetToPoint(p)[Dim.Dst]);
          if (rewritten || targets.has(p.dst)) {
            p.oif = DNAT_OIF;
            if (p.iif === DNAT_OIF) p.iif = "eth0";
          }
        }
        spreadDestinations(ruleset, probes, { dsts: targets, oifs: new Set([DNAT_OIF]) });
      }
      // fwlint's side first (synchronous), then the kernel's.
      const evals = new Map<Pipeline, PipelineResult>();
      const ours = probes.map((p) => {
        const v = verdictFor(ruleset, p);
        const pl = pipelineFor(ruleset, p);
        let res: PipelineResult | undefined;
        if (pl) {
          res = evals.get(pl);
          if (!res) {
            res = new Evaluator(ruleset).evaluate(pl);
            evals.set(pl, res);
          }
        }
        const info = pointInfo(res, v.point);
        const some = v.paths.length === 0 || v.paths.some((x) => x.verdict === "accept");
        const all = v.paths.length === 0 || v.paths.every((x) => x.verdict === "accept");
        if (info.possibly !== some || info.certainly !== all) {
          hr.engineMismatches.push({
            kind: info.possibly !== some || (info.certainly && !all) ? "unsound" : "imprecise",
            packet: p,
            trace: `paths: ${v.paths.map((x) => x.verdict).join(",")} (some accept ${some}, all accept ${all})`,
            evaluator: `possiblyAccepted ${info.possibly}, certainlyAccepted ${info.certainly}`,
          });
        }
        return v;
      });
      if (vacuous) {
        hr.fwlintMs = Date.now() - tf;
        hr.vacuous = true;
        probes.forEach((p, i) => {
          const v = ours[i]!;
          if (v.verdict === "accept") {
            hr.packets++;
            hr.kernelAccepts++;
            hr.agree++;
            return;
          }
          hr.disagreements.push({ packet: p, kernel: "accept", kernelDetail: "no rule and no DROP policy in the ruleset", fwlint: v.verdict, trace: firstTrace(v) });
        });
        continue;
      }
      const pkFile = join(dir, `${hook}.jsonl`);
      writeFileSync(pkFile, probes.map((p) => JSON.stringify(p)).join("\n") + "\n");
      const args = ["--ruleset", target.file, "--format", target.format, "--packets", pkFile, "--hook", hook];
      if (hook === "forward") for (const r of dnatRoutes(ruleset)) args.push("--route", r);
      hr.fwlintMs = Date.now() - tf;
      const to = Date.now();
      const out = await runOracle(args, dirname(target.file), opts.oracleEnv);
      hr.oracleMs = Date.now() - to;
      if (out.code !== 0) {
        hr.oracleFailure = `kernel-oracle exited ${out.code}: ${out.stderr.trim().split("\n").slice(-3).join(" | ")}`;
        continue;
      }
      const lines = out.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as OracleLine);
      const byId = new Map(lines.map((l) => [String(l.id), l]));
      probes.forEach((p, i) => {
        const k = byId.get(String(p.id));
        const v = ours[i]!;
        if (!k) {
          hr.errors++;
          hr.errorReasons.set("no answer from the oracle", (hr.errorReasons.get("no answer from the oracle") ?? 0) + 1);
          return;
        }
        if (k.warning && !hr.warnings.includes(k.warning)) hr.warnings.push(k.warning);
        if (k.verdict === "error") {
          hr.errors++;
          const why = (k.reason ?? "error").replace(/^not (delivered to the input hook|forwarded) even without a ruleset: /, "");
          hr.errorReasons.set(why, (hr.errorReasons.get(why) ?? 0) + 1);
          const ex = hr.errorExamples.get(why) ?? [];
          if (ex.length < 3) ex.push(p);
          hr.errorExamples.set(why, ex);
          return;
        }
        hr.packets++;
        if (k.verdict === "accept") hr.kernelAccepts++;
        if (v.verdict === "unknown") {
          hr.unknown++;
          const causes = new Set(v.paths.flatMap((x) => x.assumptions).map((a) => a.replace(/ \([^()]*:\d+\)$/, "").replace(/^not /, "")));
          for (const c of causes) hr.unknownCauses.set(c, (hr.unknownCauses.get(c) ?? 0) + 1);
          return;
        }
        if (v.verdict === k.verdict) {
          hr.agree++;
          return;
        }
        hr.disagreements.push({ packet: p, kernel: k.verdict, kernelDetail: k.detail, fwlint: v.verdict, trace: firstTrace(v) });
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { target, hooks, ms: Date.now() - t0, parseErrors };
}

/** Runs every target, `jobs` at a time, in input order of results. */
export async function testAll(targets: Target[], opts: { max?: number; jobs?: number; onDone?: (r: FileResult) => void } = {}): Promise<FileResult[]> {
  const results: FileResult[] = new Array(targets.length);
  // Identical files (the corpus has copies) are judged once.
  const firstOf = new Map<string, number>();
  const unique: number[] = [];
  const dupOf: (number | undefined)[] = targets.map((t, i) => {
    const key = `${t.format}:${createHash("sha256").update(readFileSync(t.file)).digest("hex")}`;
    const first = firstOf.get(key);
    if (first !== undefined) return first;
    firstOf.set(key, i);
    unique.push(i);
    return undefined;
  });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const i = unique[next++]!;
      results[i] = await testFile(targets[i]!, { max: opts.max });
      opts.onDone?.(results[i]!);
    }
  };
  await Promise.all(Array.from({ length: opts.jobs ?? CONCURRENCY }, worker));
  dupOf.forEach((first, i) => {
    if (first !== undefined) results[i] = { ...results[first]!, target: targets[i]!, sameAs: targets[first]!.name, ms: 0 };
  });
  return results;
}

export function formatPacket(p: Packet): string {
  const parts = [`${p.proto}`, `${p.src}${p.sport !== undefined ? `:${p.sport}` : ""} -> ${p.dst}${p.dport !== undefined ? `:${p.dport}` : ""}`];
  if (p.tcp_flags !== undefined) parts.push(`flags=${p.tcp_flags || "none"}`);
  if (p.icmp_type !== undefined) parts.push(`icmp=${p.icmp_type}/${p.icmp_code ?? 0}`);
  parts.push(`iif=${p.iif}`);
  if (p.oif) parts.push(`oif=${p.oif}`);
  return parts.join(" ");
}

export interface Totals {
  files: number;
  packets: number;
  kernelAccepts: number;
  agree: number;
  disagree: number;
  unknown: number;
  errors: number;
  engineMismatches: number;
  imprecise: number;
  oracleFailures: number;
  /** Files identical to an earlier one (not counted again). */
  duplicates: number;
  /** Vacuous hooks (see isVacuousHook), and their probes fwlint accepts: not in the counts above. */
  vacuousHooks: number;
  vacuousPackets: number;
}

export function totals(results: FileResult[]): Totals {
  const t: Totals = { files: results.length, packets: 0, kernelAccepts: 0, agree: 0, disagree: 0, unknown: 0, errors: 0, engineMismatches: 0, imprecise: 0, oracleFailures: 0, duplicates: 0, vacuousHooks: 0, vacuousPackets: 0 };
  for (const r of results) {
    if (r.sameAs) {
      t.duplicates++;
      continue;
    }
    for (const h of r.hooks) {
      t.disagree += h.disagreements.length;
      t.engineMismatches += h.engineMismatches.filter((m) => m.kind === "unsound").length;
      t.imprecise += h.engineMismatches.filter((m) => m.kind === "imprecise").length;
      if (h.vacuous) {
        t.vacuousHooks++;
        t.vacuousPackets += h.packets;
        continue;
      }
      t.packets += h.packets;
      t.kernelAccepts += h.kernelAccepts;
      t.agree += h.agree;
      t.unknown += h.unknown;
      t.errors += h.errors;
      if (h.oracleFailure) t.oracleFailures++;
    }
  }
  return t;
}

export function report(results: FileResult[], verbose: boolean, limit = 10): string {
  const out: string[] = [];
  for (const r of results) {
    if (r.sameAs) {
      if (verbose) out.push(`${r.target.name}: same content as ${r.sameAs}`);
      continue;
    }
    const hs = r.hooks.filter((h) => h.packets + h.errors + h.disagreements.length > 0 || h.oracleFailure);
    const bad = hs.some((h) => h.disagreements.length > 0 || h.engineMismatches.some((m) => m.kind === "unsound") || h.oracleFailure);
    if (!verbose && !bad) continue;
    out.push(`${r.target.name} (${r.target.format}, ${r.ms} ms)`);
    for (const e of r.parseErrors.slice(0, 3)) out.push(`  parse error ${e}`);
    for (const h of hs) {
      if (h.vacuous) {
        out.push(`  ${h.hook}: no rule and no DROP policy on the path: ${h.packets} probes accepted by fwlint, ${h.disagreements.length} not`);
        for (const d of h.disagreements.slice(0, limit)) out.push(`    DISAGREE kernel=accept (nothing on the path drops) fwlint=${d.fwlint}: ${formatPacket(d.packet)}\n      fwlint trace: ${d.trace.join(" > ") || "(no rule matched)"}`);
        continue;
      }
      out.push(`  ${h.hook}: ${h.packets} tested (kernel accepts ${h.kernelAccepts}), ${h.agree} agree, ${h.disagreements.length} disagree, ${h.unknown} unknown, ${h.errors} errors` + (h.engineMismatches.length ? `, ${h.engineMismatches.length} trace/evaluator mismatches` : ""));
      const unsound = h.engineMismatches.filter((m) => m.kind === "unsound");
      const imprecise = h.engineMismatches.filter((m) => m.kind === "imprecise");
      if (h.oracleFailure) out.push(`    ORACLE FAILURE ${h.oracleFailure}`);
      for (const [why, n] of h.errorReasons) if (verbose) out.push(`    error x${n}: ${why}`);
      for (const [what, n] of h.unknownCauses) if (verbose) out.push(`    unknown x${n}: depends on ${what}`);
      for (const w of h.warnings) out.push(`    warning: ${w}`);
      for (const d of h.disagreements.slice(0, limit)) {
        out.push(`    DISAGREE kernel=${d.kernel}${d.kernelDetail ? ` (${d.kernelDetail})` : ""} fwlint=${d.fwlint}: ${formatPacket(d.packet)}`);
        out.push(`      fwlint trace: ${d.trace.join(" > ") || "(no rule matched)"}`);
      }
      if (h.disagreements.length > limit) out.push(`    ... ${h.disagreements.length - limit} more disagreements`);
      for (const m of unsound.slice(0, limit)) out.push(`    ENGINE MISMATCH (unsound) ${formatPacket(m.packet)}: trace ${m.trace}; evaluator ${m.evaluator}`);
      if (verbose) for (const m of imprecise.slice(0, 2)) out.push(`    engine imprecision ${formatPacket(m.packet)}: trace ${m.trace}; evaluator ${m.evaluator}`);
    }
  }
  const t = totals(results);
  const causes = new Map<string, number>();
  const errs = new Map<string, number>();
  for (const r of results) {
    if (r.sameAs) continue;
    for (const h of r.hooks) {
      for (const [c, n] of h.unknownCauses) causes.set(c, (causes.get(c) ?? 0) + n);
      for (const [c, n] of h.errorReasons) errs.set(`${h.hook}: ${c}`, (errs.get(`${h.hook}: ${c}`) ?? 0) + n);
    }
  }
  const top = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  if (causes.size) out.push("unknown verdicts by unmodelled condition:", ...top(causes).map(([c, n]) => `  ${n}  ${c}`));
  if (errs.size) out.push("oracle errors (packets the kernel cannot judge) by reason:", ...top(errs).map(([c, n]) => `  ${n}  ${c}`));
  out.push(
    `TOTAL: ${t.files} files (${t.duplicates} of them copies of another, judged once), ${t.packets} packets judged (kernel: ${t.kernelAccepts} accept, ${t.packets - t.kernelAccepts} drop), ${t.agree} agree, ${t.disagree} disagree, ${t.unknown} unknown (fwlint uncertain), ${t.errors} errors (oracle could not judge), ${t.engineMismatches} unsound trace/evaluator mismatches, ${t.imprecise} imprecise (all paths accept, not in certainlyAccepted), ${t.oracleFailures} oracle failures; ${t.vacuousHooks} hooks with no rule and no DROP policy on their path not sent to the kernel (fwlint accepts ${t.vacuousPackets} of their probes, the kernel all)`,
  );
  return out.join("\n");
}
