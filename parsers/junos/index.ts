/**
 * Juniper JunOS / SRX configurations, both the display-set form and the curly-brace form, into
 * the common model. Layers: tokens -> a reader per form -> one statement list -> configuration
 * tree (delete/deactivate/replace applied) -> apply-groups expanded -> interpreters (address
 * books, applications, zones, security policies, firewall filters, NAT) -> pipelines.
 *
 * Transit traffic is the `forward` pipeline: [destination/static NAT] -> input filters (by
 * ingress unit) -> security policies (zones) -> output filters (by egress unit). lo0's input
 * filters and the zones' host-inbound-traffic make the `inbound` pipeline (traffic to the
 * device), after the ingress filters.
 */
import type { Family, Pipeline, Ruleset, Stage } from "../../src/model/types.js";
import { routesChain } from "../../src/model/routing.js";
import { AddressBooks } from "./addresses.js";
import { Applications } from "./applications.js";
import { addChain, spanOf, type JunosContext } from "./context.js";
import { readCurlyText } from "./curly-reader.js";
import { buildFirewallFilters } from "./firewall-filters.js";
import { expandGroups } from "./groups.js";
import { buildHostInbound } from "./host-inbound.js";
import { buildToTheDevice } from "./self.js";
import { webManagement } from "./web-management.js";
import { expandInterfaceRanges } from "./interface-ranges.js";
import { buildDestinationNat } from "./nat.js";
import { routedUnits } from "./routes.js";
import { buildSecurityPolicies } from "./security-policies.js";
import { readSetText } from "./set-reader.js";
import { Diagnostics } from "./statements.js";
import { at, buildTree, child, kids, leafPaths } from "./tree.js";
import { connectedSubnets, declaredInterfaces, defaultInternetInterfaces, policyFileZones, readZones, standInInternetInterfaces, zoneStandIn } from "./zones.js";

import type { JunosForm } from "./detect.js";
export { detectJunos, type JunosForm } from "./detect.js";

/**
 * The form to read a text with: curly when block-structured lines (ending in `{`, `;` or `}`) are
 * at least as many as set commands (a curly file may carry a few flat `set` lines; a set file may
 * have a stray brace in an unquoted description).
 */
export function junosForm(text: string): JunosForm {
  let commands = 0;
  let structured = 0;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    if (/^(?:set|delete|deactivate|activate) /.test(line)) commands++;
    else if (/[{};](?:\s*##.*)?$/.test(line)) structured++;
  }
  return structured > 0 && structured >= commands ? "curly" : "set";
}

export function parseJunos(text: string, file: string): Ruleset {
  const diags = new Diagnostics(file);
  const statements = junosForm(text) === "curly" ? readCurlyText(text, diags) : readSetText(text, diags);
  const root = buildTree(statements, diags);
  expandGroups(root, diags);
  expandInterfaceRanges(root, diags);
  const complete = child(root, "system") !== undefined || child(root, "interfaces") !== undefined;
  const ctx: JunosContext = { root, diags, file, lines: text.split("\n"), chains: new Map(), complete, ruleCount: 0 };

  const zones = readZones(ctx);
  // (a complete configuration without zones forwards in packet mode: see buildSecurityPolicies)
  const standIns = ctx.complete ? undefined : policyFileZones(root, zones);
  if (standIns) ctx.standInZones = new Set(standIns);
  reportUnreadHierarchies(ctx);
  const books = new AddressBooks(root, diags);
  const apps = new Applications(root, diags);
  books.checkAll();
  apps.checkAll();
  const policyChain = buildSecurityPolicies(ctx, zones, books, apps);
  const filters = buildFirewallFilters(ctx);
  const nat = buildDestinationNat(ctx, zones, books);
  const hostInbound = buildHostInbound(ctx, zones);
  const toTheDevice = buildToTheDevice(ctx);

  const families: Family[] = usesInet6(ctx) ? [4, 6] : [4];
  const subnets = connectedSubnets(root);
  // each connected route is named by its unit's first address line
  const unitSpans = new Map(subnets.map((c) => [c.iface, spanOf(ctx, c.at)] as const));
  const { routed, statics } = routedUnits(ctx, subnets);
  const pipelines: Pipeline[] = [];
  for (const family of families) {
    const forward: Stage[] = [];
    // Destination NAT and the input filters come before the route lookup, which takes one off the
    // TTL: an input filter tests it as the packet arrived, an output filter one lower.
    if (nat) forward.push({ chain: nat, role: "dstnat", beforeRouting: true });
    const input = filters.input.get(family);
    if (input) forward.push({ chain: input, role: "filter", beforeRouting: true });
    if (policyChain && family === 6 && zones.size > 0 && !inet6FlowMode(ctx)) forward.push({ chain: ipv6DropChain(ctx), role: "filter" });
    if (policyChain) forward.push({ chain: policyChain, role: "filter" });
    const output = filters.output.get(family);
    if (output) forward.push({ chain: output, role: "filter" });
    // routes last: they only take packets away (see src/model/routing.ts); a path no
    // filter judges stays unjudged
    const routes = routesChain("routing", routed, [family], spanOf(ctx, child(root, "interfaces") ?? { line: 1, column: 1 }), (iface) => unitSpans.get(iface), statics);
    if (routes && forward.some((s) => s.role === "filter")) forward.push({ chain: addChain(ctx, routes), role: "filter" });
    if (forward.some((s) => s.role === "filter")) pipelines.push({ kind: "forward", family, stages: forward });
    const loopback = filters.loopback.get(family);
    if (input || loopback || hostInbound) {
      const inbound: Stage[] = [];
      if (toTheDevice) inbound.push({ chain: toTheDevice, role: "filter" });
      if (input) inbound.push({ chain: input, role: "filter" });
      if (loopback) inbound.push({ chain: loopback, role: "filter" });
      if (hostInbound) inbound.push({ chain: hostInbound, role: "filter" });
      pipelines.push({ kind: "inbound", family, stages: inbound });
    }
  }
  const internet = standIns ? standInInternetInterfaces(standIns) : defaultInternetInterfaces(root, zones);
  const interfaces = standIns ? standIns.map(zoneStandIn) : declaredInterfaces(root, zones);
  const web = webManagement(ctx);
  return {
    format: "junos",
    file,
    families,
    chains: ctx.chains,
    pipelines,
    diagnostics: diags.list,
    ruleCount: ctx.ruleCount,
    ...(internet ? { internetInterfaces: internet } : {}),
    ...(interfaces ? { interfaces } : {}),
    ...(subnets.length > 0 ? { connected: subnets.map(({ iface, family, ranges }) => ({ iface, family, ranges })) } : {}),
    ...(routed.length > 0 ? { routed } : {}),
    ...(web.length > 0 ? { deviceServices: web } : {}),
  };
}

/** IPv6 is in play when an interface, filter, address book or policy mentions it. */
function usesInet6(ctx: JunosContext): boolean {
  if (kids(at(ctx.root, "interfaces")).some((i) => kids(child(i, "unit")).some((u) => at(u, "family", "inet6") !== undefined))) return true;
  if (at(ctx.root, "firewall", "family", "inet6")) return true;
  const security = at(ctx.root, "security");
  if (security && leafPaths(security).some((p) => p.some((n) => n.name.includes(":") && /^[0-9a-fA-F:]+(?:\/\d+)?$/.test(n.name) || n.name === "any-ipv6"))) return true;
  return false;
}

/** Top-level hierarchies the interpreters read (routing-options for its static routes); the rest (protocols, routing instances ...) is not firewall configuration. */
const READ = new Set(["security", "firewall", "interfaces", "applications", "policy-options", "groups", "apply-groups", "apply-groups-except", "system", "version", "routing-options"]);

function reportUnreadHierarchies(ctx: JunosContext): void {
  for (const n of kids(ctx.root)) if (!READ.has(n.name)) ctx.diags.info(n, `'${n.name}' is not firewall configuration; not read`);
}

/** `security forwarding-options family inet6 mode flow-based`: without it an SRX drops IPv6 transit traffic. */
function inet6FlowMode(ctx: JunosContext): boolean {
  return at(ctx.root, "security", "forwarding-options", "family", "inet6", "mode", "flow-based") !== undefined;
}

function ipv6DropChain(ctx: JunosContext): string {
  const zonesNode = at(ctx.root, "security", "zones")!;
  ctx.diags.info(zonesNode, "IPv6 transit traffic is dropped: 'security forwarding-options family inet6 mode flow-based' is not set");
  return addChain(ctx, { name: "inet6 mode drop", table: "security forwarding-options", rules: [], policy: "drop", policySpan: spanOf(ctx, zonesNode), span: spanOf(ctx, zonesNode) });
}
