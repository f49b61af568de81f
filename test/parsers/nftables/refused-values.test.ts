/**
 * Values nft refuses in a statement: a `limit rate` not written as nft's grammar has it (`10/sec`,
 * `10/minutes`, a burst without its unit, a byte rate without a time unit), interface names
 * longer than IFNAMSIZ allows, set properties nft does not know (`flags state`, `size x`,
 * `timeout 60`); and forms nft takes that fwlint refused (`comment ssh` unquoted, `snat ip saddr
 * map { ... }` without 'to'). nft loads none of such a file. Each verdict was taken from nft 1.0.6
 * (`nft -c -f`); where nft runs here the test asks it again, and CI (FWLINT_REQUIRE_KERNEL=1)
 * requires that it can.
 */
import { describe, expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import { withLoaders } from "../../loaders.js";
import { fwlintVerdicts, loaderDisagrees, type NftCase } from "./nft-cases.js";

const chain = (rule: string) => `table ip t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\t${rule}\n\t}\n}\n`;

/** A rule, and what fwlint's error says (undefined: nft loads it). */
const CASES: [string, RegExp?][] = [
  ["limit rate 10/sec accept", /expected a rate after 'limit rate' as nft writes it.*found '10\/sec'/],
  ["limit rate 10/minutes accept", /found '10\/minutes'/],
  ["limit rate 10/Second accept", /found '10\/Second'/],
  ["limit rate 10 accept", /found '10'/],
  ["limit rate 10/second burst 5 accept", /found '10\/second burst 5'/],
  ["limit rate 10/second burst 5 bytes accept", /found '10\/second burst 5 bytes'/],
  ["limit rate 1 mbytes accept", /found '1 mbytes'/],
  ["limit rate 1 gbytes/second accept", /found '1 gbytes\/second'/],
  ["limit rate 1 mbytes/second burst 10 packets accept", /found/],
  ["limit rate over 10/minute burst 0 packets drop", /burst must be more than 0.*packet limit burst must be > 0/],
  ['iifname "abcdefghijklmnop" accept', /interface name 'abcdefghijklmnop' after 'iifname' has 16 characters: an interface name has at most 15.*String exceeds maximum length of 16/],
  ['oifname { "lo", "abcdefghijklmno*" } accept', /has 16 characters/],
  ["queue num 65536", /queue number 65536 is over 16 bits.*Value 65536 exceeds valid range 0-65535/],
  ["queue num 1-65536 bypass", /queue number 65536/],
  ["meta mark 0x100000000 accept", /mark value 0x100000000 is over 32 bits.*Value 4294967296 exceeds valid range 0-4294967295/],
  ["meta mark set 0x100000000", /over 32 bits/],
  ["ct mark set 4294967296", /over 32 bits/],
  ["meta mark and 0x100000000 == 1 accept", /over 32 bits/],
  ["meta mark set meta mark or 0x100000000", /over 32 bits/],
  // loaded
  ["meta mark set 0xffffffff"],
  ["ct mark and 0xff00 == 0x100 accept"],
  ["limit rate 10/second accept"],
  ["limit rate 10 / minute accept"],
  ["limit rate over 10/minute drop"],
  ["limit rate 10/second burst 5 packets accept"],
  ["limit rate 1 mbytes/second burst 10 kbytes accept"],
  ["limit rate over 1 kbytes/hour burst 5 bytes drop"],
  ["limit rate 0x10/day accept"],
  ["limit rate 1 bytes/week accept"],
  ['iifname "abcdefghijklmno" accept'],
  ['oifname "abcdefghijklmn*" accept'],
];

const setWith = (property: string) => `table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\t${property}\n\t}\n}\n`;
const nat = (stmt: string) => `table ip t {\n\tchain p {\n\t\ttype nat hook postrouting priority srcnat;\n\t\ttcp dport 1 ${stmt}\n\t}\n}\n`;

/** Whole files: set properties, comments, NAT statements written without 'to'. */
const FILES: [string, RegExp?][] = [
  [setWith("flags state"), /expected a set flag \(constant, interval, dynamic, timeout\), found 'state'/],
  [setWith("flags eval"), /found 'eval'/],
  [setWith("size x"), /expected a number \(the most elements the set holds\) after 'size', found 'x'/],
  [setWith("policy fast"), /expected 'performance' or 'memory' after 'policy'/],
  [setWith("timeout 60"), /expected a time \(1h30m, 500ms, 1d\) after 'timeout', found '60'/],
  [setWith("timeout 1w"), /found '1w'/],
  [chain("accept comment foo bar"), /after 'foo'/],
  [chain("accept comment"), /expected a quoted comment/],
  [nat("snat ip 10.0.0.1"), /expected a field of 'ip'/],
  // loaded
  [setWith("flags interval, timeout")],
  [setWith("size 0x10")],
  [setWith("policy memory")],
  [setWith("timeout 1d2h3m4s5ms")],
  [chain("accept comment ssh-in")],
  ["table ip t {\n\tcomment edge\n\tchain c {\n\t\tcomment inbound\n\t\taccept\n\t}\n}\n"],
  [nat("snat ip saddr map { 10.0.0.1 : 192.0.2.1 }")],
  [nat("snat 192.0.2.1")],
  [nat("dnat tcp dport map { 1 : 10.0.0.1 }")],
];

/** Both lists as files (a rule of CASES on line 4). */
const RULES: NftCase[] = CASES.map(([rule, refused]) => ({ name: rule, text: chain(rule), ...(refused ? { refused, at: "4" } : {}) }));
const WHOLE: NftCase[] = FILES.map(([text, refused]) => ({ name: JSON.stringify(text).slice(1, 90), text, ...(refused ? { refused } : {}) }));

describe("set properties, comments and NAT forms", () => {
  fwlintVerdicts(WHOLE, { oneError: false });

  it("a one-word comment is the rule's, and the chain's", () => {
    const rs = parseNft("table ip t {\n\tchain c {\n\t\tcomment inbound\n\t\ttcp dport 22 accept comment ssh\n\t}\n}\n", "case.nft");
    expect(rs.chains.get("ip t/c")!.rules.map((r) => r.comment)).toEqual(["ssh"]);
  });
});

describe("statement values nft refuses", () => {
  fwlintVerdicts(RULES, { oneError: false });
});

const withNft = withLoaders("nft statement values");

describe("the verdicts above are nft's", () => {
  withNft("nft -c -f refuses exactly the refused cases", (dir) => expect(loaderDisagrees(dir, [...RULES, ...WHOLE])).toEqual([]));
});
