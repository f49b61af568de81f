/**
 * shadowed-rule against a brute-force statement of its definition over random chains: a rule is
 * shadowed when the earlier terminating rules together match every packet it matches, and the
 * rules named as deciding it are exactly the earlier terminating rules that match some of its
 * packets first.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRule } from "../../src/analysis/compile.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { shadowedRule } from "../../rules/checks/shadowed-rule.js";
import type { CheckContext } from "../../rules/checks/context.js";
import { filter, ref } from "./helpers.js";

fc.configureGlobal({ seed: 0x5ad0 });

const rule = fc
  .record({
    proto: fc.constantFrom("tcp", "udp"),
    port: fc.option(fc.tuple(fc.integer({ min: 20, max: 30 }), fc.integer({ min: 0, max: 4 })), { nil: undefined }),
    src: fc.option(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(8, 16, 24)), { nil: undefined }),
    target: fc.constantFrom("ACCEPT", "DROP", "REJECT", "LOG"),
  })
  .map((r) => {
    const port = r.port ? ` -m ${r.proto} --dport ${r.port[0]}:${r.port[0] + r.port[1]}` : "";
    const src = r.src ? ` -s 10.${r.src[0]}.0.0/${r.src[1]}` : "";
    return `-A INPUT -p ${r.proto}${src}${port} -j ${r.target}`;
  });

describe("shadowed-rule", () => {
  it("finds exactly the shadowed rules and the rules that decide them", () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 14 }), (rules) => {
        const rs = filter(rules.map((r) => `${r}\n`).join(""));
        const found = shadowedRule({ ruleset: rs } as CheckContext, {}, ref);
        const chain = rs.chains.get("filter/INPUT")!;
        const expected: { line: number; by: number[] }[] = [];
        const earlier: { line: number; known: PacketSet }[] = [];
        for (const r of chain.rules) {
          const m = compileRule(r, rs.families);
          const covered = PacketSet.unionAll(earlier.map((e) => e.known));
          if (earlier.length > 0 && m.known.isSubsetOf(covered)) {
            const by: number[] = [];
            let before = PacketSet.empty();
            for (const e of earlier) {
              if (!e.known.intersect(m.known).minus(before).isEmpty()) by.push(e.line);
              before = before.union(e.known);
            }
            expected.push({ line: r.span.line, by });
          }
          if (r.action.kind !== "continue" && r.action.kind !== "jump") earlier.push({ line: r.span.line, known: m.known });
        }
        expect(found.map((f) => ({ line: f.location.line, by: (f.related ?? []).map((x) => x.line) }))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
