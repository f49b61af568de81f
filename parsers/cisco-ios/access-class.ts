/**
 * An access list that admits the clients of a service of the router itself (`line vty`
 * `access-class`, `ip http access-class`), as a chain of its own: a permit returns (the packet
 * goes on through the stage that jumped here), a deny drops, and so does the implicit deny at its
 * end.
 */
import type { Family } from "../../src/model/types.js";
import type { Acl } from "./config.js";
import { aclTable, orderedAces, type IosMapper } from "./mapper.js";

/** Adds the chain `name` for `acl` in `family`'s table; returns its key. */
export function accessClassChain(m: IosMapper, acl: Acl, name: string, family: Family): string {
  const rules = orderedAces(acl).map(({ entry: e, ace }) => m.rule(`${name}#${e.seq}`, m.aceConditions(ace, family, e.where), ace.action === "permit" ? { kind: "return" } : { kind: "drop" }, e.where));
  m.endWithImplicitDeny(acl, name, rules);
  return m.addChain({ name, table: aclTable(family), rules, span: m.span(acl.where) });
}
