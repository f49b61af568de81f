/**
 * nftables `include` through the CLI: an included file is read relative to the including one and
 * only inside the scanned tree - the folder named on the command line, or the file's own folder
 * when a file is named - and findings point into the included file.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { captureIo } from "./io.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-nft-include-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const etc = join(tmp, "etc");
mkdirSync(join(etc, "nftables"), { recursive: true });
mkdirSync(join(etc, "common"), { recursive: true });
writeFileSync(
  join(etc, "nftables", "main.nft"),
  `#!/usr/sbin/nft -f
flush ruleset
include "../common/services.nft"
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		jump services
	}
}
`,
);
writeFileSync(
  join(etc, "common", "services.nft"),
  `table inet filter {
	chain services {
		tcp dport 25 accept
	}
}
`,
);

async function check(...args: string[]) {
  const io = captureIo();
  const status = await main(["check", "--format", "json", ...args], io);
  return { status, io, report: io.out ? (JSON.parse(io.out) as { files: { path: string; diagnostics: { severity: string; message: string; file: string; line: number }[] }[]; findings: { ruleId: string; location: { file: string; line: number } }[] }) : undefined };
}

/**
 * tmp/NAME/nftables.conf, whose input chain includes nftables.d/*.nft, and its fragment
 * nftables.d/20-mail.nft of one rule alone (SMTP from the WAN interface); returns the fragment.
 */
function splitRuleset(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, "nftables.d"), { recursive: true });
  writeFileSync(join(dir, "nftables.conf"), `flush ruleset\ndefine WAN = "eth0"\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tinclude "./nftables.d/*.nft"\n\t}\n}\n`);
  const fragment = join(dir, "nftables.d", "20-mail.nft");
  writeFileSync(fragment, `iifname $WAN tcp dport 25 accept\n`);
  return fragment;
}

describe("nft include through the CLI", () => {
  it("reads an include elsewhere in the named folder, and the finding points into the included file", async () => {
    const { status, report } = await check(etc);
    expect(status).toBe(1);
    const smtp = report!.findings.find((f) => f.ruleId === "exposed-service" && f.location.file.endsWith(join("common", "services.nft")));
    expect(smtp, JSON.stringify(report!.findings.map((f) => [f.ruleId, f.location]))).toBeDefined();
    expect(smtp!.location.line).toBe(3);
    const main = report!.files.find((f) => f.path.endsWith("main.nft"))!;
    expect(main.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("a file another checked file includes that stands on its own is checked on its own too; each finding is reported once", async () => {
    const { status, report } = await check(etc);
    expect(status).toBe(1);
    const services = report!.files.find((f) => f.path.endsWith(join("common", "services.nft")))!;
    expect(services.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const inServices = report!.findings.filter((f) => f.location.file.endsWith(join("common", "services.nft")));
    // alone, its chain is one no base chain jumps to; in main.nft's ruleset, tcp/25 is open
    expect(inServices.some((f) => f.ruleId === "unreachable-chain")).toBe(true);
    expect(inServices.some((f) => f.ruleId === "exposed-service")).toBe(true);
    const keys = report!.findings.map((f) => `${f.ruleId} ${f.location.file}:${f.location.line} ${(f as unknown as { message: string }).message}`);
    expect(keys).toEqual([...new Set(keys)]);
  });

  it("named together, an includer and its fragments: the fragments' defines and chains are the includer's", async () => {
    const dir = join(tmp, "named");
    mkdirSync(join(dir, "nftables.d"), { recursive: true });
    writeFileSync(join(dir, "nftables.conf"), `flush ruleset\ndefine WAN = "eth0"\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n}\ninclude "./nftables.d/*.nft"\n`);
    writeFileSync(join(dir, "nftables.d", "20-mail.nft"), `add rule inet filter input iifname $WAN tcp dport 25 accept\n`);
    const fragment = join(dir, "nftables.d", "20-mail.nft");
    const { status, report } = await check(fragment, join(dir, "nftables.conf"));
    expect(report!.files.flatMap((f) => f.diagnostics.filter((d) => d.severity === "error"))).toEqual([]);
    expect(report!.files.find((f) => f.path === fragment)!.diagnostics.map((d) => d.severity)).toEqual(["info"]);
    expect(report!.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.location.file}:${f.location.line}`)).toEqual([`${fragment}:1`, `${fragment}:1`]);
    expect(status).toBe(1);
    // named alone (pre-commit names only the staged file), the fragment is read with the includer found beside it
    const alone = await check(fragment);
    expect(alone.status).toBe(1);
    expect(alone.report!.files.map((f) => f.path)).toEqual([fragment]);
    expect(alone.report!.files[0]!.diagnostics).toEqual([expect.objectContaining({ severity: "info", message: `read as part of ${join(dir, "nftables.conf")}, found beside it, which includes it: its rules are analysed there` })]);
    expect(alone.report!.findings.map((f) => `${f.ruleId} ${f.location.file}:${f.location.line}`)).toEqual([`exposed-service ${fragment}:1`, `exposed-service ${fragment}:1`]);
    // with no includer beside it, it names what nothing defines
    const lone = join(tmp, "lone");
    mkdirSync(join(lone, "nftables.d"), { recursive: true });
    writeFileSync(join(lone, "nftables.d", "20-mail.nft"), `add rule inet filter input iifname $WAN tcp dport 25 accept\n`);
    const without = await check(join(lone, "nftables.d", "20-mail.nft"));
    expect(without.status).toBe(2);
    expect(without.report!.files[0]!.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toContain("undefined variable '$WAN'");
  });

  it("a fragment of rules alone, included inside a chain, named alone: read with its includer, not refused as no ruleset", async () => {
    // no table, chain or command: no reader recognises this text on its own
    const fragment = splitRuleset("rules-only");
    const alone = await check(fragment);
    expect(alone.io.err).toBe("");
    expect(alone.status).toBe(1);
    expect(alone.report!.files).toEqual([expect.objectContaining({ path: fragment, format: "nft" })]);
    expect(alone.report!.findings.map((f) => `${f.ruleId} ${f.location.file}:${f.location.line}`)).toEqual([`exposed-service ${fragment}:1`, `exposed-service ${fragment}:1`]);
    // the text report quotes the fragment's line, read where the includer read it
    const text = captureIo();
    expect(await main(["check", fragment], text)).toBe(1);
    expect(text.out).toContain("  1 | iifname $WAN tcp dport 25 accept\n");
    // without an includer beside it, it is still no ruleset fwlint reads
    const lone = join(tmp, "rules-only-lone");
    mkdirSync(lone, { recursive: true });
    writeFileSync(join(lone, "20-mail.nft"), `iifname $WAN tcp dport 25 accept\n`);
    const without = await check(join(lone, "20-mail.nft"));
    expect(without.status).toBe(2);
  });

  it("a file a script of nft commands loads, named alone: read as the script loads it, with its defines", async () => {
    const dir = join(tmp, "script-loads");
    mkdirSync(join(dir, "nft"), { recursive: true });
    const fragment = join(dir, "nft", "rules.nft");
    writeFileSync(fragment, `table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iifname $WAN tcp dport 25 accept
	}
}
`);
    writeFileSync(join(dir, "firewall.sh"), `#!/bin/sh
set -e
nft flush ruleset
nft -D WAN=eth0 -f nft/rules.nft
`);
    const alone = await check(fragment);
    expect(alone.io.err).toBe("");
    expect(alone.status).toBe(1);
    expect(alone.report!.files).toEqual([expect.objectContaining({ path: fragment, format: "nft" })]);
    expect(alone.report!.files[0]!.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(alone.report!.findings.map((f) => `${f.ruleId} ${f.location.file}:${f.location.line}`)).toEqual([`exposed-service ${fragment}:4`, `exposed-service ${fragment}:4`]);
  });

  it("trace of a fragment named alone follows packets through the ruleset its includer loads", async () => {
    const fragment = splitRuleset("trace");
    const io = captureIo();
    expect(await main(["trace", fragment, "--src", "198.51.100.7", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "25", "--iif", "eth0"], io)).toBe(0);
    expect(io.err).toBe(`${fragment}: traced as part of ${join(tmp, "trace", "nftables.conf")}, found beside it, which includes it\n`);
    expect(io.out).toContain(`: ACCEPT\n    inet filter input ${fragment}:1 accept  iifname $WAN tcp dport 25 accept`);
    // from another interface the includer's policy drops it
    const other = captureIo();
    expect(await main(["trace", fragment, "--src", "198.51.100.7", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "25", "--iif", "eth1"], other)).toBe(0);
    expect(other.out).toMatch(/: DROP\n.*policy DROP/);
  });

  it("baseline reads fragments as check does: with their includer, each finding once", async () => {
    const fragment = splitRuleset("baseline");
    const dir = join(tmp, "baseline");
    const written = (out: string) => JSON.parse(readFileSync(out, "utf8")) as { findings: { ruleId: string; file: string }[] };
    // the fragment named alone (it was 'not a firewall configuration', nothing written)
    const alone = join(dir, "alone.json");
    const io = captureIo();
    expect(await main(["baseline", "-o", alone, fragment], io)).toBe(0);
    expect(written(alone).findings.map((f) => [f.ruleId, f.file])).toEqual([
      ["exposed-service", join("nftables.d", "20-mail.nft")],
      ["exposed-service", join("nftables.d", "20-mail.nft")],
    ]);
    // the folder: the same two findings, not once from each analysis
    const whole = join(dir, "whole.json");
    expect(await main(["baseline", "-o", whole, dir], captureIo())).toBe(0);
    expect(written(whole).findings).toEqual(written(alone).findings);
    // and check --baseline with it hides them
    const hidden = await check("--baseline", whole, fragment);
    expect(hidden.status).toBe(0);
    expect(hidden.report!.findings).toEqual([]);
  });

  it("a message naming a rule of another file names the file: line 1 of one fragment is not line 1 of another", async () => {
    const dir = join(tmp, "other-file");
    mkdirSync(join(dir, "nftables.d"), { recursive: true });
    writeFileSync(join(dir, "nftables.conf"), `flush ruleset\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport 25 ip saddr 192.0.2.0/24 accept\n\t\tinclude "./nftables.d/*.nft"\n\t}\n}\n`);
    writeFileSync(join(dir, "nftables.d", "05-hold.nft"), `tcp dport 587 drop\n`);
    writeFileSync(join(dir, "nftables.d", "20-mail.nft"), `tcp dport 587 accept\n`);
    const { report } = await check(join(dir, "nftables.conf"));
    const shadowed = report!.findings.filter((f) => f.ruleId === "shadowed-rule") as unknown as { message: string; location: { file: string; line: number } }[];
    expect(shadowed.map((f) => [f.location.file, f.location.line])).toEqual([[join(dir, "nftables.d", "20-mail.nft"), 1]]);
    expect(shadowed[0]!.message).toBe(`rule can never match: line ${join(dir, "nftables.d", "05-hold.nft")}:1 (DROP) already matches every packet it matches; line ${join(dir, "nftables.d", "05-hold.nft")}:1 (DROP) decides differently from this rule (ACCEPT)`);
    // in the same file, a line is a line
    writeFileSync(join(dir, "nftables.d", "20-mail.nft"), `tcp dport 465 drop\ntcp dport 465 accept\n`);
    const same = await check(join(dir, "nftables.conf"));
    const inFile = same.report!.findings.filter((f) => f.ruleId === "shadowed-rule") as unknown as { message: string; location: { line: number } }[];
    expect(inFile.map((f) => [f.location.line, f.message])).toEqual([[2, "rule can never match: line 1 (DROP) already matches every packet it matches; line 1 (DROP) decides differently from this rule (ACCEPT)"]]);
  });

  it("a finding both an includer's and the included file's own analysis make is reported once", async () => {
    const dir = join(tmp, "twice");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "main.nft"), `flush ruleset\ninclude "./host.nft"\n`);
    writeFileSync(join(dir, "host.nft"), `table inet host {\n\tchain input {\n\t\ttype filter hook input priority 0; policy drop;\n\t\ttcp dport 25 accept\n\t}\n}\n`);
    const { report } = await check(join(dir, "main.nft"), join(dir, "host.nft"));
    const smtp = report!.findings.filter((f) => f.ruleId === "exposed-service");
    expect(smtp.map((f) => `${f.location.file}:${f.location.line}`)).toEqual([`${join(dir, "host.nft")}:4`, `${join(dir, "host.nft")}:4`]);
    expect(new Set(smtp.map((f) => (f as unknown as { message: string }).message)).size).toBe(2);
  });

  it("two files that include each other are each reported on their own", async () => {
    const dir = join(tmp, "cycle");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "a.nft"), `include "./b.nft"\ntable inet a {\n}\n`);
    writeFileSync(join(dir, "b.nft"), `include "./a.nft"\ntable inet b {\n}\n`);
    const { report } = await check(join(dir, "a.nft"), join(dir, "b.nft"));
    for (const f of report!.files) expect(f.diagnostics.some((d) => /include cycle/.test(d.message)), f.path).toBe(true);
  });

  it("refuses an include that leaves the folder of a file named on its own", async () => {
    const { report } = await check(join(etc, "nftables", "main.nft"));
    const errors = report!.files[0]!.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => `${d.line}: ${d.message}`)).toEqual([
      expect.stringMatching(/^3: include "\.\.\/common\/services\.nft" points outside the scanned tree/),
      "8: jump to chain 'services', which is not declared in table inet filter",
    ]);
    expect(report!.findings.filter((f) => f.ruleId === "exposed-service")).toEqual([]);
  });

  it("an absolute include of /etc/... is read from the tree's etc/ when the includer lives there", async () => {
    const repo = join(tmp, "deployed");
    mkdirSync(join(repo, "etc", "nftables.d"), { recursive: true });
    mkdirSync(join(repo, "other"), { recursive: true });
    const conf = `flush ruleset\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tinclude "/etc/nftables.d/*.nft"\n\t}\n}\n`;
    writeFileSync(join(repo, "etc", "nftables.conf"), conf);
    writeFileSync(join(repo, "etc", "nftables.d", "mail.nft"), "tcp dport 25 accept\n");
    const { status, report } = await check(join(repo, "etc", "nftables.conf"));
    expect(status).toBe(1);
    expect(report!.files[0]!.diagnostics.map((d) => `${d.severity} ${d.line}: ${d.message}`)).toEqual([
      `info 5: include "/etc/nftables.d/*.nft" read in the scanned tree, ${repo} taken for the root of the machine that loads it`,
    ]);
    expect(report!.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.location.file}:${f.location.line}`)).toEqual([
      `${join(repo, "etc", "nftables.d", "mail.nft")}:1`,
      `${join(repo, "etc", "nftables.d", "mail.nft")}:1`,
    ]);
    // from a sibling folder (etc/sysconfig/nftables.conf), when the walk's tree holds both
    mkdirSync(join(repo, "etc", "sysconfig"), { recursive: true });
    writeFileSync(join(repo, "etc", "sysconfig", "nftables.conf"), conf);
    const sibling = await check(repo);
    expect(sibling.report!.findings.filter((f) => f.ruleId === "exposed-service").map((f) => f.location.file)).toEqual([
      join(repo, "etc", "nftables.d", "mail.nft"),
      join(repo, "etc", "nftables.d", "mail.nft"),
    ]);
    // a tree without the folder: the path stays outside, as before
    writeFileSync(join(repo, "other", "nftables.conf"), conf);
    const other = await check(join(repo, "other", "nftables.conf"));
    expect(other.report!.files[0]!.diagnostics.map((d) => `${d.severity} ${d.message}`)).toEqual([
      expect.stringMatching(/^warning include "\/etc\/nftables\.d\/\*\.nft" points outside the scanned tree .*the files it may match are not read$/),
    ]);
    expect(other.report!.findings.filter((f) => f.ruleId === "exposed-service")).toEqual([]);
  });
});
