/**
 * Plain set elements on a line are scanned as one run token (parsers/nftables/scan.ts ElementRun)
 * instead of a token per element and comma. The reader must read every file exactly as it does
 * with a token per element: the same commands, elements, spans and diagnostics, for well-formed
 * lists and for lists with missing commas, map data, concatenations, options, variables, keywords
 * and comments mixed in.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readNftText } from "../../../parsers/nftables/grammar.js";
import { scanNft } from "../../../parsers/nftables/scan.js";

const read = (text: string, elementRuns: boolean) => readNftText(text, "t.nft", { readFile: () => undefined, elementRuns });

const plain = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join(".")),
  fc.tuple(fc.nat(255), fc.nat(255), fc.integer({ min: 8, max: 32 })).map(([a, b, l]) => `10.${a}.${b}.0/${l}`),
  fc.tuple(fc.nat(200), fc.nat(50)).map(([a, w]) => `192.0.2.${a}-192.0.2.${a + w}`),
  fc.tuple(fc.nat(60000), fc.nat(100)).map(([a, w]) => (w % 2 ? `${a}` : `${a}-${a + w}`)),
  fc.constantFrom("::1", "fe80::/10", "2001:db8::1", "aa:bb:cc:dd:ee:ff", "c2", "add", "dead", "10.0.0.1:80"),
);
/** Elements that are not plain, or not alone: map data, concatenations, options, names, variables, a catch-all. */
const other = fc.constantFrom("1.2.3.4 : accept", "1.2.3.4 : 10.0.1.1", "1.2.3.4 . 80", "5.6.7.8 timeout 10s", "eth0", "$v", "*", "2 : jump c2", '"quoted"');
const sep = fc.constantFrom(", ", ",", " , ", ",\n\t\t", "\n", ",\r\n", " ", ", # note\n", ",\n\n", ",\t");
const list = fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: plain }, { weight: 1, arbitrary: other }), sep), { minLength: 1, maxLength: 14 });

function file(kind: "set" | "map", items: [string, string][], close: string): string {
  const body = items.map(([e, s], i) => (i + 1 < items.length ? e + s : e)).join("");
  const head = kind === "set" ? "set s {\n\t\ttype ipv4_addr\n\t\tflags interval\n" : "map m {\n\t\ttype ipv4_addr : verdict\n";
  return `define v = 9.9.9.9\ntable inet t {\n\t${head}\t\telements = { ${body}${close}\n\t}\n\tchain c {\n\t\tip saddr { 1.1.1.1, 2.2.2.2 } accept\n\t}\n}\n`;
}

describe("plain set elements read as runs", () => {
  it("read exactly as with a token per element: commands, elements, spans, diagnostics", () => {
    fc.assert(
      fc.property(fc.constantFrom("set", "map"), list, fc.constantFrom(" }", "\n\t\t}", ", }", ",\n\t\t}", ""), (kind, items, close) => {
        const text = file(kind as "set" | "map", items, close);
        const runs = read(text, true);
        const tokens = read(text, false);
        expect(runs.diagnostics).toEqual(tokens.diagnostics);
        expect(runs.commands).toEqual(tokens.commands);
      }),
      { numRuns: 400 },
    );
  });

  it("a list of plain elements is one run per line, only after `elements = {`", () => {
    const text = "table ip t {\n set s {\n  type ipv4_addr\n  elements = { 1.2.3.4, 10.0.0.0/8,\n   5.6.7.8-5.6.7.9, 9.9.9.9 }\n }\n chain c { ip saddr { 1.1.1.1, 2.2.2.2 } accept }\n}\n";
    const names = scanNft(text).tokens.map((t) => t.tokenType.name);
    expect(names.filter((n) => n === "ElementRun")).toHaveLength(2);
    // the anonymous set in the rule keeps a token per element
    expect(names.filter((n) => n === "WordTok" || n === "Comma").length).toBeGreaterThanOrEqual(3);
    const off = scanNft(text, { elementRuns: false }).tokens.map((t) => t.tokenType.name);
    expect(off).not.toContain("ElementRun");
    const doc = read(text, true);
    const set = doc.commands.find((c) => c.object === "set") as { definition?: { elements: { key: { kind: string }; span: { line: number; column: number } }[] } } | undefined;
    expect(set?.definition?.elements.map((e) => [e.key.kind, e.span.line, e.span.column])).toEqual([
      ["value", 4, 16],
      ["prefix", 4, 25],
      ["range", 5, 4],
      ["value", 5, 21],
    ]);
  });

  it("a define whose value holds a run places its elements at the use (fuzz case: an internal error before)", () => {
    // Not valid nft (a define cannot hold `elements = {`), but the reader must not fail on it.
    const text =
      "define NETS = {define NETS = { 10.0.0.0/8, 192.168.0.0/16 }\ntable inet f {\n set s { type ipv4_addr; flags interval; elements = { 1.2.3.0/24, 5.6.7.8 } } 1.2.3.0/24, 5.6.7.8 } }\n" +
      " chain in {\n  ip saddr $NETS accept\n }\n}\n";
    const runs = read(text, true);
    expect(runs.diagnostics.map((d) => d.message).join("\n")).not.toMatch(/internal error/);
    const tokens = read(text, false);
    expect(runs.diagnostics).toEqual(tokens.diagnostics);
    expect(JSON.stringify(runs.commands)).toBe(JSON.stringify(tokens.commands));
    // and a well-formed use of a define next to a run reads the same both ways
    const ok = "define A = { 10.0.0.1, 10.0.0.2 }\ntable ip t {\n set s { type ipv4_addr; elements = { 1.2.3.4, 5.6.7.8,\n 9.9.9.9 } }\n chain c { ip saddr $A accept; ip daddr @s drop; }\n}\n";
    expect(read(ok, true)).toEqual(read(ok, false));
    expect(read(ok, true).diagnostics).toEqual([]);
  });
});
