/**
 * The packet mark followed from rule to rule: iptables MARK / -m mark, nft `meta mark set` /
 * `meta mark`, in the evaluator and in the trace. Packets from the network arrive unmarked (as the
 * kernel oracle's do); what a local process sends, or a rule copies from the connection, carries a
 * mark fwlint does not know.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseNft, parseNftJson } from "../../parsers/nftables/index.js";
import { evaluateRuleset, type PipelineResult } from "../../src/analysis/evaluate.js";
import { packetToPoint } from "../../src/analysis/packet.js";
import { tracePacket } from "../../src/analysis/trace.js";
import type { Ruleset } from "../../src/model/types.js";
import { Dim } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";

const tcp = (port: number) => PacketSet.box({ [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: [[BigInt(port), BigInt(port)]] });
const from = (a: string, port: number) => {
  const [x, y, z, w] = a.split(".").map(BigInt) as [bigint, bigint, bigint, bigint];
  const v = (x << 24n) | (y << 16n) | (z << 8n) | w;
  return tcp(port).intersect(PacketSet.box({ [Dim.Src]: [[v, v]] }));
};

function iptables(lines: string[]): Ruleset {
  const rs = parseIptablesSave(lines.join("\n") + "\n", "rules.v4", { family: 4 });
  expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return rs;
}

function nft(text: string, json = false): Ruleset {
  const rs = json ? parseNftJson(text, "m.json") : parseNft(text, "m.nft");
  expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return rs;
}

function result(rs: Ruleset, kind: "inbound" | "forward" | "outbound"): PipelineResult {
  return evaluateRuleset(rs).results.find((r) => r.pipeline.kind === kind && r.pipeline.family === 4)!;
}

const MANGLE = ["*mangle", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]"];
const FILTER = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT DROP [0:0]"];

/** A mangle table with these rules, then a filter table (DROP policies) with those. */
function mangleThenFilter(mangle: string[], filter: string[]): Ruleset {
  return iptables([...MANGLE, ...mangle, "COMMIT", ...FILTER, ...filter, "COMMIT"]);
}

describe("iptables marks", () => {
  it("a mark set in mangle PREROUTING decides a later -m mark test, for certain", () => {
    const rs = mangleThenFilter(
      [
        "-A PREROUTING -s 10.0.0.0/8 -p tcp --dport 22 -j MARK --set-xmark 0x1/0xffffffff",
      ],
      [
        "-A INPUT -m mark --mark 0x1 -j ACCEPT",
        "-A INPUT -p tcp --dport 25 -m mark ! --mark 0x2/0x2 -j ACCEPT",
      ],
    );
    const r = result(rs, "inbound");
    expect(r.certainlyAccepted.isSubsetOf(r.possiblyAccepted)).toBe(true);
    expect(r.certainlyAccepted.overlaps(from("10.1.2.3", 22))).toBe(true);
    // SSH from elsewhere is never marked: dropped, not "maybe"
    expect(r.possiblyAccepted.overlaps(from("192.0.2.1", 22))).toBe(false);
    // nothing sets bit 2: the negated test holds for every packet
    expect(r.certainlyAccepted.overlaps(from("192.0.2.1", 25))).toBe(true);
    expect(r.accepted.every((a) => a.certain)).toBe(true);
  });

  it("--set-mark, --or-mark, --and-mark and --xor-mark rewrite the mark as the kernel does", () => {
    const rs = mangleThenFilter(
      [
        "-A PREROUTING -p tcp --dport 1 -j MARK --set-xmark 0x1/0xffffffff",
        "-A PREROUTING -p tcp --dport 1 -j MARK --set-mark 0x31/0xf0",
        "-A PREROUTING -p tcp --dport 1 -j MARK --or-mark 0x2",
        "-A PREROUTING -p tcp --dport 1 -j MARK --xor-mark 0x11",
        "-A PREROUTING -p tcp --dport 2 -j MARK --set-mark 0xff",
        "-A PREROUTING -p tcp --dport 2 -j MARK --and-mark 0x0f",
      ],
      [
        // port 1: 0x1, then 0x31 (the value's bits set, not flipped), 0x33, 0x22; port 2: 0xff, then 0x0f
        "-A INPUT -p tcp --dport 1 -m mark --mark 0x22 -j ACCEPT",
        "-A INPUT -p tcp --dport 2 -m mark --mark 0x0f -j ACCEPT",
        "-A INPUT -p tcp --dport 3 -m mark --mark 0x0/0xffffffff -j ACCEPT",
      ],
    );
    const r = result(rs, "inbound");
    for (const port of [1, 2, 3]) expect(r.certainlyAccepted.overlaps(tcp(port)), `port ${port}`).toBe(true);
    expect(r.accepted.every((a) => a.certain)).toBe(true);
  });

  it("a mark copied from the connection (CONNMARK --restore-mark) is not known", () => {
    const rs = mangleThenFilter(["-A PREROUTING -j CONNMARK --restore-mark"], ["-A INPUT -m mark --mark 0x1 -j ACCEPT"]);
    const r = result(rs, "inbound");
    expect(r.possiblyAccepted.overlaps(tcp(80))).toBe(true);
    expect(r.certainlyAccepted.isEmpty()).toBe(true);
    expect(r.accepted.flatMap((a) => a.assumptions).join(" ")).toContain("-m mark --mark 0x1");
  });

  it("what a local process sends may carry any mark", () => {
    const rs = iptables([...FILTER, "-A OUTPUT -m mark --mark 0x1 -j ACCEPT", "COMMIT"]);
    const r = result(rs, "outbound");
    expect(r.possiblyAccepted.overlaps(tcp(80))).toBe(true);
    expect(r.certainlyAccepted.isEmpty()).toBe(true);
  });

  it("a MARK rule under an unmodelled condition leaves the mark unknown where it may have matched", () => {
    const rs = mangleThenFilter(
      [
        "-A PREROUTING -p tcp --dport 80 -m statistic --mode random --probability 0.5 -j MARK --set-xmark 0x1/0xffffffff",
      ],
      [
        "-A INPUT -m mark --mark 0x1 -j ACCEPT",
      ],
    );
    const r = result(rs, "inbound");
    expect(r.possiblyAccepted.overlaps(tcp(80))).toBe(true);
    expect(r.certainlyAccepted.overlaps(tcp(80))).toBe(false);
    // where it cannot have matched, the mark is still known to be 0
    expect(r.possiblyAccepted.overlaps(tcp(81))).toBe(false);
  });

  it("kube-proxy: the nat table marks service traffic from outside, FORWARD accepts the mark", () => {
    const rs = iptables([
      "*nat",
      ":PREROUTING ACCEPT [0:0]",
      ":INPUT ACCEPT [0:0]",
      ":OUTPUT ACCEPT [0:0]",
      ":POSTROUTING ACCEPT [0:0]",
      ":KUBE-MARK-MASQ - [0:0]",
      ":SVC - [0:0]",
      "-A PREROUTING -d 10.96.0.10/32 -p tcp --dport 80 -j SVC",
      "-A SVC ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ",
      "-A SVC -p tcp -j DNAT --to-destination 10.244.1.5:8080",
      "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
      "COMMIT",
      ...FILTER,
      "-A FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT",
      "COMMIT",
    ]);
    const r = result(rs, "forward");
    const toService = (src: string) => from(src, 80).intersect(PacketSet.box({ [Dim.Dst]: [[0x0a60000an, 0x0a60000an]], [Dim.CtState]: [[0n, 0n]] }));
    expect(r.certainlyAccepted.overlaps(toService("198.51.100.7"))).toBe(true);
    // the pods' own traffic is not marked: dropped, for certain
    expect(r.possiblyAccepted.overlaps(toService("10.244.3.3"))).toBe(false);
    expect(r.accepted.every((a) => a.certain)).toBe(true);
  });

  it("a mark no rule tests (routing marks) or bits no rule tests split no flow", () => {
    const filter = ["-A INPUT -p tcp --dport 22 -j ACCEPT", "-A INPUT -p tcp --dport 25 -m mark --mark 0x1/0x1 -j ACCEPT"];
    const plain = result(iptables([...FILTER, ...filter, "COMMIT"]), "inbound");
    const routing = mangleThenFilter(["-A PREROUTING -s 10.0.0.0/8 -j MARK --set-xmark 0x100/0x100"], filter);
    const r = result(routing, "inbound");
    expect(r.accepted.length).toBe(plain.accepted.length);
    expect(r.certainlyAccepted.equals(plain.certainlyAccepted)).toBe(true);
    // bit 0 is tested: setting it does split
    const tested = result(mangleThenFilter(["-A PREROUTING -s 10.0.0.0/8 -j MARK --set-xmark 0x101/0x101"], filter), "inbound");
    expect(tested.certainlyAccepted.overlaps(from("10.1.1.1", 25))).toBe(true);
    expect(tested.possiblyAccepted.overlaps(from("192.0.2.1", 25))).toBe(false);
  });

  it("malformed MARK and -m mark values are errors at their place", () => {
    const rs = parseIptablesSave(["*mangle", ":PREROUTING ACCEPT [0:0]", "-A PREROUTING -j MARK --set-xmark 0x1/zz", "-A PREROUTING -m mark --mark 0x100000000 -j ACCEPT", "COMMIT", ""].join("\n"), "rules.v4", { family: 4 });
    const errors = rs.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((e) => [e.line, e.message])).toEqual([
      [3, expect.stringContaining("after --set-xmark")],
      [4, expect.stringContaining("after --mark")],
    ]);
  });
});

describe("nftables marks", () => {
  const text = `table inet f {
  chain pre {
    type filter hook prerouting priority mangle; policy accept;
    ip saddr 10.20.0.0/16 tcp dport 22 meta mark set 0x1
    tcp dport 3306 meta mark set meta mark | 0x10
    tcp dport 5000 meta mark set ct mark
  }
  chain input {
    type filter hook input priority filter; policy drop;
    meta mark 0x1 accept
    meta mark & 0x10 == 0x10 ip saddr 192.168.0.0/16 accept
    tcp dport 25 meta mark and 0x2 != 0x2 accept
    tcp dport 6379 meta mark { 0x7, 0x0 } accept
    tcp dport 5000 meta mark 0x3 accept
  }
}
`;
  it("meta mark set and meta mark tests (==, !=, a mask, a set) are followed", () => {
    const r = result(nft(text), "inbound");
    expect(r.certainlyAccepted.overlaps(from("10.20.1.1", 22))).toBe(true);
    expect(r.possiblyAccepted.overlaps(from("10.21.1.1", 22))).toBe(false);
    expect(r.certainlyAccepted.overlaps(from("192.168.1.1", 3306))).toBe(true);
    expect(r.possiblyAccepted.overlaps(from("192.0.2.1", 3306))).toBe(false);
    expect(r.certainlyAccepted.overlaps(from("192.0.2.1", 25))).toBe(true);
    expect(r.certainlyAccepted.overlaps(from("192.0.2.1", 6379))).toBe(true);
    // the connection's mark: not known
    expect(r.possiblyAccepted.overlaps(from("192.0.2.1", 5000))).toBe(true);
    expect(r.certainlyAccepted.overlaps(from("192.0.2.1", 5000))).toBe(false);
  });

  it("nft -j's mangle statement reads as the text form does", () => {
    const json = {
      nftables: [
        { table: { family: "ip", name: "f", handle: 1 } },
        { chain: { family: "ip", table: "f", name: "pre", handle: 1, type: "filter", hook: "prerouting", prio: -150, policy: "accept" } },
        { chain: { family: "ip", table: "f", name: "in", handle: 2, type: "filter", hook: "input", prio: 0, policy: "drop" } },
        {
          rule: {
            family: "ip",
            table: "f",
            chain: "pre",
            handle: 3,
            expr: [
              { match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: 3306 } },
              { mangle: { key: { meta: { key: "mark" } }, value: { "|": [{ meta: { key: "mark" } }, 16] } } },
            ],
          },
        },
        {
          rule: {
            family: "ip",
            table: "f",
            chain: "in",
            handle: 4,
            expr: [{ match: { op: "==", left: { "&": [{ meta: { key: "mark" } }, 16] }, right: 16 } }, { accept: null }],
          },
        },
      ],
    };
    const rs = nft(JSON.stringify(json), true);
    const r = result(rs, "inbound");
    expect(r.certainlyAccepted.overlaps(tcp(3306))).toBe(true);
    expect(r.possiblyAccepted.overlaps(tcp(3307))).toBe(false);
  });

  it("fwlint trace follows the mark, and says where it does not know it", () => {
    const rs = nft(text);
    const inbound = rs.pipelines.find((p) => p.kind === "inbound" && p.family === 4)!;
    const ssh = tracePacket(rs, inbound, packetToPoint({ src: "10.20.1.1", dst: "10.0.0.5", proto: "tcp", sport: 40000, dport: 22, family: 4, hook: "input" }, "new"));
    expect(ssh.map((p) => [p.verdict, p.assumptions])).toEqual([["accept", []]]);
    expect(ssh[0]!.decidedBy?.line).toBe(10);
    const other = tracePacket(rs, inbound, packetToPoint({ src: "10.21.1.1", dst: "10.0.0.5", proto: "tcp", sport: 40000, dport: 22, family: 4, hook: "input" }, "new"));
    expect(other.map((p) => p.verdict)).toEqual(["drop"]);
    const ct = tracePacket(rs, inbound, packetToPoint({ src: "10.21.1.1", dst: "10.0.0.5", proto: "tcp", sport: 40000, dport: 5000, family: 4, hook: "input" }, "new"));
    // each test of the unknown mark is followed both ways
    expect(ct.map((p) => [p.verdict, p.assumptions]).sort((a, b) => String(a).localeCompare(String(b)))).toEqual([
      ["accept", ["meta mark 0x1 (m.nft:10)"]],
      ["accept", ["not meta mark 0x1 (m.nft:10)", "meta mark 0x3 (m.nft:14)"]],
      ["drop", ["not meta mark 0x1 (m.nft:10)", "not meta mark 0x3 (m.nft:14)"]],
    ]);
  });
});
