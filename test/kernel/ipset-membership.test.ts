/**
 * ipset membership against the kernel: the sets below are restored into a network namespace of the
 * test's own, and for packets at and around every element's edges (addresses, networks and their
 * nomatch exceptions, ports and protocols, ICMP types, interfaces) `ipset test` says whether the
 * kernel finds them in the set. fwlint must agree: a ruleset whose one rule is
 * `-m set --match-set SET FLAGS -j ACCEPT` (policy DROP), read with the sets saved beside it,
 * accepts exactly those packets.
 *
 * Needs root, ip and ipset; skips with a message otherwise, and FWLINT_REQUIRE_KERNEL=1 (CI) turns
 * the skip into a failure.
 */
import { expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { readIpsetSave, type IpsetDef, type IpsetPart } from "../../parsers/ipset/save.js";
import { verdictFor } from "../../src/analysis/verdict.js";
import { formatIP } from "../../src/model/address.js";
import type { Packet } from "../../src/model/finding.js";
import type { Family } from "../../src/model/types.js";
import { prng } from "../../src/analysis/probes.js";
import { inScratchNamespace, kernelSuite, which } from "./harness.js";

const SETS = `# every set type whose elements fwlint models, with nomatch exceptions where the type has them
create h_ip hash:ip family inet
add h_ip 10.0.0.1
add h_ip 10.0.1.0/30
add h_ip 10.0.2.5-10.0.2.9
create h_ipmask hash:ip family inet netmask 24
add h_ipmask 10.5.5.5
create h_net hash:net family inet
add h_net 10.0.0.0/8
add h_net 10.1.0.0/16 nomatch
add h_net 10.1.2.0/24
add h_net 10.1.2.128/25 nomatch
add h_net 172.16.0.0-172.16.0.20
create h_netport hash:net,port family inet
add h_netport 10.0.0.0/8,tcp:25
add h_netport 10.1.0.0/16,tcp:25 nomatch
add h_netport 10.1.2.0/24,tcp:25
add h_netport 10.0.0.0/8,udp:53-55
add h_netport 192.168.0.0/16,icmp:echo-request
add h_netport 192.168.0.0/16,gre:0
add h_netport 192.168.1.0/24,tcp:80 nomatch
add h_netport 192.168.0.0/16,tcp:80
create h_ipport hash:ip,port family inet
add h_ipport 10.0.0.1,tcp:22
add h_ipport 10.0.0.1,udp:22
add h_ipport 10.0.0.2,sctp:100-110
add h_ipport 10.0.0.3,icmp:3/3
add h_ipport 10.0.0.3,icmp:host-unreachable
create h_ipportip hash:ip,port,ip family inet
add h_ipportip 10.0.0.1,tcp:22,192.0.2.1
add h_ipportip 10.0.0.1,udp:500-501,192.0.2.2
create h_ipportnet hash:ip,port,net family inet
add h_ipportnet 10.0.0.1,tcp:443,192.0.2.0/24
add h_ipportnet 10.0.0.1,tcp:443,192.0.2.128/25 nomatch
add h_ipportnet 10.0.0.1,tcp:443,192.0.2.192/26
create h_netiface hash:net,iface family inet
add h_netiface 10.0.0.0/8,eth0
add h_netiface 10.0.0.0/16,eth0 nomatch
add h_netiface 10.0.0.0/8,eth1
create h_netiface2 hash:net,iface family inet
add h_netiface2 10.0.0.0/16,eth0
add h_netiface2 10.0.0.0/8,eth1
add h_netiface2 192.168.0.0/16,eth1
create h_net6 hash:net family inet6
add h_net6 2001:db8::/32
add h_net6 2001:db8:1::/48 nomatch
add h_net6 2001:db8:1:2::/64
create h_ipport6 hash:ip,port family inet6
add h_ipport6 2001:db8::1,tcp:443
add h_ipport6 2001:db8::1,icmpv6:echo-request
create b_port bitmap:port range 0-1024
add b_port 22
add b_port 80-90
create b_ip bitmap:ip range 10.0.0.0/16
add b_ip 10.0.0.7
add b_ip 10.0.1.0/30
`;

/** Flags per set, as a rule names them: the lookup of each dimension (source or destination). */
const FLAGS: Record<string, ("src" | "dst")[]> = {
  h_ip: ["src"],
  h_ipmask: ["src"],
  h_net: ["src"],
  h_netport: ["src", "dst"],
  h_ipport: ["src", "dst"],
  h_ipportip: ["src", "dst", "dst"],
  h_ipportnet: ["src", "dst", "dst"],
  h_netiface: ["src", "src"],
  h_netiface2: ["src", "src"],
  h_net6: ["src"],
  h_ipport6: ["src", "dst"],
  b_port: ["dst"],
  b_ip: ["src"],
};

/** One dimension's value of a probe. */
type Value = { kind: "addr"; v: bigint } | { kind: "port"; proto: string; port?: number; icmp?: [number, number] } | { kind: "iface"; name: string };

const PROTO_NAMES: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 58: "icmpv6", 132: "sctp", 136: "udplite" };

/** Values at and around the edges of the elements' parts in dimension `i`, and a few others. */
function candidates(set: IpsetDef, i: number, family: Family, rand: () => number): Value[] {
  const out: Value[] = [];
  const max = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
  for (const e of set.entries) {
    const p = e.parts[i] as IpsetPart;
    if (p.dim === "ip" || p.dim === "net") {
      const { lo, hi } = p.range;
      for (const v of [lo, hi, lo - 1n, hi + 1n, (lo + hi) / 2n]) if (v >= 0n && v <= max) out.push({ kind: "addr", v });
    } else if (p.dim === "port") {
      const proto = PROTO_NAMES[p.proto]!;
      if (p.icmp) {
        out.push({ kind: "port", proto, icmp: [p.icmp.type, p.icmp.code] }, { kind: "port", proto, icmp: [p.icmp.type, p.icmp.code + 1] });
      } else if (p.ports) {
        const [a, b] = p.ports;
        for (const port of [a, b, a - 1, b + 1]) if (port >= 1 && port <= 65535) out.push({ kind: "port", proto, port });
        out.push({ kind: "port", proto: proto === "tcp" ? "udp" : "tcp", port: a });
      } else out.push({ kind: "port", proto });
    } else if (p.dim === "iface") out.push({ kind: "iface", name: p.name });
  }
  const dim = set.dims[i]!;
  if (dim === "ip" || dim === "net") out.push({ kind: "addr", v: BigInt(Math.floor(rand() * 2 ** 32)) << (family === 6 ? 96n : 0n) });
  if (dim === "port") out.push({ kind: "port", proto: "udp", port: 9999 }, { kind: "port", proto: "tcp", port: 1 });
  if (dim === "iface") out.push({ kind: "iface", name: "eth9" });
  return out;
}

interface Probe {
  element: string;
  packet: Packet;
}

/** The probe's element as `ipset test` takes it, and the packet a rule with the set's flags looks up so. */
function probeOf(set: IpsetDef, values: Value[], family: Family): Probe | undefined {
  const flags = FLAGS[set.name]!;
  const packet: Packet = { family, proto: "tcp", src: family === 4 ? "203.0.113.200" : "2001:db8:ffff::200", dst: family === 4 ? "198.51.100.200" : "2001:db8:ffff::201", sport: 40000, dport: 40000, hook: "input", iif: "eth0" };
  const text: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const flag = flags[i]!;
    if (v.kind === "addr") {
      text.push(formatIP(v.v, family));
      packet[flag] = formatIP(v.v, family);
    } else if (v.kind === "iface") {
      text.push(v.name);
      if (flag === "src") packet.iif = v.name;
      else return undefined;
    } else {
      packet.proto = v.proto;
      if (v.icmp) {
        text.push(`${v.proto}:${v.icmp[0]}/${v.icmp[1]}`);
        packet.icmp_type = v.icmp[0];
        packet.icmp_code = v.icmp[1];
        delete packet.sport;
        delete packet.dport;
      } else if (v.port !== undefined) {
        text.push(set.type === "bitmap:port" ? String(v.port) : `${v.proto}:${v.port}`);
        packet[flag === "src" ? "sport" : "dport"] = v.port;
      } else {
        text.push(`${v.proto}:0`);
        delete packet.sport;
        delete packet.dport;
      }
    }
  }
  if (set.type === "bitmap:port" && packet.proto !== "tcp" && packet.proto !== "udp") return undefined;
  return { element: text.join(","), packet };
}

function probesFor(set: IpsetDef, family: Family): Probe[] {
  const rand = prng(set.name.length * 7919 + set.entries.length);
  const cands = set.dims.map((_d, i) => candidates(set, i, family, rand));
  const out = new Map<string, Probe>();
  const add = (values: Value[]) => {
    const p = probeOf(set, values, family);
    if (p) out.set(p.element, p);
  };
  // every element's own edges, each dimension moved over its candidates with the others kept
  for (let k = 0; k < cands[0]!.length; k++) {
    const base = cands.map((c, i) => c[Math.min(c.length - 1, i === 0 ? k : Math.floor(rand() * c.length))]!);
    add(base);
    for (let i = 1; i < cands.length; i++) for (const v of cands[i]!) add(base.map((b, j) => (j === i ? v : b)));
  }
  for (let n = 0; n < 40; n++) add(cands.map((c) => c[Math.floor(rand() * c.length)]!));
  return [...out.values()];
}

const skip =
  typeof process.getuid === "function" && process.getuid() !== 0 ? "not root (ipset needs a network namespace)" : !which("ipset") ? "ipset is not installed" : !which("ip") ? "ip (iproute2) is not installed" : undefined;
const required = process.env.FWLINT_REQUIRE_KERNEL === "1";

kernelSuite("ipset membership against the kernel", skip, required, () => {
  it("fwlint finds in each set exactly the packets the kernel finds there", async () => {
    const { sets, diagnostics } = readIpsetSave(SETS, "ipsets");
    expect(diagnostics).toEqual([]);
    await inScratchNamespace("ipset", (run) => {
      const restored = run(["ipset", "restore"], SETS);
      expect(restored.stderr).toBe("");
      let judged = 0;
      let inSet = 0;
      const disagreements: string[] = [];
      for (const set of sets.values()) {
        const family = set.family;
        const probes = probesFor(set, family);
        // the kernel's answers, one `ipset test` per probe, in one shell in the namespace
        const script = probes.map((p) => `ipset -q test ${set.name} '${p.element}' && echo 1 || echo 0`).join("\n");
        const kernel = run(["sh", "-c", script]).stdout.trim().split("\n");
        expect(kernel.length).toBe(probes.length);
        const save = `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m set --match-set ${set.name} ${FLAGS[set.name]!.join(",")} -j ACCEPT\nCOMMIT\n`;
        const ruleset = parseIptablesSave(save, "/ipset-test/rules", {
          family,
          io: { readFile: (p) => (p === "/ipset-test/ipsets" ? SETS : undefined), listDir: (d) => (d === "/ipset-test" ? ["ipsets", "rules"] : undefined) },
        });
        expect(ruleset.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
        probes.forEach((p, k) => {
          const kernelIn = kernel[k] === "1";
          const verdict = verdictFor(ruleset, p.packet).verdict;
          judged++;
          if (kernelIn) inSet++;
          if (verdict !== (kernelIn ? "accept" : "drop")) disagreements.push(`${set.name} ${p.element}: kernel ${kernelIn ? "in" : "not in"}, fwlint ${verdict}`);
        });
      }
      console.log(`[ipset membership vs kernel] ${sets.size} sets, ${judged} probes (${inSet} in their set): ${judged - disagreements.length} agree, ${disagreements.length} disagree`);
      expect(disagreements).toEqual([]);
      expect(judged).toBeGreaterThan(300);
      expect(inSet).toBeGreaterThan(60);
      expect(judged - inSet).toBeGreaterThan(60);
    });
  }, 120_000);
});
