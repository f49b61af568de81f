/** The nftables text reader (parsers/nftables/grammar.ts): syntax tree shapes, errors, recovery, defines, includes. */
import { describe, expect, it } from "vitest";
import type { Command, Expr, NftDocument, RuleNode, Stmt } from "../../../parsers/nftables/ast.js";
import { readNftText } from "../../../parsers/nftables/grammar.js";

/** Strips spans so shapes can be compared. */
function bare<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (k, x) => (k === "span" ? undefined : x))) as T;
}

const read = (text: string, file = "t.nft"): NftDocument => readNftText(text, file, { readFile: () => undefined });
const errors = (doc: NftDocument) => doc.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);
const rules = (doc: NftDocument): RuleNode[] =>
  doc.commands.flatMap((c) => (c.object === "rule" && c.rule ? [c.rule] : []));

/** The statements of the one rule in `table inet t { chain c { RULE } }`, asserting no errors. */
function stmts(rule: string): Stmt[] {
  const doc = read(`table inet t {\n  chain c {\n    ${rule}\n  }\n}\n`);
  expect(errors(doc)).toEqual([]);
  const r = rules(doc);
  expect(r).toHaveLength(1);
  return bare(r[0]!.stmts);
}
const v = (text: string): Expr => ({ kind: "value", text }) as Expr;

describe("commands", () => {
  it("block form becomes add table/chain/set/rule in source order, with base chain spec and policy", () => {
    const doc = read(
      "table inet f {\n  set s { type ipv4_addr; }\n  chain in {\n    type filter hook input priority filter - 10; policy drop;\n    accept\n  }\n}\n",
    );
    expect(errors(doc)).toEqual([]);
    expect(bare(doc.commands).map((c) => `${"op" in c ? c.op : "-"} ${c.object}`)).toEqual(["add table", "add set", "add chain", "add rule"]);
    const chain = bare(doc.commands[2]) as Extract<Command, { object: "chain" }>;
    expect(chain.base).toEqual({ type: "filter", hook: "input", priority: { base: "filter", offset: -10 } });
    expect(chain.policy).toEqual({ verdict: "drop" });
  });

  it("named priorities with offsets and plain numbers", () => {
    const prio = (p: string) => {
      const doc = read(`table ip t { chain c { type filter hook input priority ${p}; }; }`);
      expect(errors(doc)).toEqual([]);
      return bare((doc.commands[1] as Extract<Command, { object: "chain" }>).base!.priority);
    };
    expect(prio("-150")).toEqual({ base: -150, offset: 0 });
    expect(prio("raw + 10")).toEqual({ base: "raw", offset: 10 });
    expect(prio("mangle -5")).toEqual({ base: "mangle", offset: -5 });
    expect(prio("dstnat")).toEqual({ base: "dstnat", offset: 0 });
  });

  it("command forms: add/insert/replace/delete rule with position, handle, index; elements; flush; other", () => {
    const doc = read(
      [
        "flush ruleset",
        "add table ip filter",
        "add chain ip filter input { type filter hook input priority 0 ; policy accept ; }",
        "add rule filter input tcp dport 22 accept",
        "insert rule ip filter input position 4 drop",
        "add rule ip filter input index 0 accept",
        "replace rule ip filter input handle 7 accept",
        "delete rule ip filter input handle 7",
        "add set ip filter s { type inet_service ; }",
        "add element ip filter s { 22, 80 }",
        "delete table ip other",
        "list ruleset",
        "add flowtable inet t ft { hook ingress priority 0; devices = { eth0 }; }",
      ].join("\n"),
    );
    expect(errors(doc)).toEqual([]);
    const c = bare(doc.commands);
    expect(c.map((x) => `${"op" in x ? x.op : "-"} ${x.object}`)).toEqual([
      "flush ruleset", "add table", "add chain", "add rule", "insert rule", "add rule", "replace rule", "delete rule",
      "add set", "add element", "delete table", "- other", "add obj",
    ]);
    expect(c[3]).toMatchObject({ table: { family: "ip", name: "filter" }, chain: "input" });
    expect(c[4]).toMatchObject({ handle: 4 });
    expect(c[5]).toMatchObject({ index: 0 });
    expect(c[7]).toMatchObject({ handle: 7 });
    expect((c[7] as { rule?: unknown }).rule).toBeUndefined();
    expect(c[9]).toMatchObject({ set: "s", elements: [{ key: v("22") }, { key: v("80") }] });
    expect(c[11]).toMatchObject({ what: "list ruleset" });
    expect(c[12]).toMatchObject({ op: "add", table: { family: "inet", name: "t" }, type: "flowtable", name: "ft" });
  });

  it("sets and maps: type with concatenations, typeof, flags, elements with options, other properties", () => {
    const doc = read(
      [
        "table inet t {",
        "  map m {",
        "    type ipv4_addr . inet_service : verdict",
        "    flags interval,timeout",
        "    timeout 1h",
        "    elements = { 10.0.0.0/8 . 22 timeout 30s comment \"x\" : accept,",
        "                 10.1.0.1-10.1.0.9 . 80 : jump web }",
        "  }",
        "  set s { typeof ip saddr; counter; size 1024; }",
        "}",
      ].join("\n"),
    );
    expect(errors(doc)).toEqual([]);
    const m = bare(doc.commands[1] as Extract<Command, { object: "set" }>).definition!;
    expect(m.keyType).toEqual(["ipv4_addr", "inet_service"]);
    expect(m.dataType).toEqual(["verdict"]);
    expect(m.flags).toEqual(["interval", "timeout"]);
    expect(m.options).toEqual({ timeout: "1h" });
    expect(m.elements[0]).toEqual({
      key: { kind: "concat", parts: [{ kind: "prefix", addr: "10.0.0.0", length: 8 }, v("22")] },
      data: { kind: "verdict", verdict: { kind: "accept" } },
      options: { timeout: "30s", comment: '"x"' },
    });
    expect(m.elements[1]!.key).toEqual({
      kind: "concat",
      parts: [{ kind: "range", low: v("10.1.0.1"), high: v("10.1.0.9") }, v("80")],
    });
    expect(m.elements[1]!.data).toEqual({ kind: "verdict", verdict: { kind: "jump", target: "web" } });
    const s = bare(doc.commands[2] as Extract<Command, { object: "set" }>).definition!;
    expect(s.keyTypeof).toEqual([{ kind: "payload", protocol: "ip", field: "saddr" }]);
    expect(s.options).toEqual({ counter: "", size: "1024" });
  });

  it("netdev chains with device and devices", () => {
    const doc = read('table netdev n {\n chain a { type filter hook ingress device "eth0" priority -500; }\n chain b { type filter hook ingress devices = { eth1, eth2 } priority 0; }\n}');
    expect(errors(doc)).toEqual([]);
    const chains = bare(doc.commands.filter((c) => c.object === "chain")) as Extract<Command, { object: "chain" }>[];
    expect(chains.map((c) => c.base!.devices)).toEqual([["eth0"], ["eth1", "eth2"]]);
  });
});

describe("statements", () => {
  it("payload matches with operators, ranges, prefixes, lists and sets", () => {
    expect(stmts("ip saddr != 10.0.0.0/8 tcp dport 1024-65535 ct state established,related accept")).toEqual([
      { kind: "match", left: { kind: "payload", protocol: "ip", field: "saddr" }, op: "!=", right: { kind: "prefix", addr: "10.0.0.0", length: 8 } },
      { kind: "match", left: { kind: "payload", protocol: "tcp", field: "dport" }, op: "implicit", right: { kind: "range", low: v("1024"), high: v("65535") } },
      { kind: "match", left: { kind: "ct", key: "state" }, op: "implicit", right: { kind: "list", items: [v("established"), v("related")] } },
      { kind: "verdict", verdict: { kind: "accept" } },
    ]);
    expect(stmts("tcp dport ge 1024 udp sport { 53, 67-68 } drop")[0]).toMatchObject({ op: ">=" });
    expect(stmts("ip6 daddr { ::1, fe80::/10 } accept")[0]).toMatchObject({
      right: { kind: "set", elements: [{ key: v("::1") }, { key: { kind: "prefix", addr: "fe80::", length: 10 } }] },
    });
  });

  it("meta with and without the keyword, ct directions, fib, opaque expressions", () => {
    expect(stmts('meta l4proto tcp iifname "eth0" oif lo accept').slice(0, 3)).toEqual([
      { kind: "match", left: { kind: "meta", key: "l4proto" }, op: "implicit", right: v("tcp") },
      { kind: "match", left: { kind: "meta", key: "iifname" }, op: "implicit", right: { kind: "value", text: "eth0", quoted: true } },
      { kind: "match", left: { kind: "meta", key: "oif" }, op: "implicit", right: v("lo") },
    ]);
    expect(stmts("ct original ip saddr 10.0.0.1 ct reply proto-dst 22 accept").map((s) => (s as { left?: Expr }).left)).toEqual([
      { kind: "ct", key: "saddr", direction: "original", family: "ip" },
      { kind: "ct", key: "proto-dst", direction: "reply" },
      undefined,
    ]);
    expect(stmts("fib saddr . iif oif missing drop")[0]).toEqual({
      kind: "match", left: { kind: "fib", flags: ["saddr", "iif"], result: "oif" }, op: "implicit", right: v("missing"),
    });
    expect(stmts("meta mark set numgen inc mod 2 rt mtu 1280 drop")).toEqual([
      {
        kind: "effect", name: "meta", text: "meta mark set numgen inc mod 2", filters: false,
        assign: { key: { kind: "meta", key: "mark" }, value: { kind: "opaque", name: "numgen", text: "numgen inc mod 2" } },
      },
      { kind: "match", left: { kind: "opaque", name: "rt", text: "rt mtu" }, op: "implicit", right: v("1280") },
      { kind: "verdict", verdict: { kind: "drop" } },
    ]);
    expect(stmts("tcp option maxseg size 1360 accept")[0]).toMatchObject({ left: { kind: "opaque", name: "tcp option", text: "tcp option maxseg size" } });
  });

  it("bitmasks, tcp flags masks, concatenations, named sets", () => {
    expect(stmts("tcp flags & (fin | syn) == syn accept")[0]).toEqual({
      kind: "match",
      left: { kind: "binop", op: "&", left: { kind: "payload", protocol: "tcp", field: "flags" }, right: { kind: "binop", op: "|", left: v("fin"), right: v("syn") } },
      op: "==",
      right: v("syn"),
    });
    expect(stmts("tcp flags syn / syn,ack drop")[0]).toEqual({
      kind: "match",
      left: { kind: "binop", op: "&", left: { kind: "payload", protocol: "tcp", field: "flags" }, right: { kind: "list", items: [v("syn"), v("ack")] } },
      op: "==",
      right: v("syn"),
    });
    expect(stmts("ip saddr . tcp dport @allowed accept")[0]).toEqual({
      kind: "match",
      left: { kind: "concat", parts: [{ kind: "payload", protocol: "ip", field: "saddr" }, { kind: "payload", protocol: "tcp", field: "dport" }] },
      op: "implicit",
      right: { kind: "setref", name: "allowed" },
    });
  });

  it("verdict maps, anonymous chains, reject, queue", () => {
    expect(stmts("tcp dport vmap { 22 : accept, 80 : goto web }")).toEqual([
      {
        kind: "vmap",
        key: { kind: "payload", protocol: "tcp", field: "dport" },
        map: { kind: "set", elements: [{ key: v("22"), data: { kind: "verdict", verdict: { kind: "accept" } } }, { key: v("80"), data: { kind: "verdict", verdict: { kind: "goto", target: "web" } } }] },
      },
    ]);
    expect(stmts("iifname vmap @ifs")[0]).toMatchObject({ kind: "vmap", map: { kind: "setref", name: "ifs" } });
    expect(stmts("jump { tcp dport 22 accept; drop; }")[0]).toEqual({
      kind: "verdict",
      verdict: {
        kind: "jump",
        target: "",
        anonymous: [
          { stmts: [{ kind: "match", left: { kind: "payload", protocol: "tcp", field: "dport" }, op: "implicit", right: v("22") }, { kind: "verdict", verdict: { kind: "accept" } }] },
          { stmts: [{ kind: "verdict", verdict: { kind: "drop" } }] },
        ],
      },
    });
    expect(stmts("reject with tcp reset")).toEqual([{ kind: "reject", with: "tcp reset" }]);
    expect(stmts("reject")).toEqual([{ kind: "reject" }]);
    expect(stmts("queue num 3 bypass")).toEqual([{ kind: "verdict", verdict: { kind: "queue", text: "queue num 3 bypass" } }]);
  });

  it("nat in all its forms", () => {
    const nat = (s: string) => stmts(s)[0];
    expect(nat("dnat to 10.0.0.1:8080")).toEqual({ kind: "nat", type: "dnat", addr: v("10.0.0.1"), port: v("8080") });
    expect(nat("dnat ip6 to [2001:db8::1]:80")).toEqual({ kind: "nat", type: "dnat", family: "ip6", addr: v("2001:db8::1"), port: v("80") });
    expect(nat("redirect to :8080")).toEqual({ kind: "nat", type: "redirect", port: v("8080") });
    expect(nat("redirect to 8080")).toEqual({ kind: "nat", type: "redirect", port: v("8080") });
    expect(nat("masquerade random,persistent")).toEqual({ kind: "nat", type: "masquerade", flags: ["random", "persistent"] });
    expect(nat("snat ip to 10.0.0.1-10.0.0.9:1000-2000 fully-random")).toEqual({
      kind: "nat", type: "snat", family: "ip", addr: { kind: "range", low: v("10.0.0.1"), high: v("10.0.0.9") }, port: { kind: "range", low: v("1000"), high: v("2000") }, flags: ["fully-random"],
    });
    // one dash: as `nft list ruleset` prints a port range, or an address range with a port
    expect(nat("dnat to 10.0.0.2:9000-9010")).toEqual({ kind: "nat", type: "dnat", addr: v("10.0.0.2"), port: { kind: "range", low: v("9000"), high: v("9010") } });
    expect(nat("snat to 1.2.3.4:1000-2000")).toEqual({ kind: "nat", type: "snat", addr: v("1.2.3.4"), port: { kind: "range", low: v("1000"), high: v("2000") } });
    expect(nat("dnat to 10.0.0.2-10.0.0.3:8080")).toEqual({ kind: "nat", type: "dnat", addr: { kind: "range", low: v("10.0.0.2"), high: v("10.0.0.3") }, port: v("8080") });
    expect(nat("dnat to 10.0.0.2-10.0.0.3")).toEqual({ kind: "nat", type: "dnat", addr: { kind: "range", low: v("10.0.0.2"), high: v("10.0.0.3") } });
    expect(nat("dnat to ip saddr . tcp dport map { 10.0.0.1 . 80 : 192.168.0.1 . 8080 }")).toMatchObject({
      addr: { kind: "map", key: { kind: "concat" }, map: { kind: "set", elements: [{ data: { kind: "concat", parts: [v("192.168.0.1"), v("8080")] } }] } },
    });
    expect(nat("snat ip prefix to ip saddr map { 10.0.0.0/24 : 192.168.2.0/24 }")).toMatchObject({ family: "ip", flags: ["prefix"], addr: { kind: "map" } });
  });

  it("effects, set statements, comments and handles", () => {
    expect(stmts('counter packets 1 bytes 2 log prefix "in: " level info limit rate 10/second quota over 1 mbytes ct count over 5 notrack meta nftrace set 1 accept')).toEqual([
      { kind: "effect", name: "counter", text: "counter packets 1 bytes 2", filters: false },
      { kind: "effect", name: "log", text: 'log prefix "in: " level info', filters: false },
      { kind: "effect", name: "limit", text: "limit rate 10/second", filters: true },
      { kind: "effect", name: "quota", text: "quota over 1 mbytes", filters: true },
      { kind: "effect", name: "ct", text: "ct count over 5", filters: true },
      { kind: "effect", name: "notrack", text: "notrack", filters: false },
      { kind: "effect", name: "meta", text: "meta nftrace set 1", filters: false, assign: { key: { kind: "meta", key: "nftrace" }, value: v("1") } },
      { kind: "verdict", verdict: { kind: "accept" } },
    ]);
    expect(stmts("update @blocked { ip saddr timeout 10s } drop")[0]).toEqual({ kind: "setop", op: "update", set: "blocked", elem: { kind: "payload", protocol: "ip", field: "saddr" }, timeout: expect.objectContaining({ line: 3, column: 32 }) });
    expect(stmts("meter m size 128 { ip saddr limit rate over 10/second } drop")[0]).toMatchObject({ kind: "effect", name: "meter", filters: true });
    const doc = read('table ip t {\n chain c {\n  tcp dport 22 accept comment "ssh" # handle 12\n }\n}\n');
    expect(errors(doc)).toEqual([]);
    expect(bare(rules(doc)[0])).toMatchObject({ comment: "ssh", handle: 12 });
  });

  it("CRLF line ends and a byte order mark are blanks", () => {
    const doc = read("\ufefftable ip t {\r\n chain c {\r\n  accept\r\n }\r\n}\r\n");
    expect(doc.diagnostics).toEqual([]);
    expect(rules(doc)[0]!.span.text).toBe("  accept");
  });

  it("spans point at the statement's line and column", () => {
    const doc = read("table ip t {\n chain c {\n  tcp dport 22 accept\n }\n}\n", "f.nft");
    const r = rules(doc)[0]!;
    expect(r.span).toEqual({ file: "f.nft", line: 3, column: 3, text: "  tcp dport 22 accept" });
    expect(r.stmts[1]!.span).toMatchObject({ line: 3, column: 16 });
  });
});

describe("a sweep of valid statements", () => {
  // One rule per line; each is accepted by nft (1.0.6 or newer). None may give a diagnostic.
  const VALID = [
    "ct helper set \"ftp-standard\"", "ct mark set meta mark", "meta mark set ct mark and 0xff", "ct zone set 1", "ct label set 1",
    "meta priority set 1:2", "ip dscp set cs1", "ip6 hoplimit set 1", "tcp option maxseg size set rt mtu", "ip ttl set 64",
    "dup to 10.0.0.1 device \"eth0\"", "fwd to \"eth1\"", "fwd ip to 10.0.0.1 device \"eth1\"",
    "meta l4proto tcp tproxy to :50080", "meta l4proto tcp tproxy ip to 127.0.0.1:50080", "synproxy mss 1460 wscale 7 timestamp sack-perm",
    "flow add @ft", "flow offload @ft", "set update ip saddr @s", "set add ip saddr timeout 10s @s",
    "log", "log prefix \"a\" level debug flags all", "log group 2 snaplen 64 queue-threshold 2", "log flags tcp sequence,options", "log level audit",
    "limit rate over 1 mbytes/second burst 2 mbytes", "limit rate 10/minute", "limit rate over 5/second burst 10 packets", "limit name \"lim\"",
    "quota 25 mbytes", "quota until 10 kbytes used 5 kbytes", "counter name \"c\"",
    "numgen random mod 2 vmap { 0 : accept, 1 : drop }", "jhash ip saddr . tcp dport mod 2 seed 0xdead vmap { 0 : accept, 1 : drop }",
    "symhash mod 2 offset 100 0", "osf name \"Linux\"", "osf ttl loose version \"Linux:4.19\"", "socket transparent 1", "socket cgroupv2 level 1 \"user.slice\"",
    "exthdr hbh exists", "frag more-fragments 1", "rt type 2", "hbh nexthdr 6", "mh type 1", "srh last-entry 0", "ipsec in reqid 1", "ipsec out ip daddr 1.2.3.4",
    "vlan id 10", "ether saddr 00:11:22:33:44:55", "ether type vlan vlan type arp", "arp operation request", "arp saddr ip 1.2.3.4", "igmp type membership-query",
    "ah spi 1", "esp spi 1", "comp cpi 1", "udplite csumcov 6", "sctp chunk data flags 2", "dccp type request", "icmpv6 type { nd-neighbor-solicit, nd-router-advert }",
    "icmp type echo-request icmp code 0", "ip protocol icmp", "ip6 nexthdr ipv6-icmp", "meta nfproto ipv4", "meta pkttype broadcast", "iiftype ether",
    "meta skuid 1000", "skgid 0", "meta cpu 1", "meta time > \"2022-01-01\"", "meta day \"Monday\"", "meta hour \"17:00\"-\"19:00\"",
    "meta secpath exists", "ct status dnat", "ct direction original", "ct expiration 5s", "ct original proto-src 22", "ct reply daddr 10.0.0.1",
    "ct original ip6 saddr ::1", "ct state != { established, related }", "ct l3proto ipv4", "ct bytes > 1000", "ct avgpkt 100",
    "reject with icmp type host-unreachable", "reject with icmpv6 type admin-prohibited", "reject with icmpx type port-unreachable", "reject with icmp 3",
    "queue num 1-3 fanout", "queue flags bypass,fanout num 2-3", "queue to 1-3", "queue",
    "masquerade to :1024-2048", "redirect to 8080", "redirect", "snat to 10.0.0.1:1024-2048 persistent", "dnat to 10.0.0.0/24 netmap",
    "dnat ip addr . port to ip daddr map { 10.1.1.1 : 10.2.2.2 . 8888 }", "snat ip6 to [2001:db8::1]-[2001:db8::9]:1000", "dnat to $D",
    "tcp flags syn,ack", "tcp flags & (syn|ack) != 0", "tcp flags != fin", "tcp flags == 0x12", "ip saddr & 255.255.0.0 == 10.1.0.0",
    "meta mark & 0xff00 == 0x100", "ip length 100-200", "ip hdrlength 5", "ip frag-off & 0x1fff != 0", "ip version 4", "ip dscp { cs1, af11 }",
    "ip saddr 10.0.0.1 - 10.0.0.9", "tcp dport != { 22, 80 }", "udp dport 53 counter packets 0 bytes 0 accept", "ip saddr { 10.0.0.0/8, 172.16.0.0/12 } drop",
    "ip daddr . tcp dport vmap { 10.0.0.1 . 22 : accept }", "meta l4proto . th dport { tcp . 22, udp . 53 }", "iifname . oifname { \"a\" . \"b\" }",
    "ip saddr @blk drop", "ip saddr != @blk", "add @s { ip saddr . tcp dport }", "delete @s { ip saddr }", "update @dyn { ip saddr ct count over 10 } drop",
    "update @m { ip saddr : 1 }", "meter flood size 128 { ip saddr timeout 10s limit rate over 10/second } drop", "ct count over 20 drop",
    "notrack", "meta nftrace set 1", "tcp dport 22 ct state new limit rate 3/minute accept", "meta l4proto ipv6-icmp accept",
    "ip6 saddr fe80::/10 ip6 daddr ff02::1:ff00:0/104 accept", "jump { ip saddr 1.1.1.1 accept; }", "goto other", "return", "continue",
    "ip saddr vmap @vm", "meta mark set ip saddr map { 10.0.0.1 : 1, 10.0.0.2 : 2 }", "th dport 53",
    "@nh,16,8 0x5", "@th,0,16 22", "ip option ra exists", "tcp option sack-perm exists", "tcp option @30,0,8 0x10 accept",
    "ip6 dscp cs1", "ip6 flowlabel 0x12345", "meta l4proto { tcp, udp } th dport { 53, 5353 } accept comment \"dns\"",
    "fib daddr type { local, broadcast, multicast } drop", "fib saddr . iif oif missing drop", "fib daddr oif exists",
    "iifname { \"eth*\", \"wlan0\" }", "oifname != \"lo\"", "iif lo accept", "oif 2",
    "last used never", "ip saddr 1.2.3.4 xt match \"conntrack\"", "meta protocol ip6",
  ];

  it("reads every one without a diagnostic, one rule each", () => {
    const text = `define D = 10.0.0.2\ntable inet t {\n  chain c {\n${VALID.map((x) => "    " + x).join("\n")}\n  }\n}\n`;
    const doc = read(text);
    expect(doc.diagnostics.map((d) => `${d.line}:${d.column} ${d.message} << ${VALID[d.line - 4]}`)).toEqual([]);
    expect(rules(doc)).toHaveLength(VALID.length);
  });
});

describe("errors and recovery", () => {
  it("reports expected/found with exact positions and reads the rest", () => {
    const doc = read("table inet t {\n chain c {\n  tcp dport 22 jump\n  tcp dport accept\n  tcp sport 1 accept\n }\n}\n");
    expect(errors(doc)).toEqual([
      "3:20 expected a chain name after 'jump', found end of line",
      "4:13 expected a value after 'dport', found 'accept'",
    ]);
    expect(rules(doc)).toHaveLength(1);
  });

  it("unknown fields and keys, bad policies, missing braces", () => {
    expect(errors(read("table ip t { chain c { tcp foo 1 accept } }"))[0]).toMatch(/^1:28 expected a field of 'tcp' \(sport, dport/);
    expect(errors(read("table ip t { chain c { meta bogus 1 } }"))[0]).toMatch(/^1:29 expected a meta key/);
    expect(errors(read("table ip t { chain c { type filter hook input priority 0; policy deny; } }"))).toEqual([
      "1:66 expected 'accept' or 'drop' after 'policy', found 'deny'",
    ]);
    expect(errors(read("table ip t { chain c { type filtre hook inptu priority 0; } }"))).toEqual([
      "1:29 expected a chain type (filter, nat, route), found 'filtre'",
      "1:41 expected a hook (prerouting, input, forward, output, postrouting, ingress, egress), found 'inptu'",
    ]);
    expect(errors(read("table ip t { map m { type ipv4_addr : ipv4_addr; elements = { 1.2.3.4 } } }"))).toEqual([
      "1:63 a map element needs data: expected 'key : value'",
    ]);
    expect(errors(read("table ip t {\n chain c {\n  accept\n"))).toEqual([
      "3:9 expected '}' closing the chain, found end of file",
      "3:9 expected '}' closing the table, found end of file",
    ]);
    expect(errors(read("bogus stuff\ntable ip t { chain c { accept; }; }"))).toEqual([
      "1:1 expected an object (table, chain, rule, set, map, element, ruleset, flowtable, counter, ...), found 'bogus'",
    ]);
  });

  it("nesting deeper than the limit is one error, not a stack overflow", () => {
    const n = 5000;
    const doc = read(`table ip t {\n chain c {\n  ip saddr ${"(".repeat(n)}1${")".repeat(n)} accept\n  jump ${"{ jump ".repeat(n)}accept${" }".repeat(n)}\n  accept\n }\n}\n`);
    expect(errors(doc)[0]).toBe("3:110 braces or parentheses nested more than 100 deep");
    expect(doc.diagnostics.some((d) => /internal error/.test(d.message))).toBe(false);
    expect(rules(doc).some((r) => r.span.line === 5)).toBe(true);
  });

  it("a stray '}' or garbage does not stop the reader", () => {
    const doc = read("}\ntable ip t {\n chain c {\n  ! ! !\n  accept\n }\n}\n");
    expect(errors(doc)).toEqual(["1:1 unexpected '}': no block is open here", "4:3 expected a rule, 'type ... hook ... priority ...' or 'policy', found '!'"]);
    expect(rules(doc)).toHaveLength(1);
  });
});

describe("recovery from a brace left open", () => {
  it("an unclosed anonymous set costs its rule, not the rest of the chain", () => {
    const doc = read("table inet t {\n chain c {\n  tcp dport { 22, 25 accept\n  tcp dport 23 accept\n }\n}\ntable ip u {\n}\n");
    expect(errors(doc)).toEqual(["3:22 expected a value after '25', found 'accept'"]);
    expect(rules(doc).map((r) => r.span.line)).toEqual([4]);
    expect(doc.commands.map((c) => c.object)).toEqual(["table", "chain", "rule", "table"]);
  });
  it("an unclosed set of elements: the chain after it is the table's, the next table is read", () => {
    const doc = read(
      "table inet t {\n set s {\n  type ipv4_addr\n  elements = { 10.0.0.1, 10.0.0.2\n chain c {\n  tcp dport 22 accept\n }\n}\n" +
        "table ip u {\n chain c {\n  tcp dport 25 accept\n }\n}\n",
    );
    expect(errors(doc)).toEqual(["5:2 expected ',' or '}' between set elements, found 'chain'"]);
    const shape = doc.commands.map((c) => (c.object === "rule" ? `rule ${c.table.name}/${c.chain} ${c.rule!.span.line}` : c.object === "table" ? `table ${c.table.name}` : c.object === "chain" ? `chain ${c.table.name}/${c.chain}` : c.object));
    expect(shape).toEqual(["table t", "set", "chain t/c", "rule t/c 6", "table u", "chain u/c", "rule u/c 11"]);
  });
  it("a block left without its '}' is one error where the next item of an enclosing block starts", () => {
    expect(errors(read("table inet t {\n set s {\n  type ipv4_addr\n chain c {\n  accept\n }\n}\n"))).toEqual(["4:2 expected '}' closing the set declaration, found 'chain'"]);
    const chains = read("table inet t {\n chain a {\n  tcp dport 22 accept\n chain b {\n  tcp dport 25 accept\n }\n}\n");
    expect(errors(chains)).toEqual(["4:2 expected '}' closing the chain, found 'chain'"]);
    expect(rules(chains).map((r) => r.span.line)).toEqual([3, 5]);
    const tables = read("table inet t {\n chain a {\n  accept\n }\ntable ip u {\n chain b {\n  drop\n }\n}\n");
    expect(errors(tables)).toEqual(["5:1 expected '}' closing the table, found 'table'"]);
    expect(rules(tables).map((r) => r.span.line)).toEqual([3, 7]);
    const commands = read("add table inet t\nadd chain inet t c { type filter hook input priority 0; policy drop;\nadd rule inet t c tcp dport 25 accept\n");
    expect(errors(commands)).toEqual(["3:1 expected '}' closing the chain, found 'add'"]);
    expect(rules(commands).map((r) => r.span.line)).toEqual([3]);
  });
  it("multi-line sets and maps are not cut short, and a mistake inside one stays inside", () => {
    const ok = read("table inet t {\n chain c {\n  meta l4proto {\n   tcp,\n   udp\n  } accept\n  tcp dport 25 accept\n }\n}\n");
    expect(errors(ok)).toEqual([]);
    expect(rules(ok).map((r) => r.span.line)).toEqual([3, 7]);
    const bad = read("table inet t {\n chain c {\n  tcp dport vmap {\n   22 : accept,\n   80 : drop drop,\n   443 : accept\n  }\n  tcp dport 25 accept\n }\n}\n");
    expect(errors(bad)).toEqual(["5:14 expected a value after 'drop', found 'drop'"]);
    expect(rules(bad).map((r) => r.span.line)).toEqual([8]);
  });
});

describe("tree shapes of the forms nft lists", () => {
  it("table flags, invalid policies, set statements with their element statements", () => {
    const doc = read("table inet t {\n flags dormant\n chain c {\n  type filter hook input priority 0; policy dorp;\n  update @s { ip saddr timeout 1m limit rate over 3/minute } accept\n }\n}\n");
    expect(errors(doc)).toEqual(["4:45 expected 'accept' or 'drop' after 'policy', found 'dorp'"]);
    expect(bare(doc.commands[0])).toMatchObject({ object: "table", flags: ["dormant"] });
    expect(bare(doc.commands[1])).toMatchObject({ object: "chain", policy: { verdict: "invalid", text: "dorp" } });
    expect(bare(rules(doc)[0]!.stmts[0])).toEqual({
      kind: "setop", op: "update", set: "s", elem: { kind: "payload", protocol: "ip", field: "saddr" },
      effects: [{ kind: "effect", name: "limit", text: "limit rate over 3/minute", filters: true }],
      timeout: expect.objectContaining({ line: 5, column: 24 }),
    });
    expect(bare(stmts("xt target CHECKSUM"))).toEqual([{ kind: "effect", name: "xt", text: "xt target CHECKSUM", filters: false }]);
  });
});

describe("a sweep of broken statements", () => {
  const BROKEN: [string, string][] = [
    ["tcp dport", "3:12 expected a value, a comparison, 'vmap' or 'set' after 'dport', found end of line"],
    ["ip saddr 1.2.3.4 acept", "3:20 expected a statement or the end of the rule after '1.2.3.4', found 'acept'"],
    ["counter foo", "3:11 expected a counter option (packets, bytes, name) or the next statement after 'counter', found 'foo'"],
    ["log prefix", "3:13 expected a value after 'prefix', found end of line"],
    ["limit rate burst 5 packets", "3:14 expected a rate (10/second, over 1 mbytes/second) after 'rate', found 'burst'"],
    ["dnat to", "3:10 expected an address or ':port' after 'to', found end of line"],
    ["tcp dport { 22 80 }", "3:18 expected ',' or '}' between set elements, found '80'"],
    ["reject with foo", "3:15 expected icmp, icmpv6, icmpx or tcp after 'with', found 'foo'"],
    ["tcp dport vmap accept", "3:18 expected a map ('{ key : value, ... }' or '@name') after 'vmap', found 'accept'"],
    ["(ip saddr", "3:12 expected ')' after 'saddr', found end of line"],
    ["fib daddr foo", "3:13 expected a fib result (oif, oifname, type) after 'daddr', found 'foo'"],
    ["snat", "3:7 expected 'to' and an address after 'snat', found end of line"],
    ["update @s ip saddr", "3:13 expected '{' after '@s', found 'ip'"],
    ["ip protocol tcp tcp", "3:22 expected a header field after 'tcp', found end of line"],
    ["queue num", "3:12 expected a value after 'num', found end of line"],
    ['accept comment "open', "3:18 expected a quoted comment after 'comment', found an unterminated string"],
    ["log level loud", "3:13 expected a log level (emerg, alert, crit, err, warn, notice, info, debug, audit), found 'loud'"],
    ["counter packets x bytes 0", "3:19 expected a number after 'packets', found 'x'"],
  ];
  it.each(BROKEN)("%s", (stmt, message) => {
    const doc = read(`table inet t {\n chain c {\n  ${stmt}\n  accept\n }\n}\n`);
    expect(errors(doc)[0]).toBe(message);
    // the next rule is still read
    expect(rules(doc).some((r) => r.span.line === 4)).toBe(true);
  });
});

describe("defines", () => {
  it("expand sets, lists and concatenations at the use, nested and redefined", () => {
    const doc = read(
      [
        "define NETS = { 10.0.0.0/8, 192.168.0.0/16 }",
        "define MORE = { $NETS, 172.16.0.0/12 }",
        "define PAIR = 10.0.0.1 . 22",
        "table ip t {",
        " chain c {",
        "  ip saddr $MORE accept",
        "  ip saddr . tcp dport $PAIR accept",
        " }",
        "}",
        "redefine PAIR = 10.0.0.2 . 23",
        "add rule ip t c ip saddr . tcp dport $PAIR drop",
        "undefine PAIR",
      ].join("\n"),
    );
    expect(errors(doc)).toEqual([]);
    const [a, b, c] = rules(doc);
    expect(bare(a!.stmts[0])).toMatchObject({
      right: { kind: "set", elements: [{ key: { kind: "prefix", addr: "10.0.0.0" } }, { key: { kind: "prefix", addr: "192.168.0.0" } }, { key: { kind: "prefix", addr: "172.16.0.0" } }] },
    });
    expect((a!.stmts[0] as { right: Expr }).right.span).toMatchObject({ line: 6, column: 12 });
    expect(bare(b!.stmts[0])).toMatchObject({ right: { kind: "concat", parts: [v("10.0.0.1"), v("22")] } });
    expect(bare(c!.stmts[0])).toMatchObject({ right: { kind: "concat", parts: [v("10.0.0.2"), v("23")] } });
  });

  it("undefined variables are errors at the use", () => {
    expect(errors(read("table ip t { chain c { ip saddr $NOPE accept; }; }"))).toEqual(["1:33 undefined variable '$NOPE'"]);
  });
});

describe("includes", () => {
  const files: Record<string, string> = {
    "/cfg/main.nft": 'include "sets.nft"\ninclude "rules/*.nft"\n',
    "/cfg/sets.nft": "define WEB = { 80, 443 }\ntable inet t { chain c { type filter hook input priority 0; }; }\n",
    "/cfg/rules/a.nft": "add rule inet t c tcp dport $WEB accept\n",
    "/cfg/rules/b.nft": "add rule inet t c tcp dport 22 accept",
    "/cfg/loop.nft": 'include "loop2.nft"\n',
    "/cfg/loop2.nft": 'include "loop.nft"\n',
    "/cfg/escape.nft": 'include "../etc/passwd"\ninclude "missing.nft"\n',
    "/cfg/rules/.hidden.nft": "add rule inet t c tcp dport 23 accept\n",
    "/cfg/dots.nft": 'include "rules/.*.nft"\n',
  };
  const opts = {
    readFile: (p: string) => files[p],
    listDir: (d: string) => (d === "/cfg/rules" ? [".hidden.nft", "a.nft", "b.nft", "c.txt"] : undefined),
  };

  it("resolves relative paths and globs, shares defines, spans carry the included file", () => {
    const doc = readNftText(files["/cfg/main.nft"]!, "/cfg/main.nft", opts);
    expect(errors(doc)).toEqual([]);
    expect(doc.included).toEqual(["/cfg/sets.nft", "/cfg/rules/a.nft", "/cfg/rules/b.nft"]);
    // what the includes read by, for the review to watch: the file and the pattern
    expect(doc.includeWatch).toEqual(["/cfg/sets.nft", "/cfg/rules/*.nft"]);
    const r = rules(doc);
    expect(r.map((x) => `${x.span.file}:${x.span.line}`)).toEqual(["/cfg/rules/a.nft:1", "/cfg/rules/b.nft:1"]);
    expect(bare(r[0]!.stmts[0])).toMatchObject({ right: { kind: "set", elements: [{ key: v("80") }, { key: v("443") }] } });
  });

  it("a hidden file is read only by a pattern that starts with '.', as glob(3) reads it", () => {
    expect(readNftText(files["/cfg/dots.nft"]!, "/cfg/dots.nft", opts).included).toEqual(["/cfg/rules/.hidden.nft"]);
  });

  it("cycles, escapes from the root and missing files are errors", () => {
    expect(errors(readNftText(files["/cfg/loop.nft"]!, "/cfg/loop.nft", opts))).toEqual([
      "1:9 include cycle: /cfg/loop.nft -> /cfg/loop2.nft -> /cfg/loop.nft",
    ]);
    const esc = errors(readNftText(files["/cfg/escape.nft"]!, "/cfg/escape.nft", opts));
    expect(esc[0]).toMatch(/^1:9 include "..\/etc\/passwd" points outside the scanned tree/);
    expect(esc[1]).toMatch(/^2:9 include "missing.nft": file \/cfg\/missing.nft not found/);
    // the missing file is watched for; what is outside the tree is not
    expect(readNftText(files["/cfg/escape.nft"]!, "/cfg/escape.nft", opts).includeWatch).toEqual(["/cfg/missing.nft"]);
    // a root above the file widens what may be read
    expect(errors(readNftText('include "cfg/sets.nft"\n', "/main.nft", { ...opts, readFile: (p: string) => files[p.replace(/^\/cfg\/cfg/, "/cfg")] ?? files[p], root: "/" }))).toEqual([]);
  });
});
