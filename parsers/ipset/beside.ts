/**
 * The ipsets an iptables ruleset names, from the `ipset save` files kept beside it: in the
 * ruleset's folder and the one above it, files whose name says ipset (netfilter-persistent's
 * /etc/iptables/ipsets beside rules.v4, Fedora's /etc/sysconfig/ipset beside iptables, Arch's
 * /etc/ipset.conf above /etc/iptables/iptables.rules) and whose text is `ipset save` output.
 * Read through the same functions as nft includes (the disk, or a git revision's tree).
 */
import { basename, dirname, join, resolve } from "node:path";
import type { Diagnostic, Ruleset } from "../../src/model/types.js";
import type { IncludeIo } from "../file-io.js";
import type { IpsetIndex } from "./match.js";
import { looksLikeIpsetSave, readIpsetSave, type IpsetDef } from "./save.js";

/** The names an ipset save file is looked for by (ipsets, ipset, ipset.conf, ...). */
export const IPSET_FILE_NAME = /ipset/i;

interface IpsetsFound {
  index: IpsetIndex;
  /** The files read, by the names diagnostics give them, with their text. */
  files: { name: string; text: string }[];
  diagnostics: Diagnostic[];
  /** Where such files are looked for, as glob patterns (a file that comes there is read next time: the review watches them). */
  lookedIn: string[];
}

/**
 * Does an iptables ruleset's text match on ipsets (`-m set --match-set`, or the old `-m set --set`)?
 * Not `-m recent --set` (ufw's `ufw limit` writes it): that `--set` adds to a recent list.
 */
export function namesIpsets(text: string): boolean {
  return text.includes("--match-set") || /-m\s+set\s[^\n]*--set\s/.test(text);
}

/** Sets the ruleset fills itself: `-j SET --add-set NAME` / `--del-set NAME`. */
export function setsFilledBy(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/--(?:add|del)-set\s+(\S+)/g)) out.add(m[1]!);
  return out;
}

/**
 * The ipset files beside `path` (where the ruleset is on disk, or in the io's tree), read and
 * merged: a set defined in two files is taken from the first (in name order, the ruleset's own
 * folder first), with a warning at the second.
 */
function ipsetsBeside(path: string, rulesetText: string, io: IncludeIo): IpsetsFound {
  const sets = new Map<string, IpsetDef>();
  const files: { name: string; text: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  const own = basename(path);
  const here = dirname(path);
  for (const dir of [here, dirname(here)]) {
    if (dir !== here && files.length > 0) break; // the folder above only when the ruleset's own has none
    for (const name of io.listDir(dir) ?? []) {
      if (!IPSET_FILE_NAME.test(name) || (dir === here && name === own)) continue;
      const full = join(dir, name);
      const text = io.readFile(full);
      if (text === undefined || !looksLikeIpsetSave(text)) continue;
      const shown = io.shown?.(full) ?? full;
      const read = readIpsetSave(text, shown);
      files.push({ name: shown, text });
      for (const d of read.diagnostics) diagnostics.push(d);
      for (const [setName, def] of read.sets) {
        const before = sets.get(setName);
        if (before) diagnostics.push({ severity: "warning", message: `set '${setName}' is defined in ${before.file} too (line ${before.line}); that one is read`, file: shown, line: def.line, column: 1 });
        else sets.set(setName, def);
      }
    }
    if (dir === dirname(dir)) break;
  }
  const lookedIn = [here, dirname(here)].filter((d, i, all) => all.indexOf(d) === i).map((d) => join(resolve(d), "*ipset*"));
  return { index: { sets, filled: setsFilledBy(rulesetText) }, files, diagnostics, lookedIn };
}

/**
 * The sets for an iptables ruleset's text (`file` as named, on disk at `origin` when it only labels
 * it), when it names any: undefined when it names none or is standard input. The index is for its
 * rules; `attach` then puts on the ruleset what was read - an info line at the first set match
 * saying which files (or that none was found), their diagnostics, the files as the ruleset's
 * included ones (the review shows and watches them), and where more may come.
 */
export function ipsetsFor(text: string, file: string, io: IncludeIo, origin?: string): { index?: IpsetIndex; attach: (ruleset: Ruleset) => void } | undefined {
  if (!namesIpsets(text) || file === "-") return undefined;
  const found = ipsetsBeside(origin ?? file, text, io);
  const read = found.files.length > 0;
  return {
    ...(read ? { index: found.index } : {}),
    attach(ruleset) {
      const at = positionOf(text, text.includes("--match-set") ? "--match-set" : "--set");
      const n = found.index.sets.size;
      const said = read
        ? `ipsets read from ${found.files.map((f) => f.name).join(", ")} (${n} set${n === 1 ? "" : "s"})`
        : "no ipset save file beside the ruleset (a file named *ipset* in its folder or the one above): which packets the sets hold is unknown";
      // in place among the ruleset's own (by line), then the ipset files'
      const own = [...ruleset.diagnostics, { severity: "info" as const, message: said, file, ...at }].sort((a, b) => a.line - b.line || a.column - b.column);
      ruleset.diagnostics = own.concat(found.diagnostics);
      if (read) {
        ruleset.includedLoader = { program: "ipset restore", holds: "sets" };
        ruleset.includedFiles = [...(ruleset.includedFiles ?? []), ...found.files.map((f) => f.name)];
        ruleset.includedLines = new Map([...(ruleset.includedLines ?? []), ...found.files.map((f): [string, string[]] => [f.name, f.text.split("\n")])]);
      }
      ruleset.includeWatch = [...(ruleset.includeWatch ?? []), ...found.lookedIn];
    },
  };
}

/** Line and column (1-based) of the first `what` in the text. */
function positionOf(text: string, what: string): { line: number; column: number } {
  const i = Math.max(0, text.indexOf(what));
  const before = text.slice(0, i);
  return { line: before.split("\n").length, column: i - before.lastIndexOf("\n") };
}
