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
});
