/**
 * `-m set --match-set` in an iptables ruleset read with the ipsets saved beside it: what the rule
 * then matches (per packet, through the evaluator), what stays unknown and why, and the warnings
 * for what the kernel would make of a set that is missing, of the other family, or given too few
 * flags. The set membership itself is checked against the kernel in test/kernel/ipset-membership.test.ts.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../../parsers/iptables/index.js";
import { parseIptablesScript } from "../../../parsers/iptables-script/index.js";
import { verdictFor } from "../../../src/analysis/verdict.js";
import type { Packet } from "../../../src/model/finding.js";
import type { Condition, Ruleset } from "../../../src/model/types.js";

const SETS = [
  "create admins hash:net family inet",
  "add admins 192.0.2.0/24",
  "create mon4 hash:ip family inet",
  "add mon4 198.51.100.10",
  "create mon6 hash:net family inet6",
  "add mon6 2001:db8::/32",
  "create mon list:set size 8",
  "add mon mon4",
  "add mon mon6",
  "create bans hash:ip family inet timeout 600",
  "add bans 203.0.113.66 timeout 300",
  "create knock hash:ip family inet",
  "create svc hash:ip,port family inet",
  "add svc 10.0.0.1,tcp:443",
].join("\n");

function rules(lines: string[], family: 4 | 6 = 4, sets: string | null = SETS): Ruleset {
  const save = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]", ...lines, "COMMIT", ""].join("\n");
  const files: Record<string, string> = sets === null ? {} : { "/etc/iptables/ipsets": sets };
  return parseIptablesSave(save, "/etc/iptables/rules.v4", {
    family,
    io: { readFile: (p) => files[p], listDir: (d) => (d === "/etc/iptables" ? ["ipsets", "rules.v4"].filter((n) => n !== "ipsets" || sets !== null) : d === "/etc" ? ["iptables"] : undefined) },
  });
}
const tcp = (src: string, dport: number, dst = "10.0.0.1"): Packet => ({ family: src.includes(":") ? 6 : 4, proto: "tcp", src, dst, sport: 40000, dport, hook: "input", iif: "eth0" });
const verdict = (rs: Ruleset, p: Packet) => verdictFor(rs, p).verdict;
const conditions = (rs: Ruleset): Condition[] => rs.chains.get("filter/INPUT")!.rules[0]!.conditions;
const said = (rs: Ruleset) => rs.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity}: ${d.message}`);

describe("iptables -m set with the ipsets saved beside the ruleset", () => {
  it("matches the set's elements; `!` the rest; the info says which file was read", () => {
    const rs = rules(["-A INPUT -p tcp --dport 22 -m set --match-set admins src -j ACCEPT", "-A INPUT -p tcp --dport 80 -m set ! --match-set admins src -j ACCEPT"]);
    expect(said(rs)).toEqual(["/etc/iptables/rules.v4:5:35 info: ipsets read from /etc/iptables/ipsets (7 sets)"]);
    expect(rs.includedFiles).toEqual(["/etc/iptables/ipsets"]);
    expect([verdict(rs, tcp("192.0.2.9", 22)), verdict(rs, tcp("192.0.3.9", 22))]).toEqual(["accept", "drop"]);
    expect([verdict(rs, tcp("192.0.2.9", 80)), verdict(rs, tcp("192.0.3.9", 80))]).toEqual(["drop", "accept"]);
  });

  it("a list:set matches what one of its members holds; an IPv4 rule never matches its inet6 member", () => {
    const rs = rules(["-A INPUT -p udp --dport 161 -m set --match-set mon src -j ACCEPT"]);
    const udp = (src: string): Packet => ({ family: src.includes(":") ? 6 : 4, proto: "udp", src, dst: src.includes(":") ? "2001:db8:ffff::1" : "10.0.0.1", sport: 40000, dport: 161, hook: "input", iif: "eth0" });
    expect([verdict(rs, udp("198.51.100.10")), verdict(rs, udp("198.51.100.11"))]).toEqual(["accept", "drop"]);
    const rs6 = rules(["-A INPUT -p udp --dport 161 -m set --match-set mon src -j ACCEPT"], 6);
    expect([verdict(rs6, udp("2001:db8::5")), verdict(rs6, udp("2001:db9::5"))]).toEqual(["accept", "drop"]);
  });

  it("a set of the other family, or too few flags, matches nothing, with a warning", () => {
    const rs = rules(["-A INPUT -m set --match-set mon6 src -j ACCEPT", "-A INPUT -m set --match-set svc src -j ACCEPT"]);
    expect(said(rs).filter((s) => !s.includes(" info: "))).toEqual([
      "/etc/iptables/rules.v4:5:29 warning: set 'mon6' holds IPv6 elements: in an iptables (IPv4) rule it matches no packet",
      "/etc/iptables/rules.v4:6:33 warning: set 'svc' (hash:ip,port) has 2 dimensions and 1 flag given: the kernel matches no packet",
    ]);
    expect(verdict(rs, tcp("10.0.0.1", 443))).toBe("drop");
  });

  it("a source set whose elements time out and only something outside fills: the saved elements, then what may be added", () => {
    const rs = rules(["-A INPUT -m set --match-set bans src -j DROP", "-A INPUT -m set ! --match-set bans src -p tcp --dport 25 -j ACCEPT", "-A INPUT -m set --match-set quiet src -j DROP"], 4, `${SETS}\ncreate quiet hash:ip family inet timeout 600`);
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const banned = { kind: "addr", field: "src", family: 4, ranges: [{ lo: 0xcb007142n, hi: 0xcb007142n }] };
    const added = (text: string, set: string, ordinary: boolean) => ({ kind: "unknown", text, reason: `the elements of ipset '${set}' time out and only something outside the ruleset adds them: the saved ones are read, what may be added is not known`, ordinary });
    const rules4 = rs.chains.get("filter/INPUT")!.rules;
    // one line, two rules: the banned address for certain, then whoever is added (not a stranger)
    expect(rules4.map((r) => [r.span.line, r.conditions])).toEqual([
      [5, [banned]],
      [5, [{ ...banned, negate: true }, added("-m set --match-set bans src", "bans", false)]],
      [6, [{ ...banned, negate: true }, added("-m set ! --match-set bans src", "bans", true), { kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: [[25, 25]] }]],
      [7, [added("-m set --match-set quiet src", "quiet", false)]],
    ]);
    expect(verdict(rs, tcp("203.0.113.66", 25))).toBe("drop");
    // a stranger: unknown, and accepted on the way ordinary traffic goes
    const v = verdictFor(rs, tcp("198.51.100.7", 25));
    expect(v.verdict).toBe("unknown");
    expect(v.paths.filter((p) => p.ordinary).map((p) => p.verdict)).toEqual(["accept"]);
  });

  it("a set whose elements time out looked up by another key: the saved elements, then what may be added, unknown for strangers too", () => {
    // a daemon opens ports for a while (hash:ip,port keyed by the destination)
    const sets = `${SETS}\ncreate opened hash:ip,port family inet timeout 3600\nadd opened 10.0.0.1,tcp:8443 timeout 1200`;
    const rs = rules(["-A INPUT -m set --match-set opened dst,dst -j ACCEPT"], 4, sets);
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const lines = rs.chains.get("filter/INPUT")!.rules;
    expect(lines.map((r) => r.span.line)).toEqual([5, 5]);
    const added = lines[1]!.conditions.find((c) => c.kind === "unknown")!;
    expect(added).toEqual({ kind: "unknown", text: "-m set --match-set opened dst,dst", reason: "the elements of ipset 'opened' time out and only something outside the ruleset adds them: the saved ones are read, what may be added is not known" });
    // the saved element for certain; another port may have been opened since, for strangers too
    expect(verdict(rs, tcp("198.51.100.7", 8443))).toBe("accept");
    const other = verdictFor(rs, tcp("198.51.100.7", 8444));
    expect(other.verdict).toBe("unknown");
    expect(other.paths.some((p) => p.ordinary)).toBe(false);
    expect(verdict(rs, tcp("198.51.100.7", 8443, "10.0.0.2"))).toBe("unknown");
  });

  it("what the saved content cannot tell stays unknown: sets the ruleset fills, --return-nomatch, counters", () => {
    const reasons = (lines: string[]) => conditions(rules(lines)).flatMap((c) => (c.kind === "unknown" ? [c.reason] : []));
    expect(reasons(["-A INPUT -m set --match-set knock src -j ACCEPT", "-A INPUT -p tcp --dport 7000 -j SET --add-set knock src"])).toEqual(["ipset 'knock' is filled by the ruleset itself (-j SET)"]);
    expect(reasons(["-A INPUT -m set --match-set admins src --return-nomatch -j ACCEPT"])).toEqual(["--return-nomatch of match set is not modelled"]);
    expect(reasons(["-A INPUT -m set --match-set admins src --packets-gt 10 -j ACCEPT"])).toEqual(["--packets-gt of match set is not modelled"]);
    // updating counters changes no verdict
    expect(reasons(["-A INPUT -m set --match-set admins src ! --update-counters -j ACCEPT"])).toEqual([]);
  });

  it("a set the files do not define: unknown, and a warning that iptables-restore refuses it", () => {
    const rs = rules(["-A INPUT -m set --match-set nosuch src -j ACCEPT"]);
    expect(said(rs)[1]).toBe("/etc/iptables/rules.v4:5:29 warning: set 'nosuch' is not in the ipset files read: iptables-restore refuses the rule unless the set exists when it loads");
    expect(conditions(rs)).toEqual([{ kind: "unknown", text: "-m set --match-set nosuch src", reason: "ipset 'nosuch' is defined outside the ruleset" }]);
  });

  it("no ipset file beside it (nor in the folder above): unknown, as before, with an info that says where it looked", () => {
    const rs = rules(["-A INPUT -m set --match-set admins src -j ACCEPT"], 4, null);
    expect(said(rs)).toEqual(["/etc/iptables/rules.v4:5:17 info: no ipset save file beside the ruleset (a file named *ipset* in its folder or the one above): which packets the sets hold is unknown"]);
    expect(conditions(rs)[0]!.kind).toBe("unknown");
  });

  it("flags iptables refuses are an error at the flags", () => {
    const rs = rules(["-A INPUT -m set --match-set admins source -j ACCEPT"]);
    expect(said(rs)).toContain("/etc/iptables/rules.v4:5:36 error: expected up to 6 comma-separated flags, each 'src' or 'dst', after --match-set admins, found 'source'");
  });

  it("a script of iptables commands reads the ipsets beside it too, unless it runs ipset itself", () => {
    const io = { readFile: (p: string) => (p === "/etc/fw/ipsets" ? SETS : undefined), listDir: (d: string) => (d === "/etc/fw" ? ["firewall.sh", "ipsets"] : undefined) };
    const script = "#!/bin/sh\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -m set --match-set admins src -j ACCEPT\n";
    const rs = parseIptablesScript(script, "/etc/fw/firewall.sh", { io });
    expect(said(rs)).toContain("/etc/fw/firewall.sh:3:44 info: ipsets read from /etc/fw/ipsets (7 sets)");
    expect([verdict(rs, tcp("192.0.2.9", 22)), verdict(rs, tcp("192.0.3.9", 22))]).toEqual(["accept", "drop"]);
    // a script that restores its sets from a file the scanned tree does not hold: they stay unknown, and it says why
    const restoring = parseIptablesScript(script.replace("iptables -P", "ipset restore < /etc/ipset.conf\niptables -P"), "/etc/fw/firewall.sh", { io });
    expect(verdict(restoring, tcp("192.0.2.9", 22))).toBe("unknown");
    expect(said(restoring)).toContain(
      "/etc/fw/firewall.sh:2:15 info: ipset restore skipped: it reads /etc/ipset.conf: it is outside the scanned tree (/etc/fw), which holds no copy of it: what the script's ipsets hold is not known, and each -m set match is an unknown condition",
    );
  });

  it("a script that restores its sets from files of the tree: `< FILE`, `-file FILE`, `cat FILE |`, read at their lines", () => {
    const tree: Record<string, string> = {
      "/srv/fw/admins.save": "create admins hash:net family inet\nadd admins 192.0.2.0/24\n",
      "/srv/fw/etc/ipset.d/services.save": "create svc bitmap:port range 0-65535\nadd svc 25\n",
      "/srv/fw/bans.save": "create bans hash:ip\nadd bans 192.0.2.66\n",
    };
    const io = { readFile: (p: string) => tree[p], listDir: (d: string) => ({ "/srv/fw": ["admins.save", "bans.save", "etc", "firewall.sh"], "/srv/fw/etc": ["ipset.d"], "/srv/fw/etc/ipset.d": ["services.save"] })[d] };
    const script = (restores: string[]) =>
      ["#!/bin/sh", ...restores, "iptables -P INPUT DROP", "iptables -A INPUT -m set --match-set bans src -j DROP", "iptables -A INPUT -p tcp --dport 22 -m set --match-set admins src -j ACCEPT", "iptables -A INPUT -p tcp -m set --match-set svc dst -j ACCEPT", ""].join("\n");
    const rs = parseIptablesScript(script(["ipset -exist restore < ./admins.save", "ipset -exist -file /etc/ipset.d/services.save restore", "cat bans.save | ipset restore"]), "/srv/fw/firewall.sh", { io, root: "/srv/fw" });
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const probes = [tcp("192.0.2.9", 22), tcp("192.0.3.9", 22), tcp("198.51.100.1", 25), tcp("198.51.100.1", 26), tcp("192.0.2.66", 22), tcp("192.0.2.66", 25)];
    expect(probes.map((p) => verdict(rs, p))).toEqual(["accept", "drop", "accept", "drop", "drop", "drop"]);
    expect(said(rs)).toEqual([
      "/srv/fw/firewall.sh:2:22 info: ./admins.save read from the script's own folder: the shell reads it from the folder the script runs in",
      "/srv/fw/firewall.sh:3:20 info: /etc/ipset.d/services.save read in the scanned tree, /srv/fw taken for the root of the machine that runs the script",
      "/srv/fw/firewall.sh:4:5 info: bans.save read from the script's own folder: the shell reads it from the folder the script runs in",
    ]);
    expect(rs.includedFiles).toEqual(["/srv/fw/admins.save", "/srv/fw/etc/ipset.d/services.save", "/srv/fw/bans.save"]);
    // an error in a restored file: at its line and column there, as ipset restore reports it
    tree["/srv/fw/admins.save"] += "add admins 300.1.1.1\n";
    const bad = parseIptablesScript(script(["ipset restore < admins.save"]), "/srv/fw/firewall.sh", { io, root: "/srv/fw" });
    expect(said(bad)).toContain("/srv/fw/admins.save:3:12 error: expected an IPv4 address, found '300.1.1.1' (element of hash:net set 'admins')");
    // what fwlint cannot know: the script's own standard input, a here-document's value from the host
    const stdin = parseIptablesScript(script(["ipset restore"]), "/srv/fw/firewall.sh", { io, root: "/srv/fw" });
    expect(verdict(stdin, tcp("192.0.2.9", 22))).toBe("unknown");
    expect(said(stdin)[0]).toBe(
      "/srv/fw/firewall.sh:2:1 info: ipset restore skipped: it reads the script's own standard input, which fwlint does not know: what the script's ipsets hold is not known, and each -m set match is an unknown condition",
    );
    const hostValue = parseIptablesScript(script(["ADMINS=$(cat /run/admins)", "ipset restore <<EOF", "create admins hash:net", "add admins $ADMINS", "EOF"]), "/srv/fw/firewall.sh", { io, root: "/srv/fw" });
    expect(said(hostValue).find((d) => d.includes("ipset restore skipped"))).toMatch(/^\/srv\/fw\/firewall\.sh:5:12 info: ipset restore skipped: its here-document has a value known only when the script runs \(/);
  });

  it("a script that makes its sets with ipset commands: read from them, as the same sets saved beside a ruleset", () => {
    const rules4 = ["-A INPUT -p tcp --dport 22 -m set --match-set admins src -j ACCEPT", "-A INPUT -m set --match-set svc dst,dst -j ACCEPT", "-A INPUT -p udp -m set --match-set mon src -j ACCEPT", "-A INPUT -m set --match-set bans src -j DROP"];
    const saved = rules(rules4);
    // the clean-up a script does first (no set exists at boot), the sets made command by command - one
    // through $IPSET, one from a here-document -, then the rules
    const [first, ...rest] = SETS.split("\n");
    const text = [
      "#!/bin/sh",
      "IPSET=/usr/sbin/ipset",
      "ipset destroy admins 2>/dev/null",
      `$IPSET -exist ${first}`,
      ...rest.slice(0, 8).map((l) => `ipset ${l}`),
      "ipset restore <<'END'",
      ...rest.slice(8),
      "END",
      "iptables -P INPUT DROP",
      ...rules4.map((r) => `iptables ${r}`),
    ].join("\n");
    const made = parseIptablesScript(`${text}\n`, "/etc/fw/firewall.sh", { io: { readFile: () => undefined, listDir: () => undefined } });
    expect(made.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const probes = [tcp("192.0.2.9", 22), tcp("192.0.3.9", 22), tcp("203.0.113.66", 22), tcp("198.51.100.7", 443, "10.0.0.1"), tcp("198.51.100.7", 443, "10.0.0.2"), { ...tcp("198.51.100.10", 161), proto: "udp" as const }, { ...tcp("198.51.100.11", 161), proto: "udp" as const }];
    expect(probes.map((p) => verdict(made, p))).toEqual(probes.map((p) => verdict(saved, p)));
    expect(probes.map((p) => verdict(made, p))).toEqual(["accept", "drop", "drop", "accept", "drop", "accept", "drop"]);
    // a comment with blanks, quoted in the script, is one word of the element
    const commented = parseIptablesScript('#!/bin/sh\nipset create bl hash:ip comment\nipset add bl 203.0.113.9 comment "spam source"\niptables -P INPUT ACCEPT\niptables -A INPUT -m set --match-set bl src -j DROP\n', "/etc/fw/c.sh", { io: { readFile: () => undefined, listDir: () => undefined } });
    expect(commented.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect([verdict(commented, tcp("203.0.113.9", 25)), verdict(commented, tcp("203.0.113.8", 25))]).toEqual(["drop", "accept"]);
    // one ipset command fwlint does not follow (a loop) leaves every set unknown, and says where
    const looped = parseIptablesScript(`${text}\nfor ip in $(cat /etc/admins); do ipset add admins $ip; done\n`, "/etc/fw/firewall.sh", { io: { readFile: () => undefined, listDir: () => undefined } });
    expect(verdict(looped, tcp("192.0.3.9", 22))).toBe("unknown");
    expect(said(looped).find((d) => d.includes("does not follow this ipset command"))).toMatch(/^\/etc\/fw\/firewall\.sh:\d+:\d+ info: fwlint does not follow this ipset command \(in a loop/);
  });

  it("an init-style script's sets: a branch known not to run, or a function never called, leaves them known; an undecided one does not", () => {
    const none = { io: { readFile: () => undefined, listDir: () => undefined } };
    const init = (extra: string) =>
      [
        "#!/bin/sh",
        "ADMINS=192.0.2.0/24",
        "start() {",
        "  ipset create admins hash:net",
        "  ipset restore <<END",
        "add admins $ADMINS",
        "END",
        "  iptables -P INPUT DROP",
        "  iptables -A INPUT -p tcp --dport 22 -m set --match-set admins src -j ACCEPT",
        "}",
        "stop() { ipset destroy admins; iptables -P INPUT ACCEPT; }",
        "unused() { ipset flush admins; }",
        extra,
        'case "$1" in start) start ;; stop) stop ;; esac',
        "",
      ].join("\n");
    const known = parseIptablesScript(init(""), "/etc/init.d/fw", none);
    expect(known.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect([verdict(known, tcp("192.0.2.9", 22)), verdict(known, tcp("192.0.3.9", 22))]).toEqual(["accept", "drop"]);
    const undecided = parseIptablesScript(init("[ -d /etc/fw.d ] && ipset add admins 198.51.100.0/24"), "/etc/init.d/fw", none);
    expect(verdict(undecided, tcp("192.0.3.9", 22))).toBe("unknown");
    expect(said(undecided)).toContain("/etc/init.d/fw:13:21 info: fwlint does not follow this ipset command (in a loop or condition it does not decide, or with a value known only when the script runs): what the script's ipsets hold is not known, and each -m set match is an unknown condition");
  });
});
