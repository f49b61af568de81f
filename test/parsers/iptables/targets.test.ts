import { describe, expect, it } from "vitest";
import { errorsOf, one, parse, rulesOf, v4, v6 } from "./helpers.js";

describe("terminal targets", () => {
  it("ACCEPT, DROP, RETURN, REJECT", () => {
    expect(one("-j ACCEPT").action).toEqual({ kind: "accept" });
    expect(one("-j DROP").action).toEqual({ kind: "drop" });
    expect(one("-j RETURN").action).toEqual({ kind: "return" });
    expect(one("-j REJECT").action).toEqual({ kind: "reject" });
    expect(one("-j REJECT --reject-with icmp-host-prohibited").action).toEqual({ kind: "reject", with: "icmp-host-prohibited" });
    expect(one("-j REJECT --reject-with port-unreach").action).toEqual({ kind: "reject", with: "icmp-port-unreachable" });
    expect(one("-p tcp -j REJECT --reject-with tcp-reset").action).toEqual({ kind: "reject", with: "tcp-reset" });
    expect(one("-j REJECT --reject-with icmp6-adm-prohibited", { family: 6 }).action).toEqual({ kind: "reject", with: "icmp6-adm-prohibited" });
  });

  it("a reject type is the first of libxt_REJECT's table that the word begins, in any case", () => {
    const withOf = (w: string, family: 4 | 6 = 4) => one(`-p tcp -j REJECT --reject-with ${w}`, { family }).action;
    expect(withOf("icmp-h")).toEqual({ kind: "reject", with: "icmp-host-unreachable" });
    expect(withOf("icmp-p")).toEqual({ kind: "reject", with: "icmp-proto-unreachable" });
    expect(withOf("ICMP-PORT-UNREACHABLE")).toEqual({ kind: "reject", with: "icmp-port-unreachable" });
    expect(withOf("a")).toEqual({ kind: "reject", with: "icmp-admin-prohibited" });
    expect(withOf("tcp")).toEqual({ kind: "reject", with: "tcp-reset" });
    expect(withOf("POLICY", 6)).toEqual({ kind: "reject", with: "icmp6-policy-fail" });
    expect(withOf("icmp6-p", 6)).toEqual({ kind: "reject", with: "icmp6-port-unreachable" });
  });

  it("no target: the rule only counts (continue with an empty target)", () => {
    expect(one("-s 10.0.0.1").action).toEqual({ kind: "continue", target: "" });
  });

  it("NFQUEUE and QUEUE are unknown actions", () => {
    expect(one("-j NFQUEUE --queue-num 3 --queue-bypass").action).toEqual({ kind: "unknown", target: "NFQUEUE --queue-num 3 --queue-bypass" });
    expect(one("-j QUEUE").action).toEqual({ kind: "unknown", target: "QUEUE" });
  });
});

describe("non-terminating targets keep their options", () => {
  it("LOG, NFLOG, MARK, CONNMARK, TCPMSS, CT, NOTRACK, TRACE ...", () => {
    expect(one('-j LOG --log-prefix "IN drop: " --log-level 4').action).toEqual({ kind: "continue", target: 'LOG --log-prefix "IN drop: " --log-level 4' });
    expect(one("-j NFLOG --nflog-group 2").action).toEqual({ kind: "continue", target: "NFLOG --nflog-group 2" });
    expect(one("-j MARK --set-xmark 0x1/0xffffffff", { table: "mangle", chain: "PREROUTING" }).action).toEqual({
      kind: "continue",
      target: "MARK --set-xmark 0x1/0xffffffff",
    });
    expect(one("-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff", { table: "mangle", chain: "PREROUTING" }).action).toEqual({
      kind: "continue",
      target: "CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff",
    });
    expect(one("-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu", { table: "mangle", chain: "FORWARD" }).action).toEqual({
      kind: "continue",
      target: "TCPMSS --clamp-mss-to-pmtu",
    });
    expect(one("-j CT --notrack", { table: "raw", chain: "PREROUTING" }).action).toEqual({ kind: "continue", target: "CT --notrack" });
    expect(one("-j NOTRACK", { table: "raw", chain: "PREROUTING" }).action).toEqual({ kind: "continue", target: "NOTRACK" });
    expect(one("-j TRACE", { table: "raw", chain: "OUTPUT" }).action).toEqual({ kind: "continue", target: "TRACE" });
    expect(one("-p udp --dport 68 -j CHECKSUM --checksum-fill", { table: "mangle", chain: "POSTROUTING" }).action).toEqual({
      kind: "continue",
      target: "CHECKSUM --checksum-fill",
    });
  });
});

describe("NAT", () => {
  const nat = { table: "nat", chain: "PREROUTING" };
  it("DNAT to address:port", () => {
    expect(one("-i eth0 -p tcp -m tcp --dport 2525 -j DNAT --to-destination 10.0.0.25:25", nat).action).toEqual({
      kind: "dnat",
      to: { addr: v4("10.0.0.25"), ports: [25, 25], family: 4 },
      target: "DNAT --to-destination 10.0.0.25:25",
    });
  });
  it("DNAT to an address range, a port range, or a port only", () => {
    expect(one("-p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.5:8000-8010", nat).action).toMatchObject({
      kind: "dnat",
      to: { addr: v4("10.0.0.1", "10.0.0.5"), ports: [8000, 8010], family: 4 },
    });
    expect(one("-j DNAT --to-destination 172.16.2.34", nat).action).toMatchObject({ kind: "dnat", to: { addr: v4("172.16.2.34"), family: 4 } });
    expect(one("-p tcp -j DNAT --to-destination :8080", nat).action).toMatchObject({ kind: "dnat", to: { ports: [8080, 8080], family: 4 } });
  });
  it("DNAT with IPv6 in brackets", () => {
    expect(one("-p tcp -m tcp --dport 80 -j DNAT --to-destination [fd49:efd7:54aa::1]:80", { ...nat, family: 6 }).action).toEqual({
      kind: "dnat",
      to: { addr: v6("fd49:efd7:54aa::1"), ports: [80, 80], family: 6 },
      target: "DNAT --to-destination [fd49:efd7:54aa::1]:80",
    });
    expect(one("-j DNAT --to-destination fd00::5", { ...nat, family: 6 }).action).toMatchObject({ to: { addr: v6("fd00::5"), family: 6 } });
  });
  it("REDIRECT is a dnat to the host itself: no addr, ports set", () => {
    expect(one("-p tcp --dport 80 -j REDIRECT --to-ports 3128", nat).action).toEqual({
      kind: "dnat",
      to: { ports: [3128, 3128], family: 4 },
      target: "REDIRECT --to-ports 3128",
    });
    expect(one("-p tcp -j REDIRECT", nat).action).toEqual({ kind: "dnat", to: { family: 4 }, target: "REDIRECT" });
  });
  it("SNAT and MASQUERADE", () => {
    const post = { table: "nat", chain: "POSTROUTING" };
    expect(one("-s 10.0.0.0/8 -o eth0 -j SNAT --to-source 192.168.123.0", post).action).toEqual({
      kind: "snat",
      to: { addr: v4("192.168.123.0"), family: 4 },
      target: "SNAT --to-source 192.168.123.0",
    });
    expect(one("-o eth0 -j MASQUERADE", post).action).toEqual({ kind: "snat", to: { family: 4 }, target: "MASQUERADE" });
    expect(one("-p tcp -o eth0 -j MASQUERADE --to-ports 1024-65535", post).action).toEqual({
      kind: "snat",
      to: { ports: [1024, 65535], family: 4 },
      target: "MASQUERADE --to-ports 1024-65535",
    });
  });
});

describe("NAT errors", () => {
  const nat = { table: "nat", chain: "PREROUTING" };
  /** [column, message] of each error; `at` is the text the error must point at. */
  const errs = (line: string, o = nat) => errorsOf(rulesOf([line], o).rs).map((d) => [d.column, d.message]);
  const col = (line: string, at: string) => line.indexOf(at) + 1;
  it("a port needs a port protocol; DNAT and SNAT need their address option", () => {
    const cases: [string, string, string, { table: string; chain: string }?][] = [
      ["-A PREROUTING -j DNAT --to-destination 10.0.0.1:80", "10.0.0.1:80", "DNAT with a port needs -p tcp, udp, sctp or dccp"],
      ["-A PREROUTING -p tcp -j DNAT", "DNAT", "DNAT needs --to-destination"],
      ["-A POSTROUTING -j SNAT", "SNAT", "SNAT needs --to-source", { table: "nat", chain: "POSTROUTING" }],
      ["-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.9-10.0.0.1", "10.0.0.9", "invalid address range '10.0.0.9-10.0.0.1' after --to-destination (first > last)"],
      ["-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:90-80", "10.0.0.1", "invalid port range '90-80' after --to-destination (min > max)"],
      ["-A PREROUTING -p tcp -j DNAT --to-destination fd00::1", "fd00", "expected an IPv4 address or address range after --to-destination, found 'fd00::1'"],
      ["-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1 --to-destination 10.0.0.2", "--to-destination 10.0.0.2", "--to-destination given twice for target DNAT"],
    ];
    for (const [line, at, message, o] of cases) expect(errs(line, o ?? nat), line).toEqual([[col(line, at), message]]);
  });
});

describe("jumps to user chains", () => {
  it("-j CHAIN and -g CHAIN use the bare chain name (the table is the rule's)", () => {
    const rs = parse(["*filter", ":INPUT DROP [0:0]", ":ssh-in - [0:0]", "-A INPUT -p tcp -j ssh-in", "-A INPUT -g ssh-in", "-A ssh-in -j RETURN", "COMMIT"]);
    expect(errorsOf(rs)).toEqual([]);
    const rules = rs.chains.get("filter/INPUT")!.rules;
    expect(rules[0]!.action).toEqual({ kind: "jump", chain: "ssh-in" });
    expect(rules[1]!.action).toEqual({ kind: "goto", chain: "ssh-in" });
  });

  it("an undeclared target is an error and that rule is skipped", () => {
    const { rules, rs } = rulesOf(["-A INPUT -j NOPE", "-A INPUT -j ACCEPT"]);
    expect(errorsOf(rs)).toEqual([
      // (unresolved: a name the file does not define, which a fragment loaded with others may get there)
      { severity: "error", file: "rules.v4", line: 3, column: 13, message: "-j NOPE: neither a target of iptables nor a chain of table filter", unresolved: true },
    ]);
    expect(rules.map((r) => r.action)).toEqual([{ kind: "accept" }]);
    expect(rules[0]!.id).toBe("filter/INPUT#1");
  });

  it("a lower-case built-in target name gets a hint", () => {
    const { rs } = rulesOf(["-A INPUT -j accept"]);
    expect(errorsOf(rs)[0]!.message).toBe("-j accept: neither a target of iptables nor a chain of table filter (did you mean ACCEPT?)");
  });

  it("jumping to a built-in chain or going to one is refused", () => {
    const { rs } = rulesOf(["-A INPUT -j OUTPUT", "-A INPUT -g FORWARD"]);
    expect(errorsOf(rs).map((d) => d.message)).toEqual([
      "-j OUTPUT: a rule cannot jump to a built-in chain",
      "-g FORWARD: a rule cannot go to a built-in chain",
    ]);
  });

  it("loops reachable from a built-in chain are errors", () => {
    const rs = parse(["*filter", ":A - [0:0]", ":B - [0:0]", "-A INPUT -j A", "-A A -j B", "-A B -g A", "COMMIT"]);
    expect(errorsOf(rs).map((d) => [d.line, d.message])).toEqual([[6, "chain loop: B goes to A, which leads back to B (the kernel refuses loops)"]]);
  });

  it("target restrictions: DNAT only in nat, DROP not in nat, REJECT only in filter INPUT/FORWARD/OUTPUT", () => {
    expect(errorsOf(rulesOf(["-A INPUT -j DNAT --to-destination 10.0.0.1"]).rs)[0]!.message).toBe("target DNAT is only valid in the nat table, not in filter");
    expect(errorsOf(rulesOf(["-A PREROUTING -j DROP"], { table: "nat", chain: "PREROUTING" }).rs)[0]!.message).toBe(
      "the nat table is not for filtering: iptables refuses -j DROP there",
    );
    expect(errorsOf(rulesOf(["-A INPUT -j REJECT"], { table: "mangle", chain: "INPUT" }).rs)[0]!.message).toBe(
      "target REJECT is only valid in the filter table, not in mangle",
    );
    expect(errorsOf(rulesOf(["-A POSTROUTING -j DNAT --to-destination 10.0.0.1"], { table: "nat", chain: "POSTROUTING" }).rs)[0]!.message).toBe(
      "target DNAT is not valid in built-in chain POSTROUTING (only PREROUTING, OUTPUT)",
    );
  });
});
