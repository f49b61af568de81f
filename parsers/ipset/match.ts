/**
 * What `-m set --match-set NAME FLAGS` matches, as a condition of the common model, from the set's
 * saved content (save.ts). The kernel's rules (ip_set_core.c, the set types, xt_set.c):
 *
 * - FLAGS (`src,dst,...`) say per dimension whether the packet's source or destination is looked
 *   up; with fewer flags than the set has dimensions, or a set of the other family, nothing matches.
 * - A port dimension reads the packet's protocol too: tcp, udp, sctp and udplite give their port,
 *   icmp and icmpv6 their type and code, any other protocol port 0. bitmap:port stores ports alone
 *   and looks up tcp and udp packets.
 * - In a set with `nomatch` elements (the net types), the most specific network holding the
 *   packet decides: a packet is in the set when some plain element holds it and no nomatch
 *   element with a longer prefix does. hash:net,iface looks up the network before the interface
 *   (its elements are hashed without it): there the most specific network any element names
 *   decides, and a packet on another interface than that network's elements name is not in the
 *   set (checked with the kernel: 10.0.0.0/16,eth0 nomatch beside 10.0.0.0/8,eth1 keeps
 *   10.0.1.1 on eth1 out).
 * - list:set: the packet is in it when it is in one of the member sets.
 *
 * What the saved content cannot tell stays an unknown condition: a set the ruleset fills (`-j SET`),
 * MAC and mark dimensions, physdev interfaces, nomatch elements in a set with two network
 * dimensions, `--return-nomatch`. A set whose elements time out changes by itself: where it is
 * looked up by the packet's source and only something outside fills it (fail2ban's and crowdsec's
 * ban sets), the saved elements are read and what may be added is an unknown a stranger does not
 * meet (see ../outside-filled.ts); otherwise (a list:set of such sets, a destination set) unknown.
 */
import { familyBits } from "../../src/model/address.js";
import type { Condition, Family } from "../../src/model/types.js";
import type { IpsetDef, IpsetEntry, IpsetPart } from "./save.js";
import { outsideFilledMatch } from "../outside-filled.js";

export interface IpsetIndex {
  sets: ReadonlyMap<string, IpsetDef>;
  /** Sets the ruleset itself adds to or deletes from (`-j SET --add-set NAME`). */
  filled: ReadonlySet<string>;
}

type Flag = "src" | "dst";

/** Does the kernel look anything up in `s` for a rule of `family` giving `flags`? Not with too few flags, nor in a set of the other family. */
function looksUp(s: IpsetDef, flags: readonly Flag[], family: Family): boolean {
  return s.family === family && flags.length >= s.dims.length;
}

/**
 * What to tell of `--match-set name flags` in a rule of `family` that the kernel makes something
 * else of than the rule says: a set the files do not define (iptables-restore refuses the rule), a
 * set it looks nothing up in. `at`: the argument the message is about.
 */
export function setMatchWarning(index: IpsetIndex, name: string, flags: readonly Flag[], family: Family): { at: "name" | "flags"; message: string } | undefined {
  const set = index.sets.get(name);
  if (!set) return { at: "name", message: `set '${name}' is not in the ipset files read: iptables-restore refuses the rule unless the set exists when it loads` };
  if (set.type === "list:set" || looksUp(set, flags, family)) return undefined;
  if (set.family !== family) return { at: "name", message: `set '${name}' holds IPv${set.family} elements: in an ${family === 4 ? "iptables (IPv4)" : "ip6tables (IPv6)"} rule it matches no packet` };
  return { at: "flags", message: `set '${name}' (${set.type}) has ${set.dims.length} dimensions and ${flags.length} flag${flags.length === 1 ? "" : "s"} given: the kernel matches no packet` };
}

/**
 * The conditions `--match-set name flags` (negated with `negate`) stands for; `text` is the option as
 * written, for the unknown conditions they may hold.
 */
export function setMatchConditions(index: IpsetIndex, name: string, flags: readonly Flag[], family: Family, negate: boolean, text: string): Condition[] {
  const set = index.sets.get(name);
  if (set && filledFromOutside(index, set, flags, family)) {
    const bySource = set.dims.some((d, i) => (d === "ip" || d === "net") && flags[i] === "src");
    const reason = `the elements of ipset '${name}' time out and only something outside the ruleset adds them: the saved ones are read, what may be added is not known`;
    return outsideFilledMatch(negate, (neg) => [setMatchCondition(index, name, flags, family, neg, text, true)], set.entries.length === 0, { kind: "unknown", text, reason }, bySource);
  }
  return [setMatchCondition(index, name, flags, family, negate, text)];
}

/**
 * Is `set` one only something outside the ruleset fills: its elements time out and no `-j SET` of
 * the ruleset fills it (a list:set's members stay unknown). What it saved is read as it is, what
 * may be added since is an unknown condition.
 */
function filledFromOutside(index: IpsetIndex, set: IpsetDef, flags: readonly Flag[], family: Family): boolean {
  return set.timeout && set.type !== "list:set" && !index.filled.has(set.name) && looksUp(set, flags, family);
}

/** The condition of setMatchConditions from the saved content alone (`saved`: a set's timeouts taken as the saved moment's). */
function setMatchCondition(index: IpsetIndex, name: string, flags: readonly Flag[], family: Family, negate: boolean, text: string, saved = false): Condition {
  const neg = negate ? { negate: true as const } : {};
  const unknown = (reason: string): Condition => ({ kind: "unknown", text, reason });
  const set = index.sets.get(name);
  if (!set) return unknown(`ipset '${name}' is defined outside the ruleset`);
  const changing = (s: IpsetDef): string | undefined =>
    index.filled.has(s.name) ? `ipset '${s.name}' is filled by the ruleset itself (-j SET)` : s.timeout && !saved ? `the elements of ipset '${s.name}' time out: the saved ones are a moment's content` : undefined;
  const members = set.type === "list:set" ? set.entries.map((e) => (e.parts[0] as Extract<IpsetPart, { dim: "set" }>).name) : [name];
  const anyOf: Condition[][] = [];
  for (const member of members) {
    const s = index.sets.get(member);
    if (!s) {
      anyOf.push([unknown(`ipset '${member}' (a member of list:set '${name}') is not defined`)]);
      continue;
    }
    const why = changing(s) ?? (set !== s ? changing(set) : undefined);
    if (why) {
      anyOf.push([unknown(why)]);
      continue;
    }
    if (!looksUp(s, flags, family)) continue;
    for (const alt of setAlternatives(s, flags, text)) anyOf.push(alt); // (not spread: a set may hold 200k)
  }
  // what the set holds is unknown as a whole (negated or not)
  if (anyOf.length === 1 && anyOf[0]!.length === 1 && anyOf[0]![0]!.kind === "unknown") return anyOf[0]![0]!;
  // one address dimension: one condition on the address, however many elements
  if (anyOf.length > 0 && anyOf.every((alt) => alt.length === 1 && alt[0]!.kind === "addr" && alt[0]!.field === (anyOf[0]![0] as { field?: string }).field)) {
    const addrs = anyOf.map((alt) => alt[0] as Extract<Condition, { kind: "addr" }>);
    return { kind: "addr", field: addrs[0]!.field, family, ranges: addrs.flatMap((a) => a.ranges), ...neg };
  }
  return { kind: "or", anyOf, ...neg };
}

/** The set's elements as alternatives (each a conjunction of conditions). */
function setAlternatives(set: IpsetDef, flags: readonly Flag[], text: string): Condition[][] {
  const netDims = set.dims.flatMap((d, i) => (d === "net" ? [i] : []));
  const plain = set.entries.filter((e) => !e.nomatch);
  const nomatch = set.entries.filter((e) => e.nomatch);
  if (nomatch.length > 0 && netDims.length > 1) {
    return [[{ kind: "unknown", text, reason: `ipset '${set.name}' (${set.type}) has nomatch elements in a type with two network dimensions, whose lookup order fwlint does not model` }]];
  }
  const conds = (e: IpsetEntry) => e.parts.flatMap((p, i) => partConditions(p, flags[i]!, set, text));
  const byNetFirst = set.type === "hash:net,iface";
  if (nomatch.length === 0 && !byNetFirst) return plain.map(conds);
  if (byNetFirst && nomatch.length > 0 && set.entries.some((e) => e.parts.some((p) => p.dim === "iface" && p.physdev))) {
    return [[{ kind: "unknown", text, reason: `ipset '${set.name}' has nomatch elements beside physdev interfaces, whose lookup fwlint does not model` }]];
  }
  const net = netDims[0]!;
  const prefixOf = (e: IpsetEntry) => (e.parts[net] as Extract<IpsetPart, { dim: "ip" | "net" }>).prefix ?? familyBits(set.family);
  const rangeOf = (e: IpsetEntry) => (e.parts[net] as Extract<IpsetPart, { dim: "ip" | "net" }>).range;
  /** What a more specific element takes out of a plain one's packets: its own (all of it: hash:net,iface, its network). */
  const takenBy = byNetFirst ? (e: IpsetEntry) => partConditions(e.parts[net]!, flags[net]!, set, text) : conds;
  // (by where their networks start: the ones inside a network are found by a binary search, not a walk of all)
  const over = [...(byNetFirst ? set.entries : nomatch)].sort((a, b) => (rangeOf(a).lo < rangeOf(b).lo ? -1 : rangeOf(a).lo > rangeOf(b).lo ? 1 : 0));
  return plain.map((e) => {
    const own = rangeOf(e);
    let lo = 0;
    let hi = over.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rangeOf(over[mid]!).lo < own.lo) lo = mid + 1;
      else hi = mid;
    }
    // a more specific element inside this one's network takes its packets out (nomatch; hash:net,iface: any)
    const inside: IpsetEntry[] = [];
    for (let k = lo; k < over.length && rangeOf(over[k]!).lo <= own.hi; k++) {
      const n = over[k]!;
      if (prefixOf(n) > prefixOf(e) && rangeOf(n).hi <= own.hi) inside.push(n);
    }
    return inside.length === 0 ? conds(e) : [...conds(e), { kind: "or" as const, anyOf: inside.map(takenBy), negate: true as const }];
  });
}

function partConditions(p: IpsetPart, flag: Flag, set: IpsetDef, text: string): Condition[] {
  switch (p.dim) {
    case "ip":
    case "net":
      return [{ kind: "addr", field: flag, family: set.family, ranges: [p.range] }];
    case "port": {
      if (set.type === "bitmap:port") return [{ kind: "proto", protos: [6, 17] }, { kind: "port", field: flag === "src" ? "sport" : "dport", ranges: [p.ports!] }];
      if (p.icmp) return [{ kind: "proto", protos: [p.proto] }, { kind: "icmp", family: set.family, type: p.icmp.type, codeLo: p.icmp.code, codeHi: p.icmp.code }];
      if (p.ports) return [{ kind: "proto", protos: [p.proto] }, { kind: "port", field: flag === "src" ? "sport" : "dport", ranges: [p.ports] }];
      return [{ kind: "proto", protos: [p.proto] }];
    }
    case "iface":
      if (p.physdev) return [{ kind: "unknown", text, reason: `ipset '${set.name}' matches the bridge port physdev:${p.name}, which fwlint does not model` }];
      return [{ kind: "iface", field: flag === "src" ? "iif" : "oif", name: p.name, prefix: false }];
    case "mac":
      return [{ kind: "unknown", text, reason: `ipset '${set.name}' matches MAC addresses, which fwlint does not model` }];
    case "mark":
      return [{ kind: "unknown", text, reason: `ipset '${set.name}' matches packet marks by element, which fwlint does not model` }];
    case "set":
      return [{ kind: "unknown", text, reason: `a list:set inside a list:set ('${p.name}'), which the kernel refuses` }];
  }
}
