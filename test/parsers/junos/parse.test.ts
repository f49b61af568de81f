/**
 * JunOS constructs into the model: both forms give the same model, address books and
 * applications resolve (nesting, cycles, undefined names), policies and terms keep their order
 * and names, apply-groups expand, bad input is reported with positions and never throws.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileGlob } from "../../../parsers/junos/groups.js";
import { detectJunos, junosForm, parseJunos } from "../../../parsers/junos/index.js";
import { analyzeText } from "../../../src/engine/check.js";
import type { Chain, Ruleset } from "../../../src/model/types.js";
import { verdictFor } from "../../../src/analysis/verdict.js";
import type { Packet } from "../../../src/model/finding.js";

const root = join(import.meta.dirname, "..", "..", "..");
const fixture = (name: string) => readFileSync(join(root, "fixtures", "junos", name), "utf8");

/** Chains without positions, sorted by key: what the configuration means, not where it was written. */
function meaning(rs: Ruleset): unknown {
  const strip = (c: Chain) => ({ name: c.name, table: c.table, policy: c.policy, rules: c.rules.map((r) => ({ id: r.id, conditions: r.conditions, action: r.action })) });
  return { pipelines: rs.pipelines, chains: [...rs.chains.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => [k, strip(c)]), internet: rs.internetInterfaces, rules: rs.ruleCount };
}

const errors = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "error");
const chain = (rs: Ruleset, key: string) => {
  const c = rs.chains.get(key);
  if (!c) throw new Error(`no chain ${key}; have ${[...rs.chains.keys()].join(", ")}`);
  return c;
};

describe("set form and curly form", () => {
  it("give the same model for the same configuration", () => {
    const set = parseJunos(fixture("srx-policies.set"), "a.set");
    const curly = parseJunos(fixture("srx-policies.conf"), "a.conf");
    expect(errors(set)).toEqual([]);
    expect(errors(curly)).toEqual([]);
    expect(meaning(curly)).toEqual(meaning(set));
    expect(set.ruleCount).toBe(6);
  });

  it("the form is chosen by what most lines are: a stray brace does not make a set file curly", () => {
    expect(junosForm("set system host-name x\nset interfaces ge-0/0/0 description {\nset interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24\n")).toBe("set");
    expect(junosForm("system {\n    host-name x;\n}\nset security policies from-zone A to-zone B policy P match source-address any\n")).toBe("curly");
  });

  it("are both detected; nft, iptables and Cisco texts are not", () => {
    expect(detectJunos(fixture("srx-policies.set"))).toBe("set");
    expect(detectJunos(fixture("srx-policies.conf"))).toBe("curly");
    expect(detectJunos("table ip filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n  }\n}\n")).toBeUndefined();
    expect(detectJunos("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n")).toBeUndefined();
    expect(detectJunos("hostname r1\ninterface GigabitEthernet0/0\n ip access-group 101 in\naccess-list 101 permit tcp any any eq 25\n")).toBeUndefined();
    expect(detectJunos("set firewall name WAN rule 10 action accept\nset interfaces ethernet eth0 address dhcp\n")).toBeUndefined();
    const started = performance.now();
    for (const hostile of ["\n".repeat(300_000), " ".repeat(300_000), `${"a;".repeat(100_000)}\n`, `system ${" ".repeat(100_000)}x`]) detectJunos(hostile);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe("SRX security policies", () => {
  const rs = parseJunos(fixture("srx-policies.set"), "a.set");

  it("one chain per zone pair, policies in order, named from->to/policy; inactive policies are not rules", () => {
    const dmz = chain(rs, "security policies/from-zone untrust to-zone dmz");
    expect(dmz.rules.map((r) => r.id)).toEqual(["untrust->dmz/allow-mail", "untrust->dmz/admin-ssh", "untrust->dmz/block-db", "untrust->dmz/allow-db"]);
    expect(dmz.rules.map((r) => r.action.kind)).toEqual(["accept", "accept", "drop", "accept"]);
    expect(rs.diagnostics.some((d) => d.severity === "info" && d.message.includes("'old-telnet' is inactive"))).toBe(true);
  });

  it("base chain: established first, zone-pair jumps on ingress and egress units, default deny as policy", () => {
    const base = chain(rs, "security policies/flow policy lookup");
    expect(base.rules[0]!.conditions).toEqual([{ kind: "ctstate", states: ["established", "related"] }]);
    expect(base.rules[1]!.conditions).toEqual([
      { kind: "iface", field: "iif", name: "ge-0/0/0.0", prefix: false },
      { kind: "iface", field: "oif", name: "ge-0/0/2.0", prefix: false },
    ]);
    expect(base.policy).toBe("drop");
    expect(base.policySpan?.line).toBe(61);
    expect(rs.internetInterfaces).toEqual(["ge-0/0/0.0"]);
    expect(rs.pipelines).toEqual([
      // the policies, then connected routes: a packet to a unit's subnet leaves through that unit
      { kind: "forward", family: 4, stages: [{ chain: "security policies/flow policy lookup", role: "filter" }, { chain: "routing/connected routes", role: "filter" }] },
      { kind: "inbound", family: 4, stages: [{ chain: "routing/to the device", role: "filter" }, { chain: "security zones/host-inbound-traffic", role: "filter" }] },
    ]);
  });

  it("the Internet zone of a complete configuration: untrust, or outside, internet, external, wan; else public addresses", () => {
    const srx = (zone: string) =>
      parseJunos(
        [
          "set interfaces ge-0/0/0 unit 0 family inet address 192.168.100.2/24",
          "set interfaces ge-0/0/1 unit 0 family inet address 10.0.1.1/24",
          `set security zones security-zone ${zone} interfaces ge-0/0/0.0`,
          "set security zones security-zone inside interfaces ge-0/0/1.0",
        ].join("\n") + "\n",
        "z.set",
      ).internetInterfaces;
    expect([srx("untrust"), srx("Outside"), srx("external"), srx("WAN")]).toEqual([["ge-0/0/0.0"], ["ge-0/0/0.0"], ["ge-0/0/0.0"], ["ge-0/0/0.0"]]);
    // neither a name nor a public address tells: every interface may face it
    expect(srx("dmz")).toBeUndefined();
  });

  it("a packet for a unit's subnet leaves through that unit: the zone pair is the real one", () => {
    const rs = parseJunos(fixture("srx-policies.set"), "srx-policies.set");
    const to = (dport: number, oif: string) => verdictFor(rs, { hook: "forward", family: 4, proto: "tcp", src: "198.51.100.7", dst: "10.0.2.25", dport, iif: "ge-0/0/0.0", oif, tcp_flags: "S" } as Packet);
    expect(to(25, "ge-0/0/2.0").verdict).toBe("accept");
    // RDP to a dmz host: untrust-to-trust allows RDP to any address, but 10.0.2.0/24 is the dmz's
    // subnet, so the packet never leaves through the trust zone's unit
    expect(to(3389, "ge-0/0/2.0").verdict).toBe("drop");
    const astray = to(3389, "ge-0/0/1.0");
    expect(astray.verdict).toBe("drop");
    expect(astray.paths[0]!.decidedBy?.chain).toBe("connected routes");
  });

  it("static routes send a network out of a unit: the zone pair is the one its next hop lies in", () => {
    const routes = [
      "set routing-options static route 10.50.0.0/16 next-hop 10.0.2.254",
      "set routing-options static route 10.50.7.0/24 qualified-next-hop 10.0.1.254 preference 7",
      "set routing-options static route 192.168.51.0/24 discard",
      "set routing-options static route 10.52.0.0/16 next-hop 10.9.9.9",
      "set routing-options static route 10.53.0.0/16 next-hop ge-0/0/2.0",
      "set routing-options static route 10.0.0.0/8 next-hop 10.0.2.254",
      "",
    ].join("\n");
    const rs = parseJunos(fixture("srx-policies.set") + routes, "srx-policies.set");
    const rdp = (dst: string) => verdictFor(rs, { hook: "forward", family: 4, proto: "tcp", src: "198.51.100.7", dst, dport: 3389, iif: "ge-0/0/0.0", oif: "ge-0/0/1.0", tcp_flags: "S" } as Packet);
    // untrust-to-trust admits RDP to any address, but these networks lie behind the dmz (or nowhere)
    for (const dst of ["10.50.1.1", "192.168.51.1", "10.53.0.1", "10.60.0.1"]) {
      expect(rdp(dst).verdict, dst).toBe("drop");
      expect(rdp(dst).paths[0]!.decidedBy?.chain, dst).toBe("routes");
    }
    // behind trust by the more specific route; behind a next hop the file cannot place; on no route
    expect(rdp("10.50.7.1").verdict).toBe("accept");
    expect(rdp("192.168.52.1").verdict).toBe("accept");
    expect(rdp("10.52.0.1").verdict).toBe("accept");
    // with a routing protocol, a learned route may be more specific: only the connected subnets count
    const ospf = parseJunos(`${fixture("srx-policies.set")}${routes}set protocols ospf area 0 interface ge-0/0/1.0\n`, "srx-policies.set");
    const viaTrust = verdictFor(ospf, { hook: "forward", family: 4, proto: "tcp", src: "198.51.100.7", dst: "10.50.1.1", dport: 3389, iif: "ge-0/0/0.0", oif: "ge-0/0/1.0", tcp_flags: "S" } as Packet);
    expect(viaTrust.verdict).toBe("accept");
    expect(ospf.diagnostics.some((d) => d.severity === "info" && /static routes do not tell where packets leave: 'protocols ospf'/.test(d.message))).toBe(true);
    // IPv6 static routes live in rib inet6.0
    const v6 = parseJunos(
      [
        "set interfaces ge-0/0/0 unit 0 family inet6 address 2001:db8:1::1/64",
        "set interfaces ge-0/0/1 unit 0 family inet6 address 2001:db8:2::1/64",
        "set interfaces ge-0/0/1 unit 0 family inet6 filter input IN6",
        "set firewall family inet6 filter IN6 term t then accept",
        "set routing-options rib inet6.0 static route 2001:db8:50::/48 next-hop 2001:db8:2::fe",
        "",
      ].join("\n"),
      "v6.set",
    );
    const rules = v6.chains.get("routing/routes (ipv6)")!.rules;
    const behind = rules.find((r) => r.id === "routes#ge-0/0/1.0-v6")!.conditions[0]!;
    expect(behind).toMatchObject({ kind: "addr", family: 6 });
    expect((behind as { ranges: { lo: bigint }[] }).ranges.map((r) => r.lo)).toEqual([0x20010db8000200000000000000000000n, 0x20010db8005000000000000000000000n]);
  });

  it("connected routes alone judge nothing: a device with NAT but no policy or filter has no forward path", () => {
    const rs = parseJunos(
      [
        "set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.2/29",
        "set interfaces ge-0/0/1 unit 0 family inet address 10.10.0.1/24",
        "set security nat destination pool web address 10.10.0.80/32",
        "set security nat destination rule-set rs from interface ge-0/0/0.0",
        "set security nat destination rule-set rs rule r match destination-address 192.0.2.3/32",
        "set security nat destination rule-set rs rule r then destination-nat pool web",
        "",
      ].join("\n"),
      "n.set",
    );
    expect(rs.pipelines.filter((p) => p.kind === "forward")).toEqual([]);
  });

  it("host-inbound-traffic: per interface, zone settings unless the interface has its own, except before all", () => {
    const r = parseJunos(
      `set system host-name t
set security zones security-zone a host-inbound-traffic system-services ssh
set security zones security-zone a interfaces ge-0/0/0.0
set security zones security-zone a interfaces ge-0/0/1.0 host-inbound-traffic system-services all
set security zones security-zone a interfaces ge-0/0/1.0 host-inbound-traffic system-services telnet except
set interfaces fxp0 unit 0 family inet address 192.168.255.1/24
`,
      "h.set",
    );
    const hi = chain(r, "security zones/host-inbound-traffic");
    expect(hi.rules[1]!.id).toBe("management port fxp0");
    expect(chain(parseJunos(policyText(""), "p.set"), "security zones/host-inbound-traffic").rules.map((x) => x.id)).toEqual(["established sessions"]);
    expect(hi.policy).toBe("drop");
    expect(hi.rules.slice(2).map((x) => [x.id, x.action.kind])).toEqual([
      ["zone a ge-0/0/0.0 host-inbound system-services ssh", "accept"],
      ["zone a ge-0/0/1.0 host-inbound system-services telnet except", "drop"],
      ["zone a ge-0/0/1.0 host-inbound system-services all", "accept"],
    ]);
    expect(hi.rules[2]!.conditions).toEqual([
      { kind: "iface", field: "iif", name: "ge-0/0/0.0", prefix: false },
      { kind: "proto", protos: [6] },
      { kind: "port", field: "dport", ranges: [[22, 22]] },
    ]);
  });

  it("system-services all admits the system services, not the routing protocols; protocols all those", () => {
    const r = parseJunos(
      `set system host-name t
set interfaces ge-0/0/1 unit 0 family inet address 10.1.1.1/24
set security zones security-zone trust host-inbound-traffic system-services all
set security zones security-zone trust host-inbound-traffic protocols ospf
set security zones security-zone trust interfaces ge-0/0/1.0
set security zones security-zone b host-inbound-traffic protocols all
set security zones security-zone b interfaces ge-0/0/2.0
`,
      "all.set",
    );
    const to = (iif: string, proto: string, dport?: number) =>
      verdictFor(r, { hook: "input", family: 4, proto, src: "10.1.1.5", dst: "10.1.1.1", iif, ...(dport !== undefined ? { dport } : {}) } as Packet).verdict;
    expect(to("ge-0/0/1.0", "tcp", 22)).toBe("accept");
    expect(to("ge-0/0/1.0", "ospf")).toBe("accept"); // by its own line
    expect(to("ge-0/0/1.0", "pim")).toBe("drop");
    expect(to("ge-0/0/1.0", "tcp", 179)).toBe("drop");
    expect(to("ge-0/0/1.0", "tcp", 3389)).toBe("drop");
    expect(to("ge-0/0/2.0", "tcp", 179)).toBe("accept");
    expect(to("ge-0/0/2.0", "tcp", 22)).toBe("drop");
    // the ospf line is not shadowed by system-services all
    expect(analyzeText("all.set", `set system host-name t
set interfaces ge-0/0/1 unit 0 family inet address 10.1.1.1/24
set security zones security-zone trust host-inbound-traffic system-services all
set security zones security-zone trust host-inbound-traffic protocols ospf
set security zones security-zone trust interfaces ge-0/0/1.0
`).findings.filter((f) => f.ruleId === "shadowed-rule" || f.ruleId === "redundant-rule")).toEqual([]);
  });

  it("each zone pair's jump points at that pair's own line", () => {
    const curly = parseJunos(fixture("srx-policies.conf"), "a.conf");
    const base = chain(curly, "security policies/flow policy lookup");
    expect(base.rules.slice(1).map((r) => r.span.text?.trim())).toEqual(["from-zone untrust to-zone dmz {", "from-zone untrust to-zone trust {", "from-zone trust to-zone untrust {"]);
  });

  it("nested address-sets resolve to the union of their members", () => {
    const mail = chain(rs, "security policies/from-zone untrust to-zone dmz").rules[0]!;
    expect(mail.conditions).toContainEqual({ kind: "addr", field: "dst", family: 4, ranges: [{ lo: 0x0a000219n, hi: 0x0a000219n }, { lo: 0x0a000250n, hi: 0x0a000250n }] });
    expect(mail.conditions).toContainEqual({ kind: "or", anyOf: [[{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[25, 25]] }], [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[993, 993]] }]] });
  });

  const policyText = (extra: string) => `set system host-name t
set security zones security-zone a interfaces ge-0/0/0.0
set security zones security-zone b interfaces ge-0/0/1.0
set security policies from-zone a to-zone b policy p match source-address S
set security policies from-zone a to-zone b policy p match destination-address any
set security policies from-zone a to-zone b policy p match application A
set security policies from-zone a to-zone b policy p then permit
${extra}`;

  it("undefined addresses and applications are errors naming them and their line; the rule stays, with unknown conditions", () => {
    const r = parseJunos(policyText(""), "p.set");
    expect(errors(r).map((d) => `${d.line}: ${d.message}`)).toEqual([
      "4: policy 'p': source-address 'S' is not defined in the address book of zone a or the global address book",
      "6: policy 'p': application 'A' is not defined (neither in 'applications' nor a predefined junos-* application)",
    ]);
    const rule = chain(r, "security policies/from-zone a to-zone b").rules[0]!;
    expect(rule.conditions.filter((c) => c.kind === "unknown")).toHaveLength(2);
  });

  // A policy whose destination lists a dns-name address beside an address the book resolves
  // decides that address's packets for certain (the known part is a rule of its own, first): a
  // later policy for that address alone is shadowed, which a wholly unknown match would hide.
  it("a dns-name address beside known ones leaves the known ones certain", () => {
    const text = `set system host-name t
set security zones security-zone a interfaces ge-0/0/0.0
set security zones security-zone b interfaces ge-0/0/1.0
set security address-book global address dns 8.8.8.8/32
set security address-book global address dns-fqdn dns-name dns.google.com
set security policies from-zone a to-zone b policy both match source-address any
set security policies from-zone a to-zone b policy both match destination-address [ dns dns-fqdn ]
set security policies from-zone a to-zone b policy both match application any
set security policies from-zone a to-zone b policy both then permit
set security policies from-zone a to-zone b policy ip-only match source-address any
set security policies from-zone a to-zone b policy ip-only match destination-address dns
set security policies from-zone a to-zone b policy ip-only match application any
set security policies from-zone a to-zone b policy ip-only then permit
`;
    const r = parseJunos(text, "dns.set");
    expect(errors(r)).toEqual([]);
    const v = (dst: string) => verdictFor(r, { hook: "forward", family: 4, proto: "udp", src: "10.0.0.5", dst, sport: 40000, dport: 53, iif: "ge-0/0/0.0", oif: "ge-0/0/1.0" }).verdict;
    expect(v("8.8.8.8")).toBe("accept");
    expect(v("8.8.4.4")).toBe("unknown");
    const shadowed = analyzeText("dns.set", text, { inputFormat: "junos" }).findings.filter((f) => f.ruleId === "shadowed-rule");
    expect(shadowed.map((f) => f.location.line)).toEqual([10]);
  });

  it("address-set cycles are errors and terminate; zone books win over the global book", () => {
    const r = parseJunos(
      policyText(`set security address-book global address-set S address-set T
set security address-book global address-set T address-set S
set security zones security-zone a address-book address S 10.9.9.9/32
set applications application A protocol udp destination-port 1000-2000`),
      "p.set",
    );
    expect(errors(r).some((d) => d.message.includes("contains itself"))).toBe(true);
    const rule = chain(r, "security policies/from-zone a to-zone b").rules[0]!;
    expect(rule.conditions).toContainEqual({ kind: "addr", field: "src", family: 4, ranges: [{ lo: 0x0a090909n, hi: 0x0a090909n }] });
    expect(rule.conditions).toContainEqual({ kind: "port", field: "dport", ranges: [[1000, 2000]] });
  });

  it("global policies run after the zone pairs and may match zones; permit-all makes the default accept", () => {
    const r = parseJunos(
      policyText(`set security address-book global address S 10.0.0.0/8
set applications application A protocol tcp
set security policies global policy g match from-zone a
set security policies global policy g match source-address any
set security policies global policy g match destination-address any-ipv6
set security policies global policy g match application junos-https
set security policies global policy g then reject
set security policies default-policy permit-all`),
      "p.set",
    );
    expect(errors(r)).toEqual([]);
    const base = chain(r, "security policies/flow policy lookup");
    expect(base.rules.map((x) => x.id)).toEqual(["established sessions", "from-zone a to-zone b", "global policies"]);
    expect(base.policy).toBe("accept");
    const g = chain(r, "security policies/global").rules[0]!;
    expect(g.id).toBe("global/g");
    expect(g.action).toEqual({ kind: "reject" });
    expect(g.conditions).toContainEqual({ kind: "iface", field: "iif", name: "ge-0/0/0.0", prefix: false });
    expect(g.conditions).toContainEqual({ kind: "family", family: 6 });
    expect(r.families).toEqual([4, 6]);
    // told as JunOS says it
    const res = analyzeText("p.set", policyText("set security policies default-policy permit-all"));
    expect(res.findings.filter((f) => f.ruleId === "default-accept-policy").map((f) => f.message)).toEqual([
      expect.stringMatching(/^the security policies' default-policy is permit-all on the forward path/),
    ]);
  });

  it("a deactivated zone pair has no chain; a scheduled policy keeps an unknown condition", () => {
    const r = parseJunos(
      policyText(`set security address-book global address S 10.0.0.0/8
set applications application A protocol tcp
set security policies from-zone a to-zone b policy p scheduler-name office-hours
set security policies from-zone b to-zone a policy q match source-address any
set security policies from-zone b to-zone a policy q match destination-address any
set security policies from-zone b to-zone a policy q match application any
set security policies from-zone b to-zone a policy q then permit
deactivate security policies from-zone b to-zone a`),
      "p.set",
    );
    expect(errors(r)).toEqual([]);
    expect(r.chains.has("security policies/from-zone b to-zone a")).toBe(false);
    expect(r.diagnostics.some((d) => d.severity === "info" && d.message === "from-zone b to-zone a is inactive; its policies are not rules")).toBe(true);
    expect(chain(r, "security policies/from-zone a to-zone b").rules[0]!.conditions).toContainEqual({ kind: "unknown", text: "scheduler-name office-hours", reason: "the policy is active only at scheduled times" });
  });

  it("IPv6 transit is dropped unless inet6 flow mode is on", () => {
    const base = policyText(`set security address-book global address S 2001:db8::/32
set applications application A protocol tcp`);
    const stages = (t: string) => parseJunos(t, "v6.set").pipelines.filter((p) => p.kind === "forward" && p.family === 6).map((p) => p.stages.map((st) => st.chain));
    expect(stages(base)).toEqual([["security forwarding-options/inet6 mode drop", "security policies/flow policy lookup"]]);
    expect(stages(`${base}\nset security forwarding-options family inet6 mode flow-based\n`)).toEqual([["security policies/flow policy lookup"]]);
  });

  it("a complete configuration without zones is in packet mode: no policy stage; a fragment keeps its policies", () => {
    const policy = `set security policies from-zone a to-zone b policy p match source-address any
set security policies from-zone a to-zone b policy p match destination-address any
set security policies from-zone a to-zone b policy p match application junos-ssh
set security policies from-zone a to-zone b policy p then permit
`;
    const packet = parseJunos(`set system host-name r\n${policy}`, "pm.set");
    expect(packet.pipelines).toEqual([]);
    expect([...packet.chains.keys()]).toEqual([]);
    expect(packet.diagnostics.some((d) => d.message.includes("packet mode"))).toBe(true);
    const fragment = parseJunos(policy, "frag.set");
    expect(chain(fragment, "security policies/flow policy lookup").rules[1]!.conditions).toEqual([
      { kind: "unknown", text: "from-zone a", reason: "the interfaces of zone a are not in this configuration" },
      { kind: "unknown", text: "to-zone b", reason: "the interfaces of zone b are not in this configuration" },
    ]);
  });

  it("a policy file without zones that names an Internet zone: each zone one interface of its own, untrust's (external's ...) facing the Internet", () => {
    const policy = (from: string, to: string, name: string, app: string) =>
      ["source-address any", "destination-address any", `application ${app}`].map((m) => `set security policies from-zone ${from} to-zone ${to} policy ${name} match ${m}\n`).join("") + `set security policies from-zone ${from} to-zone ${to} policy ${name} then permit\n`;
    const text = `${policy("trust", "untrust", "out", "any")}${policy("Untrust", "dmz", "web", "junos-https")}set security policies global policy g match from-zone lab\nset security policies global policy g match to-zone any\nset security policies global policy g match source-address any\nset security policies global policy g match destination-address any\nset security policies global policy g match application junos-ssh\nset security policies global policy g then permit\n`;
    const rs = parseJunos(text, "policies.set");
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(rs.interfaces).toEqual(["zone:trust", "zone:untrust", "zone:Untrust", "zone:dmz", "zone:lab"]);
    // (any case: as a complete configuration's untrust zone)
    expect(rs.internetInterfaces).toEqual(["zone:untrust", "zone:Untrust"]);
    expect(chain(rs, "security policies/flow policy lookup").rules[1]!.conditions).toEqual([
      { kind: "iface", field: "iif", name: "zone:trust", prefix: false },
      { kind: "iface", field: "oif", name: "zone:untrust", prefix: false },
    ]);
    expect(chain(rs, "security policies/global").rules[0]!.conditions[0]).toEqual({ kind: "iface", field: "iif", name: "zone:lab", prefix: false });
    // what a stranger reaches: HTTPS into the DMZ, for certain; not what trust lets out, nor SSH from the lab
    const exposed = analyzeText("policies.set", text).findings.filter((f) => f.ruleId === "exposed-service");
    expect(exposed.map((f) => [f.location.line, f.exposure?.service, f.uncertain === undefined])).toEqual([[5, "https", true]]);
    // other names for the Internet side (as PAN-OS reads them): external, outside, internet, wan
    expect(parseJunos(policy("internal", "external", "out", "any"), "p2.set").internetInterfaces).toEqual(["zone:external"]);
    // without such a zone the file does not tell where strangers arrive: the zones stay unknown
    const unnamed = parseJunos(policy("lab", "office", "out", "any"), "p3.set");
    expect(unnamed.interfaces).toBeUndefined();
    expect(chain(unnamed, "security policies/flow policy lookup").rules[1]!.conditions[0]).toEqual({ kind: "unknown", text: "from-zone lab", reason: "the interfaces of zone lab are not in this configuration" });
  });

  it("group wildcards: classes, ranges and many stars match in linear time", () => {
    const g = compileGlob("em[0,1]")!;
    expect([g.test("em0"), g.test("em1"), g.test("em2"), g.test("em,")]).toEqual([true, true, false, true]);
    expect(compileGlob("ge-*/0/[0-3]")!.test("ge-1/0/3")).toBe(true);
    expect(compileGlob("[!x]*")!.test("xe-0/0/0")).toBe(false);
    expect(compileGlob("foo<")).toBeNull();
    const started = performance.now();
    expect(compileGlob(`${"*a".repeat(40)}b`)!.test("a".repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("apply-groups with wildcards inject policies and interfaces", () => {
    const r = parseJunos(
      `set system host-name t
set groups G security policies from-zone <*> to-zone <*> policy deny-rest match source-address any
set groups G security policies from-zone <*> to-zone <*> policy deny-rest match destination-address any
set groups G security policies from-zone <*> to-zone <*> policy deny-rest match application any
set groups G security policies from-zone <*> to-zone <*> policy deny-rest then deny
set groups G interfaces <ge-*> unit 0 family inet address 10.0.0.1/24
set security policies apply-groups G
set apply-groups G
set interfaces ge-0/0/0 unit 0 description x
set interfaces xe-0/0/0 unit 0 description y
set security zones security-zone a interfaces ge-0/0/0.0
set security policies from-zone a to-zone a policy ok match source-address any
set security policies from-zone a to-zone a policy ok match destination-address any
set security policies from-zone a to-zone a policy ok match application junos-ssh
set security policies from-zone a to-zone a policy ok then permit
`,
      "g.set",
    );
    expect(errors(r)).toEqual([]);
    expect(chain(r, "security policies/from-zone a to-zone a").rules.map((x) => x.id)).toEqual(["a->a/ok", "a->a/deny-rest"]);
  });
});

describe("firewall filters", () => {
  it("terms in order with names, except prefixes by longest match, input-list chaining and the implicit discard", () => {
    const r = parseJunos(
      `set system host-name r
set firewall family inet filter F term t1 from source-address 10.0.0.0/8
set firewall family inet filter F term t1 from source-address 10.1.0.0/16 except
set firewall family inet filter F term t1 from protocol [ tcp udp ]
set firewall family inet filter F term t1 from destination-port 1024-65535
set firewall family inet filter F term t1 then next term
set firewall family inet filter F term t2 from tcp-established
set firewall family inet filter F term t2 then accept
set firewall filter G term all then discard
set interfaces ge-0/0/0 unit 0 family inet filter input-list F
set interfaces ge-0/0/0 unit 0 family inet filter input-list G
set interfaces ge-0/0/1 unit 5 family inet filter output G
`,
      "f.set",
    );
    expect(errors(r)).toEqual([]);
    const f = chain(r, "firewall inet/filter F");
    expect(f.rules.map((x) => x.id)).toEqual(["filter F term t1", "filter F term t2"]);
    expect(f.rules[0]!.action).toEqual({ kind: "continue", target: "next term" });
    expect(f.rules[0]!.conditions).toContainEqual({ kind: "addr", field: "src", family: 4, ranges: [{ lo: 0x0a000000n, hi: 0x0a00ffffn }, { lo: 0x0a010000n + 0x10000n, hi: 0x0affffffn }] });
    expect(f.rules[0]!.conditions).toContainEqual({ kind: "proto", protos: [6, 17] });
    const binding = chain(r, "firewall inet/ge-0/0/0.0 input");
    expect(binding.rules.map((x) => x.action)).toEqual([{ kind: "jump", chain: "filter F" }, { kind: "jump", chain: "filter G" }, { kind: "drop" }]);
    const input = chain(r, "firewall inet/inet input");
    expect(input.policy).toBe("accept");
    expect(input.rules[0]!.conditions).toEqual([{ kind: "iface", field: "iif", name: "ge-0/0/0.0", prefix: false }]);
    expect(r.pipelines[0]!.stages.map((s) => s.chain)).toEqual(["firewall inet/inet input", "firewall inet/inet output"]);
  });

  it("ttl and hop-limit match as the packet arrived in an input filter, one lower in an output filter", () => {
    const r = parseJunos(
      `set system host-name r
set interfaces ge-0/0/0 unit 0 family inet address 198.51.100.2/24
set interfaces ge-0/0/0 unit 0 family inet filter input IN
set interfaces ge-0/0/0 unit 0 family inet6 address 2001:db8:1::2/64
set interfaces ge-0/0/0 unit 0 family inet6 filter input IN6
set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
set interfaces ge-0/0/1 unit 0 family inet filter output OUT
set interfaces ge-0/0/1 unit 0 family inet6 address 2001:db8:2::1/64
set firewall family inet filter IN term gtsm from protocol tcp
set firewall family inet filter IN term gtsm from destination-port 179
set firewall family inet filter IN term gtsm from ttl-except 255
set firewall family inet filter IN term gtsm then discard
set firewall family inet filter IN term rest then accept
set firewall family inet filter OUT term low from ttl [ 0-2 7 ]
set firewall family inet filter OUT term low then discard
set firewall family inet filter OUT term rest then accept
set firewall family inet6 filter IN6 term low from hop-limit 0-9
set firewall family inet6 filter IN6 term low then discard
set firewall family inet6 filter IN6 term rest then accept
`,
      "t.set",
    );
    expect(errors(r)).toEqual([]);
    expect(chain(r, "firewall inet/filter OUT").rules[0]!.conditions).toEqual([{ kind: "ttl", ranges: [[0, 2], [7, 7]] }]);
    expect(chain(r, "firewall inet/filter IN").rules[0]!.conditions).toContainEqual({ kind: "ttl", ranges: [[255, 255]], negate: true });
    const through = (dport: number, ttl: number, dst = "10.0.0.5", src = "203.0.113.9") =>
      verdictFor(r, { hook: "forward", family: dst.includes(":") ? 6 : 4, proto: "tcp", src, dst, dport, iif: "ge-0/0/0.0", oif: "ge-0/0/1.0", tcp_flags: "S", ttl } as Packet).verdict;
    expect(through(179, 255)).toBe("accept");
    expect(through(179, 254)).toBe("drop");
    // OUT sees one less: 3 leaves as 2, 8 as 7
    expect(through(443, 3)).toBe("drop");
    expect(through(443, 4)).toBe("accept");
    expect(through(443, 8)).toBe("drop");
    expect(through(443, 9)).toBe("accept");
    expect(through(443, 10, "2001:db8:2::5", "2001:db8:99::9")).toBe("accept");
    expect(through(443, 9, "2001:db8:2::5", "2001:db8:99::9")).toBe("drop");
    const wrong = parseJunos("set system host-name r\nset firewall family inet filter F term t from hop-limit 1\nset firewall family inet filter F term t then discard\n", "w.set");
    expect(errors(wrong)).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining("'hop-limit' is a family inet6 match condition") })]);
    const bad = parseJunos("set system host-name r\nset firewall family inet filter F term t from ttl 300\nset firewall family inet filter F term t then discard\n", "b.set");
    expect(errors(bad)).toEqual([expect.objectContaining({ line: 2, column: 51, message: expect.stringContaining("expected a value or range from 0 to 255 after 'ttl', found '300'") })]);
  });

  it("interface-range members get the range's units and filter bindings", () => {
    const r = parseJunos(
      `set system host-name r
set firewall filter G term all then discard
set interfaces interface-range edge member "ge-0/0/[0,2-3]"
set interfaces interface-range edge member-range xe-1/0/0 to xe-1/0/1
set interfaces interface-range edge unit 0 family inet filter input G
`,
      "ir.set",
    );
    expect(errors(r)).toEqual([]);
    expect(chain(r, "firewall inet/inet input").rules.map((x) => x.id)).toEqual(["ge-0/0/0.0 input", "ge-0/0/2.0 input", "ge-0/0/3.0 input", "xe-1/0/0.0 input", "xe-1/0/1.0 input"]);
  });

  it("from interface and interface-set match the ingress unit (a trailing * is a prefix)", () => {
    const r = parseJunos(
      `set system host-name r
set firewall interface-set edge xe-0/0/0.0
set firewall interface-set edge xe-0/0/1.*
set firewall filter F term t from interface-set edge
set firewall filter F term t from interface ge-1/0/0.5
set firewall filter F term t then accept
set interfaces ge-0/0/0 unit 0 family inet filter input F
`,
      "i.set",
    );
    expect(errors(r)).toEqual([]);
    const cond = chain(r, "firewall inet/filter F").rules[0]!.conditions;
    expect(cond).toEqual([
      { kind: "or", anyOf: [[{ kind: "iface", field: "iif", name: "xe-0/0/0.0", prefix: false }], [{ kind: "iface", field: "iif", name: "xe-0/0/1.", prefix: true }]] },
      { kind: "iface", field: "iif", name: "ge-1/0/0.5", prefix: false },
    ]);
  });

  it("an undefined prefix-list or filter is an error in a complete configuration, a warning in a fragment", () => {
    const text = `firewall {
    family inet {
        filter F {
            term t {
                from {
                    prefix-list {
                        NOPE;
                    }
                }
                then accept;
            }
        }
    }
}
`;
    const fragment = parseJunos(text, "frag.conf");
    expect(errors(fragment)).toEqual([]);
    expect(fragment.diagnostics.some((d) => d.severity === "warning" && d.message.includes("prefix-list 'NOPE'"))).toBe(true);
    const full = parseJunos(`system {\n    host-name r;\n}\ninterfaces {\n    ge-0/0/0 {\n        unit 0 {\n            family inet {\n                filter {\n                    input F;\n                }\n            }\n        }\n    }\n}\n${text}`, "full.conf");
    expect(errors(full).map((d) => `${d.line}:${d.column}: ${d.message}`)).toEqual(["21:25: filter F term t: prefix-list 'NOPE' is not defined under 'policy-options'"]);
  });

  // The router's own addresses are let in by "to the device" (a rule per address line) and the
  // interfaces without a filter pass what arrives: one opening - the missing filter -, not one
  // finding per address of the router.
  it("a router open on every port through its unfiltered interfaces is one finding per protocol, not one per address", () => {
    const text = `set system host-name r1
set interfaces ge-0/0/0 unit 0 family inet address 203.0.113.2/24
set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
set interfaces ge-0/0/2 unit 0 family inet address 10.0.1.1/24
set interfaces ge-0/0/3 unit 0 family inet address 10.0.2.1/24
set firewall filter IN term a from protocol tcp
set firewall filter IN term a from destination-port 22
set firewall filter IN term a then discard
set firewall filter IN term b then accept
set interfaces ge-0/0/0 unit 0 family inet filter input IN
`;
    const tcp = analyzeText("r1.set", text, { inputFormat: "junos" }).findings.filter((f) => f.ruleId === "exposed-service" && f.exposure?.service === "every-port" && f.exposure.protocol === "tcp" && f.exposure.direction === "inbound");
    expect(tcp).toHaveLength(1);
  });

  it("an interface without a filter is told as that, not as a chain's policy", () => {
    // one interface shown (an excerpt): packets may arrive on others, which no filter guards
    const text = `set system host-name r
set interfaces ge-0/0/0 unit 0 family inet filter input EDGE
set firewall family inet filter EDGE term ssh from protocol tcp
set firewall family inet filter EDGE term ssh from destination-port 22
set firewall family inet filter EDGE term ssh then accept
`;
    const msgs = analyzeText("e.set", text).findings.filter((f) => f.ruleId === "default-accept-policy").map((f) => f.message);
    expect(msgs).toContain("an interface with no input filter (family inet) accepts what arrives on the inbound path: new connections that no rule decides are let in");
  });
  it("a term that references another filter runs its terms there; what none decides goes on", () => {
    const text = `set system host-name r
set interfaces ge-0/0/0 unit 0 family inet address 81.2.69.1/24
set interfaces ge-0/0/0 unit 0 family inet filter input EDGE
set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
set firewall family inet filter COMMON term ssh from protocol tcp
set firewall family inet filter COMMON term ssh from destination-port 22
set firewall family inet filter COMMON term ssh then accept
set firewall family inet filter EDGE term common filter COMMON
set firewall family inet filter EDGE term smtp from protocol tcp
set firewall family inet filter EDGE term smtp from destination-port 25
set firewall family inet filter EDGE term smtp then accept
`;
    const res = analyzeText("n.set", text);
    expect(errors(parseJunos(text, "n.set"))).toEqual([]);
    const inbound = res.findings.filter((f) => f.ruleId === "exposed-service" && f.exposure?.direction === "inbound");
    // SSH through COMMON, SMTP from the next term of EDGE - not every port (a term without then)
    expect(inbound.map((f) => [f.exposure?.service, f.location.line]).sort()).toEqual([["smtp", 9], ["ssh", 5]]);
    // a filter the file does not define may decide or not: the terms after it still run
    const undefinedNested = parseJunos(text.replace("term common filter COMMON", "term common filter ELSEWHERE"), "u.set");
    expect(errors(undefinedNested).map((d) => d.message)).toEqual(["filter EDGE term common: filter 'ELSEWHERE' is not defined under 'firewall family inet'"]);
    const open = analyzeText("u.set", text.replace("term common filter COMMON", "term common filter ELSEWHERE")).findings;
    const everyPort = open.filter((f) => f.exposure?.service === "every-port" && f.exposure.direction === "inbound" && f.exposure.protocol === "tcp");
    expect(everyPort.map((f) => [f.location.line, f.message])).toEqual([[8, "Every TCP port may be reachable from any source on the inbound path"]]);
    expect(open.filter((f) => f.ruleId === "shadowed-rule")).toEqual([]);
  });
  it("findings about a filter's own terms name it as JunOS does", () => {
    const text = `set system host-name r
set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/24
set interfaces ge-0/0/0 unit 0 family inet filter input EDGE
set firewall family inet filter EDGE term all then accept
set firewall family inet filter EDGE term ssh from protocol tcp
set firewall family inet filter EDGE term ssh then discard
`;
    const msgs = analyzeText("e.set", text).findings.filter((f) => f.ruleId === "rule-after-catch-all").map((f) => f.message);
    expect(msgs).toEqual([expect.stringMatching(/^1 rule after the catch-all ACCEPT on line 4 in firewall family inet filter EDGE never runs/)]);
  });
  it("a filter nothing applies or names is reported as never applied, in a device configuration only", () => {
    const filters = `set firewall family inet filter OLD term smtp from protocol tcp
set firewall family inet filter OLD term smtp from destination-port 25
set firewall family inet filter OLD term smtp then accept
set firewall family inet filter OLD term rest then discard
set firewall family inet filter USED term all then accept
set firewall family inet filter NESTED term all then accept
set firewall family inet filter FWD term all filter NESTED
set forwarding-options family inet filter input FWD
`;
    const device = `set system host-name r\nset interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/24\nset interfaces ge-0/0/0 unit 0 family inet filter input USED\n${filters}`;
    const unused = (text: string) => analyzeText("f.set", text).findings.filter((f) => f.ruleId === "unreachable-chain").map((f) => `${f.location.line}:${f.location.column} ${f.message}`);
    expect(unused(device)).toEqual([
      "4:33 firewall family inet filter OLD is never applied: no interface applies it (family inet filter input|output), and nothing else in the configuration names it; its 2 terms never run",
    ]);
    // its terms are examined like a bound filter's
    const shadowed = analyzeText("f.set", device.replace("term smtp from protocol tcp", "term smtp from protocol tcp").replace("set firewall family inet filter OLD term smtp", "set firewall family inet filter OLD term all then discard\nset firewall family inet filter OLD term smtp"));
    expect(shadowed.findings.some((f) => f.ruleId === "shadowed-rule")).toBe(true);
    // a file of filters only (generated, or an excerpt): what applies them is elsewhere
    expect(unused(filters)).toEqual([]);
  });
});

describe("destination and static NAT", () => {
  const text = `set system host-name n
set interfaces ge-0/0/0 unit 0 family inet address 5.6.7.1/24
set interfaces ge-0/0/2 unit 0 family inet address 10.0.2.1/24
set security zones security-zone untrust interfaces ge-0/0/0.0
set security zones security-zone dmz interfaces ge-0/0/2.0
set security nat static rule-set from-internet from zone untrust
set security nat static rule-set from-internet rule mail match destination-address 5.6.7.25/32
set security nat static rule-set from-internet rule mail then static-nat prefix 10.0.2.25/32
set security nat destination pool web address 10.0.2.80/32 port 8080
set security nat destination rule-set dn from zone untrust
set security nat destination rule-set dn rule web match destination-address 5.6.7.80/32
set security nat destination rule-set dn rule web match destination-port 80
set security nat destination rule-set dn rule web then destination-nat pool web
set security policies from-zone untrust to-zone dmz policy p match source-address any
set security policies from-zone untrust to-zone dmz policy p match destination-address any
set security policies from-zone untrust to-zone dmz policy p match application any
set security policies from-zone untrust to-zone dmz policy p then permit
`;

  it("static-nat prefix and prefix-name, with mapped-port, translate the port too", () => {
    const base = [
      "set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.2/29",
      "set interfaces ge-0/0/1 unit 0 family inet address 10.10.0.1/24",
      "set security zones security-zone untrust interfaces ge-0/0/0.0",
      "set security zones security-zone trust interfaces ge-0/0/1.0",
      "set security address-book global address ssh-host 10.10.0.22/32",
      "set security nat static rule-set rs from zone untrust",
      "set security nat static rule-set rs rule r match destination-address 192.0.2.3/32",
      "set security nat static rule-set rs rule r match destination-port 2222",
    ];
    for (const [form, target] of [
      [["prefix mapped-port 22", "prefix 10.10.0.22/32"], "static-nat prefix 10.10.0.22/32 mapped-port 22"],
      [["prefix-name ssh-host", "prefix-name mapped-port 22"], "static-nat prefix-name ssh-host mapped-port 22"],
    ] as const) {
      const rs = parseJunos([...base, ...form.map((f) => `set security nat static rule-set rs rule r then static-nat ${f}`), ""].join("\n"), "n.set");
      expect(errors(rs)).toEqual([]);
      expect(chain(rs, "security nat/destination and static nat").rules[0]!.action).toEqual({ kind: "dnat", to: { addr: { lo: 0x0a0a0016n, hi: 0x0a0a0016n }, family: 4, ports: [22, 22] }, target });
    }
  });

  it("is a dstnat stage before the policies; rules rewrite to the pool or the static prefix", () => {
    const rs = parseJunos(text, "n.set");
    expect(errors(rs)).toEqual([]);
    expect(rs.pipelines[0]!.stages.map((st) => st.chain)).toEqual(["security nat/destination and static nat", "security policies/flow policy lookup", "routing/connected routes"]);
    const nat = chain(rs, "security nat/destination and static nat");
    expect(nat.rules.map((r) => [r.id, r.action])).toEqual([
      ["destination nat dn/web", { kind: "dnat", to: { addr: { lo: 0x0a000250n, hi: 0x0a000250n }, family: 4, ports: [8080, 8080] }, target: "pool web" }],
      ["static nat from-internet/mail", { kind: "dnat", to: { addr: { lo: 0x0a000219n, hi: 0x0a000219n }, family: 4 }, target: "static-nat prefix 10.0.2.25/32" }],
    ]);
    expect(nat.rules[0]!.conditions[0]).toEqual({ kind: "iface", field: "iif", name: "ge-0/0/0.0", prefix: false });
  });

  it("a public address reaching an inside host through static NAT is reported at the NAT rule", () => {
    const res = analyzeText("n.set", text);
    expect(res.findings.some((f) => f.ruleId === "nat-port-forward-exposure" && f.location.line === 7 && (f.exposure?.service === "smtp" || f.exposure?.services?.includes("smtp")))).toBe(true);
  });
});

describe("statements that change the tree", () => {
  it("set form: delete removes, deactivate hides, activate restores", () => {
    const r = parseJunos(
      `set system host-name r
set firewall filter F term a then accept
set firewall filter F term b then discard
set firewall filter F term c then reject
delete firewall filter F term a
deactivate firewall filter F term b
deactivate firewall filter F term c
activate firewall filter F term c
set interfaces ge-0/0/0 unit 0 family inet filter input F
`,
      "t.set",
    );
    expect(chain(r, "firewall inet/filter F").rules.map((x) => x.id)).toEqual(["filter F term c"]);
  });

  it("curly form: replace: clears what came before, delete: removes, inactive: hides", () => {
    const r = parseJunos(
      `system { host-name r; }
interfaces { ge-0/0/0 { unit 0 { family inet { filter { input F; } } } } }
firewall { filter F { term old { then accept; } } }
firewall {
    replace: filter F {
        term new { then discard; }
        term gone { then accept; }
        inactive: term off { then accept; }
    }
}
firewall { filter F { delete: term gone; } }
`,
      "t.conf",
    );
    expect(errors(r)).toEqual([]);
    expect(chain(r, "firewall inet/filter F").rules.map((x) => [x.id, x.action.kind])).toEqual([["filter F term new", "drop"]]);
  });
});

describe("size", () => {
  it("5,000 policies over 2,000 nested address-sets parse and evaluate in seconds", async () => {
    const lines = ["set system host-name big", "set interfaces ge-0/0/0 unit 0 family inet address 5.6.7.1/24", "set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/16"];
    lines.push("set security zones security-zone untrust interfaces ge-0/0/0.0", "set security zones security-zone trust interfaces ge-0/0/1.0");
    for (let i = 0; i < 2000; i++) {
      lines.push(`set security address-book global address h${i} 10.0.${i >> 8}.${i & 255}/32`);
      lines.push(`set security address-book global address-set s${i} address h${i}`);
      if (i > 0) lines.push(`set security address-book global address-set s${i} address-set s${i - 1 - (i % 7 === 0 ? 0 : Math.min(i - 1, 3))}`);
    }
    for (let i = 0; i < 5000; i++) {
      const p = `set security policies from-zone untrust to-zone trust policy p${i}`;
      lines.push(`${p} match source-address any`, `${p} match destination-address s${i % 2000}`, `${p} match application junos-${["ssh", "https", "smtp", "dns-udp"][i % 4]}`, `${p} then ${i % 3 ? "permit" : "deny"}`);
    }
    const { evaluateRuleset } = await import("../../../src/analysis/evaluate.js");
    const started = performance.now();
    const rs = parseJunos(lines.join("\n"), "big.set");
    const parsed = performance.now() - started;
    evaluateRuleset(rs);
    const total = performance.now() - started;
    console.log(`[junos size] ${lines.length} lines, ${rs.ruleCount} policies: parse ${Math.round(parsed)} ms, parse + evaluate ${Math.round(total)} ms`);
    expect(errors(rs)).toEqual([]);
    expect(rs.ruleCount).toBe(5000);
    expect(total).toBeLessThan(20_000);
  });
});

describe("bad input", () => {
  it("unbalanced braces, unterminated strings and comments are positioned errors, and the rest is still read", () => {
    const r = parseJunos(`security {\n    zones {\n        security-zone a {\n            interfaces ge-0/0/0.0;\n        }\n    }\n}\n}\nsystem {\n    host-name "oops;\n    location x;\n`, "bad.conf");
    const msgs = errors(r).map((d) => `${d.line}:${d.column}: ${d.message}`);
    expect(msgs).toContain("8:1: unexpected '}' without a matching '{'; ignored");
    expect(msgs).toContain("10:15: unterminated string: expected '\"' before the end of the line");
    expect(msgs.some((m) => m.startsWith("9:8: expected '}' to close 'system {'"))).toBe(true);
    expect(errors(parseJunos("/* never closed\nsystem { host-name x; }\n", "c.conf"))[0]!.message).toContain("unterminated comment");
  });

  it("deep nesting and huge lists neither throw nor hang", () => {
    // (the words of every enclosing block were copied per level: 20,000 levels took 17 s)
    const deep = `${"a {\n".repeat(20_000)}b;\n${"}\n".repeat(20_000)}system { host-name x; }\n`;
    const started = performance.now();
    const r = parseJunos(deep, "deep.conf");
    expect(errors(r).some((d) => d.message.includes("nesting deeper than"))).toBe(true);
    // a block left open below the limit is named by its own name
    const open = errors(parseJunos(`${"a {\n".repeat(70)}inner {\n`, "open.conf")).map((d) => `${d.line}: ${d.message}`);
    expect(open).toContain("71: expected '}' to close 'inner {' opened at line 71 before the end of the file");
    const lists = parseJunos(`set firewall filter F term t from source-address [ ${"10.0.0.1 ".repeat(200)}] destination-address [ ${"10.0.0.2 ".repeat(200)}]\n`, "l.set");
    expect(errors(lists).some((d) => d.message.includes("expand to more than"))).toBe(true);
    const long = parseJunos(`set groups G ${"a ".repeat(50_000)}\nset apply-groups G\n`, "long.set");
    expect(errors(long).some((d) => d.message.includes("longer than 256"))).toBe(true);
    // sets defined outermost first, each nesting the next: resolution depth is capped, not the JS stack
    const chainOfSets = Array.from({ length: 5000 }, (_, i) => `set security address-book global address-set s${i} address-set s${i + 1}`).join("\n");
    const nested = parseJunos(`${chainOfSets}\nset security address-book global address s5000 10.0.0.1/32\n`, "nest.set");
    expect(errors(nested).some((d) => d.message.includes("nested more than 64 levels"))).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("mutated configurations (cut, duplicated and swapped characters) never throw", () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const sources = [fixture("srx-policies.conf"), fixture("srx-policies.set"), fixture("router-filter.conf")];
    const specials = ["{", "}", ";", '"', "[", "]", "/*", "#", "inactive: ", "<*>", "\n"];
    for (let k = 0; k < 150; k++) {
      let t = sources[k % sources.length]!;
      for (let m = 0; m < 8; m++) {
        const at = rnd(t.length);
        const op = rnd(3);
        if (op === 0) t = t.slice(0, at) + t.slice(at + 1 + rnd(20));
        else if (op === 1) t = t.slice(0, at) + specials[rnd(specials.length)]! + t.slice(at);
        else t = t.slice(0, at) + t.slice(rnd(t.length), rnd(t.length)) + t.slice(at);
      }
      const rs = parseJunos(t, "m.conf");
      expect(rs.format).toBe("junos");
    }
  });

  it("a filter binding without a direction is an error; unknown set-form commands are warnings", () => {
    const r = parseJunos("set system host-name x\nset interfaces reth0 unit 10 family inet filter\nfoo bar\n", "d.set");
    expect(errors(r).map((d) => d.line)).toEqual([2]);
    expect(r.diagnostics.some((d) => d.severity === "warning" && d.line === 3)).toBe(true);
  });
});

describe("end to end", () => {
  it("findings carry the policy line and the trace shows the zone-pair chain and the policy line", () => {
    const res = analyzeText("fixtures/junos/srx-policies.set", fixture("srx-policies.set"));
    const smtp = res.findings.find((f) => f.ruleId === "exposed-service" && f.exposure?.service === "smtp");
    expect(smtp?.location.line).toBe(33);
    const steps = JSON.stringify(smtp?.trace);
    expect(steps).toContain('"chain":"from-zone untrust to-zone dmz"');
    expect(steps).toContain("policy allow-mail");
  });
});

describe("the device's own interfaces", () => {
  it("are the only ones traffic enters and leaves on: a router with a filter on each lets in nothing else", () => {
    const rs = parseJunos(fixture("router-filters.set"), "r.set");
    expect([...(rs.interfaces ?? [])].sort()).toEqual(["ge-0/0/0.0", "ge-0/0/1.0"]);
    const res = analyzeText("r.set", fixture("router-filters.set"));
    expect(res.findings.map((f) => f.ruleId)).not.toContain("default-accept-policy");
    const witnessed = res.findings.flatMap((f) => [f.witness?.iif, f.witness?.oif]).filter((n) => n !== undefined);
    expect(witnessed.length).toBeGreaterThan(0);
    for (const name of witnessed) expect(["ge-0/0/0.0", "ge-0/0/1.0"]).toContain(name);
  });

  it("never the loopback: a packet neither arrives on lo0 nor leaves through it", () => {
    // router-filter.set has lo0.0 (with an address and a filter) beside ge-0/0/0.0 and ge-0/0/1.0
    expect([...(parseJunos(fixture("router-filter.set"), "r.set").interfaces ?? [])].sort()).toEqual(["ge-0/0/0.0", "ge-0/0/1.0"]);
  });

  it("nor a unit that routes nothing (an ethernet-switching port), unless a zone names it", () => {
    const branch = [
      "set interfaces ge-0/0/0 unit 0 family inet dhcp",
      "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members LAN",
      "set interfaces ge-0/0/2 unit 0 family ethernet-switching vlan members LAN",
      "set interfaces irb unit 10 family inet address 192.168.1.1/24",
      "set interfaces ge-0/0/3 unit 0 family bridge",
      "set security zones security-zone untrust interfaces ge-0/0/0.0",
      "set security zones security-zone trust interfaces irb.10",
      "set security zones security-zone l2 interfaces ge-0/0/3.0",
    ].join("\n");
    expect([...(parseJunos(branch, "b.set").interfaces ?? [])].sort()).toEqual(["ge-0/0/0.0", "ge-0/0/3.0", "irb.10"]);
  });

  it("are not known for a fragment without an interfaces hierarchy", () => {
    const rs = parseJunos("set security zones security-zone untrust interfaces ge-0/0/0.0\nset security zones security-zone trust interfaces ge-0/0/1.0\n", "f.set");
    expect(rs.interfaces).toBeUndefined();
  });
});

describe("J-Web (system services web-management)", () => {
  it("is a device service per set of interfaces, on its ports, in both forms", () => {
    const set = parseJunos(
      [
        "set system services web-management http",
        "set system services web-management https port 8443",
        "set system services web-management https interface ge-0/0/1",
      ].join("\n"),
      "w.set",
    );
    expect(set.deviceServices).toMatchObject([
      { id: "j-web", protocol: 6, ports: [[80, 80]] },
      { id: "j-web", protocol: 6, ports: [[8443, 8443]], interfaces: ["ge-0/0/1.0"] },
    ]);
    const curly = parseJunos("system { services { web-management { http; https { system-generated-certificate; } } } }\n", "w.conf");
    expect(curly.deviceServices).toMatchObject([{ id: "j-web", ports: [[80, 80], [443, 443]] }]);
    expect(parseJunos("set system services ssh\n", "s.set").deviceServices).toBeUndefined();
    expect(parseJunos("set system services web-management http\ndeactivate system services web-management\n", "d.set").deviceServices).toBeUndefined();
  });

  it("listening on some interfaces only, it is not reported for the others", () => {
    const open = fixture("j-web.set");
    const only = (text: string) => analyzeText("j.set", text).findings.filter((f) => f.exposure?.service === "j-web");
    expect(only(open).map((f) => f.exposure?.ports)).toEqual([[[443, 443]]]);
    // addressed to the unit it arrives on (untrust's), not to the trust unit's address
    expect(only(open)[0]!.witness).toMatchObject({ iif: "ge-0/0/0.0", dst: "192.0.2.1" });
    expect(only(open.replace("web-management https system-generated-certificate", "web-management https interface ge-0/0/1.0"))).toEqual([]);
  });
});

describe("traffic to the device (the inbound path's first stage)", () => {
  const router = [
    "set interfaces ge-0/0/0 unit 0 family inet address 5.6.7.1/30",
    "set interfaces ge-0/0/0 unit 0 family inet filter input FROM-INTERNET",
    "set interfaces ge-0/0/1 unit 0 family inet address 10.1.0.2/24 vrrp-group 1 virtual-address 10.1.0.1",
    "set interfaces ge-0/0/2 unit 0 family inet dhcp",
    "set interfaces ge-0/0/3 disable",
    "set interfaces ge-0/0/3 unit 0 family inet address 10.3.0.1/24",
    "set interfaces lo0 unit 0 family inet address 10.255.0.1/32",
    "set firewall family inet filter FROM-INTERNET term any then accept",
  ].join("\n");
  const rs = parseJunos(router, "r.set");
  const to = (dst: string, iif = "ge-0/0/0.0") => verdictFor(rs, { hook: "input", family: 4, proto: "tcp", src: "198.51.100.7", dst, dport: 22, iif, tcp_flags: "S" } as Packet);

  it("takes packets to the device's own addresses, VRRP virtual ones and lo0's included", () => {
    for (const dst of ["5.6.7.1", "10.1.0.2", "10.1.0.1", "10.255.0.1"]) expect(to(dst).verdict, dst).toBe("accept");
    // the last accepting filter stays the rule that admitted it
    expect(to("5.6.7.1").paths[0]!.decidedBy?.chain).toBe("filter FROM-INTERNET");
  });

  it("leaves what is routed through the device to the forward path; a disabled interface has no address", () => {
    const through = to("10.1.0.25");
    expect(through.verdict).toBe("drop");
    expect(through.paths[0]!.steps.at(-1)).toMatchObject({ chain: "to the device", rule: "policy DROP" });
    // a disabled interface's address is not the device's (nor its subnet connected): only the
    // unit whose address DHCP assigns might have it
    expect(to("10.3.0.1").verdict).toBe("unknown");
  });

  it("an address the provider assigns may be any outside the other units' subnets", () => {
    expect(to("192.0.2.77").verdict).toBe("unknown");
    expect(to("10.1.0.25").verdict).toBe("drop");
  });

  it("a router without a loopback filter does not report what it forwards as open on itself", () => {
    const res = analyzeText("r.set", fixture("router-filter.set").replace(/^set interfaces lo0 unit 0 family inet filter input PROTECT-RE$/m, ""));
    const smtp = res.findings.filter((f) => f.exposure?.service === "smtp").map((f) => f.exposure?.direction);
    expect(smtp).toEqual(["forward"]);
  });
});
