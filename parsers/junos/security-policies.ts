/**
 * SRX security policies (flow mode) as one filter stage. Its base chain first accepts packets of
 * established sessions, then jumps, for each `from-zone A to-zone B` block in order, on (entering
 * from A's interfaces AND leaving to B's) to a chain with that pair's policies; then runs the
 * `global` policies; a packet no policy decides gets the default policy (deny-all unless
 * `default-policy permit-all`). Policies to or from `junos-host` (the device itself) are not
 * transit traffic and are left out with an info. A complete configuration without zones is in
 * packet mode: no policy stage (as Batfish applies the deny default only when zones exist). A
 * fragment without zones (a generated policy file) keeps its policies, with the zones unknown.
 */
import { mergeAddrRanges } from "../../src/model/address.js";
import type { Chain, Condition, Rule } from "../../src/model/types.js";
import type { AddressBooks, AddressValue } from "./addresses.js";
import type { Alternatives, Applications } from "./applications.js";
import { addChain, anyOf, spanOf, undefinedRef, type JunosContext } from "./context.js";
import { sureFirstRules } from "../sure-first.js";
import { at, child, inactiveKids, kids, values, type ConfigNode } from "./tree.js";
import { zoneCondition, type Zone } from "./zones.js";

export const POLICY_TABLE = "security policies";
const HOST_ZONE = "junos-host";

/** Builds the policy chains; returns the base chain's key, or undefined when there is nothing to enforce. */
export function buildSecurityPolicies(ctx: JunosContext, zones: Map<string, Zone>, books: AddressBooks, apps: Applications): string | undefined {
  const policies = at(ctx.root, "security", "policies");
  if (!policies && zones.size === 0) return undefined;
  const anchor = policies ?? at(ctx.root, "security", "zones")!;
  const base: Chain = { name: "flow policy lookup", table: POLICY_TABLE, rules: [], policy: "drop", span: spanOf(ctx, anchor) };
  base.rules.push({ id: "established sessions", conditions: [{ kind: "ctstate", states: ["established", "related"] }], action: { kind: "accept" }, span: spanOf(ctx, anchor), comment: "flow mode: packets of an existing session pass", implied: true });

  for (const from of [...child(policies, "from-zone")?.children.values() ?? []]) {
    for (const to of from.children.get("to-zone")?.children.values() ?? []) {
      if (from.inactive || to.inactive) reportInactive(ctx, from.inactive ? from : to, `from-zone ${from.name} to-zone ${to.name}`);
      else pairChain(ctx, zones, books, apps, base, from, to);
    }
  }
  const global = child(policies, "global");
  if (global) {
    const chain: Chain = { name: "global", table: POLICY_TABLE, rules: [], span: spanOf(ctx, global), label: "the global security policies" };
    for (const p of kids(child(global, "policy"))) {
      const rule = policyRule(ctx, zones, books, apps, p, `global/${p.name}`, undefined, undefined);
      if (rule) chain.rules.push(...sureFirstRules(rule));
    }
    reportInactive(ctx, global, "global");
    addChain(ctx, chain);
    base.rules.push({ id: "global policies", conditions: [], action: { kind: "jump", chain: chain.name }, span: spanOf(ctx, global) });
  }
  const def = at(policies, "default-policy");
  const permitAll = kids(def).some((d) => d.name === "permit-all");
  base.policy = permitAll ? "accept" : "drop";
  if (permitAll) base.acceptText = "the security policies' default-policy is permit-all";
  base.policySpan = spanOf(ctx, def ?? anchor);
  if (zones.size === 0 && ctx.complete) {
    // a complete configuration without zones forwards in packet mode: its policies are read for
    // their diagnostics but do not filter anything
    for (const key of [...ctx.chains.keys()]) if (key.startsWith(`${POLICY_TABLE}/`)) ctx.chains.delete(key);
    ctx.diags.info(anchor, "no security zones are configured: the device forwards in packet mode and security policies do not apply");
    return undefined;
  }
  return addChain(ctx, base);
}

function pairChain(ctx: JunosContext, zones: Map<string, Zone>, books: AddressBooks, apps: Applications, base: Chain, from: ConfigNode, to: ConfigNode): void {
  const name = `from-zone ${from.name} to-zone ${to.name}`;
  if (from.name === HOST_ZONE || to.name === HOST_ZONE) {
    ctx.diags.info(to, `'${name}': traffic to or from the device itself is not transit traffic; not modelled`);
    return;
  }
  const chain: Chain = { name, table: POLICY_TABLE, rules: [], span: spanOf(ctx, to), label: `security policies ${name}` };
  for (const p of kids(child(to, "policy"))) {
    const rule = policyRule(ctx, zones, books, apps, p, `${from.name}->${to.name}/${p.name}`, from.name, to.name);
    if (rule) chain.rules.push(...sureFirstRules(rule));
  }
  reportInactive(ctx, to, name);
  addChain(ctx, chain);
  const conditions = [...zoneCondition(ctx, zones, from.name, "iif", from), ...zoneCondition(ctx, zones, to.name, "oif", to)];
  base.rules.push({ id: name, conditions, action: { kind: "jump", chain: chain.name }, span: spanOf(ctx, to) });
}

function reportInactive(ctx: JunosContext, container: ConfigNode, where: string): void {
  if (container.inactive) ctx.diags.info(container, `${where} is inactive; its policies are not rules`);
  const list = child(container, "policy");
  if (list?.inactive) ctx.diags.info(list, `${where}: every policy is inactive`);
  for (const p of inactiveKids(list)) ctx.diags.info(p, `${where}: policy '${p.name}' is inactive (deactivated); it is not a rule`);
}

function policyRule(ctx: JunosContext, zones: Map<string, Zone>, books: AddressBooks, apps: Applications, p: ConfigNode, id: string, fromZone: string | undefined, toZone: string | undefined): Rule | undefined {
  const match = child(p, "match");
  const then = child(p, "then");
  const actionNode = kids(then).find((a) => a.name === "permit" || a.name === "deny" || a.name === "reject");
  const conditions: Condition[] = [];
  if (fromZone === undefined) {
    for (const [field, key] of [["iif", "from-zone"], ["oif", "to-zone"]] as const) {
      const zs = values(match, key);
      if (zs.length === 0 || zs.some((z) => z.name === "any")) continue;
      conditions.push(...anyOf(zs.map((z) => zoneCondition(ctx, zones, z.name, field, z))));
    }
  }
  conditions.push(...addressCondition(ctx, books, p.name, match, "source-address", "src", fromZone));
  conditions.push(...addressCondition(ctx, books, p.name, match, "destination-address", "dst", toZone));
  const appNames = values(match, "application");
  if (appNames.length > 0 && !appNames.some((a) => a.name === "any")) {
    const alts: Alternatives = [];
    for (const a of appNames) {
      const v = apps.resolve(a.name);
      if (v) alts.push(...v);
      else {
        undefinedRef(ctx, a, `policy '${p.name}': application '${a.name}' is not defined (neither in 'applications' nor a predefined junos-* application)`);
        alts.push([{ kind: "unknown", text: `application ${a.name}`, reason: `undefined application ${a.name}` }]);
      }
    }
    conditions.push(...anyOf(alts));
  }
  for (const key of ["source-identity", "dynamic-application", "source-end-user-profile", "url-category"]) {
    const vs = values(match, key).filter((v) => v.name !== "any" && v.name !== "none");
    if (vs.length > 0) conditions.push({ kind: "unknown", text: `${key} ${vs.map((v) => v.name).join(" ")}`, reason: `${key} is decided at run time` });
  }
  const scheduler = kids(child(p, "scheduler-name"))[0];
  if (scheduler) conditions.push({ kind: "unknown", text: `scheduler-name ${scheduler.name}`, reason: "the policy is active only at scheduled times" });
  if (!actionNode) {
    ctx.diags.warn(p, `policy '${p.name}' has no 'then permit|deny|reject'; it is not a rule`);
    return undefined;
  }
  ctx.ruleCount++;
  const action = actionNode.name === "permit" ? { kind: "accept" as const } : actionNode.name === "deny" ? { kind: "drop" as const } : { kind: "reject" as const };
  return { id, conditions, action, span: spanOf(ctx, p) };
}

function addressCondition(ctx: JunosContext, books: AddressBooks, policy: string, match: ConfigNode | undefined, key: string, field: "src" | "dst", zone: string | undefined): Condition[] {
  const names = values(match, key);
  const negate = kids(match).some((k) => k.name === `${key}-excluded`);
  if (names.length === 0 || names.some((n) => n.name === "any")) return negate ? anyOf([[]], true) : [];
  const alts: Condition[][] = [];
  const v4 = names.some((n) => n.name === "any-ipv4");
  const v6 = names.some((n) => n.name === "any-ipv6");
  if (v4) alts.push([{ kind: "family", family: 4 }]);
  if (v6) alts.push([{ kind: "family", family: 6 }]);
  const value: AddressValue = { v4: [], v6: [], unknown: [] };
  for (const n of names) {
    if (n.name === "any-ipv4" || n.name === "any-ipv6") continue;
    const v = books.resolve(n.name, zone);
    if (!v) {
      const where = zone === undefined ? "the global address book" : `the address book of zone ${zone} or the global address book`;
      undefinedRef(ctx, n, `policy '${policy}': ${key} '${n.name}' is not defined in ${where}`);
      alts.push([{ kind: "unknown", text: `${key} ${n.name}`, reason: `undefined address ${n.name}` }]);
      continue;
    }
    value.v4.push(...v.v4);
    value.v6.push(...v.v6);
    for (const u of v.unknown) alts.push([{ kind: "unknown", text: `${key} ${n.name}: ${u}`, reason: "address not modelled (dns-name, invalid entry)" }]);
  }
  if (value.v4.length > 0) alts.push([{ kind: "addr", field, family: 4, ranges: mergeAddrRanges(value.v4) }]);
  if (value.v6.length > 0) alts.push([{ kind: "addr", field, family: 6, ranges: mergeAddrRanges(value.v6) }]);
  return anyOf(alts, negate);
}
