/**
 * parsers/json-text.ts: jsonPlaces finds where every value and member key of a JSON text starts,
 * for any document, printed compactly or indented, with escapes in keys and strings.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonPlaces, pathKey } from "../../parsers/json-text.js";

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
