/**
 * Running the CLI in-process inside a folder of its own (a copy of fixtures made a git repository),
 * as the tests of files read as part of others (Capirca's, Ansible's) do.
 */
import { spawnSync } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { main } from "../../src/cli/main.js";
import { captureIo } from "./io.js";

/** git in `dir` as a throw-away identity; the command must succeed. */
export function git(dir: string, ...args: string[]): void {
  const r = spawnSync("git", ["-c", "user.email=t@example.invalid", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...args], { cwd: dir, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
}

/** Makes `dir` a git repository whose first commit holds all it has. */
export function commitAll(dir: string, message: string): void {
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", message);
}

/** A copy of the fixture folder `fixture` (below fixtures/) at `dir`, made a git repository with its first commit. */
export function fixtureRepo(fixture: string, dir: string): string {
  cpSync(join(import.meta.dirname, "..", "..", "fixtures", fixture), dir, { recursive: true });
  commitAll(dir, "firewall");
  return dir;
}

/** Runs `fn` with `dir` as the working folder. */
export async function inside<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(cwd);
  }
}

/** The CLI run in-process: its exit status and what it wrote. */
export async function run(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = captureIo();
  const status = await main(args, io);
  return { status, out: io.out, err: io.err };
}
