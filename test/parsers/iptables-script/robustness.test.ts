/**
 * Any text is read without an internal error, and a large script is read in linear-ish time.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIptablesScript } from "../../../parsers/iptables-script/index.js";

const PIECES = [
  "iptables ", "ip6tables ", "$IPT ", "IPT=iptables\n", "-A ", "-I ", "-D ", "-N ", "-P ", "-F ", "-X ", "-t nat ", "INPUT ", "X ", "1 ",
  "-p tcp ", "--dport 22 ", "-j ", "ACCEPT ", "DROP ", "X", "! ", "-s 10.0.0.0/8 ", "\"", "'", "\\", "\n", "\\\n", ";", "&&", "||", "|", "&",
  "(", ")", "{ ", "}", "if ", "then ", "fi", "for ", "do ", "done", "case ", "in ", "esac", "$", "${", "$(", "`", "#", "<<EOF\n", "EOF\n",
  "f() ", "=", " ", "\t", "exit ", "set -e\n", ". ", "x",
];

describe("robustness", () => {
  it("random shell-like text never causes an internal error", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), (parts) => {
        const rs = parseIptablesScript(parts.join(""), "fuzz.sh");
        expect(rs.diagnostics.filter((d) => d.message.startsWith("internal error"))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it("a 20,000-rule script is read quickly", () => {
    const lines = ["IPT=/sbin/iptables", "EXT=eth0", "$IPT -N SVC", "$IPT -A INPUT -j SVC"];
    for (let i = 0; i < 20000; i++) lines.push(`$IPT -A SVC -i $EXT -s 10.${(i >> 8) & 255}.${i & 255}.0/24 -p tcp --dport ${1 + (i % 60000)} -j ACCEPT`);
    const t0 = performance.now();
    const rs = parseIptablesScript(lines.join("\n"), "big.sh");
    const ms = performance.now() - t0;
    expect(rs.diagnostics).toEqual([]);
    expect(rs.chains.get("filter/SVC")!.rules).toHaveLength(20000);
    expect(ms).toBeLessThan(10000);
  });
});
