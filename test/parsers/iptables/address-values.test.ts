/**
 * Addresses as iptables reads them: first its own reader (xtables numeric_to_ipaddr: one to four
 * dotted parts, each a byte in C notation, missing parts 0 - `10/8` is 10.0.0.0/8 but `10` alone
 * the one address 10.0.0.0), and what that refuses it looks up as a host name (getaddrinfo), whose
 * resolver reads a number as inet_aton does: `443` is 0.0.1.187, `0x0a000001` 10.0.0.1. Both
 * readings load without complaint and are seldom what the author meant, so each gets a warning.
 * Each reading was taken from iptables 1.8.9 (iptables-restore, then iptables-save); where the
 * loaders run here the test asks them again, and CI (FWLINT_REQUIRE_KERNEL=1) requires that they can.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../../parsers/iptables/index.js";
import { Dim } from "../../../src/space/dims.js";
import { PacketSet } from "../../../src/space/packet-set.js";
import { withLoaders } from "../../loaders.js";
import { iptablesLists, readInbound } from "./helpers.js";

const file = (arg: string) => `*filter\n:INPUT DROP [0:0]\n-A INPUT -s ${arg} -j ACCEPT\nCOMMIT\n`;

/** `-s` argument, how iptables-save writes it back, a source it accepts and one it does not, and the warning (or none). */
const READINGS: [string, string, string, string, RegExp | undefined][] = [
  ["10", "-s 10.0.0.0/32", "10.0.0.0", "10.0.0.1", /'10' after -s is the one address 10\.0\.0\.0: .*for the network write 10\.0\.0\.0\/8/],
  ["10/8", "-s 10.0.0.0/8", "10.200.0.1", "11.0.0.0", undefined],
  ["10.1", "-s 10.1.0.0/32", "10.1.0.0", "10.0.0.1", /the one address 10\.1\.0\.0: .*write 10\.1\.0\.0\/16/],
  ["192.168.1", "-s 192.168.1.0/32", "192.168.1.0", "192.168.1.7", /write 192\.168\.1\.0\/24/],
  ["0", "-s 0.0.0.0/32", "0.0.0.0", "0.0.0.1", /for any address write 0\/0/],
  ["010.1.1.1", "-s 8.1.1.1/32", "8.1.1.1", "10.1.1.1", undefined],
  ["443", "-s 0.0.1.187/32", "0.0.1.187", "1.187.0.0", /'443' after -s is the address 0\.0\.1\.187: iptables takes it for a host name/],
  ["443/24", "-s 0.0.1.0/24", "0.0.1.7", "0.0.2.0", /is the address 0\.0\.1\.187/],
  ["0x0a000001", "-s 10.0.0.1/32", "10.0.0.1", "10.0.0.0", /'0x0a000001' after -s is the address 10\.0\.0\.1/],
  ["0x0a000001/8", "-s 10.0.0.0/8", "10.9.9.9", "11.0.0.0", /is the address 10\.0\.0\.1/],
  ["1.2.65535", "-s 1.2.255.255/32", "1.2.255.255", "1.2.0.0", /is the address 1\.2\.255\.255/],
  ["10.300", "-s 10.0.1.44/32", "10.0.1.44", "10.0.0.0", /is the address 10\.0\.1\.44/],
  ["0x100", "-s 0.0.1.0/32", "0.0.1.0", "0.0.0.0", /is the address 0\.0\.1\.0/],
  ["4294967295", "-s 255.255.255.255/32", "255.255.255.255", "255.255.255.254", /is the address 255\.255\.255\.255/],
];

const v4 = (dotted: string) => dotted.split(".").reduce((a, o) => (a << 8n) | BigInt(o), 0n);
const fromSource = (dotted: string) => PacketSet.box({ [Dim.Src]: [[v4(dotted), v4(dotted)]] });

const read = readInbound;

describe("iptables addresses in its short and resolver forms", () => {
  for (const [arg, , yes, no, warning] of READINGS) {
    it(`-s ${arg} accepts ${yes}, not ${no}${warning ? ", with a warning" : ""}`, () => {
      const { rs, inbound } = read(file(arg));
      expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(inbound.certainlyAccepted.overlaps(fromSource(yes))).toBe(true);
      expect(inbound.possiblyAccepted.overlaps(fromSource(no))).toBe(false);
      const warnings = rs.diagnostics.filter((d) => d.severity === "warning").map((d) => `${d.line}:${d.column} ${d.message}`);
      if (warning) {
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/^3:13 /);
        expect(warnings[0]).toMatch(warning);
      } else expect(warnings).toEqual([]);
    });
  }

  it("each address of a list is read on its own (`-s 80,443`: 80.0.0.0 and 0.0.1.187)", () => {
    const { rs, inbound } = read(file("80,443"));
    expect(rs.diagnostics.map((d) => d.message)).toEqual([
      "'80' after -s is the one address 80.0.0.0: iptables fills the missing parts with 0, and with no mask matches that address alone (for the network write 80.0.0.0/8)",
      "'443' after -s is the address 0.0.1.187: iptables takes it for a host name, and the resolver reads a number as an address (inet_aton)",
    ]);
    expect(inbound.certainlyAccepted.overlaps(fromSource("80.0.0.0"))).toBe(true);
    expect(inbound.certainlyAccepted.overlaps(fromSource("0.0.1.187"))).toBe(true);
    expect(inbound.possiblyAccepted.overlaps(fromSource("80.0.0.1"))).toBe(false);
  });

  it("what neither reads is refused, as iptables refuses it (host/network not found)", () => {
    for (const bad of ["1.2.3.256", "4294967296", "08", "1.2.3.4.5"]) {
      const errors = parseIptablesSave(file(bad), "a.rules", { family: 4 }).diagnostics.filter((d) => d.severity === "error");
      expect(errors.map((e) => e.message), bad).toEqual([`expected an IPv4 address or network after -s, found '${bad}'`]);
    }
  });

  it("a host name stays a host name (a warning, its match unknown)", () => {
    const { rs, inbound } = read(file("gw1.example.org"));
    expect(rs.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/'gw1\.example\.org' after -s is a host name: iptables looks it up/)]);
    expect(inbound.certainlyAccepted.isEmpty()).toBe(true);
  });
});

const loaders = withLoaders("iptables address values");

describe("iptables itself", () => {
  loaders("writes each address back as fwlint reads it, and refuses what fwlint refuses", () => {
    const wrong: string[] = [];
    for (const [arg, listed] of READINGS) {
      const got = iptablesLists(file(arg));
      if (got.listed !== `-A INPUT ${listed} -j ACCEPT`) wrong.push(`-s ${arg}: iptables ${got.says}`);
    }
    for (const bad of ["1.2.3.256", "4294967296", "08", "1.2.3.4.5"]) {
      if (iptablesLists(file(bad)).listed !== undefined) wrong.push(`-s ${bad}: iptables loads it`);
    }
    expect(wrong).toEqual([]);
  });
});
