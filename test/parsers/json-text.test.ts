/**
 * parsers/json-text.ts: jsonPlaces finds where every value and member key of a JSON text starts,
 * for any document, printed compactly or indented, with escapes in keys and strings.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, jsonPlaces, parseJsonText, pathKey } from "../../parsers/json-text.js";

/** Every path of a value with the value there (depth first). */
function paths(v: unknown, at: (string | number)[] = []): [(string | number)[], unknown][] {
  const out: [(string | number)[], unknown][] = [[at, v]];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

describe("jsonPlaces", () => {
  it("places every value and key of any JSON document", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, 2, "\t"), (doc, indent) => {
        const text = JSON.stringify(doc, null, indent);
        const { value, key } = jsonPlaces(text);
        for (const [path, v] of paths(JSON.parse(text))) {
          const at = value.get(pathKey(path));
          expect(at, pathKey(path)).toBeDefined();
          const head = Array.isArray(v) ? "[" : v !== null && typeof v === "object" ? "{" : JSON.stringify(v);
          expect(text.slice(at!, at! + head.length)).toBe(head);
          const last = path[path.length - 1];
          if (typeof last === "string") expect(text.slice(key.get(pathKey(path))!).startsWith(JSON.stringify(last))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("parseJsonText", () => {
  it("refuses a document nested deeper than the readers walk, at the bracket that goes too deep", () => {
    const ok = parseJsonText(`{"a": ${"[".repeat(MAX_JSON_DEPTH - 1)}1${"]".repeat(MAX_JSON_DEPTH - 1)}}`, MAX_JSON_DEPTH);
    expect(ok.ok).toBe(true);
    const text = `{"a": "[[[[",\n "b": ${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}`;
    const deep = parseJsonText(text, MAX_JSON_DEPTH);
    // without a limit (the nft JSON reader walks iteratively) it is a document like any other
    expect(parseJsonText(text).ok).toBe(true);
    expect(deep).toEqual({ ok: false, line: 2, column: 7 + MAX_JSON_DEPTH - 1, message: expect.stringMatching(/^expected JSON nested at most 1000 levels deep/) });
    // invalid JSON is told as such, whatever its depth
    expect(parseJsonText("[".repeat(5000), MAX_JSON_DEPTH)).toMatchObject({ ok: false, message: expect.stringMatching(/^expected valid JSON/) });
  });

  it("lets every JSON reader refuse it instead of overflowing the stack", async () => {
    const { parseGcpFirewall } = await import("../../parsers/gcp/index.js");
    const { parseAwsSecurityGroups } = await import("../../parsers/aws/index.js");
    const nest = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
    const gcp = `{"items": [{"name": "x", "network": "n", "direction": "INGRESS", "allowed": [{"IPProtocol": "tcp"}], "sourceRanges": ["0.0.0.0/0"], "x": ${nest(100_000)}}]}`;
    const sg = `{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [], "x": ${nest(100_000)}}]}`;
    for (const rs of [parseGcpFirewall(gcp, "g.json"), parseAwsSecurityGroups(sg, "s.json")]) {
      expect(rs.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^expected JSON nested at most 1000 levels deep/)]);
    }
  });
});
