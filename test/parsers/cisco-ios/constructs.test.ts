/**
 * One construct at a time: ACL forms, sequence numbers, wildcards (non-contiguous ones checked
 * pointwise against brute force), ports and protocols, object groups, IPv6, options, bindings,
 * the implicit deny, Internet-facing interfaces and zone-based firewall defaults.
 */
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../src/engine/check.js";
import { parseIPv4Strict } from "../../../src/model/address.js";
import type { AddrRange, Condition } from "../../../src/model/types.js";
import { MAX_WILDCARD_RANGES, wildcardRanges } from "../../../parsers/cisco-ios/wildcard.js";
import { aclRules, ios, iosClean, trace } from "./helpers.js";

const v4 = (s: string): bigint => parseIPv4Strict(s)!;
const r4 = (lo: string, hi: string = lo): AddrRange => ({ lo: v4(lo), hi: v4(hi) });
const inRanges = (a: bigint, rs: readonly AddrRange[]) => rs.some((r) => a >= r.lo && a <= r.hi);
const ext = (name: string, body: string) => `ip access-list extended ${name}\n${body}\n`;
const firstConds = (text: string, name = "A"): Condition[] => aclRules(iosClean(text), name)[0]!.conditions;

describe("ACL forms", () => {
  it("standard ACLs match the source only; a bare address is a host", () => {
    const rs = iosClean("access-list 10 permit 10.1.1.0 0.0.0.255\naccess-list 10 deny 10.2.2.2\naccess-list 10 permit any log\n");
    const rules = aclRules(rs, "10");
    expect(rules.map((r) => r.id)).toEqual(["10#10", "10#20", "10#30"]);
    expect(rules[0]!.conditions).toEqual([{ kind: "addr", field: "src", family: 4, ranges: [r4("10.1.1.0", "10.1.1.255")] }]);
    expect(rules[1]!.conditions).toEqual([{ kind: "addr", field: "src", family: 4, ranges: [r4("10.2.2.2")] }]);
    expect(rules[2]!.conditions).toEqual([]);
    expect(rules.map((r) => r.action.kind)).toEqual(["accept", "drop", "accept"]);
    // the last entry matches everything: no implicit deny is added after it
    expect(rules).toHaveLength(3);
    const named = iosClean("ip access-list standard MGMT\n permit host 192.0.2.9\n");
    expect(aclRules(named, "MGMT")[0]!.conditions).toEqual([{ kind: "addr", field: "src", family: 4, ranges: [r4("192.0.2.9")] }]);
    expect(aclRules(named, "MGMT")[1]!.id).toBe("MGMT#implicit-deny");
  });

  it("numbered extended lists (100-199, 2000-2699) and the block form", () => {
    const rs = iosClean("access-list 2001 permit tcp any host 192.0.2.1 eq 443\naccess-list 150\n permit udp any any eq 53\n");
    expect(aclRules(rs, "2001")[0]!.conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "addr", field: "dst", family: 4, ranges: [r4("192.0.2.1")] },
      { kind: "port", field: "dport", ranges: [[443, 443]] },
    ]);
    expect(aclRules(rs, "150")[0]!.conditions[0]).toEqual({ kind: "proto", protos: [17] });
    // 700-799 are MAC lists, not IP ACLs
    expect(ios("access-list 700 permit 0000.0000.0001 0000.0000.0000\n").chains.has("ip access-list/700")).toBe(false);
  });

  it("sequence numbers order the entries; unnumbered ones follow the highest; remarks become comments", () => {
    const rs = iosClean(ext("A", " 30 deny tcp any any eq 23\n 10 permit tcp any any eq 22\n remark web\n permit tcp any any eq 80\n 20 remark mail\n 20 permit tcp any any eq 25"));
    const rules = aclRules(rs, "A");
    expect(rules.map((r) => r.id)).toEqual(["A#10", "A#20", "A#30", "A#40", "A#implicit-deny"]);
    expect(rules.map((r) => r.comment)).toEqual([undefined, "mail", undefined, "web", "implicit deny at the end of every IOS access-list"]);
    expect(rules[3]!.span).toMatchObject({ line: 5, column: 2, text: "40 permit tcp any any eq 80" });
    expect(rules[4]!.span.line).toBe(1);
    // IPv6 entries print their sequence number last
    const v6 = iosClean("ipv6 access-list B\n permit tcp any any eq 443 sequence 20\n permit tcp any any eq 22 sequence 10\n");
    expect(aclRules(v6, "B", 6).map((r) => r.id)).toEqual(["B#10", "B#20", "B#implicit-deny"]);
  });

  it("a duplicate sequence number keeps the first entry (IOS rejects the second)", () => {
    const rs = ios(ext("A", " 10 permit tcp any any eq 22\n 10 permit tcp any any eq 23"));
    expect(aclRules(rs, "A").map((r) => r.id)).toEqual(["A#10", "A#implicit-deny"]);
    expect(rs.diagnostics).toEqual([expect.objectContaining({ severity: "warning", line: 3, message: expect.stringContaining("sequence number 10 is already used (line 2)") })]);
  });

  it("`no ip access-list` removes a list; `no SEQ` removes an entry", () => {
    const rs = iosClean(ext("A", " permit ip any any") + "no ip access-list extended A\n" + ext("A", " 10 permit tcp any any eq 22\n 20 permit tcp any any eq 23\n no 10"));
    expect(aclRules(rs, "A").map((r) => r.id)).toEqual(["A#20", "A#implicit-deny"]);
  });

  it("NX-OS/EOS style: `ip access-list NAME`, CIDR addresses, inline ! comments", () => {
    const rs = iosClean("ip access-list acl_in\n  10 permit udp 10.0.0.0/19 range 49152 65535 192.0.2.0/24 eq 3784 ! bfd\n  20 deny ip 166.146.58.184 any\n");
    const [a, b] = aclRules(rs, "acl_in");
    expect(a!.conditions).toEqual([
      { kind: "proto", protos: [17] },
      { kind: "addr", field: "src", family: 4, ranges: [r4("10.0.0.0", "10.0.31.255")] },
      { kind: "port", field: "sport", ranges: [[49152, 65535]] },
      { kind: "addr", field: "dst", family: 4, ranges: [r4("192.0.2.0", "192.0.2.255")] },
      { kind: "port", field: "dport", ranges: [[3784, 3784]] },
    ]);
    expect(b!.conditions).toEqual([{ kind: "addr", field: "src", family: 4, ranges: [r4("166.146.58.184")] }]);
  });
});

describe("wildcard masks", () => {
  const matches = (addr: bigint, base: bigint, wild: bigint) => (addr & ~wild & 0xffffffffn) === (base & ~wild & 0xffffffffn);
  // a deterministic sample: every address whose varying octets take edge and middle values
  const samples = (): bigint[] => {
    const vals = [0, 1, 2, 3, 5, 7, 8, 15, 16, 127, 128, 200, 254, 255];
    const out: bigint[] = [];
    for (const a of [10, 11, 192]) for (const b of vals) for (const c of vals) for (const d of vals) out.push(BigInt(((a << 24) | (b << 16) | (c << 8) | d) >>> 0));
    return out;
  };

  for (const [base, wild] of [
    ["10.0.0.0", "0.0.255.0"],
    ["10.1.0.5", "0.254.0.3"],
    ["10.0.0.1", "0.255.0.255"],
    ["192.0.0.0", "0.0.7.128"],
    ["10.2.3.4", "0.0.0.0"],
    ["10.0.0.0", "0.255.255.255"],
  ] as const) {
    it(`${base} ${wild} is modelled exactly (pointwise against brute force)`, () => {
      const rs = iosClean(ext("A", ` permit ip ${base} ${wild} any`));
      const cond = aclRules(rs, "A")[0]!.conditions;
      expect(cond).toHaveLength(1);
      const ranges = (cond[0] as Extract<Condition, { kind: "addr" }>).ranges;
      for (const a of samples()) expect(inRanges(a, ranges), `${a}`).toBe(matches(a, v4(base), v4(wild)));
    });
  }

  it("all wildcards of a file share a range budget, so many large ones cannot exhaust memory", () => {
    // 300 different 4,096-range wildcards: 1.2 million ranges, far over the 250,000 budget
    const entries = Array.from({ length: 300 }, (_, i) => ` permit ip ${10 + (i >> 8)}.${i & 255}.0.0 0.0.255.240 any`).join("\n");
    const t0 = performance.now();
    const rs = ios(ext("A", entries));
    expect(performance.now() - t0).toBeLessThan(20_000);
    const rules = aclRules(rs, "A");
    expect(rules[0]!.conditions).toHaveLength(1); // exact
    expect(rules[299]!.conditions.some((c) => c.kind === "unknown")).toBe(true); // over budget: superset + unknown
    const total = rules.reduce((n, r) => n + r.conditions.reduce((m, c) => m + (c.kind === "addr" ? c.ranges.length : 0), 0), 0);
    expect(total).toBeLessThanOrEqual(250_000 + 4096);
    expect(rs.diagnostics.some((d) => d.severity === "info" && d.message.includes("budget"))).toBe(true);
  });

  it("0.255.0.255 is 256 ranges of 256 addresses, not 65,536", () => {
    const w = wildcardRanges(v4("10.0.1.0"), v4("0.255.0.255"), 4);
    expect(w.exact).toBe(true);
    expect(w.ranges).toHaveLength(256);
    expect(w.ranges[0]).toEqual(r4("10.0.1.0", "10.0.1.255"));
    expect(w.ranges[255]).toEqual(r4("10.255.1.0", "10.255.1.255"));
  });

  it("a mask beyond the bound becomes a superset plus an unknown condition, never a blow-up", () => {
    // 0.255.255.254: every even address of 10/8 is 2^23 single addresses
    const w = wildcardRanges(v4("10.0.0.0"), v4("0.255.255.254"), 4);
    expect(w.exact).toBe(false);
    expect(w.ranges.length).toBeLessThanOrEqual(MAX_WILDCARD_RANGES);
    for (const a of [v4("10.0.0.0"), v4("10.200.3.8"), v4("10.255.255.254")]) expect(inRanges(a, w.ranges)).toBe(true);
    const rs = iosClean(ext("A", " deny ip 10.0.0.0 0.255.255.254 any"));
    expect(rs.diagnostics).toEqual([
      {
        severity: "info",
        file: "r.ios",
        line: 2,
        column: 10,
        message: "'10.0.0.0 0.255.255.254': wildcard 0.255.255.254 would take more than 4096 address ranges; modelled as 0.255.255.255 plus an unknown part (findings that depend on it say so)",
      },
    ]);
    const conds = aclRules(rs, "A")[0]!.conditions;
    expect(conds[0]).toMatchObject({ kind: "addr", field: "src" });
    expect(conds[1]).toMatchObject({ kind: "unknown", text: "10.0.0.0 0.255.255.254", reason: expect.stringContaining("wildcard 0.255.255.254") });
    // the analysis treats it as "may match": an even address may or may not be dropped
    const rs2 = iosClean(ext("A", " deny ip 10.0.0.0 0.255.255.254 any\n permit ip any any") + "interface Gi1\n ip access-group A in\ninterface Gi2\n");
    expect(trace(rs2, { src: "10.0.0.2", dst: "192.0.2.1", iif: "Gi1", oif: "Gi2" }).verdict).toBe("accept|drop");
    expect(trace(rs2, { src: "11.0.0.2", dst: "192.0.2.1", iif: "Gi1", oif: "Gi2" }).verdict).toBe("accept");
  });
});

describe("ports and protocols", () => {
  it("eq with several ports, neq, lt, gt, range; IOS port names per protocol", () => {
    const dport = (s: string) => firstConds(ext("A", ` permit ${s}`)).find((c) => c.kind === "port");
    expect(dport("tcp any any eq www 443 smtp")).toEqual({ kind: "port", field: "dport", ranges: [[25, 25], [80, 80], [443, 443]] });
    expect(dport("tcp any any neq 22")).toEqual({ kind: "port", field: "dport", ranges: [[0, 21], [23, 65535]] });
    expect(dport("tcp any any lt 1024")).toEqual({ kind: "port", field: "dport", ranges: [[0, 1023]] });
    expect(dport("udp any any gt 1023")).toEqual({ kind: "port", field: "dport", ranges: [[1024, 65535]] });
    expect(dport("tcp any any range 3380 3400")).toEqual({ kind: "port", field: "dport", ranges: [[3380, 3400]] });
    // the same number has different names per protocol
    expect(dport("tcp any any eq cmd")).toEqual({ kind: "port", field: "dport", ranges: [[514, 514]] });
    expect(dport("udp any any eq syslog")).toEqual({ kind: "port", field: "dport", ranges: [[514, 514]] });
    expect(dport("udp any any eq netbios-ss")).toEqual({ kind: "port", field: "dport", ranges: [[139, 139]] });
    const bad = ios(ext("A", " permit udp any any eq cmd"));
    expect(bad.diagnostics).toEqual([expect.objectContaining({ severity: "warning", line: 2, column: 24, message: expect.stringContaining("expected a udp port number or name after 'eq', found 'cmd'") })]);
    expect(aclRules(bad, "A")[0]!.conditions.some((c) => c.kind === "unknown")).toBe(true);
  });

  it("protocols by name and number; `ip` is every protocol", () => {
    const proto = (s: string) => firstConds(ext("A", ` permit ${s} any any`))[0];
    expect(proto("gre")).toEqual({ kind: "proto", protos: [47] });
    expect(proto("esp")).toEqual({ kind: "proto", protos: [50] });
    expect(proto("ahp")).toEqual({ kind: "proto", protos: [51] });
    expect(proto("112")).toEqual({ kind: "proto", protos: [112] });
    expect(proto("ip")).toBeUndefined();
  });

  it("ICMP type and code by name or number", () => {
    const icmp = (s: string) => firstConds(ext("A", ` permit icmp any any ${s}`)).find((c) => c.kind === "icmp");
    expect(icmp("echo")).toEqual({ kind: "icmp", family: 4, type: 8 });
    expect(icmp("port-unreachable")).toEqual({ kind: "icmp", family: 4, type: 3, codeLo: 3, codeHi: 3 });
    expect(icmp("3 4")).toEqual({ kind: "icmp", family: 4, type: 3, codeLo: 4, codeHi: 4 });
  });
});

describe("options", () => {
  it("established is ACK or RST set, so a first SYN never matches", () => {
    const conds = firstConds(ext("A", " permit tcp any any established"));
    expect(conds[1]).toEqual({ kind: "or", anyOf: [[{ kind: "tcpflags", mask: 0x10, comp: 0x10 }], [{ kind: "tcpflags", mask: 0x04, comp: 0x04 }]] });
    const rs = iosClean(ext("A", " permit tcp any any established") + "interface Gi1\n ip access-group A in\ninterface Gi2\n");
    expect(trace(rs, { src: "198.51.100.7", dst: "10.0.0.5", dport: 3306, iif: "Gi1", oif: "Gi2", flags: "SYN" }).verdict).toBe("drop");
    expect(trace(rs, { src: "198.51.100.7", dst: "10.0.0.5", dport: 3306, iif: "Gi1", oif: "Gi2", flags: "ACK" }).verdict).toBe("accept");
    expect(trace(rs, { src: "198.51.100.7", dst: "10.0.0.5", dport: 3306, iif: "Gi1", oif: "Gi2", flags: "RST" }).verdict).toBe("accept");
  });

  it("log changes nothing; time-range, dscp, precedence and ttl are unknown; fragments matches non-initial fragments", () => {
    expect(firstConds(ext("A", " permit tcp any any eq 22 log-input"))).toHaveLength(2);
    expect(firstConds(ext("A", " permit tcp any any eq 22 log SSH-HITS"))).toHaveLength(2);
    expect(firstConds(ext("A", " permit tcp any any eq 22 log time-range T"))[2]).toMatchObject({ kind: "unknown", text: "time-range T" });
    expect(firstConds(ext("A", " permit tcp any any eq 22 time-range WORKHOURS"))[2]).toEqual({ kind: "unknown", text: "time-range WORKHOURS", reason: "'time-range' is not modelled" });
    expect(firstConds(ext("A", " permit ip any any dscp ef precedence 5"))).toEqual([
      { kind: "unknown", text: "dscp ef", reason: "'dscp' is not modelled" },
      { kind: "unknown", text: "precedence 5", reason: "'precedence' is not modelled" },
    ]);
    expect(firstConds(ext("A", " deny ip any any fragments"))).toEqual([{ kind: "fragment" }]);
    expect(firstConds(ext("A", " permit igmp any any host-query log"))).toEqual([{ kind: "proto", protos: [2] }, { kind: "unknown", text: "igmp host-query", reason: "IGMP message types are not modelled" }]);
    expect(firstConds(ext("A", " permit igmp any any log"))).toEqual([{ kind: "proto", protos: [2] }]);
  });

  it("tcp flag keywords and match-all / match-any", () => {
    expect(firstConds(ext("A", " permit tcp any any syn"))[1]).toEqual({ kind: "tcpflags", mask: 2, comp: 2 });
    expect(firstConds(ext("A", " permit tcp any any match-all +syn -ack")).slice(1)).toEqual([
      { kind: "tcpflags", mask: 2, comp: 2 },
      { kind: "tcpflags", mask: 16, comp: 0 },
    ]);
    expect(firstConds(ext("A", " permit tcp any any match-any +rst +fin"))[1]).toEqual({ kind: "or", anyOf: [[{ kind: "tcpflags", mask: 4, comp: 4 }], [{ kind: "tcpflags", mask: 1, comp: 1 }]] });
  });
});

describe("object groups", () => {
  const groups = [
    "object-group network INNER",
    " host 192.0.2.25",
    "object-group network OUTER",
    " description servers",
    " group-object INNER",
    " 198.51.100.0 255.255.255.128",
    " range 203.0.113.10 203.0.113.20",
    "object-group service MAILWEB",
    " tcp eq smtp",
    " tcp-udp eq domain",
    " icmp echo",
    "object-group protocol P",
    " protocol-object gre",
    " protocol-object esp",
    "object-group ip port HIGH",
    " range 1024 65535",
    "",
  ].join("\n");

  it("network groups nest; members use subnet masks, ranges and hosts", () => {
    const conds = firstConds(groups + ext("A", " permit tcp any object-group OUTER eq 443"));
    expect(conds[1]).toEqual({ kind: "addr", field: "dst", family: 4, ranges: [r4("192.0.2.25"), r4("198.51.100.0", "198.51.100.127"), r4("203.0.113.10", "203.0.113.20")] });
  });

  it("service groups are alternatives of protocol, ports and ICMP type; protocol and port groups", () => {
    expect(firstConds(groups + ext("A", " permit object-group MAILWEB any any"))).toEqual([
      {
        kind: "or",
        anyOf: [
          [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[25, 25]] }],
          [{ kind: "proto", protos: [6, 17] }, { kind: "port", field: "dport", ranges: [[53, 53]] }],
          [{ kind: "proto", protos: [1] }, { kind: "icmp", family: 4, type: 8 }],
        ],
      },
    ]);
    expect(firstConds(groups + ext("A", " permit object-group P any any"))).toEqual([{ kind: "or", anyOf: [[{ kind: "proto", protos: [47] }], [{ kind: "proto", protos: [50] }]] }]);
    expect(firstConds(groups + ext("A", " permit tcp any portgroup HIGH any"))[1]).toEqual({ kind: "port", field: "sport", ranges: [[1024, 65535]] });
  });

  it("an undefined group is an error naming it and the line; the entry stays, with an unknown match", () => {
    const rs = ios(ext("A", " permit tcp any object-group NOPE eq 25\n deny ip any any"));
    expect(rs.diagnostics).toEqual([
      { severity: "error", file: "r.ios", line: 2, column: 30, message: "object-group NOPE is not defined (referenced at line 2); the entry is kept with an unknown match" },
    ]);
    const r = aclRules(rs, "A")[0]!;
    expect(r.conditions).toContainEqual({ kind: "unknown", text: "object-group NOPE", reason: "object-group NOPE is not defined" });
    expect(r.action).toEqual({ kind: "accept" });
  });

  it("shared nesting is resolved once; nesting beyond the bound is cut with a warning", () => {
    // G0 holds G1 twice (directly and through H1), G1 holds G2 twice ...: 2^40 paths if unshared
    let text = "";
    for (let i = 0; i < 40; i++) {
      text += `object-group service G${i}\n group-object G${i + 1}\n group-object H${i + 1}\n tcp eq ${1000 + i}\n`;
      text += `object-group service H${i + 1}\n group-object G${i + 1}\n`;
    }
    text += "object-group service G40\n udp eq 53\n" + ext("A", " permit object-group G0 any any");
    const t0 = performance.now();
    const rs = iosClean(text);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(aclRules(rs, "A")[0]!.conditions[0]).toMatchObject({ kind: "or" });
    let deep = "";
    for (let i = 0; i < 100; i++) deep += `object-group network N${i}\n group-object N${i + 1}\n`;
    deep += "object-group network N100\n host 192.0.2.1\n" + ext("A", " permit ip object-group N0 any");
    const rd = ios(deep);
    expect(rd.diagnostics).toEqual([expect.objectContaining({ severity: "warning", message: expect.stringContaining("nested more than 64 levels deep") })]);
    expect(aclRules(rd, "A")[0]!.conditions).toEqual([expect.objectContaining({ kind: "unknown" })]);
  });

  it("a group that contains itself is a warning, not a hang", () => {
    const rs = ios("object-group network X\n host 192.0.2.1\n group-object Y\nobject-group network Y\n group-object X\n" + ext("A", " permit ip object-group X any"));
    expect(rs.diagnostics.map((d) => d.severity)).toEqual(["warning"]);
    expect(aclRules(rs, "A")[0]!.conditions[0]).toEqual({ kind: "addr", field: "src", family: 4, ranges: [r4("192.0.2.1")] });
  });
});

describe("IPv6", () => {
  it("ipv6 access-list and traffic-filter make IPv6 pipelines; icmp means ICMPv6", () => {
    const rs = iosClean(
      "interface Gi1\n ipv6 address 2001:db8:f::1/64\n ipv6 traffic-filter V6 in\ninterface Gi2\n" +
        "ipv6 access-list V6\n permit tcp any host 2001:db8:1::25 eq smtp\n permit icmp any any nd-ns\n deny ipv6 any any\n",
    );
    expect(rs.families).toEqual([4, 6]);
    const [smtp, nd] = aclRules(rs, "V6", 6);
    expect(smtp!.conditions[1]).toEqual({ kind: "addr", field: "dst", family: 6, ranges: [{ lo: 0x20010db8000100000000000000000025n, hi: 0x20010db8000100000000000000000025n }] });
    expect(nd!.conditions).toEqual([{ kind: "proto", protos: [58] }, { kind: "icmp", family: 6, type: 135 }]);
    expect(trace(rs, { src: "2001:db8:9::7", dst: "2001:db8:1::25", dport: 25, iif: "Gi1", oif: "Gi2" }).verdict).toBe("accept");
    expect(trace(rs, { src: "2001:db8:9::7", dst: "2001:db8:1::26", dport: 25, iif: "Gi1", oif: "Gi2" }).verdict).toBe("drop");
  });
});

describe("binding spellings", () => {
  it("EOS `ipv6 access-group` and NX-OS `ip port access-group` bind like IOS", () => {
    const rs = iosClean("interface Ethernet1\n ip port access-group P in\n ipv6 access-group V6 in\ninterface Ethernet2\nip access-list P\n 10 deny ip any any\nipv6 access-list V6\n 10 deny ipv6 any any\n");
    expect(rs.chains.get("ip access-list/access-group in")!.rules[0]!.action).toEqual({ kind: "jump", chain: "P" });
    expect(rs.chains.get("ipv6 access-list/traffic-filter in")!.rules[0]!.action).toEqual({ kind: "jump", chain: "V6" });
  });
});

describe("bindings and paths", () => {
  const cfg = [
    "interface GigabitEthernet0/0/0.100",
    " ip address 203.0.113.2 255.255.255.0",
    " ip access-group OUTSIDE_IN in",
    "interface GigabitEthernet0/0/1",
    " ip address 10.0.0.1 255.255.255.0",
    " ip access-group LAN_OUT out",
    "interface GigabitEthernet0/0/2",
    " ip address 10.9.0.1 255.255.255.0",
    " ip access-group MISSING in",
    "interface GigabitEthernet0/0/3",
    " shutdown",
    "ip access-list extended OUTSIDE_IN",
    " 10 permit tcp any host 10.0.0.25 eq 25",
    " 20 permit tcp any host 10.9.0.80 eq 80",
    "ip access-list extended LAN_OUT",
    " 10 deny tcp any any eq 23",
    " 20 permit ip any any",
    "",
  ].join("\n");

  it("inbound ACL, then implicit deny; traces name the ACL and the sequence number", () => {
    const rs = ios(cfg);
    // out an interface without an outbound ACL (with one, its entry is the last to admit: paths.test.ts)
    const t = trace(rs, { src: "198.51.100.7", dst: "10.9.0.80", dport: 80, iif: "GigabitEthernet0/0/0.100", oif: "GigabitEthernet0/0/2" });
    expect(t.verdict).toBe("accept");
    expect(t.by).toBe("OUTSIDE_IN: 20 permit tcp any host 10.9.0.80 eq 80");
    const denied = trace(rs, { src: "198.51.100.7", dst: "10.0.0.25", dport: 22, iif: "GigabitEthernet0/0/0.100", oif: "GigabitEthernet0/0/1" });
    expect(denied.verdict).toBe("drop");
    expect(denied.steps.at(-1)).toBe("OUTSIDE_IN: implicit deny at the end of OUTSIDE_IN -> drop");
  });

  it("outbound ACL on the egress interface; interfaces without ACL pass everything", () => {
    const rs = ios(cfg);
    expect(trace(rs, { src: "10.9.0.5", dst: "10.0.0.9", dport: 23, iif: "GigabitEthernet0/0/2", oif: "GigabitEthernet0/0/1" }).verdict).toBe("drop");
    expect(trace(rs, { src: "10.9.0.5", dst: "10.0.0.9", dport: 22, iif: "GigabitEthernet0/0/2", oif: "GigabitEthernet0/0/1" }).verdict).toBe("accept");
    expect(trace(rs, { src: "10.0.0.5", dst: "203.0.113.9", dport: 23, iif: "GigabitEthernet0/0/1", oif: "GigabitEthernet0/0/0.100" }).verdict).toBe("accept");
  });

  it("an access-group naming an undefined ACL is a warning and passes all traffic", () => {
    const rs = ios(cfg);
    expect(rs.diagnostics).toContainEqual(expect.objectContaining({ severity: "warning", line: 9, column: 18, message: expect.stringContaining("access-list MISSING is not defined") }));
    expect(trace(rs, { src: "10.9.0.5", dst: "203.0.113.9", dport: 3389, iif: "GigabitEthernet0/0/2", oif: "GigabitEthernet0/0/0.100" }).verdict).toBe("accept");
  });

  it("an ACL with no entries passes all (info); a list of the other family is named in the warning", () => {
    const rs = ios("interface Gi1\n ip access-group EMPTY in\n ipv6 traffic-filter V4ONLY in\ninterface Gi2\nip access-list extended EMPTY\n remark nothing yet\nip access-list extended V4ONLY\n deny ip any any\n");
    expect(rs.diagnostics).toEqual([
      expect.objectContaining({ severity: "info", line: 2, message: "ip access-group EMPTY in on Gi1: access-list EMPTY has no entries; IOS passes all traffic" }),
      expect.objectContaining({ severity: "warning", line: 3, message: "ipv6 traffic-filter V4ONLY in on Gi1: access-list V4ONLY is not defined (an IPv4 list of that name exists at line 7); IOS passes all traffic" }),
    ]);
    expect(trace(rs, { src: "198.51.100.7", dst: "10.0.0.5", iif: "Gi1", oif: "Gi2" }).verdict).toBe("accept");
  });

  it("shut-down and undeclared interfaces carry nothing", () => {
    const rs = ios(cfg);
    expect(trace(rs, { src: "10.9.0.5", dst: "10.0.0.9", iif: "GigabitEthernet0/0/3", oif: "GigabitEthernet0/0/1" }).verdict).toBe("drop");
    expect(trace(rs, { src: "10.9.0.5", dst: "10.0.0.9", iif: "GigabitEthernet0/0/2", oif: "GigabitEthernet0/0/3" }).verdict).toBe("drop");
    expect(trace(rs, { src: "10.9.0.5", dst: "10.0.0.9", iif: "eth0", oif: "GigabitEthernet0/0/1" }).verdict).toBe("drop");
  });

  it("hairpinned transit (out the interface it came in on) is left out of the forward path", () => {
    const rs = ios(cfg);
    expect(trace(rs, { src: "10.9.0.5", dst: "10.9.0.6", dport: 22, iif: "GigabitEthernet0/0/2", oif: "GigabitEthernet0/0/2" }).verdict).toBe("drop");
    expect(trace(rs, { src: "10.9.0.5", dst: "10.0.0.6", dport: 22, iif: "GigabitEthernet0/0/2", oif: "GigabitEthernet0/0/1" }).verdict).toBe("accept");
  });

  it("inbound ACLs filter traffic to the router itself too", () => {
    const rs = ios(cfg);
    expect(trace(rs, { kind: "inbound", src: "198.51.100.7", dst: "203.0.113.2", dport: 22, iif: "GigabitEthernet0/0/0.100" }).verdict).toBe("drop");
    expect(trace(rs, { kind: "inbound", src: "10.0.0.7", dst: "10.0.0.1", dport: 22, iif: "GigabitEthernet0/0/1" }).verdict).toBe("accept");
  });

  it("Internet-facing interfaces default to those with a public (or provider-assigned) address", () => {
    expect(ios(cfg).internetInterfaces).toEqual(["GigabitEthernet0/0/0.100"]);
    expect(ios("interface Dialer1\n ip address negotiated\ninterface Loopback0\n ip address 198.51.100.1 255.255.255.255\n").internetInterfaces).toEqual(["Dialer1"]);
    expect(ios("interface Gi1\n ip address 10.0.0.1 255.0.0.0\n").internetInterfaces).toBeUndefined();
  });
});

describe("zone-based firewall", () => {
  const zbfw = [
    "zone security inside",
    "zone security outside",
    "class-map type inspect match-all WEB",
    " match access-group name WEB_ACL",
    " match protocol tcp",
    "policy-map type inspect OUT2IN",
    " class type inspect WEB",
    "  inspect",
    " class class-default",
    "  drop log",
    "zone-pair security OUT-IN source outside destination inside",
    " service-policy type inspect OUT2IN",
    "interface Gi1",
    " ip address 203.0.113.1 255.255.255.0",
    " zone-member security outside",
    "interface Gi2",
    " ip address 10.0.0.1 255.255.255.0",
    " zone-member security inside",
    "interface Gi3",
    " ip address 10.0.1.1 255.255.255.0",
    " zone-member security inside",
    "interface Gi4",
    " ip address 10.0.2.1 255.255.255.0",
    "ip access-list extended WEB_ACL",
    " 10 deny tcp host 198.51.100.66 any",
    " 20 permit tcp any host 10.0.0.80 eq 443",
    "",
  ].join("\n");

  it("a zone-pair's inspect policy decides cross-zone traffic, class by class", () => {
    const rs = iosClean(zbfw);
    const ok = trace(rs, { src: "198.51.100.7", dst: "10.0.0.80", dport: 443, iif: "Gi1", oif: "Gi2" });
    expect(ok.verdict).toBe("accept");
    expect(ok.steps).toContain("class OUT2IN/WEB:WEB_ACL: 20 permit tcp any host 10.0.0.80 eq 443 -> accept");
    // denied by the ACL: the class does not match, class-default drops
    expect(trace(rs, { src: "198.51.100.66", dst: "10.0.0.80", dport: 443, iif: "Gi1", oif: "Gi2" }).verdict).toBe("drop");
    expect(trace(rs, { src: "198.51.100.7", dst: "10.0.0.80", dport: 22, iif: "Gi1", oif: "Gi2" }).verdict).toBe("drop");
  });

  it("same zone passes; no zone-pair drops; zone member and non-member never talk", () => {
    const rs = iosClean(zbfw);
    expect(trace(rs, { src: "10.0.0.5", dst: "10.0.1.5", iif: "Gi2", oif: "Gi3" }).verdict).toBe("accept");
    expect(trace(rs, { src: "10.0.0.5", dst: "203.0.113.9", iif: "Gi2", oif: "Gi1" }).verdict).toBe("drop");
    expect(trace(rs, { src: "10.0.2.5", dst: "10.0.0.5", iif: "Gi4", oif: "Gi2" }).verdict).toBe("drop");
    expect(trace(rs, { src: "10.0.0.5", dst: "10.0.2.5", iif: "Gi2", oif: "Gi4" }).verdict).toBe("drop");
  });
});

describe("bad input", () => {
  it("malformed entries are warnings at file:line:column and the rest is still read", () => {
    const rs = ios(ext("A", " permit tcp host any any\n permit tcp any any eq 22"));
    expect(rs.diagnostics).toEqual([
      { severity: "warning", file: "r.ios", line: 2, column: 18, message: "expected an IPv4 address after 'host', found 'any'; the entry is kept as a partly unknown match" },
    ]);
    expect(aclRules(rs, "A").map((r) => r.id)).toEqual(["A#10", "A#20", "A#implicit-deny"]);
  });

  it("never throws, never hangs, on garbage", () => {
    const pieces = ["ip", "access-list", "extended", "permit", "deny", "tcp", "any", "host", "eq", "range", "object-group", "X", "10.0.0.0", "0.0.255.0", "::1/64", "\n ", "\n", "interface", "Gi1", "zone-member", "security", "sequence", "!", "banner", "motd", "^C", "65536", "-1"];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 200; n++) {
      const text = Array.from({ length: 80 }, () => pieces[Math.floor(rnd() * pieces.length)]).join(" ");
      const t0 = performance.now();
      const rs = ios(text);
      expect(rs.diagnostics.some((d) => d.message.startsWith("internal error")), text).toBe(false);
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });
});

describe("other spellings and features", () => {
  it("IOS-XR style groups (aerleon output): object-group network ipv4, net-group, port-group", () => {
    const rs = iosClean(
      "object-group network ipv4 SOME_HOST\n 10.0.0.0/8\nexit\nobject-group port HIGH\n range 1024 65535\nexit\n" +
        ext("A", " permit tcp any port-group HIGH net-group SOME_HOST established\nexit"),
    );
    const c = aclRules(rs, "A")[0]!.conditions;
    expect(c.slice(0, 3)).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "sport", ranges: [[1024, 65535]] },
      { kind: "addr", field: "dst", family: 4, ranges: [r4("10.0.0.0", "10.255.255.255")] },
    ]);
  });

  it("reflexive (evaluate) and lock-and-key (dynamic) entries are unknown matches; reflect changes nothing", () => {
    const rs = iosClean(ext("A", " permit tcp any any reflect MIRROR timeout 300\n evaluate MIRROR\n dynamic TEST timeout 10 permit ip any any"));
    const [reflect, evaluate, dynamic] = aclRules(rs, "A");
    expect(reflect!.conditions).toEqual([{ kind: "proto", protos: [6] }]);
    // a reflexive entry matches return packets of sessions seen going out, never a new connection
    expect(evaluate!.conditions).toEqual([{ kind: "ctstate", states: ["established"] }, { kind: "unknown", text: "evaluate MIRROR", reason: "reflexive access-list entries depend on traffic seen at run time" }]);
    expect(dynamic!.conditions[0]).toMatchObject({ kind: "unknown", text: "dynamic TEST" });
  });

  it("an evaluate entry opens nothing to new connections from outside", () => {
    const text = "interface Gi0/0\n ip address 198.51.100.2 255.255.255.0\n ip access-group IN in\n ip access-group OUT out\ninterface Gi0/1\n ip address 10.0.0.1 255.255.255.0\n" +
      ext("OUT", " permit tcp 10.0.0.0 0.0.0.255 any reflect MIRROR") + ext("IN", " permit tcp any any eq 443\n evaluate MIRROR\n deny ip any any");
    const res = analyzeText("r.ios", text);
    expect(new Set(res.findings.filter((f) => f.ruleId === "exposed-service").map((f) => f.exposure?.service))).toEqual(new Set(["https"]));
  });

  it("the rules a zone-based firewall implies for an interface in no zone are not paired with each other", () => {
    const text = [
      "class-map type inspect match-any ALL",
      " match protocol tcp",
      "policy-map type inspect IN-OUT",
      " class type inspect ALL",
      "  inspect",
      "zone security INSIDE",
      "zone security OUTSIDE",
      "zone-pair security IN-OUT source INSIDE destination OUTSIDE",
      " service-policy type inspect IN-OUT",
      "interface Gi0/0",
      " ip address 198.51.100.20 255.255.255.0",
      " zone-member security OUTSIDE",
      "interface Gi0/1",
      " ip address 10.1.0.1 255.255.255.0",
      " zone-member security INSIDE",
      "interface Gi0/3",
      " ip address 10.3.0.1 255.255.255.0",
      "",
    ].join("\n");
    const res = analyzeText("z.ios", text);
    expect(res.findings.filter((f) => ["rule-generalization", "correlated-rules", "redundant-rule"].includes(f.ruleId))).toEqual([]);
  });

  it("banners are skipped; an unterminated one is reported", () => {
    const rs = iosClean("banner motd ^C\n permit ip any any\n^C\n" + ext("A", " permit tcp any any eq 22"));
    expect(aclRules(rs, "A")).toHaveLength(2);
    const open = ios("banner login #\nno end in sight\n" + ext("A", " permit tcp any any eq 22"));
    expect(open.diagnostics).toEqual([expect.objectContaining({ severity: "warning", line: 1, column: 14, message: "banner delimiter '#' is never closed: the rest of the file is read as banner text" })]);
  });

  it("ACLs other features use (NAT, route-maps, vty) are not interface filters; unused ones stay for structural checks", () => {
    const rs = ios("access-list 5 permit 10.0.0.0 0.255.255.255\nip nat inside source list 5 interface Gi1 overload\naccess-list 6 permit any\n");
    expect(rs.chains.has("ip access-list/5")).toBe(false);
    expect(rs.chains.has("ip access-list/6")).toBe(true);
    expect(rs.ruleCount).toBe(2);
    // a number elsewhere (speed, hold-queue) is no reference
    const unrelated = ios("interface Gi1\n speed 100\n hold-queue 100 in\naccess-list 100 permit ip any any\n");
    expect(unrelated.chains.has("ip access-list/100")).toBe(true);
  });
});

describe("access-lists nothing applies", () => {
  it("are reported in IOS terms, counting the entries the list holds (not its implicit deny)", () => {
    const text = [
      "interface Gi0/0",
      " ip address 198.51.100.2 255.255.255.0",
      " ip access-group IN in",
      " ipv6 address 2001:db8::1/64",
      ext("IN", " permit tcp any any eq 443"),
      ext("OLD", " permit tcp any any eq 25\n permit tcp any any eq 110"),
      "ipv6 access-list OLD6",
      " permit tcp any any eq 22",
      "access-list 7 permit 10.0.0.0 0.255.255.255",
      "ip nat inside source list 7 interface Gi0/0 overload",
      "",
    ].join("\n");
    const res = analyzeText("u.ios", text);
    expect(res.findings.filter((f) => f.ruleId === "unreachable-chain").map((f) => `${f.location.line}:${f.location.column} ${f.message}`)).toEqual([
      "8:25 access-list OLD is never applied: no interface binds it with ip access-group, and no other command uses it; its 2 entries never run",
      "12:18 ipv6 access-list OLD6 is never applied: no interface binds it with ipv6 traffic-filter, and no other command uses it; its 1 entry never runs",
    ]);
  });
  it("an exposure's trace names the list as IOS does (the JSON steps keep chain and table, with the title beside)", () => {
    const text = "interface Gi0/0\n ip address 198.51.100.2 255.255.255.0\n ip access-group EDGE in\n" + ext("EDGE", " permit tcp any any eq 25");
    const smtp = analyzeText("t.ios", text).findings.find((f) => f.exposure?.service === "smtp")!;
    expect(smtp.trace!.at(-1)).toMatchObject({ table: "ip access-list", chain: "EDGE", title: "access-list EDGE", action: "accept", line: 5 });
  });
  it("findings about a list's own entries name it as IOS does", () => {
    const text = "interface Gi0/0\n ip address 198.51.100.2 255.255.255.0\n ip access-group EDGE in\n" + ext("EDGE", " permit tcp host 192.0.2.7 any\n deny tcp any any eq 22\n permit ip any any\n deny ip any any");
    const msgs = analyzeText("e.ios", text).findings.filter((f) => ["correlated-rules", "rule-after-catch-all"].includes(f.ruleId)).map((f) => f.message);
    expect(msgs.sort()).toEqual([
      "1 rule after the catch-all ACCEPT on line 7 in access-list EDGE never runs (line 8)",
      "rules on lines 5 (ACCEPT) and 6 (DROP) in access-list EDGE overlap partially with different actions: the packets both match get ACCEPT only because line 5 comes first",
    ]);
  });
  it("a file of access-lists only (generated, or an excerpt) is not told they are unused; their entries are still examined", () => {
    const res = analyzeText("acl.ios", ext("A", " deny ip any any\n permit tcp any any eq 22"));
    expect(res.findings.filter((f) => f.ruleId === "unreachable-chain")).toEqual([]);
    expect(res.findings.filter((f) => f.ruleId === "shadowed-rule").map((f) => f.location.line)).toEqual([3]);
  });
});

describe("likely mistakes", () => {
  it("a subnet mask written as a wildcard is read as IOS reads it, with a warning", () => {
    const rs = ios(ext("A", " permit tcp any 10.1.2.0 255.255.255.0 eq 22"));
    expect(rs.diagnostics).toEqual([
      { severity: "warning", file: "r.ios", line: 2, column: 17, message: "'10.1.2.0 255.255.255.0': the wildcard looks like a subnet mask; IOS reads it as a wildcard (the inverse, 0.0.0.255, was probably meant)" },
      expect.objectContaining({ severity: "info", line: 2, column: 17, message: expect.stringContaining("would take more than 4096 address ranges") }),
    ]);
    // only the last octet is fixed (to 0): every x.y.z.0 address, 2^24 ranges, beyond the bound:
    // the destination is kept as an unknown match (sound), not as 10.1.2.0/24
    const conds = aclRules(rs, "A")[0]!.conditions;
    expect(conds.some((c) => c.kind === "addr" && c.field === "dst")).toBe(false);
    expect(conds).toContainEqual(expect.objectContaining({ kind: "unknown", text: "10.1.2.0 255.255.255.0" }));
    expect(ios(ext("A", " permit tcp any 10.1.2.0 0.0.0.255 eq 22")).diagnostics).toEqual([]);
  });
});
