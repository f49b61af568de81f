/**
 * Palo Alto Networks PAN-OS configurations into the common model, from any of their three forms:
 * XML (`running-config.xml`, Panorama exports), `set` commands, and the brace form. Layers:
 * xml-reader.ts / text-reader.ts (text -> one tree) -> scope.ts (devices, virtual systems, device
 * groups, shared and pushed objects) -> interpreters (network.ts, addresses.ts, services.ts,
 * zones.ts) -> chains: the security policy (security.ts) and destination NAT (nat.ts) of each
 * scope -> pipelines.
 *
 * Transit traffic is the `forward` pipeline: security rules (on the pre-NAT packet, see
 * security.ts) -> NAT rules' destination translation -> connected and static routes. With several
 * virtual systems, a packet is judged by the one its ingress interface belongs to; a Panorama's
 * device groups are policies for different firewalls, each one of a choice.
 */
import type { Chain, Family, Pipeline, Rule, Ruleset, Stage } from "../../src/model/types.js";
import { deviceRoutes, egressOf, routesChain, staticRoutesUnused, type StaticRoute } from "../../src/model/routing.js";
import { Diagnostics } from "../junos/statements.js";
import { child, kids, type ConfigNode } from "../junos/tree.js";
import { Addresses } from "./addresses.js";
import { detectPanosForm } from "./detect.js";
import { connectedSubnets, internetInterfaces, readInterfaces, readZones, staticRoutes, type Iface, type Zone } from "./network.js";
import { namesInternetZone } from "../internet-zones.js";
import { buildManagement } from "./management.js";
import { buildNat } from "./nat.js";
import { addChain, readLayout, spanOf, type PanosContext, type PolicyScope } from "./scope.js";
import { buildSecurity, scopeLabel } from "./security.js";
import { Services } from "./services.js";
import { readPanosBraces, readPanosSet } from "./text-reader.js";
import { readPanosXml } from "./xml-reader.js";
import { ZoneMap } from "./zones.js";
import { internalErrorRuleset } from "../internal-error.js";

export { detectPanos } from "./detect.js";

export function parsePanos(text: string, file: string): Ruleset {
  const diags = new Diagnostics(file);
  try {
    return parse(text, file, diags);
  } catch (e) {
    return internalErrorRuleset("PAN-OS parser", { format: "panos", file, families: [4] }, diags.list, e);
  }
}

function parse(text: string, file: string, diags: Diagnostics): Ruleset {
  const form = detectPanosForm(text) ?? (text.trimStart().startsWith("<") ? "xml" : /^\s*[^\s#!]+\s*\{/m.test(text) && !/^set /m.test(text) ? "braces" : "set");
  const root = form === "xml" ? readPanosXml(text, diags) : form === "braces" ? readPanosBraces(text, diags) : readPanosSet(text, diags);
  const layout = readLayout(root);
  const ctx: PanosContext = { root, diags, file, lines: text.split("\n"), chains: new Map(), complete: false, ruleCount: 0 };

  // the device's interfaces (a firewall has one device; a Panorama's devices hold device groups)
  const ifaces = new Map<string, Iface>();
  const statics: StaticRoute[] = [];
  let protocol: ConfigNode | undefined;
  for (const d of layout.devices) {
    const namespaces = [...layout.scopes.filter((s) => s.device === d).map((s) => s.node), ...(layout.shared ? [layout.shared] : [])];
    for (const [k, v] of readInterfaces(ctx, d, namespaces)) ifaces.set(k, v);
    const r = staticRoutes(d);
    statics.push(...r.statics);
    protocol ??= r.protocol;
  }
  ctx.complete = ifaces.size > 0;
  if (layout.scopes.length === 0) diags.info({ line: 1, column: 1 }, "no virtual system, device group or shared rulebase in this file: no security policy to analyse");
  if (statics.length > 0 && protocol) diags.info(protocol, staticRoutesUnused(`protocol ${protocol.name}`));
  const connected = connectedSubnets(ifaces.values());
  const routesUsed = statics.length > 0 && !protocol;
  const routed = deviceRoutes(connected, routesUsed ? statics : []);
  // The NAT rules' pre-NAT egress (`to` zone, `to-interface`) is told by the routes only when they
  // send every IPv4 destination somewhere known: a default route out of a known interface.
  const routesTell = routesUsed && egressOf(routed, 4, 0n) !== undefined;

  const judged: Judged[] = [];
  const allZones: Zone[] = [];
  const pseudoZones = new Set<string>();
  let v6 = connected.some((c) => c.family === 6);
  // each virtual system's own interfaces (its zones'), for the external zones that lead into it
  const zonesOf = new Map(layout.scopes.map((scope) => [scope, readZones(scope.node)] as const));
  const vsysInterfaces = new Map<string, string[]>();
  for (const [scope, zones] of zonesOf) {
    if (scope.kind === "vsys") vsysInterfaces.set(scope.name, [...zones.values()].flatMap((z) => z.interfaces.map((i) => i.name)));
  }
  for (const scope of layout.scopes) {
    const suffix = layout.scopes.length === 1 ? "" : ` (${scopeLabel(scope)})`;
    const zones = new ZoneMap(ctx, zonesOf.get(scope)!, scopeLabel(scope), (v) => vsysInterfaces.get(v));
    zones.collect(scope.rulebases);
    checkZoneInterfaces(ctx, zones, ifaces);
    allZones.push(...zones.zones.values());
    const addresses = new Addresses(ctx, scope.namespaces);
    const services = new Services(ctx, scope.namespaces);
    const security = buildSecurity(ctx, { scope, addresses, services, zones, suffix });
    const nat = buildNat(ctx, { scope, addresses, services, zones, suffix, routed: routesTell ? routed : [] });
    judged.push({ scope, security, nat, ifaces: zones.allInterfaces() ?? importedInterfaces(scope) });
    for (const z of zones.named) pseudoZones.add(z);
    v6 ||= addresses.sawV6 || services.sawV6;
  }
  const management = buildManagement(ctx, layout.devices, ifaces);

  const families: Family[] = v6 ? [4, 6] : [4];
  const pipelines: Pipeline[] = [];
  const networkNode = layout.devices.find((d) => d.network)?.network;
  for (const family of families) {
    const withSecurity = judged.filter((j) => j.security);
    const withNat = judged.filter((j) => j.nat);
    if (withSecurity.length > 0) {
      const stages: Stage[] = [];
      stages.push({ chain: judged.length === 1 ? withSecurity[0]!.security! : dispatcher(ctx, withSecurity, family, "security"), role: "filter" });
      if (withNat.length > 0) stages.push({ chain: judged.length === 1 ? withNat[0]!.nat! : dispatcher(ctx, withNat, family, "nat"), role: "dstnat" });
      if (networkNode) {
        const routes = routesChain("routing", routed, [family], spanOf(ctx, networkNode), (name) => {
          const i = ifaces.get(name);
          return i ? spanOf(ctx, i.node) : undefined;
        }, routesUsed);
        if (routes) stages.push({ chain: addChain(ctx, routes), role: "filter" });
      }
      pipelines.push({ kind: "forward", family, stages });
    }
    if (management) pipelines.push({ kind: "inbound", family, stages: [{ chain: management.chain, role: "filter" }] });
  }
  const internet = ctx.complete ? internetInterfaces(allZones, ifaces, routesUsed ? statics : [], routed) : [...pseudoZones].filter(namesInternetZone);

  return {
    format: "panos",
    file,
    families,
    chains: ctx.chains,
    pipelines,
    diagnostics: diags.list,
    ruleCount: ctx.ruleCount,
    ...(internet && internet.length > 0 ? { internetInterfaces: internet } : {}),
    // undeclared zones stand for interfaces of their names (zones.ts): those are all the device has
    ...(ctx.complete ? { interfaces: [...ifaces.keys()] } : pseudoZones.size > 0 ? { interfaces: [...pseudoZones] } : {}),
    ...(connected.length > 0 ? { connected } : {}),
    ...(routed.length > 0 ? { routed } : {}),
    ...(management && management.services.length > 0 ? { deviceServices: management.services } : {}),
  };
}

/** In a complete configuration, a zone's interface must be one the device declares. */
function checkZoneInterfaces(ctx: PanosContext, zones: ZoneMap, ifaces: Map<string, Iface>): void {
  if (!ctx.complete) return;
  for (const z of zones.zones.values()) for (const i of z.interfaces) if (!ifaces.has(i.name)) ctx.diags.error(i, `zone '${z.name}': interface '${i.name}' is not an interface of the device (network interface)`);
}

/** The interfaces a virtual system imports (`import network interface`), when its zones do not say. */
function importedInterfaces(scope: PolicyScope): string[] | undefined {
  const list = kids(child(child(child(scope.node, "import"), "network"), "interface"));
  return list.length > 0 ? list.map((n) => n.name) : undefined;
}

/** A scope's chains, and the interfaces it judges (undefined: not known from the file). */
interface Judged {
  scope: PolicyScope;
  security: string | undefined;
  nat: string | undefined;
  ifaces: string[] | undefined;
}

/**
 * Several scopes: a virtual system judges (and translates) what enters on its interfaces; device
 * groups (or scopes whose interfaces are not known) are each a choice fwlint cannot make: an
 * unknown condition. The security dispatcher drops what no scope takes; the NAT one leaves it as it is.
 */
function dispatcher(ctx: PanosContext, scopes: Judged[], family: Family, which: "security" | "nat"): string {
  const rules: Rule[] = scopes.map((j) => ({
    id: scopeLabel(j.scope),
    conditions: j.ifaces
      ? [{ kind: "or", anyOf: j.ifaces.map((name) => [{ kind: "iface", field: "iif", name, prefix: false }]) }]
      : [{ kind: "unknown", text: `the firewall is one ${j.scope.kind === "device-group" ? `of device-group ${j.scope.name}` : `with ${scopeLabel(j.scope)}`}`, reason: "which firewalls a policy is pushed to is not in the file" }],
    action: { kind: "jump", chain: ctx.chains.get(j[which]!)!.name },
    span: spanOf(ctx, j.scope.node),
  }));
  const at = spanOf(ctx, scopes[0]!.scope.node);
  const name = `${which === "security" ? "scopes" : "scopes nat"}${family === 6 ? " (ipv6)" : ""}`;
  const chain: Chain = { name, table: which, rules, policy: which === "security" ? "drop" : "accept", span: at, policySpan: at, label: which === "security" ? "the virtual systems / device groups" : "the NAT rules of the virtual systems / device groups" };
  return addChain(ctx, chain);
}
