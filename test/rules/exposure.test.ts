/**
 * exposure (exposed-service): what is open to any source for certain, and what may be - open only
 * under a condition fwlint does not model, told apart in the message and with the conditions it
 * depends on.
 */
import { describe, expect, it } from "vitest";
import { makeContext } from "../../rules/checks/context.js";
import { exposure } from "../../rules/checks/exposure.js";
import { defaultPolicy } from "../../rules/checks/default-policy.js";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseNft, parseNftJson } from "../../parsers/nftables/index.js";
import { filter, lines, ref } from "./helpers.js";
import { BaselineFilter, entryOf } from "../../src/engine/baseline.js";
import { analyzeText } from "../../src/engine/check.js";

const params = { threshold: 0.5, directions: ["inbound" as const, "forward" as const] };
const run = (body: string) => exposure(makeContext(filter(body)), params, ref);

describe("exposure", () => {
  it("tells a service open for certain from one open only under an unmodelled condition", () => {
    const fs = run("-A INPUT -p tcp --dport 22 -m time --timestart 09:00 --timestop 17:00 -j ACCEPT\n-A INPUT -p tcp --dport 25 -j ACCEPT\n");
    const byService = new Map(fs.map((f) => [f.exposure?.service, f]));
    expect([...byService.keys()].sort()).toEqual(["smtp", "ssh"]);
    const ssh = byService.get("ssh")!;
    expect(ssh.message).toMatch(/^SSH \(tcp\/22\) may be reachable from any source on the inbound path$/);
    expect(ssh.uncertain).toEqual([expect.stringMatching(/-m time/)]);
    expect(lines([ssh])).toEqual([5]); // the filter table's first rule line
    const smtp = byService.get("smtp")!;
    expect(smtp.message).toMatch(/^SMTP \(tcp\/25\) is reachable from any source on the inbound path$/);
    expect(smtp.uncertain).toBeUndefined();
  });

  it("names what an every-port finding depends on when its example port is open for certain and another only maybe", () => {
    // port knocking: SSH only from sources a knock added; every other port open by the policy
    const nft = `table inet knock {
  set clients { type ipv4_addr; flags dynamic,timeout; }
  chain input {
    type filter hook input priority filter; policy accept;
    tcp dport 10001 add @clients { ip saddr timeout 10m }
    tcp dport 22 ip saddr @clients accept
    tcp dport 22 drop
  }
}
`;
    const fs = exposure(makeContext(parseNft(nft, "knock.nft")), params, ref);
    const every = fs.find((f) => f.exposure?.service === "every-port" && f.exposure.protocol === "tcp" && f.exposure.family === 4)!;
    expect(every.message).toBe("Every TCP port may be reachable from any IPv4 source on the inbound path");
    expect(every.witness?.dport).not.toBe(22);
    expect(every.uncertain).toEqual(["ip saddr @clients (knock.nft:6)"]);
  });

  it("a prerouting DROP policy that is a reverse-path filter's other half does not make the forward path filtered", () => {
    const rs = (accepted: string) =>
      parseNft(
        `table inet fw {\n chain rpfilter {\n  type filter hook prerouting priority mangle + 10; policy drop;\n  ${accepted} accept\n }\n chain input {\n  type filter hook input priority filter; policy drop;\n  tcp dport 22 accept\n }\n}\n`,
        "rp.nft",
      );
    const forward = (r: ReturnType<typeof rs>) => exposure(makeContext(r), params, ref).filter((f) => f.exposure?.direction === "forward");
    // NixOS's rpfilter chain: what is not spoofed goes on; the ruleset has no forward chain
    expect(forward(rs("fib saddr . mark . iif oif exists"))).toEqual([]);
    // a prerouting chain that accepts only some packets does filter the forward path
    expect(forward(rs("tcp dport 80")).map((f) => f.message)).toContain("HTTP (tcp/80) is reachable from any IPv4 source on the forward path");
    expect(exposure(makeContext(rs("fib saddr . mark . iif oif exists")), params, ref).map((f) => f.message)).toContain("SSH (tcp/22) is reachable from any IPv4 source on the inbound path");
  });

  it("a postrouting chain that cannot drop (DSCP marking) does not make the forward path filtered; one that drops does", () => {
    const rs = (post: string) =>
      parseNft(
        `table inet fw {\n chain input {\n  type filter hook input priority filter; policy drop;\n  tcp dport 22 accept\n }\n chain postrouting {\n  type filter hook postrouting priority 0;\n  ${post}\n }\n}\n`,
        "post.nft",
      );
    const forward = (r: ReturnType<typeof rs>) => exposure(makeContext(r), params, ref).filter((f) => f.exposure?.direction === "forward").map((f) => f.message);
    const policy = (r: ReturnType<typeof rs>) => defaultPolicy(makeContext(r), { directions: ["inbound", "forward", "outbound"] }, ref).map((f) => f.message);
    // a host's ruleset: no forward chain, its postrouting chain only marks
    const marking = rs("ip dscp != cs0 ip dscp set cs0 counter");
    expect(forward(marking)).toEqual([]);
    expect(policy(marking)).toEqual([]);
    // one that drops (here through a chain it jumps to) decides what it lets past
    const dropping = rs("jump egress }\n chain egress {\n  tcp dport 25 drop");
    expect(forward(dropping)).toContain("Every UDP port is reachable from any IPv4 source on the forward path");
    expect(policy(dropping)).toContain("postrouting policy is ACCEPT on the forward path: new connections that no rule decides are let in");
  });

  it("shows a service reached through a port forward as it arrived, even when it can also be sent there directly", () => {
    // the forward chain accepts SMTP to 10.0.0.25 whether or not a DNAT rewrote it
    const rs = filter("-A FORWARD -d 10.0.0.25/32 -p tcp --dport 25 -j ACCEPT\n", undefined, "-A PREROUTING -i eth0 -p tcp --dport 2525 -j DNAT --to-destination 10.0.0.25:25\n");
    const smtp = exposure(makeContext(rs), params, ref).find((f) => f.exposure?.service === "smtp" && f.exposure.direction === "forward")!;
    expect(smtp.message).toBe("SMTP (tcp/25) is reachable from any source on the forward path (forwarded to 10.0.0.25:25 by t.rules:6)");
    expect(smtp.witness).toMatchObject({ dport: 2525, iif: "eth0" });
  });

  it("a service behind a rate or count limit, a brute-force guard or a ban list no rule fills is reachable: strangers' first connections get in", () => {
    const open = (rules: string) => run(rules).map((f) => f.message);
    const ssh = "SSH (tcp/22) is reachable from any source on the inbound path";
    expect(open("-A INPUT -p tcp --dport 22 -m limit --limit 5/min -j ACCEPT\n")).toEqual([ssh]);
    expect(open("-A INPUT -p tcp --dport 22 -m connlimit --connlimit-above 3 -j REJECT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n")).toEqual([ssh]);
    expect(
      open("-A INPUT -p tcp --dport 22 -m recent --set --name SSH\n-A INPUT -p tcp --dport 22 -m recent --update --seconds 60 --hitcount 4 --name SSH -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\n"),
    ).toEqual([ssh]);
    expect(open("-A INPUT -m recent --rcheck --name BANNED -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\n")).toEqual([ssh]);
    // a list only a rule of the ruleset fills (a port knock) may let in a stranger who knocked: "may"
    expect(open("-A INPUT -p tcp --dport 1234 -m recent --set --name KNOCK\n-A INPUT -p tcp --dport 22 -m recent --rcheck --seconds 10 --name KNOCK -j ACCEPT\n")).toEqual([
      "SSH (tcp/22) may be reachable from any source on the inbound path",
    ]);
  });

  it("past what the sender writes into its packet (the SACK panic mitigation's MSS test, a length) a service is reachable", () => {
    expect(run("-A INPUT -p tcp -m tcpmss --mss 1:500 -j DROP\n-A INPUT -m length --length 0:20 -j DROP\n-A INPUT -p tcp --dport 25 -j ACCEPT\n").map((f) => f.message)).toEqual([
      "SMTP (tcp/25) is reachable from any source on the inbound path",
    ]);
  });

  it("reports nothing where the only opening is closed again for certain", () => {
    expect(run("-A INPUT -p tcp --dport 22 -j DROP\n-A INPUT -p tcp --dport 22 -m limit --limit 5/min -j ACCEPT\n")).toEqual([]);
  });

  // `nft -j list ruleset` writes the whole ruleset on one line: rules differ by column only.
  it("rules on one line (nft -j) are told apart by column: each opening is its own finding", () => {
    const ports = [5432, 6379, 3306, 27017, 9200, 11211, 2375];
    const rule = (port: number, handle: number) => ({
      rule: { family: "ip", table: "fw", chain: "input", handle, expr: [{ match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: port } }, { accept: null }] },
    });
    const text = JSON.stringify({
      nftables: [
        { table: { family: "ip", name: "fw", handle: 1 } },
        { chain: { family: "ip", table: "fw", name: "input", handle: 1, type: "filter", hook: "input", prio: 0, policy: "drop" } },
        ...ports.map((p, i) => rule(p, i + 2)),
      ],
    });
    const fs = exposure(makeContext(parseNftJson(text, "r.json")), params, ref);
    expect(fs.map((f) => f.exposure?.service).sort()).toEqual(["docker", "elasticsearch", "memcached", "mongodb", "mysql", "postgresql", "redis"].sort());
    expect(new Set(fs.map((f) => f.location.column)).size).toBe(7);
    expect(fs.every((f) => f.location.line === 1)).toBe(true);
  });

  // The coverage is that of the most widely reached destination: the finding, its witness and its
  // rule must be that destination's, not a partner-only neighbour's.
  it("names the rule that opens the service to any source, not an earlier partner-only one", () => {
    const fs = run("-A INPUT -s 203.0.113.0/24 -d 10.0.0.40 -p tcp --dport 3389 -j ACCEPT\n-A INPUT -d 10.0.0.50 -p tcp --dport 3389 -j ACCEPT\n");
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toBe("RDP (tcp/3389) is reachable from any source on the inbound path");
    expect(lines(fs)).toEqual([6]);
    expect(fs[0]!.witness).toMatchObject({ dst: "10.0.0.50", dport: 3389 });
  });
  it("a condition drawn per connection (-m statistic, nft numgen) lets in some of them: reachable", () => {
    const drawn = run("-A INPUT -p tcp --dport 22 -m statistic --mode random --probability 0.5 -j ACCEPT\n");
    expect(drawn.map((f) => [f.message, f.uncertain])).toEqual([["SSH (tcp/22) is reachable from any source on the inbound path", undefined]]);
    // a condition of the environment may hold for nobody: "may"
    const window = run("-A INPUT -p tcp --dport 22 -m time --timestart 09:00 --timestop 17:00 -j ACCEPT\n");
    expect(window.map((f) => f.message)).toEqual(["SSH (tcp/22) may be reachable from any source on the inbound path"]);
    // drawn, then an unknown of another kind: "may"
    const both = run("-A INPUT -p tcp --dport 22 -m statistic --mode nth --every 2 --packet 0 -m time --weekdays Mon -j ACCEPT\n");
    expect(both.map((f) => f.message)).toEqual(["SSH (tcp/22) may be reachable from any source on the inbound path"]);
  });

  it("a load-balanced forward is traced through the branch that reaches the endpoint it names", () => {
    // kube-proxy's pattern: -m statistic (not modelled) picks one endpoint or the other
    const lb =
      ":SVC - [0:0]\n:SEP1 - [0:0]\n:SEP2 - [0:0]\n" +
      "-A PREROUTING -d 203.0.113.10 -p tcp --dport 25 -j SVC\n" +
      "-A SVC -m statistic --mode random --probability 0.5 -j SEP1\n" +
      "-A SVC -j SEP2\n" +
      "-A SEP1 -p tcp -j DNAT --to-destination 10.0.0.9:25\n" +
      "-A SEP2 -p tcp -j DNAT --to-destination 10.0.0.6:25\n";
    // only what a DNAT forwarded: the finding is about the forward, not a packet sent to the host
    const forward = "-A FORWARD -m conntrack --ctstate DNAT -p tcp --dport 25 -j ACCEPT\n";
    const fs = exposure(makeContext(filter(forward, undefined, lb)), params, ref).filter((f) => f.exposure?.service === "smtp");
    expect(fs).toHaveLength(1);
    const note = /forwarded to ([0-9.]+):25 by t\.rules:([0-9]+)/.exec(fs[0]!.message);
    expect(note).not.toBeNull();
    const dnat = fs[0]!.trace!.filter((s) => s.action.startsWith("dnat"));
    expect(dnat.map((s) => [s.line, s.action])).toEqual([[Number(note![2]), `dnat to ${note![1]}:25`]]);
  });
});

describe("the device's own management services (Ruleset.deviceServices)", () => {
  const device = (body: string, ports: [number, number][] = [[443, 443]], interfaces?: string[]) => {
    const rs = filter(body);
    rs.deviceServices = [{ id: "asdm", name: "ASDM web management", protocol: 6, ports, ...(interfaces ? { interfaces } : {}), span: { file: "t", line: 1, column: 1 } }];
    return exposure(makeContext(rs), params, ref);
  };

  it("is reported at high severity under its own name, and the catalog's HTTPS (info) is not told again", () => {
    const fs = device("-A INPUT -p tcp --dport 443 -j ACCEPT\n");
    expect(fs.map((f) => [f.exposure?.service, f.severity, f.message])).toEqual([["asdm", "high", "ASDM web management (tcp/443) is reachable from any source on the inbound path"]]);
  });

  it("is not folded into an every-port finding: that the device listens there is known", () => {
    const services = device("-A INPUT -j ACCEPT\n").map((f) => f.exposure?.service);
    expect(services).toContain("every-port");
    expect(services).toContain("asdm");
  });

  it("listening on some interfaces only, traffic arriving on others does not reach it", () => {
    expect(device("-A INPUT -p tcp --dport 443 -j ACCEPT\n", [[443, 443]], ["lo"]).map((f) => f.exposure?.service)).toEqual(["https"]);
    // on eth0 it is the device's UI; what arrives on the other interfaces is still a web server's
    const fs = device("-A INPUT -p tcp --dport 443 -j ACCEPT\n", [[443, 443]], ["eth0"]);
    expect(fs.map((f) => f.exposure?.service)).toEqual(["asdm", "https"]);
    expect(fs[0]!.witness?.iif).toBe("eth0");
  });

  it("what the rules close stays closed", () => {
    expect(device("-A INPUT -p tcp --dport 443 -s 192.0.2.0/24 -j ACCEPT\n")).toEqual([]);
  });
});

// A host open on every port is one finding; a service is reported besides for where else it is
// open from any source, and shown there - not by a packet to the fully open host again.
describe("exposure next to an every-port finding", () => {
  const smtp = (fs: ReturnType<typeof run>) => fs.filter((f) => f.exposure?.service === "smtp");
  it("shows a service open on another host with a packet to that host, at the rule that opens it", () => {
    const fs = run("-A INPUT -d 10.0.0.5/32 -j ACCEPT\n-A INPUT -d 10.0.0.6/32 -p tcp --dport 25 -j ACCEPT\n");
    expect(fs.map((f) => f.exposure?.service)).toContain("every-port");
    expect(smtp(fs).map((f) => [f.location.line, f.witness?.dst])).toEqual([[6, "10.0.0.6"]]);
  });

  it("reports no service that reaches only the fully open host", () => {
    const fs = run("-A INPUT -d 10.0.0.5/32 -j ACCEPT\n-A INPUT -d 10.0.0.5/32 -p tcp --dport 25 -j ACCEPT\n");
    expect(fs.map((f) => f.exposure?.service)).toEqual(["every-port", "every-port"]);
  });

  it("tells no service again beside the fully open host when it reaches elsewhere only a few sources", () => {
    // SMB to 10.0.0.5 is in the every-port finding; to 10.0.0.6 from one address it is no exposure
    const fs = run("-A INPUT -d 10.0.0.5/32 -j ACCEPT\n-A INPUT -s 192.0.2.1/32 -d 10.0.0.6/32 -p tcp --dport 445 -j ACCEPT\n");
    expect(fs.map((f) => f.exposure?.service)).toEqual(["every-port", "every-port"]);
  });

  it("reports a service open to everyone on a host open on every port only to a partner's network", () => {
    // every port of 10.0.0.7 to one public /24 (no finding: a few sources), SSH to it from anyone
    const body = "-A INPUT -d 10.0.0.5/32 -j ACCEPT\n-A INPUT -s 203.0.113.0/24 -d 10.0.0.7/32 -j ACCEPT\n-A INPUT -d 10.0.0.7/32 -p tcp --dport 22 -j ACCEPT\n";
    const ssh = run(body).filter((f) => f.exposure?.service === "ssh");
    expect(ssh.map((f) => [f.location.line, f.witness?.dst])).toEqual([[7, "10.0.0.7"]]);
  });
});

describe("exposure in a dual-stack ruleset", () => {
  // One rule of an inet table opens a service to both families: two findings, which must not read
  // as the same one twice. A ruleset of one family keeps "any source".
  it("names the family of 'any source' when the ruleset filters both families", () => {
    const text = "table inet f {\n chain input {\n  type filter hook input priority filter; policy drop;\n  tcp dport 25 accept\n }\n}\n";
    const fs = exposure(makeContext(parseNft(text, "dual.nft")), params, ref).filter((f) => f.exposure?.service === "smtp");
    expect(fs.map((f) => [f.witness!.family, f.message]).sort()).toEqual([
      [4, "SMTP (tcp/25) is reachable from any IPv4 source on the inbound path"],
      [6, "SMTP (tcp/25) is reachable from any IPv6 source on the inbound path"],
    ]);
    const v4 = exposure(makeContext(parseNft(text.replace("inet", "ip"), "v4.nft")), params, ref).filter((f) => f.exposure?.service === "smtp");
    expect(v4.map((f) => f.message)).toEqual(["SMTP (tcp/25) is reachable from any source on the inbound path"]);
  });
});

describe("exposure through a load balancer", () => {
  const text = (forward: string, endpoints = 3) =>
    "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n" +
    Array.from({ length: endpoints }, (_, i) =>
      i < endpoints - 1
        ? `-A PREROUTING -i eth0 -p tcp --dport 25 -m statistic --mode random --probability ${(1 / (endpoints - i)).toFixed(5)} -j DNAT --to-destination 10.0.0.${11 + i}:25\n`
        : `-A PREROUTING -i eth0 -p tcp --dport 25 -j DNAT --to-destination 10.0.0.${11 + i}:25\n`,
    ).join("") +
    "COMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n" +
    forward +
    "COMMIT\n";
  const smtp = (t: string) => exposure(makeContext(parseIptablesSave(t, "lb.rules")), params, ref).filter((f) => f.exposure?.service === "smtp" && f.exposure.direction === "forward");

  it("names every endpoint that lets the packet in, each with its DNAT rule", () => {
    const [f, ...rest] = smtp(text("-A FORWARD -d 10.0.0.0/24 -p tcp --dport 25 -j ACCEPT\n"));
    expect(rest).toEqual([]);
    expect(f!.message).toBe(
      "SMTP (tcp/25) is reachable from any source on the forward path (forwarded to 10.0.0.11:25 by lb.rules:6, to 10.0.0.12:25 by lb.rules:7 or to 10.0.0.13:25 by lb.rules:8, one per connection)",
    );
    expect(f!.related!.map((r) => `${r.line} ${r.message}`)).toEqual(["6 DNAT to 10.0.0.11:25 iif eth0 oif eth1", "7 DNAT to 10.0.0.12:25 iif eth0 oif eth1", "8 DNAT to 10.0.0.13:25 iif eth0 oif eth1"]);
  });

  it("an endpoint the forward chain drops is not named", () => {
    const [f] = smtp(text("-A FORWARD -d 10.0.0.12 -p tcp --dport 25 -j ACCEPT\n"));
    expect(f!.message).toMatch(/\(forwarded to 10\.0\.0\.12:25 by lb\.rules:7\)$/);
    expect(f!.related!.map((r) => r.line)).toEqual([7]);
  });

  it("many endpoints: four named, the rest counted, all related", () => {
    const [f] = smtp(text("-A FORWARD -d 10.0.0.0/24 -p tcp --dport 25 -j ACCEPT\n", 7));
    expect(f!.message).toMatch(/by lb\.rules:9 and 3 more endpoints, one per connection\)$/);
    expect(f!.related).toHaveLength(7);
  });
});

// A service is a finding at each rule that opens it, not only at the one deciding the first
// example: a rule added beside one already reported (or baselined) must be reported itself.
describe("a service opened by several rules", () => {
  const ssh = (fs: ReturnType<typeof run>) => fs.filter((f) => f.exposure?.service === "ssh");

  it("is a finding at each rule, each with a packet to the host that rule opens", () => {
    const fs = run("-A INPUT -d 10.0.0.1/32 -p tcp --dport 22 -j ACCEPT\n-A INPUT -d 10.0.0.5/32 -p tcp --dport 80 -j ACCEPT\n-A INPUT -d 10.0.0.2/32 -p tcp --dport 22 -j ACCEPT\n");
    expect(ssh(fs).map((f) => [f.location.line, f.witness?.dst, f.message])).toEqual([
      [5, "10.0.0.1", "SSH (tcp/22) is reachable from any source on the inbound path"],
      [7, "10.0.0.2", "SSH (tcp/22) is reachable from any source on the inbound path"],
    ]);
    expect(ssh(fs)[1]!.trace!.map((s) => s.line)).toEqual([7]);
  });

  it("a rule whose packets an earlier rule already decides is not one of them", () => {
    const fs = run("-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -d 10.0.0.2/32 -p tcp --dport 22 -j ACCEPT\n");
    expect(lines(ssh(fs))).toEqual([5]);
  });

  it("each rule is told for what it opens: its own ports", () => {
    const fs = run("-A INPUT -d 10.0.0.1/32 -p tcp --dport 25 -j ACCEPT\n-A INPUT -d 10.0.0.2/32 -p tcp -m multiport --dports 25,465,587 -j ACCEPT\n");
    const smtp = fs.filter((f) => f.exposure?.service === "smtp");
    expect(smtp.map((f) => [f.location.line, f.exposure?.ports])).toEqual([
      [5, [[25, 25]]],
      [6, [[25, 25]]],
    ]);
  });

  it("a rule that opens it to part of the Internet only is not one of them", () => {
    // 64.0.0.0/2 alone is a quarter of the public sources: the finding names the rule whose
    // example it shows, and only a rule opening it to more than the threshold is told besides
    const fs = run("-A INPUT -s 0.0.0.0/2 -p tcp --dport 22 -j ACCEPT\n-A INPUT -s 64.0.0.0/2 -p tcp --dport 22 -j ACCEPT\n-A INPUT -s 128.0.0.0/1 -p tcp --dport 22 -j ACCEPT\n");
    expect(ssh(fs)).toHaveLength(1);
    // one rule of each two opening it to any source: both told
    const two = run("-A INPUT -s 0.0.0.0/2 -p tcp --dport 22 -j ACCEPT\n-A INPUT -d 10.0.0.9 -p tcp --dport 22 -j ACCEPT\n-A INPUT -d 10.0.0.8 -p tcp --dport 22 -j ACCEPT\n");
    expect(lines(ssh(two))).toEqual([6, 7]);
  });

  it("rules in chains entered on different interfaces are told apart", () => {
    const fs = run(":A - [0:0]\n:B - [0:0]\n-A INPUT -i eth0 -j A\n-A INPUT -i eth1 -j B\n-A A -p tcp --dport 22 -j ACCEPT\n-A B -p tcp --dport 22 -j ACCEPT\n");
    expect(ssh(fs).map((f) => [f.location.line, f.witness?.iif])).toEqual([
      [9, "eth0"],
      [10, "eth1"],
    ]);
  });

  it("a rule reached through a jump is told in its own chain", () => {
    const fs = run(":SVC - [0:0]\n-A INPUT -d 10.0.0.1/32 -p tcp --dport 22 -j ACCEPT\n-A INPUT -j SVC\n-A SVC -d 10.0.0.2/32 -p tcp --dport 22 -j ACCEPT\n");
    expect(ssh(fs).map((f) => [f.location.line, f.trace!.map((s) => s.chain)])).toEqual([
      [6, ["INPUT"]],
      [8, ["INPUT", "SVC"]],
    ]);
  });

  it("stops at 20 rules per service and path, the last saying there are more", () => {
    const body = Array.from({ length: 25 }, (_, i) => `-A INPUT -d 10.0.0.${i + 1}/32 -p tcp --dport 22 -j ACCEPT\n`).join("");
    const fs = ssh(run(body));
    expect(fs).toHaveLength(20);
    expect(lines(fs)).toEqual([...lines(fs)].sort((a, b) => a - b)); // in source order
    expect(new Set(lines(fs)).size).toBe(20);
    expect(fs.filter((f) => f.message.includes("more rules")).map((f) => f.message)).toEqual(["SSH (tcp/22) is reachable from any source on the inbound path; more rules open it than are reported (at most 20 per service and path)"]);
    // 20 or fewer: no such note
    const twenty = ssh(run(body.split("\n").slice(0, 20).join("\n") + "\n"));
    expect(twenty).toHaveLength(20);
    expect(twenty.some((f) => f.message.includes("more rules"))).toBe(false);
  });

  it("a baseline taken before the second rule was added still reports it", () => {
    const before = run("-A INPUT -d 10.0.0.1/32 -p tcp --dport 22 -j ACCEPT\n");
    const after = run("-A INPUT -d 10.0.0.1/32 -p tcp --dport 22 -j ACCEPT\n-A INPUT -d 10.0.0.2/32 -p tcp --dport 22 -j ACCEPT\n");
    const withSource = (fs: ReturnType<typeof run>, text: string) => fs.map((f) => ({ ...f, sourceLine: text.split("\n")[f.location.line - 5] }));
    const beforeText = "-A INPUT -d 10.0.0.1/32 -p tcp --dport 22 -j ACCEPT";
    const afterText = `${beforeText}\n-A INPUT -d 10.0.0.2/32 -p tcp --dport 22 -j ACCEPT`;
    const baseline = { version: 1 as const, tool: "fwlint" as const, findings: withSource(before, beforeText).map((f) => entryOf("b.json", f)) };
    const fresh = new BaselineFilter("b.json", baseline).filter(withSource(after, afterText));
    expect(fresh.map((f) => [f.exposure?.service, f.location.line])).toEqual([["ssh", 6]]);
  });
});

// What a rule decides for certain is its part; the reviewer's cases (a rule with an unknown
// condition first, a comma list, a combination of rules, a default after rules, port forwards).
describe("a service opened by several rules: each rule's own part", () => {
  const ssh = (fs: ReturnType<typeof run>) => fs.filter((f) => f.exposure?.service === "ssh");

  it("a rule that decides only under a condition fwlint does not model hides no later rule", () => {
    const fs = run("-A INPUT -p tcp --dport 22 -m set --match-set admins src -j ACCEPT\n-A INPUT -p tcp -d 10.0.0.6 --dport 22 -j ACCEPT\n-A INPUT -p tcp -d 10.0.0.7 --dport 22 -j ACCEPT\n");
    expect(lines(ssh(fs))).toEqual([5, 6, 7]);
  });

  it("each finding gives its own rule's ports, so adding a rule leaves the first one's finding as it was", () => {
    const one = run("-A INPUT -p tcp --dport 6000 -j ACCEPT\n");
    const two = run("-A INPUT -p tcp --dport 6000 -j ACCEPT\n-A INPUT -p tcp --dport 6001:6003 -j ACCEPT\n");
    const x11 = (fs: ReturnType<typeof run>) => fs.filter((f) => f.exposure?.service === "x11").map((f) => [f.location.line, f.message, f.exposure?.ports]);
    expect(x11(two)).toEqual([
      [5, "X11 (tcp/6000) is reachable from any source on the inbound path", [[6000, 6000]]],
      [6, "X11 (tcp/6001-6003) is reachable from any source on the inbound path", [[6001, 6003]]],
    ]);
    expect(x11(one)).toEqual([x11(two)[0]]);
  });

  it("every port open only by two rules together is one finding, not two that each say every port", () => {
    const fs = run("-A INPUT -p tcp --dport 1:1023 -j ACCEPT\n-A INPUT -p tcp --dport 1024:65535 -j ACCEPT\n").filter((f) => f.exposure?.service === "every-port");
    expect(lines(fs)).toEqual([5]);
    // two hosts each open on every port by a rule of its own: two
    const hosts = run("-A INPUT -d 10.0.0.1 -p tcp -j ACCEPT\n-A INPUT -d 10.0.0.2 -p tcp -j ACCEPT\n").filter((f) => f.exposure?.service === "every-port");
    expect(lines(hosts)).toEqual([5, 6]);
  });

  it("the addresses of one comma list are one rule", () => {
    const fs = run("-A INPUT -p tcp -s 0.0.0.0/1,128.0.0.0/1 --dport 22 -j ACCEPT\n");
    expect(ssh(fs).map((f) => [f.location.line, f.message])).toEqual([[5, "SSH (tcp/22) is reachable from any source on the inbound path"]]);
  });

  it("a default ACCEPT policy after a rule is told for the rest, among the services it opens", () => {
    const rs = filter("-A INPUT -p tcp -d 10.0.0.5 --dport 22 -j ACCEPT\n-A INPUT -p udp -j DROP\n-A INPUT -p tcp --dport 1000:65535 -j DROP\n", "INPUT ACCEPT,FORWARD DROP,OUTPUT ACCEPT");
    const fs = exposure(makeContext(rs), params, ref);
    expect(lines(ssh(fs))).toEqual([5]);
    const atPolicy = fs.filter((f) => f.location.line === 2);
    expect(atPolicy).toHaveLength(1);
    expect(atPolicy[0]!.message).toMatch(/^\d+ TCP services are reachable from any source on the inbound path: .*SSH \(22\)/);
  });

  it("the note on a service cut at 20 rules is on the last finding in source order, and kept when findings are grouped", () => {
    const body = Array.from({ length: 25 }, (_, i) => `-A INPUT -d 10.0.0.${i + 1}/32 -p tcp -m multiport --dports 22,23,25,110,143,3306 -j ACCEPT\n`).join("");
    const fs = run(body);
    expect(fs).toHaveLength(20);
    expect(fs.slice(0, 19).some((f) => f.message.includes("more rules"))).toBe(false);
    expect(fs[19]!.message).toMatch(/^6 TCP services are reachable from any source on the inbound path: .*; more rules open SSH, Telnet, SMTP, MySQL\/MariaDB, POP3, IMAP than are reported \(at most 20 per service and path\)$/);
  });
});

// The second review's cases: a rule's part is what it decides (not what earlier rules take), a
// mark-conditioned accept decides nothing for certain, a later base chain's ACCEPT policy leaves
// the credit where it is, a default reached first does not end the walk.
describe("a service opened by several rules: what each decides", () => {
  const ssh = (fs: ReturnType<typeof run>) => fs.filter((f) => f.exposure?.service === "ssh");
  const fwd = (body: string, policies = "INPUT DROP,FORWARD DROP,OUTPUT ACCEPT", nat = "") => exposure(makeContext(filter(body, policies, nat)), params, ref).filter((f) => f.exposure?.direction === "forward");

  it("every port is told at the rule that opens every port, not at an earlier one opening some", () => {
    const fs = fwd("-A FORWARD -p tcp -d 10.0.0.5 --dport 1:1023 -j ACCEPT\n-A FORWARD -p tcp -d 10.0.0.5 -j ACCEPT\n").filter((f) => f.exposure?.service === "every-port");
    expect(lines(fs)).toEqual([6]);
  });

  it("an earlier rule keeps the packets it decides, though a later one matches them too", () => {
    const fs = fwd("-A FORWARD -p tcp -d 10.0.0.1 -m multiport --dports 22,3389 -j ACCEPT\n-A FORWARD -p tcp -d 10.0.0.0/24 --dport 22 -j ACCEPT\n");
    expect(lines(ssh(fs))).toEqual([5, 6]);
  });

  it("an accept of marked packets takes out only what it decides: the next rule is still told", () => {
    const text = "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -d 10.0.0.1 --dport 22 -j MARK --set-mark 1\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -m mark --mark 1 -j ACCEPT\n-A FORWARD -p tcp -d 10.0.0.2 --dport 22 -j ACCEPT\nCOMMIT\n";
    const fs = exposure(makeContext(parseIptablesSave(text, "m.rules")), params, ref).filter((f) => f.exposure?.service === "ssh");
    expect(fs.map((f) => [f.location.line, f.witness?.dst])).toEqual([
      [13, "10.0.0.1"],
      [14, "10.0.0.2"],
    ]);
  });

  it("a later base chain that passes by its ACCEPT policy leaves each rule of the first its finding", () => {
    const text = "table inet filter {\n  chain fwd {\n    type filter hook forward priority 0; policy drop;\n    ip daddr 10.0.0.1 tcp dport 22 accept\n    ip daddr 10.0.0.2 tcp dport 22 accept\n  }\n  chain blocklist {\n    type filter hook forward priority 10; policy accept;\n    ip saddr 203.0.113.0/24 drop\n  }\n}\n";
    const fs = exposure(makeContext(parseNft(text, "n.nft")), params, ref).filter((f) => f.exposure?.service === "ssh" && f.exposure.family === 4);
    expect(lines(fs)).toEqual([4, 5]);
  });

  it("a default ACCEPT policy reached by the first example does not hide a rule opening the service elsewhere", () => {
    const fs = fwd("-A FORWARD -p tcp -d 10.0.0.1 --dport 22 -j ACCEPT\n-A FORWARD -p tcp -d 10.0.0.0/8 -j DROP\n-A FORWARD -p tcp ! --dport 22 -j DROP\n-A FORWARD ! -p tcp -j DROP\n", "INPUT DROP,FORWARD ACCEPT,OUTPUT ACCEPT");
    expect(lines(ssh(fs))).toEqual([3, 5]);
  });
});

describe("a cloud rule copied to several targets", () => {
  const gcp = (rules: object[]) =>
    analyzeText("fw.json", JSON.stringify(rules.map((r, i) => ({ kind: "compute#firewall", name: `r${i}`, network: "https://www.googleapis.com/compute/v1/projects/p/global/networks/default", direction: "INGRESS", priority: 1000, sourceRanges: ["0.0.0.0/0"], ...r })), null, 2), { inputFormat: "gcp-firewall" }).findings.filter((f) => f.ruleId === "exposed-service");

  it("is one finding however many targets it reaches; another rule for another target is one more", () => {
    const one = gcp([{ allowed: [{ IPProtocol: "tcp", ports: ["22"] }], targetTags: ["a", "b", "c"] }]);
    expect(one.map((f) => f.exposure?.service)).toEqual(["ssh"]);
    const two = gcp([{ allowed: [{ IPProtocol: "tcp", ports: ["22"] }], targetTags: ["a", "b"] }, { allowed: [{ IPProtocol: "tcp", ports: ["22"] }], targetTags: ["c"] }]);
    // one at each rule: the first shown on a target it opens (a or b), the second on c
    expect(two.map((f) => [f.exposure?.service, f.witness?.iif])).toEqual([
      ["ssh", expect.stringMatching(/^default\/tag:[ab]$/)],
      ["ssh", "default/tag:c"],
    ]);
    expect(two[0]!.location.line).toBeLessThan(two[1]!.location.line);
  });
});
