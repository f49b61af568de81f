/**
 * A file without `interface` blocks is a fragment (access lists and their bindings kept apart,
 * as in git): an interface it binds to is taken by name with a warning, as the JunOS reader
 * takes what a fragment names without defining, and its lists are analysed. A complete
 * configuration naming an interface it lacks still gets an error (ASA refuses the command).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../src/engine/check.js";
import { asa, errors, INTERFACES, verdict } from "./helpers.js";

const FRAGMENT = `access-list OUTSIDE_IN extended permit tcp any host 10.1.0.25 eq smtp
access-list OUTSIDE_IN extended permit tcp any any eq 3389
access-group OUTSIDE_IN in interface outside
ssh 192.0.2.0 255.255.255.0 outside
`;

describe("configuration fragments", () => {
  const rs = asa(FRAGMENT);
  it("bind access lists to the interface they name, with a warning at the name", () => {
    expect(errors(rs)).toEqual([]);
    const warnings = rs.diagnostics.filter((d) => d.severity === "warning");
    expect(warnings).toHaveLength(1); // once per interface, not per command naming it
    expect(warnings[0]).toMatchObject({ line: 3, column: 38, message: expect.stringContaining("interface 'outside' is not defined in this file") });
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.9.9.9", dport: 3389 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.25", dport: 25 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.26", dport: 25 })).toBe("drop");
  });
  it("leave security levels, the Internet side and the device's interfaces unknown rather than invented", () => {
    expect(rs.internetInterfaces).toBeUndefined();
    expect(rs.interfaces).toBeUndefined();
    // a complete configuration lists its nameifs: traffic enters and leaves on these only
    expect(asa(INTERFACES).interfaces).toEqual(["outside", "inside", "dmz"]);
    // one interface shown: an excerpt (a firewall with one would forward only hairpins), not a list
    expect(asa("interface Gi0/0\n nameif outside\n security-level 0\naccess-list A extended permit tcp any any eq 22\naccess-group A in interface outside\n").interfaces).toBeUndefined();
    const ingress = rs.chains.get("access-list/access-group in")!;
    expect(ingress.rules.map((r) => r.id)).toEqual(["access-group in#established", "access-group in#in-outside"]);
  });
  it("bind management access the same way", () => {
    expect(verdict(rs, { src: "192.0.2.7", dst: "10.1.0.1", dport: 22, hook: "input", oif: undefined })).toBe("accept");
  });
  it("report the openings through the whole check", () => {
    const fixture = "fixtures/cisco-asa/fragment.asa";
    const res = analyzeText(fixture, readFileSync(join(import.meta.dirname, "..", "..", "..", fixture), "utf8"));
    expect(res.file.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const exposed = res.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.location.line} ${f.exposure?.service}`);
    expect(new Set(exposed)).toEqual(new Set(["8 smtp", "9 rdp"]));
  });
  it("a complete configuration naming an interface it lacks is still an error", () => {
    const full = asa(`${INTERFACES}access-list X extended permit ip any any\naccess-group X in interface nowhere\n`);
    expect(errors(full).map((d) => d.message)).toEqual([expect.stringContaining("interface 'nowhere' is not a nameif of this config")]);
  });
  it("IKE enabled on an interface only a fragment names opens UDP 500/4500 to the box there", () => {
    const ike = asa("crypto ikev2 enable outside\n");
    expect(errors(ike)).toEqual([]);
    expect(ike.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message)).toEqual([expect.stringContaining("interface 'outside' is not defined in this file")]);
    expect(verdict(ike, { proto: "udp", src: "192.0.2.7", dst: "10.1.0.1", dport: 500, hook: "input", oif: undefined })).toBe("accept");
    expect(verdict(ike, { proto: "udp", src: "192.0.2.7", dst: "10.1.0.1", dport: 4500, hook: "input", oif: undefined })).toBe("accept");
    expect(verdict(ike, { proto: "udp", src: "192.0.2.7", dst: "10.1.0.1", dport: 501, hook: "input", oif: undefined })).toBe("drop");
    // a complete configuration without that nameif: a warning, and nothing opened
    const full = asa(`${INTERFACES}crypto ikev1 enable nowhere\n`);
    expect(full.diagnostics.map((d) => d.message)).toContainEqual(expect.stringContaining("IKE is enabled on interface 'nowhere', which is not a nameif"));
  });
});
