/**
 * The shell layer: variables, quoting, continuations, command lists, and what is skipped (with an
 * info diagnostic) rather than guessed.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { bySeverity, diags, FILE, ports, rulesOf, script } from "./helpers.js";

describe("variables", () => {
  it("expands $X, ${X} and \"$X\" assigned with literal values, in later commands", () => {
    const rs = script([
      "IPT=iptables",
      "EXT_IF=eth0",
      'SSH_PORT="22"',
      "export MAIL='25'",
      "readonly WEB=80 WEBS=443",
      "$IPT -A INPUT -i $EXT_IF -p tcp --dport ${SSH_PORT} -j ACCEPT",
      '${IPT} -A INPUT -i "${EXT_IF}" -p tcp --dport "$MAIL" -j ACCEPT',
      "$IPT -A INPUT -p tcp --dport $WEB -j ACCEPT",
      "$IPT -A INPUT -p tcp --dport $WEBS -j ACCEPT",
    ]);
    expect(rs.diagnostics).toEqual([]);
    expect(ports(rs)).toEqual(["dport=22 accept", "dport=25 accept", "dport=80 accept", "dport=443 accept"]);
    expect(rulesOf(rs)[0]!.conditions[0]).toEqual({ kind: "iface", field: "iif", name: "eth0", prefix: false });
  });

  it("a later assignment changes what later commands see; values may use earlier variables", () => {
    const rs = script(["P=22", "iptables -A INPUT -p tcp --dport $P -j ACCEPT", "BASE=10.1", 'NET="$BASE.0.0/16"', "P=2222", "iptables -A INPUT -s $NET -p tcp --dport $P -j ACCEPT"]);
    expect(rs.diagnostics).toEqual([]);
    expect(ports(rs)).toEqual(["dport=22 accept", "dport=2222 accept"]);
    expect(rulesOf(rs)[1]!.conditions[0]).toMatchObject({ kind: "addr", ranges: [{ lo: 0x0a010000n, hi: 0x0a01ffffn }] });
  });

  it("the program may be a path, a variable holding a path or options, $(which iptables), or run through sudo", () => {
    const rs = script([
      "/sbin/iptables -A INPUT -p tcp --dport 1 -j ACCEPT",
      'IPT="/usr/sbin/iptables -w"',
      "$IPT -A INPUT -p tcp --dport 2 -j ACCEPT",
      "IPTABLES=$(which iptables)",
      "$IPTABLES -A INPUT -p tcp --dport 3 -j ACCEPT",
      "I=`command -v iptables`",
      "$I -A INPUT -p tcp --dport 4 -j ACCEPT",
      "sudo iptables -A INPUT -p tcp --dport 5 -j ACCEPT",
      "sudo -n /sbin/iptables -A INPUT -p tcp --dport 6 -j ACCEPT",
      "iptables-legacy -A INPUT -p tcp --dport 7 -j ACCEPT",
    ]);
    expect(rs.diagnostics).toEqual([]);
    expect(ports(rs).map((p) => p.split(" ")[0])).toEqual(["dport=1", "dport=2", "dport=3", "dport=4", "dport=5", "dport=6", "dport=7"]);
  });

  it("an unquoted variable splits into words; a quoted one stays one word", () => {
    const rs = script(['OPTS="-p tcp --dport 25"', "iptables -A INPUT $OPTS -j ACCEPT", 'EMPTY=""', "iptables -A INPUT $EMPTY -p udp -j ACCEPT", 'iptables -A INPUT "$OPTS" -j ACCEPT']);
    expect(ports(rs)).toEqual(["dport=25 accept", "proto accept"]);
    // "$OPTS" is one word '-p tcp --dport 25', which iptables does not take
    expect(diags(rs, "error")).toEqual(["error 5:19 unexpected '-p tcp --dport 25' after -A INPUT"]);
  });

  it("a command using a variable that is not assigned in the file is skipped with an info at the variable", () => {
    const rs = script(["iptables -P INPUT DROP", "iptables -A INPUT -p tcp --dport $SMTP_PORT -j ACCEPT", "iptables -A INPUT -p tcp --dport 22 -j ACCEPT"]);
    expect(ports(rs)).toEqual(["dport=22 accept"]);
    expect(diags(rs)).toEqual(["info 2:34 iptables command skipped: $SMTP_PORT is not assigned in this file (it would come from the environment); fwlint does not guess the value"]);
  });

  it("an address or interface known only when the script runs: the rule is kept with that condition unknown", () => {
    const rs = script([
      "WAN_IP=$(ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)",
      "iptables -A INPUT -i $WAN_IF -d $WAN_IP -p tcp --dport 25 -j ACCEPT",
      "iptables -A INPUT ! -d $WAN_IP -p tcp --dport 22 -j DROP",
      "iptables -t nat -A PREROUTING -d $WAN_IP -p tcp --dport 2222 -j DNAT --to-destination 192.168.1.10:22",
      "ip6tables -A INPUT -o $LAN6 -j ACCEPT",
      // a source known only when it runs (an admin list, a ban list): skipped as before
      "iptables -A INPUT -s $ADMINS -p tcp --dport 3389 -j ACCEPT",
    ]);
    expect(ports(rs)).toEqual(["dport=25 accept", "dport=22 drop"]);
    const input = rulesOf(rs);
    // the interface and address as any, beside the unknowns (an iptables "+" interface is every one)
    expect(input[0]!.conditions.filter((c) => c.kind === "unknown")).toEqual([
      { kind: "unknown", text: "-i $WAN_IF", reason: "$WAN_IF is not assigned in this file (it would come from the environment)" },
      { kind: "unknown", text: "-d $WAN_IP", reason: expect.stringMatching(/^\$WAN_IP is assigned at line 1 from something fwlint cannot know/) },
    ]);
    expect(input[0]!.conditions.some((c) => c.kind === "addr" || c.kind === "iface")).toBe(false);
    expect(input[1]!.conditions.filter((c) => c.kind === "unknown").map((c) => c.kind === "unknown" && c.text)).toEqual(["-d $WAN_IP"]);
    expect(rulesOf(rs, "nat/PREROUTING")).toHaveLength(1);
    expect(diags(rs).filter((d) => d.includes("the rule is read with that condition unknown"))).toHaveLength(5);
    expect(diags(rs).at(-1)).toMatch(/^info 6:\d+ iptables command skipped: \$ADMINS is not assigned/);
    // a port, a target, a chain unknown: the command is still skipped
    const skipped = script(["iptables -A INPUT -p tcp --dport $P -j ACCEPT", "iptables -A $CHAIN -s 192.0.2.1 -j DROP", "iptables -D INPUT -s $X -j DROP"]);
    expect(rulesOf(skipped)).toEqual([]);
    expect(diags(skipped, "info")).toHaveLength(3);
    expect(diags(skipped, "info").every((d) => d.includes("iptables command skipped"))).toBe(true);
  });

  it("command substitutions and values assigned from them are unknown", () => {
    const rs = script([
      "MYIP=$(ip -4 addr show eth0 | awk '/inet/ {print $2}')",
      "iptables -A INPUT -d $MYIP -p tcp --dport 80 -j ACCEPT",
      'iptables -A INPUT -d "`hostname -i`" -j ACCEPT',
      "iptables -A INPUT -p tcp --dport $((OFFSET + 80)) -j ACCEPT",
      "iptables -A INPUT -p tcp --dport $1 -j ACCEPT",
    ]);
    // (the two addresses: rules with an unknown condition; the ports: commands skipped)
    expect(rulesOf(rs).map((r) => r.conditions.filter((c) => c.kind === "unknown").map((c) => c.kind === "unknown" && c.text))).toEqual([["-d $MYIP"], ['-d "`hostname -i`"']]);
    const infos = bySeverity(rs, "info");
    expect(infos.map((d) => `${d.line}:${d.column}`)).toEqual(["2:22", "3:23", "4:34", "5:34"]);
    expect(infos[0]!.message).toMatch(/^-d \$MYIP: \$MYIP is assigned at line 1 from something fwlint cannot know \(\$\(ip -4 addr show eth0 \| awk '\/inet.*command substitution.*; the rule is read with that condition unknown$/);
    expect(infos[3]!.message).toMatch(/\$1 is a positional parameter/);
  });

  it("${X:-default} takes the default when the file does not assign X (with an info), the value when it does", () => {
    const rs = script(["iptables -A INPUT -p tcp --dport ${SSH_PORT:-22} -j ACCEPT", "WEB=8080", "iptables -A INPUT -p tcp --dport ${WEB:-80} -j ACCEPT"]);
    expect(ports(rs)).toEqual(["dport=22 accept", "dport=8080 accept"]);
    expect(diags(rs)).toEqual(["info 1:34 $SSH_PORT is not assigned in this file: fwlint takes the default '22' written here (the environment could set another value)"]);
  });

  it("unset makes a variable empty", () => {
    const rs = script(["X=eth0", "unset X", "iptables -A INPUT -p tcp --dport ${X:-25} -j ACCEPT"]);
    expect(rs.diagnostics).toEqual([]);
    expect(ports(rs)).toEqual(["dport=25 accept"]);
  });

  it("source / . and eval make every variable unknown from there on", () => {
    const rs = script(["P=22", ". ./firewall.conf", "iptables -A INPUT -p tcp --dport $P -j ACCEPT", "Q=80", "iptables -A INPUT -p tcp --dport $Q -j ACCEPT"]);
    expect(ports(rs)).toEqual(["dport=80 accept"]);
    expect(diags(rs, "info")).toEqual([
      `info 2:1 '. ./firewall.conf' skipped: file ${resolve("firewall.conf")} not found or not readable; variables it may set are treated as unknown from here on`,
      "info 3:34 iptables command skipped: $P may be changed by '. ./firewall.conf' at line 2; fwlint does not guess the value",
    ]);
  });
});

describe("quoting, comments, continuations, command lists", () => {
  it("a quoted argument right after an option is that option's argument, even when it starts with --", () => {
    const rs = script(['iptables -A INPUT -j LOG --log-prefix "--DROP--"', "iptables -A INPUT -m comment --comment '-x' -j DROP"]);
    expect(rs.diagnostics).toEqual([]);
    expect(rulesOf(rs)[0]!.action).toEqual({ kind: "continue", target: "LOG --log-prefix --DROP--" });
    expect(rulesOf(rs)[1]!.comment).toBe("-x");
  });

  it("single and double quotes, backslash escapes, comments after commands", () => {
    const rs = script([
      `iptables -A INPUT -p tcp --dport 22 -m comment --comment 'it''s "ssh"' -j ACCEPT # trailing comment`,
      `iptables -A INPUT -p tcp --dport 25 -m comment --comment "mail \\"in\\" \\$HOME" -j ACCEPT`,
      `iptables -A INPUT -p tcp --dport 80 -m comment --comment web\\ server -j ACCEPT`,
      "  # an indented comment; iptables -A INPUT -j DROP",
    ]);
    expect(rs.diagnostics).toEqual([]);
    expect(rulesOf(rs).map((r) => r.comment)).toEqual(['its "ssh"', 'mail "in" $HOME', "web server"]);
  });

  it("backslash-newline continues a command; its rule points at the first line", () => {
    const rs = script(["iptables -A INPUT \\", "    -p tcp \\", "    --dport 25 \\", "    -j ACCEPT", "iptables -A INPUT -j DROP"]);
    expect(rs.diagnostics).toEqual([]);
    expect(ports(rs)).toEqual(["dport=25 accept", "any drop"]);
    expect(rulesOf(rs)[0]!.span).toEqual({ file: FILE, line: 1, column: 1, text: "iptables -A INPUT \\" });
    expect(rulesOf(rs)[1]!.span.line).toBe(5);
  });

  it("; separates commands on one line; spans carry each command's column", () => {
    const rs = script(["iptables -A INPUT -p tcp --dport 1 -j ACCEPT; iptables -A INPUT -p tcp --dport 2 -j ACCEPT ;iptables -A INPUT -j DROP"]);
    expect(ports(rs)).toEqual(["dport=1 accept", "dport=2 accept", "any drop"]);
    expect(rulesOf(rs).map((r) => r.span.column)).toEqual([1, 47, 93]);
  });

  it("&& and || follow the known outcome of iptables commands", () => {
    const rs = script([
      "iptables -N SVC && iptables -A INPUT -j SVC",
      // -N of an existing chain fails: the || branch runs, the && branch does not
      "iptables -N SVC 2>/dev/null || iptables -F SVC",
      "iptables -N SVC 2>/dev/null && iptables -A INPUT -p tcp --dport 9 -j ACCEPT",
      "iptables -A SVC -p tcp --dport 25 -j ACCEPT || true",
      // -C succeeds only when the rule is there
      "iptables -C SVC -p tcp --dport 25 -j ACCEPT || iptables -A SVC -p tcp --dport 25 -j ACCEPT",
      "iptables -C SVC -p tcp --dport 26 -j ACCEPT || iptables -A SVC -p tcp --dport 26 -j ACCEPT",
      "false && iptables -A INPUT -j DROP",
      "true && iptables -A INPUT -p tcp --dport 27 -j ACCEPT",
    ]);
    expect(ports(rs)).toEqual(["any jump SVC", "dport=27 accept"]);
    expect(ports(rs, "filter/SVC")).toEqual(["dport=25 accept", "dport=26 accept"]);
    expect(diags(rs)).toEqual(["error 2:13 chain SVC already exists in table filter", "error 3:13 chain SVC already exists in table filter"]);
  });

  it("a branch that depends on a command fwlint cannot judge is skipped with an info", () => {
    const rs = script(["[ -f /etc/ssh_open ] && iptables -A INPUT -p tcp --dport 22 -j ACCEPT", "modprobe nf_conntrack_ftp || iptables -A INPUT -j DROP"]);
    expect(rulesOf(rs)).toEqual([]);
    expect(diags(rs, "info")).toEqual([
      "info 1:25 skipped: runs only if the command at line 1 succeeds, which fwlint cannot tell; the 1 iptables command inside is not in the model",
      "info 2:30 skipped: runs only if the command at line 2 fails, which fwlint cannot tell; the 1 iptables command inside is not in the model",
    ]);
  });

  it("here-documents are not read as commands", () => {
    const rs = script(["cat > /tmp/notes <<'EOF'", "iptables -A INPUT -j ACCEPT", "EOF", "iptables -A INPUT -p tcp --dport 22 -j ACCEPT"]);
    expect(ports(rs)).toEqual(["dport=22 accept"]);
    // (a file the script writes: read only by what loads it, see restore.test.ts)
    expect(diags(rs)).toEqual([]);
  });

  it("echo, printf, true and other commands without effect on the firewall give no diagnostic", () => {
    const rs = script(['echo "Starting firewall on $UNSET_VAR"', "printf '%s\\n' done", "sleep 1", ": noop", "iptables -L -n -v", "iptables -nvL INPUT", "iptables-save > /etc/iptables/rules.v4"]);
    expect(rs.diagnostics).toEqual([]);
  });
});

describe("constructs fwlint does not run", () => {
  it("if / case blocks whose course is not known, and while blocks, are skipped with one info each, whatever they contain; a for loop over known words runs", () => {
    const rs = script([
      "if [ -n \"$X\" ]; then",
      "  iptables -A INPUT -p tcp --dport 1 -j ACCEPT",
      "elif true; then",
      "  iptables -A INPUT -p tcp --dport 2 -j ACCEPT",
      "fi",
      'case "$MODE" in',
      "  start) iptables -A INPUT -p tcp --dport 3 -j ACCEPT ;;",
      "  stop|restart)",
      "    iptables -F ;;",
      "esac",
      "for p in 4 5; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done",
      "while read line; do echo $line; done < /etc/allowed",
      "iptables -A INPUT -p tcp --dport 6 -j ACCEPT",
    ]);
    expect(ports(rs)).toEqual(["dport=4 accept", "dport=5 accept", "dport=6 accept"]);
    expect(diags(rs)).toEqual([
      "info 1:1 if ... fi (lines 1-5) skipped: fwlint cannot tell the outcome of its condition (line 1: $X is not assigned in this file (it would come from the environment)); the 2 iptables commands inside are not in the model",
      "info 6:1 case ... esac (lines 6-10) skipped: fwlint cannot tell which arm it takes (line 6: $MODE is not assigned in this file (it would come from the environment)); the 2 iptables commands inside are not in the model",
      `info 12:1 while loop (line 12) skipped: it reads /etc/allowed: it is outside the scanned tree (${process.cwd()}), which holds no copy of it`,
    ]);
  });

  it("a for loop over known words runs its body once per word: nested, with break and continue, the variable left at the last", () => {
    const rs = script([
      "PORTS='22 80 443'",
      "for p in $PORTS 8080; do",
      "  [ $p = 80 ] && iptables -A INPUT -p tcp --dport 1 -j ACCEPT",
      "  for proto in tcp udp; do",
      "    iptables -A INPUT -p $proto --dport $p -j ACCEPT",
      "    break",
      "  done",
      "  continue",
      "  iptables -A INPUT -p tcp --dport 2 -j ACCEPT",
      "done",
      "iptables -A INPUT -m comment --comment last-$p -j DROP",
      "for x in $UNKNOWN; do iptables -A INPUT -j ACCEPT; done",
    ]);
    // ([ $p = 80 ] decides each round)
    expect(ports(rs)).toEqual(["dport=22 accept", "dport=1 accept", "dport=80 accept", "dport=443 accept", "dport=8080 accept", "any drop"]);
    expect(rulesOf(rs).at(-1)!.comment).toBe("last-8080");
    expect(diags(rs)).toEqual([
      "info 12:1 for loop (line 12) skipped: $UNKNOWN is not assigned in this file (it would come from the environment); fwlint does not guess the value; the 1 iptables command inside is not in the model",
    ]);
  });

  it("an if whose condition is known runs the branch it takes, and a failing condition does not stop set -e", () => {
    const rs = script([
      "set -e",
      "if false; then iptables -A INPUT -p tcp --dport 1 -j ACCEPT; elif true; then iptables -A INPUT -p tcp --dport 2 -j ACCEPT; fi",
      "if true; then",
      "  iptables -A INPUT -p tcp --dport 3 -j ACCEPT",
      "else",
      "  iptables -A INPUT -p tcp --dport 4 -j ACCEPT",
      "fi",
      "iptables -A INPUT -j DROP",
    ]);
    expect(diags(rs)).toEqual([]);
    expect(ports(rs)).toEqual(["dport=2 accept", "dport=3 accept", "any drop"]);
  });

  it("nested constructs end where the outer one ends", () => {
    const rs = script([
      "if a; then",
      "  for x in 1 2; do",
      "    if b; then iptables -A INPUT -j DROP; fi",
      "  done",
      "  ( iptables -A INPUT -j DROP )",
      "fi",
      "iptables -A INPUT -p tcp --dport 7 -j ACCEPT",
    ]);
    expect(ports(rs)).toEqual(["dport=7 accept"]);
    expect(diags(rs)).toEqual(["info 1:1 if ... fi (lines 1-6) skipped: fwlint cannot tell the outcome of its condition (line 1: fwlint does not run 'a'); the 2 iptables commands inside are not in the model"]);
  });

  it("a variable assigned inside a skipped block becomes unknown after it", () => {
    const rs = script(["IF=eth0", 'if [ -e /sys/class/net/eth1 ]; then IF=eth1; fi', "iptables -A INPUT -i $IF -j ACCEPT", "iptables -A INPUT -p tcp --dport $IF -j ACCEPT"]);
    expect(rulesOf(rs).map((r) => r.conditions)).toEqual([[{ kind: "unknown", text: "-i $IF", reason: "$IF may be changed by the if ... fi at line 2" }]]);
    expect(diags(rs)[2]).toBe("info 4:34 iptables command skipped: $IF may be changed by the if ... fi at line 2; fwlint does not guess the value");
  });

  it("a function whose body is a { } group runs at each call: its arguments, \"$@\", locals restored, return ending it", () => {
    const rs = script([
      "open_port() {",
      "  iptables -A INPUT -p tcp --dport $1 -j ACCEPT",
      "  LAST=$1",
      "}",
      "LAST=none",
      "open_port 25",
      "open_port 587",
      'ipt() { iptables "$@"; }',
      "ipt -A INPUT -p tcp --dport 993 -j ACCEPT",
      "scoped() {",
      "  local LAST=inner",
      "  return 0",
      "  iptables -A INPUT -p tcp --dport 1 -j ACCEPT",
      "}",
      "scoped",
      "iptables -A INPUT -m comment --comment $LAST -j DROP",
    ]);
    expect(diags(rs)).toEqual([]);
    expect(ports(rs)).toEqual(["dport=25 accept", "dport=587 accept", "dport=993 accept", "any drop"]);
    // the global LAST the second call set, not scoped's local
    expect(rulesOf(rs).at(-1)!.comment).toBe("587");
    // the rules point where the function writes them
    expect(rulesOf(rs).map((r) => r.span.line)).toEqual([2, 2, 8, 16]);
  });

  it("set -- WORDS (and set $line) makes the words the positional parameters: the script's, or the running function's", () => {
    // (each expectation as bash and dash print the commands with iptables a function that echoes them)
    const rs = script([
      "set -- 22 80",
      "iptables -A INPUT -p tcp --dport $1 -j ACCEPT",
      "iptables -A INPUT -p tcp --dport $2 -j ACCEPT",
      'for line in "25 tcp" "53 udp"; do',
      "  set -- $line",
      "  iptables -A INPUT -p $2 --dport $1 -j ACCEPT",
      "done",
      "f() { set -- 443; iptables -A INPUT -p tcp --dport $1 -j ACCEPT; }",
      "f 8080",
      "iptables -A INPUT -p tcp --dport $1 -j ACCEPT",
      "set -e -- 993",
      'iptables -A INPUT -p tcp --dport "$1" -j ACCEPT',
    ]);
    expect(diags(rs)).toEqual([]);
    expect(ports(rs)).toEqual(["dport=22 accept", "dport=80 accept", "dport=25 accept", "dport=53 accept", "dport=443 accept", "dport=53 accept", "dport=993 accept"]);
    expect(rulesOf(rs)[3]!.conditions).toContainEqual({ kind: "proto", protos: [17] });
  });

  it("a function of another body, and calls nested too deep, are not followed: the definition and each call get an info", () => {
    const rs = script([
      "close_all() (",
      "  iptables -P INPUT DROP",
      ")",
      "close_all",
      "again() { again; }",
      "again",
      "iptables -A INPUT -p tcp --dport 22 -j ACCEPT",
    ]);
    expect(ports(rs)).toEqual(["dport=22 accept"]);
    expect(diags(rs, "info")).toEqual([
      "info 1:1 function close_all (lines 1-3) is not followed: its 1 iptables command is not in the model",
      "info 4:1 call of function close_all (defined at line 1) skipped: fwlint follows only a function whose body is a { ... } group",
      "info 5:11 call of function again (defined at line 5) skipped: calls nest deeper than 16 here",
    ]);
  });

  it("set -e stops the script at a failing function call, not at the function's own return", () => {
    const rs = script(["set -e", "check() { return 1; }", "check || iptables -A INPUT -p tcp --dport 22 -j ACCEPT", "check", "iptables -A INPUT -j DROP"]);
    expect(ports(rs)).toEqual(["dport=22 accept"]);
    expect(diags(rs, "info")).toEqual(["info 5:1 not run: the command at line 4 fails and 'set -e' stops the script there"]);
  });

  it("{ ...; } groups run in order", () => {
    const rs = script(["{ iptables -A INPUT -p tcp --dport 1 -j ACCEPT; iptables -A INPUT -j DROP; } 2>/dev/null"]);
    expect(rs.diagnostics).toEqual([]);
    expect(ports(rs)).toEqual(["dport=1 accept", "any drop"]);
  });

  it("pipelines and background commands are skipped", () => {
    const rs = script(["iptables -S | grep -q DROP", "iptables -A INPUT -j ACCEPT &"]);
    expect(rulesOf(rs)).toEqual([]);
    expect(diags(rs, "info")).toEqual([
      "info 1:1 pipeline skipped: fwlint does not run 'iptables' in a pipe (it runs grep, sed, awk, cut, tr, sort, uniq, head, tail, cat, echo and printf on text it knows); the 1 iptables command inside is not in the model",
      "info 2:1 skipped: runs in the background (&), so its order against later commands is unknown; the 1 iptables command inside is not in the model",
    ]);
  });

  it("when no iptables command could be followed, a warning says the model is empty", () => {
    const rs = script(['case "$ACTION" in', "  start)", "    iptables -P INPUT DROP", "    iptables -A INPUT -p tcp --dport 22 -j ACCEPT", "    ;;", "esac"]);
    expect(rs.chains.size).toBe(0);
    expect(diags(rs, "warning")).toEqual([
      "warning 1:1 none of the 2 iptables commands of this script could be followed (see the info diagnostics): the model is empty, which is not what the script sets up",
    ]);
  });

  it("iptables-restore of a here-document is read (restore.test.ts); of a file, reported, not read", () => {
    const rs = script(["iptables-restore <<EOF", "*filter", ":INPUT DROP [0:0]", "COMMIT", "EOF", "iptables -A INPUT -j ACCEPT", "iptables-restore < /etc/iptables/rules.v4"]);
    expect(ports(rs)).toEqual(["any accept"]);
    expect(rs.chains.get("filter/INPUT")!.policy).toBe("drop");
    expect(diags(rs)).toEqual([`info 7:1 'iptables-restore' skipped: it reads /etc/iptables/rules.v4: it is outside the scanned tree (${process.cwd()}), which holds no copy of it; check that file with fwlint on its own`]);
  });

  it("exit stops the script; set -e stops it at the first failing command", () => {
    const a = script(["iptables -A INPUT -p tcp --dport 1 -j ACCEPT", "exit 0", "iptables -A INPUT -j DROP"]);
    expect(ports(a)).toEqual(["dport=1 accept"]);
    expect(diags(a)).toEqual(["info 3:1 not run: the script exits at line 2"]);
    const b = script(["set -eu", "iptables -A INPUT -j NOPE", "iptables -A INPUT -j DROP"]);
    expect(rulesOf(b)).toEqual([]);
    expect(diags(b)).toEqual([
      "error 2:22 -j NOPE: neither a target of iptables nor a chain of table filter (create the chain with -N before the rules that use it)",
      "info 3:1 not run: the command at line 2 fails and 'set -e' stops the script there",
    ]);
    const c = script(["#!/bin/sh -e", "iptables -N X || true", "iptables -N X || true", "iptables -A INPUT -j DROP"]);
    expect(ports(c)).toEqual(["any drop"]);
    const d = script(["[ -x /sbin/iptables ] || exit 1", "iptables -A INPUT -j DROP"]);
    expect(ports(d)).toEqual(["any drop"]);
  });

  it("an unterminated quote stops the script there (error)", () => {
    const rs = script(["iptables -A INPUT -p tcp --dport 1 -j ACCEPT", 'iptables -A INPUT -m comment --comment "oops -j ACCEPT', "iptables -A INPUT -j DROP"]);
    expect(ports(rs)).toEqual(["dport=1 accept"]);
    expect(diags(rs, "error")).toEqual([`error 2:40 unterminated double quote: a closing '"' is missing (the shell stops reading the script here)`]);
  });
});
