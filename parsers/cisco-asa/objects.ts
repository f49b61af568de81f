/**
 * Resolves the names an ASA config refers to: network objects and groups to address sets,
 * service objects and groups to services, port, protocol and icmp-type groups to their values.
 * Groups nest through `group-object` at any depth; each group is resolved once (memoised), a
 * cycle is an error (the looping member resolves to an unknown part), an undefined name is an
 * error at the reference and resolves to an unknown part, so rules that use it stay sound.
 */
import type { AddrRange, Diagnostic, Family, PortRange } from "../../src/model/types.js";
import type { AddrSpec, AsaConfig, GroupType, IcmpSel, ObjectGroup, Pos, Service } from "./config.js";
import { fullRange } from "./slots.js";
import { mergeAddrRanges } from "../../src/model/address.js";
import { mergePortRanges } from "../../src/model/ports.js";
import { nameTable } from "../../src/model/name-table.js";

export interface AddrSet {
  v4: AddrRange[];
  v6: AddrRange[];
  /** Parts the file does not resolve (fqdn, undefined names, interfaces without an address). */
  unknown: string[];
}

export interface PortSet {
  ranges: PortRange[];
  unknown: string[];
}

export interface ProtoSet {
  /** null = every protocol */
  protos: number[] | null;
  unknown: string[];
}

export interface IcmpSet {
  sels: IcmpSel[];
  unknown: string[];
}

const TYPE_WORDS: Record<GroupType, string> = nameTable({
  network: "network",
  service: "service",
  port: "service (port group)",
  protocol: "protocol",
  "icmp-type": "icmp-type",
});

/**
 * Deeper group-object nesting is reported instead of followed. Chains of nested groups are
 * resolved deepest first (see bottomUp), so only a cycle this long could come near the limit:
 * it keeps the stack bounded there.
 */
const MAX_NESTING = 1000;

export class Resolver {
  private readonly addrMemo = new Map<string, AddrSet>();
  private readonly serviceMemo = new Map<string, Service[]>();
  private readonly portMemo = new Map<string, PortSet>();
  private readonly protoMemo = new Map<string, ProtoSet>();
  private readonly icmpMemo = new Map<string, IcmpSet>();
  private readonly resolving = new Set<string>();
  private readonly reported = new Set<string>();
  /** Groups whose nested groups bottomUp has resolved, by resolver and name. */
  private readonly prepared = new Set<string>();

  constructor(
    readonly config: AsaConfig,
    readonly file: string,
    readonly diagnostics: Diagnostic[],
  ) {}

  private error(pos: Pos, message: string): void {
    const key = `${pos.line}:${pos.column}:${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.diagnostics.push({ severity: "error", message, file: this.file, line: pos.line, column: pos.column });
  }

  /** The group `name` of type `want`, or an error (undefined name, wrong type, cycle) and undefined. */
  private group(name: string, pos: Pos, want: GroupType[]): ObjectGroup | undefined {
    const g = this.config.groups.get(name);
    if (!g) {
      this.error(pos, `object-group '${name}' is not defined (line ${pos.line}); the rule matches an unknown set there`);
      return undefined;
    }
    if (!want.includes(g.type)) {
      this.error(pos, `object-group '${name}' is a ${TYPE_WORDS[g.type]} group, expected ${want.map((t) => TYPE_WORDS[t]).join(" or ")}`);
      return undefined;
    }
    if (this.resolving.size >= MAX_NESTING) {
      this.error(pos, `object-group '${name}' is nested more than ${MAX_NESTING} levels deep; treated as unknown`);
      return undefined;
    }
    if (this.resolving.has(name)) {
      this.error(pos, `object-group '${name}' contains itself through group-object (a cycle); the loop is treated as unknown`);
      return undefined;
    }
    return g;
  }

  /**
   * Resolves, with `resolve`, the groups of types `types` that `name` reaches through
   * group-object, deepest first, before `name` itself: each is then resolved with its members
   * already in the memo, one level of recursion at a time, however deep the chain (a walk with
   * its own stack, not the call stack). `kind` names the resolver.
   */
  private bottomUp(kind: string, name: string, types: GroupType[], resolve: (g: ObjectGroup) => void): void {
    const root = this.config.groups.get(name);
    if (!root || this.prepared.has(`${kind}:${name}`)) return;
    const order: ObjectGroup[] = [];
    const seen = new Set<string>([name]);
    const stack: { g: ObjectGroup; next: number }[] = [{ g: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const m = top.g.members[top.next++];
      if (m === undefined) {
        stack.pop();
        order.push(top.g);
        continue;
      }
      if (m.kind !== "group" || seen.has(m.name)) continue;
      const sub = this.config.groups.get(m.name);
      if (!sub || !types.includes(sub.type) || this.prepared.has(`${kind}:${m.name}`)) continue;
      seen.add(m.name);
      stack.push({ g: sub, next: 0 });
    }
    for (const g of order) {
      this.prepared.add(`${kind}:${g.name}`);
      if (g !== root) resolve(g);
    }
  }

  private memo<T>(memo: Map<string, T>, g: ObjectGroup, compute: () => T): T {
    const hit = memo.get(g.name);
    if (hit) return hit;
    this.resolving.add(g.name);
    try {
      const v = compute();
      memo.set(g.name, v);
      return v;
    } finally {
      this.resolving.delete(g.name);
    }
  }

  // ---- addresses

  address(spec: AddrSpec): AddrSet {
    switch (spec.kind) {
      case "any":
        return { v4: spec.families.includes(4) ? [fullRange(4)] : [], v6: spec.families.includes(6) ? [fullRange(6)] : [], unknown: [] };
      case "range":
        return spec.family === 4 ? { v4: [spec.range], v6: [], unknown: [] } : { v4: [], v6: [spec.range], unknown: [] };
      case "ranges":
        return spec.family === 4 ? { v4: spec.ranges, v6: [], unknown: [] } : { v4: [], v6: spec.ranges, unknown: [] };
      case "unknown":
        return { v4: [], v6: [], unknown: [spec.text] };
      case "interface":
        return this.interfaceAddress(spec.name, spec.pos);
      case "object": {
        const o = this.config.networkObjects.get(spec.name);
        if (!o) {
          const hint = this.config.groups.has(spec.name) ? ` ('${spec.name}' is an object-group: write object-group)` : "";
          this.error(spec.pos, `network object '${spec.name}' is not defined (line ${spec.pos.line})${hint}; the rule matches an unknown set there`);
          return { v4: [], v6: [], unknown: [`undefined object ${spec.name}`] };
        }
        if (!o.value) return { v4: [], v6: [], unknown: [`object ${spec.name} without an address`] };
        if (o.value.kind === "object" || o.value.kind === "group") return { v4: [], v6: [], unknown: [`object ${spec.name}`] };
        return this.address(o.value);
      }
      case "group": {
        this.bottomUp("address", spec.name, ["network"], (sub) => this.address({ kind: "group", name: sub.name, pos: sub.pos }));
        const g = this.group(spec.name, spec.pos, ["network"]);
        if (!g) return { v4: [], v6: [], unknown: [`object-group ${spec.name}`] };
        return this.memo(this.addrMemo, g, () => {
          const acc: AddrSet = { v4: [], v6: [], unknown: [] };
          for (const m of g.members) {
            const part = m.kind === "addr" ? this.address(m.spec) : m.kind === "group" ? this.address({ kind: "group", name: m.name, pos: m.pos }) : undefined;
            if (!part) continue;
            acc.v4.push(...part.v4);
            acc.v6.push(...part.v6);
            acc.unknown.push(...part.unknown);
          }
          return { v4: mergeAddrRanges(acc.v4), v6: mergeAddrRanges(acc.v6), unknown: [...new Set(acc.unknown)] };
        });
      }
    }
  }

  private interfaceAddress(name: string, pos: Pos): AddrSet {
    const iface = this.config.interfaces.find((i) => i.nameif === name);
    if (!iface) {
      this.error(pos, `interface '${name}' is not a nameif of this config (line ${pos.line})`);
      return { v4: [], v6: [], unknown: [`interface ${name}`] };
    }
    if (iface.v4.length === 0 && iface.v6.length === 0) return { v4: [], v6: [], unknown: [`address of interface ${name} (not configured)`] };
    return { v4: iface.v4.map((a) => ({ lo: a, hi: a })), v6: iface.v6.map((a) => ({ lo: a, hi: a })), unknown: [] };
  }

  /** Addresses of an interface by nameif (NAT `interface`), or undefined when not configured. */
  interfaceRanges(name: string | undefined, family: Family): AddrRange[] {
    const iface = name === undefined ? undefined : this.config.interfaces.find((i) => i.nameif === name);
    return (iface ? (family === 4 ? iface.v4 : iface.v6) : []).map((a) => ({ lo: a, hi: a }));
  }

  // ---- services (protocol slot)

  serviceObject(name: string, pos: Pos): Service[] {
    const o = this.config.serviceObjects.get(name);
    if (!o) {
      this.error(pos, `service object '${name}' is not defined (line ${pos.line}); the rule matches an unknown service there`);
      return [{ protos: null, unknown: [`undefined service object ${name}`] }];
    }
    if (!o.service) return [{ protos: null, unknown: [`service object ${name} without a service`] }];
    return [o.service];
  }

  /** A protocol group or a protocol-less service group in the protocol slot. */
  serviceGroup(name: string, pos: Pos): Service[] {
    this.bottomUp("service", name, ["protocol", "service"], (sub) => this.serviceGroup(sub.name, sub.pos));
    const g = this.group(name, pos, ["protocol", "service"]);
    if (!g) return [{ protos: null, unknown: [`object-group ${name}`] }];
    if (g.type === "protocol") {
      const p = this.protocols(g);
      return [{ protos: p.protos, ...(p.unknown.length ? { unknown: p.unknown } : {}) }];
    }
    return this.memo(this.serviceMemo, g, () => {
      const out: Service[] = [];
      const ports = g.members.filter((m) => m.kind === "ports");
      for (const m of g.members) {
        if (m.kind === "service") out.push(m.service);
        else if (m.kind === "service-object") out.push(...this.serviceObject(m.name, m.pos));
        else if (m.kind === "group") {
          const sub = this.config.groups.get(m.name);
          if (sub?.type === "port") {
            const ps = this.portGroup(m.name, m.pos);
            out.push({ protos: sub.portProtos ?? [6, 17], dport: ps.ranges, ...(ps.unknown.length ? { unknown: ps.unknown } : {}) });
          } else out.push(...this.serviceGroup(m.name, m.pos));
        }
      }
      // port-object lines in a protocol-less service group are tcp-udp destination ports
      if (ports.length > 0) out.push({ protos: [6, 17], dport: mergePortRanges(ports.flatMap((m) => (m.kind === "ports" ? m.ranges : []))) });
      return out;
    });
  }

  private protocols(g: ObjectGroup): ProtoSet {
    return this.memo(this.protoMemo, g, () => {
      let all = false;
      const protos = new Set<number>();
      const unknown: string[] = [];
      for (const m of g.members) {
        if (m.kind === "protocol") {
          if (m.protos === null) all = true;
          else for (const p of m.protos) protos.add(p);
        } else if (m.kind === "group") {
          const sub = this.group(m.name, m.pos, ["protocol"]);
          if (!sub) {
            unknown.push(`object-group ${m.name}`);
            continue;
          }
          const s = this.protocols(sub);
          if (s.protos === null) all = true;
          else for (const p of s.protos) protos.add(p);
          unknown.push(...s.unknown);
        }
      }
      return { protos: all ? null : [...protos].sort((a, b) => a - b), unknown };
    });
  }

  // ---- port and icmp groups (port slots)

  portGroup(name: string, pos: Pos): PortSet {
    this.bottomUp("port", name, ["port", "service"], (sub) => this.portGroup(sub.name, sub.pos));
    const g = this.group(name, pos, ["port", "service"]);
    if (!g) return { ranges: [], unknown: [`object-group ${name}`] };
    return this.memo(this.portMemo, g, () => {
      const ranges: PortRange[] = [];
      const unknown: string[] = [];
      for (const m of g.members) {
        if (m.kind === "ports") ranges.push(...m.ranges);
        else if (m.kind === "group") {
          const s = this.portGroup(m.name, m.pos);
          ranges.push(...s.ranges);
          unknown.push(...s.unknown);
        }
      }
      return { ranges: mergePortRanges(ranges), unknown };
    });
  }

  icmpGroup(name: string, pos: Pos): IcmpSet {
    this.bottomUp("icmp", name, ["icmp-type"], (sub) => this.icmpGroup(sub.name, sub.pos));
    const g = this.group(name, pos, ["icmp-type"]);
    if (!g) return { sels: [], unknown: [`object-group ${name}`] };
    return this.memo(this.icmpMemo, g, () => {
      const sels: IcmpSel[] = [];
      const unknown: string[] = [];
      for (const m of g.members) {
        if (m.kind === "icmp") sels.push(m.sel);
        else if (m.kind === "group") {
          const s = this.icmpGroup(m.name, m.pos);
          sels.push(...s.sels);
          unknown.push(...s.unknown);
        }
      }
      return { sels, unknown };
    });
  }

  /** Reports undefined members of groups no rule uses (they are still configuration errors). */
  checkAllGroups(): void {
    for (const g of this.config.groups.values()) {
      switch (g.type) {
        case "network":
          this.address({ kind: "group", name: g.name, pos: g.pos });
          break;
        case "service":
          this.serviceGroup(g.name, g.pos);
          break;
        case "port":
          this.portGroup(g.name, g.pos);
          break;
        case "protocol":
          this.serviceGroup(g.name, g.pos);
          break;
        case "icmp-type":
          this.icmpGroup(g.name, g.pos);
          break;
      }
    }
  }
}
