/**
 * PAN-OS semantics: first match over pre-rulebases, the scope's own rules and post-rulebases
 * (Panorama-pushed and device-group hierarchies), the predefined intrazone/interzone rules and
 * their overrides, rule types, zones, addresses (literals, ranges, wildcards, nested and old-style
 * groups, dynamic groups, negation), services and App-ID defaults, NAT (security rules on the
 * pre-NAT packet and the post-NAT zone; bi-directional static NAT), virtual systems, management
 * profiles; undefined references are errors naming the object at its line.
 */
import { describe, expect, it } from "vitest";
import { verdictFor } from "../../../src/analysis/verdict.js";
import type { Packet } from "../../../src/model/finding.js";
import type { Ruleset } from "../../../src/model/types.js";
import { parsePanos } from "../../../parsers/panos/index.js";
import { detectFormat } from "../../../src/engine/formats.js";
import { findingsOf } from "../../rules/harness.js";

/** A firewall: ethernet1/1 untrust (Internet), ethernet1/2 trust, ethernet1/3 dmz (two interfaces). */
const NET = `set network interface ethernet ethernet1/1 layer3 ip 198.51.100.2/24
set network interface ethernet ethernet1/2 layer3 ip 10.1.0.1/24
set network interface ethernet ethernet1/3 layer3 ip 172.16.1.1/24
set network interface ethernet ethernet1/4 layer3 ip 172.16.2.1/24
set network virtual-router default routing-table ip static-route default destination 0.0.0.0/0
set network virtual-router default routing-table ip static-route default nexthop ip-address 198.51.100.1
set zone untrust network layer3 ethernet1/1
set zone trust network layer3 ethernet1/2
set zone dmz network layer3 [ ethernet1/3 ethernet1/4 ]
`;
const NET_LINES = NET.split("\n").length - 1;

function pa(text: string): Ruleset {
  return parsePanos(NET + text, "pa.set");
}

/** Errors, lines counted from the end of NET. */
const errors = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line - NET_LINES}:${d.column} ${d.message}`);

type Probe = Partial<Packet> & { src: string; dst: string };

function verdict(rs: Ruleset, p: Probe): string {
  const proto = p.proto ?? "tcp";
  const dport = p.dport ?? (proto === "tcp" || proto === "udp" ? 25 : undefined);
  const pk: Packet = { hook: "forward", iif: "ethernet1/1", oif: "ethernet1/3", family: p.src.includes(":") ? 6 : 4, ...p, proto, ...(dport !== undefined ? { dport } : {}) };
  return verdictFor(rs, pk).verdict;
}

/** A rule from untrust to dmz with the given extra lines (each `KEY VALUE`). */
function rule(name: string, ...lines: string[]): string {
  const base = ["from untrust", "to dmz", "source any", "destination any", "application any", "service any"];
  const keys = new Set(lines.map((l) => l.split(" ")[0]));
  return [...base.filter((b) => !keys.has(b.split(" ")[0])), ...lines].map((l) => `set rulebase security rules ${name} ${l}\n`).join("");
}

describe("panos security policy", () => {
  it("is detected in each of its forms", () => {
    expect(detectFormat(NET)).toBe("panos");
    expect(detectFormat(`<?xml version="1.0"?>\n<config version="9.1.0" urldb="paloaltonetworks">\n  <devices>\n    <entry name="localhost.localdomain"/>\n  </devices>\n</config>\n`)).toBe("panos");
    expect(detectFormat(`deviceconfig {\n  system {\n    hostname fw1;\n  }\n}\nvsys {\n  vsys1 {\n  }\n}\n`)).toBe("panos");
  });

  it("takes the first matching rule in order; move changes it", () => {
    const text = rule("smtp", "service svc-smtp", "action allow") + rule("deny-all", "action deny") + "set service svc-smtp protocol tcp port 25\n";
    const rs = pa(text);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.25" })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.25", dport: 80 })).toBe("drop");
    const moved = pa(text + "move rulebase security rules deny-all top\n");
    expect(verdict(moved, { src: "203.0.113.9", dst: "172.16.1.25" })).toBe("drop");
  });

  it("allows traffic within a zone and denies between zones by default, unless default-security-rules say otherwise", () => {
    const rs = pa("");
    expect(verdict(rs, { src: "172.16.1.5", dst: "172.16.2.5", iif: "ethernet1/3", oif: "ethernet1/4" })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.25" })).toBe("drop");
    // an interface in no zone carries nothing
    const unzoned = parsePanos(NET.replace("set zone dmz network layer3 [ ethernet1/3 ethernet1/4 ]\n", "set zone dmz network layer3 ethernet1/3\n"), "pa.set");
    expect(verdict(unzoned, { src: "172.16.2.5", dst: "172.16.2.6", iif: "ethernet1/4", oif: "ethernet1/4" })).toBe("drop");
    const flipped = pa("set rulebase default-security-rules rules intrazone-default action deny\nset rulebase default-security-rules rules interzone-default action allow\n");
    expect(verdict(flipped, { src: "172.16.1.5", dst: "172.16.2.5", iif: "ethernet1/3", oif: "ethernet1/4" })).toBe("drop");
    expect(verdict(flipped, { src: "203.0.113.9", dst: "172.16.1.25" })).toBe("accept");
  });

  it("reads rule types: intrazone only within a zone, interzone only between zones", () => {
    const rs = pa(rule("intra", "from dmz", "to dmz", "rule-type intrazone", "action deny") + rule("inter", "from [ untrust dmz ]", "to [ untrust dmz ]", "rule-type interzone", "action allow"));
    expect(verdict(rs, { src: "172.16.1.5", dst: "172.16.2.5", iif: "ethernet1/3", oif: "ethernet1/4" })).toBe("drop");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.25" })).toBe("accept");
    expect(verdict(rs, { src: "198.51.100.9", dst: "198.51.100.10", iif: "ethernet1/1", oif: "ethernet1/1" })).toBe("accept"); // intrazone-default
  });

  it("resolves literals, ranges, wildcards, nested and PAN-OS 5 groups, dynamic groups and negation", () => {
    const rs = pa(
      [
        "set address web ip-netmask 172.16.1.80/32",
        "set address pool ip-range 172.16.1.100-172.16.1.109",
        "set address odd ip-wildcard 172.16.1.1/0.0.0.254",
        "set address-group inner static [ web pool ]",
        "set address-group outer static [ inner 172.16.2.0/28 ]",
        "set address-group tagged dynamic filter \"'web' and 'prod'\"",
        "set shared address-group legacy odd",
      ].join("\n") + "\n" +
        rule("to-groups", "destination [ outer legacy ]", "action allow") +
        rule("not-admins", "source 203.0.113.0/24", "negate-source yes", "destination tagged", "action allow"),
    );
    expect(errors(rs)).toEqual([]);
    for (const dst of ["172.16.1.80", "172.16.1.105", "172.16.1.3", "172.16.1.255"]) expect(verdict(rs, { src: "203.0.113.9", dst }), dst).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.2.15", oif: "ethernet1/4" })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.110" })).toBe("drop");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.4" })).toBe("drop");
    // a dynamic group's members are not in the file; negated sources exclude 203.0.113.0/24
    expect(verdict(rs, { src: "192.0.2.9", dst: "172.16.1.50" })).toBe("unknown");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.50" })).toBe("drop");
  });

  it("reads services (port lists, source ports, groups, predefined) and App-ID on application-default", () => {
    const rs = pa(
      [
        "set service web protocol tcp port 80,8000-8010",
        "set service from-53 protocol udp port 1-65535",
        "set service from-53 protocol udp source-port 53",
        "set service-group both members [ web from-53 ]",
      ].join("\n") + "\n" +
        rule("svc", "service [ both service-https ]", "action allow") +
        rule("app", "destination 172.16.1.25", "application smtp", "service application-default", "action allow"),
    );
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.5", dport: 8005 })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.5", dport: 443 })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.5", dport: 8011 })).toBe("drop");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.5", proto: "udp", sport: 53, dport: 4000 })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.5", proto: "udp", sport: 54, dport: 4000 })).toBe("drop");
    // App-ID smtp on its standard ports: whether the traffic is SMTP is App-ID's call
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.25", dport: 25 })).toBe("unknown");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.25", dport: 26 })).toBe("drop");
    const smtp = findingsOf(rs, "exposed-service").filter((f) => f.exposure?.service === "smtp");
    expect(smtp.map((f) => [f.location.line - NET_LINES, f.uncertain === undefined])).toEqual([[12, true]]);
  });

  it("a custom application identified by its ICMP type: on application-default, that type (and code) only", () => {
    const rs = pa(
      [
        "set application echo-req default ident-by-icmp-type type 8",
        "set application unreach-port default ident-by-icmp-type type 3 code 3",
        "set application echo6 default ident-by-icmp6-type type 128",
      ].join("\n") + "\n" + rule("ping", "application [ echo-req unreach-port echo6 ]", "service application-default", "action allow"),
    );
    expect(errors(rs)).toEqual([]);
    const icmp = (type: number, code = 0, src = "203.0.113.9", dst = "172.16.1.5") => verdict(rs, { src, dst, proto: src.includes(":") ? "icmpv6" : "icmp", icmp_type: type, icmp_code: code });
    // whether the traffic is the application stays App-ID's call; on other types, codes or protocols the rule never matches
    expect(rs.diagnostics.filter((d) => d.severity === "warning")).toEqual([]);
    // (an ICMPv6 application tells that the firewall passes IPv6, with no IPv6 address in the file)
    expect(rs.families).toEqual([4, 6]);
    expect([icmp(8), icmp(3, 3), icmp(128, 0, "2001:db8::9", "2001:db8:1::5")]).toEqual(["unknown", "unknown", "unknown"]);
    expect(icmp(129, 0, "2001:db8::9", "2001:db8:1::5")).toBe("drop");
    expect([icmp(0), icmp(3, 1), verdict(rs, { src: "203.0.113.9", dst: "172.16.1.5", dport: 25 })]).toEqual(["drop", "drop", "drop"]);
    expect(findingsOf(rs, "exposed-service").filter((f) => f.exposure?.service === "smtp")).toEqual([]);
  });

  it("matches security rules on the pre-NAT destination and the post-NAT zone", () => {
    const rs = pa(
      [
        "set address public-web ip-netmask 198.51.100.10",
        "set rulebase nat rules web-in from untrust",
        "set rulebase nat rules web-in to untrust",
        "set rulebase nat rules web-in source any",
        "set rulebase nat rules web-in destination public-web",
        "set rulebase nat rules web-in service any",
        "set rulebase nat rules web-in destination-translation translated-address 172.16.1.80",
        "set rulebase nat rules web-in destination-translation translated-port 443",
      ].join("\n") + "\n" + rule("web", "destination public-web", "action allow"),
    );
    expect(errors(rs)).toEqual([]);
    const p = { src: "203.0.113.9", dst: "198.51.100.10", dport: 8443 };
    expect(verdict(rs, p)).toBe("accept");
    // the zone is the translated destination's: dmz, not untrust
    expect(verdict(rs, { ...p, oif: "ethernet1/2" })).toBe("drop");
    const https = findingsOf(rs, "exposed-service").find((f) => f.exposure?.service === "https");
    expect(https?.message).toMatch(/forwarded to 172\.16\.1\.80:443/);
  });

  it("runs Panorama's pushed pre- and post-rules around the local ones, and device groups through their parents", () => {
    const pushed = pa(
      "set policy panorama service rdp protocol tcp port 3389\n" +
        ["from any", "to any", "source any", "destination any", "application any", "service rdp", "action deny"].map((l) => `set policy panorama pre-rulebase security rules no-rdp ${l}\n`).join("") +
        rule("rdp", "service rdp", "action allow") +
        ["from untrust", "to dmz", "source any", "destination any", "application any", "service any", "action allow"].map((l) => `set policy panorama post-rulebase security rules all ${l}\n`).join(""),
    );
    expect(errors(pushed)).toEqual([]);
    expect(verdict(pushed, { src: "203.0.113.9", dst: "172.16.1.5", dport: 3389 })).toBe("drop");
    expect(verdict(pushed, { src: "203.0.113.9", dst: "172.16.1.5", dport: 80 })).toBe("accept");
    expect(findingsOf(pushed, "shadowed-rule").map((f) => f.location.line - NET_LINES)).toEqual([9]);

    const dg = parsePanos(
      [
        "set shared service svc-1 protocol tcp port 1001",
        "set shared service svc-2 protocol tcp port 1002",
        "set device-group parent pre-rulebase security rules p1 from any",
        "set device-group parent pre-rulebase security rules p1 to any",
        "set device-group parent pre-rulebase security rules p1 source any",
        "set device-group parent pre-rulebase security rules p1 destination any",
        "set device-group parent pre-rulebase security rules p1 service svc-1",
        "set device-group parent pre-rulebase security rules p1 action deny",
        "set device-group child parent-dg parent",
        "set device-group child pre-rulebase security rules c1 from any",
        "set device-group child pre-rulebase security rules c1 to any",
        "set device-group child pre-rulebase security rules c1 source any",
        "set device-group child pre-rulebase security rules c1 destination any",
        "set device-group child pre-rulebase security rules c1 service [ svc-1 svc-2 ]",
        "set device-group child pre-rulebase security rules c1 action allow",
      ].join("\n") + "\n",
      "panorama.set",
    );
    const chain = [...dg.chains.values()].find((c) => c.name === "security rules (device-group child)")!;
    expect(chain.rules.map((r) => r.id)).toEqual(["established sessions", "rule p1", "rule c1"]);
  });

  it("judges each virtual system's traffic by its own rules", () => {
    const rs = parsePanos(
      NET.replace(/^set zone /gm, "set vsys vsys1 zone ").replace("set vsys vsys1 zone dmz", "set vsys vsys2 zone dmz") +
        "set vsys vsys2 zone dmz2 network layer3 ethernet1/2\n" +
        ["from dmz", "to dmz2", "source any", "destination any", "application any", "service any", "action allow"].map((l) => `set vsys vsys2 rulebase security rules out ${l}\n`).join(""),
      "pa.set",
    );
    expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(verdict(rs, { src: "172.16.1.5", dst: "10.1.0.5", iif: "ethernet1/3", oif: "ethernet1/2" })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "10.1.0.5", iif: "ethernet1/1", oif: "ethernet1/2" })).toBe("drop");
  });

  it("answers on an interface what its management profile allows, from its permitted sources", () => {
    const rs = pa(
      [
        "set network profiles interface-management-profile mgmt https yes",
        "set network profiles interface-management-profile mgmt ssh yes",
        "set network profiles interface-management-profile mgmt permitted-ip 10.1.0.0/24",
        "set network profiles interface-management-profile open https yes",
        "set network interface ethernet ethernet1/2 layer3 interface-management-profile mgmt",
        "set network interface ethernet ethernet1/1 layer3 interface-management-profile open",
      ].join("\n") + "\n",
    );
    const input = (p: Probe) => verdict(rs, { hook: "input", oif: undefined, ...p });
    expect(input({ src: "10.1.0.9", dst: "10.1.0.1", iif: "ethernet1/2", dport: 22 })).toBe("accept");
    expect(input({ src: "10.9.0.9", dst: "10.1.0.1", iif: "ethernet1/2", dport: 22 })).toBe("drop");
    expect(input({ src: "203.0.113.9", dst: "198.51.100.2", iif: "ethernet1/1", dport: 22 })).toBe("drop");
    expect(input({ src: "203.0.113.9", dst: "198.51.100.2", iif: "ethernet1/1", dport: 443 })).toBe("accept");
    const web = findingsOf(rs, "exposed-service").filter((f) => f.exposure?.service === "panos-web");
    expect(web.length).toBe(1);
  });

  it("reports undefined references at their place as errors, and as warnings in a fragment", () => {
    const rs = pa(rule("r", "destination nowhere", "service no-svc", "to [ dmz lost ]", "action allow"));
    expect(errors(rs)).toEqual([
      "6:40 security rule 'r': to zone 'lost' is not a zone of vsys vsys1",
      "4:43 security rule 'r': destination 'nowhere' is not an address, address group, external list or IP address",
      "5:39 security rule 'r': service 'no-svc' is not a service or service group",
    ]);
    const fragment = parsePanos(rule("r", "destination nowhere", "action allow"), "fragment.set");
    expect(fragment.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(fragment.diagnostics.some((d) => d.severity === "warning" && d.message.includes("'nowhere'"))).toBe(true);
  });

  it("takes default-security-rules overrides from the firewall, then device groups inward-out, then shared", () => {
    const dg = parsePanos(
      [
        ...["from z1", "to z2", "source any", "destination 192.0.2.1", "application any", "service any", "action allow"].map((l) => `set device-group DG pre-rulebase security rules r ${l}`),
        "set device-group DG post-rulebase default-security-rules rules interzone-default action allow",
        "set shared post-rulebase default-security-rules rules interzone-default action deny",
      ].join("\n") + "\n",
      "dg.set",
    );
    expect(verdict(dg, { src: "198.51.100.9", dst: "192.0.2.9", iif: "z1", oif: "z2" })).toBe("accept");
    const local = pa("set rulebase default-security-rules rules interzone-default action allow\nset policy panorama post-rulebase default-security-rules rules interzone-default action deny\n");
    expect(verdict(local, { src: "203.0.113.9", dst: "172.16.1.25" })).toBe("accept");
  });

  it("knows every zone a device group's rules name before judging intrazone and interzone rules", () => {
    const rules = (name: string, lines: string[]) => lines.map((l) => `set device-group DG pre-rulebase security rules ${name} ${l}`).join("\n");
    const intra = parsePanos(rules("intra", ["from any", "to any", "source any", "destination any", "application any", "service any", "rule-type intrazone", "action deny"]) + "\n" + rules("all", ["from [ inside outside ]", "to [ inside outside ]", "source any", "destination any", "application any", "service any", "action allow"]) + "\n", "dg.set");
    expect(verdict(intra, { src: "10.0.0.1", dst: "10.0.0.2", iif: "inside", oif: "inside" })).toBe("drop");
    expect(verdict(intra, { src: "10.0.0.1", dst: "192.0.2.2", iif: "inside", oif: "outside" })).toBe("accept");
    expect(findingsOf(intra, "shadowed-rule")).toEqual([]);
    const inter = parsePanos(rules("inter", ["from any", "to any", "source any", "destination any", "application any", "service any", "rule-type interzone", "action allow"]) + "\n" + rules("deny", ["from inside", "to inside", "source any", "destination any", "application any", "service any", "action deny"]) + "\n", "dg.set");
    expect(verdict(inter, { src: "10.0.0.1", dst: "10.0.0.2", iif: "inside", oif: "inside" })).toBe("drop");
  });

  it("looks a name up scope by scope: a virtual system's group hides a shared address of the same name", () => {
    const rs = pa("set shared address web ip-netmask 172.16.1.99/32\nset address web1 ip-netmask 172.16.1.10\nset address-group web static web1\n" + rule("r", "destination web", "action allow"));
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.10" })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.99" })).toBe("drop");
  });

  it("keeps a wildcard with too many free bits as an unknown, not an error", () => {
    const rs = pa("set address odd ip-wildcard 172.16.0.1/0.0.255.254\n" + rule("r", "destination odd", "action allow"));
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.5" })).toBe("unknown");
  });

  it("places a NAT rule's original destination by the preferred default route and its to-interface", () => {
    const dnat = (extra: string[]) =>
      [
        "set network virtual-router default routing-table ip static-route backup destination 0.0.0.0/0",
        "set network virtual-router default routing-table ip static-route backup nexthop ip-address 192.0.2.1",
        "set network virtual-router default routing-table ip static-route backup metric 200",
        ...extra,
        ...["from untrust", "to untrust", "source any", "destination 203.0.113.10", "service any", "destination-translation translated-address 172.16.1.80"].map((l) => `set rulebase nat rules dnat ${l}`),
      ].join("\n") + "\n" + rule("web", "destination 203.0.113.10", "action allow");
    const backup = pa(dnat([]));
    expect(verdict(backup, { src: "198.51.100.9", dst: "203.0.113.10" })).toBe("accept");
    // the backup route (same distance, higher metric) does not take 0/0 from ethernet1/1: the DNAT applies
    expect(findingsOf(backup, "nat-port-forward-exposure").some((f) => /internal host 172\.16\.1\.80/.test(f.message))).toBe(true);
    const noNat = pa(dnat(["from untrust", "to untrust", "to-interface ethernet1/4", "source any", "destination any", "service any"].map((l) => `set rulebase nat rules nonat ${l}`)));
    // the no-NAT rule is for what leaves by ethernet1/4: 203.0.113.10 is routed out of ethernet1/1
    expect(verdict(noNat, { src: "198.51.100.9", dst: "203.0.113.10" })).toBe("accept");
  });

  it("reads values over several lines for any key, and several attributes of a rule on one line", () => {
    const rs = pa(
      'set shared certificate c public-key "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"\n' +
        "set rulebase security rules one from untrust to dmz source any destination [ 172.16.1.25 172.16.1.26 ] application any service any action allow\n",
    );
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.26" })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.27" })).toBe("drop");
  });

  it("reads rules' hip-profiles, and the XML API's <response><result> wrapper", () => {
    const rs = pa(rule("r", "hip-profiles corp-laptops", "action allow"));
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.25" })).toBe("unknown");
    const xml = parsePanos('<response status="success"><result><config version="10.1.0"><devices><entry name="localhost.localdomain"><vsys><entry name="vsys1"><rulebase><security><rules><entry name="r"><from><member>a</member></from><to><member>b</member></to><source><member>any</member></source><destination><member>any</member></destination><service><member>any</member></service><application><member>any</member></application><action>allow</action></entry></rules></security></rulebase></entry></vsys></entry></devices></config></result></response>\n', "api.xml");
    expect(xml.ruleCount).toBe(1);
  });

  it("passes traffic into another virtual system through an external zone, subject to that system's policy", () => {
    const rs = parsePanos(
      NET.replace(/^set zone /gm, "set vsys vsys1 zone ").replace("set vsys vsys1 zone dmz", "set vsys vsys2 zone dmz") +
        "set vsys vsys1 zone to-vsys2 network external vsys2\n" +
        ["from trust", "to to-vsys2", "source any", "destination any", "application any", "service any", "action allow"].map((l) => `set vsys vsys1 rulebase security rules out ${l}\n`).join(""),
      "pa.set",
    );
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(verdict(rs, { src: "10.1.0.5", dst: "172.16.1.5", iif: "ethernet1/2", oif: "ethernet1/3" })).toBe("unknown");
    expect(verdict(rs, { src: "10.1.0.5", dst: "203.0.113.5", iif: "ethernet1/2", oif: "ethernet1/1" })).toBe("drop");
  });
});

// An address group holding an FQDN address beside a host: the rule decides the host's packets for
// certain (the known part is a rule of its own, first), only the others perhaps.
describe("a group with an FQDN address beside a host", () => {
  const rs = pa(`set address mx ip-netmask 172.16.1.25/32
set address relay fqdn relay.example.com
set address-group mail static [ mx relay ]
${rule("to-mail", "destination mail", "action allow")}`);
  it("lets the host's packets in for certain, the others perhaps", () => {
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.25" })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.9", dst: "172.16.1.26" })).toBe("unknown");
  });
});
