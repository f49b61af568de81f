import { describe, expect, it } from "vitest";
import { broadSourceRange } from "../../rules/checks/broad-source-range.js";
import { makeContext } from "../../rules/checks/context.js";
import { filter, lines, ref } from "./helpers.js";

const params = { minimum: 1 / 256, threshold: 0.5 };
const run = (body: string) => broadSourceRange(makeContext(filter(body)), params, ref);

describe("broad-source-range", () => {
  it("reports SSH from a /8 at the rule, with its share and prefix", () => {
    const fs = run("-A INPUT -s 11.0.0.0/8 -p tcp --dport 22 -j ACCEPT\n");
    expect(lines(fs)).toEqual([5]);
    expect(fs[0]!.exposure?.service).toBe("ssh");
    expect(fs[0]!.message).toMatch(/about a \/8 of addresses/);
  });

  it("counts public sources only: a /7 half private (10/8) is the public /8 it holds", () => {
    const fs = run("-A INPUT -s 10.0.0.0/7 -p tcp --dport 22 -j ACCEPT\n");
    const alone = run("-A INPUT -s 11.0.0.0/8 -p tcp --dport 22 -j ACCEPT\n");
    expect(fs[0]!.exposure?.sourceCoverage).toBe(alone[0]!.exposure?.sourceCoverage);
    expect(fs[0]!.message).toMatch(/about a \/8 of addresses/);
  });

  it("not for a /24, for any source (exposed-service's), or for a non-sensitive port", () => {
    expect(run("-A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT\n")).toEqual([]);
    expect(run("-A INPUT -p tcp --dport 22 -j ACCEPT\n")).toEqual([]);
    expect(run("-A INPUT -s 11.0.0.0/8 -p tcp --dport 40000 -j ACCEPT\n")).toEqual([]);
  });
});
