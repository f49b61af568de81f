/**
 * The zone-based firewall (IOS-XE ZBFW) as filter stages.
 *
 * Forward (`zone-pairs` chain), defaults as Batfish tests them (CiscoGrammarTest.
 * testIosXeZoneDefaultBehavior, formats.md §2):
 * - between interfaces of the same zone traffic passes (unless a zone-pair Z -> Z sets a policy);
 * - from zone Z to zone D traffic passes only through `zone-pair security P source Z destination D`
 *   and its `service-policy type inspect PM`; a pair without a policy drops;
 * - between a zone member and an interface in no zone traffic is dropped, both ways (what a
 *   zone's chain does not decide falls to the policy, drop, of `zone-pairs`, entered by goto);
 * - between two interfaces in no zone it is not zone-filtered;
 * - return traffic of an inspected session (established/related) may pass: the inspect state is
 *   not modelled, so that is an unknown condition.
 * Inbound (`zone-pairs to self`), only when a pair names `destination self`: traffic to the router
 * from a zone with such a pair obeys its policy; otherwise the self zone lets it in.
 *
 * A policy-map is a user chain `policy-map PM`: its classes in order, then class-default (drop
 * unless `pass`). A class is a chain `class PM/CM`: `match protocol X` becomes conditions,
 * `match access-group name ACL` a sub-chain `class PM/CM:ACL` holding the ACL's entries where a
 * permit takes the class action (inspect/pass = accept, drop = drop) and a deny returns (the
 * class does not match).
 * match-all puts every protocol condition on the one rule that enters the ACL sub-chain; match-any
 * gives every match statement its own rule.
 */
import type { Condition, Family, Rule } from "../../src/model/types.js";
import { aclKey, type ClassMatch, type InspectAction, type InspectPolicy, type IosConfig, type Where } from "./config.js";
import { aclTable, orderedAces, type IosMapper } from "./mapper.js";
import { nameTable } from "../../src/model/name-table.js";

/** Leaving through one of the interfaces (a plain condition for one, an `or` for several); `negate`: through none. */
export function oifIn(names: readonly string[], negate = false): Condition {
  const neg = negate ? { negate } : {};
  if (names.length === 1) return { kind: "iface", field: "oif", name: names[0]!, prefix: false, ...neg };
  return { kind: "or", anyOf: names.map((n) => [{ kind: "iface", field: "oif", name: n, prefix: false }]), ...neg };
}

/** `match protocol X` for the protocols whose inspection is port-based; null = not modelled. */
const INSPECT_PROTOCOLS: Readonly<Record<string, { protos: number[]; port?: number }>> = nameTable({
  tcp: { protos: [6] },
  udp: { protos: [17] },
  icmp: { protos: [1] },
  http: { protos: [6], port: 80 },
  https: { protos: [6], port: 443 },
  ftp: { protos: [6], port: 21 },
  ssh: { protos: [6], port: 22 },
  telnet: { protos: [6], port: 23 },
  smtp: { protos: [6], port: 25 },
  dns: { protos: [6, 17], port: 53 },
  tftp: { protos: [17], port: 69 },
  pop3: { protos: [6], port: 110 },
  imap: { protos: [6], port: 143 },
  ntp: { protos: [17], port: 123 },
  snmp: { protos: [17], port: 161 },
  ldap: { protos: [6], port: 389 },
  sip: { protos: [6, 17], port: 5060 },
});

function protocolConditions(name: string, family: Family): Condition[] {
  const p = INSPECT_PROTOCOLS[name];
  if (!p) return [{ kind: "unknown", text: `match protocol ${name}`, reason: `application protocol '${name}' (NBAR/PAM) is not modelled` }];
  const protos = p.protos.map((n) => (n === 1 && family === 6 ? 58 : n));
  const out: Condition[] = [{ kind: "proto", protos }];
  if (p.port !== undefined) out.push({ kind: "port", field: "dport", ranges: [[p.port, p.port]] });
  return out;
}

function verdict(a: InspectAction | undefined): Rule["action"] {
  return a === "inspect" || a === "pass" ? { kind: "accept" } : { kind: "drop" };
}

class ZoneBuilder {
  private readonly table: string;
  private readonly built = new Set<string>();

  constructor(
    private readonly m: IosMapper,
    private readonly cfg: IosConfig,
    private readonly family: Family,
  ) {
    this.table = aclTable(family);
  }

  private has(name: string): boolean {
    return this.built.has(name);
  }

  private add(name: string, rules: Rule[], w: Where, policy?: "accept" | "drop"): string {
    this.built.add(name);
    return this.m.addChain({ name, table: this.table, rules, ...(policy ? { policy } : {}), span: this.m.span(w) });
  }

  /** The chain of a policy-map (built once per family); its name, or undefined when not defined. */
  policyChain(name: string, at: Where): string | undefined {
    const pm = this.cfg.inspectPolicies.get(name);
    const chain = `policy-map ${name}`;
    if (!pm) {
      this.m.warn(at, `policy-map type inspect ${name} is not defined; IOS drops the zone-pair's traffic`);
      return undefined;
    }
    if (this.has(chain)) return chain;
    this.built.add(chain);
    const rules: Rule[] = [];
    for (const c of pm.classes) {
      const cls = this.classChain(pm, c.name, c.action, c.where);
      if (cls) rules.push(this.m.rule(`${chain}#${c.name}`, [], { kind: "jump", chain: cls }, c.where, `class type inspect ${c.name}: ${c.action ?? "no action (drop)"}`));
    }
    const d = pm.classDefault;
    rules.push(this.m.rule(`${chain}#class-default`, [], verdict(d?.action), d?.where ?? pm.where, `class class-default: ${d?.action === "pass" ? "pass" : "drop"}`));
    this.add(chain, rules, pm.where);
    return chain;
  }

  private classChain(pm: InspectPolicy, name: string, action: InspectAction | undefined, at: Where): string | undefined {
    const cls = this.cfg.inspectClasses.get(name);
    if (!cls) {
      this.m.warn(at, `class-map type inspect ${name} is not defined; the class matches nothing`);
      return undefined;
    }
    const chain = `class ${pm.name}/${name}`; // the space keeps it apart from ACL names
    if (this.has(chain)) return chain;
    const act = verdict(action);
    const rules: Rule[] = [];
    const protoConds = (ms: ClassMatch[]): Condition[] =>
      ms.flatMap((x) => (x.kind === "protocol" ? protocolConditions(x.name, this.family) : x.kind === "other" ? [{ kind: "unknown", text: x.text, reason: `'${x.text}' is not modelled` } as Condition] : []));
    if (cls.matchAll) {
      const acls = cls.matches.filter((x): x is Extract<ClassMatch, { kind: "acl" }> => x.kind === "acl");
      const conds = protoConds(cls.matches);
      for (const extra of acls.slice(1)) conds.push({ kind: "unknown", text: `match access-group name ${extra.name}`, reason: "a match-all class with several ACLs is not modelled" });
      if (acls.length === 0) rules.push(this.m.rule(`${chain}#match`, conds, act, cls.where, `class-map ${name} (match-all)`));
      else {
        const sub = this.aclSubChain(chain, acls[0]!, act);
        rules.push(this.m.rule(`${chain}#${acls[0]!.name}`, conds, sub ? { kind: "jump", chain: sub } : { kind: "return" }, acls[0]!.where, `match access-group name ${acls[0]!.name}`));
      }
    } else {
      for (const x of cls.matches) {
        if (x.kind === "acl") {
          const sub = this.aclSubChain(chain, x, act);
          if (sub) rules.push(this.m.rule(`${chain}#${x.name}`, [], { kind: "jump", chain: sub }, x.where, `match access-group name ${x.name}`));
        } else rules.push(this.m.rule(`${chain}#${x.where.line}`, protoConds([x]), act, x.where, x.kind === "protocol" ? `match protocol ${x.name}` : x.text));
      }
    }
    this.add(chain, rules, cls.where);
    return chain;
  }

  /** The ACL's entries as a class filter: permit takes the class action, deny returns. */
  private aclSubChain(classChain: string, x: Extract<ClassMatch, { kind: "acl" }>, act: Rule["action"]): string | undefined {
    const acl = this.cfg.acls.get(aclKey(this.family, x.name));
    const chain = `${classChain}:${x.name}`;
    if (!acl) {
      if (this.family === 4) this.m.warn(x.where, `access-list ${x.name} is not defined; the class matches nothing through it`);
      return undefined;
    }
    if (this.has(chain)) return chain;
    const rules = orderedAces(acl).map(({ entry: e, ace }) => this.m.rule(`${chain}#${e.seq}`, this.m.aceConditions(ace, this.family, e.where), ace.action === "permit" ? act : { kind: "return" }, e.where));
    this.add(chain, rules, acl.where);
    return chain;
  }

  /** The forward stage; returns its chain key. */
  forward(): string {
    const cfg = this.cfg;
    const live = cfg.interfaces.filter((i) => !i.shutdown);
    const members = new Map<string, string[]>();
    for (const i of live) if (i.zone) members.set(i.zone.name, [...(members.get(i.zone.name) ?? []), i.name]);
    const allMembers = live.filter((i) => i.zone).map((i) => i.name);
    const base: Rule[] = [];
    const done = new Set<string>();
    for (const i of live) {
      const on: Condition = { kind: "iface", field: "iif", name: i.name, prefix: false };
      if (!i.zone) {
        // What IOS does for an interface in no zone: rules of the model, not of the file.
        base.push(this.m.impliedRule(`zone-pairs#${i.name}>zones`, [on, oifIn(allMembers)], { kind: "drop" }, i.where, `${i.name} is in no zone: IOS drops its traffic to zone members`));
        base.push(this.m.impliedRule(`zone-pairs#${i.name}`, [on], { kind: "accept" }, i.where, `${i.name} is in no zone: traffic to other such interfaces is not zone-filtered`));
        continue;
      }
      const z = i.zone.name;
      // goto: what the zone's chain does not decide falls to this chain's policy (drop)
      base.push(this.m.rule(`zone-pairs#${i.name}`, [on], { kind: "goto", chain: `zone ${z}` }, i.zone.where, `${i.name} is in zone ${z}`));
      if (done.has(z)) continue;
      done.add(z);
      const declared = cfg.zones.get(z);
      if (!declared && this.family === 4) this.m.warn(i.zone.where, `zone ${z} is not declared with 'zone security ${z}'`);
      const zw = declared?.where ?? i.zone.where;
      const rules: Rule[] = [];
      const self = cfg.zonePairs.find((p) => p.source === z && p.destination === z);
      const selfPolicy = self?.policy ? this.policyChain(self.policy, self.where) : undefined;
      if (selfPolicy) rules.push(this.m.rule(`zone ${z}#${self!.name}`, [oifIn(members.get(z)!)], { kind: "jump", chain: selfPolicy }, self!.where, `zone-pair ${self!.name}: ${z} -> ${z}`));
      else rules.push(this.m.impliedRule(`zone ${z}#same-zone`, [oifIn(members.get(z)!)], { kind: "accept" }, zw, `traffic inside zone ${z} passes`));
      rules.push(
        this.m.rule(
          `zone ${z}#return-traffic`,
          [{ kind: "ctstate", states: ["established", "related"] }, { kind: "unknown", text: "inspect", reason: "return traffic of a session a zone-pair inspects passes" }],
          { kind: "accept" },
          zw,
          "return traffic of inspected sessions",
        ),
      );
      for (const p of cfg.zonePairs) {
        if (p.source !== z || p.destination === z) continue;
        const dst = members.get(p.destination);
        if (!dst) continue; // self, or a zone without live interfaces
        const pc = p.policy ? this.policyChain(p.policy, p.where) : undefined;
        const why = p.policy ? `policy-map ${p.policy} is not defined` : "no service-policy";
        rules.push(this.m.rule(`zone ${z}#${p.name}`, [oifIn(dst)], pc ? { kind: "jump", chain: pc } : { kind: "drop" }, p.where, `zone-pair ${p.name}: ${z} -> ${p.destination}${pc ? "" : ` (${why}: drop)`}`));
      }
      this.add(`zone ${z}`, rules, zw);
    }
    const w = live[0]?.where ?? { line: 1, column: 1, text: "" };
    return this.add("zone-pairs", base, w, "drop");
  }

  /** The inbound stage (traffic to the router), or undefined when no pair names the self zone. */
  inbound(): string | undefined {
    const cfg = this.cfg;
    const toSelf = cfg.zonePairs.filter((p) => p.destination.toLowerCase() === "self");
    if (toSelf.length === 0) return undefined;
    const rules: Rule[] = [];
    for (const i of cfg.interfaces.filter((x) => !x.shutdown)) {
      const on: Condition = { kind: "iface", field: "iif", name: i.name, prefix: false };
      const p = i.zone ? toSelf.find((x) => x.source === i.zone!.name) : undefined;
      const pc = p?.policy ? this.policyChain(p.policy, p.where) : undefined;
      if (p) rules.push(this.m.rule(`zone-pairs to self#${i.name}`, [on], pc ? { kind: "jump", chain: pc } : { kind: "drop" }, p.where, `zone-pair ${p.name}: ${p.source} -> self`));
      else rules.push(this.m.impliedRule(`zone-pairs to self#${i.name}`, [on], { kind: "accept" }, i.where, `no zone-pair to self from ${i.name}: the self zone lets it in`));
    }
    const w = cfg.interfaces[0]?.where ?? { line: 1, column: 1, text: "" };
    return this.add("zone-pairs to self", rules, w, "drop");
  }
}

/** The zone stages of a family: the forward chain key and, when pairs name self, the inbound one. */
export function zoneStages(m: IosMapper, cfg: IosConfig, family: Family): { forward: string; inbound?: string } {
  const b = new ZoneBuilder(m, cfg, family);
  const forward = b.forward();
  const inbound = b.inbound();
  return inbound ? { forward, inbound } : { forward };
}
