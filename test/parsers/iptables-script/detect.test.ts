import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectIptablesScript } from "../../../parsers/iptables-script/index.js";
import { detectFormat } from "../../../src/engine/formats.js";
import { looksLikeIpsetSave } from "../../../parsers/ipset/save.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");

describe("detectIptablesScript", () => {
  it.each([
    ["a plain list of commands", "iptables -P INPUT DROP\niptables -A INPUT -i lo -j ACCEPT\n"],
    ["a shebang script with a path", "#!/bin/sh\n/sbin/iptables -F\n/sbin/iptables -A INPUT -p tcp --dport 22 -j ACCEPT\n"],
    ["a variable holding the program", 'IPT="/usr/sbin/iptables"\n$IPT -F\n${IPT} -N LOGDROP\n'],
    ["$(which iptables)", "IPTABLES=$(which iptables)\n$IPTABLES -I INPUT -s 192.0.2.1 -j DROP\n"],
    ["sudo and long options", "sudo ip6tables --append INPUT --jump ACCEPT\n"],
    ["commands inside if and after &&", "if true; then iptables -A INPUT -j DROP; fi\n"],
    ["a continuation", "iptables \\\n  -A INPUT -j DROP\n"],
    // (the save text inside the quoted variable is the string's, not the script's lines)
    ["save text in a quoted variable echo hands to iptables-restore", 'RULES="*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT"\necho "$RULES" | iptables-restore\niptables -A INPUT -j DROP\n'],
  ])("recognises %s", (_what, text) => {
    expect(detectIptablesScript(text)).toBe(true);
    expect(detectFormat(text)).toBe("iptables-script");
  });

  it.each([
    ["iptables-save output", "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n"],
    ["a script that only lists rules", "#!/bin/sh\niptables -L -n -v\niptables-save > /tmp/x\n"],
    ["another program's script", "#!/bin/sh\nnft add rule inet filter input tcp dport 22 accept\n"],
    ["iptables-translate vectors", "iptables-translate -A INPUT -j ACCEPT\nnft 'add rule ip filter INPUT counter accept'\n\niptables -A INPUT -p tcp --tcp-flags ACK,FIN FIN -j DROP\nnft 'add rule ip filter INPUT tcp flags fin / fin,ack counter drop'\n\niptables-translate -A INPUT -j DROP\nnft 'add rule ip filter INPUT counter drop'\n"],
    ["prose that mentions iptables", "Use iptables to filter traffic.\nThe iptables -A option appends.\n"],
    ["a variable that is not the program", "X=hello\n$X -A INPUT\n"],
    ["JSON", '{"cmd": "iptables -A INPUT -j DROP"}'],
  ])("does not claim %s", (_what, text) => {
    expect(detectIptablesScript(text)).toBe(false);
  });

  it("no iptables-save fixture is taken for a script, and they keep their format", () => {
    const dir = join(ROOT, "fixtures", "iptables");
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    let checked = 0;
    for (const e of files) {
      const f = join(e.parentPath, e.name);
      const text = readFileSync(f, "utf8");
      if (looksLikeIpsetSave(text)) continue; // (the sets saved beside a ruleset, fixtures/iptables/ipset/ipsets)
      expect(detectIptablesScript(text), f).toBe(false);
      expect(detectFormat(text), f).toMatch(/^ip6?tables$/);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("every script fixture is detected", () => {
    const dir = join(ROOT, "fixtures", "iptables-script");
    // (the files scripts source or read beside them are settings, lists and rulesets: not scripts)
    const scripts = readdirSync(dir).filter((f) => f.endsWith(".sh"));
    expect(scripts.length).toBeGreaterThan(10);
    for (const f of scripts) expect(detectFormat(readFileSync(join(dir, f), "utf8")), f).toBe("iptables-script");
  });
});
