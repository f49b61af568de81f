/**
 * The SNMP agent's managers (`snmp-server community ... ACL`, `snmp-server group ... access ACL`),
 * the last stage of the inbound path: the agent answers a request (udp/161) only from a source
 * that one of its communities or groups admits, so a router whose every community names a list
 * is not open to the Internet over SNMP whatever its interface ACL lets through.
 *
 * Per family: when some community or group names no list of that family, anyone may be a manager
 * and there is no stage; otherwise each list is asked in turn (a permit accepts, a deny or the end
 * of the list asks the next one) and what none admits is dropped.
 */
import type { Family, Rule } from "../../src/model/types.js";
import { accessClassChain } from "./access-class.js";
import { aclKey, type Acl, type IosConfig, type Where } from "./config.js";
import { aclTable, type IosMapper } from "./mapper.js";

const SNMP: Rule["conditions"] = [{ kind: "proto", protos: [17] }, { kind: "port", field: "dport", ranges: [[161, 161]] }];

/** The inbound stage's chain for one family, or undefined when some manager may be anyone. */
export function snmpStage(m: IosMapper, cfg: IosConfig, family: Family): string | undefined {
  const access = cfg.snmp;
  if (access.length === 0 || access.some((a) => !a.acl[family])) return undefined;
  /** Each list once, where it is first named. */
  const lists = new Map<Acl, Where>();
  for (const a of access) {
    const b = a.acl[family]!;
    const acl = cfg.acls.get(aclKey(family, b.acl));
    if (!acl) {
      m.warn(b.where, `access-list ${b.acl} of this snmp-server ${a.kind} is not defined; IOS then admits every manager`);
      return undefined;
    }
    if (!lists.has(acl)) lists.set(acl, b.where);
  }
  const name = family === 4 ? "snmp-server" : "snmp-server (ipv6)";
  const rules: Rule[] = [...lists].map(([acl, w]) => {
    const sub = `${name} ${acl.name}`;
    accessClassChain(m, acl, sub, family, true);
    return m.rule(`${name}#${acl.name}`, SNMP, { kind: "jump", chain: sub }, w, `managers admitted by ${acl.name}`);
  });
  const first = access[0]!.where;
  rules.push(m.rule(`${name}#no-manager`, SNMP, { kind: "drop" }, first, "a request no community or group admits is not answered"));
  // no policy: what is not SNMP passes on, without a step in traces
  return m.addChain({ name, table: aclTable(family), rules, span: m.span(first) });
}
