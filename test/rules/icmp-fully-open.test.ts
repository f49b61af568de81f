import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { makeContext } from "../../rules/checks/context.js";
import { icmpFullyOpen } from "../../rules/checks/icmp-fully-open.js";
import { filter, lines, ref } from "./helpers.js";

describe("icmp-fully-open", () => {
  it("reports -p icmp -j ACCEPT at the rule, with a redirect as the witness", () => {
    const fs = icmpFullyOpen(makeContext(filter("-A INPUT -p icmp -j ACCEPT\n")), {}, ref);
    expect(lines(fs)).toEqual([5]);
    expect(fs[0]!.witness).toMatchObject({ proto: "icmp", icmp_type: 5 });
    expect(fs[0]!.message).toBe("every ICMP type (redirects, router advertisements, timestamp and address-mask requests ...) is accepted from any source on the inbound path");
  });

  it("reports ICMPv6 in an ip6tables file, not the types that matter or a restricted source", () => {
    const v6 = parseIptablesSave("*filter\n:INPUT DROP [0:0]\n-A INPUT -p ipv6-icmp -j ACCEPT\nCOMMIT\n", "t.v6", { family: 6 });
    expect(v6.families).toEqual([6]);
    const fs = icmpFullyOpen(makeContext(v6), {}, ref);
    expect(fs.map((f) => f.message)).toEqual([expect.stringMatching(/^every ICMPv6 type/)]);
    // the types named are ICMPv6's own: it has no timestamp or address-mask requests
    expect(fs[0]!.message).toContain("router renumbering, node information queries");
    expect(fs[0]!.message).not.toContain("timestamp");
    const ok = filter("-A INPUT -p icmp --icmp-type 8 -j ACCEPT\n-A INPUT -p icmp --icmp-type 3 -j ACCEPT\n-A INPUT -s 192.0.2.0/24 -p icmp -j ACCEPT\n");
    expect(icmpFullyOpen(makeContext(ok), {}, ref)).toEqual([]);
  });
});
