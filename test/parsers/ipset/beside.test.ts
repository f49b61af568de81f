import { describe, expect, it } from "vitest";
import { namesIpsets } from "../../../parsers/ipset/beside.js";

describe("namesIpsets", () => {
  it("a set match, new or old syntax", () => {
    expect(namesIpsets("-A INPUT -m set --match-set blocklist src -j DROP\n")).toBe(true);
    expect(namesIpsets("-A INPUT -m set --set blocklist src -j DROP\n")).toBe(true);
  });
  it("not -m recent --set (ufw limit's rule), nor a rule that names no set", () => {
    expect(namesIpsets("-A ufw-user-input -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set\n")).toBe(false);
    expect(namesIpsets("-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -m recent --set --name ssh\n")).toBe(false);
  });
});
