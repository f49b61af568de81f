/**
 * Does fwlint accept exactly the rule lines that iptables-restore (1.8.x, nf_tables) loads?
 * Each case is loaded for real in a throwaway network namespace (`unshare -n`) and compared with
 * "parseIptablesSave reports no error". Deliberate differences are listed with their reason.
 * Needs root, unshare and iptables-restore; skipped with a message otherwise, failed instead when
 * FWLINT_REQUIRE_KERNEL=1.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../../parsers/iptables/index.js";

/** `table|rule line` for iptables (v4), `6:table|line` for ip6tables. */
const CASES: string[] = [
  "filter|-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
  "filter|-A INPUT -p tcp --dport ssh -j ACCEPT",
  "filter|-A INPUT -p tcp --dport 0x16 -j ACCEPT",
  "filter|-A INPUT -p tcp --dport 08 -j ACCEPT",
  "filter|-A INPUT -p udp -m multiport --dports 53,123,1000:2000 -j ACCEPT",
  "filter|-A INPUT -p tcp -m multiport --ports 1,2 -j ACCEPT",
  "filter|-A INPUT -m multiport --dports 1,2 -j ACCEPT",
  "filter|-A INPUT -p tcp -m multiport ! --dports 1:1024 -j ACCEPT",
  "filter|-A INPUT -p icmp --icmp-type echo-request -j ACCEPT",
  "filter|-A INPUT -p icmp --icmp-type 3/4 -j ACCEPT",
  "filter|-A INPUT -p icmp --icmp-type any -j ACCEPT",
  "filter|-A INPUT -p icmp -m icmp --icmp-type echo -j ACCEPT",
  "filter|-A INPUT -m icmp --icmp-type 8 -j ACCEPT",
  "filter|-A INPUT -m conntrack --ctstate NEW,UNTRACKED -j ACCEPT",
  "filter|-A INPUT -m conntrack --ctstate DNAT -j ACCEPT",
  "filter|-A INPUT -m conntrack --ctstate FOO -j ACCEPT",
  "filter|-A INPUT -m state --state NEW -j ACCEPT",
  "filter|-A INPUT -m state --state SNAT -j ACCEPT",
  "filter|-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9 -j ACCEPT",
  'filter|-A INPUT -m comment --comment "a b" -j ACCEPT',
  "filter|-A INPUT -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT",
  "filter|-A INPUT -m mac --mac-source XX:XX:XX:XX:XX:XX -j ACCEPT",
  'filter|-A INPUT -m limit --limit 5/min -j LOG --log-prefix "x "',
  "filter|-A INPUT -m time --days Mon -j ACCEPT",
  "filter|-A INPUT -m time --weekdays Mon -j ACCEPT",
  "filter|-A INPUT -m foobar -j ACCEPT",
  "filter|-A INPUT -s 10.0.0.0/8 -d 1.2.3.4,5.6.7.8 -j ACCEPT",
  "filter|-A INPUT -s 10.0.0.0/33 -j ACCEPT",
  "filter|-A INPUT -s 10.0.0.0/255.0.255.0 -j ACCEPT",
  "filter|-A INPUT -s fe80::1 -j ACCEPT",
  "filter|-A INPUT -i eth+ ! -o lo -j ACCEPT",
  "filter|-A INPUT -i abcdefghijklmnop -j ACCEPT",
  "filter|-A INPUT -f -j DROP",
  "filter|-A INPUT -p tcp --syn -j ACCEPT",
  "filter|-A INPUT -p tcp --tcp-flags ALL NONE -j DROP",
  "filter|-A INPUT -p tcp --tcp-flags SYN,BOGUS SYN -j DROP",
  "filter|-A INPUT -p tcp --tcp-option 2 -j DROP",
  "filter|-A INPUT -p tcp --dport 1 --dport 2 -j DROP",
  "filter|-A INPUT -j REJECT --reject-with icmp-host-prohibited",
  "filter|-A INPUT -j REJECT --reject-with tcp-reset",
  "filter|-A INPUT -p tcp -j REJECT --reject-with tcp-reset",
  "filter|-A INPUT -j REJECT --reject-with foo",
  "filter|-A INPUT -j DNAT --to-destination 1.2.3.4",
  "filter|-A INPUT -j NOSUCHCHAIN",
  "filter|-A INPUT -j OUTPUT",
  "filter|-A INPUT -g OUTPUT",
  "filter|-A INPUT -j NFQUEUE --queue-num 1",
  "filter|-A INPUT -j LOG --log-level 4",
  "filter|-A INPUT ! -p all -j ACCEPT",
  "filter|-A INPUT -p bogus -j ACCEPT",
  "filter|-A INPUT -p 132 -j ACCEPT",
  "filter|-A INPUT -p sctp --dport 5 -j ACCEPT",
  "filter|-A INPUT -p dccp --dport 5 -j ACCEPT",
  "filter|-A INPUT -p udplite --dport 5 -j ACCEPT",
  "filter|-I INPUT 2 -j ACCEPT",
  "filter|-A INPUT -m set --match-set foo src -j DROP",
  "filter|-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT",
  "filter|-A INPUT -m recent --set --name X --rsource",
  "filter|-A INPUT -m hl --hl-eq 1 -j ACCEPT",
  "filter|-A INPUT -m ttl --ttl-eq 1 -j ACCEPT",
  "filter|-A INPUT -m pkttype --pkt-type broadcast -j DROP",
  "filter|-A INPUT -m physdev --physdev-is-bridged -j ACCEPT",
  "filter|-A INPUT -m owner --uid-owner 0 -j ACCEPT",
  "filter|-A OUTPUT -m owner --uid-owner 0 -j ACCEPT",
  "filter|-A INPUT -m connlimit --connlimit-above 5 -j DROP",
  "filter|-A INPUT -p tcp -m connlimit --connlimit-above 5 -j DROP",
  "filter|-A INPUT -m string --string foo --algo bm -j DROP",
  'filter|-A INPUT -m u32 --u32 "0>>22&0x3C@12>>26&0x3C@0=0" -j DROP',
  "filter|-A INPUT -m statistic --mode random --probability 0.5 -j DROP",
  "filter|-A INPUT -m length --length 0:100 -j DROP",
  "filter|-A INPUT -m dscp --dscp 10 -j DROP",
  "filter|-A INPUT -m tos --tos 0x10 -j DROP",
  "filter|-A INPUT -m mark --mark 0x1/0x1 -j DROP",
  "filter|-A INPUT -m connmark --mark 1 -j DROP",
  "filter|-A INPUT -m helper --helper ftp -j ACCEPT",
  "filter|-A INPUT -m rpfilter --invert -j DROP",
  "filter|-A INPUT -m policy --dir in --pol ipsec -j ACCEPT",
  "filter|-A INPUT -p esp -m esp --espspi 5 -j ACCEPT",
  "filter|-A INPUT -p tcp -m tcpmss --mss 1:500 -j DROP",
  "filter|-A INPUT -m devgroup --src-group 1 -j DROP",
  "filter|-A INPUT -m cpu --cpu 0 -j DROP",
  "filter|-A INPUT -m quota --quota 1000 -j ACCEPT",
  "filter|-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name x -j ACCEPT",
  "filter|-A INPUT -m socket -j ACCEPT",
  "filter|-A INPUT -m ecn --ecn-tcp-ece -j ACCEPT",
  "filter|-A INPUT -p tcp -m ecn --ecn-tcp-ece -j ACCEPT",
  "filter|-A INPUT -4 -j ACCEPT",
  "filter|-A INPUT -c 1 2 -j ACCEPT",
  "filter|-A INPUT -m comment ! --comment x -j ACCEPT",
  "nat|-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080",
  "nat|-A PREROUTING -j DNAT --to-destination 10.0.0.1:8080",
  "nat|-A PREROUTING -j DNAT",
  "nat|-A PREROUTING -p tcp -j REDIRECT --to-ports 3128",
  "nat|-A POSTROUTING -j MASQUERADE",
  "nat|-A POSTROUTING -j MASQUERADE --to-ports 1000-2000",
  "nat|-A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4:1000-2000",
  "nat|-A POSTROUTING -j DNAT --to-destination 1.2.3.4",
  "nat|-A PREROUTING -j DROP",
  "nat|-A PREROUTING -j ACCEPT",
  "nat|-A INPUT -j SNAT --to-source 1.2.3.4",
  "nat|-A OUTPUT -j REDIRECT",
  "nat|-A PREROUTING -j NETMAP --to 10.0.0.0/24",
  "raw|-A PREROUTING -j CT --notrack",
  "raw|-A PREROUTING -j NOTRACK",
  "raw|-A OUTPUT -p tcp --dport 21 -j CT --helper ftp",
  "mangle|-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff",
  "mangle|-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
  "mangle|-A POSTROUTING -p udp --dport 68 -j CHECKSUM --checksum-fill",
  "mangle|-A PREROUTING -j TTL --ttl-set 64",
  "mangle|-A PREROUTING -j REJECT",
  "mangle|-A INPUT -j REJECT",
  "mangle|-A PREROUTING -p tcp -j TPROXY --on-port 1 --tproxy-mark 1",
  "security|-A INPUT -j ACCEPT",
  "6:filter|-A INPUT -s fe80::/10 -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT",
  "6:filter|-A INPUT -s 10.0.0.1 -j ACCEPT",
  "6:filter|-A INPUT -m ttl --ttl-eq 1 -j ACCEPT",
  "6:filter|-A INPUT -m hl --hl-eq 255 -j ACCEPT",
  "6:filter|-A INPUT -f -j DROP",
  "6:filter|-A INPUT -j REJECT --reject-with icmp6-adm-prohibited",
  "6:filter|-A INPUT -j REJECT --reject-with icmp-host-prohibited",
  "6:filter|-A INPUT -p icmpv6 --icmpv6-type 1/3 -j ACCEPT",
  "6:nat|-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination [fd00::1]:8080",
  "6:filter|-A INPUT -p icmpv6 --icmpv6-type any -j ACCEPT",
  "filter|-A INPUT -s ! 10.0.0.1 -j ACCEPT",
  // options of modules and targets fwlint keeps as unknown (parsers/iptables/extension-options.ts)
  "filter|-A INPUT -m recent --rcheck --hitcount 65535 --name foo",
  "filter|-A INPUT -m recent --rcheck --hitcount 65536 --name foo",
  "filter|-A INPUT -m recent --set --rttl",
  "filter|-A INPUT -m recent --update --rttl --name x",
  "filter|-A INPUT -m recent --set --rcheck",
  "filter|-A INPUT -m recent --seconds 10",
  "filter|-A INPUT -m recent --set --seconds 10",
  "filter|-A INPUT -m recent --remove --seconds 5",
  "filter|-A INPUT -m recent --rcheck --reap",
  "filter|-A INPUT -m recent --rcheck --reap --seconds 5",
  "filter|-A INPUT -m recent --rcheck --rsource --rdest",
  "filter|-A INPUT -m recent ! --set",
  "filter|-A INPUT -m recent --rcheck --name x --rsource --mask 255.255.255.0 --seconds 60 --hitcount 4 --rttl -j DROP",
  "filter|-A INPUT -m connlimit --connlimit-upto 3 --connlimit-above 4",
  "filter|-A INPUT -m connlimit ! --connlimit-upto 3",
  "filter|-A INPUT -m connlimit --connlimit-above 2 ! --connlimit-mask 24",
  "filter|-A INPUT -m connlimit --connlimit-above 3 --connlimit-mask 129",
  "6:filter|-A INPUT -m connlimit --connlimit-above 2 --connlimit-mask 129",
  "filter|-A INPUT -m connbytes --connbytes 1000 --connbytes-mode bytes --connbytes-dir both",
  "filter|-A INPUT -m connbytes --connbytes :1000 --connbytes-mode bytes --connbytes-dir both",
  "filter|-A INPUT -m connbytes --connbytes 5 --connbytes-mode bytes --connbytes-dir ORIGINAL",
  "filter|-A INPUT -m connbytes --connbytes 5 --connbytes-mode BYTES --connbytes-dir both",
  "filter|-A INPUT -m connmark --mark 0xffffffff/0xff",
  "filter|-A INPUT -m dscp --dscp-class af41",
  "filter|-A INPUT -m dscp --dscp-class CS8",
  "filter|-A INPUT -m dscp --dscp 64",
  "filter|-A INPUT -m ecn --ecn-ip-ect 4",
  "filter|-A INPUT -m ecn",
  "filter|-A INPUT -m esp --espspi 5",
  "filter|-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-above 2/sec --hashlimit-name x",
  "filter|-A INPUT -m hashlimit --hashlimit 1/sec --hashlimit-upto 2/sec --hashlimit-name x",
  "filter|-A INPUT -m hashlimit --hashlimit-above 512kb/s --hashlimit-name x --hashlimit-mode srcip,dstport",
  "filter|-A INPUT -m hashlimit --hashlimit-above 5/min --hashlimit-name x --hashlimit-mode SRCIP",
  "filter|-A INPUT -m hashlimit --hashlimit-above 5/min --hashlimit-name x --hashlimit-mode srcip --hashlimit-mode dstip",
  "filter|-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-srcmask 33",
  "filter|-A INPUT -m length --length 4:3",
  "filter|-A OUTPUT -m owner --gid-owner 0-10 --suppl-groups",
  "filter|-A OUTPUT -m owner --uid-owner 0 --suppl-groups",
  "filter|-A OUTPUT -m owner",
  "filter|-A INPUT -m policy --dir in --pol ipsec --reqid 1 --tunnel-dst 10.0.0.0/8",
  "filter|-A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel --tunnel-dst 10.0.0.0/8",
  "filter|-A INPUT -m policy --dir in --pol ipsec --strict",
  "filter|-A INPUT -m policy --pol ipsec",
  "filter|-A INPUT -m policy --dir in --pol ipsec --reqid 1 --next",
  "filter|-A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --next --reqid 2",
  "filter|-A INPUT -m policy --dir out --pol none",
  "filter|-A INPUT -m statistic --mode random --probability 1e-1",
  "filter|-A INPUT -m statistic --mode random --probability -0.1",
  "filter|-A INPUT -m statistic --mode nth --every 5",
  "filter|-A INPUT -m statistic --mode nth --every 5 --packet 4",
  "filter|-A INPUT -m statistic --mode nth --every 5 --packet 5",
  "filter|-A INPUT -m statistic --mode random --every 3",
  "filter|-A INPUT -m string --algo bm --string foo --hex-string |41|",
  "filter|-A INPUT -m string --string foo",
  "filter|-A INPUT -m string --algo bm --string foo --from 10 --to 5",
  "filter|-A INPUT -m tos --tos minimize-DELAY",
  "filter|-A INPUT -m tos --tos 0x1ff",
  "filter|-A INPUT -m cluster --cluster-total-nodes 2 --cluster-local-node 3 --cluster-hash-seed 1",
  "filter|-A INPUT -m cluster --cluster-total-nodes 2 --cluster-local-nodemask 4 --cluster-hash-seed 1",
  "filter|-A INPUT -m cluster --cluster-total-nodes 2 --cluster-local-nodemask 1 --cluster-hash-seed 1",
  "6:filter|-A INPUT -m frag --fragmore --fraglast",
  "6:filter|-A OUTPUT -m eui64",
  "6:filter|-A FORWARD -m eui64",
  "filter|-A INPUT -p tcp -m osf --genre linux --log 3",
  "filter|-A INPUT -j AUDIT --type ACCEPT",
  "filter|-A INPUT -j CLASSIFY --set-class 1:2",
  "mangle|-A POSTROUTING -j CLASSIFY --set-class 1:2",
  "filter|-A INPUT -j CONNMARK --save-mark --restore-mark",
  "raw|-A PREROUTING -j CT --zone 65535",
  "raw|-A PREROUTING -j CT --zone 65536",
  "raw|-A PREROUTING -j CT --zone mark",
  "filter|-A INPUT -j HMARK --hmark-mod 4",
  "filter|-A INPUT -j HMARK --hmark-rnd 0x4 --hmark-mod 42 --hmark-sport-mask 0xffff --hmark-spi-mask 4",
  "filter|-A INPUT -j IDLETIMER --label foo",
  "filter|-A INPUT -j NFQUEUE --queue-balance 0:65534",
  "filter|-A INPUT -j NFQUEUE --queue-balance 3:3",
  "filter|-A INPUT -j NFQUEUE --queue-balance 4:",
  "filter|-A INPUT -j NFQUEUE --queue-num 3 --queue-balance 4:5",
  "filter|-A INPUT -j NFQUEUE --queue-cpu-fanout",
  "filter|-A INPUT -p tcp -j SYNPROXY --sack-perm --timestamp --mss 1460 --wscale 9",
  "filter|-A OUTPUT -p tcp -j SYNPROXY --sack-perm --timestamp --mss 1460 --wscale 9",
  "filter|-A INPUT -p tcp -j TCPMSS --clamp-mss-to-pmtu",
  "mangle|-A INPUT -p tcp -j TCPOPTSTRIP --strip-options mss,sack-permitted",
  "mangle|-A INPUT -j TCPOPTSTRIP --strip-options 2",
  "mangle|-A INPUT -p tcp -j TCPOPTSTRIP --strip-options 256",
  "mangle|-A INPUT -j ECN --ecn-tcp-remove",
  "mangle|-A INPUT -j TTL",
  "mangle|-A INPUT -j TTL --ttl-inc 255",
  "6:mangle|-A PREROUTING -j DNPT --src-pfx dead::/64 --dst-pfx 1c3::/48",
  "6:mangle|-A PREROUTING -j DNPT --src-pfx dead::/64 --dst-pfx 1c3::",
  "6:mangle|-A OUTPUT -j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64",
  "mangle|-A INPUT -p tcp -j TPROXY --on-port 1",
  "mangle|-A PREROUTING -p tcp -j TPROXY --on-ip 10.0.0.1",
];

/** Cases where fwlint knowingly differs from iptables-restore, and why. */
const DIVERGENCES: Record<string, string> = {
  "filter|-A INPUT -m foobar -j ACCEPT": "modules unknown to iptables 1.8.9 (e.g. xtables-addons) get a warning, not an error",
  "filter|-A INPUT -m set --match-set foo src -j DROP": "ipsets live outside the file; the kernel refuses a set that does not exist yet",
  "filter|-A INPUT -s ! 10.0.0.1 -j ACCEPT": "the pre-1.4.3 negation '-s ! x' is read (with a warning) so that old dumps can be analysed",
};

function environment(): string | undefined {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "not root";
  for (const tool of ["unshare", "iptables-restore", "ip6tables-restore"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0) return `${tool} is not installed`;
  }
  const probe = spawnSync("unshare", ["-n", "iptables-restore", "--test"], { input: "*filter\nCOMMIT\n" });
  if (probe.status !== 0) return `iptables-restore does not run in a network namespace: ${String(probe.stderr).trim()}`;
  return undefined;
}

const skip = environment();
if (skip && process.env.FWLINT_REQUIRE_KERNEL !== "1") console.warn(`[iptables kernel agreement] SKIPPED: ${skip}`);

describe("iptables parser agrees with iptables-restore", () => {
  it.skipIf(skip !== undefined && process.env.FWLINT_REQUIRE_KERNEL !== "1")(`accepts what the kernel loads and rejects what it refuses (${CASES.length} cases)`, () => {
    if (skip) expect.fail(`kernel agreement needs: ${skip} (FWLINT_REQUIRE_KERNEL=1)`);
    const disagreements: string[] = [];
    let divergent = 0;
    for (const c of CASES) {
      const six = c.startsWith("6:");
      const [table, line] = (six ? c.slice(2) : c).split("|") as [string, string];
      const text = `*${table}\n${line}\nCOMMIT\n`;
      const errors = parseIptablesSave(text, "case", { family: six ? 6 : 4 }).diagnostics.filter((d) => d.severity === "error");
      const run = spawnSync("unshare", ["-n", six ? "ip6tables-restore" : "iptables-restore"], { input: text, encoding: "utf8" });
      const kernelOk = run.status === 0;
      if (kernelOk === (errors.length === 0)) continue;
      if (DIVERGENCES[c]) {
        divergent++;
        continue;
      }
      disagreements.push(`${c}\n  fwlint: ${errors.map((e) => e.message).join("; ") || "accepted"}\n  kernel: ${kernelOk ? "accepted" : run.stderr.trim().split("\n")[0]}`);
    }
    console.log(`[iptables kernel agreement] ${CASES.length - disagreements.length - divergent}/${CASES.length} agree, ${divergent} known divergences`);
    expect(disagreements).toEqual([]);
  }, 120_000);
});
