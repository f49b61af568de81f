/**
 * Filter rules: the legacy `<filter><rule>` list (file order) and OPNsense's MVC rules
 * (`<OPNsense><Firewall><Filter><rules><rule>`, by `<sequence>`, value-based booleans), read into
 * one shape and turned into model rules per address family.
 *
 * A rule's fields: `<type>` pass|block|reject, `<interface>` (one id; a comma list on floating
 * rules), `<ipprotocol>` inet|inet6|inet46, `<protocol>` (absent = any), `<source>`/`<destination>`
 * (`<any/>`, `<network>` - an interface id is its subnet, `<id>ip` its address, `(self)` the
 * firewall's own addresses -, `<address>` - IP, CIDR, range or alias -, `<port>`, `<not/>`),
 * `<disabled/>`, `<floating>`, `<quick>`, `<direction>`. Schedules, OS fingerprints and tags are
 * unknown conditions.
 */
import type { Condition, Family, PortRange, Rule } from "../../src/model/types.js";
import { anyOf, spanOf } from "../junos/context.js";
import type { Diagnostics } from "../junos/statements.js";
import type { AddrSet, Aliases } from "./aliases.js";
import { PSEUDO_INTERFACES, type Iface } from "./interfaces.js";
import { child, childrenNamed, path, present, textOf, type At, type XmlNode } from "./reading.js";
import { sureFirstRules } from "../sure-first.js";
import { nameTable } from "../../src/model/name-table.js";


export interface PfContext {
  diags: Diagnostics;
  file: string;
  lines: string[];
  ifaces: Map<string, Iface>;
  /** Interfaces the file defines without <enable>: not in pf's list, their rules never match. */
  disabledIfaces: Set<string>;
  groups: Map<string, { node: XmlNode; members: string[] }>;
  aliases: Aliases;
  /** OPNsense reads its flags by value (`<disabled>0</disabled>` is off, as PHP's empty()); pfSense by presence. */
  opnsense: boolean;
}

/** A legacy flag element (`<disabled/>`, `<quick>`, `<floating>`): present in pfSense; present and not empty or "0" in OPNsense. */
export function flag(ctx: Pick<PfContext, "opnsense">, n: XmlNode | undefined, name: string): boolean {
  if (!present(n, name)) return false;
  if (!ctx.opnsense) return true;
  const v = (textOf(n, name) ?? "").trim();
  return v !== "" && v !== "0";
}

export interface Endpoint {
  kind: "any" | "network" | "address";
  value: string;
  not: boolean;
  port: string | undefined;
  at: At;
}

export interface RawRule {
  /** "rule 3" (the 3rd `<rule>` of `<filter>`), "MVC rule 2". */
  label: string;
  at: At;
  action: "pass" | "block" | "reject";
  ifaces: string[];
  /** `<interfacenot>`: the rule is for every interface but those. */
  ifaceNot?: boolean;
  families: Family[];
  protocol: string | undefined;
  icmptype: string | undefined;
  src: Endpoint;
  dst: Endpoint;
  floating: boolean;
  quick: boolean;
  direction: "in" | "out" | "any";
  unknowns: Condition[];
  descr: string | undefined;
}

const PROTOCOLS: Readonly<Record<string, number[]>> = nameTable({
  tcp: [6], udp: [17], "tcp/udp": [6, 17], icmp: [1], igmp: [2], ipip: [4], gre: [47], esp: [50], ah: [51],
  "ipv6-icmp": [58], icmp6: [58], icmpv6: [58], ospf: [89], pim: [103], carp: [112], vrrp: [112], sctp: [132], pfsync: [240], l2tp: [115],
});

/** pf's ICMPv6 type names (icmp6-type). */
const ICMP6_TYPES: Readonly<Record<string, number>> = nameTable({ unreach: 1, toobig: 2, timex: 3, paramprob: 4, echoreq: 128, echorep: 129, groupqry: 130, listqry: 130, grouprep: 131, listenrep: 131, groupterm: 132, listendone: 132, routersol: 133, routeradv: 134, neighbrsol: 135, neighbradv: 136, redir: 137, routrrenum: 138, fqdnreq: 139, fqdnrep: 140, niqry: 139, nirep: 140 });
const ICMP4_TYPES: Readonly<Record<string, number>> = nameTable({ echorep: 0, unreach: 3, squench: 4, redir: 5, althost: 6, echoreq: 8, routeradv: 9, routersol: 10, timex: 11, paramprob: 12, timereq: 13, timerep: 14, inforeq: 15, inforep: 16, maskreq: 17, maskrep: 18 });

function familiesOf(text: string | undefined): Family[] | undefined {
  switch ((text ?? "inet").toLowerCase()) {
    case "inet":
    case "ipv4":
      return [4];
    case "inet6":
    case "ipv6":
      return [6];
    case "inet46":
    case "ipv4+ipv6":
      return [4, 6];
    default:
      return undefined;
  }
}

function endpointOf(n: XmlNode | undefined, at: At): Endpoint {
  if (!n) return { kind: "any", value: "any", not: false, port: undefined, at };
  const not = present(n, "not");
  const port = textOf(n, "port") || undefined;
  const network = textOf(n, "network");
  if (network !== undefined && network !== "") return { kind: network === "any" ? "any" : "network", value: network, not, port, at: child(n, "network")!.at };
  const address = textOf(n, "address");
  if (address !== undefined && address !== "") return { kind: "address", value: address, not, port, at: child(n, "address")!.at };
  return { kind: "any", value: "any", not, port, at: n.at };
}

/** The legacy `<filter><rule>` entries, in file order (disabled ones reported and left out). */
export function readLegacyRules(ctx: PfContext, filter: XmlNode | undefined): RawRule[] {
  const out: RawRule[] = [];
  childrenNamed(filter, "rule").forEach((r, k) => {
    const label = `rule ${k + 1}`;
    const descr = textOf(r, "descr") || undefined;
    if (flag(ctx, r, "disabled")) {
      ctx.diags.info(r.at, `${label}${descr ? ` (${descr})` : ""} is disabled; it is not a rule`);
      return;
    }
    const typeText = textOf(r, "type") ?? "pass";
    if (typeText !== "pass" && typeText !== "block" && typeText !== "reject" && typeText !== "match") {
      ctx.diags.error(child(r, "type")!.at, `${label}: <type> '${typeText}' is not pass, block or reject`);
      return;
    }
    if (typeText === "match") {
      ctx.diags.info(r.at, `${label}: a match rule (queues, gateways) does not pass or block; not a filter rule`);
      return;
    }
    const families = familiesOf(textOf(r, "ipprotocol"));
    if (!families) {
      ctx.diags.error(child(r, "ipprotocol")!.at, `${label}: <ipprotocol> '${textOf(r, "ipprotocol")}' is not inet, inet6 or inet46`);
      return;
    }
    const floating = flag(ctx, r, "floating") && textOf(r, "floating") !== "no";
    const dirText = textOf(r, "direction") || "any";
    const direction = floating ? (dirText === "in" || dirText === "out" ? dirText : "any") : "in";
    out.push({
      label,
      at: r.at,
      action: typeText,
      ifaces: (textOf(r, "interface") ?? "").split(",").map((s) => s.trim()).filter(Boolean),
      ifaceNot: flag({ opnsense: true }, r, "interfacenot"),
      families,
      protocol: textOf(r, "protocol") || undefined,
      icmptype: (families.length === 1 && families[0] === 6 ? textOf(r, "icmp6-type") : undefined) || textOf(r, "icmptype") || undefined,
      src: endpointOf(child(r, "source"), r.at),
      dst: endpointOf(child(r, "destination"), r.at),
      floating,
      // pfSense: interface-tab rules are always quick, a floating rule only with <quick>; OPNsense:
      // an interface rule is quick unless <quick>0</quick>
      quick: ctx.opnsense ? (floating ? flag(ctx, r, "quick") : !present(r, "quick") || flag(ctx, r, "quick")) : !floating || (present(r, "quick") && textOf(r, "quick") !== "no"),
      direction,
      unknowns: extras(r),
      descr,
    });
  });
  return out;
}

function extras(r: XmlNode): Condition[] {
  const out: Condition[] = [];
  const sched = textOf(r, "sched");
  if (sched) out.push({ kind: "unknown", text: `schedule ${sched}`, reason: "the rule is active only at scheduled times" });
  const tagged = textOf(r, "tagged");
  if (tagged) out.push({ kind: "unknown", text: `tagged ${tagged}`, reason: "matches packets another rule tagged" });
  const os = textOf(r, "os");
  if (os) out.push({ kind: "unknown", text: `os ${os}`, reason: "OS fingerprinting is not modelled" });
  return out;
}

/** OPNsense MVC rules (`<OPNsense><Firewall><Filter><rules>`), in `<sequence>` order. */
export function readMvcRules(ctx: PfContext, root: XmlNode): RawRule[] {
  const rules = childrenNamed(path(root, "OPNsense", "Firewall", "Filter", "rules"), "rule");
  const seq = (r: XmlNode) => Number(textOf(r, "sequence") ?? "") || 0;
  const out: RawRule[] = [];
  rules
    .map((r, k) => ({ r, k }))
    .sort((a, b) => seq(a.r) - seq(b.r) || a.k - b.k)
    .forEach(({ r, k }) => {
      const label = `MVC rule ${k + 1}`;
      if (textOf(r, "enabled") === "0") {
        ctx.diags.info(r.at, `${label} is disabled; it is not a rule`);
        return;
      }
      const action = textOf(r, "action") ?? "pass";
      if (action !== "pass" && action !== "block" && action !== "reject") {
        ctx.diags.error(child(r, "action")?.at ?? r.at, `${label}: <action> '${action}' is not pass, block or reject`);
        return;
      }
      const families = familiesOf(textOf(r, "ipprotocol"));
      if (!families) {
        ctx.diags.error(child(r, "ipprotocol")!.at, `${label}: <ipprotocol> '${textOf(r, "ipprotocol")}' is not inet, inet6 or inet46`);
        return;
      }
      const ep = (side: "source" | "destination"): Endpoint => {
        const net = textOf(r, `${side}_net`) || "any";
        const n = child(r, `${side}_net`);
        const kind = net === "any" ? "any" : isNetworkWord(ctx, net) ? "network" : "address";
        return { kind, value: net, not: textOf(r, `${side}_not`) === "1", port: textOf(r, `${side}_port`) || undefined, at: n?.at ?? r.at };
      };
      const proto = (textOf(r, "protocol") || "any").toLowerCase();
      const dir = textOf(r, "direction") || "in";
      out.push({
        label,
        at: r.at,
        action,
        ifaces: (textOf(r, "interface") ?? "").split(",").map((s) => s.trim()).filter(Boolean),
        families,
        protocol: proto === "any" ? undefined : proto,
        icmptype: textOf(r, "icmptype") || undefined,
        src: ep("source"),
        dst: ep("destination"),
        floating: true,
        quick: textOf(r, "quick") !== "0",
        direction: dir === "out" ? "out" : dir === "any" ? "any" : "in",
        unknowns: extras(r),
        descr: textOf(r, "description") || undefined,
      });
    });
  return out;
}

function isNetworkWord(ctx: PfContext, v: string): boolean {
  return v === "(self)" || ctx.ifaces.has(v) || (v.endsWith("ip") && ctx.ifaces.has(v.slice(0, -2)));
}

/** The interface names a rule's `<interface>` stands for (groups expanded); undefined entries are reported. */
export function interfaceNames(ctx: PfContext, rule: { label: string; at: At }, ids: readonly string[]): string[] | undefined {
  if (ids.length === 0 || ids.includes("any")) return undefined;
  const out: string[] = [];
  for (const id of ids) {
    const g = ctx.groups.get(id);
    if (g) out.push(...g.members.filter((m) => !ctx.disabledIfaces.has(m)));
    else if (ctx.disabledIfaces.has(id)) continue;
    else {
      if (!ctx.ifaces.has(id) && !PSEUDO_INTERFACES.has(id) && ctx.ifaces.size > 0) ctx.diags.warn(rule.at, `${rule.label}: interface '${id}' is not an interface of this firewall`);
      out.push(id);
    }
  }
  return [...new Set(out)];
}

/** What an endpoint's address part matches in `family`; undefined: nothing of that family. */
export function addressConditions(ctx: PfContext, label: string, e: Endpoint, field: "src" | "dst", family: Family): Condition[] | undefined {
  if (e.kind === "any") return e.not ? undefined : [];
  const set = e.kind === "network" ? networkSet(ctx, label, e, field, family) : addressSet(ctx, label, e, family);
  if (set === undefined) return [{ kind: "unknown", text: `${e.value}`, reason: "undefined address" }];
  const alts: Condition[][] = [];
  if (set.ranges.length > 0) alts.push([{ kind: "addr", field, family, ranges: set.ranges }]);
  alts.push(...set.other);
  if (alts.length === 0 && !e.not) return undefined;
  return anyOf(alts, e.not);
}

function addressSet(ctx: PfContext, label: string, e: Endpoint, family: Family): AddrSet | undefined {
  const s = ctx.aliases.addresses(e.value, family);
  if (s) return s;
  ctx.diags.error(e.at, `${label}: '${e.value}' is not an IP address, a network, a range a-b or a defined alias`);
  return undefined;
}

function networkSet(ctx: PfContext, label: string, e: Endpoint, field: "src" | "dst", family: Family): AddrSet | undefined {
  const v = e.value;
  if (v === "(self)") {
    if (field === "dst") return { ranges: [], other: [[{ kind: "local-dst", text: "(self)" }]] };
    return ownAddresses(ctx, family);
  }
  const iface = ctx.ifaces.get(v);
  if (iface) {
    const s = iface.subnet[family];
    if (s) return { ranges: [s], other: [] };
    const how = iface.dynamic[family];
    return how ? { ranges: [], other: [[{ kind: "unknown", text: `${v} net`, reason: `the subnet of ${v} is obtained by ${how}` }]] } : { ranges: [], other: [] };
  }
  if (v.endsWith("ip") && ctx.ifaces.has(v.slice(0, -2))) {
    const i = ctx.ifaces.get(v.slice(0, -2))!;
    const a = i.address[family];
    if (a !== undefined) return { ranges: [{ lo: a, hi: a }], other: [] };
    const how = i.dynamic[family];
    return how ? { ranges: [], other: [[{ kind: "unknown", text: `${v} (the address of ${i.id})`, reason: `the address is obtained by ${how}` }]] } : { ranges: [], other: [] };
  }
  // a literal network written in <network> (outbound NAT writes them so), an alias
  const literal = ctx.aliases.addresses(v, family);
  if (literal) return literal;
  if (ctx.groups.has(v) || PSEUDO_INTERFACES.has(v) || /^(opt\d+|lan|wan)(ip)?$/.test(v)) {
    ctx.diags.warn(e.at, `${label}: network '${v}' is not an interface of this firewall with an address; kept as an unknown condition`);
    return { ranges: [], other: [[{ kind: "unknown", text: `network ${v}`, reason: "an interface network not in the file" }]] };
  }
  ctx.diags.info(e.at, `${label}: network '${v}' (a virtual IP or a VPN network) is not modelled; kept as an unknown condition`);
  return { ranges: [], other: [[{ kind: "unknown", text: `network ${v}`, reason: "network not modelled" }]] };
}

function ownAddresses(ctx: PfContext, family: Family): AddrSet {
  const out: AddrSet = { ranges: [], other: [] };
  for (const i of ctx.ifaces.values()) {
    const a = i.address[family];
    if (a !== undefined) out.ranges.push({ lo: a, hi: a });
    else if (i.dynamic[family]) out.other.push([{ kind: "unknown", text: `the address of ${i.id}`, reason: `obtained by ${i.dynamic[family]}` }]);
  }
  return out;
}

/** A port field's condition alternatives; undefined when it is not a port, range or port alias. */
export function portConditions(ctx: PfContext, label: string, e: Endpoint, field: "sport" | "dport"): Condition[] {
  if (!e.port || e.port === "any") return [];
  const s = ctx.aliases.ports(e.port);
  if (!s) {
    ctx.diags.error(e.at, `${label}: port '${e.port}' is not a port, a range a-b or a defined port alias`);
    return [{ kind: "unknown", text: `port ${e.port}`, reason: "undefined port alias" }];
  }
  const alts: Condition[][] = [];
  if (s.ranges.length > 0) alts.push([{ kind: "port", field, ranges: s.ranges }]);
  for (const u of s.unknown) alts.push([{ kind: "unknown", text: u, reason: "not a port alias" }]);
  return anyOf(alts);
}

/** Protocol conditions for `family`; undefined: the protocol does not exist in that family. */
export function protocolConditions(ctx: PfContext, rule: Pick<RawRule, "label" | "at" | "protocol" | "icmptype">, family: Family): Condition[] | undefined {
  const p = rule.protocol?.toLowerCase();
  if (p === undefined || p === "any") return [];
  if (p === "icmp" || p === "ipv6-icmp" || p === "icmp6") {
    if (p !== "icmp" && family === 4) return undefined;
    const out: Condition[] = [{ kind: "proto", protos: [family === 4 ? 1 : 58] }];
    const types = (rule.icmptype ?? "any").split(",").filter((t) => t !== "" && t !== "any");
    if (types.length > 0) {
      const table = family === 4 ? ICMP4_TYPES : ICMP6_TYPES;
      const alts: Condition[][] = types.map((t) => (table[t] !== undefined ? [{ kind: "icmp", family, type: table[t] }] : [{ kind: "unknown", text: `icmptype ${t}`, reason: "ICMP type name not modelled" }]));
      out.push(...anyOf(alts));
    }
    return out;
  }
  const n = PROTOCOLS[p] ?? (/^\d+$/.test(p) && Number(p) < 256 ? [Number(p)] : undefined);
  if (!n) {
    ctx.diags.warn(rule.at, `${rule.label}: protocol '${rule.protocol}' is not modelled; kept as an unknown condition`);
    return [{ kind: "unknown", text: `protocol ${rule.protocol}`, reason: "protocol not modelled" }];
  }
  if (family === 4 && n.length === 1 && n[0] === 58) return undefined;
  if (family === 6 && n.length === 1 && n[0] === 1) return undefined;
  return [{ kind: "proto", protos: n }];
}

/** Model rules (one per family the rule applies to) for a raw rule; `field` is iif or oif. */
export function modelRules(ctx: PfContext, r: RawRule, field: "iif" | "oif", idPrefix: string): Rule[] {
  const out: Rule[] = [];
  const names = interfaceNames(ctx, r, r.ifaces);
  const hasPorts = (r.src.port && r.src.port !== "any") || (r.dst.port && r.dst.port !== "any");
  if (hasPorts && !["tcp", "udp", "tcp/udp"].includes(r.protocol?.toLowerCase() ?? "")) ctx.diags.warn(r.at, `${r.label}: ports apply only to tcp and udp; pfSense ignores them for protocol '${r.protocol ?? "any"}'`);
  for (const family of r.families) {
    const proto = protocolConditions(ctx, r, family);
    if (proto === undefined) continue;
    const src = addressConditions(ctx, r.label, r.src, "src", family);
    const dst = addressConditions(ctx, r.label, r.dst, "dst", family);
    if (src === undefined || dst === undefined) continue;
    const conditions: Condition[] = [{ kind: "family", family }];
    if (names) conditions.push(...anyOf(names.map((n) => [{ kind: "iface", field, name: n, prefix: false }]), r.ifaceNot === true));
    conditions.push(...proto, ...src, ...dst);
    if (hasPorts && ["tcp", "udp", "tcp/udp"].includes(r.protocol?.toLowerCase() ?? "")) conditions.push(...portConditions(ctx, r.label, r.src, "sport"), ...portConditions(ctx, r.label, r.dst, "dport"));
    conditions.push(...r.unknowns);
    // an alias with a host name beside addresses matches the addresses for certain: that part first
    out.push(...sureFirstRules({
      id: `${idPrefix}${r.label}${r.families.length > 1 ? ` (IPv${family})` : ""}`,
      // an inet46 rule is a rule per family: messages say which half they mean
      ...(r.families.length > 1 ? { element: `IPv${family}` } : {}),
      conditions,
      action: r.action === "pass" ? { kind: "accept" } : r.action === "block" ? { kind: "drop" } : { kind: "reject" },
      span: spanOf(ctx, r.at),
      ...(r.descr ? { comment: r.descr } : {}),
    }));
  }
  if (out.length === 0) ctx.diags.info(r.at, `${r.label}: its addresses and protocol leave no packet of the families it names (${r.families.map((f) => `IPv${f}`).join(", ")}); it matches nothing`);
  return out;
}

export type { PortRange };
