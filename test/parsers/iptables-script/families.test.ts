/**
 * iptables -> family 4, ip6tables -> family 6; a script with both gives one ruleset with both
 * families, the IPv6 tables named "ip6:<table>", and a family condition on every rule.
 */
import { describe, expect, it } from "vitest";
import { compileRule } from "../../../src/analysis/compile.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { diags, ports, rulesOf, script } from "./helpers.js";

describe("families", () => {
  it("only iptables: family 4, plain table names, no family condition", () => {
    const rs = script(["iptables -A INPUT -p tcp --dport 22 -j ACCEPT"]);
    expect(rs.families).toEqual([4]);
    expect(rulesOf(rs)[0]!.conditions.some((c) => c.kind === "family")).toBe(false);
    expect(rs.pipelines.map((p) => p.family)).toEqual([4, 4, 4]);
  });

  it("only ip6tables: family 6, plain table names", () => {
    const rs = script(["ip6tables -P INPUT DROP", "ip6tables -A INPUT -s 2001:db8::/32 -j ACCEPT"]);
    expect(rs.families).toEqual([6]);
    expect([...rs.chains.keys()]).toEqual(["filter/INPUT", "filter/FORWARD", "filter/OUTPUT"]);
    expect(rs.pipelines.map((p) => p.family)).toEqual([6, 6, 6]);
    expect(rulesOf(rs)[0]!.conditions[0]).toMatchObject({ kind: "addr", family: 6 });
  });

  it("addresses of the other family are errors", () => {
    const rs = script(["iptables -A INPUT -s 2001:db8::1 -j ACCEPT", "ip6tables -A INPUT -d 192.0.2.1 -j ACCEPT"]);
    expect(diags(rs, "error")).toHaveLength(2);
  });

  it("both: one ruleset, families [4, 6], ip6: tables, each family's pipelines run its own chains", () => {
    const rs = script([
      "iptables -P INPUT DROP",
      "iptables -A INPUT -p tcp --dport 22 -j ACCEPT",
      "ip6tables -N SVC",
      "ip6tables -A SVC -p tcp --dport 25 -j ACCEPT",
      "ip6tables -A INPUT -j SVC",
      "ip6tables -t nat -A PREROUTING -p tcp --dport 2525 -j REDIRECT --to-ports 25",
    ]);
    expect(rs.diagnostics).toEqual([]);
    expect(rs.families).toEqual([4, 6]);
    expect([...rs.chains.keys()]).toEqual([
      "filter/INPUT",
      "filter/FORWARD",
      "filter/OUTPUT",
      "ip6:filter/INPUT",
      "ip6:filter/FORWARD",
      "ip6:filter/OUTPUT",
      "ip6:filter/SVC",
      "ip6:nat/PREROUTING",
      "ip6:nat/INPUT",
      "ip6:nat/OUTPUT",
      "ip6:nat/POSTROUTING",
    ]);
    const v6in = rs.chains.get("ip6:filter/INPUT")!;
    expect(v6in.table).toBe("ip6:filter");
    expect(v6in.name).toBe("INPUT");
    expect(v6in.rules[0]!.id).toBe("ip6:filter/INPUT#1");
    expect(v6in.rules[0]!.action).toEqual({ kind: "jump", chain: "SVC" });
    expect(ports(rs, "ip6:filter/SVC")).toEqual(["dport=25 accept"]);
    expect(rulesOf(rs)[0]!.conditions[0]).toEqual({ kind: "family", family: 4 });
    expect(rulesOf(rs, "ip6:filter/SVC")[0]!.conditions[0]).toEqual({ kind: "family", family: 6 });
    const inbound6 = rs.pipelines.find((p) => p.kind === "inbound" && p.family === 6)!;
    expect(inbound6.stages).toEqual([
      { chain: "ip6:nat/PREROUTING", role: "dstnat", beforeRouting: true },
      { chain: "ip6:filter/INPUT", role: "filter" },
      { chain: "ip6:nat/INPUT", role: "srcnat" },
    ]);
    const inbound4 = rs.pipelines.find((p) => p.kind === "inbound" && p.family === 4)!;
    expect(inbound4.stages).toEqual([{ chain: "filter/INPUT", role: "filter" }]);
  });

  it("the family condition keeps a rule from covering the other family's packets", () => {
    const rs = script(["iptables -A INPUT -j ACCEPT", "ip6tables -A INPUT -s ::/0 -j DROP", "ip6tables -A INPUT -p tcp -j ACCEPT"]);
    const [drop, tcp] = rulesOf(rs, "ip6:filter/INPUT");
    // without the family condition, "-p tcp" would also cover IPv4 packets and not look shadowed
    expect(compileRule(tcp!, rs.families).known.isSubsetOf(compileRule(drop!, rs.families).known)).toBe(true);
    const v4accept = compileRule(rulesOf(rs)[0]!, rs.families).known;
    expect(v4accept.intersect(compileRule(drop!, rs.families).known).isEmpty()).toBe(true);
  });

  it("evaluation: IPv4 and IPv6 inbound results come from their own chains", () => {
    const rs = script(["iptables -P INPUT DROP", "ip6tables -P INPUT ACCEPT"]);
    const { results } = evaluateRuleset(rs);
    const in4 = results.find((r) => r.pipeline.kind === "inbound" && r.pipeline.family === 4)!;
    const in6 = results.find((r) => r.pipeline.kind === "inbound" && r.pipeline.family === 6)!;
    expect(in4.possiblyAccepted.isEmpty()).toBe(true);
    expect(in6.possiblyAccepted.isEmpty()).toBe(false);
  });
});
