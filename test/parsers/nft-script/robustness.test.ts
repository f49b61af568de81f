/**
 * Any shell-like text of nft commands is read without an internal error: the shell's reading, the
 * placing of each command at its words, and the nftables reader together.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseNftScript } from "../../../parsers/nft-script/index.js";

const PIECES = [
  "nft ", "$NFT ", "NFT=nft\n", "sudo ", "add ", "insert ", "create ", "delete ", "flush ", "ruleset ", "table ", "chain ", "rule ", "set ", "element ",
  "inet ", "ip ", "filter ", "input ", "{ ", "} ", "\\{ ", "\\} ", "\\; ", "type filter hook input priority 0; ", "policy drop; ", "tcp dport 22 ", "accept",
  "drop ", "-f ", "- ", "-D X=1 ", "-c ", "-j ", "rules.nft ", "<<EOF\n", "<<'EOF'\n", "EOF\n", "table inet filter {\n", "}\n", "$X ", "X=eth0\n",
  "\"", "'", "\\", "\n", "\\\n", ";", "&&", "||", "|", "&", "(", ")", "if ", "then ", "fi", "for ", "do ", "done", "$(", "`", "#", "=", " ", "\t", "set -e\n",
];

describe("robustness", () => {
  it("random shell-like text of nft commands never causes an internal error", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), (parts) => {
        const rs = parseNftScript(parts.join(""), "fuzz.sh", { readFile: () => undefined, listDir: () => undefined });
        expect(rs.diagnostics.filter((d) => d.message.includes("internal error"))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });
});
