/**
 * The firewalls' own loaders, asked in a network namespace of their own: `nft -c -f` and a real
 * `iptables-restore` (whose --test mode lets a jump to a missing chain pass). Tests that compare
 * fwlint's verdict on a file with theirs skip with a message where the loaders cannot run (not
 * root, no unshare, nft or iptables missing), and fail instead in CI (FWLINT_REQUIRE_KERNEL=1).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

/** Why the loaders cannot run here, or undefined when they can. */
function loadersUnavailable(): string | undefined {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "not root";
  for (const [cmd, input] of [
    [["nft", "-c", "-f", "-"], "table inet probe { }\n"],
    [["iptables-restore"], "*filter\nCOMMIT\n"],
  ] as const) {
    const probe = spawnSync("unshare", ["-n", ...cmd], { input });
    if (probe.error || probe.status !== 0) return `${cmd[0]} does not run in a network namespace (${probe.error?.message ?? String(probe.stderr).trim()})`;
  }
  return undefined;
}

/**
 * What the loader of `file` makes of it (nft for a .nft file, else iptables-restore): whether it
 * refuses it, and its first error line. nft checks (`-c`) unless `commit`: then it loads the file
 * into the namespace's kernel, which alone finds some errors (a loop of jumps).
 */
export function loaderSays(file: string, commit = false): { refused: boolean; says: string } {
  const run = file.endsWith(".nft")
    ? spawnSync("unshare", ["-n", "nft", ...(commit ? [] : ["-c"]), "-f", file], { encoding: "utf8" })
    : spawnSync("unshare", ["-n", "iptables-restore"], { input: readFileSync(file, "utf8"), encoding: "utf8" });
  return { refused: run.status !== 0, says: run.status === 0 ? "loads it" : `refuses it: ${run.stderr.trim().split("\n")[0]}` };
}

/**
 * What nft makes of `text` when it loads it into a namespace's kernel (written to `dir`/case.nft):
 * `nft list ruleset` then, or why it refused the file (undefined `listed`).
 */
export function nftListing(dir: string, text: string): { listed?: string; says: string } {
  const file = join(dir, "case.nft");
  writeFileSync(file, text);
  const run = spawnSync("unshare", ["-n", "sh", "-c", `nft -f '${file}' && nft list ruleset`], { encoding: "utf8" });
  return run.status === 0 ? { listed: run.stdout, says: "loads it" } : { says: `refuses it: ${run.stderr.trim()}` };
}

/**
 * `it` for tests that ask the loaders, given a fresh folder for their files; `label` names the
 * suite in the skip message.
 */
export function withLoaders(label: string): (name: string, body: (dir: string) => void, timeout?: number) => void {
  const skip = loadersUnavailable();
  const required = process.env.FWLINT_REQUIRE_KERNEL === "1";
  if (skip && !required) console.warn(`[${label}] the loaders' verdicts SKIPPED: ${skip}`);
  return (name, body, timeout) =>
    it.skipIf(skip !== undefined && !required)(
      name,
      () => {
        if (skip) expect.fail(`needs nft and iptables-restore in a network namespace: ${skip} (FWLINT_REQUIRE_KERNEL=1)`);
        const dir = mkdtempSync(join(tmpdir(), "fwlint-loaders-"));
        try {
          body(dir);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      timeout,
    );
}
