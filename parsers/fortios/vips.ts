/**
 * FortiOS virtual IPs (`config firewall vip`, groups in `firewall vipgrp`): destination NAT of
 * traffic that arrives on `extintf` for `extip` (and, with `portforward enable`, `protocol` and
 * `extport`) to `mappedip` (and `mappedport`). A VIP translates only when a policy names it as a
 * destination, so the DNAT stage holds the VIPs enabled policies name, in the order they are
 * defined; a policy naming one matches the translated connections at their mapped address and port.
 * A static NAT of an address range keeps each address's place in the range. Load-balancing and
 * DNS-translation VIPs (their servers are picked at run time) and IPv6 VIPs are not modelled: a
 * policy naming one matches an unknown destination.
 */
import { mergeAddrRanges, parseAddrRange } from "../../src/model/address.js";
import type { AddrRange, Chain, Condition, Family, NatRewrite, PortRange, Rule } from "../../src/model/types.js";
import type { Alternatives } from "./addresses.js";
import type { Iface } from "./interfaces.js";
import { enabled, entryOf, valueOf, valuesOf, type Block, type Entry } from "./reader.js";
import { addChain, spanOf, type FortiosContext, type Vdom } from "./scope.js";
import { portRange } from "./services.js";
import { nameTable } from "../../src/model/name-table.js";

const PROTOCOLS: Readonly<Record<string, number>> = nameTable({ tcp: 6, udp: 17, sctp: 132, icmp: 1 });

interface Vip {
  entry: Entry;
  /** What the DNAT rule matches and what it rewrites to; undefined: not modelled (see `why`). */
  match?: Condition[];
  to?: NatRewrite;
  /** What a policy naming it matches: the translated connections' destination. */
  policy: Condition[];
  why?: string;
}

export class Vips {
  private readonly vips = new Map<string, Vip>();
  private readonly groups: Block | undefined;
  private readonly groups6: Block | undefined;
  private readonly vips6: Block | undefined;
  /** VIP names enabled policies use, directly or through a group, in definition order. */
  private readonly used = new Set<string>();

  constructor(
    private readonly ctx: FortiosContext,
    private readonly vdom: Vdom,
    private readonly ifaces: Map<string, Iface>,
  ) {
    const b = vdom.blocks.blocks;
    this.groups = b.get("firewall vipgrp");
    this.groups6 = b.get("firewall vipgrp6");
    this.vips6 = b.get("firewall vip6");
    for (const e of b.get("firewall vip")?.entries ?? []) this.vips.set(e.key, this.read(e));
    for (const path of ["firewall policy", "firewall policy6"]) {
      for (const p of b.get(path)?.entries ?? []) {
        if (valueOf(p, "status") === "disable") continue;
        for (const d of valuesOf(p, "dstaddr")) for (const n of this.expand(d.text, new Set())) this.used.add(n);
      }
    }
  }

  /** The addresses the VIPs policies use translate to (empty: no VIP translates traffic); made once. */
  get mapped(): AddrRange[] {
    return (this.mappedRanges ??= this.mappedOfUsed());
  }

  private mappedRanges: AddrRange[] | undefined;

  private mappedOfUsed(): AddrRange[] {
    const out: AddrRange[] = [];
    for (const n of this.used) {
      const v = this.vips.get(n);
      if (!v?.match) continue;
      for (const c of v.policy) if (c.kind === "addr") out.push(...c.ranges);
    }
    return mergeAddrRanges(out);
  }

  has(name: string, family: Family): boolean {
    if (family === 4) return this.vips.has(name) || entryOf(this.groups, name) !== undefined;
    return entryOf(this.vips6, name) !== undefined || entryOf(this.groups6, name) !== undefined;
  }

  /** What a policy with `name` as its destination matches (without the "was translated" test). */
  policyMatch(name: string, family: Family): Alternatives {
    if (family === 6) {
      return [[{ kind: "family", family: 6 }, { kind: "unknown", text: `IPv6 VIP ${name}`, reason: "IPv6 virtual IPs are not modelled" }]];
    }
    return this.expand(name, new Set()).map((n) => this.vips.get(n)?.policy ?? [{ kind: "family", family: 4 }, { kind: "unknown", text: `VIP ${n}`, reason: `undefined VIP ${n}` }]);
  }

  /** The VIP names a VIP or group name stands for. */
  private expand(name: string, seen: Set<string>): string[] {
    if (this.vips.has(name)) return [name];
    const g = entryOf(this.groups, name);
    if (!g || seen.has(name)) return [];
    seen.add(name);
    return valuesOf(g, "member").flatMap((m) => {
      const out = this.expand(m.text, seen);
      if (out.length === 0 && !seen.has(m.text)) this.ctx.diags.error(m, `VIP group '${name}': member '${m.text}' is not a defined VIP`);
      return out;
    });
  }

  /** The DNAT stage's chain, undefined when no policy uses a VIP that translates. */
  buildChain(table: string, suffix: string, ifaces: readonly Iface[] | undefined): string | undefined {
    const block = this.vdom.blocks.blocks.get("firewall vip");
    if (!block) return undefined;
    const rules: Rule[] = [];
    for (const [name, v] of this.vips) {
      if (!this.used.has(name)) continue;
      if (!v.match || !v.to) {
        this.ctx.diags.info(v.entry.at, `VIP '${name}': ${v.why}; not modelled, a policy naming it matches an unknown destination`);
        continue;
      }
      // on a device with VDOMs, only what arrives on this VDOM's interfaces
      const conditions = ifaces ? [...v.match, { kind: "or" as const, anyOf: ifaces.map((i): Condition[] => [{ kind: "iface", field: "iif", name: i.name, prefix: false }]) }] : v.match;
      rules.push({ id: `vip ${name}`, conditions, action: { kind: "dnat", to: v.to, target: "VIP" }, span: spanOf(this.ctx, v.entry.at) });
    }
    if (rules.length === 0) return undefined;
    const chain: Chain = { name: `firewall vip${suffix}`, table, rules, span: spanOf(this.ctx, block.at), label: "the virtual IPs (destination NAT)" };
    return addChain(this.ctx, chain);
  }

  private read(e: Entry): Vip {
    const unknownPolicy = (why: string): Vip => ({ entry: e, why, policy: [{ kind: "family", family: 4 }, { kind: "unknown", text: `VIP ${e.key}`, reason: why }] });
    const type = valueOf(e, "type") ?? "static-nat";
    if (type !== "static-nat") return unknownPolicy(`a ${type} VIP picks its servers at run time`);
    const extText = valueOf(e, "extip");
    const mappedWords = valuesOf(e, "mappedip");
    if (extText === undefined || mappedWords.length === 0) {
      this.ctx.diags.error(e.at, `VIP '${e.key}' needs 'set extip' and 'set mappedip'`);
      return unknownPolicy("incomplete VIP");
    }
    const mapped: AddrRange[] = [];
    for (const w of mappedWords) {
      const r = parseAddrRange(w.text, 4);
      if (!r) {
        this.ctx.diags.error(w, `VIP '${e.key}': mappedip '${w.text}' is not an IPv4 address or range`);
        return unknownPolicy("invalid mappedip");
      }
      mapped.push(r);
    }
    const extintf = valueOf(e, "extintf") ?? "any";
    const match: Condition[] = [{ kind: "family", family: 4 }];
    if (extintf !== "any") match.push({ kind: "iface", field: "iif", name: extintf, prefix: false });
    const ext = parseAddrRange(extText, 4);
    if (!ext) {
      this.ctx.diags.error(e.fields.get("extip")!.values[0]!, `VIP '${e.key}': extip '${extText}' is not an IPv4 address or range`);
      return unknownPolicy("invalid extip");
    }
    if (ext.lo === 0n && ext.hi === 0n) {
      // 0.0.0.0: the address of extintf
      const own = this.ifaces.get(extintf)?.addresses[4] ?? [];
      if (own.length > 0) match.push({ kind: "addr", field: "dst", family: 4, ranges: mergeAddrRanges(own.map((a) => ({ lo: a, hi: a }))) });
      else match.push({ kind: "unknown", text: `VIP ${e.key} extip 0.0.0.0 (the address of ${extintf})`, reason: "the interface's address is not in the file" });
    } else match.push({ kind: "addr", field: "dst", family: 4, ranges: [ext] });
    for (const s of valuesOf(e, "src-filter")) {
      const r = parseAddrRange(s.text.replace(/\/.*/, ""), 4);
      if (r) match.push({ kind: "addr", field: "src", family: 4, ranges: [r] });
    }
    const policy: Condition[] = [{ kind: "addr", field: "dst", family: 4, ranges: mergeAddrRanges(mapped) }];
    let ports: PortRange | undefined;
    if (enabled(e, "portforward")) {
      const proto = PROTOCOLS[valueOf(e, "protocol") ?? "tcp"];
      const extText = valueOf(e, "extport");
      const mappedText = valueOf(e, "mappedport");
      const extport = extText === undefined ? undefined : portRange(extText);
      const mappedport = (mappedText === undefined ? undefined : portRange(mappedText)) ?? extport;
      if (proto === undefined || !extport || !mappedport) {
        this.ctx.diags.error(e.fields.get("extport")?.values[0] ?? e.at, `VIP '${e.key}': port forwarding needs 'set extport' (a port or range) and a protocol tcp, udp, sctp or icmp`);
        return unknownPolicy("incomplete port forwarding");
      }
      match.push({ kind: "proto", protos: [proto] });
      policy.push({ kind: "proto", protos: [proto] });
      if (proto !== 1) {
        match.push({ kind: "port", field: "dport", ranges: [extport] });
        policy.push({ kind: "port", field: "dport", ranges: [mappedport] });
        ports = mappedport;
      }
    }
    const first = mapped[0]!;
    const sameSize = mapped.length === 1 && first.hi - first.lo === ext.hi - ext.lo && ext.hi > ext.lo;
    const to: NatRewrite = {
      addr: mapped.length === 1 ? first : { lo: first.lo, hi: first.lo },
      ...(sameSize ? { map: { kind: "offset" as const, from: ext.lo } } : {}),
      ...(ports ? { ports } : {}),
    };
    if (mapped.length > 1) this.ctx.diags.info(mappedWords[1]!, `VIP '${e.key}': several mapped addresses (load sharing); the first is taken as the translation`);
    return { entry: e, match, to, policy };
  }
}
