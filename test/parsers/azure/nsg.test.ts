/**
 * Azure network security groups: detection and reading of each shape (REST resource and list, az
 * CLI show/list/rule list, ARM template, VCR cassettes with data and string bodies), Azure's
 * evaluation (priority order lowest first, first match, deny before a later allow, default rules
 * from the document or implied, stateful), singular and plural fields unioned, service tags
 * (Internet, *, VirtualNetwork, AzureLoadBalancer, others), application security groups on either
 * side, template expressions as unknowns, the fixture's findings, and bad input (an error at its
 * place, the other rules still read, never an exception).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectAzureNsg } from "../../../parsers/azure/detect.js";
import { parseAzureNsg } from "../../../parsers/azure/index.js";
import { verdictFor } from "../../../src/analysis/verdict.js";
import { analyzeText } from "../../../src/engine/check.js";
import { detectFormat } from "../../../src/engine/formats.js";
import type { Ruleset } from "../../../src/model/types.js";
import { type Probe, probePacket } from "../cloud-probe.js";

const FIXTURE = join(import.meta.dirname, "..", "..", "..", "fixtures", "azure", "nsg.json");
const RG = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network";

type R = Record<string, unknown>;
let n = 0;
/** A REST security rule (fields under `properties`): inbound, allow, tcp/22 from anywhere unless told. */
function rule(over: R = {}, name = `rule-${++n}`): R {
  return {
    name,
    id: `${RG}/networkSecurityGroups/nsg/securityRules/${name}`,
    properties: { priority: 1000, direction: "Inbound", access: "Allow", protocol: "Tcp", sourcePortRange: "*", destinationPortRange: "22", sourceAddressPrefix: "*", destinationAddressPrefix: "*", ...over },
  };
}
/** The same rule as the az CLI prints it (fields flattened). */
const flat = (r: R): R => ({ name: r.name, id: r.id, ...(r.properties as R) });
function nsg(rules: R[], extra: R = {}, name = "nsg"): R {
  return { name, id: `${RG}/networkSecurityGroups/${name}`, type: "Microsoft.Network/networkSecurityGroups", location: "westeurope", properties: { securityRules: rules, ...extra } };
}
const parse = (rules: R[], extra: R = {}): Ruleset => parseAzureNsg(JSON.stringify(nsg(rules, extra), null, 2), "nsg.json");

/**
 * fwlint's verdict for a new connection - inbound from 198.51.100.7 to tcp/22 on NIC `nsg` unless
 * told -, "unknown" where it depends on something not in the file.
 */
function certain(rs: Ruleset, p: Probe = {}): string {
  return verdictFor(rs, probePacket(p, "nsg")).verdict;
}

/**
 * What that connection gets when it is a stranger's, ordinary traffic: never from the VNet, an ASG
 * or Azure's platform (conditions marked so); "unknown" where that does not decide either.
 */
function verdict(rs: Ruleset, p: Probe = {}): string {
  const v = certain(rs, p);
  if (v !== "unknown") return v;
  const ordinary = new Set(verdictFor(rs, probePacket(p, "nsg")).paths.filter((x) => x.ordinary).map((x) => x.verdict));
  return ordinary.size === 1 ? [...ordinary][0]! : "unknown";
}

const errors = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);
const warnings = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "warning").map((d) => `${d.line}:${d.column} ${d.message}`);
const exposed = (text: string) =>
  analyzeText("nsg.json", text)
    .findings.filter((f) => f.ruleId === "exposed-service")
    .map((f) => `${f.exposure?.service} ${f.exposure?.family} ${f.witness?.iif}${f.uncertain ? " (uncertain)" : ""}`);

describe("azure network security groups", () => {
  it("detects each shape Azure prints, and not NICs, VNets, VMs, AWS or GCP documents", () => {
    const r = rule();
    const shapes = [
      nsg([r]),
      { value: [nsg([r])] },
      { ...flat(nsg([])), securityRules: [flat(r)] },
      [{ name: "nsg", securityRules: [flat(r)], defaultSecurityRules: [] }],
      [flat(r)],
      r,
      { version: 1, interactions: [{ request: { method: "GET", uri: "https://management.azure.com/x" }, response: { status: { code: 200 }, body: { data: { value: [nsg([r])] } } } }] },
      { version: 1, interactions: [{ request: { method: "GET", uri: "https://management.azure.com/x" }, response: { status: { code: 200 }, body: { string: JSON.stringify({ value: [nsg([r])] }) } } }] },
      { $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", contentVersion: "1.0.0.0", resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "nsg", apiVersion: "2023-09-01", properties: { securityRules: [r] } }] },
    ];
    for (const s of shapes) expect(detectFormat(JSON.stringify(s, null, 2)), JSON.stringify(s).slice(0, 80)).toBe("azure-nsg");
    const nic = { name: "vm1-nic", type: "Microsoft.Network/networkInterfaces", properties: { networkSecurityGroup: { id: `${RG}/networkSecurityGroups/nsg` }, ipConfigurations: [] } };
    const vnet = { name: "vnet", type: "Microsoft.Network/virtualNetworks", properties: { subnets: [{ name: "a", properties: { networkSecurityGroup: { id: `${RG}/networkSecurityGroups/nsg` } } }] } };
    for (const other of [nic, vnet, { SecurityGroups: [{ GroupId: "sg-1", IpPermissions: [] }] }, [{ name: "fw", allowed: [{ IPProtocol: "tcp" }], direction: "INGRESS" }], { nftables: [] }]) {
      expect(detectAzureNsg(JSON.stringify(other, null, 2)), JSON.stringify(other).slice(0, 60)).toBe(false);
    }
  });

  it("reads every shape into the same rule", () => {
    const r = rule({}, "ssh");
    const texts = [
      nsg([r]),
      { value: [nsg([r])], nextLink: null },
      { ...flat(nsg([])), securityRules: [flat(r)] },
      [{ name: "nsg", id: `${RG}/networkSecurityGroups/nsg`, securityRules: [flat(r)] }],
      [flat(r)],
      // az prints unset fields as null
      [{ ...flat(r), destinationPortRange: null, destinationPortRanges: ["22"], sourceAddressPrefixes: [], sourceApplicationSecurityGroups: null, destinationApplicationSecurityGroups: null, description: null }],
      r,
      { data: nsg([r]) },
      { contentVersion: "1.0.0.0", resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "nsg", properties: { securityRules: [r] } }] },
      { contentVersion: "1.0.0.0", resources: { nsg: { type: "Microsoft.Network/networkSecurityGroups", name: "nsg", properties: {} }, rule: { type: "Microsoft.Network/networkSecurityGroups/securityRules", name: "nsg/ssh", properties: r.properties } } },
      { resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "nsg", properties: {}, resources: [{ type: "securityRules", name: "ssh", properties: r.properties }] }] },
      { parameters: { n: { type: "string", defaultValue: "nsg" } }, resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "[parameters('n')]", properties: {} }, { type: "Microsoft.Network/networkSecurityGroups/securityRules", name: "[concat(parameters('n'), '/ssh')]", properties: r.properties }] },
      { interactions: [{ request: { method: "GET", uri: "u" }, response: { status: { code: 200 }, body: { data: { value: [nsg([r])] } } } }] },
      { interactions: [{ request: { method: "GET", uri: "u" }, response: { status: { code: 200 }, body: { string: JSON.stringify({ value: [nsg([r])] }) } } }] },
    ].map((d) => JSON.stringify(d, null, 2));
    for (const text of texts) {
      const rs = parseAzureNsg(text, "nsg.json");
      expect(errors(rs), text).toEqual([]);
      expect(rs.ruleCount, text).toBe(1);
      expect(verdict(rs), text).toBe("accept");
      expect(verdict(rs, { dport: 23 }), text).toBe("drop");
    }
  });

  it("evaluates rules by priority, lowest number first, whatever the order in the file", () => {
    const allow = rule({ priority: 200 });
    const deny = rule({ priority: 100, access: "Deny" });
    expect(verdict(parse([allow, deny]))).toBe("drop");
    expect(verdict(parse([deny, allow]))).toBe("drop");
    const early = rule({ priority: 100 });
    const late = rule({ priority: 4096, access: "Deny" });
    expect(verdict(parse([late, early]))).toBe("accept");
    // a deny shadowing a later allow is reported on the allow, not on Azure's default rules
    const text = JSON.stringify(nsg([rule({ priority: 300 }, "allow-ssh"), rule({ priority: 200, access: "Deny", destinationPortRange: "*", protocol: "*" }, "deny-all")]), null, 2);
    const shadowed = analyzeText("nsg.json", text).findings.filter((f) => f.ruleId === "shadowed-rule");
    const lineOf = (needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;
    expect(shadowed.map((f) => f.location.line)).toEqual([lineOf('"allow-ssh"')]);
    // equal priorities are refused by Azure: told, read in document order
    const twice = parse([rule({ priority: 300 }, "a"), rule({ priority: 300, access: "Deny" }, "b")]);
    expect(warnings(twice)).toEqual([expect.stringMatching(/security rules a and b share priority 300 \(inbound\), which Azure refuses: read in document order$/)]);
    expect(verdict(twice)).toBe("accept");
  });

  it("unions the singular and plural port and address fields", () => {
    const rs = parse([rule({ destinationPortRange: "22", destinationPortRanges: ["80", "1000-2000"], sourceAddressPrefix: "203.0.113.0/24", sourceAddressPrefixes: ["198.51.100.7", "2001:db8::/32"] })]);
    expect(errors(rs)).toEqual([]);
    for (const dport of [22, 80, 1000, 1500, 2000]) expect(verdict(rs, { dport }), String(dport)).toBe("accept");
    expect(verdict(rs, { dport: 2001 })).toBe("drop");
    expect(verdict(rs, { src: "203.0.113.9" })).toBe("accept");
    expect(verdict(rs, { src: "198.51.100.8" })).toBe("drop");
    expect(verdict(rs, { src: "2001:db8::7", dst: "2001:db8:1::5" })).toBe("accept");
    // the REST shape's empty singular beside a filled plural list (what Azure returns)
    const rest = parse([rule({ destinationPortRange: undefined, destinationPortRanges: ["8080-8084", "8086"], sourcePortRanges: [] })]);
    expect(verdict(rest, { dport: 8086 })).toBe("accept");
    expect(verdict(rest, { dport: 8085 })).toBe("drop");
    // source ports narrow too
    const sport = parse([rule({ sourcePortRange: "1024-2048" })]);
    expect(verdict(sport, { sport: 1500 })).toBe("accept");
    expect(verdict(sport, { sport: 40000 })).toBe("drop");
  });

  it("reads protocols case-insensitively: *, Tcp, TCP, Udp, Icmp, Esp, Ah", () => {
    const rs = parse([
      rule({ priority: 100, protocol: "TCP", destinationPortRange: "443" }),
      rule({ priority: 110, protocol: "udp", destinationPortRange: "53" }),
      rule({ priority: 120, protocol: "Icmp", destinationPortRange: "*" }),
      rule({ priority: 130, protocol: "Esp", destinationPortRange: "*" }),
    ]);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { dport: 443 })).toBe("accept");
    expect(verdict(rs, { proto: "udp", dport: 53 })).toBe("accept");
    expect(verdict(rs, { proto: "udp", dport: 443 })).toBe("drop");
    expect(verdict(rs, { proto: "icmp", icmp_type: 8, icmp_code: 0 })).toBe("accept");
    expect(verdict(rs, { proto: "esp" })).toBe("accept");
    expect(verdict(rs, { proto: "ah" })).toBe("drop");
    // `*` with a port is TCP and UDP on that port
    const any = parse([rule({ protocol: "*", destinationPortRange: "80" })]);
    expect(verdict(any, { dport: 80 })).toBe("accept");
    expect(verdict(any, { proto: "udp", dport: 80 })).toBe("accept");
    expect(verdict(any, { proto: "icmp", icmp_type: 8, icmp_code: 0 })).toBe("drop");
  });

  it("reads service tags: * and Internet admit strangers, VirtualNetwork and AzureLoadBalancer never, other tags are unknown", () => {
    const from = (prefix: string) => parse([rule({ sourceAddressPrefix: prefix, destinationPortRange: "3389" })]);
    for (const p of ["*", "Any", "Internet", "internet", "0.0.0.0/0"]) expect(verdict(from(p), { dport: 3389 }), p).toBe("accept");
    // `*` is both families, 0.0.0.0/0 one, Internet the public space of both
    expect(verdict(from("*"), { dport: 3389, src: "2001:db8::7", dst: "2001:db8:1::5" })).toBe("accept");
    expect(verdict(from("0.0.0.0/0"), { dport: 3389, src: "2001:db8::7", dst: "2001:db8:1::5" })).not.toBe("accept");
    expect(verdict(from("Internet"), { dport: 3389, src: "2001:db8::7", dst: "2001:db8:1::5" })).toBe("accept");
    // a private source is not on the Internet (it may be in the VNet: the default rule decides, unknown)
    expect(verdict(from("Internet"), { dport: 3389, src: "10.1.2.3" })).not.toBe("accept");
    for (const tag of ["VirtualNetwork", "AzureLoadBalancer", "Storage.WestEurope", "AzureCloud"]) expect(certain(from(tag), { dport: 3389 }), tag).toBe("unknown");
    // strangers are never in the VNet nor Azure's platform; a service tag's addresses are Azure's to say
    expect(verdict(from("VirtualNetwork"), { dport: 3389 })).toBe("drop");
    expect(verdict(from("AzureLoadBalancer"), { dport: 3389 })).toBe("drop");
    expect(verdict(from("Storage.WestEurope"), { dport: 3389 })).toBe("unknown");
    const text = (prefix: string) => JSON.stringify(nsg([rule({ sourceAddressPrefix: prefix, destinationPortRange: "3389" })]), null, 2);
    expect(exposed(text("Internet"))).toEqual(["rdp 4 nsg", "rdp 6 nsg"]);
    expect(exposed(text("VirtualNetwork"))).toEqual([]);
    expect(exposed(text("AzureLoadBalancer"))).toEqual([]);
    // Azure's own health probe address passes the default rule, a stranger's does not
    const empty = parse([]);
    expect(certain(empty, { src: "168.63.129.16" })).toBe("unknown");
    expect(verdict(empty, { src: "198.51.100.7" })).toBe("drop");
    expect(exposed(JSON.stringify(nsg([]), null, 2))).toEqual([]);
  });

  it("takes a source ASG for other NICs (never strangers), and analyses a NIC in a target ASG on its own", () => {
    const asg = (name: string) => [{ id: `${RG}/applicationSecurityGroups/${name}` }];
    const src = parse([rule({ sourceAddressPrefix: undefined, sourceApplicationSecurityGroups: asg("web-asg"), destinationPortRange: "6379" })]);
    expect(errors(src)).toEqual([]);
    expect(certain(src, { dport: 6379 })).toBe("unknown");
    expect(verdict(src, { dport: 6379 })).toBe("drop");
    expect(exposed(JSON.stringify(nsg([rule({ sourceAddressPrefix: undefined, sourceApplicationSecurityGroups: asg("web-asg"), destinationPortRange: "6379" })]), null, 2))).toEqual([]);
    const dst = parse([rule({ destinationAddressPrefix: undefined, destinationApplicationSecurityGroups: asg("web-asg"), destinationPortRange: "443" }), rule({ priority: 900, access: "Deny", destinationAddressPrefix: undefined, destinationApplicationSecurityGroups: asg("db-asg"), destinationPortRange: "*", protocol: "*" }), rule({ priority: 1100, destinationPortRange: "5432" })]);
    expect(verdict(dst, { dport: 443, iif: "nsg/asg:web-asg" })).toBe("accept");
    expect(verdict(dst, { dport: 443, iif: "nsg" })).toBe("drop");
    expect(verdict(dst, { dport: 443, iif: "nsg/asg:db-asg" })).toBe("drop");
    expect(verdict(dst, { dport: 5432, iif: "nsg" })).toBe("accept");
    expect(verdict(dst, { dport: 5432, iif: "nsg/asg:db-asg" })).toBe("drop");
    expect(dst.chains.get("azure-nsg/nsg/asg:web-asg inbound")?.label).toBe("network security group nsg, a NIC in application security group web-asg: inbound security rules");
  });

  it("adds Azure's default rules when the document has none, implied; reads them from the document when it has them", () => {
    const bare = parse([rule({ destinationPortRange: "80" })]);
    expect(bare.diagnostics).toContainEqual(expect.objectContaining({ severity: "info", message: expect.stringContaining("the document has no defaultSecurityRules: Azure's default rules are added") }));
    expect(verdict(bare, { dport: 80 })).toBe("accept");
    expect(verdict(bare, { dport: 81 })).toBe("drop"); // DenyAllInBound (ordinary traffic: not from the VNet)
    expect(verdict(bare, { oif: "nsg", dport: 443 })).toBe("accept"); // AllowInternetOutBound
    expect(verdict(bare, { oif: "nsg", dport: 443, dst: "10.9.9.9" })).not.toBe("accept"); // neither Internet nor (surely) the VNet
    const implied = bare.chains.get("azure-nsg/nsg inbound")!.rules.filter((r) => r.implied);
    expect(implied.map((r) => r.comment)).toEqual([
      "Azure default rule AllowVnetInBound (priority 65000, Allow)",
      "Azure default rule AllowAzureLoadBalancerInBound (priority 65001, Allow)",
      "Azure default rule DenyAllInBound (priority 65500, Deny)",
    ]);
    // the document's own default rules, read as written (here a hand-edited allow-all at 65500)
    const own = (r: R) => ({ ...r, id: String(r.id).replace("securityRules", "defaultSecurityRules") });
    const doc = parse([], { defaultSecurityRules: [own(rule({ priority: 65500, protocol: "*", destinationPortRange: "*" }, "DenyAllInBound"))] });
    expect(verdict(doc, { dport: 5432 })).toBe("accept");
    expect(doc.diagnostics).toContainEqual(expect.objectContaining({ severity: "info", message: expect.stringContaining("AllowVnetInBound, AllowAzureLoadBalancerInBound, AllowVnetOutBound, AllowInternetOutBound, DenyAllOutBound are not in the document's defaultSecurityRules: added") }));
    expect(doc.chains.get("azure-nsg/nsg inbound")!.rules.every((r) => r.implied)).toBe(true);
    expect(doc.ruleCount).toBe(0);
  });

  it("is stateful: replies pass; outbound SMTP to the Internet depends on the subscription", () => {
    const rs = parse([rule({ destinationPortRange: "80" })]);
    const established = rs.chains.get("azure-nsg/inbound")!.rules[0]!;
    expect(established.conditions).toEqual([{ kind: "ctstate", states: ["established", "related"] }]);
    const smtp = parse([rule({ direction: "Outbound", priority: 100, destinationPortRange: "25" })]);
    expect(certain(smtp, { oif: "nsg", dport: 25 })).toBe("unknown");
    expect(certain(smtp, { oif: "nsg", dport: 25, dst: "10.0.0.9" })).toBe("accept");
    expect(certain(smtp, { oif: "nsg", dport: 587 })).toBe("accept");
  });

  it("makes template expressions unknown conditions, each with a warning, and names the NSG after its parameter's default", () => {
    const template = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      parameters: { nsgName: { type: "string", defaultValue: "web-nsg" }, adminCidr: { type: "string" }, rdpAccess: { type: "string", defaultValue: "Deny" } },
      resources: [
        {
          type: "Microsoft.Network/networkSecurityGroups",
          apiVersion: "2023-09-01",
          name: "[parameters('nsgName')]",
          location: "[resourceGroup().location]",
          properties: {
            securityRules: [
              { name: "ssh-admins", properties: { priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", sourcePortRange: "*", destinationPortRange: "22", sourceAddressPrefix: "[parameters('adminCidr')]", destinationAddressPrefix: "*" } },
              { name: "rdp", properties: { priority: 110, direction: "Inbound", access: "[parameters('rdpAccess')]", protocol: "Tcp", sourcePortRange: "*", destinationPortRange: "3389", sourceAddressPrefix: "*", destinationAddressPrefix: "*" } },
              { name: "web", properties: { priority: "[variables('webPriority')]", direction: "Inbound", access: "Deny", protocol: "Tcp", sourcePortRange: "*", destinationPortRange: "443", sourceAddressPrefix: "*", destinationAddressPrefix: "*" } },
              { name: "web-allow", properties: { priority: 200, direction: "Inbound", access: "Allow", protocol: "Tcp", sourcePortRange: "*", destinationPortRange: "443", sourceAddressPrefix: "*", destinationAddressPrefix: "*" } },
              { name: "app", properties: { priority: 300, direction: "[parameters('dir')]", access: "Allow", protocol: "Tcp", sourcePortRange: "*", destinationPortRange: "[parameters('appPort')]", sourceAddressPrefix: "*", destinationAddressPrefix: "*" } },
            ],
          },
        },
        { type: "Microsoft.Storage/storageAccounts", name: "[parameters('sa')]", apiVersion: "2021-09-01", properties: {} },
      ],
    };
    const rs = parseAzureNsg(JSON.stringify(template, null, 2), "t.json");
    expect(errors(rs)).toEqual([]);
    expect(warnings(rs).length).toBe(5);
    expect(rs.ruleCount).toBe(5);
    const v = (p: Probe) => verdict(rs, { iif: "web-nsg", ...p });
    expect(v({ dport: 22 })).toBe("unknown");
    expect(v({ dport: 3389 })).toBe("unknown");
    expect(v({ dport: 443 })).toBe("unknown"); // the deny may come first
    expect(v({ dport: 8080 })).toBe("unknown"); // the app port is a parameter
    expect(v({ proto: "udp", dport: 23 })).toBe("drop");
    expect(v({ oif: "web-nsg", dport: 8080, dst: "10.0.0.9" })).toBe("unknown"); // the direction may be Outbound
    expect(rs.diagnostics).toContainEqual(expect.objectContaining({ severity: "info", message: expect.stringContaining("it is called web-nsg") }));
    expect(rs.diagnostics).toContainEqual(expect.objectContaining({ severity: "info", message: expect.stringMatching(/^1 resource is not network security groups and left out/) }));
    // rules the template computes (an expression, a copy loop): one warning, any packet may meet them
    for (const properties of [{ securityRules: "[parameters('rules')]" }, { copy: [{ name: "securityRules", count: 3, input: { name: "[concat('r', copyIndex('securityRules'))]", properties: {} } }] }]) {
      const computed = parseAzureNsg(JSON.stringify({ resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "loop", properties }] }, null, 2), "t.json");
      expect(errors(computed)).toEqual([]);
      expect(warnings(computed)).toEqual([expect.stringMatching(/the NSG's security rules are computed by .*: they are not in the file/)]);
      expect(certain(computed, { iif: "loop", dport: 5432 })).toBe("unknown");
      expect(certain(computed, { oif: "loop", dport: 5432 })).toBe("unknown");
    }
  });

  it("replays a recording: the last response of each NSG, a PUT of one rule, a DELETE; error responses left out", () => {
    const base = nsg([rule({ priority: 100 }, "ssh")]);
    const res = (data: unknown, code = 200) => ({ status: { code, message: "" }, headers: {}, body: { data } });
    const rec = {
      version: 1,
      interactions: [
        { request: { method: "GET", uri: `https://management.azure.com${RG}/networkSecurityGroups?api-version=2024-05-01` }, response: res({ value: [base] }) },
        { request: { method: "PUT", uri: `https://management.azure.com${RG}/networkSecurityGroups/nsg/securityRules/web?api-version=2024-05-01` }, response: res({ ...rule({ priority: 200, destinationPortRange: "443" }, "web"), type: "Microsoft.Network/networkSecurityGroups/securityRules" }, 201) },
        { request: { method: "DELETE", uri: `https://management.azure.com${RG}/networkSecurityGroups/nsg/securityRules/ssh?api-version=2024-05-01` }, response: { status: { code: 200 }, body: { string: "" } } },
        { request: { method: "GET", uri: "https://management.azure.com/x" }, response: res({ error: { code: "NotFound", message: "gone" } }, 404) },
      ],
    };
    const rs = parseAzureNsg(JSON.stringify(rec, null, 2), "rec.json");
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { dport: 443 })).toBe("accept");
    expect(verdict(rs, { dport: 22 })).toBe("drop");
    expect(rs.diagnostics).toContainEqual(expect.objectContaining({ severity: "info", message: "the recording's 2 responses are replayed in order: each network security group is read as the last response shows it" }));
  });

  it("places what is wrong inside a recorded JSON string at its line and column in the file", () => {
    const inner = JSON.stringify({ value: [nsg([rule({ protocol: "Gre" }, "bad"), rule({ priority: 200 }, "good")])] });
    const text = `{\n  "interactions": [\n    {\n      "request": {"method": "GET", "uri": "u"},\n      "response": {"status": {"code": 200}, "body": {"string": ${JSON.stringify(inner)}}}\n    }\n  ]\n}\n`;
    const rs = parseAzureNsg(text, "rec.json");
    const col = text.split("\n")[4]!.indexOf('\\"Gre\\"') + 1;
    expect(errors(rs)).toEqual([`5:${col} interactions[0].response.body.string (JSON text) value[0].properties.securityRules[0].properties.protocol: must be *, Tcp, Udp, Icmp, Esp or Ah`]);
    expect(rs.ruleCount).toBe(1);
    expect(verdict(rs)).toBe("accept");
    const broken = parseAzureNsg(text.replace(JSON.stringify(inner), JSON.stringify(inner.slice(0, 40))), "rec.json");
    expect(errors(broken)).toEqual([expect.stringMatching(/^5:\d+ interactions\[0\]\.response\.body\.string: expected valid JSON/)]);
  });

  it("reports what does not fit at its place and still reads the other rules", () => {
    const text = `{
  "name": "nsg",
  "properties": {
    "securityRules": [
      { "name": "bad-port", "properties": { "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "destinationPortRange": "22x", "sourceAddressPrefix": "*" } },
      { "name": "bad-direction", "properties": { "priority": 110, "direction": "Ingress", "access": "Allow", "protocol": "Tcp", "destinationPortRange": "25", "sourceAddressPrefix": "*" } },
      { "name": "no-access", "properties": { "priority": 120, "direction": "Inbound", "protocol": "Tcp", "destinationPortRange": "80", "sourceAddressPrefix": "*" } },
      { "name": "bad-address", "properties": { "priority": 130, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "destinationPortRange": "8080", "sourceAddressPrefix": "10.0.0.300/8" } },
      { "name": "two-prefixes", "properties": { "priority": 140, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "destinationPortRange": "9000", "sourceAddressPrefix": "10.0.0.0/8, 192.168.0.0/16" } },
      { "name": "port-too-big", "properties": { "priority": 150, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "destinationPortRange": "70000", "sourceAddressPrefix": "*" } },
      { "name": "fine", "properties": { "priority": 200, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "443", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*" } }
    ]
  }
}
`;
    const rs = parseAzureNsg(text, "nsg.json");
    const at = (ln: number, needle: string) => `${ln}:${text.split("\n")[ln - 1]!.indexOf(needle) + 1}`;
    expect(errors(rs)).toEqual([
      `${at(5, '"22x"')} properties.securityRules[0].properties.destinationPortRange: must be *, a port "N" or a port range "N-M"`,
      `${at(6, '"Ingress"')} properties.securityRules[1].properties.direction: must be Inbound or Outbound`,
      `${at(9, '"10.0.0.0/8, 192.168.0.0/16"')} properties.securityRules[4].properties.sourceAddressPrefix: must be one address prefix (an address, a CIDR block, * or a service tag) without spaces or commas: several go in the plural field`,
      `${at(7, '"no-access"')} security rule no-access: access is missing (Azure requires it): the rule is left out`,
      `${at(8, '"10.0.0.300/8"')} security rule bad-address: source '10.0.0.300/8' is not an IPv4 address or CIDR block: it is left out`,
      `${at(8, '"10.0.0.300/8"')} security rule bad-address: source: nothing usable: the rule is left out`,
      `${at(10, '"70000"')} security rule port-too-big: destination port '70000' is not a port or a port range N-M within 0-65535: it is left out`,
    ]);
    expect(rs.ruleCount).toBe(1);
    expect(verdict(rs, { dport: 443, iif: "nsg" })).toBe("accept");
    for (const dport of [22, 25, 80, 8080, 9000]) expect(verdict(rs, { dport, iif: "nsg" }), String(dport)).toBe("drop");
  });

  it("reports bad JSON, an API error and a document of something else at their place, and never throws", () => {
    expect(errors(parseAzureNsg('{"name": "x",\n  "properties": {"securityRules": [}}', "n.json"))[0]).toMatch(/^2:\d+ expected valid JSON/);
    const api = parseAzureNsg(JSON.stringify({ error: { code: "ResourceNotFound", message: "not found" } }, null, 2), "n.json");
    expect(errors(api)).toEqual(["2:12 the document is an API error response (ResourceNotFound): not found, not network security groups"]);
    const vm = parseAzureNsg(JSON.stringify({ name: "vm1", type: "Microsoft.Compute/virtualMachines", properties: {} }), "vm.json");
    expect(errors(vm)).toEqual([expect.stringMatching(/^1:1 the document: expected Azure network security groups/)]);
    const empty = parseAzureNsg('{"value": []}', "n.json");
    expect(errors(empty)).toEqual([]);
    expect(empty.diagnostics).toContainEqual(expect.objectContaining({ severity: "info", message: "the document holds no network security groups" }));
    const deep = parseAzureNsg(`{"value": ${"[".repeat(5000)}${"]".repeat(5000)}}`, "n.json");
    expect(errors(deep)).toEqual([expect.stringMatching(/^1:1010 expected JSON nested at most 1000 levels deep/)]);
    for (const text of ["", "null", "42", '"x"', "[]", "[null, 1]", '{"value": 5}', '{"interactions": [null, {"response": 1}]}', '{"resources": [1]}', '{"securityRules": [{"properties": null}]}', '{"properties": {"securityRules": [{"properties": {"priority": "[x]", "access": "[y]", "direction": "[z]", "protocol": "[p]"}}]}}']) {
      const rs = parseAzureNsg(text, "n.json");
      expect(rs.format).toBe("azure-nsg");
      expect(rs.diagnostics.some((d) => d.message.startsWith("internal error")), text).toBe(false);
    }
  });

  it("never throws on arbitrary JSON, nor on mutated input, and says where any error is", () => {
    const check = (text: string) => {
      const rs = parseAzureNsg(text, "f.json");
      for (const d of rs.diagnostics) {
        expect(d.line).toBeGreaterThan(0);
        expect(d.column).toBeGreaterThan(0);
        expect(d.message).not.toMatch(/internal error/);
      }
    };
    const ruleArb = fc.record(
      {
        name: fc.string(),
        properties: fc.record(
          {
            priority: fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constantFrom("100", "[parameters('p')]", "x")),
            direction: fc.constantFrom("Inbound", "outbound", "[parameters('d')]", "Both", 3),
            access: fc.constantFrom("Allow", "deny", "[parameters('a')]", "Maybe"),
            protocol: fc.constantFrom("*", "Tcp", "UDP", "Icmp", "Gre", "[variables('p')]"),
            sourcePortRange: fc.constantFrom("*", "80", "1-2", "70000", 5, "[parameters('x')]"),
            destinationPortRanges: fc.array(fc.constantFrom("22", "3389", "0-65535", "9-1", "*", "")),
            sourceAddressPrefix: fc.constantFrom("*", "Internet", "VirtualNetwork", "AzureLoadBalancer", "Sql.EastUS", "10.0.0.0/8", "::/0", "1.2.3.4", "bad prefix", "999.1.1.1"),
            destinationAddressPrefixes: fc.array(fc.constantFrom("10.0.0.4", "2001:db8::1", "*", "[parameters('x')]")),
            sourceApplicationSecurityGroups: fc.array(fc.record({ id: fc.constantFrom(`${RG}/applicationSecurityGroups/a`, "[resourceId('x')]", "") })),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (doc) => check(JSON.stringify(doc))),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 6 }), fc.boolean(), (rules, flatten) => {
        const list = flatten ? rules.map((r) => ({ name: r.name, ...(r.properties ?? {}) })) : rules;
        check(JSON.stringify({ value: [nsg(list as R[])] }, null, 1));
      }),
      { numRuns: 200 },
    );
    const text = readFileSync(FIXTURE, "utf8");
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(text.length), fc.nat(6), fc.constantFrom("", "{", "]", '"', "*", "Internet", '"priority": "x"', "null", ",", "[")), { maxLength: 4 }), (edits) => {
        let t = text;
        for (const [at, del, ins] of edits) t = t.slice(0, at % (t.length + 1)) + ins + t.slice((at % (t.length + 1)) + del);
        check(t);
      }),
      { numRuns: 200 },
    );
  });

  it("gives the fixture's findings: RDP from anywhere, MySQL through a range, HTTPS to the web tier", () => {
    const res = analyzeText("fixtures/azure/nsg.json", readFileSync(FIXTURE, "utf8"));
    expect(res.file.format).toBe("azure-nsg");
    expect(res.file.diagnostics).toEqual([]);
    const services = new Set(res.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.exposure?.service} ${f.witness?.iif}`));
    expect([...services].sort()).toEqual(["cifs-alt app-nsg", "dev-web-3000 app-nsg", "https app-nsg/asg:web-asg", "mysql app-nsg", "rdp app-nsg"]);
  });

  it("decides for certain on a field's literal values beside unknown ones (a tag, an expression)", () => {
    // a deny of 0.0.0.0/0 and a parameter: every IPv4 stranger is denied, whatever the parameter
    const deny = (sources: unknown[]) => [rule({ priority: 100, access: "Deny", destinationPortRange: "*", sourceAddressPrefix: undefined, sourceAddressPrefixes: sources }), rule({ priority: 200 })];
    const text = (rules: R[]) => JSON.stringify(nsg(rules), null, 2);
    expect(certain(parse(deny(["0.0.0.0/0", "[parameters('more')]"])))).toBe("drop");
    expect(exposed(text(deny(["0.0.0.0/0", "[parameters('more')]"])))).toEqual(["ssh 6 nsg (uncertain)"]);
    expect(certain(parse(deny(["Internet", "VirtualNetwork"])))).toBe("drop");
    // an allow from one address and the VNet (or Azure's probe): no stranger comes in
    const allow = (sources: unknown[]) => [rule({ sourceAddressPrefix: undefined, sourceAddressPrefixes: sources })];
    expect(certain(parse(allow(["203.0.113.5", "VirtualNetwork"])), { src: "203.0.113.5" })).toBe("accept");
    expect(verdict(parse(allow(["203.0.113.5", "VirtualNetwork"])))).toBe("drop");
    expect(exposed(text(allow(["203.0.113.5", "VirtualNetwork"])))).toEqual([]);
    expect(exposed(text(allow(["VirtualNetwork", "AzureLoadBalancer"])))).toEqual([]);
    // ports: a deny of 22 and a parameter's port denies 22 for certain
    expect(certain(parse([rule({ priority: 100, access: "Deny", destinationPortRange: undefined, destinationPortRanges: ["22", "[parameters('extra')]"] }), rule({ priority: 200, destinationPortRange: "*" })]))).toBe("drop");
  });

  it("recognises a template whose NSG comes after hundreds of kilobytes of other resources", () => {
    const storage = Array.from({ length: 1500 }, (_, i) => ({ type: "Microsoft.Storage/storageAccounts", name: `st${i}`, apiVersion: "2023-01-01", location: "westeurope", sku: { name: "Standard_LRS" }, kind: "StorageV2", properties: { minimumTlsVersion: "TLS1_2" } }));
    const doc = { $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", resources: [...storage, { type: "Microsoft.Network/networkSecurityGroups", name: "late", properties: { securityRules: [rule({ destinationPortRange: "3389" }, "rdp")] } }] };
    const text = JSON.stringify(doc, null, 2);
    expect(text.length).toBeGreaterThan(200_000);
    expect(detectFormat(text)).toBe("azure-nsg");
  });

  it("takes a template's variables for their values, and leaves its parameters unknown", () => {
    const template = (variables: object, over: R) => ({
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      parameters: { adminRange: { type: "string", defaultValue: "203.0.113.0/24" } },
      variables,
      resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "nsg", properties: { securityRules: [rule(over, "r")] } }],
    });
    const vars = { sshPort: "22", mgmt: ["3389", "5985-5986"], everyone: "*", pri: 300 };
    const text = (over: R) => JSON.stringify(template(vars, over), null, 2);
    // a variable's port, list of ports, source and priority: read as written there, certain
    expect(exposed(text({ destinationPortRange: "[variables('sshPort')]", sourceAddressPrefix: "[variables('everyone')]", priority: "[variables('pri')]" }))).toEqual(["ssh 4 nsg", "ssh 6 nsg"]);
    const rs = parseAzureNsg(text({ destinationPortRange: undefined, destinationPortRanges: ["[variables('mgmt')]"] }), "t.json");
    expect(certain(rs, { dport: 3389 })).toBe("accept");
    expect(certain(rs, { dport: 5986 })).toBe("accept");
    expect(verdict(rs, { dport: 22 })).toBe("drop");
    expect(warnings(rs)).toEqual([]);
    // a parameter stays unknown: a deployment may give it another value than its default
    const param = parseAzureNsg(text({ sourceAddressPrefix: "[parameters('adminRange')]" }), "t.json");
    expect(certain(param)).toBe("unknown");
  });

  it("reads the NSGs of nested deployments (compiled Bicep modules)", () => {
    const doc = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      resources: [{ type: "Microsoft.Resources/deployments", name: "mod", properties: { mode: "Incremental", template: { resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "mod-nsg", properties: { securityRules: [rule({ destinationPortRange: "3389" }, "rdp")] } }] } } }],
    };
    expect(exposed(JSON.stringify(doc, null, 2))).toEqual(["rdp 4 mod-nsg", "rdp 6 mod-nsg"]);
  });

  it("calls a file nothing could be read from one that could not be parsed, effective rules included", () => {
    const cut = analyzeText("cut.json", readFileSync(FIXTURE, "utf8").slice(0, 3000), { inputFormat: "azure-nsg" });
    expect(cut.fatal).toMatch(/could not be parsed as azure-nsg: no chain or rule could be read/);
    const effective = { value: [{ association: { networkInterface: { id: "nic" } }, networkSecurityGroup: { id: `${RG}/networkSecurityGroups/nsg` }, effectiveSecurityRules: [{ name: "r", protocol: "Tcp", access: "Allow", direction: "Inbound", priority: 100, sourceAddressPrefix: "0.0.0.0/0", destinationPortRange: "3389-3389" }] }] };
    const eff = analyzeText("eff.json", JSON.stringify(effective, null, 2), { inputFormat: "azure-nsg" });
    expect(eff.fatal).toMatch(/could not be parsed as azure-nsg/);
    expect(eff.file.diagnostics.map((d) => d.message)).toContainEqual(expect.stringMatching(/^effective security rules \(az network nic list-effective-nsg\) are not read/));
  });

  it("never matches Internet on the NIC's own side: its address is a private one of its VNet", () => {
    const rs = parse([rule({ destinationPortRange: "3389", destinationAddressPrefix: "Internet" })]);
    expect(warnings(rs)).toContainEqual(expect.stringMatching(/destination Internet is the NIC's own address here.*left out/));
    expect(exposed(JSON.stringify(nsg([rule({ destinationPortRange: "3389", destinationAddressPrefix: "Internet" })]), null, 2))).toEqual([]);
  });

  it("does not call a rule dead that only the rules for one ASG's NICs hide", () => {
    const doc = nsg([
      rule({ priority: 100, access: "Deny", destinationPortRange: "3389", destinationAddressPrefix: undefined, destinationApplicationSecurityGroups: [{ id: `${RG}/applicationSecurityGroups/db-asg` }] }),
      rule({ priority: 200, destinationPortRange: "3389", sourceAddressPrefix: "203.0.113.0/24" }),
    ]);
    const res = analyzeText("nsg.json", JSON.stringify(doc, null, 2));
    expect(res.findings.filter((f) => f.ruleId === "shadowed-rule")).toEqual([]);
    expect(certain(parseAzureNsg(JSON.stringify(doc, null, 2), "nsg.json"), { src: "203.0.113.9", dport: 3389 })).toBe("accept");
  });
});
