/**
 * AWS network ACLs (`aws ec2 describe-network-acls` JSON): entries in RuleNumber order (not the
 * file's), first match, what each protocol string becomes, ICMP type/code, IPv6, statelessness,
 * AWS's `*` rules (listed or implied), the SDK's `{"data"}` wrapper, the fixture's must and
 * must-not findings, and bad input (an error at its place with what was expected, the other
 * entries still read, never an exception).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectAwsSecurityGroups } from "../../../parsers/aws/detect.js";
import { detectAwsNetworkAcls } from "../../../parsers/aws/nacl-detect.js";
import { parseAwsNetworkAcls } from "../../../parsers/aws/nacl-index.js";
import { packetToPoint } from "../../../src/analysis/packet.js";
import { tracePacket } from "../../../src/analysis/trace.js";
import { verdictFor } from "../../../src/analysis/verdict.js";
import { analyzeFile, analyzeText } from "../../../src/engine/check.js";
import { detectFormat } from "../../../src/engine/formats.js";
import type { Packet } from "../../../src/model/finding.js";
import type { CtState, Rule, Ruleset } from "../../../src/model/types.js";
import { expectations, matches, runRules } from "../../rules/harness.js";

const FIXTURE = join(import.meta.dirname, "..", "..", "..", "fixtures", "aws", "network-acls.json");
const SG_FIXTURE = join(import.meta.dirname, "..", "..", "..", "fixtures", "aws", "security-groups.json");

type Entry = Record<string, unknown>;
/** An entry as describe-network-acls prints it: inbound unless `out`, IPv4 unless the block has a ':'. */
function entry(n: number, protocol: string, action: "allow" | "deny", cidr: string, extra: Entry = {}, out = false): Entry {
  return { RuleNumber: n, Protocol: protocol, RuleAction: action, Egress: out, [cidr.includes(":") ? "Ipv6CidrBlock" : "CidrBlock"]: cidr, ...extra };
}
const tcp = (n: number, action: "allow" | "deny", cidr: string, from: number, to = from, out = false) => entry(n, "6", action, cidr, { PortRange: { From: from, To: to } }, out);
const acl = (id: string, entries: Entry[], extra: Entry = {}) => ({ Associations: [], Entries: entries, IsDefault: false, NetworkAclId: id, Tags: [], VpcId: "vpc-1", ...extra });
const doc = (acls: unknown[]) => JSON.stringify({ NetworkAcls: acls }, null, 4);
const parse = (acls: unknown[]) => parseAwsNetworkAcls(doc(acls), "nacl.json");

/** The rules of an ACL's chain for a direction, in evaluation order. */
const rulesOf = (rs: Ruleset, id: string, direction = "inbound"): Rule[] => rs.chains.get(`network-acls/${id} ${direction}`)?.rules ?? [];
const errors = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);

type Probe = Partial<Packet>;
/** The verdict for a packet into ACL `acl-1` (from 198.51.100.7 to tcp/22 unless told); `oif` makes it outbound. */
function verdict(rs: Ruleset, p: Probe = {}): string {
  const out = p.oif !== undefined;
  const src = p.src ?? (out ? "10.0.1.5" : "198.51.100.7");
  const proto = p.proto ?? "tcp";
  const pk: Packet = {
    hook: out ? "output" : "input",
    family: src.includes(":") ? 6 : 4,
    src,
    dst: p.dst ?? (out ? "203.0.113.10" : src.includes(":") ? "2001:db8:1::5" : "10.0.1.5"),
    proto,
    ...(proto === "tcp" || proto === "udp" ? { sport: 40000, dport: 22 } : {}),
    ...(out ? {} : { iif: "acl-1" }),
    ...p,
  };
  return verdictFor(rs, pk).verdict;
}

/** The verdict for a packet of a connection in conntrack state `state` (a reply: "established"). */
function verdictInState(rs: Ruleset, p: Packet, state: CtState): string {
  const pipeline = rs.pipelines.find((pl) => pl.kind === (p.hook === "output" ? "outbound" : "inbound") && pl.family === p.family)!;
  const paths = tracePacket(rs, pipeline, packetToPoint(p, state));
  return [...new Set(paths.map((x) => x.verdict))].join("|");
}

describe("aws network ACLs", () => {
  it("is detected from its content, wrapped or not, and neither reader claims the other's files", () => {
    const text = readFileSync(FIXTURE, "utf8");
    const sg = readFileSync(SG_FIXTURE, "utf8");
    expect(detectAwsNetworkAcls(text)).toBe(true);
    expect(detectFormat(text)).toBe("aws-nacl");
    expect(detectFormat(JSON.stringify({ status_code: 200, data: JSON.parse(text) }))).toBe("aws-nacl");
    expect(detectFormat('{"NetworkAcls": []}')).toBe("aws-nacl");
    expect(detectAwsSecurityGroups(text)).toBe(false);
    expect(detectAwsNetworkAcls(sg)).toBe(false);
    expect(detectFormat(sg)).toBe("aws-sg");
    expect(detectAwsNetworkAcls('{"nftables": [{"metainfo": {}}]}')).toBe(false);
    expect(detectAwsNetworkAcls('[{"NetworkAcls": []}]')).toBe(false);
    expect(detectAwsNetworkAcls('{"NetworkAclsX": [{"Entries": []}]}')).toBe(false);
  });

  it("runs each direction's entries in RuleNumber order, not the file's, and the first match decides", () => {
    const rs = parse([
      acl("acl-1", [
        tcp(300, "allow", "0.0.0.0/0", 0, 65535),
        tcp(200, "allow", "0.0.0.0/0", 22),
        tcp(100, "deny", "198.51.100.0/24", 22),
        tcp(150, "allow", "198.51.100.7/32", 22),
        tcp(100, "allow", "0.0.0.0/0", 443, 443, true),
      ]),
    ]);
    expect(errors(rs)).toEqual([]);
    expect(rulesOf(rs, "acl-1").map((r) => `${r.id} ${r.action.kind}`)).toEqual([
      "acl-1/inbound#100 drop",
      "acl-1/inbound#150 accept",
      "acl-1/inbound#200 accept",
      "acl-1/inbound#300 accept",
      "acl-1/inbound#* drop",
    ]);
    expect(rulesOf(rs, "acl-1", "outbound").map((r) => r.id)).toEqual(["acl-1/outbound#100", "acl-1/outbound#*"]);
    // rule 100 denies the /24 before rule 150 allows one address of it, and rule 200 everyone
    expect(verdict(rs, { src: "198.51.100.7" })).toBe("drop");
    expect(verdict(rs, { src: "203.0.113.9" })).toBe("accept");
    // the file lists rule 300 (allow all) first: were it first, the deny would never run
    expect(verdict(rs, { src: "198.51.100.9", dport: 8080 })).toBe("accept");
    expect(verdict(rs, { src: "198.51.100.9", dport: 22 })).toBe("drop");
    // a deny with a lower number makes a later allow of the same packets dead
    const dead = runRules(parse([acl("acl-1", [tcp(120, "allow", "0.0.0.0/0", 3389), tcp(90, "deny", "0.0.0.0/0", 3389)])]), (r) => r.id === "shadowed-rule");
    expect(dead.map((f) => f.message)).toEqual([expect.stringMatching(/never match.*DROP/)]);
  });

  it("reads the protocol as a number string, -1 as every protocol, ports only for TCP and UDP", () => {
    const rs = parse([
      acl("acl-1", [
        entry(100, "-1", "allow", "10.0.0.0/8", { PortRange: { From: 22, To: 22 } }),
        entry(110, "6", "allow", "0.0.0.0/0", { PortRange: { From: 80, To: 443 } }),
        entry(120, "17", "allow", "0.0.0.0/0", { PortRange: { From: 53, To: 53 } }),
        entry(130, "17", "allow", "0.0.0.0/0", { PortRange: { From: 0, To: 65535 } }),
        entry(140, "50", "allow", "192.0.2.1/32", { PortRange: { From: 500, To: 500 } }),
        entry(150, "tcp", "deny", "192.0.2.0/24"),
        { RuleNumber: 160, Protocol: 47, RuleAction: "allow", Egress: false, CidrBlock: "192.0.2.2/32" },
      ]),
    ]);
    expect(errors(rs)).toEqual([]);
    const kinds = rulesOf(rs, "acl-1").map((r) => r.conditions.map((c) => (c.kind === "proto" ? `proto ${c.protos}` : c.kind === "port" ? `dport ${c.ranges.map((x) => x.join("-"))}` : c.kind)).join(", "));
    expect(kinds).toEqual([
      "addr", // -1: every protocol, the port range ignored
      "proto 6, dport 80-443, addr",
      "proto 17, dport 53-53, addr",
      "proto 17, addr", // 0-65535 is every port
      "proto 50, addr", // other protocols: every packet of it, whatever ports are given
      "proto 6, addr", // a name is taken too (no PortRange: every port)
      "proto 47, addr", // a JSON number too
      "", // rule *
    ]);
    expect(verdict(rs, { src: "10.1.2.3", proto: "udp", dport: 9999 })).toBe("accept");
    expect(verdict(rs, { src: "198.51.100.7", proto: "tcp", dport: 444 })).toBe("drop");
    expect(verdict(rs, { src: "198.51.100.7", proto: "tcp", dport: 443 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", proto: "esp" })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.2", proto: "gre" })).toBe("accept");
  });

  it("matches ICMP by type and code (-1: any), ICMPv6 with an IPv6 block, and all ICMPv6 with an IPv4 one", () => {
    const rs = parse([
      acl("acl-1", [
        entry(100, "1", "allow", "0.0.0.0/0", { IcmpTypeCode: { Type: 3, Code: 4 } }),
        entry(110, "1", "allow", "203.0.113.0/24", { IcmpTypeCode: { Type: 8, Code: -1 } }),
        entry(120, "1", "allow", "192.0.2.0/24", { IcmpTypeCode: { Type: -1, Code: -1 } }),
        entry(130, "58", "allow", "::/0", { IcmpTypeCode: { Type: 128, Code: 0 } }),
        entry(140, "58", "allow", "10.0.0.0/8", { IcmpTypeCode: { Type: 128, Code: 0 } }),
      ]),
    ]);
    expect(errors(rs)).toEqual([]);
    expect(rulesOf(rs, "acl-1").slice(0, 5).map((r) => r.conditions.find((c) => c.kind === "icmp") ?? null)).toEqual([
      { kind: "icmp", family: 4, type: 3, codeLo: 4, codeHi: 4 },
      { kind: "icmp", family: 4, type: 8 },
      null,
      { kind: "icmp", family: 6, type: 128, codeLo: 0, codeHi: 0 },
      null, // AWS: protocol 58 with an IPv4 block allows every ICMP type and code
    ]);
    const icmp = (src: string, type: number, code = 0) => verdict(rs, { src, proto: src.includes(":") ? "icmpv6" : "icmp", icmp_type: type, icmp_code: code });
    expect(icmp("198.51.100.7", 3, 4)).toBe("accept");
    expect(icmp("198.51.100.7", 3, 1)).toBe("drop");
    expect(icmp("198.51.100.7", 8)).toBe("drop");
    expect(icmp("203.0.113.7", 8, 0)).toBe("accept");
    expect(icmp("203.0.113.7", 0)).toBe("drop");
    expect(icmp("192.0.2.7", 13)).toBe("accept");
    expect(icmp("2001:db8::7", 128)).toBe("accept");
    expect(icmp("2001:db8::7", 135)).toBe("drop");
  });

  it("keeps IPv4 and IPv6 blocks to their family", () => {
    const rs = parse([acl("acl-1", [tcp(100, "allow", "::/0", 443), tcp(110, "allow", "0.0.0.0/0", 22), tcp(120, "deny", "2001:db8::/32", 0, 65535, true)])]);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "2001:db8::7", dst: "2001:db8:1::5", dport: 443 })).toBe("accept");
    expect(verdict(rs, { src: "2001:db8::7", dst: "2001:db8:1::5", dport: 22 })).toBe("drop");
    expect(verdict(rs, { src: "198.51.100.7", dport: 443 })).toBe("drop");
    expect(verdict(rs, { src: "198.51.100.7", dport: 22 })).toBe("accept");
    const exposed = runRules(rs, (r) => r.id === "exposed-service").map((f) => `${f.exposure!.service}/${f.exposure!.family}`);
    expect(exposed.sort()).toEqual(["https/6", "ssh/4"]);
  });

  it("is stateless: a reply from the Internet to a client's ephemeral port passes only if an inbound entry allows it", () => {
    const reply: Packet = { hook: "input", family: 4, proto: "tcp", src: "93.184.216.34", sport: 443, dst: "10.0.1.5", dport: 45000, iif: "acl-1", tcp_flags: "A" };
    const outbound = [tcp(100, "allow", "0.0.0.0/0", 443, 443, true)];
    const without = parse([acl("acl-1", [...outbound, tcp(100, "allow", "0.0.0.0/0", 22)])]);
    const withEphemeral = parse([acl("acl-1", [...outbound, tcp(100, "allow", "0.0.0.0/0", 22), tcp(140, "allow", "0.0.0.0/0", 1024, 65535)])]);
    // the connection the reply belongs to was let out (outbound rule 100)...
    expect(verdict(without, { oif: "acl-1", src: "10.0.1.5", dst: "93.184.216.34", sport: 45000, dport: 443 })).toBe("accept");
    // ...but nothing remembers it: the reply is refused unless an inbound entry admits it
    expect(verdictInState(without, reply, "established")).toBe("drop");
    expect(verdictInState(withEphemeral, reply, "established")).toBe("accept");
    expect(verdict(withEphemeral, reply)).toBe("accept"); // the same packet opening a connection
    for (const chain of without.chains.values()) for (const r of chain.rules) expect(r.conditions.some((c) => c.kind === "ctstate")).toBe(false);
  });

  it("reads AWS's `*` rules where the export lists them, and implies them where it does not", () => {
    const listed = parse([
      acl("acl-1", [tcp(100, "allow", "0.0.0.0/0", 22), entry(32767, "-1", "deny", "0.0.0.0/0"), entry(32768, "-1", "deny", "::/0"), entry(100, "-1", "allow", "0.0.0.0/0", {}, true)]),
    ]);
    const text = doc([acl("acl-1", [tcp(100, "allow", "0.0.0.0/0", 22), entry(32767, "-1", "deny", "0.0.0.0/0"), entry(32768, "-1", "deny", "::/0"), entry(100, "-1", "allow", "0.0.0.0/0", {}, true)])]);
    const lines = text.split("\n");
    const lineOf = (needle: string, from = 0) => lines.findIndex((l, i) => i >= from && l.includes(needle)) + 1;
    const inbound = rulesOf(listed, "acl-1");
    // listed: at their RuleNumber, implied (AWS's, not the user's to move), nothing added
    expect(inbound.map((r) => `${r.id} ${r.action.kind} ${r.implied ?? false} ${r.span.line}`)).toEqual([
      `acl-1/inbound#100 accept false ${lineOf('"RuleNumber": 100')}`,
      `acl-1/inbound#32767 drop true ${lineOf('"RuleNumber": 32767')}`,
      `acl-1/inbound#32768 drop true ${lineOf('"RuleNumber": 32768')}`,
    ]);
    // outbound lists neither: one implied deny, told at the Entries key
    const out = rulesOf(listed, "acl-1", "outbound");
    expect(out.map((r) => `${r.id} ${r.action.kind} ${r.implied ?? false} ${r.span.line}:${r.span.column}`)).toEqual([
      `acl-1/outbound#100 accept false ${lineOf('"RuleNumber": 100', lineOf('"RuleNumber": 32768'))}:35`,
      `acl-1/outbound#* drop true ${lineOf('"Entries"')}:13`,
    ]);
    // an IPv4-only VPC's export lists 32767 only: the IPv6 one is implied, for IPv6 packets
    const v4only = parse([acl("acl-1", [tcp(100, "allow", "0.0.0.0/0", 22), entry(32767, "-1", "deny", "0.0.0.0/0")])]);
    expect(rulesOf(v4only, "acl-1").map((r) => `${r.id} ${JSON.stringify(r.conditions.filter((c) => c.kind === "family"))} ${r.implied ?? false}`)).toEqual([
      "acl-1/inbound#100 [] false",
      "acl-1/inbound#32767 [] true",
      'acl-1/inbound#*6 [{"kind":"family","family":6}] true',
    ]);
    // the default ACL's allow-all is what it allows; the `*` rule after it is not reported as dead
    const dflt = parse([acl("acl-1", [entry(100, "-1", "allow", "0.0.0.0/0"), entry(32767, "-1", "deny", "0.0.0.0/0"), entry(100, "-1", "allow", "0.0.0.0/0", {}, true), entry(32767, "-1", "deny", "0.0.0.0/0", {}, true)], { IsDefault: true })]);
    const findings = runRules(dflt);
    const structural = ["shadowed-rule", "redundant-rule", "correlated-rules", "rule-generalization", "rule-after-catch-all", "unreachable-chain"];
    expect(findings.filter((f) => structural.includes(f.ruleId)).map((f) => f.message)).toEqual([]);
    expect(findings.filter((f) => f.ruleId === "exposed-service").map((f) => f.exposure!.service).sort()).toEqual(["every-port", "every-port"]);
  });

  it("reads an SDK recording's {\"data\": ...} as the CLI's output, placed in the recording", () => {
    const acls = [acl("acl-1", [tcp(100, "allow", "0.0.0.0/0", 22), tcp(90, "deny", "0.0.0.0/0", 22)])];
    const plain = parse(acls);
    const wrappedText = JSON.stringify({ status_code: 200, data: { NetworkAcls: acls, ResponseMetadata: { HTTPStatusCode: 200 } } }, null, 4);
    const wrapped = parseAwsNetworkAcls(wrappedText, "w.json");
    expect(errors(wrapped)).toEqual([]);
    const shape = (rs: Ruleset) => rulesOf(rs, "acl-1").map((r) => [r.id, r.action.kind, r.conditions]);
    expect(shape(wrapped)).toEqual(shape(plain));
    expect(verdict(wrapped)).toBe("drop");
    expect(rulesOf(wrapped, "acl-1")[0]!.span.line).toBe(wrappedText.split("\n").findIndex((l) => l.includes('"RuleNumber": 90')) + 1);
  });

  it("names the subnets an ACL guards in its chains' labels, and finds a listed ACL twice", () => {
    const rs = parse([
      acl("acl-1", [], { Associations: [{ SubnetId: "subnet-a" }, { SubnetId: "subnet-b" }], Tags: [{ Key: "Name", Value: "web" }] }),
      acl("acl-2", [], { IsDefault: true, VpcId: "vpc-9" }),
      acl("acl-1", []),
    ]);
    expect(rs.chains.get("network-acls/acl-1 inbound")!.label).toBe("network ACL acl-1 (web; subnets subnet-a, subnet-b) inbound entries");
    expect(rs.chains.get("network-acls/acl-2 outbound")!.label).toBe("network ACL acl-2 (the default of vpc-9; no subnet associated) outbound entries");
    expect(rs.diagnostics.map((d) => d.message)).toEqual(["network ACL acl-1 is listed twice: the first is read"]);
  });

  it("gives the fixture's declared findings, and none of those it rules out", () => {
    const text = readFileSync(FIXTURE, "utf8");
    const rs = parseAwsNetworkAcls(text, "fixtures/aws/network-acls.json");
    expect(errors(rs)).toEqual([]);
    expect(rs.ruleCount).toBe(21);
    const findings = runRules(rs);
    const summary = findings.map((f) => `${f.location.line} ${f.ruleId} ${f.exposure?.service ?? ""} ${f.message}`).join("\n");
    const exps = expectations(readFileSync(FIXTURE.replace(/\.json$/, ".expect"), "utf8"));
    expect(exps.length).toBeGreaterThan(10);
    for (const e of exps) {
      const hit = findings.filter((f) => matches(f, e));
      if (e.negate) expect(hit, `${e.text}\nfindings:\n${summary}`).toEqual([]);
      else expect(hit.length, `${e.text}\nfindings:\n${summary}`).toBeGreaterThan(0);
    }
  });

  it("reports bad input at its place, with what was expected, and reads the other entries and ACLs", () => {
    const text = doc([
      acl("acl-1", [
        entry(100, "tcpp", "allow", "0.0.0.0/0"),
        entry(110, "6", "allow", "10.0.0.300/8", { PortRange: { From: 22, To: 22 } }),
        { RuleNumber: 120, Protocol: "6", Egress: false, CidrBlock: "0.0.0.0/0", PortRange: { From: 25, To: 25 } },
        { RuleNumber: 130, Protocol: "6", RuleAction: "allow", Egress: false, PortRange: { From: 80, To: 80 } },
        { RuleNumber: 140, Protocol: "6", RuleAction: "allow", Egress: false, CidrBlock: "0.0.0.0/0", Ipv6CidrBlock: "::/0" },
        entry(150, "6", "allow", "0.0.0.0/0", { PortRange: { From: 70000, To: 70000 } }),
        entry(160, "17", "allow", "::/0", { PortRange: { From: 53, To: 53 } }),
        entry(170, "6", "allow", "0.0.0.0/0", { PortRange: { From: 443, To: 443 } }),
      ]),
      { Entries: [] },
      acl("acl-3", [tcp(100, "allow", "0.0.0.0/0", 25)]),
    ]);
    const rs = parseAwsNetworkAcls(text, "bad.json");
    const lines = text.split("\n");
    const at = (needle: string, from = 0) => {
      const i = lines.findIndex((l, k) => k >= from && l.includes(needle));
      return `${i + 1}:${lines[i]!.indexOf(needle) + 1}`;
    };
    const objectOf = (needle: string) => {
      const i = lines.findIndex((l) => l.includes(needle));
      let k = i;
      while (!lines[k]!.trim().startsWith("{")) k--;
      return `${k + 1}:${lines[k]!.indexOf("{") + 1}`;
    };
    const byPlace = (a: string, b: string) => Number(a.split(":")[0]) - Number(b.split(":")[0]) || Number(a.split(":")[1]!.split(" ")[0]) - Number(b.split(":")[1]!.split(" ")[0]);
    expect(errors(rs).sort(byPlace)).toEqual([
      `${objectOf('"RuleNumber": 120')} NetworkAcls[0].Entries[2].RuleAction: required field is missing: the entry is left out`,
      `${at("70000")} NetworkAcls[0].Entries[5].PortRange.From: must be <= 65535: the entry is left out`,
      `${at("70000", lines.findIndex((l) => l.includes("70000")) + 1)} NetworkAcls[0].Entries[5].PortRange.To: must be <= 65535: the entry is left out`,
      `${objectOf('"Entries": []')} NetworkAcls[1].NetworkAclId: required field is missing: the network ACL is left out`,
      `${at('"tcpp"')} NetworkAcls[0].Entries[0].Protocol: 'tcpp' is not a protocol: expected "-1" (every protocol) or a protocol number 0-255 such as "6" (TCP), "17" (UDP), "1" (ICMP) or "58" (ICMPv6): inbound rule 100 is left out`,
      `${at('"10.0.0.300/8"')} NetworkAcls[0].Entries[1].CidrBlock: '10.0.0.300/8' is not an IPv4 CIDR block ('10.0.0.300' is not an IPv4 address): inbound rule 110 is left out`,
      `${objectOf('"RuleNumber": 130')} NetworkAcls[0].Entries[3]: expected a CidrBlock (IPv4) or an Ipv6CidrBlock: the entry is left out`,
      `${at('"::/0"')} NetworkAcls[0].Entries[4]: expected a CidrBlock or an Ipv6CidrBlock, not both (AWS keeps one per entry): the entry is left out`,
    ].sort(byPlace));
    // the good entries of acl-1 and all of acl-3 are still analysed
    expect(rulesOf(rs, "acl-1").filter((r) => !r.implied).map((r) => r.id)).toEqual(["acl-1/inbound#160", "acl-1/inbound#170"]);
    expect(verdict(rs, { dport: 443 })).toBe("accept");
    expect(rulesOf(rs, "acl-3").map((r) => r.id)).toEqual(["acl-3/inbound#100", "acl-3/inbound#*"]);
    const broken = parseAwsNetworkAcls('{"NetworkAcls": [\n  {"NetworkAclId": "acl-1",\n}', "broken.json");
    expect(errors(broken)).toHaveLength(1);
    expect(errors(broken)[0]).toMatch(/^3:1 expected valid JSON/);
    // a file nothing could be read from is not vouched for: `check` says so (exit status 2)
    expect(broken.chains.size).toBe(0);
    expect(analyzeText("broken.json", '{"NetworkAcls": [\n  {"NetworkAclId": "acl-1",\n}').fatal).toMatch(/could not be parsed as aws-nacl/);
    const empty = parseAwsNetworkAcls('{"NetworkAcls": []}', "e.json");
    expect(empty.diagnostics.map((d) => `${d.severity} ${d.line}:${d.column} ${d.message}`)).toEqual(["info 1:17 the document holds no network ACLs"]);
    expect(analyzeText("e.json", '{"NetworkAcls": []}').fatal).toBeUndefined();
    expect(errors(parseAwsNetworkAcls('{"NetworkAcl": []}', "x.json"))).toEqual(["1:1 the document: expected a NetworkAcls list (aws ec2 describe-network-acls output)"]);
    expect(errors(parseAwsNetworkAcls('{"NetworkAcls": {}}', "x.json"))).toEqual(["1:17 NetworkAcls: must be a list"]);
  });

  it("warns of two entries with one number in one direction, and of a port range that is upside down", () => {
    const rs = parse([acl("acl-1", [tcp(100, "allow", "0.0.0.0/0", 22), tcp(100, "deny", "0.0.0.0/0", 22), tcp(110, "allow", "0.0.0.0/0", 90, 80), tcp(100, "allow", "0.0.0.0/0", 25, 25, true)])]);
    expect(errors(rs)).toEqual([]);
    expect(rs.diagnostics.map((d) => d.message)).toEqual([
      "network ACL acl-1 has two inbound entries numbered 100 (AWS allows one per number and direction): both are read, in the file's order",
      "NetworkAcls[0].Entries[2].PortRange: From 90 is above To 80: inbound rule 110 matches nothing",
    ]);
    expect(verdict(rs)).toBe("accept");
    expect(rulesOf(rs, "acl-1").map((r) => r.id)).toEqual(["acl-1/inbound#100", "acl-1/inbound#100/2", "acl-1/inbound#*"]);
  });

  it("never throws on arbitrary JSON or mutated input, and says where any error is", () => {
    const check = (t: string) => {
      const rs = parseAwsNetworkAcls(t, "m.json");
      for (const d of rs.diagnostics) {
        expect(d.line).toBeGreaterThan(0);
        expect(d.column).toBeGreaterThan(0);
        expect(d.message).not.toMatch(/internal error/);
      }
    };
    fc.assert(fc.property(fc.jsonValue(), (v) => check(JSON.stringify(v))), { numRuns: 300 });
    // arbitrary values where the ACLs and their entries go
    const anything = fc.jsonValue({ maxDepth: 3 });
    const entries = fc.array(fc.oneof(anything, fc.record({ RuleNumber: anything, Protocol: anything, RuleAction: fc.constantFrom("allow", "deny"), Egress: fc.boolean(), CidrBlock: fc.constantFrom("0.0.0.0/0", "10.0.0.0/8", "x", "::/0"), PortRange: anything, IcmpTypeCode: anything })), { maxLength: 5 });
    fc.assert(
      fc.property(fc.array(fc.oneof(anything, fc.record({ NetworkAclId: fc.constantFrom("acl-1", "acl-2"), Entries: entries, Associations: anything, Tags: anything })), { maxLength: 3 }), fc.boolean(), (acls, wrap) => {
        check(JSON.stringify(wrap ? { data: { NetworkAcls: acls } } : { NetworkAcls: acls }, null, 2));
      }),
      { numRuns: 300 },
    );
    const text = readFileSync(FIXTURE, "utf8");
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(text.length), fc.nat(6), fc.constantFrom("", "{", "]", '"', "-1", "0.0.0.0/0", '"Protocol": 7', '"RuleNumber": 0', "null", ",")), { maxLength: 4 }), (edits) => {
        let t = text;
        for (const [at, del, ins] of edits) t = t.slice(0, at % (t.length + 1)) + ins + t.slice((at % (t.length + 1)) + del);
        check(t);
      }),
      { numRuns: 300 },
    );
  });

  it("reports an opening on each ACL it is on, each at its own entry, naming the ACL", async () => {
    const entry = { RuleNumber: 100, Protocol: "6", RuleAction: "allow", Egress: false, CidrBlock: "0.0.0.0/0", PortRange: { From: 22, To: 22 } };
    const text = JSON.stringify({ NetworkAcls: [{ NetworkAclId: "acl-1", Entries: [entry] }, { NetworkAclId: "acl-2", Entries: [entry] }] }, null, 2);
    const res = await analyzeFile("two.json", text);
    const ssh = res.findings.filter((f) => f.ruleId === "exposed-service" && f.exposure?.service === "ssh");
    // outgoing mail is the subnet's hosts', not "this host"
    const fixture = await analyzeFile("network-acls.json", readFileSync(join(import.meta.dirname, "..", "..", "..", "fixtures", "aws", "network-acls.json"), "utf8"));
    expect(fixture.findings.filter((f) => f.ruleId === "outbound-smtp-open").map((f) => f.message)).toEqual([expect.stringMatching(/is allowed from the hosts behind acl-0f1e2d3c4b5a60001 on the outbound path/)]);
    const lines = text.split("\n").flatMap((l, i) => (l.includes('"RuleNumber": 100') ? [i + 1] : []));
    expect(ssh.map((f) => [f.exposure!.target, f.witness!.iif, f.location.line])).toEqual([
      ["acl-1", "acl-1", lines[0]],
      ["acl-2", "acl-2", lines[1]],
    ]);
  });

  it("warns of entries AWS would not take: a TCP entry without its port range, a user entry numbered as a * rule", () => {
    const acl = (entries: unknown[]) => parseAwsNetworkAcls(JSON.stringify({ NetworkAcls: [{ NetworkAclId: "acl-1", Entries: entries }] }, null, 2), "w.json");
    const rs = acl([
      { RuleNumber: 100, Protocol: "6", RuleAction: "allow", Egress: false, CidrBlock: "0.0.0.0/0" },
      { RuleNumber: 110, Protocol: "17", RuleAction: "allow", Egress: false, CidrBlock: "0.0.0.0/0", PortRange: { From: 53 } },
      { RuleNumber: 32767, Protocol: "-1", RuleAction: "allow", Egress: false, CidrBlock: "0.0.0.0/0" },
    ]);
    const warned = rs.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);
    expect(warned).toEqual([
      expect.stringMatching(/Entries\[0\]\.PortRange: AWS requires From and To for TCP and UDP entries; read as every port$/),
      expect.stringMatching(/Entries\[1\]\.PortRange: AWS requires From and To .*the missing end read as 0 or 65535$/),
      expect.stringMatching(/inbound rule 32767 is numbered as AWS's \* rules are .* read as written$/),
    ]);
  });
});
