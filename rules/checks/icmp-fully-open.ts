/**
 * icmp-fully-open: every ICMP (ICMPv6) type is accepted from nearly any public source on the
 * inbound path, instead of only echo requests and the error types that matter.
 */
import { strangerRegion } from "../../src/analysis/regions.js";
import type { Finding } from "../../src/model/finding.js";
import { Dim, PROTO_ICMP, PROTO_ICMPV6 } from "../../src/space/dims.js";
import { PacketSet } from "../../src/space/packet-set.js";
import { filtersPath } from "./chains.js";
import type { Check } from "./context.js";
import { coverageText, sourceCoverage, witnessOf } from "./reach.js";

const THRESHOLD = 0.5;
/** Types nobody means to accept from the Internet, named in the message (ICMPv6 has no timestamp or address-mask requests). */
const RISKY_TYPES: Record<4 | 6, string> = {
  4: "redirects, router advertisements, timestamp and address-mask requests",
  6: "redirects, router advertisements, router renumbering, node information queries",
};
const ANY_BYTE: [bigint, bigint][] = [[0n, 255n]];

export const icmpFullyOpen: Check<Record<string, never>> = (ctx, _params, rule) => {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const res of ctx.results()) {
    const p = res.pipeline;
    if (p.kind !== "inbound" || seen.has(`${p.family}`)) continue;
    if (!filtersPath(ctx.ruleset, p)) continue;
    const proto = p.family === 4 ? PROTO_ICMP : PROTO_ICMPV6;
    const region = strangerRegion(p.family, [proto]);
    // Packets whose every type and code would be accepted (the region is a product with them).
    const accepted = res.certainlyAccepted.intersect(region);
    const allTypes = region.intersect(accepted.forAll(Dim.IcmpType, ANY_BYTE).forAll(Dim.IcmpCode, ANY_BYTE));
    const coverage = sourceCoverage(allTypes, p.family);
    if (coverage <= THRESHOLD) continue;
    seen.add(`${p.family}`);
    // A redirect (IPv4 type 5, ICMPv6 137) is the telling witness: nobody means to accept it.
    const redirect = p.family === 4 ? 5n : 137n;
    const w = witnessOf(ctx, res, allTypes.intersect(PacketSet.box({ [Dim.IcmpType]: [[redirect, redirect]] })), { proto });
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message: `every ${p.family === 4 ? "ICMP" : "ICMPv6"} type (${RISKY_TYPES[p.family]} ...) is accepted from ${coverageText(coverage, p.family)} on the inbound path`,
      location: w?.location ?? { file: ctx.ruleset.file, line: 1, column: 1 },
      ...(w ? { witness: w.witness, trace: w.trace } : {}),
    });
  }
  return findings;
};
