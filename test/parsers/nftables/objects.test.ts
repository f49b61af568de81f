/**
 * Named stateful objects (counter, quota, limit, ct helper, ct timeout, ct expectation, synproxy,
 * secmark) and flowtables: a rule that uses one by a name its table does not declare is refused
 * by nft ("Could not process rule: No such file or directory"). fwlint reports it as it reports an
 * undeclared set: an error, marked as a name the file does not define (a fragment may be loaded
 * beside the file that declares it). Declarations in blocks, as commands and in nft JSON count; a
 * deleted one does not. The file's order is nft's: a table block's objects are created before its
 * rules, wherever the block declares them; a later block or command comes too late. Where nft runs
 * here the test asks it again (CI requires that it can).
 */
import { describe, expect, it } from "vitest";
import { parseNftJson } from "../../../parsers/nftables/index.js";
import { withLoaders } from "../../loaders.js";
import { fwlintVerdicts, loaderDisagrees, nftErrors, type NftCase } from "./nft-cases.js";

const DECLARED = [
  "\tcounter ssh {\n\t}",
  "\tquota q {\n\t\tover 1 mbytes\n\t}",
  "\tlimit l {\n\t\trate 10/second\n\t}",
  '\tct helper ftp-std {\n\t\ttype "ftp" protocol tcp\n\t\tl3proto ip\n\t}',
  "\tct timeout dns {\n\t\tprotocol udp\n\t\tl3proto ip\n\t\tpolicy = { unreplied : 15, replied : 12 }\n\t}",
  "\tct expectation e {\n\t\tprotocol tcp\n\t\tdport 22\n\t\ttimeout 10m\n\t\tsize 8\n\t\tl3proto ip\n\t}",
  "\tsynproxy sp {\n\t\tmss 1460\n\t\twscale 7\n\t}",
  // (no secmark object: the kernel creates one only for a context its security module knows)
].join("\n");

const table = (rule: string) => `table ip t {\n${DECLARED}\n\tchain c {\n\t\ttype filter hook input priority 0; policy accept;\n\t\t${rule}\n\t}\n}\n`;

/** A rule, and what fwlint's error says (undefined: nft loads it). */
const CASES: [string, RegExp?][] = [
  ['tcp dport 22 counter name "sshh" accept', /^counter sshh is not declared in table ip t \(nft: "Could not process rule: No such file or directory"\)$/],
  ["quota name qq drop", /^quota qq is not declared/],
  ['limit name "ll" accept', /^limit ll is not declared/],
  ['tcp dport 21 ct helper set "ftp"', /^ct helper ftp is not declared/],
  ['udp dport 53 ct timeout set "dnss"', /^ct timeout dnss is not declared/],
  ['tcp dport 22 ct expectation set "ee"', /^ct expectation ee is not declared/],
  ['tcp dport 22 meta secmark set "smm"', /^secmark smm is not declared/],
  ['tcp dport 22 synproxy name "spp"', /^synproxy spp is not declared/],
  // loaded
  ['tcp dport 22 counter name "ssh" accept'],
  ["quota name q drop"],
  ['limit name "l" accept'],
  ['tcp dport 21 ct helper set "ftp-std"'],
  ['udp dport 53 ct timeout set "dns"'],
  ['tcp dport 22 ct expectation set "e"'],
  ['tcp dport 22 ct state invalid,untracked synproxy name "sp"'],
  ['counter name tcp dport map { 22 : "ssh", 23 : "ssh" } accept'],
];

/** The cases as files (the rule is on line 32). */
const FILES: NftCase[] = CASES.map(([rule, refused]) => ({ name: rule, text: table(rule), ...(refused ? { refused, at: "32" } : {}) }));

/** An object, set or map counts from where nft creates it: its table block's first, a later block's or command's too late. */
const ORDER: NftCase[] = [
  { name: "declared below its user in the same block", text: "table ip t {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\tcounter name \"x\" accept\n\t}\n\tcounter x {\n\t}\n}\n" },
  {
    name: "declared in a later block",
    text: "table ip t {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\tcounter name \"x\" accept\n\t}\n}\ntable ip t {\n\tcounter x {\n\t}\n}\n",
    refused: /^counter x is not declared in table ip t/,
    at: "4",
  },
  { name: "added by a later command", text: "add table ip t\nadd chain ip t c\nadd rule ip t c counter name x accept\nadd counter ip t x\n", refused: /^counter x is not declared/, at: "3" },
  // sets and maps alike
  { name: "a set declared below its user in the same block", text: "table ip t {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\tip saddr @s accept\n\t\ttcp dport vmap @m\n\t}\n\tset s {\n\t\ttype ipv4_addr\n\t}\n\tmap m {\n\t\ttype inet_service : verdict\n\t}\n}\n" },
  {
    name: "a set added by a later command",
    text: "add table ip t\nadd chain ip t c\nadd rule ip t c ip saddr @s accept\nadd set ip t s { type ipv4_addr; }\n",
    refused: /^set @s is declared only after this rule \(line 4\): nft adds the rule first and refuses it \("Could not process rule: No such file or directory"\)$/,
    at: "3:26",
  },
  {
    name: "a map in a later block",
    text: "table ip t {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\ttcp dport vmap @m\n\t}\n}\ntable ip t {\n\tmap m {\n\t\ttype inet_service : verdict\n\t}\n}\n",
    refused: /^set @m is declared only after this rule \(line 8\)/,
    at: "4",
  },
];

describe("named objects a rule uses", () => {
  fwlintVerdicts(FILES);
  fwlintVerdicts(ORDER);

  it("marks each as a name the file does not define", () => {
    for (const f of FILES.filter((x) => x.refused)) expect(nftErrors(f.text).map((e) => e.unresolved)).toEqual([true]);
  });

  it("a deleted object is not declared any more", () => {
    const errors = nftErrors("table ip t {\n\tcounter c {\n\t}\n}\ndelete counter ip t c\nadd chain ip t x\nadd rule ip t x counter name c\n");
    expect(errors.map((e) => `${e.line} ${e.message}`)).toEqual(["7 counter c is not declared in table ip t (nft: \"Could not process rule: No such file or directory\")"]);
  });

  it("flowtables: flow add names one", () => {
    const text = "table inet t {\n\tflowtable ft {\n\t\thook ingress priority filter\n\t\tdevices = { lo }\n\t}\n\tchain f {\n\t\ttype filter hook forward priority 0;\n\t\tflow add @ft\n\t\tflow offload @nope\n\t}\n}\n";
    expect(nftErrors(text).map((e) => `${e.line} ${e.message}`)).toEqual(["9 flowtable nope is not declared in table inet t (nft: \"Could not process rule: No such file or directory\")"]);
  });

  it("nft JSON: objects listed, and statements naming them", () => {
    const json = JSON.stringify({
      nftables: [
        { table: { family: "inet", name: "t", handle: 1 } },
        { counter: { family: "inet", name: "ssh", table: "t", handle: 2, packets: 0, bytes: 0 } },
        { secmark: { family: "inet", name: "sm", table: "t", handle: 3, context: "system_u:object_r:ssh_server_packet_t:s0" } },
        { chain: { family: "inet", table: "t", name: "c", handle: 4, type: "filter", hook: "input", prio: 0, policy: "accept" } },
        { rule: { family: "inet", table: "t", chain: "c", handle: 5, expr: [{ counter: "ssh" }, { secmark: "sm" }, { accept: null }] } },
        { rule: { family: "inet", table: "t", chain: "c", handle: 6, expr: [{ counter: "sshh" }, { accept: null }] } },
        { rule: { family: "inet", table: "t", chain: "c", handle: 7, expr: [{ "ct helper": "ftp" }] } },
      ],
    });
    const errors = parseNftJson(json, "case.json").diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((e) => e.message)).toEqual([
      'counter sshh is not declared in table inet t (nft: "Could not process rule: No such file or directory")',
      'ct helper ftp is not declared in table inet t (nft: "Could not process rule: No such file or directory")',
    ]);
  });
});

const withNft = withLoaders("nft named objects");

describe("the verdicts above are nft's", () => {
  withNft("nft -c -f refuses exactly the refused cases", (dir) => expect(loaderDisagrees(dir, [...FILES, ...ORDER])).toEqual([]));
});
