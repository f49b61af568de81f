import { describe, expect, it } from "vitest";
import { makeContext } from "../../rules/checks/context.js";
import { outboundSmtpOpen } from "../../rules/checks/outbound-smtp-open.js";
import { filter, lines, ref } from "./helpers.js";

const run = (body: string, policies?: string) => outboundSmtpOpen(makeContext(filter(body, policies)), {}, ref);

describe("outbound-smtp-open", () => {
  it("reports filtered egress that still lets tcp/25 out to everywhere", () => {
    const fs = run("-A OUTPUT -p tcp --dport 25 -j ACCEPT\n", "INPUT DROP,FORWARD DROP,OUTPUT DROP");
    expect(lines(fs)).toEqual([5]);
    expect(fs[0]!.message).toMatch(/from this host on the outbound path/);
  });

  it("reports internal hosts forwarded to tcp/25 anywhere, naming their range", () => {
    const fs = run("-A FORWARD -s 192.168.1.0/24 -j ACCEPT\n");
    expect(fs[0]!.message).toMatch(/internal hosts \(192\.168\.1\.0-192\.168\.1\.255\) through it on the forward path/);
  });

  it("not for an unfiltered OUTPUT, a relay-only egress, or a single blocked destination range", () => {
    expect(run("")).toEqual([]);
    expect(run("-A OUTPUT -d 198.51.100.25 -p tcp --dport 25 -j ACCEPT\n", "INPUT DROP,FORWARD DROP,OUTPUT DROP")).toEqual([]);
    expect(run("-A FORWARD -d 203.0.113.0/24 -j DROP\n-A FORWARD -s 192.168.1.0/24 -j ACCEPT\n")).toEqual([]);
  });

  it("leaves out an interface whose egress accepts everything (loopback, a security group's default egress)", () => {
    const policies = "INPUT DROP,FORWARD DROP,OUTPUT DROP";
    // everything out of lo, HTTPS elsewhere: no mail to the Internet leaves (it was blamed on lo)
    expect(run("-A OUTPUT -o lo -j ACCEPT\n-A OUTPUT -p tcp --dport 443 -j ACCEPT\n", policies)).toEqual([]);
    // mail out of eth0 as well: reported there, not on lo
    const fs = run("-A OUTPUT -o lo -j ACCEPT\n-A OUTPUT -o eth0 -p tcp --dport 25 -j ACCEPT\n", policies);
    expect(lines(fs)).toEqual([6]);
    expect(fs[0]!.witness).toMatchObject({ oif: "eth0" });
  });

  it("not when a DNAT sends the LAN's mail to an internal relay", () => {
    const relay = "-A PREROUTING -i lan0 -p tcp --dport 25 -j DNAT --to-destination 10.50.0.2:25\n";
    const forward = "-A FORWARD -i lan0 -d 10.50.0.2 -p tcp --dport 25 -j ACCEPT\n-A FORWARD -i lan0 -s 192.168.1.0/24 -p tcp -m multiport --dports 80,443 -j ACCEPT\n";
    expect(outboundSmtpOpen(makeContext(filter(forward, undefined, relay)), {}, ref)).toEqual([]);
    // without the DNAT the same LAN reaching any public host on 25 is reported
    expect(run("-A FORWARD -i lan0 -s 192.168.1.0/24 -p tcp --dport 25 -j ACCEPT\n")).toHaveLength(1);
  });

  it("with Internet-facing interfaces known, only mail that leaves through one and does not come in from one", () => {
    const withWan = (body: string) => {
      const ctx = { ...makeContext(filter(body)), internet: [{ name: "eth0", prefix: false }] };
      return outboundSmtpOpen(ctx, {}, ref);
    };
    // an inbound permit for mail arriving on the WAN (from a spoofed or NATed private source) is no outbound opening
    expect(withWan("-A FORWARD -i eth0 -p tcp --dport 25 -j ACCEPT\n-A FORWARD -j DROP\n")).toEqual([]);
    // mail from the LAN to a second inside network does not leave for the Internet
    expect(withWan("-A FORWARD -i eth1 -o eth2 -p tcp --dport 25 -j ACCEPT\n-A FORWARD -j DROP\n")).toEqual([]);
    // from the LAN out through the WAN: the opening
    expect(lines(withWan("-A FORWARD -i eth1 -o eth0 -p tcp --dport 25 -j ACCEPT\n-A FORWARD -j DROP\n"))).toEqual([5]);
  });
});
