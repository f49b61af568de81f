import { describe, expect, it } from "vitest";
import { ICMP_TYPES, ICMPV6_TYPES, lookupIcmpType, protocolNumber, SERVICES, servicePort } from "../../src/model/names.js";

describe("names", () => {
  it("protocols by name (any case) and number", () => {
    expect(protocolNumber("tcp")).toBe(6);
    expect(protocolNumber("TCP")).toBe(6);
    expect(protocolNumber("udp")).toBe(17);
    expect(protocolNumber("icmp")).toBe(1);
    expect(protocolNumber("icmpv6")).toBe(58);
    expect(protocolNumber("ipv6-icmp")).toBe(58);
    expect(protocolNumber("sctp")).toBe(132);
    expect(protocolNumber("dccp")).toBe(33);
    expect(protocolNumber("udplite")).toBe(136);
    expect(protocolNumber("gre")).toBe(47);
    expect(protocolNumber("esp")).toBe(50);
    expect(protocolNumber("ah")).toBe(51);
    expect(protocolNumber("all")).toBe(0);
    expect(protocolNumber("47")).toBe(47);
    expect(protocolNumber("256")).toBeNull();
    expect(protocolNumber("nope")).toBeNull();
  });
  it("has at least 150 service names with the usual ports", () => {
    expect(SERVICES.size).toBeGreaterThanOrEqual(150);
    const expected: Record<string, number> = { ssh: 22, smtp: 25, http: 80, www: 80, https: 443, domain: 53, ntp: 123, "ftp-data": 20, ftp: 21, telnet: 23, pop3: 110, imap: 143, imaps: 993, snmp: 161, bgp: 179, ldap: 389, submission: 587, mysql: 3306, postgresql: 5432, "ms-wbt-server": 3389, openvpn: 1194 };
    for (const [name, port] of Object.entries(expected)) expect(servicePort(name, "tcp"), name).toBe(port);
    expect(servicePort("bootps", "udp")).toBe(67);
    expect(servicePort("syslog", "udp")).toBe(514);
    expect(servicePort("nosuchservice", "tcp")).toBeNull();
  });
  it("ICMP names as iptables prints them, with unique-prefix lookup", () => {
    expect(ICMP_TYPES.find((e) => e.name === "echo-request")).toEqual({ name: "echo-request", type: 8, codeLo: 0, codeHi: 255 });
    expect(ICMP_TYPES.find((e) => e.name === "port-unreachable")).toEqual({ name: "port-unreachable", type: 3, codeLo: 3, codeHi: 3 });
    expect(lookupIcmpType("echo-req", ICMP_TYPES)).toMatchObject({ ok: true, entry: { type: 8 } });
    expect(lookupIcmpType("ECHO-REPLY", ICMP_TYPES)).toMatchObject({ ok: true, entry: { type: 0 } });
    expect(lookupIcmpType("echo", ICMP_TYPES)).toMatchObject({ ok: false, reason: "ambiguous" });
    expect(lookupIcmpType("nope", ICMP_TYPES)).toMatchObject({ ok: false, reason: "unknown" });
    expect(lookupIcmpType("neighbour-solicitation", ICMPV6_TYPES)).toMatchObject({ ok: true, entry: { type: 135 } });
    expect(lookupIcmpType("packet-too-big", ICMPV6_TYPES)).toMatchObject({ ok: true, entry: { type: 2 } });
    expect(lookupIcmpType("no-route", ICMPV6_TYPES)).toMatchObject({ ok: true, entry: { type: 1, codeLo: 0, codeHi: 0 } });
  });
});
