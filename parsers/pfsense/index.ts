/**
 * pfSense and OPNsense `config.xml` into the common model. Layers: reading.ts (XML -> element tree)
 * -> interfaces.ts (interfaces, groups, routes, web GUI), aliases.ts, rules.ts (filter rules),
 * nat.ts (port forwards) -> chains -> pipelines.
 *
 * pf evaluates the rules of the interface a packet enters, statefully: established connections
 * pass; then the automatic rules (anti-lockout, block private / bogon networks), OPNsense's MVC
 * rules and the floating rules - quick ones first match - the interface groups' and the interface's
 * own rules (always quick, first match); what no quick rule decides is decided by the last
 * matching non-quick floating rule, else blocked. Floating rules with direction out (or any) also
 * judge packets leaving an interface (pfSense passes out what none blocks).
 *
 * Transit traffic is the `forward` pipeline: port forwards (destination NAT) -> rules in -> rules
 * out -> connected and static routes. Traffic to the firewall's own addresses is the `inbound`
 * pipeline: rules in. The web GUI is a device service on it.
 */
import { deviceRoutes, routesChain } from "../../src/model/routing.js";
import type { Chain, Condition, DeviceService, Family, Pipeline, Rule, Ruleset, Stage } from "../../src/model/types.js";
import { prefixRange } from "../../src/model/address.js";
import { addChain, spanOf } from "../junos/context.js";
import { Diagnostics } from "../junos/statements.js";
import { internalErrorRuleset } from "../internal-error.js";
import { Aliases } from "./aliases.js";
import { connectedSubnets, internetInterfaces, readGroups, readInterfaces, sshPort, staticRoutes, webgui } from "./interfaces.js";
import { readPortForwards } from "./nat.js";
import { child, readConfigXml, type XmlNode } from "./reading.js";
import { flag, modelRules, readLegacyRules, readMvcRules, type PfContext, type RawRule } from "./rules.js";

export { detectPfsense } from "./detect.js";

const TABLE = "pf";

export function parsePfsense(text: string, file: string): Ruleset {
  const diags = new Diagnostics(file);
  try {
    return parse(text, file, diags);
  } catch (e) {
    return internalErrorRuleset("pfSense parser", { format: "pfsense", file, families: [4] }, diags.list, e);
  }
}

const PRIVATE: Record<Family, [string, bigint, number][]> = {
  4: [["10.0.0.0/8", 0x0a000000n, 8], ["127.0.0.0/8", 0x7f000000n, 8], ["100.64.0.0/10", 0x64400000n, 10], ["172.16.0.0/12", 0xac100000n, 12], ["192.168.0.0/16", 0xc0a80000n, 16]],
  6: [["fc00::/7", 0xfc00n << 112n, 7]],
};

function parse(text: string, file: string, diags: Diagnostics): Ruleset {
  const doc = readConfigXml(text, diags);
  const root = doc.children.find((c) => c.name === "pfsense" || c.name === "opnsense");
  if (!root) {
    diags.error({ line: 1, column: 1 }, "expected a pfSense or OPNsense config.xml: a root element <pfsense> or <opnsense>");
    return { format: "pfsense", file, families: [4], chains: new Map(), pipelines: [], diagnostics: diags.list, ruleCount: 0 };
  }
  const vendor = root.name === "opnsense" ? "OPNsense" : "pfSense";
  const lines = text.split("\n");
  const ifaces = readInterfaces(root, diags);
  const disabledIfaces = new Set((child(root, "interfaces")?.children ?? []).map((n) => n.name).filter((id) => !ifaces.has(id)));
  const ctx: PfContext = { diags, file, lines, ifaces, disabledIfaces, groups: readGroups(root), aliases: new Aliases(root, diags), opnsense: root.name === "opnsense" };
  const chains = new Map<string, Chain>();
  const filter = child(root, "filter");
  const anchor = spanOf(ctx, (filter ?? root).at);

  const legacy = readLegacyRules(ctx, filter);
  const mvc = readMvcRules(ctx, root);
  const forwards = readPortForwards(ctx, child(root, "nat"));
  const ruleCount = legacy.length + mvc.length + forwards.count;

  // --- the rules packets entering an interface meet
  const inRules: Rule[] = [{ id: "established connections", conditions: [{ kind: "ctstate", states: ["established", "related"] }], action: { kind: "accept" }, span: anchor, comment: "pf keeps state: packets of a connection a rule passed pass", implied: true }];
  // "Allow IPv6" off (no <system><ipv6allow>): pf blocks all IPv6 before any user rule
  const system = child(root, "system");
  if (!flag(ctx, system, "ipv6allow")) {
    inRules.push({ id: "block all IPv6", conditions: [{ kind: "family", family: 6 }], action: { kind: "drop" }, span: { ...spanOf(ctx, (system ?? root).at), text: "Allow IPv6 is off (no <ipv6allow>): all IPv6 is blocked" }, comment: "Allow IPv6 is off (no <system><ipv6allow>): all IPv6 is blocked", implied: true });
  }
  inRules.push(...forwards.passes);
  const gui = webgui(root);
  // the anti-lockout rule is on LAN, or on WAN when the firewall has only that interface
  const lan = ifaces.get("lan") ?? (ifaces.size === 1 ? ifaces.get("wan") : undefined);
  if (gui.antiLockout && lan) {
    const ports = new Set<number>([gui.port]);
    if (gui.redirect) ports.add(80);
    const ssh = sshPort(root);
    if (ssh !== undefined) ports.add(ssh);
    const span = spanOf(ctx, (gui.node ?? lan.node).at);
    for (const family of [4, 6] as const) {
      const a = lan.address[family];
      if (a === undefined && family === 6) continue;
      const dst: Condition = a !== undefined ? { kind: "addr", field: "dst", family, ranges: [{ lo: a, hi: a }] } : { kind: "unknown", text: "the address of lan", reason: `obtained by ${lan.dynamic[4] ?? "an unknown method"}` };
      inRules.push({ id: `anti-lockout (IPv${family})`, conditions: [{ kind: "family", family }, { kind: "iface", field: "iif", name: lan.id, prefix: false }, { kind: "proto", protos: [6] }, dst, { kind: "port", field: "dport", ranges: [...ports].sort((x, y) => x - y).map((p) => [p, p]) }], action: { kind: "accept" }, span, comment: "the anti-lockout rule: LAN to the web GUI", implied: true });
    }
  }
  for (const i of ifaces.values()) {
    const onIface: Condition = { kind: "iface", field: "iif", name: i.id, prefix: false };
    if (i.blockpriv) {
      for (const family of [4, 6] as const) {
        inRules.push({ id: `${i.id} block private networks (IPv${family})`, conditions: [{ kind: "family", family }, onIface, { kind: "addr", field: "src", family, ranges: PRIVATE[family].map(([, a, n]) => prefixRange(a, n, family)) }], action: { kind: "drop" }, span: spanOf(ctx, i.blockpriv.at), comment: `block private networks on ${i.id} (${PRIVATE[family].map(([t]) => t).join(", ")})`, implied: true });
      }
    }
    if (i.blockbogons) {
      inRules.push({ id: `${i.id} block bogon networks`, conditions: [onIface, { kind: "unknown", text: "source in the <bogons> table", reason: "the bogon list is downloaded at run time", ordinary: false }], action: { kind: "drop" }, span: spanOf(ctx, i.blockbogons.at), comment: `block bogon networks on ${i.id}`, implied: true });
    }
  }
  const inbound = (r: RawRule) => r.direction !== "out";
  const outbound = (r: RawRule) => r.floating && r.direction !== "in";
  const floating = [...mvc, ...legacy.filter((r) => r.floating)];
  const groupRules = legacy.filter((r) => !r.floating && r.ifaces.length === 1 && ctx.groups.has(r.ifaces[0]!));
  const ifaceRules = legacy.filter((r) => !r.floating && !groupRules.includes(r));
  for (const r of floating.filter((r) => r.quick && inbound(r))) inRules.push(...modelRules(ctx, r, "iif", ""));
  for (const r of groupRules.filter((r) => r.quick)) inRules.push(...modelRules(ctx, r, "iif", ""));
  for (const r of ifaceRules) {
    if (r.ifaces.length === 0) ctx.diags.error(r.at, `${r.label}: expected <interface> naming the interface whose tab the rule is on`);
    if (r.quick) inRules.push(...modelRules(ctx, r, "iif", ""));
  }
  // rules without quick (floating ones; OPNsense interface rules with <quick>0</quick>): the last
  // one that matches decides
  const lastMatch = [...floating.filter((r) => !r.quick && inbound(r)), ...groupRules.filter((r) => !r.quick), ...ifaceRules.filter((r) => !r.quick)];
  for (const r of lastMatch.reverse()) inRules.push(...modelRules(ctx, r, "iif", ""));
  const inChain: Chain = { name: "rules in", table: TABLE, rules: inRules, policy: "drop", span: anchor, policySpan: anchor, label: `the ${vendor} filter rules (packets entering an interface)` };
  const inKey = addChain({ chains }, inChain);

  let outKey: string | undefined;
  const outFloating = floating.filter(outbound);
  if (outFloating.length > 0) {
    const outRules: Rule[] = [{ id: "established connections (out)", conditions: [{ kind: "ctstate", states: ["established", "related"] }], action: { kind: "accept" }, span: anchor, implied: true }];
    for (const r of outFloating.filter((r) => r.quick)) outRules.push(...modelRules(ctx, r, "oif", "out: "));
    for (const r of [...outFloating.filter((r) => !r.quick)].reverse()) outRules.push(...modelRules(ctx, r, "oif", "out: "));
    outKey = addChain({ chains }, { name: "rules out", table: TABLE, rules: outRules, policy: "accept", span: anchor, policySpan: anchor, label: "the floating rules on packets leaving an interface", acceptText: `${vendor} passes out what no floating rule blocks` });
  }

  // --- port forwards
  const dnatKeys = new Map<Family, string>();
  for (const family of [4, 6] as const) {
    const rules = forwards.dnat.get(family)!;
    if (rules.length === 0) continue;
    dnatKeys.set(family, addChain({ chains }, { name: `port forwards${family === 6 ? " (IPv6)" : ""}`, table: TABLE, rules, span: spanOf(ctx, child(root, "nat")!.at), label: "the NAT port forwards" }));
  }

  // --- routes
  const connected = connectedSubnets(ifaces.values());
  const routed = deviceRoutes(connected, staticRoutes(root, ifaces));
  const families = new Set<Family>([4]);
  for (const r of [...legacy, ...mvc]) for (const f of r.families) families.add(f);
  if ([...ifaces.values()].some((i) => i.address[6] !== undefined)) families.add(6);
  const pipelines: Pipeline[] = [];
  for (const family of [...families].sort()) {
    const stages: Stage[] = [];
    const d = dnatKeys.get(family);
    if (d) stages.push({ chain: d, role: "dstnat", beforeRouting: true });
    stages.push({ chain: inKey, role: "filter" });
    if (outKey) stages.push({ chain: outKey, role: "filter" });
    const interfacesNode = child(root, "interfaces");
    if (interfacesNode) {
      const routes = routesChain("routing", routed, [family], spanOf(ctx, interfacesNode.at), (id) => {
        const i = ifaces.get(id);
        return i ? spanOf(ctx, i.node.at) : undefined;
      }, routed.length > connected.length);
      if (routes) stages.push({ chain: addChain({ chains }, routes), role: "filter" });
    }
    pipelines.push({ kind: "forward", family, stages });
    pipelines.push({ kind: "inbound", family, stages: [{ chain: ownAddressesChain(ctx, chains, family, anchor), role: "filter" }, { chain: inKey, role: "filter" }] });
  }

  const deviceServices: DeviceService[] = [];
  if (gui.node || ifaces.size > 0) {
    deviceServices.push({ id: `${vendor.toLowerCase()}-webgui`, name: `${vendor} web GUI (${gui.https ? "https" : "http"})`, protocol: 6, ports: [[gui.port, gui.port]], span: spanOf(ctx, (gui.node ?? root).at) });
  }
  const interfaces = new Set<string>(ifaces.keys());
  for (const c of chains.values()) for (const r of c.rules) collectIfaces(r.conditions, interfaces);
  const internet = internetInterfaces(ifaces);
  if (legacy.length + mvc.length === 0 && !filter) diags.info(root.at, `no <filter> in this ${vendor} configuration: only the automatic rules apply, and what they do not pass is blocked`);
  return {
    format: "pfsense",
    file,
    families: [...families].sort(),
    chains,
    pipelines,
    diagnostics: diags.list,
    ruleCount,
    ...(internet ? { internetInterfaces: internet } : {}),
    ...(ifaces.size > 0 ? { interfaces: [...interfaces] } : {}),
    ...(connected.length > 0 ? { connected } : {}),
    ...(routed.length > 0 ? { routed } : {}),
    ...(deviceServices.length > 0 ? { deviceServices } : {}),
  };
}

/** The inbound path is traffic to the firewall's own addresses: an implied gate drops the rest. */
function ownAddressesChain(ctx: PfContext, chains: Map<string, Chain>, family: Family, span: Chain["span"]): string {
  const rules: Rule[] = [];
  for (const i of ctx.ifaces.values()) {
    const a = i.address[family];
    const at = spanOf(ctx, i.node.at);
    if (a !== undefined) rules.push({ id: `address of ${i.id}`, conditions: [{ kind: "addr", field: "dst", family, ranges: [{ lo: a, hi: a }] }], action: { kind: "accept" }, span: at, implied: true });
    else if (i.dynamic[family]) rules.push({ id: `address of ${i.id}`, conditions: [{ kind: "iface", field: "iif", name: i.id, prefix: false }, { kind: "unknown", text: `the address of ${i.id}`, reason: `obtained by ${i.dynamic[family]}` }], action: { kind: "accept" }, span: at, implied: true });
  }
  if (ctx.ifaces.size === 0) rules.push({ id: "any address", conditions: [], action: { kind: "accept" }, span, implied: true });
  return addChain({ chains }, { name: `own addresses${family === 6 ? " (IPv6)" : ""}`, table: TABLE, rules, policy: "drop", span, policySpan: span, label: "the firewall's own addresses" });
}

function collectIfaces(conditions: readonly Condition[], into: Set<string>): void {
  for (const c of conditions) {
    if (c.kind === "iface") into.add(c.name);
    else if (c.kind === "or") for (const a of c.anyOf) collectIfaces(a, into);
  }
}

export type { XmlNode };
