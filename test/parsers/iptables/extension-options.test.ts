/**
 * Options of the modules and targets fwlint keeps as unknown conditions or verdicts
 * (parsers/iptables/extension-options.ts): a rule iptables-restore 1.8.9 or the kernel refuses is
 * an error at the option, with what was expected; the rest of the file is still read. Each
 * verdict here was checked with a real iptables-restore load in a throwaway network namespace
 * (test/parsers/iptables/kernel-agreement.test.ts repeats many of them against the kernel).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MATCHES, TARGETS } from "../../../parsers/iptables/modules.js";
import { errorsOf, parse } from "./helpers.js";

/** Errors of `line` as line 3 of a `table` block, and whether the rule on line 4 survived. */
function check(line: string, table = "filter", family: 4 | 6 = 4) {
  const chain = / -A (\S+)/.exec(` ${line}`)![1]!;
  const rs = parse([`*${table}`, `:${chain} ACCEPT [0:0]`, line, `-A ${chain} -j RETURN`, "COMMIT"], family);
  const survived = rs.chains.get(`${table}/${chain}`)?.rules.some((r) => r.span.line === 4) ?? false;
  return { errors: errorsOf(rs).map((d) => `${d.line}:${d.column} ${d.message}`), survived };
}

describe("options iptables refuses in modules and targets fwlint does not model", () => {
  const refused: [string, string, string?, (4 | 6)?][] = [
    // the SSH brute-force pair of many hand-written rulesets, each half broken once
    ["-A INPUT -p tcp --dport 22 -m recent --name SSH -j DROP", "3:31 match recent needs --set, --rcheck, --update or --remove"],
    ["-A INPUT -p tcp --dport 22 -m recent --set --seconds 60 --name SSH", "3:44 recent: --seconds needs --rcheck or --update too"],
    ["-A INPUT -p tcp --dport 22 -m recent --update --hitcount 65536 --name SSH -j DROP", "3:58 --hitcount: expected a number 0-65535, found '65536'"],
    ["-A INPUT -m recent --set --rttl", "3:26 recent: --rttl cannot be used together with --set"],
    ["-A INPUT -m recent --rcheck --reap", "3:29 recent: --reap needs --seconds too"],
    ["-A INPUT -m hashlimit --hashlimit-upto 5/min -j ACCEPT", "3:13 match hashlimit needs --hashlimit-name"],
    ["-A INPUT -m hashlimit --hashlimit-upto 5/min --hashlimit-name x --hashlimit-mode srcip,SRCPORT", "3:82 --hashlimit-mode: expected a list of srcip, srcport, dstip, dstport, found 'SRCPORT'"],
    ["-A INPUT -m connlimit --connlimit-upto 3 --connlimit-above 4", "3:42 connlimit: --connlimit-above cannot be used together with --connlimit-upto"],
    ["-A INPUT -m connlimit --connlimit-above 2 ! --connlimit-saddr", "3:43 --connlimit-saddr cannot be negated with '!'"],
    ["-A INPUT -m connbytes --connbytes 1000:0 --connbytes-mode bytes --connbytes-dir both", "3:35 --connbytes: the range '1000:0' is reversed (from > to)"],
    ["-A INPUT -m connbytes --connbytes 10 --connbytes-dir both", "3:13 match connbytes needs --connbytes-mode"],
    ["-A INPUT -m statistic --mode nth --every 5 --packet 5", "3:53 statistic: --packet must be 0 to --every - 1 (4), found '5'"],
    ["-A INPUT -m statistic --mode random --probability 1.5", "3:51 --probability: expected a probability 0-1, found '1.5'"],
    ["-A INPUT -m string --string foo", "3:13 match string needs --algo"],
    ["-A INPUT -m string --algo bm --string foo --hex-string |41|", "3:43 string: --hex-string cannot be used together with --string"],
    ["-A INPUT -m tcpmss --mss 1:500", "3:13 match tcpmss needs -p tcp"],
    ["-A INPUT -m dscp --dscp-class CS8", "3:31 --dscp-class: expected one of CS0, CS1, CS2, CS3, CS4, CS5, CS6, CS7, BE, AF11, AF12, AF13, AF21, AF22, AF23, AF31, AF32, AF33, AF41, AF42, AF43, EF, found 'CS8'"],
    ["-A OUTPUT -m owner --uid-owner 0 --suppl-groups", "3:34 owner: --suppl-groups needs a --gid-owner before it"],
    ["-A INPUT -m policy --dir out --pol none", "3:26 policy: --dir out is not valid in built-in chain INPUT (only FORWARD, OUTPUT, POSTROUTING)"],
    ["-A INPUT -m policy --dir in --pol ipsec --reqid 1 --tunnel-dst 10.0.0.0/8", "3:51 policy: --tunnel-dst is only valid with --mode tunnel"],
    ["-A INPUT -m cluster --cluster-total-nodes 2 --cluster-local-node 3 --cluster-hash-seed 1", "3:66 cluster: --cluster-local-node must be <= --cluster-total-nodes"],
    ["-A INPUT -j NFQUEUE --queue-num 3 --queue-balance 4:5", "3:35 NFQUEUE: --queue-balance cannot be used together with --queue-num"],
    ["-A INPUT -j NFQUEUE --queue-balance 3:3", "3:37 --queue-balance: expected a range first:last of queue numbers (first < last <= 65534), found '3:3'"],
    ["-A INPUT -p tcp -j TCPMSS --clamp-mss-to-pmtu", "3:27 --clamp-mss-to-pmtu is not valid in built-in chain INPUT (only FORWARD, OUTPUT, POSTROUTING)"],
    ["-A OUTPUT -p tcp -j SYNPROXY --mss 1460", "3:21 target SYNPROXY is not valid in built-in chain OUTPUT (only INPUT, FORWARD)"],
    ["-A PREROUTING -j TTL --ttl-inc 0", "3:32 --ttl-inc: expected a number 1-255, found '0'", "mangle"],
    ["-A PREROUTING -j TTL --ttl-set 64 --ttl-dec 1", "3:35 TTL: --ttl-dec cannot be used together with --ttl-set", "mangle"],
    ["-A PREROUTING -j TTL", "3:18 target TTL needs --ttl-set, --ttl-dec or --ttl-inc", "mangle"],
    ["-A PREROUTING -j TPROXY --on-port 3128", "3:18 target TPROXY needs -p tcp or udp", "mangle"],
    ["-A PREROUTING -j DNPT --src-pfx fd00::/64 --dst-pfx 2001:db8::1", "3:53 --dst-pfx: NPTv6 takes a prefix of at most 64 bits, found /128", "mangle", 6],
    ["-A FORWARD -j TEE ! --gateway 10.0.0.1", "3:19 --gateway cannot be negated with '!'"],
    ["-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name a --hashlimit-mode srcip --hashlimit-mode dstip", "3:86 hashlimit: --hashlimit-mode can only be given once"],
    // a target's name or an impossible one after -m (iptables-restore: "Couldn't load match")
    ["-A INPUT -m DSCP --dscp 1 -j ACCEPT", "3:13 'DSCP' is a target, not a match module: write -j DSCP, or -m dscp for the match"],
    ["-A INPUT -m ACCEPT -j ACCEPT", "3:13 'ACCEPT' is a target, not a match module: write -j ACCEPT"],
    ["-A INPUT -m 80,443 -j ACCEPT", "3:13 '80,443' cannot be the name of a match module"],
    ["-A INPUT -m --dport -j ACCEPT", "3:13 '--dport' cannot be the name of a match module"],
    // limit's rate as libxt_limit's parse_rate reads it, its burst, addrtype's one list per option
    ["-A INPUT -m limit --limit 10001/sec -j ACCEPT", "3:27 --limit: '10001/sec' is faster than iptables' limit takes: at most 10000 per unit (iptables: Rate too fast)"],
    ["-A INPUT -m limit --limit 0/s -j ACCEPT", "3:27 --limit: expected a rate (N/second, N/minute, N/hour, N/day), found '0/s' (iptables: bad rate)"],
    ["-A INPUT -m limit --limit 5/secs -j ACCEPT", "3:27 --limit: expected a rate (N/second, N/minute, N/hour, N/day), found '5/secs' (iptables: bad rate)"],
    ["-A INPUT -m limit --limit-burst 10001 -j ACCEPT", "3:33 --limit-burst: expected a number 0-10000, found '10001'"],
    ["-A INPUT -m limit --limit 5/sec --limit 6/sec -j ACCEPT", "3:33 limit: --limit can only be given once"],
    ["-A INPUT -m addrtype --dst-type LOCAL DOCKER -j ACCEPT", "3:39 unexpected 'DOCKER' after --dst-type LOCAL"],
    // every option of a module or target kept whole takes its own count of arguments (none, one, two)
    ["-A INPUT -m pkttype --pkt-type multicast udp -j ACCEPT", "3:42 unexpected 'udp' after --pkt-type multicast"],
    ["-A INPUT -j CONNMARK --save-mark 0x1fff", "3:34 unexpected '0x1fff' after --save-mark"],
    ["-A INPUT -m recent --set --name x y", "3:35 unexpected 'y' after --name x"],
    ["-A INPUT -m time --utc yes", "3:24 unexpected 'yes' after --utc"],
    ["-A INPUT -j NFQUEUE --queue-bypass 1", "3:36 unexpected '1' after --queue-bypass"],
  ];
  it.each(refused)("%s", (line, error, table = "filter", family = 4) => {
    const { errors, survived } = check(line, table, family);
    expect(errors).toEqual([error]);
    expect(survived).toBe(true);
  });

  const accepted: [string, string?, (4 | 6)?][] = [
    ["-A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name SSH --mask 255.255.255.255 --rsource"],
    ["-A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 60 --hitcount 4 --rttl --name SSH --mask 255.255.255.255 --rsource -j DROP"],
    ["-A INPUT -m recent --rcheck --rsource --rdest --reap --seconds 5"],
    ["-A INPUT -p tcp --dport 80 -m hashlimit --hashlimit-above 512kb/s --hashlimit-burst 10 --hashlimit-mode srcip,dstport --hashlimit-name web --hashlimit-htable-expire 10000 -j DROP"],
    ["-A INPUT -m hashlimit --hashlimit 1/sec --hashlimit-name old"],
    ["-A INPUT -p tcp --syn --dport 80 -m connlimit --connlimit-above 20 --connlimit-mask 32 --connlimit-saddr -j REJECT --reject-with tcp-reset"],
    ["-A INPUT -m connlimit ! --connlimit-upto 3 --connlimit-mask 129"],
    ["-A INPUT -m connbytes --connbytes 10000: --connbytes-mode bytes --connbytes-dir both"],
    ["-A INPUT -m statistic --mode random --probability 0.10000000009 -j DROP"],
    ["-A INPUT -m statistic --mode nth --every 3 --packet 0"],
    ['-A INPUT -p tcp --dport 80 -m string --string "GET /admin" --algo kmp --from 40 --to 1500 -j DROP'],
    ["-A INPUT -m length --length 4:3"],
    ["-A INPUT -m dscp --dscp-class af41"],
    ["-A INPUT -m tos --tos minimize-DELAY"],
    ["-A OUTPUT -m owner --gid-owner 0-10 --suppl-groups"],
    ["-A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --mode tunnel --tunnel-src 10.0.0.1 --next --reqid 2"],
    ["-A FORWARD -j NFQUEUE --queue-balance 0:3 --queue-bypass --queue-cpu-fanout"],
    ["-A INPUT -j NFQUEUE --queue-balance 4:"],
    ["-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu", "mangle"],
    ["-A PREROUTING -p tcp -j TPROXY --on-port 3128 --on-ip 127.0.0.1 --tproxy-mark 0x1/0x1", "mangle"],
    ["-A PREROUTING -j TTL --ttl-set 64", "mangle"],
    ["-A PREROUTING -j DNPT --src-pfx 2001:db8::/48 --dst-pfx fd00::/48", "mangle", 6],
    ["-A PREROUTING -j CT --zone mark", "raw"],
    ["-A INPUT -m limit --limit 5/m --limit-burst 0"],
    ["-A INPUT -m limit --limit 5/MIN"],
    ["-A INPUT -m limit --limit 5x/s"],
    ["-A INPUT -m limit --limit 2000000/h"],
    ["-A INPUT -m addrtype --src-type LOCAL,UNICAST --limit-iface-in"],
    ["-A INPUT -m geoip --src-cc US"],
    ["-A INPUT -m conntrack --ctstate NEW -j CONNMARK --save-mark --nfmask 0x1fff --ctmask 0x1fff"],
    ["-A INPUT -p 108 -m ipcomp --ipcompspi 1 --compres"],
    ["-A INPUT -m recent --rcheck --rdest --seconds 5 --reap --name x"],
    ["-A INPUT -m string --algo bm --string x --icase"],
    ["-A PREROUTING -j CT --zone-orig 1", "raw"],
    ["-A INPUT -p tcp -j SYNPROXY --mss 1460 --wscale 7 --ecn"],
  ];
  it.each(accepted)("accepts %s", (line, table = "filter", family = 4) => {
    expect(check(line, table, family).errors).toEqual([]);
  });
});

describe("any options of those modules and targets", () => {
  const WORDS = ["", "0", "1", "3:4", "4:3", "65536", "-1", "0x3f", "srcip", "bm", "in", "out", "tunnel", "fd00::/64", "1.2.3.4", "x,y", "1/sec", "!"];
  const EXTENSIONS = [
    ...[...MATCHES.values()].filter((m) => !m.modelled && m.options).map((m) => ({ kind: "-m", name: m.name, options: Object.keys(m.options!) })),
    ...[...TARGETS.values()].filter((t) => t.options && Object.keys(t.options).length > 0).map((t) => ({ kind: "-j", name: t.name, options: Object.keys(t.options!) })),
  ];
  it("are read without an exception, any problem reported as one error at a position on the line, the next rule kept", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EXTENSIONS),
        fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.array(fc.constantFrom(...WORDS), { maxLength: 2 })), { maxLength: 5 }),
        fc.constantFrom("filter|INPUT", "mangle|PREROUTING", "raw|OUTPUT", "filter|FORWARD"),
        fc.constantFrom<4 | 6>(4, 6),
        fc.constantFrom("", "-p tcp ", "-p udp ", "! -p tcp "),
        (ext, picks, where, family, proto) => {
          const [table, chain] = where.split("|") as [string, string];
          const opts = picks.map(([i, neg, args]) => `${neg ? "! " : ""}${ext.options[i % ext.options.length]}${args.map((a) => ` ${a === "" ? '""' : a}`).join("")}`);
          const line = `-A ${chain} ${proto}${ext.kind} ${ext.name} ${opts.join(" ")}`.trimEnd();
          const { errors, survived } = check(line, table, family);
          expect(survived).toBe(true);
          for (const e of errors) expect(e).toMatch(/^3:\d+ (?!.*internal error)/);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
