/**
 * Jumps run their target chain once per path: a chain reached by several jump rules at each of
 * many levels multiplies the paths (three per level: 3^n). The evaluation counts chain runs and
 * stops past pathBudget with a file-level error naming the chain entered most, instead of running
 * for hours; a ruleset under the budget is analysed as before.
 */
import { afterEach, describe, expect, it } from "vitest";
import { pathBudget } from "../../src/analysis/evaluate.js";
import { analyzeText } from "../../src/engine/check.js";

/** `levels` chains C0..Cn, each jumping to the next from three rules (TCP, a source, everything). */
function ladder(levels: number): string {
  const lines = ["*filter", ":INPUT DROP [0:0]"];
  for (let i = 0; i <= levels; i++) lines.push(`:C${i} - [0:0]`);
  lines.push("-A INPUT -j C0");
  for (let i = 0; i < levels; i++) lines.push(`-A C${i} -p tcp -j C${i + 1}`, `-A C${i} -s 10.${i}.0.0/16 -j C${i + 1}`, `-A C${i} -j C${i + 1}`);
  lines.push(`-A C${levels} -p tcp --dport 25 -j ACCEPT`, "COMMIT", "");
  return lines.join("\n");
}

const saved = pathBudget.chainRuns;
afterEach(() => {
  pathBudget.chainRuns = saved;
});

describe("the budget of chain runs", () => {
  it("stops an evaluation whose paths multiply past it, naming the chain entered most", () => {
    pathBudget.chainRuns = 5000;
    const a = analyzeText("ladder.rules", ladder(12));
    expect(a.fatal).toMatch(/^could not be analysed: the jumps between chains make more than 5,000 paths to follow \(chain C12, ladder\.rules:15, was entered [\d,]+ times\)/);
    expect(a.findings).toEqual([]);
  });

  it("leaves a ruleset under it analysed as before", () => {
    const a = analyzeText("ladder.rules", ladder(12)); // about 53,000 runs
    expect(a.fatal).toBeUndefined();
    expect(a.findings.some((f) => f.ruleId === "exposed-service" && f.message.includes("SMTP"))).toBe(true);
  });
});
