/**
 * AWS network ACLs -> Ruleset.
 *
 * A network ACL filters the traffic that enters (inbound entries, `Egress: false`) and leaves
 * (outbound entries, `Egress: true`) the subnets associated with it. Each direction's entries are
 * evaluated in ascending `RuleNumber` - not in the order the JSON lists them - and the first entry
 * that matches decides, allow or deny. What no numbered entry matches falls to AWS's `*` rule,
 * which denies: RuleNumber 32767 for IPv4 and 32768 for IPv6 in describe-network-acls output.
 * Network ACLs are stateless: a reply is a packet like any other and passes only if an entry of
 * the opposite direction allows it (the ephemeral ports of a client's connections must be allowed
 * inbound), so the chains carry no connection-tracking rule.
 *
 * Which instances sit in which subnet is not in the file, so - as the security-group reader does
 * with groups - each ACL is analysed on its own, as the interface of a subnet it guards: packets
 * arrive on (`iif`) or leave through (`oif`) the ACL's id. The subnets it is associated with are
 * named in its chains' labels. Security groups also filter the same traffic (a packet must pass
 * both); this reader sees only the ACLs, so what it reports reachable is what the ACLs let through.
 *
 * - `inbound` pipeline per family: chain `network-acls/inbound` jumps on `iif ACL` to the ACL's
 *   chain `ACL inbound`: one rule per inbound entry (allow = accept, deny = drop) in rule-number
 *   order, the source matched against its CIDR block; then the `*` rules.
 * - `outbound` pipeline: the same for outbound entries and `oif ACL`, the destination matched.
 * The `*` rules are the model's reading of what AWS adds to every ACL: the user cannot move or
 * remove them, so they are `implied` (rule anomaly checks leave them alone) whether the export
 * lists them (they keep their place in the file) or not (added at the `Entries` key).
 */
import { parseAddrSpec } from "../../src/model/address.js";
import type { Chain, Condition, Diagnostic, Rule, Ruleset, SourceSpan } from "../../src/model/types.js";
import { chainKey } from "../../src/model/types.js";
import type { NaclEntry, NetworkAcl } from "./nacl-read.js";
import { dispatchChain, dispatchPipelines, targetJump } from "../cloud-dispatch.js";
import { nameTable } from "../../src/model/name-table.js";

const TABLE = "network-acls";
/** AWS's `*` rule numbers: IPv4 and IPv6 (the user's entries are numbered 1-32766). */
const STAR: Record<4 | 6, number> = { 4: 32767, 6: 32768 };
const ANY: Record<4 | 6, string> = { 4: "0.0.0.0/0", 6: "::/0" };
/** Protocol names older API versions and the CLI's input accept besides the numbers describe prints. */
const PROTOCOL_NAMES: Readonly<Record<string, number>> = nameTable({ tcp: 6, udp: 17, icmp: 1, icmpv6: 58 });
/** How many subnets a chain's label names before "and N more". */
const SUBNETS_SHOWN = 3;

type Direction = "inbound" | "outbound";
type Tell = (span: SourceSpan, message: string) => void;

export function mapNetworkAcls(acls: readonly NetworkAcl[], file: string, diagnostics: Diagnostic[]): Ruleset {
  const chains = new Map<string, Chain>();
  // nothing read (an empty list, or a document the reader could not take): no chain vouches for anything
  if (acls.length === 0) return { format: "aws-nacl", file, families: [4, 6], chains, pipelines: [], diagnostics, ruleCount: 0 };
  const first: SourceSpan = acls[0]?.span ?? { file, line: 1, column: 1 };
  const tell = (severity: "error" | "warning") => (span: SourceSpan, message: string) => diagnostics.push({ severity, message, file, line: span.line, column: span.column });
  const warn = tell("warning");
  const error = tell("error");
  // entries that share a line (a one-line document): a finding names the rule besides the line
  const perLine = new Map<number, number>();
  for (const a of acls) for (const e of a.entries) perLine.set(e.span.line, (perLine.get(e.span.line) ?? 0) + 1);
  let ruleCount = 0;
  const seen = new Set<string>();
  for (const direction of ["inbound", "outbound"] as const) {
    // no rule for established connections: network ACLs are stateless
    const dispatch = dispatchChain(TABLE, direction, first, `the network ACLs' ${direction} entries`, false);
    for (const acl of acls) {
      // (paginated output pasted together may repeat one: its chains would be one and the same)
      if (seen.has(`${direction} ${acl.id}`)) {
        if (direction === "inbound") warn(acl.span, `network ACL ${acl.id} is listed twice: the first is read`);
        continue;
      }
      seen.add(`${direction} ${acl.id}`);
      const name = `${acl.id} ${direction}`;
      const chain: Chain = { name, table: TABLE, rules: [], span: acl.span, label: `network ACL ${acl.id}${describe(acl)} ${direction} entries` };
      const entries = acl.entries.filter((e) => e.egress === (direction === "outbound")).sort((a, b) => a.ruleNumber - b.ruleNumber);
      const stars = new Set<4 | 6>();
      let repeat = 1;
      entries.forEach((e, i) => {
        repeat = i > 0 && entries[i - 1]!.ruleNumber === e.ruleNumber ? repeat + 1 : 1;
        if (repeat === 2) {
          warn(e.span, `network ACL ${acl.id} has two ${direction} entries numbered ${e.ruleNumber} (AWS allows one per number and direction): both are read, in the file's order`);
        }
        const label = `${direction} rule ${e.ruleNumber}`;
        const conditions = entryConditions(e, direction, label, warn, error);
        if (conditions === null) return;
        const star = isStar(e);
        if (star) stars.add(e.cidr.family);
        else if (e.ruleNumber > 32766) warn(e.span, `network ACL ${acl.id}: ${label} is numbered as AWS's * rules are (32767, 32768) but is not one: AWS numbers the entries it takes 1-32766; read as written`);
        const span = (perLine.get(e.span.line) ?? 0) > 1 ? { ...e.span, label: `${acl.id} ${label}` } : e.span;
        const rule: Rule = { id: `${acl.id}/${direction}#${e.ruleNumber}${repeat > 1 ? `/${repeat}` : ""}`, conditions, action: { kind: e.action === "allow" ? "accept" : "drop" }, span, comment: `rule ${e.ruleNumber} ${e.action}` };
        if (star) {
          rule.comment = `rule * (${e.ruleNumber}): AWS denies what no numbered entry matches`;
          rule.implied = true;
        }
        chain.rules.push(rule);
        ruleCount++;
      });
      // AWS's `*` rules the export leaves out (the IPv6 one appears only in a VPC with IPv6)
      const missing = ([4, 6] as const).filter((f) => !stars.has(f));
      if (missing.length === 2) {
        chain.rules.push({ id: `${acl.id}/${direction}#*`, conditions: [], action: { kind: "drop" }, span: acl.entriesSpan, comment: "rule * (32767, 32768): AWS denies what no numbered entry matches", implied: true });
      } else {
        for (const f of missing) {
          chain.rules.push({ id: `${acl.id}/${direction}#*${f}`, conditions: [{ kind: "family", family: f }], action: { kind: "drop" }, span: acl.entriesSpan, comment: `rule * (${STAR[f]}): AWS denies what no numbered entry matches`, implied: true });
        }
      }
      chains.set(chainKey(TABLE, name), chain);
      dispatch.rules.push(targetJump(direction, acl.id, name, acl.span, false));
    }
    chains.set(chainKey(TABLE, direction), dispatch);
  }
  return { format: "aws-nacl", file, families: [4, 6], chains, pipelines: dispatchPipelines(TABLE), diagnostics, ruleCount, hosts: [...new Set(acls.map((a) => a.id))], hostsKind: "network ACLs" };
}

/** " (web; default of vpc-1; subnets subnet-a, subnet-b)": what tells an ACL apart in messages. */
function describe(acl: NetworkAcl): string {
  const parts: string[] = [];
  if (acl.name !== undefined) parts.push(acl.name);
  if (acl.isDefault) parts.push(`the default of ${acl.vpcId ?? "its VPC"}`);
  const n = acl.subnets.length;
  if (n === 0) parts.push("no subnet associated");
  else {
    const shown = acl.subnets.slice(0, SUBNETS_SHOWN).join(", ");
    parts.push(`subnet${n === 1 ? "" : "s"} ${shown}${n > SUBNETS_SHOWN ? ` and ${n - SUBNETS_SHOWN} more` : ""}`);
  }
  return ` (${parts.join("; ")})`;
}

/** AWS's `*` rule as describe-network-acls prints it: every protocol from/to everywhere of its family, denied. */
function isStar(e: NaclEntry): boolean {
  return e.ruleNumber === STAR[e.cidr.family] && e.action === "deny" && protocolOf(e.protocol) === "all" && e.cidr.text.trim() === ANY[e.cidr.family];
}

/** "-1" (or "all") is every protocol; a number 0-255 (as a string or not) or a name is that protocol. */
function protocolOf(text: string): number | "all" | null {
  const t = text.trim().toLowerCase();
  if (t === "-1" || t === "all") return "all";
  if (/^[0-9]{1,3}$/.test(t)) {
    const n = Number(t);
    return n <= 255 ? n : null;
  }
  return PROTOCOL_NAMES[t] ?? null;
}

/**
 * What an entry matches, as AWS documents it (CreateNetworkAclEntry): "-1" is every protocol and
 * port; TCP and UDP take `PortRange` (absent: every port); ICMP with an IPv4 block and ICMPv6 with
 * an IPv6 block take `IcmpTypeCode` (-1 or absent: any type, any code of the type); any other
 * protocol - and ICMPv6 with an IPv4 block - matches every packet of it, whatever ports or types
 * are given. The source (inbound) or destination (outbound) is the CIDR block. Null: an entry
 * that is left out (told).
 */
function entryConditions(e: NaclEntry, direction: Direction, label: string, warn: Tell, error: Tell): Condition[] | null {
  const proto = protocolOf(e.protocol);
  if (proto === null) {
    error(e.protocolSpan, `${e.where}.Protocol: '${e.protocol}' is not a protocol: expected "-1" (every protocol) or a protocol number 0-255 such as "6" (TCP), "17" (UDP), "1" (ICMP) or "58" (ICMPv6): ${label} is left out`);
    return null;
  }
  const family = e.cidr.family;
  const key = family === 4 ? "CidrBlock" : "Ipv6CidrBlock";
  const r = parseAddrSpec(e.cidr.text.trim(), family);
  if (!r.ok || r.prefix === null) {
    const why = r.ok ? "its mask is not a prefix length" : r.detail;
    error(e.cidr.span, `${e.where}.${key}: '${e.cidr.text}' is not an IPv${family} CIDR block (${why}): ${label} is left out`);
    return null;
  }
  const addr: Condition = { kind: "addr", field: direction === "inbound" ? "src" : "dst", family, ranges: [r.range] };
  if (proto === "all") return [addr];
  const protoCond: Condition = { kind: "proto", protos: [proto] };
  if (proto === 6 || proto === 17) {
    if (e.ports?.from === undefined || e.ports.to === undefined) warn(e.span, `${e.where}.PortRange: AWS requires From and To for TCP and UDP entries; ${e.ports?.from === undefined && e.ports?.to === undefined ? "read as every port" : "the missing end read as 0 or 65535"}`);
    const lo = e.ports?.from ?? 0;
    const hi = e.ports?.to ?? 65535;
    if (lo > hi) {
      warn(e.span, `${e.where}.PortRange: From ${lo} is above To ${hi}: ${label} matches nothing`);
      return null;
    }
    return lo === 0 && hi === 65535 ? [protoCond, addr] : [protoCond, { kind: "port", field: "dport", ranges: [[lo, hi]] }, addr];
  }
  if ((proto === 1 && family === 4) || (proto === 58 && family === 6)) {
    const type = e.icmp?.type === undefined || e.icmp.type < 0 ? undefined : e.icmp.type;
    const code = e.icmp?.code === undefined || e.icmp.code < 0 ? undefined : e.icmp.code;
    if (type === undefined) return [protoCond, addr];
    return [protoCond, { kind: "icmp", family, type, ...(code !== undefined ? { codeLo: code, codeHi: code } : {}) }, addr];
  }
  return [protoCond, addr];
}
