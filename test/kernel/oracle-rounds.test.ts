/**
 * Forward probes to one destination through different interfaces are spread over addresses the
 * ruleset cannot tell apart (oracle-rounds.ts), so the kernel oracle needs fewer rounds. Runs
 * anywhere (no root, no ../shared needed).
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { verdictFor } from "../../src/analysis/verdict.js";
import type { Packet } from "../../src/model/finding.js";
import { spreadDestinations } from "./oracle-rounds.js";

const RULES = [
  "*nat",
  ":PREROUTING ACCEPT [0:0]",
  "-A PREROUTING -d 198.51.100.0/24 -p tcp --dport 8080 -j DNAT --to-destination 10.9.0.2:80",
  "COMMIT",
  "*filter",
  ":FORWARD DROP [0:0]",
  "-A FORWARD -o wan -j ACCEPT",
  "-A FORWARD -d 10.0.0.0/30 -o lan -j ACCEPT",
  "-A FORWARD -d 10.0.0.5 -o dmz -j ACCEPT",
  "COMMIT",
  "",
].join("\n");
const ruleset = parseIptablesSave(RULES, "t.rules", { family: 4 });

let n = 0;
const probe = (dst: string, oif: string): Packet => ({ id: `p${++n}`, family: 4, hook: "forward", proto: "tcp", src: "203.0.113.9", dst, sport: 40000 + n, dport: 80, tcp_flags: "S", iif: "eth0", oif }) as Packet;

/** The largest number of interfaces one destination leaves by: the rounds the oracle needs at least. */
function oifsPerDst(ps: Packet[]): number {
  const oifs = new Map<string, Set<string | undefined>>();
  for (const p of ps) oifs.set(p.dst, (oifs.get(p.dst) ?? new Set()).add(p.oif));
  return Math.max(...[...oifs.values()].map((s) => s.size));
}

describe("spreadDestinations", () => {
  it("gives each destination one outgoing interface, moving the smaller groups", () => {
    const ps = [probe("192.0.2.1", "wan"), probe("192.0.2.1", "wan"), probe("192.0.2.1", "lan"), probe("192.0.2.1", "dmz")];
    const before = ps.map((p) => verdictFor(ruleset, p).verdict);
    expect(spreadDestinations(ruleset, ps, { dsts: new Set(), oifs: new Set() })).toBe(2);
    expect(oifsPerDst(ps)).toBe(1);
    expect(ps.filter((p) => p.dst === "192.0.2.1").map((p) => p.oif)).toEqual(["wan", "wan"]);
    // fwlint decides every moved probe as before: the new address is on the same side of every range
    expect(ps.map((p) => verdictFor(ruleset, p).verdict)).toEqual(before);
  });

  it("stays on the same side of every destination range the ruleset names", () => {
    // 10.0.0.3 is the last address of 10.0.0.0/30; 10.0.0.4, between it and the host 10.0.0.5, and
    // 10.0.0.5 have no neighbour on their side of every range: those keep their second round
    const ps = [probe("10.0.0.3", "lan"), probe("10.0.0.3", "wan"), probe("10.0.0.4", "lan"), probe("10.0.0.4", "wan"), probe("10.0.0.5", "dmz"), probe("10.0.0.5", "lan")];
    const before = ps.map((p) => verdictFor(ruleset, p).verdict);
    spreadDestinations(ruleset, ps, { dsts: new Set(), oifs: new Set() });
    expect(ps.map((p) => p.dst)).toEqual(["10.0.0.3", "10.0.0.2", "10.0.0.4", "10.0.0.4", "10.0.0.5", "10.0.0.5"]);
    expect(ps.map((p) => verdictFor(ruleset, p).verdict)).toEqual(before);
  });

  it("keeps DNAT targets and the probes that leave by the DNAT interface where they are", () => {
    const ps = [probe("10.9.0.2", "wan"), probe("10.9.0.2", "lan"), probe("198.51.100.7", "dnat0"), probe("198.51.100.7", "wan"), probe("198.51.100.7", "wan")];
    spreadDestinations(ruleset, ps, { dsts: new Set(["10.9.0.2"]), oifs: new Set(["dnat0"]) });
    expect(ps.map((p) => p.dst)).toEqual(["10.9.0.2", "10.9.0.2", "198.51.100.7", "198.51.100.8", "198.51.100.8"]);
  });

  it("moves to no address another probe uses, nor past the forwardable unicast range", () => {
    const ps = [probe("223.255.255.255", "lan"), probe("223.255.255.255", "wan"), probe("203.0.113.10", "lan"), probe("203.0.113.10", "wan")];
    ps[2]!.src = "203.0.113.11";
    spreadDestinations(ruleset, ps, { dsts: new Set(), oifs: new Set() });
    expect(ps[1]!.dst).toBe("223.255.255.254");
    // 203.0.113.11 is a source already, 203.0.113.9 too (every probe's): the next free is .12
    expect(ps[3]!.dst).toBe("203.0.113.12");
  });
});
