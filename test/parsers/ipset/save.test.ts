/**
 * The `ipset save` reader: every set type's elements as ipset 7 reads and saves them (ranges and
 * networks, netmask, [proto:]port with service and ICMP names, interfaces), the restore commands
 * in file order, and errors placed at file:line:column with the rest of the file still read.
 */
import { describe, expect, it } from "vitest";
import { looksLikeIpsetSave, readIpsetSave, type IpsetPart } from "../../../parsers/ipset/save.js";

const v4 = (s: string) => s.split(".").reduce((a, o) => (a << 8n) | BigInt(o), 0n);
const read = (text: string) => readIpsetSave(text, "ipsets");
const parts = (text: string, name: string): IpsetPart[][] => read(text).sets.get(name)!.entries.map((e) => e.parts);
const errors = (text: string) => read(text).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);

describe("ipset save files", () => {
  it("is told apart from other text by its first command", () => {
    expect(looksLikeIpsetSave("# saved\ncreate a hash:ip family inet\nadd a 1.2.3.4\n")).toBe(true);
    expect(looksLikeIpsetSave("create a hash:foo\n")).toBe(false);
    expect(looksLikeIpsetSave("*filter\n:INPUT DROP [0:0]\nCOMMIT\n")).toBe(false);
  });

  it("reads addresses, ranges and networks as the type stores them", () => {
    const text = "create ip hash:ip\nadd ip 10.0.0.1\nadd ip 10.0.0.0/30\nadd ip 010.0.0.1\ncreate m hash:ip netmask 24\nadd m 10.0.5.77\ncreate n hash:net\nadd n 10.0.0.0-10.0.0.10\nadd n 10.1.0.0/16 nomatch\n";
    expect(parts(text, "ip")).toEqual([[{ dim: "ip", range: { lo: v4("10.0.0.1"), hi: v4("10.0.0.1") } }], [{ dim: "ip", range: { lo: v4("10.0.0.0"), hi: v4("10.0.0.3") } }], [{ dim: "ip", range: { lo: v4("8.0.0.1"), hi: v4("8.0.0.1") } }]]);
    expect(parts(text, "m")).toEqual([[{ dim: "ip", range: { lo: v4("10.0.5.0"), hi: v4("10.0.5.255") } }]]);
    // a range is stored as the networks that cover it (ipset save lists them so: 10.0.0.10, 10.0.0.8/31, 10.0.0.0/29)
    expect(parts(text, "n").map((p) => p.map((x) => (x.dim === "net" ? `${x.range.lo - v4("10.0.0.0")}/${x.prefix}` : "")))).toEqual([["0/29"], ["8/31"], ["10/32"], [`${v4("10.1.0.0") - v4("10.0.0.0")}/16`]]);
    expect(read(text).sets.get("n")!.entries.map((e) => e.nomatch)).toEqual([false, false, false, true]);
  });

  it("reads ports with their protocol, service names, ICMP types by name and number, other protocols with port 0", () => {
    const text = "create p hash:ip,port\nadd p 1.2.3.4,80\nadd p 1.2.3.4,udp:53-55\nadd p 1.2.3.4,https\nadd p 1.2.3.4,icmp:echo-request\nadd p 1.2.3.4,icmp:host-unreachable\nadd p 1.2.3.4,icmp:3/3\nadd p 1.2.3.4,gre:0\n";
    expect(parts(text, "p").map((p) => p[1])).toEqual([
      { dim: "port", proto: 6, ports: [80, 80] },
      { dim: "port", proto: 17, ports: [53, 55] },
      { dim: "port", proto: 6, ports: [443, 443] },
      { dim: "port", proto: 1, icmp: { type: 8, code: 0 } },
      { dim: "port", proto: 1, icmp: { type: 3, code: 1 } },
      { dim: "port", proto: 1, icmp: { type: 3, code: 3 } },
      { dim: "port", proto: 47 },
    ]);
  });

  it("reads three-part elements, interfaces, MAC addresses and list:set members", () => {
    const text = [
      "create t hash:ip,port,net family inet",
      "add t 192.0.2.1,tcp:22,198.51.100.0/24",
      "create i hash:net,iface",
      "add i 10.0.0.0/8,eth0",
      "add i 10.0.0.0/8,physdev:eth1",
      "create mac hash:ip,mac",
      "add mac 10.0.0.1,00:11:22:33:44:55",
      "create l list:set size 8",
      "add l t",
      "add l i",
    ].join("\n");
    expect(parts(text, "t")[0]!.map((p) => p.dim)).toEqual(["ip", "port", "net"]);
    expect(parts(text, "i").map((p) => p[1])).toEqual([{ dim: "iface", name: "eth0", physdev: false }, { dim: "iface", name: "eth1", physdev: true }]);
    expect(parts(text, "mac")[0]![1]).toEqual({ dim: "mac", text: "00:11:22:33:44:55" });
    expect(parts(text, "l")).toEqual([[{ dim: "set", name: "t" }], [{ dim: "set", name: "i" }]]);
  });

  it("runs the restore commands in order: del, flush, destroy, rename, swap", () => {
    const text = [
      "create a hash:ip",
      "add a 1.1.1.1",
      "add a 2.2.2.2",
      "del a 1.1.1.1",
      "create b hash:ip",
      "add b 3.3.3.3",
      "flush b",
      "add b 4.4.4.4",
      "create c hash:ip",
      "destroy c",
      "rename b bee",
      "create x hash:net",
      "add x 9.0.0.0/8",
      "swap a x",
    ].join("\n");
    const sets = read(text).sets;
    expect([...sets.keys()].sort()).toEqual(["a", "bee", "x"]);
    expect(sets.get("a")!.type).toBe("hash:net");
    expect(sets.get("x")!.entries.map((e) => (e.parts[0] as { range: { lo: bigint } }).range.lo)).toEqual([v4("2.2.2.2")]);
    expect(sets.get("bee")!.entries.map((e) => (e.parts[0] as { range: { lo: bigint } }).range.lo)).toEqual([v4("4.4.4.4")]);
  });

  it("takes the older type names ipset 7 still takes, and the short command names", () => {
    const sets = read("-N a iphash\n-A a 10.0.0.1\nn b ipporthash\na b 10.0.0.1,udp:53\ncreate c setlist\nadd c a\n").sets;
    expect([...sets.values()].map((s) => [s.name, s.type, s.entries.length])).toEqual([
      ["a", "hash:ip", 1],
      ["b", "hash:ip,port", 1],
      ["c", "list:set", 1],
    ]);
    expect(looksLikeIpsetSave("-N bans nethash --hashsize 1024\n")).toBe(true);
    // options written with two dashes, as ipset takes them too
    expect(read("-N bans nethash --hashsize 1024\n-A bans 10.0.0.0/8 --timeout 5\n").diagnostics).toEqual([]);
  });

  it("keeps the family, a create's timeout, and an element's options", () => {
    const text = 'create f hash:net family inet6 hashsize 1024 maxelem 65536 timeout 300 comment bucketsize 12 initval 0xcaa22be8\nadd f 2001:db8::/32 timeout 99 comment "hello world"\n';
    const f = read(text).sets.get("f")!;
    expect([f.family, f.timeout, f.entries.length]).toEqual([6, true, 1]);
    expect(read(text).diagnostics).toEqual([]);
  });

  it("an error names the place and what was expected; the lines after it are still read", () => {
    const text = [
      "create a hash:ip",
      "add a 1.2.3.999",
      "add nope 1.2.3.4",
      "create b hash:bogus",
      "add a 10.0.0.1,80",
      "create n hash:ip",
      "add n 10.0.0.0/8 nomatch",
      "frobnicate a",
      "create p bitmap:port range 0-1024",
      "add p icmp:8/0",
      "add a 10.0.0.9",
      "  -exist -q",
    ].join("\n");
    expect(errors(text)).toEqual([
      "2:7 expected an IPv4 address, found '1.2.3.999' (element of hash:ip set 'a')",
      "3:5 set 'nope' does not exist (ipset restore refuses the line)",
      "4:10 unknown set type 'hash:bogus' (ipset 7 has bitmap:ip, bitmap:ip,mac, bitmap:port, hash:ip, hash:mac, hash:ip,mac, hash:net, hash:net,net, hash:ip,port, hash:net,port, hash:ip,port,ip, hash:ip,port,net, hash:ip,mark, hash:net,port,net, hash:net,iface, list:set)",
      "5:7 '10.0.0.1,80' has 2 parts; the type's elements have 1 (element of hash:ip set 'a')",
      "7:7 nomatch: set type hash:ip has no nomatch elements",
      "8:1 expected an ipset command (create, add, del, flush, destroy, rename, swap), found 'frobnicate'",
      "10:7 'icmp:8/0': only protocols TCP and UDP are valid in a bitmap:port set (element of bitmap:port set 'p')",
      `12:3 expected an ipset command after '-exist -q' (ipset restore: "No command specified")`,
    ]);
    expect(read(text).sets.get("a")!.entries.length).toBe(1);
  });
});
