/**
 * The exposure map: what new connections from public sources reach, per destination and
 * protocol/ports, with the rule that decides each row and the severity of the finding about it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeAddresses, exposureMap } from "../../src/review/exposure-map.js";
import { scan } from "../../src/review/session.js";

const fixtures = join(import.meta.dirname, "..", "..", "fixtures", "iptables");

async function mapOf(name: string) {
  const s = await scan({ paths: [join(fixtures, name)], baselineFile: join(fixtures, "no-such-baseline.json") });
  return exposureMap(s.files, s.findings);
}

describe("exposure map", () => {
  it("open relay: ssh, smtp and ping reach any destination, each decided by its own rule; the two findings' rows first", async () => {
    const rows = await mapOf("open-relay.rules");
    expect(rows.map((r) => [r.protocol, r.ports, r.destinations, r.services, r.decidedBy?.line, r.severity])).toEqual([
      ["tcp", [[22, 22]], "any", ["ssh"], 15, "high"],
      ["tcp", [[25, 25]], "any", ["smtp"], 16, "high"],
      ["icmp", [], "any", [], 14, undefined],
    ]);
    expect(rows[1]!.example).toMatchObject({ proto: "tcp", dport: 25, hook: "input" });
    expect(rows.every((r) => r.coverage === 1)).toBe(true);
    // IMAP from 10.0.0.0/8 only, policy DROP: not reachable from the Internet.
    expect(rows.some((r) => r.ports.some(([a]) => a === 143))).toBe(false);
  });

  it("port forwards: the public port, where DNAT sends it, the service there, the forward rule", async () => {
    const rows = await mapOf("nat-port-forward.rules");
    const fwd2222 = rows.find((r) => r.ports[0]?.[0] === 2222)!;
    expect(fwd2222).toMatchObject({ direction: "forward", destinations: "any", forwardedTo: "10.0.0.5:22", services: ["ssh"], severity: "high" });
    expect(fwd2222.decidedBy?.line).toBe(21);
    const rdp = rows.find((r) => r.ports[0]?.[0] === 3389)!;
    expect(rdp.forwardedTo).toBe("10.0.0.7:3389");
    expect(rdp.coverage).toBeLessThan(0.001); // only 192.0.2.0/24
  });

  it("a port range opened by one rule is one row; a range cut by different rules is split where the rule changes", async () => {
    const range = await mapOf("port-range.rules");
    expect(range.filter((r) => r.protocol === "tcp").map((r) => [r.ports, r.decidedBy?.line])).toEqual([[[[20, 30]], 9]]);
    const open = await mapOf("accept-policy.rules");
    const udp = open.filter((r) => r.protocol === "udp");
    expect(udp.length).toBeGreaterThan(0);
    for (const r of open) expect(r.decidedBy).toBeDefined();
  });

  it("addresses: any, CIDR blocks where exact, ranges, and a count past the limit", () => {
    expect(describeAddresses([[0n, (1n << 32n) - 1n]], 4)).toBe("any");
    expect(describeAddresses([[0x0a000000n, 0x0a0000ffn], [0x0a000105n, 0x0a000105n]], 4)).toBe("10.0.0.0/24, 10.0.1.5");
    expect(describeAddresses([[1n, 5n]], 4)).toBe("0.0.0.1-0.0.0.5");
    expect(describeAddresses([[1n, 1n], [3n, 3n], [5n, 5n], [7n, 7n]], 4, 2)).toBe("0.0.0.1, 0.0.0.3 +2 more");
  });
});

describe("rows of wide openings", () => {
  it("a range whose ends are decided by different rules is split where the rule changes, and only there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-review-map-"));
    try {
      const file = join(dir, "split.rules");
      // Port 1 by its own rule, every other TCP port by the ACCEPT policy: two rows, not 2-3, 4-7 ...
      writeFileSync(file, ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]", "-A INPUT -p tcp -m tcp --dport 1 -j ACCEPT", "COMMIT", ""].join("\n"));
      const s = await scan({ paths: [file], baselineFile: join(dir, "none.json") });
      const tcp = exposureMap(s.files, s.findings).filter((r) => r.protocol === "tcp");
      expect(tcp.map((r) => [r.ports, r.decidedBy?.rule]).sort()).toEqual([
        [[[0, 0]], "policy ACCEPT"],
        [[[1, 1]], "-A INPUT -p tcp -m tcp --dport 1 -j ACCEPT"],
        [[[2, 65535]], "policy ACCEPT"],
      ].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
