/**
 * `aws ec2 describe-security-groups` JSON -> security groups with the place of each part in the
 * text. The document is checked against rules/schema/aws-sg.schema.json (ajv, compiled once); each
 * problem is an error `path: expected` at its place, and the group holding it is left out while the
 * other groups are still read. Never throws.
 */
import { schemaIssues } from "../json-schema.js";
import { type Json, MAX_JSON_DEPTH, parseJsonText } from "../json-text.js";
import type { Diagnostic, SourceSpan } from "../../src/model/types.js";
import { type Obj, awsList, isObj, otherAwsList, placer } from "./json-doc.js";

/** Where a permission admits packets from (ingress) or sends them to (egress). */
export type Peer =
  | { kind: "cidr"; family: 4 | 6; text: string; span: SourceSpan }
  | { kind: "prefix-list"; id: string; span: SourceSpan }
  | { kind: "group"; id: string; span: SourceSpan };

export interface Permission {
  /** As written: "tcp", "udp", "icmp", "icmpv6", "-1", or a protocol number. */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  peers: Peer[];
  span: SourceSpan;
}

export interface SecurityGroup {
  id: string;
  name?: string;
  ingress: Permission[];
  egress: Permission[];
  span: SourceSpan;
  /** The `IpPermissions` key (where "everything else is refused" is told); the group's span without one. */
  ingressSpan: SourceSpan;
  egressSpan: SourceSpan;
}

export function readSecurityGroups(text: string, file: string): { groups: SecurityGroup[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const groups: SecurityGroup[] = [];
  const error = (line: number, column: number, message: string) => diagnostics.push({ severity: "error", message, file, line, column });
  const parsed = parseJsonText(text, MAX_JSON_DEPTH);
  if (!parsed.ok) {
    error(parsed.line, parsed.column, parsed.message);
    return { groups, diagnostics };
  }
  const data = parsed.data;
  /** The place of the value at `path` (or its key), else of the nearest part above it that is there. */
  const spanAt = placer(text, file);

  const bad = new Set<number>();
  for (const i of schemaIssues(text, file, data, "aws-sg")) {
    error(i.line, i.column, `${i.path === "" ? "the document" : i.path}: ${i.expected}`);
    const m = /Security(?:Groups|GroupRules)\[(\d+)\]/.exec(i.path);
    if (m) bad.add(Number(m[1]));
  }

  const nacls = otherAwsList(data, "NetworkAcls", "aws ec2 describe-network-acls", spanAt);
  if (nacls) diagnostics.push({ severity: "warning", file, ...nacls });

  const rules = awsList(data, "SecurityGroupRules");
  if (rules) {
    groups.push(...groupsOfRules(rules.list, rules.at, bad, spanAt));
    return { groups, diagnostics };
  }
  const found = awsList(data, "SecurityGroups");
  if (!found) {
    if (diagnostics.length === 0) error(1, 1, "the document: expected a SecurityGroups list (aws ec2 describe-security-groups output) or a SecurityGroupRules list (describe-security-group-rules)");
    return { groups, diagnostics };
  }
  found.list.forEach((g, k) => {
    if (bad.has(k) || !isObj(g)) return;
    const at = [...found.at, k];
    const permissions = (key: "IpPermissions" | "IpPermissionsEgress"): Permission[] => {
      const perms = g[key];
      if (!Array.isArray(perms)) return [];
      return perms.filter(isObj).map((p, i) => {
        const pathOf = [...at, key, i];
        const peers: Peer[] = [];
        /** Each entry of list `field`, placed at the value that names the peer (its `key`). */
        const each = (field: string, key: (o: Obj) => string | undefined, make: (name: string, span: SourceSpan) => Peer) => {
          const items = p[field];
          if (!Array.isArray(items)) return;
          items.forEach((o, j) => {
            const k = isObj(o) ? key(o) : undefined;
            if (k !== undefined) peers.push(make(String((o as Obj)[k]), spanAt([...pathOf, field, j, k])));
          });
        };
        each("IpRanges", () => "CidrIp", (text, span) => ({ kind: "cidr", family: 4, text, span }));
        each("Ipv6Ranges", () => "CidrIpv6", (text, span) => ({ kind: "cidr", family: 6, text, span }));
        each("PrefixListIds", () => "PrefixListId", (id, span) => ({ kind: "prefix-list", id, span }));
        each("UserIdGroupPairs", (o) => (typeof o.GroupId === "string" ? "GroupId" : typeof o.GroupName === "string" ? "GroupName" : undefined), (id, span) => ({ kind: "group", id, span }));
        return {
          protocol: String(p.IpProtocol),
          ...(typeof p.FromPort === "number" ? { fromPort: p.FromPort } : {}),
          ...(typeof p.ToPort === "number" ? { toPort: p.ToPort } : {}),
          peers,
          span: spanAt(pathOf),
        };
      });
    };
    const span = spanAt(at);
    groups.push({
      id: String(g.GroupId),
      ...(typeof g.GroupName === "string" ? { name: g.GroupName } : {}),
      ingress: permissions("IpPermissions"),
      egress: permissions("IpPermissionsEgress"),
      span,
      ingressSpan: "IpPermissions" in g ? spanAt([...at, "IpPermissions"], true) : span,
      egressSpan: "IpPermissionsEgress" in g ? spanAt([...at, "IpPermissionsEgress"], true) : span,
    });
  });
  return { groups, diagnostics };
}

/**
 * `aws ec2 describe-security-group-rules` output: one object per rule (`GroupId`, `IsEgress`,
 * `IpProtocol`, ports, and one of `CidrIpv4`, `CidrIpv6`, `PrefixListId`, `ReferencedGroupInfo`),
 * gathered into its groups in the order the rules come. A group is placed at its first rule, its
 * implicit deny at its first rule of that direction.
 */
function groupsOfRules(list: Json[], at: (string | number)[], bad: ReadonlySet<number>, spanAt: (path: (string | number)[]) => SourceSpan): SecurityGroup[] {
  const byId = new Map<string, SecurityGroup>();
  list.forEach((r, k) => {
    if (bad.has(k) || !isObj(r) || typeof r.GroupId !== "string") return;
    const path = [...at, k];
    const span = spanAt(path);
    let g = byId.get(r.GroupId);
    if (!g) byId.set(r.GroupId, (g = { id: r.GroupId, ingress: [], egress: [], span, ingressSpan: span, egressSpan: span }));
    const egress = r.IsEgress === true;
    // a direction's implicit deny is told at its first rule (the group's first rule until then)
    if (egress && g.egress.length === 0) g.egressSpan = span;
    if (!egress && g.ingress.length === 0) g.ingressSpan = span;
    const ref = isObj(r.ReferencedGroupInfo) ? r.ReferencedGroupInfo : undefined;
    const peer: Peer | undefined =
      typeof r.CidrIpv4 === "string" ? { kind: "cidr", family: 4, text: r.CidrIpv4, span: spanAt([...path, "CidrIpv4"]) }
      : typeof r.CidrIpv6 === "string" ? { kind: "cidr", family: 6, text: r.CidrIpv6, span: spanAt([...path, "CidrIpv6"]) }
      : typeof r.PrefixListId === "string" ? { kind: "prefix-list", id: r.PrefixListId, span: spanAt([...path, "PrefixListId"]) }
      : ref && typeof ref.GroupId === "string" ? { kind: "group", id: ref.GroupId, span: spanAt([...path, "ReferencedGroupInfo", "GroupId"]) }
      : undefined;
    (egress ? g.egress : g.ingress).push({
      protocol: String(r.IpProtocol),
      ...(typeof r.FromPort === "number" ? { fromPort: r.FromPort } : {}),
      ...(typeof r.ToPort === "number" ? { toPort: r.ToPort } : {}),
      peers: peer ? [peer] : [],
      span,
    });
  });
  return [...byId.values()];
}
