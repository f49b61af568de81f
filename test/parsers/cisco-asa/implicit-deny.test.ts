/**
 * The implicit deny fwlint adds at the end of a bound access list: only where packets can reach
 * it. After an entry that matches every packet of the families (`permit ip any any` as much as
 * `deny ip any any`) it would be a rule of fwlint's own that no packet reaches, and the anomaly
 * checks would report it, at the access-group line, as shadowed and as a rule after a catch-all.
 */
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../src/engine/check.js";
import { asa, INTERFACES, verdict } from "./helpers.js";

const ids = (text: string, chain: string) => asa(`${INTERFACES}${text}`).chains.get(chain)!.rules.map((r) => r.id);

describe("implicit deny", () => {
  it("is left out after an entry matching everything, whatever it decides and wherever it stands", () => {
    expect(ids("access-list IN extended deny tcp any any eq 25\naccess-list IN extended permit ip any any\naccess-group IN in interface inside\n", "access-list/IN")).toEqual(["IN#1", "IN#2"]);
    expect(ids("access-list IN extended permit ip any any\naccess-list IN extended deny tcp any any eq 25\naccess-group IN in interface inside\n", "access-list/IN")).toEqual(["IN#1", "IN#2"]);
    expect(ids("access-list O extended permit ip any4 any4\naccess-list O extended deny ip any6 any6\naccess-group O out interface dmz\n", "access-list out/O")).toEqual(["O#1", "O#2"]);
  });
  it("still ends a list that leaves packets over, for the families left over only", () => {
    expect(ids("access-list IN extended permit tcp any any eq 80\naccess-group IN in interface inside\n", "access-list/IN")).toEqual(["IN#1", "IN#implicit-deny"]);
    const rs = asa(`${INTERFACES}access-list IN extended permit ip any4 any4\naccess-list IN extended permit tcp any6 any6 eq 80\naccess-group IN in interface outside\n`);
    const deny = rs.chains.get("access-list/IN")!.rules.at(-1)!;
    expect(deny.id).toBe("IN#implicit-deny");
    expect(deny.conditions).toEqual([{ kind: "family", family: 6 }]);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", dport: 22 })).toBe("accept");
    expect(verdict(rs, { src: "2001:db8::1", dst: "2001:db8:1::5", dport: 80 })).toBe("accept");
    expect(verdict(rs, { src: "2001:db8::1", dst: "2001:db8:1::5", dport: 22 })).toBe("drop");
  });
  it("no finding points at an access-group line for a rule the file does not have", () => {
    const text = `${INTERFACES}access-list DMZ_OUT extended deny tcp any host 172.16.1.20 eq 445
access-list DMZ_OUT extended permit ip any any
access-group DMZ_OUT out interface dmz
access-list IN_IN extended deny tcp any any eq 25
access-list IN_IN extended permit ip any any
access-group IN_IN in interface inside
`;
    const res = analyzeText("asa.cfg", text);
    const bindingLines = [16, 19];
    expect(res.findings.filter((f) => bindingLines.includes(f.location.line)).map((f) => `${f.location.line} ${f.ruleId}`)).toEqual([]);
    expect(res.findings.filter((f) => f.ruleId === "rule-after-catch-all" || f.ruleId === "shadowed-rule")).toEqual([]);
  });
});
