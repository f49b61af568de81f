/**
 * The kernel's packet classifications fwlint has no dimension for - link-layer class, reverse-path
 * lookups, address types - stay unknown conditions, each with what ordinary traffic (a unicast
 * packet whose source routes back through the interface it arrived on) makes of it, where that
 * decides it (Condition unknown `ordinary`): nft text, nft JSON and iptables.
 */
import { describe, expect, it } from "vitest";
import { parseNft, parseNftJson } from "../../parsers/nftables/index.js";
import type { Condition } from "../../src/model/types.js";
import { accept, batch, chain, match, meta, rule, set, table } from "./nftables/nft-json-builders.js";
import { one, rulesOf } from "./iptables/helpers.js";

/** The `ordinary` of the one unknown condition a rule with `body` has ("open" when it has none). */
const ordinaryOf = (conditions: readonly Condition[]): boolean | "open" => {
  const unknowns = conditions.filter((c) => c.kind === "unknown");
  expect(unknowns).toHaveLength(1);
  const u = unknowns[0] as Extract<Condition, { kind: "unknown" }>;
  return u.ordinary ?? "open";
};
/** The conditions of `BODY drop` in an inet input chain (`before`: declarations of the table ahead of it); fails on errors. */
const nftRule = (body: string, before = "") => {
  const rs = parseNft(`table inet t {\n${before} chain c {\n  type filter hook input priority 0; policy drop;\n  ${body} drop\n }\n}\n`, "o.nft");
  expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return rs.chains.get("inet t/c")!.rules[0]!.conditions;
};
const nftText = (body: string) => ordinaryOf(nftRule(body));

describe("nftables", () => {
  it("meta pkttype: ordinary traffic is host (unicast)", () => {
    expect(nftText("meta pkttype host")).toBe(true);
    expect(nftText("meta pkttype unicast")).toBe(true);
    expect(nftText("meta pkttype broadcast")).toBe(false);
    expect(nftText("meta pkttype { broadcast, multicast }")).toBe(false);
    expect(nftText("meta pkttype != host")).toBe(false);
    expect(nftText("meta pkttype != multicast")).toBe(true);
    expect(nftText("meta pkttype { host, broadcast }")).toBe(true);
  });

  it("fib saddr ... oif: a route back to the source exists (through the incoming interface)", () => {
    expect(nftText("fib saddr . iif oif missing")).toBe(false);
    expect(nftText("fib saddr oif missing")).toBe(false);
    expect(nftText("fib saddr . mark . iif oif missing")).toBe(false);
    expect(nftText("fib saddr . iif oif exists")).toBe(true);
    expect(nftText("fib saddr . iif oif != 0")).toBe(true);
    expect(nftText("fib saddr . iif oif 0")).toBe(false);
    // a specific interface: not told by "a route exists"
    expect(nftText('fib saddr . iif oifname "eth0"')).toBe("open");
  });

  it("fib ... type: the source is unicast; the destination local (input) or unicast (forward)", () => {
    expect(nftText("fib daddr type { broadcast, multicast, anycast }")).toBe(false);
    expect(nftText("fib daddr type != { broadcast, multicast }")).toBe(true);
    expect(nftText("fib daddr . iif type { local, unicast }")).toBe(true);
    // one of the two: the path decides, not ordinary traffic
    expect(nftText("fib daddr . iif type local")).toBe("open");
    expect(nftText("fib daddr type unicast")).toBe("open");
    expect(nftText("fib saddr type local")).toBe(false);
    expect(nftText("fib saddr type unicast")).toBe(true);
  });

  it("relational operators and what ordinary traffic does not decide stay open", () => {
    expect(nftText("meta pkttype > 1")).toBe("open");
    expect(nftText("meta cpu 1")).toBe("open");
  });

  it("IPv6 extension headers: ordinary traffic carries none, and a field of an absent one matches with no operator", () => {
    // ufw-like hardening: `rt type 0 drop`; the kernel breaks off the rule where the header is missing
    expect(nftText("rt type 0")).toBe(false);
    expect(nftText("rt type != 2")).toBe(false);
    expect(nftText("frag more-fragments 1")).toBe(false);
    expect(nftText("hbh nexthdr != 250")).toBe(false);
    expect(nftText("mh type { 1, 2 }")).toBe(false);
    expect(nftText("srh flags 0")).toBe(false);
    expect(nftText("exthdr frag exists")).toBe(false);
    expect(nftText("exthdr frag missing")).toBe(true);
    expect(nftText("exthdr hbh != exists")).toBe(true);
    expect(nftText("exthdr rt != missing")).toBe(false);
    // the routing expression's own keys are no extension header
    expect(nftText("rt mtu 1500")).toBe("open");
  });

  it("IPv6 extension header reads make the rule IPv6 (nft tests `meta nfproto ipv6` first)", () => {
    expect(nftRule("exthdr frag missing tcp dport 22")).toContainEqual({ kind: "family", family: 6 });
  });

  it("rate, amount and count limits: ordinary traffic opens its source's first connection on a quiet host", () => {
    expect(nftText("limit rate 10/minute")).toBe(true);
    expect(nftText("limit rate over 10/minute burst 5 packets")).toBe(false);
    expect(nftText("quota 10 mbytes")).toBe(true);
    expect(nftText("quota over 500 mbytes")).toBe(false);
    expect(nftText("ct count 3")).toBe(true);
    expect(nftText("ct count over 3")).toBe(false);
    expect(nftText("ct count over 0")).toBe(true);
    expect(nftText("meter m { ip saddr limit rate 5/minute }")).toBe(true);
    expect(nftText("meter m { ip saddr ct count over 20 }")).toBe(false);
    // a named limit object: what it says is not in the statement
    const named = nftRule('limit name "lim"', " limit lim { rate over 10/second }\n");
    expect(ordinaryOf(named)).toBe("open");
    // but how fast it sends is the sender's to decide
    expect(named).toContainEqual(expect.objectContaining({ kind: "unknown", drawn: true }));
  });

  it("a set statement holding a limit", () => {
    expect(ordinaryOf(nftRule("tcp dport 22 add @s { ip saddr limit rate over 4/minute }", " set s { type ipv4_addr; flags dynamic; }\n"))).toBe(false);
  });

  it("what the sender writes into its packet is drawn: lengths, TCP options and window, extension headers", () => {
    const drawn = (body: string) => {
      const c = nftRule(body);
      return [c.some((x) => x.kind === "unknown" && x.drawn === true), c.some((x) => x.kind === "proto" && x.protos.includes(6))];
    };
    // [drawn, TCP only]: a TCP option's field breaks the rule off for what is not TCP; its presence does not
    expect(drawn("tcp option maxseg size 1-500")).toEqual([true, true]);
    expect(drawn("tcp option sack-perm exists")).toEqual([true, false]);
    expect(drawn("meta length < 40")).toEqual([true, false]);
    expect(drawn("ip length > 1400")).toEqual([true, false]);
    expect(drawn("tcp window 0")).toEqual([true, true]);
    expect(drawn("rt type 0")).toEqual([true, false]);
    // a DSCP mark may be rewritten on the way: not the sender's to decide
    expect(drawn("ip dscp cs1")).toEqual([false, false]);
  });

  it("nft JSON: the same, `missing` written as false", () => {
    const rs = parseNftJson(
      batch(
        table("inet", "t"),
        chain("inet", "t", "in", { hook: "input", prio: 0, policy: "drop" }),
        rule("inet", "t", "in", match({ fib: { result: "oif", flags: ["saddr", "iif"] } }, false), accept),
        rule("inet", "t", "in", match(meta("pkttype"), set("broadcast", "multicast"), "!="), accept),
        rule("inet", "t", "in", match({ exthdr: { name: "rt", field: "type" } }, 0), accept),
        rule("inet", "t", "in", match({ exthdr: { name: "frag" } }, true), accept),
        rule("inet", "t", "in", match({ exthdr: { name: "frag" } }, false), accept),
        rule("inet", "t", "in", { limit: { rate: 10, per: "minute", inv: true } }, accept),
        rule("inet", "t", "in", { "ct count": { val: 10, inv: true } }, accept),
        rule("inet", "t", "in", { limit: { rate: 10, per: "minute" } }, accept),
        rule("inet", "t", "in", { meter: { name: "m", size: 16, key: { payload: { protocol: "ip", field: "saddr" } }, stmt: { limit: { rate: 5, per: "minute", inv: true } } } }, accept),
      ),
      "o.json",
    );
    expect(rs.chains.get("inet t/in")!.rules.map((r) => ordinaryOf(r.conditions))).toEqual([false, true, false, false, true, false, false, true, false]);
    // the JSON statements read as nft lists them
    const texts = rs.chains.get("inet t/in")!.rules.slice(6).map((r) => r.conditions.find((c) => c.kind === "unknown")?.text);
    expect(texts).toEqual(["ct count over 10", "limit rate 10/minute", "meter m size 16 { ip saddr limit rate over 5/minute }"]);
  });
});

describe("iptables", () => {
  const ipt = (spec: string) => ordinaryOf(one(`${spec} -j DROP`).conditions);
  it("-m pkttype: ordinary traffic is unicast", () => {
    expect(ipt("-m pkttype --pkt-type unicast")).toBe(true);
    expect(ipt("-m pkttype ! --pkt-type unicast")).toBe(false);
    expect(ipt("-m pkttype --pkt-type broadcast")).toBe(false);
    expect(ipt("-m pkttype ! --pkt-type multicast")).toBe(true);
    // names in any case, as iptables reads them
    expect(ipt("-m pkttype --pkt-type Broadcast")).toBe(false);
    expect(ipt("-m pkttype --pkt-type host")).toBe(true);
  });
  it("-m addrtype: the source unicast, the destination local or unicast by path", () => {
    expect(ipt("-m addrtype --dst-type BROADCAST")).toBe(false);
    expect(ipt("-m addrtype ! --dst-type BROADCAST")).toBe(true);
    // (`--dst-type MULTICAST` alone is an address condition: the family's multicast block, see matches.test.ts)
    expect(ipt("-m addrtype --src-type LOCAL")).toBe(false);
    expect(ipt("-m addrtype --src-type local,UNICAST")).toBe(true);
    expect(ipt("-m addrtype --src-type UNICAST --dst-type BROADCAST")).toBe(false);
    expect(ipt("-m addrtype --dst-type UNICAST")).toBe("open");
    expect(ipt("-m addrtype --src-type UNICAST --dst-type UNICAST")).toBe("open");
    expect(ipt("-m addrtype --dst-type BROADCAST --limit-iface-in")).toBe(false);
  });
  it("rate and count limits: ordinary traffic opens its source's first connection on a quiet host", () => {
    expect(ipt("-m limit --limit 10/min --limit-burst 20")).toBe(true);
    expect(ipt("-m hashlimit --hashlimit-upto 5/min --hashlimit-mode srcip --hashlimit-name a")).toBe(true);
    expect(ipt("-m hashlimit --hashlimit-above 5/min --hashlimit-name a")).toBe(false);
    expect(ipt("-m connlimit --connlimit-above 10")).toBe(false);
    expect(ipt("-m connlimit --connlimit-above 0")).toBe(true);
    expect(ipt("-m connlimit --connlimit-upto 1 --connlimit-mask 24")).toBe(true);
  });
  it("-m recent: --set matches; a check of two hits or more does not; a list no rule fills holds no stranger", () => {
    expect(ipt("-m recent --set --name SSH --rsource")).toBe(true);
    expect(ipt("-m recent --update --seconds 60 --hitcount 4 --name SSH --rsource")).toBe(false);
    expect(ipt("-m recent ! --rcheck --seconds 60 --hitcount 2 --name SSH")).toBe(true);
    // a list no rule fills is written from outside (a ban list): ordinary traffic's source is not in it
    expect(ipt("-m recent --update --seconds 60 --name DEFAULT --rsource")).toBe(false);
    expect(ipt("-m recent --rcheck")).toBe(false);
    expect(ipt("-m recent ! --rcheck --name BANNED")).toBe(true);
    // a list a rule fills may hold the source by an earlier packet of its own (a knock): not told
    const knock = (check: string) => {
      const { rules, rs } = rulesOf(["-A INPUT -p tcp --dport 1234 -m recent --set --name KNOCK", `-A INPUT -p tcp --dport 22 ${check} -j ACCEPT`]);
      expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      return ordinaryOf(rules[1]!.conditions);
    };
    expect(knock("-m recent --rcheck --seconds 10 --name KNOCK")).toBe("open");
    expect(knock("-m recent --rcheck --hitcount 1 --name KNOCK")).toBe("open");
    expect(knock("-m recent --remove --name KNOCK")).toBe("open");
    // (lists are told apart by name; DEFAULT when none is given)
    expect(knock("-m recent --rcheck --name knock")).toBe(false);
  });
  it("ip6tables extension header matches: ordinary traffic carries none", () => {
    const ip6t = (spec: string) => ordinaryOf(one(`${spec} -j DROP`, { family: 6 }).conditions);
    // ufw's before6.rules: `-m rt --rt-type 0 -j DROP`
    expect(ip6t("-m rt --rt-type 0")).toBe(false);
    expect(ip6t("-m rt ! --rt-type 0")).toBe(false);
    expect(ip6t("-m frag --fragmore")).toBe(false);
    expect(ip6t("-m hbh --hbh-len 8")).toBe(false);
    expect(ip6t("-m dst --dst-len 8")).toBe(false);
  });
});

describe("iptables -m rpfilter", () => {
  const raw = (spec: string) => ordinaryOf(one(`${spec} -j DROP`, { table: "raw", chain: "PREROUTING" }).conditions);
  it("passes for ordinary traffic; --invert fails", () => {
    expect(raw("-m rpfilter")).toBe(true);
    expect(raw("-m rpfilter --loose --validmark")).toBe(true);
    expect(raw("-m rpfilter --invert")).toBe(false);
  });
});
