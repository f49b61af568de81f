/**
 * Files a shell script sources, through the CLI: in a folder walk the sourced files are read as
 * part of the script (a settings file is no ruleset of its own, a sourced script no script alone),
 * and named alone - pre-commit names only the staged file - each is read with the script beside it
 * that sources it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { captureIo } from "./io.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-script-sourced-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

writeFileSync(join(tmp, "fw.sh"), ["#!/bin/sh", '. "$(dirname "$0")/settings.conf"', "iptables -P INPUT DROP", "iptables -P FORWARD DROP", "allow_mail", ". ./site-rules.sh", ""].join("\n"));
writeFileSync(join(tmp, "settings.conf"), ["WAN=eth0", "allow_mail() {", '\tiptables -A INPUT -i "$WAN" -p tcp --dport 25 -j ACCEPT', "}", ""].join("\n"));
writeFileSync(join(tmp, "site-rules.sh"), 'iptables -A INPUT -i "$WAN" -p tcp --dport 3306 -j ACCEPT\n');

async function check(...paths: string[]) {
  const io = captureIo();
  const status = await main(["check", "--format", "json", ...paths], io);
  return { status, report: JSON.parse(io.out) as { files: { path: string; diagnostics: { severity: string; message: string }[] }[]; findings: { ruleId: string; exposure?: { service?: string }; location: { file: string; line: number } }[] } };
}

const exposures = (r: Awaited<ReturnType<typeof check>>["report"]) => r.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.exposure?.service} ${f.location.file}:${f.location.line}`);

describe("a script's sourced files through the CLI", () => {
  it("a folder walk reads them as part of the script, each finding once, where its rule is", async () => {
    const { status, report } = await check(tmp);
    expect(status).toBe(1);
    expect(exposures(report).sort()).toEqual([`mysql ${join(tmp, "site-rules.sh")}:1`, `smtp ${join(tmp, "settings.conf")}:3`]);
    const siteRules = report.files.find((f) => f.path === join(tmp, "site-rules.sh"))!;
    expect(siteRules.diagnostics.map((d) => d.message)).toEqual([`read as part of ${join(tmp, "fw.sh")}, which sources it: its rules are analysed there`]);
  });

  it("a named file that is neither a ruleset nor shell settings is not looked for in the scripts beside it", async () => {
    writeFileSync(join(tmp, "notes.txt"), "WAN is eth0; the mail ports are 25 and 587\n");
    const io = captureIo();
    expect(await main(["check", join(tmp, "notes.txt")], io)).toBe(2);
    expect(io.err).toContain("not a firewall configuration fwlint reads");
    expect(io.out + io.err).not.toContain("read as part of");
  });

  it("trace of a settings file goes through the script that sources it", async () => {
    const io = captureIo();
    expect(await main(["trace", join(tmp, "settings.conf"), "--src", "198.51.100.7", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "25", "--iif", "eth0"], io)).toBe(0);
    expect(io.err).toBe(`${join(tmp, "settings.conf")}: traced as part of ${join(tmp, "fw.sh")}, found beside it, which sources it\n`);
    expect(io.out).toMatch(/^tcp 198\.51\.100\.7 -> 10\.0\.0\.5:25 iif eth0 \[input\]: ACCEPT\n.*settings\.conf:3 accept/s);
  });

  it("an inline suppression in a sourced file hides the finding at its rule", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-script-sourced-suppress-"));
    try {
      writeFileSync(join(dir, "fw.sh"), ["#!/bin/sh", "WAN=eth0", "iptables -P INPUT DROP", "iptables -P FORWARD DROP", ". ./site-rules.sh", ""].join("\n"));
      writeFileSync(join(dir, "site-rules.sh"), '# fwlint-disable-next-line exposed-service -- replicas only, filtered upstream\niptables -A INPUT -i "$WAN" -p tcp --dport 3306 -j ACCEPT\n');
      const { status, report } = await check(join(dir, "fw.sh"));
      expect(status).toBe(0);
      expect(exposures(report)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("named alone, a sourced script or settings file is read with the script beside it that sources it", async () => {
    for (const [name, service, line] of [["site-rules.sh", "mysql", 1], ["settings.conf", "smtp", 3]] as const) {
      const { status, report } = await check(join(tmp, name));
      expect(status).toBe(1);
      expect(report.files[0]!.diagnostics.map((d) => d.message)).toEqual([`read as part of ${join(tmp, "fw.sh")}, found beside it, which sources it: its rules are analysed there`]);
      expect(exposures(report)).toEqual([`${service} ${join(tmp, name)}:${line}`]);
    }
  });
});
