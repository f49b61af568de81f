/**
 * nft's negation of a bitmask, `tcp flags ! fin,syn` and `ct state ! established,related`: none
 * of the bits is set. nft writes `tcp flags & (fin | syn) == 0` so when it lists a ruleset, and
 * `nft list ruleset > /etc/nftables.conf` is how many configurations are made, so fwlint reads it
 * in text and in JSON (`"op": "!"`). A ct state mask is a test of the one state bit a packet has
 * (`& M != 0` is "one of M", `& M == b` "is b"), so it is modelled, not left unknown. Each reading
 * is held against nft's own listing of the rule where nft runs here (CI: FWLINT_REQUIRE_KERNEL=1).
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNft, parseNftJson } from "../../../parsers/nftables/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import type { Condition } from "../../../src/model/types.js";
import { nftListing, withLoaders } from "../../loaders.js";
import { fwlintVerdicts } from "./nft-cases.js";

const chain = (rule: string) => `table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\t${rule}\n\t}\n}\n`;
const conditions = (rule: string): Condition[] => {
  const rs = parseNft(chain(rule), "case.nft");
  expect(rs.diagnostics).toEqual([]);
  return rs.chains.get("inet t/c")!.rules[0]!.conditions;
};

describe("the negation of a bitmask", () => {
  it("tcp flags ! fin,syn: neither flag set", () => {
    expect(conditions("tcp flags ! fin,syn accept")).toEqual([{ kind: "proto", protos: [6] }, { kind: "tcpflags", mask: 3, comp: 0 }]);
    expect(conditions("tcp flags ! (fin | syn) accept")).toEqual(conditions("tcp flags ! fin,syn accept"));
  });

  it("ct state ! established,related: any other state", () => {
    expect(conditions("ct state ! established,related accept")).toEqual([{ kind: "ctstate", states: ["established", "related"], negate: true }]);
    expect(conditions("ct state ! 0x8 accept")).toEqual([{ kind: "ctstate", states: ["new"], negate: true }]);
  });

  it("in nft JSON as the operator '!'", () => {
    const json = JSON.stringify({
      nftables: [
        { table: { family: "inet", name: "t" } },
        { chain: { family: "inet", table: "t", name: "c", type: "filter", hook: "input", prio: 0, policy: "drop" } },
        { rule: { family: "inet", table: "t", chain: "c", expr: [{ match: { op: "!", left: { payload: { protocol: "tcp", field: "flags" } }, right: ["fin", "syn"] } }, { accept: null }] } },
        { rule: { family: "inet", table: "t", chain: "c", expr: [{ match: { op: "!", left: { ct: { key: "state" } }, right: ["established", "related"] } }, { accept: null }] } },
      ],
    });
    const rs = parseNftJson(json, "case.json");
    expect(rs.diagnostics).toEqual([]);
    expect(rs.chains.get("inet t/c")!.rules.map((r) => r.conditions)).toEqual([
      [{ kind: "proto", protos: [6] }, { kind: "tcpflags", mask: 3, comp: 0 }],
      [{ kind: "ctstate", states: ["established", "related"], negate: true }],
    ]);
  });

  it("in nft JSON, '!' of a key that is no bitmask, or of a set, is refused as in the text form", () => {
    for (const [left, right] of [[{ payload: { protocol: "tcp", field: "dport" } }, 22], [{ payload: { protocol: "tcp", field: "flags" } }, { set: ["fin", "syn"] }]] as const) {
      const rs = parseNftJson(negationJson(left, right), "case.json");
      expect(rs.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([
        expect.stringMatching(/rule\.expr\[0\]\.match\.op: '!' after 'tcp (dport|flags)' negates a bitmask .*"negation can only be used with singleton bitmask values"/),
      ]);
    }
  });

  fwlintVerdicts([
    { name: "tcp dport ! 22", text: chain("tcp dport ! 22 accept"), refused: /'!' after 'tcp dport' negates a bitmask .*"negation can only be used with singleton bitmask values"/, at: "4" },
    { name: "meta mark ! 0x1", text: chain("meta mark ! 0x1 accept"), refused: /'!' after 'meta mark'/, at: "4" },
    { name: "tcp flags ! { fin, syn }", text: chain("tcp flags ! { fin, syn } accept"), refused: /'!' after 'tcp flags'/, at: "4" },
    { name: "ct status ! snat,dnat", text: chain("ct status ! snat,dnat accept") },
    { name: "ct label ! 1", text: chain("ct label ! 1 accept") },
  ]);
});

describe("a ct state mask is a test of the packet's one state", () => {
  const cases: [string, Condition[]][] = [
    ["ct state & (established | related) != 0", [{ kind: "ctstate", states: ["established", "related"] }]],
    ["ct state & (established | related) == 0", [{ kind: "ctstate", states: ["established", "related"], negate: true }]],
    ["ct state & (established | related) == established", [{ kind: "ctstate", states: ["established"] }]],
    ["ct state & (established | related) != established", [{ kind: "ctstate", states: ["established"], negate: true }]],
    // two state bits at once: no packet has them
    ["ct state & (established | related) == established | related", [{ kind: "or", anyOf: [] }]],
    ["ct state & (established | related) != established | related", []],
    // a bit no state has
    ["ct state & 0x10 == 0", []],
  ];
  for (const [match, want] of cases) it(match, () => expect(conditions(`${match} accept`)).toEqual(want));
});

describe("`==` and `!=` against several flags compare the whole value (nft 1.0.6: cmp eq / cmp neq)", () => {
  const cases: [string, Condition[]][] = [
    // a packet has one state: equal to two states' OR never, unequal always
    ["ct state != established,related", []],
    ["ct state != established | related", []],
    ["ct state == established,related", [{ kind: "or", anyOf: [] }]],
    ["ct state != established", [{ kind: "ctstate", states: ["established"], negate: true }]],
    ["ct state != established,established", [{ kind: "ctstate", states: ["established"], negate: true }]],
    // without an operator: any of the bits, one state among them; a set: the value among its elements
    ["ct state established,related", [{ kind: "ctstate", states: ["established", "related"] }]],
    ["ct state != { established, related }", [{ kind: "ctstate", states: ["established", "related"], negate: true }]],
    // tcp flags: not exactly SYN+ACK (a bare SYN is unequal), not "neither" - that is `!`
    ["tcp flags != syn,ack", [{ kind: "proto", protos: [6] }, { kind: "tcpflags", mask: 255, comp: 0x12, negate: true }]],
    ["tcp flags == syn,ack", [{ kind: "proto", protos: [6] }, { kind: "tcpflags", mask: 255, comp: 0x12 }]],
  ];
  for (const [match, want] of cases) it(match, () => expect(conditions(`${match} accept`)).toEqual(want));
});

/** A JSON ruleset of one rule: `left ! right accept`. */
function negationJson(left: object, right: unknown): string {
  return JSON.stringify({
    nftables: [
      { table: { family: "inet", name: "t" } },
      { chain: { family: "inet", table: "t", name: "c", type: "filter", hook: "input", prio: 0, policy: "drop" } },
      { rule: { family: "inet", table: "t", chain: "c", expr: [{ match: { op: "!", left, right } }, { accept: null }] } },
    ],
  });
}

const withNft = withLoaders("nft bitmask negation");

describe("nft's JSON reader refuses the same", () => {
  withNft("nft -j -c refuses '!' of tcp dport and of a set of flags, and takes a list of flags", (dir) => {
    const file = join(dir, "case.json");
    const says = (left: object, right: unknown) => {
      writeFileSync(file, negationJson(left, right));
      return spawnSync("unshare", ["-n", "nft", "-j", "-c", "-f", file], { encoding: "utf8" }).status === 0;
    };
    expect(says({ payload: { protocol: "tcp", field: "dport" } }, 22)).toBe(false);
    expect(says({ payload: { protocol: "tcp", field: "flags" } }, { set: ["fin", "syn"] })).toBe(false);
    expect(says({ payload: { protocol: "tcp", field: "flags" } }, ["fin", "syn"])).toBe(true);
  });
});

describe("nft's listing of each rule reads as the rule", () => {
  // (nft lists `ct state != established,new` as `!= established | new`, `tcp flags != syn,ack` as
  // `!= 0x12`. Not `ct state == established,new`: nft lists it `ct state established | new`, which
  // it reads back as a test of either bit - its listing is another rule, and fwlint reads each as nft does)
  withNft("the accepted packets of the rule and of nft's listing of it are the same", (dir) => {
    const rules = [
      "tcp flags & (fin | syn | rst | ack) == 0 accept",
      "tcp flags ! fin,syn accept",
      "ct state & (established | related) == 0 accept",
      "ct state & (established | related) != 0 accept",
      "ct state ! new,untracked accept",
      "ct state & (established | related) == established accept",
      "ct state != established,new accept",
      "tcp flags != syn,ack accept",
    ];
    const wrong: string[] = [];
    for (const rule of rules) {
      const { listed, says } = nftListing(dir, chain(rule));
      expect(says, rule).toBe("loads it");
      const accepted = (text: string) => {
        const rs = parseNft(text, "case.nft");
        expect(rs.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
        return evaluateRuleset(rs).results.filter((r) => r.pipeline.kind === "inbound");
      };
      const mine = accepted(chain(rule));
      const theirs = accepted(listed!);
      if (!mine.every((r, i) => r.certainlyAccepted.equals(theirs[i]!.certainlyAccepted) && r.possiblyAccepted.equals(theirs[i]!.possiblyAccepted))) {
        wrong.push(`${rule}: nft lists ${listed!.split("\n")[3]!.trim()}, read otherwise`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
