import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseIptablesScript } from "../../parsers/iptables-script/index.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { anomaly, MAX_PAIRWISE_RULES } from "../../rules/checks/anomaly.js";
import { makeContext } from "../../rules/checks/context.js";
import type { AnomalyKind } from "../../src/engine/rule-pack.js";
import type { Ruleset } from "../../src/model/types.js";

const ref = { id: "x", severity: "low" as const };
const run = (rs: Ruleset, kind: AnomalyKind) => anomaly(makeContext(rs), { anomaly: kind }, ref);
const save = (body: string) =>
  parseIptablesSave(`*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n${body}COMMIT\n`, "t.rules");
const lines = (fs: { location: { line: number } }[]) => fs.map((f) => f.location.line);
/** An nft table whose input chain's rules start on line 4. */
const nft = (family: "ip" | "inet", policy: "accept" | "drop", body: string, more = "") =>
  parseNft(`table ${family} filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy ${policy};\n${body}\t}\n${more}}\n`, "t.nft");

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

  it("not a rule that logs what it decides: removing it loses the log (a counter alone is no reason)", () => {
    const logged = nft("inet", "drop", '\t\ttcp dport 22 accept\n\t\tcounter log prefix "nft-drop: " drop\n');
    expect(logged.chains.get("inet filter/input")!.rules[1]!.logs).toBe(true);
    expect(run(logged, "redundant")).toEqual([]);
    expect(run(nft("inet", "drop", "\t\ttcp dport 22 accept\n\t\tcounter drop\n"), "redundant").map((f) => f.location.line)).toEqual([5]);
    // a rule that does not log, whose verdict a later logging rule gives, still is
    expect(run(nft("inet", "drop", '\t\ttcp dport 22 drop\n\t\tlog prefix "x" drop\n'), "redundant").map((f) => f.location.line)).toEqual([4]);
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

  it("one finding per later rule, naming every earlier rule it is correlated with", () => {
    let body = "";
    for (let i = 1; i <= 12; i++) body += `-A INPUT -s 198.51.100.${i} -j DROP\n`;
    body += "-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -p tcp --dport 443 -j ACCEPT\n";
    const fs = run(save(body), "correlated");
    expect(lines(fs)).toEqual([17, 18]);
    expect(fs[0]!.message).toBe(
      "rule on line 17 (ACCEPT) in chain INPUT overlaps partially with 12 earlier rules with different actions (lines 5, 6, 7, 8, 9, 10, 11, 12 and 4 more): the packets it shares with each get DROP only because that rule comes first",
    );
    expect(fs[0]!.related!.map((r) => r.line)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
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

  it("generalization: one finding per general rule, naming every exception above it", () => {
    const fs = run(save("-A INPUT -s 192.0.2.1 -p tcp --dport 22 -j ACCEPT\n-A INPUT -s 192.0.2.2 -p tcp --dport 22 -j ACCEPT\n-A INPUT -s 192.0.2.3 -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j DROP\n"), "generalization");
    expect(lines(fs)).toEqual([8]);
    expect(fs[0]!.message).toBe(
      "rule generalizes 3 earlier rules (lines 5, 6, 7): it matches every packet each of them matches and more, with a different action (DROP, not ACCEPT); they are exceptions that only work because they come first",
    );
    expect(fs[0]!.related!.map((r) => r.line)).toEqual([5, 6, 7]);
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

  it("unreachable-chain: not the chains a tool makes for its own use (ufw, Docker, kube-proxy; fw4's and firewalld's tables)", () => {
    const body = ":ufw-logging-allow - [0:0]\n:ufw6-skip-to-policy-output - [0:0]\n:DOCKER-ISOLATION-STAGE-2 - [0:0]\n:KUBE-KUBELET-CANARY - [0:0]\n:mine - [0:0]\n-A ufw-logging-allow -j ACCEPT\n";
    expect(run(save(body), "unreachable-chain").map((f) => f.message.split(" ")[1])).toEqual(["mine"]);
    const tables = (name: string) => parseNft(`table inet ${name} {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n\tchain handle_reject {\n\t\treject\n\t}\n}\n`, "t.nft");
    expect(run(tables("fw4"), "unreachable-chain")).toEqual([]);
    expect(run(tables("firewalld"), "unreachable-chain")).toEqual([]);
    expect(run(tables("netavark"), "unreachable-chain")).toEqual([]);
    expect(run(tables("filter"), "unreachable-chain").map((f) => f.message.split(" ")[1])).toEqual(["handle_reject"]);
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

describe("anomaly: rule-after-catch-all in an inet table", () => {
  it("a catch-all of one family hides only the rules entirely in that family", () => {
    expect(run(nft("inet", "drop", "ip saddr 0.0.0.0/0 drop\ntcp dport 25 accept\n"), "rule-after-catch-all")).toEqual([]);
    expect(run(nft("inet", "drop", "meta nfproto ipv4 drop\ntcp dport 25 accept\n"), "rule-after-catch-all")).toEqual([]);
    const fs = run(nft("inet", "drop", "ip saddr 0.0.0.0/0 drop\ntcp dport 25 accept\nip saddr 192.0.2.0/24 tcp dport 22 accept\n"), "rule-after-catch-all");
    expect(lines(fs)).toEqual([6]);
    expect(fs[0]!.message).toBe("1 rule after the catch-all DROP on line 4 in chain input never runs (line 6)");
    expect(fs[0]!.related?.[0]).toMatchObject({ line: 4, message: "catch-all: DROP every IPv4 packet" });
  });

  it("catch-alls of both families together hide every later rule, and name both", () => {
    const fs = run(nft("inet", "drop", "meta nfproto ipv4 drop\ntcp dport 80 accept\nmeta nfproto ipv6 drop\nudp dport 53 accept\n"), "rule-after-catch-all");
    expect(lines(fs)).toEqual([7]);
    expect(fs[0]!.message).toMatch(/^1 rule after the catch-alls on line 4 \(DROP\), line 6 \(DROP\) in chain input never runs \(line 7\)$/);
    expect(fs[0]!.related?.map((r) => r.line)).toEqual([4, 6]);
  });

  it("a verdict map after a catch-all is listed once, and only when every element is caught", () => {
    expect(run(nft("inet", "drop", "ip saddr 0.0.0.0/0 drop\nmeta nfproto vmap { ipv4 : accept, ipv6 : drop }\n"), "rule-after-catch-all")).toEqual([]);
    const fs = run(nft("inet", "drop", "ip saddr 0.0.0.0/0 drop\nip daddr vmap { 10.0.0.1 : accept, 10.0.0.2 : drop }\n"), "rule-after-catch-all");
    expect(fs.map((f) => f.message)).toEqual(["1 rule after the catch-all DROP on line 4 in chain input never runs (line 5)"]);
  });
});

describe("anomaly: verdict maps are judged by what each element does", () => {
  it("a map is not redundant because one element agrees with the policy", () => {
    expect(run(nft("ip", "drop", "tcp dport vmap { 5432 : accept, 6379 : drop }\n"), "redundant")).toEqual([]);
    expect(run(nft("ip", "accept", "tcp dport vmap { 5432 : accept, 6379 : drop }\n"), "redundant")).toEqual([]);
    expect(run(nft("ip", "drop", "tcp dport vmap { 25 : jump smtp, 23 : drop }\n", "\tchain smtp {\n\t\taccept\n\t}\n"), "redundant")).toEqual([]);
  });

  it("a map whose every element keeps its verdict without it is redundant, each element named with who decides it", () => {
    const fs = run(nft("ip", "drop", "tcp dport vmap { 22 : accept, 23 : drop }\ntcp dport 22 accept\n"), "redundant");
    expect(lines(fs)).toEqual([4]);
    expect(fs[0]!.message).toBe("rule is redundant: every packet it decides would get the same verdict without it: element 22 (ACCEPT) from line 5; element 23 (DROP) from the input policy DROP");
    expect(fs[0]!.related?.map((r) => r.line)).toEqual([5, 3]);
  });

  it("pairs name the element of a map", () => {
    const fs = run(nft("ip", "drop", "ip daddr 10.0.0.8 tcp dport 443 drop\ntcp dport vmap { 443 : accept, 8443 : drop }\n"), "generalization");
    expect(fs.map((f) => f.message)).toEqual([
      "element 443 of the rule generalizes line 4: it matches every packet line 4 matches and more, with a different action (ACCEPT, not DROP); line 4 is an exception that only works because it comes first",
    ]);
  });
});

describe("anomaly: a statement the model splits is named by its line, not as an element", () => {
  // `ct original` is modelled as two rules: new connections (exact) and the others (unknown)
  it("ct original ip saddr: 'line 4', with no element", () => {
    const rs = nft("inet", "drop", "ct original ip saddr 10.0.0.0/8 tcp dport 25 drop\ntcp dport 25 accept\n");
    expect(rs.chains.get("inet filter/input")?.rules.filter((r) => r.span.line === 4)).toHaveLength(2);
    expect(run(rs, "generalization").map((f) => f.message)).toEqual([
      "rule generalizes line 4: it matches every packet line 4 matches and more, with a different action (ACCEPT, not DROP); line 4 is an exception that only works because it comes first",
    ]);
  });

  it("a map statement with a ct original match names the map's elements as written", () => {
    const fs = run(nft("inet", "drop", "ct state new ip saddr 192.0.2.5 tcp dport 443 drop\nct original ip saddr 192.0.2.0/24 tcp dport vmap { 443 : accept, 8443 : drop }\n"), "generalization");
    expect(fs.map((f) => f.message.split(":")[0])).toEqual(["element 443 of the rule generalizes line 4"]);
  });
});

describe("anomaly: context conditions are decided by the chain's hook", () => {
  it("on the input hook the destination is local (but an IPv4 group one): a `local` rule is exact, a `!= local` one matches only those", () => {
    expect(lines(run(nft("inet", "drop", "fib daddr type local tcp dport 23 drop\n"), "redundant"))).toEqual([4]);
    expect(lines(run(nft("inet", "accept", "ip daddr 10.0.0.0/8 tcp dport 22 accept\nfib daddr type != local drop\n"), "redundant"))).toEqual([4]);
    // without the accept, a packet to 224.0.0.1 port 22 would be dropped by the `!= local` rule
    expect(run(nft("inet", "accept", "tcp dport 22 accept\nfib daddr type != local drop\n"), "redundant")).toEqual([]);
  });

  it("a chain entered from both the input and the forward hook cannot decide it", () => {
    const both = "\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tjump shared\n\t}\n\tchain shared {\n\t\tfib daddr type local tcp dport 23 drop\n\t}\n";
    expect(run(nft("inet", "drop", "jump shared\n", both), "redundant")).toEqual([]);
    // `fib daddr type local accept` is a catch-all on the input hook only, and only for IPv6 there (an
    // IPv4 multicast or broadcast destination is not local)
    expect(run(nft("inet", "drop", "fib daddr type local accept\ntcp dport 22 accept\n"), "rule-after-catch-all")).toEqual([]);
    const v6 = parseNft("table ip6 filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tfib daddr type local accept\n\t\ttcp dport 22 accept\n\t}\n}\n", "t.nft");
    expect(lines(run(v6, "rule-after-catch-all"))).toEqual([5]);
    const shared = both.replace("tcp dport 23 drop", "accept\n\t\ttcp dport 22 accept");
    expect(run(nft("inet", "drop", "jump shared\n", shared), "rule-after-catch-all")).toEqual([]);
  });
});

describe("anomaly: a jump to a chain that gives all it is given one verdict decides with it", () => {
  // LOGGING logs and drops every packet it is given (a chain on lines 5-7)
  const logging = ":LOGGING - [0:0]\n-A LOGGING -m limit --limit 2/min -j LOG --log-prefix dropped\n-A LOGGING -j DROP\n";
  it("a catch-all jump to it: the rules after it never run", () => {
    const fs = run(save(`${logging}-A INPUT -p tcp --dport 443 -j ACCEPT\n-A INPUT -j LOGGING\n-A INPUT -p tcp --dport 8080 -j ACCEPT\n`), "rule-after-catch-all");
    expect(lines(fs)).toEqual([10]);
    expect(fs[0]!.message).toBe("1 rule after the catch-all jump LOGGING on line 9 in chain INPUT never runs (line 10)");
  });
  it("redundant above a DROP policy, told by the verdict, unless the chain logs first; a chain that does more is no such chain", () => {
    const quiet = ":DROPIT - [0:0]\n-A DROPIT -j DROP\n";
    const fs = run(save(`${quiet}-A INPUT -p tcp --dport 23 -j DROPIT\n`), "redundant");
    expect(fs.map((f) => [f.location.line, f.message])).toEqual([[7, "rule is redundant: every packet it decides would get the same verdict (DROP) without it, from the INPUT policy DROP"]]);
    // removing a jump to LOGGING loses its log, as removing `log prefix "x" drop` does
    expect(run(save(`${logging}-A INPUT -p tcp --dport 23 -j LOGGING\n`), "redundant")).toEqual([]);
    const picky = ":CHECK - [0:0]\n-A CHECK -s 10.0.0.0/8 -j RETURN\n-A CHECK -j DROP\n";
    expect(run(save(`${picky}-A INPUT -p tcp --dport 23 -j CHECK\n`), "redundant")).toEqual([]);
  });
  it("pairs with different verdicts: correlated, told in verdicts", () => {
    const fs = run(save(`${logging}-A INPUT -s 192.0.2.0/24 -j ACCEPT\n-A INPUT -p tcp -j LOGGING\n`), "correlated");
    expect(fs.map((f) => f.message)).toEqual([
      "rules on lines 8 (ACCEPT) and 9 (jump LOGGING) in chain INPUT overlap partially with different actions: the packets both match get ACCEPT only because line 8 comes first",
    ]);
  });
});

describe("anomaly: anonymous chains (nft jump { ... })", () => {
  it("are part of the rule that holds them: a chain never entered is reported, not its anonymous chains", () => {
    const rs = nft("ip", "drop", "tcp dport 22 accept\n", "\tchain unused {\n\t\ttcp dport 25 jump { counter accept }\n\t\tudp dport 53 jump { accept }\n\t}\n");
    const fs = run(rs, "unreachable-chain");
    expect(fs.map((f) => f.message)).toEqual(["chain unused (table ip filter) is never entered from a built-in chain: no rule jumps or goes to it; its 2 rules never run"]);
    expect([...rs.chains.keys()].filter((k) => rs.chains.get(k)!.anonymous)).toEqual(["ip filter/{ ... } of line 7", "ip filter/{ ... } of line 8"]);
  });
  it("two on one line are told apart", () => {
    const rs = nft("ip", "drop", "tcp dport vmap { 22 : jump { accept }, 25 : jump { drop } }\n");
    expect([...rs.chains.keys()].filter((k) => rs.chains.get(k)!.anonymous)).toEqual(["ip filter/{ ... } of line 4", "ip filter/{ ... } of line 4 #2"]);
  });
});
