/**
 * Google Cloud VPC firewall rules (and firewall policies) -> Ruleset.
 *
 * GCP semantics (docs/formats.md section 9): per direction, the matching rule with the lowest
 * priority number decides, a deny beating an allow at equal priority; disabled rules are left out;
 * what no rule matches falls to the implied rules (ingress deny-all, egress allow-all, priority
 * 65535); connections are stateful (replies pass).
 *
 * Which instances carry which tags and service accounts is not in the file, so - as the AWS reader
 * does with security groups - each target is analysed on its own, as an instance that carries only
 * it, and stands for an interface name packets arrive on (`iif`, inbound) or leave through (`oif`,
 * outbound):
 * - `NET/any`: every instance of network NET (only the rules without targets apply to it);
 * - `NET/tag:TAG`: an instance with network tag TAG (the untargeted rules plus those naming TAG);
 * - `NET/sa:ACCOUNT`: an instance running as that service account (untargeted plus those naming it);
 * - `NET/vm:NAME`: in an `instances.getEffectiveFirewalls` document, the one instance its rules are
 *   in effect on (every rule reaches it).
 * Egress also meets what Google Cloud does whatever the rules say (alwaysOnEgress).
 * Names are kept within the 32 bytes an interface name holds (a long one is cut and numbered); the
 * chain's label spells the target out. Networks never mix: a rule only reaches its network's targets.
 *
 * Chains (table `gcp-firewall`):
 * - `inbound` / `outbound`: pass packets of established connections, then jump on the interface to
 *   its target's chain; a packet arriving on any other name reaches no instance and is refused.
 * - `TARGET ingress` / `TARGET egress`: jumps to the hierarchical (organization / folder) firewall
 *   policies in the order the document lists them, then the network's VPC rules that apply to the
 *   target sorted by (priority, deny first, document order) - first match is then GCP's choice -,
 *   then jumps to the network firewall policies (NETWORK, NETWORK_REGIONAL: evaluated after the VPC
 *   rules, the default enforcement order, which the file does not show), then the implied rule.
 * - `policy NAME ingress` / `egress`: a policy's rules by priority (deny first at equal priority):
 *   allow accepts, deny drops, goto_next returns to the next level (as does falling off the end); a
 *   rule limited to some targets (targetServiceAccounts, targetResources) matches on their names.
 *
 * One rule becomes up to two model rules with its span: one for its address ranges, and one for its
 * sourceTags / sourceServiceAccounts (other VMs of the network: an unknown condition that strangers'
 * traffic never satisfies, neither "any source" nor "nobody"); the rule matches if either does.
 * Ports and protocols are one condition (alternatives of the `allowed`/`denied` entries).
 */
import { parseAddrSpec } from "../../src/model/address.js";
import type { Action, AddrRange, Chain, Condition, Diagnostic, Family, Rule, Ruleset, SourceSpan } from "../../src/model/types.js";
import { chainKey } from "../../src/model/types.js";
import type { Direction, FirewallPolicy, FirewallRule, Placed, PolicyRule, ProtocolEntry } from "./read.js";
import { networkOf, type GcpDocument } from "./read.js";
import { interfaceNamer } from "../interface-names.js";
import { dispatchChain, dispatchPipelines, targetJump } from "../cloud-dispatch.js";
import { nameTable } from "../../src/model/name-table.js";

const TABLE = "gcp-firewall";
const IMPLIED_PRIORITY = 65535;

/** IP protocol names the firewall API takes. */
const PROTOCOLS: Readonly<Record<string, number>> = nameTable({ tcp: 6, udp: 17, icmp: 1, esp: 50, ah: 51, sctp: 132, ipip: 4 });
/** Protocols with ports (the API takes `ports` for these only). */
const PORTED = new Set([6, 17, 132]);

type Tell = (span: SourceSpan, message: string) => void;

/** One analysed target of a network. */
interface Target {
  /** The interface name packets arrive on / leave through. */
  iface: string;
  network: string;
  /** `instance`: the one instance an instances.getEffectiveFirewalls document is about (every rule in it reaches it). */
  kind: "any" | "tag" | "sa" | "instance";
  value: string;
  /** For messages: "network default, instances tagged web". */
  label: string;
}

interface Network {
  key: string;
  project?: string;
  name: string;
  display: string;
  rules: FirewallRule[];
  targets: Target[];
  /** Where its implied rules are told: its first rule (the document's start without one). */
  span: SourceSpan;
}

export function mapGcpFirewall(doc: GcpDocument, file: string, diagnostics: Diagnostic[]): Ruleset {
  const tell = (severity: Diagnostic["severity"]): Tell => (span, message) => diagnostics.push({ severity, message, file, line: span.line, column: span.column });
  const info = tell("info");
  const warn = tell("warning");
  const error = tell("error");
  const chains = new Map<string, Chain>();
  let ruleCount = 0;

  // the networks and their rules (disabled ones and those without a verdict left out)
  const networks = new Map<string, Network>();
  const keyOf = (n: { project?: string; name: string }) => `${n.project ?? ""}/${n.name}`;
  const networkFor = (n: { project?: string; name: string }, span: SourceSpan): Network => {
    const key = keyOf(n);
    let net = networks.get(key);
    if (!net) networks.set(key, (net = { key, ...(n.project !== undefined ? { project: n.project } : {}), name: n.name, display: n.name, rules: [], targets: [], span }));
    return net;
  };
  for (const r of doc.rules) {
    const net = networkFor(r.network, r.span);
    if (r.noVerdict) {
      error(r.span, `firewall rule ${r.name} has neither allowed nor denied: it is left out`);
      continue;
    }
    if (r.disabled) {
      info(r.span, `firewall rule ${r.name} is disabled: it is left out`);
      continue;
    }
    if (r.priority > IMPLIED_PRIORITY) {
      error(r.span, `firewall rule ${r.name}: priority ${r.priority} is above 65535: it is left out`);
      continue;
    }
    net.rules.push(r);
    ruleCount++;
  }
  const policyRules = doc.policies.flatMap((p) => p.rules.filter((r) => !r.disabled));
  for (const p of doc.policies) for (const r of p.rules) if (r.disabled) info(r.span, `rule ${r.priority} of firewall policy ${p.name} is disabled: it is left out`);
  ruleCount += policyRules.length;
  // policies without VPC rules still guard the network the document is about (its name is not in it)
  if (networks.size === 0 && policyRules.length > 0) networkFor({ name: "default" }, doc.span);
  // a network's short name, unless two projects' networks share it
  const byName = new Map<string, number>();
  for (const n of networks.values()) byName.set(n.display, (byName.get(n.display) ?? 0) + 1);
  for (const n of networks.values()) if ((byName.get(n.display) ?? 0) > 1) n.display = n.key.replace(/^\//, "");

  // the targets of each network
  const ifaceName = interfaceNamer();
  for (const net of networks.values()) {
    const tags = new Set<string>();
    const accounts = new Set<string>();
    for (const r of net.rules) {
      r.targetTags.forEach((t) => tags.add(t));
      r.targetServiceAccounts.forEach((s) => accounts.add(s));
    }
    for (const r of policyRules) if (appliesToNetwork(r, net)) r.targetServiceAccounts.forEach((s) => accounts.add(s));
    const where = `network ${net.display}`;
    if (doc.instance !== undefined) {
      // the rules in effect on one instance: it carries every tag and account they name
      net.targets.push({ iface: ifaceName(`${net.display}/vm:${doc.instance}`), network: net.key, kind: "instance", value: doc.instance, label: `${where}, instance ${doc.instance}` });
      continue;
    }
    net.targets.push({ iface: ifaceName(`${net.display}/any`), network: net.key, kind: "any", value: "", label: `${where}, every instance` });
    for (const t of tags) net.targets.push({ iface: ifaceName(`${net.display}/tag:${t}`), network: net.key, kind: "tag", value: t, label: `${where}, instances tagged ${t}` });
    for (const s of accounts) net.targets.push({ iface: ifaceName(`${net.display}/sa:${s.split("@")[0]}`), network: net.key, kind: "sa", value: s, label: `${where}, instances running as ${s}` });
  }
  const allTargets = [...networks.values()].flatMap((n) => n.targets);

  // the firewall policies: one chain per policy and direction
  const before: Record<Direction, string[]> = { INGRESS: [], EGRESS: [] };
  const after: Record<Direction, string[]> = { INGRESS: [], EGRESS: [] };
  doc.policies.forEach((p, k) => {
    const network = /^NETWORK/.test(p.type);
    info(
      p.span,
      network
        ? `firewall policy ${p.name} (${p.type}) is evaluated after the VPC firewall rules (the default enforcement order AFTER_CLASSIC_FIREWALL; the network's setting is not in the file)`
        : `firewall policy ${p.name} (${p.type}) is evaluated before the VPC firewall rules, policies in the order the document lists them`,
    );
    for (const direction of ["INGRESS", "EGRESS"] as const) {
      const name = `policy ${k + 1} ${p.name} ${direction.toLowerCase()}`;
      const chain: Chain = { name, table: TABLE, rules: [], span: p.span, label: `firewall policy ${p.name} ${direction.toLowerCase()} rules` };
      const rules = sortByPriority(p.rules.filter((r) => !r.disabled && r.direction === direction), (r) => r.action === "deny");
      for (const r of rules) chain.rules.push(...policyRuleToRules(p, r, direction, allTargets, networks, { warn, error, info }));
      chains.set(chainKey(TABLE, name), chain);
      (network ? after : before)[direction].push(name);
    }
  });

  // each target's chains and the dispatch chains
  for (const direction of ["INGRESS", "EGRESS"] as const) {
    const kind = direction === "INGRESS" ? "inbound" : "outbound";
    const word = direction.toLowerCase();
    // (the dispatch is fwlint's, not a rule of the file: told at the document's start)
    const first = doc.span;
    const dispatch = dispatchChain(TABLE, kind, first, `the VPC firewall's ${word} rules`, true);
    for (const net of networks.values()) {
      const own = sortByPriority(net.rules.filter((r) => r.direction === direction), (r) => r.action === "deny");
      for (const t of net.targets) {
        const name = `${t.iface} ${word}`;
        const chain: Chain = { name, table: TABLE, rules: [], span: net.span, label: `${t.label}: ${word} rules` };
        const jump = (policy: string): Rule => ({ id: `${t.iface}/${word}->${policy}`, conditions: [], action: { kind: "jump", chain: policy }, span: chains.get(chainKey(TABLE, policy))!.span, comment: "firewall policy", implied: true });
        if (direction === "EGRESS") chain.rules.push(...alwaysOnEgress(t.iface, net.span));
        chain.rules.push(...before[direction].map(jump));
        for (const r of own) if (targets(r, t)) chain.rules.push(...vpcRuleToRules(r, t, direction, { warn, error }));
        chain.rules.push(...after[direction].map(jump));
        const implied = direction === "INGRESS" ? `implied rule: deny all ingress (priority ${IMPLIED_PRIORITY})` : `implied rule: allow all egress (priority ${IMPLIED_PRIORITY})`;
        chain.rules.push({
          id: `${t.iface}/${word}#implied`,
          conditions: [],
          action: { kind: direction === "INGRESS" ? "drop" : "accept" },
          // told where the network's rules start, in words (not that rule's text)
          span: { ...net.span, text: implied },
          comment: implied,
          implied: true,
        });
        chains.set(chainKey(TABLE, name), chain);
        dispatch.rules.push(targetJump(kind, t.iface, name, first, true));
      }
    }
    chains.set(chainKey(TABLE, kind), dispatch);
  }

  return { format: "gcp-firewall", file, families: [4, 6], chains, pipelines: dispatchPipelines(TABLE), diagnostics, ruleCount };
}

/**
 * What Google Cloud does to egress whatever the rules say: the metadata server (169.254.169.254)
 * is always reachable, and TCP 25 to an external (not RFC 1918) IPv4 address is always blocked.
 */
const METADATA = "Google Cloud: the metadata server is always reachable";
const SMTP_BLOCK = "Google Cloud: egress to TCP 25 of an external address is always blocked";

export function alwaysOnEgress(iface: string, span: SourceSpan): Rule[] {
  const privateV4: AddrRange[] = [
    { lo: 0x0a000000n, hi: 0x0affffffn },
    { lo: 0xac100000n, hi: 0xac1fffffn },
    { lo: 0xc0a80000n, hi: 0xc0a8ffffn },
  ];
  return [
    { id: `${iface}/egress#metadata`, conditions: [{ kind: "family", family: 4 }, { kind: "addr", field: "dst", family: 4, ranges: [{ lo: 0xa9fea9fen, hi: 0xa9fea9fen }] }], action: { kind: "accept" }, span: { ...span, text: METADATA }, comment: METADATA, implied: true },
    { id: `${iface}/egress#smtp`, conditions: [{ kind: "family", family: 4 }, { kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[25, 25]] }, { kind: "addr", field: "dst", family: 4, ranges: privateV4, negate: true }], action: { kind: "drop" }, span: { ...span, text: SMTP_BLOCK }, comment: SMTP_BLOCK, implied: true },
  ];
}

/** By priority (lower first), denies before allows at equal priority, else in document order. */
export function sortByPriority<T extends { priority: number }>(rules: T[], isDeny: (r: T) => boolean): T[] {
  return rules
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.priority - b.r.priority || Number(isDeny(b.r)) - Number(isDeny(a.r)) || a.i - b.i)
    .map((x) => x.r);
}

/** Does a VPC rule apply to the target? Untargeted rules reach every target of their network. */
function targets(r: FirewallRule, t: Target): boolean {
  if (t.kind === "instance") return true;
  if (r.targetTags.length === 0 && r.targetServiceAccounts.length === 0) return true;
  if (t.kind === "tag") return r.targetTags.includes(t.value);
  if (t.kind === "sa") return r.targetServiceAccounts.includes(t.value);
  return false;
}

/** Is a policy rule for this network? `targetResources` names networks by URL; none: every network. */
function appliesToNetwork(r: PolicyRule, net: { project?: string; name: string }): boolean {
  if (r.targetResources.length === 0) return true;
  return r.targetResources.some((url) => {
    const n = networkOf(url);
    return n.name === net.name && (n.project === undefined || net.project === undefined || n.project === net.project);
  });
}

interface Tellers {
  warn: Tell;
  error: Tell;
  info?: Tell;
}

/**
 * The protocol and ports of `allowed` / `denied` (or `layer4Configs`) entries: one alternative per
 * entry; [] when one of them is every protocol. Null: none is usable (each told).
 */
function serviceConditions(entries: readonly ProtocolEntry[], what: string, tell: Tellers): Condition[] | null {
  const alternatives: Condition[][] = [];
  for (const e of entries) {
    const alt = entryConditions(e, what, tell);
    if (alt === null) continue;
    if (alt.length === 0) return [];
    alternatives.push(alt);
  }
  if (alternatives.length === 0) return null;
  return alternatives.length === 1 ? alternatives[0]! : [{ kind: "or", anyOf: alternatives }];
}

function entryConditions(e: ProtocolEntry, what: string, tell: Tellers): Condition[] | null {
  if (e.protocol === "all") {
    if (e.ports && e.ports.length > 0) tell.error(e.ports[0]!.span, `${what}: ports are only for tcp, udp and sctp, not 'all': the entry is left out`);
    return e.ports && e.ports.length > 0 ? null : [];
  }
  const num = PROTOCOLS[e.protocol] ?? (/^[0-9]+$/.test(e.protocol) ? Number(e.protocol) : NaN);
  if (!Number.isInteger(num) || num < 0 || num > 255) {
    tell.error(e.span, `${what}: '${e.protocol}' is not a protocol (expected tcp, udp, icmp, esp, ah, sctp, ipip, all or a number 0-255): the entry is left out`);
    return null;
  }
  const proto: Condition = { kind: "proto", protos: [num] };
  if (e.ports === undefined || e.ports.length === 0) return [proto];
  if (!PORTED.has(num)) {
    tell.error(e.ports[0]!.span, `${what}: ports are only for tcp, udp and sctp, not '${e.protocol}': the entry is left out`);
    return null;
  }
  const ranges: [number, number][] = [];
  for (const p of e.ports) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(p.text);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2] ?? m[1]) : NaN;
    if (!(lo <= hi && hi <= 65535)) {
      tell.error(p.span, `${what}: '${p.text}' is not a port or a port range N-M within 0-65535: it is left out`);
      continue;
    }
    ranges.push([lo, hi]);
  }
  if (ranges.length === 0) return null;
  return [proto, { kind: "port", field: "dport", ranges }];
}

/** Address ranges as one condition on `field` (an `or` over the families when both are there); null: none usable. */
function rangeCondition(list: readonly Placed[], field: "src" | "dst", what: string, tell: Tellers): Condition | null {
  const byFamily: Record<Family, AddrRange[]> = { 4: [], 6: [] };
  for (const p of list) {
    const family: Family = p.text.includes(":") ? 6 : 4;
    const r = parseAddrSpec(p.text, family);
    if (!r.ok || r.prefix === null) {
      tell.error(p.span, `${what}: '${p.text}' is not an IPv${family} address or CIDR block: it is left out`);
      continue;
    }
    byFamily[family].push(r.range);
  }
  const conds: Condition[] = ([4, 6] as const).filter((f) => byFamily[f].length > 0).map((family) => ({ kind: "addr", field, family, ranges: byFamily[family] }));
  if (conds.length === 0) return null;
  return conds.length === 1 ? conds[0]! : { kind: "or", anyOf: conds.map((c) => [c]) };
}

const ANY_V4: Placed = { text: "0.0.0.0/0", span: { file: "", line: 0, column: 0 } };

/**
 * A VPC rule as model rules for one target: [addresses], [other VMs by tag / service account].
 * Ingress: sources are sourceRanges OR sourceTags / sourceServiceAccounts (none at all: 0.0.0.0/0,
 * the API's default), destinationRanges narrow the destination. Egress: destinationRanges (default
 * 0.0.0.0/0), sourceRanges narrow the source.
 */
function vpcRuleToRules(r: FirewallRule, t: Target, direction: Direction, tell: Tellers): Rule[] {
  const what = `firewall rule ${r.name}`;
  const service = serviceConditions(r.protocols, what, tell);
  if (service === null) {
    if (r.protocols.length === 0) tell.warn(r.span, `${what}: its ${r.action === "allow" ? "allowed" : "denied"} list is empty: it matches nothing`);
    return [];
  }
  const action: Action = { kind: r.action === "allow" ? "accept" : "drop" };
  const ingress = direction === "INGRESS";
  const peers = ingress ? r.sourceRanges : r.destinationRanges;
  const narrowList = ingress ? r.destinationRanges : r.sourceRanges;
  const narrow = narrowList.length > 0 ? rangeCondition(narrowList, ingress ? "dst" : "src", what, tell) : undefined;
  if (narrow === null) return [];
  const vms = ingress ? [...r.sourceTags.map((x) => `tag ${x.text}`), ...r.sourceServiceAccounts.map((x) => `service account ${x.text}`)] : [];
  const base = [...service, ...(narrow ? [narrow] : [])];
  const comment = `${what} (priority ${r.priority}, ${r.action})`;
  const out: Rule[] = [];
  const id = `${t.iface}/${direction.toLowerCase()}/${r.name}`;
  if (peers.length > 0 || vms.length === 0) {
    const where = rangeCondition(peers.length > 0 ? peers : [ANY_V4], ingress ? "src" : "dst", what, tell);
    if (where !== null) out.push({ id, conditions: [...base, where], action, span: r.span, comment });
  }
  if (vms.length > 0) {
    const unknown: Condition = { kind: "unknown", text: `source is an instance of network ${r.network.name} with ${vms.join(" or ")}`, reason: "which instances carry a network tag or run as a service account is not in the file", ordinary: false };
    out.push({ id: `${id}#vms`, conditions: [...base, unknown], action, span: r.span, comment });
  }
  return out;
}

/**
 * A firewall policy rule as model rules, limited to the targets it names: [addresses], [secure
 * tags: other VMs], [FQDNs, regions, threat lists, address groups: addresses not in the file].
 */
function policyRuleToRules(p: FirewallPolicy, r: PolicyRule, direction: Direction, all: readonly Target[], networks: ReadonlyMap<string, Network>, tell: Tellers): Rule[] {
  const what = `firewall policy ${p.name} rule ${r.priority}`;
  const service = serviceConditions(r.layer4Configs, what, tell);
  if (service === null) return [];
  // the targets it applies to
  const field = direction === "INGRESS" ? "iif" : "oif";
  const applies = all.filter((t) => appliesToNetwork(r, networks.get(t.network)!) && (r.targetServiceAccounts.length === 0 || t.kind === "instance" || (t.kind === "sa" && r.targetServiceAccounts.includes(t.value))));
  if (applies.length === 0) {
    tell.info?.(r.span, `${what} applies to no instance of the networks in the file: it is left out`);
    return [];
  }
  const target: Condition[] = [];
  if (applies.length < all.length) {
    const ifaces = applies.map((t): Condition[] => [{ kind: "iface", field, name: t.iface, prefix: false }]);
    target.push(ifaces.length === 1 ? ifaces[0]![0]! : { kind: "or", anyOf: ifaces });
  }
  if (r.targetServiceAccounts.length > 0 && applies.some((t) => t.kind === "instance")) target.push({ kind: "unknown", text: `the instance runs as ${r.targetServiceAccounts.join(" or ")}`, reason: "which service account the instance runs as is not in the file" });
  if (r.targetSecureTags > 0) target.push({ kind: "unknown", text: "the target instance carries one of the rule's secure tags", reason: "which instances carry a secure tag is not in the file" });
  const action: Action = r.action === "allow" ? { kind: "accept" } : r.action === "deny" ? { kind: "drop" } : r.action === "goto_next" ? { kind: "return" } : { kind: "unknown", target: "apply_security_profile_group" };
  const ingress = direction === "INGRESS";
  const peers = ingress ? r.srcIpRanges : r.destIpRanges;
  const narrowList = ingress ? r.destIpRanges : r.srcIpRanges;
  const narrow = narrowList.length > 0 ? rangeCondition(narrowList, ingress ? "dst" : "src", what, tell) : undefined;
  if (narrow === null) return [];
  const side = ingress ? "src" : "dest";
  const unresolved = r.unresolved.filter((u) => u.field.startsWith(side));
  const narrowUnknown = r.unresolved.filter((u) => !u.field.startsWith(side));
  const base: Condition[] = [...target, ...service, ...(narrow ? [narrow] : [])];
  for (const u of narrowUnknown) base.push({ kind: "unknown", text: `${u.field} ${u.values.join(", ")}`, reason: `the addresses of ${u.field} are not in the file` });
  // network scopes narrow the match; for a source scope, what strangers on the Internet are is known
  for (const sc of r.scopes) {
    const internet = sc.values.every((v) => v === "INTERNET") ? true : sc.values.every((v) => ["INTRA_VPC", "VPC_NETWORKS", "NON_INTERNET"].includes(v)) ? false : undefined;
    base.push({ kind: "unknown", text: `${sc.field} ${sc.values.join(", ")}`, reason: "which network a peer is in is Google Cloud's to decide", ...(sc.field.startsWith("src") && internet !== undefined ? { ordinary: internet } : {}) });
  }
  const comment = `${what} (${r.action})`;
  const id = `policy ${p.name}/${direction.toLowerCase()}/${r.priority}`;
  const out: Rule[] = [];
  if (peers.length > 0 || unresolved.length === 0) {
    const where = peers.length > 0 ? rangeCondition(peers, ingress ? "src" : "dst", what, tell) : undefined;
    if (where !== null) out.push({ id, conditions: [...base, ...(where ? [where] : [])], action, span: r.span, comment });
  }
  const vms = unresolved.filter((u) => u.field === "srcSecureTags");
  if (vms.length > 0) {
    out.push({ id: `${id}#tags`, conditions: [...base, { kind: "unknown", text: `source is an instance with secure tag ${vms.flatMap((u) => u.values).join(" or ")}`, reason: "which instances carry a secure tag is not in the file", ordinary: false }], action, span: r.span, comment });
  }
  const others = unresolved.filter((u) => u.field !== "srcSecureTags");
  if (others.length > 0) {
    const text = others.map((u) => `${u.field} ${u.values.join(", ")}`).join(" or ");
    out.push({ id: `${id}#other`, conditions: [...base, { kind: "unknown", text, reason: `the addresses of ${others.map((u) => u.field).join(", ")} are not in the file` }], action, span: r.span, comment });
  }
  return out;
}
