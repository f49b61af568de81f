/**
 * Remote sessions to the router (`line vty`), the last stage of the inbound path: SSH (tcp/22)
 * and Telnet (tcp/23) to the router reach a vty line, which takes only the protocols its
 * `transport input` names (all of them when the file does not say) and, with `access-class NAME
 * in` (`ipv6 access-class` for IPv6), only the sources its access list permits.
 *
 * The stage only takes packets away: a refused protocol and what the access-class denies are
 * dropped, the rest falls off the chain's end and passes on, so the interface ACL entry that
 * admitted the packet stays the rule findings point at. The access-class is a chain of its own
 * (`line vty access-class NAME`) whose permits return and whose denies drop.
 *
 * A session takes the first free line. When the `line vty` blocks admit differently, the first
 * block's settings decide with an unknown condition: another line may take the session.
 */
import type { Condition, Family, Rule } from "../../src/model/types.js";
import { aclKey, type IosConfig, type VtyLines } from "./config.js";
import { accessClassChain } from "./access-class.js";
import { aclTable, type IosMapper } from "./mapper.js";
import { nameTable } from "../../src/model/name-table.js";

const PORTS: Readonly<Record<string, number>> = nameTable({ ssh: 22, telnet: 23 });

/** The session protocols a block takes. */
function protocols(v: VtyLines): string[] {
  const p = v.transport?.protocols;
  if (!p || p.includes("all")) return Object.keys(PORTS);
  return Object.keys(PORTS).filter((k) => p.includes(k));
}

const key = (v: VtyLines, family: Family) => `${protocols(v).join(",")}|${v.accessClass[family]?.acl ?? ""}`;

/** The inbound stage's chain for one family, or undefined when the file has no `line vty`. */
export function vtyStage(m: IosMapper, cfg: IosConfig, family: Family): string | undefined {
  const blocks = [...cfg.vty].sort((a, b) => a.first - b.first);
  const first = blocks[0];
  if (!first) return undefined;
  const table = aclTable(family);
  const name = family === 4 ? "line vty" : "line vty (ipv6)";
  const others = blocks.filter((b) => key(b, family) !== key(first, family));
  const maybe: Condition[] = others.length === 0 ? [] : [{ kind: "unknown", text: others.map((b) => `line vty ${b.first} ${b.last}`).join(", "), reason: `a session takes the first free vty line, and those lines admit otherwise than line vty ${first.first} ${first.last}` }];
  const rules: Rule[] = [];
  const allowed = protocols(first);
  for (const [proto, port] of Object.entries(PORTS)) {
    if (allowed.includes(proto)) continue;
    const w = first.transport?.where ?? first.where;
    rules.push(m.rule(`${name}#no-${proto}`, [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[port, port]] }, ...maybe], { kind: "drop" }, w, `transport input ${first.transport?.protocols.join(" ") ?? ""}: no ${proto} sessions`));
  }
  const b = first.accessClass[family];
  const acl = b ? cfg.acls.get(aclKey(family, b.acl)) : undefined;
  if (b && !acl) m.warn(b.where, `access-class ${b.acl} on line vty ${first.first} ${first.last} is not defined; IOS lets every source in`);
  if (b && acl && allowed.length > 0) {
    const sub = `${name} access-class ${acl.name}`;
    accessClassChain(m, acl, sub, family);
    const ports = allowed.map((p) => [PORTS[p]!, PORTS[p]!] as [number, number]);
    rules.push(m.rule(`${name}#access-class`, [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: ports }, ...maybe], { kind: "jump", chain: sub }, b.where, `access-class ${acl.name} in`));
  }
  if (rules.length === 0) return undefined;
  // no policy: what it does not refuse passes on, without a step in traces
  return m.addChain({ name, table, rules, span: m.span(first.where) });
}
