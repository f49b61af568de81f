/**
 * ASA keywords in any case and abbreviated as the CLI takes them (`ext`, `perm`, `access-l`),
 * names case-sensitive as on the device: what is read, and what fwlint then decides.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../src/engine/check.js";
import { detectCiscoAsa } from "../../../parsers/cisco-asa/index.js";
import { asa, errors, INTERFACES, verdict } from "./helpers.js";

const fixture = "fixtures/cisco-asa/mixed-case.asa";
const fixtureText = readFileSync(join(import.meta.dirname, "..", "..", "..", fixture), "utf8");
const rdp = { src: "192.0.2.1", dst: "10.1.0.6", dport: 3389 };

describe("keywords in any case", () => {
  it("a mixed-case entry is read: its opening is decided by it, not lost to an unread command", () => {
    const rs = asa(`${INTERFACES}Access-List OUT Extended Permit TCP Any Host 10.1.0.6 eq 3389\nAccess-Group OUT In Interface outside\n`);
    expect(rs.diagnostics).toEqual([]);
    expect(verdict(rs, rdp)).toBe("accept");
    expect(verdict(rs, { ...rdp, dport: 3390 })).toBe("drop");
  });
  it("in interface, object (NAT too) and object-group blocks, and named ports and protocols", () => {
    const rs = asa(`ASA Version 9.12(4)
Interface G0
 NameIf outside
 Security-Level 0
 IP Address 203.0.113.2 255.255.255.0
INTERFACE G1
 NAMEIF inside
Object Network WEB
 Host 10.1.0.80
 NAT (inside,outside) Static 203.0.113.80
Object-Group Service MAIL TCP
 Port-Object EQ SMTP
access-list OUT extended permit TCP any OBJECT WEB eq WWW
access-list OUT extended permit tcp ANY4 host 10.1.0.25 Object-Group MAIL
access-list OUT extended permit tcp any interface outside RANGE 8000 8001 LOG Informational
access-group OUT in interface outside
`);
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.80", dport: 80 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "203.0.113.80", dport: 80 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.25", dport: 25 })).toBe("accept");
    expect(rs.chains.get("access-list/OUT")!.rules[2]!.conditions).toContainEqual({ kind: "port", field: "dport", ranges: [[8000, 8001]] });
    // the inside interface (nameif read in upper case) keeps its default level 100
    expect(verdict(rs, { src: "10.1.0.5", dst: "192.0.2.1", iif: "inside", oif: "outside" })).toBe("accept");
  });
  it("names stay case-sensitive: an access list, object-group or nameif spelled otherwise is another name", () => {
    const rs = asa(`${INTERFACES}object-group network WEB
 network-object host 10.1.0.80
access-list OUT extended permit tcp any object-group web eq 80
access-group out in interface outside
access-group OUT in interface Outside
`);
    expect(errors(rs).map((d) => d.message)).toEqual([
      expect.stringContaining("access-list 'out' is not defined"),
      expect.stringContaining("interface 'Outside' is not a nameif"),
      expect.stringContaining("'web'"),
    ]);
  });
  it("a mixed-case fragment is still taken for ASA", () => {
    expect(detectCiscoAsa("Access-List OUT Ext Permit tcp any any eq 22\nAccess-Group OUT In Interface outside\n")).toBe(true);
    expect(detectCiscoAsa("Access-List OUT Ext Permit tcp any any eq 22\n")).toBe(true);
  });
});

describe("abbreviated keywords", () => {
  it("`ext` is extended, `perm` permit, `access-l` access-list, `int` interface", () => {
    for (const line of [
      "access-list OUT ext permit tcp any host 10.1.0.6 eq 3389",
      "access-list OUT exten perm tcp any host 10.1.0.6 eq 3389",
      "access-l OUT extended permit tcp any host 10.1.0.6 eq 3389",
      "access-list OUT line 1 ext permit tcp any host 10.1.0.6 eq 3389",
    ]) {
      const rs = asa(`${INTERFACES}${line}\naccess-group OUT in int outside\n`);
      expect(rs.diagnostics, line).toEqual([]);
      expect(verdict(rs, rdp), line).toBe("accept");
    }
  });
  it("an abbreviation several keywords share is not guessed", () => {
    // `e`: ethertype or extended; `acc`: access-list or access-group
    const rs = asa(`${INTERFACES}access-list OUT e permit tcp any host 10.1.0.6 eq 3389\nacc OUT extended permit tcp any any\naccess-group OUT in interface outside\n`);
    expect(errors(rs).map((d) => [d.line, d.column])).toEqual([
      [14, 17],
      [16, 14],
    ]);
    expect(rs.diagnostics.some((d) => d.severity === "info" && d.message.startsWith("'acc' is not read"))).toBe(true);
  });
});

describe("the mixed-case fixture through the whole check", () => {
  it("reports every opening at its line", () => {
    const res = analyzeText(fixture, fixtureText);
    expect(res.file.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const exposed = res.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.location.line} ${f.exposure?.service}`);
    expect(new Set(exposed)).toEqual(new Set(["21 rdp", "22 ssh", "23 smtp"]));
  });
});
