/**
 * fwlint against the kernel on random iptables-save and ip6tables-save files (random-iptables.ts):
 * each is loaded in a scratch namespace first (iptables-restore --test must accept it), then judged
 * packet by packet through ../shared/tools/kernel-oracle and by fwlint on the input and forward
 * hooks; where fwlint is certain both must agree, and fwlint's reading must hold no error. The
 * corpus holds what people wrote; these mix tables, chains, negations and targets freely.
 *
 * FWLINT_RANDOM_IPT=N judges N files (default 40), FWLINT_RANDOM_IPT_SEED the first seed. Skips
 * (with a message) without root, iptables, ipset or ../shared; FWLINT_REQUIRE_KERNEL=1 turns the
 * skip into a failure.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { checkEnvironment, inScratchNamespace, ipsetLoaderShim, ipsetOracleEnv, kernelSuite, parseTarget, problemsOf, readingErrors, testFile, which, type Target } from "./harness.js";
import { randomIptablesSave } from "./random-iptables.js";

const env = checkEnvironment();
const COUNT = Number(process.env.FWLINT_RANDOM_IPT ?? 40);
const FIRST = Number(process.env.FWLINT_RANDOM_IPT_SEED ?? 1);

const skip = env.skip ?? (!which("ipset") ? "ipset is not installed" : undefined);

kernelSuite("random iptables-save files against the kernel", skip, env.required, () => {
  const dir = mkdtempSync(join(tmpdir(), "fwlint-random-ipt-"));
  // the oracle's loader restores a file's ipsets into its namespace first (see ipsetLoaderShim)
  let shimDir: string | undefined;
  const shim = (): string => (shimDir ??= ipsetLoaderShim());
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    if (shimDir) rmSync(shimDir, { recursive: true, force: true });
  });

  it(`${COUNT} files from seed ${FIRST}: iptables-restore loads each, fwlint reads it without error and agrees with the kernel where certain`, async () => {
    const refused: string[] = [];
    const unread: string[] = [];
    const disagree: string[] = [];
    let judged = 0;
    let accepted = 0;
    for (let seed = FIRST; seed < FIRST + COUNT; seed++) {
      const { family, text, ipsets } = randomIptablesSave(seed);
      // a folder each: the ipsets a file names are saved beside it, where fwlint looks for them
      const own = join(dir, `seed-${seed}`);
      mkdirSync(own);
      const file = join(own, "rules");
      writeFileSync(file, text);
      const sets = join(own, "ipsets");
      if (ipsets) writeFileSync(sets, ipsets);
      const loader = family === 4 ? "iptables-restore" : "ip6tables-restore";
      const loaded = await inScratchNamespace("random-ipt", (run) => {
        if (ipsets) {
          const made = run(["ipset", "restore", "-file", sets]);
          if (made.status !== 0) return made;
        }
        return run([loader, "--test", file]);
      });
      if (loaded.status !== 0) {
        refused.push(`seed ${seed}: ${loaded.stderr.trim().split("\n")[0]}`);
        continue;
      }
      const target: Target = { name: `seed-${seed}.rules`, file, format: family === 4 ? "iptables" : "ip6tables", kind: "fixture" };
      unread.push(...readingErrors(parseTarget(target, text), `seed ${seed}`));
      const r = await testFile(target, { max: 200, seed, ...(ipsets ? { oracleEnv: ipsetOracleEnv(shim(), sets) } : {}) });
      disagree.push(...problemsOf(r, `seed ${seed}`));
      for (const h of r.hooks) {
        judged += h.packets;
        accepted += h.kernelAccepts;
      }
    }
    console.log(`[random iptables] ${COUNT} files: ${judged} packets judged (${accepted} accepted by the kernel), ${disagree.length} disagreements`);
    expect(refused, "files iptables-restore refuses (the generator writes only what it loads)").toEqual([]);
    expect(unread, "errors in fwlint's reading").toEqual([]);
    expect(disagree).toEqual([]);
    expect(judged).toBeGreaterThan(COUNT * 50);
    expect(accepted).toBeGreaterThan(COUNT * 5);
  }, 1_200_000);
});
