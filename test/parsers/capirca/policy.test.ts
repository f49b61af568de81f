/**
 * The Capirca / Aerleon reader on policies of its own: the language's items and their errors (at
 * file:line:column, the rest still read), names through the definitions folder, includes, what
 * each target renders (families, platform, expiration, verbatim, established, zone pairs), and
 * which texts are recognised as the format.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectCapirca, parseCapirca } from "../../../parsers/capirca/index.js";
import { parsePolicyText } from "../../../parsers/capirca/policy.js";
import type { IncludeIo } from "../../../parsers/file-io.js";
import { verdictFor } from "../../../src/analysis/verdict.js";
import type { Packet } from "../../../src/model/finding.js";
import type { Ruleset } from "../../../src/model/types.js";

const NETS = `RFC1918 = 10.0.0.0/8 172.16.0.0/12
          192.168.0.0/16
MAIL = 203.0.113.25/32 # the relay
       2001:db8::25
ADMINS = 198.18.0.0/24
INSIDE = RFC1918
LOOP_A = LOOP_B
LOOP_B = LOOP_A
`;
const SVCS = `SMTP = 25/tcp
SSH = 22/tcp
DNS = 53/tcp 53/udp
MAIL_SVC = SMTP 587/tcp
`;

/** A tree in memory: /t/def/{NETWORK.net,SERVICES.svc}, /t/policies/includes/*, the policy at /t/policies/pol/p.pol. */
function tree(extra: Record<string, string> = {}): IncludeIo {
  const files: Record<string, string> = { "/t/def/NETWORK.net": NETS, "/t/def/SERVICES.svc": SVCS, ...extra };
  return {
    readFile: (p) => files[p],
    listDir: (p) => {
      const names = Object.keys(files).filter((f) => f.startsWith(p + "/") && !f.slice(p.length + 1).includes("/")).map((f) => f.slice(p.length + 1));
      return names.length > 0 ? names.sort() : undefined;
    },
  };
}

const TODAY = new Date(Date.UTC(2026, 11, 7));

function read(policy: string, extra: Record<string, string> = {}, file = "/t/policies/pol/p.pol"): Ruleset {
  return parseCapirca(policy, file, { io: tree(extra), root: "/t", today: TODAY });
}

function pkt(dst: string, dport: number, opts: Partial<Packet> = {}): Packet {
  const family = dst.includes(":") ? 6 : 4;
  return { family, proto: "tcp", src: family === 4 ? "8.8.8.8" : "2001:4860::8888", dst, sport: 40000, dport, hook: "input", iif: "edge-in", tcp_flags: "SYN", ...opts };
}

const errors = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);

describe("capirca policy reader", () => {
  it("reads terms in order, names resolved through def/, first match deciding, the implicit deny at the end", () => {
    const rs = read(`header {
  target:: cisco edge-in mixed
}
term ssh {
  source-address:: ADMINS
  destination-address:: MAIL
  protocol:: tcp
  destination-port:: SSH
  action:: accept
}
term mail {
  destination-address:: MAIL
  protocol:: tcp
  destination-port:: MAIL_SVC
  action:: accept
}
term no-inside {
  destination-address:: INSIDE
  action:: deny
}
`);
    expect(errors(rs)).toEqual([]);
    expect(verdictFor(rs, pkt("203.0.113.25", 25)).verdict).toBe("accept");
    expect(verdictFor(rs, pkt("203.0.113.25", 587)).verdict).toBe("accept");
    expect(verdictFor(rs, pkt("2001:db8::25", 25)).verdict).toBe("accept");
    expect(verdictFor(rs, pkt("203.0.113.25", 22)).verdict).toBe("drop");
    expect(verdictFor(rs, pkt("203.0.113.25", 22, { src: "198.18.0.9" })).verdict).toBe("accept");
    expect(verdictFor(rs, pkt("203.0.113.26", 25)).verdict).toBe("drop");
  });

  it("tells errors at file:line:column and reads the rest", () => {
    const rs = read(`header {
  target:: juniper edge-in
}
term broken {
  destination-address MAIL
  action:: accept
}
term typo {
  destination-address:: MAIL
  protocol:: tcp
  destination-port:: SMTPS
  action:: accept
}
term good {
  destination-address:: MAIL
  protocol:: tcp
  destination-port:: SMTP
  action:: acept
}
term fine {
  destination-address:: MAIL
  protocol:: tcp
  destination-port:: SSH
  action:: accept
}
`);
    expect(errors(rs)).toEqual([
      "5:3 expected 'KEYWORD::' or '}', found 'destination-address'",
      "11:22 service SMTPS is not defined",
      "18:12 expected accept, deny, reject, reject-with-tcp-rst or next, found 'acept'",
    ]);
    // the term after them is read; the broken one is left out (not read as matching everything)
    expect(verdictFor(rs, pkt("203.0.113.25", 22)).verdict).toBe("accept");
    expect(verdictFor(rs, pkt("203.0.113.26", 80)).verdict).toBe("drop");
    // the term naming an undefined service opens something unknown: may be reachable
    expect(verdictFor(rs, pkt("203.0.113.25", 465)).verdict).toBe("unknown");
  });

  it("a quoted string over lines, and the items after it on its last line", () => {
    const said: string[] = [];
    const ast = parsePolicyText('header {\n  target:: cisco f\n}\nterm a {\n  comment:: "one\n  two" action:: accept protocol:: tcp\n}\nterm b {\n  action:: deny\n}\n', "p.pol", undefined, (_s, p, m) => said.push(`${p.line}:${p.column} ${m}`));
    expect(said).toEqual([]);
    expect(ast.filters[0]!.terms.map((t) => t.items.map((i) => `${i.key}@${i.pos.line}:${i.pos.column}=${i.values.map((v) => v.text).join(",")}`))).toEqual([
      ["comment@5:3=one\n  two", "action@6:8=accept", "protocol@6:24=tcp"],
      ["action@9:3=deny"],
    ]);
  });

  it("an undefined network, a name defined through itself, an unclosed block", () => {
    const rs = read(`header {
  target:: juniper f
}
term a {
  source-address:: NOPE
  action:: accept
}
term b {
  source-address:: LOOP_A
  action:: accept
}
term c {
  action:: deny
`);
    expect(errors(rs)).toEqual([
      "12:1 the block opened here is not closed with '}'",
      "5:20 network NOPE is not defined",
      "9:20 network LOOP_A is defined through itself (in network LOOP_B, /t/def/NETWORK.net:8) (in network LOOP_A, /t/def/NETWORK.net:7)",
    ]);
  });

  it("includes from the base folder, placed in the included file; a missing one is an error", () => {
    const inc = { "/t/policies/includes/deny.inc": "term deny-inside {\n  source-address:: INSIDE\n  action:: deny\n}\n" };
    const rs = read("header {\n  target:: cisco f\n}\n#include 'includes/deny.inc'\nterm all {\n  action:: accept\n}\n", inc);
    expect(errors(rs)).toEqual([]);
    expect(verdictFor(rs, pkt("203.0.113.25", 25, { src: "10.1.2.3", iif: "f" })).verdict).toBe("drop");
    expect(verdictFor(rs, pkt("203.0.113.25", 25, { iif: "f" })).verdict).toBe("accept");
    const chain = [...rs.chains.values()].find((c) => c.name === "f")!;
    expect(chain.rules[0]!.span.file).toBe("/t/policies/includes/deny.inc");
    expect(chain.rules[0]!.span.line).toBe(1);
    const missing = read("header {\n  target:: cisco f\n}\n#include 'includes/none.inc'\nterm all {\n  action:: accept\n}\n");
    expect(errors(missing)[0]).toMatch(/^4:1 include file includes\/none.inc is not found/);
    const notInc = read("header {\n  target:: cisco f\n}\n#include 'includes/x.pol'\n");
    expect(errors(notInc)[0]).toMatch(/^4:1 an include file's name must end in .inc/);
  });

  it("each target's families: an inet filter leaves out IPv6 addresses and terms with only them; icmp is IPv4's", () => {
    const text = (opt: string) => `header {
  target:: juniper f ${opt}
}
term v6-only {
  destination-address:: MAIL
  protocol:: tcp
  destination-port:: SMTP
  action:: accept
}
term ping {
  protocol:: icmp
  action:: accept
}
`;
    const inet = read(text("inet"));
    expect(verdictFor(inet, pkt("203.0.113.25", 25, { iif: "f" })).verdict).toBe("accept");
    // no IPv6 pipeline rule: the chain's rules are IPv4 only, IPv6 meets the implicit deny
    expect(verdictFor(inet, pkt("2001:db8::25", 25, { iif: "f" })).verdict).toBe("drop");
    const mixed = read(text("mixed"));
    expect(verdictFor(mixed, pkt("2001:db8::25", 25, { iif: "f" })).verdict).toBe("accept");
    expect(verdictFor(mixed, { family: 4, proto: "icmp", src: "8.8.8.8", dst: "203.0.113.9", icmp_type: 8, icmp_code: 0, hook: "input", iif: "f" }).verdict).toBe("accept");
    expect(verdictFor(mixed, { family: 6, proto: "ipv6-icmp", src: "2001:4860::1", dst: "2001:db8::9", icmp_type: 128, icmp_code: 0, hook: "input", iif: "f" }).verdict).toBe("drop");
  });

  it("platform, platform-exclude, expiration, inactive and verbatim terms are each target's", () => {
    const rs = read(`header {
  target:: juniper jf
  target:: cisco cf
}
term only-cisco {
  destination-address:: MAIL
  protocol:: tcp
  destination-port:: SMTP
  platform:: cisco
  action:: accept
}
term not-cisco {
  destination-address:: MAIL
  protocol:: tcp
  destination-port:: SSH
  platform-exclude:: cisco
  action:: accept
}
term expired {
  destination-address:: MAIL
  protocol:: tcp
  destination-port:: DNS
  expiration:: 2020-01-31
  action:: accept
}
term raw {
  verbatim:: juniper "term raw { then accept; }"
}
`);
    expect(errors(rs)).toEqual([]);
    expect(verdictFor(rs, pkt("203.0.113.25", 25, { iif: "cf" })).verdict).toBe("accept");
    expect(verdictFor(rs, pkt("203.0.113.25", 22, { iif: "cf" })).verdict).toBe("drop");
    expect(verdictFor(rs, pkt("203.0.113.25", 53, { iif: "cf" })).verdict).toBe("drop");
    // Juniper's: SSH, not SMTP; its verbatim term is unknown to fwlint
    expect(verdictFor(rs, pkt("203.0.113.25", 22, { iif: "jf" })).verdict).toBe("accept");
    expect(verdictFor(rs, pkt("203.0.113.25", 25, { iif: "jf" })).verdict).toBe("unknown");
    expect(rs.diagnostics.map((d) => d.message)).toContain("term expired expired on 2020-01-31: the generators leave it out");
    expect(rs.diagnostics.some((d) => d.severity === "warning" && d.message.includes("verbatim juniper text"))).toBe(true);
  });

  it("tcp-established on a stateless router matches ACK or RST, not a new connection; SRX leaves the term out", () => {
    const text = (target: string) => `header {
  target:: ${target}
}
term replies {
  protocol:: tcp
  option:: tcp-established
  action:: accept
}
term udp-replies {
  protocol:: udp
  source-port:: DNS
  option:: established
  action:: accept
}
`;
    const router = read(text("cisco f"));
    expect(verdictFor(router, pkt("203.0.113.9", 25, { iif: "f" })).verdict).toBe("drop");
    expect(verdictFor(router, pkt("203.0.113.9", 25, { iif: "f", tcp_flags: "ACK" })).verdict).toBe("accept");
    // stateless `established` on UDP: the generators add the high ports
    expect(verdictFor(router, pkt("203.0.113.9", 40000, { iif: "f", proto: "udp", sport: 53 })).verdict).toBe("accept");
    expect(verdictFor(router, pkt("203.0.113.9", 1000, { iif: "f", proto: "udp", sport: 53 })).verdict).toBe("drop");
    const srx = read(text("srx from-zone untrust to-zone trust"));
    const chain = [...srx.chains.values()].find((c) => c.label?.startsWith("security policies"))!;
    expect(chain.rules.filter((r) => !r.implied)).toEqual([]);
  });

  it("zone pairs: an SRX list continued by a later header for the same pair; Internet side from the zone names", () => {
    const rs = read(`header {
  target:: srx from-zone untrust to-zone dmz inet
}
term web {
  destination-address:: MAIL
  protocol:: tcp
  destination-port:: SMTP
  action:: accept
}
header {
  target:: srx from-zone untrust to-zone dmz inet6
}
term web6 {
  destination-address:: MAIL
  protocol:: tcp
  destination-port:: SSH
  action:: accept
}
header {
  target:: srx from-zone trust to-zone dmz
}
term all {
  action:: accept
}
`);
    expect(errors(rs)).toEqual([]);
    const lists = [...rs.chains.values()].filter((c) => c.label?.startsWith("security policies"));
    expect(lists.map((c) => c.label)).toEqual(["security policies from-zone untrust to-zone dmz (srx)", "security policies from-zone trust to-zone dmz (srx)"]);
    const iface = lists[0]!.name;
    expect(verdictFor(rs, pkt("2001:db8::25", 22, { iif: iface })).verdict).toBe("accept");
    expect(verdictFor(rs, pkt("203.0.113.25", 25, { iif: iface })).verdict).toBe("accept");
    // trust -> dmz is not the Internet's
    expect(rs.internetInterfaces).toEqual([iface]);
  });

  it("with no definitions folder, names are unknown: one warning, the terms may match", () => {
    const rs = parseCapirca("header {\n  target:: cisco f\n}\nterm a {\n  destination-address:: MAIL\n  protocol:: tcp\n  destination-port:: SMTP\n  action:: accept\n}\n", "/x/p.pol", { io: { readFile: () => undefined, listDir: () => undefined }, root: "/x" });
    expect(rs.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message)).toEqual([expect.stringContaining("no naming definitions folder")]);
    expect(verdictFor(rs, pkt("203.0.113.25", 25, { iif: "f" })).verdict).toBe("unknown");
  });

  it("Aerleon YAML policies and includes read as the .pol ones", () => {
    const yaml = `filters:
  - header:
      targets:
        cisco: f mixed
    terms:
      - include: includes/deny.yaml
      - name: mail
        destination-address: MAIL
        protocol: tcp
        destination-port: [SMTP, SSH]
        action: accept
`;
    const rs = read(yaml, { "/t/policies/includes/deny.yaml": "terms:\n  - name: no-inside\n    source-address: INSIDE\n    action: deny\n" }, "/t/policies/pol/p.yaml");
    expect(errors(rs)).toEqual([]);
    expect(verdictFor(rs, pkt("203.0.113.25", 22, { iif: "f" })).verdict).toBe("accept");
    expect(verdictFor(rs, pkt("203.0.113.25", 22, { iif: "f", src: "10.0.0.1" })).verdict).toBe("drop");
    const bad = read("filters:\n  - header:\n      targets:\n        cisco: f\n    terms:\n      - name: x\n        action: allow\n", {}, "/t/policies/pol/p.yaml");
    expect(errors(bad)).toEqual(["7:17 expected accept, deny, reject, reject-with-tcp-rst or next, found 'allow'"]);
  });

  it("a definitions file checked alone: its names must resolve, in it or its folder", () => {
    const io = tree();
    const own = parseCapirca("EXTRA = INSIDE 192.0.2.0/24\nBROKEN = NOWHERE\n", "/t/def/EXTRA.net", { io, root: "/t" });
    expect(errors(own)).toEqual(["2:10 network NOWHERE is not defined (in network BROKEN, /t/def/EXTRA.net:2)"]);
    expect(own.chains.size).toBe(0);
    const svc = parseCapirca("WEB = 80/tcp 443/tcp\nBAD = 80/tcpx 99999/tcp\n", "/t/def/WEB.svc", { io, root: "/t" });
    expect(errors(svc)).toEqual(["2:7 '80/tcpx' in service BAD (/t/def/WEB.svc:2) names no protocol ('tcpx')"]);
    const range = parseCapirca("BAD = 80/tcp 99999/tcp\n", "/t/def/WEB.svc", { io, root: "/t" });
    expect(errors(range)).toEqual(["1:14 '99999/tcp' in service BAD (/t/def/WEB.svc:1) is not a port range"]);
  });

  it("recognises its files and not others'", () => {
    expect(detectCapirca("header {\n  target:: juniper x\n}\n")).toBe(true);
    expect(detectCapirca("term a {\n  action:: accept\n}\n")).toBe(true);
    expect(detectCapirca("filters:\n  - header:\n      targets:\n        srx: from-zone a to-zone b\n")).toBe(true);
    expect(detectCapirca("terms:\n  - name: a\n    action: deny\n")).toBe(true);
    expect(detectCapirca("networks:\n  A:\n    values:\n      - address: 10.0.0.0/8\n")).toBe(true);
    expect(detectCapirca("services:\n  A:\n    - port: 25\n      protocol: tcp\n")).toBe(true);
    expect(detectCapirca(NETS)).toBe(true);
    expect(detectCapirca(SVCS)).toBe(true);
    // shell variables, an INI file, an env file, an nft ruleset, an Ansible play
    expect(detectCapirca('PATH=/usr/bin\nHOME="/root"\n')).toBe(false);
    expect(detectCapirca("[main]\nport = 25\n")).toBe(false);
    expect(detectCapirca("PORT=8080\nHOST=localhost\n")).toBe(false);
    expect(detectCapirca("table inet f {\n  chain input {\n    type filter hook input priority 0;\n  }\n}\n")).toBe(false);
    expect(detectCapirca("- hosts: all\n  tasks:\n    - name: a\n      action: ping\n")).toBe(false);
  });

  it("random edits of a policy never throw nor hang", () => {
    const base = `header {
  comment:: "edge, with a
  two-line comment"
  target:: cisco f mixed
  target:: srx from-zone untrust to-zone dmz
}
#include 'includes/deny.inc'
term a {
  source-address:: ADMINS
  source-exclude:: RFC1918
  destination-address:: MAIL
  protocol:: tcp udp icmp
  destination-port:: MAIL_SVC DNS
  icmp-type:: echo-request
  option:: tcp-established
  action:: accept
}
`;
    const inc = { "/t/policies/includes/deny.inc": "term d {\n  address:: INSIDE\n  action:: next\n}\n" };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: base.length }), fc.integer({ min: 0, max: 20 }), fc.string({ maxLength: 12 }), (at, cut, insert) => {
        const text = base.slice(0, at) + insert + base.slice(Math.min(base.length, at + cut));
        const rs = read(text, inc);
        expect(rs.diagnostics.filter((d) => d.message.startsWith("internal error"))).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
