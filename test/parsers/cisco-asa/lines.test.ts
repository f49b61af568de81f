/**
 * An ASA row as words (configLine): runs of characters other than white space, as the regular
 * expression \S+ finds them - Unicode blanks included - each with its 1-based column.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configLine } from "../../../parsers/cisco-asa/lines.js";

/** Every character \s matches, and some it does not. */
const BLANKS = ["\t", "\v", "\f", " ", "\u00a0", "\u1680", "\u2000", "\u2007", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff"];
const NOT_BLANKS = ["\u0085", "\u180e", "\u200b", "\u00ad", "a", "B", "9", "-", "é", "İ"];

describe("configLine", () => {
  it("splits a row into the words \\S+ finds, at their columns, keyed in lower case", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...BLANKS, ...NOT_BLANKS, "access-list", "Host"), { minLength: 1, maxLength: 30 }), (pieces) => {
        const raw = `x${pieces.join("")}`; // a first word, so that the row is not a comment or empty
        const expected = [...raw.matchAll(/\S+/g)].map((m) => ({ text: m[0], key: m[0].toLowerCase(), column: m.index + 1 }));
        const line = configLine([raw], 0);
        expect(line?.words).toEqual(expected);
        expect(line?.indent).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it("measures the indent of a child row, and ends the words at a lone '!'", () => {
    const line = configLine(["  network-object host 10.0.0.1 ! old"], 0);
    expect(line?.indent).toBe(2);
    expect(line?.words.map((w) => [w.text, w.column])).toEqual([
      ["network-object", 3],
      ["host", 18],
      ["10.0.0.1", 23],
    ]);
    expect(configLine(["\u3000\t"], 0)).toBeUndefined();
    expect(configLine(["! a comment"], 0)).toBeUndefined();
  });
});
