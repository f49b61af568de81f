/**
 * IOS static NAT (`ip nat inside source static`): packets arriving on an `ip nat outside`
 * interface for a global address are translated to the inside host after the inbound ACL (which
 * sees the global address) and before the outbound one (which sees the inside address); what is
 * translated is forwarded, not delivered to the router, even at the router's own address.
 */
import { describe, expect, it } from "vitest";
import { ios, iosClean, trace } from "./helpers.js";

const router = (nat: string[], extra: string[] = []) =>
  [
    "interface GigabitEthernet0/0",
    " ip address 203.0.113.2 255.255.255.248",
    " ip nat outside",
    " ip access-group OUT-IN in",
    "interface GigabitEthernet0/1",
    " ip address 192.168.10.1 255.255.255.0",
    " ip nat inside",
    " ip access-group LAN-OUT out",
    ...nat,
    "ip access-list extended OUT-IN",
    " permit tcp any host 203.0.113.2 eq 25",
    " permit tcp any host 203.0.113.2 eq 22",
    " permit tcp any 203.0.113.0 0.0.0.7 eq 3389",
    "ip access-list extended LAN-OUT",
    " deny tcp any host 192.168.10.31 eq 3389",
    " permit ip any any",
    ...extra,
    "",
  ].join("\n");
const WAN = "GigabitEthernet0/0";
const LAN = "GigabitEthernet0/1";

describe("static NAT on the forward path", () => {
  it("a port forward on the interface's address reaches the inside host, checked by both ACLs in IOS order", () => {
    const rs = iosClean(router(["ip nat inside source static tcp 192.168.10.25 25 interface GigabitEthernet0/0 25"]));
    const t = trace(rs, { src: "198.51.100.7", dst: "203.0.113.2", dport: 25, iif: WAN, oif: LAN });
    expect(t.verdict).toBe("accept");
    expect(t.steps.map((s) => s.split(" -> ")[1])).toEqual(["jump OUT-IN", "accept", "dnat to 192.168.10.25:25", "jump LAN-OUT", "accept"]);
    // another port of the router's address is not translated
    expect(trace(rs, { kind: "inbound", src: "198.51.100.7", dst: "203.0.113.2", dport: 22, iif: WAN }).verdict).toBe("accept");
  });

  it("what is translated is not for the router, though addressed to it", () => {
    const rs = iosClean(router(["ip nat inside source static tcp 192.168.10.25 25 interface GigabitEthernet0/0 25"]));
    const t = trace(rs, { kind: "inbound", src: "198.51.100.7", dst: "203.0.113.2", dport: 25, iif: WAN });
    expect(t.verdict).toBe("drop");
    expect(t.by).toBe("to the router: ip nat inside source static tcp 192.168.10.25 25 interface GigabitEthernet0/0 25");
  });

  it("the outbound ACL sees the inside address; packets from inside interfaces are not translated", () => {
    const rs = iosClean(router(["ip nat inside source static 192.168.10.31 203.0.113.3"]));
    expect(trace(rs, { src: "198.51.100.7", dst: "203.0.113.3", dport: 3389, iif: WAN, oif: LAN }).verdict).toBe("drop");
    // 203.0.113.4 is not translated: a host of the uplink's own subnet, never routed inside
    expect(trace(rs, { src: "198.51.100.7", dst: "203.0.113.4", dport: 3389, iif: WAN, oif: LAN }).verdict).toBe("drop");
    const lan = trace(rs, { src: "192.168.10.9", dst: "203.0.113.3", dport: 3389, iif: LAN, oif: WAN });
    expect(lan.steps.some((s) => s.includes("dnat"))).toBe(false);
  });

  it("`static network` maps the global subnet onto the inside one host by host", () => {
    const rs = iosClean(router(["ip nat inside source static network 192.168.10.24 203.0.113.0 /29"]));
    const t = trace(rs, { src: "198.51.100.7", dst: "203.0.113.7", dport: 3389, iif: WAN, oif: LAN });
    expect(t.steps.filter((s) => s.includes("dnat")).map((s) => s.split(" -> ")[1])).toEqual(["dnat to 192.168.10.31"]);
    expect(t.verdict).toBe("drop");
    expect(trace(rs, { src: "198.51.100.7", dst: "203.0.113.6", dport: 3389, iif: WAN, oif: LAN }).verdict).toBe("accept");
  });

  it("vrf and route-map make the translation depend on what is not modelled; without `ip nat outside` nothing is translated", () => {
    const rs = iosClean(router(["ip nat inside source static 192.168.10.32 203.0.113.3 vrf CUST extendable"]));
    expect(trace(rs, { src: "198.51.100.7", dst: "203.0.113.3", dport: 3389, iif: WAN, oif: LAN }).verdict).toBe("accept|drop");
    const none = ios(router(["ip nat inside source static 192.168.10.32 203.0.113.3"]).replace(" ip nat outside\n", ""));
    expect(none.diagnostics.some((d) => d.severity === "info" && /no interface has 'ip nat outside'/.test(d.message))).toBe(true);
    expect(trace(none, { src: "198.51.100.7", dst: "203.0.113.3", dport: 3389, iif: WAN, oif: LAN }).verdict).toBe("drop");
  });

  it("a line it cannot read is a warning at the word, and the rest of the file is analysed", () => {
    const rs = ios(router(["ip nat inside source static tcp 192.168.10.25 smtp-ish interface GigabitEthernet0/0 25"]));
    const w = rs.diagnostics.filter((d) => d.severity === "warning");
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ line: 9, column: 47 });
    expect(w[0]!.message).toMatch(/expected the inside port/);
    expect(trace(rs, { src: "198.51.100.7", dst: "203.0.113.2", dport: 22, iif: WAN, kind: "inbound" }).verdict).toBe("accept");
  });
});
