/**
 * Which rulesets the kernel agreement suite judges without the kernel (harness.ts isVacuous): only
 * those where nothing can stop a packet. Runs anywhere (no root, no ../shared needed).
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { isVacuous } from "./harness.js";

const nft = (text: string) => isVacuous(parseNft(text, "t.nft"));
const ipt = (text: string) => isVacuous(parseIptablesSave(text, "t.rules", { family: 4 }));

describe("isVacuous", () => {
  it("holds for rulesets with no rule and no DROP policy", () => {
    expect(nft("table inet t {\n  set allowed { type ipv4_addr; elements = { 10.0.0.1 } }\n}\n")).toBe(true);
    expect(nft("table inet t {\n  chain input { type filter hook input priority 0; policy accept; }\n}\n")).toBe(true);
    expect(nft("# nothing here\n")).toBe(true);
    expect(ipt("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n")).toBe(true);
  });

  it("fails for a rule, a DROP policy, or anything the parser left out", () => {
    expect(nft("table inet t {\n  chain input { type filter hook input priority 0; policy drop; }\n}\n")).toBe(false);
    expect(nft("table inet t {\n  chain input { type filter hook input priority 0; tcp dport 22 accept; }\n}\n")).toBe(false);
    expect(nft("table inet t {\n  chain helper { counter; }\n}\n")).toBe(false);
    expect(ipt("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\nCOMMIT\n")).toBe(false);
    expect(ipt("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2\nCOMMIT\n")).toBe(false);
    // a bridge table is parsed and reported as not analysed: its rules are not in the model
    expect(nft("table bridge b {\n  chain forward { type filter hook forward priority 0; policy accept; ether type arp drop; }\n}\n")).toBe(false);
  });
});
