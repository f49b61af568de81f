/** nftables text -> model: exact models for each construct, pipelines, and malformed input (text reader + mapper). */
import { describe, expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import { verdictFor } from "../../../src/analysis/verdict.js";
import { analyzeText } from "../../../src/engine/check.js";
import type { Diagnostic } from "../../../src/model/types.js";
import { verdicts } from "./nft-json-builders.js";

const wrap = (body: string, family = "inet") =>
  `table ${family} t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  ${body}\n }\n chain x {\n }\n}\n`;
const rule = (body: string, family = "inet") => {
  const rs = parseNft(wrap(body, family), "r.nft");
  expect(rs.diagnostics).toEqual([]);
  const r = rs.chains.get(`${family} t/c`)!.rules[0]!;
  return { conditions: r.conditions, action: r.action, comment: r.comment };
};
/** A chain holding `body` on line 4, for error positions. */
const inChain = (body: string) => `table inet t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  ${body}\n }\n}\n`;
const errors = (text: string) => parseNft(text, "b.nft").diagnostics.filter((d: Diagnostic) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);

describe("addresses", () => {
  it("ip6 prefix, range, set, !=", () => {
    expect(rule("ip6 daddr fe80::/10 accept").conditions).toEqual([
      { kind: "family", family: 6 },
      { kind: "addr", field: "dst", family: 6, ranges: [{ lo: 0xfe80n << 112n, hi: (0xfebfn << 112n) | ((1n << 112n) - 1n) }] },
    ]);
    expect(rule("ip saddr 10.0.0.1-10.0.0.5 drop").conditions[1]).toEqual({ kind: "addr", field: "src", family: 4, ranges: [{ lo: 0x0a000001n, hi: 0x0a000005n }] });
    expect(rule("ip saddr != { 192.168.0.1, 10.0.0.0/31 } drop").conditions[1]).toEqual({
      kind: "addr", field: "src", family: 4, negate: true,
      ranges: [{ lo: 0xc0a80001n, hi: 0xc0a80001n }, { lo: 0x0a000000n, hi: 0x0a000001n }],
    });
  });
});

describe("protocols and ports", () => {
  it("l4proto, ip protocol, nexthdr", () => {
    expect(rule("meta l4proto { tcp, udp } accept").conditions).toEqual([{ kind: "proto", protos: [6, 17] }]);
    expect(rule("ip protocol != icmp accept").conditions).toEqual([{ kind: "family", family: 4 }, { kind: "proto", protos: [1], negate: true }]);
    expect(rule("ip6 nexthdr ipv6-icmp accept").conditions).toEqual([{ kind: "family", family: 6 }, { kind: "proto", protos: [58] }]);
  });
  it("ports: names, ranges, !=, comparisons, th", () => {
    expect(rule("udp sport domain accept").conditions).toEqual([{ kind: "proto", protos: [17] }, { kind: "port", field: "sport", ranges: [[53, 53]] }]);
    expect(rule("tcp dport != 1024-65535 accept").conditions[1]).toEqual({ kind: "port", field: "dport", ranges: [[1024, 65535]], negate: true });
    expect(rule("tcp dport >= 1024 accept").conditions[1]).toEqual({ kind: "port", field: "dport", ranges: [[1024, 65535]] });
    expect(rule("tcp dport > 1023 accept").conditions[1]).toEqual({ kind: "port", field: "dport", ranges: [[1024, 65535]] });
    expect(rule("tcp dport <= 22 accept").conditions[1]).toEqual({ kind: "port", field: "dport", ranges: [[0, 22]] });
    expect(rule("th dport 53 accept").conditions).toEqual([{ kind: "port", field: "dport", ranges: [[53, 53]] }]);
  });
});

describe("interfaces, ct, icmp, tcp flags, fib", () => {
  it("interfaces", () => {
    expect(rule("iif lo accept").conditions).toEqual([{ kind: "iface", field: "iif", name: "lo", prefix: false }]);
    expect(rule('oifname { "wg*", "eth0" } accept').conditions).toEqual([
      { kind: "or", anyOf: [[{ kind: "iface", field: "oif", name: "wg", prefix: true }], [{ kind: "iface", field: "oif", name: "eth0", prefix: false }]] },
    ]);
  });
  it("ct state sets and !=", () => {
    expect(rule("ct state { established, related } accept").conditions).toEqual([{ kind: "ctstate", states: ["established", "related"] }]);
    expect(rule("ct state != new drop").conditions).toEqual([{ kind: "ctstate", states: ["new"], negate: true }]);
  });
  it("icmp types", () => {
    expect(rule("icmp type echo-request accept").conditions).toEqual([
      { kind: "family", family: 4 }, { kind: "proto", protos: [1] }, { kind: "icmp", family: 4, type: 8 },
    ]);
    expect(rule("icmpv6 type { echo-request, nd-router-advert } accept").conditions[2]).toEqual({
      kind: "or", anyOf: [[{ kind: "icmp", family: 6, type: 128 }], [{ kind: "icmp", family: 6, type: 134 }]],
    });
  });
  it("tcp flags", () => {
    expect(rule("tcp flags syn drop").conditions[1]).toEqual({ kind: "tcpflags", mask: 2, comp: 2 });
    expect(rule("tcp flags & (fin|syn|rst|ack) != syn drop").conditions[1]).toEqual({ kind: "tcpflags", mask: 23, comp: 2, negate: true });
    expect(rule("tcp flags syn / fin,syn,rst,ack drop").conditions[1]).toEqual({ kind: "tcpflags", mask: 23, comp: 2 });
    expect(rule("tcp flags == 0x0 drop").conditions[1]).toEqual({ kind: "tcpflags", mask: 255, comp: 0 });
  });
  it("fib daddr type local", () => {
    expect(rule("fib daddr type != local drop").conditions).toEqual([{ kind: "local-dst", text: "fib daddr type != local", negate: true }]);
  });
});

describe("verdicts, statements, unknowns", () => {
  it("verdicts", () => {
    // nft prints `reject with icmpx admin-prohibited`; the optional `type` word does not change it.
    expect(rule("reject with icmpx type admin-prohibited").action).toEqual({ kind: "reject", with: "icmpx admin-prohibited" });
    expect(rule("reject with icmpx admin-prohibited").action).toEqual({ kind: "reject", with: "icmpx admin-prohibited" });
    expect(rule("queue num 3 bypass").action).toEqual({ kind: "unknown", target: "queue num 3 bypass" });
    expect(rule("reject with tcp reset").action).toEqual({ kind: "reject", with: "tcp reset" });
    expect(rule("goto x").action).toEqual({ kind: "goto", chain: "x" });
    expect(rule("return").action).toEqual({ kind: "return" });
    expect(rule("continue").action).toEqual({ kind: "continue", target: "continue" });
    expect(rule('counter packets 3 bytes 180 comment "hi"')).toEqual({ conditions: [], action: { kind: "continue", target: "counter" }, comment: "hi" });
  });
  it("unmodelled statements are kept with their text", () => {
    expect(rule("meta cpu 1 ct helper ftp accept").conditions).toEqual([
      { kind: "unknown", text: "meta cpu 1", reason: "meta cpu is not modelled" },
      // (a packet without a connection - INVALID, UNTRACKED, or before connection tracking - has no helper: nft's ct expression ends the rule)
      { kind: "ctstate", states: ["new", "established", "related"] },
      { kind: "unknown", text: "ct helper ftp", reason: "ct helper is not modelled" },
    ]);
    // the packet mark is followed (see test/analysis/marks.test.ts); the connection's is not
    expect(rule("meta mark 0x1 ct mark 0x2 accept").conditions).toEqual([
      { kind: "mark", mask: 0xffffffff, values: [1], text: "meta mark 0x1" },
      { kind: "ctstate", states: ["new", "established", "related"] },
      { kind: "unknown", text: "ct mark 0x2", reason: "ct mark is not modelled" },
    ]);
    expect(rule("limit rate over 10/second drop").conditions).toEqual([{ kind: "unknown", text: "limit rate over 10/second", reason: "'limit' is not modelled", ordinary: false, drawn: true }]);
    // with no verdict after it, a statement that may take packets away names the rule in traces
    // synproxy answers a SYN itself and drops an ACK without its cookie (the kernel, asked): it decides, fwlint cannot say how
    expect(rule("synproxy mss 1460 wscale 7")).toEqual({ conditions: [{ kind: "proto", protos: [6] }], action: { kind: "unknown", target: "synproxy mss 1460 wscale 7" } });
    // by an object map, only for the packets whose key it holds (the kernel passes over the others)
    const chooser = parseNft(wrap('synproxy name ip saddr map { 192.168.1.0/24 : "a", 10.0.0.1 : "b" }').replace(" chain x {", " synproxy a { mss 1460 wscale 7; }\n synproxy b { mss 1460 wscale 7; }\n chain x {"), "r.nft");
    expect(chooser.diagnostics).toEqual([]);
    expect(chooser.chains.get("inet t/c")!.rules[0]!.conditions).toEqual([
      { kind: "family", family: 4 },
      { kind: "addr", field: "src", family: 4, ranges: [{ lo: 0xc0a80100n, hi: 0xc0a801ffn }, { lo: 0x0a000001n, hi: 0x0a000001n }] },
      { kind: "proto", protos: [6] },
    ]);
    const rs = parseNft(wrap("ip saddr @blocked drop"), "u.nft");
    expect(rs.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual(["4:12 set @blocked is not declared in table inet t"]);
    expect(rs.chains.get("inet t/c")!.rules[0]!.conditions).toEqual([{ kind: "family", family: 4 }, { kind: "unknown", text: "ip saddr @blocked", reason: "set @blocked is not declared" }]);
  });
  it("ip ttl and ip6 hoplimit: values, ranges, relations, sets; a statement that sets them is not followed", () => {
    expect(rule("ip ttl 1 drop").conditions).toEqual([{ kind: "family", family: 4 }, { kind: "ttl", ranges: [[1, 1]] }]);
    expect(rule("ip ttl != 255 drop").conditions).toEqual([{ kind: "family", family: 4 }, { kind: "ttl", ranges: [[255, 255]], negate: true }]);
    expect(rule("ip ttl < 10 drop").conditions).toEqual([{ kind: "family", family: 4 }, { kind: "ttl", ranges: [[0, 9]] }]);
    expect(rule("ip ttl >= 250 drop").conditions).toEqual([{ kind: "family", family: 4 }, { kind: "ttl", ranges: [[250, 255]] }]);
    expect(rule("ip6 hoplimit { 1, 64-128 } drop").conditions).toEqual([{ kind: "family", family: 6 }, { kind: "ttl", ranges: [[1, 1], [64, 128]] }]);
    expect(rule("ip6 hoplimit 0x40 accept").conditions).toEqual([{ kind: "family", family: 6 }, { kind: "ttl", ranges: [[64, 64]] }]);
    expect(errors(inChain("ip ttl 256 drop"))).toEqual([expect.stringMatching(/^4:10 expected a number \(0-255\) after 'ip ttl'/)]);
    expect(rule("ip ttl set 64 accept").action).toEqual({ kind: "unknown", target: "ip ttl set 64" });
  });
  it("concatenated verdict maps: one exact rule per element", () => {
    const vm = parseNft(wrap("ip saddr . tcp dport vmap { 10.0.0.1 . 22 : accept, 10.0.0.2 . 23 : drop }"), "v.nft").chains.get("inet t/c")!.rules;
    const el = (a: bigint, p: number) => [{ kind: "addr", field: "src", family: 4, ranges: [{ lo: a, hi: a }] }, { kind: "port", field: "dport", ranges: [[p, p]] }];
    expect(vm.map((r) => [r.conditions, r.action])).toEqual([
      [[{ kind: "family", family: 4 }, { kind: "proto", protos: [6] }, { kind: "or", anyOf: [el(0x0a000001n, 22)] }], { kind: "accept" }],
      [[{ kind: "family", family: 4 }, { kind: "proto", protos: [6] }, { kind: "or", anyOf: [el(0x0a000002n, 23)] }], { kind: "drop" }],
    ]);
  });
});

describe("nat statements", () => {
  const nat = (body: string, family = "inet") => {
    const rs = parseNft(`table ${family} n {\n chain pre {\n  type nat hook prerouting priority dstnat;\n  ${body}\n }\n}\n`, "n.nft");
    expect(rs.diagnostics).toEqual([]);
    const r = rs.chains.get(`${family} n/pre`)!.rules[0]!;
    return { conditions: r.conditions, action: r.action };
  };
  it("dnat and redirect", () => {
    expect(nat("tcp dport 8080 dnat ip to 10.0.0.5:80")).toEqual({
      conditions: [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[8080, 8080]] }, { kind: "family", family: 4 }],
      action: { kind: "dnat", to: { addr: { lo: 0x0a000005n, hi: 0x0a000005n }, ports: [80, 80], family: 4 }, target: "dnat to 10.0.0.5:80" },
    });
    expect(nat("dnat to 10.0.0.5-10.0.0.6", "ip").action).toEqual({ kind: "dnat", to: { addr: { lo: 0x0a000005n, hi: 0x0a000006n }, family: 4 }, target: "dnat to 10.0.0.5-10.0.0.6" });
    expect(nat("tcp dport 443 dnat ip6 to [2001:db8::1]:443").action).toEqual({ kind: "dnat", to: { addr: { lo: 0x20010db8n << 96n | 1n, hi: 0x20010db8n << 96n | 1n }, ports: [443, 443], family: 6 }, target: "dnat to [2001:db8::1]:443" });
    expect(nat("tcp dport 80 redirect to :8080").action).toEqual({ kind: "dnat", to: { ports: [8080, 8080] }, target: "redirect to :8080" });
    expect(nat("redirect").action).toEqual({ kind: "dnat", to: {}, target: "redirect" });
    expect(nat("masquerade random").action).toEqual({ kind: "snat", to: {}, target: "masquerade" });
    expect(nat("dnat ip to ip saddr map { 10.0.0.1 : 10.0.0.2 }")).toEqual({
      conditions: [{ kind: "family", family: 4 }, { kind: "addr", field: "src", family: 4, ranges: [{ lo: 0x0a000001n, hi: 0x0a000001n }] }],
      action: { kind: "dnat", to: { addr: { lo: 0x0a000002n, hi: 0x0a000002n }, family: 4 }, target: "dnat to 10.0.0.2" },
    });
    expect(nat("dnat ip to numgen inc mod 2 map { 0 : 10.0.0.1, 1 : 10.0.0.2 }").conditions[0]).toMatchObject({ kind: "unknown", text: "numgen inc mod 2 0" });
  });
});

describe("maps looked up with a generator key (numgen, jhash, symhash: load balancing)", () => {
  const chain = (body: string) => {
    const rs = parseNft(`table ip n {\n chain pre {\n  type nat hook prerouting priority dstnat;\n  ${body}\n }\n}\n`, "g.nft");
    expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    return rs.chains.get("ip n/pre")!.rules.map((r) => [r.element, r.conditions.filter((c) => c.kind === "unknown").map((c) => (c as { text: string }).text), r.action.kind]);
  };
  it("elements holding every value the key yields: the last takes what the others leave, the lookup never misses", () => {
    expect(chain("dnat to numgen inc mod 2 map { 0 : 10.0.0.1, 1 : 10.0.0.2 }")).toEqual([
      ["0", ["numgen inc mod 2 0"], "dnat"],
      ["1, whatever the others leave", [], "dnat"],
    ]);
    expect(chain("dnat to numgen random mod 10 map { 0-5 : 10.0.0.1, 6-9 : 10.0.0.2 }")).toEqual([
      ["0-5", ["numgen random mod 10 0-5"], "dnat"],
      ["6-9, whatever the others leave", [], "dnat"],
    ]);
    // offset moves the values; an element outside them never matches and is left out
    expect(chain("dnat to numgen inc mod 2 offset 5 map { 5 : 10.0.0.1, 6 : 10.0.0.2, 7 : 10.0.0.3 }")).toEqual([
      ["5", ["numgen inc mod 2 offset 5 5"], "dnat"],
      ["6, whatever the others leave", [], "dnat"],
    ]);
    expect(chain("dnat to jhash ip saddr . tcp dport mod 2 seed 0xdead map { 0 : 10.0.0.1, 1 : 10.0.0.2 }").map((r) => r[1])).toEqual([["jhash ip saddr . tcp dport mod 2 seed 0xdead 0"], []]);
    expect(chain("dnat to symhash mod 0x2 map { 0x0-0x1 : 10.0.0.1 }")).toEqual([["0x0-0x1, whatever the others leave", [], "dnat"]]);
    // a key test left is a draw per packet, not a fact of the environment (see AcceptedRegion.drawn)
    const drawn = parseNft("table ip n {\n chain pre {\n  type nat hook prerouting priority dstnat;\n  dnat to numgen inc mod 2 map { 0 : 10.0.0.1, 1 : 10.0.0.2 }\n }\n}\n", "d.nft");
    expect(drawn.chains.get("ip n/pre")!.rules[0]!.conditions).toEqual([{ kind: "unknown", text: "numgen inc mod 2 0", reason: "numgen inc mod 2 is not modelled", drawn: true }]);
    // the rule's own conditions stay on every element
    const marked = parseNft("table ip n {\n chain pre {\n  type nat hook prerouting priority dstnat;\n  tcp dport 25 dnat to numgen inc mod 2 map { 0 : 10.0.0.1, 1 : 10.0.0.2 }\n }\n}\n", "m.nft");
    expect(marked.chains.get("ip n/pre")!.rules.map((r) => r.conditions.map((c) => c.kind))).toEqual([["proto", "port", "unknown"], ["proto", "port"]]);
  });
  it("a value no element holds, or a jump (the chain goes on after it): every element keeps its key test", () => {
    expect(chain("dnat to numgen inc mod 3 map { 0 : 10.0.0.1, 1 : 10.0.0.2 }").map((r) => r[1])).toEqual([["numgen inc mod 3 0"], ["numgen inc mod 3 1"]]);
    expect(chain("dnat to numgen inc mod 2 offset 1 map { 0 : 10.0.0.1, 1 : 10.0.0.2 }").map((r) => r[1])).toEqual([["numgen inc mod 2 offset 1 0"], ["numgen inc mod 2 offset 1 1"]]);
    const vm = parseNft("table ip f {\n chain a {\n }\n chain b {\n }\n chain c {\n  type filter hook input priority 0;\n  numgen inc mod 2 vmap { 0 : jump a, 1 : jump b }\n  numgen inc mod 2 vmap { 0 : accept, 1 : drop }\n }\n}\n", "v.nft");
    expect(vm.chains.get("ip f/c")!.rules.map((r) => r.conditions.length)).toEqual([1, 1, 1, 0]);
  });
  it("what follows a load balancer that always picks a backend is never reached", () => {
    const text = "table ip n {\n chain pre {\n  type nat hook prerouting priority dstnat;\n  tcp dport 25 dnat to numgen inc mod 2 map { 0 : 10.0.0.1, 1 : 10.0.0.2 }\n  tcp dport 25 dnat to 10.0.0.9\n }\n}\n";
    const r = analyzeText("lb.nft", text);
    expect(r.findings.filter((f) => f.ruleId === "shadowed-rule").map((f) => f.location.line)).toEqual([5]);
    const forwards = r.findings.filter((f) => f.ruleId === "nat-port-forward-exposure").map((f) => [f.location.line, f.message]);
    expect(forwards).toEqual([[4, "DNAT rules forward tcp/25 from any source to SMTP on 2 internal hosts, one per connection: 10.0.0.1:25, 10.0.0.2:25 (forward path)"]]);
  });
});

describe("named sets", () => {
  it("constant sets are expanded where they are used; dynamic ones stay unknown", () => {
    const text = [
      "table inet t {",
      "  set web { type inet_service; flags interval; elements = { 80, 443,",
      "    8000-8080 } }",
      "  set seen { type ipv4_addr; flags dynamic; }",
      "  set p { type inet_proto; flags interval; elements = { 10-12 } }",
      "  chain c {",
      "    type filter hook input priority 0; policy drop;",
      "    tcp dport @web accept",
      "    ip saddr @seen drop",
      "    meta l4proto != @p drop",
      "  }",
      "}",
    ].join("\n");
    const rs = parseNft(text, "s.nft");
    expect(rs.diagnostics).toEqual([]);
    expect(rs.chains.get("inet t/c")!.rules.map((r) => r.conditions)).toEqual([
      [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[80, 80], [443, 443], [8000, 8080]] }],
      [{ kind: "family", family: 4 }, { kind: "unknown", text: "ip saddr @seen", reason: "set @seen is filled from outside the ruleset (flags dynamic): what it lists now is read, what may be added is not known", ordinary: false }],
      [{ kind: "proto", protos: [10, 11, 12], negate: true }],
    ]);
  });
  it("a source set only something outside fills: its listed elements exact, a stranger not among what may be added", () => {
    const text = [
      "table ip t {",
      "  set ban { type ipv4_addr; flags timeout; elements = { 192.0.2.1 timeout 1h expires 59m } }",
      "  set pairs { type ipv4_addr . inet_service; timeout 1h; elements = { 192.0.2.2 . 22 } }",
      "  set to { type ipv4_addr; flags timeout; elements = { 192.0.2.3 } }",
      "  chain c {",
      "    type filter hook input priority 0; policy drop;",
      "    ip saddr @ban drop",
      "    ip saddr != @ban tcp dport 25 accept",
      "    ip saddr . tcp dport @pairs drop",
      "    ip daddr @to drop",
      "  }",
      "}",
    ].join("\n");
    const rs = parseNft(text, "s.nft");
    expect(rs.diagnostics).toEqual([]);
    const added = (t: string, set: string, ordinary: boolean) => ({ kind: "unknown", text: t, reason: `set @${set} is filled from outside the ruleset (its elements time out): what it lists now is read, what may be added is not known`, ordinary });
    const v4 = { kind: "family", family: 4 };
    const one = { kind: "addr", field: "src", family: 4, ranges: [{ lo: 0xc0000201n, hi: 0xc0000201n }] };
    const pair = [{ kind: "addr", field: "src", family: 4, ranges: [{ lo: 0xc0000202n, hi: 0xc0000202n }] }, { kind: "port", field: "dport", ranges: [[22, 22]] }];
    const rules = rs.chains.get("ip t/c")!.rules;
    // `ip saddr @ban drop`: two rules from one line - the listed source, then the rest if added
    expect(rules.map((r) => r.span.line)).toEqual([7, 7, 8, 9, 9, 10, 10]);
    expect(rules[0]!.conditions).toEqual([v4, one]);
    expect(rules[1]!.conditions).toEqual([v4, { ...one, negate: true }, added("ip saddr @ban", "ban", false)]);
    // negated: not listed, and not added (which ordinary traffic is not)
    expect(rules[2]!.conditions.slice(0, 3)).toEqual([v4, { ...one, negate: true }, added("ip saddr != @ban", "ban", true)]);
    expect(rules[3]!.conditions.at(-1)).toEqual({ kind: "or", anyOf: [pair] });
    expect(rules[4]!.conditions.slice(-2)).toEqual([{ kind: "or", anyOf: [pair], negate: true }, added("ip saddr . tcp dport @pairs", "pairs", false)]);
    // a destination set: what it lists for certain, then what may be added - which says nothing of strangers
    const to = { kind: "addr", field: "dst", family: 4, ranges: [{ lo: 0xc0000203n, hi: 0xc0000203n }] };
    expect(rules[5]!.conditions).toEqual([v4, to]);
    const { ordinary: _, ...addedTo } = added("ip daddr @to", "to", false);
    expect(rules[6]!.conditions).toEqual([v4, { ...to, negate: true }, addedTo]);
  });
  it("a timed-out set a rule fills stays unknown", () => {
    const rs = parseNft("table ip t {\n set s { type ipv4_addr; flags timeout; }\n chain c { tcp dport 7000 add @s { ip saddr timeout 10s }; ip saddr @s tcp dport 22 accept; }\n}\n", "s.nft");
    expect(rs.diagnostics).toEqual([]);
    expect(rs.chains.get("ip t/c")!.rules[1]!.conditions.find((c) => c.kind === "unknown")).toEqual({ kind: "unknown", text: "ip saddr @s", reason: "the contents of set @s change at run time (its elements time out)" });
  });
  it("a set that rules add to is not constant", () => {
    const rs = parseNft("table ip t {\n set s { type ipv4_addr; elements = { 1.2.3.4 } }\n chain c { add @s { ip saddr } ip saddr @s drop; }\n}\n", "s.nft");
    expect(rs.diagnostics).toEqual([]);
    expect(rs.chains.get("ip t/c")!.rules[0]!.conditions[1]).toEqual({ kind: "unknown", text: "ip saddr @s", reason: "the contents of set @s change at run time (rules add elements)" });
  });
});

describe("verdict maps on one modelled key", () => {
  it("split into one rule per element, after the rule's other matches", () => {
    const rs = parseNft(wrap('iifname "eth0" ct state vmap { established : accept, related : accept, invalid : drop, new : jump x } comment "v"'), "v.nft");
    expect(rs.diagnostics).toEqual([]);
    expect(rs.ruleCount).toBe(1);
    const rules = rs.chains.get("inet t/c")!.rules;
    const iface = { kind: "iface", field: "iif", name: "eth0", prefix: false };
    expect(rules.map((r) => ({ id: r.id, conditions: r.conditions, action: r.action, comment: r.comment, line: r.span.line }))).toEqual([
      { id: "inet t/c#1", conditions: [iface, { kind: "ctstate", states: ["established"] }], action: { kind: "accept" }, comment: "v", line: 4 },
      { id: "inet t/c#2", conditions: [iface, { kind: "ctstate", states: ["related"] }], action: { kind: "accept" }, comment: "v", line: 4 },
      { id: "inet t/c#3", conditions: [iface, { kind: "ctstate", states: ["invalid"] }], action: { kind: "drop" }, comment: "v", line: 4 },
      { id: "inet t/c#4", conditions: [iface, { kind: "ctstate", states: ["new"] }], action: { kind: "jump", chain: "x" }, comment: "v", line: 4 },
    ]);
  });
  it("named verdict maps are read like anonymous ones; one filled from outside: its elements, then what may be added", () => {
    const text = [
      "table ip t {",
      "  map jumps {",
      "    type ifname : verdict",
      '    elements = { "br0" : jump x, "eth1" : drop }',
      "  }",
      "  map later { type ifname : verdict; flags dynamic; }",
      "  chain c {",
      "    type filter hook forward priority 0; policy accept;",
      "    oifname vmap @jumps",
      "    iifname vmap @later",
      "  }",
      "  chain x { }",
      "}",
    ].join("\n");
    const rs = parseNft(text, "m.nft");
    expect(rs.diagnostics).toEqual([]);
    expect(rs.chains.get("ip t/c")!.rules.map((r) => [r.conditions, r.action])).toEqual([
      [[{ kind: "iface", field: "oif", name: "br0", prefix: false }], { kind: "jump", chain: "x" }],
      [[{ kind: "iface", field: "oif", name: "eth1", prefix: false }], { kind: "drop" }],
      [[{ kind: "unknown", text: "iifname vmap @later", reason: "map @later is filled from outside the ruleset (flags dynamic): what it lists now is read, what may be added is not known" }], { kind: "unknown", target: "vmap" }],
    ]);
  });
  it("a verdict map whose elements time out: the listed verdicts for certain, an unlisted key may meet one added since, before the catch-all", () => {
    const text = [
      "table inet t {",
      "  map ports {",
      "    type inet_service : verdict",
      "    flags timeout",
      "    elements = { 22 timeout 1h : accept, 25 : drop, * : jump x }",
      "  }",
      "  map knocked { type inet_service : verdict; flags timeout; }",
      "  chain c {",
      "    type filter hook input priority 0; policy drop;",
      "    tcp dport vmap @ports",
      "    udp dport vmap @knocked",
      "  }",
      "  chain x { }",
      "}",
    ].join("\n");
    const rs = parseNft(text, "m.nft");
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const tcp = { kind: "proto", protos: [6] };
    const udp = { kind: "proto", protos: [17] };
    const added = (t: string, map: string) => ({ kind: "unknown", text: t, reason: `map @${map} is filled from outside the ruleset (its elements time out): what it lists now is read, what may be added is not known` });
    const rules = rs.chains.get("inet t/c")!.rules;
    expect(rules.map((r) => [r.conditions, r.action])).toEqual([
      [[tcp, { kind: "port", field: "dport", ranges: [[22, 22]] }], { kind: "accept" }],
      [[tcp, { kind: "port", field: "dport", ranges: [[25, 25]] }], { kind: "drop" }],
      [[tcp, { kind: "port", field: "dport", ranges: [[22, 22], [25, 25]], negate: true }, added("tcp dport vmap @ports", "ports")], { kind: "unknown", target: "vmap" }],
      [[tcp, { kind: "port", field: "dport", ranges: [[22, 22], [25, 25]], negate: true }], { kind: "jump", chain: "x" }],
      [[udp, added("udp dport vmap @knocked", "knocked")], { kind: "unknown", target: "vmap" }],
    ]);
    const at = (dport: number) => verdictFor(rs, { family: 4, proto: "tcp", src: "198.51.100.7", dst: "10.0.0.1", sport: 40000, dport, hook: "input", iif: "eth0" });
    expect(at(22).verdict).toBe("accept");
    expect(at(25).verdict).toBe("drop");
    expect(at(80).verdict).toBe("unknown");
  });
  it("port ranges as keys", () => {
    const rs = parseNft(wrap("tcp dport vmap { 22 : accept, 1000-2000 : drop }"), "v.nft");
    expect(rs.chains.get("inet t/c")!.rules.map((r) => [r.conditions, r.action])).toEqual([
      [[{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[22, 22]] }], { kind: "accept" }],
      [[{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[1000, 2000]] }], { kind: "drop" }],
    ]);
  });
});

describe("tables, chains, pipelines", () => {
  const text = [
    "define LAN = 192.168.1.0/24",
    "table ip nat {",
    "  chain pre { type nat hook prerouting priority dstnat; policy accept; }",
    "  chain post { type nat hook postrouting priority srcnat; masquerade; }",
    "}",
    "table inet f {",
    "  chain fw { type filter hook forward priority filter - 5; policy drop; ip saddr $LAN accept; }",
    "  chain in { type filter hook input priority 10; }",
    "  chain raw { type filter hook prerouting priority raw; }",
    "  chain out { type filter hook output priority 0; policy accept; }",
    "}",
    "table arp a { chain c { type filter hook input priority 0; }; }",
  ].join("\n");
  const rs = parseNft(text, "p.nft");
  it("keys, policies, priorities", () => {
    expect(rs.diagnostics).toEqual([{ severity: "info", message: "table arp a: arp tables are parsed but not analysed", file: "p.nft", line: 12, column: 1 }]);
    expect([...rs.chains.keys()]).toEqual(["ip nat/pre", "ip nat/post", "inet f/fw", "inet f/in", "inet f/raw", "inet f/out"]);
    expect(rs.chains.get("inet f/in")!.policy).toBe("accept");
    expect(rs.chains.get("ip nat/post")!.rules[0]!.action).toEqual({ kind: "snat", to: {}, target: "masquerade" });
    expect(rs.families).toEqual([4, 6]);
    expect(rs.ruleCount).toBe(2);
  });
  it("stages per family and path, lower priority first", () => {
    const show = rs.pipelines.map((p) => `${p.family} ${p.kind}: ${p.stages.map((s) => `${s.chain}(${s.role})`).join(" ")}`);
    expect(show).toEqual([
      "4 inbound: inet f/raw(raw) ip nat/pre(dstnat) inet f/in(filter)",
      "4 forward: inet f/raw(raw) ip nat/pre(dstnat) inet f/fw(filter) ip nat/post(srcnat)",
      "4 outbound: inet f/out(filter) ip nat/post(srcnat)",
      "6 inbound: inet f/raw(raw) inet f/in(filter)",
      "6 forward: inet f/raw(raw) inet f/fw(filter)",
      "6 outbound: inet f/out(filter)",
    ]);
  });
});

describe("names nft reads as keywords", () => {
  // nft 1.0.6: `chain log { }` is "syntax error, unexpected log, expecting string": the file does not load
  it("a table, chain, set or jump target named by a keyword is an error at the name; the rest is analysed", () => {
    const text = "table ip ip {\n set limit {\n  type ipv4_addr\n }\n chain log {\n }\n chain c {\n  type filter hook input priority 0; policy drop;\n  tcp dport 22 jump log\n  tcp dport 25 accept\n }\n}\n";
    const rs = parseNft(text, "k.nft");
    expect(rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "1:10 'ip' is an nft keyword: nft cannot read it as a table name (the file does not load); rename it",
      "2:6 'limit' is an nft keyword: nft cannot read it as a set name (the file does not load); rename it",
      "5:8 'log' is an nft keyword: nft cannot read it as a chain name (the file does not load); rename it",
      "9:21 'log' is an nft keyword: nft cannot read it as a chain name (the file does not load); rename it",
    ]);
    expect(rs.chains.get("ip ip/c")!.rules.map((r) => r.span.line)).toEqual([9, 10]);
  });
  it("names that are keywords only inside a statement are names (nft reads them so)", () => {
    const rs = parseNft("table inet filter {\n chain input {\n  type filter hook input priority 0;\n }\n chain forward {\n }\n chain nat {\n }\n chain raw {\n }\n}\n", "n.nft");
    expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("quoted names", () => {
  // nft 1.0.6 and upstream: a table, chain, set, map or object name is a bare word (the grammar's
  // identifier); `chain "input"` is "syntax error, unexpected quoted string, expecting string"
  it("a quoted table, chain, set, jump target, set reference or object name is an error there; the names are read unquoted", () => {
    const text = [
      'table inet "fw" {',
      ' set "trusted hosts" {',
      "  type ipv4_addr",
      "  elements = { 192.0.2.1 }",
      " }",
      ' counter "hits" {',
      " }",
      ' chain "input" {',
      "  type filter hook input priority 0; policy drop;",
      '  ip saddr @"trusted hosts" tcp dport 22 accept',
      '  tcp dport 25 jump "mail"',
      '  tcp dport vmap { 80 : goto "web" }',
      " }",
      " chain mail {",
      "  accept",
      " }",
      " chain web {",
      "  accept",
      " }",
      "}",
      "",
    ].join("\n");
    const rs = parseNft(text, "q.nft");
    expect(rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "1:12 a table name cannot be a quoted string: nft reads only a bare word there (the file does not load); write fw without the quotes",
      "2:6 a set name cannot be a quoted string: nft reads only a bare word there (the file does not load); rename it to a word of letters, digits and _ - . /",
      "6:10 a counter name cannot be a quoted string: nft reads only a bare word there (the file does not load); write hits without the quotes",
      "8:8 a chain name cannot be a quoted string: nft reads only a bare word there (the file does not load); write input without the quotes",
      "10:12 a set name cannot be a quoted string: nft reads only a bare word there (the file does not load); rename it to a word of letters, digits and _ - . /",
      "11:21 a chain name cannot be a quoted string: nft reads only a bare word there (the file does not load); write mail without the quotes",
      "12:30 a chain name cannot be a quoted string: nft reads only a bare word there (the file does not load); write web without the quotes",
    ]);
    // read as meant: the set resolves, the jump and the goto reach their chains
    const input = rs.chains.get("inet fw/input")!;
    expect(input.rules.map((r) => r.span.line)).toEqual([10, 11, 12]);
    expect(input.rules[0]!.conditions.some((c) => c.kind === "addr" && c.ranges.length === 1 && c.ranges[0]!.lo === 0xc0000201n)).toBe(true);
    expect(input.rules[1]!.action).toMatchObject({ kind: "jump", chain: "mail" });
  });
  it("a quoted device name and quoted values stay as nft takes them", () => {
    const text = 'table netdev f {\n chain c {\n  type filter hook ingress devices = { "lo" } priority 0;\n  iifname "lo" accept\n }\n}\ntable inet t {\n counter c {\n }\n chain d {\n  counter name "c"\n }\n}\n';
    expect(parseNft(text, "d.nft").diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
  it("an unterminated quote after @ is not a set reference", () => {
    const rs = parseNft('table ip t {\n chain c {\n  type filter hook input priority 0;\n  ip saddr @"x accept\n }\n}\n', "u.nft");
    expect(rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column}`)).toEqual(["4:12"]);
  });
});

describe("malformed input", () => {
  it("a set or map of a data type nft does not know, and a set a rule names that is not declared (nft refuses both)", () => {
    const text = (decl: string, rule: string) => `table inet t {\n ${decl}\n chain c {\n  type filter hook input priority 0; policy drop;\n  ${rule}\n }\n}\n`;
    expect(errors(text("set s { type foo_bar; }", "tcp dport 22 accept"))).toEqual([
      // at the type word, as nft has it
      "2:15 set s: unknown data type 'foo_bar' (nft knows ipv4_addr, ipv6_addr, inet_service, ifname, mark, ... and, for map data, verdict)",
    ]);
    expect(errors(text("map m { type ipv4_addr : tunnel; }", "tcp dport 22 accept"))).toEqual([expect.stringMatching(/^2:27 map m: unknown data type 'tunnel'/)]);
    expect(errors(text("set s { type integer; }", "tcp dport 22 accept"))).toEqual([expect.stringMatching(/^2:15 set s: unknown data type 'integer'/)]);
    for (const ok of ["set s { type pkt_type; }", "set s { type ipv4_addr . inet_service; }", "map m { type ifname : verdict; }", "map m { type ipv4_addr : counter; }", "set s { typeof meta cpu; }"]) {
      expect(errors(text(ok, "tcp dport 22 accept"))).toEqual([]);
    }
    // looked up by something fwlint does not model, the set must exist all the same
    expect(errors(text("set ok { type pkt_type; elements = { broadcast } }", "meta pkttype @nope drop"))).toEqual(["5:16 set @nope is not declared in table inet t"]);
    expect(errors(text("set ok { type pkt_type; elements = { broadcast } }", "meta pkttype @ok drop"))).toEqual([]);
  });

  it("fib lookups fwlint does not model, with the address types and numbers nft takes: no error", () => {
    const text = (rule: string) => `table inet t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  ${rule}\n }\n}\n`;
    for (const ok of ["fib daddr . iif type local accept", "fib daddr . iif type { broadcast, multicast } drop", "fib saddr . iif type 2 drop", "fib daddr . oif type != unicast drop"]) {
      expect(errors(text(ok))).toEqual([]);
    }
  });

  const pre = "table inet t {\n chain c {\n";
  const post = "\n  tcp dport 22 accept\n }\n}\n";
  // Values the mapper checks: the whole message. The rule is left out (nft loads none of it).
  const values: [string, string][] = [
    ["  ip saddr 10.0.0.300 accept", "3:12 expected an IPv4 address after 'ip saddr', found '10.0.0.300'"],
    ["  tcp dport 30-20 accept", "3:13 invalid range '30-20' after 'tcp dport' (low > high)"],
    ["  ct state bogus accept", "3:12 expected a connection state (new, established, related, invalid, untracked) after 'ct state', found 'bogus'"],
    ["  meta pkttype { host, bogus } drop", "3:24 expected a packet type (host, unicast, broadcast, multicast, other) after 'meta pkttype', found 'bogus'"],
    ["  fib daddr type throw drop", "3:18 expected an address type (unspec, unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit) after 'fib daddr type', found 'throw'"],
    // a fib lookup fwlint does not model: its type is checked all the same (nft: "Could not parse fib address type")
    ["  fib daddr . iif type { local, bogus } drop", "3:33 expected an address type (unspec, unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit) after 'fib daddr . iif type', found 'bogus'"],
    ["  icmp type nonsense accept", "3:13 expected an icmp type name or number after 'icmp type', found 'nonsense'"],
    ["  type filter hook egress priority 0;", "3:3 expected a hook (ingress, prerouting, input, forward, output, postrouting) for a chain of the inet family, found 'egress'"],
    ["  type filter hook input priority banana;", "3:26 expected a priority (a number or raw, mangle, dstnat, filter, security, srcnat with an optional +/- offset), found 'banana'"],
    ["  tcp dport $NOPE accept", "3:13 undefined variable '$NOPE'"],
  ];
  for (const [line, want] of values) {
    it(line.trim(), () => {
      const rs = parseNft(pre + line + post, "b.nft");
      expect(rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([want]);
      expect(rs.chains.get("inet t/c")!.rules.map((r) => r.span.line)).toEqual([4]);
    });
  }
  // Syntax errors (their wording is the text reader's, tested with it): one error on the line, the rest is read.
  for (const line of ["  tcp dport", "  tcp dport { 22; 23 } accept", "  jump", "  policy maybe;", "  type filter hook sideways priority 0;"]) {
    it(line.trim(), () => {
      const rs = parseNft(pre + line + post, "b.nft");
      expect(rs.diagnostics.filter((d) => d.severity === "error").map((d) => d.line)).toEqual([3]);
      expect(rs.chains.get("inet t/c")!.rules.map((r) => r.span.line)).toEqual([4]);
    });
  }
  it("a policy outside a base chain, and twice in one block", () => {
    expect(errors("table ip t { chain c { policy drop; }; }")).toEqual(["1:24 chain c: a policy is only allowed on base chains (type ... hook ... priority ...)"]);
    // a later block of a base chain may set its policy again
    expect(errors("table ip t {\n chain c { type filter hook input priority 0; policy drop; }\n chain c { policy accept; }\n}\n")).toEqual([]);
    expect(errors("table ip t {\n chain c { type filter hook input priority 0; policy drop; policy accept; }\n}\n")).toEqual([
      `2:60 chain c: a second 'policy' in one block (nft: "you cannot set chain policy twice")`,
    ]);
  });
  it("unclosed blocks, stray tokens, undeclared jump targets", () => {
    expect(errors("table inet t {\n chain c {\n  accept\n").length).toBeGreaterThan(0);
    expect(errors("}\nbogus\ntable inet t { }\n").map((e) => e.split(" ")[0])).toEqual(["1:1", "2:1"]);
    expect(errors("table inet t { chain c { jump nowhere; }; }")).toEqual(["1:26 jump to chain 'nowhere', which is not declared in table inet t"]);
    expect(errors(pre + "  tcp dport { 22, 23 accept" + post).length).toBeGreaterThan(0);
  });
  it("never throws on garbage", () => {
    for (const g of ["{{{{", "table", "table inet", "table inet t { chain", "}}}} table ip x { chain y { type", "define", "define X =", "table inet t { chain c { tcp flags & ( syn", '"unterminated', "\\\n\\"]) {
      expect(() => parseNft(g, "g.nft")).not.toThrow();
    }
  });
});

describe("file-level behaviour", () => {
  it("flush ruleset forgets what came before", () => {
    const rs = parseNft("table inet old { chain c { accept; }; }\nflush ruleset\ntable inet t { chain c { drop; }; }\n", "f.nft");
    expect(rs.diagnostics).toEqual([]);
    expect([...rs.chains.keys()]).toEqual(["inet t/c"]);
  });
  it("a table or chain declared again adds to the first declaration", () => {
    const rs = parseNft(
      "table inet t { chain c { tcp dport 1 accept; }; }\ntable inet t {\n chain c { type filter hook input priority 0; policy drop; tcp dport 2 accept; }\n}\n",
      "f.nft",
    );
    expect(rs.diagnostics).toEqual([]);
    const c = rs.chains.get("inet t/c")!;
    expect(c.rules.map((r) => r.id)).toEqual(["inet t/c#1", "inet t/c#2"]);
    expect(c.policy).toBe("drop");
    expect(rs.pipelines.find((p) => p.kind === "inbound")!.stages).toEqual([{ chain: "inet t/c", role: "filter" }]);
  });
  it("set statements are non-terminating, not matches", () => {
    const rs = parseNft(wrap("meta mark set 0x1 ct state new accept"), "f.nft");
    expect(rs.chains.get("inet t/c")!.rules[0]!.conditions).toEqual([{ kind: "ctstate", states: ["new"] }]);
  });
});

describe("numbers as `nft -n list ruleset` prints them", () => {
  it("ct state bits: established 0x2, related 0x4, new 0x8, invalid 0x1, untracked 0x40", () => {
    expect(rule("ct state 0x2,0x4 accept").conditions).toEqual([{ kind: "ctstate", states: ["established", "related"] }]);
    expect(rule("ct state { 0x8, 0x40 } accept").conditions).toEqual([{ kind: "ctstate", states: ["new", "untracked"] }]);
    expect(rule("ct state != 0x8 accept").conditions).toEqual([{ kind: "ctstate", states: ["new"], negate: true }]);
    expect(rule("tcp dport 22 ct state 0x8 accept").conditions[2]).toEqual({ kind: "ctstate", states: ["new"] });
    expect(rule("ct state 0x1 drop").conditions).toEqual([{ kind: "ctstate", states: ["invalid"] }]);
    // `ct state 0x6` is any of the two bits; a bit no state has matches nothing.
    expect(rule("ct state 0x6 accept").conditions).toEqual([{ kind: "ctstate", states: ["established", "related"] }]);
    expect(rule("ct state 0x10 accept").conditions).toEqual([{ kind: "ctstate", states: [] }]);
  });
  it("meta nfproto, meta protocol and fib daddr type numbers", () => {
    expect(rule("meta nfproto 10 tcp dport 22 accept").conditions[0]).toEqual({ kind: "family", family: 6 });
    expect(rule("meta nfproto { 2, 10 } accept").conditions).toEqual([]);
    expect(rule("meta protocol 0x0800 accept").conditions).toEqual([{ kind: "family", family: 4 }]);
    expect(rule("meta protocol 0x86dd accept").conditions).toEqual([{ kind: "family", family: 6 }]);
    expect(rule("fib daddr type 2 accept").conditions).toEqual([{ kind: "local-dst", text: "fib daddr type local" }]);
  });
});

describe("xt matches and targets (rules iptables-nft wrote)", () => {
  it("an xt match is an unknown condition, not always true", () => {
    const rs = parseNft(wrap("tcp dport 25 xt match recent counter packets 0 bytes 0 accept", "inet"), "r.nft");
    expect(rs.diagnostics.map((d) => d.severity)).toEqual(["info"]);
    const r = rs.chains.get("inet t/c")!.rules[0]!;
    expect({ conditions: r.conditions, action: r.action }).toEqual({
      conditions: [
        { kind: "proto", protos: [6] },
        { kind: "port", field: "dport", ranges: [[25, 25]] },
        { kind: "unknown", text: "xt match recent", reason: "the iptables extension 'recent' (an xt match of iptables-nft) is not modelled" },
      ],
      action: { kind: "accept" },
    });
  });
  it("an xt target decides as fwlint reads that iptables target: unmodelled ones are unknown actions", () => {
    expect(rule("meta l4proto tcp xt target TARPIT").action).toEqual({ kind: "unknown", target: "xt target TARPIT" });
    expect(rule("meta l4proto tcp xt target NOSUCHTARGET").action).toEqual({ kind: "unknown", target: "xt target NOSUCHTARGET" });
    expect(rule("meta l4proto udp counter xt target CHECKSUM").action).toEqual({ kind: "continue", target: "counter" });
    expect(rule("xt target REJECT").action).toEqual({ kind: "reject" });
  });
  it("a rule after an xt match is not shadowed by it, and the exposure is uncertain", () => {
    const text =
      "table ip filter {\n chain INPUT {\n  type filter hook input priority filter; policy drop;\n" +
      "  tcp dport 25 xt match recent counter packets 0 bytes 0 accept\n  tcp dport 22 xt match set drop\n  tcp dport 22 accept\n }\n}\n";
    const res = analyzeText("xt.nft", text);
    // one info for all of them: what nft left out, and where to read it
    expect(res.file.diagnostics.map((d) => `${d.severity} ${d.line}:${d.column} ${d.message}`)).toEqual([
      "info 4:16 2 matches of iptables extensions (xt match recent, xt match set): nft lists the iptables-nft matches it cannot translate without their options, so fwlint reads them as unknown conditions; `iptables-save` (and `ip6tables-save`) of the same host shows what they match",
    ]);
    expect(res.findings.filter((f) => f.ruleId === "shadowed-rule")).toEqual([]);
    const smtp = res.findings.find((f) => f.exposure?.service === "smtp")!;
    expect(smtp.uncertain?.join(" ")).toMatch(/xt match recent/);
    expect(verdicts(parseNft(text, "xt.nft"), { family: 4, proto: "tcp", src: "198.51.100.7", dst: "192.0.2.1", dport: 25, hook: "input" })).toEqual(["accept", "drop"]);
  });
});

describe("xt matches in nft -j output", () => {
  it("are unknown conditions, told once with what nft -j leaves out", () => {
    const doc = {
      nftables: [
        { metainfo: { json_schema_version: 1 } },
        { table: { family: "ip", name: "filter", handle: 1 } },
        { chain: { family: "ip", table: "filter", name: "INPUT", handle: 1, type: "filter", hook: "input", prio: 0, policy: "drop" } },
        { rule: { family: "ip", table: "filter", chain: "INPUT", handle: 2, expr: [{ xt: { type: "match", name: "conntrack" } }, { accept: null }] } },
        { rule: { family: "ip", table: "filter", chain: "INPUT", handle: 3, expr: [{ match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: 22 } }, { xt: { type: "match", name: "recent" } }, { accept: null }] } },
      ],
    };
    const res = analyzeText("xt.json", JSON.stringify(doc, null, 1));
    const infos = res.file.diagnostics.filter((d) => d.severity === "info").map((d) => d.message);
    expect(infos).toEqual([
      "2 matches of iptables extensions (xt match conntrack, xt match recent): nft -j lists iptables-nft's compatibility matches without their options, so fwlint reads them as unknown conditions; `iptables-save` (and `ip6tables-save`) of the same host shows what they match, as `nft list ruleset` as text does for most",
    ]);
    // (an accept under an opaque conntrack match: every port, maybe)
    expect(res.findings.find((f) => f.exposure?.service === "every-port")?.uncertain).toEqual([expect.stringMatching(/^xt match conntrack \(xt\.json:\d+\)$/)]);
  });
});

describe("dormant tables", () => {
  const dormant = "table inet lock {\n flags dormant\n chain in {\n  type filter hook input priority -10; policy drop;\n  tcp dport 22 accept\n }\n}\n";
  const open = "table inet filter {\n chain in {\n  type filter hook input priority 0; policy accept;\n }\n}\n";
  const tcp25 = { family: 4 as const, proto: "tcp", src: "198.51.100.7", dst: "192.0.2.1", dport: 25, hook: "input" as const };
  it("are read but take no part: an info diagnostic, no chains, no stages", () => {
    const rs = parseNft(dormant + open, "d.nft");
    expect(rs.diagnostics.map((d) => `${d.severity} ${d.line}:${d.column} ${d.message}`)).toEqual([
      "info 1:1 table inet lock is dormant (flags dormant): the kernel runs none of its chains, so they are not analysed",
    ]);
    expect([...rs.chains.keys()]).toEqual(["inet filter/in"]);
    expect(rs.pipelines.find((p) => p.kind === "inbound" && p.family === 4)!.stages).toEqual([{ chain: "inet filter/in", role: "filter" }]);
    expect(verdicts(rs, tcp25)).toEqual(["accept"]);
    expect(rs.ruleCount).toBe(1);
  });
  it("a later declaration without the flag wakes the table, as nft does; values are still checked", () => {
    const woken = parseNft(dormant + open + "add table inet lock\n", "d.nft");
    expect(woken.diagnostics).toEqual([]);
    expect(verdicts(woken, tcp25)).toEqual(["drop"]);
    expect(errors(dormant.replace("tcp dport 22", "tcp dport 70000"))).toEqual(["5:13 expected a port, service name or range after 'tcp dport', found '70000'"]);
  });
});

describe("conntrack original and reply tuples", () => {
  const rules = (body: string, family = "inet") => {
    const rs = parseNft(wrap(body, family), "o.nft");
    expect(rs.diagnostics).toEqual([]);
    return rs.chains.get(`${family} t/c`)!.rules.map((r) => r.conditions);
  };
  const net = { kind: "addr", field: "src", family: 4, ranges: [{ lo: 0xc6336400n, hi: 0xc63364ffn }] };
  const rdp = [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[3389, 3389]] }];
  it("ct original ip saddr is the source of a new connection's packets; unknown in the reply direction", () => {
    expect(rules("ct original ip saddr 198.51.100.0/24 tcp dport 3389 accept")).toEqual([
      [{ kind: "family", family: 4 }, { kind: "ctstate", states: ["new"] }, net, ...rdp],
      [
        { kind: "family", family: 4 },
        { kind: "ctstate", states: ["established", "related"] },
        { kind: "unknown", text: "ct original ip saddr 198.51.100.0/24", reason: "packets of established and related connections may travel in the reply direction, where the original tuple is the other end's" },
        ...rdp,
      ],
    ]);
    // The rule's own `ct state new` leaves one exact rule.
    expect(rules("ct state new ct original ip saddr 198.51.100.0/24 tcp dport 3389 accept")).toEqual([
      [{ kind: "ctstate", states: ["new"] }, { kind: "family", family: 4 }, { kind: "ctstate", states: ["new"] }, net, ...rdp],
    ]);
    // In an ip table the family is the table's.
    expect(rules("ct original saddr 198.51.100.0/24 tcp dport 3389 accept", "ip")[0]).toEqual([{ kind: "family", family: 4 }, { kind: "ctstate", states: ["new"] }, net, ...rdp]);
  });
  it("new connections from the range are accepted for certain; others, and IPv6, are not", () => {
    const rs = parseNft(wrap("ct original ip saddr 198.51.100.0/24 tcp dport 3389 accept"), "o.nft");
    const p = { family: 4 as const, proto: "tcp", src: "198.51.100.7", dst: "192.0.2.1", dport: 3389, hook: "input" as const };
    expect(verdicts(rs, p)).toEqual(["accept"]);
    expect(verdicts(rs, { ...p, src: "203.0.113.7" })).toEqual(["drop"]);
    expect(verdicts(rs, { ...p, family: 6, src: "2001:db8::7", dst: "2001:db8::1" })).toEqual(["drop"]);
  });
  it("the original destination is unknown when the ruleset rewrites destinations; reply tuples are unknown", () => {
    const nat = "table ip n {\n chain pre {\n  type nat hook prerouting priority dstnat;\n  tcp dport 8080 dnat to 10.0.0.5:80\n }\n}\n";
    const rs = parseNft(nat + wrap("ct original ip daddr 192.0.2.1 accept"), "o.nft");
    expect(rs.diagnostics).toEqual([]);
    expect(rs.chains.get("inet t/c")!.rules[0]!.conditions).toEqual([
      { kind: "family", family: 4 },
      { kind: "unknown", text: "ct original ip daddr 192.0.2.1", reason: "the destination before DNAT is not modelled, and this ruleset has DNAT rules" },
    ]);
    expect(rules("ct original ip daddr 192.0.2.1 accept")[0]).toEqual([
      { kind: "family", family: 4 }, { kind: "ctstate", states: ["new"] }, { kind: "addr", field: "dst", family: 4, ranges: [{ lo: 0xc0000201n, hi: 0xc0000201n }] },
    ]);
    expect(rules("ct reply ip saddr 192.0.2.1 accept")[0]).toEqual([
      { kind: "family", family: 4 }, { kind: "ctstate", states: ["new", "established", "related"] }, { kind: "unknown", text: "ct reply ip saddr 192.0.2.1", reason: "ct reply ip saddr is not modelled" },
    ]);
  });
  it("without ip or ip6, as nft: the table's family, or one an earlier match implies, else an error", () => {
    expect(errors(inChain("ct original saddr 203.0.113.0/24 tcp dport 22 accept"))).toEqual([
      "4:3 cannot tell the address family of 'ct original saddr': write 'ct original ip saddr' or 'ct original ip6 saddr' (or match 'meta nfproto' earlier in the rule) (nft refuses the rule)",
    ]);
    expect(errors(inChain("ct saddr 203.0.113.1 accept"))).toEqual(["4:3 'ct saddr' needs a direction: 'ct original saddr' or 'ct reply saddr' (nft refuses the rule)"]);
    expect(rules("meta nfproto ipv4 ct original saddr 203.0.113.0/24 accept")[0]![1]).toEqual({ kind: "ctstate", states: ["new"] });
    expect(rules("ip6 saddr ::1 ct original saddr ::1 accept")[0]).toContainEqual({ kind: "addr", field: "src", family: 6, ranges: [{ lo: 1n, hi: 1n }] });
    expect(rules("ct l3proto ipv4 ct original saddr 203.0.113.1 accept")[0]).toContainEqual({ kind: "family", family: 4 });
  });
});

describe("set statements", () => {
  it("read the key's fields: an IPv4 key makes the rule IPv4-only", () => {
    const text = "table inet t {\n set seen { type ipv4_addr; flags dynamic; }\n set pairs { type ipv4_addr . inet_service; flags dynamic; }\n chain c {\n  type filter hook input priority 0; policy drop;\n" +
      "  tcp dport 25 add @seen { ip saddr } accept\n  add @pairs { ip saddr . tcp dport } accept\n }\n}\n";
    const rs = parseNft(text, "s.nft");
    expect(rs.diagnostics).toEqual([]);
    const [smtp, pairs] = rs.chains.get("inet t/c")!.rules;
    expect(smtp!.conditions).toEqual([{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[25, 25]] }, { kind: "family", family: 4 }]);
    expect(pairs!.conditions).toEqual([{ kind: "family", family: 4 }, { kind: "proto", protos: [6] }]);
    const p = { family: 6 as const, proto: "tcp", src: "2001:db8::7", dst: "2001:db8::1", dport: 25, hook: "input" as const };
    expect(verdicts(rs, p)).toEqual(["drop"]);
    expect(verdicts(rs, { ...p, family: 4, src: "198.51.100.7", dst: "192.0.2.1" })).toEqual(["accept"]);
  });
  it("a limit, quota or ct count on the element is an unknown condition; a counter or timeout is not", () => {
    const text = (stmt: string) => `table inet t {\n set s { type ipv4_addr; flags dynamic,timeout; }\n chain c {\n  type filter hook input priority 0; policy drop;\n  ${stmt} accept\n }\n}\n`;
    const conds = (stmt: string) => {
      const rs = parseNft(text(stmt), "s.nft");
      expect(rs.diagnostics).toEqual([]);
      return rs.chains.get("inet t/c")!.rules[0]!.conditions;
    };
    expect(conds("update @s { ip saddr limit rate over 3/minute }")).toEqual([
      { kind: "family", family: 4 },
      { kind: "unknown", text: "update @s { ip saddr limit rate over 3/minute }", reason: "'limit' in a set statement is not modelled", ordinary: false, drawn: true },
    ]);
    expect(conds("add @s { ip saddr ct count over 2 }")[1]).toMatchObject({ kind: "unknown", reason: "'ct' in a set statement is not modelled" });
    expect(conds("update @s { ip saddr timeout 1m counter }")).toEqual([{ kind: "family", family: 4 }]);
  });
  it("a map statement reads its data's fields too: 'update @m { ip saddr : tcp dport }' is for TCP alone (the kernel, asked)", () => {
    const text = "table ip t {\n map m { type ipv4_addr : inet_service; flags dynamic; }\n chain c {\n  type filter hook input priority 0; policy drop;\n  update @m { ip saddr : tcp dport } accept\n }\n}\n";
    const rs = parseNft(text, "m.nft");
    expect(rs.diagnostics).toEqual([]);
    expect(rs.chains.get("ip t/c")!.rules[0]!.conditions).toEqual([{ kind: "family", family: 4 }, { kind: "proto", protos: [6] }]);
    const p = { family: 4 as const, src: "198.51.100.7", dst: "192.0.2.1", hook: "input" as const };
    expect(verdicts(rs, { ...p, proto: "tcp", dport: 22 })).toEqual(["accept"]);
    expect(verdicts(rs, { ...p, proto: "udp", dport: 53 })).toEqual(["drop"]);
  });
  it("a meter reads its key's fields: 'meter m { tcp dport ... }' passes UDP over (the kernel, asked)", () => {
    const text = "table ip t {\n chain c {\n  type filter hook input priority 0; policy accept;\n  meter m size 128 { tcp dport limit rate over 1/hour } drop\n }\n}\n";
    const rs = parseNft(text, "m.nft");
    expect(rs.diagnostics).toEqual([]);
    expect(rs.chains.get("ip t/c")!.rules[0]!.conditions.slice(0, 2)).toEqual([{ kind: "proto", protos: [6] }, expect.objectContaining({ kind: "unknown" })]);
    const p = { family: 4 as const, src: "198.51.100.7", dst: "192.0.2.1", hook: "input" as const };
    expect(verdicts(rs, { ...p, proto: "udp", dport: 53 })).toEqual(["accept"]);
    expect(verdicts(rs, { ...p, proto: "tcp", dport: 22 })).toEqual(["accept", "drop"]);
  });
  it("a named object chosen by a map: the rule is for the map's keys only (the kernel-oracle, asked)", () => {
    for (const chooser of ['map { 22 : "c1" }', "map @cm"]) {
      const text = `table ip t {\n counter c1 { }\n map cm { type inet_service : counter; elements = { 22 : "c1" }; }\n chain c {\n  type filter hook input priority 0; policy drop;\n  counter name tcp dport ${chooser} accept\n }\n}\n`;
      const rs = parseNft(text, "o.nft");
      expect(rs.diagnostics).toEqual([]);
      const p = { family: 4 as const, src: "198.51.100.7", dst: "192.0.2.1", hook: "input" as const };
      expect(verdicts(rs, { ...p, proto: "tcp", dport: 22 })).toEqual(["accept"]);
      expect(verdicts(rs, { ...p, proto: "tcp", dport: 23 })).toEqual(["drop"]);
      expect(verdicts(rs, { ...p, proto: "udp", dport: 22 })).toEqual(["drop"]);
    }
  });
  it("a value written from a map: the rule is for the map's keys, unless the lookup never misses (the kernel-oracle, asked)", () => {
    const at = (stmt: string) => parseNft(`table ip t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  ${stmt} accept\n }\n}\n`, "m.nft");
    const p = { family: 4 as const, src: "198.51.100.7", dst: "192.0.2.1", hook: "input" as const };
    const mark = at("meta mark set tcp dport map { 22 : 1 }");
    expect(mark.diagnostics).toEqual([]);
    expect(verdicts(mark, { ...p, proto: "tcp", dport: 22 })).toEqual(["accept"]);
    expect(verdicts(mark, { ...p, proto: "tcp", dport: 23 })).toEqual(["drop"]);
    expect(verdicts(mark, { ...p, proto: "udp", dport: 22 })).toEqual(["drop"]);
    // a catch-all element, or a generator whose every value the map holds: never a miss
    expect(verdicts(at("meta mark set ip saddr map { 10.0.0.0/8 : 1, * : 2 }"), { ...p, proto: "udp", dport: 53 })).toEqual(["accept"]);
    expect(at("ct mark set numgen inc mod 2 map { 0 : 1, 1 : 2 }").chains.get("ip t/c")!.rules[0]!.conditions).toEqual([]);
  });
  it("a ban list the rules fill only over a limit: a stranger is not among what they added; any other filler leaves it unknown", () => {
    const lookup = (rules: string[], line = "ip saddr @ban drop", sets = "") => {
      const text = `table ip t {\n set ban { type ipv4_addr; flags dynamic,timeout; timeout 1h; }\n set m { type ipv4_addr; flags dynamic; }\n${sets} chain c {\n  type filter hook input priority 0; policy drop;\n  ${line}\n  ${rules.join("\n  ")}\n }\n}\n`;
      const rs = parseNft(text, "b.nft");
      expect(rs.diagnostics).toEqual([]);
      return rs.chains.get("ip t/c")!.rules[0]!.conditions.find((c) => c.kind === "unknown") as { ordinary?: boolean; reason: string } | undefined;
    };
    // gated by a meter, a limit statement, another set statement's element limit, a ct count, a quota
    for (const filler of [
      "tcp dport 22 meter f { ip saddr limit rate over 10/minute } add @ban { ip saddr } drop",
      "tcp dport 22 limit rate over 5/second add @ban { ip saddr timeout 10m }",
      "tcp dport 25 add @m { ip saddr limit rate over 3/minute } add @ban { ip saddr } drop",
      "ct count over 50 update @ban { ip saddr }",
      "quota over 10 mbytes add @ban { ip saddr }",
    ]) {
      const c = lookup([filler]);
      expect(c, filler).toMatchObject({ ordinary: false });
      expect(c!.reason).toMatch(/^set @ban is filled by rules only with sources over a limit \(.+\) or already in such a set: what it lists now is read/);
    }
    // renewed by its own lookup, beside a gated filler: still a ban list (and the lookup-only family alone too)
    expect(lookup(["ip saddr @ban update @ban { ip saddr timeout 1h }", "meter f { ip saddr limit rate over 1/second } add @ban { ip saddr }"])).toMatchObject({ ordinary: false });
    expect(lookup(["ip saddr @ban update @ban { ip saddr timeout 1h }"])).toMatchObject({ ordinary: false, reason: expect.stringMatching(/^set @ban is filled by rules only with sources already in it: /) });
    // negated: ordinary traffic is not in it
    expect(lookup([], "ip saddr != @ban tcp dport 22 meter f { ip saddr limit rate over 1/second } add @ban { ip saddr }")).toMatchObject({ ordinary: true });
    // not gated: the element's own limit (the kernel adds the element first), a limit after the
    // statement, a limit under which ordinary traffic passes, no limit (a knock), another key
    for (const filler of [
      "tcp dport 22 add @ban { ip saddr limit rate over 10/minute } drop",
      "tcp dport 22 add @ban { ip saddr } limit rate over 1/second drop",
      "tcp dport 22 limit rate 5/second add @ban { ip saddr }",
      "tcp dport 7000 add @ban { ip saddr }",
      "tcp dport 22 limit rate over 1/second add @ban { ip daddr }",
    ]) {
      const c = lookup(["meter f { ip saddr limit rate over 1/second } add @ban { ip saddr }", filler]);
      expect(c, filler).toMatchObject({ reason: "the contents of set @ban change at run time (flags dynamic)" });
      expect(c!.ordinary, filler).toBeUndefined();
    }
    // looked up by destination: what the rules added says nothing of a stranger
    expect(lookup(["limit rate over 1/second add @ban { ip saddr }"], "ip daddr @ban drop")!.ordinary).toBeUndefined();
    // a concatenation: the source where every filler puts it
    const pairs = " set p { type ipv4_addr . inet_service; flags dynamic; }\n";
    expect(lookup(["limit rate over 1/second add @p { ip saddr . tcp dport }"], "ip saddr . tcp dport @p drop", pairs)).toMatchObject({ ordinary: false });
    expect(lookup(["limit rate over 1/second add @p { ip daddr . tcp sport }"], "ip saddr . tcp dport @p drop", pairs)!.ordinary).toBeUndefined();
  });
  it("takes what nft's grammar takes in the element, in its order", () => {
    const text = (stmt: string) => `table ip t {\n set s { type ipv4_addr; flags dynamic; }\n map m { type ipv4_addr : inet_service; flags dynamic; }\n chain c {\n  ${stmt}\n }\n}\n`;
    const said = (stmt: string) => parseNft(text(stmt), "s.nft").diagnostics.map((d) => `${d.severity} ${d.line}:${d.column} ${d.message}`);
    expect(said("update @s { ip saddr expires 1m counter limit rate 1/second }")).toEqual([]);
    expect(said("update @m { ip saddr counter : tcp dport expires 1m }")).toEqual([]);
    expect(said("update @s { ip saddr th }")).toEqual([expect.stringMatching(/^error 5:24 expected ':', '}', or what nft takes on the element: timeout, expires, then counter, limit, quota or ct count after 'saddr', found 'th'/)]);
    expect(said("add @s { ip saddr, ip daddr }")[0]).toMatch(/^error 5:20 expected ':', '}', or what nft takes/);
    expect(said("update @s { ip saddr counter timeout 1m }")[0]).toMatch(/^error 5:32 expected .* found 'timeout'/);
    expect(said("update @m { ip saddr : tcp dport counter }")[0]).toMatch(/^error 5:36 expected '}' or 'expires' after 'dport', found 'counter'/);
    expect(said('add @s { ip saddr comment "x" }')).toEqual(['error 5:21 a set statement\'s element takes no comment (nft: "Key expression comments are not supported")']);
    expect(said("update @m { ip saddr : tcp dport timeout 1m }")).toEqual(['error 5:36 a timeout after a map statement\'s data is not taken: write it after the key (nft: "Data expression timeouts are not supported")']);
    expect(said("update @m { ip saddr : size }")).toEqual([expect.stringMatching(/^error 5:26 'size' after 'update @m' is an nft keyword: nft cannot read it as a value/)]);
    // a meter: the key, its options, and one stateful statement (nft: "meter statement must be stateful")
    expect(said("meter m size 128 { ip saddr . tcp dport timeout 10s ct count over 2 } drop")).toEqual([]);
    expect(said("meter m size 128 { ip saddr log } drop")).toEqual([expect.stringMatching(/^error 5:31 expected timeout, expires, or the statement the meter runs on the element: counter, limit, quota or ct count \(nft: "meter statement must be stateful"\) after 'saddr', found 'log'/)]);
    expect(said("meter m size 128 { ip saddr counter counter } drop")[0]).toMatch(/^error 5:39 expected '}' closing the meter after 'counter', found 'counter'/);
    expect(said("meter m size x { ip saddr counter } drop")[0]).toMatch(/^error 5:16 expected a number \(the most elements the meter holds\) after 'size', found 'x'/);
    // a timeout on the element needs a set with timeouts (nft: "Operation not supported")
    expect(said("update @s { ip saddr timeout 1m }")).toEqual([expect.stringMatching(/^error 5:24 set @s has no timeouts: give it 'flags timeout' or a 'timeout'/)]);
  });
});

describe("a policy that is not accept or drop", () => {
  it("is an error, and the chain's end is unknown rather than accept", () => {
    const rs = parseNft("table inet t {\n chain c {\n  type filter hook input priority 0; policy dorp;\n  tcp dport 22 accept\n }\n}\n", "p.nft");
    expect(rs.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual(["3:45 expected 'accept' or 'drop' after 'policy', found 'dorp'"]);
    const c = rs.chains.get("inet t/c")!;
    expect(c.rules.map((r) => r.action)).toEqual([{ kind: "accept" }, { kind: "unknown", target: "policy dorp (not a policy: nft refuses the file)" }]);
    expect(c.rules[1]!.conditions).toEqual([]);
    const p = { family: 4 as const, proto: "tcp", src: "198.51.100.7", dst: "192.0.2.1", hook: "input" as const };
    expect(verdicts(rs, { ...p, dport: 22 })).toEqual(["accept"]);
    expect(verdicts(rs, { ...p, dport: 23 })).toEqual(["accept", "drop"]);
    const found = analyzeText("p.nft", "table inet t {\n chain c {\n  type filter hook input priority 0; policy dorp;\n  tcp dport 22 accept\n }\n}\n").findings;
    expect(found.filter((f) => f.ruleId === "default-accept-policy" || f.ruleId === "redundant-rule")).toEqual([]);
  });
});

describe("after a brace left open, the rest of the file is analysed", () => {
  it("an unclosed set of elements does not hide the next table's SMTP opening", () => {
    const text = [
      "table inet filter {",
      "\tset admins {",
      "\t\ttype ipv4_addr",
      "\t\telements = { 192.0.2.10, 192.0.2.11",
      "\t}",
      "\tchain input {",
      "\t\ttype filter hook input priority filter; policy accept;",
      "\t\tip saddr != @admins tcp dport 22 drop",
      "\t}",
      "}",
      "table ip mail {",
      "\tchain input {",
      "\t\ttype filter hook input priority 10; policy drop;",
      "\t\ttcp dport 25 accept",
      "\t}",
      "}",
      "",
    ].join("\n");
    const res = analyzeText("open.nft", text);
    expect(res.file.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual(["6:2 expected '}' closing the set declaration, found 'chain'"]);
    expect(res.findings.filter((f) => f.exposure?.service === "smtp").map((f) => `${f.location.line} ${f.exposure?.family}`)).toEqual(["14 4"]);
  });
  it("an unclosed anonymous set costs its own rule only", () => {
    const rs = parseNft(inChain("tcp dport { 22, 25 accept\n  tcp dport 23 accept"), "open.nft");
    expect(rs.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual(["4:22 expected a value after '25', found 'accept'"]);
    expect(verdicts(rs, { family: 4, proto: "tcp", src: "198.51.100.7", dst: "192.0.2.1", dport: 23, hook: "input" })).toEqual(["accept"]);
  });
});
