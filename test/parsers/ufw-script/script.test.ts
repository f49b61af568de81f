/**
 * Scripts of ufw commands read as ufw loads them (parsers/ufw-script): what is recognised as one,
 * where each rule and policy stands, both families in one ruleset, what is told and left out, and
 * the findings a provisioning script's openings give. The kernel test
 * (test/kernel/ufw-script.test.ts) runs fixtures/ufw-script with the real ufw in a namespace.
 */
import { describe, expect, it } from "vitest";
import { detectUfwScript, parseUfwScript } from "../../../parsers/ufw-script/index.js";
import { analyzeText } from "../../../src/engine/check.js";
import { detectFormat, loadFormats } from "../../../src/engine/formats.js";
import type { Ruleset } from "../../../src/model/types.js";

const FILE = "/repo/provision.sh";
const read = (lines: string[]) => parseUfwScript(["#!/bin/sh", ...lines, ""].join("\n"), FILE);
const said = (rs: Ruleset, severity = "info") => rs.diagnostics.filter((d) => d.severity === severity).map((d) => `${d.line}:${d.column} ${d.message}`);
/** The user rules of a family's input chain: "line action". */
const user = (rs: Ruleset, family: 4 | 6 = 4) => rs.chains.get(`${family === 6 ? "ip6:" : ""}filter/${family === 6 ? "ufw6" : "ufw"}-user-input`)!.rules.map((r) => `${r.span.line} ${r.action.kind}`);

describe("recognising a script of ufw commands", () => {
  it("runs ufw to change its rules or policies (by name, path, sudo or a variable), at least as often as iptables", () => {
    expect(detectUfwScript("#!/bin/bash\nufw allow 22/tcp\nufw --force enable\n")).toBe(true);
    expect(detectUfwScript("sudo ufw default deny incoming\n")).toBe(true);
    expect(detectUfwScript('UFW=/usr/sbin/ufw\n$UFW limit ssh\n')).toBe(true);
    expect(detectUfwScript("ufw status verbose\nufw enable\n")).toBe(false);
    expect(detectUfwScript("ufw allow 22\niptables -A INPUT -p tcp --dport 80 -j ACCEPT\niptables -A INPUT -j DROP\n")).toBe(false);
    expect(detectUfwScript("ufw allow 22\nnft add rule inet f input tcp dport 80 accept\n")).toBe(false);
    expect(detectUfwScript("# Setup\n\n```sh\nufw allow 22/tcp\n```\n")).toBe(false);
    expect(detectFormat("#!/bin/sh\nufw allow 25/tcp\n")).toBe("ufw-script");
  });
});

describe("reading a script of ufw commands", () => {
  it("each rule at the command that made it, for IPv4 and IPv6; a rule for an IPv4 source in IPv4's rules only", () => {
    const rs = read(["ufw default deny incoming", "ufw allow 25/tcp", "ufw deny from 203.0.113.7", "for p in 80 443; do ufw allow $p/tcp; done", "ufw --force enable"]);
    expect(rs.format).toBe("ufw-script");
    expect(rs.families).toEqual([4, 6]);
    expect(user(rs)).toEqual(["3 accept", "4 drop", "5 accept", "5 accept"]);
    expect(user(rs, 6)).toEqual(["3 accept", "5 accept", "5 accept"]);
    expect(rs.chains.get("filter/ufw-user-input")!.rules[0]!.span).toMatchObject({ file: FILE, line: 3, column: 1, text: "ufw allow 25/tcp" });
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(said(rs)).toEqual(["1:1 read as ufw loads it once the script has run: its rules between the ufw package's before.rules and after.rules (ufw 0.36), default policies incoming DROP, outgoing ACCEPT, routed DROP"]);
  });

  it("ufw run through $(which ufw), sudo, and with its question answered by `yes |`", () => {
    const rs = read(["UFW=$(which ufw)", "$UFW allow 25/tcp", "sudo ufw allow 110/tcp", "yes | ufw enable"]);
    expect(user(rs)).toEqual(["3 accept", "4 accept"]);
    expect(said(rs).some((m) => /does not enable ufw/.test(m))).toBe(false);
  });

  it("what it cannot know or does not follow is told: application profiles, delete by number; a script that never enables ufw", () => {
    const rs = read(["ufw allow Plex", "ufw delete 2", "iptables -A INPUT -p tcp --dport 8080 -j ACCEPT", "ufw allow OpenSSH"]);
    expect(user(rs)).toEqual(["5 accept"]);
    expect(said(rs, "error")).toEqual([]);
    expect(said(rs).slice(2)).toEqual([
      "2:1 'ufw allow Plex' skipped: application profile 'Plex' is defined by the host's packages (/etc/ufw/applications.d), which fwlint does not know",
      "3:1 'ufw delete 2' skipped: without --force ufw asks \"Proceed with operation (y|n)?\" on its standard input, which fwlint does not know",
      "4:1 'iptables' skipped: this script is read for its ufw commands, and its iptables rules are not in the model (ufw's before.rules is where ufw takes such rules)",
    ]);
    expect(said(rs)[1]).toBe("1:1 the script does not enable ufw: what ufw loads is analysed as if it were enabled");
  });

  it("its findings: an opening at its command, a default allow at its `ufw default`", async () => {
    await loadFormats(["ufw-script"]);
    const text = ["#!/bin/sh", "ufw default deny incoming", "ufw allow 25/tcp", "ufw allow from 192.0.2.0/24 to any port 3306 proto tcp", "ufw limit ssh", "ufw enable", ""].join("\n");
    const exposures = analyzeText(FILE, text).findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.location.line} ${f.exposure?.service} IPv${f.exposure?.family}`);
    expect(exposures).toEqual(["3 smtp IPv4", "3 smtp IPv6", "5 ssh IPv4", "5 ssh IPv6"]);
    // a default allow: what no rule decides is let in, at the `ufw default` that says so; NetBIOS and
    // SMB at the package's after.rules lines that hand them to that policy
    const open = analyzeText(FILE, ["#!/bin/sh", "ufw default allow incoming", "ufw deny 22/tcp", "ufw enable", ""].join("\n")).findings.filter((f) => f.ruleId === "exposed-service");
    expect([...new Set(open.map((f) => `${f.location.file}:${f.location.line}`))].sort()).toEqual(["(ufw package) after.rules:7", "(ufw package) after.rules:8", "(ufw package) after6.rules:7", "(ufw package) after6.rules:8", `${FILE}:2`]);
    expect(open.some((f) => /SSH/.test(f.message))).toBe(false);
  });
});
