/**
 * Scripts of nft commands against the real nft and the kernel: each of fixtures/nft-script's
 * scripts is run by its own shell with the argument `start` (as an init system runs one; the
 * others take no argument) in a network namespace of the test's own (with `sudo` a no-op,
 * as root), what it loaded is listed (`nft list ruleset`), and the kernel oracle judges packets
 * against that listing while fwlint judges them against its reading of the script. So both how
 * the script's commands add up (variables, here-documents, quoting, `||`) and what the rules do
 * are checked.
 *
 * Needs root, ../shared's kernel-oracle and nft; skips with a message otherwise, and
 * FWLINT_REQUIRE_KERNEL=1 (CI) turns the skip into a failure.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parseNftScript } from "../../parsers/nft-script/index.js";
import { ROOT, checkEnvironment, expectLoadedAgrees, inScratchNamespace, kernelSuite } from "./harness.js";

const env = checkEnvironment();
const DIR = join(ROOT, "fixtures", "nft-script");
const SCRIPTS = readdirSync(DIR).filter((n) => n.endsWith(".sh")).sort();

kernelSuite("scripts of nft commands against the kernel", env.skip, env.required, () => {
  it("has scripts to run", () => {
    expect(SCRIPTS.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of SCRIPTS) {
    it(`fixtures/nft-script/${name}: fwlint's reading is what the script loads, packet by packet`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "fwlint-nft-script-"));
      try {
        // the folder's files beside it: a script loads some of them (nft -f base.nft), from its folder
        for (const f of readdirSync(DIR)) copyFileSync(join(DIR, f), join(dir, f));
        const script = join(dir, name);
        chmodSync(script, 0o755);
        // the tests run as root: sudo (which a minimal image may lack) only runs its command
        mkdirSync(join(dir, "bin"));
        writeFileSync(join(dir, "bin", "sudo"), '#!/bin/sh\nexec "$@"\n');
        chmodSync(join(dir, "bin", "sudo"), 0o755);
        const listing = await inScratchNamespace("nft-script", (run) => {
          const ran = run(["env", `PATH=${join(dir, "bin")}:${process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin"}`, "sh", "-c", 'cd "$(dirname "$0")" && exec "$0" start', script]);
          expect(ran.status, `${ran.stdout}${ran.stderr}`).toBe(0);
          return run(["nft", "list", "ruleset"]).stdout;
        });
        expect(listing).toMatch(/hook input/);
        const loaded = join(dir, "loaded.nft");
        writeFileSync(loaded, listing);
        const text = readFileSync(join(DIR, name), "utf8");
        const ruleset = parseNftScript(text, join(DIR, name));
        expect(ruleset.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
        await expectLoadedAgrees({ name, file: loaded, format: "nft", kind: "fixture" }, ruleset, "nft script vs kernel");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  }
});
