/**
 * What nft refuses of a file's declarations taken together: a chain or set declared again with
 * another priority, hook or flags; a regular chain given a hook later; an element's timeout in a
 * set without timeouts; a name defined twice where one block sees both (and what nft takes: a
 * define per table, a chain deleted with its rules); and a `delete` of what is not there - certain once the file knows the
 * whole place (after `flush ruleset`, or after it deleted the thing itself), only a warning
 * otherwise, as the host the file is loaded on may have it. Each verdict is nft 1.0.6's
 * (`nft -c -f` in an empty namespace); where nft runs here the test asks it again, and CI
 * (FWLINT_REQUIRE_KERNEL=1) requires that it can.
 */
import { describe, expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import { withLoaders } from "../../loaders.js";
import { fwlintVerdicts, loaderDisagrees, type NftCase } from "./nft-cases.js";

const lines = (...l: string[]) => `${l.join("\n")}\n`;
const inputChain = (priority: string, policy = "") => `\tchain in {\n\t\ttype filter hook input priority ${priority};${policy}\n\t}`;
const table = (...body: string[]) => lines("table inet f {", ...body, "}");
const set = (props: string) => `\tset s {\n\t\ttype ipv4_addr; ${props}\n\t}`;

const CASES: NftCase[] = [
  // a base chain declared again: the policy may change, the hook, type and priority may not
  { name: "a base chain declared again with another policy", text: table(inputChain("0", " policy drop;")) + table(inputChain("0", " policy accept;")) },
  { name: "a base chain declared again by another name of its priority", text: table(inputChain("filter")) + table(inputChain("0")) },
  { name: "a base chain declared again with an offset of nought", text: table(inputChain("filter")) + table(inputChain("filter + 0")) },
  { name: "a base chain declared again without its hook", text: table(inputChain("0", " policy drop;")) + table("\tchain in {\n\t}") },
  { name: "a base chain declared again at another priority", text: table(inputChain("0", " policy drop;")) + table(inputChain("10")), refused: /chain in is already on hook input at priority 0; nft refuses to move it to priority 10 \("Could not process rule: Operation not supported"\)/, at: "8:3" },
  { name: "a base chain declared again at another named priority", text: table(inputChain("filter")) + table(inputChain("filter - 1")), refused: /at priority filter; nft refuses to move it to priority filter - 1/ },
  { name: "a netdev chain declared again at another priority", text: lines("table netdev f {", "\tchain c {", "\t\ttype filter hook ingress device lo priority 0;", "\t}", "}", "table netdev f {", "\tchain c {", "\t\ttype filter hook ingress device lo priority 1;", "\t}", "}"), refused: /nft refuses to move it to priority 1/ },
  { name: "a base chain declared again on another hook", text: table(inputChain("0")) + lines("table inet f {", "\tchain in {", "\t\ttype filter hook output priority 0;", "\t}", "}"), refused: /chain in is already a 'filter' chain on hook input; nft refuses to change it/ },
  // a regular chain given a hook later: certain in a table the file knows whole
  { name: "after flush ruleset, a regular chain given a hook later", text: lines("flush ruleset") + table("\tchain in {\n\t}") + table(inputChain("0")), refused: /chain in was made a regular chain \(case.nft:3\); nft refuses to give it a hook afterwards \("Could not process rule: File exists"\)/, at: "8:3" },
  { name: "after the table is deleted, a regular chain given a hook later", text: lines("table inet f {", "}", "delete table inet f") + table("\tchain in {\n\t}") + table(inputChain("0")), refused: /was made a regular chain/ },
  // a set declared again: the kernel compares its flags and element statements
  { name: "a set declared again with flags interval", text: table(set("")) + table(set("flags interval;")), refused: /set s is declared again with other flags or element statements \(flags interval; case.nft:2 gave none\).*"Could not process rule: File exists"/, at: "7:2" },
  { name: "a set declared again without flags interval", text: table(set("flags interval;")) + table(set("")), refused: /\(none; case.nft:2 gave flags interval\)/ },
  { name: "a set declared again with elements and without its flag", text: table(set("flags interval;")) + table(set("elements = { 10.0.0.1 };")), refused: /declared again with other flags/ },
  { name: "a set declared again with a timeout", text: table(set("")) + table(set("timeout 1h;")), refused: /\(flags timeout; case.nft:2 gave none\)/ },
  { name: "a set declared again without flags dynamic", text: table(set("flags dynamic;")) + table(set("")), refused: /gave flags dynamic\)/ },
  { name: "a set declared again without flags constant", text: table(set("flags constant;")) + table(set("")), refused: /gave flags constant\)/ },
  { name: "a set declared again without its counter", text: table(set("counter;")) + table(set("")), refused: /gave counter\)/ },
  { name: "a set declared again with another timeout", text: table(set("timeout 1h;")) + table(set("timeout 2h;")) },
  { name: "a set's timeout declared again as flags timeout", text: table(set("timeout 1h;")) + table(set("flags timeout;")) },
  { name: "a set declared again with its flags in another order", text: table(set("flags timeout,dynamic;")) + table(set("flags dynamic,timeout;")) },
  { name: "a set declared again with another size, policy, comment or auto-merge", text: table(set("flags interval; size 10; policy memory; comment \"a\";")) + table(set("flags interval; auto-merge;")) },
  // an element's timeout and expiry
  { name: "an element's timeout in a set without timeouts", text: table(set("elements = { 10.0.0.1 timeout 1h };")), refused: /set s: element 10.0.0.1 has a timeout, and the set has no timeouts: give it 'flags timeout' or a 'timeout' \(nft: "Could not process rule: Invalid argument"\)/, at: "3:32" },
  { name: "an element's timeout in a dynamic set without timeouts", text: table(set("flags dynamic; elements = { 10.0.0.1 timeout 1h };")), refused: /has a timeout, and the set has no timeouts/ },
  { name: "an element's timeout in an interval set without timeouts", text: table(set("flags interval; elements = { 10.0.0.0/8 timeout 1h };")), refused: /element 10.0.0.0\/8 has a timeout/ },
  { name: "an element's timeout in a map without timeouts", text: table("\tmap m {\n\t\ttype ipv4_addr : verdict; elements = { 10.0.0.1 timeout 1h : accept };\n\t}"), refused: /map m: element 10.0.0.1 has a timeout, and the map has no timeouts/ },
  { name: "an element's timeout added to a set without timeouts", text: table(set("")) + lines("add element inet f s { 10.0.0.1 timeout 1h }"), refused: /has a timeout, and the set has no timeouts/ },
  { name: "an element's expiry in a set without timeouts", text: table(set("elements = { 10.0.0.1 expires 1h };")), refused: /has an expiry, and the set has no timeouts.*"Could not process rule: Operation not supported"/ },
  { name: "an element's expiry without a timeout to count down", text: table(set("flags timeout; elements = { 10.0.0.1 expires 1h };")), refused: /element 10.0.0.1 has an expiry and no timeout, and the set gives none/ },
  { name: "an element's timeout in a set with flags timeout", text: table(set("flags timeout; elements = { 10.0.0.1 timeout 1h };")) },
  { name: "an element's timeout in a set with a timeout", text: table(set("timeout 1h; elements = { 10.0.0.1 timeout 2h };")) },
  { name: "an element's timeout and expiry", text: table(set("flags timeout; elements = { 10.0.0.1 timeout 1h expires 30m };")) },
  { name: "an element's expiry under the set's timeout", text: table(set("timeout 1h; elements = { 10.0.0.1 expires 30m };")) },
  { name: "an element's timeout added to a set with flags timeout", text: table(set("flags timeout;")) + lines("add element inet f s { 10.0.0.1 timeout 1h }") },
  // deleting what is not there, where the file knows the whole place
  { name: "after flush ruleset, delete table of a table the file never made", text: lines("flush ruleset", "delete table inet f"), refused: /delete table inet f: no such table: 'flush ruleset' \(line 1\) took away what the host had, so nft refuses the file \("Could not process rule: No such file or directory"\)/, at: "2:1" },
  { name: "delete table twice", text: lines("table inet f {", "}", "delete table inet f", "delete table inet f"), refused: /delete table inet f: no such table: this file deleted table inet f before/, at: "4:1" },
  { name: "delete table, then make it again", text: lines("table inet f {", "}", "delete table inet f") + table("\tchain c {\n\t}") },
  { name: "after flush ruleset, delete chain of a chain the file never made", text: lines("flush ruleset") + table("\tchain c {\n\t}") + lines("delete chain inet f d"), refused: /delete chain: no chain d in table inet f: 'flush ruleset' \(line 1\) took away what the host had, and only what this file declares is in table inet f/ },
  { name: "delete chain twice", text: table("\tchain c {\n\t}") + lines("delete chain inet f c", "delete chain inet f c"), refused: /no chain c in table inet f: this file deleted it before/, at: "6:1" },
  { name: "after flush ruleset, delete chain in a table the file never made", text: lines("flush ruleset", "delete chain inet f c"), refused: /delete chain inet f c: no such table: 'flush ruleset'/ },
  { name: "after flush ruleset, delete set of a set the file never made", text: lines("flush ruleset") + table(set("")) + lines("delete set inet f t"), refused: /delete set: no set t in table inet f: 'flush ruleset'/ },
  { name: "delete set twice", text: table(set("")) + lines("delete set inet f s", "delete set inet f s"), refused: /no set s in table inet f: this file deleted it before/ },
  { name: "after flush ruleset, delete counter of one the file never made", text: lines("flush ruleset", "table inet f {", "\tcounter k {", "\t}", "}", "delete counter inet f j"), refused: /delete counter: no counter j in table inet f: 'flush ruleset'/ },
  { name: "after flush ruleset, delete element of an empty set", text: lines("flush ruleset") + table(set("")) + lines("delete element inet f s { 10.0.0.1 }"), refused: /delete element: an element is not in set s: .*, and set s is empty here/ },
  { name: "after flush ruleset, delete rule by handle in a chain without rules", text: lines("flush ruleset") + table("\tchain c {\n\t}") + lines("delete rule inet f c handle 5"), refused: /delete rule: no rule with handle 5 in chain c: 'flush ruleset'/ },
  { name: "after flush ruleset, delete element of one the set has", text: lines("flush ruleset") + table(set("elements = { 10.0.0.1 };")) + lines("delete element inet f s { 10.0.0.1 }") },
  { name: "after flush ruleset, delete what the file made", text: lines("flush ruleset") + table("\tchain c {\n\t}", set(""), "\tcounter k {\n\t}") + lines("delete chain inet f c", "delete set inet f s", "delete counter inet f k", "delete table inet f") },
  // a chain deleted with its rules: the kernel takes them with it; one still jumped to stays
  { name: "delete chain of a base chain with rules", text: lines("table inet f {", "\tchain c {", "\t\ttype filter hook input priority 0;", "\t\ttcp dport 22 accept", "\t}", "}", "delete chain inet f c") },
  { name: "delete chain of a chain a rule jumps to", text: lines("table inet f {", "\tchain c {", "\t\ttype filter hook input priority 0;", "\t\tjump d", "\t}", "\tchain d {", "\t}", "}", "delete chain inet f d"), refused: /jump to chain 'd', which is not declared in table inet f/ },
  // defines: a block sees its own and its enclosing blocks'; a second define of a name it sees is refused
  { name: "a name defined twice", text: lines("define p = 22", "define p = 23"), refused: /'p' is defined already \(case.nft:1\): nft refuses a second define of a name its block sees \("redefinition of symbol 'p'"\); write 'redefine' to change it/, at: "2:8" },
  { name: "a name defined again in a table block", text: lines("define p = 22", "table inet f {", "\tdefine p = 23", "}"), refused: /'p' is defined already/, at: "3:9" },
  { name: "a name defined again in a chain block", text: lines("table inet f {", "\tdefine p = 22", "\tchain c {", "\t\tdefine p = 23", "\t}", "}"), refused: /'p' is defined already \(case.nft:2\)/ },
  { name: "a name defined in two tables", text: lines("table inet f {", "\tdefine p = 22", "}", "table inet g {", "\tdefine p = 23", "}") },
  { name: "a table's define used in another table", text: lines("table inet f {", "\tdefine p = 22", "}", "table inet g {", "\tchain c {", "\t\ttcp dport $p accept", "\t}", "}"), refused: /undefined variable '\$p'/ },
  { name: "a name redefined", text: lines("define p = 22", "redefine p = 23", "redefine q = 1") },
  { name: "a name defined again after its undefine", text: lines("define p = 22", "undefine p", "define p = 23") },
];

/** What nft refuses only where the host lacks it: the file alone cannot tell, so fwlint warns. */
const HOST_MAY_HAVE: string[] = [
  lines("delete table inet f"),
  lines("table inet f {", "}", "delete table ip f"),
  table("\tchain c {\n\t}") + lines("delete chain inet f d"),
  table(set("")) + lines("delete set inet f t"),
  table(set("")) + lines("delete element inet f s { 10.0.0.1 }"),
  table("\tchain c {\n\t}") + lines("delete rule inet f c handle 5"),
];

describe("declarations taken together, and deletions", () => {
  fwlintVerdicts(CASES);

  it("without flush ruleset a delete of what the file lacks is a warning: the host may have it", () => {
    for (const text of HOST_MAY_HAVE) {
      const diags = parseNft(text, "case.nft").diagnostics.filter((d) => d.severity !== "info");
      expect(diags.map((d) => d.severity), text).toEqual(["warning"]);
      expect(diags[0]!.message).toMatch(/in this file \(nft fails unless it exists when the file is loaded\)$/);
    }
  });

  it("an undefine of a name the block does not define: nft takes it and does nothing, fwlint warns", () => {
    const warnings = (text: string) => parseNft(text, "case.nft").diagnostics.filter((d) => d.severity !== "info").map((d) => `${d.severity} ${d.line}:${d.column} ${d.message}`);
    expect(warnings(lines("undefine p", "table inet f {", "}"))).toEqual(["warning 1:10 undefine of 'p', which is not defined: nft takes it and does nothing"]);
    const rs = parseNft(lines("define p = 22", "table inet f {", "\tundefine p", "\tchain c {", "\t\ttype filter hook input priority 0; policy drop;", "\t\ttcp dport $p accept", "\t}", "}"), "case.nft");
    expect(rs.diagnostics.filter((d) => d.severity !== "info").map((d) => d.message)).toEqual(["undefine of 'p', which an enclosing block defines: nft leaves that define as it is"]);
    expect(rs.chains.get("inet f/c")!.rules).toHaveLength(1);
  });

  it("without flush ruleset a regular chain given a hook later is taken: the host's may be a base chain", () => {
    const rs = parseNft(table("\tchain in {\n\t}") + table(inputChain("0", " policy drop;")), "case.nft");
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(rs.chains.get("inet f/in")!.policy).toBe("drop");
  });
});

const withNft = withLoaders("nft declarations");

describe("the verdicts above are nft's", () => {
  withNft("nft -c -f refuses exactly the refused cases, and each of the host-dependent ones in an empty namespace", (dir) => {
    expect(loaderDisagrees(dir, CASES)).toEqual([]);
    const hostDependent = HOST_MAY_HAVE.map((text, i) => ({ name: `host ${i}`, text, refused: /./ }));
    expect(loaderDisagrees(dir, hostDependent)).toEqual([]);
  });
});
