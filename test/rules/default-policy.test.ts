/**
 * default-accept-policy: a filter chain whose ACCEPT policy lets in new connections no rule
 * decides, located at the policy, with a witness whose trace ends there.
 */
import { describe, expect, it } from "vitest";
import { makeContext } from "../../rules/checks/context.js";
import { defaultPolicy } from "../../rules/checks/default-policy.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { filter, ref } from "./helpers.js";

const params = { directions: ["inbound" as const, "forward" as const] };

describe("default-accept-policy", () => {
  it("reports an ACCEPT policy that new connections reach, at the policy, traced to it", () => {
    const fs = defaultPolicy(makeContext(filter("-A INPUT -p tcp --dport 22 -j ACCEPT\n", "INPUT ACCEPT,FORWARD DROP,OUTPUT ACCEPT")), params, ref);
    expect(fs.map((f) => [f.location.line, f.message])).toEqual([[2, "INPUT policy is ACCEPT on the inbound path: new connections that no rule decides are let in"]]);
    expect(fs[0]!.trace!.at(-1)).toMatchObject({ rule: "policy ACCEPT", line: 2, action: "accept" });
  });

  it("not when a catch-all rule decides everything first", () => {
    expect(defaultPolicy(makeContext(filter("-A INPUT -j DROP\n", "INPUT ACCEPT,FORWARD DROP,OUTPUT ACCEPT")), params, ref)).toEqual([]);
  });

  // A mark set from a map fwlint reads as "not known": the tracer follows both outcomes of the
  // rules testing it. The finding is about the policy, so its trace is the path that reaches it.
  it("the witness's trace is the path that falls to the policy, not one an unknown condition takes elsewhere", () => {
    const text =
      "table ip filter {\n map m {\n  type ipv4_addr : mark\n  elements = { 127.0.0.2 : 0x2 }\n }\n" +
      " chain input {\n  type filter hook input priority filter; policy accept;\n  meta mark set ip daddr map @m\n  meta mark 0x2 accept\n }\n}\n";
    const fs = defaultPolicy(makeContext(parseNft(text, "m.nft")), params, ref);
    expect(fs.map((f) => f.location.line)).toEqual([7]);
    expect(fs[0]!.trace!.at(-1)).toMatchObject({ rule: "policy ACCEPT", line: 7, action: "accept" });
    expect(fs[0]!.trace!.map((s) => s.line)).not.toContain(9);
  });

  // An inet chain is one policy for both families: one finding, not the same message twice.
  it("an inet chain's ACCEPT policy is one finding; one reached by only one family says which", () => {
    const both = "table inet f {\n chain input {\n  type filter hook input priority filter; policy accept;\n  tcp dport 22 accept\n }\n}\n";
    const fs = defaultPolicy(makeContext(parseNft(both, "both.nft")), params, ref);
    expect(fs.map((f) => [f.location.line, f.message])).toEqual([[3, "input policy is ACCEPT on the inbound path: new connections that no rule decides are let in"]]);
    const v6only = "table inet f {\n chain input {\n  type filter hook input priority filter; policy accept;\n  meta nfproto ipv4 drop\n }\n}\n";
    const six = defaultPolicy(makeContext(parseNft(v6only, "six.nft")), params, ref);
    expect(six.map((f) => f.message)).toEqual(["input policy is ACCEPT on the inbound path (IPv6): new connections that no rule decides are let in"]);
    expect(six[0]!.witness!.family).toBe(6);
  });
});
