/**
 * IOS `ttl OP VALUE..` in extended ACEs: the TTL is a dimension of the packet space, tested as the
 * packet arrived by an inbound access list and after the router took one off by an outbound one;
 * a packet whose TTL would reach 0 is not forwarded.
 */
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../src/engine/check.js";
import type { Condition } from "../../../src/model/types.js";
import { aclRules, ios, iosClean, trace } from "./helpers.js";

const ext = (name: string, body: string) => `ip access-list extended ${name}\n${body}\n`;
const ttlOf = (ace: string): Condition | undefined => aclRules(iosClean(ext("A", ` ${ace}`)), "A")[0]!.conditions.find((c) => c.kind === "ttl");

describe("IOS ttl", () => {
  it("reads every operator into TTL ranges", () => {
    expect(ttlOf("deny ip any any ttl lt 2")).toEqual({ kind: "ttl", ranges: [[0, 1]] });
    expect(ttlOf("permit ip any any ttl gt 154 log")).toEqual({ kind: "ttl", ranges: [[155, 255]] });
    expect(ttlOf("deny ip any any ttl eq 10 20")).toEqual({ kind: "ttl", ranges: [[10, 10], [20, 20]] });
    expect(ttlOf("permit ip any any precedence flash ttl neq 1 log")).toEqual({ kind: "ttl", ranges: [[1, 1]], negate: true });
    expect(ttlOf("permit tcp any any eq 179 ttl range 254 255")).toEqual({ kind: "ttl", ranges: [[254, 255]] });
    // nothing is below 0 or above 255
    expect(ttlOf("deny ip any any ttl lt 0")).toEqual({ kind: "ttl", ranges: [] });
    expect(ttlOf("deny ip any any ttl gt 255")).toEqual({ kind: "ttl", ranges: [] });
  });

  it("reports what it cannot read where it starts, and keeps the rest of the file", () => {
    const cases: [string, number, string][] = [
      [" deny ip any any ttl lower 2", 22, "expected eq, neq, lt, gt or range after 'ttl', found 'lower'"],
      [" deny ip any any ttl eq 256", 25, "expected a TTL value (0-255) after 'ttl eq', found '256'"],
      [" deny ip any any ttl range 9 3", 22, "ttl range 9 3: the first value is above the second"],
      [" deny ip any any ttl eq 1 ttl eq 2", 27, "'ttl' given twice in one entry"],
      [" deny ip any any ttl", 21, "expected eq, neq, lt, gt or range after 'ttl', found the end of the line"],
    ];
    for (const [ace, column, message] of cases) {
      const rs = ios(ext("A", ace) + ext("B", " permit tcp any any eq 22"));
      expect(rs.diagnostics, ace).toEqual([expect.objectContaining({ severity: "warning", line: 2, column, message: expect.stringContaining(message) })]);
      expect(aclRules(rs, "A")[0]!.conditions.some((c) => c.kind === "unknown"), ace).toBe(true);
      expect(aclRules(rs, "B")).toHaveLength(2);
    }
  });

  const router = (inList: string, outList: string) =>
    iosClean(
      "interface Gi1\n ip address 198.51.100.2 255.255.255.0\n ip access-group IN in\n" +
        "interface Gi2\n ip address 10.0.0.1 255.255.255.0\n ip access-group OUT out\n" +
        ext("IN", inList) +
        ext("OUT", outList),
    );

  it("an inbound list tests the TTL as the packet arrived, on the way through and to the router", () => {
    const rs = router(" permit tcp any any eq 179 ttl eq 255\n permit tcp any host 10.0.0.5 eq 443", " permit ip any any");
    const bgp = { src: "203.0.113.9", dport: 179, iif: "Gi1" };
    expect(trace(rs, { ...bgp, dst: "198.51.100.2", kind: "inbound", ttl: 255 }).verdict).toBe("accept");
    expect(trace(rs, { ...bgp, dst: "198.51.100.2", kind: "inbound", ttl: 254 }).verdict).toBe("drop");
    expect(trace(rs, { ...bgp, dst: "10.0.0.5", oif: "Gi2", ttl: 255 }).verdict).toBe("accept");
    expect(trace(rs, { ...bgp, dst: "10.0.0.5", oif: "Gi2", ttl: 254 }).verdict).toBe("drop");
  });

  it("an outbound list tests it after the router took one off, and a TTL of 1 is not forwarded", () => {
    const rs = router(" permit ip any any", " deny ip any any ttl lt 3\n permit ip any any");
    const https = { src: "203.0.113.9", dst: "10.0.0.5", dport: 443, iif: "Gi1", oif: "Gi2" };
    expect(trace(rs, { ...https, ttl: 3 }).verdict).toBe("drop"); // leaves with 2
    expect(trace(rs, { ...https, ttl: 4 }).verdict).toBe("accept");
    const expired = trace(router(" permit ip any any", " permit ip any any ttl lt 3\n deny ip any any"), { ...https, ttl: 1 });
    expect(expired.verdict).toBe("drop");
    expect(expired.by).toMatch(/TTL \(hop limit\) expires/);
  });

  it("exposure findings follow the TTL: a service open only to TTL 255 is open to any source that sends it", () => {
    const text =
      "interface Gi1\n ip address 198.51.100.2 255.255.255.0\n ip access-group IN in\ninterface Gi2\n ip address 10.0.0.1 255.255.255.0\n" +
      ext("IN", " permit tcp any host 10.0.0.25 eq smtp ttl eq 255\n deny ip any any");
    const found = analyzeText("r.ios", text).findings.filter((f) => f.ruleId === "exposed-service");
    expect(found.map((f) => f.exposure?.service)).toEqual(["smtp"]);
    expect(found[0]!.witness?.ttl).toBe(255);
  });
});
