/**
 * Converts the IOS configuration object into the common model.
 *
 * Per family (table "ip access-list" / "ipv6 access-list"):
 * - every ACL is a user chain named as in the file; its entries in sequence order are rules
 *   `NAME#SEQ` (comment = the remarks before it), permit = accept, deny = drop, and a final
 *   `NAME#implicit-deny` rule (span: the ACL header) unless an entry already matches all.
 *   An ACL no interface binds but other features name (NAT, route-maps ...) gets no chain;
 * - `access-group in` (IPv6: `traffic-filter in`) is the ingress stage: per declared interface,
 *   `iif X` jumps to its inbound ACL, or accepts when it has none (an interface without an
 *   access-group passes everything) or its ACL is undefined/empty (IOS passes all; a warning);
 *   the policy (drop) takes packets on interfaces that are shut down or that the file does not
 *   declare (a running-config lists every interface of the device);
 * - `access-group out` is the egress stage (forward path only): a packet leaving through an
 *   interface with an outbound ACL jumps to it, the rest pass on; hairpinned transit (out the
 *   interface it came in on) is left out there;
 * - the router's own addresses (self.ts), which the inbound path is limited to;
 * - with zone-based firewall interfaces, zone stages (zones.ts).
 *
 * - static NAT (`ip nat inside source static`), the forward path's dstnat stage (nat.ts);
 * - `line vty` (transport input, access-class), the last stage of the inbound path (vty.ts);
 * - the web UI (`ip http server`): a device service, and its access-class a stage after the vty
 *   lines' (http-server.ts); the SNMP communities' and groups' lists, the last (snmp.ts);
 * - routes (src/model/routing.ts): a packet to an interface's subnet leaves through it, and one
 *   a static route (`ip route`, `ipv6 route`) sends out of an interface leaves through that one.
 *
 * Pipelines: forward = [ingress, (static NAT), egress, (zones), connected routes], the order IOS applies them, so
 * traces read in that order; inbound (to the router) = [own addresses, ingress, (self zone)], since IOS
 * inbound ACLs filter traffic to the router too. The stages are filters a packet must all pass;
 * the last accepting one is what findings point at, so the egress stage passes what no outbound
 * ACL decides without a rule of its own, and the zone-pair policy comes last.
 * Family 6 is analysed when an interface has IPv6 or an IPv6 filter is bound. ACLs are
 * stateless: no established-accept is added.
 */
import type { Chain, Condition, Diagnostic, Family, Pipeline, Rule, Ruleset, SourceSpan } from "../../src/model/types.js";
import { prefixRange } from "../../src/model/address.js";
import { deviceRoutes, routesChain, type StaticRoute, staticRoutesUnused } from "../../src/model/routing.js";
import { chainKey, type ConnectedSubnets } from "../../src/model/types.js";
import type { Ace } from "./ace.js";
import { aclKey, type Acl, type AclEntry, type IosConfig, type IosInterface, type Where } from "./config.js";
import { deviceInternetInterfaces } from "./internet.js";
import { GroupResolver, icmpCondition } from "./objects.js";
import { staticNatStage } from "./nat.js";
import { selfStage } from "./self.js";
import { httpDeviceService, httpServerStage } from "./http-server.js";
import { snmpStage } from "./snmp.js";
import { vtyStage } from "./vty.js";
import { oifIn, zoneStages } from "./zones.js";

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

  warn(w: Where, message: string): void {
    this.diag("warning", w, message);
  }

  info(w: Where, message: string): void {
    this.diag("info", w, message);
  }

  map(): Ruleset {
    const cfg = this.cfg;
    const boundNames = new Set<string>();
    for (const i of cfg.interfaces) for (const f of [4, 6] as const) for (const b of [i.bindings[f].in, i.bindings[f].out]) if (b) boundNames.add(b.acl);
    // used elsewhere: named by a command that is not an interface binding of either family
    const otherFeature = (a: Acl) => !boundNames.has(a.name) && cfg.referencedWords.has(a.name);
    // access-classes of the router's own services: analysed as stages of the inbound path
    const guards = new Set<string>();
    for (const b of [...cfg.vty.flatMap((v) => Object.values(v.accessClass)), ...Object.values(cfg.httpServer.accessClass), ...cfg.snmp.flatMap((a) => Object.values(a.acl))]) if (b) guards.add(b.acl);
    let otherUse = 0;
    for (const acl of cfg.acls.values()) {
      // An ACL other features use (NAT, route-maps, class-maps ...) but no interface binds is not
      // a packet filter here; its entries are still read (and counted).
      if (otherFeature(acl)) {
        if (!guards.has(acl.name)) otherUse++;
        this.aceCount += acl.entries.filter((e) => e.body.kind === "ace").length;
        continue;
      }
      this.aclChain(acl);
    }
    if (otherUse > 0) {
      const first = [...cfg.acls.values()].find((a) => otherFeature(a) && !guards.has(a.name))!;
      this.diag("info", first.where, `${otherUse} access-list(s) are used by other features (NAT, route-maps, class-maps ...) and bound to no interface; they are analysed only where a zone-based firewall class uses them`);
    }
    const families: Family[] = [4];
    if (cfg.interfaces.some((i) => i.ipv6 || i.bindings[6].in || i.bindings[6].out)) families.push(6);
    const pipelines: Pipeline[] = [];
    const zoned = cfg.interfaces.some((i) => i.zone);
    const nat = staticNatStage(this, cfg);
    const subnets = this.subnets();
    const routed = this.routed(subnets);
    for (const family of families) {
      const ingress = this.ingressChain(family);
      const egress = this.egressChain(family);
      const zones = zoned ? zoneStages(this, cfg, family) : undefined;
      const self = selfStage(this, cfg.interfaces, family, cfg.interfaces[0]?.where ?? { line: 1, column: 1, text: this.firstLine }, family === 4 ? nat.translated : []);
      // In the order IOS applies them. The entry admitting a packet is the rule findings point at
      // (the last accepting filter decides): the ingress ACL's - an outbound ACL's where one
      // applies -, or the zone-pair policy's on a zone-based firewall.
      // The inbound ACL and outside-to-inside NAT come before routing, which takes one off the
      // TTL: an inbound list tests it as it arrived, an outbound one (and the zones) one lower.
      const forward: Pipeline["stages"] = [{ chain: ingress, role: "filter", beforeRouting: true }];
      // outside-to-inside NAT: after the inbound ACL, before the outbound ACL and the zones
      if (nat.chain && family === 4) forward.push({ chain: nat.chain, role: "dstnat", beforeRouting: true });
      if (egress) forward.push({ chain: egress, role: "filter" });
      if (zones) forward.push({ chain: zones.forward, role: "filter" });
      // connected routes last: the stage only takes packets away, and splitting the flows by
      // interface before the ACLs would make every entry work once per interface
      const routes = this.routesStage(family, routed);
      if (routes) forward.push({ chain: routes, role: "filter" });
      const inbound: Pipeline["stages"] = [
        { chain: self, role: "filter" },
        { chain: ingress, role: "filter" },
      ];
      if (zones?.inbound) inbound.push({ chain: zones.inbound, role: "filter" });
      const vty = vtyStage(this, cfg, family);
      if (vty) inbound.push({ chain: vty, role: "filter" });
      const http = httpServerStage(this, cfg, family);
      if (http) inbound.push({ chain: http, role: "filter" });
      const snmp = snmpStage(this, cfg, family);
      if (snmp) inbound.push({ chain: snmp, role: "filter" });
      pipelines.push({ kind: "inbound", family, stages: inbound });
      pipelines.push({ kind: "forward", family, stages: forward });
    }
    if (cfg.cbac) this.diag("info", cfg.cbac, "ip inspect (CBAC) opens return traffic dynamically; fwlint does not model it (new connections are judged by the ACLs alone)");
    const internet = deviceInternetInterfaces(cfg.interfaces);
    const web = httpDeviceService(this, cfg);
    const carriers = cfg.interfaces.filter(carriesTraffic).map((i) => i.name);
    return {
      format: "cisco-ios",
      file: this.file,
      families,
      chains: this.chains,
      pipelines,
      diagnostics: this.diags,
      ruleCount: this.aceCount,
      ...(internet.length > 0 ? { internetInterfaces: internet } : {}),
      ...(subnets.length > 0 ? { connected: subnets } : {}),
      ...(routed.length > 0 ? { routed } : {}),
      ...(web ? { deviceServices: [web] } : {}),
      // traffic enters and leaves on the routed interfaces that are up (see carriesTraffic; a
      // fragment without interface blocks, or an excerpt with one: any)
      ...(cfg.interfaces.length > 1 && carriers.length > 0 ? { interfaces: carriers } : {}),
    };
  }

  /** The subnets of the live interfaces' addresses, per family. */
  private subnets(): ConnectedSubnets[] {
    return this.cfg.interfaces
      .filter((i) => !i.shutdown)
      .flatMap((i) =>
        ([4, 6] as const).map((family) => ({
          iface: i.name,
          family,
          ranges: i.addresses.filter((a) => a.family === family && typeof a.addr === "bigint" && a.prefix !== undefined && !a.eui64).map((a) => prefixRange(a.addr as bigint, a.prefix!, family)),
        })),
      )
      .filter((c) => c.ranges.length > 0);
  }

  /**
   * Per interface and family, the destinations routing sends out of it (src/model/routing.ts): the
   * connected subnets, and the static routes - to an interface of the file (or Null0, which drops),
   * or to a next hop on a connected subnet - by longest-prefix match. Static routes only when the
   * file has them all: a routing protocol may learn a more specific route anywhere outside the
   * connected subnets.
   */
  private routed(subnets: readonly ConnectedSubnets[]): ConnectedSubnets[] {
    const dynamic = this.cfg.dynamicRouting;
    if (dynamic && this.cfg.routes.length > 0) this.info(dynamic, staticRoutesUnused(dynamic.text.trim()));
    if (!this.staticRoutesApply()) return deviceRoutes(subnets, []);
    const live = new Set(this.cfg.interfaces.filter((i) => !i.shutdown).map((i) => i.name));
    const statics: StaticRoute[] = [];
    for (const r of this.cfg.routes) {
      // an interface the file does not declare, a next hop on no subnet it shows, dhcp: somewhere it does not tell
      let via: StaticRoute["via"] = r.iface ?? r.nextHop;
      if (r.iface !== undefined && /^null0$/i.test(r.iface)) via = "Null0";
      else if (r.iface !== undefined && !this.cfg.interfaces.some((i) => i.name === r.iface)) {
        if (this.cfg.interfaces.length > 0) this.warn({ ...r.where, column: r.where.text.indexOf(r.iface) + 1 || r.where.column }, `interface '${r.iface}' is not declared in this file; where the route leads is unknown`);
        via = undefined;
      } else if (r.iface !== undefined && !live.has(r.iface)) continue; // a route through a shut-down interface is not installed
      statics.push({ via, family: r.family, range: r.range, distance: r.distance });
    }
    return deviceRoutes(subnets, statics);
  }

  /** The file's static routes tell where packets leave: it has some, and no routing protocol may override them. */
  private staticRoutesApply(): boolean {
    return this.cfg.routes.length > 0 && !this.cfg.dynamicRouting;
  }

  /** The forward path's routes stage (src/model/routing.ts) for one family. */
  private routesStage(family: Family, routed: readonly ConnectedSubnets[]): string | undefined {
    const first = this.cfg.interfaces[0];
    const at = (name: string) => {
      const i = this.cfg.interfaces.find((x) => x.name === name);
      return i && this.span(i.where);
    };
    const statics = this.staticRoutesApply();
    const chain = first && routesChain(aclTable(family), routed, [family], this.span({ ...first.where, text: statics ? "routes" : "connected routes" }), at, statics);
    return chain && this.addChain(chain);
  }

  addChain(chain: Chain): string {
    const key = chainKey(chain.table, chain.name);
    this.chains.set(key, chain);
    return key;
  }

  rule(id: string, conditions: Condition[], action: Rule["action"], w: Where, comment?: string): Rule {
    return { id, conditions, action, span: this.span(w), ...(comment ? { comment } : {}) };
  }

  /** A rule IOS's semantics add, written nowhere in the file (see Rule.implied). */
  impliedRule(id: string, conditions: Condition[], action: Rule["action"], w: Where, comment: string): Rule {
    return { ...this.rule(id, conditions, action, w, comment), implied: true };
  }

  private aclChain(acl: Acl): void {
    const rules: Rule[] = [];
    for (const { entry: e, ace, remarks } of orderedAces(acl)) {
      const conds = this.aceConditions(ace, acl.family, e.where);
      const action: Rule["action"] = ace.action === "permit" ? { kind: "accept" } : { kind: "drop" };
      rules.push(this.rule(`${acl.name}#${e.seq}`, conds, action, labelled(e.where, e.seq, e.explicitSeq), remarks.length ? remarks.join(" / ") : undefined));
      this.aceCount++;
    }
    this.endWithImplicitDeny(acl, acl.name, rules);
    const binding = acl.family === 4 ? "ip access-group" : "ipv6 traffic-filter";
    const noun = acl.family === 4 ? "access-list" : "ipv6 access-list";
    const applied = { by: `no interface binds it with ${binding}, and no other command uses it`, entries: rules.filter((r) => !r.implied).length, ...(this.cfg.interfaces.length === 0 ? { elsewhere: true as const } : {}) };
    this.addChain({ name: acl.name, table: aclTable(acl.family), rules, span: this.span(acl.where), label: `${noun} ${acl.name}`, applied });
  }

  /**
   * Ends the rules of chain `chain`, made of `acl`'s entries, with the list's implicit deny - unless
   * an entry matches every packet and already ends it (an implicit deny after it would only be
   * reported as unreachable).
   */
  endWithImplicitDeny(acl: Acl, chain: string, rules: Rule[]): void {
    if (rules.some((r) => r.conditions.length === 0)) return;
    const w = { ...acl.where, text: `implicit deny at the end of ${acl.name}` };
    rules.push(this.impliedRule(`${chain}#implicit-deny`, [], { kind: "drop" }, w, "implicit deny at the end of every IOS access-list"));
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
    if (ace.ttl) conds.push({ kind: "ttl", ranges: ace.ttl.ranges, ...(ace.ttl.negate ? { negate: true } : {}) });
    if (ace.reflexive) conds.push({ kind: "ctstate", states: ["established"] });
    for (const u of ace.unknowns) unknowns.push({ kind: "unknown", text: u.text, reason: u.reason });
    if (ace.problem) {
      const text = w.text.slice(ace.problem.col - 1).trim() || w.text.trim();
      unknowns.push({ kind: "unknown", text, reason: ace.problem.message });
    }
    return [...conds, ...unknowns];
  }

  /** The chain a bound ACL is entered through, or an accept rule when IOS passes all. */
  private bindingRule(family: Family, dir: "in" | "out", iface: IosInterface, id: string, on: Condition): Rule | undefined {
    const b = iface.bindings[family][dir];
    if (!b) return undefined;
    const cfg = this.cfg;
    const acl = cfg.acls.get(aclKey(family, b.acl));
    const aces = acl?.entries.filter((e) => e.body.kind === "ace").length ?? 0;
    if (!acl || aces === 0) {
      const why = acl ? `access-list ${b.acl} has no entries` : `access-list ${b.acl} is not defined`;
      const other = cfg.acls.get(aclKey(family === 4 ? 6 : 4, b.acl));
      const hint = other ? ` (an IPv${other.family} list of that name exists at line ${other.where.line})` : "";
      this.diag(acl ? "info" : "warning", b.where, `${bindingWord(family)} ${b.acl} ${dir} on ${iface.name}: ${why}${hint}; IOS passes all traffic`);
      return this.rule(id, [on], { kind: "accept" }, b.where, `${why}: IOS passes all traffic`);
    }
    return this.rule(id, [on], { kind: "jump", chain: acl.name }, b.where, `${bindingWord(family)} ${acl.name} ${dir}`);
  }

  /**
   * Ingress: per declared interface, its inbound ACL, or accept (no ACL). The policy (drop) is
   * reached by shut-down interfaces and interfaces the file does not declare.
   */
  private ingressChain(family: Family): string {
    const name = stageName(family, "in");
    const rules: Rule[] = [];
    for (const iface of this.cfg.interfaces) {
      const on: Condition = { kind: "iface", field: "iif", name: iface.name, prefix: false };
      const id = `${name}#${iface.name}`;
      // a shut-down interface carries nothing: its packets fall to the policy (drop)
      if (iface.shutdown) continue;
      const why = `no ${bindingWord(family)} in on ${iface.name}: IOS passes everything`;
      rules.push(this.bindingRule(family, "in", iface, id, on) ?? this.rule(id, [on], { kind: "accept" }, { ...iface.where, text: `interface ${iface.name} (no ${bindingWord(family)} in)` }, why));
    }
    const w: Where = this.cfg.interfaces[0]?.where ?? { line: 1, column: 1, text: this.firstLine };
    return this.addChain({ name, table: aclTable(family), rules, policy: "drop", span: this.span(w), label: `the interfaces' ${bindingWord(family)} in` });
  }

  /**
   * Egress (forward path only, after the ingress stage): a packet leaving through an interface
   * with an outbound ACL jumps to it. Dropped first: packets out of interfaces that are shut down
   * or that the file does not declare, and hairpinned transit: a packet routed back out the
   * interface it came in on reaches nothing behind the router, and without routes fwlint cannot
   * tell which hosts sit behind which interface, so such transit is left out rather than reported
   * as an opening. The rest passes on by falling off the end: the chain has no policy, because it
   * is not where IOS decides what gets through - an accept rule would take the credit from the
   * ingress entry (the last accepting filter decides), and an ACCEPT policy would read as a
   * default-accept posture. Undefined when the file declares no interface.
   */
  private egressChain(family: Family): string | undefined {
    if (this.cfg.interfaces.length === 0) return undefined;
    const name = stageName(family, "out");
    const w: Where = this.cfg.interfaces[0]!.where;
    const live = this.cfg.interfaces.filter((i) => !i.shutdown).map((i) => i.name);
    const oif = (n: string): Condition => ({ kind: "iface", field: "oif", name: n, prefix: false });
    const iif = (n: string): Condition => ({ kind: "iface", field: "iif", name: n, prefix: false });
    const rules: Rule[] = [];
    const nowhere = "out of an interface that is shut down or not declared: nothing leaves there";
    const notLive: Condition[] = live.length === 0 ? [] : [oifIn(live, true)];
    rules.push(this.rule(`${name}#not-an-interface`, notLive, { kind: "drop" }, { ...w, text: nowhere }, nowhere));
    if (live.length > 0) {
      const hairpin = "back out of the interface it came in on: left out (it reaches nothing behind the router)";
      const conds: Condition[] = live.length === 1 ? [iif(live[0]!), oif(live[0]!)] : [{ kind: "or", anyOf: live.map((n) => [iif(n), oif(n)]) }];
      rules.push(this.rule(`${name}#hairpin`, conds, { kind: "drop" }, { ...w, text: hairpin }, hairpin));
    }
    for (const iface of this.cfg.interfaces) {
      if (iface.shutdown) continue;
      const r = this.bindingRule(family, "out", iface, `${name}#${iface.name}`, oif(iface.name));
      // An outbound list IOS ignores (undefined, empty) passes all: the packet passes on, and the
      // ingress entry keeps the credit (bindingRule has reported it).
      if (r && r.action.kind === "jump") rules.push(r);
    }
    const text = `interfaces without ${bindingWord(family)} out pass everything`;
    const span = this.span({ ...w, text });
    return this.addChain({ name, table: aclTable(family), rules, policySpan: span, span, label: `the interfaces' ${bindingWord(family)} out`, acceptText: `an interface without ${bindingWord(family)} out passes what leaves` });
  }
}

/** An ACL's permit and deny entries in sequence order, each with the remarks written just before it. */
export function orderedAces(acl: Acl): { entry: AclEntry; ace: Ace; remarks: string[] }[] {
  const out: { entry: AclEntry; ace: Ace; remarks: string[] }[] = [];
  let remarks: string[] = [];
  for (const e of [...acl.entries].sort((a, b) => a.seq - b.seq || a.order - b.order)) {
    if (e.body.kind === "remark") remarks.push(e.body.text);
    else {
      out.push({ entry: e, ace: e.body.ace, remarks });
      remarks = [];
    }
  }
  return out;
}

/**
 * An entry's label for traces: the line as written, with the sequence number IOS assigned when the
 * file does not show it (`show access-lists` prints `20 permit ...`).
 */
function labelled(w: Where, seq: number, explicit: boolean): Where {
  if (explicit) return w;
  const t = w.text.trim();
  return { ...w, text: /^access-list\s/i.test(t) ? `${t} (sequence ${seq})` : `${seq} ${t}` };
}

/**
 * Does packet filtering see traffic enter or leave through this interface? Not when it is shut
 * down, nor through a loopback or Null interface (a packet to a loopback address is for the router
 * and arrives through another interface), nor through one that routes nothing: no address, not
 * unnumbered, no IPv6 - the ATM or Ethernet port under a dialer, a switchport, a port-channel
 * member. One that an ACL, a zone or NAT names carries traffic whatever else the file shows.
 */
function carriesTraffic(i: IosInterface): boolean {
  if (i.shutdown || /^(loopback|null)/i.test(i.name)) return false;
  const bound = ([4, 6] as const).some((f) => i.bindings[f].in || i.bindings[f].out);
  return i.addresses.length > 0 || i.ipv6 || !!i.unnumbered || bound || !!i.zone || !!i.nat;
}
