/**
 * Random nftables rulesets for the differential test against the kernel (random-nft.test.ts):
 * small tables of every analysed family with base chains on input and forward at several
 * priorities (and prerouting, before connection tracking or after it, with notrack), regular chains reached by jump, goto and verdict maps, named sets (plain and
 * interval, concatenations), and rules mixing the matches and statements real rulesets use -
 * addresses as prefixes, ranges and sets, ports with relational operators, interface names and
 * wildcards, conntrack state, TCP flags, ICMP types, meta protocol tests, negations, defines,
 * concatenations, TTL tests, rate limits, verdict maps, port forwarding and masquerading (IPv4 and
 * IPv6, ip6 and inet nat tables; redirects, DNAT by port map, SNAT), ingress chains (netdev and inet)
 * that drop and mark, and prerouting chains that set packet and connection marks from values and from
 * each other, tested later. Every
 * ruleset nft 1.0.6 loads (the generator only writes what it accepts); deterministic for a seed.
 */
import { prng } from "../../src/analysis/probes.js";

type Rand = () => number;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rand, p: number): boolean => r() < p;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const V4_NETS = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "192.168.0.0/16", "192.168.1.0/24", "203.0.113.0/24", "198.51.100.0/24", "0.0.0.0/1", "128.0.0.0/1", "100.64.0.0/10"];
const V4_HOSTS = ["10.1.2.3", "192.168.1.10", "203.0.113.25", "198.51.100.7", "8.8.8.8", "1.2.3.4"];
const V6_NETS = ["2001:db8::/32", "2001:db8:1::/48", "fd00::/8", "::/1", "8000::/1", "2001:db8:1:2::/64"];
const V6_HOSTS = ["2001:db8::25", "2001:db8:1::1", "fd00::1", "2001:4860::8888"];
const PORTS = [22, 25, 53, 80, 123, 443, 587, 3306, 5432, 8080];
const IFACES = ["eth0", "eth1", "wan0", "lan0"];
const CT = ["new", "established", "related", "invalid", "untracked"];
const ICMP4 = ["echo-request", "echo-reply", "destination-unreachable", "time-exceeded"];
const ICMP6 = ["echo-request", "echo-reply", "nd-neighbor-solicit", "packet-too-big"];

function v4Range(r: Rand): string {
  const a = int(r, 1, 200);
  const b = int(r, a, 223);
  return `${a}.0.0.0-${b}.255.255.255`;
}

function portMatch(r: Rand, proto: string): string {
  const field = chance(r, 0.8) ? "dport" : "sport";
  switch (int(r, 0, 5)) {
    case 0:
      return `${proto} ${field} ${pick(r, PORTS)}`;
    case 1:
      return `${proto} ${field} != ${pick(r, PORTS)}`;
    case 2: {
      const a = int(r, 1, 4000);
      return `${proto} ${field} ${a}-${a + int(r, 0, 5000)}`;
    }
    case 3:
      return `${proto} ${field} { ${[...new Set([pick(r, PORTS), pick(r, PORTS), pick(r, PORTS)])].sort((x, y) => x - y).join(", ")} }`;
    case 4:
      return `${proto} ${field} ${pick(r, ["<", ">", "<=", ">="])} ${pick(r, PORTS)}`;
    default:
      return `${proto} ${field} != { ${[...new Set([pick(r, PORTS), pick(r, PORTS)])].sort((x, y) => x - y).join(", ")} }`;
  }
}

function addrMatch(r: Rand, fam: 4 | 6, sets: readonly NamedSet[]): string {
  const p = fam === 4 ? "ip" : "ip6";
  const field = chance(r, 0.6) ? "saddr" : "daddr";
  const neg = chance(r, 0.2) ? "!= " : "";
  const own = sets.filter((s) => s.type === (fam === 4 ? "ipv4_addr" : "ipv6_addr"));
  if (own.length > 0 && chance(r, 0.25)) return `${p} ${field} ${neg}@${pick(r, own).name}`;
  switch (int(r, 0, 3)) {
    case 0:
      return `${p} ${field} ${neg}${pick(r, fam === 4 ? V4_NETS : V6_NETS)}`;
    case 1:
      return `${p} ${field} ${neg}${pick(r, fam === 4 ? V4_HOSTS : V6_HOSTS)}`;
    case 2:
      return fam === 4 ? `${p} ${field} ${neg}${v4Range(r)}` : `${p} ${field} ${neg}${pick(r, V6_NETS)}`;
    default: {
      const xs = fam === 4 ? [pick(r, V4_NETS), pick(r, V4_HOSTS)] : [pick(r, V6_NETS), pick(r, V6_HOSTS)];
      return `${p} ${field} ${neg}{ ${[...new Set(xs)].join(", ")} }`;
    }
  }
}

interface NamedSet {
  name: string;
  type: "ipv4_addr" | "ipv6_addr" | "inet_service" | "ipv4_addr . inet_service";
  text: string;
}

function namedSets(r: Rand, family: string): NamedSet[] {
  const out: NamedSet[] = [];
  const v4 = family !== "ip6";
  const v6 = family !== "ip";
  if (v4 && chance(r, 0.6)) {
    // (nft refuses overlapping elements of an interval set: each is kept only apart from those before it)
    const apart: string[] = [];
    for (const e of [pick(r, V4_NETS), pick(r, V4_NETS), pick(r, V4_HOSTS)]) if (!apart.some((o) => overlaps4(e, o))) apart.push(e);
    out.push({ name: "nets4", type: "ipv4_addr", text: `\tset nets4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { ${apart.join(", ")} }\n\t}` });
  }
  if (v6 && chance(r, 0.5)) {
    const els = [...new Set([pick(r, V6_HOSTS), pick(r, V6_HOSTS)])];
    out.push({ name: "hosts6", type: "ipv6_addr", text: `\tset hosts6 {\n\t\ttype ipv6_addr\n\t\telements = { ${els.join(", ")} }\n\t}` });
  }
  if (chance(r, 0.5)) {
    const els = [...new Set([pick(r, PORTS), pick(r, PORTS), pick(r, PORTS)])].sort((a, b) => a - b);
    out.push({ name: "svc", type: "inet_service", text: `\tset svc {\n\t\ttype inet_service\n\t\telements = { ${els.join(", ")} }\n\t}` });
  }
  if (v4 && chance(r, 0.4)) {
    const els = [...new Set([`${pick(r, V4_HOSTS)} . ${pick(r, PORTS)}`, `${pick(r, V4_HOSTS)} . ${pick(r, PORTS)}`])];
    out.push({ name: "pairs", type: "ipv4_addr . inet_service", text: `\tset pairs {\n\t\ttype ipv4_addr . inet_service\n\t\telements = { ${els.join(", ")} }\n\t}` });
  }
  return out;
}

function range4(p: string): [number, number] {
  const [a, len] = p.includes("/") ? p.split("/") : [p, "32"];
  const n = a!.split(".").reduce((acc, x) => acc * 256 + Number(x), 0);
  const size = 2 ** (32 - Number(len));
  return [n, n + size - 1];
}

function overlaps4(a: string, b: string): boolean {
  const [a0, a1] = range4(a);
  const [b0, b1] = range4(b);
  return a0 <= b1 && b0 <= a1;
}

/** One rule's matches (family-appropriate) and its statement. */
function ruleText(r: Rand, family: string, sets: readonly NamedSet[], targets: readonly string[], base: boolean, maps = false): string {
  const parts: string[] = [];
  const fams: (4 | 6)[] = family === "ip" ? [4] : family === "ip6" ? [6] : [4, 6];
  const fam = pick(r, fams);
  const n = int(r, 0, 3);
  let proto: string | undefined;
  for (let i = 0; i < n; i++) {
    switch (int(r, 0, 14)) {
      case 0:
      case 1:
        parts.push(addrMatch(r, fam, sets));
        break;
      case 2:
      case 3:
        if (!proto) {
          proto = pick(r, ["tcp", "udp"]);
          parts.push(portMatch(r, proto));
        }
        break;
      case 4:
        parts.push(`${pick(r, ["iifname", "oifname"])} ${chance(r, 0.2) ? "!= " : ""}${chance(r, 0.2) ? '"eth*"' : `"${pick(r, IFACES)}"`}`);
        break;
      case 5:
        parts.push(`ct state ${pick(r, ["", "", "", "!= ", "== "])}${[...new Set([pick(r, CT), pick(r, CT)])].join(pick(r, [",", ",", " | "]))}`);
        break;
      case 6:
        if (!proto) {
          proto = "tcp";
          parts.push(pick(r, ["tcp flags syn", "tcp flags & (syn | ack) == syn", "tcp flags & (fin | syn | rst | ack) != syn", "tcp flags != syn", "tcp flags syn,ack", "tcp flags != syn,ack", "tcp flags == syn,ack", "tcp flags ! fin,rst", "tcp flags { syn, syn | ack }"]));
        }
        break;
      case 7:
        if (!proto) {
          proto = fam === 4 ? "icmp" : "icmpv6";
          parts.push(`${proto} type ${chance(r, 0.5) ? pick(r, fam === 4 ? ICMP4 : ICMP6) : `{ ${[...new Set([pick(r, fam === 4 ? ICMP4 : ICMP6), pick(r, fam === 4 ? ICMP4 : ICMP6)])].join(", ")} }`}`);
        }
        break;
      case 9:
        if (!proto) {
          proto = pick(r, ["tcp", "udp"]);
          parts.push(pick(r, [`meta l4proto ${proto} th dport ${pick(r, PORTS)}`, `${fam === 4 ? "ip protocol" : "ip6 nexthdr"} ${proto} ${proto} dport ${pick(r, PORTS)}`, `${fam === 4 ? "ip" : "ip6"} saddr . ${proto} dport { ${fam === 4 ? pick(r, V4_HOSTS) : pick(r, V6_HOSTS)} . ${pick(r, PORTS)}, ${fam === 4 ? pick(r, V4_NETS) : pick(r, V6_NETS)} . ${pick(r, PORTS) + 1} }`]));
        }
        break;
      case 10:
        parts.push(fam === 4 ? `ip ttl ${pick(r, ["< 5", "1", "!= 64", "> 100"])}` : `ip6 hoplimit ${pick(r, ["< 5", "1", "255"])}`);
        break;
      case 11:
        parts.push(`$${pick(r, ["ADMIN", "ADMIN", "PORTS"])}`);
        break;
      case 12:
        parts.push(pick(r, [`iifname { "eth0", "wan*" }`, `oifname != { "eth1", "lan0" }`, `meta mark 0x1`, `meta mark & 0xf0 == 0x10`, `ct status dnat`, `meta pkttype host`, `fib daddr type local`, `ct mark 0x2`]));
        break;
      case 13:
        if (!proto) {
          proto = pick(r, ["tcp", "udp"]);
          const set = sets.find((x) => x.type === "inet_service");
          parts.push(pick(r, [`${proto} sport . ${proto} dport { 40000-50000 . ${pick(r, PORTS)}, 53 . 53 }`, `th sport != 53 th dport ${pick(r, PORTS)}`, `meta l4proto != tcp`, set ? `${proto} dport != @${set.name}` : `${proto} dport != ${pick(r, PORTS)}`]));
          if (parts[parts.length - 1]!.startsWith("meta l4proto != tcp") || parts[parts.length - 1]!.startsWith("th ")) proto = "meta";
        }
        break;
      case 14:
        parts.push(fam === 4 ? pick(r, [`ip daddr & 255.255.255.0 == 10.1.2.0`, `ip length < 100`, `ip dscp cs1`, `ip saddr != @nets4`.replace("@nets4", sets.some((x) => x.name === "nets4") ? "@nets4" : "10.0.0.0/8"), `ct original ip saddr ${pick(r, V4_NETS)}`]) : pick(r, [`ip6 nexthdr tcp`, `ip6 length > 1000`, `ct original ip6 saddr ${pick(r, V6_NETS)}`]));
        if (parts[parts.length - 1] === "ip6 nexthdr tcp") {
          if (proto) parts.pop();
          else proto = "tcp";
        }
        break;
      default:
        if (!proto) {
          const set = sets.find((s) => s.type === "inet_service");
          const pairs = sets.find((s) => s.type === "ipv4_addr . inet_service");
          if (pairs && fam === 4 && chance(r, 0.5)) {
            proto = "tcp";
            parts.push(`ip saddr . tcp dport @${pairs.name}`);
          } else if (set) {
            proto = pick(r, ["tcp", "udp"]);
            parts.push(`${proto} dport @${set.name}`);
          } else {
            parts.push(`meta l4proto ${pick(r, ["tcp", "udp", "{ tcp, udp }", "icmp", "ipv6-icmp"])}`);
            proto = "meta";
          }
        }
    }
  }
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === "$ADMIN") parts[i] = fam === 4 ? "ip saddr $ADMIN4" : "ip6 saddr $ADMIN6";
    else if (parts[i] === "$PORTS") parts[i] = proto ? "" : ((proto = "tcp"), "tcp dport $PORTS");
  }
  if (family === "inet" && chance(r, 0.15)) parts.unshift(`meta nfproto ${fam === 4 ? "ipv4" : "ipv6"}`);
  // the statement
  const verdicts = ["accept", "accept", "drop", "counter accept", "counter drop", "counter", "log prefix \"x \" accept"];
  if (proto === "tcp" || proto === "udp") verdicts.push("reject");
  if (proto === "tcp") verdicts.push("reject with tcp reset");
  if (fam === 4 && family !== "ip6") verdicts.push("reject with icmp type port-unreachable");
  verdicts.push("limit rate 5/second accept", "ct state vmap { established : accept, related : accept, invalid : drop }", "meta mark set 0x1", "meta mark set 0x1 accept", "ct mark set 0x2", "meta nftrace set 1");
  if (maps && fam === 4 && family !== "ip6") verdicts.push(`ip saddr vmap @by_source`);
  if (maps && (proto === undefined || proto === "tcp" || proto === "udp")) verdicts.push(`${proto === "udp" ? "udp" : "tcp"} dport vmap @by_port`);
  if (family !== "ip6" && fam === 4) verdicts.push(`ip saddr vmap { ${pick(r, ["10.0.0.0/8", "192.168.0.0/16"])} : accept, 203.0.113.0/24 : drop${targets.length > 0 ? `, 198.51.100.0/24 : jump ${pick(r, targets)}` : ""} }`);
  if (targets.length > 0) verdicts.push(`jump ${pick(r, targets)}`, `goto ${pick(r, targets)}`);
  if (!base) verdicts.push("return", "continue");
  if ((proto === "tcp" || proto === "udp") && targets.length > 0 && chance(r, 0.3)) {
    return `${parts.filter((p) => !p.startsWith(`${proto} dport`)).join(" ")} ${proto} dport vmap { ${pick(r, PORTS)} : accept, ${pick(r, PORTS) + 1} : drop, ${pick(r, PORTS) + 2} : jump ${pick(r, targets)} }`.trim();
  }
  return `${parts.filter((p) => p !== "").join(" ")} ${pick(r, verdicts)}`.trim();
}

export interface RandomRuleset {
  text: string;
}

/** A random ruleset (see above). */
export function randomNftRuleset(seed: number): RandomRuleset {
  const r = prng(seed);
  const out: string[] = ["flush ruleset", "", `define ADMIN4 = { ${pick(r, V4_NETS)}, ${pick(r, V4_HOSTS)} }`, `define ADMIN6 = ${pick(r, V6_NETS)}`, `define PORTS = { ${pick(r, PORTS)}, ${pick(r, PORTS) + 1} }`, ""];
  if (chance(r, 0.3)) {
    // port forwarding and masquerading, as a router's ruleset has them
    out.push("table ip nat {", "\tchain prerouting {", "\t\ttype nat hook prerouting priority dstnat; policy accept;");
    out.push(`\t\tiifname "eth0" tcp dport ${pick(r, [8080, 2222, 8443])} dnat to ${pick(r, ["10.1.2.3", "192.168.1.10"])}:${pick(r, PORTS)}`);
    if (chance(r, 0.5)) out.push(`\t\tiifname "eth0" udp dport 5353 dnat to 192.168.1.10`);
    out.push("\t}", "\tchain postrouting {", "\t\ttype nat hook postrouting priority srcnat; policy accept;", `\t\toifname "eth1" masquerade`, "\t}", "}", "");
  }
  const tables = int(r, 1, 2);
  for (let t = 0; t < tables; t++) {
    const family = pick(r, ["inet", "inet", "ip", "ip6"]);
    out.push(`table ${family} t${t} {`);
    const sets = namedSets(r, family);
    for (const s of sets) out.push(s.text);
    // regular chains first: c0 .. cN-1, each jumping only to later ones (nft refuses loops)
    const regular = int(r, 0, 3);
    for (let c = regular - 1; c >= 0; c--) {
      const later = Array.from({ length: regular - c - 1 }, (_, k) => `c${c + 1 + k}`);
      out.push(`\tchain c${c} {`);
      for (let k = int(r, 1, 5); k > 0; k--) out.push(`\t\t${ruleText(r, family, sets, later, false)}`);
      out.push("\t}");
    }
    const all = Array.from({ length: regular }, (_, k) => `c${k}`);
    // named verdict maps into the regular chains (declared after them: a map's jump needs its chain)
    const maps = regular > 0 && chance(r, 0.4);
    if (maps) {
      if (family !== "ip6") out.push(`\tmap by_source {\n\t\ttype ipv4_addr : verdict\n\t\tflags interval\n\t\telements = { 10.0.0.0/8 : jump c0, 203.0.113.0/24 : drop, 198.51.100.7 : accept }\n\t}`);
      out.push(`\tmap by_port {\n\t\ttype inet_service : verdict\n\t\telements = { 22 : accept, 25 : drop, 443 : goto c${regular - 1} }\n\t}`);
    }
    for (const hook of ["input", "forward"]) {
      for (let b = int(r, hook === "input" ? 1 : 0, 2); b > 0; b--) {
        const prio = pick(r, ["filter", "filter - 5", "filter + 10", "0", "-150", "raw", "mangle", "100"]);
        out.push(`\tchain ${hook}_${b} {`);
        out.push(`\t\ttype filter hook ${hook} priority ${prio}; policy ${pick(r, ["accept", "drop", "drop"])};`);
        for (let k = int(r, 1, 7); k > 0; k--) out.push(`\t\t${ruleText(r, family, sets, all, true, maps)}`);
        out.push("\t}");
      }
    }
    // a prerouting chain, before connection tracking or after it, where a notrack may take packets
    if (chance(r, 0.35)) {
      out.push("\tchain pre {", `\t\ttype filter hook prerouting priority ${pick(r, ["raw", "-300", "-250", "-199", "mangle", "0"])}; policy ${pick(r, ["accept", "accept", "drop"])};`);
      for (let k = int(r, 1, 4); k > 0; k--) {
        const rule = ruleText(r, family, sets, all, true, maps);
        out.push(`\t\t${chance(r, 0.3) ? rule.replace(/ (accept|drop|counter accept|counter drop|reject.*|counter)$/, " notrack") : rule}`);
      }
      out.push("\t}");
    }
    out.push("}", "");
  }
  // (from a stream of their own: the tables above stay what they were for a seed)
  out.push(...extraTables(prng(seed ^ 0x5a17)));
  return { text: out.join("\n") };
}

/**
 * Tables beside the filter tables: IPv6 port forwarding and masquerading (an ip6 or inet nat
 * table; an inet one rewrites each family with its own `dnat ip`/`dnat ip6`), filtering on the
 * ingress hook - a netdev table's chain on one device, or an inet table's - with the marks it
 * sets, a prerouting chain setting packet and connection marks that later chains test, and the
 * other IPv4 NAT statements (redirect, DNAT by port map, SNAT).
 */
function extraTables(r: Rand): string[] {
  const out: string[] = [];
  if (chance(r, 0.3)) {
    const family = pick(r, ["ip6", "inet"]);
    const v6to = `[${pick(r, ["2001:db8::25", "2001:db8:1::1", "fd00::1"])}]:${pick(r, PORTS)}`;
    out.push(`table ${family} nat6 {`, "\tchain prerouting {", "\t\ttype nat hook prerouting priority dstnat; policy accept;");
    if (family === "ip6") out.push(`\t\tiifname "eth0" tcp dport ${pick(r, [8080, 2222, 8443])} dnat to ${v6to}`);
    else {
      out.push(`\t\tiifname "eth0" meta nfproto ipv6 tcp dport ${pick(r, [8080, 2222, 8443])} dnat ip6 to ${v6to}`);
      if (chance(r, 0.6)) out.push(`\t\tiifname "eth0" meta nfproto ipv4 tcp dport ${pick(r, [8081, 2223])} dnat ip to ${pick(r, V4_HOSTS)}:${pick(r, PORTS)}`);
    }
    if (chance(r, 0.4)) out.push(`\t\tiifname "eth0" ip6 daddr ${pick(r, V6_NETS)} udp dport 5353 dnat ip6 to [fd00::1]`.replace(" dnat ip6 to", family === "ip6" ? " dnat to" : " dnat ip6 to"));
    out.push("\t}", "\tchain postrouting {", "\t\ttype nat hook postrouting priority srcnat; policy accept;", `\t\toifname "eth1" masquerade`, "\t}", "}", "");
  }
  if (chance(r, 0.35)) {
    const netdev = chance(r, 0.6);
    const dev = pick(r, ["eth0", "eth1", "wan0"]);
    out.push(`table ${netdev ? "netdev" : "inet"} ingress_t {`, "\tchain ing {", `\t\ttype filter hook ingress device "${dev}" priority ${pick(r, ["0", "-100", "filter"])}; policy ${pick(r, ["accept", "accept", "drop"])};`);
    for (let k = int(r, 1, 4); k > 0; k--) out.push(`\t\t${ingressRule(r)}`);
    out.push("\t}", "}", "");
  }
  if (chance(r, 0.3)) {
    // marks set early - the packet's and its connection's, one from the other - and tested later,
    // here and in the filter tables (their `meta mark 0x1`, `ct mark 0x2` tests)
    out.push("table inet marks {", "\tchain pre {", `\t\ttype filter hook prerouting priority ${pick(r, ["mangle", "-160", "0"])}; policy accept;`);
    for (let k = int(r, 1, 4); k > 0; k--) out.push(`\t\t${markRule(r)}`);
    out.push("\t}");
    if (chance(r, 0.6)) {
      out.push("\tchain late {", `\t\ttype filter hook ${pick(r, ["input", "forward"])} priority ${pick(r, ["filter", "10", "-10"])}; policy accept;`);
      for (let k = int(r, 1, 3); k > 0; k--) out.push(`\t\t${pick(r, ["meta mark 0x2", "meta mark & 0xf0 == 0x10", "ct mark 0x2", "ct mark != 0x0", "meta mark 0x1"])} ${pick(r, ["drop", "accept", "counter drop"])}`);
      out.push("\t}");
    }
    out.push("}", "");
  }
  if (chance(r, 0.25)) {
    // the other NAT statements: a redirect to a local port, a DNAT by port map, a SNAT to an address
    out.push("table ip nat4x {", "\tchain prerouting {", "\t\ttype nat hook prerouting priority dstnat - 5; policy accept;");
    if (chance(r, 0.6)) out.push(`\t\ttcp dport ${pick(r, [8088, 2200])} redirect to :${pick(r, PORTS)}`);
    if (chance(r, 0.6)) out.push(`\t\tiifname "eth0" dnat to tcp dport map { 8090 : ${pick(r, V4_HOSTS)}, 8091 : ${pick(r, V4_HOSTS)} }`);
    if (chance(r, 0.4)) out.push(`\t\tiifname "eth0" udp dport 5000-5100 dnat to ${pick(r, V4_HOSTS)}:6000`);
    out.push("\t}", "\tchain postrouting {", "\t\ttype nat hook postrouting priority srcnat + 5; policy accept;", `\t\toifname "eth1" ip saddr ${pick(r, V4_NETS)} snat to 192.0.0.8`, "\t}", "}", "");
  }
  return out;
}

/** A rule of the marks table's prerouting chain: a match and a mark set (from a value, or the other mark). */
function markRule(r: Rand): string {
  const fam: 4 | 6 = chance(r, 0.7) ? 4 : 6;
  const parts: string[] = [];
  if (chance(r, 0.6)) parts.push(addrMatch(r, fam, []));
  if (chance(r, 0.5)) parts.push(portMatch(r, pick(r, ["tcp", "udp"])));
  else if (chance(r, 0.3)) parts.push(`iifname "${pick(r, IFACES)}"`);
  const set = pick(r, ["meta mark set 0x1", "meta mark set 0x2", "ct mark set 0x2", "meta mark set ct mark", "ct mark set meta mark", "meta mark set meta mark | 0x10", "meta mark set meta mark & 0xf0", "ct mark set 0x2 meta mark set 0x1"]);
  return `${parts.join(" ")} ${set}`.trim();
}

/** A rule of an ingress chain: what the device's frames carry (no connection tracking yet). */
function ingressRule(r: Rand): string {
  const fam: 4 | 6 = chance(r, 0.7) ? 4 : 6;
  const parts: string[] = [];
  if (chance(r, 0.7)) parts.push(addrMatch(r, fam, []));
  if (chance(r, 0.5)) {
    const proto = pick(r, ["tcp", "udp"]);
    parts.push(portMatch(r, proto));
  } else if (chance(r, 0.3)) parts.push(pick(r, ["meta l4proto icmp", "meta l4proto ipv6-icmp", `meta protocol ${fam === 4 ? "ip" : "ip6"}`, fam === 4 ? "ip ttl < 10" : "ip6 hoplimit 1"]));
  const verdict = pick(r, ["accept", "drop", "drop", "counter drop", "meta mark set 0x1", "meta mark set 0x1 accept", "meta mark set 0x10"]);
  return `${parts.join(" ")} ${verdict}`.trim();
}
