/**
 * Intent: openings that are meant to exist (`intent:` in .fwlint.yaml). The exposure check must not
 * report what an intent entry covers, and must report what exceeds it (SMTP open to every host when
 * only the MX 10.0.0.25 should receive mail). Done exactly with the set algebra: the intent entries
 * become one PacketSet, and the exposure check sees every pipeline's delivered packets minus it
 * (withoutAllowed), so whatever it still finds is outside every intent entry.
 */
import type { AcceptedRegion, PipelineResult } from "../analysis/evaluate.js";
import type { Family } from "../model/types.js";
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

/** Packets arriving on one of these interfaces. */
export function interfaceSet(ifaces: readonly InterfaceName[]): PacketSet {
  const ranges = ifaces.map((i) => (i.prefix ? ifacePrefixRange(i.name) : one(ifaceToValue(i.name))));
  return PacketSet.box({ [Dim.Iif]: ranges });
}

/**
 * The pipeline results as the exposure check should see them: delivered packets inside `allowed`
 * removed and, with `internet`, only packets that arrived on an Internet-facing interface kept.
 */
export function restrictResults(results: readonly PipelineResult[], allowed?: PacketSet, internet?: PacketSet): PipelineResult[] {
  return results.map((res) => {
    // Outbound traffic does not arrive from the Internet: the interface restriction is not for it.
    const iif = res.pipeline.kind === "outbound" ? undefined : internet;
    const cut = (s: PacketSet): PacketSet => {
      let out = s;
      if (iif) out = out.intersect(iif);
      if (allowed) out = out.minus(allowed);
      return out;
    };
    const accepted: AcceptedRegion[] = res.accepted.map((a) => ({ ...a, delivered: cut(a.delivered), original: iif ? a.original.intersect(iif) : a.original }));
    // possiblyAccepted stays computed on first use (a spread would compute it here)
    return {
      pipeline: res.pipeline,
      accepted,
      get possiblyAccepted() {
        return res.possiblyAccepted;
      },
      certainlyAccepted: res.certainlyAccepted,
      policyReached: res.policyReached,
    };
  });
}
