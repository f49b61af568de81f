/**
 * Converts the IOS configuration object into the common model.
 *
 * Per family (table "ip access-list" / "ipv6 access-list"):
 * - every ACL is a user chain named as in the file; its entries in sequence order are rules
 *   `NAME#SEQ` (comment = the remarks before it), permit = accept, deny = drop, and a final
 *   `NAME#implicit-deny` rule (span: the ACL header) unless the last entry already matches all;
 * - `access-group in` (IPv6: `traffic-filter in`) is the ingress stage: one rule per declared
 *   interface, `iif X` jumps to its inbound ACL, or accepts when it has none (an interface without
 *   an access-group passes everything) or its ACL is undefined/empty (IOS passes all; a warning),
 *   or drops when the interface is shut down; packets on interfaces the file does not declare are
 *   dropped (the running-config lists every interface of the device);
 * - `access-group out` is the egress stage, dispatching on oif the same way;
 * - with zone-based firewall interfaces, a `zone-pairs` stage sits between them (zones.ts).
 *
 * Pipelines: forward = [ingress, (zones), egress]; inbound (to the router) = [ingress], since
 * IOS inbound ACLs filter traffic to the router too. Family 6 is analysed when an interface has
 * IPv6 or an IPv6 filter is bound. ACLs are stateless: no established-accept is added.
 */
import { PUBLIC_RANGES } from "../../src/analysis/regions.js";
import type { Chain, Condition, Diagnostic, Family, Pipeline, Rule, Ruleset, SourceSpan } from "../../src/model/types.js";
import { chainKey } from "../../src/model/types.js";
import type { Ace } from "./ace.js";
import { aclKey, type Acl, type IosConfig, type IosInterface, type Where } from "./config.js";
import { GroupResolver, icmpCondition } from "./objects.js";
import { zoneStage } from "./zones.js";

export function aclTable(family: Family): string {
  return family === 4 ? "ip access-list" : "ipv6 access-list";
}

export function bindingWord(family: Family): string {
  return family === 4 ? "ip access-group" : "ipv6 traffic-filter";
}

function stageName(family: Family, dir: "in" | "out"): string {
  return `${family === 4 ? "access-group" : "traffic-filter"} ${dir}`;
}

export class IosMapper {
  private readonly resolver: GroupResolver;
  readonly chains = new Map<string, Chain>();
  private aceCount = 0;

  constructor(
    private readonly cfg: IosConfig,
    private readonly file: string,
    private readonly diags: Diagnostic[],
    private readonly firstLine: string,
  ) {
    this.resolver = new GroupResolver(cfg.groups, file, diags);
  }

  span(w: Where): SourceSpan {
    return { file: this.file, line: w.line, column: w.column, text: w.text };
  }

  private diag(severity: Diagnostic["severity"], w: Where, message: string): void {
    this.diags.push({ severity, file: this.file, line: w.line, column: w.column, message });
  }

  map(): Ruleset {
    const cfg = this.cfg;
    for (const acl of cfg.acls.values()) this.aclChain(acl);
    const families: Family[] = [4];
    if (cfg.interfaces.some((i) => i.ipv6 || i.bindings[6].in || i.bindings[6].out)) families.push(6);
    const pipelines: Pipeline[] = [];
    const zones = cfg.interfaces.some((i) => i.zone);
    for (const family of families) {
      const ingress = this.dispatchChain(family, "in");
      const egress = this.dispatchChain(family, "out");
      const stages: Pipeline["stages"] = [{ chain: ingress, role: "filter" }];
      if (zones) stages.push({ chain: zoneStage(this, cfg, family), role: "filter" });
      stages.push({ chain: egress, role: "filter" });
      pipelines.push({ kind: "inbound", family, stages: [{ chain: ingress, role: "filter" }] });
      pipelines.push({ kind: "forward", family, stages });
    }
    if (zones) {
      const z = cfg.interfaces.find((i) => i.zone)!.zone!;
      this.diag("info", z.where, "zone-based firewall: zone membership and zone-pairs are modelled; the inspect policies of zone-pairs (policy-map type inspect) are not analysed, so traffic a zone-pair carries is reported as 'may pass'");
    }
    if (cfg.cbac) this.diag("info", cfg.cbac, "ip inspect (CBAC) opens return traffic dynamically; fwlint does not model it (new connections are judged by the ACLs alone)");
    const internet = internetInterfaces(cfg.interfaces);
    return {
      format: "cisco-ios",
      file: this.file,
      families,
      chains: this.chains,
      pipelines,
      diagnostics: this.diags,
      ruleCount: this.aceCount,
      ...(internet.length > 0 ? { internetInterfaces: internet } : {}),
    };
  }

  addChain(chain: Chain): string {
    const key = chainKey(chain.table, chain.name);
    this.chains.set(key, chain);
    return key;
  }

  rule(id: string, conditions: Condition[], action: Rule["action"], w: Where, comment?: string): Rule {
    return { id, conditions, action, span: this.span(w), ...(comment ? { comment } : {}) };
  }

  private aclChain(acl: Acl): void {
    const entries = [...acl.entries].sort((a, b) => a.seq - b.seq || a.order - b.order);
    const rules: Rule[] = [];
    let remarks: string[] = [];
    for (const e of entries) {
      if (e.body.kind === "remark") {
        remarks.push(e.body.text);
        continue;
      }
      const conds = this.aceConditions(e.body.ace, acl.family, e.where);
      const action: Rule["action"] = e.body.ace.action === "permit" ? { kind: "accept" } : { kind: "drop" };
      rules.push(this.rule(`${acl.name}#${e.seq}`, conds, action, e.where, remarks.length ? remarks.join(" / ") : undefined));
      remarks = [];
      this.aceCount++;
    }
    const last = rules[rules.length - 1];
    if (!last || last.conditions.length > 0) {
      rules.push(this.rule(`${acl.name}#implicit-deny`, [], { kind: "drop" }, acl.where, "implicit deny at the end of every IOS access-list"));
    }
    this.addChain({ name: acl.name, table: aclTable(acl.family), rules, span: this.span(acl.where) });
  }

  aceConditions(ace: Ace, family: Family, w: Where): Condition[] {
    const r = this.resolver;
    const conds: Condition[] = [];
    const unknowns: Extract<Condition, { kind: "unknown" }>[] = [];
    if (ace.proto.kind === "number") {
      if (family === 6 && ace.proto.n === 0) unknowns.push({ kind: "unknown", text: ace.proto.word, reason: "IPv6 extension headers are not modelled" });
      else conds.push({ kind: "proto", protos: [ace.proto.n] });
    } else if (ace.proto.kind === "tcp-udp") {
      conds.push({ kind: "proto", protos: [6, 17] });
    } else if (ace.proto.kind === "group") {
      const s = r.protoGroup(ace.proto.name, ace.proto.col, family, w);
      if (s.anyOf !== null) {
        if (s.anyOf.length === 1) conds.push(...s.anyOf[0]!);
        else conds.push({ kind: "or", anyOf: s.anyOf });
      }
      if (s.unknown) unknowns.push(s.unknown);
    }
    const addr = (spec: Ace["src"], field: "src" | "dst") => {
      const s = r.addr(spec, family, w);
      if (s.ranges !== null) conds.push({ kind: "addr", field, family, ranges: s.ranges });
      if (s.unknown) unknowns.push(s.unknown);
    };
    const port = (spec: Ace["sport"], field: "sport" | "dport") => {
      if (!spec) return;
      const p = r.ports(spec, w);
      conds.push({ kind: "port", field, ranges: p.ranges });
      if (p.unknown) unknowns.push(p.unknown);
    };
    addr(ace.src, "src");
    port(ace.sport, "sport");
    addr(ace.dst, "dst");
    port(ace.dport, "dport");
    if (ace.icmp) conds.push(icmpCondition(family, ace.icmp));
    if (ace.established) {
      conds.push({ kind: "or", anyOf: [[{ kind: "tcpflags", mask: 0x10, comp: 0x10 }], [{ kind: "tcpflags", mask: 0x04, comp: 0x04 }]] });
    }
    for (const f of ace.flagsAll) conds.push({ kind: "tcpflags", mask: f.mask, comp: f.comp });
    if (ace.flagsAny.length === 1) conds.push({ kind: "tcpflags", ...ace.flagsAny[0]! });
    else if (ace.flagsAny.length > 1) conds.push({ kind: "or", anyOf: ace.flagsAny.map((f) => [{ kind: "tcpflags", mask: f.mask, comp: f.comp }]) });
    if (ace.fragments) conds.push({ kind: "fragment" });
    for (const u of ace.unknowns) unknowns.push({ kind: "unknown", text: u.text, reason: u.reason });
    if (ace.problem) {
      const text = w.text.slice(ace.problem.col - 1).trim() || w.text.trim();
      unknowns.push({ kind: "unknown", text, reason: ace.problem.message });
    }
    return [...conds, ...unknowns];
  }

  /** The ingress or egress dispatch chain of a family; returns its key. */
  private dispatchChain(family: Family, dir: "in" | "out"): string {
    const name = stageName(family, dir);
    const field = dir === "in" ? "iif" : "oif";
    const rules: Rule[] = [];
    const cfg = this.cfg;
    for (const iface of cfg.interfaces) {
      const on: Condition = { kind: "iface", field, name: iface.name, prefix: false };
      const id = `${name}#${iface.name}`;
      if (iface.shutdown) {
        rules.push(this.rule(id, [on], { kind: "drop" }, iface.where, `${iface.name} is shut down`));
        continue;
      }
      const b = iface.bindings[family][dir];
      if (!b) {
        if (dir === "in") rules.push(this.rule(id, [on], { kind: "accept" }, iface.where, `no ${bindingWord(family)} ${dir} on ${iface.name}: IOS passes everything`));
        continue;
      }
      const acl = cfg.acls.get(aclKey(family, b.acl));
      const aces = acl?.entries.filter((e) => e.body.kind === "ace").length ?? 0;
      if (!acl || aces === 0) {
        const why = acl ? `access-list ${b.acl} has no entries` : `access-list ${b.acl} is not defined`;
        const other = cfg.acls.get(aclKey(family === 4 ? 6 : 4, b.acl));
        const hint = other ? ` (an IPv${other.family} list of that name exists at line ${other.where.line})` : "";
        this.diag(acl ? "info" : "warning", b.where, `${bindingWord(family)} ${b.acl} ${dir} on ${iface.name}: ${why}${hint}; IOS passes all traffic`);
        rules.push(this.rule(id, [on], { kind: "accept" }, b.where, `${why}: IOS passes all traffic`));
        continue;
      }
      rules.push(this.rule(id, [on], { kind: "jump", chain: acl.name }, b.where, `${bindingWord(family)} ${acl.name} ${dir}`));
    }
    const top: Where = { line: 1, column: 1, text: this.firstLine };
    if (dir === "in") {
      rules.push(this.rule(`${name}#undeclared-interfaces`, [], { kind: "drop" }, cfg.interfaces[0]?.where ?? top, "interfaces the configuration does not declare do not exist on the device"));
    } else {
      rules.push(this.rule(`${name}#other-interfaces`, [], { kind: "accept" }, cfg.interfaces[0]?.where ?? top, `interfaces without ${bindingWord(family)} out pass everything`));
    }
    return this.addChain({ name, table: aclTable(family), rules, policy: dir === "in" ? "drop" : "accept", span: this.span(cfg.interfaces[0]?.where ?? top) });
  }
}

function inRanges(v: bigint, rs: readonly [bigint, bigint][]): boolean {
  return rs.some(([lo, hi]) => v >= lo && v <= hi);
}

/** Interfaces with a public address (or one the provider assigns: dhcp, negotiated). */
export function internetInterfaces(ifaces: readonly IosInterface[]): string[] {
  return ifaces
    .filter((i) => !i.shutdown && !/^(loopback|null)/i.test(i.name))
    .filter((i) => i.addresses.some((a) => typeof a.addr !== "bigint" || inRanges(a.addr, PUBLIC_RANGES[a.family])))
    .map((i) => i.name);
}
