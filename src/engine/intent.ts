/**
 * Intent: openings that are meant to exist (`intent:` in .fwlint.yaml). The exposure check must not
 * report what an intent entry covers, and must report what exceeds it (SMTP open to every host when
 * only the MX 10.0.0.25 should receive mail). Done exactly with the set algebra: the intent entries
 * become one PacketSet, and the exposure check sees every pipeline's delivered packets minus it
 * (withoutAllowed), so whatever it still finds is outside every intent entry.
 */
import { acceptedUnions, type AcceptedRegion, type PipelineResult } from "../analysis/evaluate.js";
import { BRIDGE_IFACES } from "../analysis/regions.js";
import type { Family, Ruleset } from "../model/types.js";
import { Dim, ifacePrefixRange, ifaceToValue } from "../space/dims.js";
import { PacketSet, type Ranges } from "../space/packet-set.js";
import type { AddressBlock, IntentEntry, InterfaceName } from "./config.js";

const one = (v: number | bigint): [bigint, bigint] => [BigInt(v), BigInt(v)];

/** Every packet some intent entry allows (both families). */
export function intentSet(entries: readonly IntentEntry[]): PacketSet {
  const parts: PacketSet[] = [];
  for (const e of entries) {
    for (const family of [4, 6] as Family[]) {
      const pick = (blocks: AddressBlock[] | undefined): Ranges | undefined | null => {
        if (blocks === undefined) return undefined;
        const r = blocks.filter((b) => b.family === family).map((b) => [b.lo, b.hi] as [bigint, bigint]);
        return r.length === 0 ? null : r;
      };
      const dst = pick(e.to);
      const src = pick(e.from);
      // An entry that names addresses of the other family only allows nothing in this one.
      if (dst === null || src === null) continue;
      const spec: Partial<Record<Dim, Ranges>> = { [Dim.Family]: [one(family)] };
      if (e.protocols !== "any") spec[Dim.Proto] = e.protocols.map(one);
      if (e.ports) spec[Dim.Dport] = e.ports.map(([a, b]) => [BigInt(a), BigInt(b)] as [bigint, bigint]);
      if (dst) spec[Dim.Dst] = dst;
      if (src) spec[Dim.Src] = src;
      parts.push(PacketSet.box(spec));
    }
  }
  return PacketSet.unionAll(parts);
}

/** Packets arriving on one of these interfaces (`side` Oif: leaving through one). */
export function interfaceSet(ifaces: readonly InterfaceName[], side: typeof Dim.Iif | typeof Dim.Oif = Dim.Iif): PacketSet {
  const ranges = ifaces.map((i) => (i.prefix ? ifacePrefixRange(i.name) : one(ifaceToValue(i.name))));
  return PacketSet.box({ [side]: ranges });
}

/**
 * The pipeline results as the exposure checks should see them: with `internet`, only packets that
 * arrived on an Internet-facing interface, and with `allowed`, no delivered packet inside it.
 * Every view of a result is restricted alike - the accepted regions and the unions of them the
 * checks read (certainlyAccepted, possiblyAccepted) - so no check sees traffic that another
 * one, reading another view, has left out (a LAN without filter blamed on the WAN's ACL).
 */
export function restrictResults(results: readonly PipelineResult[], allowed?: PacketSet, internet?: PacketSet, outside?: PacketSet): PipelineResult[] {
  // Outbound traffic does not arrive from the Internet: the interface restriction is not for it.
  return results.map((res) => restrictResult(res, allowed, res.pipeline.kind === "outbound" ? undefined : internet, res.pipeline.kind === "forward" ? outside : undefined));
}

/**
 * Which interfaces face the Internet, for the exposure checks: `internet` (the configuration's
 * `internet:` or the device's own word) are the only ones; else every interface but `internal`
 * (the zones a generator put on trusted networks) may be; neither: undefined, any interface.
 */
export interface InternetSide {
  internet?: readonly InterfaceName[];
  internal?: readonly InterfaceName[];
}

/**
 * The packets arriving on (`side` Oif: leaving through) an Internet-facing interface, when that is
 * known. Said by exception (`internal`), container and VM bridges are not among them either.
 */
export function internetFacing(scope: InternetSide, side: typeof Dim.Iif | typeof Dim.Oif = Dim.Iif): PacketSet | undefined {
  if (scope.internet) return interfaceSet(scope.internet, side);
  if (scope.internal && scope.internal.length > 0) return PacketSet.universe().minus(interfaceSet(scope.internal, side)).minus(PacketSet.box({ [side]: BRIDGE_IFACES }));
  return undefined;
}

/**
 * With the Internet side known (internetFacing), the packets arriving from inside: on an interface
 * the device does not say faces the Internet, or - said by exception - on one a generator's zones
 * put inside (not on a bridge the ruleset never names).
 */
export function insideArrivals(scope: InternetSide): PacketSet | undefined {
  if (scope.internet) return PacketSet.universe().minus(interfaceSet(scope.internet));
  if (scope.internal && scope.internal.length > 0) return interfaceSet(scope.internal);
  return undefined;
}

/** A ruleset's Internet side (InternetSide): `internet:` from the configuration wins over what the ruleset says. */
export function internetSideOf(ruleset: Ruleset, configured: readonly InterfaceName[] | undefined): InternetSide {
  if (configured) return { internet: configured };
  const exact = (names: readonly string[]): InterfaceName[] => names.map((name) => ({ name, prefix: false }));
  if (ruleset.internetInterfaces) return { internet: exact(ruleset.internetInterfaces) };
  if (ruleset.internalInterfaces) return { internal: exact(ruleset.internalInterfaces) };
  return {};
}

/**
 * How the exposure checks see a ruleset's results (restrictResults), given its Internet side
 * (internetSideOf; `configured`: from the configuration's `internet:`): arriving on an
 * Internet-facing interface, without what the intent allows, and without what reaches nothing
 * behind the device (outsideSet; on a host whose zones a generator assigned, what leaves by an
 * Internet-facing interface). Undefined when nothing restricts them.
 */
export function exposureView(ruleset: Ruleset, side: InternetSide, configured: boolean, intent: readonly IntentEntry[] | undefined): ((results: readonly PipelineResult[]) => PipelineResult[]) | undefined {
  const internet = internetFacing(side);
  const outside = ruleset.interfaces ? outsideSet(ruleset, side.internet) : !configured && ruleset.zonedInterfaces ? internetFacing(side, Dim.Oif) : undefined;
  const allowed = intent && intent.length > 0 ? intentSet(intent) : undefined;
  if (!internet && !outside && !allowed) return undefined;
  return (results) => restrictResults(results, allowed, internet, outside);
}

/**
 * `outside`: on a device that declares its interfaces, the forwarded packets that reach nothing
 * behind it, so are no exposure: those that leave by the interface they came in on (hairpinned
 * back to their own segment: a PAN-OS zone's intrazone traffic, an ASA's intra-interface), and
 * those that leave by an Internet-facing interface (sent back out to the Internet).
 */
export function outsideSet(ruleset: { interfaces?: readonly string[] }, internet: readonly InterfaceName[] | undefined): PacketSet | undefined {
  if (!ruleset.interfaces || ruleset.interfaces.length === 0) return undefined;
  let out = internet ? interfaceSet(internet, Dim.Oif) : PacketSet.empty();
  for (const name of ruleset.interfaces) {
    const v = one(ifaceToValue(name));
    out = out.union(PacketSet.box({ [Dim.Iif]: [v], [Dim.Oif]: [v] }));
  }
  return out;
}

/** One pipeline's result, restricted (see restrictResults). */
function restrictResult(res: PipelineResult, allowed: PacketSet | undefined, iif: PacketSet | undefined, outside: PacketSet | undefined): PipelineResult {
  if (!iif && !allowed && !outside) return res;
  const arrived = (s: PacketSet): PacketSet => {
    const entered = iif ? s.intersect(iif) : s;
    return outside ? entered.minus(outside) : entered;
  };
  const cut = (s: PacketSet): PacketSet => (allowed ? arrived(s).minus(allowed) : arrived(s));
  // The intent names packets as delivered. Without NAT they are the packets as they arrived, cut
  // alike; a DNAT region's original packets cannot be mapped back here, so only the interface
  // restriction applies to them (they may still hold packets the intent allows once rewritten).
  const rewritten = res.accepted.some((a) => a.natRules.length > 0);
  const accepted: AcceptedRegion[] = res.accepted.map((a) => {
    const delivered = cut(a.delivered);
    return { ...a, delivered, original: a.natRules.length > 0 ? arrived(a.original) : delivered };
  });
  // The unions the checks read, of the restricted regions, each computed on first use like the
  // evaluator's possiblyAccepted. Without NAT every region is cut by the same set operation, which
  // distributes over union: cutting the evaluator's unions gives the same sets without joining
  // the regions again (thousands on large rulesets).
  let joined: ReturnType<typeof acceptedUnions> | undefined;
  const union = (side: "certain" | "possible"): PacketSet => (joined ??= acceptedUnions(accepted, "original"))[side];
  let certain: PacketSet | undefined;
  let possible: PacketSet | undefined;
  return {
    pipeline: res.pipeline,
    accepted,
    get certainlyAccepted() {
      return (certain ??= rewritten ? union("certain") : cut(res.certainlyAccepted));
    },
    get possiblyAccepted() {
      return (possible ??= rewritten ? union("possible") : cut(res.possiblyAccepted));
    },
    // What fell to a chain's policy was dropped, not admitted: no exposure to restrict there.
    policyReached: res.policyReached,
  };
}
