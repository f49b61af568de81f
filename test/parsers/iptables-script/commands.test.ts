/**
 * iptables command semantics as a script runs them: tables, -I positions, -D, -R, -F, -X, -N, -P,
 * -E, -C, long option forms, and the errors iptables (or the kernel) gives for a bad command.
 */
import { describe, expect, it } from "vitest";
import { diags, FILE, ports, rulesOf, script } from "./helpers.js";

describe("start state and tables", () => {
  it("each table used gets all its built-in chains with policy ACCEPT, pointing at the first command that used it", () => {
    const rs = script(["# nothing yet", "iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE", "iptables -P INPUT DROP"]);
    expect([...rs.chains.keys()]).toEqual(["nat/PREROUTING", "nat/INPUT", "nat/OUTPUT", "nat/POSTROUTING", "filter/INPUT", "filter/FORWARD", "filter/OUTPUT"]);
    const fwd = rs.chains.get("filter/FORWARD")!;
    expect(fwd.policy).toBe("accept");
    expect(fwd.policySpan).toEqual({ file: FILE, line: 3, column: 1, text: "iptables -P INPUT DROP" });
    const input = rs.chains.get("filter/INPUT")!;
    expect(input.policy).toBe("drop");
    expect(input.policySpan!.line).toBe(3);
    expect(rs.chains.get("nat/POSTROUTING")!.rules[0]!.id).toBe("nat/POSTROUTING#1");
    expect(rs.format).toBe("iptables-script");
    expect(rs.ruleCount).toBe(1);
  });

  it("an unknown table is an error at the table name", () => {
    const rs = script(["iptables -t filtre -A INPUT -j DROP"]);
    expect(diags(rs)).toEqual(["error 1:13 unknown table 'filtre' (expected raw, mangle, nat, filter or security)"]);
    expect(rs.chains.size).toBe(0);
  });

  it("long forms and --opt=value work like the short ones; -w, -v and -n are ignored", () => {
    const rs = script([
      "iptables --wait 5 --table=filter --new-chain WEB",
      "iptables -w --append WEB --protocol tcp --destination-port 80 --jump ACCEPT",
      "iptables -v --insert INPUT --jump WEB",
      "iptables --policy INPUT DROP",
      "iptables -ptcp -A INPUT --dport=22 -jACCEPT",
    ]);
    expect(rs.diagnostics).toEqual([]);
    expect(ports(rs)).toEqual(["any jump WEB", "dport=22 accept"]);
    expect(ports(rs, "filter/WEB")).toEqual(["dport=80 accept"]);
    expect(rs.chains.get("filter/INPUT")!.policy).toBe("drop");
  });
});

describe("-I, -D, -R, -F, -X, -E, -C", () => {
  it("-I without a number inserts at the top; -I CHAIN n at position n; n = length + 1 appends; beyond is an error", () => {
    const rs = script([
      "iptables -A INPUT -p tcp --dport 1 -j ACCEPT",
      "iptables -I INPUT -p tcp --dport 2 -j ACCEPT",
      "iptables -I INPUT 2 -p tcp --dport 3 -j ACCEPT",
      "iptables -I INPUT 4 -p tcp --dport 4 -j ACCEPT",
      "iptables -I INPUT 9 -p tcp --dport 5 -j ACCEPT",
    ]);
    expect(ports(rs)).toEqual(["dport=2 accept", "dport=3 accept", "dport=1 accept", "dport=4 accept"]);
    expect(diags(rs)).toEqual(["error 5:19 cannot insert at position 9: chain INPUT has 4 rule(s)"]);
  });

  it("-I with an address list inserts each rule at the same position (their order reverses)", () => {
    const rs = script(["iptables -A INPUT -j DROP", "iptables -I INPUT -s 192.0.2.1,192.0.2.2 -j ACCEPT"]);
    expect(rulesOf(rs).map((r) => (r.conditions[0]?.kind === "addr" ? r.conditions[0].ranges[0]!.lo : "-"))).toEqual([0xc0000202n, 0xc0000201n, "-"]);
  });

  it("-D by rule or by number; a -D that matches nothing is a warning and deletes nothing", () => {
    const rs = script([
      "iptables -A INPUT -p tcp --dport 1 -j ACCEPT",
      "iptables -A INPUT -p tcp -m tcp --dport 2 -j ACCEPT",
      "iptables -A INPUT -p tcp --dport 3 -j ACCEPT",
      "iptables -A INPUT -p tcp --dport 4 -j ACCEPT",
      // same rule written differently (-m tcp implicit) still matches
      "iptables -D INPUT -p tcp --dport 2 -j ACCEPT",
      "iptables -D INPUT 1",
      "iptables --delete INPUT -p tcp --dport 4 -j DROP",
      "iptables -D INPUT 7",
    ]);
    expect(ports(rs)).toEqual(["dport=3 accept", "dport=4 accept"]);
    expect(diags(rs)).toEqual([
      'warning 7:10 --delete: no rule of chain INPUT matches this one, so iptables fails here ("Bad rule (does a matching rule exist in that chain?)") and nothing is deleted',
      "error 8:19 cannot delete rule 7: chain INPUT has 2 rule(s)",
    ]);
  });

  it("-D deletes the first matching rule only", () => {
    const rs = script(["iptables -A INPUT -j DROP", "iptables -A INPUT -p udp -j ACCEPT", "iptables -A INPUT -j DROP", "iptables -D INPUT -j DROP"]);
    expect(ports(rs)).toEqual(["proto accept", "any drop"]);
    expect(rulesOf(rs)[1]!.span.line).toBe(3);
  });

  it("-R replaces rule n", () => {
    const rs = script(["iptables -A INPUT -p tcp --dport 1 -j ACCEPT", "iptables -A INPUT -p tcp --dport 2 -j ACCEPT", "iptables -R INPUT 2 -p tcp --dport 3 -j DROP"]);
    expect(ports(rs)).toEqual(["dport=1 accept", "dport=3 drop"]);
  });

  it("-F flushes one chain or, without a chain, every chain of the table (policies stay)", () => {
    const rs = script([
      "iptables -P INPUT DROP",
      "iptables -N X",
      "iptables -A X -j ACCEPT",
      "iptables -A INPUT -j X",
      "iptables -A OUTPUT -j ACCEPT",
      "iptables -t nat -A POSTROUTING -j MASQUERADE",
      "iptables -F",
      "iptables -A OUTPUT -p udp --dport 53 -j ACCEPT",
    ]);
    expect(rulesOf(rs)).toEqual([]);
    expect(rulesOf(rs, "filter/X")).toEqual([]);
    expect(ports(rs, "filter/OUTPUT")).toEqual(["dport=53 accept"]);
    expect(rs.chains.get("filter/INPUT")!.policy).toBe("drop");
    expect(rulesOf(rs, "nat/POSTROUTING")).toHaveLength(1);
  });

  it("-X deletes empty, unreferenced user chains; it refuses built-in, referenced or non-empty chains", () => {
    const rs = script([
      "iptables -N A",
      "iptables -N B",
      "iptables -N C",
      "iptables -A INPUT -j A",
      "iptables -A B -j DROP",
      "iptables -X A",
      "iptables -X B",
      "iptables -X INPUT",
      "iptables -X C",
      "iptables -X",
      "iptables -F",
      "iptables -X",
    ]);
    expect(diags(rs)).toEqual([
      "error 6:13 cannot delete chain A: 1 rule(s) still jump to it",
      "error 7:13 cannot delete chain B: it still has 1 rule(s) (flush it first with -F B)",
      "error 8:13 INPUT is a built-in chain: it cannot be deleted",
      "error 10:10 cannot delete chain A: 1 rule(s) still jump to it",
    ]);
    expect([...rs.chains.keys()]).toEqual(["filter/INPUT", "filter/FORWARD", "filter/OUTPUT"]);
  });

  it("-E renames a user chain and the jumps to it", () => {
    const rs = script(["iptables -N old", "iptables -A INPUT -j old", "iptables -A old -j ACCEPT", "iptables -E old new"]);
    expect(rs.diagnostics).toEqual([]);
    expect(ports(rs)).toEqual(["any jump new"]);
    expect(ports(rs, "filter/new")).toEqual(["any accept"]);
    expect(rs.chains.has("filter/old")).toBe(false);
  });

  it("chains must exist when a command names them; jumps to chains created later fail", () => {
    const rs = script([
      "iptables -A SSH -j ACCEPT",
      "iptables -A INPUT -j SSH",
      "iptables -N SSH",
      "iptables -N SSH",
      "iptables -A input -j DROP",
      "iptables -A INPUT -j INPUT",
      "iptables -P SSH DROP",
      "iptables -P INPUT REJECT",
    ]);
    expect(diags(rs)).toEqual([
      "error 1:13 chain SSH does not exist in table filter (create it first with -N)",
      "error 2:22 -j SSH: neither a target of iptables nor a chain of table filter (create the chain with -N before the rules that use it)",
      "error 4:13 chain SSH already exists in table filter",
      "error 5:13 chain input does not exist in table filter (chain names are case-sensitive: INPUT)",
      "error 6:22 -j INPUT: a rule cannot jump to a built-in chain",
      "error 7:13 SSH is not a built-in chain of table filter: only built-in chains have a policy",
      "error 8:19 expected ACCEPT or DROP as the policy of INPUT, found 'REJECT'",
    ]);
  });

  it("a jump that would close a loop is refused", () => {
    const rs = script(["iptables -N A", "iptables -N B", "iptables -A A -j B", "iptables -A B -g A", "iptables -A INPUT -j A"]);
    expect(diags(rs)).toEqual(["error 4:18 chain loop: B goes to A, which leads back to B (the kernel refuses loops)"]);
    expect(rulesOf(rs, "filter/B")).toEqual([]);
  });
});

describe("malformed commands: errors with line and column", () => {
  it("bad option values point at the value, also on continuation lines", () => {
    const rs = script([
      "iptables -A INPUT -p tcp --dport 99999 -j ACCEPT",
      "iptables -A INPUT \\",
      "   -s 10.0.0.300 -j ACCEPT",
      "iptables -A INPUT -p tcp --sport -j ACCEPT",
      "iptables -A INPUT -p tcpp -j ACCEPT",
      "iptables -A INPUT --bogus -j ACCEPT",
      "iptables -A INPUT -j ACCEPT -A OUTPUT",
      "iptables INPUT -j ACCEPT",
      "iptables -p tcp",
    ]);
    expect(rulesOf(rs)).toEqual([]);
    expect(diags(rs)).toEqual([
      "error 1:34 expected a port or port range after --dport, found '99999'",
      "error 3:7 expected an IPv4 address or network after -s, found '10.0.0.300'",
      "error 4:34 expected a port or port range after --sport, found end of line",
      "error 5:22 unknown protocol 'tcpp' after -p",
      "error 6:19 unknown option --bogus",
      "error 7:29 only one command at a time: -A is already given, -A is another command",
      "error 8:10 unexpected 'INPUT' before the command",
      "error 9:1 iptables: no command given (expected -A, -I, -D, -R, -N, -P, -F, -X, -E, -Z, -L, -S or -C)",
    ]);
  });

  it("a failed command leaves the state as it was", () => {
    const rs = script(["iptables -A INPUT -p tcp --dport 22 -j ACCEPT", "iptables -I INPUT -p tcp --dport 0x -j DROP", "iptables -P INPUT BAD"]);
    expect(ports(rs)).toEqual(["dport=22 accept"]);
    expect(rs.chains.get("filter/INPUT")!.policy).toBe("accept");
  });
});
