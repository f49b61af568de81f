/**
 * Shell scripts of iptables commands against the real shell and the kernel: each script below is
 * run by the shell its `#!` line names (dash for #!/bin/sh here, bash for #!/bin/bash) with the
 * argument `start`, as an init system runs it, in a network namespace of the test's own; what it
 * loaded is saved (`iptables-save`) and the kernel oracle judges packets against that while
 * fwlint judges them against its reading of the script. So how the script's commands add up
 * (functions, case arms, tests, loops, subshells, set -e, iptables-restore here-documents with and
 * without --noflush, brace expansion, arithmetic, seq, while and until counters, arithmetic
 * commands and C-style for loops, ipsets restored from files (`ipset restore < FILE`, `-file`, `cat |`), files sourced
 * with `.` - their variables, functions, rules and `return` -, files read by `$(cat ...)`,
 * `while read` and iptables-restore, lists cleaned by grep, sed, awk, cut, tr, sort and tail in
 * pipes, command substitutions and `< <(...)`) and what the rules
 * do are both checked.
 *
 * Needs root, ../shared's kernel-oracle and iptables; skips with a message otherwise, and
 * FWLINT_REQUIRE_KERNEL=1 (CI) turns the skip into a failure.
 */
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { parseIptablesScript } from "../../parsers/iptables-script/index.js";
import { ROOT, checkEnvironment, expectLoadedAgrees, inScratchNamespace, ipsetLoaderShim, ipsetOracleEnv, kernelSuite } from "./harness.js";

const env = checkEnvironment();
const DIR = join(ROOT, "fixtures", "iptables-script");
/** IPv4 scripts that run on any host (the others read files of the host's, or load IPv6 rules too). */
const SCRIPTS = ["init-style.sh", "rc-firewall.sh", "restore-heredoc.sh", "restore-noflush.sh", "open-relay.sh", "policy-drop-user-chain.sh", "computed-ports.sh", "sourced-settings.sh", "read-files.sh", "arithmetic-loops.sh", "ipset-restore.sh", "list-pipes.sh"];
/** The files a script sources or reads, copied beside it (by `$(dirname "$0")`, `$(cd ... && pwd)` and `./`). */
const COMPANIONS: Record<string, string[]> = {
  "sourced-settings.sh": ["sourced-settings.conf", "sourced-settings.extra", "sourced-site-rules.sh"],
  "read-files.sh": ["read-files.rules", "read-files-banned.txt", "read-files-services.txt"],
  "ipset-restore.sh": ["ipset-restore-admins.save", "ipset-restore-services.save", "ipset-restore-bans.save"],
  "list-pipes.sh": ["list-pipes-banned.txt", "list-pipes-services.txt", "list-pipes-offices.csv"],
};

kernelSuite("scripts of iptables commands against the kernel", env.skip, env.required, () => {
  let shimDir: string | undefined;
  const shim = (): string => (shimDir ??= ipsetLoaderShim());
  afterAll(() => {
    if (shimDir) rmSync(shimDir, { recursive: true, force: true });
  });
  for (const name of SCRIPTS) {
    it(`fixtures/iptables-script/${name}, run with 'start': fwlint's reading is what the script loads, packet by packet`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "fwlint-iptables-script-"));
      try {
        const script = join(dir, name);
        copyFileSync(join(DIR, name), script);
        for (const other of COMPANIONS[name] ?? []) copyFileSync(join(DIR, other), join(dir, other));
        chmodSync(script, 0o755);
        const saved = await inScratchNamespace("ipt-script", (run) => {
          // (from its own folder: a script may write a file beside it and load it)
          const ran = run(["sh", "-c", 'cd "$(dirname "$0")" && exec "$0" start', script]);
          expect(ran.status, `${ran.stdout}${ran.stderr}`).toBe(0);
          return { rules: run(["iptables-save"]).stdout, sets: run(["ipset", "save"]).stdout ?? "" };
        });
        expect(saved.rules).toMatch(/^-A INPUT /m);
        const loaded = join(dir, "loaded.rules");
        writeFileSync(loaded, saved.rules);
        // (the sets the script made, restored by a shim into the oracle's namespace before its rules)
        const sets = join(dir, "ipsets");
        writeFileSync(sets, saved.sets);
        const oracleEnv = saved.sets.trim() !== "" ? ipsetOracleEnv(shim(), sets) : undefined;
        const ruleset = parseIptablesScript(readFileSync(join(DIR, name), "utf8"), join(DIR, name));
        expect(ruleset.families).toEqual([4]);
        expect(ruleset.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
        await expectLoadedAgrees({ name, file: loaded, format: "iptables", kind: "fixture" }, ruleset, "iptables script vs kernel", "", oracleEnv);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  }
});
