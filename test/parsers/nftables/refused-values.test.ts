/**
 * Values nft refuses in a statement: symbols and integers a key has no reading for (`meta nfproto
 * ip`, `ip version 16`, `meta length tcp`, a keyword where a value stands), a `limit rate` not
 * written as nft's grammar has it (`10/sec`, `10/minutes`, a burst without its unit, a byte rate
 * without a time unit), interface names
 * longer than IFNAMSIZ allows, set properties nft does not know (`flags state`, `size x`,
 * `timeout 60`); and forms nft takes that fwlint refused (`comment ssh` unquoted, `snat ip saddr
 * map { ... }` without 'to'). nft loads none of such a file. Each verdict was taken from nft 1.0.6
 * (`nft -c -f`); where nft runs here the test asks it again, and CI (FWLINT_REQUIRE_KERNEL=1)
 * requires that it can.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import { loaderSays, nftListing, withLoaders } from "../../loaders.js";
import { fwlintVerdicts, loaderDisagrees, type NftCase } from "./nft-cases.js";

/** A file's diagnostics as `severity line:column message`. */
const said = (text: string) => parseNft(text, "case.nft").diagnostics.map((d) => `${d.severity} ${d.line}:${d.column} ${d.message}`);

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
  ["queue num 3-1", /queue range 3-1 runs downwards: write the lower number first \(nft: "Range has zero or negative size"\)/],
  ["queue to 2-1 bypass", /queue range 2-1 runs downwards/],
  ["queue num 1 bypass,fanout", /'fanout' spreads packets over a range of queues, and this names one queue \(1\): give a range such as 1-2, or leave out fanout \(nft: "fanout requires a range to be specified"\)/],
  ["queue flags fanout to 7", /this names one queue \(7\)/],
  ["queue num 1-65536 bypass", /queue number 65536/],
  ["meta mark 0x100000000 accept", /mark value 0x100000000 is over 32 bits.*Value 4294967296 exceeds valid range 0-4294967295/],
  // a mark with a leading 0 and an 8 or 9 is no number to nft, nor a mark ("Could not parse packet mark")
  ["meta mark 08 accept", /expected a number or a name after 'meta mark', found '08': nft reads a number with a leading 0 as octal, where 8 and 9 are no digits \(write 8, or 0x8\)/],
  ["ct mark set 0099", /found '0099'.*\(write 99, or 0x63\)/],
  ["meta mark { 1, 09 } accept", /found '09'/],
  ["meta mark 1h accept", /found '1h': nft reads a word that starts with a digit as a number/],
  ["meta mark 010 accept"],
  // a keyword in a part of a concatenation fwlint does not read (nft: syntax error)
  ["ip saddr . @nh,32,32 { 10.0.0.1 . 0x14, 10.0.0.2 . set } accept", /'set' after '@nh,32,32' is an nft keyword: nft cannot read it as a value/],
  ["meta mark set 0x100000000", /over 32 bits/],
  ["ct mark set 4294967296", /over 32 bits/],
  ["meta mark and 0x100000000 == 1 accept", /over 32 bits/],
  ["meta mark set meta mark or 0x100000000", /over 32 bits/],
  // words with no place in a counter, log or quota statement (nft: "syntax error"), and log options that exclude each other
  ["counter packets 0 echo-request bytes 0 accept", /expected 'packets N', 'bytes N' or the next statement after 'counter', found 'echo-request'/],
  ['log prefix "x" levle info accept', /expected a log option \(prefix, level, group, snaplen, queue-threshold, flags\) or the next statement after 'log', found 'levle'/],
  ["log flags ip accept", /after 'log', found 'ip'/],
  ["log flags all,skuid accept", /after 'log', found ','/],
  ["quota 10 accept", /expected \[over\|until\] N bytes\|kbytes\|mbytes \[used N bytes\|kbytes\|mbytes\] after 'quota', found 'accept'/],
  ["quota 1 gbytes accept", /found 'gbytes'/],
  ["quota over 10 mbytes junk accept", /or the next statement after 'quota', found 'junk'/],
  ["quota 10 mbytes used accept", /found 'accept'/],
  ["log group 2 flags skuid accept", /takes no 'flags' \(nft: "flags and group are mutually exclusive"\)/],
  ["log level info snaplen 10 accept", /takes no 'level' \(nft: "level and group are mutually exclusive"\)/],
  ['log level audit prefix "x" accept', /'log level audit' takes no other option/],
  // values of a type whose constants are names (nft: "Could not parse Differentiated Services Code Point", ...)
  ["ip dscp foo accept", /expected a DSCP class \(cs0, .*\) after 'ip dscp', found 'foo'/],
  ["ip dscp 64 accept", /found '64'/],
  ["ct status assurd accept", /expected a connection status \(expected, seen-reply, assured, confirmed, snat, dnat, dying\) after 'ct status', found 'assurd'/],
  ["meta iiftype wifi accept", /expected an interface type \(ether, ppp, ipip, ipip6, loopback, sit, ipgre\) after 'iiftype', found 'wifi'/],
  ["tcp dport 1 reject with icmp type port-unreachabl", /expected an icmp code \(net-unreachable, .*\) or a number after 'reject with icmp', found 'port-unreachabl'/],
  ["tcp dport 1 reject with tcp rst", /expected 'reset' after 'reject with tcp', found 'rst'/],
  ["ct original proto-dst 22 accept", /'ct original proto-dst' needs the transport protocol from an earlier match \('meta l4proto tcp', 'tcp dport \.\.\.', or 'ct protocol tcp' where the address family is known\): .*"Can't parse symbolic invalid expressions"/],
  ["ct protocol tcp ct reply proto-src 22 accept"],
  ["ct reply proto-src { 22, 80 } accept", /'ct reply proto-src' needs the transport protocol/],
  ["ct original proto-dst 22 meta l4proto tcp accept", /needs the transport protocol from an earlier match/],
  ["meta l4proto tcp ct original proto-dst 22 accept"],
  ["ip protocol tcp ct original proto-dst 22 ct original proto-src 1024-65535 accept"],
  // a word that starts with a digit is a number to nft's scanner, never a name: '0ff' is 0, then 'ff'
  ["meta mark 0ff accept", /expected a number or a name after 'meta mark', found '0ff': nft reads a word that starts with a digit as a number \(hexadecimal is written 0x\.\.\.\), and a name starts with a letter/],
  ["meta skuid 0root accept", /after 'meta skuid', found '0root'/],
  ["ct mark & 0000000ff == 0x10 accept", /expected a number or a name after 'ct mark &', found '0000000ff'/],
  ["meta mark set mark & 0ff accept", /after 'meta mark &', found '0ff'/],
  ["ct mark set 0xzz accept", /after 'ct mark set', found '0xzz'/],
  ["ct mark & 0x000000ff == 010 meta mark set ct mark >> 8 accept"],
  // a '-' alone is the dash of a range to nft's scanner, never a value
  ["oifgroup - accept", /expected a value, found '-' \(nft: "syntax error, unexpected -"\)/],
  ["iifname - accept", /found '-'/],
  ["meta mark { 1, - } accept", /found '-'/],
  ["oifgroup 1 - 2 accept"],
  ['iifname "-" accept'],
  // a concatenation looked up in an anonymous set or map is made of what the packet has: a constant
  // there has no type to nft, a range or a keyword is its syntax error
  ["ip daddr . 80 { 10.0.0.1 . 80 } accept", /'80' in 'ip daddr . 80' is a constant: each part of a concatenation looked up in an anonymous set or map reads the packet .*\("Can't parse symbolic invalid expressions"\)/],
  ["ip daddr . tcp dport . 80 == { 10.0.0.1 . 22 . 80 } accept", /'80' in 'ip daddr . tcp dport . 80' is a constant/],
  ["ip daddr . 80 vmap { 10.0.0.1 . 80 : accept }", /'80' in 'ip daddr . 80' is a constant/],
  ["meta mark set ip daddr . 80 map { 10.0.0.1 . 80 : 3 } accept", /'80' in 'ip daddr . 80' is a constant/],
  ["ip daddr . 1-2 { 10.0.0.1 . 1 } accept", /'1-2' in 'ip daddr . 1-2' is a range/],
  ["ip daddr . tcp dport { 10.0.0.1 . 80 } ip saddr . tcp sport vmap { 10.0.0.2 . 53 : accept }"],
  // only a field itself is set; a '/' alone is no value
  ["ct mark & 0xff set 1 accept", /expected a comparison or a value after 'ct mark & 0xff', found 'set': only a field itself is set \('ct mark set \.\.\.'\)/],
  ["ip daddr . tcp dport set 1 accept", /found 'set'/],
  ["meta mark set / accept", /expected a value, found '\/'/],
  ["ct mark set ct mark & 0xff accept"],
  // a map's key may be a keyword that is a constant: nft takes the integer it stands for
  ['iifname vmap { "eth0" : accept, icmpv6 : drop }'],
  ["meta length vmap { tcp : drop } ip saddr vmap { 10.0.0.1 : accept, udp : drop }"],
  // a mark is set from a mark or a number, not from a header field of another type
  ["meta mark set tcp dport accept", /'meta mark set tcp dport': 'tcp dport' is an inet_service, and a mark is set from a mark or a number \(nft: "datatype mismatch: expected packet mark"\)/],
  ["ct mark set ip saddr & 0xff accept", /'ip saddr' is an ipv4_addr/],
  ["meta mark set ct state accept", /'ct state' is a ct_state/],
  ["meta mark set ct mark and 0xff meta mark set tcp dport map { 22 : 1 } ct mark set meta mark meta mark set numgen inc mod 2 accept"],
  // an address is no mark (nft: "Could not parse packet mark")
  ["meta mark 10.0.0.0/8 accept", /expected a mark \(a 32-bit number, or a name from \/etc\/iproute2\/rt_marks\) after 'meta mark', found the address 10\.0\.0\.0\/8 \(nft: "Could not parse packet mark"\)/],
  ["meta mark { 1, 10.0.0.1 } accept", /found the address 10\.0\.0\.1/],
  ["ct mark fe80::1 accept", /found the address fe80::1/],
  ["meta mark set ip saddr map { 10.0.0.1 : 10.0.0.2 } accept", /after 'meta mark set', found the address 10\.0\.0\.2/],
  ["meta mark set ip saddr map { 10.0.0.1 : 5 } meta mark 0x10/28 accept"],
  // a keyword that is a constant (a protocol, 'exists') is no host or interface name to nft
  ["ip saddr udp accept", /'udp' after 'ip saddr' is an nft keyword, a constant of another type: nft cannot read it as an address \("datatype mismatch"\)/],
  ["ip daddr != tcp accept", /'tcp' after 'ip daddr' is an nft keyword/],
  ["ct original ip saddr esp accept", /'esp' after 'ct original ip saddr'/],
  ["iifname tcp accept", /'tcp' after 'iifname' is an nft keyword, a constant of another type: nft cannot read it as an interface name \(quote it\)/],
  ['iifname "tcp" ip saddr { 10.0.0.1, tcp } accept'],
  // ipsec: a direction, then an optional policy number (the kernel keeps 6 levels), then a field
  ["ipsec in reqid 4294967295 ipsec out spnum 5 ip daddr 10.0.0.1 accept"],
  ["ipsec daddr 10.0.0.1 accept", /expected 'in' or 'out' after 'ipsec', found 'daddr'/],
  ["ipsec in saddr 10.0.0.1 accept", /expected 'reqid', 'spi', 'ip' or 'ip6' after 'in', found 'saddr'/],
  ["ipsec in ip reqid 1 accept", /expected 'saddr' or 'daddr' after 'ip', found 'reqid'/],
  ["ipsec in spnum 6 reqid 1 accept", /spnum 6 is past the kernel's 6 levels of policy \(0-5\): nft's rule is refused \("Numerical result out of range"\)/],
  ["ipsec in reqid 4294967296 accept", /4294967296 after 'ipsec in reqid' is wider than its 32 bits/],
  ["ipsec out spi x accept", /expected an integer after 'ipsec out spi', found 'x'/],
  // the names of IP and TCP options and of SCTP chunks; osf's grammar
  ["ip option ra exists tcp option sack-perm exists accept"],
  ["ip option x value 255 accept", /expected an ip option \(lsrr, rr, ssrr, ra\), found 'x'/],
  ["tcp option foo kind 1 accept", /expected a tcp option \(eol, .*, md5sig, a number, or @kind,offset,length\), found 'foo'/],
  ["sctp chunk foo exists accept", /expected a sctp chunk \(data, .*\), found 'foo'/],
  ['osf ttl loose name "Linux" osf ttl skip version "Linux:3.x" accept'],
  ['osf x "Linux" accept', /expected 'name' or 'version' after 'osf', found 'x'/],
  ['osf ttl foo name "Linux" accept', /expected 'loose' or 'skip' after 'osf ttl', found 'foo'/],
  // the routing expression's keys, and the IPv6 routing header's fields (those without ip/ip6; this
  // ip table takes no IPv6 header: the upstream dump sample-ruleset.nft reads 'rt type 0' clean)
  ["rt arp exists accept", /expected 'classid', 'nexthop', 'mtu', 'ipsec', 'nexthdr', 'hdrlength', 'type' or 'seg-left' after 'rt', found 'arp'/],
  ["rt ip tcpmss 1 accept", /expected 'classid', 'nexthop', 'mtu' or 'ipsec' after 'rt ip', found 'tcpmss'/],
  ["rt ip type 0 drop", /after 'rt ip', found 'type'/],
  ["rt segmentsleft 1 drop", /after 'rt', found 'segmentsleft'/],
  ["rt classid 1 accept"],
  ["rt ipsec missing drop"],
  ["rt ip6 mtu 1280 accept"],
  // an IPv6 extension header in this ip table (an inet or ip6 table takes them)
  ["rt type 0 drop", /'rt type' reads an IPv6 extension header, which an ip table's packets do not have \(nft: "cannot use exthdr with ip"\)/],
  ["frag more-fragments 1 drop", /'frag more-fragments' reads an IPv6 extension header/],
  ["exthdr hbh exists drop", /'exthdr hbh' reads an IPv6 extension header/],
  ["ip saddr 10.0.0.1 dst nexthdr 6 drop", /'dst nexthdr' reads an IPv6 extension header/],
  ["srh flags 0 drop", /'srh flags'/],
  // the same reading in an anonymous map or verdict map, and in a concatenation
  ["ct original proto-dst vmap { 22 : accept }", /'ct original proto-dst' needs the transport protocol from an earlier match .*"Can't parse symbolic invalid expressions"/],
  ["meta mark set ct reply proto-src map { 22 : 1 }", /'ct reply proto-src' needs the transport protocol/],
  ["meta l4proto udp ct original proto-dst vmap { 53 : accept }"],
  ["ip saddr . ct original proto-dst { 10.0.0.1 . 22 } accept", /'ct original proto-dst' in a concatenation needs the transport protocol from an earlier match .*"can not use variable sized data types \(invalid\) in concat expressions"/],
  ["ct proto-dst . ip saddr vmap { 22 . 10.0.0.1 : accept }", /'ct proto-dst' in a concatenation needs the transport protocol/],
  ["meta l4proto tcp ip saddr . ct original proto-dst vmap { 10.0.0.1 . 22 : accept }"],
  ["ip saddr . tcp dport 10.0.0.1 . 22 accept", /'ip saddr . tcp dport 10.0.0.1 . 22' compares a concatenation with one value: .*"Use concatenations with sets and maps, not singleton values"\); write '\{ 10.0.0.1 . 22 \}'/],
  ["ip saddr . tcp dport != 10.0.0.1 . 22 accept", /compares a concatenation with one value/],
  ["meta protocol ipv4 accept", /expected an Ethernet protocol \(ip, arp, ip6, 8021q, 8021ad, vlan\) after 'meta protocol', found 'ipv4'/],
  ["ip ecn ect3 accept", /expected an ECN codepoint \(not-ect, ect1, ect0, ce\) after 'ip ecn', found 'ect3'/],
  ["ip ecn 4 accept", /found '4'/],
  ["ct direction ip accept", /expected a conntrack direction \(original, reply\) after 'ct direction', found 'ip'/],
  ["ip dscp cs1-cs3 accept", /found 'cs1-cs3'/],
  // a TCP flag nft does not know, or a keyword, in a mask (nft: "Could not parse TCP flag", "syntax error")
  ["tcp flags & (fin | bogus) == fin accept", /expected TCP flags \(fin, syn, rst, psh, ack, urg, ecn, cwr\) after 'tcp flags &', found 'fin \| bogus'/],
  ["tcp flags & (fin | policy) == fin accept", /found 'fin \| policy'/],
  ["tcp flags & 0x100 == 0 accept", /found '0x100'/],
  // integers: nothing but a number of the key's width, no keyword (nft: "Could not parse integer", "Value 16 exceeds valid range 0-15")
  ["meta length ip accept", /expected an integer after 'meta length', found 'ip'/],
  ["udp length { 100, snat } accept", /found 'snat'/],
  ["ip version 16 accept", /16 after 'ip version' is wider than its 4 bits \(nft: "Value 16 exceeds valid range 0-15"\)/],
  ["meta nftrace 2 accept", /wider than its 1 bits/],
  ["ct zone 65536 accept", /wider than its 16 bits/],
  ["tcp window 0x10000 accept", /wider than its 16 bits/],
  ["meta cpu policy accept", /'policy' after 'meta cpu' is an nft keyword: nft cannot read it as a value/],
  ["meta length tcp accept", /'tcp' after 'meta length' is a constant of another type \(nft: "datatype mismatch"\)/],
  ["meta mark oifname accept", /'oifname' after 'meta mark' is an nft keyword/],
  ["ct mark type accept", /'type' after 'ct mark' is an nft keyword/],
  ["meta skuid mark accept", /'mark' after 'meta skuid' is an nft keyword/],
  ["meta mark tcp accept", /'tcp' after 'meta mark' is a constant of another type/],
  // a comma list without braces is flags, which only a bitmask type has (nft: "... is not bitmask")
  ["tcp dport 22,80 accept", /a list after 'tcp dport' needs braces: write \{ 22, 80 \} \(nft reads 'a,b' without them only as flags/],
  ["tcp dport != 22,443 accept", /write \{ 22, 443 \}/],
  ["icmp type echo-request,echo-reply accept", /a list after 'icmp type' needs braces/],
  ["ip saddr 10.0.0.1,10.0.0.2 accept", /a list after 'ip saddr' needs braces/],
  ["iifname eth0,eth1 accept", /a list after 'iifname' needs braces/],
  ["meta mark 1,2 accept", /a list after 'meta mark' needs braces/],
  // a rule's comment ends it (nft: "syntax error, unexpected accept")
  ['tcp dport 22 comment "ssh" accept', /'accept' after the rule's comment: nft reads the comment as the end of the rule .*move the comment to the end/],
  ['comment "web" tcp dport 80 accept', /'tcp' after the rule's comment/],
  ['tcp dport 22 accept comment "a" comment "b"', /'comment' after the rule's comment/],
  // loaded
  ["ct state != established,related drop"],
  ["tcp flags & (syn|ack|fin) == syn,ack accept"],
  ['iifname "eth0,eth1" accept'],
  ['tcp dport 22 counter accept comment "ssh"'],
  ["meta protocol { ip6, 0x8100 } accept"],
  ["ip ecn { not-ect, 3 } accept"],
  ["ct direction reply accept"],
  ["meta pkttype 0-2 accept"],
  ["meta pkttype 0/1 accept"],
  ["ct status 1-4 accept"],
  ["meta iiftype 1-5 accept"],
  ["fib daddr type 1-3 accept"],
  ["tcp flags & (fin | 0x10) == fin accept"],
  ["meta length { 100, tcp } accept"],
  ["meta mark { 1, tcp } accept"],
  ["meta length 100-200 accept"],
  ['meta length "100" accept'],
  ["meta length 010 accept"],
  ["ip version 15 accept"],
  ["ct bytes 18446744073709551615 accept"],
  ["meta skuid root accept"],
  ["meta mark 0x10/4 accept"],
  ["ip dscp { af11, ef, 0x3f } accept"],
  ["ct status { snat, dying } accept"],
  ["ct status 0x100 accept"],
  ["tcp dport 1 reject with icmp type frag-needed"],
  ["tcp dport 1 reject with icmp 3"],
  ["tcp dport 1 reject with icmp type 0x3"],
  ["ct status & dnat == dnat accept"],
  ["meta oiftype loopback accept"],
  ["counter packets 0x10 bytes 010 accept"],
  ["counter bytes 5 packets 1 bytes 2 accept"],
  ['log prefix "x" flags ip options flags skuid level info accept'],
  ["log flags tcp sequence , options flags ether accept"],
  ["log group 1 snaplen 10 queue-threshold 0x10 prefix x accept"],
  ["log level audit accept"],
  ["quota until 1 kbytes used 1 bytes accept"],
  ["quota over 0x10 mbytes drop"],
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

const base = (family: string, type: string, hook: string, priority: string) => `table ${family} t {\n\tchain c {\n\t\ttype ${type} hook ${hook} priority ${priority};\n\t}\n}\n`;
const lookup = (type: string, rule: string) => `table inet t {\n\tset s {\n\t\t${type}\n\t}\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\t${rule}\n\t}\n}\n`;
/** A rule in a table whose map qm (declared first) chooses among its quota q1 and counter c1. */
const objects = (rule: string) =>
  `table ip t {\n\tmap qm {\n\t\ttype ipv4_addr : quota\n\t\telements = { 10.0.0.1 : "q1" }\n\t}\n\tquota q1 { over 1 mbytes }\n\tcounter c1 { }\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\t${rule}\n\t}\n}\n`;
const setWith = (property: string) => `table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\t${property}\n\t}\n}\n`;
const inet = (rule: string) => chain(rule).replace("table ip t", "table inet t");
const withCounter = (rule: string) => chain(rule).replace("\tchain c {", "\tcounter c {\n\t}\n\tchain c {");
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
  [chain("accept comment accept"), /'accept' is an nft keyword: nft cannot read it as a comment \(the file does not load\); quote it/],
  [chain("accept comment tcp"), /'tcp' is an nft keyword/],
  [chain("accept comment 22"), /'22' cannot be a comment: nft reads it as a number/],
  ["table ip 65536 {\n\tchain c {\n\t}\n}\n", /'65536' cannot be a table name/],
  ["table ip t {\n\tchain 1abc {\n\t}\n}\n", /'1abc' cannot be a chain name/],
  ["table ip t {\n\tset / {\n\t\ttype ipv4_addr\n\t}\n}\n", /'\/' cannot be a set name: nft reads a name as a letter, '_' or '.' followed by letters, digits, '\/', '-', '_' and '.'/],
  ["table ip t {\n\tchain x* {\n\t}\n}\n", /'x\*' cannot be a chain name/],
  [base("ip", "filter", "input", "dstnat"), /priority 'dstnat' is for the prerouting hook \(and, in newer nft, output\), and this chain is on input: write a number or another name \(nft: "invalid priority expression value in this context"\)/],
  [base("inet", "filter", "forward", "srcnat + 10"), /priority 'srcnat' is for the postrouting hook \(and, in newer nft, input\), and this chain is on forward/],
  [base("netdev", "filter", "ingress device lo", "raw"), /priority 'raw' is not one of the netdev family's: it names only filter/],
  [base("bridge", "filter", "input", "out"), /priority 'out' is for the output hook, and this chain is on input/],
  [base("bridge", "filter", "forward", "dstnat"), /priority 'dstnat' is for the prerouting hook \(and, in newer nft, output\), and this chain is on forward/],
  // the kernel's chain types: nat and route only for ip, ip6 and inet; nat on neither forward nor ingress
  [base("bridge", "nat", "postrouting", "0"), /chain c: the kernel has no nat chains in the bridge family, only filter chains \(nft: "Could not process rule: No such file or directory"\)/],
  [base("arp", "route", "output", "0"), /the kernel has no route chains in the arp family/],
  [base("netdev", "nat", "ingress device lo", "0"), /the kernel has no nat chains in the netdev family/],
  [base("inet", "nat", "ingress device lo", "0"), /chain c: a nat chain cannot be on the ingress hook \(prerouting, input, output, postrouting\) \(nft: "Could not process rule: Operation not supported"\)/],
  [base("inet", "route", "output", "0")],
  [base("ip6", "route", "output", "mangle")],
  [base("bridge", "filter", "prerouting", "srcnat"), /priority 'srcnat' is for the postrouting hook/],
  [lookup("type ipv4_addr", "ip6 saddr @s accept"), /set @s holds ipv4_addr, and 'ip6 saddr' is an ipv6_addr: nft cannot look it up there \("datatype mismatch"\)/],
  [lookup("type ipv4_addr", "tcp dport @s accept"), /and 'tcp dport' is an inet_service/],
  [lookup("typeof ip saddr", "ip6 daddr @s accept"), /set @s holds ipv4_addr, and 'ip6 daddr'/],
  [lookup("type ipv4_addr . inet_service", "ip saddr . ip daddr @s accept"), /set @s holds ipv4_addr . inet_service, and 'ip daddr' is an ipv4_addr/],
  [lookup("type ipv4_addr . inet_service", "ip saddr @s accept"), /and 'ip saddr' reads one value/],
  [lookup("type ifname", "oif @s accept"), /and 'oif' is an iface_index/],
  // in a named set's lookup the set's type says what a constant is (newer nft; 1.0.6 refuses even that),
  // but a keyword or a range there nft's grammar does not take
  [lookup("type ipv4_addr . inet_service", "ip daddr . elements @s accept"), /'elements' in 'ip daddr . elements' is an nft keyword/],
  [lookup("type ipv4_addr . inet_service", "ip daddr . 1-2 @s accept"), /'1-2' in 'ip daddr . 1-2' is a range/],
  // a set's type has no data; a map's typeof has, and is made of expressions (or a verdict, an object)
  [setWith("flags interval").replace("type ipv4_addr", "type ipv4_addr : mark"), /expected the end of set 's's type, found ':': data after the key belongs to a map/],
  [setWith("").replace("type ipv4_addr", "typeof ip saddr : meta mark"), /expected the end of set 's's type, found ':'/],
  ["table ip t {\n\tmap m {\n\t\ttypeof ip saddr\n\t}\n}\n", /expected ':' and the data of map 'm' \('typeof \.\.\. : meta mark', ': verdict'\), found end of line/],
  ["table ip t {\n\tmap m {\n\t\ttypeof ip saddr : 80\n\t}\n}\n", /expected an expression \(ip saddr, tcp dport, meta mark \.\.\.\) in a 'typeof', found '80'/],
  ["table ip t {\n\tmap m {\n\t\ttypeof ip saddr . 0x10 : verdict\n\t}\n}\n", /in a 'typeof', found '0x10'/],
  ["table ip t {\n\tmap m {\n\t\ttypeof ip saddr : interval priority\n\t}\n}\n", /in a 'typeof', found 'priority'/],
  ["table ip t {\n\tmap m {\n\t\ttypeof ip saddr : verdict\n\t}\n\tmap n {\n\t\ttypeof ip saddr : interval ip daddr . tcp dport\n\t}\n}\n"],
  // the data of a map no rule reads is read as its declared type
  ["table ip t {\n\tmap m {\n\t\ttype ipv4_addr : inet_service\n\t\telements = { 10.0.0.1 : 10.0.0.2 }\n\t}\n}\n", /expected a port, service name or range after 'map m', found '10\.0\.0\.2'/],
  ["table ip t {\n\tmap m {\n\t\ttypeof ip saddr : tcp dport\n\t\telements = { 10.0.0.1 : 80, 10.0.0.2 : 65536 }\n\t}\n}\n", /found '65536'/],
  ["table ip t {\n\tmap m {\n\t\ttype ipv4_addr : ipv4_addr . inet_service\n\t\telements = { 10.0.0.1 : 10.0.0.2 . 80, 10.0.0.3 : 10.0.0.4 }\n\t}\n}\n", /expected 2 values joined by '\.' in the data of map m, found '10\.0\.0\.4'/],
  ["table ip t {\n\tmap m {\n\t\ttype ipv4_addr : interval ipv4_addr\n\t\tflags interval\n\t\telements = { 10.0.0.1 : 10.0.0.0/24, 10.0.0.2 : 10.0.1.1-10.0.1.9 }\n\t}\n}\n"],
  // the parts fwlint reads of a concatenation with a raw payload part are read all the same
  [inet("ip saddr . @nh,32,32 { 10.0.0.1 . 0x14, 11..1.1 . 0x1e } accept"), /expected 2 values joined by '\.' for 'ip saddr \. @nh,32,32', found '11 \. \.1\.1 \. 0x1e'/],
  [inet("ip saddr . @nh,32,32 { 10.0.0.1 . 0x14, 10.0.0.256 . 0x1e } accept"), /expected an IPv4 address after 'ip saddr', found '10\.0\.0\.256'/],
  [inet("ip saddr . @nh,32,32 { 10.0.0.1 . 0x14 } accept")],
  // and so are those of a named set or map with such a part, looked up or not
  ["table ip t {\n\tmap y {\n\t\ttypeof ip saddr . @ih,32,32 : verdict\n\t\telements = { 10.0.0.1 . 0x14 : accept, map . 0x97 : drop }\n\t}\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\tip saddr . @ih,32,32 vmap @y\n\t}\n}\n", /'map' after 'map y' is an nft keyword/],
  ["table ip t {\n\tset y {\n\t\ttypeof @ih,32,32 . ip saddr\n\t\telements = { 0x14 . 10.0.0.256 }\n\t}\n}\n", /expected an IPv4 address after 'set y', found '10\.0\.0\.256'/],
  ["table ip t {\n\tset y {\n\t\ttypeof @ih,32,32 . ip saddr\n\t\telements = { 0x14 . 10.0.0.1 }\n\t}\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\t@ih,32,32 . ip saddr @y accept\n\t}\n}\n"],
  // a '.' alone is the dot of a concatenation to nft's scanner, no name
  ["table ip t {\n\tcounter . {\n\t}\n}\n", /'\.' cannot be a counter name/],
  ["table ip t {\n\tcounter ._ {\n\t}\n\tchain .c {\n\t}\n}\n"],
  // a ',' before the first element is nft's syntax error; between elements and before '}' it takes them
  [setWith("elements = { , 10.0.0.1 }"), /expected an element after '\{', found ','/],
  [chain("ip saddr { , 10.0.0.1 } accept"), /expected an element after '\{', found ','/],
  [setWith("elements = { 10.0.0.1, , 10.0.0.2, }")],
  // a base chain's devices are names
  ["table netdev t {\n\tchain c {\n\t\ttype filter hook ingress devices = { \"lo\", @x } priority filter; policy accept;\n\t}\n}\n", /expected a device name in 'devices = \{ \.\.\. \}', found '@x'/],
  // only a map's elements have data
  [setWith('elements = { 10.0.0.1 : drop }'), /set s: element 10\.0\.0\.1 maps to drop, and only a map holds data: declare 'map s \{ type \.\.\. : \.\.\. \}' \(nft: "set is not a map"\)/],
  // an element has only the statements its set declares
  [setWith("elements = { 10.0.0.1 counter }"), /set s: element 10\.0\.0\.1 has a counter, which the set does not declare: .*\("missing statement in set declaration"\)/],
  [setWith("elements = { 10.0.0.1 limit rate 1/second }"), /element 10\.0\.0\.1 has a limit/],
  ["table ip t {\n\tmap m {\n\t\ttype ipv4_addr : verdict\n\t\telements = { 10.0.0.1 counter : accept }\n\t}\n}\n", /map m: element 10\.0\.0\.1 has a counter, .*\("missing statement in map declaration"\)/],
  [setWith("counter\n\t\telements = { 10.0.0.1 counter packets 1 bytes 2, 10.0.0.2 }")],
  [setWith("flags dynamic\n\t\telements = { 10.0.0.1 counter packets 0 bytes 0 }")],
  // marks among a set's or map's elements, used or not
  [setWith("elements = { 10.0.0.1 }").replace("type ipv4_addr", "type mark"), /expected a mark .* after 'set s', found the address 10\.0\.0\.1 \(nft: "Could not parse packet mark"\)/],
  [setWith("flags interval\n\t\telements = { 10.0.0.0/8 }").replace("type ipv4_addr", "typeof meta mark"), /found the address 10\.0\.0\.0\/8/],
  ["table ip t {\n\tmap m {\n\t\ttype ipv4_addr : mark\n\t\telements = { 10.0.0.1 : 10.0.0.2 }\n\t}\n}\n", /after 'map m', found the address 10\.0\.0\.2/],
  [setWith("elements = { 1 . 10.0.0.1 }").replace("type ipv4_addr", "type mark . ipv4_addr")],
  [setWith("flags interval\n\t\telements = { 0x10/28, 5-7 }").replace("type ipv4_addr", "typeof meta mark")],
  ["table inet t {\n\tmap m {\n\t\ttype ipv4_addr : verdict\n\t\telements = { 10.0.0.1 : accept, 10.0.0.2 : jump nope }\n\t}\n}\n", /map m: element 10.0.0.2 jumps to chain 'nope', which is not declared in table inet t/],
  ["table inet t {\n\tmap m {\n\t\ttype inet_service : verdict\n\t}\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\tip saddr vmap @m\n\t}\n}\n", /map @m holds inet_service, and 'ip saddr' is an ipv4_addr: nft cannot look it up there/],
  [setWith("flags interval\n\t\tsize 1\n\t\telements = { 10.0.0.0/8, 12.0.0.0/8 }"), /set s holds 2 elements, more than its size 1/],
  [setWith("size 2\n\t\telements = { 10.0.0.1, 10.0.0.2, 10.0.0.3 }"), /set s holds 3 elements, more than its size 2: the kernel refuses it \("Too many open files in system"\)/],
  [setWith('comment "blocked hosts'), /the string "blocked hosts has no closing '"' on its line: nft cannot read it \(the file does not load\)/],
  [chain('log prefix "dropped: accept'), /the string "dropped: accept has no closing '"' on its line/],
  ["table ip t {\n\tflags counter\n}\n", /expected a table flag \(dormant, owner, persist\), found 'counter' \(nft: "unknown table option"\)/],
  ["table ip t {\n\tflags dormnat\n}\n", /found 'dormnat'/],
  ["table ip t {\n\tset 5 {\n\t\ttype ipv4_addr\n\t}\n}\n", /'5' cannot be a set name/],
  ["table ip t {\n\tset 010 {\n\t\ttype ipv4_addr\n\t}\n}\n", /'010' cannot be a set name/],
  [nat("snat ip 10.0.0.1"), /expected a field of 'ip'/],
  [inet("tcp dport 1 reject with icmpx type net-unreachable"), /expected an icmpx code \(port-unreachable, admin-prohibited, no-route, host-unreachable\) or a number after 'reject with icmpx', found 'net-unreachable' \(nft: "Could not parse icmpx code"\)/],
  [setWith("counter\n\t\telements = { 10.0.0.1 counter packets 0 junk bytes 0 }"), /expected 'packets N', 'bytes N' and then ',' or '}' after 'counter', found 'junk'/],
  [setWith("flags timeout\n\t\telements = { 10.0.0.1 timeout 10s junk }"), /expected a time \(1h30m, 500ms, 1d\) and then ',' or '}' after 'timeout', found 'junk'/],
  [setWith("elements = { 10.0.0.1 comment \"a\" \"b\" }"), /after 'comment', found '"b"'/],
  [setWith("elements = { 10.0.0.1 comment icmpv6 }"), /'icmpv6' is an nft keyword: nft cannot read it as a comment/],
  [setWith("limit rate 1/second\n\t\telements = { 10.0.0.1 limit rate 1/second burst 5 elements }"), /expected a rate after 'limit rate' as nft writes it/],
  [chain("ip saddr { 10.0.0.1 : accept }"), /'10.0.0.1 : accept' maps a key to a value, which a match cannot: write 'vmap' or 'map' before the set.*"mapping outside of map context"/],
  [chain("tcp dport != { 22 : drop }"), /"mapping outside of map context"/],
  [withCounter("counter name c extra accept"), /expected the next statement after 'counter name c', found 'extra'/],
  ["table ip t {\n\tcounter c {\n\t\tpackets 0 x bytes 0\n\t}\n}\n", /expected 'packets N bytes N' or 'comment "..."' in the counter declaration, found 'x'/],
  ["table ip t {\n\tcounter c { packets 0; bytes 0 }\n}\n", /found ';'/],
  ["table ip t {\n\tquota q {\n\t\t10 mbytes junk\n\t}\n}\n", /in the quota declaration, found 'junk'/],
  [inet("meta nfproto ip accept"), /expected a netfilter protocol \(ipv4, ipv6\) after 'meta nfproto', found 'ip'/],
  [inet("meta nfproto { ipv4, oifname } accept"), /found 'oifname'/],
  [inet("meta nfproto 256 accept"), /found '256'/],
  // times nft's scanner splits (digits first: d, h, m, s, ms in that order) or its time reader refuses
  [setWith("flags timeout\n\t\ttimeout 30m1h"), /expected a time \(1h30m, 500ms, 1d\) after 'timeout', found '30m1h'/],
  [setWith("flags timeout\n\t\ttimeout h1h"), /found 'h1h'/],
  [setWith("flags timeout\n\t\ttimeout hx"), /found 'hx'/],
  [setWith("flags timeout\n\t\ttimeout 123456789s"), /found '123456789s'/],
  [setWith("flags timeout\n\t\ttimeout 5ms3s"), /found '5ms3s'/],
  [setWith("flags timeout\n\t\ttimeout mh"), /found 'mh'/],
  [setWith("flags timeout\n\t\telements = { 10.0.0.1 timeout 45 }"), /expected a time \(1h30m, 500ms, 1d\) after 'timeout', found '45'/],
  [setWith("flags timeout\n\t\telements = { 10.0.0.1 timeout 30m1h }"), /found '30m1h'/],
  [setWith("size 08"), /expected a number \(the most elements the set holds\) after 'size', found '08'/],
  ["table ip t {\n\tmap m {\n\t\ttypeof tcp dport : meta mark\n\t\telements = { 22 : 1, 80 : 08 }\n\t}\n}\n", /found '08': nft reads a number with a leading 0 as octal/],
  [setWith("comment"), /expected a quoted comment after 'comment', found end of line/],
  // a set no rule reads is loaded all the same: interface names and keywords in it, in any table
  ["table ip t {\n\tmap m {\n\t\ttype ifname : verdict\n\t\telements = { \"eth0\" : drop, table : accept }\n\t}\n}\n", /'table' .*is an nft keyword/],
  ["table ip t {\n\tset s {\n\t\ttype ifname\n\t\telements = { \"abcdefghijklmnopq\" }\n\t}\n}\n", /has 17 characters: an interface name has at most 15/],
  ["table bridge t {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { 10.0.0.1, 10.0.0.256 }\n\t}\n}\n", /10\.0\.0\.256/],
  // an object's comment is a quoted string or a word that is no keyword
  ["table ip t {\n\tlimit l {\n\t\tcomment meta\n\t\trate 400/hour\n\t}\n}\n", /expected .* in the limit declaration, found 'meta'/],
  ["table ip t {\n\tlimit l {\n\t\tcomment x\n\t\trate 400/hour\n\t}\n}\n"],
  [setWith("flags dynamic\n\t\tct count over 20")],
  // the kernel takes at most 2 statements on a set's elements, or in a set statement
  [setWith("counter\n\t\tquota 10 bytes\n\t\tlimit rate 1/second"), /set s gives its elements 3 statements \(counter, quota, limit\): the kernel takes at most 2 \(nft: "Could not process rule: Argument list too long"\)/],
  [setWith("flags dynamic\n\t\tcounter\n\t\tct count 2")],
  [lookup("type ipv4_addr; flags dynamic", "update @s { ip saddr counter limit rate 1/second quota 10 bytes }"), /a set statement runs at most 2 statements on its element: the kernel refuses 'quota 10 bytes'/],
  [lookup("type ipv4_addr; flags dynamic", "update @s { ip saddr counter limit rate 1/second }")],
  [setWith("flags dynamic\n\t\tct count over limit"), /expected 'count \[over\] N' after 'ct' \(the connections of the element, at most N\), found 'limit'/],
  [setWith("ct dynamic"), /expected 'count \[over\] N' after 'ct'.*found 'dynamic'/],
  // a chain in a table block has a body; its one flag is offload
  ["table ip t {\n\tchain c;\n}\n", /expected '\{' opening the chain after 'c', found ';'/],
  [chain("accept").replace("policy drop;", "policy drop; flags accept;"), /expected 'offload' after 'flags', found 'accept'/],
  // a bridge or arp table is not analysed, but its values are read as nft reads them
  ["table bridge b {\n\tchain c {\n\t\ttype filter hook forward priority 0;\n\t\tmeta protocol ip udp dport 0ff accept\n\t}\n}\n", /expected a port, service name or range after 'udp dport', found '0ff'/],
  ["table bridge b {\n\tchain c {\n\t\ttype filter hook forward priority 0;\n\t\tether type ip ip saddr udp accept\n\t}\n}\n", /'udp' after 'ip saddr' is an nft keyword/],
  ["table arp a {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\tmeta mark 0ff accept\n\t}\n}\n", /found '0ff'/],
  ["table bridge b {\n\tchain c {\n\t\ttype filter hook forward priority 0;\n\t\tether type ip ip saddr 10.0.0.0/8 udp dport 53 meta mark 0x10 accept\n\t}\n}\n"],
  // the statements every element of a set gets, read as an element's are
  [setWith("quota over 1 mbytes\n\t\tcounter")],
  [setWith("limit rate 1/second counter")],
  [setWith("counter interval"), /expected 'packets N', 'bytes N' and then the end of the line after 'counter', found 'interval'/],
  [setWith("counter = { 10.0.0.0/8 }"), /after 'counter', found '='/],
  [setWith("limit rate 1/second masquerade 5 packets"), /expected a rate after 'limit rate' as nft writes it/],
  [setWith("comment meta"), /'meta' is an nft keyword: nft cannot read it as a comment/],
  [setWith('comment "blocked hosts"')],
  ["define policy = 22\n" + chain("tcp dport $policy accept"), /'policy' is an nft keyword: nft cannot read it as a variable name \(the file does not load\); rename it/],
  ["define state = 22\n" + chain("tcp dport $state accept")],
  ["table ip t {\n\tcounter : {\n\t}\n}\n", /':' cannot be a counter name/],
  [inet("ip ttl 09 accept"), /expected a number \(0-255\) after 'ip ttl', found '09'/],
  // the connection's protocol names the transport only where the address family is known
  [inet("ct original protocol tcp ct original proto-dst 22 accept"), /'ct original proto-dst' needs the transport protocol/],
  [inet("meta nfproto ipv4 ct original protocol tcp ct original proto-dst 22 accept")],
  // a define's comma list without braces, written into a set: one value of bits to nft
  ["define P = 22,80\n" + inet("tcp dport { $P } accept"), /'\$P' is a comma list without braces: in a set nft reads it as one value of bits, and 'tcp dport' takes no bitmask \(nft: "\.\.\. is not bitmask"\); write 'define P = \{ \.\.\. \}'/],
  ["define A = 10.0.0.1,10.0.0.2\n" + inet("ip saddr { $A, 10.0.0.3 } accept"), /'\$A' is a comma list without braces/],
  ["define P = 22,80\ndefine Q = { $P }\n" + inet("tcp dport $Q accept"), /'\$P' is a comma list without braces/],
  ["define P = 22,80\n" + setWith("elements = { 10.0.0.1 }").replace("ipv4_addr", "inet_service").replace("10.0.0.1", "$P"), /'\$P' is a comma list without braces: .* and set s of inet_service takes no bitmask/],
  // loaded
  ["define S = established,related\n" + inet("ct state { $S } accept\n\t\tct state $S accept")],
  ["define P = { 22, 80 }\n" + inet("tcp dport { $P, 443 } accept")],
  ["table ip t {\n\tset 08 {\n\t\ttype ipv4_addr\n\t\tflags timeout\n\t\ttimeout 0099\n\t}\n}\n"],
  [setWith("size 2\n\t\telements = { 10.0.0.1, 10.0.0.2 }")],
  [setWith("flags interval\n\t\tsize 2\n\t\telements = { 10.0.0.0/8, 12.0.0.0/8 }")],
  [lookup("type ipv4_addr . inet_service", "ip saddr . tcp dport @s accept")],
  [lookup("typeof ip saddr", "ip daddr @s ct original ip saddr @s ip saddr & 255.255.255.0 @s accept")],
  // a named object chosen by a map must exist: each one an anonymous map names, the named map itself,
  // and each one a named map's elements name (declared in the table block in any order)
  [objects('quota name ip saddr map { 10.0.0.1 : "q1", 10.0.0.2 : "q9" } drop'), /quota q9, which element 10.0.0.2 chooses, is not declared in table ip t \(nft: "Could not process rule: No such file or directory"\)/],
  [objects('counter name ip saddr map { 10.0.0.1 : "q1" } accept'), /counter q1, which element 10.0.0.1 chooses, is not declared/],
  [objects('quota name ip saddr map @qx drop'), /set @qx is not declared in table ip t/],
  [objects('ct helper set ip saddr map { 10.0.0.1 : "ftp-x" }'), /ct helper ftp-x, which element 10.0.0.1 chooses, is not declared in table ip t/],
  [objects('ct helper set ip saddr map { 10.0.0.1 : "ftp-1" }').replace("\tcounter c1 { }", '\tct helper ftp-1 {\n\t\ttype "ftp" protocol tcp\n\t}\n\tcounter c1 { }')],
  [objects('counter name ip saddr map { 10.0.0.1 : c1 } quota name ip saddr map @qm drop')],
  [objects("counter name \"c1\" accept").replace('"q1" }', '"q7" }'), /map qm: element 10.0.0.1 names quota q7, which is not declared in table ip t/],
  [objects("counter name \"c1\" accept") + 'add element ip t qm { 10.0.0.2 : "q2" }\n', /map qm: element 10.0.0.2 names quota q2/],
  // a named set's type says how its elements read: no transport protocol needed, but in a concatenation
  [lookup("typeof ct original proto-dst", "ct original proto-dst @s accept")],
  [lookup("typeof ct original proto-dst; flags dynamic", "add @s { ct original proto-dst }")],
  [lookup("typeof ip saddr . ct original proto-dst", "ip saddr . ct original proto-dst @s accept"), /'ct original proto-dst' in a concatenation needs the transport protocol/],
  [
    "table ip t {\n\tmap m {\n\t\ttypeof ip saddr . ct original proto-dst : ip daddr; flags dynamic\n\t}\n\tchain c {\n\t\tupdate @m { ip saddr . ct original proto-dst : ip daddr }\n\t}\n}\n",
  ],
  [lookup("type inet_proto", "meta l4proto @s ip protocol @s accept")],
  [lookup("type mark", "meta mark @s ct mark @s accept")],
  ["table inet t {\n\tmap m {\n\t\ttype ipv4_addr : verdict\n\t\telements = { 10.0.0.2 : goto yes }\n\t}\n\tchain yes {\n\t}\n}\n"],
  [base("ip", "nat", "prerouting", "dstnat + 10")],
  [base("inet", "nat", "postrouting", "srcnat")],
  [base("netdev", "filter", "ingress device lo", "filter - 5")],
  [base("bridge", "filter", "output", "out")],
  [base("bridge", "filter", "prerouting", "dstnat")],
  [base("bridge", "filter", "postrouting", "srcnat + 5")],
  [inet("meta nfproto { ipv4, 10 } accept")],
  [inet("ip6 flowlabel 1048575 accept")],
  ["table ip t {\n\tcounter c {\n\t\tcomment \"x\"\n\t\tpackets 0x1 bytes 2\n\t}\n\tquota q { over 10 mbytes used 1 bytes; comment q }\n}\n"],
  [withCounter("counter name c accept")],
  [setWith("counter\n\t\telements = { 10.0.0.1 counter packets 1 bytes 2, 10.0.0.2 counter }")],
  [setWith("flags timeout\n\t\telements = { 10.0.0.1 timeout 10s expires 5s comment \"a\" }")],
  [setWith("flags interval, timeout")],
  [inet("tcp dport 1 reject with icmpx 3")],
  [setWith("limit rate 1/second\n\t\telements = { 10.0.0.1 limit rate 1/second burst 5 packets comment ssh }")],
  [chain("tcp dport vmap { 22 : drop }")],
  [setWith("size 0x10")],
  [setWith("policy memory")],
  [setWith("timeout 1d2h3m4s5ms")],
  [setWith("flags timeout\n\t\ttimeout h45s\n\t\tgc-interval d")],
  [setWith("flags timeout\n\t\ttimeout ms\n\t\telements = { 10.0.0.1 timeout s1h, 10.0.0.2 timeout 08 }")],
  [setWith("flags timeout\n\t\ttimeout 12345678s")],
  [setWith("size 010")],
  ["table ip t {\n\tchain .x {\n\t}\n\tchain c {\n\t\tjump .x\n\t}\n}\n"],
  [inet("tcp dport { 09, 022 } ip ttl 077 accept")],
  [chain("accept comment ssh-in")],
  [chain("accept comment in")],
  ["table ip t {\n\tflags owner\n\tchain a/b-c.d {\n\t}\n\tchain fe80::1 {\n\t}\n}\n"],
  ["table ip _t {\n\tchain c_1 {\n\t\taccept comment a-b/c.d\n\t}\n}\n"],
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

describe("a priority name on a hook newer nft takes it on", () => {
  it("dstnat on output and srcnat on input: a warning (nft 1.0.6 refuses them, newer nft and docker's rulesets use them)", () => {
    for (const [hook, name] of [["output", "dstnat"], ["input", "srcnat"]] as const) {
      const rs = parseNft(base("ip", "nat", hook, name), "case.nft");
      expect(rs.diagnostics.map((d) => `${d.severity} ${d.line}:${d.column} ${d.message}`)).toEqual([
        `warning 3:${hook === "output" ? 24 : 23} priority '${name}' on the ${hook} hook: nft 1.0.6 takes it only on ${hook === "output" ? "prerouting" : "postrouting"} and refuses the file (nft: "invalid priority expression value in this context"); newer nft takes it here too`,
      ]);
    }
  });
});

describe("statement values nft refuses", () => {
  fwlintVerdicts(RULES, { oneError: false });
});

const withNft = withLoaders("nft statement values");

describe("the verdicts above are nft's", () => {
  withNft("nft -c -f refuses exactly the refused cases", (dir) => expect(loaderDisagrees(dir, [...RULES, ...WHOLE])).toEqual([]));
});

/** A chain matching interfaces by index (`iif`, `oif`), as a file. */
const byIndex = (match: string) => chain(`${match} accept`).replace("table ip t", "table inet t");

describe("interfaces matched by index", () => {
  it("each name but lo is a warning, once per file, at its first use: nft needs the interface when it loads the file", () => {
    expect(said(byIndex("iif eth0 tcp dport 22 accept\n\t\tiif eth0 tcp dport 80\n\t\toif { wg0, ppp0, lo }"))).toEqual([
      "warning 4:7 'iif eth0' is looked up as an interface index when nft loads the file: it fails to load where eth0 does not exist yet, and the rule stops matching when it is created again; 'iifname' matches by name",
      "warning 6:9 'oif { wg0, ppp0 }' is looked up as an interface index when nft loads the file: it fails to load where wg0 and ppp0 do not exist yet, and the rule stops matching when one is created again; 'oifname' matches by name",
    ]);
    expect(parseNft(byIndex('iif lo\n\t\toif "lo"\n\t\tiifname eth0'), "case.nft").diagnostics).toEqual([]);
  });

  withNft("nft refuses a file whose interface does not exist where it loads, and takes lo", (dir) => {
    const file = join(dir, "case.nft");
    writeFileSync(file, byIndex("iif fwlint-none0"));
    expect(loaderSays(file).says).toMatch(/Interface does not exist/);
    writeFileSync(file, byIndex("iif lo"));
    expect(loaderSays(file)).toEqual({ refused: false, says: "loads it" });
  });
});

describe("numbers with a leading 0", () => {
  it("are octal to nft (`022` is 18), each with a warning; `09` is a service nft looks up, port 9", () => {
    const text = inet("tcp dport { 09, 022 } ip ttl 077 accept\n\t\tudp dport 0100-0200");
    expect(said(text)).toEqual([
      "warning 4:19 '022' after 'tcp dport' is an octal number to nft: it matches 18, not 22 (write 22, without the leading 0, if 22 is meant)",
      "warning 4:32 '077' after 'ip ttl' is an octal number to nft: it matches 63, not 77 (write 77, without the leading 0, if 77 is meant)",
      "warning 5:13 '0100' after 'udp dport' is an octal number to nft: it matches 64, not 100 (write 100, without the leading 0, if 100 is meant)",
      "warning 5:13 '0200' after 'udp dport' is an octal number to nft: it matches 128, not 200 (write 200, without the leading 0, if 200 is meant)",
    ]);
    const rule = parseNft(text, "case.nft").chains.get("inet t/c")!.rules[0]!;
    expect(JSON.stringify(rule.conditions)).toContain('"ranges":[[9,9],[18,18]]');
  });

  it("in a prefix length and in TCP flags too: `/010` is /8, `/0x18` /24, `& 022 == 02` is syn of syn and ack", () => {
    const rs = parseNft(inet("ip saddr 10.0.0.0/010 ip daddr 10.0.0.0/0x18 tcp flags & 022 == 02 accept"), "case.nft");
    expect(rs.diagnostics).toEqual([]);
    const text = JSON.stringify(rs.chains.get("inet t/c")!.rules[0]!.conditions, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    expect(text).toContain(`{"lo":"${0x0a000000}","hi":"${0x0affffff}"}`);
    expect(text).toContain(`{"lo":"${0x0a000000}","hi":"${0x0a0000ff}"}`);
    expect(text).toContain('"mask":18,"comp":2');
  });

  withNft("nft lists them so", (dir) => {
    const numbers = nftListing(dir, inet("tcp dport { 09, 022 } ip ttl 077 accept\n\t\tudp dport 0100-0200")).listed;
    expect(numbers).toContain("tcp dport { 9, 18 } ip ttl 63 accept");
    expect(numbers).toContain("udp dport 64-128\n");
    const flags = nftListing(dir, inet("ip saddr 10.0.0.0/010 ip daddr 10.0.0.0/0x18 tcp flags & 022 == 02 accept")).listed;
    expect(flags).toContain("ip saddr 10.0.0.0/8 ip daddr 10.0.0.0/24 tcp flags syn / syn,ack accept");
  });
});
