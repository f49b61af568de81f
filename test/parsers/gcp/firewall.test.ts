/**
 * Google Cloud VPC firewall rules: detection of each shape, GCP's evaluation (lowest priority number
 * first, deny beats allow at equal priority, disabled rules left out, implied rules, stateful),
 * targets analysed as interfaces of their own, networks kept apart, sources by tag / service
 * account as unknowns, IPv6, firewall policies before the VPC rules (goto_next), the fixture's
 * findings, and bad input (an error at its place, the other rules still read, never an exception).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectGcpFirewall } from "../../../parsers/gcp/detect.js";
import { parseGcpFirewall } from "../../../parsers/gcp/index.js";
import { verdictFor } from "../../../src/analysis/verdict.js";
import { analyzeText } from "../../../src/engine/check.js";
import { detectFormat } from "../../../src/engine/formats.js";
import type { Ruleset } from "../../../src/model/types.js";
import { type Probe, probePacket } from "../cloud-probe.js";

const FIXTURE = join(import.meta.dirname, "..", "..", "..", "fixtures", "gcp", "firewall.json");
const NET = "https://www.googleapis.com/compute/v1/projects/p1/global/networks/";

type Fw = Record<string, unknown>;
let n = 0;
/** A VPC rule on network `default` (ingress, priority 1000, from anywhere unless told). */
function fw(over: Fw): Fw {
  return { kind: "compute#firewall", name: `rule-${++n}`, network: `${NET}default`, direction: "INGRESS", priority: 1000, ...over };
}
const allow = (proto: string, ports?: string[]) => ({ allowed: [{ IPProtocol: proto, ...(ports ? { ports } : {}) }] });
const deny = (proto: string, ports?: string[]) => ({ denied: [{ IPProtocol: proto, ...(ports ? { ports } : {}) }] });
const ANY = { sourceRanges: ["0.0.0.0/0"] };

function parse(rules: Fw[], extra: object = {}): Ruleset {
  return parseGcpFirewall(JSON.stringify(Object.keys(extra).length > 0 ? { firewalls: rules, ...extra } : rules, null, 2), "fw.json");
}

/** The verdict for a new connection: inbound from 198.51.100.7 to tcp/22 on `default/any` unless told. */
function verdict(rs: Ruleset, p: Probe = {}): string {
  return verdictFor(rs, probePacket(p, "default/any")).verdict;
}

const errors = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);

describe("gcp firewall rules", () => {
  it("detects each shape gcloud and the API print, and not AWS's or an API error", () => {
    const rule = fw({ ...allow("tcp", ["22"]), ...ANY });
    expect(detectFormat(JSON.stringify([rule], null, 2))).toBe("gcp-firewall");
    expect(detectFormat("[]\n")).toBe("gcp-firewall");
    expect(detectFormat(JSON.stringify({ kind: "compute#firewallList", items: [rule] }))).toBe("gcp-firewall");
    expect(detectFormat(JSON.stringify(rule))).toBe("gcp-firewall");
    expect(detectFormat(JSON.stringify({ firewalls: [rule], firewallPolicys: [] }))).toBe("gcp-firewall");
    const recorded = (body: object, status = "200") => JSON.stringify({ headers: { status, "content-location": "https://compute.googleapis.com/compute/v1/projects/p/global/networks/n/getEffectiveFirewalls?alt=json" }, body }, null, 2);
    expect(detectFormat(recorded({}))).toBe("gcp-firewall");
    expect(detectGcpFirewall(recorded({ error: { code: 404, message: "not found" } }, "404"))).toBe(false);
    expect(detectGcpFirewall(JSON.stringify({ SecurityGroups: [{ GroupId: "sg-1", IpPermissions: [{ IpProtocol: "tcp" }] }] }))).toBe(false);
    expect(detectGcpFirewall('{"nftables": [{"metainfo": {}}]}')).toBe(false);
    expect(detectGcpFirewall("[1, 2, 3]")).toBe(false);
  });

  it("reads every wrapper into the same rules", () => {
    const rule = fw({ ...allow("tcp", ["22"]), ...ANY });
    for (const text of [
      JSON.stringify([rule]),
      JSON.stringify({ items: [rule] }),
      JSON.stringify(rule),
      JSON.stringify({ firewalls: [rule], firewallPolicys: [] }),
      JSON.stringify({ headers: { status: "200" }, body: { items: [rule] } }),
      JSON.stringify({ headers: { status: "200" }, body: rule }),
      JSON.stringify({ data: [rule] }),
    ]) {
      const rs = parseGcpFirewall(text, "fw.json");
      expect(errors(rs), text).toEqual([]);
      expect(rs.ruleCount, text).toBe(1);
      expect(verdict(rs), text).toBe("accept");
      expect(verdict(rs, { dport: 23 }), text).toBe("drop");
    }
  });

  it("lets the lowest priority number decide, whatever the order in the file", () => {
    const rs = parse([fw({ ...allow("tcp", ["22"]), ...ANY, priority: 1000 }), fw({ ...deny("tcp", ["22"]), ...ANY, priority: 900 })]);
    expect(verdict(rs)).toBe("drop");
    const flipped = parse([fw({ ...allow("tcp", ["22"]), ...ANY, priority: 800 }), fw({ ...deny("tcp", ["22"]), ...ANY, priority: 900 })]);
    expect(verdict(flipped)).toBe("accept");
    // a rule without a priority has 1000
    // the API's JSON mapping also takes a priority as a decimal string (aerleon writes "1")
    const text = parse([fw({ ...allow("tcp", ["22"]), ...ANY, priority: "1200" }), fw({ ...deny("tcp", ["22"]), ...ANY, priority: 1100 })]);
    expect(errors(text)).toEqual([]);
    expect(verdict(text)).toBe("drop");
    const high = parse([fw({ name: "too-high", ...allow("tcp", ["22"]), ...ANY, priority: "99999" })]);
    expect(errors(high)).toEqual([expect.stringMatching(/firewall rule too-high: priority 99999 is above 65535: it is left out$/)]);
    expect(verdict(high)).toBe("drop");
    const dflt = parse([fw({ ...allow("tcp", ["22"]), ...ANY, priority: undefined }), fw({ ...deny("tcp", ["22"]), ...ANY, priority: 1001 })]);
    expect(verdict(dflt)).toBe("accept");
  });

  it("lets a deny beat an allow at equal priority, in either order", () => {
    const a = fw({ ...allow("tcp", ["22"]), ...ANY, priority: 500 });
    const d = fw({ ...deny("tcp", ["22"]), ...ANY, priority: 500 });
    expect(verdict(parse([a, d]))).toBe("drop");
    expect(verdict(parse([d, a]))).toBe("drop");
  });

  it("leaves disabled rules out, with an info diagnostic", () => {
    const rs = parse([fw({ name: "debug-all", ...allow("all"), ...ANY, priority: 10, disabled: true })]);
    expect(verdict(rs)).toBe("drop");
    expect(rs.diagnostics).toContainEqual(expect.objectContaining({ severity: "info", message: "firewall rule debug-all is disabled: it is left out" }));
    expect(rs.ruleCount).toBe(0);
  });

  it("denies ingress and allows egress that no rule matches (implied rules), and passes replies", () => {
    const rs = parse([fw({ ...allow("tcp", ["80"]), ...ANY })]);
    expect(verdict(rs, { dport: 80 })).toBe("accept");
    expect(verdict(rs, { dport: 81 })).toBe("drop");
    expect(verdict(rs, { oif: "default/any", dport: 443 })).toBe("accept");
    const established = rs.chains.get("gcp-firewall/inbound")!.rules[0]!;
    expect(established.conditions).toEqual([{ kind: "ctstate", states: ["established", "related"] }]);
    expect(established.action.kind).toBe("accept");
    // an egress deny takes its place before the implied allow
    const closed = parse([fw({ direction: "EGRESS", ...deny("tcp", ["25"]), destinationRanges: ["0.0.0.0/0"] })]);
    expect(verdict(closed, { oif: "default/any", dport: 25 })).toBe("drop");
    expect(verdict(closed, { oif: "default/any", dport: 443 })).toBe("accept");
  });

  it("blocks egress to TCP 25 of external addresses and passes the metadata server, whatever the rules", () => {
    const rs = parse([fw({ ...allow("tcp", ["25"]), direction: "EGRESS", destinationRanges: ["0.0.0.0/0"], priority: 100 }), fw({ ...deny("all"), direction: "EGRESS", destinationRanges: ["0.0.0.0/0"], priority: 200 })]);
    expect(verdict(rs, { oif: "default/any", dport: 25 })).toBe("drop");
    expect(verdict(rs, { oif: "default/any", dport: 25, dst: "10.1.2.3" })).toBe("accept");
    expect(verdict(rs, { oif: "default/any", dport: 80, dst: "169.254.169.254" })).toBe("accept");
    expect(verdict(rs, { oif: "default/any", dport: 80 })).toBe("drop");
  });

  it("leaves out a schema-invalid rule inside a wrapper's list, and narrows a policy rule by its network scope", () => {
    const wrapped = parseGcpFirewall(JSON.stringify({ data: [fw({ ...allow("tcp", ["22"]), ...ANY, direction: "egress" })] }), "w.json");
    expect(errors(wrapped).length).toBe(1);
    expect(wrapped.ruleCount).toBe(0);
    const policy = (match: object) => ({ name: "p", type: "HIERARCHY", rules: [{ priority: 10, direction: "INGRESS", action: "allow", match: { layer4Configs: [{ ipProtocol: "tcp", ports: ["5432"] }], ...match } }] });
    const intra = parse([], { firewallPolicys: [policy({ srcNetworkScope: "INTRA_VPC" })] });
    expect(analyzeText("i.json", JSON.stringify({ firewalls: [], firewallPolicys: [policy({ srcNetworkScope: "INTRA_VPC" })] }), { inputFormat: "gcp-firewall" }).findings.filter((f) => f.ruleId === "exposed-service")).toEqual([]);
    expect(verdict(intra, { dport: 5432 })).toBe("unknown");
    const open = parse([], { firewallPolicys: [policy({ srcIpRanges: ["0.0.0.0/0"] })] });
    expect(verdict(open, { dport: 5432 })).toBe("accept");
  });

  it("reads an allow rule beside an empty denied list, and one instance's effective rules as one target", () => {
    const both = parse([{ ...fw({ ...allow("tcp", ["22"]), ...ANY }), denied: [] }]);
    expect(verdict(both, { dport: 22 })).toBe("accept");
    const inst = parseGcpFirewall(
      JSON.stringify({
        headers: { "content-location": "https://compute.googleapis.com/compute/v1/projects/p/zones/z/instances/vm1/getEffectiveFirewalls?alt=json" },
        body: { firewalls: [fw({ ...deny("tcp", ["22"]), ...ANY, priority: 100, targetTags: ["locked"] }), fw({ ...allow("tcp", ["22"]), ...ANY, priority: 1000, targetTags: ["web"] })] },
      }),
      "inst.json",
    );
    expect(verdict(inst, { iif: "default/vm:vm1", dport: 22 })).toBe("drop");
  });

  it("reads protocols and ports: ranges, several entries, all, esp, numbers; no ports = every port", () => {
    const rs = parse([fw({ allowed: [{ IPProtocol: "tcp", ports: ["22", "1000-2000"] }, { IPProtocol: "udp" }, { IPProtocol: "esp" }, { IPProtocol: "132" }], ...ANY })]);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { dport: 22 })).toBe("accept");
    expect(verdict(rs, { dport: 1500 })).toBe("accept");
    expect(verdict(rs, { dport: 2001 })).toBe("drop");
    expect(verdict(rs, { proto: "udp", dport: 9999 })).toBe("accept");
    expect(verdict(rs, { proto: "esp" })).toBe("accept");
    expect(verdict(rs, { proto: "sctp", dport: 5 })).toBe("accept");
    expect(verdict(rs, { proto: "icmp", icmp_type: 8, icmp_code: 0 })).toBe("drop");
    const all = parse([fw({ ...allow("all"), sourceRanges: ["192.0.2.0/24"] })]);
    expect(verdict(all, { src: "192.0.2.9", proto: "icmp", icmp_type: 8, icmp_code: 0 })).toBe("accept");
    expect(verdict(all, { src: "192.0.3.9" })).toBe("drop");
    // aerleon writes protocol numbers as JSON numbers
    const num = parseGcpFirewall(JSON.stringify([{ name: "igmp", direction: "INGRESS", allowed: [{ IPProtocol: 2 }], sourceRanges: ["0.0.0.0/0"] }]), "fw.json");
    expect(errors(num)).toEqual([]);
    expect(verdict(num, { proto: "igmp" })).toBe("accept");
  });

  it("matches IPv4 and IPv6 source ranges each in its own family; no source at all is 0.0.0.0/0", () => {
    const rs = parse([fw({ ...allow("tcp", ["22"]), sourceRanges: ["2001:db8::/32", "203.0.113.0/29"] })]);
    expect(verdict(rs, { src: "2001:db8::7", dst: "2001:db8:1::5" })).toBe("accept");
    expect(verdict(rs, { src: "2001:db9::7", dst: "2001:db8:1::5" })).toBe("drop");
    expect(verdict(rs, { src: "203.0.113.6" })).toBe("accept");
    expect(verdict(rs, { src: "203.0.113.8" })).toBe("drop");
    const bare = parse([fw({ ...allow("tcp", ["22"]) })]);
    expect(verdict(bare, { src: "198.51.100.1" })).toBe("accept");
    expect(verdict(bare, { src: "2001:db8::7", dst: "2001:db8:1::5" })).toBe("drop");
  });

  it("analyses each target on its own interface, untargeted rules reaching every one", () => {
    const rs = parse([
      fw({ ...allow("tcp", ["25"]), ...ANY, targetTags: ["mail"] }),
      fw({ ...allow("tcp", ["22"]), ...ANY }),
      fw({ ...allow("tcp", ["443"]), ...ANY, targetServiceAccounts: ["web@p1.iam.gserviceaccount.com"] }),
    ]);
    expect(verdict(rs, { iif: "default/tag:mail", dport: 25 })).toBe("accept");
    expect(verdict(rs, { iif: "default/any", dport: 25 })).toBe("drop");
    expect(verdict(rs, { iif: "default/sa:web", dport: 25 })).toBe("drop");
    expect(verdict(rs, { iif: "default/sa:web", dport: 443 })).toBe("accept");
    for (const iif of ["default/any", "default/tag:mail", "default/sa:web"]) expect(verdict(rs, { iif, dport: 22 }), iif).toBe("accept");
    // a packet for no target of the file reaches no instance
    expect(verdict(rs, { iif: "eth0", dport: 22 })).toBe("drop");
    expect(rs.chains.get("gcp-firewall/default/tag:mail ingress")?.label).toBe("network default, instances tagged mail: ingress rules");
  });

  it("keeps networks apart: a rule of one network never decides for another's instances", () => {
    const rs = parse([
      fw({ ...deny("all"), ...ANY, priority: 100, network: `${NET}lab` }),
      fw({ ...allow("tcp", ["22"]), ...ANY }),
      fw({ ...allow("tcp", ["5900"]), ...ANY, network: `${NET}lab` }),
    ]);
    expect(verdict(rs, { iif: "default/any" })).toBe("accept");
    expect(verdict(rs, { iif: "default/any", dport: 5900 })).toBe("drop");
    expect(verdict(rs, { iif: "lab/any" })).toBe("drop");
    expect(verdict(rs, { iif: "lab/any", dport: 5900 })).toBe("drop");
  });

  it("takes sourceTags / sourceServiceAccounts for other VMs: neither any source nor nobody, OR'ed with the ranges", () => {
    const rs = parse([fw({ ...allow("tcp", ["6379"]), sourceTags: ["app"], sourceRanges: ["10.1.0.0/16"] })]);
    expect(verdict(rs, { src: "10.1.2.3", dport: 6379 })).toBe("accept");
    expect(verdict(rs, { src: "198.51.100.7", dport: 6379 })).toBe("unknown");
    expect(verdict(rs, { src: "198.51.100.7", dport: 6380 })).toBe("drop");
    const findings = analyzeText("fw.json", JSON.stringify([fw({ ...allow("tcp", ["6379"]), sourceServiceAccounts: ["app@p1.iam.gserviceaccount.com"] })])).findings;
    expect(findings.filter((f) => f.ruleId === "exposed-service")).toEqual([]);
  });

  it("evaluates firewall policies before the VPC rules: allow and deny decide, goto_next passes on", () => {
    const policy = (rules: object[]) => ({ name: "123", type: "HIERARCHY", displayName: "org-policy", rules });
    const prule = (priority: number, action: string, ranges: string[], ports: string[], extra: object = {}) => ({
      kind: "compute#firewallPolicyRule",
      priority,
      action,
      direction: "INGRESS",
      match: { srcIpRanges: ranges, layer4Configs: [{ ipProtocol: "tcp", ports }] },
      ...extra,
    });
    const vpc = [fw({ ...allow("tcp", ["22", "80"]), ...ANY }), fw({ ...deny("tcp", ["8080"]), ...ANY })];
    const rs = parse(vpc, {
      firewallPolicys: [
        policy([
          prule(100, "deny", ["0.0.0.0/0"], ["22"]),
          prule(200, "goto_next", ["198.51.100.0/24"], ["80"]),
          prule(300, "allow", ["0.0.0.0/0"], ["80", "8080"]),
          prule(400, "allow", ["0.0.0.0/0"], ["9000"], { targetServiceAccounts: ["svc@p1.iam.gserviceaccount.com"] }),
        ]),
      ],
    });
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { dport: 22 })).toBe("drop"); // the policy's deny wins over the VPC allow
    expect(verdict(rs, { dport: 8080 })).toBe("accept"); // the policy's allow wins over the VPC deny
    expect(verdict(rs, { dport: 80, src: "198.51.100.7" })).toBe("accept"); // goto_next: the VPC rule allows
    expect(verdict(rs, { dport: 80, src: "192.0.2.7" })).toBe("accept"); // the policy allows
    expect(verdict(rs, { dport: 9000 })).toBe("drop");
    expect(verdict(rs, { dport: 9000, iif: "default/sa:svc" })).toBe("accept");
    // goto_next must pass on, not decide: with a VPC deny behind it, the packet is dropped
    const passes = parse([fw({ ...deny("tcp", ["80"]), ...ANY })], { firewallPolicys: [policy([prule(200, "goto_next", ["0.0.0.0/0"], ["80"]), prule(300, "allow", ["0.0.0.0/0"], ["80"])])] });
    expect(verdict(passes, { dport: 80 })).toBe("drop");
    expect(passes.diagnostics).toContainEqual(expect.objectContaining({ severity: "info", message: expect.stringContaining("evaluated before the VPC firewall rules") }));
  });

  it("gives the fixture's findings: SMTP on the mail servers, RDP through a range, PostgreSQL over IPv6", () => {
    const res = analyzeText("fixtures/gcp/firewall.json", readFileSync(FIXTURE, "utf8"));
    expect(res.file.format).toBe("gcp-firewall");
    const exposed = res.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.exposure?.service} ${f.exposure?.family} ${f.witness?.iif}`);
    expect(exposed.sort()).toEqual(["postgresql 6 prod/tag:db", "rdp 4 prod/tag:windows", "smtp 4 prod/tag:mail", "vnc 4 lab/any"]);
  });

  it("reports what does not fit the schema at its place and still reads the other rules", () => {
    const text = `[
  {
    "name": "bad-port",
    "allowed": [{ "IPProtocol": "tcp", "ports": ["22x"] }],
    "sourceRanges": ["0.0.0.0/0"]
  },
  {
    "name": "bad-proto",
    "direction": "INGRESS",
    "allowed": [{ "IPProtocol": "gre" }]
  },
  {
    "name": "good",
    "priority": 70000,
    "allowed": [{ "IPProtocol": "tcp", "ports": ["25"] }]
  },
  {
    "name": "fine",
    "allowed": [{ "IPProtocol": "tcp", "ports": ["443"] }]
  }
]
`;
    const rs = parseGcpFirewall(text, "fw.json");
    expect(errors(rs)).toEqual([
      '4:50 [0].allowed[0].ports[0]: must be a port "N" or a port range "N-M"',
      "10:33 [1].allowed[0].IPProtocol: must be tcp, udp, icmp, esp, ah, sctp, ipip, all or a protocol number",
      "14:17 [2].priority: must be <= 65535",
    ]);
    expect(rs.ruleCount).toBe(1);
    expect(verdict(rs, { dport: 443 })).toBe("accept");
    expect(verdict(rs, { dport: 22 })).toBe("drop");
  });

  it("reports bad JSON, an API error and ports on a portless protocol, and never throws", () => {
    expect(errors(parseGcpFirewall('[{"name": "x",\n  "allowed": [}]', "fw.json"))[0]).toMatch(/^2:\d+ expected valid JSON/);
    const err = parseGcpFirewall(JSON.stringify({ headers: {}, body: { error: { code: 404, message: "The resource was not found" } } }, null, 2), "fw.json");
    expect(errors(err)).toEqual(["4:14 the document is an API error response (404): The resource was not found, not firewall rules"]);
    const icmp = parse([fw({ allowed: [{ IPProtocol: "icmp", ports: ["8"] }], ...ANY })]);
    expect(errors(icmp)).toEqual([expect.stringMatching(/ports are only for tcp, udp and sctp, not 'icmp'/)]);
    for (const text of ["", "null", "42", '{"items": 5}', '[null, 1, "x"]', '{"firewallPolicys": [{"rules": [{"priority": 1}]}]}', '{"body": []}']) {
      const rs = parseGcpFirewall(text, "fw.json");
      expect(rs.format).toBe("gcp-firewall");
      expect(rs.diagnostics.some((d) => d.message.startsWith("internal error")), text).toBe(false);
    }
    const empty = parseGcpFirewall("[]", "fw.json");
    expect(errors(empty)).toEqual([]);
    expect(empty.diagnostics).toContainEqual(expect.objectContaining({ severity: "info", message: "the document holds no firewall rules" }));
  });

  it("does not call a rule dead that only the rules for one target tag hide: it still decides for the others", () => {
    const rules = [fw({ priority: 100, ...deny("tcp", ["3389"]), ...ANY, targetTags: ["db"] }), fw({ priority: 200, ...allow("tcp", ["3389"]), sourceRanges: ["203.0.113.0/24"] })];
    const text = JSON.stringify(rules, null, 2);
    expect(analyzeText("fw.json", text, { inputFormat: "gcp-firewall" }).findings.filter((f) => f.ruleId === "shadowed-rule")).toEqual([]);
    expect(verdict(parse(rules), { src: "203.0.113.9", dport: 3389 })).toBe("accept");
    // hidden for every target it reaches, it is dead
    const dead = [fw({ priority: 100, ...deny("tcp", ["3389"]), ...ANY }), fw({ priority: 200, ...allow("tcp", ["3389"]), sourceRanges: ["203.0.113.0/24"], targetTags: ["web"] })];
    expect(analyzeText("fw.json", JSON.stringify(dead, null, 2), { inputFormat: "gcp-firewall" }).findings.filter((f) => f.ruleId === "shadowed-rule").map((f) => f.location.line)).toHaveLength(1);
  });
});
