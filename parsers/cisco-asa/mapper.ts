/**
 * AsaConfig -> Ruleset.
 *
 * Transit traffic is one `forward` pipeline per family with these stages:
 *   1. `nat/static` (dstnat): static NAT and static PAT (object NAT, twice NAT, pre-8.3 `static`)
 *      rewrite a mapped address/port to the real inside host. Since ASA 8.3 access lists are
 *      written with real addresses, so the stage runs before the access lists; for configs older
 *      than 8.3 (`ASA Version 8.2`) it runs after the inbound access lists, which use mapped ones.
 *   2. `access-list out/access-group out` (filter, only when some interface has an `out` list):
 *      a packet leaving through such an interface jumps to its list (same implicit deny as
 *      below); a rule passes packets leaving through the other interfaces (ASA checks no list
 *      there), and the chain's DROP policy is never reached. The stage runs before the inbound
 *      one because the last filter stage that accepts is the one findings name, and what admits
 *      a connection is the inbound decision; on pre-8.3 configs with NAT it runs last instead,
 *      after the NAT stage, since their outbound lists see real addresses and inbound ones
 *      mapped addresses.
 *   3. `access-list/access-group in` (filter): established and related packets pass (ASA is
 *      stateful); on interfaces an access list decides, same-security and hairpin traffic is
 *      dropped first unless `same-security-traffic` permits it; a packet arriving on an interface
 *      with an inbound access list jumps to that list (chain `access-list/NAME`), then to the
 *      `global` list if there is one; the implicit deny is a rule at the end of the last list
 *      consulted (span: its access-group line; left out when an entry already matches every
 *      packet of the families, `deny ip any any` or `permit ip any any`). Without an inbound or
 *      global list an interface accepts towards the interfaces of lower security level (and
 *      equal ones, or itself, as same-security-traffic permits); the chain's DROP policy refuses
 *      the rest. The interface a packet leaves through is its `oif`, and also where connected
 *      subnets and static routes send its destination (longest prefix): a packet cannot escape a
 *      level's verdict by being said to leave elsewhere (except on pre-8.3 configs with NAT,
 *      whose inbound lists see mapped destinations).
 * Management access to the box (`ssh`, `telnet`, `http` with `http server enable`, IKE) is the
 * `inbound` pipeline, `management/to-the-box`.
 * Interface conditions name the `nameif`. Inactive entries are not rules.
 *
 * A file without `interface` blocks is a fragment of a configuration (access lists and their
 * bindings kept apart): an access-group or management command naming an interface binds to an
 * interface of that name, with a warning; its security level and same-security settings live in
 * the part of the configuration the file lacks, so only the bound lists decide there, and the
 * Internet side is left to `.fwlint.yaml` (every interface by default).
 */
import type { AddrRange, Chain, Condition, Diagnostic, Family, Pipeline, Rule, Ruleset, SourceSpan, Stage } from "../../src/model/types.js";
import { isPrefixRange, mergeAddrRanges } from "../../src/model/address.js";
import { deviceRoutes, routesChain, type StaticRoute, staticRoutesUnused } from "../../src/model/routing.js";
import { chainKey, type ConnectedSubnets } from "../../src/model/types.js";
import type { Ace, AccessGroup, AddrSpec, AsaConfig, AsaInterface, IcmpRule, NatRule, Pos, Service } from "./config.js";
import { addrConditions, serviceConditions, withPorts } from "./conditions.js";
import { sureFirstRules } from "../sure-first.js";
import { type AddrSet, Resolver } from "./objects.js";

const IN_TABLE = "access-list";
const OUT_TABLE = "access-list out";
const INGRESS = "access-group in";
const EGRESS = "access-group out";
const NAT_TABLE = "nat";
const NAT_CHAIN = "static";
const MGMT_TABLE = "management";
const MGMT_CHAIN = "to-the-box";

/** An interface of the file, by its nameif. */
interface Nameif {
  name: string;
  level: number;
  iface: AsaInterface;
}

/** An interface policy names: one of the file's, or one a fragment names without defining it. */
type Named = Nameif | { name: string; level?: undefined; iface?: undefined };

export function levelOf(i: AsaInterface): number {
  return i.level ?? (i.nameif === "inside" ? 100 : 0);
}

const iif = (name: string): Condition => ({ kind: "iface", field: "iif", name, prefix: false });
const oif = (name: string): Condition => ({ kind: "iface", field: "oif", name, prefix: false });
const oneOf = (field: "iif" | "oif", names: string[]): Condition =>
  names.length === 1 ? (field === "iif" ? iif(names[0]!) : oif(names[0]!)) : { kind: "or", anyOf: names.map((n) => [field === "iif" ? iif(n) : oif(n)]) };

/**
 * A static NAT of a subnet or range translates address by address: the k-th mapped address is the
 * k-th real one. So when both sides are one block of the same size - or the mapped side is an
 * address written inline, which ASA widens to a block the size of the real one (a subnet's
 * network, or a range starting there) - the mapping is 1:1 and the mapped block is returned.
 */
function staticMapping(mapped: readonly AddrRange[], real: readonly AddrRange[], inlineMapped: boolean): { mapped: AddrRange } | undefined {
  if (mapped.length !== 1 || real.length !== 1) return undefined;
  const m = mapped[0]!;
  const r = real[0]!;
  const size = r.hi - r.lo + 1n;
  if (size === 1n) return undefined;
  if (m.hi - m.lo + 1n === size) return { mapped: m };
  if (!inlineMapped || m.lo !== m.hi) return undefined;
  const lo = isPrefixRange(r) ? m.lo - (m.lo % size) : m.lo;
  return { mapped: { lo, hi: lo + size - 1n } };
}

export class Mapper {
  private readonly resolver: Resolver;
  private readonly chains = new Map<string, Chain>();
  private readonly named: Named[];
  private families: Family[];
  /** No `interface` block: a fragment of a configuration (see the module comment). */
  private readonly fragment: boolean;

  constructor(
    private readonly config: AsaConfig,
    private readonly file: string,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.resolver = new Resolver(config, file, diagnostics);
    this.named = config.interfaces.filter((i) => i.nameif !== undefined).map((i) => ({ name: i.nameif!, level: levelOf(i), iface: i }));
    this.fragment = config.interfaces.length === 0;
    // `any` matches both families since 9.0, but a box none of whose interfaces speaks IPv6
    // forwards none: only a fragment (its interfaces unknown) is taken to carry IPv6 for it.
    this.families = config.usesIPv6 || (config.usesAny && config.interfaces.length === 0) ? [4, 6] : [4];
  }

  private span(pos: Pos, text?: string): SourceSpan {
    return { file: this.file, line: pos.line, column: pos.column, text: text ?? pos.text };
  }

  private get firstPos(): Pos {
    return this.config.versionPos ?? this.config.interfaces[0]?.pos ?? { line: 1, column: 1, text: "" };
  }

  private diag(severity: Diagnostic["severity"], pos: Pos, message: string): void {
    this.diagnostics.push({ severity, message, file: this.file, line: pos.line, column: pos.column });
  }

  map(): Ruleset {
    const bindings = this.bindings();
    const forward: Stage[] = [];
    const nat = this.natChain();
    const legacy = this.config.version !== undefined && (this.config.version[0] < 8 || (this.config.version[0] === 8 && this.config.version[1] < 3));
    // the inbound lists of a pre-8.3 config with NAT see mapped destinations, which routes do not know
    const ingress = this.ingressChain(bindings, !(legacy && nat));
    const egress = this.egressChain(bindings);
    const natStage: Stage[] = nat ? [{ chain: nat, role: "dstnat" }] : [];
    const egressStage: Stage[] = egress ? [{ chain: egress, role: "filter" }] : [];
    if (legacy && nat) forward.push({ chain: ingress, role: "filter" }, ...natStage, ...egressStage);
    else forward.push(...natStage, ...egressStage, { chain: ingress, role: "filter" });
    // last: it only takes packets away, and splitting every flow by interface before the access
    // lists would make each of their rules work once per interface (ASA bench: eval +40%)
    const subnets = this.subnets();
    const routes = this.routesStage(new Set(bindings.out.keys()));
    if (routes) forward.push({ chain: routes, role: "filter" });
    const mgmt = this.managementChain();
    this.unboundLists(bindings);
    this.resolver.checkAllGroups();
    const pipelines: Pipeline[] = [];
    for (const family of this.families) {
      pipelines.push({ kind: "forward", family, stages: forward.map((s) => ({ ...s })) });
      pipelines.push({ kind: "inbound", family, stages: [{ chain: mgmt, role: "filter" }] });
    }
    const nameifs = this.nameifs();
    const lowest = Math.min(...nameifs.map((n) => n.level));
    return {
      format: "cisco-asa",
      file: this.file,
      families: this.families,
      chains: this.chains,
      pipelines,
      diagnostics: this.diagnostics,
      // every access-list entry of the file, bound or not, active or not
      ruleCount: [...this.config.accessLists.values()].reduce((n, a) => n + a.entries.filter((e) => e.kind === "ace").length, 0),
      ...(nameifs.length > 0 ? { internetInterfaces: nameifs.filter((n) => n.level === lowest).map((n) => n.name) } : {}),
      ...(subnets.length > 0 ? { connected: subnets } : {}),
      ...(this.routed().length > 0 ? { routed: this.routed() } : {}),
      ...(this.config.httpServer ? { deviceServices: [{ id: "asdm", name: "ASDM web management", protocol: 6, ports: [[this.config.httpServer.port, this.config.httpServer.port]], span: this.span(this.config.httpServer.pos) }] } : {}),
      // traffic enters and leaves on the nameifs only - unless the file is a fragment, or shows one
      // interface (a firewall that forwards nothing but hairpins: more likely an excerpt)
      ...(nameifs.length > 1 && !this.fragment ? { interfaces: nameifs.map((n) => n.name) } : {}),
    };
  }

  // ---- interfaces

  /**
   * The routes stage (src/model/routing.ts), after everything (so after the NAT that rewrites
   * destinations): a packet that the routes (connected subnets, static routes) send out of an
   * interface with an outbound access list leaves through that interface, so that list cannot be
   * bypassed by leaving elsewhere. Only those interfaces: the stage splits every accepted flow by
   * interface, and on a box of many interfaces without outbound lists (ASA bench: 33) that cost a
   * third more evaluation time. Where security levels decide, the ingress chain reads the routes
   * itself (see ingressChain); where an inbound list decides, the interface a packet leaves through
   * does not matter. One chain for both families.
   */
  private routesStage(withOutList: ReadonlySet<string>): string | undefined {
    const at = (name: string) => {
      const n = this.nameifs().find((x) => x.name === name);
      return n && this.span(n.iface.pos);
    };
    const routed = this.routed().filter((c) => withOutList.has(c.iface));
    const chain = routesChain("routing", routed, this.families, this.span(this.firstPos, "(routes)"), at, this.staticRoutesApply());
    if (!chain) return undefined;
    const key = chainKey(chain.table, chain.name);
    this.chains.set(key, chain);
    return key;
  }

  /** A packet leaves through one of `names`: it is said to, or (`routed`) routes send it there. */
  private leaving(names: string[], routed: boolean): Condition {
    const alts: Condition[][] = names.map((name) => [oif(name)]);
    if (routed) for (const r of this.routed()) if (names.includes(r.iface)) alts.push([{ kind: "addr", field: "dst", family: r.family, ranges: r.ranges }]);
    return alts.length === 1 ? alts[0]![0]! : { kind: "or", anyOf: alts };
  }

  private routedMemo: ConnectedSubnets[] | undefined;

  /**
   * Per interface and family, the destinations the routes send out of it: the connected subnets of
   * the nameifs, and the static routes to a nameif or to Null0 (dropped: it is no interface), by
   * longest-prefix match (src/model/routing.ts). Static routes only when the file has them all: a
   * routing protocol may learn a more specific route anywhere outside the connected subnets.
   */
  private routed(): ConnectedSubnets[] {
    if (this.routedMemo) return this.routedMemo;
    const dynamic = this.config.dynamicRouting;
    if (dynamic && this.config.routes.length > 0) this.diag("info", dynamic, staticRoutesUnused(dynamic.text.trim()));
    const statics: StaticRoute[] = [];
    for (const r of this.staticRoutesApply() ? this.config.routes : []) {
      const null0 = /^null0$/i.test(r.iface);
      const known = null0 || this.nameifs().some((n) => n.name === r.iface);
      if (!known && !this.fragment) this.diag("warning", { ...r.pos, column: r.pos.text.indexOf(r.iface) + 1 || r.pos.column }, `interface '${r.iface}' is not a nameif of this config (line ${r.pos.line}); where the route leads is unknown`);
      statics.push({ via: null0 ? "Null0" : known ? r.iface : undefined, family: r.family, range: r.range, distance: r.distance });
    }
    return (this.routedMemo = deviceRoutes(this.subnets(), statics));
  }

  /** The file's static routes tell where packets leave: it has some, and no routing protocol may override them. */
  private staticRoutesApply(): boolean {
    return this.config.routes.length > 0 && !this.config.dynamicRouting;
  }

  /** The subnets of the nameifs' addresses, per family. */
  private subnets(): ConnectedSubnets[] {
    return this.nameifs()
      .flatMap((n) => ([4, 6] as const).map((family) => ({ iface: n.name, family, ranges: n.iface.subnets.filter((s) => s.family === family).map((s) => s.range) })))
      .filter((c) => c.ranges.length > 0);
  }

  /** The interfaces the file defines: every named one, but in a fragment, which defines none. */
  private nameifs(): Nameif[] {
    return this.named.filter((n): n is Nameif => n.iface !== undefined);
  }

  /**
   * The interface a command names: a nameif of the file, or, in a fragment, an interface of that
   * name (reported once, when first named). Undefined when a complete configuration lacks it.
   */
  private interfaceNamed(name: string, pos: Pos): Named | undefined {
    const known = this.named.find((n) => n.name === name);
    if (known || !this.fragment) return known;
    const column = pos.text.lastIndexOf(name) + 1 || pos.column;
    this.diag("warning", { ...pos, column }, `interface '${name}' is not defined in this file (a configuration fragment, without interface blocks): bound as an interface of that name, its security level unknown`);
    const added: Named = { name };
    this.named.push(added);
    return added;
  }

  // ---- access-group bindings

  private bindings(): { in: Map<string, AccessGroup>; out: Map<string, AccessGroup>; global?: AccessGroup } {
    const res: { in: Map<string, AccessGroup>; out: Map<string, AccessGroup>; global?: AccessGroup } = { in: new Map(), out: new Map() };
    for (const g of this.config.accessGroups) {
      if (!this.config.accessLists.has(g.acl)) {
        this.diag("error", { ...g.pos, column: g.pos.text.indexOf(g.acl) + 1 || g.pos.column }, `access-list '${g.acl}' is not defined (line ${g.pos.line}); the access-group is ignored`);
        continue;
      }
      if (g.direction === "global") {
        res.global = g;
        continue;
      }
      if (!this.interfaceNamed(g.iface!, g.pos)) {
        this.diag("error", { ...g.pos, column: g.pos.text.lastIndexOf(g.iface!) + 1 || g.pos.column }, `interface '${g.iface}' is not a nameif of this config (line ${g.pos.line}); the access-group is ignored`);
        continue;
      }
      (g.direction === "in" ? res.in : res.out).set(g.iface!, g);
    }
    return res;
  }

  /**
   * The access lists no access-group binds: another feature's (a word of another command names
   * them) have their names resolved only; one nothing uses becomes a chain nothing enters.
   */
  private unboundLists(b: ReturnType<Mapper["bindings"]>): void {
    const bound = new Set<string>([...b.in.values(), ...b.out.values()].map((g) => g.acl));
    if (b.global) bound.add(b.global.acl);
    for (const acl of this.config.accessLists.values()) {
      if (bound.has(acl.name)) continue;
      if (this.config.referencedWords.has(acl.name)) {
        // another feature's list (VPN, class-map, capture ...): still resolve its names, undefined
        // objects are configuration errors wherever they are
        for (const e of acl.entries) if (e.kind === "ace") for (const a of this.expansionsFor(e) ?? [e]) this.aceConditions(a);
        continue;
      }
      // a list nothing uses: a chain of its own, which nothing enters (reported as never applied),
      // for the checks of a list's own entries
      const chain = this.chains.get(this.aclChain(IN_TABLE, acl.name, undefined))!;
      const entries = acl.entries.filter((e) => e.kind === "ace" && !e.inactive).length;
      chain.applied = { by: "no interface binds it with access-group, and no other command uses it", entries, ...(this.fragment ? { elsewhere: true as const } : {}) };
    }
  }

  // ---- access lists

  /** The chain for an access list (created once per table); ends with the implicit deny when asked. */
  private aclChain(table: string, name: string, denyAt: AccessGroup | undefined): string {
    const key = chainKey(table, name);
    if (this.chains.has(key)) return key;
    const acl = this.config.accessLists.get(name)!;
    const rules: Rule[] = [];
    let remark: string[] = [];
    // a group with an fqdn object beside hosts matches the hosts for certain: that part first
    const add = (id: string, a: Ace, comment: string | undefined) => {
      const rule: Rule = { id, conditions: this.aceConditions(a), action: a.action === "permit" ? { kind: "accept" } : { kind: "drop" }, span: this.span(a.pos) };
      if (comment !== undefined) rule.comment = comment;
      for (const r of sureFirstRules(rule)) rules.push(r);
    };
    for (let idx = 0; idx < acl.entries.length; idx++) {
      const e = acl.entries[idx]!;
      if (e.kind === "remark") {
        remark.push(e.text);
        continue;
      }
      const comment = remark.length > 0 ? remark.join(" ") : undefined;
      remark = [];
      if (e.inactive) continue;
      const expanded = this.expansionsFor(e);
      if (!expanded) add(`${name}#${idx + 1}`, e, comment);
      else for (let k = 0; k < expanded.length; k++) add(`${name}#${idx + 1}.${k + 1}`, expanded[k]!, comment);
    }
    const open = denyAt ? this.familiesLeftOpen(rules) : [];
    if (denyAt && open.length > 0) {
      rules.push({
        id: `${name}#implicit-deny`,
        conditions: open.length < this.families.length ? [{ kind: "family", family: open[0]! }] : [],
        action: { kind: "drop" },
        span: this.span(denyAt.pos, `${denyAt.pos.text.trim()} (implicit deny at the end of access-list ${name})`),
        comment: `implicit deny at the end of access-list ${name}`,
        implied: true,
      });
    }
    this.chains.set(key, { name, table, rules, span: this.span(acl.pos), label: `access-list ${name}` });
    return key;
  }

  /** show access-list output without the group definitions: the expansions say what matches. */
  private expansionsFor(e: Ace): Ace[] | undefined {
    return e.expansions && !this.namesDefined(e) ? e.expansions : undefined;
  }

  /** Whether every object and group an entry names is defined in the file. */
  private namesDefined(ace: Ace): boolean {
    const c = this.config;
    const addr = (s: AddrSpec) => (s.kind === "object" ? c.networkObjects.has(s.name) : s.kind === "group" ? c.groups.has(s.name) : true);
    const p = ace.proto;
    const proto = p.kind === "object" ? c.serviceObjects.has(p.name) : p.kind === "group" ? c.groups.has(p.name) : true;
    const group = (g: { kind: string; name?: string } | undefined) => g?.kind !== "group" || c.groups.has(g.name!);
    return addr(ace.src) && addr(ace.dst) && proto && group(ace.sport) && group(ace.dport) && group(ace.icmp);
  }

  /**
   * The families the implicit deny still has packets of: those no entry matches whole. An entry
   * matching every packet of a family (`permit ip any any`, `deny ip any4 any4`), wherever it
   * stands and whatever it decides, leaves nothing of that family to the entries after it: a
   * synthesized deny there would be a rule no packet reaches, reported as shadowed and as a rule
   * after a catch-all at the access-group line, about a rule the file does not have.
   */
  private familiesLeftOpen(rules: Rule[]): Family[] {
    const open = new Set<Family>(this.families);
    for (const r of rules) {
      if (r.conditions.some((c) => c.kind !== "family")) continue;
      const fams = new Set(r.conditions.map((c) => (c as { family: Family }).family));
      if (fams.size === 0) return [];
      if (fams.size === 1) open.delete([...fams][0]!); // two different families: matches nothing
    }
    return [...open];
  }

  /**
   * An ACE's conditions. The conditions of an object or group slot, and of a service slot, are
   * made once per file and shared by the entries that name the same ones (20k ACEs over 2k groups):
   * the model holds one condition object per group, and the engine compiles a shared `or` once.
   * Only resolutions that reported nothing are kept: an entry naming an undefined group still gets
   * its own error, at its own line.
   */
  private aceConditions(ace: Ace): Condition[] {
    const conds = this.addrSlot("src", ace.src).concat(this.addrSlot("dst", ace.dst), this.serviceSlot(ace));
    for (const u of ace.unknown) conds.push({ kind: "unknown", text: u, reason: "ASA matches it on data fwlint does not have (identity, TrustSec or time)" });
    return conds;
  }

  private readonly slotConditions = new Map<string, Condition[]>();

  /** `make()`, kept under `key` when it reported no diagnostic (see aceConditions); undefined key: not kept. */
  private sharedSlot(key: string | undefined, make: () => Condition[]): Condition[] {
    const known = key === undefined ? undefined : this.slotConditions.get(key);
    if (known) return known;
    const before = this.diagnostics.length;
    const conds = make();
    if (key !== undefined && this.diagnostics.length === before) this.slotConditions.set(key, conds);
    return conds;
  }

  private addrSlot(field: "src" | "dst", spec: AddrSpec): Condition[] {
    const key = spec.kind === "object" || spec.kind === "group" ? `${field} ${spec.kind} ${spec.name}` : undefined;
    return this.sharedSlot(key, () => {
      const text = spec.kind === "object" || spec.kind === "group" || spec.kind === "interface" ? `${spec.kind === "group" ? "object-group" : spec.kind} ${spec.name}` : spec.kind;
      return addrConditions(field, this.resolver.address(spec), text);
    });
  }

  private serviceSlot(ace: Ace): Condition[] {
    const p = ace.proto;
    // (a clause that leaves no port, `lt 0`, is told apart from no clause: it matches nothing)
    const port = (c: Ace["sport"]) => (!c ? "" : c.kind === "group" ? `group ${c.name}` : `ports ${c.ranges.map(([a, b]) => `${a}-${b}`).join(",")}`);
    const icmp = !ace.icmp ? "" : ace.icmp.kind === "group" ? `group ${ace.icmp.name}` : `${ace.icmp.sel.type ?? "*"}/${ace.icmp.sel.code ?? "*"}`;
    const key = `${p.kind === "protos" ? `protos ${p.text} ${p.protos?.join(",") ?? "*"}` : `${p.kind} ${p.name}`}|${port(ace.sport)}|${port(ace.dport)}|${icmp}`;
    return this.sharedSlot(key, () => this.serviceConditionsOf(ace));
  }

  private serviceConditionsOf(ace: Ace): Condition[] {
    const r = this.resolver;
    let services: Service[];
    let svcText: string;
    const p = ace.proto;
    if (p.kind === "protos") {
      const base: Service = { protos: p.protos };
      if (ace.icmp) {
        const fam = p.protos?.[0] === 58 ? 6 : 4;
        if (ace.icmp.kind === "sel") base.icmp = [ace.icmp.sel];
        else {
          const g = r.icmpGroup(ace.icmp.name, ace.icmp.pos);
          base.icmp = g.sels;
          if (g.unknown.length) base.unknown = g.unknown;
          if (g.sels.length === 0 && g.unknown.length === 0) base.protos = [];
        }
        base.icmpFamily = fam;
      }
      services = [base];
      svcText = p.text;
    } else if (p.kind === "object") {
      services = r.serviceObject(p.name, p.pos);
      svcText = `object ${p.name}`;
    } else {
      services = r.serviceGroup(p.name, p.pos);
      svcText = `object-group ${p.name}`;
    }
    const ports = (c: Ace["sport"]) => {
      if (!c) return { ranges: undefined, unknown: [] as string[] };
      if (c.kind === "ranges") return { ranges: c.ranges, unknown: [] as string[] };
      const g = r.portGroup(c.name, c.pos);
      return { ranges: g.ranges, unknown: g.unknown };
    };
    const sp = ports(ace.sport);
    const dp = ports(ace.dport);
    services = withPorts(services, sp.ranges, dp.ranges);
    if (sp.unknown.length || dp.unknown.length) services = services.map((s) => ({ ...s, unknown: [...(s.unknown ?? []), ...sp.unknown, ...dp.unknown] }));
    return serviceConditions(services, svcText);
  }

  // ---- stages

  /**
   * `routed`: the chain sees the destinations routing does (not a pre-8.3 config's mapped ones), so
   * the interface a packet leaves through is also where routes send it (see leaving).
   */
  private ingressChain(b: ReturnType<Mapper["bindings"]>, routed: boolean): string {
    const rules: Rule[] = [];
    const add = (id: string, conditions: Condition[], action: Rule["action"], pos: Pos, text?: string): Rule => {
      const r: Rule = { id: `${INGRESS}#${id}`, conditions, action, span: this.span(pos, text) };
      rules.push(r);
      return r;
    };
    // A management-only interface takes traffic to the box only: nothing passes through it.
    for (const n of this.nameifs()) {
      const at = n.iface.managementOnly;
      if (!at) continue;
      add(`management-only-${n.name}`, [{ kind: "or", anyOf: [[iif(n.name)], [oif(n.name)]] }], { kind: "drop" }, at, `${at.text.trim()} (${n.name}: no traffic through the box)`).implied = true;
    }
    add("established", [{ kind: "ctstate", states: ["established", "related"] }], { kind: "accept" }, this.firstPos, "(stateful: packets of established and related connections)");
    const ifacePos = (n: Nameif): Pos => n.iface.levelPos ?? n.iface.pos;
    const hasGlobal = b.global !== undefined;
    // Same-security and hairpin traffic is refused before any access list can permit it; an
    // interface without access lists only ever accepts towards the levels it may reach. Both
    // need the levels and settings of the file's own interfaces: a fragment has none.
    const nameifs = this.nameifs();
    for (const n of nameifs) {
      if (!hasGlobal && !b.in.has(n.name)) continue;
      const pos = ifacePos(n);
      // Back out of the arriving interface as the packet says (its own subnet's hosts are reached
      // without the firewall; a route condition here costs every interface's flow a copy of its own,
      // ASA bench: +8% in all).
      if (!this.config.sameSecurityIntra) add(`hairpin-${n.name}`, [iif(n.name), oif(n.name)], { kind: "drop" }, pos, `${pos.text.trim()} (back out of the same interface: no same-security-traffic permit intra-interface)`);
      const peers = nameifs.filter((m) => m !== n && m.level === n.level).map((m) => m.name);
      if (!this.config.sameSecurityInter && peers.length > 0) add(`same-security-${n.name}`, [iif(n.name), this.leaving(peers, routed)], { kind: "drop" }, pos, `${pos.text.trim()} (same security level: no same-security-traffic permit inter-interface)`);
    }
    for (const n of this.named) {
      const g = b.in.get(n.name);
      if (!g) continue;
      const chain = this.aclChain(IN_TABLE, g.acl, hasGlobal && g.acl !== b.global!.acl ? undefined : g);
      add(`in-${n.name}`, [iif(n.name)], { kind: "jump", chain: chain.slice(IN_TABLE.length + 1) }, g.pos);
    }
    if (b.global) {
      const chain = this.aclChain(IN_TABLE, b.global.acl, b.global);
      add("global", [], { kind: "jump", chain: chain.slice(IN_TABLE.length + 1) }, b.global.pos);
    } else {
      for (const n of nameifs) {
        if (b.in.has(n.name)) continue;
        const allowed = nameifs
          .filter((m) => m.level < n.level || (m.level === n.level && (m === n ? this.config.sameSecurityIntra : this.config.sameSecurityInter)))
          .map((m) => m.name);
        const pos = ifacePos(n);
        if (allowed.length === 0) continue;
        // Routes decide which interface a packet leaves through: what they send out of an
        // interface this one may not reach is refused, whichever interface a packet is said to take.
        const barred = routed ? this.routed().filter((r) => !allowed.includes(r.iface)) : [];
        for (const family of this.families) {
          const to = barred.filter((r) => r.family === family);
          if (to.length === 0) continue;
          const text = `${pos.text.trim()} (no inbound access-list: routes send these destinations out of ${to.map((r) => r.iface).join(", ")}, which ${n.name} may not reach)`;
          const dst: Condition = { kind: "addr", field: "dst", family, ranges: mergeAddrRanges(to.flatMap((r) => r.ranges)) };
          add(`security-level-${n.name}-routes${family === 6 ? "-v6" : ""}`, [iif(n.name), dst], { kind: "drop" }, pos, text).implied = true;
        }
        add(`security-level-${n.name}`, [iif(n.name), oneOf("oif", allowed)], { kind: "accept" }, pos, `${pos.text.trim()} (no inbound access-list: ${n.name} may reach ${allowed.join(", ")})`);
      }
    }
    const key = chainKey(IN_TABLE, INGRESS);
    this.chains.set(key, { name: INGRESS, table: IN_TABLE, rules, policy: "drop", span: this.span(this.firstPos, "(ASA ingress: interface access-groups and security levels)"), label: "the interfaces' access-group in and security levels" });
    return key;
  }

  /**
   * Packets leaving through an interface with an `out` access list jump to it (the list decides
   * every packet: it ends in the implicit deny or in an entry matching all); a rule passes the
   * rest. A rule, not an ACCEPT policy: passing an interface without an outbound list is how ASA
   * works, not a default that lets in what no rule decided (the inbound stage decides that).
   */
  private egressChain(b: ReturnType<Mapper["bindings"]>): string | undefined {
    if (b.out.size === 0) return undefined;
    // return traffic is not checked against any access list, outbound ones included
    const rules: Rule[] = [
      { id: `${EGRESS}#established`, conditions: [{ kind: "ctstate", states: ["established", "related"] }], action: { kind: "accept" }, span: this.span(this.firstPos, "(stateful: packets of established and related connections)") },
    ];
    for (const n of this.named) {
      const g = b.out.get(n.name);
      if (!g) continue;
      const chain = this.aclChain(OUT_TABLE, g.acl, g);
      rules.push({ id: `${EGRESS}#out-${n.name}`, conditions: [oif(n.name)], action: { kind: "jump", chain: chain.slice(OUT_TABLE.length + 1) }, span: this.span(g.pos) });
    }
    const withList = [...b.out.keys()].map((name): Condition => ({ kind: "iface", field: "oif", name, prefix: false, negate: true }));
    const text = "(ASA egress: interfaces without an outbound access-group pass)";
    rules.push({ id: `${EGRESS}#other-interfaces`, conditions: withList, action: { kind: "accept" }, span: this.span(this.firstPos, text), comment: "no outbound access list on the egress interface", implied: true });
    const key = chainKey(OUT_TABLE, EGRESS);
    this.chains.set(key, { name: EGRESS, table: OUT_TABLE, rules, policy: "drop", span: this.span(this.firstPos, text), label: "the interfaces' access-group out" });
    return key;
  }

  // ---- NAT

  private natChain(): string | undefined {
    const rules: Rule[] = [];
    // ASA's NAT table: manual NAT, then object NAT, then manual NAT after-auto, whatever the
    // order of the lines in the file (a stable sort keeps each section's own order).
    const ordered = this.config.nat.map((n, i) => ({ n, i })).sort((a, b) => a.n.section - b.n.section);
    for (const { n, i } of ordered) rules.push(...this.natRules(n, i));
    if (rules.length === 0) return undefined;
    const key = chainKey(NAT_TABLE, NAT_CHAIN);
    this.chains.set(key, { name: NAT_CHAIN, table: NAT_TABLE, rules, policy: "accept", span: this.span(this.config.nat[0]!.pos, "(ASA static NAT)"), label: "static NAT" });
    return key;
  }

  private natSet(spec: AddrSpec | { kind: "mapped-interface" }, mappedIf: string | undefined): AddrSet {
    if (spec.kind === "mapped-interface") {
      const v4 = this.resolver.interfaceRanges(mappedIf, 4);
      const v6 = this.resolver.interfaceRanges(mappedIf, 6);
      return { v4, v6, unknown: v4.length + v6.length === 0 ? [`address of interface ${mappedIf ?? "any"}`] : [] };
    }
    return this.resolver.address(spec);
  }

  /** Destination rewrites of one NAT statement, one rule per family it covers. */
  private natRules(n: NatRule, index: number): Rule[] {
    const out: Rule[] = [];
    // one statement: its rules share the span, so that checks judge and name it whole
    const span = this.span(n.pos);
    const emit = (tag: string, match: Condition[], from: AddrSet, to: AddrSet, ports: { protos: number[]; mapped: [number, number]; real: [number, number] } | undefined, inlineMapped = false) => {
      for (const family of [4, 6] as const) {
        let f = family === 4 ? from.v4 : from.v6;
        const t = family === 4 ? to.v4 : to.v6;
        if (f.length === 0 || t.length === 0 || from.unknown.length > 0 || to.unknown.length > 0) continue;
        const oneToOne = staticMapping(f, t, inlineMapped);
        if (oneToOne) f = [oneToOne.mapped];
        if (f.length === t.length && f.every((r, k) => r.lo === t[k]!.lo && r.hi === t[k]!.hi) && !ports) continue; // identity NAT
        const lo = t[0]!.lo;
        const hi = t[t.length - 1]!.hi;
        const conds: Condition[] = [...match, { kind: "addr", field: "dst", family, ranges: f }];
        if (ports) conds.push({ kind: "proto", protos: ports.protos }, { kind: "port", field: "dport", ranges: [ports.mapped] });
        out.push({
          id: `nat#${index + 1}${tag}${family === 6 ? "-v6" : ""}`,
          conditions: conds,
          action: { kind: "dnat", to: { addr: { lo, hi }, ...(ports ? { ports: ports.real } : {}), ...(oneToOne ? { map: { kind: "offset" as const, from: oneToOne.mapped.lo } } : {}) }, target: "static NAT" },
          span,
        });
      }
    };
    let ports: { protos: number[]; mapped: [number, number]; real: [number, number] } | undefined;
    if (n.ports && "protos" in n.ports) ports = n.ports;
    else if (n.ports) ports = this.natServicePorts(n.ports.real, n.ports.mapped, n.ports.pos);
    if (n.sourceMapped) {
      const match: Condition[] = n.mappedIf ? [iif(n.mappedIf)] : [];
      if (n.destination) {
        const peer = this.resolver.address(n.destination.real);
        match.push(...addrConditions("src", peer, "twice NAT destination"));
      }
      const inline = n.sourceMapped.kind === "range" && n.sourceMapped.range.lo === n.sourceMapped.range.hi;
      emit("", match, this.natSet(n.sourceMapped, n.mappedIf), this.resolver.address(n.sourceReal), ports, inline);
    }
    if (n.destination) {
      const match: Condition[] = n.realIf ? [iif(n.realIf)] : [];
      match.push(...addrConditions("src", this.resolver.address(n.sourceReal), "twice NAT source"));
      // `service A B` with a destination translation: A is the mapped destination port, B the real one
      const destPorts = n.ports && !("protos" in n.ports) ? this.natServicePorts(n.ports.mapped, n.ports.real, n.ports.pos) : undefined;
      emit("-destination", match, this.resolver.address(n.destination.mapped), this.resolver.address(n.destination.real), destPorts);
    }
    return out;
  }

  private natServicePorts(real: string, mapped: string, pos: Pos): { protos: number[]; mapped: [number, number]; real: [number, number] } | undefined {
    const r = this.resolver.serviceObject(real, pos)[0]!;
    const m = this.resolver.serviceObject(mapped, pos)[0]!;
    const rp = r.dport ?? r.sport;
    const mp = m.dport ?? m.sport;
    if (!rp || !mp || rp.length !== 1 || mp.length !== 1 || m.protos === null || rp[0]![0] !== rp[0]![1]) return undefined;
    return { protos: m.protos, mapped: mp[0]!, real: rp[0]! };
  }

  // ---- management (to the box)

  /**
   * ICMP to the box. An interface with `icmp` rules of a family (`ipv6 icmp` for IPv6) has them
   * as a chain of their own (`icmp outside`, `ipv6 icmp outside`): the first that matches decides,
   * and an implicit deny ends them unless a rule for every ICMP packet already does. Without
   * rules, ASA answers every ICMP packet to the interface's address.
   */
  private icmpRules(nameifs: readonly Nameif[]): Rule[] {
    const lists = new Map<string, { name: string; family: Family; iface: Named; rules: IcmpRule[] }>();
    for (const r of this.config.icmpRules) {
      const iface = this.interfaceNamed(r.iface, r.pos);
      if (!iface) {
        this.diag("warning", r.pos, `'${r.family === 6 ? "ipv6 icmp" : "icmp"}' names interface '${r.iface}', which is not a nameif of this config`);
        continue;
      }
      const key = `${r.iface}|${r.family}`;
      const list = lists.get(key) ?? { name: r.iface, family: r.family, iface, rules: [] };
      list.rules.push(r);
      lists.set(key, list);
    }
    const rules: Rule[] = [];
    for (const { name, family, iface, rules: mine } of lists.values()) {
      const chain = `${family === 6 ? "ipv6 icmp" : "icmp"} ${name}`;
      const body: Rule[] = mine.map((r, i) => ({
        id: `${chain}#${i + 1}`,
        conditions: [...addrConditions("src", this.resolver.address(r.src), "icmp"), { kind: "icmp", family, ...(r.type !== undefined ? { type: r.type } : {}) }],
        action: { kind: r.action === "permit" ? "accept" : "drop" },
        span: this.span(r.pos),
      }));
      // a rule for every ICMP packet from anyone already ends them (as `icmp deny any IF` does)
      if (!mine.some((r) => r.type === undefined && r.src.kind === "any" && r.src.families.includes(family))) {
        body.push({ id: `${chain}#implicit-deny`, conditions: [], action: { kind: "drop" }, span: this.span(mine[mine.length - 1]!.pos, `(implicit deny after the ${chain} rules)`), implied: true });
      }
      this.chains.set(chainKey(MGMT_TABLE, chain), { name: chain, table: MGMT_TABLE, rules: body, span: this.span(mine[0]!.pos) });
      rules.push({ id: `${MGMT_CHAIN}#${chain}`, conditions: [iif(name), ...ownAddress(iface.iface, [family]), { kind: "icmp", family }], action: { kind: "jump", chain }, span: this.span(mine[0]!.pos) });
    }
    const anyIcmp = (families: readonly Family[]): Condition => ({ kind: "or", anyOf: families.map((family) => [{ kind: "icmp", family }]) });
    // a fragment without interface blocks: on whatever interface
    if (nameifs.length === 0) rules.push({ id: `${MGMT_CHAIN}#icmp`, conditions: [anyIcmp(this.families)], action: { kind: "accept" }, span: this.span(this.firstPos, "(ICMP to the box: answered without 'icmp' rules)"), implied: true });
    for (const n of nameifs) {
      const open = this.families.filter((family) => !lists.has(`${n.name}|${family}`));
      if (open.length === 0) continue;
      rules.push({
        id: `${MGMT_CHAIN}#icmp-${n.name}`,
        conditions: [iif(n.name), ...ownAddress(n.iface, open), anyIcmp(open)],
        action: { kind: "accept" },
        span: this.span(n.iface.pos, `(ICMP to ${n.name}: answered without 'icmp' rules)`),
        implied: true,
      });
    }
    return rules;
  }

  private managementChain(): string {
    const rules: Rule[] = [];
    rules.push({ id: `${MGMT_CHAIN}#established`, conditions: [{ kind: "ctstate", states: ["established", "related"] }], action: { kind: "accept" }, span: this.span(this.firstPos, "(stateful: packets of established and related connections)") });
    const nameifs = this.nameifs();
    const lowest = Math.min(...nameifs.map((n) => n.level));
    this.config.management.forEach((m, i) => {
      const iface = this.interfaceNamed(m.iface, m.pos);
      if (!iface) {
        this.diag("warning", m.pos, `'${m.service}' names interface '${m.iface}', which is not a nameif of this config`);
        return;
      }
      if (m.service === "telnet" && iface.level === lowest && nameifs.some((n) => n.level > lowest)) {
        // ASA refuses Telnet to its lowest-security interface (except inside an IPsec tunnel)
        this.diag("info", m.pos, `telnet to the lowest-security interface '${m.iface}' is refused by ASA outside an IPsec tunnel; not modelled as open`);
        return;
      }
      const port = m.service === "ssh" ? this.config.sshPort : m.service === "telnet" ? 23 : this.config.httpServer!.port;
      rules.push({
        id: `${MGMT_CHAIN}#${m.service}-${i + 1}`,
        conditions: [iif(m.iface), ...ownAddress(iface.iface, this.families), ...addrConditions("src", this.resolver.address(m.addr), m.service), { kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[port, port]] }],
        action: { kind: "accept" },
        span: this.span(m.pos),
      });
    });
    for (const k of this.config.ikeInterfaces) {
      const iface = this.interfaceNamed(k.iface, k.pos);
      if (!iface) {
        this.diag("warning", k.pos, `IKE is enabled on interface '${k.iface}', which is not a nameif of this config`);
        continue;
      }
      rules.push({
        id: `${MGMT_CHAIN}#ike-${k.iface}`,
        conditions: [iif(k.iface), ...ownAddress(iface.iface, this.families), { kind: "proto", protos: [17] }, { kind: "port", field: "dport", ranges: [[500, 500], [4500, 4500]] }],
        action: { kind: "accept" },
        span: this.span(k.pos),
      });
    }
    rules.push(...this.icmpRules(nameifs));
    const key = chainKey(MGMT_TABLE, MGMT_CHAIN);
    this.chains.set(key, { name: MGMT_CHAIN, table: MGMT_TABLE, rules, policy: "drop", span: this.span(this.firstPos, "(traffic to the ASA itself)"), label: "traffic to the ASA itself" });
    return key;
  }
}

/**
 * Management access is to the address of the interface a packet arrives on: per family, that
 * interface's addresses, when the file shows them (none for `ip address dhcp`, or an interface a
 * fragment only names: any destination of that family, as before the address is known).
 */
function ownAddress(iface: AsaInterface | undefined, families: readonly Family[]): Condition[] {
  if (!iface || (iface.v4.length === 0 && iface.v6.length === 0)) return [];
  const anyOf: Condition[][] = families.map((family) => {
    const mine = family === 4 ? iface.v4 : iface.v6;
    return mine.length > 0 ? [{ kind: "addr", field: "dst", family, ranges: mine.map((a) => ({ lo: a, hi: a })) }] : [{ kind: "family", family }];
  });
  return anyOf.length === 1 ? anyOf[0]! : [{ kind: "or", anyOf }];
}
