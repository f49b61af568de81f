/**
 * Random iptables-save files for the differential test against the kernel (random-iptables.test.ts):
 * the filter table's INPUT and FORWARD with their policies, user chains reached by -j and -g that
 * RETURN, and the raw, mangle and nat tables' chains on the same hooks; rules mixing the matches real
 * rulesets use - addresses and their negation, iprange, ports and multiport lists and ranges, --syn
 * and --tcp-flags, interface names and `+` wildcards, conntrack and state lists, ICMP types,
 * addrtype, TTL, length, limit, comment, mark, conntrack status, origin and direction - and the
 * targets ACCEPT, DROP, REJECT (with its replies), LOG, RETURN, MARK, NOTRACK, DNAT and MASQUERADE;
 * and rules that look packets up in ipsets (hash:ip, hash:net with nomatch exceptions, hash:ip,port,
 * hash:net,port, bitmap:port, list:set; negated, with each flag form), saved beside the file; NAT
 * tables with REDIRECT, DNAT of port ranges and SNAT for both families, and mangle tables that set
 * marks and copy them to and from the connection's (CONNMARK --save-mark, --restore-mark).
 * IPv4 or IPv6 (ip6tables-save), as the seed says; every file iptables-restore 1.8.9 loads;
 * deterministic for a seed.
 */
import { prng } from "../../src/analysis/probes.js";

type Rand = () => number;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rand, p: number): boolean => r() < p;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const NETS = { 4: ["10.0.0.0/8", "10.1.2.0/24", "192.168.0.0/16", "203.0.113.0/24", "198.51.100.7/32", "0.0.0.0/1", "100.64.0.0/10"], 6: ["2001:db8::/32", "2001:db8:1::/48", "fd00::/8", "::/1", "2001:db8::25/128"] };
const RANGES = { 4: ["10.0.0.1-10.0.0.200", "192.168.1.10-192.168.2.20", "1.0.0.0-99.255.255.255"], 6: ["2001:db8::1-2001:db8::ff", "fd00::-fd00::ffff"] };
const PORTS = [22, 25, 53, 80, 123, 443, 587, 3306, 8080];
const IFACES = ["eth0", "eth1", "wan0", "lan0", "eth+", "wan+"];
const STATES = ["NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"];
const ICMP = { 4: ["echo-request", "echo-reply", "destination-unreachable", "time-exceeded", "8/0"], 6: ["echo-request", "echo-reply", "neighbour-solicitation", "packet-too-big", "128"] };

interface Ctx {
  family: 4 | 6;
  table: string;
  chain: string;
  users: readonly string[];
}

function matches(r: Rand, ctx: Ctx): { text: string; proto?: string } {
  const parts: string[] = [];
  let proto: string | undefined;
  const fam = ctx.family;
  const hook = ctx.chain;
  const used = new Set<string>();
  for (let n = int(r, 0, 3); n > 0; n--) {
    switch (int(r, 0, 11)) {
      case 0:
      case 1: {
        // (each of -s, -d, -i, -o at most once in a rule: "multiple -s flags not allowed")
        const opt = pick(r, ["-s", "-d"]);
        if (used.has(opt)) break;
        used.add(opt);
        parts.push(`${chance(r, 0.2) ? "! " : ""}${opt} ${pick(r, NETS[fam])}`);
        break;
      }
      case 2:
      case 3:
        if (!proto) {
          proto = pick(r, ["tcp", "udp"]);
          const field = pick(r, ["--dport", "--dport", "--sport"]);
          const form = int(r, 0, 3);
          if (form === 0) parts.push(`-p ${proto} -m ${proto} ${chance(r, 0.15) ? "! " : ""}${field} ${pick(r, PORTS)}`);
          else if (form === 1) {
            const a = int(r, 1, 4000);
            parts.push(`-p ${proto} -m ${proto} ${field} ${a}:${a + int(r, 0, 5000)}`);
          } else if (form === 2) parts.push(`-p ${proto} -m multiport ${chance(r, 0.15) ? "! " : ""}${field}s ${[...new Set([pick(r, PORTS), pick(r, PORTS), pick(r, PORTS)])].join(",")}`);
          else parts.push(`-p ${proto} -m multiport --dports ${pick(r, PORTS)},1000:2000`);
        }
        break;
      case 4: {
        const inOk = hook !== "OUTPUT" && hook !== "POSTROUTING";
        const outOk = hook !== "INPUT" && hook !== "PREROUTING";
        const opt = inOk && (!outOk || chance(r, 0.5)) ? "-i" : outOk ? "-o" : undefined;
        if (opt && !used.has(opt)) {
          used.add(opt);
          parts.push(`${chance(r, 0.2) ? "! " : ""}${opt} ${pick(r, IFACES)}`);
        }
        break;
      }
      case 5:
        if (ctx.table !== "raw" || chance(r, 0.1)) {
          const list = [...new Set([pick(r, STATES), pick(r, STATES)])].join(",");
          parts.push(chance(r, 0.5) ? `-m conntrack ${chance(r, 0.15) ? "! " : ""}--ctstate ${list}` : `-m state --state ${list}`);
        }
        break;
      case 6:
        if (!proto) {
          proto = "tcp";
          parts.push(pick(r, ["-p tcp -m tcp --syn", "-p tcp -m tcp ! --syn", "-p tcp -m tcp --tcp-flags SYN,ACK SYN", "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK RST", "-p tcp -m tcp ! --tcp-flags SYN,RST SYN"]));
        }
        break;
      case 7:
        if (!proto) {
          proto = fam === 4 ? "icmp" : "ipv6-icmp";
          parts.push(fam === 4 ? `-p icmp -m icmp ${chance(r, 0.15) ? "! " : ""}--icmp-type ${pick(r, ICMP[4])}` : `-p ipv6-icmp -m icmp6 --icmpv6-type ${pick(r, ICMP[6])}`);
        }
        break;
      case 8:
        parts.push(`-m iprange ${chance(r, 0.2) ? "! " : ""}${pick(r, ["--src-range", "--dst-range"])} ${pick(r, RANGES[fam])}`);
        break;
      case 9:
        if (fam === 4) parts.push(pick(r, ["-m ttl --ttl-lt 5", "-m ttl --ttl-eq 64", "-m ttl --ttl-gt 100", "-m length --length 0:100", "-m addrtype --dst-type LOCAL", "-m addrtype ! --dst-type LOCAL", "-m pkttype --pkt-type unicast"]));
        else parts.push(pick(r, ["-m hl --hl-lt 5", "-m hl --hl-eq 255", "-m length --length 1000:65535", "-m addrtype --dst-type LOCAL"]));
        break;
      case 10:
        parts.push(pick(r, ['-m comment --comment "random rule"', "-m limit --limit 5/sec", "-m mark --mark 0x1", "-m mark --mark 0x10/0xf0", "-m connmark --mark 0x2", "-m conntrack --ctstate DNAT", "-m conntrack --ctstatus ASSURED", "-m conntrack ! --ctstatus SEEN_REPLY", `-m conntrack --ctorigsrc ${pick(r, NETS[fam])}`, `-m conntrack --ctorigdst ${pick(r, NETS[fam])}`, "-m conntrack --ctdir ORIGINAL", "-m addrtype --src-type LOCAL", "-m pkttype --pkt-type broadcast"]));
        break;
      default:
        if (!proto) {
          proto = pick(r, ["tcp", "udp", "all"]);
          if (proto !== "all") parts.push(`-p ${proto}`);
          else proto = undefined;
        }
    }
  }
  return { text: parts.join(" "), ...(proto ? { proto } : {}) };
}

function target(r: Rand, ctx: Ctx, proto: string | undefined): string {
  const options = ["-j ACCEPT", "-j ACCEPT", "-j DROP", "-j DROP", '-j LOG --log-prefix "x "'];
  if (ctx.table === "filter") {
    options.push("-j REJECT");
    if (proto === "tcp") options.push("-j REJECT --reject-with tcp-reset");
    options.push(ctx.family === 4 ? "-j REJECT --reject-with icmp-host-prohibited" : "-j REJECT --reject-with icmp6-adm-prohibited");
  }
  if (ctx.table === "mangle") options.push("-j MARK --set-xmark 0x1/0xffffffff", "-j CONNMARK --set-xmark 0x2/0xffffffff");
  if (ctx.table === "raw") options.push("-j CT --notrack", "-j NOTRACK");
  if (ctx.users.length > 0) options.push(`-j ${pick(r, ctx.users)}`, `-g ${pick(r, ctx.users)}`);
  if (!["INPUT", "FORWARD", "PREROUTING", "OUTPUT", "POSTROUTING"].includes(ctx.chain)) options.push("-j RETURN");
  return pick(r, options);
}

function rules(r: Rand, ctx: Ctx, count: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const m = matches(r, ctx);
    out.push(`-A ${ctx.chain} ${m.text} ${target(r, ctx, m.proto)}`.replace(/\s+/g, " ").trim());
  }
  return out;
}

export interface RandomSave {
  family: 4 | 6;
  text: string;
  /** The ipsets its rules name, as `ipset save` writes them (kept beside the file), when they name any. */
  ipsets?: string;
}

interface RandomIpset {
  name: string;
  /** What `--match-set NAME FLAGS` may say of it: a flag per dimension. */
  flags: readonly string[];
  lines: string[];
}

/**
 * A few ipsets of the kinds rulesets use - addresses, networks with nomatch exceptions, address and
 * port pairs, a port bitmap, a list of sets - with elements near the generator's addresses and ports.
 */
function randomIpsets(r: Rand, fam: 4 | 6): RandomIpset[] {
  const family = fam === 4 ? "inet" : "inet6";
  const hosts = fam === 4 ? ["10.1.2.3", "192.168.1.10", "203.0.113.25", "198.51.100.7", "8.8.8.8"] : ["2001:db8::25", "2001:db8:1::1", "fd00::1", "2001:4860::8888"];
  const out: RandomIpset[] = [];
  const members: string[] = [];
  for (let k = int(r, 1, 3); k > 0; k--) {
    const name = `set${out.length}`;
    switch (int(r, 0, 4)) {
      case 0: {
        const els = [...new Set([pick(r, hosts), pick(r, hosts), pick(r, hosts)])];
        out.push({ name, flags: ["src", "dst"], lines: [`create ${name} hash:ip family ${family} hashsize 1024 maxelem 65536`, ...els.map((e) => `add ${name} ${e}`)] });
        members.push(name);
        break;
      }
      case 1: {
        const nets = fam === 4 ? ["10.0.0.0/8", "192.168.0.0/16", "203.0.113.0/24"] : ["2001:db8::/32", "fd00::/8"];
        const net = pick(r, nets);
        const lines = [`create ${name} hash:net family ${family} hashsize 1024 maxelem 65536`, `add ${name} ${net}`];
        // an exception inside it: a smaller network the set does not hold
        if (chance(r, 0.5)) lines.push(`add ${name} ${fam === 4 ? net.replace(/\/\d+$/, "/26") : net.replace(/\/\d+$/, "/64")} nomatch`);
        if (chance(r, 0.5)) lines.push(`add ${name} ${pick(r, hosts)}${fam === 4 ? "/32" : "/128"}`);
        out.push({ name, flags: ["src", "dst"], lines: [...new Set(lines)] });
        members.push(name);
        break;
      }
      case 2: {
        const els = [...new Set([`${pick(r, hosts)},${pick(r, ["tcp", "udp"])}:${pick(r, PORTS)}`, `${pick(r, hosts)},tcp:${pick(r, PORTS)}`])];
        out.push({ name, flags: ["src,dst", "dst,dst", "src,src"], lines: [`create ${name} hash:ip,port family ${family} hashsize 1024 maxelem 65536`, ...els.map((e) => `add ${name} ${e}`)] });
        break;
      }
      case 3: {
        const els = [...new Set([pick(r, PORTS), pick(r, PORTS), pick(r, [21, 23, 111, 135, 445])])].filter((p) => p < 1024);
        out.push({ name, flags: ["dst", "src"], lines: [`create ${name} bitmap:port range 0-1023`, ...els.map((e) => `add ${name} ${e}`)] });
        break;
      }
      default: {
        const nets = fam === 4 ? ["198.51.100.0/24", "10.1.0.0/16"] : ["2001:db8:1::/48"];
        const els = [...new Set([`${pick(r, nets)},tcp:${pick(r, PORTS)}`, `${pick(r, nets)},udp:53`])];
        out.push({ name, flags: ["src,dst", "dst,dst"], lines: [`create ${name} hash:net,port family ${family} hashsize 1024 maxelem 65536`, ...els.map((e) => `add ${name} ${e}`)] });
      }
    }
  }
  if (members.length > 0 && chance(r, 0.3)) {
    const name = `set${out.length}`;
    out.push({ name, flags: ["src", "dst"], lines: [`create ${name} list:set size 8`, ...members.map((m) => `add ${name} ${m}`)] });
  }
  return out;
}

/** A rule of INPUT or FORWARD that looks a packet up in one of the sets. */
function setRule(r: Rand, sets: readonly RandomIpset[], users: readonly string[]): string {
  const set = pick(r, sets);
  const flags = pick(r, set.flags);
  const ports = flags.includes(",") || set.lines[0]!.includes("bitmap:port");
  const proto = ports ? pick(r, ["-p tcp ", "-p udp ", ""]) : chance(r, 0.3) ? "-p tcp " : "";
  const verdict = pick(r, ["-j ACCEPT", "-j DROP", "-j REJECT", ...(users.length > 0 ? [`-j ${pick(r, users)}`] : [])]);
  return `-A ${pick(r, ["INPUT", "FORWARD"])} ${proto}-m set ${chance(r, 0.25) ? "! " : ""}--match-set ${set.name} ${flags} ${verdict}`;
}

/** A random iptables-save (or ip6tables-save) file (see above). */
export function randomIptablesSave(seed: number): RandomSave {
  const r = prng(seed);
  const family: 4 | 6 = chance(r, 0.7) ? 4 : 6;
  const out: string[] = [];
  // raw and mangle: a few rules on the same hooks, before the filter table
  if (chance(r, 0.3)) {
    out.push("*raw", ":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]");
    out.push(...rules(r, { family, table: "raw", chain: "PREROUTING", users: [] }, int(r, 1, 3)), "COMMIT");
  }
  if (chance(r, 0.3)) {
    out.push("*mangle", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]");
    for (const chain of ["PREROUTING", "INPUT", "FORWARD"]) if (chance(r, 0.5)) out.push(...rules(r, { family, table: "mangle", chain, users: [] }, int(r, 1, 3)));
    out.push("COMMIT");
  }
  if (family === 4 && chance(r, 0.3)) {
    out.push("*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]");
    out.push(`-A PREROUTING -i eth0 -p tcp -m tcp --dport ${pick(r, [8080, 2222, 8443])} -j DNAT --to-destination ${pick(r, ["10.1.2.3", "192.168.1.10"])}:${pick(r, PORTS)}`);
    if (chance(r, 0.5)) out.push("-A PREROUTING -i eth0 -p udp -m udp --dport 5353 -j DNAT --to-destination 192.168.1.10");
    out.push("-A POSTROUTING -o eth1 -j MASQUERADE", "COMMIT");
  }
  out.push("*filter");
  const users = Array.from({ length: int(r, 0, 3) }, (_, k) => `chain${k}`);
  out.push(`:INPUT ${pick(r, ["ACCEPT", "DROP", "DROP"])} [0:0]`, `:FORWARD ${pick(r, ["ACCEPT", "DROP", "DROP"])} [0:0]`, ":OUTPUT ACCEPT [0:0]");
  for (const u of users) out.push(`:${u} - [0:0]`);
  for (const chain of ["INPUT", "FORWARD"]) out.push(...rules(r, { family, table: "filter", chain, users }, int(r, 1, 8)));
  // a user chain jumps only to later ones (iptables-restore refuses loops)
  users.forEach((u, k) => out.push(...rules(r, { family, table: "filter", chain: u, users: users.slice(k + 1) }, int(r, 1, 5))));
  // rules looking packets up in ipsets, among the filter table's rules (from a stream of their own:
  // the rest of the file stays what it was for a seed)
  const side = prng(seed ^ 0x1b5e7);
  let ipsets: string | undefined;
  if (chance(side, 0.4)) {
    const sets = randomIpsets(side, family);
    ipsets = sets.flatMap((x) => x.lines).join("\n") + "\n";
    const first = out.indexOf("*filter") + 4 + users.length;
    for (let k = int(side, 1, 4); k > 0; k--) out.splice(int(side, first, out.length), 0, setRule(side, sets, users));
  }
  out.push("COMMIT", "");
  // (a table written twice would be flushed by its second section: only tables the file has not)
  if (!out.includes("*nat") && chance(side, 0.3)) out.unshift(...natTable(side, family));
  if (!out.includes("*mangle") && chance(side, 0.3)) out.unshift(...markTable(side, family));
  return { family, text: out.join("\n"), ...(ipsets ? { ipsets } : {}) };
}

/** A nat table of the other statements: a redirect to a local port, DNAT of a port range, SNAT (IPv4 and IPv6). */
function natTable(r: Rand, fam: 4 | 6): string[] {
  const host = fam === 4 ? pick(r, ["10.1.2.3", "192.168.1.10"]) : pick(r, ["[2001:db8::25]", "[fd00::1]"]);
  const out = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]"];
  if (chance(r, 0.6)) out.push(`-A PREROUTING -p tcp -m tcp --dport ${pick(r, [8088, 2200])} -j REDIRECT --to-ports ${pick(r, PORTS)}`);
  out.push(`-A PREROUTING -i eth0 -p tcp -m tcp --dport ${pick(r, [8080, 2222])} -j DNAT --to-destination ${host}:${pick(r, PORTS)}`);
  if (chance(r, 0.4)) out.push(`-A PREROUTING -i eth0 -p udp -m udp --dport 5000:5100 -j DNAT --to-destination ${host}:6000`);
  out.push(chance(r, 0.5) ? "-A POSTROUTING -o eth1 -j MASQUERADE" : `-A POSTROUTING -o eth1 -s ${pick(r, NETS[fam])} -j SNAT --to-source ${fam === 4 ? "192.0.0.8" : "2001:db8::8"}`);
  out.push("COMMIT");
  return out;
}

/** A mangle table that sets packet marks and copies them to and from the connection's, for the filter table's mark tests. */
function markTable(r: Rand, fam: 4 | 6): string[] {
  const out = ["*mangle", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]"];
  for (let k = int(r, 1, 4); k > 0; k--) {
    const m = chance(r, 0.6) ? `${pick(r, ["-s", "-d"])} ${pick(r, NETS[fam])} ` : chance(r, 0.5) ? `-i ${pick(r, IFACES)} ` : "";
    out.push(`-A PREROUTING ${m}${pick(r, ["-j MARK --set-xmark 0x1/0xffffffff", "-j MARK --or-mark 0x10", "-j MARK --and-mark 0xf0", "-j CONNMARK --set-xmark 0x2/0xffffffff", "-j CONNMARK --save-mark", "-j CONNMARK --restore-mark", "-m mark --mark 0x1 -j CONNMARK --set-mark 0x2"])}`.replace(/\s+/g, " "));
  }
  out.push("COMMIT");
  return out;
}
