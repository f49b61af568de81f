/**
 * The SNMP agent answers only managers one of its communities or groups admits: when every one
 * names an access list, the lists decide who reaches udp/161 on the router, per family.
 */
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../src/engine/check.js";
import { ios, iosClean, trace } from "./helpers.js";

const WAN = "GigabitEthernet0/0";
const router = (snmp: string[]) =>
  [
    "interface GigabitEthernet0/0",
    " ip address 203.0.113.2 255.255.255.248",
    " ipv6 address 2001:db8::2/64",
    "interface GigabitEthernet0/1",
    " ip address 10.1.0.1 255.255.255.0",
    "access-list 98 permit 198.51.100.0 0.0.0.15",
    "ip access-list standard NOC",
    " permit host 192.0.2.50",
    "ipv6 access-list NOC6",
    " permit ipv6 2001:db8:a::/48 any",
    ...snmp,
    "",
  ].join("\n");
const manager = (rs: ReturnType<typeof ios>, src: string, dport = 161) =>
  trace(rs, { kind: "inbound", proto: "udp", src, dst: src.includes(":") ? "2001:db8::2" : "203.0.113.2", dport, iif: WAN }).verdict;

describe("snmp-server communities and groups on the inbound path", () => {
  it("every community names a list: any of them admits, the rest is not answered", () => {
    const rs = iosClean(router(["snmp-server community s3cret RO 98", "snmp-server community n0c view all RW NOC"]));
    expect(manager(rs, "198.51.100.3")).toBe("accept");
    expect(manager(rs, "192.0.2.50")).toBe("accept");
    expect(manager(rs, "192.0.2.51")).toBe("drop");
    // other ports are not its business
    expect(manager(rs, "192.0.2.51", 162)).toBe("accept");
    // no IPv6 list on either community: IPv6 managers may be anyone
    expect(manager(rs, "2001:db8:b::9")).toBe("accept");
  });

  it("one community without a list lets anyone in", () => {
    expect(manager(iosClean(router(["snmp-server community s3cret RO 98", "snmp-server community public RO"])), "192.0.2.51")).toBe("accept");
  });

  it("IPv6 lists (community `ipv6 NAME`, group `access ipv6 NAME`) decide IPv6 only", () => {
    const rs = iosClean(router(["snmp-server community s3cret RO ipv6 NOC6 98", "snmp-server group OPS v3 priv read all access ipv6 NOC6 NOC"]));
    expect(manager(rs, "2001:db8:a::9")).toBe("accept");
    expect(manager(rs, "2001:db8:b::9")).toBe("drop");
    expect(manager(rs, "192.0.2.50")).toBe("accept");
    expect(manager(rs, "192.0.2.51")).toBe("drop");
    // a group without `access` admits anyone
    expect(manager(iosClean(router(["snmp-server community s3cret RO 98", "snmp-server group OPS v3 priv"])), "192.0.2.51")).toBe("accept");
  });

  it("a list that is not defined admits everyone, with a warning", () => {
    const rs = ios(router(["snmp-server community s3cret RO 42"]));
    expect(manager(rs, "192.0.2.51")).toBe("accept");
    expect(rs.diagnostics.find((d) => d.severity === "warning")?.message).toMatch(/access-list 42 of this snmp-server community is not defined/);
  });

  it("SNMP is not reported open to the Internet when the communities' lists close it", () => {
    // the uplink lets SNMP (only) reach the router from anywhere
    const uplink = ["interface GigabitEthernet0/0", " ip access-group UP in", "ip access-list extended UP", " permit udp any host 203.0.113.2 eq snmp"];
    const services = (snmp: string[]) => analyzeText("r.ios", router([...uplink, ...snmp])).findings.filter((f) => f.exposure?.direction === "inbound" && f.exposure.family === 4).flatMap((f) => [f.exposure?.service, ...(f.exposure?.services ?? [])]);
    expect(services(["snmp-server community public RO"])).toContain("snmp");
    expect(services(["snmp-server community s3cret RO 98"])).not.toContain("snmp");
  });
});
