/**
 * Azure network security groups -> Ruleset.
 *
 * Azure semantics (docs/formats.md section 8 and section 0, [AZ-NSG]): per NSG and direction the
 * security rules are evaluated in priority order, lowest number first, and the first that matches
 * decides; then Azure's default rules (AllowVnetInBound 65000, AllowAzureLoadBalancerInBound 65001,
 * DenyAllInBound 65500; AllowVnetOutBound 65000, AllowInternetOutBound 65001, DenyAllOutBound
 * 65500), as the document's `defaultSecurityRules` give them, the missing ones added (section 12
 * item 2: hand-made JSON and templates leave them out). Connections are stateful: replies pass.
 *
 * Which subnets and network interfaces an NSG is associated with is not read, so an NSG on a subnet
 * and one on a NIC are not combined (Azure evaluates both, the subnet's first inbound and the NIC's
 * first outbound, and both must allow: section 8 [AZ-NSG-ORDER]); instead - as the AWS and GCP
 * readers do - each NSG is analysed on its own, as the interface of a NIC it guards: packets
 * arrive on `iif NSG` (inbound) and leave by `oif NSG` (outbound). A NIC's application security
 * groups are not in the file either: where rules name an ASG as their target (the destination of
 * an inbound rule, the source of an outbound one), a NIC in that ASG is analysed on its own too,
 * as `NSG/asg:ASG` (the rules without a target ASG reach every NIC). Names are kept within the 32
 * bytes an interface name holds (a long one is cut and numbered); the chain's label spells it out.
 *
 * Chains (table `azure-nsg`):
 * - `inbound` / `outbound`: pass packets of established connections, then jump on the interface to
 *   its chain; a packet on any other name reaches no NIC and is refused;
 * - `NIC inbound` / `NIC outbound`: the security rules of that direction that reach the NIC,
 *   sorted by (priority, document order), then the default rules (implied: the user cannot move
 *   them, so rule anomaly checks leave them alone).
 *
 * Protocols, any case: `*` every protocol (TCP and UDP only, where the rule restricts ports), Tcp,
 * Udp, Icmp (ICMP, and ICMPv6 for IPv6 traffic), Esp, Ah; ports on a protocol without them are an
 * unknown condition (how Azure matches them is not documented).
 *
 * Addresses: CIDR blocks and addresses of either family; `*` (and `Any`) everything; `Internet`
 * the public address space (a stranger is in it: regions.ts PUBLIC_RANGES); `VirtualNetwork` the
 * VNet's address spaces, peered networks and on-premises ranges - not in an NSG, so an unknown
 * condition that strangers' traffic never satisfies (on the NIC's own side, the NIC is in it);
 * `AzureLoadBalancer` Azure's health probe, 168.63.129.16, sent by the platform (never a stranger);
 * any other service tag an unknown condition; an application security group on the far side is
 * other NICs (an unknown condition strangers never satisfy, like the AWS reader's referenced
 * groups). ARM template expressions are unknown conditions, each told as a warning: in a priority
 * (the rule is tried before the others, if its unknown priority puts it there), a direction (the
 * rule is in both, if its direction is that one), an access (allow if it is Allow, else deny), a
 * protocol, a port or an address. Egress also meets what Azure does whatever the rules say: TCP 25
 * to external addresses blocked, unless the subscription is an Enterprise Agreement one (unknown).
 */
import { PUBLIC_RANGES } from "../../src/analysis/regions.js";
import { parseAddrSpec } from "../../src/model/address.js";
import type { Action, AddrRange, Chain, Condition, Diagnostic, Family, Rule, Ruleset, SourceSpan } from "../../src/model/types.js";
import { chainKey } from "../../src/model/types.js";
import type { AzureDocument, Direction, Expression, Nsg, Placed, SecurityRule } from "./read.js";
import { isExpression } from "./read.js";
import { interfaceNamer } from "../interface-names.js";
import { dispatchChain, dispatchPipelines, targetJump } from "../cloud-dispatch.js";
import { sureFirstRules } from "../sure-first.js";
import { nameTable } from "../../src/model/name-table.js";

const TABLE = "azure-nsg";

/** Protocol words Azure takes, case-insensitive; `Icmp` also matches ICMPv6 in IPv6 rules. */
const PROTOCOLS: Readonly<Record<string, number[]>> = nameTable({ tcp: [6], udp: [17], icmp: [1, 58], esp: [50], ah: [51] });
/** Azure's load balancer health probe (and platform DNS/DHCP) address: the AzureLoadBalancer tag. */
const AZURE_PLATFORM: AddrRange = { lo: 0xa83f8110n, hi: 0xa83f8110n };

/** Azure's default rules, in every NSG (docs/formats.md section 8 [AZ-NSG]). */
const DEFAULTS: { name: string; priority: number; direction: Direction; access: "Allow" | "Deny"; source: string; destination: string; says: string }[] = [
  { name: "AllowVnetInBound", priority: 65000, direction: "Inbound", access: "Allow", source: "VirtualNetwork", destination: "VirtualNetwork", says: "allow inbound traffic from the virtual network" },
  { name: "AllowAzureLoadBalancerInBound", priority: 65001, direction: "Inbound", access: "Allow", source: "AzureLoadBalancer", destination: "*", says: "allow inbound traffic from Azure's load balancer" },
  { name: "DenyAllInBound", priority: 65500, direction: "Inbound", access: "Deny", source: "*", destination: "*", says: "deny all inbound traffic" },
  { name: "AllowVnetOutBound", priority: 65000, direction: "Outbound", access: "Allow", source: "VirtualNetwork", destination: "VirtualNetwork", says: "allow outbound traffic to the virtual network" },
  { name: "AllowInternetOutBound", priority: 65001, direction: "Outbound", access: "Allow", source: "*", destination: "Internet", says: "allow outbound traffic to the Internet" },
  { name: "DenyAllOutBound", priority: 65500, direction: "Outbound", access: "Deny", source: "*", destination: "*", says: "deny all outbound traffic" },
];

type Tell = (span: SourceSpan, message: string) => void;
interface Tellers {
  warn: Tell;
  error: Tell;
  info: Tell;
}

/** One analysed NIC of an NSG: any NIC it guards, or one in an application security group rules target. */
interface Target {
  iface: string;
  /** The ASG the NIC is in (the rules naming it as their target reach it); undefined: none of them. */
  asg?: string;
  label: string;
}

/** A security rule compiled once for one direction; made into model rules per target. */
interface Compiled {
  rule: SecurityRule;
  /** Protocol, ports, the far side (source inbound, destination outbound), and what is unknown of the rule. */
  base: Condition[];
  /** ASGs on the NIC's side (destination inbound, source outbound). */
  targetAsgs: string[];
  /** Addresses on the NIC's side: conditions (empty: every address), or undefined when only ASGs are given. */
  targetAddrs?: Condition[];
  /** Allow, Deny, or unknown (an expression): an accept under the unknown, then a drop. */
  access: "Allow" | "Deny" | Expression;
  /** Its priority is an expression: tried before the others. */
  first: boolean;
  comment: string;
  implied: boolean;
}

export function mapAzureNsg(doc: AzureDocument, file: string, diagnostics: Diagnostic[]): Ruleset {
  const tell = (severity: Diagnostic["severity"]): Tell => (span, message) => diagnostics.push({ severity, message, file, line: span.line, column: span.column });
  const tellers: Tellers = { warn: tell("warning"), error: tell("error"), info: tell("info") };
  const chains = new Map<string, Chain>();
  // No NSG read (a document cut short, of something else, or empty): no chain, so that a file
  // nothing could be read from is one that could not be parsed (check's exit status 2).
  if (doc.nsgs.length === 0) return { format: "azure-nsg", file, families: [4, 6], chains, pipelines: [], diagnostics, ruleCount: 0 };
  let ruleCount = 0;

  // names: an NSG's own, unless two resource groups' NSGs share it
  const byName = new Map<string, number>();
  for (const n of doc.nsgs) byName.set(n.name, (byName.get(n.name) ?? 0) + 1);
  const display = (n: Nsg) => ((byName.get(n.name) ?? 0) > 1 && n.resourceGroup !== undefined ? `${n.resourceGroup}/${n.name}` : n.name);
  const ifaceName = interfaceNamer();

  const label = (kind: string) => `the network security groups' ${kind} rules`;
  const dispatch: Record<Direction, Chain> = { Inbound: dispatchChain(TABLE, "inbound", doc.span, label("inbound"), true), Outbound: dispatchChain(TABLE, "outbound", doc.span, label("outbound"), true) };
  for (const nsg of doc.nsgs) {
    const shown = display(nsg);
    const where = `network security group ${shown}`;
    const compiled: Record<Direction, Compiled[]> = { Inbound: [], Outbound: [] };
    for (const r of nsg.rules) {
      const c = compileRule(r, tellers);
      if (c.length > 0) ruleCount++;
      for (const [direction, rule] of c) compiled[direction].push(rule);
    }
    checkPriorities(nsg, tellers);
    const defaults = defaultRules(nsg, tellers);
    for (const r of defaults) for (const [direction, rule] of compileRule(r, tellers)) compiled[direction].push(rule);

    // the NICs: any NIC it guards, and one per application security group the rules target
    const targets: Target[] = [{ iface: ifaceName(shown), label: where }];
    const asgs = new Set<string>();
    for (const d of ["Inbound", "Outbound"] as const) for (const c of compiled[d]) c.targetAsgs.forEach((a) => asgs.add(a));
    for (const a of asgs) targets.push({ iface: ifaceName(`${shown}/asg:${a}`), asg: a, label: `${where}, a NIC in application security group ${a}` });

    for (const direction of ["Inbound", "Outbound"] as const) {
      const word = direction === "Inbound" ? "inbound" : "outbound";
      const ordered = sortRules(compiled[direction]);
      for (const t of targets) {
        const name = `${t.iface} ${word}`;
        const chain: Chain = { name, table: TABLE, rules: [], span: nsg.span, label: `${t.label}: ${word} security rules` };
        if (direction === "Outbound") chain.rules.push(smtpBlock(t.iface, nsg.span));
        for (const c of ordered) chain.rules.push(...toRules(c, t, word));
        chains.set(chainKey(TABLE, name), chain);
        dispatch[direction].rules.push(targetJump(word, t.iface, name, doc.span, true));
      }
    }
  }
  chains.set(chainKey(TABLE, "inbound"), dispatch.Inbound);
  chains.set(chainKey(TABLE, "outbound"), dispatch.Outbound);

  return { format: "azure-nsg", file, families: [4, 6], chains, pipelines: dispatchPipelines(TABLE), diagnostics, ruleCount };
}


const SMTP_BLOCK = "Azure: outbound TCP 25 to the Internet is blocked, except for Enterprise Agreement and MCA-E subscriptions";

/**
 * What Azure does to egress whatever the rules say: a VM's SMTP connections (TCP 25) to external
 * addresses are blocked unless the subscription is an Enterprise Agreement or MCA-E one - which
 * the file does not tell (an unknown condition).
 */
function smtpBlock(iface: string, span: SourceSpan): Rule {
  const dst: Condition = { kind: "or", anyOf: ([4, 6] as const).map((family): Condition[] => [{ kind: "addr", field: "dst", family, ranges: PUBLIC_RANGES[family].map(([lo, hi]) => ({ lo, hi })) }]) };
  return {
    id: `${iface}/outbound#smtp`,
    conditions: [
      { kind: "proto", protos: [6] },
      { kind: "port", field: "dport", ranges: [[25, 25]] },
      dst,
      { kind: "unknown", text: "the subscription is not an Enterprise Agreement or MCA-E one", reason: "Azure blocks outbound TCP 25 to external addresses by subscription type, which is not in the file" },
    ],
    action: { kind: "drop" },
    span: { ...span, text: SMTP_BLOCK },
    comment: SMTP_BLOCK,
    implied: true,
  };
}

/** Rules whose priority is an expression first (document order), then by priority, then document order. */
function sortRules(rules: Compiled[]): Compiled[] {
  const key = (c: Compiled) => (c.first ? -1 : typeof c.rule.priority === "number" ? c.rule.priority : -1);
  return rules
    .map((c, i) => ({ c, i }))
    .sort((a, b) => Number(a.c.implied) - Number(b.c.implied) || key(a.c) - key(b.c) || a.i - b.i)
    .map((x) => x.c);
}

/** Azure takes 100-4096, one rule per priority and direction: told, and read as written. */
function checkPriorities(nsg: Nsg, tell: Tellers): void {
  const seen = new Map<string, SecurityRule>();
  for (const r of nsg.rules) {
    if (typeof r.priority !== "number") continue;
    if (r.priority < 100 || r.priority > 4096) tell.warn(r.span, `security rule ${r.name}: priority ${r.priority} is outside the 100-4096 Azure takes for security rules: read as written`);
    if (typeof r.direction !== "string") continue;
    const key = `${r.direction}/${r.priority}`;
    const other = seen.get(key);
    if (other) tell.warn(r.span, `security rules ${other.name} and ${r.name} share priority ${r.priority} (${r.direction.toLowerCase()}), which Azure refuses: read in document order`);
    else seen.set(key, r);
  }
}

/** The document's default rules, and Azure's default rules it leaves out (implied, told at the rule list). */
function defaultRules(nsg: Nsg, tell: Tellers): SecurityRule[] {
  const out = [...nsg.defaults];
  const present = new Set(nsg.defaults.map((r) => r.name.toLowerCase()));
  const added: string[] = [];
  for (const d of DEFAULTS) {
    if (present.has(d.name.toLowerCase())) continue;
    added.push(d.name);
    const text = `Azure default rule ${d.name} (priority ${d.priority}): ${d.says}`;
    const span = { ...nsg.rulesSpan, text };
    const placed = (t: string): Placed[] => [{ text: t, span }];
    out.push({
      name: d.name,
      priority: d.priority,
      direction: d.direction,
      access: d.access,
      protocol: { text: "*", span },
      sourcePorts: placed("*"),
      destinationPorts: placed("*"),
      sourceAddresses: placed(d.source),
      destinationAddresses: placed(d.destination),
      sourceAsgs: [],
      destinationAsgs: [],
      isDefault: true,
      span,
    });
  }
  if (added.length === DEFAULTS.length) tell.info(nsg.rulesSpan, `network security group ${nsg.name}: the document has no defaultSecurityRules: Azure's default rules are added after the security rules (${added.join(", ")})`);
  else if (added.length > 0) tell.info(nsg.rulesSpan, `network security group ${nsg.name}: Azure's default rules ${added.join(", ")} are not in the document's defaultSecurityRules: added`);
  return out;
}

const expr = (v: unknown): v is Expression => typeof v === "object" && v !== null && "expression" in v;

/** A security rule compiled for each direction it is in; [] when nothing of it is usable (told). */
function compileRule(r: SecurityRule, tell: Tellers): [Direction, Compiled][] {
  if (r.computed) return computedRule(r);
  const what = `${r.isDefault ? "default rule" : "security rule"} ${r.name}`;
  const unknowns: Condition[] = [];
  const unknownValue = (e: Expression, field: string, text: string) => {
    tell.warn(e.span, `${what}: ${field} ${e.expression} is a template expression: its value is not in the file (an unknown condition)`);
    unknowns.push({ kind: "unknown", text, reason: `the template expression ${e.expression} is not evaluated` });
  };
  if (expr(r.priority)) unknownValue(r.priority, "priority", `the priority ${r.priority.expression} puts ${r.name} before the rules that match too`);
  else if (r.priority > 65535) {
    tell.error(r.span, `${what}: priority ${r.priority} is above 65535: the rule is left out`);
    return [];
  }
  if (expr(r.access)) tell.warn(r.access.span, `${what}: access ${r.access.expression} is a template expression: the rule allows if it is Allow and denies otherwise (an unknown condition)`);

  // protocol
  const protoText = r.protocol.text;
  let protos: number[] | undefined;
  if (isExpression(protoText)) {
    tell.warn(r.protocol.span, `${what}: protocol ${protoText} is a template expression: its value is not in the file (an unknown condition)`);
    unknowns.push({ kind: "unknown", text: `the protocol is ${protoText}`, reason: `the template expression ${protoText} is not evaluated` });
  } else if (protoText !== "*") {
    protos = PROTOCOLS[protoText.toLowerCase()];
    if (protos === undefined) {
      tell.error(r.protocol.span, `${what}: '${protoText}' is not a protocol (expected *, Tcp, Udp, Icmp, Esp or Ah): the rule is left out`);
      return [];
    }
  }
  if (!r.isDefault) {
    const absent = (given: number, words: string) => given === 0 && tell.warn(r.span, `${what} has neither ${words}: read as every ${words.includes("Port") ? "port" : "address"} (*)`);
    absent(r.sourcePorts.length, "sourcePortRange nor sourcePortRanges");
    absent(r.destinationPorts.length, "destinationPortRange nor destinationPortRanges");
    absent(r.sourceAddresses.length + r.sourceAsgs.length, "sourceAddressPrefix(es) nor sourceApplicationSecurityGroups");
    absent(r.destinationAddresses.length + r.destinationAsgs.length, "destinationAddressPrefix(es) nor destinationApplicationSecurityGroups");
  }
  const ported = protos === undefined || protos.includes(6) || protos.includes(17);
  const service: Condition[] = protos ? [{ kind: "proto", protos }] : [];
  for (const [list, field, side] of [
    [r.sourcePorts, "sport", "source"],
    [r.destinationPorts, "dport", "destination"],
  ] as const) {
    const ports = portCondition(list, field, `${what}: ${side} port`, tell);
    if (ports === null) return [];
    if (ports === undefined) continue;
    if (!ported) {
      unknowns.push({ kind: "unknown", text: `${side} ports ${list.map((p) => p.text).join(", ")} on a ${protoText} packet`, reason: "how Azure matches ports on a protocol without them is not documented" });
      tell.warn(list[0]!.span, `${what}: ${side} ports on protocol ${protoText}, which has none: whether Azure matches them is not documented (an unknown condition)`);
      continue;
    }
    // (ports restrict a rule for every protocol to TCP and UDP)
    if (protos === undefined && !service.some((c) => c.kind === "proto")) service.push({ kind: "proto", protos: [6, 17] });
    service.push(ports);
  }

  const directions: Direction[] = expr(r.direction) ? ["Inbound", "Outbound"] : [r.direction];
  if (expr(r.direction)) tell.warn(r.direction.span, `${what}: direction ${r.direction.expression} is a template expression: the rule is read in both directions, each under an unknown condition`);
  const out: [Direction, Compiled][] = [];
  for (const direction of directions) {
    const inbound = direction === "Inbound";
    // the far side (where strangers are) and the NIC's own side
    const far = addressSide(inbound ? r.sourceAddresses : r.destinationAddresses, inbound ? r.sourceAsgs : r.destinationAsgs, inbound ? "src" : "dst", false, `${what}: ${inbound ? "source" : "destination"}`, tell);
    if (far === null) return [];
    const ownAddrs = inbound ? r.destinationAddresses : r.sourceAddresses;
    const ownAsgs = (inbound ? r.destinationAsgs : r.sourceAsgs).map((a) => a.text);
    let targetAddrs: Condition[] | undefined;
    if (ownAddrs.length > 0 || ownAsgs.length === 0) {
      const own = addressSide(ownAddrs, [], inbound ? "dst" : "src", true, `${what}: ${inbound ? "destination" : "source"}`, tell);
      if (own === null) return [];
      targetAddrs = own;
    }
    const extra: Condition[] = expr(r.direction) ? [{ kind: "unknown", text: `the direction ${r.direction.expression} is ${direction}`, reason: `the template expression ${r.direction.expression} is not evaluated` }] : [];
    const pri = typeof r.priority === "number" ? `priority ${r.priority}` : `priority ${r.priority.expression}`;
    const access = expr(r.access) ? r.access.expression : r.access;
    out.push([
      direction,
      {
        rule: r,
        base: [...service, ...far, ...unknowns, ...extra],
        targetAsgs: ownAsgs,
        ...(targetAddrs !== undefined ? { targetAddrs } : {}),
        access: r.access,
        first: expr(r.priority),
        comment: `${r.isDefault ? "Azure default rule" : "security rule"} ${r.name} (${pri}, ${access})`,
        implied: r.isDefault,
      },
    ]);
  }
  return out;
}

/**
 * The rules a template computes (told by the reader), in both directions: one rule tried first,
 * matching if one of them does, allowing if that one allows.
 */
function computedRule(r: SecurityRule): [Direction, Compiled][] {
  const text = r.name;
  const match: Condition = { kind: "unknown", text: `a rule computed by ${text} matches`, reason: `the rules ${text} computes are not in the file` };
  return (["Inbound", "Outbound"] as const).map((direction): [Direction, Compiled] => [
    direction,
    { rule: r, base: [match], targetAsgs: [], targetAddrs: [], access: { expression: text, span: r.span }, first: true, comment: `the security rules computed by ${text}`, implied: false },
  ]);
}

/**
 * Ports as one condition on `field`; undefined: every port; null: none usable (told). Neither the
 * singular nor the plural field given: every port, told.
 */
function portCondition(list: readonly Placed[], field: "sport" | "dport", what: string, tell: Tellers): Condition | null | undefined {
  if (list.length === 0) return undefined;
  if (list.some((p) => p.text === "*")) return undefined;
  const ranges: [number, number][] = [];
  const unknown: Condition[] = [];
  for (const p of list) {
    if (isExpression(p.text)) {
      tell.warn(p.span, `${what} ${p.text} is a template expression: its value is not in the file (an unknown condition)`);
      unknown.push({ kind: "unknown", text: `the ${field === "dport" ? "destination" : "source"} port is in ${p.text}`, reason: `the template expression ${p.text} is not evaluated` });
      continue;
    }
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(p.text);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2] ?? m[1]) : NaN;
    if (!(lo <= hi && hi <= 65535)) {
      tell.error(p.span, `${what} '${p.text}' is not a port or a port range N-M within 0-65535: it is left out`);
      continue;
    }
    ranges.push([lo, hi]);
  }
  const alternatives: Condition[][] = [...(ranges.length > 0 ? [[{ kind: "port", field, ranges } as Condition]] : []), ...unknown.map((u) => [u])];
  if (alternatives.length === 0) return null;
  return alternatives.length === 1 ? alternatives[0]![0]! : { kind: "or", anyOf: alternatives };
}

/**
 * One side of a rule (addresses and application security groups, unioned) as conditions: [] for
 * every address, null when nothing of it is usable (told). `own`: the NIC's side (the destination
 * inbound, the source outbound), where `VirtualNetwork` holds for the NIC's own address.
 */
function addressSide(addrs: readonly Placed[], asgs: readonly Placed[], field: "src" | "dst", own: boolean, what: string, tell: Tellers): Condition[] | null {
  if (addrs.length === 0 && asgs.length === 0) {
    return [];
  }
  const byFamily: Record<Family, AddrRange[]> = { 4: [], 6: [] };
  const alternatives: Condition[][] = [];
  const side = field === "src" ? "source" : "destination";
  let ownInternet: Placed | undefined;
  for (const p of addrs) {
    const t = p.text;
    const lower = t.toLowerCase();
    if (t === "*" || lower === "any") return [];
    if (isExpression(t)) {
      tell.warn(p.span, `${what} ${t} is a template expression: its value is not in the file (an unknown condition)`);
      alternatives.push([{ kind: "unknown", text: `the ${side} is in ${t}`, reason: `the template expression ${t} is not evaluated` }]);
    } else if (lower === "internet") {
      // The NIC's own address is a private one of its virtual network (Azure translates a public
      // address to it before the inbound rules, and from it after the outbound ones): never Internet.
      if (own) {
        ownInternet = p;
        continue;
      }
      for (const f of [4, 6] as const) byFamily[f].push(...PUBLIC_RANGES[f].map(([lo, hi]) => ({ lo, hi })));
    } else if (lower === "virtualnetwork") {
      alternatives.push([
        own
          ? { kind: "unknown", text: `the ${side} is in the virtual network`, reason: "the NIC's own address is in its virtual network; the VNet's address space is not in an NSG", ordinary: true }
          : { kind: "unknown", text: `the ${side} is in the virtual network (service tag VirtualNetwork)`, reason: "the VNet's address spaces, peered networks and on-premises ranges are not in an NSG; a stranger on the Internet is not in them", ordinary: false },
      ]);
    } else if (lower === "azureloadbalancer") {
      const probe: Condition = { kind: "addr", field, family: 4, ranges: [AZURE_PLATFORM] };
      alternatives.push(own ? [probe] : [probe, { kind: "unknown", text: `the ${side} is Azure's load balancer health probe (service tag AzureLoadBalancer)`, reason: "168.63.129.16 is Azure's platform address: its packets come from Azure, never from a stranger", ordinary: false }]);
    } else if (/^[0-9]/.test(t) || t.includes(":")) {
      const family: Family = t.includes(":") ? 6 : 4;
      const a = parseAddrSpec(t, family);
      if (!a.ok || a.prefix === null) {
        tell.error(p.span, `${what} '${t}' is not an IPv${family} address or CIDR block: it is left out`);
        continue;
      }
      byFamily[family].push(a.range);
    } else if (/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$/.test(t)) {
      alternatives.push([{ kind: "unknown", text: `the ${side} is in service tag ${t}`, reason: `the addresses of Azure service tag ${t} are Azure's, not in the file` }]);
    } else {
      tell.error(p.span, `${what} '${t}' is not an address, a CIDR block, * or a service tag: it is left out`);
    }
  }
  for (const a of asgs) {
    alternatives.push([{ kind: "unknown", text: `the ${side} is a NIC in application security group ${a.text}`, reason: "which NICs are in an application security group is not in the file; a stranger on the Internet is not one", ordinary: false }]);
  }
  // Several alternatives strangers never meet (VirtualNetwork, AzureLoadBalancer, ASGs) as one
  // unknown that says so: inside an `or` an unknown's word on ordinary traffic is not kept.
  const never = alternatives.filter((alt) => alt.some((c) => c.kind === "unknown" && c.ordinary === false));
  if (never.length > 1) {
    const texts = never.flatMap((alt) => alt.flatMap((c) => (c.kind === "unknown" ? [c.text] : [])));
    const joined: Condition = { kind: "unknown", text: texts.join(", or "), reason: "none of them is a stranger on the Internet", ordinary: false };
    alternatives.splice(0, alternatives.length, ...alternatives.filter((alt) => !never.includes(alt)), [joined]);
  }
  for (const family of [4, 6] as const) if (byFamily[family].length > 0) alternatives.unshift([{ kind: "addr", field, family, ranges: byFamily[family] }]);
  if (ownInternet) {
    const why = `${what} Internet is the NIC's own address here, which is a private one of its virtual network (Azure translates a public address to it before the inbound rules, and from it after the outbound ones): Internet never matches it`;
    tell.warn(ownInternet.span, alternatives.length === 0 ? `${why}; the rule matches no packet and is left out` : why);
  }
  if (alternatives.length === 0) {
    if (!ownInternet) tell.error(addrs[0]?.span ?? asgs[0]!.span, `${what}: nothing usable: the rule is left out`);
    return null;
  }
  return alternatives.length === 1 ? alternatives[0]! : [{ kind: "or", anyOf: alternatives }];
}

/** A compiled rule as the model rules of one NIC's chain ([] when it does not reach that NIC). */
function toRules(c: Compiled, t: Target, word: string): Rule[] {
  let own: Condition[];
  if (t.asg !== undefined && c.targetAsgs.includes(t.asg)) own = [];
  else if (c.targetAddrs !== undefined) own = c.targetAddrs;
  else return [];
  const conditions = [...c.base, ...own];
  const id = `${t.iface}/${word}/${c.rule.name}`;
  const base = { span: c.rule.span, comment: c.comment, ...(c.implied ? { implied: true as const } : {}) };
  if (expr(c.access)) {
    const allow: Condition = c.rule.computed
      ? { kind: "unknown", text: `that rule of ${c.access.expression} allows`, reason: `the rules ${c.access.expression} computes are not in the file` }
      : { kind: "unknown", text: `the access ${c.access.expression} is Allow`, reason: `the template expression ${c.access.expression} is not evaluated` };
    return [
      { id, conditions: [...conditions, allow], action: { kind: "accept" }, ...base },
      { id: `${id}#deny`, conditions, action: { kind: "drop" }, ...base },
    ];
  }
  const action: Action = { kind: c.access === "Allow" ? "accept" : "drop" };
  // A field that lists literal values beside unknown ones (a service tag, an expression) matches
  // for certain on the literal values: that part goes first, certain, then the rest (the same
  // line: one source rule).
  return sureFirstRules({ id, conditions, action, ...base });
}
