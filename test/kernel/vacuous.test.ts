/**
 * Which rulesets and hooks the kernel agreement suite judges without the kernel (harness.ts
 * isVacuous, isVacuousHook): only those where nothing on the path can stop a packet. Runs anywhere (no root, no ../shared needed).
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../parsers/iptables/index.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { isVacuous, isVacuousHook } from "./harness.js";

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

describe("isVacuousHook", () => {
  const iptRs = (text: string) => parseIptablesSave(text, "t.rules", { family: 4 });
  const nftRs = (text: string) => parseNft(text, "t.nft");

  it("holds for the hook a ruleset leaves alone", () => {
    const inputOnly = iptRs("*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A OUTPUT -j DROP\nCOMMIT\n");
    expect(isVacuousHook(inputOnly, "forward")).toBe(true);
    expect(isVacuousHook(inputOnly, "input")).toBe(false);
    const forwardOnly = nftRs("table inet t {\n  chain fw { type filter hook forward priority 0; policy drop; }\n  chain out { type filter hook output priority 0; policy drop; }\n}\n");
    expect(isVacuousHook(forwardOnly, "input")).toBe(true);
    expect(isVacuousHook(forwardOnly, "forward")).toBe(false);
    // a base chain the model runs on no path: not trusted to leave the hook alone
    const { span } = inputOnly.chains.get("filter/INPUT")!;
    inputOnly.chains.set("raw/ELSEWHERE", { name: "ELSEWHERE", table: "raw", rules: [], policy: "drop", span });
    expect(isVacuousHook(inputOnly, "forward")).toBe(false);
  });

  it("fails where a chain on the path acts: prerouting NAT, postrouting, a jump target's base chain", () => {
    const dnat = iptRs("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2\nCOMMIT\n*filter\n:INPUT DROP [0:0]\nCOMMIT\n");
    expect(isVacuousHook(dnat, "forward")).toBe(false);
    const post = iptRs("*mangle\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth1 -j DROP\nCOMMIT\n");
    expect(isVacuousHook(post, "forward")).toBe(false);
    expect(isVacuousHook(post, "input")).toBe(true);
    const jumped = iptRs("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:CHECK - [0:0]\n-A FORWARD -j CHECK\n-A CHECK -j DROP\nCOMMIT\n");
    expect(isVacuousHook(jumped, "forward")).toBe(false);
    expect(isVacuousHook(jumped, "input")).toBe(true);
  });

  it("fails when the parser reported anything", () => {
    const bridge = nftRs("table bridge b {\n  chain forward { type filter hook forward priority 0; policy accept; ether type arp drop; }\n}\ntable inet t {\n  chain input { type filter hook input priority 0; policy drop; }\n}\n");
    expect(isVacuousHook(bridge, "forward")).toBe(false);
  });
});
