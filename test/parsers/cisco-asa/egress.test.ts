/**
 * The outbound stage (`access-group X out interface Y`): a packet leaving through Y is checked
 * against X, one leaving through any other interface passes - by a rule, as ASA has no policy
 * there, so default-accept-policy (a chain whose policy lets in what no rule decided) has nothing
 * to report on an ASA, and the inbound entry stays what findings name as deciding.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../src/engine/check.js";
import { asa, INTERFACES, steps, verdict } from "./helpers.js";

const OUT_ON_INSIDE = `${INTERFACES}access-list IN_OUT extended permit tcp any any eq 3389
access-group IN_OUT out interface inside
access-list INSIDE_IN extended permit tcp any any eq 23
access-group INSIDE_IN in interface inside
`;

describe("outbound access lists", () => {
  it("decide on their interface only; the others pass", () => {
    const rs = asa(OUT_ON_INSIDE);
    expect(verdict(rs, { src: "172.16.1.5", dst: "10.1.0.5", iif: "dmz", oif: "inside", dport: 22 })).toBe("drop");
    expect(verdict(rs, { src: "10.1.0.5", dst: "192.0.2.1", iif: "inside", oif: "outside", dport: 23 })).toBe("accept");
    expect(verdict(rs, { src: "10.1.0.5", dst: "192.0.2.1", iif: "inside", oif: "outside", dport: 22 })).toBe("drop");
    // the outbound stage runs first; the inbound entry is the last accept, the one that decided
    expect(steps(rs, { src: "10.1.0.5", dst: "192.0.2.1", iif: "inside", oif: "outside", dport: 23 })).toEqual(["access-group out: accept", "access-group in: jump INSIDE_IN", "INSIDE_IN: accept"]);
  });
  it("no ASA filter chain has an ACCEPT policy: what passes, passes by a rule with its line", () => {
    for (const text of [INTERFACES, OUT_ON_INSIDE, readFixture("fixtures/cisco-asa/out-acl.asa"), "access-list A extended permit tcp any any eq 22\naccess-group A out interface dmz\n"]) {
      const rs = asa(text);
      // the connected-routes stage only takes packets away: no policy at all
      const filters = rs.pipelines.flatMap((p) => p.stages.filter((s) => s.role === "filter").map((s) => rs.chains.get(s.chain)!)).filter((c) => c.name !== "connected routes");
      expect(filters.length).toBeGreaterThan(0);
      for (const c of filters) expect(c.policy, c.name).toBe("drop");
    }
  });
  it("a normal configuration gets no default-accept-policy finding, and openings stay at their entries", () => {
    const res = analyzeText("asa.cfg", OUT_ON_INSIDE);
    expect(res.findings.filter((f) => f.ruleId === "default-accept-policy")).toEqual([]);
    const fixture = "fixtures/cisco-asa/out-acl.asa";
    const fx = analyzeText(fixture, readFixture(fixture));
    expect(fx.findings.filter((f) => f.ruleId === "default-accept-policy")).toEqual([]);
    expect(fx.findings.filter((f) => f.ruleId === "exposed-service").map((f) => f.location.line)).toEqual([28]);
  });
  it("pre-8.3 with NAT: outbound lists see the real address, inbound ones the mapped one", () => {
    const rs = asa(`ASA Version 8.2(5)
${INTERFACES.split("\n").slice(1).join("\n")}static (inside,outside) 203.0.113.10 10.1.0.10 netmask 255.255.255.255
access-list OUTSIDE_IN extended permit tcp any host 203.0.113.10 eq 443
access-list OUTSIDE_IN extended permit tcp any host 203.0.113.10 eq 80
access-group OUTSIDE_IN in interface outside
access-list TO_INSIDE extended deny tcp any host 10.1.0.10 eq 80
access-list TO_INSIDE extended permit ip any any
access-group TO_INSIDE out interface inside
`);
    expect(verdict(rs, { src: "192.0.2.1", dst: "203.0.113.10", dport: 443 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "203.0.113.10", dport: 80 })).toBe("drop");
  });
});

function readFixture(path: string): string {
  return readFileSync(join(import.meta.dirname, "..", "..", "..", path), "utf8");
}
