/**
 * FortiGate FortiOS configurations (`show full-configuration`, backups, CLI scripts) into the
 * common model. Layers: reader.ts (text -> block tree, editing commands applied) -> scope.ts (the
 * device-wide part and each VDOM) -> interpreters (interfaces and zones, addresses, services,
 * VIPs) -> chains: the VIPs' destination NAT, the firewall policies, the local-in policies and the
 * services the interfaces answer -> pipelines.
 *
 * Transit traffic is the `forward` pipeline: [VIP destination NAT] -> firewall policies (per VDOM)
 * -> connected and static routes. Traffic to the device is the `inbound` pipeline: local-in
 * policies -> what the interfaces answer.
 */
import type { Chain, DeviceService, Family, Pipeline, Rule, Ruleset, Stage } from "../../src/model/types.js";
import { deviceRoutes, routesChain, type StaticRoute } from "../../src/model/routing.js";
import { Diagnostics } from "../junos/statements.js";
import { AddressBook } from "./addresses.js";
import { connectedSubnets, internetInterfaces, otherInterfaceNames, readInterfaces, readZones, staticRoutes, vdomInterfaces, type Iface } from "./interfaces.js";
import { buildLocalIn } from "./local-in.js";
import { buildPolicies } from "./policies.js";
import { readFortiosText, type Block } from "./reader.js";
import { addChain, readScopes, spanOf, type FortiosContext, type Vdom } from "./scope.js";
import { Services } from "./services.js";
import { Vips } from "./vips.js";
import { internalErrorRuleset } from "../internal-error.js";

export { detectFortios } from "./detect.js";

/** Blocks fwlint reads; others are reported once, as not firewall configuration. */
const READ_PREFIXES = ["firewall ", "system interface", "system zone", "system global", "router static", "vpn ipsec phase1", "vpn ssl settings", "system sdwan", "system virtual-wan-link", "vdom", "global"];

export function parseFortios(text: string, file: string): Ruleset {
  const diags = new Diagnostics(file);
  try {
    return parse(text, file, diags);
  } catch (e) {
    return internalErrorRuleset("FortiOS parser", { format: "fortios", file, families: [4] }, diags.list, e);
  }
}

function parse(text: string, file: string, diags: Diagnostics): Ruleset {
  const root = readFortiosText(text, diags);
  const { global, vdoms } = readScopes(root);
  const ctx: FortiosContext = { global, vdoms, diags, file, lines: text.split("\n"), chains: new Map(), complete: global.blocks.has("system interface"), ruleCount: 0 };
  const allIfaces = readInterfaces(ctx);
  const single = vdoms.length === 1;
  const families = new Set<Family>([...allIfaces.values()].some((i) => i.addresses[6].length > 0) ? [4, 6] : [4]);
  /** Every interface name the VDOMs' policies may use (a complete configuration only). */
  const declared = new Set<string>(allIfaces.keys());
  const forward = new Map<Family, { dnat: string[]; filters: { vdom: Vdom; chain: string; ifaces: Iface[] }[] }>([[4, { dnat: [], filters: [] }], [6, { dnat: [], filters: [] }]]);
  const inbound = new Map<Family, string[]>([[4, []], [6, []]]);
  const deviceServices: DeviceService[] = [];
  const connected = connectedSubnets([...allIfaces.values()]);
  const statics: StaticRoute[] = [];
  let staticsUsed = true;
  const unread: Block[] = [];
  for (const vdom of vdoms) {
    unread.push(...unreadBlocks(vdom.blocks.blocks.values()));
    const table = "firewall";
    const suffix = single ? "" : ` (vdom ${vdom.name})`;
    const ifaces = vdomInterfaces(allIfaces, vdom, single);
    if (!single && ifaces.length === 0 && vdom.blocks.blocks.get("firewall policy")) diags.info(vdom.at, `VDOM ${vdom.name}: no interface of 'config system interface' is in this VDOM`);
    const subnetOf = (name: string, family: Family) => allIfaces.get(name)?.subnets[family];
    const books = AddressBook.of(ctx, vdom.blocks.blocks, subnetOf);
    const services = new Services(ctx, vdom.blocks.blocks.get("firewall service custom"), vdom.blocks.blocks.get("firewall service group"));
    const vips = new Vips(ctx, vdom, allIfaces);
    const zones = readZones(vdom);
    const names = ctx.complete ? new Set([...ifaces.map((i) => i.name), ...otherInterfaceNames(vdom)]) : undefined;
    for (const n of names ?? []) declared.add(n);
    for (const z of zones.values()) for (const m of z.entry.fields.get("interface")?.values ?? []) if (names && !names.has(m.text)) diags.error(m, `zone '${z.name}': interface '${m.text}' is not an interface of this ${single ? "device" : `VDOM (${vdom.name})`}`);
    const chain = buildPolicies(ctx, { vdom, books, services, vips, zones, interfaces: names, table, suffix });
    const dnat = vips.buildChain(table, suffix, single ? undefined : ifaces);
    if (usesIPv6(vdom)) families.add(6);
    if (dnat) forward.get(4)!.dnat.push(dnat);
    if (chain) for (const f of [4, 6] as const) forward.get(f)!.filters.push({ vdom, chain, ifaces });
    const localIn = buildLocalIn(ctx, vdom, table, suffix, ifaces, books, services, [4, 6]);
    for (const [f, stages] of localIn.stages) inbound.get(f)!.push(...stages);
    deviceServices.push(...localIn.deviceServices);
    const r = staticRoutes(ctx, vdom);
    statics.push(...r.statics);
    staticsUsed &&= r.used || r.statics.length === 0;
  }
  if (global !== root) unread.push(...unreadBlocks(global.blocks.values()));
  if (unread.length > 0) {
    unread.sort((a, b) => a.at.line - b.at.line);
    const names = [...new Set(unread.map((b) => b.path.split(" ").slice(0, 2).join(" ")))];
    const shown = names.slice(0, 6).map((n) => `'${n}'`).join(", ");
    diags.info(unread[0]!.at, `${unread.length} configuration blocks are not firewall configuration and are not read (${shown}${names.length > 6 ? `, and ${names.length - 6} more kinds` : ""})`);
  }
  const routed = deviceRoutes(connected, staticsUsed ? statics : []);
  const pipelines: Pipeline[] = [];
  const ifaceBlock = global.blocks.get("system interface");
  for (const family of [...families].sort()) {
    const f = forward.get(family)!;
    const stages: Stage[] = [];
    for (const d of f.dnat) stages.push({ chain: d, role: "dstnat", beforeRouting: true });
    if (f.filters.length === 1) stages.push({ chain: f.filters[0]!.chain, role: "filter" });
    else if (f.filters.length > 1) stages.push({ chain: dispatcher(ctx, f.filters, family), role: "filter" });
    if (stages.some((s) => s.role === "filter") && ifaceBlock) {
      const routes = routesChain("routing", routed, [family], spanOf(ctx, ifaceBlock.at), (iface) => {
        const e = allIfaces.get(iface)?.entry;
        return e ? spanOf(ctx, e.at) : undefined;
      }, staticsUsed && statics.length > 0);
      if (routes) stages.push({ chain: addChain(ctx, routes), role: "filter" });
    }
    if (stages.some((s) => s.role === "filter")) pipelines.push({ kind: "forward", family, stages });
    const inb = inbound.get(family)!;
    if (inb.length > 0) pipelines.push({ kind: "inbound", family, stages: inb.map((chain) => ({ chain, role: "filter" })) });
  }
  const ifaces = [...allIfaces.values()];
  const internet = internetInterfaces(ifaces, statics);

  return {
    format: "fortios",
    file,
    families: [...families].sort(),
    chains: ctx.chains,
    pipelines,
    diagnostics: diags.list,
    ruleCount: ctx.ruleCount,
    ...(internet ? { internetInterfaces: internet } : {}),
    ...(ctx.complete ? { interfaces: [...declared] } : {}),
    ...(connected.length > 0 ? { connected } : {}),
    ...(routed.length > 0 ? { routed } : {}),
    ...(deviceServices.length > 0 ? { deviceServices } : {}),
  };
}

/** Several VDOMs: a packet is judged by the policies of the VDOM its ingress interface belongs to. */
function dispatcher(ctx: FortiosContext, filters: { vdom: Vdom; chain: string; ifaces: Iface[] }[], family: Family): string {
  const rules: Rule[] = filters.map(({ vdom, chain, ifaces }) => ({
    id: `vdom ${vdom.name}`,
    conditions: [{ kind: "or", anyOf: ifaces.map((i) => [{ kind: "iface", field: "iif", name: i.name, prefix: false }]) }],
    action: { kind: "jump", chain: ctx.chains.get(chain)!.name },
    span: spanOf(ctx, vdom.at),
  }));
  const chain: Chain = { name: `vdoms${family === 6 ? " (ipv6)" : ""}`, table: "firewall", rules, policy: "drop", span: spanOf(ctx, filters[0]!.vdom.at), policySpan: spanOf(ctx, filters[0]!.vdom.at), label: "the VDOMs" };
  return addChain(ctx, chain);
}

function usesIPv6(vdom: Vdom): boolean {
  const b = vdom.blocks.blocks;
  if ((b.get("firewall policy6")?.entries.length ?? 0) > 0 || (b.get("firewall local-in-policy6")?.entries.length ?? 0) > 0) return true;
  return (b.get("firewall policy")?.entries ?? []).some((e) => e.fields.has("srcaddr6") || e.fields.has("dstaddr6"));
}

function unreadBlocks(blocks: Iterable<Block>): Block[] {
  return [...blocks].filter((b) => !READ_PREFIXES.some((p) => b.path === p || b.path.startsWith(p)));
}
