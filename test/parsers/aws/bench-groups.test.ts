/**
 * The benchmark's AWS account (src/bench/aws.ts): deterministic, read with zero errors into the
 * groups and rules it says it holds, and with the mistakes it plants found (ports open to
 * 0.0.0.0/0 on app and database tiers) while the default groups and group references are not
 * reported as exposures.
 */
import { describe, expect, it } from "vitest";
import { generateAwsSecurityGroups } from "../../../src/bench/aws.js";
import { parseAwsSecurityGroups } from "../../../parsers/aws/index.js";
import { runRules } from "../../rules/harness.js";

describe("benchmark AWS security groups", () => {
  it("is deterministic for a seed", () => {
    expect(generateAwsSecurityGroups(60, 3).text).toBe(generateAwsSecurityGroups(60, 3).text);
    expect(generateAwsSecurityGroups(60, 3).text).not.toBe(generateAwsSecurityGroups(60, 4).text);
  });

  it("reads clean, with the groups and rules it declares, and its planted openings found", () => {
    const file = generateAwsSecurityGroups(200, 1);
    const rs = parseAwsSecurityGroups(file.text, "aws.json");
    expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(rs.ruleCount).toBe(file.rules);
    expect([...rs.chains.keys()].filter((k) => k.endsWith(" inbound") && k !== "security-groups/inbound")).toHaveLength(200);
    const exposed = runRules(rs, (r) => r.id === "exposed-service");
    const services = new Set(exposed.map((f) => f.exposure!.service));
    expect(services.has("https")).toBe(true);
    expect(services.has("every-port")).toBe(false);
    // each certain exposure is told at a source open to the world; the prefix lists' only "may"
    const lines = file.text.split("\n");
    for (const f of exposed) {
      if (f.uncertain === undefined) expect(lines[f.location.line - 1]).toMatch(/"CidrIpv?6?": "(0\.0\.0\.0|::)\/0"/);
      else expect(f.uncertain.join()).toMatch(/prefix list/);
    }
  });
});
