/**
 * The kernel-agreement probes (probes.ts): on the forward hook, only packets the kernel can
 * forward - the oracle cannot judge the others, and they cost it rounds.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { generateProbes } from "../../src/analysis/probes.js";

const v4 = parseIptablesSave(
  ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", "-A INPUT -d 127.0.0.0/8 -j ACCEPT", "-A FORWARD -d 127.0.0.0/8 -j ACCEPT", "-A FORWARD -d 224.0.0.0/4 -j ACCEPT", "-A FORWARD -s 0.0.0.0/32 -j DROP", "-A FORWARD -d 10.1.0.0/16 -o eth2 -j ACCEPT", "-A INPUT -d 224.0.0.0/4 -j ACCEPT", "COMMIT", ""].join("\n"),
  "v4.rules",
  { family: 4 },
);
const v6 = parseIptablesSave(
  ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", "-A INPUT -s fe80::/10 -j ACCEPT", "-A FORWARD -s fe80::/10 -j ACCEPT", "-A FORWARD -d ff02::/16 -j ACCEPT", "-A FORWARD -d 2001:db8:1::/48 -j ACCEPT", "COMMIT", ""].join("\n"),
  "v6.rules",
  { family: 6 },
);

describe("generateProbes", () => {
  it("sends the forward hook only packets the kernel forwards", () => {
    const fwd = generateProbes(v4, { hook: "forward", seed: 1 });
    expect(fwd.length).toBeGreaterThan(10);
    expect(fwd.filter((p) => /^(127|0|22[4-9]|2[3-5]\d)\./.test(p.dst) || /^(0\.0\.0\.0|22[4-9]\.|2[3-5]\d\.)/.test(p.src))).toEqual([]);
    expect(fwd.some((p) => p.dst.startsWith("10.1."))).toBe(true);
    const fwd6 = generateProbes(v6, { hook: "forward", seed: 1 });
    expect(fwd6.length).toBeGreaterThan(5);
    expect(fwd6.filter((p) => /^(fe[89ab]|ff)/.test(p.src) || /^(fe[89ab]|ff)/.test(p.dst) || p.src === "::1" || p.dst === "::1")).toEqual([]);
    expect(fwd6.some((p) => p.dst.startsWith("2001:db8:1:"))).toBe(true);
  });

  it("still probes local and multicast destinations on the input hook", () => {
    const inp = generateProbes(v4, { hook: "input", seed: 1 });
    expect(inp.some((p) => p.dst.startsWith("127."))).toBe(true);
    expect(inp.some((p) => p.dst.startsWith("224."))).toBe(true);
    expect(generateProbes(v6, { hook: "input", seed: 1 }).some((p) => p.src.startsWith("fe80:"))).toBe(true);
  });
});
