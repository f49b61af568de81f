/**
 * Shell scripts of nft commands: recognised apart from nft files, iptables scripts and
 * iptables-translate vectors; each command read where it stands in the script (rules, errors and
 * findings at the script's lines and columns); the shell followed as nft and the shell would run it
 * on a freshly booted machine (variables, here-documents, `&&` / `||`, `set -e`).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { detectNftScript, parseNftScript } from "../../../parsers/nft-script/index.js";
import { parseNft } from "../../../parsers/nftables/index.js";
import { verdictFor } from "../../../src/analysis/verdict.js";
import { analyzeText } from "../../../src/engine/check.js";
import { detectFormat } from "../../../src/engine/formats.js";
import type { Packet } from "../../../src/model/finding.js";
import type { Ruleset } from "../../../src/model/types.js";

const FILE = "firewall.sh";
const script = (lines: string[]): Ruleset => parseNftScript(lines.join("\n") + "\n", FILE);
const diags = (rs: Ruleset, severity?: string) => rs.diagnostics.filter((d) => !severity || d.severity === severity).map((d) => `${d.severity} ${d.line}:${d.column} ${d.message}`);
const ssh = (dport = 22, src = "198.51.100.7"): Packet => ({ family: 4, proto: "tcp", src, dst: "10.0.0.5", sport: 40000, dport, hook: "input", iif: "eth0" });
const verdict = (rs: Ruleset, p: Packet) => verdictFor(rs, p).verdict;
/** Rule positions of a chain, "line:column". */
const places = (rs: Ruleset, key: string) => rs.chains.get(key)!.rules.map((r) => `${r.span.line}:${r.span.column}`);

/** A table whose input chain lets $ADMIN reach SSH, as nft text a script writes (six lines). */
const ADMIN_SSH = ["table inet filter {", "  chain input {", "    type filter hook input priority 0; policy drop;", "    ip saddr $ADMIN tcp dport 22 accept", "  }", "}"];

const HEAD = ["#!/bin/sh", "nft add table inet filter", "nft add chain inet filter input '{ type filter hook input priority 0; policy drop; }'"];

describe("detectNftScript", () => {
  it.each([
    ["a plain list of commands", "nft add table inet filter\nnft add rule inet filter input tcp dport 22 accept\n"],
    ["a shebang script with a path and sudo", "#!/bin/sh\nsudo /usr/sbin/nft flush ruleset\n/usr/sbin/nft -f /etc/nftables.conf\n"],
    ["a variable holding the program", 'NFT="/usr/sbin/nft"\n$NFT add table ip filter\n${NFT} add chain ip filter input\n'],
    ["$(which nft)", "NFT=$(which nft)\n$NFT insert rule inet filter input ip saddr 192.0.2.1 drop\n"],
    ["a here-document loaded with -f -", "#!/bin/bash\nnft -f - <<'EOF'\ntable inet filter {\n  chain input { type filter hook input priority 0; }\n}\nEOF\n"],
    ["quoted commands after options", "nft -e 'add rule inet filter input tcp dport 22 accept'\n"],
  ])("recognises %s", (_what, text) => {
    expect(detectNftScript(text)).toBe(true);
    expect(detectFormat(text)).toBe("nft-script");
  });

  it.each([
    ["an nft file with its shebang", "#!/usr/sbin/nft -f\nflush ruleset\ntable inet filter {\n  chain input { type filter hook input priority 0; }\n}\n"],
    ["an nft command file", "add table inet filter\nadd rule inet filter input tcp dport 22 accept\n"],
    ["a script that only lists the ruleset", "#!/bin/sh\nnft list ruleset\nnft -a list table inet filter\n"],
    ["iptables-translate vectors", "iptables-translate -A INPUT -j ACCEPT\nnft 'add rule ip filter INPUT counter accept'\n"],
    ["an iptables script that also flushes nft", "#!/bin/sh\nnft flush ruleset\niptables -P INPUT DROP\niptables -A INPUT -i lo -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n"],
    ["prose", "Run nft add rule to add a rule; nft is the nftables command.\n"],
  ])("does not claim %s", (_what, text) => {
    expect(detectNftScript(text)).toBe(false);
  });

  it("leaves nft files to the nft reader and iptables scripts to theirs", () => {
    expect(detectFormat("#!/usr/sbin/nft -f\nflush ruleset\ntable inet filter {\n  chain input { type filter hook input priority 0; }\n}\n")).toBe("nft");
    expect(detectFormat("#!/bin/sh\nnft flush ruleset\niptables -P INPUT DROP\niptables -A INPUT -j DROP\n")).toBe("iptables-script");
  });
});

describe("parseNftScript: commands at their places", () => {
  it("reads commands as nft reads its arguments: quoted, escaped, split over lines, given by variables", () => {
    const rs = script([
      "#!/bin/sh",
      "WAN=eth0",
      'PORTS="{ 80, 443 }"',
      "nft add table inet filter",
      "nft add chain inet filter input \\{ type filter hook input priority 0 \\; policy drop \\; \\}",
      "nft add rule inet filter input iifname $WAN tcp dport 22 accept",
      "nft 'add rule inet filter input tcp dport 25 accept'",
      "nft add rule inet filter input \\",
      "    tcp dport $PORTS accept",
    ]);
    expect(diags(rs)).toEqual([]);
    expect(rs.format).toBe("nft-script");
    expect(places(rs, "inet filter/input")).toEqual(["6:32", "7:33", "9:5"]);
    expect(rs.chains.get("inet filter/input")!.policy).toBe("drop");
    expect(verdict(rs, ssh(22))).toBe("accept");
    expect(verdict(rs, { ...ssh(22), iif: "eth1" })).toBe("drop");
    expect(verdict(rs, ssh(443))).toBe("accept");
    expect(verdict(rs, ssh(8080))).toBe("drop");
  });

  it("reads the same ruleset as the command file of the same commands", () => {
    const commands = ["add table inet filter", "add chain inet filter input { type filter hook input priority 0; policy drop; }", "add rule inet filter input ct state established,related accept", "add rule inet filter input tcp dport { 22, 25 } accept", "insert rule inet filter input iif lo accept"];
    const viaScript = parseNftScript(commands.map((c) => `nft '${c}'`).join("\n") + "\n", FILE);
    const direct = parseNft(commands.join("\n") + "\n", FILE);
    const rules = (rs: Ruleset) => rs.chains.get("inet filter/input")!.rules.map((r) => ({ conditions: r.conditions, action: r.action }));
    expect(rules(viaScript)).toEqual(rules(direct));
    expect(rules(viaScript).length).toBe(3);
  });

  it("says where a command's error is, in the script", () => {
    const rs = script([...HEAD, "nft add rule inet filter input tcp dport 22 acept", "nft add rule inet filter input tcp dport 25 accept"]);
    expect(diags(rs, "error")).toEqual(["error 4:45 expected a statement or the end of the rule after '22', found 'acept'"]);
    // the rest of the script is still read
    expect(verdict(rs, ssh(25))).toBe("accept");
  });

  it("reads a here-document at its own lines; the shell fills an unquoted one in", () => {
    const rs = script([
      "#!/bin/bash",
      "ADMIN=192.0.2.0/24",
      "nft -f - <<EOF",
      "table inet filter {",
      "  chain input {",
      "    type filter hook input priority 0; policy drop;",
      "    ip saddr $ADMIN tcp dport 22 accept",
      "    tcp dport 25 accept",
      "  }",
      "}",
      "EOF",
      "nft add rule inet filter input tcp dport 80 accept",
    ]);
    expect(diags(rs)).toEqual([]);
    expect(places(rs, "inet filter/input")).toEqual(["7:5", "8:5", "12:32"]);
    expect(verdict(rs, ssh(22))).toBe("drop");
    expect(verdict(rs, ssh(22, "192.0.2.9"))).toBe("accept");
    expect(verdict(rs, ssh(80))).toBe("accept");
  });

  it("keeps a quoted here-document as written: its $names are nft's own", () => {
    const rs = script([
      "nft -f - <<'EOF'",
      "define ADMIN = 192.0.2.0/24",
      ...ADMIN_SSH,
      "EOF",
    ]);
    expect(diags(rs)).toEqual([]);
    expect(verdict(rs, ssh(22, "192.0.2.9"))).toBe("accept");
    expect(verdict(rs, ssh(22))).toBe("drop");
  });

  it("does not guess a value the script does not give", () => {
    const rs = script(["nft -f - <<EOF", "table inet filter {", "  chain input {", "    type filter hook input priority 0; policy drop;", "    ip saddr $ADMIN tcp dport 22 accept", "  }", "}", "EOF"]);
    expect(diags(rs)).toEqual([
      "info 5:14 here-document read by nft (lines 2-7) skipped: $ADMIN is not assigned in this file (it would come from the environment); fwlint does not guess the value",
    ]);
    expect(rs.chains.size).toBe(0);
    const positional = script(["nft -f - <<EOF", "table inet filter {", "  chain input { type filter hook input priority 0; tcp dport $1 accept; }", "}", "EOF"]);
    expect(diags(positional)).toEqual(["info 3:62 here-document read by nft (lines 2-4) skipped: $1 is a positional parameter, known only when the script runs; fwlint does not guess the value"]);
    const cmd = script([...HEAD, "nft add rule inet filter input ip saddr $ADMIN accept", "nft add rule inet filter input tcp dport 25 accept"]);
    expect(diags(cmd)).toEqual(["info 4:41 nft command skipped: $ADMIN is not assigned in this file (it would come from the environment); fwlint does not guess the value"]);
    expect(verdict(cmd, ssh(25))).toBe("accept");
  });

  it("an interface or destination address known only when it runs: the rule is kept with that condition unknown", () => {
    const rs = script([
      ...HEAD,
      "WAN=$(ip route | awk '/default/ {print $5; exit}')",
      'WAN_IP=$(ip -4 addr show "$WAN" | awk \'/inet /{print $2}\' | cut -d/ -f1)',
      "nft add rule inet filter input iifname $WAN tcp dport 22 accept",
      "nft add rule inet filter input ip daddr $WAN_IP tcp dport 3306 accept",
      'nft add rule inet filter input tcp dport 5432 meta oif != "$WAN" accept',
      "nft add rule inet filter input ip6 daddr == $WAN_IP6 tcp dport 80 accept",
      "nft add rule inet filter input ip saddr $ADMIN tcp dport 3389 accept",
    ]);
    expect(diags(rs, "error")).toEqual([]);
    const rules = rs.chains.get("inet filter/input")!.rules;
    const unknowns = rules.map((r) => r.conditions.filter((c) => c.kind === "unknown").map((c) => c.kind === "unknown" && c.text));
    expect(unknowns).toEqual([["iifname $WAN"], ["ip daddr $WAN_IP"], ['meta oif != "$WAN"'], ["ip6 daddr == $WAN_IP6"]]);
    // the address's family stays: `ip daddr X` is for IPv4 packets, `ip6 daddr X` for IPv6 ones
    expect(rules[1]!.conditions).toContainEqual({ kind: "family", family: 4 });
    expect(rules[3]!.conditions).toContainEqual({ kind: "family", family: 6 });
    expect(rules[0]!.conditions.some((c) => c.kind === "iface")).toBe(false);
    expect(verdict(rs, ssh(22))).toBe("unknown");
    expect(verdict(rs, ssh(3306))).toBe("unknown");
    expect(verdict(rs, { ...ssh(3306), family: 6, src: "2001:db8::7", dst: "2001:db8::5" })).toBe("drop");
    // a source known only when it runs: the command is still skipped
    expect(diags(rs, "info").at(-1)).toMatch(/^info 10:41 nft command skipped: \$ADMIN is not assigned/);
    expect(diags(rs, "info").filter((d) => d.includes("the rule is read with that condition unknown"))).toHaveLength(4);
    // in an ip table the table says the family (nft takes `meta nfproto` only in inet tables)
    const ip = script(["nft add table ip t", "nft add chain ip t input '{ type filter hook input priority 0; policy drop; }'", "nft add rule ip t input ip daddr $X tcp dport 22 accept"]);
    expect(diags(ip, "error")).toEqual([]);
    expect(ip.chains.get("ip t/input")!.rules[0]!.conditions.filter((c) => c.kind === "unknown").map((c) => c.kind === "unknown" && c.text)).toEqual(["ip daddr $X"]);
  });

  it("a here-document fills in a function's arguments; read again with other values, each text is read, at its lines", () => {
    const rs = script([
      ...HEAD,
      "allow() {",
      "  nft -f - <<EOF",
      "add rule inet filter input ip saddr $1 tcp dport $2 accept",
      "EOF",
      "}",
      "allow 192.0.2.0/24 22",
      "allow 198.51.100.0/24 25",
      "for p in 80 443 80; do",
      "  nft -f - <<EOF",
      "add rule inet filter input tcp dport $p accept",
      "EOF",
      "done",
      "allow 203.0.113.0/24 smtpp",
    ]);
    expect([verdict(rs, ssh(22, "192.0.2.9")), verdict(rs, ssh(22)), verdict(rs, ssh(80)), verdict(rs, ssh(25, "198.51.100.9")), verdict(rs, ssh(443)), verdict(rs, ssh(25, "203.0.113.9"))]).toEqual(["accept", "drop", "accept", "accept", "accept", "drop"]);
    // each run's rules at the here-document's line and their own columns; a text read before (80 again) once
    expect(places(rs, "inet filter/input")).toEqual(["6:28", "6:28", "13:28", "13:28"]);
    // what nft refuses in one run's text fails that run alone, at the place in the script
    expect(diags(rs)).toEqual(["error 6:62 expected a port, service name or range after 'tcp dport', found 'smtpp'"]);
  });

  it("reads a file the script wrote (cat > FILE <<EOF, tee) where its text stands, and what cat pipes to nft -f -", () => {
    const rs = script([
      "ADMIN=192.0.2.0/24",
      "cat > /etc/nftables.conf <<EOF",
      ...ADMIN_SSH,
      "EOF",
      "nft -f /etc/nftables.conf",
      "tee /etc/nftables.d/mail.nft >/dev/null <<'EOF'",
      "add rule inet filter input tcp dport 25 accept",
      "EOF",
      "nft -f - < /etc/nftables.d/mail.nft",
      "cat <<'EOF' | nft -f -",
      "add rule inet filter input tcp dport 443 accept",
      "EOF",
    ]);
    expect(diags(rs)).toEqual([]);
    expect([verdict(rs, ssh(22, "192.0.2.9")), verdict(rs, ssh(22)), verdict(rs, ssh(25)), verdict(rs, ssh(443)), verdict(rs, ssh(80))]).toEqual(["accept", "drop", "accept", "accept", "drop"]);
    expect(places(rs, "inet filter/input")).toEqual(["6:5", "12:28", "16:28"]);
  });

  it("loads a file with -f as an include, from the script's folder, with -D's defines", () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-nft-script-"));
    try {
      writeFileSync(join(dir, "rules.nft"), "table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ip saddr $ADMIN tcp dport 22 accept\n  }\n}\n");
      const path = join(dir, "load.sh");
      const text = "#!/bin/sh\nnft flush ruleset\nnft -D ADMIN=192.0.2.0/24 -f rules.nft\nnft add rule inet filter input tcp dport 25 accept\n";
      writeFileSync(path, text);
      const rs = parseNftScript(text, path);
      expect(diags(rs, "error")).toEqual([]);
      expect(rs.chains.get("inet filter/input")!.rules.map((r) => `${r.span.file === path ? "script" : "rules.nft"}:${r.span.line}`)).toEqual(["rules.nft:4", "script:4"]);
      expect(verdict(rs, ssh(22, "192.0.2.9"))).toBe("accept");
      expect(verdict(rs, ssh(22))).toBe("drop");
      expect(verdict(rs, ssh(25))).toBe("accept");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a file of the tree cat pipes to nft -f -, or redirects to it, is loaded as -f loads it, by the name cat gives", () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-nft-script-"));
    try {
      writeFileSync(join(dir, "rules.nft"), "table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ip saddr 192.0.2.0/24 tcp dport 22 accept\n  }\n}\n");
      const path = join(dir, "load.sh");
      const text = '#!/bin/sh\nnft flush ruleset\ncat "$(dirname "$0")/rules.nft" | nft -f -\nnft add rule inet filter input tcp dport 25 accept\n';
      writeFileSync(path, text);
      const rs = parseNftScript(text, path);
      expect(diags(rs, "error")).toEqual([]);
      expect(rs.chains.get("inet filter/input")!.rules.map((r) => `${r.span.file === path ? "script" : "rules.nft"}:${r.span.line}`)).toEqual(["rules.nft:4", "script:4"]);
      expect([verdict(rs, ssh(22, "192.0.2.9")), verdict(rs, ssh(22)), verdict(rs, ssh(25))]).toEqual(["accept", "drop", "accept"]);
      // a file the tree does not hold: nft would fail to read it, as for -f (the error at the name)
      const missing = parseNftScript(text.replace('"$(dirname "$0")/rules.nft"', "other.nft"), path);
      expect(diags(missing, "error")[0]).toBe(`error 3:5 include "other.nft": file ${join(dir, "other.nft")} not found or not readable`);
      // a line echo pipes to nft -f - is read where its words stand; more lines are not (they would stand on one)
      const echoed = parseNftScript(`${text}echo "add rule inet filter input tcp dport 80 accept" | nft -f -\necho "add rule inet filter input tcp dport 81 accept\nadd rule inet filter input tcp dport 82 accept" | nft -f -\n`, path);
      expect([80, 81, 82].map((p) => verdict(echoed, ssh(p)))).toEqual(["accept", "drop", "drop"]);
      expect(diags(echoed)).toContain("info 6:1 pipeline skipped: fwlint reads more than one line a pipe gives nft only from `cat FILE`; the 1 nft command inside is not in the model");
      // a file redirected to nft -f - by a path the script computes is read the same way
      const redirected = parseNftScript(text.replace('cat "$(dirname "$0")/rules.nft" | nft -f -', 'nft -f - < "$(dirname "$0")/rules.nft"'), path);
      expect(diags(redirected, "error")).toEqual([]);
      expect([verdict(redirected, ssh(22, "192.0.2.9")), verdict(redirected, ssh(22)), verdict(redirected, ssh(25))]).toEqual(["accept", "drop", "accept"]);
      const loaded = parseNftScript("#!/bin/sh\nnft flush ruleset\nnft -f other.nft\n", path);
      expect(diags(loaded, "error")[0]).toBe(`error 3:8 include "other.nft": file ${join(dir, "other.nft")} not found or not readable`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parseNftScript: the shell's course", () => {
  it("a command on a table the script has not made fails, and so does deleting one: || and set -e follow", () => {
    const rs = script([
      "#!/bin/sh",
      "set -e",
      "nft delete table inet filter 2>/dev/null || true",
      "nft list table inet filter >/dev/null 2>&1 && nft delete table inet filter",
      ...HEAD.slice(1),
      "nft add rule inet filter input tcp dport 22 accept",
      "nft add rule inet other input tcp dport 25 accept",
      "nft add rule inet filter input tcp dport 80 accept",
    ]);
    expect(diags(rs)).toEqual(["info 9:1 not run: the command at line 8 fails and 'set -e' stops the script there"]);
    expect(verdict(rs, ssh(22))).toBe("accept");
    expect(verdict(rs, ssh(25))).toBe("drop");
    expect(verdict(rs, ssh(80))).toBe("drop");
  });

  it("a command nft refuses loads nothing: set -e stops the script there, || runs its other side", () => {
    const stops = script(["#!/bin/sh -e", ...HEAD.slice(1), "nft add rule inet filter input tcp dport 22 acept", "nft add rule inet filter input tcp dport 25 accept"]);
    expect(diags(stops)).toEqual([
      "error 4:45 expected a statement or the end of the rule after '22', found 'acept'",
      "info 5:1 not run: the command at line 4 fails and 'set -e' stops the script there",
    ]);
    expect(verdict(stops, ssh(25))).toBe("drop");
    const other = script([...HEAD, "nft add rule inet filter input tcp dport 22 acept || nft add rule inet filter input tcp dport 2222 accept"]);
    expect(diags(other, "error")).toEqual(["error 4:45 expected a statement or the end of the rule after '22', found 'acept'"]);
    expect(verdict(other, ssh(2222))).toBe("accept");
  });

  it("of two commands on one line, only the one nft refuses fails", () => {
    const rs = script([...HEAD, "nft add rule inet filter input tcp dport 22 acept; nft add rule inet filter input tcp dport 25 accept"]);
    expect(diags(rs, "error")).toEqual(["error 4:45 expected a statement or the end of the rule after '22', found 'acept'"]);
    expect(verdict(rs, ssh(25))).toBe("accept");
  });

  it("a block a command leaves open fails that command alone, as nft reads each invocation apart", () => {
    const rs = script([
      "#!/bin/sh",
      "nft add table inet filter",
      "nft add chain inet filter input '{ type filter hook input priority 0; policy drop;'",
      "nft add chain inet filter input '{ type filter hook input priority 0; policy accept; }'",
      "nft add rule inet filter input tcp dport 22 drop",
    ]);
    expect(diags(rs, "error")).toEqual(["error 3:5 a '{' is not closed in this nft command (nft refuses it, and nothing of it is loaded)"]);
    expect(rs.chains.get("inet filter/input")!.policy).toBe("accept");
    expect(verdict(rs, ssh(22))).toBe("drop");
    expect(verdict(rs, ssh(25))).toBe("accept");
  });

  it("a here-document nft refuses loads none of its rules, and what builds on its tables fails", () => {
    const rs = script([
      "#!/bin/sh",
      "nft -f - <<'EOF'",
      "table inet filter {",
      "  chain input {",
      "    type filter hook input priority 0; policy drop;",
      "    tcp dport 22 accept",
      "    tcp dport 25 acept",
      "  }",
      "}",
      "EOF",
      "nft add rule inet filter input tcp dport 80 accept",
      "nft add table inet filter",
      "nft add chain inet filter input '{ type filter hook input priority 0; policy accept; }'",
    ]);
    expect(diags(rs, "error")).toEqual(["error 7:18 expected a statement or the end of the rule after '25', found 'acept'"]);
    // none of the here-document's rules, not the rule added to its table before the script makes one
    expect(rs.chains.get("inet filter/input")!.rules).toEqual([]);
    expect(rs.chains.get("inet filter/input")!.policy).toBe("accept");
  });

  it("a for loop over known words runs its nft command once per word, each at the loop's line", () => {
    const rs = script([...HEAD, "SERVICES='smtp imaps'", "for s in 22 $SERVICES; do", "  nft add rule inet filter input tcp dport $s accept", "done"]);
    expect(diags(rs)).toEqual([]);
    expect([22, 25, 993, 80].map((p) => verdict(rs, ssh(p)))).toEqual(["accept", "accept", "accept", "drop"]);
    expect(places(rs, "inet filter/input")).toEqual(["6:34", "6:34", "6:34"]);
  });

  it("an if whose condition nft decides runs the branch it takes; one the script cannot decide is skipped", () => {
    const rs = script([
      "#!/bin/sh",
      "set -e",
      "if ! nft list table inet filter >/dev/null 2>&1; then",
      "  nft add table inet filter",
      "  nft add chain inet filter input '{ type filter hook input priority 0; policy drop; }'",
      "fi",
      "if nft list table inet filter >/dev/null; then nft add rule inet filter input tcp dport 22 accept; else nft add rule inet filter input tcp dport 23 accept; fi",
      "if nft list table inet nope >/dev/null 2>&1; then",
      "  nft add rule inet filter input tcp dport 24 accept",
      "elif true; then",
      "  nft add rule inet filter input tcp dport 25 accept",
      "fi",
      "if [ -x /usr/sbin/nft ]; then nft add rule inet filter input tcp dport 26 accept; fi",
      "if [ -d /etc/nftables.d ]; then nft add rule inet filter input tcp dport 27 accept; fi",
    ]);
    // (nft being there is how the script is read; a folder being there is the host's)
    expect([22, 23, 24, 25, 26, 27].map((p) => verdict(rs, ssh(p)))).toEqual(["accept", "drop", "drop", "accept", "accept", "drop"]);
    expect(diags(rs)).toEqual([
      "info 13:4 '-x /usr/sbin/nft' taken as true: fwlint reads the script as run on a host that has nft",
      "info 14:1 if ... fi (line 14) skipped: fwlint cannot tell the outcome of its condition (line 14: '-d /etc/nftables.d' depends on the host that runs the script); the 1 nft command inside is not in the model",
    ]);
  });

  it("a helper function's nft command runs at each call, and a call nft refuses fails alone", () => {
    const rs = script([...HEAD, "allow() {", "  nft add rule inet filter input tcp dport $1 accept", "}", "allow 22", "allow 25", "allow smtpp", "allow 443"]);
    expect(diags(rs, "error")).toEqual(["error 5:44 expected a port, service name or range after 'tcp dport', found 'smtpp'"]);
    // each call's rule points at the function's line and the rule's own column
    expect(places(rs, "inet filter/input")).toEqual(["5:34", "5:34", "5:34"]);
    expect([22, 25, 443, 26].map((p) => verdict(rs, ssh(p)))).toEqual(["accept", "accept", "accept", "drop"]);
  });

  it("the rules stand in the order the commands ran: helpers defined above the table, a loop that interleaves two", () => {
    const rs = script([
      "#!/bin/sh",
      "ban() { nft add rule inet filter input ip saddr $1 drop; }",
      "open() { nft add rule inet filter input tcp dport $1 accept; }",
      "nft add table inet filter",
      "nft add chain inet filter input '{ type filter hook input priority 0; policy drop; }'",
      "for round in '203.0.113.5 80' '203.0.113.6 443'; do",
      "  set -- $round",
      "  ban $1",
      "  open $2",
      "done",
    ]);
    // (before, the helpers' rules were read above the table: "no chain input", and none of them in the model)
    expect(diags(rs, "error")).toEqual([]);
    // ban .5, open 80, ban .6, open 443: .6 still reaches 80, opened before it was banned
    const from = (src: string, port: number) => verdict(rs, ssh(port, src));
    expect([from("203.0.113.5", 80), from("203.0.113.6", 80), from("203.0.113.6", 443), from("198.51.100.1", 443)]).toEqual(["drop", "accept", "drop", "accept"]);
    // each rule at its helper's line
    expect(rs.chains.get("inet filter/input")!.rules.map((r) => r.span.line)).toEqual([2, 3, 2, 3]);
  });

  it("nft applies an invocation's commands together or not at all", () => {
    const rs = script([...HEAD, "nft 'add rule inet filter input tcp dport 22 accept; add rule inet nope input tcp dport 25 accept'", "nft create table inet filter || nft add rule inet filter input tcp dport 80 accept"]);
    expect(verdict(rs, ssh(22))).toBe("drop");
    expect(verdict(rs, ssh(80))).toBe("accept");
  });

  it("flush ruleset starts over; -c only checks", () => {
    const rs = script([...HEAD, "nft add rule inet filter input tcp dport 22 accept", "nft -c add rule inet filter input tcp dport 23 accept", "nft flush ruleset", ...HEAD.slice(1), "nft add rule inet filter input tcp dport 25 accept"]);
    expect(diags(rs, "error")).toEqual([]);
    expect(verdict(rs, ssh(22))).toBe("drop");
    expect(verdict(rs, ssh(23))).toBe("drop");
    expect(verdict(rs, ssh(25))).toBe("accept");
  });

  it("says which nft commands it cannot follow, and that iptables ones are not read here", () => {
    const rs = script([...HEAD, "while read p; do", "  nft add rule inet filter input tcp dport $p accept", "done < ports", "iptables -A INPUT -j ACCEPT", "nft -j -f rules.json", "nft add rule inet filter input tcp dport 80 accept"]);
    expect(diags(rs)).toEqual([
      `info 4:1 while loop (lines 4-6) skipped: it reads ports: file ${resolve("ports")} not found or not readable; the 1 nft command inside is not in the model`,
      "info 7:1 'iptables' skipped: this script is read for its nft commands, and its iptables rules are not in the model; check them with fwlint apart (iptables-save output)",
      "info 8:1 nft -j (a JSON batch) skipped: fwlint reads a script's nft commands in nft's own language; check the JSON with fwlint apart",
    ]);
    expect(verdict(rs, ssh(80))).toBe("accept");
  });

  it("a finding points at the script's line, through the whole check", () => {
    const text = [...HEAD, "WAN=eth0", "nft add rule inet filter input iifname $WAN tcp dport 25 accept"].join("\n") + "\n";
    const r = analyzeText(FILE, text);
    expect(r.file.format).toBe("nft-script");
    const smtp = r.findings.filter((f) => f.exposure?.service === "smtp");
    expect(smtp.map((f) => `${f.location.line}:${f.location.column} ${f.sourceLine}`)).toEqual([
      "5:32 nft add rule inet filter input iifname $WAN tcp dport 25 accept",
      "5:32 nft add rule inet filter input iifname $WAN tcp dport 25 accept",
    ]);
    // the trace shows the rule as the script writes it, as for a script of iptables commands
    expect(smtp[0]!.trace!.at(-1)!.rule).toBe("nft add rule inet filter input iifname $WAN tcp dport 25 accept");
  });
});
