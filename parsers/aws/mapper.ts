/**
 * AWS security groups -> Ruleset.
 *
 * A security group is allow-only, unordered and stateful: a packet of a new connection reaches an
 * instance when some ingress permission of a group on the instance's interface admits it, and
 * everything else is refused; replies to allowed connections pass. Which instances carry which
 * groups is not in the file, so each group is analysed on its own, as the interface of an
 * instance that carries only it (what one group admits, every instance with it admits: more groups
 * only add). The group id stands for that interface: packets arrive on (`iif`) the group they are
 * checked against, and a finding's packet names it.
 *
 * - `inbound` pipeline per family: chain `security-groups/inbound` passes packets of established
 *   connections, then jumps on `iif GROUP` to the group's chain `GROUP inbound`; one rule there per
 *   permission and source (CIDR, prefix list, referenced group), in the file's order (order does
 *   not matter: all rules accept); what no rule accepts falls to the implicit deny at the end of the
 *   group's chain (told at its `IpPermissions` key).
 * - `outbound` pipeline: the same for egress permissions and `oif GROUP`, the destination taking
 *   the source's place.
 * A managed prefix list or a referenced security group is an unknown condition (its addresses are
 * not in the file): never "any source", never "nobody".
 *
 * The groups are not listed as the ruleset's interfaces (Ruleset.interfaces): that restricts every
 * path to them on the way in and out alike, and each group's packets then carried the list of all
 * groups as their way out (900 groups: evaluation 16 s and exposure 12 s, against 1.7 s and 0.2 s
 * without). A packet arriving on anything but a group's id reaches no group chain and is refused.
 */
import { parseAddrSpec } from "../../src/model/address.js";
import type { Chain, Condition, Diagnostic, Family, Ruleset, SourceSpan } from "../../src/model/types.js";
import { chainKey } from "../../src/model/types.js";
import type { Peer, Permission, SecurityGroup } from "./read.js";
import { dispatchChain, dispatchPipelines, targetJump } from "../cloud-dispatch.js";
import { nameTable } from "../../src/model/name-table.js";

const TABLE = "security-groups";

const PROTOCOLS: Readonly<Record<string, number>> = nameTable({ tcp: 6, udp: 17, icmp: 1, icmpv6: 58 });

type Direction = "inbound" | "outbound";
type Tell = (span: SourceSpan, message: string) => void;

export function mapSecurityGroups(groups: readonly SecurityGroup[], file: string, diagnostics: Diagnostic[]): Ruleset {
  const chains = new Map<string, Chain>();
  // No group read (a document cut short, or an empty list): no chain, so that a file nothing could
  // be read from is one that could not be parsed (check's exit status 2), not one with no findings.
  if (groups.length === 0) return { format: "aws-sg", file, families: [4, 6], chains, pipelines: [], diagnostics, ruleCount: 0 };
  const first: SourceSpan = groups[0]!.span;
  const tell = (severity: "error" | "warning") => (span: SourceSpan, message: string) => diagnostics.push({ severity, message, file, line: span.line, column: span.column });
  const warn = tell("warning");
  const error = tell("error");
  let ruleCount = 0;
  const seen = new Set<string>();
  for (const direction of ["inbound", "outbound"] as const) {
    const dispatch = dispatchChain(TABLE, direction, first, `the security groups' ${direction} rules`, true);
    for (const g of groups) {
      if (direction === "inbound") {
        if (seen.has(g.id)) warn(g.span, `security group ${g.id} is listed twice: both are read`);
        seen.add(g.id);
      }
      const name = `${g.id} ${direction}`;
      const chain: Chain = {
        name,
        table: TABLE,
        rules: [],
        span: g.span,
        label: `security group ${g.id}${g.name ? ` (${g.name})` : ""} ${direction === "inbound" ? "inbound" : "outbound"} rules`,
      };
      const permissions = direction === "inbound" ? g.ingress : g.egress;
      permissions.forEach((p, i) => {
        const service = serviceConditions(p, warn, error);
        if (service === null) return;
        p.peers.forEach((peer, j) => {
          const where = peerCondition(peer, direction, error);
          if (where === null) return;
          chain.rules.push({ id: `${g.id}/${direction}[${i}].${j}`, conditions: [...service, ...where], action: { kind: "accept" }, span: peer.span });
          ruleCount++;
        });
      });
      const denySpan = direction === "inbound" ? g.ingressSpan : g.egressSpan;
      chain.rules.push({ id: `${g.id}/${direction}#deny`, conditions: [], action: { kind: "drop" }, span: denySpan, comment: "a security group refuses what no rule allows", implied: true });
      chains.set(chainKey(TABLE, name), chain);
      dispatch.rules.push(targetJump(direction, g.id, name, g.span, false));
    }
    chains.set(chainKey(TABLE, direction), dispatch);
  }
  return {
    format: "aws-sg",
    file,
    families: [4, 6],
    chains,
    pipelines: dispatchPipelines(TABLE),
    diagnostics,
    ruleCount,
    hosts: [...seen],
    hostsKind: "security groups",
  };
}

/**
 * Protocol and ports of a permission: `-1` is every protocol (ports ignored); tcp and udp take
 * FromPort-ToPort (-1 or absent: every port); ICMP and ICMPv6 take the type in FromPort and the
 * code in ToPort (-1: any); other protocol numbers have no ports. Null: nothing it could match
 * (told as a warning).
 */
function serviceConditions(p: Permission, warn: Tell, error: Tell): Condition[] | null {
  if (p.protocol === "-1" || p.protocol === "all") return [];
  const num = PROTOCOLS[p.protocol] ?? Number(p.protocol);
  if (!Number.isInteger(num) || num < 0 || num > 255) {
    error(p.span, `IpProtocol '${p.protocol}' is not a protocol (expected tcp, udp, icmp, icmpv6, -1 or a number 0-255): the permission is left out`);
    return null;
  }
  const proto: Condition = { kind: "proto", protos: [num] };
  if (num === 6 || num === 17) {
    const lo = p.fromPort === undefined || p.fromPort < 0 ? 0 : p.fromPort;
    const hi = p.toPort === undefined || p.toPort < 0 ? 65535 : p.toPort;
    if (lo > hi) {
      warn(p.span, `FromPort ${lo} is above ToPort ${hi}: the permission admits nothing`);
      return null;
    }
    return lo === 0 && hi === 65535 ? [proto] : [proto, { kind: "port", field: "dport", ranges: [[lo, hi]] }];
  }
  if (num === 1 || num === 58) {
    const family: Family = num === 1 ? 4 : 6;
    const type = p.fromPort === undefined || p.fromPort < 0 ? undefined : p.fromPort;
    const code = p.toPort === undefined || p.toPort < 0 ? undefined : p.toPort;
    if (type === undefined) return [proto, { kind: "family", family }];
    return [proto, { kind: "icmp", family, type, ...(code !== undefined ? { codeLo: code, codeHi: code } : {}) }];
  }
  return [proto];
}

/** The source (inbound) or destination (outbound) a permission names; null when it is malformed (told). */
function peerCondition(peer: Peer, direction: Direction, error: Tell): Condition[] | null {
  const field = direction === "inbound" ? "src" : "dst";
  const side = direction === "inbound" ? "source" : "destination";
  if (peer.kind === "prefix-list") {
    return [{ kind: "unknown", text: `${side} in prefix list ${peer.id}`, reason: "a managed prefix list's entries are not in the file" }];
  }
  if (peer.kind === "group") {
    // (a stranger on the Internet is never one of them: a group reference matches the private
    // addresses of the instances' interfaces in the VPC, not the public ones)
    return [{ kind: "unknown", text: `${side} is an instance with security group ${peer.id}`, reason: "which instances carry a security group is not in the file", ordinary: false }];
  }
  const r = parseAddrSpec(peer.text, peer.family);
  if (!r.ok || r.prefix === null) {
    error(peer.span, `'${peer.text}' is not an IPv${peer.family} CIDR block: the rule is left out`);
    return null;
  }
  return [{ kind: "addr", field, family: peer.family, ranges: [r.range] }];
}

