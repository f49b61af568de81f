/**
 * Scripts of ufw commands against the real ufw and the kernel: each script of fixtures/ufw-script
 * is run by the shell its `#!` names in a network namespace of the test's own, its `ufw` the real
 * one in a sandbox (test/parsers/ufw-script/sandbox.ts: the package's files, never the host's
 * /etc/ufw), so that its `ufw --force enable` loads the rules; what was loaded is saved
 * (iptables-save, ip6tables-save) and the kernel oracle judges packets against it, while fwlint
 * judges them against its reading of the script - each family apart. So how ufw turns the
 * commands into rules, how ufw-init puts them between the package's files, and what the rules do
 * are all checked.
 *
 * Needs root, ../shared's kernel-oracle, iptables and ufw; skips with a message otherwise, and
 * FWLINT_REQUIRE_KERNEL=1 (CI) turns the skip into a failure.
 */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parseUfwScript } from "../../parsers/ufw-script/index.js";
import type { Chain, Ruleset } from "../../src/model/types.js";
import { ufwMissing, ufwSandbox } from "../parsers/ufw-script/sandbox.js";
import { ROOT, checkEnvironment, expectLoadedAgrees, inScratchNamespace, kernelSuite } from "./harness.js";

const env = checkEnvironment();
const skip = env.skip ?? ufwMissing();
const required = env.required || process.env.FWLINT_REQUIRE_KERNEL === "1";
const DIR = join(ROOT, "fixtures", "ufw-script");
const SCRIPTS = ["provision-mail.sh"];

/** One family's side of a ufw script's ruleset: its chains (the IPv6 tables named back), its pipelines. */
function side(rs: Ruleset, family: 4 | 6): Ruleset {
  const chains = new Map<string, Chain>();
  for (const [key, c] of rs.chains) {
    const six = c.table.startsWith("ip6:");
    if (six !== (family === 6)) continue;
    const table = six ? c.table.slice(4) : c.table;
    chains.set(six ? key.slice(4) : key, { ...c, table, rules: c.rules.map((r) => ({ ...r, conditions: r.conditions.filter((x) => x.kind !== "family") })) });
  }
  const pipelines = rs.pipelines.filter((p) => p.family === family).map((p) => ({ ...p, stages: p.stages.map((s) => ({ ...s, chain: s.chain.replace(/^ip6:/, "") })) }));
  return { ...rs, families: [family], chains, pipelines };
}

kernelSuite("scripts of ufw commands against the kernel", skip, required, () => {
  for (const name of SCRIPTS) {
    it(`fixtures/ufw-script/${name}: fwlint's reading is what ufw loads, packet by packet`, async () => {
      const { dir, bin } = ufwSandbox();
      try {
        const script = join(dir, name);
        copyFileSync(join(DIR, name), script);
        const shell = /^#!\S*bash/.test(readFileSync(script, "utf8")) ? "bash" : "sh";
        const saved = await inScratchNamespace("ufw-script", (run) => {
          const ran = run(["sh", "-c", `PATH="${bin}:$PATH"; cd "${dir}" && exec ${shell} ./${name}`]);
          expect(ran.status, `${ran.stdout}${ran.stderr}`).toBe(0);
          return { 4: run(["iptables-save"]).stdout, 6: run(["ip6tables-save"]).stdout };
        });
        expect(saved[4]).toMatch(/^-A ufw-user-input /m);
        const ruleset = parseUfwScript(readFileSync(join(DIR, name), "utf8"), join(DIR, name));
        expect(ruleset.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        for (const family of [4, 6] as const) {
          const loaded = join(dir, `loaded.v${family}`);
          writeFileSync(loaded, saved[family]);
          await expectLoadedAgrees({ name: `${name} IPv${family}`, file: loaded, format: family === 6 ? "ip6tables" : "iptables", kind: "fixture" }, side(ruleset, family), "ufw script vs kernel", " (-m recent)");
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  }
});
