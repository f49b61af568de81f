/**
 * The stranger regions checks measure against: strangerTraffic is strangerRegion without its
 * source condition, so counting public sources inside it (maxSourceCountIn) is the same as
 * counting the sources of the intersection with strangerRegion.
 */
import { describe, expect, it } from "vitest";
import { PUBLIC_RANGES, strangerRegion, strangerTraffic } from "../../src/analysis/regions.js";
import { Dim } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { analyzeText } from "../../src/engine/check.js";

const v4 = (s: string): bigint => s.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);

describe("stranger regions", () => {
  it("strangerRegion is strangerTraffic from public sources only", () => {
    for (const family of [4, 6] as const) {
      for (const protos of [[6], [17], [6, 17]]) {
        for (const dports of [undefined, [[25n, 25n]] as [bigint, bigint][]]) {
          const region = strangerRegion(family, protos, dports);
          const traffic = strangerTraffic(family, protos, dports);
          expect(region.equals(traffic.intersect(PacketSet.box({ [Dim.Src]: PUBLIC_RANGES[family] })))).toBe(true);
          expect(region.equals(traffic)).toBe(false); // private and reserved sources are in traffic only
        }
      }
    }
  });

  it("counts the public sources of an accepted set in place", () => {
    // TCP/25 accepted from 10.0.0.0/8 (private) and 198.51.100.0/24 (public) to one host
    const accepted = PacketSet.box({
      [Dim.Family]: [[4n, 4n]],
      [Dim.Proto]: [[6n, 6n]],
      [Dim.Dport]: [[25n, 25n]],
      [Dim.Dst]: [[v4("192.0.2.10"), v4("192.0.2.10")]],
      [Dim.Src]: [
        [v4("10.0.0.0"), v4("10.255.255.255")],
        [v4("198.51.100.0"), v4("198.51.100.255")],
      ],
    });
    const ports: [bigint, bigint][] = [[25n, 25n]];
    const reached = accepted.intersect(strangerTraffic(4, [6], ports));
    expect(reached.maxSourceCountIn(PUBLIC_RANGES[4])).toBe(256n);
    expect(reached.maxSourceCount()).toBe(256n + (1n << 24n));
    expect(accepted.intersect(strangerRegion(4, [6], ports)).maxSourceCount()).toBe(256n);
  });
});

describe("interfaces strangers do not arrive on", () => {
  const ruleset = (iface: string) => `table inet t {\n  chain input {\n    type filter hook input priority filter; policy drop;\n    iifname "${iface}" accept\n  }\n}\n`;
  const exposed = (iface: string) => analyzeText("rules.nft", ruleset(iface)).findings.filter((f) => f.ruleId === "exposed-service").length;
  it("loopback, container and VM bridges, overlay VPN tunnels (a peer's packets only) are none of strangers'", () => {
    for (const iface of ["lo", "docker0", "virbr0", "wg0", "wg-office", "tailscale0", "zt5u4w3xyz", "nebula1"]) expect(exposed(iface), iface).toBe(0);
  });
  it("an uplink, a PPP link or an OpenVPN tun (as often the host's own way out) may face the Internet", () => {
    for (const iface of ["eth0", "ppp0", "tun0", "enp3s0"]) expect(exposed(iface), iface).toBeGreaterThan(0);
  });
});
