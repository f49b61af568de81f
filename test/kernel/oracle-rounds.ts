/**
 * Fewer kernel-oracle rounds for forward probes. The oracle routes each probe's destination out
 * of the probe's oif, so packets to one destination through different interfaces cannot share a
 * round: each further round is a conntrack flush, route changes and counter reads, in the control
 * run and again in the real one (0.2-0.4 s each here), and on the forward hook they were most of
 * the oracle's time - rules that test the outgoing interface give one destination, often the
 * probes' default one, an oif per interface name.
 *
 * The probes to such a destination that leave by another interface than most of them are moved
 * together to a nearby address on the same side of every address range the ruleset names (the
 * edges of destination conditions and of NAT targets): fwlint's model cannot tell the two
 * addresses apart, so the probe tests the same thing, and the kernel judges the packet actually
 * sent. Probes at an address the ruleset names on its own (no free neighbour) and probes sent to
 * DNAT targets stay where they are.
 */
import type { Packet } from "../../src/model/finding.js";
import type { AddrRange, Family, Ruleset } from "../../src/model/types.js";
import { formatIP, parseIP } from "../../src/model/address.js";
import { forwardableDestination } from "../../src/analysis/probes.js";
import { leafConditions } from "../../src/model/conditions.js";

/** How far from its address a group of probes may move (tried nearest first). */
const MAX_SHIFT = 256n;

/** Where the ruleset's destination address ranges start and end (+1), sorted, per family. */
function destinationCuts(ruleset: Ruleset, family: Family): bigint[] {
  const cuts = new Set<bigint>();
  const add = (r: AddrRange) => {
    cuts.add(r.lo);
    cuts.add(r.hi + 1n);
  };
  for (const chain of ruleset.chains.values()) {
    for (const rule of chain.rules) {
      for (const c of leafConditions(rule.conditions)) if (c.kind === "addr" && c.field === "dst" && c.family === family) for (const r of c.ranges) add(r);
      const a = rule.action;
      if ((a.kind === "dnat" || a.kind === "snat") && a.to.addr) {
        add(a.to.addr);
        if (a.to.map?.kind === "offset") add({ lo: a.to.map.from, hi: a.to.map.from + (a.to.addr.hi - a.to.addr.lo) });
      }
    }
  }
  return [...cuts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** How many cuts are at or below `v`: two addresses with the same count lie between the same cuts. */
function side(cuts: readonly bigint[], v: bigint): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The lab's own address (on every interface of the firewall namespace): delivered locally. */
const LAB_ADDRESS = 0xc0000008n;

/**
 * Moves forward probes so that each destination leaves by one interface (see above), in place.
 * `stay`: destinations not to move to or from (DNAT targets), and interfaces whose probes keep
 * their destination (the one rewritten packets leave by). Returns how many probes moved.
 */
export function spreadDestinations(ruleset: Ruleset, probes: Packet[], stay: { dsts: ReadonlySet<string>; oifs: ReadonlySet<string> }): number {
  const used = new Set(probes.map((p) => p.dst));
  for (const p of probes) used.add(p.src);
  const byDst = new Map<string, Map<string, Packet[]>>();
  for (const p of probes) {
    if (!p.oif) continue;
    let g = byDst.get(p.dst);
    if (!g) byDst.set(p.dst, (g = new Map()));
    const list = g.get(p.oif);
    if (list) list.push(p);
    else g.set(p.oif, [p]);
  }
  const cutsOf = new Map<Family, bigint[]>();
  let moved = 0;
  for (const [dst, groups] of byDst) {
    if (groups.size < 2 || stay.dsts.has(dst)) continue;
    // A group that must stay, else the largest, keeps the address; the others each look for one of their own.
    const rank = (oif: string, n: number) => (stay.oifs.has(oif) ? 1e9 + n : n);
    const order = [...groups.entries()].sort((a, b) => rank(b[0], b[1].length) - rank(a[0], a[1].length) || (a[0] < b[0] ? -1 : 1));
    for (const [oif, group] of order.slice(1)) {
      if (stay.oifs.has(oif)) continue;
      const family = group[0]!.family;
      const v = parseIP(dst, family);
      if (v === null) continue;
      let cuts = cutsOf.get(family);
      if (!cuts) cutsOf.set(family, (cuts = destinationCuts(ruleset, family)));
      const at = side(cuts, v);
      for (let k = 1n; k <= MAX_SHIFT; k++) {
        const to = [v + k, v - k].find((w) => forwardableDestination(w, family) && (family !== 4 || w !== LAB_ADDRESS) && side(cuts, w) === at && !used.has(formatIP(w, family)) && !stay.dsts.has(formatIP(w, family)));
        if (to === undefined) continue;
        const text = formatIP(to, family);
        used.add(text);
        for (const p of group) p.dst = text;
        moved += group.length;
        break;
      }
    }
  }
  return moved;
}
