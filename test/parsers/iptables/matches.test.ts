/**
 * Each rule construct maps to exactly these conditions (order = source order of the options).
 */
import { describe, expect, it } from "vitest";
import { errorsOf, net4, net6, one, rulesOf, v4, v6 } from "./helpers.js";

describe("addresses", () => {
  it("-s / -d with CIDR, plain address and dotted mask", () => {
    expect(one("-s 10.0.0.0/8 -d 192.0.2.1 -j ACCEPT").conditions).toEqual([
      { kind: "addr", field: "src", family: 4, ranges: [net4("10.0.0.0/8")] },
      { kind: "addr", field: "dst", family: 4, ranges: [v4("192.0.2.1")] },
    ]);
    expect(one("--source 172.16.0.0/255.240.0.0 -j ACCEPT").conditions).toEqual([
      { kind: "addr", field: "src", family: 4, ranges: [net4("172.16.0.0/12")] },
    ]);
    expect(one("-d 10.1.2.3/8 -j ACCEPT").conditions).toEqual([{ kind: "addr", field: "dst", family: 4, ranges: [net4("10.0.0.0/8")] }]);
  });

  it("negation before the option", () => {
    expect(one("! -s 10.0.0.0/8 ! -d 10.0.0.1/32 -j DROP").conditions).toEqual([
      { kind: "addr", field: "src", family: 4, ranges: [net4("10.0.0.0/8")], negate: true },
      { kind: "addr", field: "dst", family: 4, ranges: [v4("10.0.0.1")], negate: true },
    ]);
  });

  it("old negation after the option name is an error (iptables-restore refuses it), and the rule is read as meant", () => {
    const { rules, rs } = rulesOf(["-A INPUT -s ! 10.0.0.0/8 -p tcp --dport ! 22 -j DROP"]);
    expect(errorsOf(rs).map((d) => [d.line, d.column, d.message])).toEqual([
      [3, 13, "old negation syntax '-s ! 10.0.0.0/8': iptables 1.4.3 and later refuse it, write '! -s 10.0.0.0/8' (read here so)"], // at the "!"
      [3, 41, "old negation syntax '--dport ! 22': iptables 1.4.3 and later refuse it, write '! --dport 22' (read here so)"],
    ]);
    expect(rules[0]!.conditions).toEqual([
      { kind: "addr", field: "src", family: 4, ranges: [net4("10.0.0.0/8")], negate: true },
      { kind: "proto", protos: [6] },
      { kind: "port", field: "dport", ranges: [[22, 22]], negate: true },
    ]);
  });

  it("comma lists expand into the cartesian product of -s and -d, sharing the span", () => {
    const { rules } = rulesOf(["-A INPUT -s 10.0.0.1,10.0.0.2 -d 192.0.2.1,192.0.2.2 -p tcp -j ACCEPT"]);
    expect(rules.map((r) => r.conditions)).toEqual([
      [
        { kind: "addr", field: "src", family: 4, ranges: [v4("10.0.0.1")] },
        { kind: "addr", field: "dst", family: 4, ranges: [v4("192.0.2.1")] },
        { kind: "proto", protos: [6] },
      ],
      [
        { kind: "addr", field: "src", family: 4, ranges: [v4("10.0.0.1")] },
        { kind: "addr", field: "dst", family: 4, ranges: [v4("192.0.2.2")] },
        { kind: "proto", protos: [6] },
      ],
      [
        { kind: "addr", field: "src", family: 4, ranges: [v4("10.0.0.2")] },
        { kind: "addr", field: "dst", family: 4, ranges: [v4("192.0.2.1")] },
        { kind: "proto", protos: [6] },
      ],
      [
        { kind: "addr", field: "src", family: 4, ranges: [v4("10.0.0.2")] },
        { kind: "addr", field: "dst", family: 4, ranges: [v4("192.0.2.2")] },
        { kind: "proto", protos: [6] },
      ],
    ]);
    expect(rules.map((r) => r.id)).toEqual(["filter/INPUT#1", "filter/INPUT#2", "filter/INPUT#3", "filter/INPUT#4"]);
    expect(new Set(rules.map((r) => `${r.span.line}:${r.span.column}`))).toEqual(new Set(["3:1"]));
  });

  it("a non-contiguous mask becomes the exact list of ranges", () => {
    const r = one("-s 10.0.1.0/255.0.255.0 -j ACCEPT");
    const c = r.conditions[0]!;
    expect(c.kind === "addr" && c.ranges.length).toBe(256);
    expect(c.kind === "addr" && c.ranges[3]).toEqual(v4("10.3.1.0", "10.3.1.255"));
  });

  it("IPv6 addresses in an ip6tables file carry family 6", () => {
    expect(one("-s 2001:db8::/32 -d ::1/128 -j ACCEPT", { family: 6 }).conditions).toEqual([
      { kind: "addr", field: "src", family: 6, ranges: [net6("2001:db8::/32")] },
      { kind: "addr", field: "dst", family: 6, ranges: [v6("::1")] },
    ]);
  });

  it("iprange with a single address", () => {
    expect(one("-m iprange --dst-range 10.0.0.1 -j ACCEPT").conditions).toEqual([{ kind: "addr", field: "dst", family: 4, ranges: [v4("10.0.0.1")] }]);
  });

  it("iprange --src-range / ! --dst-range", () => {
    expect(one("-m iprange --src-range 10.0.0.1-10.0.0.9 ! --dst-range 192.0.2.10-192.0.2.20 -j ACCEPT").conditions).toEqual([
      { kind: "addr", field: "src", family: 4, ranges: [v4("10.0.0.1", "10.0.0.9")] },
      { kind: "addr", field: "dst", family: 4, ranges: [v4("192.0.2.10", "192.0.2.20")], negate: true },
    ]);
  });
});

describe("interfaces, protocol, fragments", () => {
  it("'-i !' is the interface named '!' (getopt gives -i the next word), not a negation of what follows", () => {
    expect(one("-i ! -j ACCEPT").conditions).toEqual([{ kind: "iface", field: "iif", name: "!", prefix: false }]);
    expect(one("! -i ! -j ACCEPT").conditions).toEqual([{ kind: "iface", field: "iif", name: "!", prefix: false, negate: true }]);
  });

  it("-i / -o with + wildcard and negation", () => {
    expect(one("-i eth+ ! -o lo -j ACCEPT", { chain: "FORWARD" }).conditions).toEqual([
      { kind: "iface", field: "iif", name: "eth", prefix: true },
      { kind: "iface", field: "oif", name: "lo", prefix: false, negate: true },
    ]);
    expect(one("--in-interface br-1a2b3c4d5e6f -j ACCEPT").conditions).toEqual([{ kind: "iface", field: "iif", name: "br-1a2b3c4d5e6f", prefix: false }]);
  });

  it("-p by name, number, any case; ! -p; all = no condition", () => {
    expect(one("-p tcp -j ACCEPT").conditions).toEqual([{ kind: "proto", protos: [6] }]);
    expect(one("-p UDP -j ACCEPT").conditions).toEqual([{ kind: "proto", protos: [17] }]);
    expect(one("-p 47 -j ACCEPT").conditions).toEqual([{ kind: "proto", protos: [47] }]);
    expect(one("-p esp -j ACCEPT").conditions).toEqual([{ kind: "proto", protos: [50] }]);
    expect(one("! -p icmp -j ACCEPT").conditions).toEqual([{ kind: "proto", protos: [1], negate: true }]);
    expect(one("-p all -j ACCEPT").conditions).toEqual([]);
    expect(one("-p ipv6-icmp -j ACCEPT", { family: 6 }).conditions).toEqual([{ kind: "proto", protos: [58] }]);
    expect(one("-p icmpv6 -j ACCEPT", { family: 6 }).conditions).toEqual([{ kind: "proto", protos: [58] }]);
  });

  it("-f and ! -f", () => {
    expect(one("-f -j DROP").conditions).toEqual([{ kind: "fragment" }]);
    expect(one("! -f -j DROP").conditions).toEqual([{ kind: "fragment", negate: true }]);
  });
});

describe("tcp / udp", () => {
  it("ports carry a proto condition", () => {
    expect(one("-p tcp -m tcp --dport 22 -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "dport", ranges: [[22, 22]] },
    ]);
  });

  it("service names and ranges a:b, :b, a:", () => {
    expect(one("-p tcp -m tcp --sport 1024:65535 --dport ssh -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "sport", ranges: [[1024, 65535]] },
      { kind: "port", field: "dport", ranges: [[22, 22]] },
    ]);
    expect(one("-p udp -m udp --dport :1023 -j DROP").conditions).toEqual([
      { kind: "proto", protos: [17] },
      { kind: "port", field: "dport", ranges: [[0, 1023]] },
    ]);
    expect(one("-p udp -m udp --source-port 1024: --destination-port domain -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [17] },
      { kind: "port", field: "sport", ranges: [[1024, 65535]] },
      { kind: "port", field: "dport", ranges: [[53, 53]] },
    ]);
  });

  it("negated ports", () => {
    expect(one("-p tcp -m tcp ! --sport 67:68 ! --dport 80 -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "sport", ranges: [[67, 68]], negate: true },
      { kind: "port", field: "dport", ranges: [[80, 80]], negate: true },
    ]);
  });

  it("implicit match loading: -p tcp --dport without -m tcp", () => {
    expect(one("-p tcp --dport 25 -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "dport", ranges: [[25, 25]] },
    ]);
    expect(one("-p udp --sport 53 -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [17] },
      { kind: "port", field: "sport", ranges: [[53, 53]] },
    ]);
  });

  it("--tcp-flags and --syn", () => {
    expect(one("-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "tcpflags", mask: 0x17, comp: 0x02 },
    ]);
    expect(one("-p tcp -m tcp ! --tcp-flags ALL NONE -j DROP").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "tcpflags", mask: 0x3f, comp: 0, negate: true },
    ]);
    expect(one("-p tcp --tcp-flags syn,ack,urg,psh,ece,cwr ack -j DROP").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "tcpflags", mask: 2 + 16 + 32 + 8 + 64 + 128, comp: 16 },
    ]);
    expect(one("-p tcp --syn -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "tcpflags", mask: 0x17, comp: 0x02 },
    ]);
    expect(one("-p tcp -m tcp ! --syn -j DROP").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "tcpflags", mask: 0x17, comp: 0x02, negate: true },
    ]);
  });

  it("--tcp-option is kept as unknown, the sender's to write (drawn)", () => {
    expect(one("-p tcp -m tcp --dport 80 --tcp-option 8 -j DROP").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "dport", ranges: [[80, 80]] },
      { kind: "unknown", text: "-m tcp --tcp-option 8", reason: "--tcp-option of match tcp not modelled", drawn: true },
    ]);
  });

  it("sctp ports", () => {
    expect(one("-p sctp -m sctp --dport 3868 -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [132] },
      { kind: "port", field: "dport", ranges: [[3868, 3868]] },
    ]);
  });
});

describe("multiport", () => {
  it("--dports and --sports lists with ranges", () => {
    expect(one("-p tcp -m multiport --dports 22,80,443,8000:8080 -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "dport", ranges: [[22, 22], [80, 80], [443, 443], [8000, 8080]] },
    ]);
    expect(one("-p udp -m multiport --source-ports domain,ntp -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [17] },
      { kind: "port", field: "sport", ranges: [[53, 53], [123, 123]] },
    ]);
  });

  it("--dport after -m multiport is multiport's --dports, as getopt abbreviates; the -p match only takes what no loaded module knows", () => {
    expect(one("-p tcp -m multiport --dport 22,80 -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "dport", ranges: [[22, 22], [80, 80]] },
    ]);
    expect(one("-p udp -m multiport --destination-port 53 -j ACCEPT").conditions[1]).toEqual({ kind: "port", field: "dport", ranges: [[53, 53]] });
    expect(one("-p tcp --sport 80 -m multiport --dports 22 -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "sport", ranges: [[80, 80]] },
      { kind: "port", field: "dport", ranges: [[22, 22]] },
    ]);
  });

  it("negated list", () => {
    expect(one("-p tcp -m multiport ! --dports 1:1024,3306 -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "dport", ranges: [[1, 1024], [3306, 3306]], negate: true },
    ]);
  });

  it("--ports means either port: an or condition", () => {
    expect(one("-p udp -m multiport --ports 8080:8081,8082 -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [17] },
      {
        kind: "or",
        anyOf: [
          [{ kind: "port", field: "sport", ranges: [[8080, 8081], [8082, 8082]] }],
          [{ kind: "port", field: "dport", ranges: [[8080, 8081], [8082, 8082]] }],
        ],
      },
    ]);
    expect(one("-p tcp -m multiport ! --ports 25 -j ACCEPT").conditions[1]).toEqual({
      kind: "or",
      anyOf: [[{ kind: "port", field: "sport", ranges: [[25, 25]] }], [{ kind: "port", field: "dport", ranges: [[25, 25]] }]],
      negate: true,
    });
  });
});

describe("icmp", () => {
  it("by name, with and without a code range", () => {
    expect(one("-p icmp -m icmp --icmp-type echo-request -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [1] },
      { kind: "icmp", family: 4, type: 8 },
    ]);
    expect(one("-p icmp --icmp-type port-unreachable -j ACCEPT").conditions[1]).toEqual({ kind: "icmp", family: 4, type: 3, codeLo: 3, codeHi: 3 });
    expect(one("-p icmp --icmp-type ping -j ACCEPT").conditions[1]).toEqual({ kind: "icmp", family: 4, type: 8 });
  });

  it("by number, type/code, any, negated", () => {
    expect(one("-p icmp -m icmp --icmp-type 8 -j ACCEPT").conditions[1]).toEqual({ kind: "icmp", family: 4, type: 8 });
    expect(one("-p icmp -m icmp --icmp-type 3/4 -j ACCEPT").conditions[1]).toEqual({ kind: "icmp", family: 4, type: 3, codeLo: 4, codeHi: 4 });
    expect(one("-p icmp -m icmp --icmp-type any -j ACCEPT").conditions[1]).toEqual({ kind: "icmp", family: 4 });
    expect(one("-p icmp -m icmp ! --icmp-type 0 -j DROP").conditions[1]).toEqual({ kind: "icmp", family: 4, type: 0, negate: true });
  });

  it("icmpv6", () => {
    expect(one("-p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT", { family: 6 }).conditions).toEqual([
      { kind: "proto", protos: [58] },
      { kind: "icmp", family: 6, type: 135 },
    ]);
    expect(one("-p icmpv6 --icmpv6-type 1/3 -j ACCEPT", { family: 6 }).conditions[1]).toEqual({ kind: "icmp", family: 6, type: 1, codeLo: 3, codeHi: 3 });
    expect(one("-p icmpv6 --icmpv6-type no-route -j ACCEPT", { family: 6 }).conditions[1]).toEqual({ kind: "icmp", family: 6, type: 1, codeLo: 0, codeHi: 0 });
  });
});

describe("connection state", () => {
  it("conntrack --ctstate, all five states, canonical order", () => {
    expect(one("-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT").conditions).toEqual([{ kind: "ctstate", states: ["established", "related"] }]);
    expect(one("-m conntrack --ctstate INVALID,UNTRACKED,NEW -j DROP").conditions).toEqual([{ kind: "ctstate", states: ["new", "invalid", "untracked"] }]);
    expect(one("-m conntrack ! --ctstate NEW -j ACCEPT").conditions).toEqual([{ kind: "ctstate", states: ["new"], negate: true }]);
  });

  it("state --state", () => {
    expect(one("-m state --state ESTABLISHED,RELATED -j ACCEPT").conditions).toEqual([{ kind: "ctstate", states: ["established", "related"] }]);
  });

  it("--ctstate DNAT alone is whether the connection was DNATed; SNAT, mixed lists and other conntrack options are unknown", () => {
    expect(one("-m conntrack --ctstate DNAT -j ACCEPT").conditions).toEqual([{ kind: "ct-dnat", text: "-m conntrack --ctstate DNAT" }]);
    expect(one("-m conntrack ! --ctstate DNAT -j ACCEPT").conditions).toEqual([{ kind: "ct-dnat", text: "-m conntrack ! --ctstate DNAT", negate: true }]);
    expect(one("-m conntrack --ctstate SNAT -j ACCEPT").conditions).toEqual([
      { kind: "unknown", text: "-m conntrack --ctstate SNAT", reason: "--ctstate of match conntrack not modelled" },
    ]);
    expect(one("-m conntrack --ctstate NEW,DNAT -j ACCEPT").conditions).toEqual([
      { kind: "unknown", text: "-m conntrack --ctstate NEW,DNAT", reason: "--ctstate of match conntrack not modelled" },
    ]);
    expect(one("-m conntrack --ctstate NEW --ctproto tcp --ctorigdstport 80 -j ACCEPT").conditions).toEqual([
      { kind: "ctstate", states: ["new"] },
      { kind: "unknown", text: "-m conntrack --ctproto tcp --ctorigdstport 80", reason: "--ctproto, --ctorigdstport of match conntrack not modelled" },
    ]);
  });
});

describe("comment, mac, set, addrtype, other modules", () => {
  it("--comment goes to Rule.comment, quotes and escapes undone", () => {
    const r = one('-p tcp --dport 22 -m comment --comment "allow \\"ssh\\" here" -j ACCEPT');
    expect(r.comment).toBe('allow "ssh" here');
    expect(r.conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "dport", ranges: [[22, 22]] },
    ]);
    expect(one("-m comment --comment !# -j ACCEPT").comment).toBe("!#");
  });

  it("several comments are joined", () => {
    expect(one('-m comment --comment one -m comment --comment "two words" -j ACCEPT').comment).toBe("one; two words");
  });

  it("mac and set are unknown", () => {
    expect(one("-m mac --mac-source 00:11:22:aa:bb:cc -j ACCEPT").conditions).toEqual([
      { kind: "unknown", text: "-m mac --mac-source 00:11:22:aa:bb:cc", reason: "fwlint does not model MAC addresses" },
    ]);
    expect(one("-m set --match-set blocklist src -j DROP").conditions).toEqual([
      { kind: "unknown", text: "-m set --match-set blocklist src", reason: "ipset 'blocklist' is defined outside the ruleset" },
    ]);
    expect(one("-m set ! --match-set allow src,dst -j DROP").conditions).toEqual([
      { kind: "unknown", text: "-m set ! --match-set allow src,dst", reason: "ipset 'allow' is defined outside the ruleset" },
    ]);
  });

  it("every other module is ONE unknown condition with all its options", () => {
    // "destination is local" is its own condition (the analysis decides it per path); any other
    // addrtype use stays one unknown condition.
    expect(one("-m addrtype --dst-type LOCAL -j ACCEPT").conditions).toEqual([{ kind: "local-dst", text: "-m addrtype --dst-type LOCAL" }]);
    expect(one("-m addrtype ! --dst-type LOCAL -j ACCEPT").conditions).toEqual([{ kind: "local-dst", text: "-m addrtype ! --dst-type LOCAL", negate: true }]);
    // a multicast destination is the family's multicast block on any host: an address condition
    expect(one("-m addrtype --dst-type MULTICAST -j ACCEPT").conditions).toEqual([{ kind: "addr", field: "dst", family: 4, ranges: [{ lo: 0xe0000000n, hi: 0xefffffffn }] }]);
    expect(one("-m addrtype ! --dst-type MULTICAST -j ACCEPT").conditions).toEqual([{ kind: "addr", field: "dst", family: 4, ranges: [{ lo: 0xe0000000n, hi: 0xefffffffn }], negate: true }]);
    // (a stranger's source is not one of this host's addresses: see ordinary-classes.test.ts)
    expect(one("-m addrtype --src-type LOCAL -j ACCEPT").conditions).toEqual([
      { kind: "unknown", text: "-m addrtype --src-type LOCAL", reason: "match addrtype is not modelled", ordinary: false },
    ]);
    expect(one("-p tcp --dport 22 -m limit --limit 3/min --limit-burst 10 -j ACCEPT").conditions).toEqual([
      { kind: "proto", protos: [6] },
      { kind: "port", field: "dport", ranges: [[22, 22]] },
      { kind: "unknown", text: "-m limit --limit 3/min --limit-burst 10", reason: "match limit is not modelled", drawn: true, ordinary: true },
    ]);
    expect(one("-m recent --set --name SSH --rsource -j ACCEPT").conditions).toEqual([
      { kind: "unknown", text: "-m recent --set --name SSH --rsource", reason: "match recent is not modelled", ordinary: true },
    ]);
    // statistic draws per packet which ones match (a load balancer's pick): said so, for the checks
    expect(one("-m statistic --mode random --probability 0.25 -j ACCEPT").conditions).toEqual([
      { kind: "unknown", text: "-m statistic --mode random --probability 0.25", reason: "match statistic is not modelled", drawn: true },
    ]);
    expect(one('-m string --string "GET /x" --algo bm ! --icase -j DROP').conditions).toEqual([
      { kind: "unknown", text: '-m string --string "GET /x" --algo bm ! --icase', reason: "match string is not modelled" },
    ]);
  });

  it("-m ttl and -m hl test the TTL / hop limit: one of eq, lt, gt, only eq negated", () => {
    expect(one("-m ttl --ttl-eq 1 -j DROP").conditions).toEqual([{ kind: "ttl", ranges: [[1, 1]] }]);
    expect(one("-m ttl ! --ttl-eq 255 -j DROP").conditions).toEqual([{ kind: "ttl", ranges: [[255, 255]], negate: true }]);
    expect(one("-m ttl --ttl-lt 10 -j DROP").conditions).toEqual([{ kind: "ttl", ranges: [[0, 9]] }]);
    expect(one("-m ttl --ttl-gt 0x10 -j DROP").conditions).toEqual([{ kind: "ttl", ranges: [[17, 255]] }]);
    expect(one("-m ttl --ttl-gt 255 -j DROP").conditions).toEqual([{ kind: "ttl", ranges: [] }]);
    expect(one("-m hl --hl-eq 255 -j ACCEPT", { family: 6 }).conditions).toEqual([{ kind: "ttl", ranges: [[255, 255]] }]);
    expect(one("-m hl --hl-lt 0 -j ACCEPT", { family: 6 }).conditions).toEqual([{ kind: "ttl", ranges: [] }]);
    for (const bad of ["-m ttl --ttl-eq 256", "-m ttl --ttl-eq -1", "-m ttl", "-m ttl ! --ttl-lt 3", "-m ttl --ttl-gt 1 --ttl-eq 1"]) {
      expect(errorsOf(rulesOf([`-A INPUT ${bad} -j DROP`]).rs), bad).not.toEqual([]);
    }
    expect(errorsOf(rulesOf(["-A INPUT -m ttl --ttl-gt 1 --ttl-eq 1 -j DROP"]).rs).map((d) => `${d.column} ${d.message}`)).toEqual(["28 match ttl takes one of --ttl-eq, --ttl-lt, --ttl-gt"]);
    // -m ttl is IPv4's, -m hl IPv6's
    expect(errorsOf(rulesOf(["-A INPUT -m hl --hl-eq 1 -j DROP"]).rs)).not.toEqual([]);
    // a rule that rewrites the TTL leaves what follows it not modelled
    expect(one("-j TTL --ttl-set 64", { table: "mangle", chain: "PREROUTING" }).action.kind).toBe("unknown");
  });

  it("abbreviated long options resolve like getopt_long (--mac = --mac-source)", () => {
    expect(one("-m mac --mac 00:11:22:33:44:55 -j ACCEPT").conditions).toEqual([
      { kind: "unknown", text: "-m mac --mac-source 00:11:22:33:44:55", reason: "fwlint does not model MAC addresses" },
    ]);
  });

  it("a module unknown to iptables is kept as unknown with a warning", () => {
    const { rules, rs } = rulesOf(["-A INPUT -m frobnicate --level 3 -j ACCEPT"]);
    expect(errorsOf(rs)).toEqual([]);
    expect(rs.diagnostics).toMatchObject([{ severity: "warning", line: 3, column: 13 }]);
    expect(rules[0]!.conditions).toEqual([{ kind: "unknown", text: "-m frobnicate --level 3", reason: "match frobnicate is not known to fwlint" }]);
  });
});
