/**
 * The nftables text reader over the shared corpus: every `nft` file indexed clean or newer-syntax,
 * and every dump nft 1.0.6 accepts, must read with zero error diagnostics; of the files indexed
 * `error`, the share with at least one error is reported (and must stay high). A property test
 * mutates fixture-like text at random: the reader never throws and finishes quickly.
 *
 * Without ../shared/corpus the corpus part is skipped with a visible message, unless
 * FWLINT_REQUIRE_SHARED=1, in which case it fails.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readNftText } from "../../../parsers/nftables/grammar.js";
import { corpusRows, corpusText, sharedCorpus } from "../../shared-corpus.js";

const corpus = sharedCorpus("nft grammar corpus");
const CORPUS = corpus ?? "";

/** Error diagnostics of one corpus file (includes may read inside the corpus only). */
function errorsOf(path: string, text: string): string[] {
  const doc = readNftText(text, join(CORPUS, path), { root: CORPUS });
  return doc.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);
}

describe.skipIf(corpus === undefined)("nftables text reader corpus (../shared/corpus)", () => {
  const all = corpus === undefined ? [] : corpusRows(corpus, { formats: ["nft"] });

  it("clean and newer-syntax nft files read with zero error diagnostics", () => {
    const good = all.filter((r) => r.expect === "clean" || r.expect === "newer-syntax");
    const misses: string[] = [];
    let n = 0;
    for (const r of good) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      n++;
      const errs = errorsOf(r.path, text);
      if (errs.length > 0) misses.push(`${r.path} [${r.expect}]: ${errs[0]} (${errs.length} errors)`);
    }
    console.log(`[nft grammar corpus] clean/newer-syntax: ${n - misses.length}/${n} with zero errors (${((100 * (n - misses.length)) / Math.max(n, 1)).toFixed(1)}%)`);
    for (const m of misses) console.log(`  miss: ${m}`);
    expect(n).toBeGreaterThan(700);
    expect(misses).toEqual([]);
  }, 120_000);

  it("every dump nft 1.0.6 accepts reads with zero error diagnostics", () => {
    const list = join(CORPUS, "nftables-upstream", "accepted-by-nft-1.0.6.txt");
    const paths = readFileSync(list, "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
    const misses: string[] = [];
    let n = 0;
    for (const p of paths) {
      const path = join("nftables-upstream", p.trim());
      const text = corpusText(join(CORPUS, path));
      if (text === undefined) continue;
      n++;
      const errs = errorsOf(path, text);
      if (errs.length > 0) misses.push(`${path}: ${errs[0]}`);
    }
    console.log(`[nft grammar corpus] accepted by nft 1.0.6: ${n - misses.length}/${n} with zero errors`);
    for (const m of misses) console.log(`  miss: ${m}`);
    expect(n).toBeGreaterThan(300);
    expect(misses).toEqual([]);
  }, 120_000);

  it("files indexed 'error': share with at least one error diagnostic", () => {
    const bad = all.filter((r) => r.expect === "error");
    let n = 0;
    let detected = 0;
    const passed: string[] = [];
    for (const r of bad) {
      const text = corpusText(r.file);
      if (text === undefined) continue;
      n++;
      if (errorsOf(r.path, text).length > 0) detected++;
      else passed.push(r.path);
    }
    console.log(`[nft grammar corpus] error files: ${detected}/${n} get at least one error (${((100 * detected) / Math.max(n, 1)).toFixed(1)}%)`);
    for (const p of passed) console.log(`  no error: ${p}`);
    expect(n).toBeGreaterThan(50);
    // Most of the rest are fuzzer bogons that are syntactically valid and crash nft's evaluator.
    expect(detected / n).toBeGreaterThanOrEqual(0.45);
  }, 120_000);
});

describe("nftables text reader under random mutation", () => {
  const seeds = [
    "define NETS = { 10.0.0.0/8, 192.168.0.0/16 }\ntable inet f {\n set s { type ipv4_addr; flags interval; elements = { 1.2.3.0/24, 5.6.7.8 } }\n" +
      " chain in {\n  type filter hook input priority filter; policy drop;\n  ct state established,related accept\n" +
      '  iifname "lo" accept\n  ip saddr $NETS tcp dport { 22, 80-90 } counter accept comment "x"\n  tcp dport vmap { 25 : jump mail, 26 : drop }\n' +
      "  ip saddr . tcp dport @s log prefix \"p \" limit rate 5/second drop\n }\n chain mail { tcp flags & (syn|ack) == syn return }\n" +
      " chain pre { type nat hook prerouting priority dstnat; dnat ip to tcp dport map { 80 : 10.0.0.1 . 8080 } }\n}\n",
    "add table ip t\nadd chain ip t c { type filter hook forward priority 0 ; }\nadd rule ip t c meta l4proto udp th dport 53 accept\n" +
      "insert rule ip t c position 2 jump { ip saddr 1.1.1.1 drop; }\ndelete rule ip t c handle 4\nflush ruleset\n",
  ];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.constantFrom("{", "}", ";", "\n", ":", ".", ",", "$X", "@", '"', "(", "-", "/", "==", "jump", "map", "elements = {", "#", "\\\n", "tcp", "\u00e9") }),
    fc.record({ kind: fc.constant("dup" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  );

  it("never throws and finishes quickly", () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, muts) => {
        let text = seed;
        for (const m of muts) {
          const at = m.at % (text.length + 1);
          if (m.kind === "delete") text = text.slice(0, at) + text.slice(at + m.len);
          else if (m.kind === "insert") text = text.slice(0, at) + m.text + text.slice(at);
          else text = text.slice(0, at) + text.slice(at, at + m.len) + text.slice(at);
        }
        const t = performance.now();
        const doc = readNftText(text, "fuzz.nft", { readFile: () => undefined });
        expect(performance.now() - t).toBeLessThan(500);
        expect(Array.isArray(doc.commands)).toBe(true);
        for (const d of doc.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.column).toBeGreaterThanOrEqual(1);
          expect(d.message).not.toMatch(/internal error/);
        }
      }),
      { numRuns: 400 },
    );
  }, 60_000);
});
