/**
 * The security policy of one scope (a virtual system or a Panorama device group) as one
 * first-match chain: packets of established sessions pass; then the rules of every rulebase in
 * evaluation order (scope.ts); then the predefined `intrazone-default` (allow) and
 * `interzone-default` (deny), which `default-security-rules` may override.
 *
 * A rule matches on from/to zones (zones.ts), `rule-type` (universal; intrazone: both ends in the
 * same zone; interzone: in different zones), source and destination addresses with
 * `negate-source` / `negate-destination`, service and application (services.ts). `source-user`,
 * URL `category`, HIP profiles and schedules are decided at run time: unknown conditions. `allow`
 * accepts; `deny` and `drop` drop; `reset-*` reject. `disabled yes` takes a rule out.
 *
 * The chain runs before destination NAT on the forward path: PAN-OS matches security rules on the
 * packet's original (pre-NAT) addresses and service, and on the zone its translated destination
 * is routed to - which the packet's egress interface is.
 */
import type { Action, Chain, Condition, Rule } from "../../src/model/types.js";
import { child, kids, type ConfigNode } from "../junos/tree.js";
import type { Addresses } from "./addresses.js";
import { addChain, anyOf, isYes, lastValue, members, spanOf, type PanosContext, type PolicyScope } from "./scope.js";
import type { Services } from "./services.js";
import type { ZoneMap } from "./zones.js";
import { sureFirstRules } from "../sure-first.js";

export interface SecurityScope {
  scope: PolicyScope;
  addresses: Addresses;
  services: Services;
  zones: ZoneMap;
  /** Distinguishes this scope's chains from another's: "" alone, " (vsys2)". */
  suffix: string;
}

/** Builds the scope's security chain; undefined when it has no security rulebase and no zones. */
export function buildSecurity(ctx: PanosContext, s: SecurityScope): string | undefined {
  const bases = s.scope.rulebases.map((r) => ({ ...r, rules: child(child(r.node, "security"), "rules") }));
  const anchor = bases.find((b) => b.rules)?.rules ?? s.scope.node;
  if (!bases.some((b) => b.rules) && s.zones.undeclared) return undefined;
  const chain: Chain = {
    name: `security rules${s.suffix}`,
    table: "security",
    rules: [],
    policy: "drop",
    span: spanOf(ctx, anchor),
    policySpan: spanOf(ctx, anchor),
    label: `the security policy of ${scopeLabel(s.scope)}`,
  };
  chain.rules.push({ id: "established sessions", conditions: [{ kind: "ctstate", states: ["established", "related"] }], action: { kind: "accept" }, span: spanOf(ctx, anchor), comment: "packets of an existing session pass", implied: true });
  for (const b of bases) {
    for (const r of kids(b.rules)) {
      const rule = securityRule(ctx, s, r, b.label);
      if (rule) chain.rules.push(...sureFirstRules(rule));
    }
  }
  defaults(ctx, s, chain, anchor);
  return addChain(ctx, chain);
}

export function scopeLabel(scope: PolicyScope): string {
  return scope.kind === "vsys" ? `vsys ${scope.name}` : scope.kind === "device-group" ? `device-group ${scope.name}` : "the shared rulebases";
}

function securityRule(ctx: PanosContext, s: SecurityScope, r: ConfigNode, base: string): Rule | undefined {
  const label = `security rule '${r.name}'`;
  if (isYes(r, "disabled")) {
    ctx.diags.info(r, `${label} is disabled; it is not a rule`);
    return undefined;
  }
  const action = lastValue(r, "action");
  if (!action) {
    ctx.diags.warn(r, `${label} has no action; PAN-OS refuses such a rule; it is not a rule`);
    return undefined;
  }
  const conditions: Condition[] = [];
  const from = s.zones.resolve(members(r, "from"), label, "from");
  const to = s.zones.resolve(members(r, "to"), label, "to");
  const type = lastValue(r, "rule-type")?.name ?? "universal";
  if (type === "intrazone") {
    conditions.push(...anyOf(s.zones.sameZone(from)));
  } else {
    conditions.push(...s.zones.condition(from, "iif"), ...s.zones.condition(to, "oif"));
    if (type === "interzone") {
      const both = from === undefined ? to : to === undefined ? from : from.filter((z) => to.includes(z));
      const same = s.zones.sameZone(both);
      if (same.length > 0) conditions.push({ kind: "or", anyOf: same, negate: true });
    }
  }
  conditions.push(...s.addresses.condition(members(r, "source"), "src", isYes(r, "negate-source"), label, "source"));
  conditions.push(...s.addresses.condition(members(r, "destination"), "dst", isYes(r, "negate-destination"), label, "destination"));
  conditions.push(...s.services.condition(members(r, "service"), members(r, "application"), label));
  for (const [key, why] of [
    ["source-user", "the rule applies to the named users only (User-ID)"],
    ["category", "URL categories are decided per request"],
    ["hip-profiles", "HIP profiles are reported by the endpoints"],
    ["source-hip", "HIP profiles are reported by the endpoints"],
    ["destination-hip", "HIP profiles are reported by the endpoints"],
  ] as const) {
    const vs = members(r, key).map((m) => m.name);
    if (vs.length > 0 && !vs.includes("any")) conditions.push({ kind: "unknown", text: `${key} ${vs.join(" ")}`, reason: why });
  }
  const targets = kids(child(child(r, "target"), "devices"));
  if (targets.length > 0) conditions.push({ kind: "unknown", text: `target ${isYes(child(r, "target"), "negate") ? "all but " : ""}${targets.map((t) => t.name).join(" ")}`, reason: "a Panorama rule that targets some firewalls only applies on those" });
  const schedule = lastValue(r, "schedule");
  if (schedule) conditions.push({ kind: "unknown", text: `schedule ${schedule.name}`, reason: "the rule is active only at scheduled times" });
  ctx.ruleCount++;
  const description = lastValue(r, "description")?.name;
  const comment = [base === "rulebase" ? undefined : base, description].filter((x) => x !== undefined).join("; ");
  return { id: `rule ${r.name}`, conditions, action: actionOf(ctx, action, label), span: spanOf(ctx, r), ...(comment ? { comment } : {}) };
}

function actionOf(ctx: PanosContext, a: ConfigNode, label: string): Action {
  switch (a.name) {
    case "allow":
      return { kind: "accept" };
    case "deny":
    case "drop":
      return { kind: "drop" };
    case "reset-client":
    case "reset-server":
    case "reset-both":
      return { kind: "reject", with: a.name };
    default:
      ctx.diags.error(a, `${label}: unknown action '${a.name}' (expected allow, deny, drop, reset-client, reset-server or reset-both); taken as deny`);
      return { kind: "drop" };
  }
}

/**
 * The predefined rules after the scope's own: intrazone-default (allow) per zone, and
 * interzone-default (deny) as the chain's policy, each as `default-security-rules` sets it.
 */
function defaults(ctx: PanosContext, s: SecurityScope, chain: Chain, anchor: ConfigNode): void {
  // Which override wins: the firewall's own rulebase, then post-rulebases from the innermost
  // device group outward to shared (their order in `rulebases`), then pre-rulebases.
  const rank = (label: string) => (label === "rulebase" ? 0 : label.endsWith("post-rulebase") ? 1 : 2);
  const byPrecedence = [...s.scope.rulebases].sort((a, b) => rank(a.label) - rank(b.label));
  const setting = (name: string): ConfigNode | undefined => {
    for (const r of byPrecedence) {
      const a = lastValue(child(child(child(r.node, "default-security-rules"), "rules"), name), "action");
      if (a) return a;
    }
    return undefined;
  };
  const intra = setting("intrazone-default");
  const inter = setting("interzone-default");
  const same = s.zones.sameZone(undefined);
  if (same.length > 0) {
    chain.rules.push({
      id: "intrazone-default",
      conditions: anyOf(same),
      action: intra ? actionOf(ctx, intra, "intrazone-default") : { kind: "accept" },
      span: spanOf(ctx, intra ?? anchor),
      comment: intra ? `default-security-rules: intrazone-default ${intra.name}` : "predefined rule: traffic within a zone is allowed",
      ...(intra ? {} : { implied: true as const }),
    });
  }
  if (inter && inter.name !== "deny" && inter.name !== "drop") {
    const all = s.zones.allInterfaces();
    const conditions: Condition[] = all === undefined ? [] : [...s.zones.condition(undefined, "iif"), ...s.zones.condition(undefined, "oif")];
    chain.rules.push({ id: "interzone-default", conditions, action: actionOf(ctx, inter, "interzone-default"), span: spanOf(ctx, inter), comment: `default-security-rules: interzone-default ${inter.name}` });
  }
  if (inter) chain.policySpan = spanOf(ctx, inter);
}
