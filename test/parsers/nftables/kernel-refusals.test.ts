/**
 * What the kernel itself refuses when an nftables ruleset is loaded (jump-graph.ts, the mapper's
 * base-chain checks): a jump or goto to a base chain, jumps 16 chains deep or in a loop reached
 * from a base chain (which `nft -c` does not find: only a real load does), a nat chain at or
 * before conntrack's priority -200 or on the forward hook, a route chain off the output hook.
 * Where nft runs here the test loads each case into a network namespace of its own, and CI
 * (FWLINT_REQUIRE_KERNEL=1) requires that it can.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import { loaderSays, withLoaders } from "../../loaders.js";

/** A table with an input base chain jumping to c1, and chains c1..c`n` each jumping to the next (c`n` to `last`). */
function ladder(n: number, last?: string): string {
  const out = ["table ip t {", "\tchain base {", "\t\ttype filter hook input priority 0; policy accept;", "\t\tjump c1", "\t}"];
  for (let i = 1; i <= n; i++) out.push(`\tchain c${i} {`, ...(i < n ? [`\t\tjump c${i + 1}`] : last ? [`\t\tjump ${last}`] : []), "\t}");
  return `${out.join("\n")}\n}\n`;
}

const base = (type: string, hook: string, priority: string) => `table ip t {\n\tchain c {\n\t\ttype ${type} hook ${hook} priority ${priority};\n\t}\n}\n`;

interface Case {
  name: string;
  text: string;
  /** line:column and what fwlint's error says; undefined: the kernel loads it. */
  refused?: [string, RegExp];
}

const CASES: Case[] = [
  {
    name: "a jump to a base chain",
    text: "table ip t {\n\tchain a {\n\t\ttype filter hook input priority 0;\n\t}\n\tchain b {\n\t\ttype filter hook forward priority 0;\n\t\tjump a\n\t}\n}\n",
    refused: ["7:3", /jump to chain 'a', a base chain.*Operation not supported/],
  },
  {
    name: "a verdict map's goto to a base chain",
    text: "table ip t {\n\tchain a {\n\t\ttype filter hook input priority 0;\n\t\ttcp dport vmap { 22 : goto a }\n\t}\n}\n",
    refused: ["4:3", /goto to chain 'a', a base chain/],
  },
  {
    name: "a loop reached from a base chain",
    text: "table ip t {\n\tchain a {\n\t\tjump b\n\t}\n\tchain b {\n\t\tjump a\n\t}\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\tjump a\n\t}\n}\n",
    refused: ["10:3", /the jumps from base chain c loop \(c -> a -> b -> a\).*Too many links.*nft -c does not tell/],
  },
  { name: "a chain going to itself", text: "table ip t {\n\tchain a {\n\t\tgoto a\n\t}\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\tjump a\n\t}\n}\n", refused: ["7:3", /loop \(c -> a -> a\)/] },
  { name: "jumps 16 chains deep", text: ladder(16), refused: ["49:3", /go 16 chains deep \(base -> c1 -> c2 -> \.\.\. -> c15 -> c16\)/] },
  { name: "a nat chain at priority -200", text: base("nat", "prerouting", "-200"), refused: ["2:2", /a nat chain runs after connection tracking: its priority must be above -200.*found -200/] },
  { name: "a nat chain on the forward hook", text: base("nat", "forward", "0"), refused: ["2:2", /cannot be on the forward hook/] },
  { name: "a route chain on prerouting", text: base("route", "prerouting", "0"), refused: ["2:2", /a route chain is only for the output hook/] },
  // loaded
  { name: "jumps 15 chains deep", text: ladder(15) },
  { name: "a loop no base chain reaches", text: "table ip t {\n\tchain a {\n\t\tjump b\n\t}\n\tchain b {\n\t\tjump a\n\t}\n}\n" },
  { name: "a chain jumped to from many, 15 deep", text: ladder(15).replace("\t\tjump c1\n", "\t\tjump c1\n\t\tjump c5\n\t\ttcp dport vmap { 22 : jump c9 }\n") },
  { name: "a nat chain at priority -199", text: base("nat", "prerouting", "-199") },
  { name: "a nat chain at dstnat", text: base("nat", "prerouting", "dstnat") },
  { name: "a route chain on output", text: base("route", "output", "mangle") },
  { name: "a filter chain before conntrack", text: base("filter", "prerouting", "-300") },
];

const errorsOf = (text: string) => parseNft(text, "case.nft").diagnostics.filter((d) => d.severity === "error");

describe("what the kernel refuses in chains and jumps", () => {
  for (const c of CASES) {
    it(`${c.refused ? "refuses" : "loads"} ${c.name}`, () => {
      const errors = errorsOf(c.text);
      if (!c.refused) {
        expect(errors).toEqual([]);
        return;
      }
      expect(errors).toHaveLength(1);
      expect(`${errors[0]!.line}:${errors[0]!.column}`).toBe(c.refused[0]);
      expect(errors[0]!.message).toMatch(c.refused[1]);
    });
  }
});

const withKernel = withLoaders("nft kernel refusals");

describe("the verdicts above are the kernel's", () => {
  withKernel("a real load refuses exactly the refused cases, at the line fwlint names", (dir) => {
    const wrong: string[] = [];
    for (const c of CASES) {
      const file = join(dir, "case.nft");
      writeFileSync(file, c.text);
      const kernel = loaderSays(file, true);
      if (kernel.refused !== (c.refused !== undefined)) wrong.push(`${c.name}: nft -f ${kernel.says}`);
      else if (c.refused && !kernel.says.includes(`case.nft:${c.refused[0].split(":")[0]}:`)) wrong.push(`${c.name}: nft -f names another line: ${kernel.says}`);
    }
    expect(wrong).toEqual([]);
  });
});
