/**
 * The tracer keeps at most 16 paths through a chain. Asked where the packet should be delivered
 * (destination and port after DNAT), it goes on past that for the paths that deliver it there:
 * a load balancer with more endpoints than that still has a path to each.
 */
import { describe, expect, it } from "vitest";
import { packetToPoint } from "../../src/analysis/packet.js";
import { tracePacket } from "../../src/analysis/trace.js";
import { pipelineFor } from "../../src/analysis/verdict.js";
import { Dim } from "../../src/space/dims.js";
import { balancedNat, filter } from "../rules/helpers.js";

const rs = filter("", "INPUT DROP,FORWARD ACCEPT,OUTPUT ACCEPT", balancedNat(24, 443, 8443));
const packet = { family: 4 as const, proto: "tcp", src: "198.51.100.7", dst: "203.0.113.10", sport: 40000, dport: 443, iif: "eth0", oif: "eth1", hook: "forward" as const };
const pipeline = pipelineFor(rs, packet)!;
const endpoint = (p: { delivered: bigint[] }) => `${Number(p.delivered[Dim.Dst]! & 0xffn)}:${p.delivered[Dim.Dport]}`;

describe("a trace asked where the packet should go", () => {
  it("reaches an endpoint past the paths it keeps otherwise", () => {
    const plain = tracePacket(rs, pipeline, packetToPoint(packet));
    expect(plain.every((p) => p.truncated)).toBe(true);
    expect(plain.map(endpoint)).not.toContain("20:8443");
    const to20 = packetToPoint({ ...packet, dst: "10.0.1.20", dport: 8443 });
    const wanted = tracePacket(rs, pipeline, packetToPoint(packet), to20);
    const there = wanted.filter((p) => p.verdict === "accept" && endpoint(p) === "20:8443");
    expect(there).toHaveLength(1);
    expect(there[0]!.steps.filter((s) => s.action.startsWith("dnat")).map((s) => s.action)).toEqual(["dnat to 10.0.1.20:8443"]);
    // within the same number of paths, the one asked for first
    expect(wanted).toHaveLength(plain.length);
    expect(endpoint(wanted[0]!)).toBe("20:8443");
  });
});
