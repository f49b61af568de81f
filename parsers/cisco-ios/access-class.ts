/**
 * An access list that admits the clients of a service of the router itself, as a chain of its
 * own. As an access-class (`line vty`, `ip http`): a permit returns (the packet goes on through the
 * stage that jumped here), a deny drops, and so does the implicit deny at its end. As one of
 * several lists any of which admits (the SNMP communities): a permit accepts, a deny and the end
 * return, so the next list is asked.
 */
import type { Family } from "../../src/model/types.js";
import type { Acl } from "./config.js";
import { aclTable, orderedAces, type IosMapper } from "./mapper.js";

/** Adds the chain `name` for `acl` in `family`'s table; returns its key. */
export function accessClassChain(m: IosMapper, acl: Acl, name: string, family: Family, anyOfSeveral = false): string {
  const rules = orderedAces(acl).map(({ entry: e, ace }) =>
    m.rule(`${name}#${e.seq}`, m.aceConditions(ace, family, e.where), ace.action === "permit" ? { kind: anyOfSeveral ? "accept" : "return" } : { kind: anyOfSeveral ? "return" : "drop" }, e.where),
  );
  if (!anyOfSeveral) m.endWithImplicitDeny(acl, name, rules);
  return m.addChain({ name, table: aclTable(family), rules, span: m.span(acl.where) });
}
