/**
 * The nftables mapper: commands executed in order, then each construct's model and its semantics
 * (packets traced through the pipelines). Rulesets are written as nft JSON command batches (the
 * JSON reader is the shortest way to a syntax tree), except where only the tree can say it.
 */
import { describe, expect, it } from "vitest";
import { mapNft } from "../../../parsers/nftables/mapper.js";
import { verdictFor } from "../../../src/analysis/verdict.js";
import { parseNft, parseNftJson } from "../../../parsers/nftables/index.js";
import type { NftDocument, RuleNode } from "../../../parsers/nftables/ast.js";
import type { Ruleset } from "../../../src/model/types.js";
import {
  accept, batch, chain, concat, counter, ct, drop, goto, jump, match, meta, payload, prefix, range, ret, rule, set, table, tcpDport, verdicts,
} from "./nft-json-builders.js";

const parse = (...items: unknown[]) => parseNftJson(batch(...items), "m.json");
const clean = (rs: Ruleset) => {
  expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  return rs;
};
const inputChain = (family = "inet", policy = "drop") => [table(family, "t"), chain(family, "t", "in", { hook: "input", prio: 0, policy })];
const tcp = (dport: number, extra: Record<string, unknown> = {}) => ({ family: 4 as const, proto: "tcp", src: "198.51.100.7", dst: "192.0.2.1", dport, hook: "input" as const, ...extra });
const tcp6 = (dport: number) => ({ family: 6 as const, proto: "tcp", src: "2001:db8::7", dst: "2001:db8::1", dport, hook: "input" as const });

describe("base chains and families", () => {
  it("two base chains on input: the later one drops what the earlier accepts", () => {
    const rs = clean(parse(
      table("inet", "a"), chain("inet", "a", "in", { hook: "input", prio: -10, policy: "accept" }), rule("inet", "a", "in", tcpDport(25), accept),
      table("inet", "b"), chain("inet", "b", "in", { hook: "input", prio: 10, policy: "drop" }), rule("inet", "b", "in", tcpDport(22), accept),
    ));
    expect(rs.pipelines.find((p) => p.kind === "inbound" && p.family === 4)!.stages.map((s) => s.chain)).toEqual(["inet a/in", "inet b/in"]);
    expect(verdicts(rs, tcp(25))).toEqual(["drop"]);
    expect(verdicts(rs, tcp(22))).toEqual(["accept"]);
  });
  it("an inet table open on IPv6 but not IPv4", () => {
    const rs = clean(parse(...inputChain(), rule("inet", "t", "in", match(meta("nfproto"), "ipv6"), tcpDport(22), accept)));
    expect(verdicts(rs, tcp6(22))).toEqual(["accept"]);
    expect(verdicts(rs, tcp(22))).toEqual(["drop"]);
    expect(rs.chains.get("inet t/in")!.rules[0]!.conditions[0]).toEqual({ kind: "family", family: 6 });
  });
  it("named priorities with offsets order the stages; bridge numbers differ; arp/bridge are not analysed", () => {
    // (the text form: nft's JSON reader takes an integer priority only - a name there makes a regular chain)
    const rs = parseNft(
      [
        "table ip x {",
        "\tchain late { type filter hook prerouting priority mangle; }",
        "\tchain early { type filter hook prerouting priority raw + 1; }",
        "\tchain nat { type nat hook prerouting priority dstnat; }",
        "}",
        "table bridge br {",
        "\tchain c { type filter hook output priority out; }",
        "\tchain d { type filter hook input priority out; }",
        "}",
        "table ip y {",
        "\tchain bad { type filter hook input priority out; }",
        "}",
        "",
      ].join("\n"),
      "m.nft",
    );
    expect(rs.pipelines.find((p) => p.kind === "inbound")!.stages).toEqual([
      { chain: "ip x/early", role: "raw", beforeRouting: true }, { chain: "ip x/late", role: "filter", beforeRouting: true }, { chain: "ip x/nat", role: "dstnat", beforeRouting: true }, { chain: "ip y/bad", role: "filter" },
    ]);
    expect(rs.families).toEqual([4]);
    expect(rs.diagnostics.map((d) => `${d.severity} ${d.message}`)).toEqual([
      "info table bridge br: bridge tables are parsed but not analysed",
      "error priority 'out' is for the output hook, and this chain is on input: write a number or another name (nft: \"invalid priority expression value in this context\")",
      "error expected a priority (a number or raw, mangle, dstnat, filter, security, srcnat with an optional +/- offset), found 'out'",
    ]);
  });
  it("netdev ingress runs first, only for its devices", () => {
    const rs = clean(parse(
      table("netdev", "n"), chain("netdev", "n", "ing", { hook: "ingress", prio: -500, dev: "eth0", policy: "accept" }), rule("netdev", "n", "ing", tcpDport(23), drop),
      ...inputChain("ip", "accept"),
    ));
    expect(rs.pipelines.find((p) => p.kind === "forward" && p.family === 6)!.stages).toEqual([{ chain: "netdev n/ing", role: "filter", beforeRouting: true }]);
    expect(rs.pipelines.find((p) => p.kind === "inbound" && p.family === 4)!.stages.map((s) => s.chain)).toEqual(["netdev n/ing", "ip t/in"]);
    expect(verdicts(rs, tcp(23, { iif: "eth0" }))).toEqual(["drop"]);
    expect(verdicts(rs, tcp(23, { iif: "eth1" }))).toEqual(["accept"]);
    // a trace of another interface's packet says it passes the chain without entering it
    const [path] = verdictFor(rs, { ...tcp(23, { iif: "eth1" }), hook: "input" }).paths;
    expect(path!.steps[0]).toMatchObject({ chain: "ing", rule: "(ingress chain bound to eth0: packets of other interfaces pass it)", action: "accept" });
  });
  it("notrack in a chain before conntrack makes packets untracked", () => {
    const rs = clean(parse(
      table("ip", "r"), chain("ip", "r", "pre", { hook: "prerouting", prio: -300 }), rule("ip", "r", "pre", tcpDport(53), { notrack: null }),
      ...inputChain("ip"), rule("ip", "t", "in", match(ct("state"), "untracked"), accept),
    ));
    expect(rs.chains.get("ip r/pre")!.rules[0]!.action).toEqual({ kind: "continue", target: "notrack" });
    expect(verdicts(rs, tcp(53))).toEqual(["accept"]);
    expect(verdicts(rs, tcp(54))).toEqual(["drop"]);
  });
});

describe("matches", () => {
  const conds = (...expr: unknown[]) => clean(parse(...inputChain(), rule("inet", "t", "in", ...expr, accept))).chains.get("inet t/in")!.rules[0]!.conditions;
  it("masked addresses: contiguous -> one range, non-contiguous -> the exact ranges", () => {
    expect(conds(match({ "&": [payload("ip", "saddr"), "255.255.0.0"] }, "10.1.0.0"))).toEqual([
      { kind: "family", family: 4 }, { kind: "addr", field: "src", family: 4, ranges: [{ lo: 0x0a010000n, hi: 0x0a01ffffn }] },
    ]);
    const masked = conds(match({ "&": [payload("ip", "daddr"), "255.255.0.255"] }, "10.0.0.1"))[1] as { ranges: unknown[] };
    expect(masked.ranges.length).toBe(256);
    expect(masked).toMatchObject({ kind: "addr", field: "dst", ranges: expect.arrayContaining([{ lo: 0x0a000001n, hi: 0x0a000001n }, { lo: 0x0a00ff01n, hi: 0x0a00ff01n }]) });
    expect(conds(match({ "&": [payload("ip", "daddr"), "255.0.0.255"] }, "10.0.0.1"))[0]).toMatchObject({ kind: "unknown", reason: "the mask of 'ip daddr & 255.0.0.255' is not contiguous and covers too many ranges" });
  });
  it("ports, relational operators, th", () => {
    expect(conds(match(payload("tcp", "dport"), 1024, ">="))).toEqual([{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[1024, 65535]] }]);
    expect(conds(match(payload("th", "dport"), set(53, range(5000, 5010)), "!="))).toEqual([{ kind: "port", field: "dport", ranges: [[53, 53], [5000, 5010]], negate: true }]);
    expect(conds(match(payload("udp", "sport"), "domain"))).toEqual([{ kind: "proto", protos: [17] }, { kind: "port", field: "sport", ranges: [[53, 53]] }]);
  });
  it("tcp flags: implicit any-of, == exact, masked, sets", () => {
    const f = (right: unknown, op = "==", left: unknown = payload("tcp", "flags")) => conds(match(left, right, op))[1];
    expect(f("syn", "in")).toEqual({ kind: "tcpflags", mask: 2, comp: 2 });
    expect(f(["syn", "ack"], "in")).toEqual({ kind: "or", anyOf: [[{ kind: "tcpflags", mask: 2, comp: 2 }], [{ kind: "tcpflags", mask: 16, comp: 16 }]] });
    expect(f("syn")).toEqual({ kind: "tcpflags", mask: 255, comp: 2 });
    expect(f("syn", "!=", { "&": [payload("tcp", "flags"), { "|": ["fin", "syn", "rst", "ack"] }] })).toEqual({ kind: "tcpflags", mask: 23, comp: 2, negate: true });
    expect(f(set("syn", { "|": ["syn", "ack"] }))).toEqual({ kind: "or", anyOf: [[{ kind: "tcpflags", mask: 255, comp: 2 }], [{ kind: "tcpflags", mask: 255, comp: 18 }]] });
  });
  it("interfaces with wildcards, ct state lists, icmp types and codes, fib", () => {
    expect(conds(match(meta("iifname"), set("eth*", "wg0")))).toEqual([{ kind: "or", anyOf: [[{ kind: "iface", field: "iif", name: "eth", prefix: true }], [{ kind: "iface", field: "iif", name: "wg0", prefix: false }]] }]);
    expect(conds(match(ct("state"), ["established", "related"], "in"))).toEqual([{ kind: "ctstate", states: ["established", "related"] }]);
    expect(conds(match(payload("icmpv6", "type"), "nd-neighbor-solicit"))).toEqual([{ kind: "family", family: 6 }, { kind: "proto", protos: [58] }, { kind: "icmp", family: 6, type: 135 }]);
    const code = conds(match(payload("icmp", "code"), "port-unreachable"))[2] as { kind: "or"; anyOf: unknown[][] };
    expect(code.anyOf.length).toBe(256);
    expect(code.anyOf[3]).toEqual([{ kind: "icmp", family: 4, type: 3, codeLo: 3, codeHi: 3 }]);
    expect(conds(match({ fib: { result: "type", flags: ["daddr"] } }, "local"))).toEqual([{ kind: "local-dst", text: "fib daddr type local" }]);
  });
  it("later fragments", () => {
    expect(conds(match({ "&": [payload("ip", "frag-off"), 8191] }, 0, "!="))).toEqual([{ kind: "family", family: 4 }, { kind: "fragment" }]);
    expect(conds(match({ "&": [payload("ip", "frag-off"), "0x1fff"] }, 0))).toEqual([{ kind: "family", family: 4 }, { kind: "fragment", negate: true }]);
  });
  it("what the model has no dimension for is Unknown with its text", () => {
    expect(conds(match(meta("cpu"), 1), match({ fib: { result: "oif", flags: ["saddr", "iif"] } }, false))).toEqual([
      { kind: "unknown", text: "meta cpu == 1", reason: "meta cpu is not modelled" },
      // (ordinary traffic's source routes back: see ordinary-classes.test.ts)
      { kind: "unknown", text: "fib saddr . iif oif == false", reason: "fib saddr . iif oif is not modelled", ordinary: false },
    ]);
    // the packet mark has none either, but is followed along each packet's path (Condition "mark");
    // a range of marks is not read as one
    expect(conds(match(meta("mark"), 1), match({ "&": [meta("mark"), 255] }, { set: [3, 4] }))).toEqual([
      { kind: "mark", mask: 0xffffffff, values: [1], text: "meta mark == 1" },
      { kind: "mark", mask: 255, values: [3, 4], text: expect.stringContaining("meta mark & 255") },
    ]);
    expect(conds(match(meta("mark"), { range: [1, 5] }))).toEqual([{ kind: "unknown", text: "meta mark == 1-5", reason: "meta mark is not modelled" }]);
    expect(conds({ limit: { rate: 10, per: "second" } })).toEqual([{ kind: "unknown", text: "limit rate 10/second", reason: "'limit' is not modelled", ordinary: true, drawn: true }]);
  });
});

describe("sets, concatenations, maps", () => {
  const sets = (...items: unknown[]) => parse(...inputChain(), ...items);
  it("a named interval set is one condition; elements added later count", () => {
    const rs = clean(sets(
      { add: { set: { family: "inet", table: "t", name: "trusted", type: "ipv4_addr", flags: ["interval"], elem: [prefix("10.0.0.0", 8)] } } },
      { add: { element: { family: "inet", table: "t", name: "trusted", elem: [range("192.0.2.1", "192.0.2.9")] } } },
      rule("inet", "t", "in", match(payload("ip", "saddr"), "@trusted"), accept),
    ));
    expect(rs.chains.get("inet t/in")!.rules[0]!.conditions).toEqual([
      { kind: "family", family: 4 }, { kind: "addr", field: "src", family: 4, ranges: [{ lo: 0x0a000000n, hi: 0x0affffffn }, { lo: 0xc0000201n, hi: 0xc0000209n }] },
    ]);
  });
  it("a set rules add to, or flags dynamic, is Unknown; an undeclared one is an error", () => {
    const rs = sets(
      { add: { set: { family: "inet", table: "t", name: "seen", type: "ipv4_addr", elem: ["192.0.2.1"] } } },
      rule("inet", "t", "in", match(payload("ip", "saddr"), "@seen"), drop),
      rule("inet", "t", "in", { set: { op: "add", elem: payload("ip", "saddr"), set: "@seen" } }),
      rule("inet", "t", "in", match(payload("ip", "saddr"), "@nope"), drop),
    );
    const rules = rs.chains.get("inet t/in")!.rules;
    expect(rules[0]!.conditions[1]).toEqual({ kind: "unknown", text: "ip saddr == @seen", reason: "the contents of set @seen change at run time (rules add elements)" });
    expect(rules[1]!.action).toEqual({ kind: "continue", target: "set" });
    expect(rs.diagnostics.map((d) => d.message)).toEqual(["set @nope is not declared in table inet t"]);
  });
  it("a concatenated set is an or of conjunctions, exact", () => {
    const rs = clean(sets(
      { add: { set: { family: "inet", table: "t", name: "allowed", type: ["ipv4_addr", "inet_service"], elem: [concat("192.0.2.7", 22), concat("198.51.100.7", 25)] } } },
      rule("inet", "t", "in", match(concat(payload("ip", "saddr"), payload("tcp", "dport")), "@allowed"), accept),
    ));
    expect(verdicts(rs, tcp(25))).toEqual(["accept"]);
    expect(verdicts(rs, tcp(22))).toEqual(["drop"]);
    expect(verdicts(rs, { ...tcp(22), src: "192.0.2.7" })).toEqual(["accept"]);
  });
  it("a verdict map accepting 25 becomes one rule per element; the catch-all matches the rest", () => {
    const rs = clean(sets(
      chain("inet", "t", "web"), rule("inet", "t", "web", tcpDport(8080), accept),
      rule("inet", "t", "in", { vmap: { key: payload("tcp", "dport"), data: set([25, accept], [range(8000, 8080), jump("web")], [23, drop]) } }),
      { add: { map: { family: "inet", table: "t", name: "m", type: "inet_service", map: "verdict", elem: [[53, accept], ["*", drop]] } } },
      rule("inet", "t", "in", { vmap: { key: payload("udp", "dport"), data: "@m" } }),
    ));
    const rules = rs.chains.get("inet t/in")!.rules;
    expect(rules.map((r) => r.action.kind)).toEqual(["accept", "jump", "drop", "accept", "drop"]);
    expect(rules[4]!.conditions).toEqual([{ kind: "proto", protos: [17] }, { kind: "port", field: "dport", ranges: [[53, 53]], negate: true }]);
    expect(verdicts(rs, tcp(25))).toEqual(["accept"]);
    expect(verdicts(rs, tcp(8080))).toEqual(["accept"]);
    expect(verdicts(rs, tcp(8079))).toEqual(["drop"]);
    expect(verdicts(rs, { ...tcp(53), proto: "udp" })).toEqual(["accept"]);
    expect(rs.ruleCount).toBe(3);
  });
  it("data maps in NAT: one dnat per element, concatenated keys and data too", () => {
    const rs = clean(parse(
      table("ip", "n"), chain("ip", "n", "pre", { type: "nat", hook: "prerouting", prio: -100 }),
      rule("ip", "n", "pre", { dnat: { addr: { map: { key: payload("ip", "daddr"), data: set(["203.0.113.1", "10.0.0.5"]) } } } }),
      rule("ip", "n", "pre", { dnat: { family: "ip", addr: { map: { key: concat(payload("ip", "daddr"), payload("tcp", "dport")), data: set([concat("203.0.113.2", 80), concat("10.0.0.6", 8080)]) } } } }),
      table("ip", "f"), chain("ip", "f", "fwd", { hook: "forward", prio: 0, policy: "drop" }), rule("ip", "f", "fwd", match(payload("ip", "daddr"), "10.0.0.6"), tcpDport(8080), accept),
    ));
    const rules = rs.chains.get("ip n/pre")!.rules;
    expect(rules[0]!.action).toEqual({ kind: "dnat", to: { addr: { lo: 0x0a000005n, hi: 0x0a000005n }, family: 4 }, target: "dnat to 10.0.0.5" });
    expect(rules[1]!.action).toEqual({ kind: "dnat", to: { addr: { lo: 0x0a000006n, hi: 0x0a000006n }, ports: [8080, 8080], family: 4 }, target: "dnat to 10.0.0.6:8080" });
    const fwd = { family: 4 as const, proto: "tcp", src: "198.51.100.7", hook: "forward" as const };
    expect(verdicts(rs, { ...fwd, dst: "203.0.113.2", dport: 80 })).toEqual(["accept"]);
    expect(verdicts(rs, { ...fwd, dst: "203.0.113.3", dport: 80 })).toEqual(["drop"]);
  });
});

describe("chains and commands", () => {
  it("goto does not come back; return ends the jumped chain", () => {
    const rs = clean(parse(
      ...inputChain("inet", "accept"), chain("inet", "t", "g"), chain("inet", "t", "j"),
      rule("inet", "t", "in", tcpDport(1), goto("g")), rule("inet", "t", "in", tcpDport(2), jump("j")), rule("inet", "t", "in", drop),
      rule("inet", "t", "g", counter), rule("inet", "t", "j", ret), rule("inet", "t", "j", accept),
    ));
    expect(verdicts(rs, tcp(1))).toEqual(["accept"]); // falls off g: back to the caller of in = the policy
    expect(verdicts(rs, tcp(2))).toEqual(["drop"]);
    expect(verdicts(rs, tcp(3))).toEqual(["drop"]);
  });
  it("an anonymous chain (jump { ... }) is a generated user chain", () => {
    const span = { file: "a.nft", line: 3, column: 3 };
    const r = (stmts: RuleNode["stmts"]): RuleNode => ({ stmts, span });
    const inner = [r([{ kind: "match", left: { kind: "payload", protocol: "tcp", field: "dport", span }, op: "implicit", right: { kind: "value", text: "22", span }, span }, { kind: "verdict", verdict: { kind: "accept" }, span }])];
    const doc: NftDocument = {
      diagnostics: [], included: [],
      commands: [
        { object: "table", op: "add", table: { family: "ip", name: "t" }, span },
        { object: "chain", op: "add", table: { family: "ip", name: "t" }, chain: "in", base: { type: "filter", hook: "input", priority: { base: "filter", offset: 0, span }, span }, policy: { verdict: "drop", span }, span },
        { object: "rule", op: "add", table: { family: "ip", name: "t" }, chain: "in", rule: r([{ kind: "verdict", verdict: { kind: "jump", target: "", anonymous: inner }, span }]), span },
      ],
    };
    const rs = clean(mapNft(doc, "a.nft"));
    // named as the file shows it, by the line of the rule that holds it (no nft chain can be called so)
    const name = `{ ... } of line ${span.line}`;
    expect(rs.chains.get("ip t/in")!.rules[0]!.action).toEqual({ kind: "jump", chain: name });
    expect(rs.chains.get(`ip t/${name}`)).toMatchObject({ anonymous: true });
    expect(rs.chains.get(`ip t/${name}`)!.rules[0]!.id).toBe(`ip t/${name}#1`);
    expect(verdicts(rs, tcp(22))).toEqual(["accept"]);
    expect(verdicts(rs, tcp(23))).toEqual(["drop"]);
    expect(rs.ruleCount).toBe(2);
  });
  it("insert, replace and delete by handle or index; flush chain and table", () => {
    const ids = (rs: Ruleset) => rs.chains.get("ip t/in")!.rules.map((r) => (r.conditions[1] as { ranges: number[][] }).ranges[0]![0]);
    const base = [...inputChain("ip"), rule("ip", "t", "in", tcpDport(1), accept), rule("ip", "t", "in", tcpDport(2), accept)];
    // handles: chain 1, rules 2 and 3
    expect(ids(clean(parse(...base, { insert: { rule: { family: "ip", table: "t", chain: "in", handle: 3, expr: [tcpDport(9), accept] } } })))).toEqual([1, 9, 2]);
    expect(ids(clean(parse(...base, { add: { rule: { family: "ip", table: "t", chain: "in", handle: 2, expr: [tcpDport(9), accept] } } })))).toEqual([1, 9, 2]);
    expect(ids(clean(parse(...base, { insert: { rule: { family: "ip", table: "t", chain: "in", index: 0, expr: [tcpDport(9), accept] } } })))).toEqual([9, 1, 2]);
    expect(ids(clean(parse(...base, { replace: { rule: { family: "ip", table: "t", chain: "in", handle: 2, expr: [tcpDport(9), accept] } } })))).toEqual([9, 2]);
    expect(ids(clean(parse(...base, { delete: { rule: { family: "ip", table: "t", chain: "in", handle: 3 } } })))).toEqual([1]);
    expect(ids(clean(parse(...base, { flush: { chain: { family: "ip", table: "t", name: "in" } } }, rule("ip", "t", "in", tcpDport(5), accept))))).toEqual([5]);
    expect(ids(clean(parse(...base, { flush: { table: { family: "ip", name: "t" } } })))).toEqual([]);
    const bad = parse(...base, { delete: { rule: { family: "ip", table: "t", chain: "in", handle: 42 } } });
    expect(bad.diagnostics.map((d) => `${d.severity} ${d.message}`)).toEqual(["warning delete rule: no rule with handle 42 in chain in in this file (nft fails unless it exists when the file is loaded)"]);
  });
  it("flush ruleset, delete table, chains declared again merge", () => {
    const rs = clean(parse(
      table("ip", "old"), chain("ip", "old", "c", { hook: "input", prio: 0 }), { flush: { ruleset: null } },
      table("ip", "gone"), { delete: { table: { family: "ip", name: "gone" } } },
      ...inputChain("ip", "accept"), rule("ip", "t", "in", tcpDport(1), accept),
      chain("ip", "t", "in", { hook: "input", prio: 0, policy: "drop" }), rule("ip", "t", "in", tcpDport(2), accept),
    ));
    expect([...rs.chains.keys()]).toEqual(["ip t/in"]);
    expect(rs.chains.get("ip t/in")!.policy).toBe("drop");
    expect(rs.chains.get("ip t/in")!.rules.map((r) => r.id)).toEqual(["ip t/in#1", "ip t/in#2"]);
  });
  it("jumps to undeclared chains are errors at the rule", () => {
    const rs = parse(...inputChain(), rule("inet", "t", "in", jump("nowhere")));
    expect(rs.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([expect.stringMatching(/^\d+:\d+ jump to chain 'nowhere', which is not declared in table inet t$/)]);
  });
});

describe("declarations nft refuses", () => {
  it("a set used as a map, a set declared again with another type, elements of the wrong type", () => {
    const rs = parse(
      table("ip", "n"), chain("ip", "n", "pre", { type: "nat", hook: "prerouting", prio: -100 }),
      { add: { set: { family: "ip", table: "n", name: "y", type: "ipv4_addr", elem: ["192.0.2.1"] } } },
      { add: { set: { family: "ip", table: "n", name: "y", type: "inet_service" } } },
      { add: { set: { family: "ip", table: "n", name: "p", type: "inet_service", elem: [22, "no-such-service", range(30, 20)] } } },
      rule("ip", "n", "pre", { snat: { addr: { map: { key: payload("ip", "saddr"), data: "@y" } } } }),
    );
    expect(rs.diagnostics.map((d) => d.message)).toEqual([
      "set y is declared again with another type (inet_service; it is ipv4_addr)",
      "expected a port, service name or range after 'set p', found 'no-such-service'",
      "invalid range '30-20' after 'set p' (low > high)",
      // (and a range needs an interval set: nft refuses it there too)
      "set p: element 30-20 is a range, which nft takes only in a set declared with 'flags interval' (\"You must add 'flags interval' to your set declaration\")",
      "@y is a set, not a map: a lookup needs 'map y { type ... : ... }'",
    ]);
    expect(rs.chains.get("ip n/pre")!.rules).toEqual([]);
  });
});

describe("statements that take the packet out of the model", () => {
  it("a stateless address rewrite or a forward to another device makes the verdict unknown", () => {
    const rs = clean(parse(
      table("inet", "s"), chain("inet", "s", "pre", { hook: "prerouting", prio: -100 }),
      rule("inet", "s", "pre", { mangle: { key: payload("ip", "daddr"), value: "10.0.1.1" } }),
      rule("inet", "s", "pre", { mangle: { key: meta("mark"), value: 1 } }),
      table("netdev", "n"), chain("netdev", "n", "ing", { hook: "ingress", prio: 0, dev: "eth0" }), rule("netdev", "n", "ing", { fwd: { dev: "eth1" } }),
    ));
    expect(rs.chains.get("inet s/pre")!.rules.map((r) => r.action)).toEqual([{ kind: "unknown", target: "ip daddr set 10.0.1.1" }, { kind: "continue", target: "meta" }]);
    expect(rs.chains.get("netdev n/ing")!.rules[1]!.action).toEqual({ kind: "unknown", target: "fwd dev eth1" });
    expect(verdicts(rs, tcp(80))).toEqual(["accept", "drop"]);
  });
});
