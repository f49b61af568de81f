/**
 * nft JSON reads into the same model as the text: data/same-ruleset.nft was loaded into a kernel
 * (nft 1.0.6, in a network namespace), and `nft list ruleset` / `nft -j list ruleset` of it are
 * data/same-ruleset.list.nft / data/same-ruleset.json. Both must give the same model once spans
 * (and the source text kept in Unknown conditions) are set aside. Then the JSON reader's own
 * behaviour: schema errors with JSON paths and positions, spans of rule objects, command batches.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectNftJson, parseNft, parseNftJson } from "../../../parsers/nftables/index.js";
import type { Condition, Ruleset } from "../../../src/model/types.js";
import { runRules } from "../../rules/harness.js";
import { verdicts } from "./nft-json-builders.js";

const DATA = join(import.meta.dirname, "data");
const read = (name: string) => readFileSync(join(DATA, name), "utf8");

/** The model without positions, and Unknown conditions without their source text (JSON has none). */
function comparable(rs: Ruleset): unknown {
  // texts are as each form writes them (`meta mark == 1`, `meta mark 0x00000001`): the meaning is compared
  const cond = (c: Condition): unknown =>
    c.kind === "unknown" ? { kind: "unknown" } : c.kind === "mark" ? { ...c, text: "" } : c.kind === "or" ? { ...c, anyOf: c.anyOf.map((a) => a.map(cond)) } : c;
  return {
    families: rs.families,
    ruleCount: rs.ruleCount,
    pipelines: rs.pipelines,
    diagnostics: rs.diagnostics.map((d) => `${d.severity} ${d.message}`),
    chains: [...rs.chains].map(([k, c]) => ({
      k, name: c.name, table: c.table, policy: c.policy,
      rules: c.rules.map((r) => ({ id: r.id, conditions: r.conditions.map(cond), action: r.action.kind === "unknown" ? { kind: "unknown" } : r.action, comment: r.comment, setMark: r.setMark })),
    })),
  };
}

describe("the JSON and text forms of one ruleset", () => {
  const text = parseNft(read("same-ruleset.list.nft"), "same-ruleset.list.nft");
  const json = parseNftJson(read("same-ruleset.json"), "same-ruleset.json");
  it("read without errors", () => {
    expect(text.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(json.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(json.ruleCount).toBe(34);
  });
  it("give the same model", () => {
    // nft 1.0.6 leaves an ingress chain's device out of its JSON: which packets skip it is unknown there.
    const bypass = (rs: Ruleset) => rs.chains.get("netdev edge/ing")!.rules.shift()!;
    expect(bypass(json).conditions).toEqual([{ kind: "unknown", text: "ingress device", reason: "the chain's devices are not in the input (nft 1.0.6 JSON omits them)" }]);
    expect(bypass(text).conditions).toEqual([{ kind: "or", anyOf: [[{ kind: "iface", field: "iif", name: "lo", prefix: false }]], negate: true }]);
    expect(comparable(json)).toEqual(comparable(text));
  });
  it("the hand-written source gives the same verdict structure as the kernel's listing", () => {
    const src = parseNft(read("same-ruleset.nft"), "same-ruleset.nft");
    expect(src.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const shape = (rs: Ruleset) => [...rs.chains].map(([k, c]) => `${k}: ${c.rules.map((r) => r.action.kind).join(",")}`);
    expect(shape(src)).toEqual(shape(parseNft(read("same-ruleset.list.nft"), "same-ruleset.list.nft")));
  });
});

describe("the JSON reader", () => {
  it("an expression nested deeper than the limit is an error at its rule, and the next rule is read", () => {
    const n = 20_000;
    const deep = `${'{"|": ['.repeat(n)}1${", 1]}".repeat(n)}`;
    const rule = (right: string, verdict: string) => `{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": ${right}}}, {"${verdict}": null}]}}`;
    const text = `{"nftables": [{"table": {"family": "ip", "name": "t"}}, {"chain": {"family": "ip", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},\n${rule(`{"meta": {"key": "mark"}}, "right": ${deep}`, "accept")},\n${rule('{"payload": {"protocol": "tcp", "field": "dport"}}, "right": 25', "accept")}]}`;
    const rs = parseNftJson(text, "deep.json");
    expect(rs.diagnostics.map((d) => `${d.line} ${d.message}`)).toEqual([expect.stringMatching(/^2 nftables\[2\]\.rule\.expr\[0\]\.match\.right.*expected an expression nested at most 128 levels deep/)]);
    expect(rs.chains.get("ip t/c")!.rules).toHaveLength(1);
  });
  it("positions each rule at its object", () => {
    const text = '{"nftables": [\n {"add": {"table": {"family": "ip", "name": "t"}}},\n {"add": {"chain": {"family": "ip", "table": "t", "name": "c"}}},\n {"add":\n   {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"accept": null}]}}}\n]}';
    const rs = parseNftJson(text, "p.json");
    expect(rs.diagnostics).toEqual([]);
    const r = rs.chains.get("ip t/c")!.rules[0]!;
    expect([r.span.line, r.span.column]).toEqual([5, 13]);
    const one = parseNftJson(read("same-ruleset.json"), "s.json").chains.get("inet f/web")!.rules.map((x) => [x.span.line, x.span.column]);
    expect(one[0]![0]).toBe(1);
    expect(one[1]![1]).toBeGreaterThan(one[0]![1]);
  });
  it("names the JSON path and position of what the schema refuses, and reads the other items", () => {
    const text = [
      '{"nftables": [',
      '  {"table": {"family": "ipx", "name": "t"}},',
      '  {"table": {"family": "ip", "name": "u"}},',
      '  {"chain": {"family": "ip", "table": "u", "name": "c", "hook": "input", "prio": 0, "type": "filter", "polcy": "drop"}},',
      '  {"chain": {"family": "ip", "table": "u", "name": "d", "hook": "input", "prio": 0, "type": "filter"}},',
      '  {"rule": {"family": "ip", "table": "u", "chain": "d", "expr": [{"match": {"op": "~", "left": 1, "right": 2}}]}},',
      '  {"rule": {"family": "ip", "table": "u", "chain": "d", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"drop": null}]}},',
      '  {"bogus": {}}',
      "]}",
    ].join("\n");
    const rs = parseNftJson(text, "bad.json");
    expect(rs.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "2:24 nftables[0].table.family: must be one of ip, ip6, inet, arp, bridge, netdev",
      "4:103 nftables[2].chain.polcy: unknown field; expected one of family, table, name, newname, handle, type, hook, prio, policy, dev, flags, comment",
      "6:83 nftables[4].rule.expr[0].match.op: must be one of ==, !=, <, >, <=, >=, in, !",
      "8:4 nftables[6].bogus: unknown field; expected one of metainfo, table, chain, rule, set, map, element, flowtable, counter, quota, limit, secmark, synproxy, tunnel, ct helper, ct timeout, ct expectation, add, create, insert, replace, delete, destroy, flush, list, reset, rename",
    ]);
    expect(rs.chains.get("ip u/d")!.rules.map((r) => r.action.kind)).toEqual(["drop"]);
    expect(rs.chains.has("ip u/c")).toBe(false);
  });
  it("refuses a statement or a header field nft does not have, as nft does, and reads the other rules", () => {
    const text = [
      '{"nftables": [',
      '  {"table": {"family": "ip", "name": "u"}},',
      '  {"chain": {"family": "ip", "table": "u", "name": "d", "hook": "input", "prio": 0, "type": "filter", "policy": "drop"}},',
      '  {"rule": {"family": "ip", "table": "u", "chain": "d", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 25}}, {"acept": null}]}},',
      '  {"rule": {"family": "ip", "table": "u", "chain": "d", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dprot"}}, "right": 23}}, {"accept": null}]}},',
      '  {"rule": {"family": "ip", "table": "u", "chain": "d", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"accept": null}]}}',
      "]}",
    ].join("\n");
    const rs = parseNftJson(text, "typo.json");
    const diags = rs.diagnostics.map((d) => `${d.severity} ${d.line}:${d.column} ${d.message}`);
    expect(diags).toHaveLength(2);
    expect(diags[0]).toMatch(/^error 4:\d+ nftables\[2\]\.rule\.expr\[1\]: must be one of accept, drop, /);
    expect(diags[1]).toBe("error 5:12 nftables[3].rule.expr[0].match.left.payload.field: expected a field of the tcp header (sport, dport, sequence, ackseq, doff, reserved, flags, window, checksum, urgptr, option), got 'dprot'");
    // the rules with a typo are not read (neither as "continue" nor as anything else); the good one is
    const rules = rs.chains.get("ip u/d")!.rules;
    expect(rules).toHaveLength(1);
    expect(rules[0]!.span.line).toBe(6);
  });

  it("reports invalid JSON with its position, and expressions it cannot read with their path", () => {
    expect(parseNftJson('{"nftables": [\n  {"table": }\n]}', "x.json").diagnostics.map((d) => `${d.line}:${d.column}`)).toEqual(["2:13"]);
    const rs = parseNftJson('{"nftables": [{"table": {"family": "ip", "name": "t"}}, {"chain": {"family": "ip", "table": "t", "name": "c"}},\n {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": {"payload": {}}, "right": 1}}]}}]}', "e.json");
    expect(rs.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual(['2:11 nftables[2].rule.expr[0].match.left.payload: expected protocol and field, or base, offset and len (nft: "Invalid payload expression properties")']);
  });
  it("runs command batches: insert by index, delete by handle, flush", () => {
    const rule = (op: string, extra: object) => ({ [op]: { rule: { family: "inet", table: "t", chain: "c", ...extra } } });
    const dport = (p: number) => [{ match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: p } }, { accept: null }];
    const batch = JSON.stringify({ nftables: [
      { add: { table: { family: "inet", name: "t" } } },
      { add: { chain: { family: "inet", table: "t", name: "c", type: "filter", hook: "input", prio: 0, policy: "drop" } } },
      rule("add", { expr: dport(1) }), rule("add", { expr: dport(2) }), rule("insert", { index: 1, expr: dport(3) }), rule("delete", { handle: 2 }),
      { add: { element: { family: "inet", table: "t", name: "s", elem: [1] } } },
    ] });
    const rs = parseNftJson(batch, "b.json");
    expect(rs.chains.get("inet t/c")!.rules.map((r) => (r.conditions[1] as { ranges: number[][] }).ranges[0]![0])).toEqual([3, 2]);
    expect(rs.diagnostics.map((d) => d.message)).toEqual(["add element: no set s in table inet t"]);
  });
  it("detects nft JSON only", () => {
    expect(detectNftJson(read("same-ruleset.json"))).toBe(true);
    expect(detectNftJson('{"rules": []}')).toBe(false);
    expect(detectNftJson(read("same-ruleset.nft"))).toBe(false);
  });
});

describe("what nft lists for dormant tables, numbers, xt statements, original tuples and set statements", () => {
  // data/listing-forms.nft was loaded into a kernel with three iptables-nft rules added (its header
  // says which), then listed as text, with -n and as JSON: all three must give one model.
  const text = parseNft(read("listing-forms.list.nft"), "listing-forms.list.nft");
  const numeric = parseNft(read("listing-forms.list-n.nft"), "listing-forms.list-n.nft");
  const json = parseNftJson(read("listing-forms.json"), "listing-forms.json");
  const p = { family: 4 as const, proto: "tcp", src: "198.51.100.7", dst: "192.0.2.1", hook: "input" as const };
  it("read without errors; nft 1.0.6 JSON garbles the dormant flag, which is read as dormant with a warning", () => {
    for (const rs of [text, numeric, json]) expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(json.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message)).toEqual([
      "table inet lock: its flags read 'lock', not a table flag: read as dormant (nft 1.0.6 and other versions before the fix 'json: fix use after free in table_flags_json()' print freed memory for a table's one flag, and dormant is the only flag they name)",
    ]);
    expect(text.diagnostics.map((d) => `${d.severity} ${d.message}`)).toEqual([
      "info table inet lock is dormant (flags dormant): the kernel runs none of its chains, so they are not analysed",
      "info 1 match of iptables extensions (xt match recent): nft lists the iptables-nft matches it cannot translate without their options, so fwlint reads them as unknown conditions; `iptables-save` (and `ip6tables-save`) of the same host shows what they match",
    ]);
    // JSON's word for the same: nft -j prints no compat match's options
    expect(json.diagnostics.filter((d) => d.severity === "info").map((d) => d.message)).toContain(
      "1 match of iptables extensions (xt match recent): nft -j lists iptables-nft's compatibility matches without their options, so fwlint reads them as unknown conditions; `iptables-save` (and `ip6tables-save`) of the same host shows what they match, as `nft list ruleset` as text does for most",
    );
  });
  it("give the same model", () => {
    // (the JSON's and the text's words for their xt matches differ: above)
    const noWarnings = (rs: Ruleset) => ({ ...rs, diagnostics: rs.diagnostics.filter((d) => d.severity !== "warning" && !d.message.includes("iptables extensions")) });
    const noXt = (rs: Ruleset) => ({ ...rs, diagnostics: rs.diagnostics.filter((d) => !d.message.includes("iptables extensions")) });
    expect(comparable(numeric)).toEqual(comparable(text));
    expect(comparable(noWarnings(json))).toEqual(comparable(noXt(text)));
  });
  it("and the model says what the kernel does", () => {
    for (const rs of [text, numeric, json]) {
      expect(rs.chains.has("inet lock/input")).toBe(false);
      expect(verdicts(rs, { ...p, dport: 80 })).toEqual(["drop"]);
      expect(verdicts(rs, { ...p, dport: 22 })).toEqual(["accept"]);
      expect(verdicts(rs, { ...p, dport: 5432 })).toEqual(["accept"]);
      expect(verdicts(rs, { ...p, dport: 5432, src: "203.0.113.7" })).toEqual(["drop"]);
      expect(verdicts(rs, { ...p, dport: 6379, family: 6, src: "2001:db8:10::7", dst: "2001:db8::1" })).toEqual(["accept"]);
      expect(verdicts(rs, { ...p, dport: 25, family: 6, src: "2001:db8::7", dst: "2001:db8::1" })).toEqual(["drop"]);
      expect(verdicts(rs, { ...p, dport: 587 })).toEqual(["accept", "drop"]);
      expect(rs.chains.get("ip filter/INPUT")!.rules[0]!.conditions).toContainEqual({ kind: "unknown", text: "xt match recent", reason: "the iptables extension 'recent' (an xt match of iptables-nft) is not modelled" });
      expect(rs.chains.get("ip mangle/POSTROUTING")!.rules[0]!.action).toEqual({ kind: "continue", target: "counter" });
      expect(rs.chains.get("ip nat/PREROUTING")!.rules[0]!.action).toMatchObject({ kind: "unknown" });
    }
  });

  // `nft -j list ruleset` prints everything on one line: the line alone names no rule.
  it("rules that share a line are labelled by their handle, in the model and in messages", () => {
    const text = read("same-ruleset.json");
    const rs = parseNftJson(text, "same.json");
    const rules = [...rs.chains.values()].flatMap((c) => c.rules).filter((r) => !r.implied);
    expect(rules.length).toBeGreaterThan(5);
    for (const r of rules) expect(r.span.label).toMatch(/^handle [0-9]+$/);
    expect(new Set(rules.map((r) => r.span.label)).size).toBeGreaterThan(1);
    // pretty-printed, each rule has a line of its own: no label
    const pretty = parseNftJson(JSON.stringify(JSON.parse(text), null, 2), "pretty.json");
    expect([...pretty.chains.values()].flatMap((c) => c.rules).filter((r) => r.span.label !== undefined)).toEqual([]);

    const rule = (handle: number, port: number, verdict: string) => ({
      rule: { family: "ip", table: "t", chain: "in", handle, expr: [{ match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: port } }, { [verdict]: null }] },
    });
    const one = JSON.stringify({
      nftables: [
        { table: { family: "ip", name: "t", handle: 1 } },
        { chain: { family: "ip", table: "t", name: "in", handle: 1, type: "filter", hook: "input", prio: 0, policy: "drop" } },
        rule(4, 22, "accept"),
        rule(7, 22, "drop"),
      ],
    });
    const findings = runRules(parseNftJson(one, "one.json"), (r) => r.id === "shadowed-rule");
    expect(findings.map((f) => f.message)).toEqual([
      "rule can never match: line 1 (handle 4) (ACCEPT) already matches every packet it matches; line 1 (handle 4) (ACCEPT) decides differently from this rule (DROP)",
    ]);
  });
});
