import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseIptablesScript } from "../../parsers/iptables-script/index.js";
import { anomaly, MAX_PAIRWISE_RULES } from "../../rules/checks/anomaly.js";
import { makeContext } from "../../rules/checks/context.js";
import type { AnomalyKind } from "../../src/engine/rule-pack.js";
import type { Ruleset } from "../../src/model/types.js";

const ref = { id: "x", severity: "low" as const };
const run = (rs: Ruleset, kind: AnomalyKind) => anomaly(makeContext(rs), { anomaly: kind }, ref);
const save = (body: string) =>
  parseIptablesSave(`*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n${body}COMMIT\n`, "t.rules");
const lines = (fs: { location: { line: number } }[]) => fs.map((f) => f.location.line);

describe("anomaly: redundant", () => {
  it("finds a DROP above a DROP policy and names the policy", () => {
    const fs = run(save("-A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j DROP\n"), "redundant");
    expect(lines(fs)).toEqual([6]);
    expect(fs[0]!.message).toMatch(/INPUT policy DROP/);
    expect(fs[0]!.related?.[0]?.line).toBe(2);
  });

  it("is exact: a later ACCEPT of part of its packets, REJECT versus DROP, an ACCEPT policy", () => {
    expect(run(save("-A INPUT -p tcp --dport 22 -j DROP\n-A INPUT -s 192.0.2.0/24 -p tcp -j ACCEPT\n"), "redundant")).toEqual([]);
    expect(run(save("-A INPUT -p tcp --dport 22 -j REJECT\n"), "redundant")).toEqual([]);
    const accept = parseIptablesSave("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j DROP\nCOMMIT\n", "t.rules");
    expect(run(accept, "redundant")).toEqual([]);
  });

  it("is covered by several later rules of the same verdict together", () => {
    const fs = run(save("-A INPUT -s 198.51.100.0/24 -j ACCEPT\n-A INPUT -s 198.51.100.0/25 -j ACCEPT\n-A INPUT -s 198.51.100.128/25 -j ACCEPT\n"), "redundant");
    expect(lines(fs)).toEqual([5]);
    expect(fs[0]!.message).toMatch(/from line 6, line 7$/);
  });

  it("skips a rule when a later jump, LOG or unmodelled condition could see its packets", () => {
    const body = ":SVC - [0:0]\n-A INPUT -p udp --dport 53 -j DROP\n-A INPUT -p udp -j SVC\n-A SVC -j RETURN\n";
    expect(run(save(body), "redundant")).toEqual([]);
    expect(run(save("-A INPUT -p tcp -j DROP\n-A INPUT -p tcp -j LOG\n"), "redundant")).toEqual([]);
    expect(run(save("-A INPUT -p tcp -j DROP\n-A INPUT -p tcp -m limit --limit 1/s -j DROP\n"), "redundant")).toEqual([]);
  });

  it("in a user chain, falling off the end returns to the caller: not the same verdict", () => {
    const body = ":SVC - [0:0]\n-A INPUT -j SVC\n-A SVC -p tcp -j DROP\n";
    expect(run(save(body), "redundant")).toEqual([]);
  });
});

describe("anomaly: correlated and generalization", () => {
  it("names both rules of a partial overlap with different actions", () => {
    const fs = run(save("-A INPUT -s 198.51.100.0/24 -p tcp -j ACCEPT\n-A INPUT -p tcp --dport 80 -j DROP\n"), "correlated");
    expect(lines(fs)).toEqual([6]);
    expect(fs[0]!.related?.[0]?.line).toBe(5);
    expect(fs[0]!.message).toMatch(/lines 5 \(ACCEPT\) and 6 \(DROP\)/);
  });

  it("ignores same-action pairs, loopback/reply overlaps and containment", () => {
    expect(run(save("-A INPUT -s 198.51.100.0/24 -j DROP\n-A INPUT -p tcp --dport 80 -j REJECT\n"), "correlated")).toEqual([]);
    expect(run(save("-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -p tcp --dport 23 -j DROP\n"), "correlated")).toEqual([]);
    expect(run(save("-A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j DROP\n"), "correlated")).toEqual([]);
  });

  it("takes a jump for what it is: its packets may come back and reach the rules below", () => {
    const fs = run(save(":A - [0:0]\n-A INPUT -p tcp --dport 22 -j A\n-A INPUT -s 198.51.100.0/24 -p tcp --dport 22 -j DROP\n-A INPUT -s 198.51.100.128/25 -p tcp --dport 20:30 -j ACCEPT\n"), "correlated");
    expect(fs.map((f) => [f.related?.[0]?.line, f.location.line])).toEqual([[7, 8]]);
  });

  it("counts only the new packets that reach the earlier rule, not those a rule above it took", () => {
    // line 5 takes the new packets from 10/8; what of line 6 line 7 also matches is then only replies
    const fs = run(save("-A INPUT -s 10.0.0.0/8 -m conntrack --ctstate NEW -j DROP\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -s 10.0.0.0/8 -p tcp -j DROP\n"), "correlated");
    expect(fs.map((f) => [f.related?.[0]?.line, f.location.line])).toEqual([[5, 6]]);
  });

  it("generalization: a later broader rule with the other action, not a final catch-all", () => {
    const fs = run(save("-A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j DROP\n-A INPUT -s 192.0.2.9 -j ACCEPT\n-A INPUT -j DROP\n"), "generalization");
    expect(lines(fs)).toEqual([6]);
    expect(fs[0]!.related?.[0]?.line).toBe(5);
  });

  it("leaves chains longer than the pairwise limit alone", () => {
    let body = "";
    for (let i = 0; i <= MAX_PAIRWISE_RULES; i++) body += `-A INPUT -s 10.0.${i >> 8}.${i & 255} -p tcp -j ${i % 2 ? "ACCEPT" : "DROP"}\n`;
    body += "-A INPUT -p tcp --dport 80 -j ACCEPT\n";
    expect(run(save(body), "correlated")).toEqual([]);
  });
});

describe("anomaly: chains", () => {
  it("unreachable-chain: transitively, with the calls from unreachable chains as related", () => {
    const body = ":A - [0:0]\n:B - [0:0]\n:C - [0:0]\n-A INPUT -j A\n-A B -j C\n";
    const fs = run(save(body), "unreachable-chain");
    expect(fs.map((f) => f.message.split(" ")[1])).toEqual(["B", "C"]);
    expect(fs[1]!.related?.[0]?.line).toBe(9);
  });

  it("missing-jump-target: works on the model (the iptables-save parser refuses such files)", () => {
    const rs = save(":A - [0:0]\n-A INPUT -p tcp -j A\n-A INPUT -g A\n");
    const rules = rs.chains.get("filter/INPUT")!.rules;
    rules[0]!.action = { kind: "jump", chain: "SERVICES" };
    rules[1]!.action = { kind: "goto", chain: "services" };
    const fs = run(rs, "missing-jump-target");
    expect(lines(fs)).toEqual([6, 7]);
    expect(fs[0]!.message).toMatch(/^jump to chain SERVICES, which does not exist in table filter/);
    expect(fs[1]!.message).toMatch(/^goto to chain services/);
    expect(run(save(":A - [0:0]\n-A INPUT -j A\n"), "missing-jump-target")).toEqual([]);
  });

  it("rule-after-catch-all: one finding at the first later rule, naming the catch-all", () => {
    const fs = run(save("-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j REJECT\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -j LOG\n"), "rule-after-catch-all");
    expect(lines(fs)).toEqual([7]);
    expect(fs[0]!.message).toMatch(/^2 rules after the catch-all REJECT on line 6 in chain INPUT never run \(lines 7, 8\)/);
    expect(fs[0]!.related?.[0]?.line).toBe(6);
    expect(run(save("-A INPUT -m limit --limit 1/s -j DROP\n-A INPUT -p tcp -j ACCEPT\n"), "rule-after-catch-all")).toEqual([]);
    expect(run(save("-A INPUT -i eth0 -j DROP\n-A INPUT -p tcp -j ACCEPT\n"), "rule-after-catch-all")).toEqual([]);
  });

  it("rule-after-catch-all in a dual-stack script: a family's catch-all hides that family's rules", () => {
    const rs = parseIptablesScript("ip6tables -A INPUT -j DROP\nip6tables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n", "fw.sh");
    expect(rs.families).toEqual([4, 6]);
    const fs = run(rs, "rule-after-catch-all");
    expect(lines(fs)).toEqual([2]);
  });
});
