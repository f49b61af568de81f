/**
 * A condition fwlint does not model makes the rule uncertain wherever it sits: at the top of the
 * rule, or inside one alternative of an `or` (a JunOS list with one dns-name address or one
 * undefined application, an ASA group with an fqdn object). The known part stays a superset of
 * what the rule may match, negated or not.
 */
import { describe, expect, it } from "vitest";
import { compileConjunction, uncertainIn } from "../../src/analysis/compile.js";
import type { Condition } from "../../src/model/types.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { Dim } from "../../src/space/dims.js";

const tcpPort = (p: number): Condition[] => [
  { kind: "proto", protos: [6] },
  { kind: "port", field: "dport", ranges: [[p, p]] },
];
const unknown: Condition = { kind: "unknown", text: "application legacy-app", reason: "not defined" };
const tcpTo = (p: number) => PacketSet.box({ [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: [[BigInt(p), BigInt(p)]] });

describe("unmodelled conditions inside an or", () => {
  it("make the rule uncertain, its known part the union of the alternatives' known parts", () => {
    const m = compileConjunction([{ kind: "or", anyOf: [tcpPort(23), [unknown]] }]);
    expect(m.unknowns.map((u) => u.text)).toEqual(["application legacy-app"]);
    // the unknown alternative may match anything: the whole universe may match
    expect(m.known.isUniverse()).toBe(true);
  });

  it("leave a negated or excluding only what a fully modelled alternative matches", () => {
    const m = compileConjunction([{ kind: "or", anyOf: [tcpPort(23), [unknown]], negate: true }]);
    expect(m.unknowns).toHaveLength(1);
    // certainly not matched: telnet (the modelled alternative holds there, so the negation fails)
    expect(m.known.overlaps(tcpTo(23))).toBe(false);
    // everything else may match (whatever the unknown alternative does)
    expect(tcpTo(25).isSubsetOf(m.known)).toBe(true);
  });

  it("are found at any depth, and a local-destination test inside an alternative is one of them", () => {
    const inner: Condition = { kind: "or", anyOf: [tcpPort(80), [{ kind: "local-dst", text: "fib daddr type local" }]] };
    const found = uncertainIn([{ kind: "or", anyOf: [tcpPort(22), [inner]] }, unknown]);
    expect(found.map((u) => u.text)).toEqual(["fib daddr type local", "application legacy-app"]);
    const m = compileConjunction([{ kind: "or", anyOf: [tcpPort(22), [inner]] }]);
    expect(m.unknowns.map((u) => u.text)).toEqual(["fib daddr type local"]);
    expect(m.context).toEqual([]);
  });

  it("an or of modelled alternatives stays certain and exact", () => {
    const m = compileConjunction([{ kind: "or", anyOf: [tcpPort(22), tcpPort(25)] }]);
    expect(m.unknowns).toEqual([]);
    expect(m.known.equals(tcpTo(22).union(tcpTo(25)))).toBe(true);
    const neg = compileConjunction([{ kind: "or", anyOf: [tcpPort(22), tcpPort(25)], negate: true }]);
    expect(neg.unknowns).toEqual([]);
    expect(neg.known.equals(PacketSet.universe().minus(tcpTo(22).union(tcpTo(25))))).toBe(true);
  });
});
