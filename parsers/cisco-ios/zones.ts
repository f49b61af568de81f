/**
 * The zone-based firewall (IOS-XE ZBFW) stage of the forward path, structurally exact:
 * - traffic between interfaces of the same zone passes;
 * - traffic between two zones passes only through a `zone-pair security` from the source zone
 *   to the destination zone; what the pair's `policy-map type inspect` lets through is not
 *   analysed, so such traffic is accepted under an unknown condition ("may pass");
 * - return traffic of an inspected session (established/related) may pass (unknown);
 * - traffic between a zone member and an interface in no zone is dropped, in both directions;
 * - traffic between two interfaces in no zone is not zone-filtered.
 * Defaults as Batfish tests them (CiscoGrammarTest.testIosXeZoneDefaultBehavior, formats.md §2).
 * Traffic to and from the router itself (the self zone) is not zone-filtered here.
 */
import type { Condition, Family, Rule } from "../../src/model/types.js";
import type { IosConfig } from "./config.js";
import { aclTable, type IosMapper } from "./mapper.js";

function oifIn(names: readonly string[]): Condition {
  if (names.length === 1) return { kind: "iface", field: "oif", name: names[0]!, prefix: false };
  return { kind: "or", anyOf: names.map((n) => [{ kind: "iface", field: "oif", name: n, prefix: false }]) };
}

/** Builds the zone chains of a family; returns the key of the stage's base chain. */
export function zoneStage(m: IosMapper, cfg: IosConfig, family: Family): string {
  const table = aclTable(family);
  const live = cfg.interfaces.filter((i) => !i.shutdown);
  const members = new Map<string, string[]>();
  for (const i of live) if (i.zone) members.set(i.zone.name, [...(members.get(i.zone.name) ?? []), i.name]);
  const allMembers = live.filter((i) => i.zone).map((i) => i.name);
  const base: Rule[] = [];
  const done = new Set<string>();
  for (const i of live) {
    const on: Condition = { kind: "iface", field: "iif", name: i.name, prefix: false };
    if (!i.zone) {
      base.push(m.rule(`zone-pairs#${i.name}`, [on, oifIn(allMembers)], { kind: "drop" }, i.where, `${i.name} is in no zone: IOS drops its traffic to zone members`));
      continue;
    }
    const z = i.zone.name;
    base.push(m.rule(`zone-pairs#${i.name}`, [on], { kind: "jump", chain: `zone ${z}` }, i.zone.where, `${i.name} is in zone ${z}`));
    if (done.has(z)) continue;
    done.add(z);
    const zw = cfg.zones.get(z)?.where ?? i.zone.where;
    const rules: Rule[] = [
      m.rule(`zone ${z}#same-zone`, [oifIn(members.get(z)!)], { kind: "accept" }, zw, `traffic inside zone ${z} passes`),
      m.rule(
        `zone ${z}#return-traffic`,
        [{ kind: "ctstate", states: ["established", "related"] }, { kind: "unknown", text: "inspect", reason: "return traffic of a session a zone-pair inspects passes" }],
        { kind: "accept" },
        zw,
        "return traffic of inspected sessions",
      ),
    ];
    for (const p of cfg.zonePairs) {
      if (p.source !== z || p.destination === z) continue;
      const dst = members.get(p.destination);
      if (!dst) continue; // self, or a zone without live interfaces
      const policy = p.policy ? `policy-map type inspect ${p.policy}` : "no service-policy (drops everything)";
      if (!p.policy) continue;
      rules.push(
        m.rule(`zone ${z}#${p.name}`, [oifIn(dst), { kind: "unknown", text: `zone-pair ${p.name}`, reason: `${policy} is not analysed` }], { kind: "accept" }, p.where, `zone-pair ${p.name}: ${z} -> ${p.destination}`),
      );
    }
    rules.push(m.rule(`zone ${z}#no-zone-pair`, [], { kind: "drop" }, zw, `no zone-pair from ${z} to the destination's zone: IOS drops`));
    m.addChain({ name: `zone ${z}`, table, rules, span: m.span(zw) });
  }
  base.push(m.rule("zone-pairs#no-zone", [], { kind: "accept" }, live[0]?.where ?? { line: 1, column: 1, text: "" }, "between interfaces in no zone, traffic is not zone-filtered"));
  return m.addChain({ name: "zone-pairs", table, rules: base, policy: "accept", span: m.span(live[0]?.where ?? { line: 1, column: 1, text: "" }) });
}
