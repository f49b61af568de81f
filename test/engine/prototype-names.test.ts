/**
 * Names every JavaScript object inherits - `valueOf`, `constructor`, `__proto__` ... - written where
 * a configuration names something (a policy, a platform, a protocol, a key) are names like any
 * other: read, refused or reported, never an internal error. A reader that looked them up in a plain
 * object found a function where it expected "no such name" (an iptables chain policy `valueOf`
 * crashed the checks, an nft payload header `valueOf` the parser). Every fixture is analysed with
 * some of its words replaced by those names.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../src/engine/check.js";

const root = join(import.meta.dirname, "..", "..");

const INHERITED = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "__defineGetter__", "__lookupSetter__"];
/** Distinct words of a fixture replaced, one per analysis, spread over the fixture's words in order. */
const WORDS_PER_FIXTURE = 3;

function fixtureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...fixtureFiles(p));
    else if (!e.name.endsWith(".md") && !e.name.endsWith(".expect")) out.push(p);
  }
  return out.sort();
}

function internalErrors(rel: string, text: string): string[] {
  const res = analyzeText(rel, text);
  return [...res.file.diagnostics.map((d) => d.message), res.fatal ?? ""].filter((m) => /internal error|is not a function|is not iterable|Maximum call stack/.test(m));
}

describe("inherited object names in configurations", () => {
  it("an iptables chain policy named valueOf is refused where it is written (the file does not load), and the rules are still analysed", () => {
    const res = analyzeText("p.rules", "*filter\n:INPUT valueOf [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -p tcp --dport 25 -j ACCEPT\nCOMMIT\n");
    expect(res.file.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual(["2:8 expected ACCEPT, DROP or - as the policy of INPUT, found 'valueOf'"]);
    expect(res.findings.filter((f) => f.ruleId === "ruleset-does-not-load").map((f) => `${f.location.line}:${f.location.column}`)).toEqual(["2:8"]);
    // (INPUT keeps its default policy, ACCEPT: the rule after it decides nothing)
    expect(res.findings.some((f) => f.ruleId === "redundant-rule" && f.location.line === 4)).toBe(true);
  });

  it("an nft payload header named constructor is an unknown expression, not a crash", () => {
    const res = analyzeText("f.nft", "table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    constructor saddr 10.0.0.1 accept\n    tcp dport 25 accept\n  }\n}\n");
    expect(internalErrors("f.nft", "table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    constructor saddr 10.0.0.1 accept\n  }\n}\n")).toEqual([]);
    expect(res.file.diagnostics.some((d) => d.severity === "error" && d.line === 4)).toBe(true);
  });

  for (const file of fixtureFiles(join(root, "fixtures"))) {
    const rel = relative(root, file);
    it(`${rel}: words replaced by inherited names`, () => {
      const text = readFileSync(file, "utf8");
      const words = [...new Set(text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])].sort();
      const picked = words.length <= WORDS_PER_FIXTURE ? words : Array.from({ length: WORDS_PER_FIXTURE }, (_, k) => words[Math.floor((k * words.length) / WORDS_PER_FIXTURE)]!);
      const bad: string[] = [];
      picked.forEach((word, k) => {
        const name = INHERITED[(k + rel.length) % INHERITED.length]!;
        const edited = text.replace(new RegExp(`\\b${word}\\b`, "g"), name);
        for (const m of internalErrors(rel, edited)) bad.push(`${word} -> ${name}: ${m}`);
      });
      expect(bad).toEqual([]);
    });
  }
});
