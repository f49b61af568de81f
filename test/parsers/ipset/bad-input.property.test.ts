/**
 * Bad input never crashes the ipset reader nor the iptables ruleset that reads it: random text,
 * and a valid save file cut, spliced and with its words swapped, give diagnostics (placed in the
 * file, 1-based) and a ruleset - never an exception.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readIpsetSave } from "../../../parsers/ipset/save.js";
import { parseIptablesSave } from "../../../parsers/iptables/index.js";
import { verdictFor } from "../../../src/analysis/verdict.js";

const VALID = [
  "create a hash:net family inet",
  "add a 10.0.0.0/8",
  "add a 10.1.0.0/16 nomatch",
  "create b hash:ip,port,net family inet",
  "add b 10.0.0.1,tcp:443,192.0.2.0/24",
  "create c hash:net,iface",
  "add c 10.0.0.0/8,eth0",
  "create d bitmap:port range 0-1024",
  "add d 22",
  "create e list:set",
  "add e a",
  "add e c",
].join("\n");

const WORDS = ["create", "add", "del", "flush", "swap", "rename", "destroy", "a", "b", "e", "hash:net", "list:set", "nomatch", "timeout", "10.0.0.0/8", "tcp:22", "icmp:8/0", ",", "-", "/", '"', "family", "inet6", "0.0.0.0-255.255.255.255", "::/0", "eth0", "\n"];

const RULES = "*filter\n:INPUT DROP [0:0]\n-A INPUT -m set --match-set a src -j ACCEPT\n-A INPUT -m set --match-set b src,dst,dst -j ACCEPT\n-A INPUT -m set ! --match-set e src,src -j ACCEPT\n-A INPUT -m set --match-set d dst -j ACCEPT\nCOMMIT\n";

function check(sets: string): void {
  const r = readIpsetSave(sets, "ipsets");
  for (const d of r.diagnostics) {
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.column).toBeGreaterThanOrEqual(1);
  }
  const rs = parseIptablesSave(RULES, "/x/rules.v4", { io: { readFile: (p) => (p === "/x/ipsets" ? sets : undefined), listDir: (d) => (d === "/x" ? ["ipsets", "rules.v4"] : undefined) } });
  expect(rs.diagnostics.some((d) => d.message.startsWith("internal error"))).toBe(false);
  verdictFor(rs, { family: 4, proto: "tcp", src: "10.0.0.1", dst: "192.0.2.7", sport: 1000, dport: 443, hook: "input", iif: "eth0" });
}

describe("ipset files: bad input", () => {
  it("random text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => check(s)), { numRuns: 200 });
  });

  it("a valid file cut, spliced and with words put in", () => {
    const lines = VALID.split("\n");
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(lines.length - 1), fc.nat(60), fc.constantFrom(...WORDS)), { maxLength: 12 }), (edits) => {
        const out = [...lines];
        for (const [line, at, word] of edits) {
          const l = out[line]!;
          const cut = Math.min(at, l.length);
          out[line] = `${l.slice(0, cut)} ${word} ${l.slice(cut)}`;
        }
        check(out.join("\n"));
      }),
      { numRuns: 300 },
    );
  });
});
