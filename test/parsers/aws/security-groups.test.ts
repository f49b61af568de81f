/**
 * AWS security groups (`aws ec2 describe-security-groups` JSON): what each permission becomes,
 * where findings point, the fixture's must and must-not findings, and bad input (an error at the
 * place with what was expected, the other groups still read, never an exception).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectAwsSecurityGroups } from "../../../parsers/aws/detect.js";
import { parseAwsSecurityGroups } from "../../../parsers/aws/index.js";
import { detectFormat } from "../../../src/engine/formats.js";
import { analyzeFile } from "../../../src/engine/check.js";
import type { Rule, Ruleset } from "../../../src/model/types.js";
import { expectations, matches, runRules } from "../../rules/harness.js";

const FIXTURE = join(import.meta.dirname, "..", "..", "..", "fixtures", "aws", "security-groups.json");

function doc(groups: unknown[]): string {
  return JSON.stringify({ SecurityGroups: groups }, null, 2);
}

function group(id: string, ingress: unknown[], egress: unknown[] = []) {
  return { GroupId: id, GroupName: id.slice(3), IpPermissions: ingress, IpPermissionsEgress: egress };
}

/** The accept rules of a group's chain (the implied deny left out). */
function rulesOf(rs: Ruleset, id: string, direction = "inbound"): Rule[] {
  return (rs.chains.get(`security-groups/${id} ${direction}`)?.rules ?? []).filter((r) => !r.implied);
}

/** The groups the inbound rules jump to, in order. */
const groupsOf = (rs: Ruleset) => rs.chains.get("security-groups/inbound")!.rules.flatMap((r) => r.conditions.flatMap((c) => (c.kind === "iface" ? [c.name] : [])));

const errors = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);

describe("aws security groups", () => {
  it("is detected from its content, and an nft JSON document is not", () => {
    const text = readFileSync(FIXTURE, "utf8");
    expect(detectAwsSecurityGroups(text)).toBe(true);
    expect(detectFormat(text)).toBe("aws-sg");
    expect(detectFormat(JSON.stringify({ data: JSON.parse(text) }))).toBe("aws-sg");
    expect(detectAwsSecurityGroups('{"nftables": [{"metainfo": {}}]}')).toBe(false);
  });

  it("turns each permission and source into an accept rule with its protocol, ports and source", () => {
    const rs = parseAwsSecurityGroups(
      doc([
        group("sg-1", [
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.0/29" }], Ipv6Ranges: [{ CidrIpv6: "2001:db8::/32" }] },
          { IpProtocol: "udp", FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
          { IpProtocol: "icmp", FromPort: 3, ToPort: 4, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "icmpv6", FromPort: -1, ToPort: -1, Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
          { IpProtocol: "50", IpRanges: [{ CidrIp: "192.0.2.1/32" }] },
          { IpProtocol: "-1", FromPort: 5, PrefixListIds: [{ PrefixListId: "pl-1" }], UserIdGroupPairs: [{ GroupId: "sg-2" }] },
        ]),
      ]),
      "sg.json",
    );
    expect(errors(rs)).toEqual([]);
    const conds = rulesOf(rs, "sg-1").map((r) => r.conditions);
    expect(conds).toEqual([
      [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[22, 22]] }, { kind: "addr", field: "src", family: 4, ranges: [{ lo: 0xcb007100n, hi: 0xcb007107n }] }],
      [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[22, 22]] }, { kind: "addr", field: "src", family: 6, ranges: [{ lo: 0x20010db8n << 96n, hi: (0x20010db8n << 96n) | ((1n << 96n) - 1n) }] }],
      [{ kind: "proto", protos: [17] }, { kind: "addr", field: "src", family: 4, ranges: [{ lo: 0x0a000000n, hi: 0x0affffffn }] }],
      [{ kind: "proto", protos: [1] }, { kind: "icmp", family: 4, type: 3, codeLo: 4, codeHi: 4 }, { kind: "addr", field: "src", family: 4, ranges: [{ lo: 0n, hi: 0xffffffffn }] }],
      [{ kind: "proto", protos: [58] }, { kind: "family", family: 6 }, { kind: "addr", field: "src", family: 6, ranges: [{ lo: 0n, hi: (1n << 128n) - 1n }] }],
      [{ kind: "proto", protos: [50] }, { kind: "addr", field: "src", family: 4, ranges: [{ lo: 0xc0000201n, hi: 0xc0000201n }] }],
      [{ kind: "unknown", text: "source in prefix list pl-1", reason: "a managed prefix list's entries are not in the file" }],
      [{ kind: "unknown", text: "source is an instance with security group sg-2", reason: "which instances carry a security group is not in the file", ordinary: false }],
    ]);
    // egress: the destination takes the source's place; an empty egress list refuses everything
    expect(rulesOf(rs, "sg-1", "outbound")).toEqual([]);
    expect(rs.chains.get("security-groups/sg-1 outbound")?.rules.map((r) => r.action.kind)).toEqual(["drop"]);
    expect(groupsOf(rs)).toEqual(["sg-1"]);
  });

  it("points each rule at its source entry, and the implicit deny at the permissions list", () => {
    const rs = parseAwsSecurityGroups(readFileSync(FIXTURE, "utf8"), "fixture.json");
    const mail = rs.chains.get("security-groups/sg-0a1b2c3d4e5f60002 inbound")!;
    expect(mail.label).toBe("security group sg-0a1b2c3d4e5f60002 (mail) inbound rules");
    expect(mail.rules.map((r) => `${r.span.line}:${r.span.column} ${r.action.kind}`)).toEqual(["36:36 accept", "45:36 accept", "56:47 accept", "32:7 drop"]);
  });

  it("gives the fixture's declared findings, and none of those it rules out", () => {
    const text = readFileSync(FIXTURE, "utf8");
    const rs = parseAwsSecurityGroups(text, "fixtures/aws/security-groups.json");
    expect(errors(rs)).toEqual([]);
    const findings = runRules(rs);
    const summary = findings.map((f) => `${f.location.line} ${f.ruleId} ${f.exposure?.service ?? ""} ${f.message}`).join("\n");
    const exps = expectations(readFileSync(FIXTURE.replace(/\.json$/, ".expect"), "utf8"));
    expect(exps.length).toBeGreaterThan(5);
    for (const e of exps) {
      const hit = findings.filter((f) => matches(f, e));
      if (e.negate) expect(hit, `${e.text}\nfindings:\n${summary}`).toEqual([]);
      else expect(hit.length, `${e.text}\nfindings:\n${summary}`).toBeGreaterThan(0);
    }
  });

  it("reads describe-security-group-rules output the same way: one rule per object, gathered into groups", () => {
    const rules = [
      { SecurityGroupRuleId: "sgr-1", GroupId: "sg-web", IsEgress: false, IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIpv4: "0.0.0.0/0" },
      { SecurityGroupRuleId: "sgr-2", GroupId: "sg-web", IsEgress: true, IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv4: "0.0.0.0/0" },
      { SecurityGroupRuleId: "sgr-3", GroupId: "sg-db", IsEgress: false, IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, ReferencedGroupInfo: { GroupId: "sg-web", UserId: "1" } },
      { SecurityGroupRuleId: "sgr-4", GroupId: "sg-web", IsEgress: false, IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv6: "::/0" },
      { SecurityGroupRuleId: "sgr-5", GroupId: "sg-db", IsEgress: false, IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, PrefixListId: "pl-7" },
    ];
    for (const text of [JSON.stringify({ SecurityGroupRules: rules }, null, 2), JSON.stringify({ data: { SecurityGroupRules: rules } }, null, 2)]) {
      expect(detectFormat(text)).toBe("aws-sg");
      const rs = parseAwsSecurityGroups(text, "rules.json");
      expect(errors(rs)).toEqual([]);
      expect(groupsOf(rs)).toEqual(["sg-web", "sg-db"]);
      expect(rulesOf(rs, "sg-web").map((r) => r.conditions.map((c) => c.kind).join(","))).toEqual(["proto,port,addr", "proto,port,addr"]);
      expect(rulesOf(rs, "sg-web", "outbound").map((r) => r.conditions)).toEqual([[{ kind: "addr", field: "dst", family: 4, ranges: [{ lo: 0n, hi: 0xffffffffn }] }]]);
      expect(rulesOf(rs, "sg-db").map((r) => (r.conditions[2] as { text?: string }).text)).toEqual(["source is an instance with security group sg-web", "source in prefix list pl-7"]);
      const exposed = runRules(rs, (r) => r.id === "exposed-service").map((f) => `${f.exposure!.service}/${f.exposure!.family}/${f.location.line}`);
      const line = (needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;
      expect(exposed).toContain(`https/4/${line('"CidrIpv4": "0.0.0.0/0"')}`);
      expect(exposed).toContain(`ssh/6/${line('"CidrIpv6"')}`);
      expect(exposed.filter((e) => e.startsWith("postgresql"))).toEqual([]);
    }
  });

  it("reports bad input at its place, with what was expected, and reads the other groups", async () => {
    const text = doc([
      group("sg-bad", [{ IpProtocol: "tcpp", FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }]),
      group("sg-cidr", [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.300/8" }, { CidrIp: "0.0.0.0/0" }] }]),
      group("sg-ok", [{ IpProtocol: "tcp", FromPort: 25, ToPort: 25, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }]),
    ]);
    const rs = parseAwsSecurityGroups(text, "bad.json");
    const lines = text.split("\n");
    const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(errors(rs)).toEqual([
      `${lineOf('"tcpp"')}:25 SecurityGroups[0].IpPermissions[0].IpProtocol: must be tcp, udp, icmp, icmpv6, -1 (every protocol) or a protocol number`,
      `${lineOf("10.0.0.300")}:25 '10.0.0.300/8' is not an IPv4 CIDR block: the rule is left out`,
    ]);
    expect(rs.chains.has("security-groups/sg-bad inbound")).toBe(false);
    expect(rulesOf(rs, "sg-cidr")).toHaveLength(1);
    expect(rulesOf(rs, "sg-ok")).toHaveLength(1);
    const broken = parseAwsSecurityGroups('{"SecurityGroups": [\n  {"GroupId": "sg-1",\n}', "broken.json");
    expect(errors(broken)).toHaveLength(1);
    expect(errors(broken)[0]).toMatch(/^3:1 expected valid JSON/);
    // nothing read: no chain, so check calls the file one that could not be parsed (exit 2)
    expect(broken.chains.size).toBe(0);
    const cut = await analyzeFile("cut.json", readFileSync(FIXTURE, "utf8").slice(0, 300));
    expect(cut.file.format).toBe("aws-sg");
    expect(cut.fatal).toMatch(/could not be parsed as aws-sg: no chain or rule could be read/);
    // network ACLs in the same document are not read with the groups: said, with what to do
    const both = parseAwsSecurityGroups(`{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": []}],\n "NetworkAcls": []}`, "both.json");
    expect(both.diagnostics).toContainEqual(expect.objectContaining({ severity: "warning", line: 2, column: 2, message: expect.stringMatching(/^NetworkAcls: the document also holds these, which are not read .*describe-network-acls/) }));
  });

  it("never throws on mutated input, and says where any error is", () => {
    const text = readFileSync(FIXTURE, "utf8");
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(text.length), fc.nat(6), fc.constantFrom("", "{", "]", '"', "-1", "0.0.0.0/0", '"IpProtocol": 7', "null", ",")), { maxLength: 4 }), (edits) => {
        let t = text;
        for (const [at, del, ins] of edits) t = t.slice(0, at % (t.length + 1)) + ins + t.slice((at % (t.length + 1)) + del);
        const rs = parseAwsSecurityGroups(t, "m.json");
        for (const d of rs.diagnostics) {
          expect(d.line).toBeGreaterThan(0);
          expect(d.column).toBeGreaterThan(0);
          expect(d.message).not.toMatch(/internal error/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("reports a service open on one group even where another group is open on every port", async () => {
    const all = (cidr: string) => ({ IpProtocol: "-1", IpRanges: [{ CidrIp: cidr }] });
    const ssh = { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] };
    const text = doc([group("sg-a", [all("0.0.0.0/0")]), group("sg-b", [all("0.0.0.0/2"), ssh]), group("sg-c", [ssh])]);
    const res = await analyzeFile("three.json", text);
    const exposed = res.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.exposure!.service} ${f.exposure!.protocol} ${f.exposure!.target}`);
    expect(exposed.sort()).toEqual(["every-port tcp sg-a", "every-port udp sg-a", "ssh tcp sg-b", "ssh tcp sg-c"]);
  });
});
