/**
 * outbound-smtp-open: TCP/25 to every public destination is allowed from the host itself
 * (outbound path) or from internal (private-address) hosts through it (forward path); "may be"
 * where it depends on a condition fwlint does not model.
 */
import { PUBLIC_RANGES } from "../../src/analysis/regions.js";
import { formatIP } from "../../src/model/address.js";
import type { Finding } from "../../src/model/finding.js";
import { CT_STATES, type Family, type Ruleset } from "../../src/model/types.js";
import { leafConditions } from "../../src/model/conditions.js";
import { insideArrivals, interfaceSet, internetFacing } from "../../src/engine/intent.js";
import { Dim, PROTO_TCP, ifaceToValue } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { filtersPath } from "./chains.js";
import type { Check } from "./context.js";
import { deliveredUnions, uncertainAssumptions, witnessOf } from "./reach.js";

const v4 = (a: number, b: number, c: number, d: number) => BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);
/** RFC 1918 and RFC 4193 (unique local) addresses: the usual internal networks. */
export const PRIVATE_RANGES: Record<Family, [bigint, bigint][]> = {
  4: [
    [v4(10, 0, 0, 0), v4(10, 255, 255, 255)],
    [v4(172, 16, 0, 0), v4(172, 31, 255, 255)],
    [v4(192, 168, 0, 0), v4(192, 168, 255, 255)],
  ],
  6: [[0xfcn << 120n, (0xfen << 120n) - 1n]],
};

/**
 * Public destinations beyond the device's own networks: the subnets of its interfaces (vendor
 * formats) lie behind it, not out on the Internet, whatever their addresses - mail to a DMZ with
 * public addresses goes where the DMZ's policy says.
 */
function internetDestinations(ruleset: Ruleset, family: Family): [bigint, bigint][] {
  const own = (ruleset.connected ?? []).filter((c) => c.family === family).flatMap((c) => c.ranges.map((r): [bigint, bigint] => [r.lo, r.hi]));
  if (own.length === 0) return PUBLIC_RANGES[family];
  return PacketSet.box({ [Dim.Dst]: PUBLIC_RANGES[family] }).minus(PacketSet.box({ [Dim.Dst]: own })).valuesOf(Dim.Dst);
}

function smtpRegion(family: Family, dsts: [bigint, bigint][], src?: [bigint, bigint][]): PacketSet {
  const nw = BigInt(CT_STATES.indexOf("new"));
  return PacketSet.box({
    [Dim.Family]: [[BigInt(family), BigInt(family)]],
    [Dim.CtState]: [[nw, nw]],
    [Dim.Proto]: [[BigInt(PROTO_TCP), BigInt(PROTO_TCP)]],
    [Dim.Dport]: [[25n, 25n]],
    [Dim.TcpFlags]: [[2n, 2n]],
    [Dim.Dst]: dsts,
    ...(src ? { [Dim.Src]: src } : {}),
  });
}

/** The interfaces the ruleset's rules name as the one a packet leaves through (`-o eth0`, `oif GROUP`). */
function outputInterfaces(rs: Ruleset): string[] {
  const names = new Set<string>();
  for (const chain of rs.chains.values()) for (const rule of chain.rules) for (const c of leafConditions(rule.conditions)) if (c.kind === "iface" && c.field === "oif" && !c.prefix) names.add(c.name);
  return [...names];
}

/**
 * Every new connection to a public destination is (possibly) accepted; with `oif`, every one
 * leaving through it (on a device that lists its interfaces, packets come in on those only).
 */
function egressUnfiltered(rs: Ruleset, accepted: PacketSet, family: Family, oif?: string): boolean {
  const nw = BigInt(CT_STATES.indexOf("new"));
  const value = (name: string): [bigint, bigint] => [ifaceToValue(name), ifaceToValue(name)];
  const all = PacketSet.box({
    [Dim.Family]: [[BigInt(family), BigInt(family)]],
    [Dim.CtState]: [[nw, nw]],
    [Dim.Dst]: PUBLIC_RANGES[family],
    ...(oif !== undefined ? { [Dim.Oif]: [value(oif)] } : {}),
    ...(oif !== undefined && rs.interfaces ? { [Dim.Iif]: rs.interfaces.map(value) } : {}),
  });
  return all.isSubsetOf(accepted);
}

export const outboundSmtpOpen: Check<Record<string, never>> = (ctx, _params, rule) => {
  const findings: Finding[] = [];
  for (const res of ctx.results()) {
    const p = res.pipeline;
    if (p.kind === "inbound") continue;
    if (!filtersPath(ctx.ruleset, p)) continue;
    // The host's own traffic: only where egress is filtered at all (an OUTPUT that accepts
    // everything is a posture, not a port-25 oversight, and nearly every server has one).
    if (p.kind === "outbound" && egressUnfiltered(ctx.ruleset, res.possiblyAccepted, p.family)) continue;
    const dsts = internetDestinations(ctx.ruleset, p.family);
    let region = smtpRegion(p.family, dsts, p.kind === "forward" ? PRIVATE_RANGES[p.family] : undefined);
    // So is one interface's (an AWS security group's default egress rule, on the interface that
    // stands for that group): the device's interfaces, or those the rules send packets out of.
    if (p.kind === "outbound") {
      const names = ctx.ruleset.interfaces ?? outputInterfaces(ctx.ruleset);
      const open = names.filter((oif) => egressUnfiltered(ctx.ruleset, res.possiblyAccepted, p.family, oif));
      if (open.length > 0) region = region.minus(interfaceSet(open.map((name) => ({ name, prefix: false })), Dim.Oif));
    }
    const leaving = internetFacing(ctx, Dim.Oif);
    if (leaving) {
      // Mail sent out: it leaves through an Internet-facing interface, and mail forwarded by the
      // host comes from inside, not in from the Internet (a private source arriving on the WAN is
      // inbound mail or spoofed, and an inbound permit for it is not an outbound opening).
      region = region.intersect(leaving);
      if (p.kind === "forward") region = region.intersect(insideArrivals(ctx)!);
    }
    // Packets for which every public destination is allowed (the region is a product with them),
    // as delivered: mail a DNAT sends to an internal relay does not leave. Allowed for certain
    // first; else allowed under a condition fwlint does not model (the address a MASQUERADE
    // takes, say), which the finding names.
    const unions = deliveredUnions(res);
    const openIn = (accepted: PacketSet) => region.intersect(accepted.intersect(region).forAll(Dim.Dst, dsts));
    let open = openIn(unions.certain);
    let uncertain: string[] | undefined;
    if (open.isEmpty()) {
      open = openIn(unions.possible);
      if (open.isEmpty()) continue;
      uncertain = uncertainAssumptions(res.accepted, (d) => d.overlaps(open));
    }
    const w = witnessOf(ctx, res, open, { proto: PROTO_TCP, dports: [25] });
    const srcs = open.valuesOf(Dim.Src);
    // (a cloud ruleset's outbound path is that of the instances behind a group, ACL, NSG or target)
    const target = ctx.ruleset.hosts ? w?.witness?.oif : undefined;
    const from =
      p.kind === "outbound"
        ? target !== undefined
          ? `from the hosts behind ${target}`
          : "from this host"
        : `from internal hosts (${srcs.slice(0, 3).map(([a, b]) => (a === b ? formatIP(a, p.family) : `${formatIP(a, p.family)}-${formatIP(b, p.family)}`)).join(", ")}${srcs.length > 3 ? ", ..." : ""}) through it`;
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message: `outgoing SMTP (tcp/25) to every public destination ${uncertain ? "may be" : "is"} allowed ${from} on the ${p.kind} path (IPv${p.family})`,
      location: w?.location ?? { file: ctx.ruleset.file, line: 1, column: 1 },
      ...(w ? { witness: w.witness, trace: w.trace } : {}),
      ...(uncertain ? { uncertain } : {}),
    });
  }
  return findings;
};
