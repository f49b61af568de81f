import { describe, expect, it } from "vitest";
import { detectUfw, parseUfw } from "../../../parsers/ufw/index.js";
import { composeUfw, readDefaults } from "../../../parsers/ufw/compose.js";
import { verdictFor } from "../../../src/analysis/verdict.js";
import type { IncludeIo } from "../../../parsers/file-io.js";
import type { Packet } from "../../../src/model/finding.js";
import { detectFormat } from "../../../src/engine/formats.js";
import { findingsOf } from "../../rules/harness.js";

const BEFORE = "*filter\n:ufw-before-input - [0:0]\n:ufw-before-output - [0:0]\n:ufw-before-forward - [0:0]\n-A ufw-before-input -i lo -j ACCEPT\n-A ufw-before-input -p tcp --dport 23 -j DROP\nCOMMIT\n";
const AFTER = "*filter\n:ufw-after-input - [0:0]\n:ufw-after-output - [0:0]\n:ufw-after-forward - [0:0]\n-A ufw-after-input -p tcp --dport 445 -j ufw-skip-to-policy-input\nCOMMIT\n";
const USER = "*filter\n:ufw-user-input - [0:0]\n:ufw-user-output - [0:0]\n:ufw-user-forward - [0:0]\n-A ufw-user-input -p tcp --dport 25 -j ACCEPT\n  -I ufw-user-input 1 -p tcp --dport 23 -j ACCEPT\nCOMMIT\n";

function io(files: Record<string, string>): IncludeIo {
  return { readFile: (p) => files[p], listDir: () => undefined };
}

const tcp = (dport: number, dst = "10.0.0.5"): Packet => ({ family: 4, proto: "tcp", src: "198.51.100.7", dst, sport: 40000, dport, hook: "input", iif: "eth0" });

describe("ufw rule files", () => {
  it("are recognised by their chains, not by iptables-save's", () => {
    for (const t of [BEFORE, AFTER, USER]) {
      expect(detectUfw(t)).toBe(true);
      expect(detectFormat(t)).toBe("ufw");
    }
    expect(detectUfw("*filter\n:INPUT DROP [0:0]\n:ufw-x - [0:0]\nCOMMIT\n")).toBe(false);
    expect(detectFormat("*filter\n:INPUT DROP [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n")).toBe("iptables");
    // a *nat block with built-ins in before.rules (masquerading) keeps it ufw's
    expect(detectUfw(`*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n${BEFORE}`)).toBe(true);
  });

  it("are read together, in the order ufw-init loads them, with the defaults' policies", () => {
    const rs = parseUfw(USER, "/etc/ufw/user.rules", { io: io({ "/etc/ufw/before.rules": BEFORE, "/etc/ufw/after.rules": AFTER, "/etc/default/ufw": 'DEFAULT_INPUT_POLICY="REJECT"\n' }) });
    expect(rs.format).toBe("ufw");
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    // user rules run after before.rules': the before.rules DROP of 23 wins over `ufw allow 23`
    expect(verdictFor(rs, tcp(23)).verdict).toBe("drop");
    expect(verdictFor(rs, tcp(25)).verdict).toBe("accept");
    // the default policy REJECT: ufw-reject-input rejects, INPUT's own policy is DROP
    expect(verdictFor(rs, tcp(80)).verdict).toBe("drop");
    expect(rs.chains.get("filter/INPUT")!.policy).toBe("drop");
    expect(rs.chains.get("filter/ufw-reject-input")!.rules.map((r) => r.action.kind)).toEqual(["reject"]);
    // every place is in the file that holds it; what ufw makes says so
    const user = rs.chains.get("filter/ufw-user-input")!.rules;
    expect(user.map((r) => [r.span.file, r.span.line, r.span.column])).toEqual([
      ["/etc/ufw/user.rules", 6, 3],
      ["/etc/ufw/user.rules", 5, 1],
    ]);
    expect(rs.chains.get("filter/ufw-before-input")!.rules.map((r) => `${r.span.file}:${r.span.line}${r.implied ? " implied" : ""}`)).toEqual([
      "/etc/ufw/before.rules:5",
      "/etc/ufw/before.rules:6",
      "/etc/ufw/user.rules:1 implied",
    ]);
    const hook = rs.chains.get("filter/INPUT")!.rules[1]!;
    expect(hook.implied).toBe(true);
    expect(hook.span.label).toBe("ufw hooks INPUT to ufw-before-input");
    expect(rs.chains.get("filter/INPUT")!.policySpan).toMatchObject({ file: "/etc/default/ufw", line: 1 });
    expect(rs.includedFiles).toEqual(["/etc/ufw/before.rules", "/etc/ufw/after.rules", "/etc/default/ufw"]);
    expect(rs.ruleCount).toBe(5);
  });

  it("an ACCEPT default policy tracks new TCP and UDP connections; a missing file is a warning", () => {
    const d = readDefaults('DEFAULT_INPUT_POLICY="ACCEPT"\nIPV6=no\n', "/etc/default/ufw");
    expect(d).toMatchObject({ policies: { input: "ACCEPT", output: "ACCEPT", forward: "DROP" }, ipv6: false });
    const c = composeUfw(4, { user: { file: "u", text: USER } }, d, { file: "u", text: USER });
    expect(c.text).toContain("-A ufw-track-input -p tcp -m conntrack --ctstate NEW -j ACCEPT");
    expect(c.text).toContain(":INPUT ACCEPT [0:0]");
    const rs = parseUfw(USER, "/etc/ufw/user.rules", { io: io({}) });
    expect(rs.diagnostics.find((d) => d.severity === "warning")?.message).toMatch(/^before\.rules, after\.rules not found beside this file/);
  });

  it("IPV6=no: the IPv6 side drops all but loopback", () => {
    const user6 = USER.replace(/ufw-/g, "ufw6-");
    const rs = parseUfw(user6, "/etc/ufw/user6.rules", { io: io({ "/etc/default/ufw": "IPV6=no\n" }) });
    expect(rs.families).toEqual([6]);
    const p: Packet = { family: 6, proto: "tcp", src: "2001:db8::7", dst: "2001:db8::5", sport: 40000, dport: 25, hook: "input", iif: "eth0" };
    expect(verdictFor(rs, p).verdict).toBe("drop");
    expect(rs.diagnostics.some((d) => /IPV6=no/.test(d.message))).toBe(true);
  });

  it("an error in a rule file: ufw starts without that file's rules (ruleset-does-not-load, at the error)", () => {
    const bad = USER.replace("--dport 25 -j", "--dport 25x -j");
    const rs = parseUfw(bad, "/etc/ufw/user.rules", { io: io({ "/etc/ufw/before.rules": BEFORE, "/etc/ufw/after.rules": AFTER }) });
    const [f, ...more] = findingsOf(rs, "ruleset-does-not-load");
    expect(more).toEqual([]);
    expect(f!.location).toEqual({ file: "/etc/ufw/user.rules", line: 5, column: 34 });
    expect(f!.message).toMatch(/^ufw-init's iptables-restore refuses \/etc\/ufw\/user\.rules: .*25x.*; ufw starts without any rule of that file/);
  });

  it("a rule for a chain that does not exist when ufw loads it is an error at its line", () => {
    const bad = USER.replace("-A ufw-user-input -p tcp --dport 25", "-A ufw-nope -p tcp --dport 25");
    const rs = parseUfw(bad, "/etc/ufw/user.rules", { io: io({ "/etc/ufw/before.rules": BEFORE, "/etc/ufw/after.rules": AFTER }) });
    expect(rs.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.file}:${d.line}:${d.column}`)).toEqual(["/etc/ufw/user.rules:5:1"]);
  });
});
