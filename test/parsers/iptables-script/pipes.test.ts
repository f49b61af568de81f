/**
 * Scripts that make rules from lists through text tools: a pipe into `while read`, a command
 * substitution, bash's `< <(...)`, a tool's output redirected to a file a loader reads, grep's
 * status deciding an if. Each expectation was first printed by bash (and dash where it says so)
 * running the script with an `iptables` function that echoes its arguments.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesScript } from "../../../parsers/iptables-script/index.js";
import { parseNftScript } from "../../../parsers/nft-script/index.js";
import type { IncludeIo } from "../../../parsers/file-io.js";
import type { Ruleset } from "../../../src/model/types.js";
import { ports, rulesOf } from "./helpers.js";

const SCRIPT = "/repo/fw/firewall.sh";
const FILES: Record<string, string> = {
  "/repo/fw/ports.txt": "# services open to all\n25\n\n587 # submission\n",
  "/repo/fw/banned.txt": "203.0.113.9 spammer\n# old\n198.51.100.7 scanner\n",
  "/repo/fw/hosts.csv": "host,port\n192.0.2.10,443\n192.0.2.11,8443\n",
  "/repo/fw/services.txt": "smtp\nimap\n",
  "/repo/fw/ssh.txt": "22\n2222",
  "/repo/fw/rules.txt": "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 993 -j ACCEPT # imaps\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n",
};
const io: IncludeIo = { readFile: (p) => FILES[p], listDir: () => undefined };
const run = (lines: string[]): Ruleset => parseIptablesScript(lines.join("\n") + "\n", SCRIPT, { io, root: "/repo" });
const said = (rs: Ruleset, severity = "info") => rs.diagnostics.filter((d) => d.severity === severity).map((d) => `${d.file === SCRIPT ? "" : `${d.file}:`}${d.line}:${d.column} ${d.message}`);
const addrs = (rs: Ruleset, key = "filter/INPUT") =>
  rulesOf(rs, key).map((r) =>
    r.conditions
      .filter((c) => c.kind === "addr")
      .map((c) => (c.kind === "addr" ? `${c.field}=${c.ranges.map((x) => [24, 16, 8, 0].map((s) => Number((x.lo >> BigInt(s)) & 255n)).join(".")).join(",")}` : ""))
      .join(" "),
  );

describe("rules made from lists through text tools", () => {
  it("a pipe into while read runs the loop on what the tools print, in a subshell", () => {
    const rs = run([
      "n=0",
      "grep -v '^#' ports.txt | sed 's/#.*//' | while read p; do [ -z \"$p\" ] && continue; n=1; iptables -A INPUT -p tcp --dport $p -j ACCEPT; done",
      "iptables -A INPUT -p udp --dport $((n + 100)) -j ACCEPT",
    ]);
    // (the loop's n=1 stays in the pipe's subshell: the rule after it is made with n=0)
    expect(ports(rs)).toEqual(["dport=25 accept", "dport=587 accept", "dport=100 accept"]);
    expect(rulesOf(rs).map((r) => r.span.line)).toEqual([2, 2, 3]);
    expect(said(rs)).toEqual(["2:1 ports.txt read from the script's own folder: the shell reads it from the folder the script runs in"]);
  });

  it("a command substitution of a pipe of tools, and bash's < <(...)", () => {
    const rs = run([
      "#!/bin/bash",
      "for ip in $(grep -v '^#' banned.txt | cut -d' ' -f1); do iptables -A INPUT -s $ip -j DROP; done",
      "while read h p; do iptables -A FORWARD -d $h -p tcp --dport $p -j ACCEPT; done < <(awk -F, 'NR>1 {print $1, $2}' hosts.csv)",
      "for p in $(sort -n ports.txt | grep -v '#' | uniq); do iptables -A INPUT -p sctp --dport $p -j ACCEPT; done",
    ]);
    expect(addrs(rs)).toEqual(["src=203.0.113.9", "src=198.51.100.7", ""]);
    expect(ports(rs)[2]).toBe("dport=25 accept");
    expect(addrs(rs, "filter/FORWARD")).toEqual(["dst=192.0.2.10", "dst=192.0.2.11"]);
    expect(ports(rs, "filter/FORWARD")).toEqual(["dport=443 accept", "dport=8443 accept"]);
    // (dash has no process substitution: under #!/bin/sh the loop is not run)
    const dash = parseIptablesScript(["#!/bin/sh", "while read h p; do iptables -A FORWARD -d $h -j ACCEPT; done < <(cat hosts.csv)", ""].join("\n"), SCRIPT, { io, root: "/repo" });
    expect(rulesOf(dash, "filter/FORWARD")).toEqual([]);
    expect(said(dash)[0]).toBe("2:1 while loop (line 2) skipped: <(cat hosts.csv) is bash's process substitution, which dash does not read; the 1 iptables command inside is not in the model");
  });

  it("grep's status decides an if; read leaves out a last line without its newline", () => {
    const rs = run([
      "if grep -q '^smtp' services.txt; then iptables -A INPUT -p tcp --dport 465 -j ACCEPT; fi",
      "if grep -qx 'pop3' services.txt; then iptables -A INPUT -p tcp --dport 110 -j ACCEPT; fi",
      "while read p; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done < ssh.txt",
    ]);
    expect(ports(rs)).toEqual(["dport=465 accept", "dport=22 accept"]);
  });

  it("a tool's output redirected to a file is what a later loader reads, at the lines it came from", () => {
    // (iptables-restore refuses a trailing comment: the file is cleaned of them first)
    const rs = run(["sed -e 's/ *#.*//' -e '/99999/d' rules.txt > /tmp/clean.rules", "iptables-restore < /tmp/clean.rules"]);
    expect(ports(rs)).toEqual(["dport=993 accept"]);
    expect(rs.chains.get("filter/INPUT")!.policy).toBe("drop");
    expect(rulesOf(rs)[0]!.span).toMatchObject({ file: "/repo/fw/rules.txt", line: 3 });
    // what it refuses in the file is shown at the file's line (and it loads nothing of the table)
    const refused = run(["grep -v imaps rules.txt | iptables-restore"]);
    expect(rulesOf(refused)).toEqual([]);
    expect(said(refused, "error")).toEqual(["/repo/fw/rules.txt:4:25 expected a port or port range after --dport, found '99999'"]);
  });

  it("what it cannot know stays unknown, with why: a file the tree does not hold, a tool it does not run", () => {
    const rs = run(["grep -v '^#' /etc/fw/ports | while read p; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done", "for ip in $(host -t a example.org | awk '{print $4}'); do iptables -A INPUT -s $ip -j ACCEPT; done"]);
    expect(rulesOf(rs)).toEqual([]);
    expect(said(rs)[0]).toMatch(/^1:1 pipeline skipped: '.*': it reads \/etc\/fw\/ports: .*; the 1 iptables command inside is not in the model$/);
    expect(said(rs)[1]).toMatch(/^2:1 for loop \(line 2\) skipped: \$\(host -t a example.org \| awk '\{print\.\.\. is a command substitution, known only when the script runs/);
  });

  it("an nft script's loop over a list from a pipe", () => {
    const rs = parseNftScript(
      ["#!/bin/sh", "nft add table inet f", "nft add chain inet f input '{ type filter hook input priority 0; policy drop; }'", "grep -v '^#' ports.txt | while read p; do [ -n \"$p\" ] && nft add rule inet f input tcp dport ${p%% *} accept; done", ""].join("\n"),
      SCRIPT,
      { ...io, root: "/repo" },
    );
    expect(rs.chains.get("inet f/input")!.rules.map((r) => r.span.line)).toEqual([4, 4]);
    expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});
