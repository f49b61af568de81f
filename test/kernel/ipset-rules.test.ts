/**
 * iptables rules that name ipsets, against the kernel: which packets a loaded `-m set --match-set
 * NAME FLAGS` rule matches - each flag naming the source or destination address, port or interface
 * of its dimension, `!` negation, nomatch exceptions, a list:set - decided by the kernel for the
 * packets the agreement suite would send, and compared with fwlint's verdicts.
 * (ipset-membership.test.ts checks which elements a set holds with `ipset test`; this checks the
 * rules that look them up.)
 *
 * The kernel oracle loads a ruleset with iptables-restore into a namespace of its own, where no set
 * exists, so a rule naming one does not load. A shim put first on the oracle's PATH, named
 * iptables-restore, restores the ipsets file kept beside the ruleset into that namespace first
 * (`ipset restore`; the namespace is the shim's own) and then runs the real iptables-restore. fwlint
 * reads the same file beside the ruleset as a user's run does.
 *
 * Needs what the agreement suite needs (root, ../shared's kernel-oracle, iptables, nft) and ipset;
 * skips with a message otherwise, and FWLINT_REQUIRE_KERNEL=1 (CI) turns the skip into a failure.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT, checkEnvironment, expectFileAgrees, kernelSuite, testFile, which } from "./harness.js";

/** Rulesets with their sets saved beside them as `ipsets`, and the kernel oracle's format for each. */
const CASES: [string, "iptables" | "ip6tables"][] = [
  ["fixtures/iptables/ipset/rules.v4", "iptables"],
  ["fixtures/iptables/ipset-flags/rules.v4", "iptables"],
  ["fixtures/iptables/ipset-flags/rules.v6", "ip6tables"],
];

const env = checkEnvironment();
const skip = env.skip ?? (!which("ipset") ? "ipset is not installed" : undefined);
const required = env.required || process.env.FWLINT_REQUIRE_KERNEL === "1";

/**
 * A folder holding an `iptables-restore` and an `ip6tables-restore` that restore
 * $FWLINT_ORACLE_IPSETS into their own network namespace, then run the real one (found on PATH now)
 * with the same arguments and input.
 */
function loaderShim(): string {
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

kernelSuite("ipset rules against the kernel", skip, required, () => {
  const shim = loaderShim();
  afterAll(() => rmSync(shim, { recursive: true, force: true }));

  for (const [name, format] of CASES) {
    it(`${name}: fwlint's verdicts are the kernel's`, async () => {
      const file = join(ROOT, name);
      const result = await testFile(
        { name, file, format, kind: "fixture" },
        { max: 400, oracleEnv: { ...process.env, PATH: `${shim}:${process.env.PATH ?? ""}`, FWLINT_ORACLE_IPSETS: join(dirname(file), "ipsets") } },
      );
      expect(result.parseErrors).toEqual([]);
      const { judged, accepted, unknown } = expectFileAgrees(result);
      console.log(`[ipset rules vs kernel] ${name}: ${judged} packets judged (${accepted} accepted), ${judged - unknown} agree, ${unknown} fwlint uncertain, 0 disagree`);
      // every set here is read from the file: no packet is left to an unknown condition
      expect(unknown).toBe(0);
      expect(judged).toBeGreaterThan(50);
      expect(accepted).toBeGreaterThan(5);
      expect(judged - accepted).toBeGreaterThan(10);
    }, 300_000);
  }
});
