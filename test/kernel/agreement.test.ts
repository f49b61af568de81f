/**
 * fwlint against the Linux kernel: for every iptables fixture and every iptables-save /
 * ip6tables-save file of ../shared/corpus that the kernel loads, probe packets go through
 * ../shared/tools/kernel-oracle and through fwlint; where fwlint is certain, both must agree.
 *
 * Skips (with a message) when not root, when iptables/nft are missing, or when ../shared is
 * absent; FWLINT_REQUIRE_KERNEL=1 / FWLINT_REQUIRE_SHARED=1 turn those skips into failures.
 * FWLINT_AGREEMENT_REPORT=1 (npm run agreement) prints every file, not only failing ones.
 */
import { writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { checkEnvironment, corpusTargets, expectHookAgrees, fixtureTargets, report, testAll, totals, type FileResult, type Target } from "./harness.js";

const env = checkEnvironment();
const verbose = process.env.FWLINT_AGREEMENT_REPORT === "1";

if (env.skip) {
  if (env.required) {
    describe("kernel agreement", () => {
      it("has the environment it requires", () => {
        throw new Error(`kernel agreement suite cannot run: ${env.skip} (required by FWLINT_REQUIRE_KERNEL / FWLINT_REQUIRE_SHARED)`);
      });
    });
  } else {
    console.warn(`[kernel agreement] SKIPPED: ${env.skip}`);
    describe.skip(`kernel agreement (skipped: ${env.skip})`, () => {
      it("needs root, iptables/nft and ../shared/tools/kernel-oracle", () => {});
    });
  }
} else {
  const filter = process.env.FWLINT_AGREEMENT_FILTER ? new RegExp(process.env.FWLINT_AGREEMENT_FILTER) : undefined;
  const targets: Target[] = [...fixtureTargets(), ...corpusTargets()].filter((t) => !filter || filter.test(t.name));
  const results = new Map<string, FileResult>();

  describe("kernel agreement", () => {
    // A guard against a hang, not a time limit: every oracle run has its own (harness.ts), and the
    // whole suite took 405 s on an unloaded 2-core machine whose system calls are slow (538 s
    // before rulesets that cannot drop anything were judged without the kernel; over 600 s when
    // other work shared the machine).
    beforeAll(async () => {
      const t0 = Date.now();
      const all = await testAll(targets);
      for (const r of all) results.set(r.target.name, r);
      const text = report(all, verbose);
      console.log(`${text}\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      if (process.env.FWLINT_AGREEMENT_OUT) writeFileSync(process.env.FWLINT_AGREEMENT_OUT, JSON.stringify(all, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : typeof v === "bigint" ? v.toString() : v), 1));
    }, 1_800_000);

    it("found files to test", () => {
      expect(targets.length).toBeGreaterThan(0);
      const t = totals([...results.values()]);
      expect(t.packets).toBeGreaterThan(0);
    });

    for (const target of targets) {
      it(`${target.name}`, () => {
        const r = results.get(target.name);
        expect(r, "no result").toBeDefined();
        for (const h of r!.hooks) {
          expectHookAgrees(h);
        }
      });
    }
  });
}
