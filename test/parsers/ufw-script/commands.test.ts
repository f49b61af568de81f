/**
 * ufw's commands as ufw 0.36 runs them (parsers/ufw-script/commands.ts): the iptables lines of
 * the user rules files fwlint writes for a sequence of commands against those the real ufw
 * writes for it in a sandbox (sandbox.ts) - same lines, same order, same failing commands - and
 * the package's before.rules and after.rules (stock.ts) against the package's own files. Needs
 * root and ufw; skips with a message otherwise, and FWLINT_REQUIRE_KERNEL=1 (CI) turns the skip
 * into a failure. Some expectations are written out, to run everywhere.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UfwCommands } from "../../../parsers/ufw-script/commands.js";
import { stockRules } from "../../../parsers/ufw-script/stock.js";
import { profilesFrom } from "../../../parsers/ufw-script/profiles.js";
import { ufwMissing, ufwSandbox } from "./sandbox.js";

/** Command sequences, each run from a fresh ufw (the words after `ufw`). */
export const SEQUENCES: readonly (readonly string[])[][] = [
  [["allow", "22/tcp"], ["allow", "from", "192.0.2.0/24", "to", "any", "port", "3306", "proto", "tcp"], ["limit", "ssh"], ["allow", "25"]],
  [["default", "deny", "incoming"], ["allow", "ssh"], ["allow", "http"], ["allow", "https"], ["deny", "from", "203.0.113.7"]],
  [["allow", "in", "on", "eth0", "to", "any", "port", "80"], ["allow", "out", "53"], ["reject", "23"], ["reject", "out", "25/tcp"]],
  [["allow", "proto", "udp", "from", "10.0.0.0/8", "port", "53", "to", "any"], ["allow", "from", "2001:db8::/32", "to", "any", "port", "22", "proto", "tcp"]],
  [["allow", "60000:61000/udp"], ["allow", "80,443/tcp"], ["allow", "proto", "tcp", "to", "any", "port", "8000:8100"]],
  [["allow", "log", "22/tcp"], ["deny", "log-all", "from", "198.51.100.0/24"]],
  [["allow", "22"], ["deny", "22"], ["delete", "deny", "22"], ["allow", "25/tcp"]],
  [["allow", "80/tcp"], ["insert", "1", "deny", "from", "203.0.113.5"], ["allow", "from", "10.0.0.1"], ["insert", "2", "deny", "from", "203.0.113.9", "to", "any", "port", "80"]],
  [["route", "allow", "in", "on", "eth1", "out", "on", "eth0"], ["route", "allow", "in", "on", "eth1", "out", "on", "eth0", "to", "any", "port", "80", "proto", "tcp"], ["route", "deny", "from", "10.0.0.0/8", "to", "any", "port", "25", "proto", "tcp"]],
  [["allow", "proto", "esp", "from", "192.0.2.1", "to", "any"], ["allow", "proto", "gre", "from", "any", "to", "any"], ["allow", "proto", "ipv6", "from", "any", "to", "any"]],
  [["allow", "from", "10.1.2.3/8"], ["allow", "from", "192.168.1.5/32", "to", "192.168.1.10", "port", "22"], ["allow", "to", "10.0.0.0/255.255.0.0"]],
  [["allow", "22/tcp", "comment", "ssh access"], ["allow", "22/tcp"], ["allow", "22/tcp", "comment", "other"]],
  [["allow", "domain"], ["allow", "ntp"], ["allow", "smtp"], ["allow", "imaps"]],
  [["allow", "22/udp/x"], ["allow", "99999"], ["allow", "from", "any", "port", "ssh", "to", "any", "port", "http"], ["deny", "proto", "tcp", "from", "any", "port", "80"]],
  [["reset"], ["allow", "443"], ["prepend", "deny", "from", "198.51.100.1"], ["prepend", "deny", "from", "198.51.100.2"]],
  [["allow", "in", "on", "eth0"], ["deny", "out", "on", "eth1", "to", "10.0.0.0/8"], ["allow", "in", "on", "wg0", "from", "10.8.0.0/24"]],
  [["limit", "in", "on", "eth0", "to", "any", "port", "22", "proto", "tcp"], ["allow", "from", "any", "to", "any", "port", "25", "proto", "tcp"]],
  [["allow", "to", "2001:db8::1", "port", "443", "proto", "tcp"], ["deny", "from", "2001:db8:0:0::/64"], ["allow", "from", "fe80::1"], ["reject", "proto", "tcp", "from", "any", "to", "any", "port", "23"]],
  [["allow", "in", "on", "eth0", "log", "from", "any", "to", "any", "port", "8080", "proto", "tcp"], ["deny", "out", "on", "eth0", "from", "any", "to", "any", "port", "25"]],
  [["allow", "1:1024/tcp"], ["allow", "from", "any", "to", "any", "port", "22,80,443", "proto", "tcp"], ["deny", "from", "any", "port", "1000:2000", "to", "any", "port", "53", "proto", "udp"]],
  [["allow", "from", "192.0.2.0/24", "to", "2001:db8::1"], ["allow", "proto", "igmp", "from", "2001:db8::1", "to", "any"], ["allow", "from", "10.0.0.0/33"], ["deny", "22/sctp"]],
  [["allow", "80"], ["insert", "2", "allow", "from", "192.0.2.9"], ["insert", "1", "allow", "from", "2001:db8::9"], ["delete", "allow", "80"], ["delete", "allow", "8080"]],
  // application profiles: one rule per port spec, the profile named in a comment, replaced by name
  [["allow", "SSH"], ["allow", "WWW Full"], ["allow", "from", "10.0.0.0/8", "to", "any", "app", "SSH"], ["allow", "KTorrent"], ["deny", "Transmission"], ["limit", "SSH"], ["allow", "in", "on", "eth0", "to", "any", "app", "IMAPS"]],
  [["allow", "CIFS"], ["allow", "log", "DNS"], ["reject", "MSN"], ["delete", "allow", "CIFS"], ["allow", "Kerberos Full"], ["allow", "443,80,22/tcp"]],
  [["allow", "NFS"], ["allow", "to", "2001:db8::1", "app", "WWW"], ["deny", "from", "192.0.2.0/24", "to", "any", "app", "Mail submission"], ["allow", "OpenSSH"], ["allow", "Nginx Full"]],
  // insert and prepend of rules for both families: the IPv6 rule kept in step with the IPv4 one
  [["allow", "22"], ["allow", "80"], ["insert", "1", "deny", "23"], ["insert", "3", "allow", "from", "10.0.0.1"], ["insert", "2", "reject", "25/tcp"]],
  [["allow", "22/tcp"], ["allow", "from", "2001:db8::1"], ["insert", "3", "deny", "80"], ["prepend", "allow", "443"], ["insert", "4", "allow", "8080"]],
  [["prepend", "deny", "23"], ["prepend", "deny", "24"], ["allow", "SSH"], ["allow", "WWW Full"], ["insert", "2", "allow", "25"], ["insert", "5", "allow", "26"]],
  // delete by number with --force: the IPv4 rules numbered first, then the IPv6 ones
  [["allow", "22"], ["allow", "80/tcp"], ["allow", "from", "10.0.0.0/8"], ["--force", "delete", "2"], ["--force", "delete", "4"]],
  [["allow", "22"], ["--force", "delete", "9"], ["allow", "from", "2001:db8::1"], ["--force", "delete", "3"], ["-f", "delete", "1"]],
  // (found by random sequences against the real ufw: a logged reject's --reject-with, `proto any` with a service)
  [["default", "reject", "outgoing"], ["allow", "http/udp"], ["reject", "log-all", "6000:6007/tcp"], ["reject", "log-all", "to", "2001:db8::/32", "port", "domain"]],
  [["deny", "out", "on", "eth0", "to", "198.51.100.0/255.255.255.0", "port", "http", "proto", "any"], ["delete", "limit", "from", "198.51.100.0/255.255.255.0", "to", "any", "port", "ssh", "proto", "igmp"]],
];

/** The user rules' lines (not the rate-limit chains' own: the package's user.rules has no END RULES mark before them). */
const rulesOf = (text: string) => text.slice(text.indexOf("### RULES ###")).split("\n").filter((l) => l.startsWith("-A") && !/^-A ufw6?-user-limit(-accept)? /.test(l) && !/^-A ufw6?-(after|before)-logging|^-[AI] ufw6?-logging-(deny|allow)/.test(l));

/** fwlint's user rule lines for each family and each command's outcome. */
function ours(seq: readonly (readonly string[])[]): { 4: string[]; 6: string[]; outcomes: string[] } {
  const u = new UfwCommands(() => {}, () => {});
  const outcomes = seq.map((argv, k) => u.run(argv.map((text) => ({ text, pos: { line: k + 1, column: 5 } })), { text: "ufw", pos: { line: k + 1, column: 1 } }));
  const lines = (f: 4 | 6) => rulesOf(u.userRules(f).map((l) => l.text).join("\n"));
  return { 4: lines(4), 6: lines(6), outcomes };
}

const missing = ufwMissing();
const required = process.env.FWLINT_REQUIRE_KERNEL === "1";

describe("ufw commands against the real ufw", () => {
  if (missing && required) it("needs ufw", () => expect.fail(`FWLINT_REQUIRE_KERNEL=1 but ${missing}`));
  if (missing) console.warn(`ufw commands against the real ufw skipped: ${missing}`);
  it.skipIf(missing !== undefined)("write the user rules ufw writes, command by command (and fail where it fails)", () => {
    let compared = 0;
    for (const seq of SEQUENCES) {
      const { dir, bin } = ufwSandbox();
      try {
        const status = seq.map((argv) => spawnSync("unshare", ["-n", join(bin, "ufw"), ...argv], { encoding: "utf8" }).status);
        const real = { 4: rulesOf(readFileSync(join(dir, "etc/ufw/user.rules"), "utf8")), 6: rulesOf(readFileSync(join(dir, "etc/ufw/user6.rules"), "utf8")) };
        const got = ours(seq);
        // (a command fwlint does not follow - told and left out - has no outcome to compare)
        if (got.outcomes.includes("unknown")) continue;
        expect({ 4: got[4], 6: got[6], failed: got.outcomes.map((o) => o === "fail") }, JSON.stringify(seq)).toEqual({ 4: real[4], 6: real[6], failed: status.map((s) => s !== 0) });
        compared++;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    expect(compared).toBe(SEQUENCES.length);
  }, 120_000);

  it.skipIf(missing !== undefined)("the package's before.rules and after.rules, rule by rule", () => {
    const rules = (t: string) => t.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
    for (const f of [4, 6] as const) for (const k of ["before", "after"] as const) expect(rules(stockRules(f)[k]), `${k}${f === 6 ? "6" : ""}.rules`).toEqual(rules(readFileSync(`/usr/share/ufw/${k}${f === 6 ? "6" : ""}.rules`, "utf8")));
  });
});

describe("ufw commands, written out", () => {
  it("a port of any protocol is a tcp and a udp rule; limit three; a rule for an IPv4 source is IPv4's only", () => {
    const got = ours([["allow", "53"], ["limit", "ssh"], ["deny", "from", "203.0.113.7"], ["reject", "out", "25/tcp"]]);
    expect(got[4]).toEqual([
      "-A ufw-user-input -p tcp --dport 53 -j ACCEPT",
      "-A ufw-user-input -p udp --dport 53 -j ACCEPT",
      "-A ufw-user-input -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set",
      "-A ufw-user-input -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 30 --hitcount 6 -j ufw-user-limit",
      "-A ufw-user-input -p tcp --dport 22 -j ufw-user-limit-accept",
      "-A ufw-user-input -s 203.0.113.7 -j DROP",
      "-A ufw-user-output -p tcp --dport 25 -j REJECT --reject-with tcp-reset",
    ]);
    expect(got[6]).toHaveLength(6);
    expect(got.outcomes).toEqual(["ok", "ok", "ok", "ok"]);
  });

  it("a rule matching one but for its action replaces it where it stands; delete removes it; bad ones fail", () => {
    const got = ours([["allow", "22/tcp"], ["allow", "80/tcp"], ["deny", "22/tcp"], ["delete", "allow", "80/tcp"], ["allow", "99999"], ["allow", "from", "10.0.0.0/8", "to", "2001:db8::1"]]);
    expect(got[4]).toEqual(["-A ufw-user-input -p tcp --dport 22 -j DROP"]);
    expect(got.outcomes).toEqual(["ok", "ok", "ok", "ok", "fail", "fail"]);
  });

  it("what depends on the host is told and left out: a profile it does not know, delete by number, insert of a profile's rules", () => {
    const said: string[] = [];
    const u = new UfwCommands((_, m) => said.push(m), (_, m) => said.push(`error ${m}`));
    const run = (...argv: string[]) => u.run(argv.map((text) => ({ text, pos: { line: 1, column: 5 } })), { text: "ufw", pos: { line: 1, column: 1 } });
    expect([run("allow", "Plex"), run("delete", "3"), run("allow", "22/tcp"), run("insert", "1", "allow", "80/tcp"), run("insert", "1", "allow", "OpenSSH"), run("allow", "OpenSSH")]).toEqual(["unknown", "unknown", "ok", "ok", "unknown", "ok"]);
    expect(said).toEqual([
      "'ufw allow Plex' skipped: application profile 'Plex' is defined by the host's packages (/etc/ufw/applications.d), which fwlint does not know",
      "'ufw delete 3' skipped: without --force ufw asks \"Proceed with operation (y|n)?\" on its standard input, which fwlint does not know",
      "'ufw insert 1 allow OpenSSH' skipped: fwlint does not follow insert and prepend of an application profile's rules",
    ]);
    expect(rulesOf(u.userRules(6).map((l) => l.text).join("\n"))).toEqual(["-A ufw6-user-input -p tcp --dport 80 -j ACCEPT", "-A ufw6-user-input -p tcp --dport 22 -j ACCEPT", "-A ufw6-user-input -p tcp --dport 22 -j ACCEPT -m comment --comment 'dapp_OpenSSH'"]);
  });

  it("a profile the tree defines (its etc/ufw/applications.d) is one rule per port spec", () => {
    const u = new UfwCommands(() => {}, () => {}, profilesFrom(new Map([["etc/ufw/applications.d/plex", "[Plex]\ntitle=Plex\ndescription=media\nports=32400/tcp|1900,5353/udp\n"]])));
    expect(u.run([{ text: "allow", pos: { line: 1, column: 5 } }, { text: "Plex", pos: { line: 1, column: 11 } }], { text: "ufw", pos: { line: 1, column: 1 } })).toBe("ok");
    expect(rulesOf(u.userRules(4).map((l) => l.text).join("\n"))).toEqual([
      "-A ufw-user-input -p tcp --dport 32400 -j ACCEPT -m comment --comment 'dapp_Plex'",
      "-A ufw-user-input -p udp -m multiport --dports 1900,5353 -j ACCEPT -m comment --comment 'dapp_Plex'",
    ]);
  });
});
