/**
 * Malformed input: one error diagnostic at the right line and column saying what was expected,
 * the offending line (or rule) is left out, and the rest of the file is still read.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../../parsers/iptables/index.js";
import { errorsOf, FILE, parse, rulesOf } from "./helpers.js";

/** Errors of a filter block whose line 3 is `line`, plus whether the next rule survived. */
function bad(line: string, family: 4 | 6 = 4) {
  const rs = parse(["*filter", ":INPUT DROP [0:0]", line, "-A INPUT -p tcp --dport 22 -j ACCEPT", "COMMIT"], family);
  const survived = rs.chains.get("filter/INPUT")?.rules.some((r) => r.span.line === 4) ?? false;
  return { errors: errorsOf(rs).map((d) => ({ line: d.line, column: d.column, message: d.message })), survived, rs };
}

describe("malformed option values", () => {
  const cases: [string, number, string][] = [
    ["-A INPUT -p tcp --dport abc -j ACCEPT", 25, "expected a port or port range after --dport, found 'abc'"],
    ["-A INPUT -p tcp --dport 70000 -j ACCEPT", 25, "expected a port or port range after --dport, found '70000'"],
    ["-A INPUT -p tcp --dport 30:20 -j ACCEPT", 25, "invalid port range '30:20' after --dport (min > max)"],
    ["-A INPUT -p tcp --dport", 25, "expected a port or port range after --dport, found end of line"],
    ["-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j ACCEPT", 39, "too many ports after --dports: multiport takes at most 15 (a range counts as two)"],
    ["-A INPUT -p tcp -m multiport --dports 22,,80 -j ACCEPT", 39, "expected a port or port range in the list after --dports, found '22,,80'"],
    ["-A INPUT -s 10.0.0.300 -j ACCEPT", 13, "expected an IPv4 address or network after -s, found '10.0.0.300'"],
    ["-A INPUT -s 10.0.0.0/33 -j ACCEPT", 13, "invalid mask '33' in '10.0.0.0/33' after -s"],
    ["-A INPUT -s 2001:db8::1 -j ACCEPT", 13, "address '2001:db8::1' is an IPv6 address in an iptables (IPv4) rule"],
    ["-A INPUT -p tcp --tcp-flags SYN,BOGUS SYN -j DROP", 29, "unknown TCP flag 'BOGUS' (expected SYN, ACK, FIN, RST, URG, PSH, ALL or NONE)"],
    ["-A INPUT -m pkttype --pkt-type wrong -j DROP", 32, "Bad packet type 'wrong'"],
    ["-A INPUT -m pkttype -j DROP", 13, "match pkttype needs --pkt-type"],
    ["-A INPUT -m addrtype --src-type LOCAL,BOGUS -j DROP", 33, 'addrtype: bad type "BOGUS"'],
    ["-A INPUT -m addrtype -j DROP", 13, "match addrtype needs --src-type or --dst-type"],
    ["-A INPUT -p tcp --tcp-flags SYN -j DROP", 33, "expected a flag mask and the flags that must be set (e.g. SYN,ACK SYN) after --tcp-flags, found only 'SYN'"],
    ["-A INPUT -p icmp --icmp-type echo -j ACCEPT", 30, "ambiguous ICMP type 'echo' after --icmp-type: echo-reply or echo-request?"],
    ["-A INPUT -p icmp --icmp-type bogus -j ACCEPT", 30, "unknown ICMP type 'bogus' after --icmp-type"],
    ["-A INPUT -p icmp --icmp-type 3/300 -j ACCEPT", 30, "ICMP code in '3/300' after --icmp-type is out of range (0-255)"],
    ["-A INPUT -m conntrack --ctstate NEW,BOGUS -j ACCEPT", 33, "unknown state 'BOGUS' after --ctstate (expected INVALID, ESTABLISHED, NEW, RELATED, UNTRACKED, SNAT or DNAT)"],
    ["-A INPUT -m state --state DNAT -j ACCEPT", 27, "unknown state 'DNAT' after --state (expected INVALID, ESTABLISHED, NEW, RELATED or UNTRACKED)"],
    ["-A INPUT -i abcdefghijklmnop -j ACCEPT", 13, "interface name 'abcdefghijklmnop' after -i is longer than 15 characters"],
    ["-A INPUT -p bogus -j ACCEPT", 13, "unknown protocol 'bogus' after -p"],
    ["-A INPUT -m mac --mac-source XX:XX:XX:XX:XX:XX -j ACCEPT", 30, "expected a MAC address (XX:XX:XX:XX:XX:XX) after --mac-source, found 'XX:XX:XX:XX:XX:XX'"],
    ["-A INPUT -m iprange --src-range 10.0.0.1- -j ACCEPT", 33, "expected an IPv4 address range (first-last) after --src-range, found '10.0.0.1-'"],
    ["-A INPUT -p tcp -m multiport --ports 1,2 ! --dports 3 -j ACCEPT", 44, "multiport takes only one of --sports, --dports and --ports"],
    ["-A INPUT -j REJECT --reject-with icmp-bogus", 34, "unknown reject type 'icmp-bogus' after --reject-with"],
    ["-A INPUT -p udp -j REJECT --reject-with tcp-reset", 41, "--reject-with tcp-reset needs -p tcp"],
  ];
  for (const [line, column, message] of cases) {
    it(message, () => {
      const r = bad(line);
      expect(r.errors).toEqual([{ line: 3, column, message }]);
      expect(r.survived).toBe(true);
    });
  }
});

describe("accepted with a warning, as iptables does", () => {
  it("a host name is looked up by iptables when it loads the file: a warning and an unknown match; localhost is the loopback address", () => {
    const r = bad("-A INPUT -d www.example.com -j ACCEPT");
    expect(r.errors).toEqual([]);
    expect(r.rs.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`)).toEqual([
      "3:13 warning 'www.example.com' after -d is a host name: iptables looks it up when it loads the file (and refuses the file where it does not resolve); fwlint does not resolve names, and leaves what it decides unknown",
    ]);
    expect(r.rs.chains.get("filter/INPUT")!.rules[0]!.conditions).toEqual([{ kind: "unknown", text: "-d www.example.com", reason: "'www.example.com' is a host name iptables looks up when it loads the file" }]);
    const local = bad("-A INPUT -s localhost -j ACCEPT");
    expect(local.rs.diagnostics).toEqual([]);
    expect(local.rs.chains.get("filter/INPUT")!.rules[0]!.conditions).toEqual([{ kind: "addr", field: "src", family: 4, ranges: [{ lo: 0x7f000001n, hi: 0x7f000001n }] }]);
  });

  it("a reversed iprange never matches", () => {
    const r = bad("-A INPUT -m iprange --src-range 10.0.0.9-10.0.0.1 -j ACCEPT");
    expect(r.errors).toEqual([]);
    expect(r.rs.diagnostics).toMatchObject([{ severity: "warning", line: 3, column: 33, message: "address range '10.0.0.9-10.0.0.1' after --src-range is reversed and never matches" }]);
    expect(r.rs.chains.get("filter/INPUT")!.rules[0]!.conditions).toEqual([{ kind: "addr", field: "src", family: 4, ranges: [] }]);
  });
});

describe("unknown options and modules", () => {
  it("an unknown option of a known module names both, and only that rule is skipped", () => {
    const r = bad("-A INPUT -p tcp -m tcp --dport 22 --foo 1 -j ACCEPT");
    expect(r.errors).toEqual([{ line: 3, column: 35, message: "unknown option --foo for match tcp" }]);
    expect(r.survived).toBe(true);
    expect(r.rs.chains.get("filter/INPUT")!.rules).toHaveLength(1);
  });

  it("the multiport case of the parser-torture file", () => {
    expect(bad("-A INPUT -p udp -m multiport --ports 8080:8081,8082 --something-else -j ACCEPT").errors).toEqual([
      { line: 3, column: 53, message: "unknown option --something-else for match multiport" },
    ]);
  });

  it("an option after -j belongs to the target", () => {
    expect(bad("-A INPUT -j LOG --log-prefx x").errors).toEqual([{ line: 3, column: 17, message: "unknown option --log-prefx for target LOG" }]);
    expect(bad("-A INPUT -j ACCEPT --foo").errors).toEqual([{ line: 3, column: 20, message: "unknown option --foo for target ACCEPT" }]);
  });

  it("a port option without any match", () => {
    expect(bad("-A INPUT --dport 22 -j ACCEPT").errors).toEqual([{ line: 3, column: 10, message: "unknown option --dport" }]);
    expect(bad("-A INPUT -p gre --dport 22 -j ACCEPT").errors).toEqual([
      { line: 3, column: 17, message: "unknown option --dport (no match module loaded; -p gre does not provide it)" },
    ]);
  });

  it("a match that needs a protocol", () => {
    expect(bad("-A INPUT -m tcp --dport 22 -j ACCEPT").errors).toEqual([{ line: 3, column: 13, message: "match tcp requires -p tcp" }]);
    expect(bad("-A INPUT -p udp -m multiport --dports 1,2 -j ACCEPT").errors).toEqual([]);
    expect(bad("-A INPUT -p gre -m multiport --dports 1,2 -j ACCEPT").errors).toEqual([
      { line: 3, column: 20, message: "match multiport requires -p tcp, udp, dccp, sctp or udplite" },
    ]);
  });

  it("family-specific modules and targets", () => {
    expect(bad("-A INPUT -p icmpv6 -m icmp6 --icmpv6-type 133 -j ACCEPT").errors).toEqual([{ line: 3, column: 23, message: "match icmp6 exists only in ip6tables (IPv6)" }]);
    expect(bad("-A INPUT -m ttl --ttl-eq 1 -j ACCEPT", 6).errors).toEqual([{ line: 3, column: 13, message: "match ttl exists only in iptables (IPv4)" }]);
    expect(bad("-A INPUT -f -j DROP", 6).errors).toEqual([{ line: 3, column: 10, message: "-f is not available in ip6tables (use -m frag)" }]);
  });

  it("interfaces a hook does not have, and matches limited to some hooks", () => {
    expect(bad("-A INPUT -o eth0 -j ACCEPT").errors).toEqual([{ line: 3, column: 10, message: "-o cannot be used in built-in chain INPUT: packets there have no output interface yet" }]);
    expect(bad("-A INPUT -m owner --uid-owner 0 -j ACCEPT").errors).toEqual([
      { line: 3, column: 13, message: "match owner is not valid in built-in chain INPUT (only OUTPUT, POSTROUTING)" },
    ]);
  });

  it("obsolete options of a listed module (-m time --days)", () => {
    expect(bad("-A INPUT -m time --days Mon -j ACCEPT").errors).toEqual([{ line: 3, column: 18, message: "unknown option --days for match time" }]);
  });

  it("duplicate options", () => {
    expect(bad("-A INPUT -p tcp --dport 1 --dport 2 -j ACCEPT").errors).toEqual([{ line: 3, column: 27, message: "--dport given twice for match tcp" }]);
    expect(bad("-A INPUT -s 10.0.0.1 -s 10.0.0.2 -j ACCEPT").errors).toEqual([{ line: 3, column: 22, message: "multiple -s options in one rule" }]);
    expect(bad("-A INPUT -j ACCEPT -j DROP").errors).toEqual([{ line: 3, column: 20, message: "a rule takes one target: -j ACCEPT is already given" }]);
  });

  it("negation where iptables forbids it", () => {
    expect(bad("-A INPUT -m comment ! --comment x -j ACCEPT").errors).toEqual([{ line: 3, column: 21, message: "--comment cannot be negated with '!'" }]);
    expect(bad("-A INPUT ! -s ! 10.0.0.1 -j ACCEPT").errors).toEqual([{ line: 3, column: 15, message: "'!' given twice for -s" }]);
    expect(bad("-A INPUT ! -p all -j ACCEPT").errors).toEqual([{ line: 3, column: 12, message: "'! -p all' would never match" }]);
  });
});

describe("malformed lines", () => {
  it("a line that is not part of the format", () => {
    expect(bad("iptables -A INPUT -j ACCEPT").errors).toEqual([
      {
        line: 3,
        column: 1,
        message: "expected a table header (*filter), a chain declaration (:CHAIN POLICY [packets:bytes]), COMMIT or a rule (-A CHAIN ...), found 'iptables'",
      },
    ]);
  });

  it("unterminated quote", () => {
    expect(bad('-A INPUT -m comment --comment "oops -j ACCEPT').errors).toEqual([
      { line: 3, column: 31, message: "unterminated quoted string: a closing '\"' is missing" },
    ]);
  });

  it("a dangling '!'", () => {
    expect(bad("-A INPUT -p tcp !").errors).toEqual([{ line: 3, column: 18, message: "expected an option, found end of line" }]);
  });

  it("missing chain name, bad rule number", () => {
    expect(bad("-A").errors).toEqual([{ line: 3, column: 4, message: "expected a chain name after -A" }]);
    expect(bad("-I INPUT x -j ACCEPT").errors).toEqual([{ line: 3, column: 10, message: "expected a rule number (1 or more) after -I INPUT, found 'x'" }]);
    expect(bad("-A INPUT 3 -j ACCEPT").errors).toEqual([{ line: 3, column: 10, message: "unexpected '3' after -A INPUT" }]);
  });

  it("a rule for an undeclared user chain", () => {
    expect(bad("-A NOPE -j ACCEPT").errors).toEqual([{ line: 3, column: 4, message: "chain NOPE does not exist in table filter (declare it with :NOPE - [0:0])" }]);
  });

  it("bad chain declarations", () => {
    expect(bad(":FORWARD MAYBE [0:0]").errors).toEqual([{ line: 3, column: 10, message: "expected ACCEPT, DROP or - as the policy of FORWARD, found 'MAYBE'" }]);
    expect(bad(":X").errors).toEqual([{ line: 3, column: 4, message: "expected a policy (ACCEPT, DROP or -) after :X" }]);
    expect(bad(":-bad - [0:0]").errors).toEqual([{ line: 3, column: 1, message: "chain name '-bad' may not start with '-'" }]);
    expect(bad(":LOG - [0:0]").errors).toEqual([{ line: 3, column: 1, message: "chain name 'LOG' clashes with the target of that name" }]);
    expect(bad(":abcdefghijklmnopqrstuvwxyz123 - [0:0]").errors).toEqual([
      { line: 3, column: 1, message: "chain name 'abcdefghijklmnopqrstuvwxyz123' is longer than 28 characters" },
    ]);
  });

  it("unsupported commands", () => {
    expect(bad("-D INPUT 1").errors).toEqual([{ line: 3, column: 1, message: "command -D is not supported in a ruleset file (fwlint reads -A, -I, -N, -P, -F, -X and -Z)" }]);
    expect(bad("-A INPUT -t nat -j ACCEPT").errors).toEqual([{ line: 3, column: 10, message: "-t cannot be used in a ruleset file: the table comes from the *filter line" }]);
  });
});

describe("file structure errors", () => {
  it("an unknown table is an error and its chains are skipped", () => {
    const rs = parse(["*bogus", ":X - [0:0]", "-A X -j ACCEPT", "COMMIT", "*filter", "-A INPUT -j ACCEPT", "COMMIT"]);
    expect(errorsOf(rs)).toEqual([
      { severity: "error", file: FILE, line: 1, column: 1, message: "unknown table 'bogus' (expected raw, mangle, nat, filter or security); its chains and rules are skipped" },
    ]);
    expect([...rs.chains.keys()]).toEqual(["filter/INPUT"]);
  });

  it("missing COMMIT: before the next table and at the end of the file", () => {
    const rs = parse(["*nat", "-A POSTROUTING -j MASQUERADE", "*filter", "-A INPUT -j ACCEPT"]);
    expect(errorsOf(rs).map((d) => [d.line, d.message])).toEqual([
      [3, "COMMIT expected before *filter: table nat is not committed"],
      [4, "COMMIT expected at the end of the file: table filter is not committed"],
    ]);
    expect(rs.chains.get("nat/POSTROUTING")!.rules).toHaveLength(1);
    expect(rs.chains.get("filter/INPUT")!.rules).toHaveLength(1);
  });

  it("rules and declarations outside a table", () => {
    const rs = parse([":INPUT DROP [0:0]", "-A INPUT -j ACCEPT", "COMMIT"]);
    expect(errorsOf(rs).map((d) => [d.line, d.message])).toEqual([
      [1, "chain declaration :INPUT outside a table (a *table line is missing)"],
      [2, "-A outside a table (a *table line is missing)"],
      [3, "COMMIT without a table (a *table line is missing)"],
    ]);
  });

  it("a chain used before it is declared gets a warning", () => {
    const rs = parse(["*filter", "-A INPUT -j LATER", ":LATER - [0:0]", "COMMIT"]);
    expect(rs.diagnostics).toMatchObject([{ severity: "warning", line: 2, column: 13, message: "chain LATER is used before it is declared (iptables-nft-restore refuses this)" }]);
  });

  it("the rest of the file is parsed after many bad lines", () => {
    const lines = ["*filter", ":INPUT DROP [0:0]"];
    for (let i = 0; i < 50; i++) lines.push(i % 2 ? `-A INPUT -p tcp --dport bad${i} -j ACCEPT` : `garbage ${i}`);
    lines.push("-A INPUT -p tcp --dport 443 -j ACCEPT", "COMMIT");
    const rs = parse(lines);
    expect(errorsOf(rs)).toHaveLength(50);
    expect(rs.chains.get("filter/INPUT")!.rules.map((r) => r.span.line)).toEqual([53]);
    expect(rs.ruleCount).toBe(26);
  });
});

describe("never throws, never hangs", () => {
  const inputs = [
    "",
    "\u0000\u0001\u0002\uFFFD\n\u00ff\u00fe",
    "*filter\n-A INPUT " + "!".repeat(10000) + "\nCOMMIT",
    "*filter\n-A INPUT -m comment --comment " + '"'.repeat(20001) + "\nCOMMIT",
    "*filter\n-A INPUT " + "-s 1.2.3.4,".repeat(2000) + "\nCOMMIT",
    "*filter\n-A INPUT -p tcp --dport " + "1".repeat(100000) + "\nCOMMIT",
    "*filter\n" + "[".repeat(5000) + "\nCOMMIT",
    "*filter\n:" + "x".repeat(100000) + " - [0:0]\nCOMMIT",
    "\r\r\r*filter\r:INPUT DROP [0:0]\rCOMMIT\r",
  ];
  for (const [i, text] of inputs.entries()) {
    it(`odd input #${i}`, () => {
      const t0 = Date.now();
      const rs = parseIptablesSave(text, "junk");
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(rs.format).toBe("iptables");
    });
  }

  it("random binary junk", () => {
    const buf = Buffer.alloc(64 * 1024);
    let seed = 12345;
    for (let i = 0; i < buf.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      buf[i] = seed & 0xff;
    }
    const rs = parseIptablesSave(buf.toString("latin1"), "junk.bin");
    expect(rs.diagnostics.length).toBeGreaterThan(0);
    expect(rs.chains.size).toBe(0);
  });

  it("property: arbitrary lines mixed into a valid file never throw", () => {
    const valid = ["*filter", ":INPUT DROP [0:0]", "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "COMMIT"];
    const words = ["-A", "INPUT", "-p", "tcp", "!", "--dport", "22", "-j", "ACCEPT", "-m", "multiport", "--dports", '"', "\\", ":", "*nat", "COMMIT", "-s", "::1", "[0:0]", "-I", "1"];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.array(fc.constantFrom(...words)).map((w) => w.join(" "))), { maxLength: 12 }), fc.nat(4), (junk, at) => {
        const lines = [...valid];
        lines.splice(at, 0, ...junk);
        const rs = parseIptablesSave(lines.join("\n"), "p");
        expect(Array.isArray(rs.diagnostics)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("the skipped rule is reported once and the chain keeps the others", () => {
    const { rules, rs } = rulesOf(["-A INPUT -j ACCEPT", "-A INPUT -p tcp --dport x -j DROP", "-A INPUT -j DROP"]);
    expect(errorsOf(rs)).toHaveLength(1);
    expect(rules.map((r) => r.id)).toEqual(["filter/INPUT#1", "filter/INPUT#2"]);
    expect(rules.map((r) => r.span.line)).toEqual([3, 5]);
  });
});
