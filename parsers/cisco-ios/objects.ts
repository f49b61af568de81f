/**
 * Resolves ACE operands against the object groups: addresses (literal wildcards, network groups
 * with nesting), protocol groups, service groups and port groups, to the model's conditions.
 *
 * Exactness: a set is either exact, or a superset paired with an unknown condition (a wildcard
 * too fragmented to list, a group member fwlint cannot read, an undefined or cyclic reference).
 * Unknowns never go inside an `or` (the analysis takes an `or` alternative's known part only), so
 * an inexact union becomes "superset AND unknown", which the analysis treats as "may match".
 *
 * An undefined group is an error naming it and the referencing line; a cycle is a warning.
 */
import { familyMax, formatIP, mergeAddrRanges } from "../../src/model/address.js";
import type { AddrRange, Condition, Diagnostic, Family, PortRange } from "../../src/model/types.js";
import type { AddrSpec, PortSpec } from "./ace.js";
import type { GroupKind, GroupMember, ObjectGroup, Where } from "./config.js";
import { MAX_WILDCARD_RANGES, wildcardRanges } from "./wildcard.js";
import { comparisonRanges, mergePortRanges } from "../../src/model/ports.js";

type Unknown = Extract<Condition, { kind: "unknown" }>;

/** A set of addresses of one family: `ranges` null = every address. */
export interface AddrSet {
  ranges: AddrRange[] | null;
  /** When present, `ranges` is a superset and the exact set is not modelled. */
  unknown?: Unknown;
}

/** Alternatives (each a conjunction); null = no constraint. */
export interface ServiceSet {
  anyOf: Condition[][] | null;
  unknown?: Unknown;
}

const FULL_PORTS: PortRange = [0, 65535];

/** Nesting deeper than this is cut (with a warning and an unknown part), so no input recurses without bound. */
export const MAX_GROUP_NESTING = 64;

/** The port ranges an operator admits (neq/lt/gt as their complements; exact). */
export function portOpRanges(op: Extract<PortSpec, { kind: "op" }>): PortRange[] {
  return comparisonRanges(op.op, op.values, 65535);
}



function isFullPorts(rs: readonly PortRange[]): boolean {
  return rs.length === 1 && rs[0]![0] === FULL_PORTS[0] && rs[0]![1] === FULL_PORTS[1];
}

function joinUnknowns(us: readonly Unknown[]): Unknown | undefined {
  if (us.length === 0) return undefined;
  if (us.length === 1) return us[0];
  return { kind: "unknown", text: us.map((u) => u.text).join("; "), reason: [...new Set(us.map((u) => u.reason))].join("; ") };
}

/** Address ranges all non-contiguous wildcards of one file may expand to together (memory bound). */
export const WILDCARD_RANGE_BUDGET = 250_000;

export class GroupResolver {
  private readonly addrMemo = new Map<string, AddrSet>();
  private readonly wildcardMemo = new Map<string, { w: ReturnType<typeof wildcardRanges>; limit: number }>();
  private rangeBudget = WILDCARD_RANGE_BUDGET;
  private readonly portMemo = new Map<string, { ranges: PortRange[]; unknown?: Unknown }>();
  private readonly serviceMemo = new Map<string, { alts: Condition[][]; unknowns: Unknown[]; everything: boolean }>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly groups: ReadonlyMap<string, ObjectGroup>,
    private readonly file: string,
    private readonly diags: Diagnostic[],
  ) {}

  private diag(severity: Diagnostic["severity"], w: { line: number; column: number }, message: string): void {
    const key = `${severity}|${w.line}|${w.column}|${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.diags.push({ severity, file: this.file, line: w.line, column: w.column, message });
  }

  /** The group of that name and kind, or an unknown after an error/warning at the reference. */
  private lookup(name: string, kind: GroupKind | GroupKind[], at: { line: number; column: number }): ObjectGroup | Unknown {
    const g = this.groups.get(name);
    const kinds = Array.isArray(kind) ? kind : [kind];
    if (!g) {
      this.diag("error", at, `object-group ${name} is not defined (referenced at line ${at.line}); the entry is kept with an unknown match`);
      return { kind: "unknown", text: `object-group ${name}`, reason: `object-group ${name} is not defined` };
    }
    if (!kinds.includes(g.kind)) {
      this.diag("error", at, `object-group ${name} is a ${g.kind} group (line ${g.where.line}); a ${kinds.join(" or ")} group is needed here`);
      return { kind: "unknown", text: `object-group ${name}`, reason: `object-group ${name} is a ${g.kind} group` };
    }
    return g;
  }

  /** Addresses of a literal or group operand, for an ACL of `family`. */
  addr(spec: AddrSpec, family: Family, at: { line: number; column: number }): AddrSet {
    if (spec.kind === "any") return { ranges: null };
    if (spec.kind === "wild") return this.wildcard(spec, family, { line: at.line, column: spec.col ?? at.column });
    const g = this.lookup(spec.name, "network", { line: at.line, column: spec.col });
    if (g.kind === "unknown") return { ranges: null, unknown: g };
    return this.networkGroup(g, family, []);
  }

  private wildcard(spec: Extract<AddrSpec, { kind: "wild" }>, family: Family, at: { line: number; column: number }): AddrSet {
    if (spec.family !== family) return { ranges: [] };
    // the same address and wildcard share one range list; new lists draw on a file-wide budget
    const key = `${family}:${spec.addr}:${spec.wildcard}`;
    let memo = this.wildcardMemo.get(key);
    if (!memo) {
      const limit = Math.max(1, Math.min(MAX_WILDCARD_RANGES, this.rangeBudget));
      memo = { w: wildcardRanges(spec.addr, spec.wildcard, family, limit), limit };
      this.rangeBudget -= memo.w.ranges.length;
      this.wildcardMemo.set(key, memo);
    }
    const w = memo.w;
    const all = w.ranges.length === 1 && w.ranges[0]!.lo === 0n && w.ranges[0]!.hi === familyMax(family);
    if (w.exact) return { ranges: all ? null : w.ranges };
    const modelled = formatIP(w.modelledWildcard!, family);
    const limit = memo.limit === MAX_WILDCARD_RANGES ? `more than ${MAX_WILDCARD_RANGES} address ranges` : `more address ranges than the file's budget (${WILDCARD_RANGE_BUDGET} in all) has left`;
    const reason = `wildcard ${formatIP(spec.wildcard, family)} would take ${limit}; modelled as ${modelled} plus an unknown part`;
    this.diag("info", at, `'${spec.text}': ${reason} (findings that depend on it say so)`);
    return { ranges: all ? null : w.ranges, unknown: { kind: "unknown", text: spec.text, reason } };
  }

  private networkGroup(g: ObjectGroup, family: Family, stack: string[]): AddrSet {
    const key = `${family}:${g.name}`;
    const memo = this.addrMemo.get(key);
    if (memo) return memo;
    if (stack.includes(g.name)) {
      this.diag("warning", g.where, `object-group ${g.name} contains itself (${[...stack, g.name].join(" -> ")}); the cycle adds nothing`);
      return { ranges: [] };
    }
    if (stack.length >= MAX_GROUP_NESTING) return { ranges: null, unknown: this.tooDeep(g) };
    const ranges: AddrRange[] = [];
    const unknowns: Unknown[] = [];
    let everything = false;
    const add = (s: AddrSet): void => {
      if (s.ranges === null) everything = true;
      else for (const r of s.ranges) ranges.push(r); // (no spread: a group may hold very many ranges)
      if (s.unknown) unknowns.push(s.unknown);
    };
    for (const m of g.members) {
      if (m.kind === "addr") add(m.addr.kind === "wild" ? this.wildcard(m.addr, family, m.where) : m.addr.kind === "any" ? { ranges: null } : { ranges: [] });
      else if (m.kind === "range") {
        if (m.family === family) ranges.push({ lo: m.lo, hi: m.hi });
      } else if (m.kind === "group") {
        const sub = this.lookup(m.name, "network", m.where);
        add(sub.kind === "unknown" ? { ranges: null, unknown: sub } : this.networkGroup(sub, family, [...stack, g.name]));
      } else if (m.kind === "unknown") add({ ranges: null, unknown: { kind: "unknown", text: m.text, reason: m.reason } });
    }
    const u = joinUnknowns(unknowns);
    const out: AddrSet = { ranges: everything ? null : mergeAddrRanges(ranges), ...(u ? { unknown: u } : {}) };
    if (!stack.includes(g.name)) this.addrMemo.set(key, out);
    return out;
  }

  /** Port ranges of a port operand (`eq 80`, `portgroup N`). */
  ports(spec: PortSpec, at: { line: number }): { ranges: PortRange[]; unknown?: Unknown } {
    if (spec.kind === "op") return { ranges: portOpRanges(spec) };
    const g = this.lookup(spec.name, "port", { line: at.line, column: spec.col });
    if (g.kind === "unknown") return { ranges: [FULL_PORTS], unknown: g };
    return this.portGroup(g, []);
  }

  private tooDeep(g: ObjectGroup): Unknown {
    this.diag("warning", g.where, `object-group ${g.name} is nested more than ${MAX_GROUP_NESTING} levels deep; its contents are kept as unknown`);
    return { kind: "unknown", text: `object-group ${g.name}`, reason: `nested more than ${MAX_GROUP_NESTING} levels deep` };
  }

  private portGroup(g: ObjectGroup, stack: string[]): { ranges: PortRange[]; unknown?: Unknown } {
    const memo = this.portMemo.get(g.name);
    if (memo) return memo;
    if (stack.includes(g.name)) {
      this.diag("warning", g.where, `object-group ${g.name} contains itself (${[...stack, g.name].join(" -> ")}); the cycle adds nothing`);
      return { ranges: [] };
    }
    if (stack.length >= MAX_GROUP_NESTING) return { ranges: [FULL_PORTS], unknown: this.tooDeep(g) };
    const out: PortRange[] = [];
    const unknowns: Unknown[] = [];
    for (const m of g.members) {
      if (m.kind === "port" && m.port.kind === "op") out.push(...portOpRanges(m.port));
      else if (m.kind === "group") {
        const sub = this.lookup(m.name, "port", m.where);
        if (sub.kind === "unknown") {
          unknowns.push(sub);
          out.push(FULL_PORTS);
        } else {
          const r = this.portGroup(sub, [...stack, g.name]);
          for (const x of r.ranges) out.push(x);
          if (r.unknown) unknowns.push(r.unknown);
        }
      } else if (m.kind === "unknown") {
        unknowns.push({ kind: "unknown", text: m.text, reason: m.reason });
        out.push(FULL_PORTS);
      }
    }
    const u = joinUnknowns(unknowns);
    const res = { ranges: mergePortRanges(out), ...(u ? { unknown: u } : {}) };
    this.portMemo.set(g.name, res);
    return res;
  }

  /**
   * The protocol operand `object-group NAME` of an extended entry: a protocol group (a proto
   * condition) or a service group (alternatives of protocol, ports and ICMP type).
   */
  protoGroup(name: string, col: number, family: Family, at: { line: number }): ServiceSet {
    const g = this.lookup(name, ["service", "protocol"], { line: at.line, column: col });
    if (g.kind === "unknown") return { anyOf: null, unknown: g };
    const { alts, unknowns, everything } = this.serviceAlternatives(g, family, []);
    const u = joinUnknowns(unknowns);
    // An inexact member makes the whole operand "anything, maybe" (see the header).
    if (everything || u) return { anyOf: null, ...(u ? { unknown: u } : {}) };
    return { anyOf: alts };
  }

  /** The alternatives a service or protocol group stands for (memoized per family). */
  private serviceAlternatives(g: ObjectGroup, family: Family, stack: string[]): { alts: Condition[][]; unknowns: Unknown[]; everything: boolean } {
    const key = `${family}:${g.name}`;
    const memo = this.serviceMemo.get(key);
    if (memo) return memo;
    if (stack.includes(g.name)) {
      this.diag("warning", g.where, `object-group ${g.name} contains itself (${[...stack, g.name].join(" -> ")}); the cycle adds nothing`);
      return { alts: [], unknowns: [], everything: false };
    }
    if (stack.length >= MAX_GROUP_NESTING) return { alts: [], unknowns: [this.tooDeep(g)], everything: false };
    // alternatives and unknowns are sets: a group reached along several paths counts once
    const alts = new Map<string, Condition[]>();
    const unknowns = new Map<string, Unknown>();
    let everything = false;
    const addAlt = (a: Condition[]) => alts.set(JSON.stringify(a), a);
    const addUnknown = (u: Unknown) => unknowns.set(`${u.text}|${u.reason}`, u);
    for (const m of g.members) {
      if (m.kind === "group") {
        const sub = this.lookup(m.name, g.kind, m.where);
        if (sub.kind === "unknown") addUnknown(sub);
        else {
          const r = this.serviceAlternatives(sub, family, [...stack, g.name]);
          for (const a of r.alts) addAlt(a);
          for (const u of r.unknowns) addUnknown(u);
          if (r.everything) everything = true;
        }
      } else if (m.kind === "unknown") addUnknown({ kind: "unknown", text: m.text, reason: m.reason });
      else if (m.kind === "proto") {
        if (m.proto === null) everything = true;
        else addAlt([{ kind: "proto", protos: [icmpFor(m.proto, family)] }]);
      } else if (m.kind === "service") {
        const us: Unknown[] = [];
        for (const a of this.serviceMember(m, family, us)) addAlt(a);
        for (const u of us) addUnknown(u);
        if (m.proto.kind === "any") everything = true;
      }
    }
    const res = { alts: [...alts.values()], unknowns: [...unknowns.values()], everything };
    this.serviceMemo.set(key, res);
    return res;
  }

  private serviceMember(m: Extract<GroupMember, { kind: "service" }>, family: Family, unknowns: Unknown[]): Condition[][] {
    if (m.proto.kind === "any") return [];
    const protos = m.proto.portProto === "tcp-udp" ? [6, 17] : [icmpFor(m.proto.n, family)];
    const conj: Condition[] = [{ kind: "proto", protos }];
    for (const [field, spec] of [["sport", m.sport], ["dport", m.dport]] as const) {
      if (!spec) continue;
      const r = this.ports(spec, m.where);
      if (r.unknown) unknowns.push(r.unknown);
      if (!isFullPorts(r.ranges)) conj.push({ kind: "port", field, ranges: r.ranges });
    }
    if (m.icmp) conj.push(icmpCondition(family, m.icmp));
    return [conj];
  }
}

/** Protocol 1 in a service group used by an IPv6 ACL means ICMPv6. */
function icmpFor(n: number, family: Family): number {
  return n === 1 && family === 6 ? 58 : n;
}

export function icmpCondition(family: Family, icmp: { type: number; code?: number }): Condition {
  return icmp.code === undefined ? { kind: "icmp", family, type: icmp.type } : { kind: "icmp", family, type: icmp.type, codeLo: icmp.code, codeHi: icmp.code };
}

export type { Where };
