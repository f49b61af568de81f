/**
 * The `diff-base` bench case: a pull request's check of a repository of rulesets. A git repository
 * holds 60 host rulesets (iptables-save, the 20-rule typical host) and 240 files of other kinds
 * (notes, YAML); the working tree changes one ruleset (SMTP opened). run.ts measures
 * `fwlint diff --base HEAD` there, against `fwlint check .` of the same tree (each ruleset read
 * once) in the same run.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { typicalHostRuleset } from "./kube-proxy.js";

export const DIFF_BASE_CASE = "diff-base";

/** What the repository holds. */
export const DIFF_REPO = { rulesets: 60, otherFiles: 240 };

/** Writes the repository under `dir` (its first commit), with one ruleset changed in the working tree; its path. */
export function makeDiffRepo(dir: string): string {
  const repo = join(dir, "diff-base-repo");
  mkdirSync(join(repo, "hosts"), { recursive: true });
  mkdirSync(join(repo, "docs"), { recursive: true });
  const host = typicalHostRuleset();
  for (let i = 0; i < DIFF_REPO.rulesets; i++) writeFileSync(join(repo, "hosts", `host${i}.rules`), host.replace("*filter", `# host ${i}\n*filter`));
  for (let i = 0; i < DIFF_REPO.otherFiles; i++) {
    writeFileSync(join(repo, "docs", i % 2 === 0 ? `note${i}.md` : `vars${i}.yaml`), i % 2 === 0 ? `# Host ${i}\n\nMaintenance window: Tuesday.\n` : `host: ${i}\nports: [22, 443]\n`);
  }
  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-c", "user.email=bench@example.invalid", "-c", "user.name=bench", "-c", "commit.gpgsign=false", ...args], { cwd: repo, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr || r.error?.message}`);
  };
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "hosts");
  writeFileSync(join(repo, "hosts", "host7.rules"), host.replace("-A INPUT -j LOGDROP", "-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT\n-A INPUT -j LOGDROP"));
  return repo;
}
