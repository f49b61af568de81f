/**
 * Resolved ASA sets -> the model's conditions. An address slot becomes family / addr conditions
 * (an `or` over the families it covers), a list of services an `or` over protocol, port and ICMP
 * conjunctions. A slot with a part the file cannot resolve becomes one unknown condition for the
 * whole slot (the model's `or` alternatives cannot hold unknowns), which keeps analysis sound.
 */
import type { AddrRange, Condition, Family, PortRange } from "../../src/model/types.js";
import { familyMax } from "../../src/model/address.js";
import type { IcmpSel, Service } from "./config.js";
import type { AddrSet } from "./objects.js";
import { mergePortRanges } from "../../src/model/ports.js";

function covers(ranges: AddrRange[], family: Family): boolean {
  return ranges.length === 1 && ranges[0]!.lo === 0n && ranges[0]!.hi === familyMax(family);
}

function one(alts: Condition[][]): Condition[] {
  if (alts.length === 1) return alts[0]!;
  return [{ kind: "or", anyOf: alts }];
}

/**
 * Conditions for a source or destination slot. A slot with parts the file cannot resolve beside
 * ones it can (a group of hosts and an fqdn object) is an `or` of the known addresses and one
 * unknown condition for the rest: the mapper splits such an entry in two (sureFirst), so that it
 * matches the known addresses for certain.
 */
export function addrConditions(field: "src" | "dst", set: AddrSet, text: string): Condition[] {
  if (set.unknown.length > 0) {
    const unknown: Condition = { kind: "unknown", text: `${field === "src" ? "source" : "destination"} ${text}`, reason: `not resolvable from the file: ${set.unknown.join(", ")}` };
    if (set.v4.length === 0 && set.v6.length === 0) return [unknown];
    const known = knownAddrConditions(field, set);
    if (known.length === 0) return []; // the known part is every address already
    return [{ kind: "or", anyOf: [...(known.length === 1 && known[0]!.kind === "or" ? known[0]!.anyOf : [known]), [unknown]] }];
  }
  return knownAddrConditions(field, set);
}

/** Conditions for the addresses of a slot that the file resolves. */
function knownAddrConditions(field: "src" | "dst", set: AddrSet): Condition[] {
  const full4 = covers(set.v4, 4);
  const full6 = covers(set.v6, 6);
  if (full4 && full6) return [];
  const alts: Condition[][] = [];
  for (const [family, ranges, full] of [
    [4, set.v4, full4],
    [6, set.v6, full6],
  ] as const) {
    if (ranges.length === 0) continue;
    alts.push(full ? [{ kind: "family", family }] : [{ kind: "addr", field, family, ranges }]);
  }
  // an empty set (a group without members): matches nothing
  if (alts.length === 0) return [{ kind: "addr", field, family: 4, ranges: [] }];
  return one(alts);
}

function icmpCondition(family: Family, sel: IcmpSel): Condition {
  return {
    kind: "icmp",
    family,
    ...(sel.type !== undefined ? { type: sel.type } : {}),
    ...(sel.code !== undefined ? { codeLo: sel.code, codeHi: sel.code } : {}),
  };
}

function serviceConjunction(s: Service): Condition[] {
  const out: Condition[] = [];
  if (s.protos !== null) out.push({ kind: "proto", protos: s.protos });
  if (s.sport) out.push({ kind: "port", field: "sport", ranges: s.sport });
  if (s.dport) out.push({ kind: "port", field: "dport", ranges: s.dport });
  if (s.icmp && s.icmp.length > 0) {
    const fam: Family = s.icmpFamily ?? (s.protos?.[0] === 58 ? 6 : 4);
    out.push(...one(s.icmp.map((sel) => [icmpCondition(fam, sel)])));
  }
  return out;
}

const key = (p: number[] | null): string => (p === null ? "*" : p.join(","));

/** Conditions for the union of services (the protocol slot and the port slots together). */
export function serviceConditions(services: Service[], text: string): Condition[] {
  const unknown = services.flatMap((s) => s.unknown ?? []);
  if (unknown.length > 0) return [{ kind: "unknown", text: `service ${text}`, reason: `not resolvable from the file: ${[...new Set(unknown)].join(", ")}` }];
  if (services.length === 0) return [{ kind: "proto", protos: [] }];
  // destination-port-only services of the same protocols merge into one port list
  const merged: Service[] = [];
  const byProtos = new Map<string, Service>();
  for (const s of services) {
    if (s.protos === null && !s.sport && !s.dport && !s.icmp) return []; // `ip`: every packet
    if (s.dport && !s.sport && !s.icmp) {
      const k = key(s.protos);
      const prev = byProtos.get(k);
      if (prev) {
        prev.dport = mergePortRanges([...prev.dport!, ...s.dport]);
        continue;
      }
      const copy: Service = { protos: s.protos, dport: s.dport.slice() };
      byProtos.set(k, copy);
      merged.push(copy);
    } else merged.push(s);
  }
  return one(merged.map(serviceConjunction));
}

/** Applies an ACE's port clauses to every service of its protocol slot. */
export function withPorts(services: Service[], sport: PortRange[] | undefined, dport: PortRange[] | undefined): Service[] {
  if (!sport && !dport) return services;
  return services.map((s) => ({ ...s, ...(sport ? { sport } : {}), ...(dport ? { dport } : {}) }));
}
