/**
 * FortiOS firewall policies (`config firewall policy`, and `policy6` of older releases) of one VDOM
 * as one filter chain: packets of established sessions pass, zones with `intrazone allow` pass
 * traffic between their members, then the policies in table order (the edit number is a name;
 * `move` changes the order), first match, and what none matches meets the implicit deny (policy 0).
 *
 * A policy matches on srcintf and dstintf (interfaces or zones, `any`), source and destination
 * addresses per family (srcaddr/dstaddr IPv4, srcaddr6/dstaddr6 IPv6; a family the policy names no
 * addresses for is not matched), service, with the `-negate` options. A policy without `set action`
 * denies; `set status disable` takes it out. Schedules other than `always`, users and groups,
 * Internet Service Database objects are decided at run time: unknown conditions.
 *
 * A VIP as destination matches the connections its destination NAT rewrote, at the mapped address
 * (vips.ts). A deny policy does not match those unless `set match-vip enable`.
 */
import type { Chain, Condition, Family, Rule } from "../../src/model/types.js";
import { anyOf } from "../junos/context.js";
import type { AddressBook, Alternatives } from "./addresses.js";
import { enabled, valueOf, valuesOf, type Block, type Entry, type Token } from "./reader.js";
import { addChain, spanOf, undefinedRef, type FortiosContext, type Vdom } from "./scope.js";
import type { Services } from "./services.js";
import type { Zone } from "./interfaces.js";
import type { Vips } from "./vips.js";
import { sureFirstRules } from "../sure-first.js";

export interface PolicyScope {
  vdom: Vdom;
  books: AddressBook;
  services: Services;
  vips: Vips;
  zones: Map<string, Zone>;
  /** Interface names the VDOM has (undefined: not in the file). */
  interfaces: Set<string> | undefined;
  /** Table of the chains ("firewall"). */
  table: string;
  /** What tells this VDOM's chains from another's: "" on a device without VDOMs, " (vdom NAME)". */
  suffix: string;
}

/** Builds the VDOM's policy chain; undefined when the VDOM has no policy table. */
export function buildPolicies(ctx: FortiosContext, s: PolicyScope): string | undefined {
  const v4 = s.vdom.blocks.blocks.get("firewall policy");
  const v6 = s.vdom.blocks.blocks.get("firewall policy6");
  for (const other of ["firewall policy46", "firewall policy64"]) {
    const b = s.vdom.blocks.blocks.get(other);
    if (b && b.entries.length > 0) ctx.diags.info(b.at, `'config ${other}' (NAT46/NAT64 policies) is not modelled; its ${b.entries.length} policies are not rules`);
  }
  const anchor = v4 ?? v6;
  if (!anchor) return undefined;
  const chain: Chain = {
    name: `firewall policy${s.suffix}`,
    table: s.table,
    rules: [],
    policy: "drop",
    span: spanOf(ctx, anchor.at),
    policySpan: spanOf(ctx, anchor.at),
    label: s.suffix === "" ? "the firewall policies" : `the firewall policies of VDOM ${s.vdom.name}`,
  };
  chain.rules.push({ id: "established sessions", conditions: [{ kind: "ctstate", states: ["established", "related"] }], action: { kind: "accept" }, span: spanOf(ctx, anchor.at), comment: "packets of an existing session pass", implied: true });
  for (const z of s.zones.values()) {
    if (!z.intrazoneAllow || z.members.length === 0) continue;
    const members = (field: "iif" | "oif"): Condition[] => anyOf(z.members.map((m) => [{ kind: "iface", field, name: m, prefix: false }]));
    chain.rules.push({ id: `zone ${z.name} intrazone allow`, conditions: [...members("iif"), ...members("oif")], action: { kind: "accept" }, span: spanOf(ctx, z.entry.at), comment: "traffic between the zone's interfaces passes without a policy", implied: true });
  }
  for (const [block, families] of [[v4, [4, 6]], [v6, [6]]] as const) {
    if (!block) continue;
    for (const e of block.entries) {
      const rules = policyRule(ctx, s, block, e, families);
      if (rules) chain.rules.push(...rules.flatMap(sureFirstRules));
    }
  }
  return addChain(ctx, chain);
}

function policyRule(ctx: FortiosContext, s: PolicyScope, block: Block, e: Entry, families: readonly Family[]): Rule[] | undefined {
  const label = policyLabel(block, e);
  if (valueOf(e, "status") === "disable") {
    ctx.diags.info(e.at, `${label} is disabled (set status disable); it is not a rule`);
    return undefined;
  }
  const conditions: Condition[] = [];
  for (const [key, field] of [["srcintf", "iif"], ["dstintf", "oif"]] as const) {
    const names = valuesOf(e, key);
    if (names.length === 0) {
      ctx.diags.warn(e.at, `${label} has no ${key}: FortiOS refuses such a policy; it is not a rule`);
      return undefined;
    }
    conditions.push(...interfaceCondition(ctx, s, label, key, names, field));
  }
  const action = valueOf(e, "action") ?? "deny";
  const alts: Alternatives = [];
  const addressed = families.map((family) => ({ family, ...addressesFor(e, family, families) })).filter((a) => a.src.length > 0 || a.dst.length > 0);
  if (addressed.length === 0) {
    ctx.diags.warn(e.at, `${label} has no srcaddr/dstaddr: FortiOS refuses such a policy; it is not a rule`);
    return undefined;
  }
  let vipDestination = false;
  for (const { family, src, dst, negSrc, negDst } of addressed) {
    if (src.length === 0 || dst.length === 0) {
      ctx.diags.warn(e.at, `${label} names IPv${family} ${src.length === 0 ? "destinations but no sources" : "sources but no destinations"}; it matches no IPv${family} traffic`);
      continue;
    }
    const srcAlts = s.books.resolveUsed(src, family, "src", label, family === 6 ? "srcaddr6" : "srcaddr");
    const dstSide = destinationOf(ctx, s, label, dst, family);
    vipDestination ||= dstSide.vip;
    alts.push([{ kind: "family", family }, ...anyOf(srcAlts, enabled(e, negSrc)), ...anyOf(dstSide.alts, enabled(e, negDst))]);
  }
  if (alts.length === 0) return undefined;
  conditions.push(...anyOf(alts));
  const serviceNames = valuesOf(e, "service");
  if (enabled(e, "internet-service")) {
    const names = [...valuesOf(e, "internet-service-name"), ...valuesOf(e, "internet-service-id"), ...valuesOf(e, "internet-service-group"), ...valuesOf(e, "internet-service-custom")].map((t) => t.text);
    conditions.push({ kind: "unknown", text: `internet-service ${names.join(" ")}`.trim(), reason: "Internet Service Database destinations are not in the file" });
  } else if (serviceNames.length === 0) {
    ctx.diags.warn(e.at, `${label} has no service: FortiOS refuses such a policy; it is not a rule`);
    return undefined;
  } else {
    conditions.push(...anyOf(s.services.resolveUsed(serviceNames, label), enabled(e, "service-negate")));
  }
  if (enabled(e, "internet-service-src")) {
    const names = [...valuesOf(e, "internet-service-src-name"), ...valuesOf(e, "internet-service-src-id"), ...valuesOf(e, "internet-service-src-group")].map((t) => t.text);
    conditions.push({ kind: "unknown", text: `internet-service-src ${names.join(" ")}`.trim(), reason: "Internet Service Database sources are not in the file" });
  }
  const schedule = valueOf(e, "schedule");
  if (schedule !== undefined && schedule !== "always") conditions.push({ kind: "unknown", text: `schedule ${schedule}`, reason: "the policy is active only at scheduled times" });
  const who = [...valuesOf(e, "users"), ...valuesOf(e, "groups"), ...valuesOf(e, "fsso-groups")].map((t) => t.text);
  if (who.length > 0) conditions.push({ kind: "unknown", text: `users/groups ${who.join(" ")}`, reason: "the policy applies to authenticated users only" });
  ctx.ruleCount++;
  const name = valueOf(e, "name");
  const comment = [name ? `name "${name}"` : undefined, valueOf(e, "comments")].filter((x) => x !== undefined).join("; ");
  const rule: Rule = {
    id: `policy ${e.key}`,
    conditions,
    action: action === "accept" || action === "ipsec" ? { kind: "accept" } : { kind: "drop" },
    span: spanOf(ctx, e.at),
    ...(comment ? { comment } : {}),
  };
  const mapped = s.vips.mapped;
  if (rule.action.kind === "accept" || mapped.length === 0 || vipDestination || enabled(e, "match-vip")) return [rule];
  // FortiOS: a deny policy lets the connections a VIP translated by unless match-vip is enabled.
  // Apart from the addresses VIPs translate to, that changes nothing; there, the policy denies only
  // what no VIP translated.
  return [
    { ...rule, conditions: [...conditions, { kind: "addr", field: "dst", family: 4, ranges: mapped, negate: true }] },
    { ...rule, id: `${rule.id} (VIP addresses)`, conditions: [...conditions, { kind: "addr", field: "dst", family: 4, ranges: mapped }, { kind: "ct-dnat", text: "not translated by a VIP (match-vip disable)", negate: true }], comment: `${comment ? `${comment}; ` : ""}match-vip disable: connections a VIP translated are not denied` },
  ];
}

function policyLabel(block: Block, e: Entry): string {
  return `${block.path === "firewall policy6" ? "IPv6 policy" : "policy"} ${e.key}`;
}

/** The address fields a policy has for a family (IPv4 policies of a consolidated table also carry srcaddr6). */
function addressesFor(e: Entry, family: Family, families: readonly Family[]): { src: Token[]; dst: Token[]; negSrc: string; negDst: string } {
  if (family === 6 && families.length > 1) return { src: valuesOf(e, "srcaddr6"), dst: valuesOf(e, "dstaddr6"), negSrc: "srcaddr6-negate", negDst: "dstaddr6-negate" };
  return { src: valuesOf(e, "srcaddr"), dst: valuesOf(e, "dstaddr"), negSrc: "srcaddr-negate", negDst: "dstaddr-negate" };
}

/** The destination side: addresses, or VIPs (DNATed connections to their mapped addresses). */
function destinationOf(ctx: FortiosContext, s: PolicyScope, label: string, names: Token[], family: Family): { alts: Alternatives; vip: boolean } {
  const vipNames = names.filter((n) => s.vips.has(n.text, family) && !s.books.has(n.text, family));
  if (vipNames.length === 0) return { alts: s.books.resolveUsed(names, family, "dst", label, family === 6 ? "dstaddr6" : "dstaddr"), vip: false };
  const vipAlts = vipNames.flatMap((n) => s.vips.policyMatch(n.text, family));
  const others = names.filter((n) => !vipNames.includes(n));
  if (others.length === 0) {
    // every destination is a VIP: "the connection was DNATed" holds for each, so it is said once
    return { alts: [[{ kind: "ct-dnat", text: `destination VIP ${vipNames.map((n) => n.text).join(" ")}` }, ...anyOf(vipAlts)]], vip: true };
  }
  return { alts: [...vipAlts.map((a) => [...a, { kind: "ct-dnat", text: "destination VIP" } as Condition]), ...s.books.resolveUsed(others, family, "dst", label, family === 6 ? "dstaddr6" : "dstaddr")], vip: true };
}

function interfaceCondition(ctx: FortiosContext, s: PolicyScope, label: string, key: string, names: Token[], field: "iif" | "oif"): Condition[] {
  if (names.some((n) => n.text === "any")) return [];
  const alts: Condition[][] = [];
  for (const n of names) {
    const zone = s.zones.get(n.text);
    if (zone) {
      for (const m of zone.members) alts.push([{ kind: "iface", field, name: m, prefix: false }]);
      if (zone.members.length === 0) ctx.diags.warn(n, `${label}: zone '${n.text}' has no interfaces; it matches no traffic`);
      continue;
    }
    if (s.interfaces && !s.interfaces.has(n.text)) undefinedRef(ctx, n, `${label}: ${key} '${n.text}' is not an interface or zone of this ${s.suffix === "" ? "device" : `VDOM (${s.vdom.name})`}`);
    alts.push([{ kind: "iface", field, name: n.text, prefix: false }]);
  }
  if (alts.length === 0) return [{ kind: "or", anyOf: [] }];
  return anyOf(alts);
}
