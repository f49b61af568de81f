/**
 * shadowed-rule on what the model cannot hold in one rule: an nft verdict map (one model rule per
 * element, each with its own verdict) is shadowed only when every element is, and a rule with a
 * context condition (`fib daddr type local`) covers later rules only where its chain's hook
 * decides that condition. The property test checks the plain case against the definition.
 */
import { describe, expect, it } from "vitest";
import { parseNft } from "../../parsers/nftables/index.js";
import type { CheckContext } from "../../rules/checks/context.js";
import { shadowedRule } from "../../rules/checks/shadowed-rule.js";
import type { Ruleset } from "../../src/model/types.js";
import { lines, ref } from "./helpers.js";

const run = (rs: Ruleset) => shadowedRule({ ruleset: rs } as CheckContext, {}, ref);
/** An nft table whose input chain's rules start on line 4. */
const nft = (family: "ip" | "inet", body: string, more = "") =>
  parseNft(`table ${family} filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n${body}\t}\n${more}}\n`, "t.nft");

describe("shadowed-rule: verdict maps", () => {
  it("a map with an element the earlier rules do not decide can match", () => {
    expect(run(nft("ip", "tcp dport 5432 drop\ntcp dport vmap { 5432 : accept, 22 : accept }\n"))).toEqual([]);
  });

  it("a map every element of which is decided earlier never matches; the conflicting elements are named", () => {
    const fs = run(nft("ip", "tcp dport 5432 drop\ntcp dport 22 accept\ntcp dport vmap { 5432 : accept, 22 : accept }\n"));
    expect(lines(fs)).toEqual([6]);
    expect(fs[0]!.message).toBe(
      "rule can never match: earlier rules together match every packet it matches (lines 4, 5 in chain input); line 4 (DROP) decides differently from element 5432 (ACCEPT)",
    );
    expect(fs[0]!.related?.map((r) => r.line)).toEqual([4, 5]);
  });

  it("an earlier map's elements are named as the rules that decide", () => {
    const fs = run(nft("ip", "ip saddr . tcp dport vmap { 10.0.0.0/8 . 80 : accept, * : drop }\ntcp dport 80 accept\n"));
    expect(lines(fs)).toEqual([5]);
    expect(fs[0]!.message).toBe("rule can never match: the elements of line 4 together match every packet it matches; line 4 element * (DROP) decides differently from this rule (ACCEPT)");
    expect(fs[0]!.related?.map((r) => r.message)).toEqual(["element 10.0.0.0/8 . 80 decides part of it first (ACCEPT)", "element * decides part of it first (DROP)"]);
  });
});

describe("shadowed-rule: empty named sets", () => {
  it("a lookup in a set that holds nothing is told as that, not as contradictory conditions", () => {
    const sets = "\tset ports { type inet_service; }\n\tset pp { type inet_proto . inet_service; }\n\tset full { type inet_service; elements = { 22 } }\n";
    const fs = run(nft("inet", "\t\ttcp dport @ports accept\n\t\tmeta l4proto . th dport @pp accept\n\t\ttcp dport @full accept\n\t\ttcp dport != @ports drop\n\t\ttcp dport 22 tcp dport 23 accept\n", sets));
    expect(fs.map((f) => `${f.location.line} ${f.message}`)).toEqual([
      "4 rule can never match: it looks packets up in set @ports, which holds no element (nothing in the ruleset adds to it)",
      "5 rule can never match: it looks packets up in set @pp, which holds no element (nothing in the ruleset adds to it)",
      "8 rule can never match: its conditions contradict each other (no IPv4/IPv6 packet satisfies them all)",
    ]);
  });
});

describe("shadowed-rule: context conditions", () => {
  it("on the input hook a `!= local` drop takes nothing from the later rules, and is not itself reported", () => {
    expect(run(nft("inet", "fib daddr type != local drop\nfib daddr type local tcp dport 5432 accept\ntcp dport 22 accept\n"))).toEqual([]);
  });

  it("on the input hook a `local` rule is the exact rule without the condition, but for IPv4 group destinations", () => {
    // IPv4 multicast, the loopback network's broadcast and the limited broadcast are not local (kernel-checked: local-destinations.test.ts)
    const fs = run(nft("inet", "fib daddr type local tcp dport 5432 accept\nip daddr != { 127.255.255.255, 224.0.0.0/4, 255.255.255.255 } tcp dport 5432 drop\n"));
    expect(lines(fs)).toEqual([5]);
    expect(fs[0]!.message).toMatch(/^rule can never match: line 4 \(ACCEPT\) already matches every packet it matches/);
    expect(run(nft("inet", "fib daddr type local tcp dport 5432 accept\ntcp dport 5432 drop\n"))).toEqual([]);
  });

  it("on the forward hook a `local` drop matches nothing; a chain entered from both hooks decides nothing", () => {
    const forward = "\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tfib daddr type local drop\n\t\ttcp dport 80 accept\n\t\tjump shared\n\t}\n";
    const shared = "\tchain shared {\n\t\tfib daddr type local tcp dport 443 accept\n\t\ttcp dport 443 drop\n\t}\n";
    expect(run(nft("inet", "jump shared\n", forward + shared))).toEqual([]);
  });
});

describe("shadowed-rule: rules the model implies", () => {
  it("an implicit deny the entries above cover is not reported: the user cannot remove it; the entries still shadow", async () => {
    const { parseCiscoIos } = await import("../../parsers/cisco-ios/index.js");
    const rs = parseCiscoIos(
      ["interface Gi1", " ip access-group HALVES in", "interface Gi2", "ip access-list extended HALVES", " permit ip 0.0.0.0 127.255.255.255 any", " deny ip 128.0.0.0 127.255.255.255 any", " permit tcp any any eq 22", ""].join("\n"),
      "r.ios",
    );
    // line 7 is shadowed by the two halves; the implicit deny after it is too, and is not reported
    expect(lines(run(rs))).toEqual([7]);
  });
});

describe("shadowed-rule: a jump to a chain that gives all it is given one verdict", () => {
  // `drop_log` (lines 9-11 of the file) counts, logs and drops whatever enters it
  const more = "\tchain drop_log {\n\t\tcounter\n\t\tlog prefix \"dropped \" drop\n\t}\n";
  it("takes what it matches: a later rule it holds never matches", () => {
    const fs = run(nft("ip", "ip saddr 192.0.2.0/24 jump drop_log\nip saddr 192.0.2.7 tcp dport 22 accept\n", more));
    expect(fs.map((f) => [f.location.line, f.message])).toEqual([
      [5, "rule can never match: line 4 (jump drop_log) already matches every packet it matches; line 4 (jump drop_log) decides differently from this rule (ACCEPT)"],
    ]);
  });
  it("a later jump to it where the earlier rule already drops: same decision, no conflict named", () => {
    const fs = run(nft("ip", "ip saddr 192.0.2.0/24 drop\nip saddr 192.0.2.7 jump drop_log\n", more));
    expect(fs.map((f) => f.message)).toEqual(["rule can never match: line 4 (DROP) already matches every packet it matches"]);
  });
  it("a chain that returns some packets is no such chain: rules after a jump to it still run", () => {
    const picky = "\tchain check {\n\t\tip saddr 10.0.0.0/8 return\n\t\tdrop\n\t}\n";
    expect(run(nft("ip", "ip saddr 192.0.2.0/24 jump check\nip saddr 192.0.2.7 tcp dport 22 accept\n", picky))).toEqual([]);
  });
});
