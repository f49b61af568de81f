/**
 * A rule of a one-family ruleset (an IPv4-only vendor configuration) matches only packets of that
 * family: compileConjunction(conds, [f]) is compileConjunction(conds) cut to f's universe, whether
 * the rule names the family (an address) or not (a port, a protocol, nothing).
 */
import { describe, expect, it } from "vitest";
import { compileConjunction } from "../../src/analysis/compile.js";
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
