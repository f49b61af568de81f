/**
 * ASA masks are netmasks. A non-contiguous one (255.0.255.0) is not one the CLI documents, but
 * generated configurations carry them (aerleon's DSMO option): in an address slot it is modelled
 * exactly, as the addresses it covers; where only a prefix can be meant (a pre-8.3 `static`'s
 * netmask) it is an error at the mask, saying what was expected.
 */
import { describe, expect, it } from "vitest";
import { asa, errors, INTERFACES, verdict } from "./helpers.js";

const bound = (lines: string) => asa(`${INTERFACES}${lines}\naccess-group OUT in interface outside\n`);

describe("netmasks", () => {
  it("a non-contiguous one in an access-list entry covers exactly its addresses", () => {
    const rs = bound("access-list OUT extended permit tcp any 10.0.0.5 255.0.255.255 eq 22");
    expect(errors(rs)).toEqual([]);
    // 10.x.0.5 for every x, nothing else
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.77.0.5", dport: 22 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.77.1.5", dport: 22 })).toBe("drop");
    expect(verdict(rs, { src: "192.0.2.1", dst: "11.0.0.5", dport: 22 })).toBe("drop");
  });

  it("in a pre-8.3 static: an error at the mask", () => {
    const rs = asa(`${INTERFACES}static (inside,outside) 203.0.113.0 10.1.0.0 netmask 255.255.0.255\n`);
    expect(errors(rs).map((d) => [d.line, d.column])).toEqual([[14, 54]]);
    expect(errors(rs)[0]!.message).toMatch(/expected a contiguous netmask/);
  });

  it("contiguous ones, /0 and /32 included, are prefixes", () => {
    const rs = bound("access-list OUT extended permit tcp 0.0.0.0 0.0.0.0 10.1.0.5 255.255.255.255 eq 22\naccess-list OUT extended permit tcp any 10.1.2.0 255.255.254.0 eq 80");
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.0.5", dport: 22 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.3.255", dport: 80 })).toBe("accept");
    expect(verdict(rs, { src: "192.0.2.1", dst: "10.1.4.0", dport: 80 })).toBe("drop");
  });
});
