/**
 * The paths of an IOS router: traffic to the router itself (inbound) covers only its own
 * addresses, traffic through it (forward) meets the ingress ACL before the egress one, and which
 * interfaces face the Internet is decided per family.
 */
import { describe, expect, it } from "vitest";
import { ConfigExtractor } from "../../../parsers/cisco-ios/extract.js";
import { internetInterfaces } from "../../../parsers/cisco-ios/internet.js";
import { configLines } from "../../../parsers/cisco-ios/lines.js";
import { analyzeText } from "../../../src/engine/check.js";
import type { Diagnostic } from "../../../src/model/types.js";
import { ios, trace } from "./helpers.js";

const edge = [
  "interface GigabitEthernet0/0",
  " ip address 198.51.100.10 255.255.255.248",
  " ip address 198.51.100.200 255.255.255.248 secondary",
  " ip access-group EDGE in",
  "interface GigabitEthernet0/1",
  " ip address 10.20.0.1 255.255.255.0",
  "interface GigabitEthernet0/2",
  " ip address 10.30.0.1 255.255.255.0",
  " ip access-group LAB-OUT out",
  "interface GigabitEthernet0/3",
  " ip address 10.99.0.1 255.255.255.0",
  " shutdown",
  "ip access-list extended EDGE",
  " 10 permit tcp any host 10.20.0.25 eq smtp",
  " 20 permit tcp any any eq 22",
  " 30 permit tcp any 10.30.0.0 0.0.0.255 eq 80",
  "ip access-list extended LAB-OUT",
  " 10 permit tcp any host 10.30.0.80 eq 80",
  "",
].join("\n");
const WAN = "GigabitEthernet0/0";

/** SSH from the Internet to an address of the router: its trace verdict and deciding entry. */
const sshTo = (rs: ReturnType<typeof ios>, dst: string) => trace(rs, { kind: "inbound", src: "192.0.2.7", dst, dport: 22, iif: WAN });

/** Each address is the router's: SSH to it is admitted by `entry`. */
function expectRouterAddresses(rs: ReturnType<typeof ios>, dsts: string[], entry: string): void {
  for (const dst of dsts) {
    const t = sshTo(rs, dst);
    expect(t.verdict, dst).toBe("accept");
    expect(t.by).toBe(entry);
  }
}

describe("the inbound path: traffic to the router itself", () => {
  it("a host behind the router is not the router: the inbound path drops what the ACL lets through to it", () => {
    const rs = ios(edge);
    const toHost = trace(rs, { kind: "inbound", src: "192.0.2.7", dst: "10.20.0.25", dport: 25, iif: WAN });
    expect(toHost.verdict).toBe("drop");
    expect(toHost.by).toBe("to the router: policy DROP");
    // the same packet through the router is accepted: the forward path reports it
    expect(trace(rs, { src: "192.0.2.7", dst: "10.20.0.25", dport: 25, iif: WAN, oif: "GigabitEthernet0/1" }).verdict).toBe("accept");
  });

  it("every address of a live interface is the router, primary and secondary; the ACL entry admits", () => {
    const rs = ios(edge);
    expectRouterAddresses(rs, ["198.51.100.10", "198.51.100.200", "10.20.0.1", "10.30.0.1"], "EDGE: 20 permit tcp any any eq 22");
    // a shut-down interface's address is not reachable
    expect(sshTo(rs, "10.99.0.1").verdict).toBe("drop");
  });

  it("a redundancy group's virtual address (HSRP, VRRP, GLBP) is the router's while it holds it", () => {
    const rs = ios(
      [
        "interface GigabitEthernet0/0",
        " ip address 198.51.100.10 255.255.255.248",
        " ip access-group EDGE in",
        "interface Vlan10",
        " ip address 10.20.0.2 255.255.255.0",
        " standby 1 ip 10.20.0.1",
        " standby 1 ip 10.20.0.9 secondary",
        "interface Vlan20",
        " ip address 10.30.0.2 255.255.255.0",
        " vrrp 5 ip 10.30.0.1",
        "interface Vlan30",
        " ip address 10.40.0.2 255.255.255.0",
        " glbp 3 ip 10.40.0.1",
        " standby ip 10.40.0.5",
        "ip access-list extended EDGE",
        " 10 permit tcp any any eq 22",
        "",
      ].join("\n"),
    );
    expectRouterAddresses(rs, ["10.20.0.1", "10.20.0.9", "10.30.0.1", "10.40.0.1", "10.40.0.5"], "EDGE: 10 permit tcp any any eq 22");
    // a host on the same LAN is not the router
    expect(sshTo(rs, "10.20.0.3").verdict).toBe("drop");
  });

  it("an address the file does not show is an unknown, never any and never nothing; an EUI-64 one keeps its prefix", () => {
    const rs = ios(
      "interface Dialer0\n ip address negotiated\n ipv6 address autoconfig\ninterface Vlan10\n ip address 10.5.0.1 255.255.255.0\n ipv6 address 2001:db8:5:10::/64 eui-64\n",
    );
    expect(trace(rs, { kind: "inbound", src: "192.0.2.7", dst: "10.5.0.1", iif: "Dialer0" }).verdict).toBe("accept");
    expect(trace(rs, { kind: "inbound", src: "192.0.2.7", dst: "203.0.113.77", iif: "Dialer0" }).verdict).toBe("accept|drop");
    // the negotiated address is not in the subnet of Vlan10: its hosts are not the router
    expect(trace(rs, { kind: "inbound", src: "192.0.2.7", dst: "10.5.0.20", iif: "Dialer0" }).verdict).toBe("drop");
    expect(trace(rs, { kind: "inbound", src: "2001:db8:ff::7", dst: "2001:db8:5:10::1234", iif: "Dialer0" }).verdict).toBe("accept|drop");
    const v6 = rs.chains.get("ipv6 access-list/to the router")!.rules;
    const eui = { kind: "addr", field: "dst", family: 6, ranges: [{ lo: 0x20010db8000500100000000000000000n, hi: 0x20010db800050010ffffffffffffffffn }] };
    expect(v6.map((r) => r.conditions.map((c) => c.kind))).toEqual([["addr", "unknown"], ["addr", "unknown"]]);
    expect(v6[0]!.conditions[0]).toEqual(eui);
    expect(v6[1]!.conditions[0]).toEqual({ ...eui, negate: true });
  });

  it("end to end: an opening to a host behind the router is reported on the forward path only", () => {
    const found = analyzeText("edge.ios", edge, { inputFormat: "cisco-ios" }).findings.filter((f) => f.ruleId === "exposed-service");
    const smtp = found.filter((f) => f.exposure?.service === "smtp");
    expect(smtp.map((f) => f.exposure!.direction)).toEqual(["forward"]);
    const ssh = found.find((f) => f.exposure?.service === "ssh" && f.exposure.direction === "inbound");
    expect(["198.51.100.10", "198.51.100.200", "10.20.0.1", "10.30.0.1"]).toContain(ssh?.witness?.dst);
  });
});

describe("the forward path: through the router", () => {
  it("the trace meets the ingress ACL first, then the egress stage; the ingress entry admits", () => {
    const t = trace(ios(edge), { src: "192.0.2.7", dst: "10.20.0.25", dport: 25, iif: WAN, oif: "GigabitEthernet0/1" });
    expect(t.steps).toEqual([
      "access-group in: ip access-group EDGE in -> jump EDGE",
      "EDGE: 10 permit tcp any host 10.20.0.25 eq smtp -> accept",
      "access-group out: an interface without ip access-group out passes what leaves -> accept",
    ]);
    expect(t.by).toBe("EDGE: 10 permit tcp any host 10.20.0.25 eq smtp");
  });

  it("out an interface with an outbound ACL, its entry is the last filter to admit the packet", () => {
    const rs = ios(edge);
    const t = trace(rs, { src: "192.0.2.7", dst: "10.30.0.80", dport: 80, iif: WAN, oif: "GigabitEthernet0/2" });
    expect(t.steps.map((s) => s.split(":")[0])).toEqual(["access-group in", "EDGE", "access-group out", "LAB-OUT"]);
    expect(t.by).toBe("LAB-OUT: 10 permit tcp any host 10.30.0.80 eq 80");
    expect(trace(rs, { src: "192.0.2.7", dst: "10.30.0.81", dport: 80, iif: WAN, oif: "GigabitEthernet0/2" }).verdict).toBe("drop");
  });

  it("a packet to a connected subnet leaves through that interface only: its outbound ACL decides", () => {
    const rs = ios(edge);
    // 10.30.0.0/24 is on GigabitEthernet0/2, whose LAB-OUT list admits 10.30.0.80 only
    const elsewhere = trace(rs, { src: "192.0.2.7", dst: "10.30.0.81", dport: 80, iif: WAN, oif: "GigabitEthernet0/1" });
    expect(elsewhere.verdict).toBe("drop");
    expect(elsewhere.by).toBe("connected routes: a subnet connected to GigabitEthernet0/2: routed out of GigabitEthernet0/2, never another interface");
  });

  it("static routes send a network out of an interface, by name or by a next hop on its subnet, longest prefix first", () => {
    const routes = [
      "ip route 10.40.0.0 255.255.0.0 10.30.0.254",
      "ip route 10.40.7.0 255.255.255.0 GigabitEthernet0/1 10.20.0.254",
      "ip route 10.41.0.0 255.255.0.0 GigabitEthernet0/2 5 name lab2",
      "ip route 10.42.0.0 255.255.0.0 GigabitEthernet0/3",
      "ip route 10.43.0.0 255.255.0.0 192.0.2.1",
      "ip route vrf MGMT 10.44.0.0 255.255.0.0 10.30.0.254",
      "",
    ].join("\n");
    const rs = ios(edge + routes);
    const to = (dst: string, oif = "GigabitEthernet0/1") => trace(rs, { src: "192.0.2.7", dst, dport: 22, iif: WAN, oif });
    // 10.40.0.0/16 lies behind 10.30.0.254 on GigabitEthernet0/2: LAB-OUT decides it, whatever interface is named
    expect(to("10.40.1.1").verdict).toBe("drop");
    expect(to("10.40.1.1").by).toBe("routes: routes send these destinations out of GigabitEthernet0/2, never another interface");
    expect(to("10.40.1.1", "GigabitEthernet0/2").by).toBe("LAB-OUT: implicit deny at the end of LAB-OUT");
    expect(to("10.41.1.1").verdict).toBe("drop");
    // the more specific route, a route through a shut-down interface, a next hop on no subnet, another VRF's route
    for (const dst of ["10.40.7.1", "10.42.0.1", "10.43.0.1", "10.44.0.1"]) expect(to(dst).verdict, dst).toBe("accept");
  });

  it("a routing protocol may learn more specific routes: then only connected subnets tell where a packet leaves", () => {
    const rs = ios(`${edge}ip route 10.40.0.0 255.255.0.0 10.30.0.254\nrouter ospf 1\n network 10.0.0.0 0.255.255.255 area 0\n`);
    expect(trace(rs, { src: "192.0.2.7", dst: "10.40.1.1", dport: 22, iif: WAN, oif: "GigabitEthernet0/1" }).verdict).toBe("accept");
    expect(trace(rs, { src: "192.0.2.7", dst: "10.30.0.81", dport: 80, iif: WAN, oif: "GigabitEthernet0/1" }).by).toMatch(/^connected routes: /);
    expect(rs.diagnostics.filter((d) => /static routes/.test(d.message)).map((d) => `${d.severity} ${d.line} ${d.message}`)).toEqual([
      "info 20 static routes do not tell where packets leave: 'router ospf 1' may learn more specific routes (only connected subnets are used)",
    ]);
  });

  it("a route the file cannot place (an undeclared interface, a next hop on no subnet) hides its network from shorter routes", () => {
    const rs = ios(`${edge}ip route 10.40.0.0 255.255.0.0 GigabitEthernet0/9\nip route 10.41.0.0 255.255.0.0 192.0.2.1\nip route 10.0.0.0 255.0.0.0 10.30.0.254\nip route 10.43.0.0 255.255.0.0 dhcp 5\n`);
    expect(rs.diagnostics.filter((d) => d.severity === "warning").map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "19:32 interface 'GigabitEthernet0/9' is not declared in this file; where the route leads is unknown",
    ]);
    const to = (dst: string) => trace(rs, { src: "192.0.2.7", dst, dport: 22, iif: WAN, oif: "GigabitEthernet0/1" }).verdict;
    expect(to("10.40.1.1")).toBe("accept");
    expect(to("10.41.1.1")).toBe("accept");
    expect(to("10.43.1.1")).toBe("accept");
    // the rest of 10.0.0.0/8 is behind 10.30.0.254, out of GigabitEthernet0/2
    expect(to("10.42.1.1")).toBe("drop");
  });

  it("the egress stage passes what no outbound ACL decides without a default-accept posture", () => {
    const found = analyzeText("edge.ios", edge, { inputFormat: "cisco-ios" }).findings;
    expect(found.filter((f) => f.ruleId === "default-accept-policy")).toEqual([]);
  });
});

describe("the router's own interfaces", () => {
  it("are those that are up: traffic enters and leaves on them only (a fragment has none listed)", () => {
    expect(ios(edge).interfaces).toEqual(["GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2"]);
    expect(ios(["ip access-list extended EDGE", " 10 permit tcp any any eq 22"].join("\n") + "\n").interfaces).toBeUndefined();
  });

  it("never a loopback or Null interface: a packet neither arrives on one nor leaves through it", () => {
    const withLoopback = `${edge}interface Loopback0\n ip address 10.255.0.1 255.255.255.255\ninterface Null0\n no ip unreachables\n`;
    const rs = ios(withLoopback);
    expect(rs.interfaces).toEqual(["GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2"]);
    // its address is still the router's own
    expect(trace(rs, { kind: "inbound", src: "10.20.0.9", dst: "10.255.0.1", dport: 22, iif: "GigabitEthernet0/1" }).steps[0]).toMatch(/to the router/);
    for (const f of analyzeText("edge.ios", withLoopback, { inputFormat: "cisco-ios" }).findings) {
      expect([f.witness?.iif, f.witness?.oif]).not.toContain("Loopback0");
    }
  });

  it("nor one that routes nothing (the DSL port under a dialer, a switchport); an unnumbered one routes", () => {
    const more = [
      "interface ATM0/0",
      " no ip address",
      " pvc 0/32",
      "  pppoe-client dial-pool-number 1",
      "interface FastEthernet1",
      " switchport access vlan 10",
      "interface Serial0/0",
      " ip unnumbered GigabitEthernet0/0",
      "interface Tunnel0",
      " ipv6 enable",
      "",
    ].join("\n");
    expect(ios(`${edge}${more}`).interfaces).toEqual(["GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2", "Serial0/0", "Tunnel0"]);
  });
});

describe("Internet-facing interfaces, per family", () => {
  const dualStack = [
    "interface GigabitEthernet0/0",
    " ip address 198.51.100.10 255.255.255.248",
    " ipv6 address 2001:db8:100::10/64",
    "interface GigabitEthernet0/1",
    " description LAN: private IPv4, global IPv6",
    " ip address 10.20.0.1 255.255.255.0",
    " ipv6 address 2001:db8:120::1/64",
    "interface GigabitEthernet0/2",
    " description CGNAT transfer net, unique-local IPv6",
    " ip address 100.72.0.2 255.255.255.252",
    " ipv6 address fd00:72::2/64",
    "interface GigabitEthernet0/3",
    " description IPv6-only uplink",
    " ipv6 address autoconfig",
    "interface GigabitEthernet0/4",
    " description LAN numbered from the delegated prefix",
    " ipv6 address ISP-PD ::1/64",
    "",
  ].join("\n");
  const interfaces = () => new ConfigExtractor("r.ios", [] as Diagnostic[]).run(configLines(dualStack).lines).interfaces;

  it("each family is decided by its own addresses", () => {
    expect(internetInterfaces(interfaces(), 4)).toEqual(["GigabitEthernet0/0"]);
    expect(internetInterfaces(interfaces(), 6)).toEqual(["GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/3"]);
  });

  it("a LAN's global IPv6 address does not make it Internet-facing for IPv4", () => {
    expect(ios(dualStack).internetInterfaces).toEqual(["GigabitEthernet0/0", "GigabitEthernet0/3"]);
    const lan = [
      "interface GigabitEthernet0/0",
      " ip address 198.51.100.10 255.255.255.248",
      " ip access-group EDGE in",
      " ipv6 address 2001:db8:100::10/64",
      " ipv6 traffic-filter EDGE6 in",
      "interface GigabitEthernet0/1",
      " ip address 10.20.0.1 255.255.255.0",
      " ipv6 address 2001:db8:120::1/64",
      "ip access-list extended EDGE",
      " deny ip any any",
      "ipv6 access-list EDGE6",
      " deny ipv6 any any",
      "",
    ].join("\n");
    expect(ios(lan).internetInterfaces).toEqual(["GigabitEthernet0/0"]);
    const every4 = analyzeText("r.ios", lan, { inputFormat: "cisco-ios" }).findings.filter((f) => f.exposure?.service === "every-port" && f.exposure.family === 4);
    expect(every4).toEqual([]);
  });
});
