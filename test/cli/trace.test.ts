import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIo } from "../../src/cli/main.js";

function run(argv: string[]) {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), stdoutIsTTY: false, env: {} };
  return main(argv, io).then((code) => ({ code, out, err }));
}

const relay = "fixtures/iptables/open-relay.rules";
const dnat = "fixtures/iptables/dnat-forward.rules";

describe("fwlint trace", () => {
  it("gives the verdict and the deciding rule for one packet from flags", async () => {
    const r = await run(["trace", relay, "--src", "198.51.100.7", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "25"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ACCEPT/);
    expect(r.out).toContain(`${relay}:16 accept`);
  });

  it("follows a DNAT port-forward on the forward hook", async () => {
    const r = await run(["trace", dnat, "--src", "198.51.100.7", "--dst", "203.0.113.10", "--proto", "tcp", "--dport", "2525", "--iif", "eth0", "--oif", "eth1", "--hook", "forward", "--format", "json"]);
    expect(r.code).toBe(0);
    const line = JSON.parse(r.out.trim());
    expect(line.verdict).toBe("accept");
    expect(line.path.map((s: { line: number }) => s.line)).toEqual([10, 19]);
    expect(line.path[0].action).toBe("dnat to 10.0.0.25:25");
  });

  it("follows both choices of the address a REDIRECT sends to where a later rule tests it", async () => {
    const fx = "fixtures/nftables/redirect-local.nft";
    const flags = ["--src", "203.0.113.9", "--dst", "192.168.1.1", "--proto", "tcp", "--iif", "wan0", "--format", "json"];
    const pg = JSON.parse((await run(["trace", fx, ...flags, "--dport", "15432"])).out.trim());
    // the packet was sent to 192.168.1.1, but the kernel gives it the WAN interface's address
    expect(pg.verdict).toBe("unknown");
    const byVerdict = Object.fromEntries(pg.outcomes.map((o: { verdict: string; assumptions: string[]; path: { line: number }[] }) => [o.verdict, o]));
    expect(byVerdict.accept.assumptions).toEqual([`the address ${fx}:18 redirects to (the incoming interface's) is 192.168.1.1`]);
    expect(byVerdict.accept.path.map((s: { line: number }) => s.line)).toEqual([18, 26]);
    expect(byVerdict.drop.assumptions).toEqual([`the address ${fx}:18 redirects to (the incoming interface's) is not 192.168.1.1`]);
    // no rule after the SSH redirect asks for the address: one certain path
    const ssh = JSON.parse((await run(["trace", fx, ...flags, "--dport", "2222"])).out.trim());
    expect(ssh.verdict).toBe("accept");
    expect(ssh.path.map((s: { line: number }) => s.line)).toEqual([17, 27]);
  });

  it("follows a REDIRECT's choice through a long chain (whose rules are told apart by their hulls)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-trace-"));
    const file = join(dir, "long.nft");
    const filler = Array.from({ length: 40 }, (_, i) => `    ip daddr 10.1.${i}.1 tcp dport 9${String(i).padStart(3, "0")} accept`).join("\n");
    writeFileSync(
      file,
      `table ip n {\n  chain pre {\n    type nat hook prerouting priority dstnat;\n    tcp dport 80 redirect to :8080\n  }\n}\n` +
        `table ip f {\n  chain in {\n    type filter hook input priority 0; policy drop;\n${filler}\n    ip daddr 192.168.1.1 tcp dport 8080 accept\n  }\n}\n`,
    );
    const r = JSON.parse((await run(["trace", file, "--src", "203.0.113.9", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "80", "--format", "json"])).out.trim());
    expect(r.verdict).toBe("unknown");
    const accept = r.outcomes.find((o: { verdict: string }) => o.verdict === "accept");
    expect(accept.assumptions).toEqual([`the address ${file}:4 redirects to (the incoming interface's) is 192.168.1.1`]);
    expect(accept.path.at(-1).line).toBe(50);
  });

  it("lets the chains after a masquerade see the new source, and follows both choices of it", async () => {
    const fx = "fixtures/nftables/snat-later-chain.nft";
    const flags = ["--src", "192.168.1.10", "--dst", "203.0.113.25", "--proto", "tcp", "--iif", "lan0", "--oif", "wan0", "--hook", "forward", "--format", "json"];
    const smtp = JSON.parse((await run(["trace", fx, ...flags, "--dport", "25"])).out.trim());
    // the LAN source is gone by the time the late chain tests it: dropped only if the WAN address is in the LAN
    expect(smtp.verdict).toBe("unknown");
    const byVerdict = Object.fromEntries(smtp.outcomes.map((o: { verdict: string; assumptions: string[]; path: { line: number }[] }) => [o.verdict, o]));
    expect(byVerdict.drop.assumptions).toEqual([`the address ${fx}:16 masquerades as (the outgoing interface's) is 192.168.1.0/24`]);
    expect(byVerdict.drop.path.map((s: { line: number }) => s.line)).toEqual([24, 16, 31]);
    expect(byVerdict.accept.assumptions).toEqual([`the address ${fx}:16 masquerades as (the outgoing interface's) is not 192.168.1.0/24`]);
    // telnet is dropped whatever the address
    const telnet = JSON.parse((await run(["trace", fx, ...flags, "--dport", "23"])).out.trim());
    expect(telnet.verdict).toBe("drop");
    expect(telnet.path.map((s: { line: number }) => s.line)).toEqual([24, 16, 32]);
  });

  it("does not count a DNAT that changed nothing as a DNAT for ct status dnat", async () => {
    const fx = "fixtures/nftables/port-forward-ipv6-direct.nft";
    const flags = ["--src", "2001:db8::7", "--proto", "tcp", "--dport", "25", "--iif", "wan", "--oif", "eth1", "--hook", "forward", "--format", "json"];
    const direct = JSON.parse((await run(["trace", fx, ...flags, "--dst", "2001:db8:1::25"])).out.trim());
    expect(direct.verdict).toBe("drop");
    expect(direct.path.map((s: { line: number }) => s.line)).toEqual([15, 21, 19]);
    const forwarded = JSON.parse((await run(["trace", fx, ...flags, "--dst", "2001:db8::5"])).out.trim());
    expect(forwarded.verdict).toBe("accept");
    expect(forwarded.path.map((s: { line: number }) => s.line)).toEqual([15, 21, 25]);
  });

  it("takes a packet with an egress interface through the forward path, and says when no rule names an interface", async () => {
    const srx = "fixtures/junos/srx-policies.set";
    const flags = ["--src", "198.51.100.7", "--dst", "10.0.2.25", "--proto", "tcp", "--dport", "25"];
    const through = await run(["trace", srx, ...flags, "--iif", "ge-0/0/0.0", "--oif", "ge-0/0/2.0"]);
    expect(through.out).toMatch(/\[forward\]: ACCEPT/);
    expect(through.out).toContain("from-zone untrust to-zone dmz");
    expect(through.err).toBe("");
    // the physical name without its unit: the policies name units, so none applies - said, not left to the policy verdict
    const bare = await run(["trace", srx, ...flags, "--iif", "ge-0/0/0", "--oif", "ge-0/0/2.0"]);
    expect(bare.out).toMatch(/\[forward\]: DROP/);
    expect(bare.err).toMatch(/no rule of this ruleset names interface 'ge-0\/0\/0' \(--iif\).*named: .*ge-0\/0\/0\.0/);
    expect(bare.err).not.toMatch(/--oif/);
  });

  it("names a cloud ruleset's groups as the interfaces to trace through when none is given", async () => {
    const flags = ["--src", "198.51.100.7", "--dst", "10.0.1.5", "--proto", "tcp", "--dport", "22"];
    const bare = await run(["trace", "fixtures/aws/network-acls.json", ...flags]);
    expect(bare.err).toMatch(/^packet p1: note: no --iif: this ruleset filters each of its network ACLs as an interface of its own; name one with --iif \(acl-\w+, acl-\w+\)\n$/);
    const named = await run(["trace", "fixtures/aws/network-acls.json", ...flags, "--iif", "acl-0f1e2d3c4b5a60001"]);
    expect(named.err).toBe("");
    expect(named.out).toMatch(/: ACCEPT/);
  });

  it("takes a forward packet's egress interface from the device's routes when --oif is not given, and says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-trace-"));
    const asa = join(dir, "levels.asa");
    const text = readFileSync("fixtures/cisco-asa/security-levels.asa", "utf8");
    writeFileSync(asa, `${text}route outside 0.0.0.0 0.0.0.0 198.51.100.1\nroute Null0 10.99.0.0 255.255.0.0\n`);
    const from = (src: string, dst: string, iif: string) => run(["trace", asa, "--src", src, "--dst", dst, "--proto", "tcp", "--dport", "443", "--iif", iif, "--hook", "forward"]);
    const out = await from("192.168.10.5", "8.8.8.8", "inside");
    expect(out.out).toMatch(/iif inside oif outside \[forward\]: ACCEPT/);
    expect(out.err).toBe("packet p1: note: no egress interface given: the routes send 8.8.8.8 out of outside; traced so\n");
    const up = await from("192.168.20.5", "192.168.10.5", "guest");
    expect(up.out).toMatch(/iif guest oif inside \[forward\]: DROP/);
    const hole = await from("192.168.10.5", "10.99.0.1", "inside");
    expect(hole.err).toContain("the routes send 10.99.0.1 to Null0, which drops it");
    expect(hole.out).not.toMatch(/oif/);
    // without routes to tell, the file is asked as it is, with a hint
    const bare = await run(["trace", "fixtures/cisco-asa/security-levels.asa", "--src", "192.168.10.5", "--dst", "8.8.8.8", "--proto", "tcp", "--dport", "443", "--iif", "inside", "--hook", "forward"]);
    expect(bare.err).toContain("the file's routes do not say where 8.8.8.8 leaves; traced as leaving through no named interface (give --oif)");
    // a Linux ruleset shows no routes: no note
    const linux = await run(["trace", dnat, "--src", "198.51.100.7", "--dst", "10.0.0.25", "--proto", "tcp", "--dport", "25", "--iif", "eth0", "--hook", "forward"]);
    expect(linux.err).toBe("");
  });

  it("accepts by 'ct status dnat' only the packets a DNAT on their own path rewrote", async () => {
    const fixture = "fixtures/nftables/port-forward-ct-status.nft";
    const flags = ["--src", "198.51.100.7", "--proto", "tcp", "--iif", "eth0", "--oif", "eth1", "--format", "json"];
    const forwarded = JSON.parse((await run(["trace", fixture, "--dst", "203.0.113.1", "--dport", "2222", ...flags])).out.trim());
    expect(forwarded.verdict).toBe("accept");
    expect(forwarded.path.map((s: { line: number; action: string }) => `${s.line} ${s.action}`)).toEqual(["12 dnat to 192.168.1.10:22", "23 accept"]);
    // straight to the inside host's port 22, not DNATed: the forward policy drops it
    const direct = JSON.parse((await run(["trace", fixture, "--dst", "192.168.1.10", "--dport", "22", ...flags])).out.trim());
    expect(direct.verdict).toBe("drop");
  });

  it("reads JSON lines and answers one line per packet, in order, with policies on the path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-trace-"));
    const pk = join(dir, "p.jsonl");
    writeFileSync(
      pk,
      [
        '{"id":"smtp","src":"198.51.100.7","dst":"10.0.0.5","proto":"tcp","dport":25,"hook":"input"}',
        "# comment lines are skipped",
        '{"id":"imap","src":"198.51.100.7","dst":"10.0.0.5","proto":"tcp","dport":143,"hook":"input"}',
        '{"id":"imap-inside","src":"10.1.2.3","dst":"10.0.0.5","proto":"tcp","dport":143,"hook":"input"}',
        '{"id":"synack","src":"198.51.100.7","dst":"10.0.0.5","proto":"tcp","dport":25,"tcp_flags":"SA","hook":"input"}',
      ].join("\n"),
    );
    const r = await run(["trace", relay, "--packets", pk, "--format", "json"]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.verdict])).toEqual([
      ["smtp", "accept"],
      ["imap", "drop"],
      ["imap-inside", "accept"],
      ["synack", "drop"], // INVALID as a first packet: dropped by the ctstate INVALID rule
    ]);
    expect(lines[1].path.at(-1)).toMatchObject({ rule: "policy DROP", line: 8 });
    expect(lines[3].path.at(-1)).toMatchObject({ line: 13, action: "drop" });
  });

  it("says unknown, with both outcomes, when a rule depends on an unmodelled condition", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-trace-"));
    const rules = join(dir, "limit.rules");
    writeFileSync(rules, "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -m limit --limit 3/min -j ACCEPT\nCOMMIT\n");
    const r = await run(["trace", rules, "--src", "198.51.100.7", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "22", "--format", "json"]);
    const line = JSON.parse(r.out.trim());
    expect(line.verdict).toBe("unknown");
    expect(line.outcomes.map((o: { verdict: string }) => o.verdict).sort()).toEqual(["accept", "drop"]);
    // the sender's rate decides: each outcome is one ordinary traffic gets, and said so
    const text = (await run(["trace", rules, "--src", "198.51.100.7", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "22"])).out;
    expect(text.match(/\(one of the ways ordinary traffic goes: which one is drawn per connection or decided by how much and what the sender sends\)/g)).toHaveLength(2);
    expect(text).not.toMatch(/the way ordinary traffic goes/);
  });

  it("marks the outcome ordinary traffic gets where the verdict depends on routes and link-layer classes", async () => {
    const fx = "fixtures/nftables/rpfilter-host.nft";
    const flags = ["--src", "198.51.100.7", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "25"];
    const json = JSON.parse((await run(["trace", fx, ...flags, "--format", "json"])).out.trim());
    expect(json.verdict).toBe("unknown");
    // dropped if the source has no route back, or the destination is a broadcast; else accepted at line 21
    expect(json.outcomes.map((o: { verdict: string; ordinary?: boolean; path: { line: number }[] }) => [o.verdict, o.ordinary ?? false, o.path.at(-1)!.line])).toEqual([
      ["drop", false, 17],
      ["drop", false, 18],
      ["accept", true, 21],
    ]);
    const text = (await run(["trace", fx, ...flags])).out;
    expect(text).toMatch(/rpfilter-host\.nft:18\): ACCEPT \(the way ordinary traffic goes: a stranger's unicast packet, whose source routes back through the interface it arrived on and is on no list only something outside the ruleset fills\)\n/);
    expect(text.match(/ordinary traffic/g)).toHaveLength(1);
  });

  it("drops a source a ban list lists for certain; a stranger's connection passes it the ordinary way", async () => {
    const fx = "fixtures/nftables/ban-list-dump.nft";
    const to = ["--dst", "10.0.0.5", "--proto", "tcp", "--dport", "22"];
    expect((await run(["trace", fx, "--src", "45.61.184.2", ...to])).out).toMatch(/^tcp 45\.61\.184\.2 -> 10\.0\.0\.5:22 \[input\]: DROP\n.*ban-list-dump\.nft:23 drop/);
    const json = JSON.parse((await run(["trace", fx, "--src", "198.51.100.7", ...to, "--format", "json"])).out.trim());
    expect(json.outcomes.map((o: { verdict: string; ordinary?: boolean }) => [o.verdict, o.ordinary ?? false])).toEqual([
      ["drop", false],
      ["accept", true],
    ]);
  });

  it("names a vendor's lists and bindings as the device does", async () => {
    const ios = "fixtures/cisco-ios/dual-stack-global-lan.ios";
    const flags = ["--src", "198.51.100.7", "--dst", "10.40.0.25", "--proto", "tcp", "--dport", "25", "--iif", "GigabitEthernet0/0/0", "--oif", "GigabitEthernet0/0/1", "--hook", "forward"];
    expect((await run(["trace", ios, ...flags])).out.split("\n").slice(1, 4)).toEqual([
      `    the interfaces' ip access-group in ${ios}:19 jump WAN-IN  ip access-group WAN-IN in`,
      `    access-list WAN-IN ${ios}:33 accept  10 permit tcp any host 10.40.0.25 eq smtp`,
      `    the interfaces' ip access-group out ${ios}:16 accept  an interface without ip access-group out passes what leaves`,
    ]);
    const junos = "fixtures/junos/router-filter.set";
    const json = JSON.parse((await run(["trace", junos, "--src", "198.51.100.7", "--dst", "10.1.0.25", "--proto", "tcp", "--dport", "25", "--iif", "ge-0/0/0.0", "--oif", "ge-0/0/1.0", "--hook", "forward", "--format", "json"])).out.trim());
    expect(json.path.map((s: { title?: string; chain: string }) => s.title ?? s.chain)).toEqual([
      "the interfaces' family inet input filters",
      "interface ge-0/0/0.0 family inet filter input",
      "firewall family inet filter FROM-INTERNET",
    ]);
  });

  it("rejects bad usage and bad packets with one-line messages", async () => {
    expect((await run(["trace", relay])).code).toBe(2);
    expect((await run(["trace", relay, "--src", "1.2.3.4", "--bogus", "x"])).err).toMatch(/unknown option '--bogus'/);
    const bad = await run(["trace", relay, "--src", "300.1.1.1", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "25"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad source address/);
    expect(bad.err).not.toMatch(/\n\s+at /);
    const both = await run(["trace", "-", "--packets", "-"]);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/^fwlint trace: the ruleset and --packets cannot both be standard input \('-'\)\n/);
  });
});

describe("fwlint check --format github|junit", () => {
  it("prints workflow annotations for each finding and exits by --fail-on", async () => {
    const r = await run(["check", "--format", "github", relay]);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split("\n");
    expect(lines.filter((l) => l.startsWith("::error file=fixtures/iptables/open-relay.rules,line=16,col=1,"))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^fwlint: 2 findings/);
  });

  it("prints JUnit XML with one failing testcase per finding", async () => {
    const r = await run(["check", "--format", "junit", relay]);
    expect(r.out).toMatch(/^<\?xml version="1.0"/);
    expect(r.out.match(/<failure /g)).toHaveLength(2);
    expect(r.out).toContain('classname="exposed-service"');
  });
});

describe("fwlint rules / explain", () => {
  it("lists every built-in rule with its severity and summary", async () => {
    const r = await run(["rules"]);
    expect(r.code).toBe(0);
    for (const id of ["exposed-service", "default-accept-policy", "shadowed-rule"]) expect(r.out).toMatch(new RegExp(`^${id}\\s+\\w+\\s+\\S`, "m"));
  });

  it("explains a rule in Ruff-style sections, and refuses an unknown id", async () => {
    const r = await run(["explain", "shadowed-rule"]);
    expect(r.code).toBe(0);
    for (const h of ["What it does", "Why is this bad?", "Example", "How to fix"]) expect(r.out).toContain(h);
    const bad = await run(["explain", "no-such-rule"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/no rule 'no-such-rule'/);
  });
});

describe("fwlint check --format sarif", () => {
  it("prints one SARIF 2.1.0 run with the built-in rules and a result per finding", async () => {
    const r = await run(["check", "--format", "sarif", relay]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.out);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs).toHaveLength(1);
    expect(sarif.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toContain("exposed-service");
    expect(sarif.runs[0].results).toHaveLength(2);
    expect(sarif.runs[0].results[1].locations[0].physicalLocation.region.startLine).toBe(16);
  });
});

describe("trace with many unmodelled branches", () => {
  it("says unknown rather than vouching for a verdict when it had to stop following branches", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-trace-"));
    const rules = join(dir, "many.rules");
    const limits = Array.from({ length: 20 }, (_, i) => `-A INPUT -p tcp -m tcp --dport 22 -m limit --limit ${i + 1}/min -j LOG`);
    const drops = Array.from({ length: 20 }, (_, i) => `-A INPUT -p tcp -m tcp --dport 22 -m recent --name r${i} --rcheck -j DROP`);
    writeFileSync(rules, ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]", ...limits, ...drops, "COMMIT", ""].join("\n"));
    const r = await run(["trace", rules, "--src", "198.51.100.7", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "22", "--format", "json"]);
    expect(JSON.parse(r.out.trim()).verdict).toBe("unknown");
  });
});
