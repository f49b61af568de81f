/**
 * What bash computes before a command runs and while it loops: brace expansion, arithmetic
 * `$(( ))`, `$(seq ...)`, and while / until loops over conditions the script's own variables decide.
 * Each expectation was first run through bash with an `iptables` function that prints its
 * arguments (and dash where it differs): the ports asserted are the ones bash printed.
 */
import { describe, expect, it } from "vitest";
import { evaluateArithmetic } from "../../../parsers/iptables-script/arithmetic.js";
import { expandBraces } from "../../../parsers/iptables-script/braces.js";
import { seqOutput } from "../../../parsers/iptables-script/seq.js";
import { parseIptablesScript } from "../../../parsers/iptables-script/index.js";
import { diags, ports, script } from "./helpers.js";

const dports = (lines: string[]) => ports(script(lines)).map((p) => p.split(" ")[0]!.replace("dport=", ""));

describe("brace expansion", () => {
  it("lists, sequences, letters, steps, zero padding, nesting, text around", () => {
    expect(expandBraces("{21,23}")).toEqual(["21", "23"]);
    expect(expandBraces("{6000..6003}")).toEqual(["6000", "6001", "6002", "6003"]);
    expect(expandBraces("{10..1..3}")).toEqual(["10", "7", "4", "1"]);
    expect(expandBraces("{a..c}")).toEqual(["a", "b", "c"]);
    expect(expandBraces("{08..10}")).toEqual(["08", "09", "10"]);
    expect(expandBraces("eth{0,{1..2}}")).toEqual(["eth0", "eth1", "eth2"]);
    expect(expandBraces("x{a,b}y{1,2}")).toEqual(["xay1", "xay2", "xby1", "xby2"]);
    expect(expandBraces("a{b{1,2}")).toEqual(["a{b1", "a{b2"]);
    // no comma and no sequence: as written (find's {}), bash's own choice
    expect(expandBraces("{}")).toBeUndefined();
    expect(expandBraces("{x}")).toBeUndefined();
    expect(expandBraces("{1..}")).toBeUndefined();
    // too many words: left as written
    expect(expandBraces("{1..100000}")).toBeUndefined();
  });

  it("in a script: each word a field of its own; quoted braces and assignments are not expanded", () => {
    expect(dports(["for p in {6000..6002}; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done"])).toEqual(["6000", "6001", "6002"]);
    expect(ports(script(["for i in eth{0,1}; do iptables -A INPUT -i $i -j ACCEPT; done"]))).toHaveLength(2);
    // `--dports {21,23}` is `--dports 21 23` to bash: iptables refuses the 23
    expect(diags(script(["iptables -A INPUT -p tcp -m multiport --dports {21,23} -j ACCEPT"]), "error")).toEqual([expect.stringMatching(/^error 1:\d+ unexpected '23' after --dports 21/)]);
    expect(diags(script(['iptables -A INPUT -p tcp --dport "{21,23}" -j ACCEPT']), "error")).toEqual([expect.stringMatching(/found '\{21,23\}'/)]);
    expect(dports(["P={1,2}", 'iptables -A INPUT -p tcp --dport "$P" -j ACCEPT'])).toEqual([]);
    // a declaration builtin's arguments are a command's words: `export P={1,2}` is P=1 then P=2 (bash prints 2)
    expect(dports(["export P={1,2}", 'iptables -A INPUT -p tcp --dport "$P" -j ACCEPT'])).toEqual(["2"]);
    expect(dports(["A=(1{0,1})", 'for p in "${A[@]}"; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done'])).toEqual(["10", "11"]);
  });

  it("under #!/bin/sh: read as bash runs it, with an info that dash leaves the braces as written", () => {
    const rs = parseIptablesScript("#!/bin/sh\nfor p in {1..2}; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done\n", "fw.sh");
    expect(ports(rs)).toEqual(["dport=1 accept", "dport=2 accept"]);
    expect(diags(rs, "info")).toContainEqual(expect.stringMatching(/^info 2:10 brace expansion is bash's: .*'\{1\.\.2\}' stays as written/));
  });
});

describe("arithmetic expansion", () => {
  const values: Record<string, string> = { N: "8000", E: "", STEP: "2", W: "N + 1", IP: "10.0.0.1" };
  const calc = (text: string) => evaluateArithmetic(text, (name) => (name in values ? { value: values[name]! } : { why: `$${name} is not assigned` }));
  it("integers, variables, operators by precedence, as bash computes them", () => {
    const cases: [string, string][] = [
      ["8000 + 80", "8080"],
      ["N+STEP*3", "8006"],
      ["(N+STEP)*3", "24006"],
      ["E + 1", "1"],
      ["W * 2", "16002"],
      ["-7 / 2", "-3"],
      ["-7 % 2", "-1"],
      ["2 ** 10", "1024"],
      ["2 ** 63", "-9223372036854775808"],
      ["1 << 4 | 1", "17"],
      ["5 > 3 && 2 > 3", "0"],
      ["0x10 + 010 + 2#101", "29"],
      ["N > 100 ? 1 : 2", "1"],
      ["1, 2, 3", "3"],
      ["!0 + ~0", "0"],
      ["", "0"],
    ];
    for (const [text, want] of cases) expect(calc(text), text).toEqual({ value: want });
  });
  it("what changes a variable, an unknown one, a value that is no integer, division by zero: not computed", () => {
    for (const text of ["i++", "N += 1", "x = 2", "$UNSET + 1", "IP + 1", "1 / 0", "2 ** -1", "1 +", "(1"]) expect(calc(text), text).toHaveProperty("why");
  });
  it("in a script: the port it computes; an unknown one skips the command with why", () => {
    expect(dports(["BASE=8000", "iptables -A INPUT -p tcp --dport $((BASE + 80)) -j ACCEPT"])).toEqual(["8080"]);
    // $N, ${N} and a function's $1 are filled in first, as the shell does
    expect(dports(["N=8000", "iptables -A INPUT -p tcp --dport $(($N + 80)) -j ACCEPT", "f() { iptables -A INPUT -p tcp --dport $((${1} + 1)) -j ACCEPT; }", "f 8080"])).toEqual(["8080", "8081"]);
    const rs = script(["iptables -A INPUT -p tcp --dport $((OFFSET + 80)) -j ACCEPT"]);
    expect(ports(rs)).toEqual([]);
    expect(diags(rs, "info")).toEqual([expect.stringMatching(/^info 1:\d+ iptables command skipped: \$\(\(OFFSET \+ 80\)\) is an arithmetic expansion fwlint cannot compute: \$OFFSET is not assigned in this file/)]);
  });
});

describe("arithmetic commands, let and C-style for loops", () => {
  // each expectation is what bash runs with an `iptables` function that prints its arguments
  it("(( i++ )) steps a while loop's counter; a for (( ; ; )) loop with a comma and continue; let with several expressions", () => {
    expect(dports(["i=0", "while [ $i -lt 3 ]; do", "  iptables -A INPUT -p tcp --dport $((8000 + i)) -j ACCEPT", "  ((i++))", "done"])).toEqual(["8000", "8001", "8002"]);
    expect(dports(["for ((a = 0, b = 10; a < 3; a++, b += 10)); do", "  [ $a -eq 1 ] && continue", "  iptables -A INPUT -p udp --dport $((5000 + b)) -j ACCEPT", "done"])).toEqual(["5010", "5030"]);
    expect(dports(["n=0", "((n += 2)) || true", 'let "m = n * 3" "k = m - 6"', "iptables -A INPUT -p tcp --dport $((1000 + n + m + k)) -j ACCEPT"])).toEqual(["1008"]);
    // pre and post increments, an assignment's value, nested parentheses
    expect(dports(["x=5", "(( y = (x++ + ++x) * 2 ))", "iptables -A INPUT -p tcp --dport $((y + x)) -j ACCEPT"])).toEqual(["31"]);
  });

  it("an arithmetic command whose value is 0 fails: set -e stops the script there, as bash does", () => {
    const rs = script(["set -e", "x=0", "((x++))", "iptables -A INPUT -p tcp --dport 7777 -j ACCEPT"]);
    expect(ports(rs)).toEqual([]);
    expect(diags(rs, "info")).toEqual(["info 4:1 not run: the command at line 3 fails and 'set -e' stops the script there"]);
  });

  it("continue in a while loop goes on with the next round", () => {
    expect(dports(["i=0", "while [ $i -lt 3 ]; do", "  i=$((i + 1))", "  [ $i -eq 2 ] && continue", "  iptables -A INPUT -p tcp --dport $((6000 + i)) -j ACCEPT", "done"])).toEqual(["6001", "6003"]);
  });

  it("one fwlint cannot compute is told, and what it assigns is unknown after it; an assignment && or ?: may skip is not run", () => {
    const rs = script(["i=1", "(( i += $(nproc) ))", "iptables -A INPUT -p tcp --dport $((8000 + i)) -j ACCEPT"]);
    expect(ports(rs)).toEqual([]);
    expect(diags(rs, "info")[0]).toMatch(/^info 2:1 \(\( i \+= \$\(nproc\) \)\) skipped: fwlint cannot compute it \(a command substitution/);
    const guarded = script(["a=1", "b=0", "(( a > 0 && b++ ))", "iptables -A INPUT -p tcp --dport $((9000 + b)) -j ACCEPT"]);
    expect(diags(guarded, "info")[0]).toContain("'b++' changes a variable under &&, || or ?:, which may skip it: fwlint does not run it");
    expect(ports(guarded)).toEqual([]);
    // a for loop whose condition becomes unknown stops there, with why
    const loop = script(["for ((p = 1; p < LIMIT; p++)); do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done"]);
    expect(diags(loop, "info").join("\n")).toContain("for loop stopped after 0 rounds (fwlint cannot compute its condition): the rest of it is not in the model");
  });

  it("$(( i++ )) in an expansion is still not run (the expansion may be read more than once)", () => {
    expect(dports(["i=1", "iptables -A INPUT -p tcp --dport $((i++ + 8000)) -j ACCEPT"])).toEqual([]);
  });
});

describe("$(seq ...)", () => {
  const seq = (text: string) => seqOutput(text.split(" "), `$(${text})`);
  it("one, two or three integers", () => {
    expect(seq("seq 3")).toEqual({ value: "1\n2\n3" });
    expect(seq("seq 6000 6003")).toEqual({ value: "6000\n6001\n6002\n6003" });
    expect(seq("seq 10 -4 1")).toEqual({ value: "10\n6\n2" });
    expect(seq("seq 5 1")).toEqual({ value: "" });
    expect(seq("seq 1 0 5")).toHaveProperty("why");
    // another command, an option, a fraction: not seq's numbers
    for (const t of ["ls", "seq -w 1 3", "seq 1 0.5 3"]) expect(seq(t), t).toBeUndefined();
  });
  it("in a script: its words expanded as the script's own; variables, backquotes, arithmetic; a pipe or an unknown value is not read", () => {
    expect(dports(["for p in $(seq 21 2 25); do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done"])).toEqual(["21", "23", "25"]);
    expect(dports(["LAST=6003", 'for p in $(seq 6002 "${LAST}") `seq $((LAST + 1)) 6004`; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done'])).toEqual(["6002", "6003", "6004"]);
    const rs = script(["for p in $(seq 1 $NOPE) $(seq 1 3 | head -1); do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done"]);
    expect(ports(rs)).toEqual([]);
    expect(diags(rs, "info")[0]).toMatch(/\$NOPE is not assigned/);
  });
});

describe("while and until loops over known conditions", () => {
  it("a counter in the script's variables; until; break; a condition known at first and not later", () => {
    expect(dports(["i=0", "while [ $i -lt 3 ]; do", "  iptables -A INPUT -p tcp --dport $((5900 + i)) -j ACCEPT", "  i=$((i + 1))", "done"])).toEqual(["5900", "5901", "5902"]);
    expect(dports(["n=10", 'until [ "$n" -le 8 ]; do', "  iptables -A INPUT -p udp --dport $((n * 100 + 61)) -j ACCEPT", "  n=$((n - 1))", "done"])).toEqual(["1061", "961"]);
    expect(dports(["while true; do iptables -A INPUT -p tcp --dport 3389 -j ACCEPT; break; done"])).toEqual(["3389"]);
    const rs = script(["i=0", 'while [ "$i" -lt 2 ]; do', "  iptables -A INPUT -p tcp --dport $((22 + i)) -j ACCEPT", "  i=$(date +%s)", "done", "iptables -A INPUT -p tcp --dport $i -j ACCEPT"]);
    expect(ports(rs)).toEqual(["dport=22 accept"]);
    expect(diags(rs, "info")[0]).toMatch(/^info 2:1 while loop stopped after 1 round: line 2: .*\$\(date \+%s\) is a command substitution, known only when the script runs.*; the rest of it is not in the model/);
  });
  it("a condition that depends on the host, or a loop that never ends: skipped or stopped, with why", () => {
    const rs = script(["while [ -f /etc/x ]; do iptables -A INPUT -p tcp --dport 1433 -j ACCEPT; done"]);
    expect(ports(rs)).toEqual([]);
    expect(diags(rs, "info")).toEqual([expect.stringMatching(/^info 1:1 while loop \(line 1\) skipped: fwlint cannot tell the outcome of its condition \(line 1: '-f \/etc\/x' depends on the host that runs the script\)/)]);
    const forever = script(["while :; do iptables -A INPUT -p tcp --dport 22 -j ACCEPT; done"]);
    expect(ports(forever)).toHaveLength(4096);
    expect(diags(forever, "info")).toEqual([expect.stringMatching(/^info 1:1 while loop stopped after 4096 rounds: the rest of it is not in the model/)]);
  });
});
