/**
 * The `diff-base` bench case: a pull request's check of a repository of rulesets. A git repository
 * holds 60 host rulesets (iptables-save, the 20-rule typical host) and 240 files of other kinds
 * (notes, YAML); the working tree changes one ruleset (SMTP opened). `fwlint diff --base HEAD`
 * compares every tracked file with its version at HEAD; the reference, measured in the same run,
 * is `fwlint check .` of the same tree (each ruleset read once).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { typicalHostRuleset } from "./kube-proxy.js";

export const DIFF_BASE_CASE = "diff-base";

export interface DiffBaseResult {
  rulesets: number;
  otherFiles: number;
  diffMs: number[];
  checkMs: number[];
  /** What went wrong, when a run did not end as expected. */
  error?: string;
}

const RULESETS = 60;
const OTHER = 240;

/** Writes the repository under `dir` (its first commit), with one ruleset changed in the working tree. */
export function makeDiffRepo(dir: string): string {
  const repo = join(dir, "diff-base-repo");
  mkdirSync(join(repo, "hosts"), { recursive: true });
  mkdirSync(join(repo, "docs"), { recursive: true });
  const host = typicalHostRuleset();
  for (let i = 0; i < RULESETS; i++) writeFileSync(join(repo, "hosts", `host${i}.rules`), host.replace("*filter", `# host ${i}\n*filter`));
  for (let i = 0; i < OTHER; i++) {
    writeFileSync(join(repo, "docs", i % 2 === 0 ? `note${i}.md` : `vars${i}.yaml`), i % 2 === 0 ? `# Host ${i}\n\nMaintenance window: Tuesday.\n` : `host: ${i}\nports: [22, 443]\n`);
  }
  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-c", "user.email=bench@example.invalid", "-c", "user.name=bench", "-c", "commit.gpgsign=false", ...args], { cwd: repo, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr || r.error?.message}`);
  };
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "hosts");
  const changed = join(repo, "hosts", "host7.rules");
  writeFileSync(changed, host.replace("-A INPUT -j LOGDROP", "-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT\n-A INPUT -j LOGDROP"));
  return repo;
}

/** `repeat` runs of each command, alternated (diff first), from the repository's folder. */
export function benchDiffBase(dir: string, cliJs: string, repeat: number, timeoutMs: number): DiffBaseResult {
  const repo = makeDiffRepo(dir);
  const out: DiffBaseResult = { rulesets: RULESETS, otherFiles: OTHER, diffMs: [], checkMs: [] };
  const run = (args: string[], expect: number): number | undefined => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cliJs, ...args], { cwd: repo, encoding: "utf8", timeout: timeoutMs });
    const ms = performance.now() - t0;
    if (r.status !== expect) {
      out.error = `fwlint ${args.join(" ")} ended with ${r.status ?? r.signal} (expected ${expect}): ${(r.stderr || r.stdout).trim().split("\n")[0] ?? ""}`;
      return undefined;
    }
    return ms;
  };
  for (let i = 0; i < repeat; i++) {
    // (both exit 1: the change opens SMTP, and the check finds it)
    const d = run(["diff", "--base", "HEAD", "--format", "json"], 1);
    const c = run(["check", ".", "--format", "json"], 1);
    if (d === undefined || c === undefined) break;
    out.diffMs.push(d);
    out.checkMs.push(c);
  }
  return out;
}
