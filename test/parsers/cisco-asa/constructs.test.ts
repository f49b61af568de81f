/**
 * Cisco ASA constructs, one group each: what the parser reads and what fwlint then decides for
 * concrete packets (src/analysis/verdict.ts), so a test fails when the mapping is wrong.
 */
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../src/engine/check.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { prng } from "../../../src/analysis/probes.js";
import { asa, errors, establishedVerdict, INTERFACES, steps, verdict } from "./helpers.js";

const acl = (lines: string, bind = "access-group OUTSIDE_IN in interface outside") => asa(`${INTERFACES}${lines}\n${bind}\n`);

describe("security levels (no inbound access-list)", () => {
  const rs = asa(INTERFACES);
  it("higher to lower passes, lower to higher does not", () => {
    expect(verdict(rs, { src: "10.1.2.3", dst: "198.51.100.1", iif: "inside", oif: "outside" })).toBe("accept");
    expect(verdict(rs, { src: "172.16.1.5", dst: "198.51.100.1", iif: "dmz", oif: "outside" })).toBe("accept");
    expect(verdict(rs, { src: "198.51.100.1", dst: "10.1.2.3", iif: "outside", oif: "inside" })).toBe("drop");
    expect(verdict(rs, { src: "172.16.1.5", dst: "10.1.2.3", iif: "dmz", oif: "inside" })).toBe("drop");
  });
  it("a packet to the subnet of an interface with an outbound list leaves through it: the list is not bypassed", () => {
    const out = asa(`${INTERFACES}access-list OUT_IN extended permit tcp any 10.1.0.0 255.255.0.0
access-group OUT_IN in interface outside
access-list INSIDE_OUT extended permit tcp any host 10.1.2.3 eq 443
access-group INSIDE_OUT out interface inside
`);
    const to = (dport: number, oif: string) => ({ src: "198.51.100.7", dst: "10.1.2.3", dport, iif: "outside", oif });
    expect(verdict(out, to(443, "inside"))).toBe("accept");
    expect(verdict(out, to(22, "inside"))).toBe("drop");
    // not by way of dmz, which has no outbound list
    expect(verdict(out, to(22, "dmz"))).toBe("drop");
    expect(steps(out, to(22, "dmz")).at(-1)).toMatch(/^connected routes/);
    // a destination on no such subnet goes wherever routes send it
    expect(verdict(asa(`${INTERFACES}access-list OUT_IN extended permit tcp any any\naccess-group OUT_IN in interface outside\n`), { ...to(22, "dmz"), dst: "10.2.0.9" })).toBe("accept");
    // nor by way of dmz to a network a static route sends out of inside
    const routed = asa(`${INTERFACES}access-list OUT_IN extended permit tcp any any
access-group OUT_IN in interface outside
access-list INSIDE_OUT extended permit tcp any any eq 443
access-group INSIDE_OUT out interface inside
route inside 10.50.0.0 255.255.0.0 10.1.0.254
`);
    expect(verdict(routed, { ...to(22, "dmz"), dst: "10.50.1.1" })).toBe("drop");
    expect(steps(routed, { ...to(22, "dmz"), dst: "10.50.1.1" }).at(-1)).toBe("routes: drop");
    expect(verdict(routed, { ...to(443, "dmz"), dst: "10.50.1.1" })).toBe("drop");
    expect(verdict(routed, { ...to(443, "inside"), dst: "10.50.1.1" })).toBe("accept");
    expect(verdict(routed, { ...to(22, "dmz"), dst: "10.51.1.1" })).toBe("accept");
  });
  it("routes decide the interface a packet leaves through: a lower level cannot reach a higher one's hosts by way of another interface", () => {
    const dmzTo = (dst: string, oif = "outside") => ({ src: "172.16.1.5", dst, iif: "dmz", oif });
    // before routes were read, the DMZ reached inside hosts as packets "leaving through outside"
    expect(verdict(rs, dmzTo("10.1.2.3"))).toBe("drop");
    expect(steps(rs, dmzTo("10.1.2.3"))).toEqual(["access-group in: drop"]);
    expect(verdict(rs, dmzTo("198.51.100.1"))).toBe("accept");
    // inside may reach the DMZ whichever interface a packet is said to take
    expect(verdict(rs, { src: "10.1.2.3", dst: "172.16.1.5", iif: "inside", oif: "dmz" })).toBe("accept");
    const routed = asa(`${INTERFACES}route outside 0.0.0.0 0.0.0.0 203.0.113.1
route inside 10.50.0.0 255.255.0.0 10.1.0.254
route outside 10.50.7.0 255.255.255.0 203.0.113.9
route inside 10.60.0.0 255.255.0.0 10.1.0.254
route dmz 10.60.0.0 255.255.0.0 172.16.1.254
route inside 10.70.0.0 255.255.0.0 10.1.0.254
route outside 10.70.0.0 255.255.0.0 203.0.113.1 200
route Null0 10.99.0.0 255.255.0.0
route inside 10.80.0.0 255.255.0.0 10.1.0.254 1 tunneled
ipv6 route inside 2001:db8:50::/48 fe80::1
`);
    expect(routed.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    // a static route to inside, and the more specific one within it to outside
    expect(verdict(routed, dmzTo("10.50.1.1"))).toBe("drop");
    expect(verdict(routed, dmzTo("10.50.7.1"))).toBe("accept");
    // equal-cost routes to inside and dmz: which one a packet takes is not in the file
    expect(verdict(routed, dmzTo("10.60.0.1"))).toBe("accept");
    // the floating route (distance 200) only backs up the one to inside
    expect(verdict(routed, dmzTo("10.70.0.1"))).toBe("drop");
    // blackholed, and a route for VPN traffic only
    expect(verdict(routed, { src: "10.1.2.3", dst: "10.99.0.1", iif: "inside", oif: "outside" })).toBe("drop");
    expect(verdict(routed, dmzTo("10.80.0.1"))).toBe("accept");
    expect(verdict(routed, { src: "2001:db8:1::5", dst: "2001:db8:50::1", iif: "dmz", oif: "outside" })).toBe("drop");
    expect(verdict(routed, { src: "2001:db8:1::5", dst: "2001:db8:51::1", iif: "dmz", oif: "outside" })).toBe("accept");
  });
  it("with a routing protocol, static routes do not tell where a packet leaves (a learned route may be more specific); connected subnets do", () => {
    const rs2 = asa(`${INTERFACES}route inside 10.50.0.0 255.255.0.0 10.1.0.254\nrouter ospf 1\n network 10.1.0.0 255.255.0.0 area 0\n`);
    expect(verdict(rs2, { src: "172.16.1.5", dst: "10.50.1.1", iif: "dmz", oif: "outside" })).toBe("accept");
    expect(verdict(rs2, { src: "172.16.1.5", dst: "10.1.2.3", iif: "dmz", oif: "outside" })).toBe("drop");
    expect(rs2.diagnostics.filter((d) => /static routes/.test(d.message)).map((d) => `${d.severity} ${d.line} ${d.message}`)).toEqual([
      "info 15 static routes do not tell where packets leave: 'router ospf 1' may learn more specific routes (only connected subnets are used)",
    ]);
  });
  it("a route to an interface the file does not name is reported; where it leads is unknown, and no shorter route claims its network", () => {
    const rs2 = asa(`${INTERFACES}route inisde 10.50.0.0 255.255.0.0 10.1.0.254\nroute inside 10.51.0.0 255.255.0\nroute inside 0.0.0.0 0.0.0.0 10.1.0.254\n`);
    expect(rs2.diagnostics.filter((d) => d.severity === "warning").map((d) => `${d.line}:${d.column} ${d.message}`).sort()).toEqual([
      "14:7 interface 'inisde' is not a nameif of this config (line 14); where the route leads is unknown",
      "15:24 expected 'route INTERFACE NETWORK MASK GATEWAY [DISTANCE]'; the route is left out",
    ]);
    const from = (dst: string) => ({ src: "172.16.1.5", dst, iif: "dmz", oif: "outside" });
    expect(verdict(rs2, from("10.50.1.1"))).toBe("accept");
    // the default route sends the rest inside, which the DMZ may not reach
    expect(verdict(rs2, from("10.70.1.1"))).toBe("drop");
  });
  it("established return traffic passes (stateful)", () => {
    const reply = { src: "198.51.100.1", dst: "10.1.2.3", iif: "outside", oif: "inside", sport: 443, dport: 40000 };
    expect(verdict(rs, reply)).toBe("drop");
    expect(establishedVerdict(rs, reply)).toBe("accept");
  });
  it("equal levels and hairpin need same-security-traffic", () => {
    const two = `interface G0\n nameif a\n security-level 50\ninterface G1\n nameif b\n security-level 50\n`;
    const p = { src: "10.0.0.1", dst: "10.0.1.1", iif: "a", oif: "b" };
    const hair = { ...p, oif: "a" };
    expect(verdict(asa(two), p)).toBe("drop");
    expect(verdict(asa(two), hair)).toBe("drop");
    expect(verdict(asa(`${two}same-security-traffic permit inter-interface\n`), p)).toBe("accept");
    expect(verdict(asa(`${two}same-security-traffic permit inter-interface\n`), hair)).toBe("drop");
    expect(verdict(asa(`${two}same-security-traffic permit intra-interface\n`), hair)).toBe("accept");
  });
  it("an access list permits no same-security traffic that routes send to a peer, whatever interface a packet is said to take", () => {
    const cfg = `interface G0\n nameif a\n security-level 50\n ip address 10.0.0.1 255.255.255.0\ninterface G1\n nameif b\n security-level 50\n ip address 10.0.1.1 255.255.255.0
interface G2\n nameif outside\n security-level 0\n ip address 203.0.113.2 255.255.255.0\nroute b 10.9.0.0 255.255.0.0 10.0.1.254
access-list A_IN extended permit ip any any\naccess-group A_IN in interface a\n`;
    const from = (dst: string) => ({ src: "10.0.0.5", dst, iif: "a", oif: "outside" });
    expect(verdict(asa(cfg), from("10.0.1.5"))).toBe("drop");
    expect(verdict(asa(cfg), from("10.9.3.3"))).toBe("drop");
    expect(verdict(asa(cfg), from("198.51.100.1"))).toBe("accept");
    expect(verdict(asa(`${cfg}same-security-traffic permit inter-interface\n`), from("10.9.3.3"))).toBe("accept");
  });
  it("nameif inside defaults to 100, others to 0; the lowest level faces the Internet", () => {
    const rs2 = asa(`interface G0\n nameif inside\ninterface G1\n nameif wan\ninterface G2\n nameif lab\n security-level 10\ninterface G3\n no nameif\n`);
    expect(verdict(rs2, { src: "10.0.0.1", dst: "8.8.8.8", iif: "inside", oif: "wan" })).toBe("accept");
    expect(verdict(rs2, { src: "8.8.8.8", dst: "10.0.0.1", iif: "wan", oif: "inside" })).toBe("drop");
    expect(rs2.internetInterfaces).toEqual(["wan"]);
    expect(rs.internetInterfaces).toEqual(["outside"]);
  });
});

describe("extended access lists", () => {
  const rs = acl(`access-list OUTSIDE_IN remark web servers
access-list OUTSIDE_IN remark (second remark line)
access-list OUTSIDE_IN extended permit tcp any host 172.16.1.10 eq www
access-list OUTSIDE_IN extended deny tcp any host 172.16.1.11
access-list OUTSIDE_IN extended permit tcp any 172.16.1.0 255.255.255.0 eq https
access-list OUTSIDE_IN extended permit tcp any any eq telnet inactive`);
  it("first match, then the implicit deny at the end, with the ACL name in the trace", () => {
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "198.51.100.1", dst: "172.16.1.10", dport: 80, oif: "dmz" })).toBe("accept");
    expect(verdict(rs, { src: "198.51.100.1", dst: "172.16.1.11", dport: 443, oif: "dmz" })).toBe("drop");
    expect(verdict(rs, { src: "198.51.100.1", dst: "172.16.1.12", dport: 443, oif: "dmz" })).toBe("accept");
    expect(verdict(rs, { src: "198.51.100.1", dst: "172.16.1.12", dport: 22, oif: "dmz" })).toBe("drop");
    expect(steps(rs, { src: "198.51.100.1", dst: "172.16.1.12", dport: 22, oif: "dmz" })).toEqual(["access-group in: jump OUTSIDE_IN", "OUTSIDE_IN: drop"]);
  });
  it("rule ids carry the ACL line, comments the remarks; inactive entries are not rules", () => {
    const chain = rs.chains.get("access-list/OUTSIDE_IN")!;
    expect(chain.rules.map((r) => r.id)).toEqual(["OUTSIDE_IN#3", "OUTSIDE_IN#4", "OUTSIDE_IN#5", "OUTSIDE_IN#implicit-deny"]);
    expect(chain.rules[0]!.comment).toBe("web servers (second remark line)");
    expect(chain.rules[0]!.span).toMatchObject({ line: 16, column: 1 });
    expect(chain.rules[3]!.span.text).toContain("access-group OUTSIDE_IN in interface outside");
    expect(verdict(rs, { src: "198.51.100.1", dst: "172.16.1.12", dport: 23, oif: "dmz" })).toBe("drop");
    expect(rs.diagnostics.some((d) => d.severity === "info" && /inactive/.test(d.message))).toBe(true);
    expect(rs.ruleCount).toBe(4);
  });
  it("a bound ACL replaces the security levels of its interface only", () => {
    expect(verdict(rs, { src: "10.1.0.5", dst: "198.51.100.1", iif: "inside", oif: "outside" })).toBe("accept");
    const inside = acl("access-list IN extended permit tcp any any eq www", "access-group IN in interface inside");
    expect(verdict(inside, { src: "10.1.0.5", dst: "198.51.100.1", iif: "inside", oif: "outside", dport: 22 })).toBe("drop");
    expect(verdict(inside, { src: "10.1.0.5", dst: "198.51.100.1", iif: "inside", oif: "outside", dport: 80 })).toBe("accept");
  });
  it("an ACL ending in deny ip any any gets no second (synthetic) deny", () => {
    const r = acl("access-list OUTSIDE_IN extended permit tcp any any eq www\naccess-list OUTSIDE_IN extended deny ip any any log");
    expect(r.chains.get("access-list/OUTSIDE_IN")!.rules.map((x) => x.id)).toEqual(["OUTSIDE_IN#1", "OUTSIDE_IN#2"]);
  });
  it("access-list line N inserts at position N", () => {
    const r = acl("access-list OUTSIDE_IN extended permit tcp any any eq www\naccess-list OUTSIDE_IN line 1 extended deny tcp host 198.51.100.9 any");
    expect(verdict(r, { src: "198.51.100.9", dst: "10.1.0.5", dport: 80 })).toBe("drop");
    expect(verdict(r, { src: "198.51.100.8", dst: "10.1.0.5", dport: 80 })).toBe("accept");
  });
});

describe("address forms", () => {
  const rs = acl(`names
name 10.1.0.80 web-server
object network NET-OBJ
 subnet 10.1.8.0 255.255.255.0
object network RANGE-OBJ
 range 10.1.9.10 10.1.9.20
object network FQDN-OBJ
 fqdn www.example.com
access-list OUTSIDE_IN extended permit tcp any host web-server eq 8080
access-list OUTSIDE_IN extended permit tcp any object NET-OBJ eq 8081
access-list OUTSIDE_IN extended permit tcp any object RANGE-OBJ eq 8082
access-list OUTSIDE_IN extended permit tcp any4 any4 eq 8083
access-list OUTSIDE_IN extended permit tcp any6 2001:db8:1::/48 eq 8084
access-list OUTSIDE_IN extended permit tcp any interface outside eq 8085
access-list OUTSIDE_IN extended permit tcp any object FQDN-OBJ eq 8086
access-list OUTSIDE_IN extended permit tcp 198.51.100.0 255.255.255.0 any eq 8087
access-list OUTSIDE_IN extended permit tcp any any eq 8088`);
  const p = (dst: string, dport: number, src = "192.0.2.1") => verdict(rs, { src, dst, dport });
  it("resolves names, objects, ranges, masks, interfaces and families", () => {
    expect(errors(rs)).toEqual([]);
    expect(p("10.1.0.80", 8080)).toBe("accept");
    expect(p("10.1.0.81", 8080)).toBe("drop");
    expect(p("10.1.8.200", 8081)).toBe("accept");
    expect(p("10.1.9.20", 8082)).toBe("accept");
    expect(p("10.1.9.21", 8082)).toBe("drop");
    expect(p("10.9.9.9", 8083)).toBe("accept");
    expect(p("2001:db8::9", 8083, "2001:db8:ffff::1")).toBe("drop");
    expect(p("2001:db8:1::9", 8084, "2001:db8:ffff::1")).toBe("accept");
    expect(p("10.9.9.9", 8084)).toBe("drop");
    // `interface outside` is the interface's address (a packet to it is not routed inside: a
    // subnet of outside, so the entry is read, not traced)
    const ifEntry = rs.chains.get("access-list/OUTSIDE_IN")!.rules.find((r) => r.span.text?.includes("interface outside"))!;
    expect(ifEntry.conditions).toContainEqual({ kind: "addr", field: "dst", family: 4, ranges: [{ lo: 0xcb007102n, hi: 0xcb007102n }] });
    expect(p("203.0.113.3", 8085)).toBe("drop");
    expect(p("198.51.100.1", 8087, "198.51.100.77")).toBe("accept");
    expect(p("198.51.100.1", 8087, "198.51.101.77")).toBe("drop");
    expect(p("2001:db8::9", 8088, "2001:db8:ffff::1")).toBe("accept");
    expect(rs.families).toEqual([4, 6]);
  });
  it("fqdn objects are unknown: the verdict is not certain either way", () => {
    expect(p("93.184.216.34", 8086)).toBe("unknown");
  });
});

// A group of hosts that also holds an fqdn object: the hosts are known, only the fqdn's address
// is not. The entry decides the hosts' packets for certain (it is read as two rules of one line:
// the known part first), and says "may" only of the others.
describe("a group with an fqdn object beside hosts", () => {
  const rs = acl(`object network RELAY
 fqdn relay.example.com
object-group network MAIL
 network-object host 10.1.0.25
 network-object object RELAY
object-group network PARTNERS
 network-object host 198.51.100.10
 network-object object RELAY
access-list OUTSIDE_IN extended permit tcp any object-group MAIL eq smtp
access-list OUTSIDE_IN extended deny tcp object-group PARTNERS any eq ssh
access-list OUTSIDE_IN extended permit tcp any any eq ssh`);
  const p = (src: string, dst: string, dport: number) => verdict(rs, { src, dst, dport });
  it("matches the hosts for certain and the rest only perhaps", () => {
    expect(errors(rs)).toEqual([]);
    expect(p("192.0.2.1", "10.1.0.25", 25)).toBe("accept");
    expect(p("192.0.2.1", "10.1.0.26", 25)).toBe("unknown");
    // a deny works the same way
    expect(p("198.51.100.10", "10.1.0.5", 22)).toBe("drop");
    expect(p("198.51.100.11", "10.1.0.5", 22)).toBe("unknown");
    // one source rule: both model rules carry the entry's span
    const entries = rs.chains.get("access-list/OUTSIDE_IN")!.rules.filter((r) => r.span.text?.includes("object-group MAIL"));
    expect(entries.map((r) => r.id)).toEqual(["OUTSIDE_IN#1#known", "OUTSIDE_IN#1"]);
    expect(entries[0]!.span).toBe(entries[1]!.span);
  });
  it("reports SMTP reachable on the host, for certain, at the entry's line, once", () => {
    const text = `${INTERFACES}object network RELAY\n fqdn relay.example.com\nobject-group network MAIL\n network-object host 10.1.0.25\n network-object object RELAY\naccess-list OUTSIDE_IN extended permit tcp any object-group MAIL eq smtp\naccess-group OUTSIDE_IN in interface outside\n`;
    const smtp = analyzeText("asa.cfg", text, { inputFormat: "cisco-asa" }).findings.filter((f) => f.ruleId === "exposed-service" && f.exposure?.service === "smtp");
    expect(smtp.map((f) => [f.message, f.witness?.dst, f.uncertain])).toEqual([["SMTP (tcp/25) is reachable from any source on the forward path", "10.1.0.25", undefined]]);
    // a later entry opening SMTP to another host is a finding of its own: the group's fqdn
    // member may match that host too, but the entry after it lets it in for certain
    const more = text.replace("access-group", "access-list OUTSIDE_IN extended permit tcp any host 10.1.0.26 eq smtp\naccess-group");
    const two = analyzeText("asa.cfg", more, { inputFormat: "cisco-asa" }).findings.filter((f) => f.ruleId === "exposed-service" && f.exposure?.service === "smtp");
    expect(two.map((f) => [f.witness?.dst, f.sourceLine?.trim()])).toEqual([
      ["10.1.0.25", "access-list OUTSIDE_IN extended permit tcp any object-group MAIL eq smtp"],
      ["10.1.0.26", "access-list OUTSIDE_IN extended permit tcp any host 10.1.0.26 eq smtp"],
    ]);
  });
});

describe("port operators and ASA port names", () => {
  const rs = acl(`access-list OUTSIDE_IN extended permit tcp any any lt 1024
access-list OUTSIDE_IN extended permit tcp any any gt 60000
access-list OUTSIDE_IN extended permit udp any any eq domain
access-list OUTSIDE_IN extended permit udp any any eq radius
access-list OUTSIDE_IN extended permit udp any any neq snmp
access-list OUTSIDE_IN extended permit tcp any any range sqlnet 1530
access-list OUTSIDE_IN extended permit tcp any range 5000 5010 any`);
  const p = (proto: string, dport: number, sport = 40000) => verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", proto, dport, sport });
  it("lt/gt are strict, range inclusive, names from ASA's table", () => {
    expect(errors(rs)).toEqual([]);
    expect(p("tcp", 1023)).toBe("accept");
    expect(p("tcp", 1024)).toBe("drop");
    expect(p("tcp", 60000)).toBe("drop");
    expect(p("tcp", 60001)).toBe("accept");
    expect(p("udp", 53)).toBe("accept");
    expect(p("udp", 1645)).toBe("accept");
    expect(p("udp", 161)).toBe("drop");
    expect(p("udp", 162)).toBe("accept");
    expect(p("tcp", 1521)).toBe("accept");
    expect(p("tcp", 1530)).toBe("accept");
    expect(p("tcp", 1531)).toBe("drop");
    expect(p("tcp", 3389, 5005)).toBe("accept");
  });
  it("a port clause that leaves no port (lt 0, gt 65535) matches nothing, whichever entry comes first", () => {
    // the entries name the same service but for the clause: each keeps its own conditions
    for (const order of [
      ["permit tcp any host 10.1.0.5 lt 0", "deny tcp any host 10.1.0.5"],
      ["deny tcp any host 10.1.0.5", "permit tcp any host 10.1.0.5 gt 65535"],
    ]) {
      const both = acl(order.map((e) => `access-list OUTSIDE_IN extended ${e}`).join("\n") + "\naccess-list OUTSIDE_IN extended permit tcp any any");
      expect(errors(both)).toEqual([]);
      expect(verdict(both, { src: "192.0.2.1", dst: "10.1.0.5", proto: "tcp", dport: 443 })).toBe("drop");
      expect(verdict(both, { src: "192.0.2.1", dst: "10.1.0.6", proto: "tcp", dport: 443 })).toBe("accept");
    }
  });
  it("a name of the wrong protocol is an error at its column", () => {
    const bad = acl("access-list OUTSIDE_IN extended permit tcp any any eq snmp");
    const line = "access-list OUTSIDE_IN extended permit tcp any any eq snmp";
    expect(errors(bad)[0]).toEqual(expect.objectContaining({ line: 14, column: line.indexOf("snmp") + 1, message: expect.stringContaining("snmp") }));
    // ASA refuses the entry, so the list it would have created does not exist either
    expect(errors(bad)[1]).toEqual(expect.objectContaining({ line: 15, message: expect.stringContaining("access-list 'OUTSIDE_IN' is not defined") }));
  });
});

describe("services, protocols and icmp types", () => {
  const rs = acl(`object service WEB-8443
 service tcp destination eq 8443
object-group service MIXED
 service-object udp destination eq ntp
 service-object object WEB-8443
 service-object icmp echo
object-group protocol TUNNELS
 protocol-object gre
 protocol-object esp
object-group icmp-type PINGS
 icmp-object echo
 icmp-object time-exceeded
object-group service HIGH-SRC tcp
 port-object range 50000 50010
access-list OUTSIDE_IN extended permit object-group MIXED any host 10.1.0.5
access-list OUTSIDE_IN extended permit object-group TUNNELS any host 10.1.0.6
access-list OUTSIDE_IN extended permit icmp any host 10.1.0.7 object-group PINGS
access-list OUTSIDE_IN extended permit tcp any object-group HIGH-SRC host 10.1.0.8 eq 25
access-list OUTSIDE_IN extended permit icmp6 any6 any6 packet-too-big`);
  const p = (dst: string, extra: object) => verdict(rs, { src: "192.0.2.1", dst, ...extra });
  it("resolves each kind of group", () => {
    expect(errors(rs)).toEqual([]);
    expect(p("10.1.0.5", { proto: "udp", dport: 123 })).toBe("accept");
    expect(p("10.1.0.5", { proto: "tcp", dport: 8443 })).toBe("accept");
    expect(p("10.1.0.5", { proto: "tcp", dport: 8444 })).toBe("drop");
    expect(p("10.1.0.5", { proto: "icmp", icmp_type: 8 })).toBe("accept");
    expect(p("10.1.0.5", { proto: "icmp", icmp_type: 13 })).toBe("drop");
    expect(p("10.1.0.6", { proto: "gre" })).toBe("accept");
    expect(p("10.1.0.6", { proto: "tcp", dport: 1 })).toBe("drop");
    expect(p("10.1.0.7", { proto: "icmp", icmp_type: 11 })).toBe("accept");
    expect(p("10.1.0.7", { proto: "icmp", icmp_type: 0 })).toBe("drop");
    expect(p("10.1.0.8", { proto: "tcp", dport: 25, sport: 50005 })).toBe("accept");
    expect(p("10.1.0.8", { proto: "tcp", dport: 25, sport: 40000 })).toBe("drop");
    expect(verdict(rs, { src: "2001:db8::1", dst: "2001:db8:1::1", proto: "icmpv6", icmp_type: 2 })).toBe("accept");
  });
});

describe("nested groups", () => {
  it("group-object nests at any depth", () => {
    const rs = acl(`object-group network L3
 network-object host 10.1.0.30
object-group network L2
 group-object L3
 network-object 10.1.1.0 255.255.255.0
object-group network L1
 group-object L2
object-group service P2 tcp
 port-object eq 25
object-group service P1 tcp
 group-object P2
 port-object eq 587
access-list OUTSIDE_IN extended permit tcp any object-group L1 object-group P1`);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.30", dport: 25 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.1.9", dport: 587 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.31", dport: 25 })).toBe("drop");
  });
  it("a cycle is an error, not a hang; the rule stays with an unknown destination", () => {
    const rs = acl(`object-group network A
 group-object B
object-group network B
 network-object host 10.1.0.40
 group-object A
access-list OUTSIDE_IN extended permit tcp any object-group A eq 22`);
    expect(errors(rs).some((d) => /cycle/.test(d.message))).toBe(true);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.40", dport: 22 })).toBe("unknown");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.40", dport: 23 })).toBe("drop");
  });
  it("an undefined object is an error naming it and its line; the rule is kept as unknown", () => {
    const l1 = "access-list OUTSIDE_IN extended permit tcp any object-group NOPE eq 22";
    const l2 = "access-list OUTSIDE_IN extended permit tcp any object NADA eq 23";
    const rs = acl(`${l1}\n${l2}`);
    expect(errors(rs)).toEqual([
      expect.objectContaining({ line: 14, column: l1.indexOf("NOPE") + 1, message: expect.stringMatching(/object-group 'NOPE' is not defined \(line 14\)/) }),
      expect.objectContaining({ line: 15, column: l2.indexOf("NADA") + 1, message: expect.stringMatching(/object 'NADA' is not defined \(line 15\)/) }),
    ]);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.40", dport: 22 })).toBe("unknown");
  });
  it("entries naming the same groups share their conditions; an undefined group is an error at each line naming it", () => {
    const rs = acl(`object-group network WEB
 network-object host 10.1.0.80
 network-object host 10.1.0.81
object-group service WEB-PORTS
 service-object tcp destination eq 80
 service-object udp destination eq 443
access-list OUTSIDE_IN extended permit object-group WEB-PORTS any object-group WEB
access-list OUTSIDE_IN extended deny object-group WEB-PORTS host 192.0.2.9 object-group WEB
access-list OUTSIDE_IN extended permit tcp any object-group NOPE eq 22
access-list OUTSIDE_IN extended permit tcp any object-group NOPE eq 22`);
    const rules = [...rs.chains.values()].find((c) => c.name === "OUTSIDE_IN")!.rules;
    const [a, b] = [rules[0]!.conditions, rules[1]!.conditions];
    // the destination group's and the service group's conditions are the same objects in both
    expect(b.filter((c) => a.includes(c)).map((c) => c.kind).sort()).toEqual(["addr", "or"]);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.81", proto: "udp", dport: 443 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.80", proto: "tcp", dport: 443 })).toBe("drop");
    expect(errors(rs).map((d) => [d.line, d.message.replace(/ \(line \d+\)/, "")])).toEqual([
      [22, expect.stringMatching(/object-group 'NOPE' is not defined/)],
      [23, expect.stringMatching(/object-group 'NOPE' is not defined/)],
    ]);
  });
});

describe("access-group bindings", () => {
  it("global: an interface ACL falls through to it, then the implicit deny", () => {
    const rs = asa(`${INTERFACES}access-list OUT_IN extended deny tcp any any eq 22
access-list OUT_IN extended permit tcp any any eq 80
access-list GLOBAL extended permit tcp any any eq 22
access-list GLOBAL extended permit tcp any any eq 25
access-group OUT_IN in interface outside
access-group GLOBAL global
`);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", dport: 80 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", dport: 22 })).toBe("drop");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", dport: 25 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", dport: 26 })).toBe("drop");
    expect(steps(rs, { src: "192.0.2.1", dst: "10.1.0.5", dport: 25 })).toEqual(["access-group in: jump OUT_IN", "access-group in: jump GLOBAL", "GLOBAL: accept"]);
    // interfaces without their own ACL use the global one, not the security levels
    expect(verdict(rs, { src: "10.1.0.5", dst: "192.0.2.1", iif: "inside", oif: "outside", dport: 443 })).toBe("drop");
  });
  it("out: checked on the egress interface after the inbound decision", () => {
    const rs = asa(`${INTERFACES}access-list DMZ_OUT extended permit tcp any any eq 443
access-group DMZ_OUT out interface dmz
`);
    expect(verdict(rs, { src: "10.1.0.5", dst: "172.16.1.9", iif: "inside", oif: "dmz", dport: 443 })).toBe("accept");
    expect(verdict(rs, { src: "10.1.0.5", dst: "172.16.1.9", iif: "inside", oif: "dmz", dport: 80 })).toBe("drop");
    expect(verdict(rs, { src: "10.1.0.5", dst: "192.0.2.1", iif: "inside", oif: "outside", dport: 80 })).toBe("accept");
    // replies are not checked against the out list
    const reply = { src: "10.1.0.5", dst: "172.16.1.9", iif: "inside", oif: "dmz", sport: 40000, dport: 80 };
    expect(establishedVerdict(rs, reply)).toBe("accept");
  });
  it("binding an undefined ACL or interface is an error and is ignored", () => {
    const rs = asa(`${INTERFACES}access-group MISSING in interface outside\naccess-list X extended permit ip any any\naccess-group X in interface nowhere\n`);
    expect(errors(rs).map((d) => d.line)).toEqual([14, 16]);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", dport: 80 })).toBe("drop");
  });
});

describe("NAT", () => {
  it("object static NAT: the public address reaches the real host, checked against the real address", () => {
    const rs = asa(`${INTERFACES}object network MAIL
 host 10.1.0.25
 nat (inside,outside) static 203.0.113.25
access-list OUTSIDE_IN extended permit tcp any object MAIL eq smtp
access-group OUTSIDE_IN in interface outside
`);
    expect(verdict(rs, { src: "192.0.2.1", dst: "203.0.113.25", dport: 25 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "203.0.113.25", dport: 80 })).toBe("drop");
    expect(steps(rs, { src: "192.0.2.1", dst: "203.0.113.25", dport: 25 })[0]).toBe("static: dnat to 10.1.0.25");
  });
  it("static PAT with service, mapped to the interface address", () => {
    const rs = asa(`${INTERFACES}object network WEB
 host 10.1.0.80
 nat (inside,outside) static interface service tcp 8080 www
access-list OUTSIDE_IN extended permit tcp any host 10.1.0.80 eq 8080
access-group OUTSIDE_IN in interface outside
`);
    expect(verdict(rs, { src: "192.0.2.1", dst: "203.0.113.2", dport: 80 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "203.0.113.2", dport: 8080 })).toBe("drop");
  });
  it("twice NAT with destination static and pre-8.3 static (mapped addresses in the ACL)", () => {
    const twice = asa(`${INTERFACES}object network REAL
 host 10.1.0.9
object network MAPPED
 host 203.0.113.9
nat (inside,outside) source static REAL MAPPED
access-list OUTSIDE_IN extended permit tcp any host 10.1.0.9 eq 22
access-group OUTSIDE_IN in interface outside
`);
    expect(verdict(twice, { src: "192.0.2.1", dst: "203.0.113.9", dport: 22 })).toBe("accept");
    const old = asa(`ASA Version 8.2(5)
interface G0
 nameif outside
 security-level 0
interface G1
 nameif inside
 security-level 100
static (inside,outside) tcp 203.0.113.7 smtp 10.1.0.7 smtp netmask 255.255.255.255
access-list OUTSIDE_IN extended permit tcp any host 203.0.113.7 eq smtp
access-group OUTSIDE_IN in interface outside
`);
    expect(errors(old)).toEqual([]);
    expect(verdict(old, { src: "192.0.2.1", dst: "203.0.113.7", dport: 25 })).toBe("accept");
    expect(verdict(old, { src: "192.0.2.1", dst: "10.1.0.7", dport: 25 })).toBe("drop");
  });
});

describe("management access (inbound path)", () => {
  it("ssh/telnet from the listed networks only; http only with http server enable", () => {
    const rs = asa(`${INTERFACES}ssh 198.51.100.7 255.255.255.255 outside\nhttp 0.0.0.0 0.0.0.0 outside\ntelnet 10.1.0.0 255.255.0.0 inside\n`);
    const p = (src: string, dport: number, iif = "outside", dst = iif === "outside" ? "203.0.113.2" : "10.1.0.1") => verdict(rs, { src, dst, dport, iif, hook: "input" });
    expect(p("198.51.100.7", 22)).toBe("accept");
    expect(p("198.51.100.8", 22)).toBe("drop");
    expect(p("198.51.100.7", 443)).toBe("drop");
    expect(p("10.1.5.5", 23, "inside")).toBe("accept");
    // to the address of the interface the packet arrives on, not to another of the box's
    expect(p("10.1.5.5", 23, "inside", "203.0.113.2")).toBe("drop");
    expect(p("198.51.100.7", 22, "outside", "203.0.113.3")).toBe("drop");
    const withHttp = asa(`${INTERFACES}http server enable\nhttp 0.0.0.0 0.0.0.0 outside\n`);
    expect(verdict(withHttp, { src: "192.0.2.1", dst: "203.0.113.2", dport: 443, hook: "input" })).toBe("accept");
    // ASDM is a device service (the exposure check names it), on the port `http server enable` gives
    expect(withHttp.deviceServices).toMatchObject([{ id: "asdm", protocol: 6, ports: [[443, 443]] }]);
    expect(asa(`${INTERFACES}http server enable 8443\n`).deviceServices).toMatchObject([{ ports: [[8443, 8443]] }]);
    expect(rs.deviceServices).toBeUndefined();
  });
});

describe("ICMP to the box", () => {
  const ping = (rs: ReturnType<typeof asa>, src: string, type: number, iif = "outside", dst = iif === "outside" ? "203.0.113.2" : "10.1.0.1") =>
    verdict(rs, { src, dst, proto: src.includes(":") ? "icmpv6" : "icmp", icmp_type: type, icmp_code: 0, iif, hook: "input" });

  it("is answered on every interface without icmp rules (to that interface's address)", () => {
    const rs = asa(INTERFACES);
    expect(ping(rs, "192.0.2.9", 8)).toBe("accept");
    expect(ping(rs, "192.0.2.9", 13)).toBe("accept");
    expect(ping(rs, "192.0.2.9", 8, "outside", "10.1.0.1")).toBe("drop");
  });

  it("icmp rules of an interface: first match, then the implicit deny; other interfaces and the other family keep answering", () => {
    const rs = asa(`${INTERFACES}icmp unreachable rate-limit 1 burst-size 1\nicmp permit 198.51.100.0 255.255.255.0 echo outside\nicmp permit any time-exceeded outside\n`);
    expect(errors(rs)).toEqual([]);
    expect(ping(rs, "198.51.100.7", 8)).toBe("accept");
    expect(ping(rs, "192.0.2.9", 8)).toBe("drop");
    expect(ping(rs, "192.0.2.9", 11)).toBe("accept");
    expect(ping(rs, "198.51.100.7", 13)).toBe("drop");
    expect(ping(rs, "10.1.5.5", 13, "inside")).toBe("accept");
    expect(steps(rs, { src: "192.0.2.9", dst: "203.0.113.2", proto: "icmp", icmp_type: 8, icmp_code: 0, iif: "outside", hook: "input" }).at(-1)).toMatch(/implicit deny|drop/);
  });

  it("ipv6 icmp rules are IPv6's; a deny of everything ends them without an implicit deny", () => {
    const rs = asa(`${INTERFACES.replace(" ip address 203.0.113.2 255.255.255.0", " ip address 203.0.113.2 255.255.255.0\n ipv6 address 2001:db8:1::2/64")}ipv6 icmp permit any echo-reply outside\nipv6 icmp deny any outside\n`);
    expect(ping(rs, "2001:db8:9::9", 129, "outside", "2001:db8:1::2")).toBe("accept");
    expect(ping(rs, "2001:db8:9::9", 128, "outside", "2001:db8:1::2")).toBe("drop");
    expect(ping(rs, "192.0.2.9", 8)).toBe("accept");
    expect([...rs.chains.get("management/ipv6 icmp outside")!.rules].map((r) => r.implied ?? false)).toEqual([false, false]);
  });

  it("a malformed rule is reported where it is, and the rest is still read", () => {
    const rs = asa(`${INTERFACES}icmp permit any bogus-type outside\nicmp permit 198.51.100.0 255.255.255.0 echo outside\n`);
    expect(errors(rs).map((d) => [d.line, d.message])).toEqual([[expect.any(Number), expect.stringMatching(/ICMP type name or number, got 'bogus-type'/)]]);
    expect(ping(rs, "198.51.100.7", 8)).toBe("accept");
    expect(ping(rs, "192.0.2.9", 8)).toBe("drop");
  });
});

describe("show access-list output", () => {
  it("reads the unindented entries, skips the expansions and trailers", () => {
    const rs = asa(`access-list cached ACL log flows: total 0, denied 0 (deny-flow-max 4096)
            alert-interval 300
access-list OUTSIDE_IN; 2 elements; name hash: 0x96b5d78b
access-list OUTSIDE_IN line 1 extended permit tcp any object-group WEB eq www (hitcnt=3) 0x53ec762f
  access-list OUTSIDE_IN line 1 extended permit tcp any host 10.1.0.80 eq www (hitcnt=3) 0xd39d4f42
access-list OUTSIDE_IN line 2 extended deny tcp any any eq telnet inactive (hitcnt=0) (inactive) 0x11821a52
object-group network WEB
 network-object host 10.1.0.80
access-group OUTSIDE_IN in interface outside
interface G0
 nameif outside
`);
    expect(errors(rs)).toEqual([]);
    expect(rs.chains.get("access-list/OUTSIDE_IN")!.rules.map((r) => r.id)).toEqual(["OUTSIDE_IN#1", "OUTSIDE_IN#implicit-deny"]);
  });
});

describe("bad input", () => {
  it("never throws and keeps reading after a bad line", () => {
    const junk = [
      "access-list",
      "access-list X extended",
      "access-list X extended permit",
      "access-list X extended permit tcp",
      "access-list X extended permit tcp host",
      "access-list X extended permit tcp any 10.0.0.0 255.0.255.0",
      "access-list X extended permit tcp any any eq",
      "access-list X extended permit tcp any any range 90 80",
      "access-list X extended permit bogus any any",
      "object-group network",
      "object network",
      " network-object host",
      "nat (inside outside) static x",
      "static (a,b) tcp 1.2.3.4",
      "interface",
      " security-level 900",
      "access-group X sideways",
      "\u0000\u0001\u0002",
    ];
    for (const line of junk) expect(() => asa(`${INTERFACES}${line}\n`)).not.toThrow();
    const rs = asa(`${INTERFACES}${junk.join("\n")}\naccess-list OUTSIDE_IN extended permit tcp any any eq 80\naccess-group OUTSIDE_IN in interface outside\n`);
    expect(errors(rs).length).toBeGreaterThan(5);
    for (const d of errors(rs)) expect(d.line).toBeGreaterThan(13);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", dport: 80 })).toBe("accept");
  });
  it("random word soup from ASA's vocabulary never throws and never reports an internal error", () => {
    const words = ["access-list", "A", "extended", "permit", "deny", "tcp", "udp", "icmp", "ip", "object", "object-group", "G", "O",
      "any", "any4", "any6", "host", "10.0.0.1", "255.255.255.0", "2001:db8::/32", "eq", "range", "lt", "gt", "neq", "www", "65536",
      "interface", "outside", "nat", "(inside,outside)", "static", "source", "destination", "service", "network-object",
      "group-object", "port-object", "service-object", "network", "access-group", "in", "out", "global", "inactive", "log", "line", "1",
      "remark", "name", "names", "security-level", "nameif", "subnet", "fqdn", "icmp-object", "protocol-object", "time-range", "user"];
    const rand = prng(7);
    for (let k = 0; k < 300; k++) {
      const lines: string[] = [];
      for (let i = 0; i < 12; i++) {
        const n = 1 + Math.floor(rand() * 10);
        const ws = Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]!);
        lines.push((rand() < 0.3 ? " " : "") + ws.join(" "));
      }
      const rs = asa(lines.join("\n"));
      expect(rs.diagnostics.filter((d) => /internal error/.test(d.message))).toEqual([]);
      if (k % 10 === 0) expect(evaluateRuleset(rs).diagnostics).toEqual([]);
    }
  });
  it("unknown commands give one info per keyword", () => {
    const rs = asa(`${INTERFACES}frobnicate a\nfrobnicate b\nlogging enable\n`);
    const infos = rs.diagnostics.filter((d) => d.severity === "info");
    expect(infos).toEqual([expect.objectContaining({ line: 14, message: expect.stringMatching(/'frobnicate' .*2 lines/) })]);
  });
  it("a deep chain of nested groups resolves without recursion trouble", () => {
    // deeper than the call stack could follow (it overflowed between 2,000 and 3,000 levels)
    const n = 10_000;
    const groups = Array.from({ length: n }, (_, i) => `object-group network G${i}\n ${i + 1 < n ? `group-object G${i + 1}` : "network-object host 10.1.0.99"}`).join("\n");
    const rs = acl(`${groups}\naccess-list OUTSIDE_IN extended permit tcp any object-group G0 eq 25`);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.99", dport: 25 })).toBe("accept");
  });
  it("a long cycle of nested groups is an error at a group-object line, and the rest is analysed", () => {
    const n = 3000;
    const groups = Array.from({ length: n }, (_, i) => `object-group network G${i}\n group-object G${(i + 1) % n}`).join("\n");
    const rs = acl(`${groups}\naccess-list OUTSIDE_IN extended permit tcp any object-group G0 eq 25\naccess-list OUTSIDE_IN extended permit tcp any host 10.1.0.5 eq 22`);
    const errs = errors(rs);
    expect(errs).toEqual([expect.objectContaining({ message: expect.stringMatching(/contains itself through group-object \(a cycle\)|nested more than \d+ levels deep/) })]);
    expect(rs.diagnostics.some((d) => d.message.includes("internal error"))).toBe(false);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", dport: 22 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.99", dport: 25 })).toBe("unknown");
  });
});

describe("more address and NAT forms", () => {
  it("an interface without an address is unknown; a name alias takes a netmask", () => {
    const rs = asa(`${INTERFACES}interface G9\n nameif lab\n security-level 20\nnames\nname 10.1.64.0 lab-net\naccess-list OUTSIDE_IN extended permit tcp any interface lab eq 22\naccess-list OUTSIDE_IN extended permit tcp any lab-net 255.255.192.0 eq 80\naccess-group OUTSIDE_IN in interface outside\n`);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.9.9.9", dport: 22 })).toBe("unknown");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.127.255", dport: 80 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.128.0", dport: 80 })).toBe("drop");
  });
  it("twice NAT destination static rewrites what the real side connects to", () => {
    const rs = asa(`${INTERFACES}object network INSIDE-NET
 subnet 10.1.0.0 255.255.0.0
object network PROXY-MAPPED
 host 10.255.0.80
object network PROXY-REAL
 host 198.51.100.80
nat (inside,outside) source dynamic INSIDE-NET interface destination static PROXY-MAPPED PROXY-REAL
`);
    expect(steps(rs, { src: "10.1.2.3", dst: "10.255.0.80", iif: "inside", oif: "outside" })[0]).toBe("static: dnat to 198.51.100.80");
    expect(steps(rs, { src: "10.2.2.3", dst: "10.255.0.80", iif: "inside", oif: "outside" })[0]).not.toMatch(/dnat/);
  });
  it("twice NAT destination static with a service translates only the mapped port, to the real one", () => {
    const rs = asa(`${INTERFACES}object network CLIENTS
 host 192.0.2.50
object network WEB-PUB
 host 203.0.113.80
object network WEB-PRIV
 host 10.1.0.80
object service TCP-8080
 service tcp destination eq 8080
object service TCP-80
 service tcp destination eq www
access-list OUTSIDE_IN extended permit tcp host 192.0.2.50 host 10.1.0.80 eq www
access-group OUTSIDE_IN in interface outside
nat (outside,inside) source static CLIENTS CLIENTS destination static WEB-PUB WEB-PRIV service TCP-8080 TCP-80
`);
    expect(errors(rs)).toEqual([]);
    expect(steps(rs, { src: "192.0.2.50", dst: "203.0.113.80", dport: 8080 })[0]).toBe("static: dnat to 10.1.0.80:80");
    expect(verdict(rs, { src: "192.0.2.50", dst: "203.0.113.80", dport: 8080 })).toBe("accept");
    // port 80 is not what the rule translates: the packet stays addressed to 203.0.113.80
    expect(verdict(rs, { src: "192.0.2.50", dst: "203.0.113.80", dport: 80 })).toBe("drop");
  });
  it("a twice NAT statement is judged whole: shadowed only when both its translations are taken first", () => {
    const objects = `object network REAL
 host 10.1.0.5
object network MAPPED
 host 203.0.113.5
object network DST-MAPPED
 host 203.0.113.30
object network DST-REAL
 host 10.2.0.30
`;
    const shadowed = (nat: string) => analyzeText("t.asa", `${INTERFACES}${objects}${nat}`).findings.filter((f) => f.ruleId === "shadowed-rule").map((f) => f.location.line);
    const base = INTERFACES.split("\n").length - 1 + objects.split("\n").length - 1;
    // line 1 takes the source half of line 2; its destination half is still live
    expect(shadowed("nat (inside,outside) source static REAL MAPPED\nnat (inside,outside) source static REAL MAPPED destination static DST-MAPPED DST-REAL\n")).toEqual([]);
    // the same statement twice: the second is shadowed, once, at its line
    expect(shadowed("nat (inside,outside) source static REAL MAPPED destination static DST-MAPPED DST-REAL\nnat (inside,outside) source static REAL MAPPED destination static DST-MAPPED DST-REAL\n")).toEqual([base + 2]);
  });
  // `any` is both families since ASA 9.0; without an interface speaking IPv6 no IPv6 passes.
  it("a box with no IPv6 interface analyses IPv4 only, even where entries say any; a fragment both", () => {
    const v4 = acl("access-list OUTSIDE_IN extended permit tcp any any eq www");
    expect(v4.families).toEqual([4]);
    expect(v4.pipelines.every((p) => p.family === 4)).toBe(true);
    const v6 = asa(`${INTERFACES.replace(" nameif inside\n", " nameif inside\n ipv6 enable\n")}access-list OUTSIDE_IN extended permit tcp any any eq www\naccess-group OUTSIDE_IN in interface outside\n`);
    expect(v6.families).toEqual([4, 6]);
    expect(asa("access-list OUTSIDE_IN extended permit tcp any any eq www\naccess-group OUTSIDE_IN in interface outside\n").families).toEqual([4, 6]);
  });

  it("a management-only interface passes no traffic through the box, but takes traffic to it", () => {
    const rs = asa(`${INTERFACES}interface Management0/0\n management-only\n nameif management\n security-level 100\n ip address 192.168.99.1 255.255.255.0\nssh 192.168.99.0 255.255.255.0 management\n`);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "192.168.99.5", dst: "8.8.8.8", dport: 443, iif: "management", oif: "outside" })).toBe("drop");
    expect(verdict(rs, { src: "10.1.0.5", dst: "192.168.99.7", dport: 443, iif: "inside", oif: "management" })).toBe("drop");
    // inside (also level 100) still reaches outside; SSH to the box on management is let in
    expect(verdict(rs, { src: "10.1.0.5", dst: "8.8.8.8", dport: 443, iif: "inside", oif: "outside" })).toBe("accept");
    expect(verdict(rs, { src: "192.168.99.5", dst: "192.168.99.1", dport: 22, iif: "management", hook: "input", oif: undefined })).toBe("accept");
  });

  it("manual (twice) NAT comes before object NAT, after-auto after it, whatever the order of the lines", () => {
    const rs = asa(`${INTERFACES}object network WEB
 host 10.1.0.80
 nat (inside,outside) static 198.51.100.80
object network WEB2
 host 10.1.0.81
object network PUB
 host 198.51.100.80
object network PUB9
 host 198.51.100.9
object network WEB9
 host 10.1.0.90
nat (inside,outside) source static WEB2 PUB
nat (inside,outside) after-auto source static WEB9 PUB9
object network WEB10
 host 10.1.0.91
 nat (inside,outside) static 198.51.100.9
access-list OUTSIDE_IN extended permit tcp any host 10.1.0.81 eq www
access-list OUTSIDE_IN extended permit tcp any host 10.1.0.91 eq www
access-group OUTSIDE_IN in interface outside
`);
    expect(errors(rs)).toEqual([]);
    // the twice NAT (line 12) takes 198.51.100.80 before the object NAT (line 3) of the same address
    expect(verdict(rs, { src: "192.0.2.1", dst: "198.51.100.80", dport: 80 })).toBe("accept");
    expect(steps(rs, { src: "192.0.2.1", dst: "198.51.100.80", dport: 80 })[0]).toBe("static: dnat to 10.1.0.81");
    // the object NAT of 198.51.100.9 comes before the after-auto twice NAT written above it
    expect(steps(rs, { src: "192.0.2.1", dst: "198.51.100.9", dport: 80 })[0]).toBe("static: dnat to 10.1.0.91");
  });

  it("IPv6 object NAT and IPv6 ACEs use the v6 pipeline", () => {
    const rs = asa(`${INTERFACES}object network WEB6
 host fd00::80
 nat (inside,outside) static 2001:db8::80
access-list OUTSIDE_IN extended permit tcp any6 object WEB6 eq www
access-group OUTSIDE_IN in interface outside
`);
    expect(rs.families).toEqual([4, 6]);
    expect(verdict(rs, { src: "2001:db8:ffff::1", dst: "2001:db8::80", dport: 80 })).toBe("accept");
    expect(verdict(rs, { src: "2001:db8:ffff::1", dst: "2001:db8::80", dport: 81 })).toBe("drop");
  });
  it("port-object lines in a service group without protocol are tcp and udp ports", () => {
    const rs = acl(`object-group service MIXED
 port-object eq 5555
access-list OUTSIDE_IN extended permit object-group MIXED any any`);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", proto: "udp", dport: 5555 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", proto: "tcp", dport: 5556 })).toBe("drop");
  });
});

describe("implicit deny next to the list's own catch-all", () => {
  it("deny ip any4 any4 at the end leaves only IPv6 to the implicit deny", () => {
    const rs = asa(`${INTERFACES.replace(" nameif outside\n", " nameif outside\n ipv6 address 2001:db8:ffff::2/64\n")}access-list OUTSIDE_IN extended permit tcp any any eq www\naccess-list OUTSIDE_IN extended deny ip any4 any4 log\naccess-group OUTSIDE_IN in interface outside\n`);
    const last = rs.chains.get("access-list/OUTSIDE_IN")!.rules.at(-1)!;
    expect(last.id).toBe("OUTSIDE_IN#implicit-deny");
    expect(last.conditions).toEqual([{ kind: "family", family: 6 }]);
    expect(verdict(rs, { src: "2001:db8::1", dst: "2001:db8:1::1", dport: 22 })).toBe("drop");
  });
});
