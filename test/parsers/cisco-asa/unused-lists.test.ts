/**
 * An access list no access-group binds and no other command names (a crypto map, a class-map, a
 * group policy ...): reported as never applied, in ASA terms, with the entries it holds; its own
 * entries are still examined. A list another feature names is that feature's, and is not reported.
 */
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../src/engine/check.js";
import { INTERFACES } from "./helpers.js";

const unused = (text: string) =>
  analyzeText("u.asa", `${INTERFACES}${text}`)
    .findings.filter((f) => f.ruleId === "unreachable-chain")
    .map((f) => `${f.location.line - INTERFACES.split("\n").length + 1}:${f.location.column} ${f.message}`);

describe("access lists nothing uses", () => {
  it("are reported as never applied, at the list's name, counting its active entries", () => {
    expect(
      unused(
        "access-list IN extended permit tcp any host 10.1.0.5 eq 443\naccess-group IN in interface outside\n" +
          "access-list OLD remark mail relay, retired\naccess-list OLD extended permit tcp any host 10.1.0.6 eq smtp\naccess-list OLD extended permit tcp any host 10.1.0.6 eq pop3\naccess-list OLD extended permit tcp any host 10.1.0.7 eq smtp inactive\n",
      ),
    ).toEqual(["3:13 access-list OLD is never applied: no interface binds it with access-group, and no other command uses it; its 2 entries never run"]);
  });
  it("a list another feature names is not reported, nor a bound one", () => {
    const text =
      "access-list VPN_FILTER extended permit tcp any host 10.1.0.5 eq 22\ngroup-policy STAFF attributes\n vpn-filter value VPN_FILTER\n" +
      "access-list CRYPTO extended permit ip 10.1.0.0 255.255.0.0 192.0.2.0 255.255.255.0\ncrypto map OUT 10 match address CRYPTO\n" +
      "access-list OUT extended permit ip any any\naccess-group OUT out interface dmz\n";
    expect(unused(text)).toEqual([]);
  });
  it("a file without interfaces (an excerpt) is not told its lists are unused", () => {
    const res = analyzeText("acl.asa", "access-list OLD extended permit tcp any host 10.1.0.6 eq smtp\n");
    expect(res.findings.filter((f) => f.ruleId === "unreachable-chain")).toEqual([]);
  });
  it("the entries of an unused list are still examined", () => {
    const res = analyzeText("u.asa", `${INTERFACES}access-list OLD extended deny tcp any any\naccess-list OLD extended permit tcp any host 10.1.0.6 eq smtp\n`);
    expect(res.findings.filter((f) => f.ruleId === "shadowed-rule").map((f) => f.location.line - INTERFACES.split("\n").length + 1)).toEqual([2]);
  });
});

describe("a list's own entries", () => {
  it("are told in ASA terms: the access-list, not a chain", () => {
    const res = analyzeText("c.asa", `${INTERFACES}access-list IN extended permit ip any any\naccess-list IN extended deny tcp any any eq 22\naccess-group IN in interface outside\n`);
    expect(res.findings.filter((f) => f.ruleId === "rule-after-catch-all").map((f) => f.message)).toEqual([expect.stringMatching(/ in access-list IN never runs /)]);
  });
});
