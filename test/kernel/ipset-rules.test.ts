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
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT, checkEnvironment, expectFileAgrees, ipsetLoaderShim, ipsetOracleEnv, kernelSuite, testFile, which } from "./harness.js";

/**
 * Rulesets with their sets saved beside them as `ipsets`, the kernel oracle's format for each, and
 * whether sets whose elements time out leave packets to an unknown condition (what may be added).
 */
const CASES: [string, "iptables" | "ip6tables", boolean][] = [
  ["fixtures/iptables/ipset/rules.v4", "iptables", false],
  ["fixtures/iptables/ipset-flags/rules.v4", "iptables", false],
  ["fixtures/iptables/ipset-flags/rules.v6", "ip6tables", false],
  ["fixtures/iptables/ipset-timeout/rules.v4", "iptables", true],
];

const env = checkEnvironment();
const skip = env.skip ?? (!which("ipset") ? "ipset is not installed" : undefined);
const required = env.required || process.env.FWLINT_REQUIRE_KERNEL === "1";

kernelSuite("ipset rules against the kernel", skip, required, () => {
  const shim = ipsetLoaderShim();
  afterAll(() => rmSync(shim, { recursive: true, force: true }));

  for (const [name, format, timesOut] of CASES) {
    it(`${name}: fwlint's verdicts are the kernel's`, async () => {
      const file = join(ROOT, name);
      const result = await testFile(
        { name, file, format, kind: "fixture" },
        { max: 400, oracleEnv: ipsetOracleEnv(shim, join(dirname(file), "ipsets")) },
      );
      expect(result.parseErrors).toEqual([]);
      const { judged, accepted, unknown } = expectFileAgrees(result);
      console.log(`[ipset rules vs kernel] ${name}: ${judged} packets judged (${accepted} accepted), ${judged - unknown} agree, ${unknown} fwlint uncertain, 0 disagree`);
      // every set here is read from the file: no packet is left to an unknown condition, but to what
      // a set whose elements time out may be given
      if (timesOut) expect(unknown).toBeGreaterThan(0);
      else expect(unknown).toBe(0);
      expect(judged).toBeGreaterThan(50);
      expect(accepted).toBeGreaterThan(5);
      expect(judged - accepted).toBeGreaterThan(10);
    }, 300_000);
  }
});
