/**
 * The JSON formats' schemas compiled at build time into standalone validators
 * (dist/vendor/schemas.cjs) judge documents exactly as the schemas compiled at run time do: the
 * built CLI checks valid documents with the former and places complaints with the latter.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { vendorSchema } from "../../parsers/json-schema.js";
import { ROOT, buildCliOnce } from "../build-cli.js";

const DOCS: Record<string, unknown[]> = {
  "aws-sg": [
    JSON.parse(readFileSync(join(ROOT, "fixtures", "aws", "security-groups.json"), "utf8")),
    { SecurityGroups: [{ GroupId: 5 }] },
    { SecurityGroups: [{ GroupId: "sg-1", IpPermissions: [{ IpProtocol: "tcp", FromPort: "22" }] }] },
    { SecurityGroupRules: [] },
    [],
  ],
  "aws-nacl": [
    JSON.parse(readFileSync(join(ROOT, "fixtures", "aws", "network-acls.json"), "utf8")),
    { NetworkAcls: [{ NetworkAclId: "acl-1", Entries: [{ RuleNumber: 100, Protocol: "6", RuleAction: "allow", Egress: false, CidrBlock: "0.0.0.0/0", PortRange: { From: 22, To: 22 } }] }] },
    { data: { NetworkAcls: [{ NetworkAclId: "acl-1", Entries: [{ RuleNumber: 0, Protocol: "-1", RuleAction: "allow", Egress: false, CidrBlock: "0.0.0.0/0" }] }] } },
    { NetworkAcls: [{ NetworkAclId: "acl-1", Entries: [{ RuleNumber: 100, Protocol: "6", RuleAction: "permit", Egress: false }] }] },
    { NetworkAcls: [{ Entries: [] }] },
  ],
  "gcp-firewall": [
    JSON.parse(readFileSync(join(ROOT, "fixtures", "gcp", "firewall.json"), "utf8")),
    [{ name: "a", allowed: [{ IPProtocol: "tcp", ports: ["22"] }] }],
    [{ name: "a", allowed: [{ IPProtocol: "tcpx" }] }],
    [{ name: "a", direction: "egress", allowed: [{ IPProtocol: "tcp" }] }],
    { items: [{ name: "b", denied: [{ IPProtocol: "udp", ports: [53] }], priority: 70000 }] },
    "not a document",
  ],
  "azure-nsg": [
    JSON.parse(readFileSync(join(ROOT, "fixtures", "azure", "nsg.json"), "utf8")),
    { value: [{ name: "n", properties: { securityRules: [{ name: "r", properties: { priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", destinationPortRange: "22" } }] } }] },
    { value: [{ name: "n", properties: { securityRules: [{ name: "r", properties: { priority: 100, direction: "Ingress", access: "Allow", protocol: "Tcp" } }] } }] },
    [{ name: "r", priority: "[parameters('p')]", direction: "Inbound", access: "Deny", protocol: "Gre", sourceAddressPrefix: "10.0.0.0/8, 10.1.0.0/16" }],
    { resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "n", properties: { securityRules: [{ name: "r", properties: { destinationPortRanges: ["22x"] } }] } }] },
    { interactions: [{ response: { body: { data: { value: [] } } } }] },
  ],
};

describe("standalone schema validators", () => {
  it("accept and reject the documents the run-time compiled schemas do", () => {
    buildCliOnce();
    const standalone = createRequire(import.meta.url)(join(ROOT, "dist", "vendor", "schemas.cjs")) as Record<string, (d: unknown) => boolean>;
    let rejected = 0;
    for (const [name, docs] of Object.entries(DOCS)) {
      const quick = standalone[name]!;
      expect(typeof quick, name).toBe("function");
      for (const d of docs) {
        const expected = vendorSchema(name)(d);
        expect(quick(d), `${name}: ${JSON.stringify(d).slice(0, 80)}`).toBe(expected);
        if (!expected) rejected++;
      }
    }
    expect(rejected).toBeGreaterThanOrEqual(5);
  });
});
