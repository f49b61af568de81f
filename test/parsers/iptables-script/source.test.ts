/**
 * `. FILE` / `source FILE`: the sourced file's commands run in the script's shell - its variables,
 * functions and rules are the script's, its rules and diagnostics at its own lines - and how the
 * file is found (the script's folder for a relative path, `$(dirname "$0")`, the tree's copy of
 * /etc), and why it is not read otherwise. The files live in memory here; the kernel test
 * (test/kernel/iptables-script.test.ts) runs fixtures/iptables-script/sourced-settings.sh, which
 * sources two files beside it, with dash in a namespace.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesScript } from "../../../parsers/iptables-script/index.js";
import { dirnameOf } from "../../../parsers/iptables-script/run.js";
import { parseNftScript } from "../../../parsers/nft-script/index.js";
import type { IncludeIo } from "../../../parsers/file-io.js";
import type { Ruleset } from "../../../src/model/types.js";
import { ports, rulesOf } from "./helpers.js";

const SCRIPT = "/repo/fw/firewall.sh";

function filesIo(files: Record<string, string>): IncludeIo {
  return { readFile: (p) => files[p], listDir: () => undefined };
}

function run(lines: string[], files: Record<string, string>, root = "/repo"): Ruleset {
  return parseIptablesScript(lines.join("\n") + "\n", SCRIPT, { io: filesIo(files), root });
}

function said(rs: Ruleset): string[] {
  return rs.diagnostics.map((d) => `${d.severity} ${d.file}:${d.line}:${d.column} ${d.message}`);
}

const SETTINGS = ["WAN=eth0", 'PORTS="25 587"', "ADMIN=198.51.100.0/24", "allow_admin() {", '\tiptables -A INPUT -i "$WAN" -s "$ADMIN" -p tcp --dport 22 -j ACCEPT', "}"].join("\n");

describe("a sourced file runs in the script's shell", () => {
  it("its variables and functions are the script's, and its rules stand at its own lines", () => {
    const rs = run(
      ["#!/bin/sh", '. "$(dirname "$0")/settings.conf"', "allow_admin", 'for p in $PORTS; do iptables -A INPUT -i "$WAN" -p tcp --dport "$p" -j ACCEPT; done', ". ./site.sh"],
      { "/repo/fw/settings.conf": SETTINGS, "/repo/fw/site.sh": 'iptables -A INPUT -i "$WAN" -p udp --dport 53 -j ACCEPT\n' },
    );
    expect(ports(rs)).toEqual(["dport=22 accept", "dport=25 accept", "dport=587 accept", "dport=53 accept"]);
    const [admin, , , dns] = rulesOf(rs);
    // the function's rule is where the function's body is written; the loop's in the script; the site rule in site.sh
    expect(admin!.span).toMatchObject({ file: "/repo/fw/settings.conf", line: 5, column: 2 });
    expect(rulesOf(rs)[1]!.span).toMatchObject({ file: SCRIPT, line: 4 });
    expect(dns!.span).toEqual({ file: "/repo/fw/site.sh", line: 1, column: 1, text: 'iptables -A INPUT -i "$WAN" -p udp --dport 53 -j ACCEPT' });
    expect(admin!.conditions).toContainEqual({ kind: "iface", field: "iif", name: "eth0", prefix: false });
    expect(said(rs)).toEqual([`info ${SCRIPT}:5:1 ./site.sh read from the script's own folder: the shell reads it from the folder the script runs in`]);
    // the ruleset names the files it read, as an nft ruleset names its includes
    expect(rs.includedFiles).toEqual(["/repo/fw/settings.conf", "/repo/fw/site.sh"]);
    expect(rs.includedLines?.get("/repo/fw/site.sh")).toEqual(['iptables -A INPUT -i "$WAN" -p udp --dport 53 -j ACCEPT', ""]);
  });

  it("[ -f FILE ] (-e, -r, -s) of a file the tree holds or the script writes is as that file is: `[ -r \"$CONF\" ] && . \"$CONF\"` reads it", () => {
    // (each outcome as bash and dash give it with the files in place: found true, -s of an empty file false)
    const files = { "/repo/fw/fw.conf": 'PORTS="25 587"\n', "/repo/etc/default/fw": 'PORTS="$PORTS 3306"\n', "/repo/fw/empty.conf": "" };
    const rs = run(
      [
        "#!/bin/sh",
        'CONF="$(dirname "$0")/fw.conf"',
        '[ -r "$CONF" ] && . "$CONF"',
        "if [ -f /etc/default/fw ]; then . /etc/default/fw; fi",
        "[ -s ./empty.conf ] || PORTS=\"$PORTS 8080\"",
        "cat > /tmp/extra.conf <<EOF",
        "WRITTEN=yes",
        "EOF",
        '[ -e /tmp/extra.conf ] && PORTS="$PORTS 993"',
        'for p in $PORTS; do iptables -A INPUT -p tcp --dport "$p" -j ACCEPT; done',
      ],
      files,
    );
    expect(ports(rs)).toEqual(["dport=25 accept", "dport=587 accept", "dport=3306 accept", "dport=8080 accept", "dport=993 accept"]);
    expect(said(rs).filter((d) => d.includes("taken as"))).toEqual([
      `info ${SCRIPT}:3:1 '-r /repo/fw/fw.conf' taken as true: the scanned tree holds it (/repo/fw/fw.conf)`,
      `info ${SCRIPT}:4:4 '-f /etc/default/fw' taken as true: the scanned tree holds it (/repo/etc/default/fw)`,
      `info ${SCRIPT}:5:1 '-s ./empty.conf' taken as false: the scanned tree holds it (/repo/fw/empty.conf), empty`,
      `info ${SCRIPT}:9:1 '-e /tmp/extra.conf' taken as true: the script writes it`,
    ]);
    // a file the tree does not hold depends on the host: the branch is not taken for granted
    const missing = run(["#!/bin/sh", "PORTS=22", "[ -r /etc/default/other ] && . /etc/default/other", 'iptables -A INPUT -p tcp --dport "$PORTS" -j ACCEPT'], files);
    expect(ports(missing)).toEqual([]);
    expect(said(missing)[0]).toBe(`info ${SCRIPT}:3:30 skipped: runs only if the command at line 3 succeeds, which fwlint cannot tell`);
  });

  it("a for loop over a pattern takes the files of the tree that match, as the shell spells them: the conf.d idiom", () => {
    const files: Record<string, string> = {
      "/repo/etc/fw.d/20-mail.sh": "iptables -A INPUT -p tcp --dport 25 -j ACCEPT\n",
      "/repo/etc/fw.d/10-web.sh": "iptables -A INPUT -p tcp --dport 80 -j ACCEPT\n",
      "/repo/etc/fw.d/README": "not a script\n",
      "/repo/fw/ports.d/db.conf": "PORT=3306\n",
    };
    const dirs: Record<string, string[]> = { "/repo": ["etc", "fw"], "/repo/etc": ["fw.d"], "/repo/etc/fw.d": ["10-web.sh", "20-mail.sh", "README"], "/repo/fw": ["firewall.sh", "ports.d"], "/repo/fw/ports.d": ["db.conf"] };
    const io: IncludeIo = { readFile: (p) => files[p], listDir: (d) => dirs[d] };
    const text = [
      "#!/bin/sh",
      'for f in /etc/fw.d/*.sh; do [ -r "$f" ] && . "$f"; done',
      'for c in ./ports.d/*.conf; do . "$c"; iptables -A INPUT -p tcp --dport "$PORT" -j ACCEPT; done',
      "for x in *.none; do iptables -A INPUT -m comment --comment \"$x\" -j DROP; done",
      "for g in /etc/nothing.d/*.sh; do iptables -A INPUT -p tcp --dport 1 -j ACCEPT; done",
      // (a folder the tree holds is there; one it does not hold depends on the machine)
      "[ -d /etc/fw.d ] && [ -d ./ports.d ] && iptables -A INPUT -p tcp --dport 8443 -j ACCEPT",
      "[ -d /etc/nothing.d ] && iptables -A INPUT -p tcp --dport 2 -j ACCEPT",
    ];
    const rs = parseIptablesScript(text.join("\n") + "\n", SCRIPT, { io, root: "/repo" });
    // (sorted as the shell sorts them; a relative pattern nothing matches stays the word it is)
    expect(ports(rs)).toEqual(["dport=80 accept", "dport=25 accept", "dport=3306 accept", "any drop", "dport=8443 accept"]);
    expect(rulesOf(rs)[3]!.comment).toBe("*.none");
    expect(said(rs).filter((d) => d.includes("'-d"))).toEqual([
      `info ${SCRIPT}:6:1 '-d /etc/fw.d' taken as true: the scanned tree holds it (/repo/etc/fw.d)`,
      `info ${SCRIPT}:6:21 '-d ./ports.d' taken as true: the scanned tree holds it (/repo/fw/ports.d)`,
    ]);
    expect(said(rs).filter((d) => d.includes("matched") || d.includes("for loop"))).toEqual([
      `info ${SCRIPT}:2:10 /etc/fw.d/*.sh matched in the scanned tree, /repo taken for the root of the machine that runs the script: /etc/fw.d/10-web.sh, /etc/fw.d/20-mail.sh`,
      `info ${SCRIPT}:3:10 ./ports.d/*.conf matched in the scanned tree, from the script's own folder: ./ports.d/db.conf`,
      // an absolute pattern the tree holds nothing for depends on the machine
      `info ${SCRIPT}:5:1 for loop (line 5) skipped: /etc/nothing.d/*.sh is matched against the files of the machine that runs the script, and nothing in the scanned tree (/repo) matches it; fwlint does not guess the value; the 1 iptables command inside is not in the model`,
    ]);
  });

  it("`source`, `$(cd \"$(dirname \"$0\")\" && pwd)` and a path with .. inside the tree find the file as the shell does", () => {
    const files = { "/repo/fw/settings.conf": SETTINGS, "/repo/common/ports.conf": 'PORTS="80"' };
    const rs = run(['DIR="$(cd "$(dirname "$0")" && pwd)"', 'source "$DIR/settings.conf"', "source $DIR/../common/ports.conf", 'iptables -A INPUT -p tcp --dport "$PORTS" -j ACCEPT'], files);
    expect(ports(rs)).toEqual(["dport=80 accept"]);
    expect(said(rs)).toEqual([]);
  });

  it("bash's ${BASH_SOURCE[0]} names the file the command is read from, a sourced file's own; dash has none", () => {
    const files = { "/repo/fw/lib/common.sh": 'HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"\n. "$HERE/ports.conf"\n', "/repo/fw/lib/ports.conf": "PORT=8443\n" };
    const rs = run(["#!/bin/bash", '. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"', 'iptables -A INPUT -p tcp --dport "$PORT" -j ACCEPT'], files);
    expect(ports(rs)).toEqual(["dport=8443 accept"]);
    const dash = run(["#!/bin/sh", '. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"', 'iptables -A INPUT -p tcp --dport "$PORT" -j ACCEPT'], files);
    expect(ports(dash)).toEqual([]);
  });

  it("$0 is the script's path for dirname only: a case on the name it was run by stays undecided", () => {
    const rs = run(['case "$0" in', "  */fw-stop) iptables -P INPUT ACCEPT ;;", "esac", "iptables -A INPUT -p tcp --dport 22 -j ACCEPT"], {});
    expect(said(rs).join("\n")).toContain(`info ${SCRIPT}:1:1 case ... esac (lines 1-3) skipped`);
  });

  it("`return` ends the sourced file, not the script; `exit` in it ends the script", () => {
    const rs = run([". ./a.sh", "iptables -A INPUT -p tcp --dport 443 -j ACCEPT", ". ./b.sh", "iptables -A INPUT -p tcp --dport 8443 -j ACCEPT"], {
      "/repo/fw/a.sh": "iptables -A INPUT -p tcp --dport 80 -j ACCEPT\nreturn 0\niptables -A INPUT -p tcp --dport 23 -j ACCEPT\n",
      "/repo/fw/b.sh": "iptables -A INPUT -p tcp --dport 25 -j ACCEPT\nexit 0\n",
    });
    expect(ports(rs)).toEqual(["dport=80 accept", "dport=443 accept", "dport=25 accept"]);
    expect(said(rs)).toContain(`info ${SCRIPT}:4:1 not run: the script exits at /repo/fw/b.sh:2`);
  });

  it("an error in a sourced file is told there, and `set -e` stops the script at it", () => {
    const rs = run(["set -e", ". ./bad.sh", "iptables -A INPUT -p tcp --dport 443 -j ACCEPT"], { "/repo/fw/bad.sh": "iptables -A INPUT -p tcp --dport 80 -j ACCEPT\niptables -A INPUT -p tcp --dprot 22 -j ACCEPT\n" });
    expect(ports(rs)).toEqual(["dport=80 accept"]);
    const errors = rs.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => `${d.file}:${d.line}`)).toEqual(["/repo/fw/bad.sh:2"]);
    expect(said(rs)).toContain(`info ${SCRIPT}:3:1 not run: the command at /repo/fw/bad.sh:2 fails and 'set -e' stops the script there`);
  });

  it("an absolute path outside the tree is read from the tree's copy of the machine's folders", () => {
    const rs = run([". /etc/default/firewall", 'iptables -A INPUT -i "$WAN" -p tcp --dport "$PORT" -j ACCEPT'], { "/repo/fw/etc/default/firewall": "WAN=eth1\nPORT=3306\n" });
    expect(ports(rs)).toEqual(["dport=3306 accept"]);
    expect(said(rs)).toEqual([`info ${SCRIPT}:1:1 /etc/default/firewall read in the scanned tree, /repo/fw taken for the root of the machine that runs the script`]);
  });
});

describe("files a script reads", () => {
  const LIST = "203.0.113.7\n192.0.2.0/24\n";
  it("$(cat FILE) and bash's $(< FILE) give the file's text, its last newlines cut", () => {
    const rs = run(["#!/bin/bash", "for ip in $(cat ./banned.txt); do iptables -A INPUT -s $ip -j DROP; done", 'iptables -A INPUT -p tcp --dport "$(< ./port)" -j ACCEPT'], { "/repo/fw/banned.txt": LIST, "/repo/fw/port": "8080\n\n" });
    expect(ports(rs)).toEqual(["addr drop", "addr drop", "dport=8080 accept"]);
    expect(said(rs).filter((d) => d.startsWith("info"))).toHaveLength(2); // (each file read from the script's folder, told once)
  });

  it("under #!/bin/sh, $(< FILE) is not guessed: dash prints nothing for it", () => {
    const rs = run(["#!/bin/sh", 'iptables -A INPUT -p tcp --dport "$(< ./port)" -j ACCEPT'], { "/repo/fw/port": "8080\n" });
    expect(ports(rs)).toEqual([]);
    expect(said(rs).join("\n")).toContain("prints nothing under dash and the file under bash");
  });

  it("a while read loop reads a file of the tree, line by line", () => {
    const rs = run(['while read -r port proto; do iptables -A INPUT -p "$proto" --dport "$port" -j ACCEPT; done < ./services.txt'], { "/repo/fw/services.txt": "80 tcp\n53 udp\n" });
    expect(ports(rs)).toEqual(["dport=80 accept", "dport=53 accept"]);
  });

  it("iptables-restore loads a rules file of the tree, its rules at their lines there", () => {
    const rules = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
    for (const cmd of ["iptables-restore < /etc/iptables/rules.v4", "iptables-restore /etc/iptables/rules.v4", "cat /etc/iptables/rules.v4 | iptables-restore"]) {
      const rs = run([cmd, "iptables -A INPUT -p tcp --dport 443 -j ACCEPT"], { "/repo/etc/iptables/rules.v4": rules });
      expect(ports(rs)).toEqual(["dport=22 accept", "dport=443 accept"]);
      expect(rulesOf(rs)[0]!.span).toEqual({ file: "/repo/etc/iptables/rules.v4", line: 3, column: 1, text: "-A INPUT -p tcp --dport 22 -j ACCEPT" });
      expect(rs.chains.get("filter/INPUT")!.policy).toBe("drop");
      expect(rs.includedFiles).toEqual(["/repo/etc/iptables/rules.v4"]);
      // what it refuses in the file is shown at the file's line and column, not the script's
      const bad = run([cmd], { "/repo/etc/iptables/rules.v4": rules.replace("--dport 22", "--dport 99999") });
      expect(said(bad).filter((d) => d.startsWith("error"))).toEqual(["error /repo/etc/iptables/rules.v4:3:25 expected a port or port range after --dport, found '99999'"]);
    }
  });

  it("a file the script wrote is read as it wrote it, before the tree's", () => {
    const rs = run(["cat > ./port <<EOF", "25", "EOF", 'iptables -A INPUT -p tcp --dport "$(cat ./port)" -j ACCEPT'], { "/repo/fw/port": "8080\n" });
    expect(ports(rs)).toEqual(["dport=25 accept"]);
  });

  it("a file it cannot read leaves the value unknown, with why", () => {
    const rs = run(['iptables -A INPUT -p tcp --dport "$(cat ./missing)" -j ACCEPT'], {});
    expect(ports(rs)).toEqual([]);
    expect(said(rs).join("\n")).toContain("$(cat ./missing) reads ./missing: file /repo/fw/missing not found or not readable");
  });
});

describe("a sourced file fwlint does not read", () => {
  const cases: [string, string, string][] = [
    [". ./missing.conf", "/repo/fw/missing.conf not found or not readable", "file"],
    [". settings.conf", "the shell looks 'settings.conf' up on PATH, which fwlint does not know", "PATH"],
    [". ./conf.d/*.conf", "its path is a glob pattern, which the shell expands on the machine", "glob"],
    [". ./settings.conf eth0", "fwlint does not source a file with arguments", "arguments"],
    [". /opt/fw/settings.conf", "it is outside the scanned tree (/repo), which holds no copy of it", "outside"],
  ];
  for (const [line, why, what] of cases) {
    it(`is skipped with why (${what}), and every variable is unknown after it`, () => {
      const rs = run(["WAN=eth0", line, 'iptables -A INPUT -i "$WAN" -p tcp --dport 22 -j ACCEPT'], { "/repo/fw/settings.conf": SETTINGS });
      const info = said(rs).find((d) => d.includes(":2:1 "));
      expect(info).toContain(why);
      expect(info).toContain("variables it may set are treated as unknown from here on");
      // (-i $WAN unknown: the rule is kept with an unknown condition)
      expect(rulesOf(rs)[0]!.conditions.some((c) => c.kind === "unknown")).toBe(true);
    });
  }

  it("a file that sources itself is read once per level, up to a limit, and told", () => {
    const rs = run([". ./loop.sh"], { "/repo/fw/loop.sh": "iptables -A INPUT -p tcp --dport 80 -j ACCEPT\n. ./loop.sh\n" });
    expect(ports(rs)).toEqual(["dport=80 accept"]);
    expect(said(rs).some((d) => d.includes("/repo/fw/loop.sh:2:1 '. ./loop.sh' skipped: ./loop.sh is being sourced already (a loop)"))).toBe(true);
  });

  it("without a way to read files (no io given: the disk) a missing file is told the same way", () => {
    const rs = parseIptablesScript(". ./no-such-file-here.conf\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n", "/nonexistent/fw.sh");
    expect(rs.diagnostics[0]!.message).toMatch(/^'\. \.\/no-such-file-here\.conf' skipped: .*not found or not readable/);
  });
});

describe("a script read on its own that another sources", () => {
  it("marks where it needs a variable it does not assign as naming what it does not define", () => {
    const rs = parseIptablesScript('iptables -A INPUT -i "$WAN" -p udp --dport 53 -j ACCEPT\n', "/repo/fw/site.sh");
    expect(rs.diagnostics.filter((d) => d.unresolved)).toHaveLength(1);
    expect(parseIptablesScript("WAN=eth0\niptables -A INPUT -i $WAN -j ACCEPT\n", "/repo/fw/site.sh").diagnostics.some((d) => d.unresolved)).toBe(false);
  });
});

describe("nft scripts source files too", () => {
  it("variables from a sourced file fill nft commands; the sourced file's own nft commands run where it is sourced, at its lines", () => {
    const text = ["#!/bin/sh", ". ./vars.sh", "nft add table inet f", "nft add chain inet f input '{ type filter hook input priority 0; policy drop; }'", 'nft add rule inet f input iifname "$WAN" tcp dport "$PORT" accept', ". ./more.sh", "allow 993"].join("\n") + "\n";
    const files: Record<string, string> = { "/repo/fw/vars.sh": "WAN=eth0\nPORT=25\n", "/repo/fw/more.sh": "nft add rule inet f input tcp dport 23 accept\nallow() { nft add rule inet f input tcp dport $1 accept; }\nallow smtpp\n" };
    const rs = parseNftScript(text, SCRIPT, { readFile: (p) => files[p], listDir: () => undefined, root: "/repo" });
    const rules = [...rs.chains.values()].find((c) => c.name === "input")!.rules;
    expect(rules.map((r) => `${r.span.file}:${r.span.line}:${r.span.column}`)).toEqual([`${SCRIPT}:5:27`, "/repo/fw/more.sh:1:27", "/repo/fw/more.sh:2:37"]);
    expect(rules.map((r) => r.conditions.find((c) => c.kind === "port"))).toEqual([25, 23, 993].map((p) => expect.objectContaining({ kind: "port", field: "dport", ranges: [[p, p]] })));
    // what nft refuses in the sourced file is an error there, and fails that command alone
    expect(said(rs).filter((d) => d.startsWith("error"))).toEqual(["error /repo/fw/more.sh:2:47 expected a port, service name or range after 'tcp dport', found 'smtpp'"]);
    expect(rs.includedFiles).toEqual(["/repo/fw/vars.sh", "/repo/fw/more.sh"]);
  });
});

describe("dirnameOf is dirname(1)", () => {
  // each checked against coreutils' dirname
  const cases: [string, string][] = [
    ["a/b/", "a"],
    ["/a", "/"],
    ["a", "."],
    ["//", "/"],
    ["a//b", "a"],
    ["/a/b//", "/a"],
    [".", "."],
    ["..", "."],
    ["./x", "."],
    ["///", "/"],
    ["", "."],
    ["x/", "."],
  ];
  for (const [path, dir] of cases) it(`dirname '${path}' is '${dir}'`, () => expect(dirnameOf(path)).toBe(dir));
});
