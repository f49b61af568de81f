/**
 * Rules nft refuses by the protocols their expressions imply (protocol-context.ts): a header of
 * another protocol than the rule's matches made the packets, `reject with tcp reset` of packets
 * that are not TCP, `reject with icmp` of IPv6 packets, an inet NAT address of no known family, a
 * NAT port without a transport protocol. nft loads none of such a file. Each case's verdict was
 * taken from nft 1.0.6 (`nft -c -f` in a network namespace); where nft runs here the test asks it
 * again, and CI (FWLINT_REQUIRE_KERNEL=1) requires that it can. Random rules of the same parts
 * must get an error from fwlint exactly when nft refuses them.
 */
import { describe, expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import { prng } from "../../../src/analysis/probes.js";
import { withLoaders } from "../../loaders.js";
import { differential, fwlintVerdicts, loaderDisagrees, nftErrors, type NftCase } from "./nft-cases.js";

type Family = "ip" | "ip6" | "inet" | "bridge" | "netdev" | "arp";

/** A table of `family` with one chain holding `rule` (a nat chain when `nat`). */
function table(family: Family, rule: string, nat = false): string {
  const hook = nat
    ? "type nat hook prerouting priority dstnat; policy accept;"
    : family === "netdev"
      ? "type filter hook ingress device lo priority 0; policy accept;"
      : family === "bridge"
        ? "type filter hook prerouting priority 0; policy accept;"
        : family === "arp"
          ? "type filter hook input priority 0; policy accept;"
          : "type filter hook input priority 0; policy accept;";
  return `table ${family} t {\n\tset protos {\n\t\ttype inet_proto\n\t\telements = { tcp, udp }\n\t}\n\tset seen {\n\t\ttype inet_service\n\t\tflags dynamic\n\t}\n\tchain c {\n\t\t${hook}\n\t\t${rule}\n\t}\n}\n`;
}

interface Case {
  family: Family;
  rule: string;
  nat?: boolean;
  /** What fwlint's error must say (nft's own words are quoted in it), or undefined when nft loads the rule. */
  refused?: RegExp;
  /** The column fwlint reports (the rule is on line 12). */
  column?: number;
}

const CASES: Case[] = [
  // a header of another network protocol
  { family: "ip", rule: "ip6 saddr ::1 accept", refused: /'ip6 saddr' reads an IPv6 header, but the table's family \(ip\) makes the packets IPv4 \("conflicting protocols specified: ip vs\. ip6"\)/, column: 3 },
  { family: "inet", rule: "ip saddr 10.0.0.1 ip6 daddr ::1 accept", refused: /'ip6 daddr' reads an IPv6 header, but 'ip saddr' makes the packets IPv4/, column: 21 },
  { family: "inet", rule: "meta nfproto ipv4 ip6 saddr ::1 accept", refused: /but 'meta nfproto ipv4' makes the packets IPv4/ },
  { family: "inet", rule: "meta nfproto { ipv4, ipv6 } ip saddr 10.0.0.1 accept", refused: /ip6 vs\. ip/ },
  { family: "inet", rule: "icmp type echo-request ip6 saddr ::1 accept", refused: /'icmp type' makes the packets IPv4/ },
  { family: "inet", rule: "ether type ip6 ip saddr 10.0.0.1 accept", refused: /ip6 vs\. ip/ },
  { family: "bridge", rule: "meta protocol ip6 ip saddr 10.0.0.1 accept", refused: /ip6 vs\. ip/ },
  { family: "netdev", rule: "ip saddr 10.0.0.1 ip6 daddr ::1 accept", refused: /ip vs\. ip6/ },
  { family: "arp", rule: "ip saddr 10.0.0.1 accept", refused: /ARP.*arp vs\. ip/ },
  { family: "inet", rule: "arp operation request accept", refused: /inet vs\. arp/ },
  { family: "inet", rule: "meta nfproto ipv4 meta nfproto ipv6 ip saddr 10.0.0.1 accept", refused: /ip6 vs\. ip/ },
  // an IPv6 extension header is an IPv6 header read
  { family: "ip", rule: "frag more-fragments 1 drop", refused: /'frag more-fragments' reads an IPv6 extension header, which an ip table's packets do not have \(nft: "cannot use exthdr with ip"\)/, column: 3 },
  { family: "arp", rule: "frag more-fragments 1 drop", refused: /which an arp table's packets do not have \(nft: "cannot use exthdr with arp"\)/ },
  { family: "inet", rule: "meta nfproto ipv4 frag more-fragments 1 drop", refused: /'frag more-fragments' reads an IPv6 extension header, but 'meta nfproto ipv4' makes the packets IPv4 \(nft: "cannot use exthdr with ip"\)/, column: 21 },
  { family: "inet", rule: "ip saddr 1.2.3.4 hbh nexthdr 6 drop", refused: /'hbh nexthdr' .* but 'ip saddr' makes the packets IPv4/, column: 20 },
  { family: "inet", rule: "icmp type echo-request rt type 0 drop", refused: /'rt type' .* 'icmp type' makes the packets IPv4/ },
  { family: "inet", rule: "frag more-fragments 1 ip saddr 1.2.3.4 drop", refused: /'ip saddr' reads an IPv4 header, but 'frag more-fragments' makes the packets IPv6 \("conflicting protocols specified: ip6 vs\. ip"\)/, column: 25 },
  { family: "bridge", rule: "ether type ip exthdr hbh exists drop", refused: /cannot use exthdr with ip/ },
  { family: "netdev", rule: "meta protocol ip frag more-fragments 1 drop", refused: /'meta protocol ip' makes the packets IPv4/ },
  { family: "inet", rule: "frag more-fragments 1 ip6 saddr ::1 drop" },
  { family: "inet", rule: "frag more-fragments 1 meta nfproto ipv4 drop" },
  { family: "inet", rule: "tcp dport 22 frag more-fragments 1 drop" },
  { family: "inet", rule: "rt ip mtu 1500 rt type 0 drop" },
  { family: "ip6", rule: "rt type 0 frag more-fragments 1 drop" },
  // a header of another transport protocol
  { family: "inet", rule: "tcp dport 22 udp dport 53 accept", refused: /'udp dport' reads a udp header, but an earlier match makes the transport protocol tcp \("conflicting protocols specified: tcp vs\. udp"\)/, column: 16 },
  { family: "inet", rule: "meta l4proto udp tcp dport 22 accept", refused: /udp vs\. tcp/ },
  { family: "inet", rule: "ip protocol 17 tcp dport 22 accept", refused: /transport protocol 17.*udp vs\. tcp/ },
  { family: "inet", rule: "meta l4proto { tcp, udp } tcp dport 22 accept", refused: /earlier matches allow tcp and udp, and nft takes only one \("conflicting protocols specified: udp vs\. tcp"\)/ },
  { family: "inet", rule: "meta l4proto { icmp, ipv6-icmp } icmp type echo-request accept", refused: /icmpv6 vs\. icmp/ },
  { family: "inet", rule: "tcp dport 22 meta l4proto udp udp dport 53 accept", refused: /tcp vs\. udp/ },
  { family: "inet", rule: "meta l4proto ospf tcp dport 22 accept", refused: /unknown vs\. tcp/ },
  { family: "ip", rule: "ip saddr . tcp dport { 10.0.0.1 . 22 } udp dport 53 accept", refused: /tcp vs\. udp/ },
  { family: "inet", rule: "tcp dport vmap { 22 : accept } udp dport 53 accept", refused: /tcp vs\. udp/ },
  { family: "inet", rule: "udp dport 53 tcp dport set 22", refused: /udp vs\. tcp/ },
  { family: "inet", rule: "tcp dport 22 meta mark set udp dport map { 53 : 1 }", refused: /tcp vs\. udp/ },
  { family: "inet", rule: "meta l4proto udp add @seen { tcp dport }", refused: /udp vs\. tcp/ },
  { family: "bridge", rule: "tcp dport 22 udp dport 53 accept", refused: /tcp vs\. udp/ },
  // reject
  { family: "inet", rule: "udp dport 53 reject with tcp reset", refused: /'reject with tcp reset' of packets an earlier match makes udp.*you cannot use tcp reset with this protocol/ },
  { family: "ip", rule: "ip protocol { tcp, udp } reject with tcp reset", refused: /makes udp/ },
  { family: "inet", rule: "ip6 saddr ::1 reject with icmp type port-unreachable", refused: /'reject with icmp' of IPv6 packets \(by 'ip6 saddr'\).*conflicting protocols specified: ip vs ip6/ },
  { family: "ip", rule: "reject with icmpv6 type port-unreachable", refused: /of IPv4 packets \(by the table's family \(ip\)\)/ },
  { family: "ip6", rule: "reject with icmpx type port-unreachable", refused: /abstracted ICMP unreachable not supported/ },
  // NAT
  { family: "inet", nat: true, rule: "tcp dport 80 dnat to 10.0.0.1", refused: /nothing in the rule tells the address family.*"ip or ip6 must be specified with address for inet tables"/ },
  { family: "inet", nat: true, rule: "oifname \"eth0\" snat to 192.0.2.1", refused: /ip or ip6 must be specified/ },
  { family: "inet", nat: true, rule: "ct original ip daddr 10.0.0.1 dnat to 10.0.0.2", refused: /ip or ip6 must be specified/ },
  // the statement's own map key tells no family: only the rule's earlier matches do
  { family: "inet", nat: true, rule: "dnat to ip daddr map { 192.0.2.1 : 10.0.0.1 }", refused: /'dnat to ip daddr map \{ 192.0.2.1 : 10.0.0.1 \}' in an inet table: nothing in the rule tells the address family/ },
  { family: "inet", nat: true, rule: "snat to ip saddr map { 192.0.2.1 : 10.0.0.1 }", refused: /ip or ip6 must be specified/ },
  { family: "inet", nat: true, rule: "ip daddr 192.0.2.1 dnat to ip daddr map { 192.0.2.1 : 10.0.0.1 }" },
  { family: "inet", nat: true, rule: "dnat ip to ip daddr map { 192.0.2.1 : 10.0.0.1 }" },
  { family: "inet", nat: true, rule: "meta nfproto ipv4 dnat to ip daddr map { 192.0.2.1 : 10.0.0.1 }" },
  { family: "inet", nat: true, rule: "ip6 daddr ::1 dnat ip to 10.0.0.1", refused: /'dnat ip' of IPv4 addresses in a rule whose packets are IPv6.*ip6 vs\. ip/ },
  { family: "ip", nat: true, rule: "tcp dport 80 dnat ip6 to ::1", refused: /ip vs\. ip6/ },
  { family: "inet", nat: true, rule: "ip daddr 10.0.0.1 dnat to ::2", refused: /an IPv6 address for IPv4 packets \("Could not resolve hostname/ },
  { family: "ip", nat: true, rule: "th dport 80 dnat to 10.0.0.1:8080", refused: /a NAT port needs a transport protocol match.*transport protocol mapping is only valid after transport protocol match/ },
  { family: "ip", nat: true, rule: "meta l4proto != tcp dnat to 10.0.0.1:8080", refused: /a NAT port needs/ },
  { family: "ip", nat: true, rule: "dnat to ip saddr map { 192.0.2.1 : 10.0.0.1 . 8080 }", refused: /a NAT port needs/ },
  // the route's next hop: its address family must be known
  { family: "inet", rule: "rt nexthop 10.0.0.1 accept", refused: /'rt nexthop' in an inet table: nothing in the rule tells the address family; write 'rt ip nexthop' or 'rt ip6 nexthop'.*cannot determine ip protocol version/ },
  { family: "inet", rule: "ip saddr 192.0.2.1 rt nexthop 10.0.0.1 accept" },
  { family: "inet", rule: "rt ip nexthop 10.0.0.1 accept" },
  { family: "ip", rule: "rt nexthop 10.0.0.1 accept" },
  // meta nfproto outside inet
  { family: "ip", rule: "meta nfproto ipv4 accept", refused: /'meta nfproto' in an ip table: nft takes it only in inet tables/ },
  { family: "bridge", rule: "meta nfproto ipv4 accept", refused: /meta nfproto is only useful in the inet family/ },
  // by the table's family
  { family: "netdev", rule: "ct state new accept", refused: /'ct state' in a netdev table: its hooks run before connection tracking.*Protocol error/ },
  { family: "netdev", rule: "meta mark set ct mark", refused: /'ct mark' in a netdev table/ },
  { family: "inet", rule: 'fwd to "lo"', refused: /'fwd' in an inet table: nft forwards to a device only from netdev tables \("unsupported family"\)/ },
  // loaded
  { family: "netdev", rule: 'fwd to "lo"' },
  { family: "inet", rule: "tcp dport 22 th dport 22 accept" },
  { family: "inet", rule: "meta l4proto != udp tcp dport 22 accept" },
  { family: "inet", rule: "meta l4proto { tcp, udp } th dport 53 accept" },
  { family: "inet", rule: "meta l4proto @protos tcp dport 22 accept" },
  { family: "inet", rule: "tcp dport 22 meta l4proto udp accept" },
  { family: "inet", rule: "meta l4proto tcp meta l4proto { tcp } tcp dport 22 accept" },
  { family: "inet", rule: "ip protocol 89 udp dport 53 accept" },
  { family: "inet", rule: "meta l4proto vmap { tcp : accept } udp dport 53 accept" },
  { family: "inet", rule: "ct protocol udp tcp dport 22 accept" },
  { family: "inet", rule: "meta l4proto & 1 == 1 tcp dport 22 accept" },
  { family: "inet", rule: "meta nfproto { ipv6, ipv4 } ip saddr 10.0.0.1 accept" },
  { family: "inet", rule: "ip6 saddr ::1 meta nfproto ipv4 ip saddr 10.0.0.1 accept" },
  { family: "inet", rule: "meta protocol ip ip6 saddr ::1 accept" },
  { family: "inet", rule: "ct original ip saddr 10.0.0.1 ip6 saddr ::1 accept" },
  { family: "inet", rule: "ip6 saddr ::1 icmp type echo-request accept" },
  { family: "ip", rule: "icmpv6 type echo-request accept" },
  { family: "inet", rule: "meta l4proto comp comp cpi 1 accept" },
  { family: "inet", rule: "esp spi 1 ip6 saddr ::1 accept" },
  { family: "inet", rule: "meta l4proto { udp, tcp } reject with tcp reset" },
  { family: "ip", rule: "meta l4proto udp ip protocol tcp reject with tcp reset" },
  { family: "inet", rule: "reject with icmpx type port-unreachable" },
  { family: "ip", rule: "udp dport 53 ether type ip6 reject with icmp type port-unreachable" },
  { family: "ip", rule: "ether type ip6 ip6 saddr ::1 accept" },
  { family: "inet", nat: true, rule: "ip daddr 10.0.0.1 dnat to 10.0.0.2" },
  { family: "inet", nat: true, rule: "meta nfproto { ipv4 } dnat to 10.0.0.2" },
  { family: "inet", nat: true, rule: "tcp dport 80 dnat ip to 10.0.0.1" },
  { family: "inet", nat: true, rule: "tcp dport 80 dnat to :8080" },
  { family: "inet", nat: true, rule: "meta nfproto ipv4 tcp dport 80 dnat to tcp dport map { 80 : 10.0.0.1 }" },
  { family: "ip", nat: true, rule: "meta l4proto ospf dnat to 10.0.0.1:8080" },
  { family: "ip", nat: true, rule: "ip protocol { tcp, udp } dnat to 10.0.0.1:8080" },
  { family: "ip", nat: true, rule: "icmpv6 type echo-request ether type ip6 redirect to :22" },
  { family: "ip", nat: true, rule: "dnat to tcp dport map { 80 : 10.0.0.1 . 8080 }" },
];

/** The cases as files (the rule is on line 12). */
const FILES: NftCase[] = CASES.map((c) => ({
  name: `[${c.family}] ${c.rule}`,
  text: table(c.family, c.rule, c.nat),
  ...(c.refused ? { refused: c.refused, at: c.column !== undefined ? `12:${c.column}` : "12" } : {}),
}));

describe("rules nft refuses by their protocols", () => {
  fwlintVerdicts(FILES);

  it("says each refusal is nft's", () => {
    for (const f of FILES.filter((x) => x.refused)) expect(nftErrors(f.text)[0]!.message).toMatch(/\(nft refuses the rule\)$|transport protocol mapping/);
  });

  it("leaves a refused rule out of the analysis, as nft loads none of it", () => {
    const rs = parseNft(table("inet", "tcp dport 25 udp dport 25 accept"), "case.nft");
    expect(rs.chains.get("inet t/c")!.rules).toEqual([]);
  });

  it("reads a NAT address in the family the rule's matches give the packets", () => {
    const rs = parseNft(table("inet", "ip daddr 192.0.2.1 dnat to 10.0.0.1", true), "case.nft");
    const rule = rs.chains.get("inet t/c")!.rules[0]!;
    expect(rule.action).toMatchObject({ kind: "dnat", to: { family: 4 } });
  });
});

const withNft = withLoaders("nft protocol context");

describe("the verdicts above are nft's", () => {
  withNft("nft -c -f refuses exactly the refused cases", (dir) => expect(loaderDisagrees(dir, FILES)).toEqual([]), 60_000);
});

/**
 * Random rules of the parts above: headers read (network and transport, `th`, concatenations),
 * protocol keys matched with ==, != and sets (known and unknown protocols, named sets), other
 * statements, and a final verdict, reject, payload or mark write, set update or NAT statement -
 * in tables of every family fwlint reads. (No `ct` in bridge and netdev tables, nor reject there:
 * the kernel decides those by the modules it has loaded.)
 */
function randomRules(seed: number, count: number): { family: Family; rule: string; nat: boolean }[] {
  const rand = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
  const protos = ["tcp", "udp", "icmp", "ipv6-icmp", "sctp", "ospf", "6", "17", "esp", "igmp"];
  const reads = [
    "ip saddr 10.0.0.1", "ip6 saddr ::1", "ip saddr != 10.0.0.1", "tcp dport 22", "udp dport 53", "sctp dport 1", "th dport 1", "icmp type echo-request",
    "icmpv6 type echo-request", "tcp flags syn", "udplite dport 1", "dccp dport 1", "igmp type membership-query", "esp spi 1",
    "ip daddr . tcp dport { 10.0.0.1 . 22 }", "tcp dport . udp sport { 1 . 2 }", "ip6 daddr ::2 udp dport 1", "ip dscp cs1", "ip6 hoplimit 1",
  ];
  const keys: (() => string)[] = [
    () => `meta l4proto ${pick(protos)}`,
    () => `meta l4proto != ${pick(protos)}`,
    () => `meta l4proto { ${pick(protos)}, ${pick(protos)} }`,
    () => "meta l4proto @protos",
    () => `ip protocol ${pick(protos.filter((p) => p !== "ipv6-icmp"))}`,
    () => `ip protocol { ${pick(["tcp", "udp"])}, ${pick(["tcp", "udp", "icmp"])} }`,
    () => `ip6 nexthdr ${pick(["tcp", "udp", "ipv6-icmp", "esp"])}`,
    () => `meta nfproto ${pick(["ipv4", "ipv6"])}`,
    () => `meta nfproto { ${pick(["ipv4", "ipv6"])}, ${pick(["ipv4", "ipv6"])} }`,
    () => `meta protocol ${pick(["ip", "ip6"])}`,
    () => `ether type ${pick(["ip", "ip6"])}`,
  ];
  const others = ["ct state new", "counter", 'iifname "lo"', "tcp dport vmap { 22 : accept }", "meta l4proto vmap { tcp : accept }"];
  const ends = ["accept", "drop", "reject with tcp reset", "reject with icmp type port-unreachable", "reject with icmpv6 type port-unreachable", "reject with icmpx type port-unreachable", "", "tcp dport set 2", "meta mark set udp dport map { 1 : 2 }", "add @seen { tcp dport }"];
  const natEnds = ["dnat to 10.0.0.1", "dnat ip to 10.0.0.1", "dnat ip6 to ::1", "dnat to :8080", "masquerade", "snat to 192.0.2.1", "snat ip6 to ::1", "redirect to :22", "dnat ip to 10.0.0.1:80"];
  const out: { family: Family; rule: string; nat: boolean }[] = [];
  for (let i = 0; i < count; i++) {
    const family = pick<Family>(["ip", "ip6", "inet", "inet", "inet", "bridge", "netdev"]);
    const l2 = family === "bridge" || family === "netdev";
    const nat = !l2 && rand() < 0.3;
    const parts: string[] = [];
    for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) {
      const r = rand();
      parts.push(r < 0.45 ? pick(reads) : r < 0.85 ? pick(keys)() : pick(l2 ? others.filter((o) => !o.startsWith("ct ")) : others));
    }
    parts.push(nat ? pick(natEnds) : pick(l2 ? ends.filter((e) => !e.startsWith("reject")) : ends));
    out.push({ family, rule: parts.join(" ").trim(), nat });
  }
  return out;
}

describe("random rules", () => {
  withNft(
    "get an error from fwlint exactly when nft refuses them (300 files)",
    (dir) => {
      const { wrong, refused } = differential(dir, randomRules(45, 300).map((c) => ({ name: `[${c.family}] ${c.rule}`, text: table(c.family, c.rule, c.nat) })));
      expect(wrong).toEqual([]);
      // both verdicts are well represented
      expect(refused).toBeGreaterThan(50);
      expect(refused).toBeLessThan(250);
    },
    120_000,
  );
});
