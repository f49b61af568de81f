/**
 * Reads the configuration lines into the vendor configuration object (config.ts): ACLs in all
 * their spellings, object groups, interfaces with their bindings and addresses, zones and
 * zone-pairs, zone-based firewall class-maps and policy-maps (object-group members are read by
 * group-members.ts). Commands that have nothing to do with packet filtering are skipped and counted
 * (one info diagnostic); a line inside an ACL or object group that cannot be read is a warning
 * (the device accepted it, so it is a gap in what fwlint reads, not a user error).
 */
import { maskToPrefix, parseAddrSpec, parseIPv4Strict, parseIPv6, prefixRange } from "../../src/model/address.js";
import type { AddrRange, Diagnostic, Family } from "../../src/model/types.js";
import { parseAce } from "./ace.js";
import {
  aclKey,
  type Acl,
  type AclKind,
  type GroupKind,
  type InspectAction,
  type InspectClass,
  type InspectPolicy,
  type InterfaceAddress,
  type IosConfig,
  type IosStaticRoute,
  type IosInterface,
  type ObjectGroup,
  type SnmpAccess,
  type VtyLines,
  type Where,
  type ZonePair,
} from "./config.js";
import { readGroupMember } from "./group-members.js";
import { readStaticNat } from "./nat-static.js";
import type { ConfigLine, Token } from "./lines.js";

type Mode =
  | { kind: "none" }
  | { kind: "acl"; acl: Acl }
  | { kind: "group"; group: ObjectGroup }
  | { kind: "interface"; iface: IosInterface }
  | { kind: "zone-pair"; pair: ZonePair }
  | { kind: "class-map"; cls: InspectClass }
  | { kind: "policy-map"; policy: InspectPolicy; current?: InspectPolicy["classes"][number] | NonNullable<InspectPolicy["classDefault"]> }
  | { kind: "vty"; lines: VtyLines }
  | { kind: "other" };

/**
 * Commands that may name an ACL (`access-class 12 in`, `match ip address 101`, `ip nat inside
 * source list 5`, `snmp-server community X RO 99`, `ntp access-group peer 10` ...); only their words
 * count as references, so `speed 100` or `hold-queue 100 in` never make ACL 100 look used.
 */
const REFERENCES_ACL = /(^|\s)(access-class|access-group|traffic-filter|access-list|list|java-list|address|community|distribute-list|filter|acl|prefix-list)(\s|$)/i;

const ACL_SUBCOMMANDS_IGNORED = new Set(["statistics", "description", "counters", "fragments"]);
const IP_ACCESS_LIST_NOT_AN_ACL = new Set(["resequence", "logging", "log-update", "persistent", "role-based", "helper", "match-local-traffic", "fqdn", "compiled", "deny-entry"]);

function where(l: ConfigLine, tok?: Token): Where {
  return { line: l.line, column: tok?.col ?? l.tokens[0]!.col, text: l.raw };
}

/** Kind of a numbered ACL, or null for numbers that are not IP ACLs (MAC, protocol-type ...). */
function numberedKind(n: number): AclKind | null {
  if ((n >= 1 && n <= 99) || (n >= 1300 && n <= 1999)) return "standard";
  if ((n >= 100 && n <= 199) || (n >= 2000 && n <= 2699)) return "extended";
  return null;
}

export class ConfigExtractor {
  readonly config: IosConfig = {
    acls: new Map(),
    groups: new Map(),
    interfaces: [],
    zones: new Map(),
    zonePairs: [],
    inspectClasses: new Map(),
    inspectPolicies: new Map(),
    referencedWords: new Set(),
    staticNat: [],
    vty: [],
    httpServer: { port: 80, securePort: 443, accessClass: {} },
    snmp: [],
    routes: [],
  };
  private mode: Mode = { kind: "none" };
  private skipped = new Map<string, number>();
  private firstSkipped?: ConfigLine;
  private order = 0;
  /** Per ACL: the highest sequence number so far. */
  private lastSeq = new Map<Acl, number>();

  constructor(
    private readonly file: string,
    private readonly diags: Diagnostic[],
  ) {}

  private diag(severity: Diagnostic["severity"], line: number, column: number, message: string): void {
    this.diags.push({ severity, file: this.file, line, column, message });
  }

  run(lines: readonly ConfigLine[]): IosConfig {
    for (const l of lines) {
      const first = l.tokens[0]!.text.toLowerCase();
      const aclChild = this.mode.kind === "acl" && (first === "permit" || first === "deny" || first === "remark" || first === "sequence" || /^[0-9]+$/.test(first));
      if (l.indent > 0 || aclChild) this.child(l);
      else this.top(l);
      if (this.mode.kind !== "acl" && this.mode.kind !== "group" && first !== "access-list" && first !== "no" && REFERENCES_ACL.test(l.raw)) {
        for (const t of l.tokens) this.config.referencedWords.add(t.text);
      }
    }
    if (this.firstSkipped) {
      const total = [...this.skipped.values()].reduce((a, b) => a + b, 0);
      const kinds = [...this.skipped.keys()].slice(0, 8).join(", ");
      this.diag("info", this.firstSkipped.line, 1, `${total} command(s) not about packet filtering were skipped (${kinds}${this.skipped.size > 8 ? ", ..." : ""})`);
    }
    return this.config;
  }

  private skip(l: ConfigLine): void {
    const k = l.tokens.slice(0, l.tokens[0]!.text === "no" ? 2 : 1).map((t) => t.text).join(" ");
    this.skipped.set(k, (this.skipped.get(k) ?? 0) + 1);
    this.firstSkipped ??= l;
  }

  // ---- top-level commands -------------------------------------------------------------------

  private top(l: ConfigLine): void {
    const t = l.tokens.map((x) => x.text);
    const w0 = t[0]!.toLowerCase();
    const w1 = t[1]?.toLowerCase();
    this.mode = { kind: "other" };
    if (w0 === "exit" || w0 === "end") {
      this.mode = { kind: "none" };
      return;
    }
    if (w0 === "interface" && t[1] !== undefined) return this.interfaceHeader(l);
    if ((w0 === "ip" || w0 === "ipv6") && w1 === "access-list") return this.namedAclHeader(l, w0 === "ip" ? 4 : 6, 2);
    if (w0 === "access-list" && t[1] !== undefined) return this.numberedAclLine(l);
    if (w0 === "no") return this.noCommand(l);
    if (w0 === "object-group") return this.groupHeader(l);
    if (w0 === "zone" && w1 === "security" && t[2] !== undefined) {
      if (!this.config.zones.has(t[2])) this.config.zones.set(t[2], { name: t[2], where: where(l) });
      return;
    }
    if (w0 === "zone-pair" && w1 === "security" && t[2] !== undefined) return this.zonePairHeader(l);
    if ((w0 === "class-map" || w0 === "policy-map") && w1 === "type" && t[2]?.toLowerCase() === "inspect") return this.inspectHeader(l);
    if (w0 === "line" && w1 === "vty" && /^[0-9]+$/.test(t[2] ?? "")) {
      const first = Number(t[2]);
      const last = /^[0-9]+$/.test(t[3] ?? "") ? Number(t[3]) : first;
      const lines: VtyLines = { first, last, where: where(l), accessClass: {} };
      this.config.vty.push(lines);
      this.mode = { kind: "vty", lines };
      return;
    }
    if (w0 === "ip" && w1 === "http" && this.httpServerLine(l)) return;
    if (w0 === "snmp-server" && (w1 === "community" || w1 === "group") && t.length >= 3) return this.snmpAccess(l);
    if ((w0 === "ip" || w0 === "ipv6") && w1 === "route" && this.staticRoute(l, w0 === "ip" ? 4 : 6)) return;
    if ((w0 === "router" && t[1] !== undefined) || (w0 === "ipv6" && w1 === "router" && t[2] !== undefined)) {
      this.config.dynamicRouting ??= where(l);
      this.mode = { kind: "other" };
      return;
    }
    if (w0 === "ip" && w1 === "nat") {
      const nat = readStaticNat(l, (tok) => where(l, tok));
      if (nat && "problem" in nat) this.diag("warning", l.line, nat.at.col, `${nat.problem} in '${l.raw.trim()}'; the translation is ignored`);
      else if (nat) return void this.config.staticNat.push(nat);
    }
    this.skip(l);
  }

  /**
   * `ip route PREFIX MASK {INTERFACE [GATEWAY] | GATEWAY} [DISTANCE] [name N] [permanent] [tag T]
   * [track N]` and `ipv6 route PREFIX/LEN ...`; false for what is no route of the global table (a
   * VRF's, `ip route static bfd ...`), which is skipped like other commands.
   */
  private staticRoute(l: ConfigLine, family: Family): boolean {
    const t = l.tokens.map((x) => x.text);
    if (t[2]?.toLowerCase() === "vrf") return false;
    let range: AddrRange | undefined;
    let k = 3;
    if (family === 4) {
      const a = parseIPv4Strict(t[2] ?? "");
      const mask = parseIPv4Strict(t[3] ?? "");
      const len = mask === null ? null : maskToPrefix(mask, 4);
      if (a === null) return false;
      if (len === null) {
        this.diag("warning", l.line, l.tokens[3]?.col ?? l.raw.length + 1, `expected a network mask in '${l.raw.trim()}'; the route is left out`);
        return true;
      }
      range = prefixRange(a, len, 4);
      k = 4;
    } else {
      const p = t[2]?.includes("/") ? parseAddrSpec(t[2], 6) : undefined;
      if (!p?.ok || p.prefix === null) return false;
      range = p.range;
    }
    const target = t[k];
    if (target === undefined) {
      this.diag("warning", l.line, l.raw.length + 1, `expected an interface or a next hop in '${l.raw.trim()}'; the route is left out`);
      return true;
    }
    const hop = (x: string | undefined) => (x === undefined ? null : family === 4 ? parseIPv4Strict(x) : x.includes(":") ? parseIPv6(x) : null);
    const route: IosStaticRoute = { family, range, distance: 1, where: where(l) };
    const first = hop(target);
    if (first !== null) route.nextHop = first;
    else if (target.toLowerCase() === "dhcp") {
      // `ip route 0.0.0.0 0.0.0.0 dhcp`: through the gateway DHCP gives, wherever that is
    } else {
      route.iface = target;
      const second = hop(t[k + 1]);
      if (second !== null) {
        route.nextHop = second;
        k++;
      }
    }
    const dist = t[k + 1];
    if (dist !== undefined && /^[0-9]+$/.test(dist)) route.distance = Number(dist);
    this.config.routes.push(route);
    return true;
  }

  private interfaceHeader(l: ConfigLine): void {
    const name = l.tokens[1]!.text;
    let iface = this.config.interfaces.find((i) => i.name === name);
    if (!iface) {
      iface = { name, where: where(l, l.tokens[1]), bindings: { 4: {}, 6: {} }, addresses: [], ipv6: false, shutdown: false };
      this.config.interfaces.push(iface);
    }
    this.mode = { kind: "interface", iface };
  }

  private newAcl(name: string, family: Family, kind: AclKind, w: Where): Acl {
    const key = aclKey(family, name);
    let acl = this.config.acls.get(key);
    if (!acl) {
      acl = { name, family, kind, where: w, entries: [] };
      this.config.acls.set(key, acl);
    } else if (acl.kind !== kind) {
      this.diag("warning", w.line, w.column, `access-list ${name} was declared ${acl.kind} before (line ${acl.where.line}); its entries are read as ${acl.kind}`);
    }
    return acl;
  }

  /** `ip access-list [standard|extended] NAME`, `ipv6 access-list [standard|extended] NAME`. */
  private namedAclHeader(l: ConfigLine, family: Family, at: number): void {
    const rest = l.tokens.slice(at);
    if (rest.length === 0) {
      this.diag("warning", l.line, l.raw.length + 1, `expected an access-list name after '${l.tokens.map((t) => t.text).join(" ")}'`);
      return;
    }
    const r0 = rest[0]!.text.toLowerCase();
    if (IP_ACCESS_LIST_NOT_AN_ACL.has(r0)) return this.skip(l);
    let kind: AclKind = "extended";
    let nameTok = rest[0]!;
    if ((r0 === "standard" || r0 === "extended") && rest.length >= 2) {
      kind = r0;
      nameTok = rest[1]!;
    }
    this.mode = { kind: "acl", acl: this.newAcl(nameTok.text, family, kind, where(l, nameTok)) };
  }

  /** `access-list ID [standard|extended] [ENTRY]` (numbered, or ASA-style named lines in IOS files). */
  private numberedAclLine(l: ConfigLine): void {
    const idTok = l.tokens[1]!;
    const id = idTok.text;
    let kind: AclKind = "extended";
    if (/^[0-9]+$/.test(id)) {
      const k = numberedKind(Number(id));
      if (k === null) return this.skip(l); // MAC, protocol-type and other non-IP numbered lists
      kind = k;
    }
    let i = 2;
    const kw = l.tokens[i]?.text.toLowerCase();
    if (kw === "standard" || kw === "extended") {
      kind = kw;
      i++;
    }
    const acl = this.newAcl(id, 4, kind, where(l, idTok));
    if (i >= l.tokens.length) {
      this.mode = { kind: "acl", acl }; // block form: entries follow, indented
      return;
    }
    this.aclEntry(acl, l, i);
  }

  private noCommand(l: ConfigLine): void {
    const t = l.tokens.map((x) => x.text.toLowerCase());
    let family: Family | null = null;
    let nameAt = -1;
    if ((t[1] === "ip" || t[1] === "ipv6") && t[2] === "access-list") {
      family = t[1] === "ip" ? 4 : 6;
      nameAt = t[3] === "standard" || t[3] === "extended" ? 4 : 3;
    } else if (t[1] === "access-list") {
      family = 4;
      nameAt = 2;
    }
    const name = nameAt >= 0 ? l.tokens[nameAt]?.text : undefined;
    if (t[1] === "ip" && t[2] === "http" && (t[3] === "server" || t[3] === "secure-server") && t.length === 4) {
      delete this.config.httpServer[t[3] === "server" ? "http" : "https"];
      return;
    }
    if (family === null || name === undefined) return this.skip(l);
    // `no ip access-list extended X` removes the list (generators print it before redefining)
    this.config.acls.delete(aclKey(family, name));
  }

  private groupHeader(l: ConfigLine): void {
    const t = l.tokens.map((x) => x.text.toLowerCase());
    let kind: GroupKind | null = null;
    let family: Family | undefined;
    let at = 2;
    if (t[1] === "network") {
      kind = "network";
      if ((t[2] === "ipv4" || t[2] === "ipv6") && t.length > 3) {
        family = t[2] === "ipv4" ? 4 : 6;
        at = 3;
      }
    } else if (t[1] === "v6-network") {
      kind = "network";
      family = 6;
    } else if ((t[1] === "ip" || t[1] === "ipv4" || t[1] === "ipv6") && t[2] === "address") {
      kind = "network";
      family = t[1] === "ipv6" ? 6 : 4;
      at = 3;
    } else if (t[1] === "ip" && t[2] === "port") {
      kind = "port";
      at = 3;
    } else if (t[1] === "port") kind = "port";
    else if (t[1] === "service" || t[1] === "v6-service") kind = "service";
    else if (t[1] === "protocol") kind = "protocol";
    const nameTok = l.tokens[at];
    if (kind === null || nameTok === undefined) return this.skip(l);
    let g = this.config.groups.get(nameTok.text);
    if (g && g.kind !== kind) {
      this.diag("warning", l.line, nameTok.col, `object-group ${nameTok.text} was declared as ${g.kind} at line ${g.where.line}; this ${kind} declaration is ignored`);
      this.mode = { kind: "other" };
      return;
    }
    if (!g) {
      g = { name: nameTok.text, kind, ...(family ? { family } : {}), where: where(l, nameTok), members: [] };
      this.config.groups.set(g.name, g);
    }
    this.mode = { kind: "group", group: g };
  }

  private zonePairHeader(l: ConfigLine): void {
    const t = l.tokens.map((x) => x.text);
    const si = t.findIndex((x) => x.toLowerCase() === "source");
    const di = t.findIndex((x) => x.toLowerCase() === "destination");
    if (si === -1 || di === -1 || t[si + 1] === undefined || t[di + 1] === undefined) {
      this.diag("warning", l.line, 1, "expected 'zone-pair security NAME source ZONE destination ZONE'");
      return;
    }
    const pair: ZonePair = { name: t[2]!, source: t[si + 1]!, destination: t[di + 1]!, where: where(l) };
    this.config.zonePairs.push(pair);
    this.mode = { kind: "zone-pair", pair };
  }

  /** `class-map type inspect [match-all|match-any] NAME`, `policy-map type inspect NAME`. */
  private inspectHeader(l: ConfigLine): void {
    let i = 3;
    let matchAll = true;
    const kw = l.tokens[i]?.text.toLowerCase();
    if (kw === "match-all" || kw === "match-any") {
      matchAll = kw === "match-all";
      i++;
    }
    const nameTok = l.tokens[i];
    if (!nameTok) {
      this.diag("warning", l.line, l.raw.length + 1, `expected a name after '${l.tokens.map((t) => t.text).join(" ")}'`);
      return;
    }
    if (l.tokens[0]!.text.toLowerCase() === "class-map") {
      let cls = this.config.inspectClasses.get(nameTok.text);
      if (!cls) {
        cls = { name: nameTok.text, matchAll, matches: [], where: where(l, nameTok) };
        this.config.inspectClasses.set(cls.name, cls);
      }
      this.mode = { kind: "class-map", cls };
    } else {
      let policy = this.config.inspectPolicies.get(nameTok.text);
      if (!policy) {
        policy = { name: nameTok.text, classes: [], where: where(l, nameTok) };
        this.config.inspectPolicies.set(policy.name, policy);
      }
      this.mode = { kind: "policy-map", policy };
    }
  }

  private classMapChild(cls: InspectClass, l: ConfigLine): void {
    const t = l.tokens.map((x) => x.text);
    const lw = t.map((x) => x.toLowerCase());
    if (lw[0] !== "match") return;
    const w = where(l, l.tokens[1]);
    if (lw[1] === "access-group" && lw[2] === "name" && t[3]) cls.matches.push({ kind: "acl", name: t[3], where: where(l, l.tokens[3]) });
    else if (lw[1] === "access-group" && t[2] && /^[0-9]+$/.test(t[2])) cls.matches.push({ kind: "acl", name: t[2], where: where(l, l.tokens[2]) });
    else if (lw[1] === "protocol" && t[2] && t.length === 3) cls.matches.push({ kind: "protocol", name: lw[2]!, where: where(l, l.tokens[2]) });
    else cls.matches.push({ kind: "other", text: t.join(" "), where: w });
  }

  private policyMapChild(m: Extract<Mode, { kind: "policy-map" }>, l: ConfigLine): void {
    const t = l.tokens.map((x) => x.text);
    const lw = t.map((x) => x.toLowerCase());
    if (lw[0] === "class") {
      if (lw[1] === "class-default") {
        m.policy.classDefault = { where: where(l, l.tokens[1]) };
        m.current = m.policy.classDefault;
      } else if (lw[1] === "type" && lw[2] === "inspect" && t[3]) {
        const c = { name: t[3], where: where(l, l.tokens[3]) };
        m.policy.classes.push(c);
        m.current = c;
      } else {
        m.current = undefined;
        this.diag("warning", l.line, l.tokens[0]!.col, "expected 'class type inspect NAME' or 'class class-default'; the class is ignored");
      }
      return;
    }
    if ((lw[0] === "inspect" || lw[0] === "pass" || lw[0] === "drop") && m.current) m.current.action = lw[0] as InspectAction;
  }

  // ---- lines inside a mode --------------------------------------------------------------------

  private child(l: ConfigLine): void {
    const m = this.mode;
    const w0 = l.tokens[0]!.text.toLowerCase();
    if (w0 === "exit") {
      this.mode = { kind: "none" };
      return;
    }
    switch (m.kind) {
      case "acl":
        return this.aclChild(m.acl, l);
      case "group":
        return readGroupMember(m.group, l, (sev, line, col, msg) => this.diag(sev, line, col, msg));
      case "interface":
        return this.interfaceChild(m.iface, l);
      case "vty":
        return this.vtyChild(m.lines, l);
      case "class-map":
        return this.classMapChild(m.cls, l);
      case "policy-map":
        return this.policyMapChild(m, l);
      case "zone-pair": {
        const t = l.tokens.map((x) => x.text);
        if (t[0]?.toLowerCase() === "service-policy" && t[1]?.toLowerCase() === "type" && t[2]?.toLowerCase() === "inspect" && t[3]) m.pair.policy = t[3];
        return;
      }
      default:
        return;
    }
  }

  private interfaceChild(iface: IosInterface, l: ConfigLine): void {
    const t = l.tokens.map((x) => x.text);
    const lw = t.map((x) => x.toLowerCase());
    if (lw[0] === "shutdown") iface.shutdown = true;
    else if (lw[0] === "no" && lw[1] === "shutdown") iface.shutdown = false;
    else if (
      ((lw[0] === "ip" || lw[0] === "ipv6") && lw[1] === "access-group") ||
      (lw[0] === "ipv6" && lw[1] === "traffic-filter") ||
      (lw[0] === "ip" && lw[1] === "port" && lw[2] === "access-group")
    ) {
      // IOS: ip access-group, ipv6 traffic-filter; EOS: ipv6 access-group; NX-OS port ACL:
      // ip port access-group NAME in
      const family: Family = lw[0] === "ip" ? 4 : 6;
      const at = lw[1] === "port" ? 3 : 2;
      const kw = l.tokens.slice(0, at).map((x) => x.text).join(" ");
      const dir = lw[at + 1];
      if (t[at] === undefined || (dir !== "in" && dir !== "out")) {
        this.diag("warning", l.line, l.tokens[0]!.col, `expected '${kw} NAME in|out'`);
        return;
      }
      const prev = iface.bindings[family][dir];
      if (prev) this.diag("info", l.line, l.tokens[0]!.col, `${kw} ${dir} on ${iface.name} replaces ${prev.acl} (line ${prev.where.line})`);
      iface.bindings[family][dir] = { acl: t[at]!, where: where(l, l.tokens[at]) };
    } else if (lw[0] === "ip" && lw[1] === "address" && t[2] !== undefined) {
      const at = where(l, l.tokens[2]);
      if (lw[2] === "dhcp" || lw[2] === "negotiated") iface.addresses.push({ family: 4, addr: lw[2], where: at });
      else {
        const [text, len] = t[2].split("/");
        const a = parseIPv4Strict(text!);
        const mask = t[3] === undefined ? null : parseIPv4Strict(t[3]);
        const prefix = len !== undefined ? Number(len) : mask !== null ? maskToPrefix(mask, 4) : null;
        if (a !== null) iface.addresses.push({ family: 4, addr: a, where: at, ...(prefix !== null && prefix >= 0 && prefix <= 32 ? { prefix } : {}) });
      }
    } else if ((lw[0] === "ip" || lw[0] === "ipv6") && lw[1] === "unnumbered") {
      iface.unnumbered = true;
    } else if (lw[0] === "ipv6" && (lw[1] === "address" || lw[1] === "enable")) {
      iface.ipv6 = true;
      if (lw[1] === "address" && t[2] !== undefined) {
        const a = ipv6Address(t.slice(2), lw.slice(2), where(l, l.tokens[2]));
        if (a) iface.addresses.push(a);
      }
    } else if ((lw[0] === "standby" || lw[0] === "vrrp" || lw[0] === "glbp") && lw.includes("ip")) {
      // A first-hop redundancy group's virtual address (`standby 1 ip A`, `vrrp 1 ip A secondary`,
      // `glbp 1 ip A`): a packet to it reaches this router only while it is the active one, and is
      // then for the router itself.
      const k = lw.indexOf("ip");
      const a = t[k + 1] === undefined ? null : parseIPv4Strict(t[k + 1]!);
      if (a !== null && (k === 1 || (k === 2 && /^[0-9]+$/.test(t[1]!)))) iface.addresses.push({ family: 4, addr: a, where: where(l, l.tokens[k + 1]), virtual: true });
    } else if (lw[0] === "zone-member" && lw[1] === "security" && t[2] !== undefined) {
      iface.zone = { name: t[2], where: where(l, l.tokens[2]) };
    } else if (lw[0] === "ip" && lw[1] === "inspect") {
      this.config.cbac ??= where(l);
    } else if (lw[0] === "ip" && lw[1] === "nat" && (lw[2] === "inside" || lw[2] === "outside" || lw[2] === "enable")) {
      iface.nat = lw[2];
    }
  }

  /**
   * `ip http server|secure-server|port N|secure-port N|access-class ...`; false for the other
   * `ip http` settings (authentication, timeouts...), which are skipped.
   */
  private httpServerLine(l: ConfigLine): boolean {
    const t = l.tokens.map((x) => x.text);
    const lw = t.map((x) => x.toLowerCase());
    const h = this.config.httpServer;
    if ((lw[2] === "server" || lw[2] === "secure-server") && t.length === 3) {
      h[lw[2] === "server" ? "http" : "https"] = where(l, l.tokens[2]);
      return true;
    }
    if ((lw[2] === "port" || lw[2] === "secure-port") && /^[0-9]+$/.test(t[3] ?? "") && Number(t[3]) <= 65535) {
      h[lw[2] === "port" ? "port" : "securePort"] = Number(t[3]);
      return true;
    }
    if (lw[2] === "access-class" && t[3] !== undefined) {
      // `ip http access-class 99` (IPv4), `ip http access-class ipv4|ipv6 NAME|NUMBER`
      const family: Family = lw[3] === "ipv6" ? 6 : 4;
      const at = lw[3] === "ipv4" || lw[3] === "ipv6" ? 4 : 3;
      if (t[at] === undefined) return false;
      h.accessClass[family] = { acl: t[at]!, where: where(l, l.tokens[at]) };
      return true;
    }
    return false;
  }

  /**
   * `snmp-server community STRING [view V] [RO|RW] [ipv6 NAME] [ACL]`, `snmp-server group NAME
   * v1|v2c|v3 [auth|noauth|priv] ... [access [ipv6 NAME] [ACL]]`: the lists that admit managers.
   */
  private snmpAccess(l: ConfigLine): void {
    const toks = l.tokens;
    const lw = toks.map((x) => x.text.toLowerCase());
    const community = lw[1] === "community";
    // a group's lists follow `access`; a community's come after its string and options
    let i = community ? 3 : lw.indexOf("access", 3) + 1;
    const acl: SnmpAccess["acl"] = {};
    if (i > 0) {
      const OPTIONS = new Set(["ro", "rw"]);
      while (i < toks.length) {
        if (community && lw[i] === "view" && i + 1 < toks.length) i += 2;
        else if (community && OPTIONS.has(lw[i]!)) i++;
        else if (lw[i] === "ipv6" && i + 1 < toks.length) {
          acl[6] = { acl: toks[i + 1]!.text, where: where(l, toks[i + 1]) };
          i += 2;
        } else {
          acl[4] = { acl: toks[i]!.text, where: where(l, toks[i]) };
          break;
        }
      }
    }
    this.config.snmp.push({ kind: community ? "community" : "group", acl, where: where(l, toks[1]) });
  }

  /** `access-class NAME in`, `ipv6 access-class NAME in`, `transport input ...` of a `line vty` block. */
  private vtyChild(lines: VtyLines, l: ConfigLine): void {
    const t = l.tokens.map((x) => x.text);
    const lw = t.map((x) => x.toLowerCase());
    const v6 = lw[0] === "ipv6";
    const at = v6 ? 1 : 0;
    if (lw[at] === "access-class" && t[at + 1] !== undefined) {
      // `out` restricts sessions started from the router; only `in` filters who connects
      if (lw[at + 2] === "in") lines.accessClass[v6 ? 6 : 4] = { acl: t[at + 1]!, where: where(l, l.tokens[at + 1]) };
    } else if (lw[0] === "transport" && lw[1] === "input" && t.length > 2) {
      lines.transport = { protocols: lw.slice(2), where: where(l, l.tokens[2]) };
    }
  }

  private nextSeq(acl: Acl): number {
    return (this.lastSeq.get(acl) ?? 0) + 10;
  }

  private aclChild(acl: Acl, l: ConfigLine): void {
    const w0 = l.tokens[0]!.text.toLowerCase();
    if (ACL_SUBCOMMANDS_IGNORED.has(w0)) return;
    if (w0 === "no") {
      // `no 20`: remove entry 20
      const n = l.tokens[1]?.text;
      if (n !== undefined && /^[0-9]+$/.test(n)) acl.entries = acl.entries.filter((e) => e.seq !== Number(n) || !e.explicitSeq);
      else this.diag("warning", l.line, l.tokens[0]!.col, "only 'no SEQUENCE' is understood inside an access-list; the line is ignored");
      return;
    }
    this.aclEntry(acl, l, 0);
  }

  /** An entry from token `i`: `[SEQ|sequence SEQ] permit|deny|remark|evaluate|dynamic ... [sequence SEQ]`. */
  private aclEntry(acl: Acl, l: ConfigLine, i: number): void {
    let toks = l.tokens.slice(i);
    let seq: number | undefined;
    const t0 = toks[0]!.text.toLowerCase();
    if (/^[0-9]+$/.test(t0)) {
      seq = Number(t0);
      toks = toks.slice(1);
    } else if (t0 === "sequence" && toks[1] && /^[0-9]+$/.test(toks[1].text)) {
      seq = Number(toks[1].text);
      toks = toks.slice(2);
    }
    const n = toks.length;
    if (n >= 2 && toks[n - 2]!.text.toLowerCase() === "sequence" && /^[0-9]+$/.test(toks[n - 1]!.text) && toks[0]?.text.toLowerCase() !== "remark") {
      seq = Number(toks[n - 1]!.text); // IPv6 entries print their sequence number last
      toks = toks.slice(0, n - 2);
    }
    const head = toks[0];
    if (head === undefined) {
      this.diag("warning", l.line, l.raw.length + 1, "expected permit, deny or remark after the sequence number");
      return;
    }
    const hw = head.text.toLowerCase();
    const explicitSeq = seq !== undefined;
    if (hw === "remark") {
      const text = l.raw.slice(head.col - 1 + "remark".length).trim();
      const s = seq ?? this.lastSeq.get(acl) ?? 0;
      acl.entries.push({ seq: s, explicitSeq, order: this.order++, where: where(l, head), body: { kind: "remark", text } });
      if (explicitSeq) this.lastSeq.set(acl, Math.max(this.lastSeq.get(acl) ?? 0, s));
      return;
    }
    let unknownPrefix: { text: string; reason: string } | undefined;
    if (hw === "dynamic" && toks[1]) {
      // lock-and-key: the entry is only active for users who authenticated
      unknownPrefix = { text: `dynamic ${toks[1].text}`, reason: "a lock-and-key (dynamic) entry is active only after a user authenticates" };
      toks = toks.slice(2);
      if (toks[0]?.text.toLowerCase() === "timeout") toks = toks.slice(2);
    } else if (hw === "evaluate" && toks[1]) {
      // reflexive ACL: permits the return traffic of sessions a `reflect` entry saw
      const s = seq ?? this.nextSeq(acl);
      this.lastSeq.set(acl, Math.max(this.lastSeq.get(acl) ?? 0, s));
      const ace = parseAce([{ text: "permit", col: head.col }, { text: "ip", col: head.col }, { text: "any", col: head.col }, { text: "any", col: head.col }], 0, acl.family, false, l.raw.length + 1);
      ace.reflexive = true;
      ace.unknowns.push({ text: `evaluate ${toks[1].text}`, reason: "reflexive access-list entries depend on traffic seen at run time" });
      this.pushAce(acl, l, head, s, explicitSeq, ace);
      return;
    }
    const aw = toks[0]?.text.toLowerCase();
    if (aw !== "permit" && aw !== "deny") {
      this.diag("warning", l.line, (toks[0] ?? head).col, `expected permit, deny or remark in access-list ${acl.name}, found '${(toks[0] ?? head).text}'; the line is ignored`);
      return;
    }
    const s = seq ?? this.nextSeq(acl);
    const ace = parseAce(toks, 0, acl.family, acl.kind === "standard", l.raw.length + 1);
    if (unknownPrefix) ace.unknowns.unshift(unknownPrefix);
    this.lastSeq.set(acl, Math.max(this.lastSeq.get(acl) ?? 0, s));
    this.pushAce(acl, l, head, s, explicitSeq, ace);
  }

  private pushAce(acl: Acl, l: ConfigLine, head: Token, seq: number, explicitSeq: boolean, ace: ReturnType<typeof parseAce>): void {
    const dup = acl.entries.find((e) => e.seq === seq && e.body.kind === "ace");
    if (dup) {
      this.diag("warning", l.line, head.col, `access-list ${acl.name}: sequence number ${seq} is already used (line ${dup.where.line}); IOS rejects the second entry, so it is ignored`);
      return;
    }
    if (ace.problem) this.diag("warning", l.line, ace.problem.col, `${ace.problem.message}; the entry is kept as a partly unknown match`);
    for (const n of ace.notes) this.diag("warning", l.line, n.col, n.message);
    acl.entries.push({ seq, explicitSeq, order: this.order++, where: where(l, l.tokens[0]), body: { kind: "ace", ace } });
  }
}

/**
 * `ipv6 address X/LEN [eui-64|link-local|anycast]`, `ipv6 address X link-local`, `ipv6 address
 * autoconfig|dhcp`, `ipv6 address GENERAL-PREFIX SUFFIX/LEN`; null when unreadable.
 */
function ipv6Address(t: readonly string[], lw: readonly string[], at: Where): InterfaceAddress | null {
  if (lw[0] === "autoconfig") return { family: 6, addr: "autoconfig", where: at };
  if (lw[0] === "dhcp") return { family: 6, addr: "dhcp", where: at };
  const [text, len] = t[0]!.split("/");
  const a = parseIPv6(text!);
  if (a === null) return /^[a-z]/i.test(t[0]!) && t[1] !== undefined ? { family: 6, addr: "general-prefix", where: at } : null;
  const prefix = len === undefined ? undefined : Number(len);
  if (prefix === undefined || !(prefix >= 0 && prefix <= 128)) return { family: 6, addr: a, where: at };
  return { family: 6, addr: a, where: at, prefix, ...(lw.includes("eui-64") && prefix <= 64 ? { eui64: true as const } : {}) };
}
