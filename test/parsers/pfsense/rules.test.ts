/**
 * pfSense / OPNsense semantics with verdicts: first match on the interface a packet enters, the
 * default block, disabled rules, floating rules (quick first match, non-quick last match), aliases
 * (nested, port aliases), `<not/>`, port forwards with their filter rule and `rdr pass`, the
 * anti-lockout rule, blockpriv, inbound vs forward, OPNsense MVC aliases and rules; errors at
 * file:line:column and no throw on bad input.
 */
import { describe, expect, it } from "vitest";
import { verdictFor } from "../../../src/analysis/verdict.js";
import type { Packet } from "../../../src/model/finding.js";
import type { Ruleset } from "../../../src/model/types.js";
import { parsePfsense } from "../../../parsers/pfsense/index.js";
import { detectFormat } from "../../../src/engine/formats.js";
import { analyzeText } from "../../../src/engine/check.js";

const IFACES = `<interfaces>
<wan><enable/><if>em0</if><ipaddr>203.0.113.2</ipaddr><subnet>24</subnet><blockpriv/></wan>
<lan><enable/><if>em1</if><ipaddr>192.168.1.1</ipaddr><subnet>24</subnet></lan>
<opt1><enable/><if>em2</if><ipaddr>10.0.10.1</ipaddr><subnet>24</subnet><ipaddrv6>2001:db8:10::1</ipaddrv6><subnetv6>64</subnetv6></opt1>
</interfaces>`;

/** A config with IFACES and `body`; IPv6 allowed (<ipv6allow>) unless `ipv6` is false. */
function pf(body: string, root = "pfsense", ipv6 = true): Ruleset {
  const allow = root === "opnsense" ? "<ipv6allow>1</ipv6allow>" : "<ipv6allow/>";
  const withSystem = !ipv6 ? body : body.includes("<system>") ? body.replace("<system>", `<system>${allow}`) : `<system>${allow}</system>\n${body}`;
  return parsePfsense(`<?xml version="1.0"?>\n<${root}>\n${IFACES}\n${withSystem}\n</${root}>\n`, "config.xml");
}

function rule(fields: string): string {
  return `<rule>${fields}</rule>`;
}

type Probe = Partial<Packet> & { dst: string };

function verdict(rs: Ruleset, p: Probe): string {
  const src = p.src ?? (p.dst.includes(":") ? "2001:db8:99::7" : "198.51.100.7");
  const hook = p.hook ?? (p.oif !== undefined || !["203.0.113.2", "192.168.1.1"].includes(p.dst) ? "forward" : "input");
  const pk: Packet = { family: p.dst.includes(":") ? 6 : 4, proto: "tcp", dport: 25, iif: "wan", ...(hook === "forward" ? { oif: "opt1" } : {}), ...p, src, hook };
  return verdictFor(rs, pk).verdict;
}

const errors = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.message}`);

describe("pfsense rules", () => {
  it("is detected from its root element, pfSense or OPNsense", () => {
    expect(detectFormat(`<?xml version="1.0"?>\n<pfsense>\n<version>21.7</version></pfsense>`)).toBe("pfsense");
    expect(detectFormat(`<?xml version="1.0"?>\n<opnsense>\n</opnsense>`)).toBe("pfsense");
    expect(detectFormat(`<?xml version="1.0"?>\n<config><devices/></config>`)).not.toBe("pfsense");
  });

  it("blocks what no rule passes, first match decides, and a disabled rule is no rule", () => {
    const pass = rule(`<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><address>10.0.10.25</address><port>25</port></destination>`);
    const block = rule(`<type>block</type><interface>wan</interface><source><any/></source><destination><network>opt1</network></destination>`);
    expect(verdict(pf(`<filter>${pass}${block}</filter>`), { dst: "10.0.10.25" })).toBe("accept");
    expect(verdict(pf(`<filter>${block}${pass}</filter>`), { dst: "10.0.10.25" })).toBe("drop");
    expect(verdict(pf(`<filter>${pass}</filter>`), { dst: "10.0.10.26" })).toBe("drop");
    expect(verdict(pf(`<filter>${pass.replace("<type>", "<disabled/><type>")}</filter>`), { dst: "10.0.10.25" })).toBe("drop");
    // only on the interface the packet enters
    expect(verdict(pf(`<filter>${pass}</filter>`), { dst: "10.0.10.25", iif: "lan" })).toBe("drop");
  });

  it("reads port ranges, nested and port aliases, and negation", () => {
    const rs = pf(`<aliases>
<alias><name>HOSTS</name><type>host</type><address>10.0.10.5 INNER</address></alias>
<alias><name>INNER</name><type>host</type><address>10.0.10.6-10.0.10.8</address></alias>
<alias><name>WEB</name><type>port</type><address>80 8000:8010</address></alias>
</aliases><filter>${rule(`<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><address>HOSTS</address><port>WEB</port></destination>`)}
${rule(`<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><address>198.51.100.0/24</address><not/></source><destination><address>10.0.10.50</address><port>3300-3400</port></destination>`)}</filter>`);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { dst: "10.0.10.7", dport: 8005 })).toBe("accept");
    expect(verdict(rs, { dst: "10.0.10.7", dport: 8011 })).toBe("drop");
    expect(verdict(rs, { dst: "10.0.10.9", dport: 80 })).toBe("drop");
    expect(verdict(rs, { dst: "10.0.10.50", dport: 3389, src: "203.0.113.77" })).toBe("accept");
    expect(verdict(rs, { dst: "10.0.10.50", dport: 3389, src: "198.51.100.9" })).toBe("drop");
  });

  // An alias with a host name beside addresses: the rule decides the addresses' packets for
  // certain (the known part is a rule of its own, first), only the others perhaps.
  it("an alias with a host name beside addresses leaves the addresses certain", () => {
    const rs = pf(`<aliases>
<alias><name>MAIL</name><type>host</type><address>10.0.10.25 relay.example.com</address></alias>
</aliases><filter>${rule(`<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><address>MAIL</address><port>25</port></destination>`)}</filter>`);
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { dst: "10.0.10.25" })).toBe("accept");
    expect(verdict(rs, { dst: "10.0.10.26" })).toBe("unknown");
  });

  it("runs floating rules first: quick ones first match, non-quick ones last match", () => {
    const iface = rule(`<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><any/></destination>`);
    const quickBlock = rule(`<type>block</type><interface>wan</interface><floating>yes</floating><quick>yes</quick><direction>in</direction><protocol>tcp</protocol><source><any/></source><destination><any/><port>23</port></destination>`);
    const lazyPass = rule(`<type>pass</type><interface>wan</interface><floating>yes</floating><protocol>tcp</protocol><source><any/></source><destination><any/><port>23</port></destination>`);
    const lazyBlock = rule(`<type>block</type><interface>wan</interface><floating>yes</floating><protocol>tcp</protocol><source><any/></source><destination><any/><port>23</port></destination>`);
    expect(verdict(pf(`<filter>${iface}${quickBlock}</filter>`), { dst: "10.0.10.5", dport: 23 })).toBe("drop");
    // a non-quick floating pass loses to a later interface rule... and decides when none matches
    expect(verdict(pf(`<filter>${lazyPass}</filter>`), { dst: "10.0.10.5", dport: 23 })).toBe("accept");
    expect(verdict(pf(`<filter>${lazyPass}${lazyBlock}</filter>`), { dst: "10.0.10.5", dport: 23 })).toBe("drop");
    expect(verdict(pf(`<filter>${lazyBlock}${lazyPass}</filter>`), { dst: "10.0.10.5", dport: 23 })).toBe("accept");
    expect(verdict(pf(`<filter>${lazyBlock}${iface}</filter>`), { dst: "10.0.10.5", dport: 23 })).toBe("accept");
  });

  it("forwards ports to the target, filtered at the translated address; rdr pass needs no rule", () => {
    const nat = (assoc: string) => `<nat><rule><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><network>wanip</network><port>2525</port></destination><target>10.0.10.25</target><local-port>25</local-port><associated-rule-id>${assoc}</associated-rule-id></rule></nat>`;
    const filter = `<filter>${rule(`<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><address>10.0.10.25</address><port>25</port></destination>`)}</filter>`;
    expect(verdict(pf(nat("nat_1") + filter), { dst: "203.0.113.2", dport: 2525, hook: "forward", oif: "opt1" })).toBe("accept");
    expect(verdict(pf(nat("nat_1") + "<filter></filter>"), { dst: "203.0.113.2", dport: 2525, hook: "forward", oif: "opt1" })).toBe("drop");
    expect(verdict(pf(nat("pass") + "<filter></filter>"), { dst: "203.0.113.2", dport: 2525, hook: "forward", oif: "opt1" })).toBe("accept");
  });

  it("two port forwards with rdr pass are two findings, one at each NAT rule", () => {
    const fwd = (port: number, host: string) => `<rule><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><network>wanip</network><port>${port}</port></destination><target>${host}</target><local-port>22</local-port><associated-rule-id>pass</associated-rule-id></rule>`;
    const text = `<?xml version="1.0"?>\n<pfsense>\n${IFACES}\n<nat>\n${fwd(2222, "10.0.10.5")}\n${fwd(2223, "10.0.10.6")}\n</nat><filter></filter>\n</pfsense>\n`;
    const ssh = analyzeText("config.xml", text, { inputFormat: "pfsense" }).findings.filter((f) => f.ruleId === "exposed-service" && f.exposure?.service === "ssh");
    expect(ssh.map((f) => [f.location.line, f.witness?.dport])).toEqual([
      [9, 2222],
      [10, 2223],
    ]);
  });

  it("adds the anti-lockout rule on lan unless disabled, and blocks private sources on a blockpriv interface", () => {
    const lanToGui = { dst: "192.168.1.1", dport: 443, iif: "lan", src: "192.168.1.50", hook: "input" as const };
    expect(verdict(pf(`<filter></filter>`), lanToGui)).toBe("accept");
    expect(verdict(pf(`<system><webgui><noantilockout/></webgui></system><filter></filter>`), lanToGui)).toBe("drop");
    const any = `<filter>${rule(`<type>pass</type><interface>wan</interface><source><any/></source><destination><any/></destination>`)}</filter>`;
    expect(verdict(pf(any), { dst: "10.0.10.5", src: "10.9.9.9" })).toBe("drop");
    expect(verdict(pf(any), { dst: "10.0.10.5", src: "198.51.100.9" })).toBe("accept");
  });

  it("puts traffic to the firewall's addresses on the inbound path, and reports the web GUI", () => {
    const rs = pf(`<system><webgui><protocol>https</protocol><port>8443</port></webgui></system><filter>${rule(`<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><network>wanip</network><port>22</port></destination>`)}</filter>`);
    expect(verdict(rs, { dst: "203.0.113.2", dport: 22, hook: "input" })).toBe("accept");
    expect(verdict(rs, { dst: "203.0.113.2", dport: 23, hook: "input" })).toBe("drop");
    expect(verdict(rs, { dst: "10.0.10.5", dport: 22, hook: "input" })).toBe("drop");
    expect(rs.deviceServices?.[0]?.ports).toEqual([[8443, 8443]]);
    expect(rs.internetInterfaces).toEqual(["wan"]);
  });

  it("reads IPv6 rules and inet46 rules per family", () => {
    const rs = pf(`<filter>${rule(`<type>pass</type><interface>wan</interface><ipprotocol>inet46</ipprotocol><protocol>tcp</protocol><source><any/></source><destination><network>opt1</network><port>443</port></destination>`)}</filter>`);
    expect(verdict(rs, { dst: "2001:db8:10::80", dport: 443 })).toBe("accept");
    expect(verdict(rs, { dst: "10.0.10.80", dport: 443 })).toBe("accept");
    expect(verdict(rs, { dst: "2001:db8:11::80", dport: 443 })).toBe("drop");
  });

  it("reads OPNsense MVC aliases and MVC rules (value-based booleans)", () => {
    const rs = pf(`<OPNsense><Firewall><Alias><aliases><alias uuid="1"><enabled>1</enabled><name>SRV</name><type>host</type><content>10.0.10.40
10.0.10.41</content></alias></aliases></Alias>
<Filter><rules><rule uuid="a"><enabled>1</enabled><action>pass</action><interface>wan</interface><ipprotocol>inet</ipprotocol><protocol>TCP</protocol><source_net>any</source_net><destination_net>SRV</destination_net><destination_port>443</destination_port></rule>
<rule uuid="b"><enabled>0</enabled><action>pass</action><interface>wan</interface><ipprotocol>inet</ipprotocol><protocol>TCP</protocol><source_net>any</source_net><destination_net>any</destination_net></rule></rules></Filter></Firewall></OPNsense>`, "opnsense");
    expect(errors(rs)).toEqual([]);
    expect(verdict(rs, { dst: "10.0.10.41", dport: 443 })).toBe("accept");
    expect(verdict(rs, { dst: "10.0.10.42", dport: 443 })).toBe("drop");
  });

  it("reports bad input at its line and column, never throws, and reads the rest", () => {
    const text = `<?xml version="1.0"?>\n<pfsense>\n${IFACES}\n<filter>\n<rule><type>allow</type><interface>wan</interface></rule>\n<rule><type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><address>NOPE</address><port>25</port></destination></rule>\n<rule><type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><address>10.0.10.25</address><port>25</port></destination></rule>\n</filter>\n</pfsense>\n`;
    const rs = parsePfsense(text, "config.xml");
    expect(errors(rs)).toEqual([
      "9:7 rule 1: <type> 'allow' is not pass, block or reject",
      "10:110 rule 2: 'NOPE' is not an IP address, a network, a range a-b or a defined alias",
    ]);
    expect(verdict(rs, { dst: "10.0.10.25" })).toBe("accept");
    const broken = parsePfsense(`<pfsense><filter><rule><type>pass</type></filter>`, "bad.xml");
    expect(broken.diagnostics.some((d) => d.severity === "error" && d.message.startsWith("malformed XML"))).toBe(true);
    expect(() => parsePfsense("\u0000<<>>", "x.xml")).not.toThrow();
  });

  it("reads OPNsense's flags by value, <interfacenot>, comma-separated groups and run-time alias tables", () => {
    const pass22 = (extra: string) => rule(`<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><any/><port>22</port></destination>${extra}`);
    expect(verdict(pf(`<filter>${pass22("<disabled>0</disabled>")}</filter>`, "opnsense"), { dst: "10.0.10.5", dport: 22 })).toBe("accept");
    expect(verdict(pf(`<filter>${pass22("<disabled>1</disabled>")}</filter>`, "opnsense"), { dst: "10.0.10.5", dport: 22 })).toBe("drop");
    // <quick>0</quick> on an interface rule: last match, so the later quick block wins
    const blockAll = rule(`<type>block</type><interface>wan</interface><quick>1</quick><source><any/></source><destination><any/></destination>`);
    expect(verdict(pf(`<filter>${pass22("<quick>0</quick>")}${blockAll}</filter>`, "opnsense"), { dst: "10.0.10.5", dport: 22 })).toBe("drop");
    // a floating quick block on every interface but lan
    const notLan = rule(`<type>block</type><interface>lan</interface><interfacenot>1</interfacenot><floating>yes</floating><quick>1</quick><direction>in</direction><protocol>tcp</protocol><source><any/></source><destination><any/><port>22</port></destination>`);
    expect(verdict(pf(`<filter>${notLan}${pass22("")}</filter>`, "opnsense"), { dst: "10.0.10.5", dport: 22 })).toBe("drop");
    const groups = pf(`<ifgroups version="1.0.0"><ifgroupentry><ifname>INTERNAL</ifname><members>lan,opt1</members></ifgroupentry></ifgroups><filter>${rule(`<type>pass</type><interface>INTERNAL</interface><source><any/></source><destination><any/></destination>`)}</filter>`, "opnsense");
    expect(verdict(groups, { src: "192.168.1.5", dst: "10.0.10.5", iif: "lan", oif: "opt1" })).toBe("accept");
    const ext = pf(`<OPNsense><Firewall><Alias><aliases><alias><name>crowdsec</name><type>external</type><content></content></alias></aliases></Alias></Firewall></OPNsense><filter>${rule(`<type>block</type><interface>wan</interface><source><address>crowdsec</address></source><destination><any/></destination>`)}${pass22("")}</filter>`, "opnsense");
    expect(verdict(ext, { dst: "10.0.10.5", dport: 22 })).toBe("unknown");
  });

  it("blocks IPv6 without 'Allow IPv6', leaves interfaces without <enable> out, and reads ICMPv6 types", () => {
    const v6pass = rule(`<type>pass</type><interface>wan</interface><ipprotocol>inet6</ipprotocol><protocol>tcp</protocol><source><any/></source><destination><any/></destination>`);
    expect(verdict(pf(`<filter>${v6pass}</filter>`), { dst: "2001:db8:10::5", dport: 443 })).toBe("accept");
    expect(verdict(pf(`<filter>${v6pass}</filter>`, "pfsense", false), { dst: "2001:db8:10::5", dport: 443 })).toBe("drop");
    const off = parsePfsense(`<pfsense><system><ipv6allow/></system><interfaces><wan><enable/><if>em0</if><ipaddr>203.0.113.2</ipaddr><subnet>24</subnet></wan><lan><enable/><if>em1</if><ipaddr>192.168.1.1</ipaddr><subnet>24</subnet></lan><opt1><if>em2</if><ipaddr>10.0.10.1</ipaddr><subnet>24</subnet></opt1></interfaces><filter>${rule(`<type>pass</type><interface>opt1</interface><source><any/></source><destination><any/></destination>`)}</filter></pfsense>`, "c.xml");
    expect(off.diagnostics.some((d) => d.severity === "info" && d.message.startsWith("interface 'opt1' is not enabled"))).toBe(true);
    expect(verdict(off, { src: "10.0.10.5", dst: "192.168.1.5", iif: "opt1", oif: "lan" })).toBe("drop");
    const echo = pf(`<filter>${rule(`<type>pass</type><interface>wan</interface><ipprotocol>inet6</ipprotocol><protocol>ipv6-icmp</protocol><icmp6-type>echoreq</icmp6-type><source><any/></source><destination><any/></destination>`)}</filter>`);
    expect(verdict(echo, { dst: "2001:db8:10::5", proto: "icmpv6", icmp_type: 128, dport: undefined })).toBe("accept");
    expect(verdict(echo, { dst: "2001:db8:10::5", proto: "icmpv6", icmp_type: 1, dport: undefined })).toBe("drop");
  });
});
