import { describe, expect, it } from "vitest";
import { diffFindings, diffRulesets, findingKey } from "../../src/analysis/diff.js";
import { analyzeText } from "../../src/engine/check.js";

const HEAD = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
`;
const BASE = `${HEAD}COMMIT\n`;
const WITH_SMTP = `${HEAD}-A INPUT -p tcp --dport 25 -j ACCEPT\nCOMMIT\n`;

function ruleset(path: string, text: string) {
  const a = analyzeText(path, text);
  expect(a.fatal).toBeUndefined();
  return a.ruleset!;
}

describe("diffRulesets", () => {
  it("past a reverse-path filter or a rate limit an opening is as certain as its finding; past a time window it is not", () => {
    const raw = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -m rpfilter --invert -j DROP\nCOMMIT\n";
    const opened = (extra: string) =>
      diffRulesets(ruleset("old.rules", raw + BASE), ruleset("new.rules", raw + `${HEAD}-A INPUT -p tcp --dport 25${extra} -j ACCEPT\nCOMMIT\n`)).opened.map((r) => [r.ports, r.certain]);
    expect(opened("")).toEqual([[[[25, 25]], true]]);
    // a stranger's first connection is under the rate: an open relay at 3 a minute is open
    expect(opened(" -m limit --limit 3/min")).toEqual([[[[25, 25]], true]]);
    expect(opened(" -m time --timestart 09:00 --timestop 17:00")).toEqual([[[[25, 25]], false]]);
  });

  it("adding an accept for tcp/25 opens exactly tcp/25, located at the new line", () => {
    const d = diffRulesets(ruleset("old.rules", BASE), ruleset("new.rules", WITH_SMTP));
    expect(d.closed).toEqual([]);
    expect(d.opened).toHaveLength(1);
    const r = d.opened[0]!;
    expect(r).toMatchObject({ direction: "inbound", family: 4, protocol: "tcp", ports: [[25, 25]], sourceCoverage: 1, certain: true });
    expect(r.location).toEqual({ file: "new.rules", line: 8, column: 1 });
    expect(r.witness).toMatchObject({ proto: "tcp", dport: 25, hook: "input" });
  });

  it("a region's ports are those its source coverage speaks for: all of loopback beside tcp/25 from anywhere", () => {
    const closed = `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n`;
    const open = `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp --dport 25 -j ACCEPT\nCOMMIT\n`;
    const d = diffRulesets(ruleset("old.rules", closed), ruleset("new.rules", open));
    const tcp = d.opened.filter((r) => r.protocol === "tcp").map((r) => [r.ports, r.sourceCoverage, r.location?.line, r.witness.iif]);
    expect(tcp).toEqual([
      [[[0, 24]], 0, 5, "lo"],
      [[[25, 25]], 1, 6, "eth0"],
      [[[26, 65535]], 0, 5, "lo"],
    ]);
    // other protocols: loopback only, whatever the protocol
    expect(d.opened.filter((r) => r.protocol !== "tcp").every((r) => r.sourceCoverage === 0 && r.location?.line === 5)).toBe(true);
  });

  it("removing it closes exactly tcp/25, located at the old line", () => {
    const d = diffRulesets(ruleset("old.rules", WITH_SMTP), ruleset("new.rules", BASE));
    expect(d.opened).toEqual([]);
    expect(d.closed).toHaveLength(1);
    expect(d.closed[0]).toMatchObject({ protocol: "tcp", ports: [[25, 25]], sourceCoverage: 1, location: { file: "old.rules", line: 8 } });
  });

  it("moving a rule without changing what is accepted gives no difference", () => {
    const moved = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 25 -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
`;
    const d = diffRulesets(ruleset("old.rules", WITH_SMTP), ruleset("new.rules", moved));
    expect(d).toEqual({ opened: [], closed: [] });
  });

  it("a DROP policy turned ACCEPT opens everything else, located at the policy", () => {
    const d = diffRulesets(ruleset("old.rules", BASE), ruleset("new.rules", BASE.replace(":INPUT DROP", ":INPUT ACCEPT")));
    expect(d.closed).toEqual([]);
    const tcp = d.opened.find((r) => r.protocol === "tcp")!;
    expect(tcp.ports).toEqual([
      [0, 21],
      [23, 65535],
    ]);
    expect(tcp.location).toMatchObject({ file: "new.rules", line: 2 });
    expect(tcp.rule).toBe("policy ACCEPT");
    expect(d.opened.map((r) => r.protocol)).toEqual(expect.arrayContaining(["tcp", "udp", "icmp", "other"]));
    expect(d.opened.find((r) => r.protocol === "udp")!.ports).toEqual([[0, 65535]]);
    expect(d.opened.every((r) => r.direction === "inbound" && r.location?.line === 2)).toBe(true);
  });

  it("an iptables-save file and its shell-script form accept the same traffic", () => {
    const script = `#!/bin/sh
IPT=/sbin/iptables
$IPT -F
$IPT -P INPUT DROP
$IPT -P FORWARD DROP
$IPT -P OUTPUT ACCEPT
$IPT -A INPUT -i lo -j ACCEPT
$IPT -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
$IPT -A INPUT -p tcp --dport 22 -j ACCEPT
$IPT -A INPUT -p tcp --dport 25 -j ACCEPT
`;
    const s = analyzeText("firewall.sh", script);
    expect(s.file.format).toBe("iptables-script");
    expect(diffRulesets(ruleset("rules.v4", WITH_SMTP), s.ruleset!)).toEqual({ opened: [], closed: [] });
  });

  it("a file that did not exist (null) opens everything the new one accepts", () => {
    const d = diffRulesets(null, ruleset("new.rules", WITH_SMTP));
    expect(d.closed).toEqual([]);
    expect(d.opened.some((r) => r.direction === "inbound" && r.protocol === "tcp" && r.ports.some(([a, b]) => a <= 25 && 25 <= b))).toBe(true);
    // OUTPUT ACCEPT: everything outbound is opened too
    expect(d.opened.some((r) => r.direction === "outbound")).toBe(true);
  });

  it("two rules opened by different lines are separate regions", () => {
    const two = `${HEAD}-A INPUT -p tcp --dport 25 -j ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n`;
    const d = diffRulesets(ruleset("old.rules", BASE), ruleset("new.rules", two));
    expect(d.opened.map((r) => [r.ports, r.location?.line])).toEqual([
      [[[25, 25]], 8],
      [[[80, 80]], 9],
    ]);
  });

  it("a rule for private sources only has no public source coverage", () => {
    const lan = `${HEAD}-A INPUT -s 10.0.0.0/8 -p tcp --dport 143 -j ACCEPT\nCOMMIT\n`;
    const d = diffRulesets(ruleset("old.rules", BASE), ruleset("new.rules", lan));
    expect(d.opened).toHaveLength(1);
    expect(d.opened[0]).toMatchObject({ ports: [[143, 143]], sourceCoverage: 0 });
    expect(d.opened[0]!.witness.src).toMatch(/^10\./);
  });
});

describe("diffFindings", () => {
  it("matches findings by content, not line numbers", () => {
    const old = analyzeText("old.rules", BASE);
    const moved = analyzeText("new.rules", BASE.replace("-A INPUT -i lo -j ACCEPT\n", "") .replace("COMMIT", "-A INPUT -i lo -j ACCEPT\nCOMMIT"));
    expect(old.findings.length).toBeGreaterThan(0);
    expect(moved.findings.map((f) => findingKey(f))).toEqual(old.findings.map((f) => findingKey(f)));
    expect(diffFindings(old.findings, moved.findings)).toEqual({ newFindings: [], resolvedFindings: [] });
  });

  it("a rule inserted above an unchanged one that opens the same service is the new finding", () => {
    const head = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    const old = analyzeText("old.rules", `${head}-A FORWARD -p tcp -d 10.0.0.1 --dport 22 -j ACCEPT\nCOMMIT\n`);
    const now = analyzeText("new.rules", `${head}-A FORWARD -p tcp -d 10.0.0.2 --dport 22 -j ACCEPT\n-A FORWARD -p tcp -d 10.0.0.1 --dport 22 -j ACCEPT\nCOMMIT\n`);
    const d = diffFindings(old.findings, now.findings);
    expect(d.newFindings.map((f) => [f.exposure?.service, f.location.line])).toEqual([["ssh", 5]]);
    expect(d.resolvedFindings).toEqual([]);
  });

  it("reports the SMTP exposure as new, and as resolved the other way round", () => {
    const old = analyzeText("old.rules", BASE);
    const neu = analyzeText("new.rules", WITH_SMTP);
    const d = diffFindings(old.findings, neu.findings);
    expect(d.resolvedFindings).toEqual([]);
    expect(d.newFindings.map((f) => [f.ruleId, f.exposure?.service])).toEqual([["exposed-service", "smtp"]]);
    const back = diffFindings(neu.findings, old.findings);
    expect(back.newFindings).toEqual([]);
    expect(back.resolvedFindings.map((f) => f.exposure?.service)).toEqual(["smtp"]);
  });
});

describe("diffFindings and wider exposures", () => {
  it("an exposure now reported inside a wider one (every TCP port) is not resolved", () => {
    const old = analyzeText("old.rules", BASE);
    const neu = analyzeText("new.rules", BASE.replace(":INPUT DROP", ":INPUT ACCEPT"));
    const d = diffFindings(old.findings, neu.findings);
    expect(d.resolvedFindings).toEqual([]);
    expect(d.newFindings.some((f) => f.ruleId === "default-accept-policy")).toBe(true);
  });
});
