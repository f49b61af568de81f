/**
 * What nft's JSON reader (`nft -j -f`) refuses and what it passes over, as fwlint reads it: the
 * fields it requires of each object (family, table, name, a set's type), the names it knows (set
 * flags, payload headers, meta and ct keys), the exact shape of an anonymous counter and of a raw
 * payload; and the mistyped fields it ignores (a base chain without one of type, hook and prio is a
 * regular chain, its policy unread; a size that is no number). Each verdict was taken from nft
 * 1.0.6 (`nft -j -c -f`); where nft runs here the test asks it again, and CI
 * (FWLINT_REQUIRE_KERNEL=1) requires that it can. Found by a single-value mutant differential of
 * the upstream JSON dumps nft 1.0.6 loads.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNftJson } from "../../../parsers/nftables/index.js";
import { withLoaders } from "../../loaders.js";

const T = { table: { family: "ip", name: "t" } };
const C = { chain: { family: "ip", table: "t", name: "c" } };
const rule = (...expr: object[]) => ({ rule: { family: "ip", table: "t", chain: "c", expr } });
const match = (left: object, right: unknown) => ({ match: { op: "==", left, right } });
const doc = (...items: object[]) => JSON.stringify({ nftables: items });

/** A document, and what fwlint's first error says (undefined: nft loads it, and fwlint tells no error). */
const CASES: [string, string, RegExp?][] = [
  ["table without family", doc({ table: { name: "t" } }), /nftables\[0\]\.table\.family: required field is missing/],
  ["chain without table", doc(T, { chain: { family: "ip", name: "c" } }), /nftables\[1\]\.chain\.table: required field is missing/],
  ["chain without name", doc(T, { chain: { family: "ip", table: "t" } }), /chain\.name: required field is missing \(the chain's name\)/],
  ["rule without family", doc(T, C, { rule: { table: "t", chain: "c", expr: [{ accept: null }] } }), /nftables\[2\]\.rule\.family: required field is missing/],
  ["set without type", doc(T, { set: { family: "ip", table: "t", name: "s" } }), /set\.type: required field is missing .*"Invalid set type"/],
  ["element without family", doc(T, { set: { family: "ip", table: "t", name: "s", type: "ipv4_addr" } }, { element: { table: "t", name: "s", elem: ["10.0.0.1"] } }), /nftables\[2\]\.element\.family: required field is missing/],
  ["a set flag nft does not know", doc(T, { set: { family: "ip", table: "t", name: "s", type: "ipv4_addr", flags: ["map"] } }), /set\.flags/],
  ["a set element without its value", doc(T, { set: { family: "ip", table: "t", name: "s", type: "ipv4_addr", elem: [{ elem: { comment: "no value" } }] } }), /set\.elem\[0\]\.elem: expected the element's value \("val"\), found only "comment" \(nft: "Object item not found: val"\)/],
  ["a set element that is a number where its object goes", doc(T, { set: { family: "ip", table: "t", name: "s", type: "ipv4_addr", elem: [{ elem: 5 }] } }), /set\.elem\[0\]\.elem: expected an element, an object \{"val": \.\.\.\}/],
  ["a payload of an unknown header", doc(T, C, rule(match({ payload: { protocol: "x", field: "saddr" } }, "10.0.0.1"), { accept: null })), /payload\.protocol: expected a header nft knows .* got 'x' \(nft: "Unknown payload protocol"\)/],
  ["an unknown meta key", doc(T, C, rule(match({ meta: { key: "l4prot" } }, 6), { accept: null })), /meta\.key: expected a meta key .* got 'l4prot'/],
  ["an unknown ct key", doc(T, C, rule(match({ ct: { key: "stat" } }, "new"), { accept: null })), /ct\.key: expected a ct key .* got 'stat' \(nft: "Unknown ct key"\)/],
  ["a raw payload without offset", doc(T, C, rule(match({ payload: { base: "th", len: 32 } }, 1), { drop: null })), /"Invalid payload expression properties"/],
  ["a counter without packets", doc(T, C, rule({ counter: { bytes: 0 } }, { accept: null })), /counter: expected null, a counter's name, a map choosing one, or \{ "packets": N, "bytes": N \}/],
  ["a counter's packets as a string", doc(T, C, rule({ counter: { packets: "0", bytes: 0 } }, { accept: null })), /counter: expected null/],
  ["a NAT of another family", doc(T, { chain: { family: "ip", table: "t", name: "p", type: "nat", hook: "postrouting", prio: 100 } }, { rule: { family: "ip", table: "t", chain: "p", expr: [{ snat: { family: "interval", addr: "10.0.0.1" } }] } }), /snat\.family: expected ip or ip6, got "interval" \(nft: "Invalid family"\)/],
  ["a \"map\" without its data type, which nft makes a set", doc(T, { map: { family: "ip", table: "t", name: "z", type: "ifname", elem: [["eth0", { drop: null }]] } }), /set z: element eth0 maps to drop, and only a map holds data: .*"set is not a map"/],
  ["a quota without its table", doc(T, { quota: { family: "ip", name: "q", bytes: 100 } }), /nftables\[1\]\.quota\.table: required field is missing .*"Object item not found: table"/],
  ["a counter without its name", doc(T, { counter: { family: "ip", table: "t" } }), /counter\.name: required field is missing/],
  ["a counter named by a number", doc(T, { counter: { family: "ip", table: "t", name: 5 } }), /counter\.name: expected a string, got 5 \(nft: "Expected string"\)/],
  ["a delete of a quota by neither name nor handle", doc(T, { quota: { family: "ip", table: "t", name: "q", bytes: 1 } }, { delete: { quota: { family: "ip", table: "t" } } }), /"Either name or handle required to delete an object\."/],
  ["a delete of a ct helper by its handle", doc(T, { "ct helper": { family: "ip", table: "t", name: "h", type: "ftp", protocol: "tcp" } }, { delete: { "ct helper": { family: "ip", table: "t", handle: 1 } } }), /ct helper\.name: required field is missing/],
  ["a flowtable without its hook", doc(T, { flowtable: { family: "ip", table: "t", name: "f", prio: 0, dev: "lo" } }), /flowtable\.hook: required field is missing/],
  ["a flowtable's priority as a string", doc(T, { flowtable: { family: "ip", table: "t", name: "f", hook: "ingress", prio: "0", dev: "lo" } }), /flowtable\.prio: expected an integer, got "0"/],
  ["a ct helper of a protocol the JSON reader does not know", doc(T, { "ct helper": { family: "ip", table: "t", name: "h", type: "ftp", protocol: "sctp" } }), /ct helper\.protocol: expected tcp or udp, got "sctp" \(nft: "Invalid ct helper protocol"\)/],
  ["a ct expectation's l3proto that is no family", doc(T, { "ct expectation": { family: "ip", table: "t", name: "e", protocol: "tcp", dport: 22, timeout: 100, size: 10, l3proto: "saddr" } }), /ct expectation\.l3proto: expected a family .* got "saddr" \(nft: "Invalid ct expectation l3proto"\)/],
  ["a limit without its time unit", doc(T, { limit: { family: "ip", table: "t", name: "l", rate: 5 } }), /limit\.per: required field is missing/],
  ["a numgen without its modulus", doc(T, { chain: { family: "ip", table: "t", name: "p", type: "nat", hook: "prerouting", prio: -100 } }, { rule: { family: "ip", table: "t", chain: "p", expr: [{ dnat: { addr: { map: { key: { numgen: { mode: "inc", offset: 0 } }, data: { set: [[0, "10.0.0.1"]] } } } } }] } }), /numgen\.mod: required field is missing .*"Object item not found: mod"/],
  ["a jhash of nothing", doc(T, { chain: { family: "ip", table: "t", name: "p", type: "nat", hook: "prerouting", prio: -100 } }, { rule: { family: "ip", table: "t", chain: "p", expr: [{ dnat: { addr: { map: { key: { jhash: { mod: 2 } }, data: { set: [[0, "10.0.0.1"]] } } } } }] } }), /jhash\.expr: required field is missing/],
  ["a ct helper a map chooses that the table does not declare", doc(T, C, rule({ "ct helper": { map: { key: { payload: { protocol: "ip", field: "saddr" } }, data: { set: [["10.0.0.1", "ftp-x"]] } } } })), /ct helper ftp-x, which element 10\.0\.0\.1 chooses, is not declared in table ip t/],
  ["a base chain's unknown policy", doc(T, { chain: { family: "ip", table: "t", name: "c", type: "filter", hook: "input", prio: 0, policy: "reject" } }), /chain\.policy: expected accept or drop, got "reject" \(nft: "Unknown policy"\)/],
  ["a base chain's unknown hook", doc(T, { chain: { family: "ip", table: "t", name: "c", type: "filter", hook: "inpt", prio: 0 } }), /chain\.hook: expected one of .* got "inpt" \(nft: "Invalid chain hook"\)/],
  // loaded
  ["a chain with a policy but no hook: a regular chain", doc(T, { chain: { family: "ip", table: "t", name: "c", type: "filter", prio: 0, policy: "drop" } })],
  ["a chain whose prio is a named priority: a regular chain (JSON takes integers only)", doc(T, { chain: { family: "ip", table: "t", name: "c", type: "filter", hook: "input", prio: "filter", policy: "drop" } })],
  ["a chain whose prio is a number in a string, or whose type is a number: regular chains", doc(T, { chain: { family: "ip", table: "t", name: "c", type: "filter", hook: "input", prio: "0", policy: "drop" } }, { chain: { family: "ip", table: "t", name: "d", type: 5, hook: "input", prio: 0 } })],
  ["a base chain whose policy is no string: ignored", doc(T, { chain: { family: "ip", table: "t", name: "c", type: "filter", hook: "input", prio: 0, policy: 1 } })],
  ["a ct helper of an l3proto and a named limit, as nft lists them", doc(T, { "ct helper": { family: "ip", table: "t", name: "h", type: "ftp", protocol: "tcp", l3proto: "ip" } }, { limit: { family: "ip", table: "t", name: "l", rate: 5, per: "second" } })],
  ["a delete of a quota by its handle", doc(T, { quota: { family: "ip", table: "t", name: "q", bytes: 1 } }, { delete: { quota: { family: "ip", table: "t", handle: 1 } } })],
  ["comments that are no strings, which nft ignores", doc({ table: { family: "ip", name: "t", comment: 5 } }, { chain: { family: "ip", table: "t", name: "c", comment: 0 } }, { set: { family: "ip", table: "t", name: "s", type: "ipv4_addr", comment: 7 } }, rule({ accept: null }))],
  ["a prefix whose address is written as its number", doc(T, { set: { family: "ip", table: "t", name: "s", type: "ipv4_addr", flags: ["interval"], elem: [{ prefix: { addr: 65536, len: 24 } }] } })],
  ["a base chain", doc(T, { chain: { family: "ip", table: "t", name: "c", type: "filter", hook: "input", prio: 0, policy: "drop" } }), undefined],
  ["handles of any type, a size that is no number, an empty chain name", doc({ table: { family: "ip", name: "t", handle: "x" } }, { chain: { family: "ip", table: "t", name: "" } }, { set: { family: "ip", table: "t", name: "s", type: "ipv4_addr", size: "2", flags: "interval" } })],
  ["a counter as nft lists it, and one chosen by a map", doc(T, C, { counter: { family: "ip", table: "t", name: "k" } }, rule({ counter: { packets: 1, bytes: 2 } }, { counter: { map: { key: { payload: { protocol: "ip", field: "saddr" } }, data: { set: [["10.0.0.1", "k"]] } } } }, { accept: null }))],
  ["a delete and a flush", doc(T, C, { flush: { chain: { family: "ip", table: "t", name: "c" } } }, { delete: { chain: { family: "ip", table: "t", name: "c" } } })],
];

/** The document of the case whose name starts so. */
const caseText = (name: string): string => CASES.find(([n]) => n.startsWith(name))![1];

describe("what nft's JSON reader refuses", () => {
  for (const [name, text, refused] of CASES) {
    it(`${refused ? "refuses" : "loads"} ${name}`, () => {
      const errors = parseNftJson(text, "case.json").diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
      if (!refused) expect(errors).toEqual([]);
      else expect(errors.find((m) => !/no chain or rule could be read/.test(m))).toMatch(refused);
    });
  }

  it("tells a chain nft makes a regular one, and a size it ignores", () => {
    const warnings = (text: string) => parseNftJson(text, "case.json").diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);
    expect(warnings(caseText("a chain with a policy but no hook"))).toEqual(["chain c has type, prio, policy but no hook: nft makes it a regular chain (its policy unread), which no hook enters"]);
    expect(warnings(caseText("handles of any type"))).toEqual(["set s: its size \"2\" is not a number, and nft ignores it (the set has no size)"]);
    const rs = parseNftJson(caseText("a chain with a policy but no hook"), "case.json");
    expect(rs.chains.get("ip t/c")?.rules ?? []).toEqual([]);
    // a named priority, which only the text form reads: the chain is no base chain, its drop policy unread
    expect(warnings(caseText("a chain whose prio is a named priority"))).toEqual([
      `chain c: prio "filter" is no integer: nft's JSON reader makes a base chain only of a string type and hook and an integer prio (a named priority is text-only), so this is a regular chain (its policy unread), which no hook enters`,
    ]);
    const named = parseNftJson(caseText("a chain whose prio is a named priority"), "case.json");
    expect(named.chains.get("ip t/c")?.policy).toBeUndefined();
    expect(named.pipelines.flatMap((p) => p.stages)).toEqual([]);
    expect(warnings(caseText("a base chain whose policy is no string"))).toEqual(["chain c: its policy 1 is not a string, and nft ignores it (the policy is accept)"]);
  });
});

describe("the verdicts above are nft's", () => {
  withLoaders("nft JSON refusals")("nft -j -c -f refuses exactly the refused cases", (dir) => {
    const wrong: string[] = [];
    CASES.forEach(([name, text, refused], i) => {
      const file = join(dir, `case${i}.json`);
      writeFileSync(file, text);
      const run = spawnSync("unshare", ["-n", "nft", "-j", "-c", "-f", file], { encoding: "utf8" });
      if ((run.status !== 0) !== (refused !== undefined)) wrong.push(`${name}: nft ${run.status === 0 ? "loads it" : `refuses it: ${run.stderr.trim().split("\n")[0]}`}`);
    });
    expect(wrong).toEqual([]);
  });
});
