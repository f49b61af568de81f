/**
 * A rule of a one-family ruleset (an IPv4-only vendor configuration) matches only packets of that
 * family: compileConjunction(conds, [f]) is compileConjunction(conds) cut to f's universe, whether
 * the rule names the family (an address) or not (a port, a protocol, nothing).
 */
import { describe, expect, it } from "vitest";
import { compileCondition, compileConjunction } from "../../src/analysis/compile.js";
import { Dim } from "../../src/space/dims.js";
import type { Condition, Family } from "../../src/model/types.js";
import { PacketSet } from "../../src/space/packet-set.js";

const v4net: Condition = { kind: "addr", field: "dst", family: 4, ranges: [{ lo: 0x0a000000n, hi: 0x0a0000ffn }] };
const v6net: Condition = { kind: "addr", field: "src", family: 6, ranges: [{ lo: 0x20010db8n << 96n, hi: (0x20010db8n << 96n) + 0xffffn }] };
const smtp: Condition[] = [
  { kind: "proto", protos: [6] },
  { kind: "port", field: "dport", ranges: [[25, 25]] },
];

const rules: [string, Condition[]][] = [
  ["an IPv4 address and a port", [v4net, ...smtp]],
  ["an IPv6 address and a port", [v6net, ...smtp]],
  ["addresses of both families (matches nothing)", [v4net, v6net]],
  ["a port only", smtp],
  ["a protocol only", [{ kind: "proto", protos: [17] }]],
  ["a family condition", [{ kind: "family", family: 6 }]],
  ["no condition", []],
  ["a negated IPv4 address", [{ ...v4net, negate: true }, ...smtp]],
];

describe("rules of a one-family ruleset", () => {
  for (const family of [4, 6] as Family[]) {
    for (const [what, conds] of rules) {
      it(`IPv${family} only, ${what}: the rule's match cut to the family`, () => {
        const both = compileConjunction(conds).known;
        const one = compileConjunction(conds, [family]).known;
        expect(one.equals(both.intersect(PacketSet.universe([family])))).toBe(true);
      });
    }
  }
});

describe("conditions shared by many rules", () => {
  it("an `or` is compiled once however many rules name it, and reads the same as when written anew", () => {
    const web: Condition = {
      kind: "or",
      anyOf: [
        [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[80, 80]] }],
        [{ kind: "proto", protos: [17] }, { kind: "port", field: "dport", ranges: [[443, 443]] }],
      ],
    };
    const first = compileConjunction([v4net, web]).known;
    const again = compileConjunction([web, v4net]).known;
    expect(compileCondition(web)).toBe(compileCondition(web));
    expect(again.equals(first)).toBe(true);
    // a copy of the `or` (another object) gives the same packets
    expect(compileCondition({ ...web }).equals(compileCondition(web))).toBe(true);
    expect(first.equals(PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Dst]: [[0x0a000000n, 0x0a0000ffn]], [Dim.Proto]: [[6n, 6n]], [Dim.Dport]: [[80n, 80n]] }).union(PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Dst]: [[0x0a000000n, 0x0a0000ffn]], [Dim.Proto]: [[17n, 17n]], [Dim.Dport]: [[443n, 443n]] })))).toBe(true);
  });

  it("a list of ranges several rules share is read, not changed, by each rule's box", () => {
    const ranges = [{ lo: 0x0a000010n, hi: 0x0a000020n }, { lo: 0x0a000001n, hi: 0x0a000005n }];
    const ports: [number, number][] = [[443, 443], [22, 25]];
    const a: Condition[] = [{ kind: "addr", field: "dst", family: 4, ranges }, { kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: ports }];
    const b: Condition[] = [{ kind: "addr", field: "src", family: 4, ranges }, { kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: ports }];
    const ma = compileConjunction(a).known;
    const mb = compileConjunction(b).known;
    expect(ranges).toEqual([{ lo: 0x0a000010n, hi: 0x0a000020n }, { lo: 0x0a000001n, hi: 0x0a000005n }]);
    expect(ports).toEqual([[443, 443], [22, 25]]);
    const tcp = { [Dim.Family]: [[4n, 4n]] as [bigint, bigint][], [Dim.Proto]: [[6n, 6n]] as [bigint, bigint][], [Dim.Dport]: [[22n, 25n], [443n, 443n]] as [bigint, bigint][] };
    const hosts: [bigint, bigint][] = [[0x0a000001n, 0x0a000005n], [0x0a000010n, 0x0a000020n]];
    expect(ma.equals(PacketSet.box({ ...tcp, [Dim.Dst]: hosts }))).toBe(true);
    expect(mb.equals(PacketSet.box({ ...tcp, [Dim.Src]: hosts }))).toBe(true);
    expect(compileConjunction(a).known.equals(ma)).toBe(true);
  });
});
