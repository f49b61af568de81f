/**
 * End-to-end tests run the built CLI (bin/fwlint.js -> dist/). vitest runs test files in parallel
 * processes, so the build happens once per test run: the first file to get here builds under a
 * lock, the others wait for its stamp (keyed by the vitest main process).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function buildCliOnce(timeoutMs = 120_000): void {
  const key = createHash("sha256").update(ROOT).digest("hex").slice(0, 12);
  const stamp = join(tmpdir(), `fwlint-build-${key}-${process.ppid}.done`);
  const lock = join(tmpdir(), `fwlint-build-${key}.lock`);
  const deadline = Date.now() + timeoutMs;
  const built = () => existsSync(stamp) && existsSync(join(ROOT, "dist", "src", "cli", "main.js"));
  while (!built()) {
    let mine = false;
    try {
      mkdirSync(lock);
      mine = true;
    } catch {
      // someone else is building
    }
    if (mine) {
      try {
        if (built()) return;
        execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "pipe", encoding: "utf8" });
        writeFileSync(stamp, String(Date.now()));
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`npm run build failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
      return;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for another test's build (lock ${lock}); remove the lock if no test is running`);
    sleep(200);
  }
}
