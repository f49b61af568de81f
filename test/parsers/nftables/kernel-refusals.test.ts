/**
 * What the kernel itself refuses when an nftables ruleset is loaded (jump-graph.ts, the mapper's
 * base-chain checks): a jump or goto to a base chain, jumps 16 chains deep or in a loop reached
 * from a base chain (which `nft -c` does not find: only a real load does), a nat chain at or
 * before conntrack's priority -200 or on the forward hook, a route chain off the output hook.
 * Where nft runs here the test loads each case into a network namespace of its own, and CI
 * (FWLINT_REQUIRE_KERNEL=1) requires that it can.
 */
import { describe, expect } from "vitest";
import { withLoaders } from "../../loaders.js";
import { fwlintVerdicts, loaderDisagrees, type NftCase } from "./nft-cases.js";

/** A table with an input base chain jumping to c1, and chains c1..c`n` each jumping to the next (c`n` to `last`). */
function ladder(n: number, last?: string): string {
  const out = ["table ip t {", "\tchain base {", "\t\ttype filter hook input priority 0; policy accept;", "\t\tjump c1", "\t}"];
  for (let i = 1; i <= n; i++) out.push(`\tchain c${i} {`, ...(i < n ? [`\t\tjump c${i + 1}`] : last ? [`\t\tjump ${last}`] : []), "\t}");
  return `${out.join("\n")}\n}\n`;
}

const base = (type: string, hook: string, priority: string) => `table ip t {\n\tchain c {\n\t\ttype ${type} hook ${hook} priority ${priority};\n\t}\n}\n`;

const CASES: NftCase[] = [
  {
    name: "a jump to a base chain",
    text: "table ip t {\n\tchain a {\n\t\ttype filter hook input priority 0;\n\t}\n\tchain b {\n\t\ttype filter hook forward priority 0;\n\t\tjump a\n\t}\n}\n",
    at: "7:3", refused: /jump to chain 'a', a base chain.*Operation not supported/,
  },
  {
    name: "a verdict map's goto to a base chain",
    text: "table ip t {\n\tchain a {\n\t\ttype filter hook input priority 0;\n\t\ttcp dport vmap { 22 : goto a }\n\t}\n}\n",
    at: "4:3", refused: /goto to chain 'a', a base chain/,
  },
  {
    name: "a loop reached from a base chain",
    text: "table ip t {\n\tchain a {\n\t\tjump b\n\t}\n\tchain b {\n\t\tjump a\n\t}\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\tjump a\n\t}\n}\n",
    at: "10:3", refused: /the jumps from base chain c loop \(c -> a -> b -> a\).*Too many links.*nft -c does not tell/,
  },
  { name: "a chain going to itself", text: "table ip t {\n\tchain a {\n\t\tgoto a\n\t}\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\tjump a\n\t}\n}\n", at: "7:3", refused: /loop \(c -> a -> a\)/ },
  { name: "jumps 16 chains deep", text: ladder(16), at: "49:3", refused: /go 16 chains deep \(base -> c1 -> c2 -> \.\.\. -> c15 -> c16\)/ },
  { name: "a nat chain at priority -200", text: base("nat", "prerouting", "-200"), at: "2:2", refused: /a nat chain runs after connection tracking: its priority must be above -200.*found -200/ },
  { name: "a nat chain on the forward hook", text: base("nat", "forward", "0"), at: "2:2", refused: /cannot be on the forward hook/ },
  { name: "a route chain on prerouting", text: base("route", "prerouting", "0"), at: "2:2", refused: /a route chain is only for the output hook/ },
  // loaded
  { name: "jumps 15 chains deep", text: ladder(15) },
  { name: "a loop no base chain reaches", text: "table ip t {\n\tchain a {\n\t\tjump b\n\t}\n\tchain b {\n\t\tjump a\n\t}\n}\n" },
  { name: "a chain jumped to from many, 15 deep", text: ladder(15).replace("\t\tjump c1\n", "\t\tjump c1\n\t\tjump c5\n\t\ttcp dport vmap { 22 : jump c9 }\n") },
  { name: "a nat chain at priority -199", text: base("nat", "prerouting", "-199") },
  { name: "a nat chain at dstnat", text: base("nat", "prerouting", "dstnat") },
  { name: "a route chain on output", text: base("route", "output", "mangle") },
  { name: "a filter chain before conntrack", text: base("filter", "prerouting", "-300") },
];

describe("what the kernel refuses in chains and jumps", () => {
  fwlintVerdicts(CASES);
});

const withKernel = withLoaders("nft kernel refusals");

describe("the verdicts above are the kernel's", () => {
  withKernel("a real load refuses exactly the refused cases, at the line fwlint names", (dir) =>
    expect(loaderDisagrees(dir, CASES, { commit: true, atLine: true })).toEqual([]),
  );
});
