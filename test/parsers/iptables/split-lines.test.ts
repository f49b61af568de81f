/**
 * The iptables reader's line splitting (LineEnds, also what format detection walks): lines end at \n, \r\n
 * or a lone \r, empty lines count, and a last line needs no terminator.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineEnds, lineAfter, splitLines } from "../../../parsers/iptables/split-lines.js";

/** The same split by a regular expression: a terminator at the very end starts no line. */
function reference(text: string): string[] {
  const parts = text.split(/\r\n|\r|\n/);
  if (parts[parts.length - 1] === "") parts.pop();
  return parts;
}

describe("splitLines", () => {
  it("splits as the regular expression does, numbering from 1", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b c", " ", "\n", "\r", "\r\n", "\n\r", "#"), { maxLength: 40 }), (pieces) => {
        const text = pieces.join("");
        const lines = splitLines(text);
        expect(lines.map((l) => l.text)).toEqual(reference(text));
        expect(lines.map((l) => l.line)).toEqual(lines.map((_, k) => k + 1));
      }),
      { numRuns: 300 },
    );
    expect(splitLines("")).toEqual([]);
    expect(splitLines("\n").map((l) => l.text)).toEqual([""]);
    expect(splitLines("x\r\n\r\ny\rz").map((l) => l.text)).toEqual(["x", "", "y", "z"]);
  });

  it("finds each line's end, and where the next starts, for walks that copy no line (format detection)", () => {
    const text = "ab\r\n\ncd\re";
    const ends = new LineEnds(text);
    const seen: [number, number][] = [];
    for (let start = 0, end = 0; start < text.length; start = lineAfter(text, end)) {
      end = ends.from(start);
      seen.push([start, end]);
    }
    expect(seen).toEqual([
      [0, 2],
      [4, 4],
      [5, 7],
      [8, 9],
    ]);
  });
});
