/**
 * shadowed-rule against a brute-force statement of its definition over random chains: a rule is
 * shadowed when the earlier terminating rules together match every packet it matches, and the
 * rules named as deciding it are the earlier terminating rules that match some of its packets
 * first: the first ten of them, plus the first one that matches all of it if it comes later, and
 * the message says "and more" exactly when some are not named.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRule } from "../../src/analysis/compile.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { shadowedRule } from "../../rules/checks/shadowed-rule.js";
import type { CheckContext } from "../../rules/checks/context.js";
import { filter, ref } from "./helpers.js";

fc.configureGlobal({ seed: 0x5ad0 });

const narrow = fc.integer({ min: 0, max: 40 }).map((k) => `-A INPUT -s 10.0.0.${k} -j DROP`);
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

/** What the definition says of a chain's rules: each shadowed one, its deciders, and whether some go unnamed. */
function definition(lines: readonly string[]): { found: { line: number; by: number[]; more: boolean }[]; expected: { line: number; by: number[]; more: boolean }[] } {
  const rs = filter(lines.map((r) => `${r}\n`).join(""));
  const found = shadowedRule({ ruleset: rs } as CheckContext, {}, ref).map((f) => ({ line: f.location.line, by: (f.related ?? []).map((x) => x.line), more: f.message.includes(", and more") }));
  const chain = rs.chains.get("filter/INPUT")!;
  const expected: { line: number; by: number[]; more: boolean }[] = [];
  const earlier: { line: number; known: PacketSet }[] = [];
  for (const r of chain.rules) {
    const m = compileRule(r, rs.families);
    const covered = PacketSet.unionAll(earlier.map((e) => e.known));
    if (earlier.length > 0 && m.known.isSubsetOf(covered)) {
      const all: { line: number; whole: boolean }[] = [];
      let before = PacketSet.empty();
      for (const e of earlier) {
        if (!e.known.intersect(m.known).minus(before).isEmpty()) all.push({ line: e.line, whole: m.known.isSubsetOf(e.known) });
        before = before.union(e.known);
      }
      const by = all.slice(0, 10).map((e) => e.line);
      const whole = all.find((e) => e.whole);
      if (whole && !by.includes(whole.line)) by.push(whole.line);
      expected.push({ line: r.span.line, by, more: all.length > by.length });
    }
    if (r.action.kind !== "continue" && r.action.kind !== "jump") earlier.push({ line: r.span.line, known: m.known });
  }
  return { found, expected };
}

/** A longer blocklist: up to 250 sources over four /24s. */
const wideNarrow = fc.integer({ min: 0, max: 250 }).map((k) => `-A INPUT -s 10.0.${k % 4}.${k} -j DROP`);

describe("shadowed-rule", () => {
  it("finds exactly the shadowed rules and the rules that decide them", () => {
    fc.assert(
      fc.property(fc.array(narrow, { maxLength: 16 }), fc.array(fc.oneof({ arbitrary: rule, weight: 3 }, { arbitrary: narrow, weight: 1 }), { minLength: 1, maxLength: 16 }), (blocklist, tail) => {
        const { found, expected } = definition([...blocklist, ...tail]);
        expect(found).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("finds the same deciders in chains long enough to be searched through their range index", () => {
    // (140-320 rules: past the length from which the rules are found through the chain's index,
    // among the positions of the terminating ones. Whether ", and more" is said is left out here:
    // where one rule holds all of a rule and its deciders agree, the message names that one alone.)
    fc.assert(
      fc.property(fc.array(wideNarrow, { minLength: 60, maxLength: 160 }), fc.array(fc.oneof({ arbitrary: rule, weight: 3 }, { arbitrary: wideNarrow, weight: 1 }), { minLength: 80, maxLength: 160 }), (blocklist, tail) => {
        const { found, expected } = definition([...blocklist, ...tail]);
        expect(found.map(({ line, by }) => ({ line, by }))).toEqual(expected.map(({ line, by }) => ({ line, by })));
      }),
      { numRuns: 12 },
    );
  });
});
