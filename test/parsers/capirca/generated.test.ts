/**
 * Capirca / Aerleon policies against what aerleon's generators wrote from them: the corpus holds
 * the sample policies with their naming definitions, and aerleon's own regression outputs for them
 * (Cisco IOS ACLs, an ASA access-list, Juniper filters, SRX and PAN-OS policies, GCE rules), which fwlint reads with its vendor readers. For
 * each filter, fwlint's reading of the policy and its reading of the generated configuration must
 * give every probe packet the same verdict: probes on and around every address, port and protocol
 * the policy names, new connections and established ones.
 * Without ../shared/corpus the suite is skipped with a visible message, unless FWLINT_REQUIRE_SHARED=1.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCapirca } from "../../../parsers/capirca/index.js";
import { parseCiscoAsa } from "../../../parsers/cisco-asa/index.js";
import { parseCiscoIos } from "../../../parsers/cisco-ios/index.js";
import { parseGcpFirewall } from "../../../parsers/gcp/index.js";
import { parseJunos } from "../../../parsers/junos/index.js";
import { parsePanos } from "../../../parsers/panos/index.js";
import { verdictFor } from "../../../src/analysis/verdict.js";
import { formatIP } from "../../../src/model/address.js";
import type { Packet } from "../../../src/model/finding.js";
import { PROTOCOL_NAMES } from "../../../src/model/names.js";
import type { Chain, Family, Ruleset } from "../../../src/model/types.js";
import { chainKey } from "../../../src/model/types.js";
import { prng } from "../../../src/analysis/probes.js";
import { corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("capirca generated outputs");

/** A ruleset whose one pipeline per family runs `chain` of `rs`, what it leaves dropped (an ACL's implicit deny). */
function only(rs: Ruleset, chain: string, family: Family, kind: "inbound" | "forward" = "inbound"): Ruleset {
  const target = rs.chains.get(chain);
  expect(target, `${chain} in ${[...rs.chains.keys()].join(", ")}`).toBeDefined();
  // (a jump names a chain of its own table)
  const entry: Chain = { name: "__entry", table: target!.table, rules: [{ id: "entry#1", conditions: [], action: { kind: "jump", chain: target!.name }, span: { file: "test", line: 1, column: 1 } }], policy: "drop", span: { file: "test", line: 1, column: 1 } };
  const key = chainKey(target!.table, "__entry");
  // (a file of IPv4 interfaces only holds its IPv6 lists too; the same families for both, as a rule's compiled form is kept)
  return { ...rs, families: [4, 6], chains: new Map([...rs.chains, [key, entry]]), pipelines: [{ kind, family, stages: [{ chain: key, role: "filter" }] }] };
}

/** Probe packets from the values a chain's rules name: each bound and its neighbours, combined at random. */
function probes(chains: Chain[], family: Family, count: number, seed: number): Packet[] {
  const addrs = new Set<bigint>([1n, family === 4 ? 0x08080808n : 0x20010db8000000000000000000000001n]);
  const ports = new Set<number>([0, 22, 25, 80, 443, 1023, 1024, 40000, 65535]);
  const protos = new Set<number>([6, 17, family === 4 ? 1 : 58, 47, 50]);
  const max = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
  const visit = (c: { kind: string; [k: string]: unknown }) => {
    if (c.kind === "addr" && c.family === family) for (const r of c.ranges as { lo: bigint; hi: bigint }[]) for (const v of [r.lo, r.hi, r.lo - 1n, r.hi + 1n]) if (v >= 0n && v <= max) addrs.add(v);
    if (c.kind === "port") for (const [a, b] of c.ranges as [number, number][]) for (const v of [a, b, a - 1, b + 1]) if (v >= 0 && v <= 65535) ports.add(v);
    if (c.kind === "proto") for (const p of c.protos as number[]) if (p > 0) protos.add(p);
    if (c.kind === "or") for (const alt of c.anyOf as { kind: string }[][]) alt.forEach((x) => visit(x as never));
  };
  for (const ch of chains) for (const r of ch.rules) r.conditions.forEach((c) => visit(c as never));
  const rand = prng(seed);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const A = [...addrs];
  const P = [...ports];
  const R = [...protos].filter((p) => !(family === 4 && p === 58) && !(family === 6 && p === 1));
  const out: Packet[] = [];
  for (let i = 0; i < count; i++) {
    const proto = pick(R);
    const name = PROTOCOL_NAMES.get(proto) ?? String(proto);
    const p: Packet = { family, proto: name, src: formatIP(pick(A), family), dst: formatIP(pick(A), family), hook: "input", iif: "eth0" };
    if (proto === 6 || proto === 17) {
      p.sport = pick(P);
      p.dport = pick(P);
    }
    if (proto === 6) p.tcp_flags = rand() < 0.5 ? "SYN" : "ACK";
    if (proto === 1 || proto === 58) {
      p.icmp_type = pick(family === 4 ? [0, 3, 8, 11] : [1, 128, 129, 135]);
      p.icmp_code = 0;
    }
    out.push(p);
  }
  return out;
}

interface Case {
  policy: string;
  generated: string;
  reader: (text: string, file: string) => Ruleset;
  /** The generated configuration's chain per family. */
  chains: Partial<Record<Family, string>>;
  /** Which of the policy's filters: its label holds this and the platform. */
  filter: string;
  platform: string;
  /** Appended to the generated text before it is read (an ASA access-list takes effect once an access-group binds it). */
  append?: string;
  /**
   * The generated configuration judged whole, each probe sent as this packet (PAN-OS: its zone
   * pair's interfaces on the forward path), rather than its one chain.
   */
  whole?: (p: Packet) => Packet;
}

const DEMO = "aerleon/regression/demo/TestRegressionDemo.testSmokeTest.";
/** A probe as it crosses a PAN-OS zone pair: in on the source zone's interface, out on the destination's. */
const zonePair = (from: string, to: string) => (p: Packet): Packet => ({ ...p, hook: "forward", iif: from, oif: to });
const ASA_OUTSIDE = "interface GigabitEthernet0/0\n nameif outside\n security-level 0\n ip address 192.0.2.1 255.255.255.0\n!\n";
const BIND_ASA_IN = `${ASA_OUTSIDE}access-group asa_in in interface outside\n`;
const CASES: Case[] = [
  { policy: "sample_multitarget.pol", generated: `${DEMO}sample_multitarget.acl.ref`, reader: parseCiscoIos, chains: { 4: "ip access-list/edge-inbound", 6: "ipv6 access-list/ipv6-edge-inbound" }, filter: "edge-inbound", platform: "cisco" },
  { policy: "sample_multitarget.pol", generated: `${DEMO}sample_multitarget.acl.ref`, reader: parseCiscoIos, chains: { 4: "ip access-list/edge-outbound", 6: "ipv6 access-list/ipv6-edge-outbound" }, filter: "edge-outbound", platform: "cisco" },
  { policy: "sample_multitarget.pol", generated: `${DEMO}sample_multitarget.jcl.ref`, reader: parseJunos, chains: { 4: "firewall inet/filter edge-inbound" }, filter: "edge-inbound", platform: "juniper" },
  { policy: "sample_multitarget.pol", generated: `${DEMO}sample_multitarget.asa.ref`, reader: parseCiscoAsa, chains: { 4: "access-list/asa_in" }, filter: "asa_in", platform: "ciscoasa", append: BIND_ASA_IN },
  { policy: "sample_multitarget.pol", generated: `${DEMO}sample_multitarget.jcl.ref`, reader: parseJunos, chains: { 4: "firewall inet/filter edge-outbound" }, filter: "edge-outbound", platform: "juniper" },
  { policy: "sample_juniper_loopback.pol", generated: `${DEMO}sample_juniper_loopback.jcl.ref`, reader: parseJunos, chains: { 4: "firewall inet/filter LOOPBACK" }, filter: "LOOPBACK", platform: "juniper" },
  { policy: "sample_cisco_lab.pol", generated: "aerleon/regression/demo/TestRegressionDemo.testSinglePolicy.sample_cisco_lab.acl.ref", reader: parseCiscoIos, chains: { 4: "ip access-list/allowtointernet" }, filter: "allowtointernet", platform: "cisco" },
  { policy: "sample_stateful_multitarget_simple.pol", generated: `${DEMO}sample_stateful_multitarget_simple.srx.ref`, reader: parseJunos, chains: { 4: "security policies/from-zone internal to-zone external", 6: "security policies/from-zone internal to-zone external" }, filter: "from-zone internal to-zone external", platform: "srx" },
  { policy: "sample_stateful_multitarget_simple.pol", generated: `${DEMO}sample_stateful_multitarget_simple.srx.ref`, reader: parseJunos, chains: { 4: "security policies/from-zone external to-zone internal", 6: "security policies/from-zone external to-zone internal" }, filter: "from-zone external to-zone internal", platform: "srx" },
  { policy: "sample_stateful_multitarget_simple.pol", generated: `${DEMO}sample_stateful_multitarget_simple.srx.ref`, reader: parseJunos, chains: { 4: "security policies/from-zone unknown to-zone internal", 6: "security policies/from-zone unknown to-zone internal" }, filter: "from-zone unknown to-zone internal", platform: "srx" },
  { policy: "sample_stateful_multitarget_complex.pol", generated: `${DEMO}sample_stateful_multitarget_complex.srx.ref`, reader: parseJunos, chains: { 4: "security policies/from-zone internal to-zone external", 6: "security policies/from-zone internal to-zone external" }, filter: "from-zone internal to-zone external", platform: "srx" },
  // (its external -> internal terms are PAN-OS applications, which neither reading models: unknown)
  { policy: "sample_paloalto.pol", generated: `${DEMO}sample_paloalto.xml.ref`, reader: parsePanos, chains: { 4: "security/security rules" }, filter: "from-zone internal to-zone external", platform: "paloalto", whole: zonePair("internal", "external") },
  { policy: "sample_stateful_multitarget_simple.pol", generated: `${DEMO}sample_stateful_multitarget_simple.xml.ref`, reader: parsePanos, chains: { 4: "security/security rules", 6: "security/security rules" }, filter: "from-zone internal to-zone external", platform: "paloalto", whole: zonePair("internal", "external") },
  { policy: "sample_stateful_multitarget_simple.pol", generated: `${DEMO}sample_stateful_multitarget_simple.xml.ref`, reader: parsePanos, chains: { 4: "security/security rules", 6: "security/security rules" }, filter: "from-zone external to-zone internal", platform: "paloalto", whole: zonePair("external", "internal") },
  // GCE: the rules every instance gets (no target tag); a term for tagged instances is unknown there
  { policy: "sample_gce.pol", generated: `${DEMO}sample_gce.gce.ref`, reader: parseGcpFirewall, chains: { 4: "gcp-firewall/default/any ingress" }, filter: "global/networks/default (", platform: "gce" },
  { policy: "sample_gce.pol", generated: `${DEMO}sample_gce.gce.ref`, reader: parseGcpFirewall, chains: { 4: "gcp-firewall/default/any egress" }, filter: "global/networks/default EGRESS", platform: "gce" },
  { policy: "sample_srx.pol", generated: `${DEMO}sample_srx.srx.ref`, reader: parseJunos, chains: { 4: "security policies/from-zone Untrust to-zone DMZ", 6: "security policies/from-zone Untrust to-zone DMZ" }, filter: "Untrust", platform: "srx" },
];

describe.skipIf(corpus === undefined)("capirca policies against aerleon's generated configurations (../shared/corpus)", () => {
  for (const c of CASES) {
    it(`${c.policy} ${c.filter} (${c.platform}) = ${c.generated.split(".").slice(-2).join(".")}`, () => {
      const policyPath = join(corpus!, "aerleon/policies/pol", c.policy);
      const policy = parseCapirca(corpusText(policyPath)!, policyPath, { root: corpus!, today: new Date(Date.UTC(2026, 0, 1)) });
      expect(policy.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const genPath = join(corpus!, c.generated);
      const generated = c.reader(corpusText(genPath)! + (c.append ?? ""), genPath);
      const mine = [...policy.chains.entries()].find(([, ch]) => ch.label?.includes(c.filter) && new RegExp(`[(, ]${c.platform}[,)]`).test(ch.label));
      expect(mine, [...policy.chains.values()].map((ch) => ch.label).join(" | ")).toBeDefined();
      let judged = 0;
      let accepted = 0;
      let skipped = 0;
      const disagree: string[] = [];
      for (const [f, chain] of Object.entries(c.chains) as [string, string][]) {
        const family = Number(f) as Family;
        // (on the path the generated configuration is judged on: the forward path through a zone pair)
        const a = only(policy, mine![0], family, c.whole ? "forward" : "inbound");
        const b = c.whole ? generated : only(generated, chain, family);
        for (const p of probes([mine![1], ...(generated.chains.has(chain) ? [generated.chains.get(chain)!] : [])], family, 4000, 7)) {
          const va = verdictFor(a, c.whole ? c.whole(p) : p).verdict;
          const vb = verdictFor(b, c.whole ? c.whole(p) : p).verdict;
          if (va === "unknown" || vb === "unknown") {
            skipped++;
            continue;
          }
          judged++;
          if (vb === "accept") accepted++;
          if (va !== vb) disagree.push(`${p.proto} ${p.src}:${p.sport ?? ""} -> ${p.dst}:${p.dport ?? ""} ${p.tcp_flags ?? ""}${p.icmp_type ?? ""}: policy ${va}, generated ${vb}`);
        }
      }
      console.log(`[capirca vs generated] ${c.policy} ${c.filter} (${c.platform}): ${judged} probes judged (${accepted} accepted), ${skipped} unknown, ${disagree.length} disagree`);
      expect(disagree.slice(0, 10)).toEqual([]);
      expect(judged).toBeGreaterThan(1000 * Object.keys(c.chains).length);
      // both fates are probed
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThan(judged);
    });
  }
});
