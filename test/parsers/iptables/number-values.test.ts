/**
 * Numbers as iptables 1.8.9 reads them. Protocols (-p, --ctproto) and ICMP types and codes are
 * in C notation (xtables_strtoui, base 0: `010` is 8, `0x11` is 17). Ports differ by match: tcp and sctp (and multiport, for
 * any protocol) read a port in C notation - `022` is octal, port 18; `0x16` is 22 - and udp and
 * dccp read decimal digits modulo 65536 (`022` is 22, `70000` is 4464) and refuse hex. A reader of
 * the file takes `022` for port 22 either way, so where iptables reads another port each number
 * gets a warning. Each reading was taken from iptables-restore then iptables-save; where the loaders
 * run here the test asks them again, and CI (FWLINT_REQUIRE_KERNEL=1) requires that they can.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../../parsers/iptables/index.js";
import { Dim } from "../../../src/space/dims.js";
import { PacketSet } from "../../../src/space/packet-set.js";
import { withLoaders } from "../../loaders.js";
import { iptablesLists, readInbound } from "./helpers.js";

const file = (match: string) => `*filter\n:INPUT DROP [0:0]\n-A INPUT ${match} -j ACCEPT\nCOMMIT\n`;

/** The match, how iptables-save lists it, a destination port it accepts and one it does not, and the warnings. */
const READINGS: [string, string, number, number, RegExp[]][] = [
  ["-p tcp --dport 022", "-p tcp -m tcp --dport 18", 18, 22, [/'022' after --dport is an octal number to iptables: port 18, not 22/]],
  ["-p tcp --dport 00022", "-p tcp -m tcp --dport 18", 18, 22, [/'00022' .* port 18, not 22/]],
  ["-p tcp --dport 0100:0200", "-p tcp -m tcp --dport 64:128", 64, 200, [/'0100' .* port 64, not 100/, /'0200' .* port 128, not 200/]],
  ["-p tcp --dport 0x16", "-p tcp -m tcp --dport 22", 22, 16, []],
  ["-p tcp --dport 07", "-p tcp -m tcp --dport 7", 7, 8, []],
  ["-p sctp --dport 022", "-p sctp -m sctp --dport 18", 18, 22, [/port 18, not 22/]],
  ["-p udp --dport 022", "-p udp -m udp --dport 22", 22, 18, []],
  ["-p udp --dport 08", "-p udp -m udp --dport 8", 8, 0, []],
  ["-p udp --dport 0100:0200", "-p udp -m udp --dport 100:200", 100, 64, []],
  ["-p udp --dport 70000", "-p udp -m udp --dport 4464", 4464, 4465, [/'70000' after --dport is port 4464 to iptables: it keeps the number modulo 65536/]],
  ["-p udp --dport 4294967318", "-p udp -m udp --dport 22", 22, 23, [/is port 22 to iptables/]],
  ["-p dccp --sport +22 --dport 022", "-p dccp -m dccp --sport 22 --dport 22", 22, 18, []],
  ["-p udp -m multiport --dports 022,0100:0200", "-p udp -m multiport --dports 18,64:128", 18, 22, [/'022' .* port 18/, /'0100' .* port 64/, /'0200' .* port 128/]],
  ["-p udp -m multiport --dports 0x10", "-p udp -m multiport --dports 16", 16, 10, []],
];

/** Protocols and ICMP types: the match, how iptables-save lists it, a packet it accepts and one it does not. */
const icmp = (type: number, code = 0) => PacketSet.box({ [Dim.Proto]: [[1n, 1n]], [Dim.IcmpType]: [[BigInt(type), BigInt(type)]], [Dim.IcmpCode]: [[BigInt(code), BigInt(code)]] });
const proto = (p: number) => PacketSet.box({ [Dim.Proto]: [[BigInt(p), BigInt(p)]] });
const OTHER_READINGS: [string, string, PacketSet, PacketSet][] = [
  ["-p icmp --icmp-type 010", "-p icmp -m icmp --icmp-type 8", icmp(8), icmp(10)],
  ["-p icmp --icmp-type 0x8", "-p icmp -m icmp --icmp-type 8", icmp(8), icmp(0)],
  ["-p icmp --icmp-type 3/010", "-p icmp -m icmp --icmp-type 3/8", icmp(3, 8), icmp(3, 10)],
  ["-p icmp --icmp-type 3/0x3", "-p icmp -m icmp --icmp-type 3/3", icmp(3, 3), icmp(3, 0)],
  ["-p 0x11", "-p udp", proto(17), proto(11)],
  ["-p 010", "-p egp", proto(8), proto(10)],
  ["-p TCP", "-p tcp", proto(6), proto(17)],
];

/** Refused by iptables-restore, and by fwlint. */
const OTHER_REFUSED = ["-p icmp --icmp-type 08", "-p icmp --icmp-type 3/08", "-p icmp --icmp-type 0x100", "-p 08", "-m conntrack --ctproto 08"];
const REFUSED = ["-p tcp --dport 08", "-p tcp --dport 08:09", "-p udp --dport 0x10", "-p udp --dport 1e3", "-p udp --dport 99999999999999999999", "-p udp -m multiport --dports 08"];

const toPort = (proto: number, port: number) => PacketSet.box({ [Dim.Proto]: [[BigInt(proto), BigInt(proto)]], [Dim.Dport]: [[BigInt(port), BigInt(port)]] });
const PROTOS: Record<string, number> = { tcp: 6, udp: 17, dccp: 33, sctp: 132 };

const read = readInbound;

describe("iptables ports in C notation (tcp, sctp, multiport) and in decimal (udp, dccp)", () => {
  for (const [match, , yes, no, warnings] of READINGS) {
    it(`${match} accepts port ${yes}, not ${no}${warnings.length ? ", with a warning" : ""}`, () => {
      const proto = PROTOS[match.split(" ")[1]!]!;
      const { rs, inbound } = read(file(match));
      expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(inbound.certainlyAccepted.overlaps(toPort(proto, yes))).toBe(true);
      expect(inbound.possiblyAccepted.overlaps(toPort(proto, no))).toBe(false);
      const said = rs.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);
      expect(said).toHaveLength(warnings.length);
      warnings.forEach((w, i) => expect(said[i]).toMatch(w));
    });
  }

  for (const [match, , yes, no] of OTHER_READINGS) {
    it(`${match} is read in C notation`, () => {
      const { rs, inbound } = read(file(match));
      expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(inbound.certainlyAccepted.overlaps(yes)).toBe(true);
      expect(inbound.possiblyAccepted.overlaps(no)).toBe(false);
    });
  }

  it("what iptables refuses is refused", () => {
    for (const bad of REFUSED) {
      const errors = parseIptablesSave(file(bad), "a.rules", { family: 4 }).diagnostics.filter((d) => d.severity === "error");
      expect(errors.map((e) => e.message), bad).toEqual([expect.stringMatching(/^expected a port or port range after --dports?, found '/)]);
    }
    for (const bad of OTHER_REFUSED) {
      const errors = parseIptablesSave(file(bad), "a.rules", { family: 4 }).diagnostics.filter((d) => d.severity === "error");
      expect(errors, bad).toHaveLength(1);
    }
  });
});

const loaders = withLoaders("iptables number values");

describe("iptables itself", () => {
  loaders("lists each number as fwlint reads it, and refuses what fwlint refuses", () => {
    const wrong: string[] = [];
    for (const [match, listed] of [...READINGS, ...OTHER_READINGS]) {
      const got = iptablesLists(file(match));
      if (got.listed !== `-A INPUT ${listed} -j ACCEPT`) wrong.push(`${match}: iptables ${got.says}`);
    }
    for (const bad of [...REFUSED, ...OTHER_REFUSED]) {
      if (iptablesLists(file(bad)).listed !== undefined) wrong.push(`${bad}: iptables loads it`);
    }
    expect(wrong).toEqual([]);
  });
});
