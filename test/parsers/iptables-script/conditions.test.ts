/**
 * What a script's conditions decide: `[ ... ]` / `test` / `[[ ... ]]` over known words, `case`
 * arms, the firewall program being there, init-style scripts read as run with `start`, and
 * `( ... )` subshells. Each branch is decided the way sh/bash decides it (the kernel test runs
 * fixtures/iptables-script's init-style script with its own shell and compares).
 */
import { describe, expect, it } from "vitest";
import { diags, ports, rulesOf, script } from "./helpers.js";

/** The ports of the rules a script adds when each line's rule is guarded by `cond`. */
function decided(conds: readonly string[], pre: readonly string[] = []): string[] {
  const rs = script([...pre, ...conds.map((c, k) => `if ${c}; then iptables -A INPUT -p tcp --dport ${k + 1} -j ACCEPT; fi`)]);
  return ports(rs).map((p) => p.split(" ")[0]!.replace("dport=", ""));
}

describe("test commands over known words", () => {
  it("string tests, integers, !, -a / -o, as sh decides them", () => {
    const kept = decided(
      [
        '[ "$SMTP" = yes ]', // 1 yes
        '[ "$SMTP" != yes ]', // 2
        "[ -n \"$EMPTY\" ]", // 3
        '[ -z "$EMPTY" ]', // 4 yes
        "[ $N -gt 2 ]", // 5 yes
        "[ $N -le 2 ]", // 6
        "test $SMTP == yes", // 7 yes
        '[ ! "$SMTP" = no ]', // 8 yes
        "[ a = a -a b = c ]", // 9
        "[ a = b -o c = c ]", // 10 yes
        "[ x -eq 1 ]", // 11 (integer expression expected: fails)
        "[ a = a", // 12 (no ]: fails)
        "[ \"$SMTP\" ]", // 13 yes (non-empty)
        "[ ]", // 14
        '! [ "$N" -eq 4 ]', // 15 yes
        "[ -n \"$SMTP\" ] && [ $N -ge 3 ]", // 16 yes
      ],
      ["SMTP=yes", "EMPTY=", "N=3"],
    );
    expect(kept).toEqual(["1", "4", "5", "7", "8", "10", "13", "15", "16"]);
  });

  it("[[ ... ]]: == and != match an unquoted right side as a pattern, a quoted one literally; no word splitting", () => {
    const kept = decided(
      [
        "[[ $IF == eth* ]]", // 1 yes
        '[[ $IF == "eth*" ]]', // 2
        "[[ $IF != wlan? ]]", // 3 yes
        "[[ $IF == eth[0-9] ]]", // 4 yes
        "[[ $IF == eth[!0-9] ]]", // 5
        "[[ -n $TWO ]]", // 6 yes (one word, not split)
        "[[ $TWO == 'a b' ]]", // 7 yes
        "[[ b > a ]]", // 8 (> inside [[ is not kept: not decided)
      ],
      ["IF=eth0", "TWO='a b'"],
    );
    expect(kept).toEqual(["1", "3", "4", "6", "7"]);
  });

  it("a test fwlint cannot decide skips its if with the reason: host files, unknown variables, operators inside [[ ]]", () => {
    const rs = script([
      "if [ -d /etc/fw.d ]; then iptables -A INPUT -p tcp --dport 1 -j ACCEPT; fi",
      "if [[ -n $A && -n $B ]]; then iptables -A INPUT -p tcp --dport 2 -j ACCEPT; fi",
      "if [ \"$(hostname)\" = gw ]; then iptables -A INPUT -p tcp --dport 3 -j ACCEPT; fi",
      "iptables -A INPUT -p tcp --dport 4 -j ACCEPT",
    ]);
    expect(ports(rs)).toEqual(["dport=4 accept"]);
    expect(diags(rs)).toEqual([
      "info 1:1 if ... fi (line 1) skipped: fwlint cannot tell the outcome of its condition (line 1: '-d /etc/fw.d' depends on the host that runs the script); the 1 iptables command inside is not in the model",
      "info 2:1 if ... fi (line 2) skipped: fwlint cannot tell the outcome of its condition (line 2: fwlint does not decide a '[[ ... ]]' with &&, || or parentheses inside); the 1 iptables command inside is not in the model",
      "info 3:1 if ... fi (line 3) skipped: fwlint cannot tell the outcome of its condition (line 3: $(hostname) is a command substitution, known only when the script runs); the 1 iptables command inside is not in the model",
    ]);
  });

  it("under #!/bin/sh, [[ ]] and == in [ ] are not decided (dash fails them, bash decides them); under #!/bin/bash they are", () => {
    const body = ["X=a", "if [ $X == a ]; then iptables -A INPUT -p tcp --dport 1 -j ACCEPT; fi", "if [[ $X = a ]]; then iptables -A INPUT -p tcp --dport 2 -j ACCEPT; fi", "if [ $X = a ]; then iptables -A INPUT -p tcp --dport 3 -j ACCEPT; fi"];
    const sh = script(["#!/bin/sh", ...body]);
    expect(ports(sh)).toEqual(["dport=3 accept"]);
    expect(diags(sh)[0]).toBe(
      "info 3:1 if ... fi (line 3) skipped: fwlint cannot tell the outcome of its condition (line 3: '==' in a test is bash's: the script's #! names sh, which fails it where that is dash (Debian, Ubuntu) and decides it where that is bash); the 1 iptables command inside is not in the model",
    );
    for (const head of ["#!/bin/bash", "#!/usr/bin/env bash", "#! /bin/bash -e"]) expect(ports(script([head, ...body]))).toEqual(["dport=1 accept", "dport=2 accept", "dport=3 accept"]);
  });

  it("the program the script is read for is taken as there; another program, or iptables in an nft reading, is not", () => {
    const rs = script([
      "IPT=/sbin/iptables",
      '[ -x "$IPT" ] || { echo "no iptables"; exit 1; }',
      "command -v ip6tables >/dev/null 2>&1 || exit 1",
      "if ! which iptables >/dev/null; then exit 1; fi",
      "$IPT -A INPUT -p tcp --dport 1 -j ACCEPT",
      "if [ -x /usr/sbin/ipset ]; then iptables -A INPUT -p tcp --dport 2 -j ACCEPT; fi",
      "type -p conntrack && iptables -A INPUT -p tcp --dport 3 -j ACCEPT",
    ]);
    expect(ports(rs)).toEqual(["dport=1 accept"]);
    expect(diags(rs)).toEqual([
      "info 2:1 '-x /sbin/iptables' taken as true: fwlint reads the script as run on a host that has iptables",
      "info 3:1 'command -v ip6tables' taken as true: fwlint reads the script as run on a host that has ip6tables",
      "info 4:6 'which iptables' taken as true: fwlint reads the script as run on a host that has iptables",
      "info 6:1 if ... fi (line 6) skipped: fwlint cannot tell the outcome of its condition (line 6: '-x /usr/sbin/ipset' depends on the host that runs the script); the 1 iptables command inside is not in the model",
      "info 7:22 skipped: runs only if the command at line 7 succeeds, which fwlint cannot tell; the 1 iptables command inside is not in the model",
    ]);
  });
});

describe("case", () => {
  it("runs the first arm whose pattern matches the word: alternatives, globs, quoted patterns, (pattern), *", () => {
    const arms = (word: string) =>
      ports(
        script([
          `W=${word}`,
          'case "$W" in',
          "  web|www) iptables -A INPUT -p tcp --dport 80 -j ACCEPT ;;",
          "  (mail*) iptables -A INPUT -p tcp --dport 25 -j ACCEPT ;;",
          '  "d*") iptables -A INPUT -p tcp --dport 53 -j ACCEPT ;;',
          "  d?) iptables -A INPUT -p udp --dport 53 -j ACCEPT ;;",
          "  '') ;;",
          "  *) iptables -A INPUT -p tcp --dport 22 -j ACCEPT",
          "esac",
        ]),
      );
    expect(arms("www")).toEqual(["dport=80 accept"]);
    expect(arms("mailhost")).toEqual(["dport=25 accept"]);
    expect(arms("'d*'")).toEqual(["dport=53 accept"]);
    expect(arms("dx")).toEqual(["dport=53 accept"]);
    expect(arms("''")).toEqual([]);
    expect(arms("other")).toEqual(["dport=22 accept"]);
  });

  it(";& runs the next arm's commands too; ;;& goes on matching; no match runs nothing", () => {
    const rs = script([
      "R=edge",
      "case $R in",
      "  edge) iptables -A INPUT -p tcp --dport 1 -j ACCEPT ;&",
      "  core) iptables -A INPUT -p tcp --dport 2 -j ACCEPT ;;&",
      "  lab) iptables -A INPUT -p tcp --dport 3 -j ACCEPT ;;",
      "  e*) iptables -A INPUT -p tcp --dport 4 -j ACCEPT ;;",
      "  *) iptables -A INPUT -p tcp --dport 5 -j ACCEPT ;;",
      "esac",
      "case $R in core) iptables -A INPUT -p tcp --dport 6 -j ACCEPT ;; esac",
    ]);
    expect(ports(rs)).toEqual(["dport=1 accept", "dport=2 accept", "dport=4 accept"]);
    expect(diags(rs)).toEqual([]);
  });

  it("a pattern fwlint cannot know, met before a match, skips the case", () => {
    const rs = script(["R=edge", "case $R in", "  $ROLE) iptables -A INPUT -p tcp --dport 1 -j ACCEPT ;;", "  edge) iptables -A INPUT -p tcp --dport 2 -j ACCEPT ;;", "esac"]);
    expect(ports(rs)).toEqual([]);
    expect(diags(rs)).toEqual([
      "info 2:1 case ... esac (lines 2-5) skipped: fwlint cannot tell which arm it takes (line 3: $ROLE is not assigned in this file (it would come from the environment)); the 2 iptables commands inside are not in the model",
      "warning 2:1 none of the 2 iptables commands of this script could be followed (see the info diagnostics): the model is empty, which is not what the script sets up",
    ]);
  });
});

describe("init-style scripts: read as run with 'start'", () => {
  it("case \"$1\" in start) ... esac runs the start arm, with an info saying how the script is read", () => {
    const rs = script([
      "start() {",
      "  iptables -P INPUT DROP",
      "  iptables -A INPUT -p tcp --dport 25 -j ACCEPT",
      "}",
      "stop() { iptables -F; iptables -P INPUT ACCEPT; }",
      'case "$1" in',
      "  start|restart) start ;;",
      "  stop) stop ;;",
      '  *) echo "usage: $0 {start|stop}"; exit 1 ;;',
      "esac",
    ]);
    expect(ports(rs)).toEqual(["dport=25 accept"]);
    expect(diags(rs)).toEqual([
      "info 6:1 the script is read as run with the argument 'start', which the case here looks for (an init-style script); run with another argument it may set up other rules, which fwlint does not read",
    ]);
  });

  it("an LSB init script: its init-functions' messages are quiet, and its variables after the library are known", () => {
    const rs = script([
      ". /lib/lsb/init-functions",
      "SSH_PORT=22",
      "do_start() { iptables -P INPUT DROP; iptables -A INPUT -p tcp --dport $SSH_PORT -j ACCEPT; }",
      'case "$1" in',
      '  start) log_daemon_msg "Starting firewall" "fw"; do_start; log_end_msg $? ;;',
      '  *) log_action_msg "Usage: $0 {start|stop}"; exit 2 ;;',
      "esac",
    ]);
    expect(ports(rs)).toEqual(["dport=22 accept"]);
    expect(diags(rs)).toEqual([
      `info 1:1 '. /lib/lsb/init-functions' skipped: it is outside the scanned tree (${process.cwd()}), which holds no copy of it; variables it may set are treated as unknown from here on`,
      "info 4:1 the script is read as run with the argument 'start', which the case here looks for (an init-style script); run with another argument it may set up other rules, which fwlint does not read",
    ]);
  });

  it("the script's arguments reach a main function through \"$@\"; [ \"$1\" = start ] counts as well", () => {
    const rs = script([
      "main() {",
      '  if [ "$1" = "start" ]; then iptables -A INPUT -p tcp --dport 1 -j ACCEPT; fi',
      '  [ $# -eq 1 ] && iptables -A INPUT -p tcp --dport 2 -j ACCEPT',
      "}",
      'main "$@"',
    ]);
    expect(ports(rs)).toEqual(["dport=1 accept", "dport=2 accept"]);
    expect(diags(rs)).toEqual([
      "info 2:6 the script is read as run with the argument 'start', which the test here looks for (an init-style script); run with another argument it may set up other rules, which fwlint does not read",
    ]);
  });

  it("a case on $1 without a start arm (a *) alone takes any word) leaves the arguments unknown; ${1:-default} takes the default", () => {
    const rs = script([
      'case "$1" in',
      "  -h) exit 0 ;;",
      "  *) iptables -A INPUT -s $1 -j ACCEPT ;;",
      "esac",
      'MODE="${1:-strict}"',
      '[ "$MODE" = strict ] && iptables -A INPUT -j DROP',
    ]);
    expect(ports(rs)).toEqual(["any drop"]);
    expect(diags(rs)).toEqual([
      "info 1:1 case ... esac (lines 1-4) skipped: fwlint cannot tell which arm it takes (line 1: $1 is a positional parameter, known only when the script runs); the 1 iptables command inside is not in the model",
      "info 5:7 $1 is the script's argument: fwlint takes the default 'strict' written here (the script run with an argument could use another value)",
    ]);
  });
});

describe("subshells", () => {
  it("( ... ) runs its commands; what it assigns and exit stay inside it", () => {
    const rs = script([
      "P=22",
      "( P=25; iptables -A INPUT -p tcp --dport $P -j ACCEPT )",
      "iptables -A INPUT -p tcp --dport $P -j ACCEPT",
      "( exit 1 ) || iptables -A INPUT -p tcp --dport 3 -j ACCEPT",
      "( set -e; false; iptables -A INPUT -p tcp --dport 4 -j ACCEPT ) || iptables -A INPUT -p tcp --dport 5 -j ACCEPT",
      "( iptables -N LOGDROP ) 2>/dev/null",
      "iptables -A INPUT -j LOGDROP",
    ]);
    // (set -e does not stop inside a command || looks at: bash runs the 4 and not the 5)
    expect(ports(rs)).toEqual(["dport=25 accept", "dport=22 accept", "dport=3 accept", "dport=4 accept", "any jump LOGDROP"]);
    expect(diags(rs)).toEqual([]);
  });

  it("set -e stops a subshell alone, and does not stop inside a command whose status || or ! looks at (as bash and dash run it)", () => {
    const rs = script([
      "( set -e; false; iptables -A INPUT -p tcp --dport 6 -j ACCEPT )",
      "iptables -A INPUT -p tcp --dport 7 -j ACCEPT",
      "set -e",
      "f() { false; iptables -A INPUT -p tcp --dport 8 -j ACCEPT; }",
      "f || true",
      "! f",
      "f",
      "iptables -A INPUT -p tcp --dport 9 -j ACCEPT",
    ]);
    expect(ports(rs)).toEqual(["dport=7 accept", "dport=8 accept", "dport=8 accept"]);
    expect(diags(rs)).toEqual(["info 8:1 not run: the command at line 4 fails and 'set -e' stops the script there"]);
  });
});

describe("while read loops over a here-document", () => {
  it("run once per line, the fields in the names as read splits them (checked against bash and dash)", () => {
    const rs = script([
      "SSH=22",
      "while read -r port proto comment; do",
      "  iptables -A INPUT -p $proto --dport $port -j ACCEPT",
      '  echo "$comment"',
      "done <<EOF",
      "$SSH tcp  admin access",
      "53 udp",
      "  80   tcp web   server  ",
      "EOF",
      '[ -z "$port" ] && iptables -A INPUT -p tcp --dport 1 -j ACCEPT',
      "while IFS=, read -r net port; do",
      '  [ "$net" = skip ] && continue',
      "  iptables -A INPUT -s $net -p tcp --dport $port -j ACCEPT",
      "done <<'EOF'",
      "192.0.2.0/24,25",
      "skip,1",
      "198.51.100.0/24 , 587",
      "EOF",
      "while read line; do iptables -A INPUT -p tcp --dport $line -j ACCEPT; break; done <<< '8080",
      "8443'",
    ]);
    expect(diags(rs)).toEqual([]);
    expect(ports(rs)).toEqual(["dport=22 accept", "dport=53 accept", "dport=80 accept", "dport=1 accept", "dport=25 accept", "dport=587 accept", "dport=8080 accept"]);
  });

  it("reads a file the script wrote", () => {
    const rs = script(["cat > ports.txt <<'EOF'", "22", "25", "EOF", "while read p; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done < ports.txt"]);
    expect(diags(rs)).toEqual([]);
    expect(ports(rs)).toEqual(["dport=22 accept", "dport=25 accept"]);
  });

  it("one that reads a file, or whose condition depends on the host, is skipped with the reason", () => {
    const rs = script([
      "while read ip; do iptables -A INPUT -s $ip -j DROP; done < /etc/blocklist",
      "while [ -s /run/fw.pid ]; do iptables -A INPUT -p tcp --dport 1 -j ACCEPT; done",
      "iptables -A INPUT -p tcp --dport 2 -j ACCEPT",
    ]);
    expect(ports(rs)).toEqual(["dport=2 accept"]);
    expect(diags(rs)).toEqual([
      `info 1:1 while loop (line 1) skipped: it reads /etc/blocklist: it is outside the scanned tree (${process.cwd()}), which holds no copy of it; the 1 iptables command inside is not in the model`,
      "info 2:1 while loop (line 2) skipped: fwlint cannot tell the outcome of its condition (line 2: '-s /run/fw.pid' depends on the host that runs the script); the 1 iptables command inside is not in the model",
    ]);
  });
});

describe("bash arrays", () => {
  it("NAME=(...), +=, declare -a, local -a; \"${A[@]}\" one field per element, ${A[*]}, ${A[N]}, ${#A[@]}, $A (checked against bash)", () => {
    const rs = script([
      "TCP=(22 80)",
      "TCP+=(443)",
      "EMPTY=()",
      'declare -a NETS=("192.0.2.0/24" 198.51.100.0/28)',
      'LIST="8080 8443"',
      "SPLIT=($LIST)",
      'for p in "${TCP[@]}"; do iptables -A INPUT -p tcp --dport "$p" -j ACCEPT; done',
      "for p in ${SPLIT[*]}; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done",
      'iptables -A INPUT -s "${NETS[1]}" -p tcp --dport "${#TCP[@]}" -j ACCEPT',
      'iptables -A INPUT -p tcp --dport "$TCP" -j ACCEPT',
      'for n in "${EMPTY[@]}"; do iptables -A INPUT -p tcp --dport 9 -j ACCEPT; done',
      'f() { local -a L=(1 2); iptables -A INPUT -p tcp --dport "${L[1]}" -j ACCEPT; }',
      "f",
      'iptables -A INPUT -p tcp --dport "${L[0]}" -j ACCEPT',
    ]);
    expect(ports(rs)).toEqual(["dport=22 accept", "dport=80 accept", "dport=443 accept", "dport=8080 accept", "dport=8443 accept", "dport=3 accept", "dport=22 accept", "dport=2 accept"]);
    expect(rulesOf(rs)[5]!.conditions.find((c) => c.kind === "addr")).toMatchObject({ ranges: [{ lo: 0xc6336400n, hi: 0xc633640fn }] });
    // (the local array is gone after the call: its element is not known)
    expect(diags(rs)).toEqual(["info 14:35 iptables command skipped: $L is not assigned in this file; fwlint does not guess the value"]);
  });

  it("an array assigned in a block fwlint does not run is unknown after it; under #!/bin/sh, an info says dash stops there", () => {
    const rs = script(["P=(22)", "if [ -d /etc/fw ]; then P=(2222); fi", 'iptables -A INPUT -p tcp --dport "${P[0]}" -j ACCEPT']);
    expect(ports(rs)).toEqual([]);
    expect(diags(rs)[1]).toBe("info 3:35 iptables command skipped: $P may be changed by the if ... fi at line 2; fwlint does not guess the value");
    const sh = script(["#!/bin/sh", "P=(22)", 'iptables -A INPUT -p tcp --dport "${P[0]}" -j ACCEPT']);
    expect(ports(sh)).toEqual(["dport=22 accept"]);
    expect(diags(sh)).toEqual(["info 2:1 arrays are bash's: the script's #! names sh, and where that is dash (Debian, Ubuntu) it stops here with a syntax error; fwlint reads on as bash runs it"]);
  });
});

describe("parameter expansions with operators", () => {
  it("${V// /,}, ${#V}, ${V%.*}, ${V##*/}, ${V:0:4}, ${V^^}, ${V:+w}, ${V:=w} ... as bash expands them", () => {
    const rs = script([
      'PORTS="22 80 443"',
      "IF=eth0.100",
      "NET=192.0.2.0/24",
      "MAIL=",
      'echo "[${PORTS// /,}] [${PORTS/ /,}] [${#PORTS}] [${IF%.*}] [${IF%%[.0-9]*}] [${IF#eth}] [${NET%/*}] [${NET##*/}] [${IF:0:4}] [${IF:3}] [${IF^^}] [${MAIL:+--dport 25}] [${IF:+yes}] [${NEWV:=dflt}] [$NEWV] [${PORTS/#22/2222}] [${PORTS/%443/8443}] [${IF/./:}]" > /tmp/out',
      'iptables -A INPUT -p tcp -m multiport --dports "${PORTS// /,}" -j ACCEPT',
      'iptables -A INPUT -i "${IF%.*}" -s "${NET%/*}/${NET##*/}" -p tcp --dport "${#PORTS}" -j ACCEPT',
      "iptables -A INPUT -p tcp ${MAIL:+--dport 25} -j DROP",
    ]);
    expect(ports(rs)).toEqual(["dport=22,80,443 accept", "dport=9 accept", "proto drop"]);
    expect(rulesOf(rs)[1]!.conditions.find((c) => c.kind === "iface")).toMatchObject({ name: "eth0" });
    expect(diags(rs)).toEqual(["info 5:183 $NEWV is not assigned in this file: fwlint takes it as unset here (the environment could set it)"]);
  });

  it("an operator on a value fwlint does not know, or with words it would have to expand, is not guessed", () => {
    const rs = script(['iptables -A INPUT -p tcp --dport "${P#x}" -j ACCEPT', 'Q=1; iptables -A INPUT -p tcp --dport "${Q/1/$R}" -j ACCEPT']);
    expect(ports(rs)).toEqual([]);
    expect(diags(rs).map((d) => d.replace(/ \(it would come.*$/, ""))).toEqual([
      "info 1:35 iptables command skipped: $P is not assigned in this file",
      "warning 1:35 none of the 2 iptables commands of this script could be followed (see the info diagnostics): the model is empty, which is not what the script sets up",
      "info 2:40 iptables command skipped: ${Q/1/$R} is a parameter expansion, known only when the script runs; fwlint does not guess the value",
    ]);
  });
});
