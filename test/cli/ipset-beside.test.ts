/**
 * ipset save files through the CLI: check reads the sets of the ruleset beside them (its folder, or
 * the one above); an ipsets file named alone (what pre-commit passes when only it is staged) is
 * reported with the analysis of the ruleset that reads it, or as a file no ruleset reads; baseline
 * and review read it so too; diff --base sees a change to a set as what it opens.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { scan } from "../../src/review/session.js";
import { captureIo } from "./io.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-ipset-beside-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RULES = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -m set --match-set admins src -j ACCEPT
COMMIT
`;
const SETS = "create admins hash:net family inet hashsize 1024 maxelem 65536\nadd admins 192.0.2.0/24\n";
const WIDE = `${SETS}add admins 0.0.0.0/1\n`;

type Report = { files: { path: string; format: string; diagnostics: { severity: string; message: string }[] }[]; findings: { ruleId: string; message: string; location: { file: string; line: number } }[] };

async function check(...args: string[]) {
  const io = captureIo();
  const status = await main(["check", "--format", "json", ...args], io);
  return { status, report: io.out ? (JSON.parse(io.out) as Report) : undefined, err: io.err };
}

/** etc/iptables/rules.v4 with the sets in etc/iptables/ipsets (or `setsAt`, relative to etc/). */
function layout(name: string, sets: string, setsAt = "iptables/ipsets"): { rules: string; sets: string } {
  const etc = join(tmp, name, "etc");
  mkdirSync(join(etc, "iptables"), { recursive: true });
  writeFileSync(join(etc, "iptables", "rules.v4"), RULES);
  writeFileSync(join(etc, setsAt), sets);
  return { rules: join(etc, "iptables", "rules.v4"), sets: join(etc, setsAt) };
}

const ssh = (r: Report | undefined) => (r?.findings ?? []).filter((f) => f.ruleId === "exposed-service" && f.message.startsWith("SSH")).map((f) => `${f.location.line} ${f.message}`);

describe("ipset save files beside an iptables ruleset", () => {
  it("check of the ruleset reads the sets beside it, or in the folder above", async () => {
    const narrow = layout("narrow", SETS);
    expect(ssh((await check(narrow.rules)).report)).toEqual([]);
    const wide = layout("wide", WIDE);
    expect(ssh((await check(wide.rules)).report)).toEqual(["6 SSH (tcp/22) is reachable from 56.5% of public IPv4 sources on the inbound path"]);
    const above = layout("above", WIDE, "ipset.conf");
    const r = await check(above.rules);
    expect(ssh(r.report)).toHaveLength(1);
    expect(r.report!.files[0]!.diagnostics.map((d) => d.message)).toContain(`ipsets read from ${above.sets} (1 set)`);
  });

  it("the ipsets file named alone is reported with the whole analysis of the ruleset that reads it", async () => {
    const wide = layout("alone", WIDE);
    const r = await check(wide.sets);
    expect(r.status).toBe(1);
    expect(r.report!.files.map((f) => [f.path, f.format])).toEqual([[wide.sets, "ipset"]]);
    expect(r.report!.files[0]!.diagnostics[0]!.message).toBe(`read as part of ${wide.rules}, found beside it, which reads its sets: what they hold is analysed there`);
    expect(r.report!.findings.filter((f) => f.ruleId === "exposed-service").map((f) => [f.location.file, f.location.line])).toEqual([[wide.rules, 6]]);
    // from the folder above (Arch's /etc/ipset.conf): the ruleset in a folder just below
    const above = layout("alone-above", WIDE, "ipset.conf");
    expect((await check(above.sets)).report!.findings.map((f) => f.location.file)).toContain(above.rules);
    // named with its ruleset: each finding once
    const both = await check(wide.rules, wide.sets);
    expect(ssh(both.report)).toHaveLength(1);
  });

  it("an error in the ipsets file: ipset restore refuses it, at its line", async () => {
    const bad = layout("bad", `${SETS}add admins 300.1.1.1\n`);
    const r = await check(bad.rules);
    expect(r.status).toBe(1);
    const refused = r.report!.findings.filter((f) => f.ruleId === "ruleset-does-not-load");
    expect(refused.map((f) => [f.location.file, f.location.line, f.message])).toEqual([
      [bad.sets, 3, `ipset restore refuses ${bad.sets}: expected an IPv4 address, found '300.1.1.1' (element of hash:net set 'admins'); loading it fails, and the firewall keeps the sets it had`],
    ]);
  });

  it("an ipsets file no ruleset beside it reads is no error: an info says so", async () => {
    const dir = join(tmp, "lone");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "ipsets"), SETS);
    const r = await check(join(dir, "ipsets"));
    expect(r.status).toBe(0);
    expect(r.report!.files[0]!.diagnostics.map((d) => d.message)).toEqual(["an ipset save file that no iptables ruleset beside it reads (in its folder or one just below): nothing to check on its own"]);
    // a file named so that is no ipset save file is what it was: not a firewall configuration
    writeFileSync(join(dir, "ipset-notes"), "remember to save the sets\n");
    expect((await check(join(dir, "ipset-notes"))).status).toBe(2);
  });

  it("a file of any name a script restores its sets from, named alone: reported with the script's analysis", async () => {
    const dir = join(tmp, "script-restores");
    mkdirSync(dir, { recursive: true });
    const script = join(dir, "firewall.sh");
    writeFileSync(script, '#!/bin/sh\nipset restore < "$(dirname "$0")/blocklists.save"\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -m set --match-set admins src -j ACCEPT\n');
    const sets = join(dir, "blocklists.save");
    writeFileSync(sets, WIDE);
    const r = await check(sets);
    expect(r.status).toBe(1);
    expect(r.report!.files.map((f) => [f.path, f.format])).toEqual([[sets, "ipset"]]);
    expect(r.report!.files[0]!.diagnostics[0]!.message).toBe(`read as part of ${script}, found beside it, which reads its sets: what they hold is analysed there`);
    expect(ssh(r.report)).toEqual(["4 SSH (tcp/22) is reachable from 56.5% of public IPv4 sources on the inbound path"]);
    // the sets narrowed: the script's SSH rule is no exposure
    writeFileSync(sets, SETS);
    expect(ssh((await check(sets)).report)).toEqual([]);
  });

  it("baseline and review read the ipsets file named alone as check does", async () => {
    const wide = layout("baseline", WIDE);
    const io = captureIo();
    const out = join(tmp, "baseline", "baseline.json");
    expect(await main(["baseline", "--output", out, wide.sets], io)).toBe(0);
    expect(io.err).toContain("1 finding written");
    const review = await scan({ paths: [wide.sets], baselineFile: join(tmp, "none.json") });
    expect(review.problems).toEqual([]);
    expect(review.files.map((f) => [f.path, f.format])).toEqual([[wide.sets, "ipset"]]);
    expect(review.findings.map((f) => f.finding.location.line)).toEqual([6]);
    // the review of the ruleset watches its ipsets file, and where one may come (a new file there is read)
    const ofRules = await scan({ paths: [wide.rules], baselineFile: join(tmp, "none.json") });
    expect(ofRules.files[0]!.readAlso).toEqual([wide.sets]);
    expect(ofRules.files[0]!.readMatching).toEqual([join(tmp, "baseline", "etc", "iptables", "*ipset*"), join(tmp, "baseline", "etc", "*ipset*")]);
  });

  it("diff --base: widening a set opens what the rule reading it lets in", async () => {
    const repo = join(tmp, "repo");
    const { sets } = layout("repo", SETS);
    const git = (...args: string[]) => spawnSync("git", ["-c", "user.email=t@example.invalid", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...args], { cwd: repo, encoding: "utf8" });
    expect(git("init", "-q").status).toBe(0);
    expect(git("add", "-A").status).toBe(0);
    expect(git("commit", "-qm", "sets").status).toBe(0);
    writeFileSync(sets, WIDE);
    const io = captureIo();
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      expect(await main(["diff", "--base", "HEAD"], io)).toBe(1);
    } finally {
      process.chdir(cwd);
    }
    expect(io.out).toMatch(/this change opens TCP\/22 from 56\.5% of public IPv4 sources to any destination \(etc\/iptables\/rules\.v4:6\)/);
    expect(io.out).toContain("new finding: [high] exposed-service etc/iptables/rules.v4:6: SSH (tcp/22) is reachable from 56.5% of public IPv4 sources");
  });
});
