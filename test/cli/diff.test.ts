import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { findingsNewSince, runDiff } from "../../src/cli/diff.js";
import { analyzeText } from "../../src/engine/check.js";
import { captureIo } from "./io.js";

const HEAD = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
`;
const BASE = `${HEAD}COMMIT\n`;
const WITH_SMTP = `${HEAD}-A INPUT -p tcp --dport 25 -j ACCEPT\nCOMMIT\n`;
const SCRIPT = `#!/bin/sh
IPT=/sbin/iptables
$IPT -F
$IPT -P INPUT DROP
$IPT -P FORWARD DROP
$IPT -P OUTPUT ACCEPT
$IPT -A INPUT -i lo -j ACCEPT
$IPT -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
$IPT -A INPUT -p tcp --dport 22 -j ACCEPT
`;

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "fwlint-diff-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function files(entries: Record<string, string>): Record<string, string> {
  const dir = tempDir();
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(entries)) {
    out[name] = join(dir, name);
    writeFileSync(out[name]!, text);
  }
  return out;
}

async function run(argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", ["-c", "user.email=t@example.org", "-c", "user.name=t", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", ...args], { cwd, stdio: "pipe" });
}

describe("fwlint diff OLD NEW", () => {
  it("reports tcp/25 opened, in words and exit 1", async () => {
    const f = files({ "old.rules": BASE, "new.rules": WITH_SMTP });
    const r = await run(["diff", f["old.rules"]!, f["new.rules"]!]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`this change opens TCP/25 from any source to any destination (${f["new.rules"]}:8), e.g. tcp 198.51.100.7:40000 -> 10.0.0.5:25`);
    expect(r.out).toMatch(/new finding: \[high\] exposed-service .*SMTP/);
  });

  // An inet rule opens a region of each family: each sentence says which, so they do not read as one line twice.
  it("names the family of each region when the change opens both", async () => {
    const head = "table inet f {\n chain input {\n  type filter hook input priority filter; policy drop;\n";
    const f = files({ "old.nft": `${head} }\n}\n`, "new.nft": `${head}  tcp dport 25 accept\n }\n}\n` });
    const r = await run(["diff", f["old.nft"]!, f["new.nft"]!]);
    expect(r.code).toBe(1);
    const sentences = r.out.split("\n").filter((l) => l.startsWith("this change"));
    expect(sentences.map((l) => l.replace(/ \(.*/, ""))).toEqual([
      "this change opens IPv4 TCP/25 from any source to any destination",
      "this change opens IPv6 TCP/25 from any source to any destination",
    ]);
  });

  it("JSON follows the contract", async () => {
    const f = files({ "old.rules": BASE, "new.rules": WITH_SMTP });
    const r = await run(["diff", f["old.rules"]!, f["new.rules"]!, "--format", "json"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(["version", "opened", "closed", "newFindings", "resolvedFindings"]));
    expect(j.version).toBe(1);
    expect(j.opened).toHaveLength(1);
    expect(j.opened[0]).toMatchObject({ direction: "inbound", family: 4, protocol: "tcp", ports: [[25, 25]], sourceCoverage: 1, location: { file: f["new.rules"], line: 8 } });
    expect(j.opened[0].witness).toMatchObject({ family: 4, proto: "tcp", dport: 25, hook: "input" });
    expect(j.closed).toEqual([]);
    expect(j.newFindings.map((x: { ruleId: string }) => x.ruleId)).toEqual(["exposed-service"]);
    expect(j.resolvedFindings).toEqual([]);
  });

  it("a closing only exits 0 and names the old rule", async () => {
    const f = files({ "old.rules": WITH_SMTP, "new.rules": BASE });
    const r = await run(["diff", f["old.rules"]!, f["new.rules"]!]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`this change closes TCP/25 from any source to any destination (${f["old.rules"]}:8)`);
    expect(r.out).toMatch(/resolved finding: .*SMTP/);
  });

  it("an iptables-save file and the same rules as a script: no difference, exit 0", async () => {
    const f = files({ "rules.v4": BASE, "firewall.sh": SCRIPT });
    const r = await run(["diff", f["rules.v4"]!, f["firewall.sh"]!, "--format", "json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ opened: [], closed: [], newFindings: [], resolvedFindings: [] });
  });

  it("usage and read errors exit 2", async () => {
    const f = files({ "old.rules": BASE, "junk.txt": "hello\n" });
    expect((await run(["diff", f["old.rules"]!])).code).toBe(2);
    expect((await run(["diff", f["old.rules"]!, join(tempDir(), "missing")])).code).toBe(2);
    const junk = await run(["diff", f["old.rules"]!, f["junk.txt"]!]);
    expect(junk.code).toBe(2);
    expect(junk.err).toMatch(/not a firewall configuration/);
    expect((await run(["diff", "--format", "xml", "a", "b"])).code).toBe(2);
    expect((await run(["diff", "--help"])).out).toMatch(/--base REF/);
  });
});

describe("fwlint diff --base REF", () => {
  it("compares the working tree with a git revision; a new file opens what it accepts", async () => {
    const repo = tempDir();
    git(repo, "init", "-q");
    mkdirSync(join(repo, "fw"));
    writeFileSync(join(repo, "fw", "rules.v4"), BASE);
    writeFileSync(join(repo, "README"), "not a ruleset\n");
    // a distribution's stock nftables.conf: comments only, no reader claims it
    writeFileSync(join(repo, "fw", "nftables.conf"), "# include \"/etc/nftables/main.nft\"\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "base");
    writeFileSync(join(repo, "fw", "rules.v4"), WITH_SMTP);
    writeFileSync(join(repo, "fw", "nftables.conf"), "# include \"/etc/nftables/main.nft\"\n\n# edited\n");

    const io = captureIo();
    const code = await runDiff(["--base", "HEAD", "--format", "json"], io, { cwd: repo });
    expect(io.err).toBe("");
    expect(code).toBe(1);
    const j = JSON.parse(io.out);
    expect(j.opened).toHaveLength(1);
    expect(j.opened[0]).toMatchObject({ protocol: "tcp", ports: [[25, 25]], location: { file: join("fw", "rules.v4"), line: 8 } });
    expect(j.files).toEqual([expect.objectContaining({ old: "HEAD:fw/rules.v4", new: join("fw", "rules.v4") })]);

    // Unchanged against the new commit: nothing to say.
    git(repo, "commit", "-q", "-am", "smtp");
    const same = captureIo();
    expect(await runDiff(["--base", "HEAD", "fw"], same, { cwd: repo })).toBe(0);
    expect(same.out).toMatch(/no difference/);

    // Against the first commit, with an explicit path.
    const text = captureIo();
    expect(await runDiff(["--base", "HEAD~1", join("fw", "rules.v4")], text, { cwd: repo })).toBe(1);
    expect(text.out).toContain("this change opens TCP/25 from any source");

    // A file that is not at REF is new: everything it accepts is opened.
    writeFileSync(join(repo, "fw", "extra.rules"), BASE);
    const added = captureIo();
    expect(await runDiff(["--base", "HEAD", join("fw", "extra.rules"), "--format", "json"], added, { cwd: repo })).toBe(1);
    const aj = JSON.parse(added.out);
    expect(aj.opened.some((r: { protocol: string; ports: number[][] }) => r.protocol === "tcp" && r.ports.some(([a, b]) => a! <= 22 && 22 <= b!))).toBe(true);
    expect(aj.closed).toEqual([]);

    // A bad revision is an error.
    const bad = captureIo();
    expect(await runDiff(["--base", "no-such-ref"], bad, { cwd: repo })).toBe(2);
    expect(bad.err).toMatch(/unknown git revision/);
  });
});

describe("check --new-only helper", () => {
  it("findingsNewSince keeps only the findings the base revision did not have", async () => {
    const repo = tempDir();
    git(repo, "init", "-q");
    writeFileSync(join(repo, "rules.v4"), BASE);
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "base");
    // SMTP added at the end, and the ssh rule moved: only SMTP is new.
    const changed = BASE.replace("-A INPUT -p tcp --dport 22 -j ACCEPT\n", "").replace("COMMIT", "-A INPUT -p tcp --dport 25 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT");
    writeFileSync(join(repo, "rules.v4"), changed);
    const now = analyzeText("rules.v4", changed);
    expect(now.findings.length).toBeGreaterThan(1);
    const fresh = await findingsNewSince("HEAD", "rules.v4", now.findings, {}, repo);
    expect(fresh.map((f) => f.exposure?.service)).toEqual(["smtp"]);
    // A file the revision does not have: every finding is new.
    writeFileSync(join(repo, "other.v4"), changed);
    expect(await findingsNewSince("HEAD", "other.v4", now.findings, {}, repo)).toHaveLength(now.findings.length);
  });
});

describe("fwlint check --new-only --base REF", () => {
  it("reports only the finding the working tree added since REF", async () => {
    const { execFileSync } = await import("node:child_process");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { main } = await import("../../src/cli/main.js");
    const dir = mkdtempSync(join(tmpdir(), "fwlint-newonly-"));
    const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid" } });
    const head = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    writeFileSync(join(dir, "rules.v4"), `${head}-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n`);
    git("init", "-q");
    git("add", "rules.v4");
    git("commit", "-qm", "ssh open");
    writeFileSync(join(dir, "rules.v4"), `${head}-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n`);
    let out = "";
    const io = { stdout: (t: string) => void (out += t), stderr: () => undefined, stdoutIsTTY: false, env: {} };
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const code = await main(["check", "--new-only", "--base", "HEAD", "--format", "json", "rules.v4"], io);
      expect(code).toBe(1);
    } finally {
      process.chdir(cwd);
    }
    const report = JSON.parse(out);
    expect(report.findings.map((f: { exposure?: { service?: string } }) => f.exposure?.service)).toEqual(["smtp"]);
  });
});

/**
 * An nftables.conf that includes nftables.d/*.nft: the version at REF includes the fragments as
 * they were at REF. Before, the old side read the working tree's fragments, so a change made only
 * in a fragment compared equal ("no difference", exit 0) while it opened SMTP to everyone.
 */
describe("fwlint diff --base REF with nft includes", () => {
  const CONF = `#!/usr/sbin/nft -f
flush ruleset
define WAN = "eth0"
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iif lo accept
		include "nftables.d/*.nft"
	}
}
`;
  function repoWithFragments(): string {
    const repo = tempDir();
    git(repo, "init", "-q");
    mkdirSync(join(repo, "nftables.d"));
    writeFileSync(join(repo, "nftables.conf"), CONF);
    // rules alone: no reader recognises them outside their includer
    writeFileSync(join(repo, "nftables.d", "10-ssh.nft"), "ip saddr 10.0.0.0/8 tcp dport 22 accept\n");
    writeFileSync(join(repo, "nftables.d", "20-mail.nft"), "iifname $WAN tcp dport 587 accept\n");
    writeFileSync(join(repo, "nftables.d", "30-block.nft"), "tcp dport 25 drop\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "base");
    return repo;
  }
  const smtpOpened = (j: { opened: { protocol: string; ports: number[][]; location?: { file: string; line: number } }[] }) =>
    j.opened.filter((r) => r.protocol === "tcp" && r.ports.some(([a, b]) => a! <= 25 && 25 <= b!));

  it("a change made only in a fragment is the includer's change, reported once where the rule is", async () => {
    const repo = repoWithFragments();
    const unchanged = captureIo();
    expect(await runDiff(["--base", "HEAD"], unchanged, { cwd: repo })).toBe(0);
    expect(unchanged.out).toMatch(/no difference/);
    expect(unchanged.err).toBe("");

    writeFileSync(join(repo, "nftables.d", "20-mail.nft"), "iifname $WAN tcp dport { 25, 587 } accept\n");
    const io = captureIo();
    expect(await runDiff(["--base", "HEAD", "--format", "json"], io, { cwd: repo })).toBe(1);
    expect(io.err).toBe("");
    const j = JSON.parse(io.out);
    // one region per family, at the fragment's rule, the whole ruleset compared once
    expect(smtpOpened(j).map((r) => [r.location?.file, r.location?.line])).toEqual([
      [join("nftables.d", "20-mail.nft"), 1],
      [join("nftables.d", "20-mail.nft"), 1],
    ]);
    expect(j.opened).toHaveLength(2);
    expect(j.files.map((f: { old: string; new: string }) => [f.old, f.new])).toEqual([["HEAD:nftables.conf", "nftables.conf"]]);
    const newExposures = j.newFindings.filter((f: { ruleId: string }) => f.ruleId === "exposed-service");
    expect(newExposures.map((f: { exposure?: { service?: string } }) => f.exposure?.service)).toEqual(["smtp", "smtp"]);
    // the drop after it now decides nothing: said once, at the fragment's line
    expect(j.newFindings.filter((f: { ruleId: string }) => f.ruleId !== "exposed-service").map((f: { location: { file: string } }) => f.location.file)).toEqual([join("nftables.d", "30-block.nft")]);
  });

  it("a fragment named alone is compared through the includer beside it; so is one deleted", async () => {
    const repo = repoWithFragments();
    writeFileSync(join(repo, "nftables.d", "20-mail.nft"), "iifname $WAN tcp dport { 25, 587 } accept\n");
    const named = captureIo();
    expect(await runDiff(["--base", "HEAD", join("nftables.d", "20-mail.nft")], named, { cwd: repo })).toBe(1);
    expect(named.err).toBe(`${join("nftables.d", "20-mail.nft")}: compared as part of nftables.conf, found beside it, which includes it\n`);
    expect(named.out).toContain(`this change opens IPv4 TCP/25 from any source to any destination (${join("nftables.d", "20-mail.nft")}:1)`);

    // a drop before the mail rule, committed, then deleted: 587 opens through the includer's version at HEAD
    writeFileSync(join(repo, "nftables.d", "20-mail.nft"), "iifname $WAN tcp dport 587 accept\n");
    writeFileSync(join(repo, "nftables.d", "05-hold.nft"), "tcp dport 587 drop\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "hold mail");
    rmSync(join(repo, "nftables.d", "05-hold.nft"));
    const deleted = captureIo();
    expect(await runDiff(["--base", "HEAD", "--format", "json", join("nftables.d", "05-hold.nft")], deleted, { cwd: repo })).toBe(1);
    expect(deleted.err).toBe(`${join("nftables.d", "05-hold.nft")}: compared as part of nftables.conf, found beside it, which includes it\n`);
    const opened = JSON.parse(deleted.out).opened as { protocol: string; ports: number[][]; location: { file: string } }[];
    expect(opened.map((r) => [r.protocol, r.ports, r.location.file])).toEqual([
      ["tcp", [[587, 587]], join("nftables.d", "20-mail.nft")],
      ["tcp", [[587, 587]], join("nftables.d", "20-mail.nft")],
    ]);
  });

  it("a change made only in the settings a script sources is the script's change", async () => {
    const repo = tempDir();
    git(repo, "init", "-q");
    writeFileSync(join(repo, "fw.sh"), ['#!/bin/sh', '. "$(dirname "$0")/settings.conf"', "iptables -P INPUT DROP", 'for p in $PORTS; do iptables -A INPUT -i "$WAN" -p tcp --dport "$p" -j ACCEPT; done', ""].join("\n"));
    writeFileSync(join(repo, "settings.conf"), 'WAN=eth0\nPORTS="80 443"\n');
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "base");
    writeFileSync(join(repo, "settings.conf"), 'WAN=eth0\nPORTS="80 443 3306"\n');
    for (const named of [[], ["settings.conf"]]) {
      const io = captureIo();
      expect(await runDiff(["--base", "HEAD", ...named], io, { cwd: repo })).toBe(1);
      expect(io.out).toContain("this change opens TCP/3306 from any source to any destination (fw.sh:4)");
      // (named alone, as a pull request's changed file: its sourcing script found beside it)
      expect(io.err).toBe(named.length ? "settings.conf: compared as part of fw.sh, found beside it, which sources it\n" : "");
    }
  });

  it("check --new-only reads the includer's fragments as they were at REF", async () => {
    const repo = repoWithFragments();
    writeFileSync(join(repo, "nftables.d", "10-ssh.nft"), "tcp dport 22 accept\n");
    const fresh = await findingsNewSince("HEAD", join(repo, "nftables.conf"), analyzeText(join(repo, "nftables.conf"), CONF).findings, {}, repo);
    expect(fresh.map((f) => f.exposure?.service)).toEqual(["ssh", "ssh"]);
  });
});
