/**
 * FortiOS semantics: policies in table order (not by id), the implicit deny, a policy without an
 * action denies, disabled policies, interfaces and zones, address groups with exclusions, negation,
 * services (dst:src port ranges, ICMP, predefined ones), VIPs and match-vip, local-in policies and
 * allowaccess, VDOMs; undefined references are errors that name the object and its line.
 */
import { describe, expect, it } from "vitest";
import { verdictFor } from "../../../src/analysis/verdict.js";
import type { Packet } from "../../../src/model/finding.js";
import type { Ruleset } from "../../../src/model/types.js";
import { parseFortios } from "../../../parsers/fortios/index.js";
import { detectFormat } from "../../../src/engine/formats.js";
import { findingsOf } from "../../rules/harness.js";

const IFACES = `config system interface
    edit "wan1"
        set ip 198.51.100.2 255.255.255.0
        set allowaccess ping
        set role wan
    next
    edit "dmz"
        set ip 10.10.10.1 255.255.255.0
    next
    edit "lan"
        set ip 192.168.1.1 255.255.255.0
        set allowaccess ping https ssh
    next
end
`;

function fgt(text: string): Ruleset {
  return parseFortios(IFACES + text, "fgt.conf");
}

/** Errors, lines counted from the end of IFACES. */
const errors = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line - 15}:${d.column} ${d.message}`);

type Probe = Partial<Packet> & { src: string; dst: string };

function verdict(rs: Ruleset, p: Probe): string {
  const proto = p.proto ?? "tcp";
  const dport = p.dport ?? (proto === "tcp" || proto === "udp" ? 25 : undefined);
  const pk: Packet = { hook: "forward", iif: "wan1", oif: "dmz", family: p.src.includes(":") ? 6 : 4, ...p, proto, ...(dport !== undefined ? { dport } : {}) };
  return verdictFor(rs, pk).verdict;
}

function policies(body: string): string {
  return `config firewall policy\n${body}end\n`;
}

const ALL_TO_DMZ = `        set srcintf "wan1"
        set dstintf "dmz"
        set srcaddr "all"
        set dstaddr "all"
`;

describe("fortios policies", () => {
  it("is detected from the backup header or from its blocks", () => {
    expect(detectFormat(`#config-version=FGT60F-7.2.5-FW-build1517:opmode=0\n`)).toBe("fortios");
    expect(detectFormat(IFACES)).toBe("fortios");
  });

  it("takes policies in table order: move decides, the edit number is only a name", () => {
    const text = policies(`    edit 1
${ALL_TO_DMZ}        set action accept
        set service "SMTP"
    next
    edit 2
${ALL_TO_DMZ}        set action deny
        set service "ALL"
    next
`);
    const before = fgt(text);
    expect(verdict(before, { src: "203.0.113.9", dst: "10.10.10.25" })).toBe("accept");
    const moved = fgt(text.replace("end\n", "    move 2 before 1\nend\n"));
    expect(verdict(moved, { src: "203.0.113.9", dst: "10.10.10.25" })).toBe("drop");
  });

  it("denies what no policy matches, and a policy without an action denies", () => {
    const rs = fgt(policies(`    edit 5
${ALL_TO_DMZ}        set service "SMTP"
    next
    edit 6
${ALL_TO_DMZ}        set action accept
        set service "ALL"
    next
`));
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "203.0.113.9", dst: "10.10.10.25" })).toBe("drop");
    expect(verdict(rs, { src: "203.0.113.9", dst: "10.10.10.25", dport: 80 })).toBe("accept");
    // dmz -> wan1: nothing matches
    expect(verdict(rs, { src: "10.10.10.25", dst: "203.0.113.9", iif: "dmz", oif: "wan1", dport: 80 })).toBe("drop");
  });

  it("leaves a disabled policy out", () => {
    const rs = fgt(policies(`    edit 1
${ALL_TO_DMZ}        set action accept
        set service "ALL"
        set status disable
    next
`));
    expect(verdict(rs, { src: "203.0.113.9", dst: "10.10.10.25" })).toBe("drop");
    expect(rs.diagnostics.some((d) => d.severity === "info" && d.message === "policy 1 is disabled (set status disable); it is not a rule")).toBe(true);
  });

  it("resolves nested groups, exclusions and negation", () => {
    const rs = fgt(`config firewall address
    edit "net"
        set subnet 10.10.10.0 255.255.255.0
    next
    edit "host5"
        set subnet 10.10.10.5/32
    next
    edit "range"
        set type iprange
        set start-ip 10.10.10.100
        set end-ip 10.10.10.110
    next
end
config firewall addrgrp
    edit "inner"
        set member "net"
    next
    edit "outer"
        set member "inner"
        set exclude enable
        set exclude-member "host5" "range"
    next
end
${policies(`    edit 1
        set srcintf "wan1"
        set dstintf "dmz"
        set srcaddr "outer"
        set srcaddr-negate enable
        set dstaddr "outer"
        set action accept
        set service "ALL"
    next
`)}`);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "203.0.113.9", dst: "10.10.10.4" })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "10.10.10.5" })).toBe("drop");
    expect(verdict(rs, { src: "203.0.113.9", dst: "10.10.10.105" })).toBe("drop");
    // negated source: a source inside the group is refused, one outside it (or excluded from it) passes
    expect(verdict(rs, { src: "10.10.10.4", dst: "10.10.10.4" })).toBe("drop");
    expect(verdict(rs, { src: "10.10.10.5", dst: "10.10.10.4" })).toBe("accept");
  });

  it("reads service port ranges DST[-DST2][:SRC[-SRC2]], ICMP type and code, IP protocol numbers, groups and predefined services", () => {
    const rs = fgt(`config firewall service custom
    edit "odd"
        set tcp-portrange 1000-1001:7-8 2000
        set udp-portrange 53
    next
    edit "echo"
        set protocol ICMP
        set icmptype 8
        set icmpcode 0
    next
    edit "gre"
        set protocol IP
        set protocol-number 47
    next
end
config firewall service group
    edit "g"
        set member "odd" "echo" "gre" "HTTPS"
    next
end
${policies(`    edit 1
${ALL_TO_DMZ}        set action accept
        set service "g"
    next
`)}`);
    expect(errors(rs)).toEqual([]);
    const to = { src: "203.0.113.9", dst: "10.10.10.9" };
    expect(verdict(rs, { ...to, dport: 1001, sport: 8 })).toBe("accept");
    expect(verdict(rs, { ...to, dport: 1001, sport: 9 })).toBe("drop");
    expect(verdict(rs, { ...to, dport: 2000, sport: 40000 })).toBe("accept");
    expect(verdict(rs, { ...to, proto: "udp", dport: 53 })).toBe("accept");
    expect(verdict(rs, { ...to, proto: "tcp", dport: 53 })).toBe("drop");
    expect(verdict(rs, { ...to, dport: 443 })).toBe("accept");
    expect(verdict(rs, { ...to, proto: "icmp", icmp_type: 8, icmp_code: 0 })).toBe("accept");
    expect(verdict(rs, { ...to, proto: "icmp", icmp_type: 13, icmp_code: 0 })).toBe("drop");
    expect(verdict(rs, { ...to, proto: "gre" })).toBe("accept");
  });

  it("matches zones by their member interfaces, and passes traffic inside a zone with intrazone allow", () => {
    const rs = fgt(`config system zone
    edit "inside"
        set interface "dmz" "lan"
        set intrazone allow
    next
end
${policies(`    edit 1
        set srcintf "wan1"
        set dstintf "inside"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "HTTPS"
    next
`)}`);
    expect(verdict(rs, { src: "203.0.113.9", dst: "192.168.1.9", oif: "lan", dport: 443 })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "10.10.10.9", oif: "dmz", dport: 443 })).toBe("accept");
    expect(verdict(rs, { src: "192.168.1.9", dst: "10.10.10.9", iif: "lan", oif: "dmz", dport: 3306 })).toBe("accept");
    expect(verdict(rs, { src: "10.10.10.9", dst: "203.0.113.9", iif: "dmz", oif: "wan1", dport: 443 })).toBe("drop");
  });

  it("translates VIP destinations, and a deny lets VIP traffic by unless match-vip is enabled", () => {
    const text = `config firewall vip
    edit "web"
        set extip 198.51.100.10
        set mappedip "10.10.10.80"
        set extintf "wan1"
        set portforward enable
        set extport 8443
        set mappedport 443
    next
end
${policies(`    edit 1
${ALL_TO_DMZ}        set service "ALL"
    next
    edit 2
        set srcintf "wan1"
        set dstintf "dmz"
        set srcaddr "all"
        set dstaddr "web"
        set action accept
        set service "HTTPS"
    next
`)}`;
    const rs = fgt(text);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "203.0.113.9", dst: "198.51.100.10", dport: 8443 })).toBe("accept");
    // straight to the mapped address, not translated: the deny takes it
    expect(verdict(rs, { src: "203.0.113.9", dst: "10.10.10.80", dport: 443 })).toBe("drop");
    const strict = fgt(text.replace('        set service "ALL"\n', '        set service "ALL"\n        set match-vip enable\n'));
    expect(verdict(strict, { src: "203.0.113.9", dst: "198.51.100.10", dport: 8443 })).toBe("drop");
  });

  it("judges traffic to the device by the local-in policies, then by what the interfaces allow", () => {
    const rs = fgt(`config firewall address
    edit "admins"
        set subnet 203.0.113.0/29
    next
end
config firewall local-in-policy
    edit 1
        set intf "lan"
        set srcaddr "admins"
        set dstaddr "all"
        set action accept
        set service "SSH"
        set schedule "always"
    next
    edit 2
        set intf "lan"
        set srcaddr "all"
        set dstaddr "all"
        set service "SSH"
        set schedule "always"
    next
end
`);
    const to = (src: string, dport: number, iif = "lan") => verdictFor(rs, { hook: "input", iif, family: 4, proto: "tcp", src, dst: "192.168.1.1", dport }).verdict;
    expect(to("203.0.113.2", 22)).toBe("accept");
    expect(to("192.168.1.50", 22)).toBe("drop");
    expect(to("192.168.1.50", 443)).toBe("accept");
    // wan1 answers ping only
    expect(to("192.168.1.50", 443, "wan1")).toBe("drop");
    const admin = findingsOf(rs, "exposed-service").filter((f) => f.exposure?.service === "fortigate-admin");
    expect(admin.map((f) => f.location.line)).toEqual([12]);
  });

  it("judges each VDOM's traffic by its own policies", () => {
    const rs = parseFortios(`config vdom
edit root
next
edit dmz
next
end
config global
config system interface
    edit "wan1"
        set vdom "root"
    next
    edit "lan"
        set vdom "root"
    next
    edit "dmz1"
        set vdom "dmz"
    next
    edit "dmz2"
        set vdom "dmz"
    next
end
end
config vdom
edit root
config firewall policy
    edit 1
        set srcintf "wan1"
        set dstintf "lan"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "SSH"
    next
end
next
edit dmz
config firewall policy
    edit 1
        set srcintf "dmz1"
        set dstintf "dmz2"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "ALL"
    next
end
next
end
`, "vdoms.conf");
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "203.0.113.9", dst: "192.168.1.9", oif: "lan", dport: 22 })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "192.168.1.9", oif: "lan", dport: 80 })).toBe("drop");
    expect(verdict(rs, { src: "10.0.0.1", dst: "10.0.1.1", iif: "dmz1", oif: "dmz2", dport: 80 })).toBe("accept");
    expect(verdict(rs, { src: "10.0.1.1", dst: "10.0.0.1", iif: "dmz2", oif: "dmz1", dport: 80 })).toBe("drop");
  });

  it("reports undefined references as errors naming the object, and keeps analysing", () => {
    const rs = fgt(policies(`    edit 1
        set srcintf "wan9"
        set dstintf "dmz"
        set srcaddr "nowhere"
        set dstaddr "all"
        set action accept
        set service "NOPE" "SMTP"
    next
`));
    expect(errors(rs)).toEqual([
      "2:21 policy 1: srcintf 'wan9' is not an interface or zone of this device",
      "4:21 policy 1: srcaddr 'nowhere' is not a defined IPv4 address or address group",
      "7:21 policy 1: service 'NOPE' is not defined (neither in 'firewall service custom', 'firewall service group' nor a predefined service)",
    ]);
    expect(rs.chains.get("firewall/firewall policy")!.rules.filter((r) => !r.implied).map((r) => r.id)).toEqual(["policy 1"]);
  });
});

// An address group holding an FQDN address beside a host: the policy decides the host's packets
// for certain (the known part is a rule of its own, first), only the others perhaps.
describe("a group with an FQDN address beside a host", () => {
  /** mx (a host) and relay (an fqdn), in group mail. */
  const MAIL = `config firewall address
    edit "mx"
        set subnet 10.10.10.25 255.255.255.255
    next
    edit "relay"
        set type fqdn
        set fqdn "relay.example.com"
    next
end
config firewall addrgrp
    edit "mail"
        set member "mx" "relay"
    next
end
`;
  const rs = fgt(`${MAIL}${policies(`    edit 1
        set srcintf "wan1"
        set dstintf "dmz"
        set srcaddr "all"
        set dstaddr "mail"
        set action accept
        set service "SMTP"
    next
`)}`);
  it("lets SMTP to the host in for certain, to others perhaps", () => {
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "203.0.113.9", dst: "10.10.10.25" })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "10.10.10.26" })).toBe("unknown");
  });
  it("also in a policy for both families (the group's or inside the per-family one)", () => {
    const dual = fgt(`${MAIL}config firewall address6
    edit "mx6"
        set ip6 2001:db8:10::25/128
    next
end
${policies(`    edit 1
        set srcintf "wan1"
        set dstintf "dmz"
        set srcaddr "all"
        set dstaddr "mail"
        set srcaddr6 "all"
        set dstaddr6 "mx6"
        set action accept
        set service "SMTP"
    next
`)}`);
    expect(errors(dual)).toEqual([]);
    expect(verdict(dual, { src: "203.0.113.9", dst: "10.10.10.25" })).toBe("accept");
    expect(verdict(dual, { src: "203.0.113.9", dst: "10.10.10.26" })).toBe("unknown");
    expect(verdict(dual, { src: "2001:db8:99::9", dst: "2001:db8:10::25" })).toBe("accept");
    expect(verdict(dual, { src: "2001:db8:99::9", dst: "2001:db8:10::26" })).toBe("drop");
  });
});
