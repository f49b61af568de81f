/**
 * What nft's grammar needs between statements: a newline or ';' after each command and after each
 * item of a table, chain, set or anonymous chain - before a closing '}' too ("syntax error,
 * unexpected '}', expecting newline or semicolon") -, and nothing after a statement that ends the
 * rule ("Statement after terminal statement has no effect"). A one-line `table t { chain c { ... } }`
 * and two rules run together on one line are such files: nft loads none of them. Each verdict was
 * taken from nft 1.0.6 (the grammar is the same in nft 1.1.6); where nft runs here the test asks it
 * again, and CI (FWLINT_REQUIRE_KERNEL=1) requires that it can. Variants of the project's own
 * nftables fixtures with line breaks run together must get an error from fwlint exactly when nft
 * refuses them.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import { prng } from "../../../src/analysis/probes.js";
import { withLoaders } from "../../loaders.js";
import { differential, fwlintVerdicts, loaderDisagrees, type NftCase } from "./nft-cases.js";

const UNEXPECTED = /expecting newline or semicolon/;
const TERMINAL = /Statement after terminal statement has no effect/;

/** Files, and where fwlint's one error is and what it says (none: nft loads the file). */
const CASES: Omit<NftCase, "name">[] = [
  { text: "table ip t { chain c { accept } }\n", at: "1:31", refused: /after 'accept', found '}'.*"syntax error, unexpected '}', expecting newline or semicolon"/ },
  { text: "table ip t { chain c { accept; } }\n", at: "1:34", refused: /after 'chain c \{ accept; \}', found '}'/ },
  { text: "table ip t { chain c { } }\n", at: "1:26", refused: UNEXPECTED },
  { text: "table ip t { chain c { type filter hook input priority 0 } }\n", at: "1:58", refused: UNEXPECTED },
  { text: "table ip t { chain c { type filter hook input priority 0; policy drop } }\n", at: "1:71", refused: UNEXPECTED },
  { text: "table ip t { chain a { accept; } chain b { accept; }; }\n", at: "1:34", refused: /found 'chain'/ },
  { text: "table ip t { set s { type ipv4_addr } ; }\n", at: "1:37", refused: UNEXPECTED },
  { text: "table ip t { set s { typeof ip saddr; elements = { 1.1.1.1 }; size 5 }; }\n", at: "1:70", refused: UNEXPECTED },
  { text: "table ip t { flags dormant }\n", at: "1:28", refused: UNEXPECTED },
  { text: "table ip t { counter c { packets 0 bytes 0 } }\n", at: "1:46", refused: UNEXPECTED },
  { text: "table ip t {\n\tchain c {\n\t\taccept }\n}\n", at: "3:10", refused: UNEXPECTED },
  { text: "add table ip t\nadd set ip t s { type ipv4_addr }\n", at: "2:33", refused: UNEXPECTED },
  { text: "add table ip t\nadd chain ip t c { type filter hook input priority 0; }\nadd rule ip t c jump { accept }\n", at: "3:31", refused: UNEXPECTED },
  { text: "table ip t { chain c { accept; }; } table ip u { chain c { accept; }; }\n", at: "1:37", refused: /found 'table'/ },
  { text: "table inet t {\n\tchain c {\n\t\tct state established accept iifname \"lo\" accept\n\t}\n}\n", at: "3:31", refused: /a statement after 'accept', which ends the rule.*"Statement after terminal statement has no effect".*a missing line break/ },
  { text: "table ip t {\n\tchain c {\n\t\ttcp dport 22 drop log\n\t}\n}\n", at: "3:21", refused: TERMINAL },
  { text: "table ip t {\n\tchain c {\n\t\ttcp dport 22 reject with tcp reset counter\n\t}\n}\n", at: "3:38", refused: TERMINAL },
  { text: "table ip t {\n\tchain x {\n\t}\n\tchain c {\n\t\tjump x accept\n\t}\n}\n", at: "5:10", refused: TERMINAL },
  { text: "table ip t {\n\tchain c {\n\t\ttype nat hook prerouting priority -100;\n\t\ttcp dport 1 dnat to 10.0.0.1 counter\n\t}\n}\n", at: "4:32", refused: TERMINAL },
  // (a bridge table's rules are not analysed, but nft refuses them all the same)
  { text: "table bridge t {\n\tchain c {\n\t\ttype filter hook prerouting priority 0;\n\t\tip saddr 10.0.0.1 drop counter\n\t}\n}\n", at: "4:26", refused: TERMINAL },
  // loaded
  { text: "table ip t { chain c { accept; }; }\n" },
  { text: "table ip t { chain c { accept; }; }; table ip u { chain c { accept; }; }\n" },
  { text: "table ip t { set s { type ipv4_addr; elements = { 1.1.1.1 } }; }\n" },
  { text: "table ip t { set s { type ipv4_addr; flags interval; auto-merge }; }\n" },
  { text: "table ip t { map m { type ipv4_addr : verdict; elements = { 1.1.1.1 : accept } }; }\n" },
  { text: "table ip t { chain c { tcp dport 22 jump { accept; }; }; }\n" },
  { text: "table ip t { counter c { packets 0 bytes 0 }; }\n" },
  { text: "table ip t {}\ntable ip u {}\n" },
  { text: "table ip t {\n\tflags dormant\n\tchain c {\n\t\taccept # no separator needed before a comment\n\t}\n}\n" },
  { text: "table ip t {\n\tchain c {\n\t\ttcp dport vmap { 22 : accept } counter\n\t\tcounter accept comment \"c\"\n\t\tcontinue counter\n\t}\n}\n" },
];

const FILES: NftCase[] = CASES.map((c) => ({ name: JSON.stringify(c.text).slice(1, 70), ...c }));

describe("separators and terminal statements", () => {
  fwlintVerdicts(FILES);

  it("a rule run into the next is left out, as nft loads none of it", () => {
    const rs = parseNft("table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\ttcp dport 22 accept tcp dport 25 accept\n\t}\n}\n", "case.nft");
    expect(rs.chains.get("inet t/c")!.rules).toEqual([]);
  });
});

const withNft = withLoaders("nft separators");

describe("the verdicts above are nft's", () => {
  withNft("nft -c -f refuses exactly the refused cases", (dir) => expect(loaderDisagrees(dir, FILES)).toEqual([]));
});

/**
 * The project's nftables fixtures (comments taken out, the deliberately refused one left out) with
 * one to four line breaks each replaced by a space or by '; ' - two rules, a rule and a '}', a
 * chain's hook line and its first rule run together.
 */
function joinedVariants(seed: number, count: number): { name: string; text: string }[] {
  const rand = prng(seed);
  const dir = join(import.meta.dirname, "../../../fixtures/nftables");
  const files = readdirSync(dir).filter((f) => f.endsWith(".nft") && f !== "blocklist-overlap.nft").sort();
  const out: { name: string; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const name = files[Math.floor(rand() * files.length)]!;
    const lines = readFileSync(join(dir, name), "utf8")
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, "").replace(/^\s*#.*$/, ""))
      .filter((l) => l.trim() !== "");
    const p = (1 + Math.floor(rand() * 4)) / lines.length;
    let text = lines[0]!;
    for (const l of lines.slice(1)) text += rand() < p ? (rand() < 0.5 ? " " : "; ") + l.trim() : `\n${l}`;
    out.push({ name, text: `${text}\n` });
  }
  return out;
}

describe("fixtures with line breaks run together", () => {
  withNft(
    "get an error from fwlint exactly when nft refuses them (250 files)",
    (dir) => {
      const { wrong, refused } = differential(dir, joinedVariants(46, 250));
      expect(wrong).toEqual([]);
      expect(refused).toBeGreaterThan(100);
      expect(refused).toBeLessThan(245);
    },
    120_000,
  );
});
