/**
 * A ruleset whose analysis outgrows the heap budget stops with an error for that file instead of
 * taking the whole process down, and the next file is analysed normally.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { analyzeText } from "../../src/engine/check.js";
import { heapBudget } from "../../src/space/budget.js";

const fixture = join(import.meta.dirname, "..", "..", "fixtures", "iptables", "open-relay.rules");
const text = readFileSync(fixture, "utf8");
const saved = { ...heapBudget };

afterEach(() => {
  heapBudget.fraction = saved.fraction;
  heapBudget.checkEvery = saved.checkEvery;
  delete heapBudget.limitBytes;
});

describe("heap budget", () => {
  it("turns an analysis past the budget into a fatal message for the file", () => {
    heapBudget.limitBytes = 1024 * 1024; // 1 MB: any real analysis is past it
    heapBudget.checkEvery = 1;
    const r = analyzeText("open-relay.rules", text);
    expect(r.findings).toEqual([]);
    expect(r.fatal).toMatch(/^could not be analysed: the analysis needs more memory than this process may use \(\d+ MB in use, heap limit 1 MB\); run it with a larger heap, e\.g\. NODE_OPTIONS=--max-old-space-size=8192$/);
    expect(r.file.format).toBe("iptables");
  });

  it("analyses the next file normally once the budget allows it", () => {
    heapBudget.checkEvery = 1;
    const r = analyzeText("open-relay.rules", text);
    expect(r.fatal).toBeUndefined();
    expect(r.findings.some((f) => f.ruleId === "exposed-service" && f.exposure?.service === "smtp")).toBe(true);
  });
});
