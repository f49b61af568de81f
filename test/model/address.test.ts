import { describe, expect, it } from "vitest";
import {
  formatIPv4,
  formatIPv6,
  looksLikeHostname,
  maskRanges,
  maskToPrefix,
  parseAddrRange,
  parseAddrSpec,
  parseCInt,
  parseIPv4,
  parseIPv4Strict,
  parseIPv6,
  prefixRange,
} from "../../src/model/address.js";

const v4 = (s: string) => parseIPv4Strict(s)!;
const v6 = (s: string) => parseIPv6(s)!;

describe("parseCInt", () => {
  it("reads decimal, hex and octal like strtoul(..., 0)", () => {
    expect(parseCInt("22", 65535)).toBe(22);
    expect(parseCInt("0x16", 65535)).toBe(22);
    expect(parseCInt("026", 65535)).toBe(22);
    expect(parseCInt("0", 65535)).toBe(0);
  });
  it("rejects junk, signs and out-of-range values", () => {
    for (const s of ["", "-1", "+1", "1a", "08", "65536", " 1", "1".repeat(50)]) expect(parseCInt(s, 65535)).toBeNull();
  });
});

describe("IPv4", () => {
  it("parses dotted quads", () => {
    expect(parseIPv4("192.0.2.1")).toBe(0xc0000201n);
    expect(parseIPv4("0.0.0.0")).toBe(0n);
    expect(parseIPv4("255.255.255.255")).toBe(0xffffffffn);
  });
  it("accepts iptables' short and C-notation forms", () => {
    expect(parseIPv4("10")).toBe(0x0a000000n); // 10/8 is 10.0.0.0/8
    expect(parseIPv4("10.1")).toBe(0x0a010000n);
    expect(parseIPv4("010.0.0.1")).toBe(0x08000001n); // octal, as iptables reads it
    expect(parseIPv4("0x0a.0.0.1")).toBe(0x0a000001n);
  });
  it("rejects malformed addresses", () => {
    for (const s of ["", "1.2.3.4.5", "256.0.0.1", "1..2", "a.b.c.d", "1.2.3.-4", "1.2.3.4 "]) expect(parseIPv4(s)).toBeNull();
  });
  it("strict form wants four decimal parts", () => {
    expect(parseIPv4Strict("10")).toBeNull();
    expect(parseIPv4Strict("1.2.3.4")).toBe(0x01020304n);
  });
});

describe("IPv6", () => {
  it("parses full and compressed forms", () => {
    expect(parseIPv6("2001:db8:0:0:0:0:0:1")).toBe(0x20010db8000000000000000000000001n);
    expect(parseIPv6("2001:db8::1")).toBe(0x20010db8000000000000000000000001n);
    expect(parseIPv6("::")).toBe(0n);
    expect(parseIPv6("::1")).toBe(1n);
    expect(parseIPv6("fe80::")).toBe(0xfe800000000000000000000000000000n);
    expect(parseIPv6("FE80::ABCD")).toBe(0xfe80000000000000000000000000abcdn);
  });
  it("parses embedded IPv4", () => {
    expect(parseIPv6("::ffff:192.0.2.1")).toBe(0xffffc0000201n);
    expect(parseIPv6("64:ff9b::10.0.0.1")).toBe(0x0064ff9b00000000000000000a000001n);
  });
  it("rejects malformed addresses", () => {
    for (const s of ["", ":", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7", "::1.2.3", "fe80::1%eth0", "1:2:3:4:5:6:7:8::"])
      expect(parseIPv6(s), s).toBeNull();
  });
  it("formats canonically (RFC 5952)", () => {
    expect(formatIPv6(v6("2001:db8:0:0:0:0:0:1"))).toBe("2001:db8::1");
    expect(formatIPv6(0n)).toBe("::");
    expect(formatIPv6(v6("2001:0:0:1:0:0:0:1"))).toBe("2001:0:0:1::1");
    expect(formatIPv6(v6("1:2:3:4:5:6:7:8"))).toBe("1:2:3:4:5:6:7:8");
    expect(formatIPv4(0xc0000201n)).toBe("192.0.2.1");
  });
});

describe("prefixes and masks", () => {
  it("prefixRange masks host bits", () => {
    expect(prefixRange(v4("10.1.2.3"), 8, 4)).toEqual({ lo: v4("10.0.0.0"), hi: v4("10.255.255.255") });
    expect(prefixRange(v4("10.1.2.3"), 32, 4)).toEqual({ lo: v4("10.1.2.3"), hi: v4("10.1.2.3") });
    expect(prefixRange(v4("10.1.2.3"), 0, 4)).toEqual({ lo: 0n, hi: 0xffffffffn });
    expect(prefixRange(v6("2001:db8::1"), 32, 6)).toEqual({ lo: v6("2001:db8::"), hi: v6("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff") });
  });
  it("maskToPrefix accepts contiguous masks only", () => {
    expect(maskToPrefix(v4("255.0.0.0"), 4)).toBe(8);
    expect(maskToPrefix(v4("255.255.255.255"), 4)).toBe(32);
    expect(maskToPrefix(0n, 4)).toBe(0);
    expect(maskToPrefix(v4("255.0.255.0"), 4)).toBeNull();
    expect(maskToPrefix(v6("ffff:ffff::"), 6)).toBe(32);
  });
  it("maskRanges lists what a non-contiguous mask matches", () => {
    const r = maskRanges(v4("10.0.5.0"), v4("255.0.255.0"), 4, 4096)!;
    expect(r).toHaveLength(256);
    expect(r[0]).toEqual({ lo: v4("10.0.5.0"), hi: v4("10.0.5.255") });
    expect(r[255]).toEqual({ lo: v4("10.255.5.0"), hi: v4("10.255.5.255") });
    expect(maskRanges(0n, v4("170.170.170.170"), 4, 4096)).toBeNull();
  });
});

describe("parseAddrSpec", () => {
  it("reads address, CIDR and dotted masks", () => {
    expect(parseAddrSpec("192.0.2.7", 4)).toEqual({ ok: true, family: 4, prefix: 32, range: { lo: v4("192.0.2.7"), hi: v4("192.0.2.7") } });
    expect(parseAddrSpec("10.0.0.0/8", 4)).toEqual({ ok: true, family: 4, prefix: 8, range: { lo: v4("10.0.0.0"), hi: v4("10.255.255.255") } });
    expect(parseAddrSpec("10.0.0.0/255.0.0.0", 4)).toEqual({ ok: true, family: 4, prefix: 8, range: { lo: v4("10.0.0.0"), hi: v4("10.255.255.255") } });
    expect(parseAddrSpec("2001:db8::/32", 6)).toMatchObject({ ok: true, prefix: 32 });
    expect(parseAddrSpec("2001:db8::/ffff:ffff::", 6)).toMatchObject({ ok: true, prefix: 32 });
  });
  it("gives the ranges of a non-contiguous mask", () => {
    const r = parseAddrSpec("10.0.0.0/255.0.255.0", 4);
    expect(r.ok && r.prefix === null && r.ranges?.length).toBe(256);
  });
  it("tells host names, wrong family and bad masks apart", () => {
    expect(parseAddrSpec("www.example.com", 4)).toMatchObject({ ok: false, reason: "hostname" });
    expect(parseAddrSpec("localhost", 6)).toMatchObject({ ok: false, reason: "hostname" });
    expect(parseAddrSpec("2001:db8::1", 4)).toMatchObject({ ok: false, reason: "wrong-family" });
    expect(parseAddrSpec("192.0.2.1/24", 6)).toMatchObject({ ok: false, reason: "wrong-family" });
    expect(parseAddrSpec("10.0.0.0/33", 4)).toMatchObject({ ok: false, reason: "bad-mask" });
    expect(parseAddrSpec("10.0.0.0/x", 4)).toMatchObject({ ok: false, reason: "bad-mask" });
    expect(parseAddrSpec("10.0.0.300", 4)).toMatchObject({ ok: false, reason: "invalid" });
  });
  it("looksLikeHostname", () => {
    expect(looksLikeHostname("host-1.example.org")).toBe(true);
    expect(looksLikeHostname("1.2.3.4")).toBe(false);
    expect(looksLikeHostname("dead:beef::")).toBe(false);
    expect(looksLikeHostname("-bad")).toBe(false);
  });
});

describe("parseAddrRange", () => {
  it("reads a-b and single addresses", () => {
    expect(parseAddrRange("10.0.0.1-10.0.0.9", 4)).toEqual({ lo: v4("10.0.0.1"), hi: v4("10.0.0.9") });
    expect(parseAddrRange("10.0.0.1", 4)).toEqual({ lo: v4("10.0.0.1"), hi: v4("10.0.0.1") });
    expect(parseAddrRange("2001:db8::1-2001:db8::ff", 6)).toEqual({ lo: v6("2001:db8::1"), hi: v6("2001:db8::ff") });
  });
  it("rejects reversed or malformed ranges", () => {
    expect(parseAddrRange("10.0.0.9-10.0.0.1", 4)).toBeNull();
    expect(parseAddrRange("10.0.0.1-", 4)).toBeNull();
    expect(parseAddrRange("a-b", 4)).toBeNull();
  });
});
