/**
 * A script of iptables commands and the iptables-save output of the same ruleset give the same
 * model: chains, policies, conditions, actions, comments and rule ids. (Conditions keep the order
 * the options are written in, so the scripts write them in iptables-save's order.)
 */
import { describe, expect, it } from "vitest";
import { diags, save, script, shape } from "./helpers.js";

function same(scriptLines: string[], saveLines: string[], family: 4 | 6 = 4) {
  const a = script(scriptLines);
  const b = save(saveLines, family);
  expect(diags(a, "error")).toEqual([]);
  expect(diags(b, "error")).toEqual([]);
  expect(a.families).toEqual([family]);
  expect(shape(a)).toEqual(shape(b));
  expect(a.pipelines).toEqual(b.pipelines);
}

describe("script model = iptables-save model", () => {
  it("a host firewall with policies, conntrack, multiport, icmp, comment, LOG and REJECT", () => {
    same(
      [
        "#!/bin/sh",
        "iptables -F",
        "iptables -X",
        "iptables -P INPUT DROP",
        "iptables -P FORWARD DROP",
        "iptables -P OUTPUT ACCEPT",
        "iptables -A INPUT -i lo -j ACCEPT",
        "iptables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT",
        "iptables -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT",
        'iptables -A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -m comment --comment "admin ssh" -j ACCEPT',
        "iptables -A INPUT -m limit --limit 5/min -j LOG --log-prefix 'dropped: '",
        "iptables -A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable",
        "iptables -A OUTPUT ! -d 10.0.0.0/8 -o eth0 -j ACCEPT",
      ],
      [
        "*filter",
        ":INPUT DROP [0:0]",
        ":FORWARD DROP [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A INPUT -i lo -j ACCEPT",
        "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT",
        "-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT",
        '-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -m comment --comment "admin ssh" -j ACCEPT',
        '-A INPUT -m limit --limit 5/min -j LOG --log-prefix "dropped: "',
        "-A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable",
        "-A OUTPUT ! -d 10.0.0.0/8 -o eth0 -j ACCEPT",
        "COMMIT",
      ],
    );
  });

  it("user chains, jumps, gotos and RETURN, with -N before use", () => {
    same(
      [
        "iptables -N SERVICES",
        "iptables -N LOGDROP",
        "iptables -A LOGDROP -j LOG",
        "iptables -A LOGDROP -j DROP",
        "iptables -A SERVICES -s 198.51.100.0/24 -j RETURN",
        "iptables -A SERVICES -p tcp --dport 25 -j ACCEPT",
        "iptables -A INPUT -p tcp -j SERVICES",
        "iptables -A INPUT -g LOGDROP",
        "iptables -P INPUT DROP",
      ],
      [
        "*filter",
        ":INPUT DROP [0:0]",
        ":FORWARD ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        ":SERVICES - [0:0]",
        ":LOGDROP - [0:0]",
        "-A INPUT -p tcp -j SERVICES",
        "-A INPUT -g LOGDROP",
        "-A LOGDROP -j LOG",
        "-A LOGDROP -j DROP",
        "-A SERVICES -s 198.51.100.0/24 -j RETURN",
        "-A SERVICES -p tcp -m tcp --dport 25 -j ACCEPT",
        "COMMIT",
      ],
    );
  });

  it("nat and filter tables with -t (before or after the command), DNAT port forward, MASQUERADE", () => {
    same(
      [
        "EXT=eth0",
        "iptables -t nat -A PREROUTING -i $EXT -p tcp --dport 2525 -j DNAT --to-destination 10.0.0.25:25",
        "iptables -A POSTROUTING -o $EXT -j MASQUERADE -t nat",
        "iptables --table filter --policy FORWARD DROP",
        "iptables --append FORWARD -d 10.0.0.25 -p tcp --dport 25 -j ACCEPT",
      ],
      [
        "*nat",
        ":PREROUTING ACCEPT [0:0]",
        ":INPUT ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        ":POSTROUTING ACCEPT [0:0]",
        "-A PREROUTING -i eth0 -p tcp -m tcp --dport 2525 -j DNAT --to-destination 10.0.0.25:25",
        "-A POSTROUTING -o eth0 -j MASQUERADE",
        "COMMIT",
        "*filter",
        ":INPUT ACCEPT [0:0]",
        ":FORWARD DROP [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A FORWARD -d 10.0.0.25/32 -p tcp -m tcp --dport 25 -j ACCEPT",
        "COMMIT",
      ],
    );
  });

  it("-s lists expand to one rule per address, as iptables does", () => {
    same(
      ['NETS="192.0.2.0/24,198.51.100.7"', 'iptables -A INPUT -s "$NETS" -p tcp --dport 22 -j ACCEPT'],
      [
        "*filter",
        ":INPUT ACCEPT [0:0]",
        ":FORWARD ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT",
        "-A INPUT -s 198.51.100.7/32 -p tcp -m tcp --dport 22 -j ACCEPT",
        "COMMIT",
      ],
    );
  });

  it("an ip6tables-only script equals ip6tables-save output (family 6)", () => {
    same(
      [
        "IP6T=/usr/sbin/ip6tables",
        "$IP6T -P INPUT DROP",
        "$IP6T -A INPUT -p ipv6-icmp --icmpv6-type 128 -j ACCEPT",
        "$IP6T -A INPUT -s 2001:db8:1::/48 -p tcp --dport 3306 -j ACCEPT",
        "$IP6T -A INPUT -p tcp --dport 22 -j REJECT --reject-with icmp6-adm-prohibited",
      ],
      [
        "*filter",
        ":INPUT DROP [0:0]",
        ":FORWARD ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT",
        "-A INPUT -s 2001:db8:1::/48 -p tcp -m tcp --dport 3306 -j ACCEPT",
        "-A INPUT -p tcp -m tcp --dport 22 -j REJECT --reject-with icmp6-adm-prohibited",
        "COMMIT",
      ],
      6,
    );
  });

  it("the order a script builds equals the saved order (-I positions, -D, -R, -F of one chain)", () => {
    same(
      [
        "iptables -A INPUT -p tcp --dport 1 -j ACCEPT",
        "iptables -A INPUT -p tcp --dport 2 -j ACCEPT",
        "iptables -I INPUT -p tcp --dport 3 -j ACCEPT",
        "iptables -I INPUT 3 -p tcp --dport 4 -j ACCEPT",
        "iptables -D INPUT -p tcp --dport 1 -j ACCEPT",
        "iptables -R INPUT 1 -p tcp --dport 5 -j DROP",
        "iptables -A OUTPUT -j ACCEPT",
        "iptables -F OUTPUT",
        "iptables -A OUTPUT -p udp --dport 53 -j ACCEPT",
      ],
      [
        "*filter",
        ":INPUT ACCEPT [0:0]",
        ":FORWARD ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A INPUT -p tcp -m tcp --dport 5 -j DROP",
        "-A INPUT -p tcp -m tcp --dport 4 -j ACCEPT",
        "-A INPUT -p tcp -m tcp --dport 2 -j ACCEPT",
        "-A OUTPUT -p udp -m udp --dport 53 -j ACCEPT",
        "COMMIT",
      ],
    );
  });
});
