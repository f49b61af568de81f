/**
 * Named objects' bodies as nft reads them: a counter's `packets N bytes N`, a quota's amounts, a
 * limit's rate, a ct helper's `type "NAME" protocol tcp|udp` and `l3proto`, a ct timeout's
 * protocol and policy of that protocol's states, a ct expectation's protocol, dport, timeout and
 * size (all four), a synproxy's `mss N wscale N [timestamp] [sack-perm]`; each ct item ends with a
 * newline or ';'. What the kernel refuses of them: ct objects and synproxy in netdev and arp
 * tables, an `l3proto` of the other IP family in an ip or ip6 table, an expectation without one in
 * an inet table. Each verdict was taken from nft 1.0.6 (`nft -c -f`, which asks the kernel);
 * where nft runs here the test asks it again over every body in every family, and CI
 * (FWLINT_REQUIRE_KERNEL=1) requires that it can.
 */
import { describe, expect } from "vitest";
import { withLoaders } from "../../loaders.js";
import { differential, fwlintVerdicts, loaderDisagrees, type NftCase } from "./nft-cases.js";

const table = (family: string, body: string) => `table ${family} t {\n\t${body}\n}\n`;

/** A body in a table of a family, and what fwlint's error says (undefined: nft loads it). */
const CASES: [string, string, RegExp?][] = [
  ["ip", 'ct helper h { type "ftp" protocol tcp; l3proto ip; }'],
  ["inet", 'ct helper h { type "sip" protocol udp; l3proto inet; }'],
  ["ip", 'ct helper h {\n\t\ttype "sip" protocol udp\n\t\tl3proto ip\n\t\tcomment "x"\n\t}'],
  ["ip", "ct helper h { type ftp protocol tcp; }", /expected 'type "NAME" protocol tcp\|udp', 'l3proto FAMILY' or 'comment "..."' in the ct helper declaration, found 'ftp'/],
  ["ip", 'ct helper h { type "ftp" protocol icmp; }', /found 'icmp'/],
  ["ip", 'ct helper h { type "ftp" protocol udp }', /expected a newline or ';' after the last item \(nft ends each one with it\) in the ct helper declaration, found '}'/],
  ["ip", 'ct helper h { type "ftp" protocol tcp; l3proto ip6; }', /'l3proto ip6' in an ip table: the kernel takes a helper of the table's family \(or inet\) only \("Invalid argument"\)/],
  ["netdev", 'ct helper h { type "ftp" protocol tcp; }', /a ct helper cannot be declared in a netdev table: the kernel tracks connections of ip, ip6 and inet tables \("Protocol error"\)/],
  ["ip", "ct timeout t { protocol tcp; l3proto ip; policy = { established: 120, close: 10 }; }"],
  ["inet", "ct timeout t { protocol udp; l3proto ip6; policy = { unreplied: 10, replied: 20 }; }"],
  ["ip", "ct timeout t { protocol tcp; policy = { established: forward }; }", /found 'forward'/],
  ["ip", "ct timeout t { protocol tcp; policy = { bogus: 10 }; }", /expected a tcp connection state \(syn_sent, .*unack\) in the ct timeout policy, found 'bogus' \(nft: "invalid state for this protocol"\)/],
  ["ip", "ct timeout t { protocol udp; policy = { established: 10 }; }", /expected a udp connection state \(unreplied, replied\)/],
  ["ip", "ct timeout t { protocol sctp; }", /found 'sctp'/],
  ["arp", "ct timeout t { protocol tcp; }", /a ct timeout cannot be declared in an arp table/],
  ["ip", "ct expectation e { protocol tcp; dport 5432; timeout 1h; size 12; }"],
  ["inet", "ct expectation e { protocol udp; dport 53; timeout 1m30s; size 0x10; l3proto ip6; }"],
  ["ip", "ct expectation e { protocol tcp; dport 22; size 0x10; l3proto ip; }", /a ct expectation needs 'timeout' too \(nft: "missing options"\)/],
  ["ip", "ct expectation e { protocol tcp; dport 1; timeout 0x1; size 12; }", /found '0x1'/],
  ["inet", "ct expectation e { protocol tcp; dport 5432; timeout 1h; size 12; }", /a ct expectation in an inet table needs 'l3proto ip' or 'l3proto ip6'/],
  ["ip6", "ct expectation e { protocol udp; dport 53; timeout 1m; size 1; l3proto ip; }", /'l3proto ip' in an ip6 table: the kernel takes an expectation of the table's family only/],
  ["ip", "synproxy s { mss 1460; wscale 7; timestamp sack-perm }"],
  ["ip", "synproxy s { mss 1460 wscale 7; }"],
  ["ip", "synproxy s { wscale 7; mss 1460; sack-perm; timestamp }", /expected 'mss N wscale N \[timestamp\] \[sack-perm\]', in that order, in the synproxy declaration, found 'wscale'/],
  ["ip", "synproxy s { mss 1460; wscale 7; sack-perm timestamp }", /found 'timestamp'/],
  ["netdev", "synproxy s { mss 1460; wscale 7; }", /a synproxy cannot be declared in a netdev table/],
  ["ip", "limit l { rate over 10/second burst 5 packets; comment \"x\" }"],
  ["ip", "quota log { 10 bytes }", /'log' is an nft keyword: nft cannot read it as a quota name/],
  ["ip", "counter { }", /expected a name for the counter, found '\{'/],
  ["ip", "ct dnat x { protocol tcp; }", /expected 'helper', 'timeout' or 'expectation' after 'ct', found 'dnat'/],
  ["ip", "limit l { rate 10/sec }", /expected 'rate N\/second \.\.\.' or 'comment "..."' in the limit declaration, found '10\/sec'/],
];

/** Every body tried against nft, in every family fwlint's verdict must equal nft's in. */
const BODIES: string[] = [
  "ct helper h { type \"ftp\" protocol tcp; }",
  "ct helper h { type \"ftp\" protocol tcp; l3proto ip; }",
  "ct helper h { type \"ftp\" protocol tcp; l3proto inet; }",
  "ct helper h { type ftp protocol tcp; }",
  "ct helper h { type \"ftp\" protocol udp }",
  "ct helper h { type \"ftp\" protocol icmp; }",
  "ct helper h { type \"ftp\" protocol tcp junk; }",
  "ct helper h { type \"ftp\"; }",
  "ct helper h { l3proto ip; type \"ftp\" protocol tcp; }",
  "ct helper h {\n type \"sip\" protocol udp\n l3proto ip\n comment \"x\"\n }",
  "ct timeout t { protocol tcp; l3proto ip; policy = { established: 120, close: 10 } }",
  "ct timeout t { protocol tcp; l3proto ip; policy = { established: 120, close: 10 }; }",
  "ct timeout t { protocol udp; l3proto ip6; policy = { unreplied: 10, replied: 20 }; }",
  "ct timeout t { protocol tcp; policy = { established: forward }; }",
  "ct timeout t { protocol tcp; state established; }",
  "ct timeout t { protocol tcp; policy = { bogus: 10 }; }",
  "ct timeout t { protocol udp; policy = { established: 10 }; }",
  "ct timeout t { protocol tcp; policy = { unack: 10, syn_sent2: 1 }; }",
  "ct timeout t { protocol tcp; policy = { established: 10, }; }",
  "ct timeout t { protocol tcp; }",
  "ct timeout t { protocol sctp; }",
  "ct expectation e { protocol tcp; dport 5432; timeout 1h; size 12; l3proto ip; }",
  "ct expectation e { protocol tcp; dport 5432; timeout 1h; size 12; }",
  "ct expectation e { protocol tcp; dport limit; timeout 1h; size 12; l3proto ip; }",
  "ct expectation e { protocol tcp; dport 1; timeout 0x1; size 12; l3proto ip; }",
  "ct expectation e { protocol tcp; dport 22; size 0x10; l3proto ip; }",
  "ct expectation e { protocol udp; dport 53; timeout 1m30s; size 0x10; l3proto ip6; }",
  "synproxy s { mss 1460; wscale 7; timestamp sack-perm }",
  "synproxy s { mss 1460 wscale 7 timestamp sack-perm; }",
  "synproxy s { mss 1460 wscale 7; }",
  "synproxy s { mss 65536 1460; }",
  "synproxy s { wscale 7; mss 1460; sack-perm; timestamp }",
  "synproxy s { reject 7 }",
  "synproxy s { mss 1460; timestamp sack-perm }",
  "synproxy s { mss 1460; wscale 7; sack-perm }",
  "synproxy s { mss 1460; wscale 7; sack-perm timestamp }",
  "synproxy s { mss 1460; wscale 7; comment \"x\" }",
  "limit l { rate 10/second junk }",
  "limit l { rate over 10/second burst 5 packets; comment \"x\" }",
  "limit l { rate 10/sec }",
  "limit l { rate 1 mbytes/second }",
  "limit l { rate 10/second; }",
  "ct helper h { type \"ftp\" protocol tcp; l3proto ip6; }",
  "ct helper h { type \"ftp\" protocol tcp; l3proto ip; }",
  "ct timeout t { protocol tcp; l3proto ip6; }",
  "ct helper h { type \"ftp\" protocol tcp; l3proto inet; }",
  "ct expectation e { protocol udp; dport 53; timeout 1m; size 1; l3proto inet; }",
  "ct expectation e { protocol udp; dport 53; timeout 1m; size 1; l3proto ip; }",
  "ct expectation e { protocol udp; dport 53; timeout 1m; size 1; l3proto ip6; }",
  "ct expectation e { protocol udp; dport 53; timeout 1m; size 1; }",
];

const FAMILIES = ["ip", "ip6", "inet", "netdev", "arp"];

describe("named objects' bodies nft refuses", () => {
  fwlintVerdicts(
    CASES.map(([family, body, refused]) => ({ name: `${family}: ${body.replace(/\s+/g, " ")}`, text: table(family, body), ...(refused ? { refused } : {}) })),
    { oneError: false },
  );
});

const withNft = withLoaders("nft object bodies");

describe("the verdicts above are nft's", () => {
  const cases: NftCase[] = CASES.map(([family, body, refused]) => ({ name: `${family}: ${body}`, text: table(family, body), ...(refused ? { refused } : {}) }));
  withNft("nft -c -f refuses exactly the refused cases", (dir) => expect(loaderDisagrees(dir, cases)).toEqual([]));
  withNft(
    `fwlint errs exactly when nft refuses, over ${BODIES.length} bodies in ${FAMILIES.length} families`,
    (dir) => {
      const files = FAMILIES.flatMap((family) => BODIES.map((body) => ({ name: `${family}: ${body}`, text: table(family, body) })));
      const { wrong, refused } = differential(dir, files);
      expect(wrong).toEqual([]);
      expect(refused).toBeGreaterThan(files.length / 3);
    },
    60_000,
  );
});
