/**
 * The review's trace prompt reads a packet as fwlint prints one, into the Packet the trace command
 * builds from its flags; wrong input gets the column of the wrong word and what was expected.
 */
import { describe, expect, it } from "vitest";
import { describePacket } from "../../src/model/packet-text.js";
import { verdictFor } from "../../src/analysis/verdict.js";
import { analyzeText } from "../../src/engine/check.js";
import type { Packet } from "../../src/model/finding.js";
import { parsePacketPrompt } from "../../src/review/packet-prompt.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

function ok(text: string): Packet {
  const r = parsePacketPrompt(text);
  if (!r.ok) throw new Error(`column ${r.column}: ${r.message}`);
  return r.packet;
}

function err(text: string): { column: number; message: string } {
  const r = parsePacketPrompt(text);
  if (r.ok) throw new Error(`parsed: ${JSON.stringify(r.packet)}`);
  return { column: r.column, message: r.message };
}

describe("packet prompt", () => {
  it("reads the issue's example into the packet trace --src .. --dst .. --proto tcp --sport --dport --iif builds", () => {
    expect(ok("tcp 1.2.3.4:5555 -> 10.0.0.5:25 iif eth0")).toEqual({
      family: 4,
      proto: "tcp",
      src: "1.2.3.4",
      sport: 5555,
      dst: "10.0.0.5",
      dport: 25,
      iif: "eth0",
      hook: "input",
    });
  });

  it("reads back what describePacket prints (witnesses can be pasted and edited)", () => {
    const packets: Packet[] = [
      { family: 4, proto: "udp", src: "198.51.100.7", sport: 40000, dst: "10.0.0.5", dport: 53, iif: "eth0", hook: "input" },
      { family: 6, proto: "tcp", src: "2001:db8::7", sport: 40000, dst: "2001:db8::5", dport: 443, iif: "eth1", hook: "input" },
      { family: 4, proto: "icmp", src: "198.51.100.7", dst: "10.0.0.5", icmp_type: 8, icmp_code: 0, iif: "eth0", hook: "input" },
      { family: 4, proto: "tcp", src: "198.51.100.7", sport: 1024, dst: "192.168.1.5", dport: 8080, iif: "eth0", oif: "eth1", hook: "forward" },
      { family: 6, proto: "tcp", src: "2001:db8::7", sport: 40000, dst: "2001:db8::5", dport: 22, iif: "eth0", ttl: 255, hook: "input" },
    ];
    for (const p of packets) expect(ok(describePacket(p))).toEqual(p);
  });

  it("hook: given, else forward with iif and oif, output with oif only; flags and a missing source port", () => {
    expect(ok("tcp 10.0.0.5:40000 -> 198.51.100.7:25 oif eth0").hook).toBe("output");
    expect(ok("tcp 1.2.3.4 -> 10.0.0.5:25 iif eth0 hook forward")).toMatchObject({ hook: "forward", dport: 25 });
    expect(ok("tcp 1.2.3.4 -> 10.0.0.5:25").sport).toBeUndefined();
    expect(ok("tcp 1.2.3.4:1 -> 10.0.0.5:25 flags SA").tcp_flags).toBe("SA");
    expect(ok("TCP 1.2.3.4:1 -> 10.0.0.5:25 IIF eth0").iif).toBe("eth0");
  });

  it("says where and what was expected", () => {
    expect(err("")).toEqual({ column: 1, message: expect.stringContaining("expected a packet") });
    expect(err("tcpp 1.2.3.4 -> 10.0.0.5:25")).toMatchObject({ column: 1, message: expect.stringContaining("expected a protocol") });
    expect(err("tcp 1.2.3.999:5 -> 10.0.0.5:25")).toMatchObject({ column: 5, message: expect.stringContaining("expected a source address") });
    expect(err("tcp 1.2.3.4:5 => 10.0.0.5:25")).toMatchObject({ column: 15, message: expect.stringContaining("expected '->'") });
    expect(err("tcp 1.2.3.4:5 -> 10.0.0.5")).toMatchObject({ column: 18, message: expect.stringContaining("expected a destination port for tcp") });
    expect(err("tcp 1.2.3.4:5 -> 10.0.0.5:70000")).toMatchObject({ column: 27, message: expect.stringContaining("port 0-65535") });
    expect(err("tcp 1.2.3.4:5 -> 2001:db8::1")).toMatchObject({ column: 18, message: expect.stringContaining("IPv4 destination") });
    expect(err("tcp 1.2.3.4:5 -> 10.0.0.5:25 iff eth0")).toMatchObject({ column: 30, message: expect.stringContaining("expected iif, oif") });
    expect(err("tcp 1.2.3.4:5 -> 10.0.0.5:25 iif")).toMatchObject({ column: 33, message: expect.stringContaining("a value after 'iif'") });
    expect(err("tcp 1.2.3.4:5 -> 10.0.0.5:25 hook prerouting")).toMatchObject({ column: 35, message: expect.stringContaining("input, forward or output") });
    expect(err("icmp 1.2.3.4:5 -> 10.0.0.5")).toMatchObject({ column: 6, message: expect.stringContaining("no ports") });
    expect(err("tcp 1.2.3.4:5 -> 10.0.0.5:25 type 8")).toMatchObject({ column: 30, message: expect.stringContaining("icmp") });
    expect(err("tcp 1.2.3.4:5 -> 10.0.0.5:25 flags XZ")).toMatchObject({ column: 36, message: expect.stringContaining("TCP flags") });
    expect(err("tcp 1.2.3.4:5 -> 10.0.0.5:25 ttl 256")).toMatchObject({ column: 34, message: expect.stringContaining("TTL (hop limit) 0-255") });
    expect(err("tcp 1.2.3.4:5 -> 10.0.0.5:25 iif eth0 iif eth1")).toMatchObject({ column: 39, message: expect.stringContaining("twice") });
  });

  it("gives the verdict and path the trace command gives", () => {
    const path = join(import.meta.dirname, "..", "..", "fixtures", "iptables", "open-relay.rules");
    const { ruleset } = analyzeText(path, readFileSync(path, "utf8"), { skipChecks: true });
    const smtp = verdictFor(ruleset!, ok("tcp 1.2.3.4:5555 -> 10.0.0.5:25 iif eth0"));
    expect(smtp.verdict).toBe("accept");
    expect(smtp.paths[0]!.decidedBy?.line).toBe(16);
    expect(verdictFor(ruleset!, ok("tcp 1.2.3.4:5555 -> 10.0.0.5:143 iif eth0")).verdict).toBe("drop");
  });
});
