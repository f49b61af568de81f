/**
 * Seeded generator of concrete packets that probe a ruleset's boundaries, for differential
 * testing against the kernel (../shared/tools/kernel-oracle).
 *
 * For every rule in the chains a pipeline of the hook can reach, it builds a packet that
 * satisfies the rule's conditions, then varies one condition at a time over its edges:
 * address ranges and prefixes (lo-1, lo, hi, hi+1), port ranges, negations (inside and
 * outside), interfaces (the name, another name; for `eth+` a matching and a non-matching
 * name), protocols, ICMP types and codes, TCP flag combinations. DNAT rules add the rewritten
 * destination. Seeded random packets drawn from the same value pools complete the batch. On the
 * forward hook only packets the kernel forwards are made (forwardableDestination).
 * No Math.random: the same ruleset, hook and seed give the same packets.
 */
import type { Packet } from "../model/finding.js";
import type { AddrRange, Condition, Family, NatRewrite, Rule, Ruleset } from "../model/types.js";
import { sourceNatSeenLater } from "./compile.js";
import { unmapAddress } from "./nat-map.js";
import { leafConditions } from "../model/conditions.js";
import { formatIP } from "../model/address.js";

export type Hook = "input" | "forward";

export interface ProbeOptions {
  hook: Hook;
  /** Default 1. */
  seed?: number;
  /** Cap on the number of packets (default 300). Rule probes are sampled evenly when over. */
  max?: number;
  /** Number of random packets added (default: a fifth of max). */
  random?: number;
  /** Cap on the number of distinct interface names (each costs a veth pair in the oracle). Default 12. */
  maxIfaces?: number;
}

/** Small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit hash of a string, to derive seeds from file names. */
export function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const PROTO_NAME: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6", 132: "sctp", 47: "gre", 50: "esp", 51: "ah", 2: "igmp", 33: "dccp", 136: "udplite" };
const PORT_PROTO_NAMES = new Set(["tcp", "udp", "sctp", "dccp", "udplite"]);
/** Protocols the oracle can build; others are probed as a plain number. */
const ORACLE_PROTOS = new Set(["tcp", "udp", "icmp", "icmpv6", "sctp", "gre", "esp", "ah", "igmp"]);
const FLAG_VARIANTS = ["S", "A", "SA", "R", "RA", "F", "FA", "PA", "", "SF", "SR", "U", "SE"];
const FLAG_LETTERS = "FSRPAUEC";

function flagsToLetters(v: number): string {
  let s = "";
  for (let i = 0; i < 8; i++) if (v & (1 << i)) s += FLAG_LETTERS[i];
  return s;
}

const ADDR_MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };
const v4 = (s: string): bigint => s.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
const DEFAULT_SRC: Record<Family, bigint> = { 4: v4("198.51.100.7"), 6: 0x20010db8000000000000000000000007n };
const DEFAULT_DST: Record<Family, bigint> = { 4: v4("10.0.0.5"), 6: 0x20010db8000000000000000000000005n };

/**
 * A destination the kernel can forward to: not "this network" (0/8), loopback, multicast or the
 * limited broadcast (IPv4), nor unspecified, loopback, link-local or multicast (IPv6). Packets to
 * the others are delivered locally or dropped by routing; the oracle can only say it could not
 * judge them (and they cost it rounds: see toPacket).
 */
export function forwardableDestination(v: bigint, family: Family): boolean {
  if (v < 0n || v > ADDR_MAX[family]) return false;
  if (family === 4) {
    const top = Number(v >> 24n);
    return top !== 0 && top !== 127 && top < 224;
  }
  return v > 1n && v >> 118n !== 0x3fan && v >> 120n !== 0xffn;
}

/**
 * A source the kernel forwards packets from: not multicast or the limited broadcast, not
 * unspecified (IPv4 0.0.0.0 is a martian to a unicast destination), and for IPv6 not loopback or
 * link-local (ip6_forward does not forward those).
 */
function forwardableSource(v: bigint, family: Family): boolean {
  if (family === 4) return v !== 0n && v !== ADDR_MAX[4] && v >> 28n !== 0xen;
  return forwardableDestination(v, 6); // the same addresses are out either way
}

/** Packet under construction: numeric fields, formatted at the end. */
interface Draft {
  proto: string;
  src: bigint;
  dst: bigint;
  sport: number;
  dport: number;
  icmpType?: number;
  icmpCode?: number;
  flags: string;
  iif: string;
  oif: string;
  /** TTL / hop limit as the packet arrives (the oracle's 64 when no condition chose one). */
  ttl?: number;
  /** A condition chose the source port (otherwise each probe gets its own, see below). */
  sportFixed?: boolean;
}

const FAMILY_PIPELINE = { input: "inbound", forward: "forward" } as const;

/** Rules of every chain the hook's pipeline (for the family) can reach, in chain order. */
export function reachableRules(ruleset: Ruleset, hook: Hook, family: Family): Rule[] {
  const pl = ruleset.pipelines.find((p) => p.kind === FAMILY_PIPELINE[hook] && p.family === family);
  if (!pl) return [];
  const seen = new Set<string>();
  const out: Rule[] = [];
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    const chain = ruleset.chains.get(key);
    if (!chain) return;
    for (const r of chain.rules) {
      out.push(r);
      if (r.action.kind === "jump" || r.action.kind === "goto") visit(`${chain.table}/${r.action.chain}`);
    }
  };
  for (const s of pl.stages) visit(s.chain);
  return out;
}

function validIface(name: string): string {
  const n = name.slice(0, 15);
  return /^[A-Za-z0-9_.:@-]+$/.test(n) && n !== "." && n !== ".." ? n : "eth0";
}

function ifaceVariants(c: Extract<Condition, { kind: "iface" }>): { inside: string[]; outside: string[] } {
  if (c.prefix) {
    if (c.name === "") return { inside: ["eth0"], outside: [] };
    const inside = [validIface(`${c.name}0`)];
    const first = c.name[0] === "x" ? "y" : "x";
    const outside = [validIface(`${first}${c.name.slice(1)}0`)];
    return { inside, outside };
  }
  const other = c.name === "eth0" ? "eth1" : "eth0";
  return { inside: [validIface(c.name)], outside: [other] };
}

function clampAddr(v: bigint, family: Family): bigint | undefined {
  return v < 0n || v > ADDR_MAX[family] ? undefined : v;
}

/** Puts a draft inside one condition (or outside when `outside`); false when it cannot. */
function satisfy(d: Draft, c: Condition, family: Family, outside = false): boolean {
  const want = c.kind !== "family" && c.kind !== "unknown" && c.negate ? !outside : outside;
  switch (c.kind) {
    case "family":
      return c.family === family;
    case "unknown":
    case "local-dst":
    case "ct-dnat":
    case "mark":
      return true;
    case "proto": {
      const names = c.protos.map((p) => PROTO_NAME[p] ?? String(p));
      if (!want) {
        d.proto = names[0] ?? "tcp";
      } else {
        const alt = ["tcp", "udp", family === 4 ? "icmp" : "icmpv6"].find((n) => !names.includes(n));
        if (!alt) return false;
        d.proto = alt;
      }
      if (d.proto === "icmp" && family === 6) d.proto = "icmpv6";
      if (d.proto === "icmpv6" && family === 4) d.proto = "icmp";
      return true;
    }
    case "addr": {
      if (c.family !== family || c.ranges.length === 0) return c.family === family ? want : !want;
      const r = c.ranges[0]!;
      let v: bigint | undefined = r.lo;
      if (want) v = clampAddr(r.lo - 1n, family) ?? clampAddr(r.hi + 1n, family);
      if (v === undefined) return false;
      if (c.field === "src") d.src = v;
      else d.dst = v;
      return true;
    }
    case "port": {
      if (!PORT_PROTO_NAMES.has(d.proto)) d.proto = "tcp";
      const r = c.ranges[0];
      if (!r) return want;
      let v: number | undefined = r[0];
      if (want) v = r[0] > 0 ? r[0] - 1 : r[1] < 65535 ? r[1] + 1 : undefined;
      if (v === undefined) return false;
      if (c.field === "sport") {
        d.sport = v;
        d.sportFixed = true;
      } else d.dport = v;
      return true;
    }
    case "icmp": {
      if (c.family !== family) return false;
      d.proto = family === 4 ? "icmp" : "icmpv6";
      if (c.type === undefined) return !want;
      if (!want) {
        d.icmpType = c.type;
        d.icmpCode = c.codeLo ?? 0;
      } else d.icmpType = (c.type + 1) & 255;
      return true;
    }
    case "iface": {
      const v = ifaceVariants(c);
      const name = want ? v.outside[0] : v.inside[0];
      if (name === undefined) return false;
      if (c.field === "iif") d.iif = name;
      else d.oif = name;
      return true;
    }
    case "ctstate": {
      // First packets are NEW (SYN, echo request, UDP...) or INVALID (TCP SYN/ACK...).
      const hasNew = c.states.includes("new");
      const hasInvalid = c.states.includes("invalid");
      const hasUntracked = c.states.includes("untracked");
      const wantNew = want ? !hasNew : hasNew;
      const wantInvalid = want ? !hasInvalid : hasInvalid;
      if (wantNew) {
        if (d.proto === "tcp") d.flags = "S";
        return true;
      }
      if (wantInvalid) {
        if (d.proto !== "tcp") d.proto = "tcp";
        d.flags = "SA";
        return true;
      }
      if (!want && hasUntracked && family === 6) {
        d.proto = "icmpv6";
        d.icmpType = 135;
        return true;
      }
      return false;
    }
    case "tcpflags": {
      d.proto = "tcp";
      if (!want) d.flags = flagsToLetters(c.comp);
      else d.flags = flagsToLetters((c.comp ^ (c.mask & -c.mask)) & 255);
      return true;
    }
    case "ttl": {
      const r = c.ranges[0];
      if (!r) return want;
      // (a TTL of 0 is not sent: the oracle's packets have 1-255)
      const v = !want ? Math.max(r[0], 1) : r[0] > 1 ? r[0] - 1 : r[1] < 255 ? r[1] + 1 : undefined;
      if (v === undefined || (!want && v > r[1])) return false;
      d.ttl = v;
      return true;
    }
    case "fragment":
      return want;
    case "or": {
      if (!want) {
        const alt = c.anyOf[0];
        if (!alt) return false;
        return alt.every((x) => satisfy(d, x, family));
      }
      return false;
    }
  }
}

/** Edge variants of one condition, each applied on a copy of the base draft. */
function variants(base: Draft, c: Condition, family: Family): Draft[] {
  const out: Draft[] = [];
  const with_ = (f: (d: Draft) => void): void => {
    const d = { ...base };
    f(d);
    out.push(d);
  };
  switch (c.kind) {
    case "addr": {
      if (c.family !== family) break;
      for (const r of c.ranges.slice(0, 8)) {
        for (const v of [r.lo - 1n, r.lo, r.hi, r.hi + 1n, (r.lo + r.hi) / 2n]) {
          const a = clampAddr(v, family);
          if (a === undefined) continue;
          with_((d) => (c.field === "src" ? (d.src = a) : (d.dst = a)));
        }
      }
      break;
    }
    case "port": {
      for (const [lo, hi] of c.ranges.slice(0, 8)) {
        for (const v of [lo - 1, lo, hi, hi + 1]) {
          if (v < 0 || v > 65535) continue;
          with_((d) => {
            if (!PORT_PROTO_NAMES.has(d.proto)) d.proto = "tcp";
            if (c.field === "sport") {
              d.sport = v;
              d.sportFixed = true;
            } else d.dport = v;
          });
        }
        with_((d) => {
          d.proto = d.proto === "udp" ? "tcp" : "udp";
          if (c.field === "sport") {
            d.sport = lo;
            d.sportFixed = true;
          } else d.dport = lo;
        });
      }
      break;
    }
    case "proto": {
      const names = new Set([...c.protos.map((p) => PROTO_NAME[p] ?? String(p)), "tcp", "udp", family === 4 ? "icmp" : "icmpv6", "sctp"]);
      for (const n of names) with_((d) => (d.proto = n));
      break;
    }
    case "icmp": {
      if (c.family !== family) break;
      const proto = family === 4 ? "icmp" : "icmpv6";
      const types = c.type === undefined ? [family === 4 ? 8 : 128, family === 4 ? 0 : 129, 3] : [c.type, c.type - 1, c.type + 1];
      for (const t of types) {
        if (t < 0 || t > 255) continue;
        with_((d) => {
          d.proto = proto;
          d.icmpType = t;
          d.icmpCode = 0;
        });
      }
      if (c.type !== undefined) {
        for (const code of [(c.codeLo ?? 0) - 1, c.codeLo ?? 0, c.codeHi ?? 255, (c.codeHi ?? 255) + 1]) {
          if (code < 0 || code > 255) continue;
          with_((d) => {
            d.proto = proto;
            d.icmpType = c.type;
            d.icmpCode = code;
          });
        }
      }
      with_((d) => (d.proto = "tcp"));
      break;
    }
    case "iface": {
      const v = ifaceVariants(c);
      for (const n of [...v.inside, ...v.outside]) with_((d) => (c.field === "iif" ? (d.iif = n) : (d.oif = n)));
      break;
    }
    case "ttl": {
      // each edge as the rule sees it, and one higher (on the forward path the rule sees one less)
      const values = new Set<number>([64]);
      for (const [lo, hi] of c.ranges) for (const v of [lo - 1, lo, hi, hi + 1, lo + 1, hi + 2]) if (v >= 1 && v <= 255) values.add(v); // the oracle sends 1-255
      for (const v of values) with_((d) => (d.ttl = v));
      break;
    }
    case "ctstate":
    case "tcpflags": {
      for (const f of FLAG_VARIANTS) with_((d) => {
        d.proto = "tcp";
        d.flags = f;
      });
      if (c.kind === "tcpflags") {
        with_((d) => {
          d.proto = "tcp";
          d.flags = flagsToLetters(c.comp);
        });
      }
      with_((d) => (d.proto = "udp"));
      with_((d) => {
        d.proto = family === 4 ? "icmp" : "icmpv6";
        d.icmpType = family === 4 ? 0 : 129;
      });
      with_((d) => {
        d.proto = family === 4 ? "icmp" : "icmpv6";
        d.icmpType = family === 4 ? 8 : 128;
      });
      if (family === 6) with_((d) => {
        d.proto = "icmpv6";
        d.icmpType = 135;
      });
      break;
    }
    case "or":
      for (const alt of c.anyOf.slice(0, 16)) {
        const d = { ...base };
        if (alt.every((x) => satisfy(d, x, family))) out.push(d);
        for (const x of alt) out.push(...variants(base, x, family));
      }
      break;
    default:
      break;
  }
  return out;
}

function baseDraft(hook: Hook, family: Family): Draft {
  return {
    proto: "tcp",
    src: DEFAULT_SRC[family],
    dst: DEFAULT_DST[family],
    sport: 40000,
    dport: 80,
    flags: "S",
    iif: "eth0",
    oif: hook === "forward" ? "eth1" : "",
  };
}

/** Probes whose source port a rule condition chose (kept as is). */
const FIXED_SPORT = new WeakSet<Packet>();

function toPacket(d: Draft, hook: Hook, family: Family): Packet | undefined {
  let proto = d.proto;
  if (proto === "icmp" && family === 6) proto = "icmpv6";
  if (proto === "icmpv6" && family === 4) proto = "icmp";
  let src = d.src;
  if (src === d.dst) src = src === ADDR_MAX[family] ? src - 1n : src + 1n;
  const p: Packet = { family, proto: ORACLE_PROTOS.has(proto) || /^\d+$/.test(proto) ? proto : "tcp", src: formatIP(src, family), dst: formatIP(d.dst, family), hook } as Packet;
  if (PORT_PROTO_NAMES.has(p.proto)) {
    p.sport = d.sport;
    p.dport = d.dport;
    if (d.sportFixed) FIXED_SPORT.add(p);
  }
  if (p.proto === "tcp") p.tcp_flags = d.flags;
  if (p.proto === "icmp" || p.proto === "icmpv6") {
    p.icmp_type = d.icmpType ?? (family === 4 ? 8 : 128);
    p.icmp_code = d.icmpCode ?? 0;
  }
  if (d.ttl !== undefined) p.ttl = d.ttl;
  p.iif = d.iif;
  if (hook === "forward") {
    if (d.iif === "lo") return undefined; // the oracle cannot forward frames injected on lo
    // the kernel would not forward it: the oracle cannot judge it, and its destination - another
    // probe's, through another interface - would take a round of its own
    if (!forwardableDestination(d.dst, family) || !forwardableSource(src, family)) return undefined;
    p.oif = d.oif && d.oif !== "lo" ? d.oif : d.iif === "eth1" ? "eth0" : "eth1";
  }
  return p;
}

function keyOf(p: Packet): string {
  return JSON.stringify([p.proto, p.src, p.dst, p.sport, p.dport, p.tcp_flags, p.icmp_type, p.icmp_code, p.iif, p.oif, p.ttl]);
}

/**
 * Probe packets for one hook of a ruleset. Every packet carries `hook` and a string `id`
 * ("p1", "p2", ...), ready for the oracle's JSON-lines input.
 */
export function generateProbes(ruleset: Ruleset, opts: ProbeOptions): Packet[] {
  const max = opts.max ?? 300;
  const rand = prng((opts.seed ?? 1) ^ hashSeed(`${ruleset.file}:${opts.hook}`));
  const nRandom = opts.random ?? Math.max(1, Math.floor(max / 5));
  const maxIfaces = opts.maxIfaces ?? 12;
  const ruleProbes: Packet[] = [];
  const companions: Packet[] = [];
  const pools = {
    src: new Set<bigint>(),
    dst: new Set<bigint>(),
    ports: new Set<number>([22, 53, 80, 443, 40000]),
    ifaces: new Set<string>(["eth0", "eth1"]),
    protos: new Set<string>(["tcp", "udp"]),
  };
  const fams = ruleset.families.filter((f) => ruleset.pipelines.some((p) => p.family === f && p.kind === FAMILY_PIPELINE[opts.hook]));
  for (const family of fams) {
    const mappings: { to: NatRewrite; base: Draft; within: AddrRange[] }[] = [];
    const redirects: Draft[] = [];
    const snats: Draft[] = [];
    const snatSeen = ruleset.pipelines.some((p) => p.family === family && p.kind === FAMILY_PIPELINE[opts.hook] && p.stages.some((_st, i) => sourceNatSeenLater(ruleset, p, i)));
    pools.src.add(DEFAULT_SRC[family]);
    pools.dst.add(DEFAULT_DST[family]);
    pools.protos.add(family === 4 ? "icmp" : "icmpv6");
    const emit = (d: Draft, into: Packet[] = ruleProbes): void => {
      const p = toPacket(d, opts.hook, family);
      if (p) into.push(p);
    };
    emit(baseDraft(opts.hook, family));
    for (const rule of reachableRules(ruleset, opts.hook, family)) {
      const base = baseDraft(opts.hook, family);
      let ok = true;
      for (const c of rule.conditions) if (!satisfy(base, c, family)) ok = false;
      if (!ok) continue; // the rule can never match a packet of this family
      emit(base);
      for (const c of rule.conditions) for (const v of variants(base, c, family)) emit(v);
      for (const c of leafConditions(rule.conditions)) {
        if (c.kind === "addr" && c.family === family) {
          for (const r of c.ranges.slice(0, 8)) for (const v of [r.lo - 1n, r.lo, r.hi, r.hi + 1n]) {
            const a = clampAddr(v, family);
            if (a !== undefined) (c.field === "src" ? pools.src : pools.dst).add(a);
          }
        } else if (c.kind === "port") {
          for (const [lo, hi] of c.ranges.slice(0, 8)) for (const v of [lo - 1, lo, hi, hi + 1]) if (v >= 0 && v <= 65535) pools.ports.add(v);
        } else if (c.kind === "iface") {
          const v = ifaceVariants(c);
          for (const n of [...v.inside, ...v.outside]) pools.ifaces.add(n);
        } else if (c.kind === "proto") {
          for (const p of c.protos) {
            const n = PROTO_NAME[p];
            if (n && ORACLE_PROTOS.has(n)) pools.protos.add(n === "icmp" && family === 6 ? "icmpv6" : n);
          }
        }
      }
      if (rule.action.kind === "dnat") {
        const to = rule.action.to;
        const d = { ...base };
        if (to.addr && to.addr.lo <= ADDR_MAX[family]) d.dst = to.addr.lo;
        if (to.ports) d.dport = to.ports[0];
        emit(d, companions);
        if (to.addr) pools.dst.add(to.addr.lo);
        if (!to.addr) redirects.push(base);
        if (to.map) mappings.push({ to, base, within: [...leafConditions(rule.conditions)].flatMap((c) => (c.kind === "addr" && c.field === "dst" && !c.negate && c.family === family ? c.ranges : [])) });
      }
      if (rule.action.kind === "snat" && snatSeen) snats.push(base);
    }
    // A 1:1 mapping: packets to the addresses that become those the other rules name (a filter
    // rule for one host of a mapped subnet is met only through its own public address).
    for (const m of mappings) {
      const targets = [...pools.dst].filter((v) => v >= m.to.addr!.lo && v <= m.to.addr!.hi).slice(0, 12);
      for (const v of targets) {
        const dst = unmapAddress(m.to, v, m.within);
        if (dst === undefined) continue;
        emit({ ...m.base, dst });
        for (const dport of [...pools.ports].slice(0, 8)) emit({ ...m.base, dst, dport });
      }
    }
    // A REDIRECT sends packets to the incoming interface's address, whatever they were sent to:
    // packets to the addresses the filter rules name tell whether they are judged on that.
    for (const base of redirects) for (const dst of [...pools.dst].filter((v) => v <= ADDR_MAX[family]).slice(0, 12)) emit({ ...base, dst });
    // A source NAT changes the source the chains after it on the path see (snatSeen): packets from
    // the sources, and to the ports, the rules name (the ruleset's own ports were added last).
    const namedPorts = [...pools.ports].slice(-8);
    for (const base of snats) for (const src of [...pools.src].filter((v) => v <= ADDR_MAX[family]).slice(0, 8)) for (const dport of namedPorts) emit({ ...base, src, dport });
  }
  if (fams.length === 0) return [];

  // Interface names: keep the most used ones so the oracle's lab stays small.
  const limitIfaces = (ps: Packet[]): void => {
    const count = new Map<string, number>();
    for (const p of ps) for (const n of [p.iif, p.oif]) if (n) count.set(n, (count.get(n) ?? 0) + 1);
    const keep = new Set([...count.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxIfaces).map(([n]) => n));
    keep.add("eth0");
    keep.add("eth1");
    for (const p of ps) {
      if (p.iif && !keep.has(p.iif)) p.iif = "eth0";
      if (p.oif && !keep.has(p.oif)) p.oif = p.iif === "eth1" ? "eth0" : "eth1";
    }
  };

  // Random packets from the pools.
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const randoms: Packet[] = [];
  const srcs = [...pools.src];
  const dsts = [...pools.dst];
  const ports = [...pools.ports];
  const ifaces = [...pools.ifaces];
  const protos = [...pools.protos];
  for (let i = 0; i < nRandom * 2 && randoms.length < nRandom; i++) {
    const family = pick(fams);
    // Random addresses are routable unicast (IPv4 1.0.0.0-223.255.255.255 but not 127/8,
    // IPv6 2000::/3): the kernel drops multicast sources and will not forward to loopback,
    // link-local or multicast destinations, so such packets would only come back as errors.
    const randAddr = (): bigint => {
      if (family === 4) {
        for (;;) {
          const v = BigInt(Math.floor(rand() * 4294967296));
          const top = Number(v >> 24n);
          if (top !== 0 && top !== 127 && top < 224) return v;
        }
      }
      let v = 0n;
      for (let k = 0; k < 4; k++) v = (v << 32n) | BigInt(Math.floor(rand() * 4294967296));
      return (v & ((1n << 125n) - 1n)) | (1n << 125n);
    };
    const fromPool = (pool: bigint[]): bigint => {
      const cands = pool.filter((a) => a <= ADDR_MAX[family]);
      return cands.length > 0 && rand() < 0.7 ? pick(cands) : randAddr();
    };
    const proto = pick(protos);
    const d: Draft = {
      proto,
      src: fromPool(srcs),
      dst: fromPool(dsts),
      sport: 40000,
      dport: rand() < 0.8 ? pick(ports) : Math.floor(rand() * 65536),
      flags: rand() < 0.7 ? "S" : pick(FLAG_VARIANTS),
      icmpType: rand() < 0.6 ? (family === 4 ? 8 : 128) : Math.floor(rand() * 256),
      icmpCode: 0,
      iif: pick(ifaces),
      oif: pick(ifaces),
    };
    if (rand() < 0.3) {
      d.sport = pick(ports);
      d.sportFixed = true;
    }
    const p = toPacket(d, opts.hook, family);
    if (p) randoms.push(p);
  }

  // Deduplicate, cap (even sampling of rule probes, companions always kept), number.
  const seen = new Set<string>();
  const uniq = (ps: Packet[]): Packet[] =>
    ps.filter((p) => {
      const k = keyOf(p);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  const comp = uniq(companions).slice(0, Math.floor(max / 4));
  const probes = uniq(ruleProbes);
  const rnd = uniq(randoms);
  const room = Math.max(0, max - comp.length - Math.min(rnd.length, Math.floor(max / 5)));
  let chosen = probes;
  if (probes.length > room) {
    chosen = [];
    const step = probes.length / room;
    for (let i = 0; i < room; i++) chosen.push(probes[Math.floor(i * step)]!);
  }
  const all = [...chosen, ...comp, ...rnd].slice(0, max);
  limitIfaces(all);
  // Forward: iif and oif the same name is legal but rare; keep them apart.
  for (const p of all) if (opts.hook === "forward" && p.oif === p.iif) p.oif = p.iif === "eth1" ? "eth0" : "eth1";
  // Every probe is the first packet of its own connection. Packets that share a conntrack
  // tuple must go into separate oracle rounds (slow), so unless a rule chose the source port,
  // each probe gets its own source port (or ICMP echo identifier).
  all.forEach((p, i) => {
    if (p.sport !== undefined && !FIXED_SPORT.has(p)) p.sport = 40000 + i;
    if (p.proto === "icmp" || p.proto === "icmpv6") (p as Packet & { icmp_id?: number }).icmp_id = 1000 + i;
  });
  const final = new Map<string, Packet>();
  for (const p of all) if (!final.has(keyOf(p))) final.set(keyOf(p), p);
  return [...final.values()].map((p, i) => ({ id: `p${i + 1}`, ...p }));
}
