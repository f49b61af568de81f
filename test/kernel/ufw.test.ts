/**
 * ufw against the real ufw and the kernel: fixtures/ufw's configuration is started by ufw's own
 * ufw-init (`--datadir`) in a network namespace of the test's own, what it loaded is saved
 * (iptables-save, ip6tables-save), and the kernel oracle judges packets against that, while fwlint
 * judges them against its reading of the configuration files (parsers/ufw). So both how ufw-init
 * puts the files together and what the rules do are checked.
 *
 * Needs root, ../shared's kernel-oracle, iptables and ufw (/lib/ufw/ufw-init); skips with a message
 * otherwise, and FWLINT_REQUIRE_KERNEL=1 (CI) turns the skip into a failure.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parseUfw } from "../../parsers/ufw/index.js";
import { ROOT, checkEnvironment, expectLoadedAgrees, inScratchNamespace, kernelSuite } from "./harness.js";

const UFW_INIT = ["/lib/ufw/ufw-init", "/usr/lib/ufw/ufw-init"].find((p) => existsSync(p));
const env = checkEnvironment();
const skip = env.skip ?? (UFW_INIT === undefined ? "ufw is not installed (/lib/ufw/ufw-init)" : undefined);
const required = env.required || process.env.FWLINT_REQUIRE_KERNEL === "1";
const FIXTURE = join(ROOT, "fixtures", "ufw", "etc");

kernelSuite("ufw against the kernel", skip, required, () => {
  it("fwlint's reading of /etc/ufw is what ufw-init loads, packet by packet", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-ufw-"));
    try {
      cpSync(FIXTURE, join(dir, "etc"), { recursive: true });
      const saved = await inScratchNamespace("ufw", (run) => {
        const started = run([UFW_INIT!, "--datadir", dir, "start"]);
        expect(started.status, `${started.stdout}${started.stderr}`).toBe(0);
        return { 4: run(["iptables-save"]).stdout, 6: run(["ip6tables-save"]).stdout };
      });
      expect(saved[4]).toContain("-A ufw-user-input -p tcp -m tcp --dport 25 -j ACCEPT");
      for (const family of [4, 6] as const) {
        const loaded = join(dir, `loaded.v${family}`);
        writeFileSync(loaded, saved[family]);
        const member = join(FIXTURE, "ufw", family === 6 ? "user6.rules" : "user.rules");
        const ruleset = parseUfw(readFileSync(member, "utf8"), member);
        expect(ruleset.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
        await expectLoadedAgrees({ name: `IPv${family}`, file: loaded, format: family === 6 ? "ip6tables" : "iptables", kind: "fixture" }, ruleset, "ufw vs kernel", " (-m recent)");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
