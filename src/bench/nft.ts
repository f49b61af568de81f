/**
 * A large nftables ruleset for the benchmark: an edge router's `inet` table with ~20k rules in
 * per-customer chains, reached through an interface verdict map, and named sets holding ~200k
 * elements (a blocklist of addresses and networks, an IPv6 allow list, a concatenated
 * address . port set). Deterministic for a seed. Every construct in it is one that real
 * generated rulesets use, so the parser and evaluator are measured on the paths users take.
 */
import { prng } from "../analysis/probes.js";

export interface NftBenchSize {
  /** Rules in chains (the set elements are counted separately). */
  rules: number;
  /** Elements across the named sets. */
  elements: number;
  /**
   * The customers' rules all in the one chain the forward chain jumps to, in the same order, with
   * no verdict map and no per-customer chains: a long chain as generated rulesets have them.
   */
  oneChain?: boolean;
}

const SERVICES = [22, 25, 53, 80, 110, 143, 443, 465, 587, 993, 995, 3306, 5432, 6379, 8080, 8443];

function v4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Distinct public-looking IPv4 values, spread over 11.0.0.0 - 99.255.255.255. */
function distinctAddresses(count: number, rand: () => number, step: number): number[] {
  const out: number[] = [];
  const base = 11 << 24;
  const span = (99 - 11) << 24;
  let at = Math.floor(rand() * step);
  for (let i = 0; i < count; i++) {
    out.push(base + (at % span));
    at += 1 + Math.floor(rand() * step);
  }
  return out;
}

export interface NftBenchRuleset {
  text: string;
  /** Rules as nft counts them (a verdict-map rule is one rule). */
  rules: number;
  elements: number;
}

/** Writes the ruleset; `rules` is met to within one chain. */
export function generateNftRuleset(size: NftBenchSize, seed = 1): NftBenchRuleset {
  const rand = prng(seed);
  const lines: string[] = [];
  const push = (s: string) => lines.push(s);
  const blockCount = Math.floor(size.elements * 0.7);
  const allow6Count = Math.floor(size.elements * 0.2);
  const pairCount = size.elements - blockCount - allow6Count;

  push("#!/usr/sbin/nft -f");
  push(`# fwlint benchmark ruleset: ~${size.rules} rules, ~${size.elements} set elements (seed ${seed})`);
  push("flush ruleset");
  push("");
  push("define WAN = \"wan0\"");
  push("define MGMT_NETS = { 10.255.0.0/16, 172.31.0.0/16 }");
  push("");
  push("table inet edge {");

  // Blocklist: single addresses and /24 networks, an interval set. Spaced so /24s never overlap.
  push("\tset blocklist {");
  push("\t\ttype ipv4_addr");
  push("\t\tflags interval");
  push("\t\telements = {");
  // Every tenth element a /24; elements ascend and never overlap (nft rejects overlapping intervals).
  const blocked: string[] = [];
  let next = 0;
  for (const [k, raw] of distinctAddresses(blockCount, rand, 4096).entries()) {
    let a = Math.max(raw, next);
    if (k % 10 === 0) {
      a = (a + 255) & ~255;
      blocked.push(`${v4(a)}/24`);
      next = a + 256;
    } else {
      blocked.push(v4(a));
      next = a + 1;
    }
  }
  for (let i = 0; i < blocked.length; i += 8) push(`\t\t\t${blocked.slice(i, i + 8).join(", ")}${i + 8 < blocked.length ? "," : ""}`);
  push("\t\t}");
  push("\t}");
  push("");

  push("\tset allow6 {");
  push("\t\ttype ipv6_addr");
  push("\t\tflags interval");
  push("\t\telements = {");
  for (let i = 0; i < allow6Count; i += 6) {
    const chunk: string[] = [];
    for (let k = i; k < Math.min(i + 6, allow6Count); k++) chunk.push(`2001:db8:${(k >>> 16).toString(16)}:${(k & 0xffff).toString(16)}::/64`);
    push(`\t\t\t${chunk.join(", ")}${i + 6 < allow6Count ? "," : ""}`);
  }
  push("\t\t}");
  push("\t}");
  push("");

  push("\tset partner_services {");
  push("\t\ttype ipv4_addr . inet_service");
  push("\t\telements = {");
  const partners = distinctAddresses(pairCount, rand, 65536);
  for (let i = 0; i < pairCount; i += 6) {
    const chunk: string[] = [];
    for (let k = i; k < Math.min(i + 6, pairCount); k++) chunk.push(`${v4(partners[k]!)} . ${SERVICES[k % SERVICES.length]}`);
    push(`\t\t\t${chunk.join(", ")}${i + 6 < pairCount ? "," : ""}`);
  }
  push("\t\t}");
  push("\t}");
  push("");

  // Customer chains: each protects one /24 behind the router.
  const perChain = 40;
  const fixedRules = 14;
  const chains = Math.max(1, Math.ceil((size.rules - fixedRules) / perChain));
  const customers: string[] = [];
  // (one chain: the customers' rules are written into `customers` itself, below)
  const body: string[] = [];
  const rule = (s: string) => (size.oneChain ? body.push(s) : push(s));
  for (let c = 0; c < chains; c++) {
    const name = `cust_${c}`;
    customers.push(name);
    const net = 0x64400000 + c * 256; // 100.64.0.0/10 and up: one /24 each
    if (!size.oneChain) push(`\tchain ${name} {`);
    for (let r = 0; r < perChain; r++) {
      const host = v4(net + 1 + (r % 250));
      const port = SERVICES[Math.floor(rand() * SERVICES.length)]!;
      const src = v4(0x0b000000 + Math.floor(rand() * 0x50000000));
      switch (r % 8) {
        case 0:
          rule(`\t\tip daddr ${host} tcp dport ${port} counter accept comment "customer ${c} service ${r}"`);
          break;
        case 1:
          rule(`\t\tip saddr ${src}/${24 + (r % 8)} ip daddr ${host} tcp dport { ${port}, ${port + 1000} } accept`);
          break;
        case 2:
          rule(`\t\tip daddr ${host} udp dport ${1024 + Math.floor(rand() * 60000)}-65535 drop`);
          break;
        case 3:
          rule(`\t\tip saddr $MGMT_NETS ip daddr ${host} tcp dport 22 accept`);
          break;
        case 4:
          rule(`\t\tip daddr ${host} tcp dport ${port} ct state new limit rate 50/second accept`);
          break;
        case 5:
          rule(`\t\tip daddr ${host} icmp type { echo-request, destination-unreachable } accept`);
          break;
        case 6:
          rule(`\t\tip saddr ${src} log prefix "cust${c} " drop`);
          break;
        default:
          rule(`\t\tip daddr ${host} tcp flags & (syn | ack) == syn tcp dport ${port} reject with tcp reset`);
      }
    }
    if (size.oneChain) continue;
    push("\t\treturn");
    push("\t}");
    push("");
  }

  // Dispatch: one rule per customer network, through a verdict map on the destination.
  push("\tchain customers {");
  if (size.oneChain) body.forEach((s) => push(s));
  else {
    push("\t\tip daddr vmap {");
    customers.forEach((name, c) => push(`\t\t\t${v4(0x64400000 + c * 256)}/24 : jump ${name}${c + 1 < customers.length ? "," : ""}`));
    push("\t\t}");
  }
  push("\t}");
  push("");

  push("\tchain forward {");
  push("\t\ttype filter hook forward priority filter; policy drop;");
  push("\t\tct state vmap { established : accept, related : accept, invalid : drop }");
  push("\t\tip saddr @blocklist counter drop");
  push("\t\tip saddr . tcp dport @partner_services accept");
  push("\t\tip6 saddr @allow6 accept");
  push("\t\tiifname $WAN jump customers");
  push("\t\toifname $WAN accept");
  push("\t}");
  push("");
  push("\tchain input {");
  push("\t\ttype filter hook input priority filter; policy drop;");
  push("\t\tct state established,related accept");
  push("\t\tiif lo accept");
  push("\t\tip saddr @blocklist drop");
  push("\t\tip saddr $MGMT_NETS tcp dport 22 accept");
  push("\t\tmeta l4proto { icmp, ipv6-icmp } accept");
  push("\t\tiifname != $WAN udp dport { 53, 67 } accept");
  push("\t}");
  push("}");
  push("");
  push("table ip nat {");
  push("\tchain postrouting {");
  push("\t\ttype nat hook postrouting priority srcnat; policy accept;");
  push("\t\toifname $WAN masquerade");
  push("\t}");
  push("}");
  // customer chains (perChain + return) and the dispatch vmap, or the one chain's rules; forward 6, input 6, postrouting 1
  const rules = (size.oneChain ? chains * perChain : chains * (perChain + 1) + 1) + 6 + 6 + 1;
  return { text: `${lines.join("\n")}\n`, rules, elements: blockCount + allow6Count + pairCount };
}
