/**
 * `aws ec2 describe-network-acls` JSON -> network ACLs with the place of each part in the text.
 * The document is checked against rules/schema/aws-nacl.schema.json (ajv, compiled once); each
 * problem is an error `path: expected` at its place. A bad entry is left out and the rest of its
 * ACL still read; a problem with the ACL itself (no `NetworkAclId`, `Entries` not a list) leaves
 * that ACL out. Values the schema leaves open (the protocol, the CIDR blocks) are judged by the
 * mapper. Never throws.
 */
import { schemaIssues } from "../json-schema.js";
import { MAX_JSON_DEPTH, parseJsonText } from "../json-text.js";
import type { Diagnostic, SourceSpan } from "../../src/model/types.js";
import { type Path, awsList, isObj, otherAwsList, placer } from "./json-doc.js";

export interface NaclEntry {
  ruleNumber: number;
  /** As written: "-1", "6", ... (AWS prints numbers as strings; a JSON number is kept as its decimal text). */
  protocol: string;
  action: "allow" | "deny";
  /** true: outbound (traffic leaving the subnet); false: inbound. */
  egress: boolean;
  /** `CidrBlock` (family 4) or `Ipv6CidrBlock` (family 6): an entry holds exactly one. */
  cidr: { family: 4 | 6; text: string; span: SourceSpan };
  /** `PortRange` (TCP and UDP only); an absent bound is left undefined. */
  ports?: { from?: number; to?: number };
  /** `IcmpTypeCode`: -1 (or absent) is any. */
  icmp?: { type?: number; code?: number };
  /** The entry's `RuleNumber` value: what a finding about it points at. */
  span: SourceSpan;
  /** The entry's `Protocol` value, for complaints about it. */
  protocolSpan: SourceSpan;
  /** Where in the document, for messages: `NetworkAcls[0].Entries[3]`. */
  where: string;
}

export interface NetworkAcl {
  id: string;
  /** The `Name` tag. */
  name?: string;
  vpcId?: string;
  isDefault: boolean;
  /** The subnets associated with it (`Associations[].SubnetId`). */
  subnets: string[];
  /** In the file's order (the mapper sorts them by rule number). */
  entries: NaclEntry[];
  /** The `NetworkAclId` value. */
  span: SourceSpan;
  /** The `Entries` key (where what no entry matches is told), the ACL's id without one. */
  entriesSpan: SourceSpan;
}

/** `NetworkAcls[0].Entries[3]`, as schema complaints name places. */
function pathText(path: Path): string {
  let s = "";
  for (const seg of path) s += typeof seg === "number" ? `[${seg}]` : s === "" ? seg : `.${seg}`;
  return s;
}

export function readNetworkAcls(text: string, file: string): { acls: NetworkAcl[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const acls: NetworkAcl[] = [];
  const error = (span: { line: number; column: number }, message: string) => diagnostics.push({ severity: "error", message, file, line: span.line, column: span.column });
  const parsed = parseJsonText(text, MAX_JSON_DEPTH);
  if (!parsed.ok) {
    error(parsed, parsed.message);
    return { acls, diagnostics };
  }
  const data = parsed.data;
  const spanAt = placer(text, file);

  // schema problems: each an error at its place; the entry (or the ACL, for its own fields) is left out
  const badAcls = new Set<number>();
  const badEntries = new Set<string>();
  for (const i of schemaIssues(text, file, data, "aws-nacl")) {
    const m = /^(?:data\.)?NetworkAcls\[(\d+)\](?:\.(\w+)(?:\[(\d+)\])?)?/.exec(i.path);
    const [, acl, field, index] = m ?? [];
    let lost = "";
    if (acl !== undefined && field === "Entries" && index !== undefined) {
      badEntries.add(`${acl}.${index}`);
      lost = ": the entry is left out";
    } else if (acl !== undefined && (field === undefined || field === "NetworkAclId" || field === "Entries")) {
      badAcls.add(Number(acl));
      lost = ": the network ACL is left out";
    }
    // (a bad VpcId, IsDefault, Associations or Tags only loses what messages say about the ACL)
    error(i, `${i.path === "" ? "the document" : i.path}: ${i.expected}${lost}`);
  }

  const groups = otherAwsList(data, "SecurityGroups", "aws ec2 describe-security-groups", spanAt);
  if (groups) diagnostics.push({ severity: "warning", file, ...groups });

  const found = awsList(data, "NetworkAcls");
  if (!found) {
    if (diagnostics.length === 0) error(spanAt([]), "the document: expected a NetworkAcls list (aws ec2 describe-network-acls output)");
    return { acls, diagnostics };
  }
  if (found.list.length === 0 && diagnostics.length === 0) {
    const at = spanAt(found.at);
    diagnostics.push({ severity: "info", message: "the document holds no network ACLs", file, line: at.line, column: at.column });
  }
  found.list.forEach((a, k) => {
    if (badAcls.has(k) || !isObj(a) || typeof a.NetworkAclId !== "string") return;
    const at = [...found.at, k];
    const span = spanAt([...at, "NetworkAclId"]);
    const tags = Array.isArray(a.Tags) ? a.Tags : [];
    const nameTag = tags.find((t) => isObj(t) && t.Key === "Name" && typeof t.Value === "string" && t.Value !== "");
    const subnets = (Array.isArray(a.Associations) ? a.Associations : []).flatMap((s) => (isObj(s) && typeof s.SubnetId === "string" ? [s.SubnetId] : []));
    const acl: NetworkAcl = {
      id: a.NetworkAclId,
      ...(isObj(nameTag) ? { name: String(nameTag.Value) } : {}),
      ...(typeof a.VpcId === "string" ? { vpcId: a.VpcId } : {}),
      isDefault: a.IsDefault === true,
      subnets,
      entries: [],
      span,
      entriesSpan: "Entries" in a ? spanAt([...at, "Entries"], true) : span,
    };
    (Array.isArray(a.Entries) ? a.Entries : []).forEach((e, j) => {
      if (badEntries.has(`${k}.${j}`) || !isObj(e)) return;
      const path = [...at, "Entries", j];
      const where = pathText(path);
      const v4 = typeof e.CidrBlock === "string" ? e.CidrBlock : undefined;
      const v6 = typeof e.Ipv6CidrBlock === "string" ? e.Ipv6CidrBlock : undefined;
      if (v4 === undefined && v6 === undefined) {
        error(spanAt(path), `${where}: expected a CidrBlock (IPv4) or an Ipv6CidrBlock: the entry is left out`);
        return;
      }
      if (v4 !== undefined && v6 !== undefined) {
        error(spanAt([...path, "Ipv6CidrBlock"]), `${where}: expected a CidrBlock or an Ipv6CidrBlock, not both (AWS keeps one per entry): the entry is left out`);
        return;
      }
      const cidr = v4 !== undefined ? { family: 4 as const, text: v4, span: spanAt([...path, "CidrBlock"]) } : { family: 6 as const, text: v6!, span: spanAt([...path, "Ipv6CidrBlock"]) };
      const pr = isObj(e.PortRange) ? e.PortRange : undefined;
      const ic = isObj(e.IcmpTypeCode) ? e.IcmpTypeCode : undefined;
      acl.entries.push({
        ruleNumber: Number(e.RuleNumber),
        protocol: String(e.Protocol),
        action: e.RuleAction === "deny" ? "deny" : "allow",
        egress: e.Egress === true,
        cidr,
        ...(pr ? { ports: { ...(typeof pr.From === "number" ? { from: pr.From } : {}), ...(typeof pr.To === "number" ? { to: pr.To } : {}) } } : {}),
        ...(ic ? { icmp: { ...(typeof ic.Type === "number" ? { type: ic.Type } : {}), ...(typeof ic.Code === "number" ? { code: ic.Code } : {}) } } : {}),
        span: spanAt([...path, "RuleNumber"]),
        protocolSpan: spanAt([...path, "Protocol"]),
        where,
      });
    });
    acls.push(acl);
  });
  return { acls, diagnostics };
}
