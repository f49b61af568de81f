/**
 * The ipsets an iptables ruleset names, from the `ipset save` files kept beside it: in the
 * ruleset's folder and the one above it, files whose name says ipset (netfilter-persistent's
 * /etc/iptables/ipsets beside rules.v4, Fedora's /etc/sysconfig/ipset beside iptables, Arch's
 * /etc/ipset.conf above /etc/iptables/iptables.rules) and whose text is `ipset save` output.
 * Read through the same functions as nft includes (the disk, or a git revision's tree).
 */
import { basename, dirname, join, resolve } from "node:path";
import type { Diagnostic } from "../../src/model/types.js";
import type { IncludeIo } from "../file-io.js";
import type { IpsetIndex } from "./match.js";
import { looksLikeIpsetSave, readIpsetSave, type IpsetDef } from "./save.js";

const IPSET_NAME = /ipset/i;

export interface IpsetsFound {
  index: IpsetIndex;
  /** The files read, by the names diagnostics give them, with their text. */
  files: { name: string; text: string }[];
  diagnostics: Diagnostic[];
  /** Where such files are looked for, as glob patterns (a file that comes there is read next time: the review watches them). */
  lookedIn: string[];
}

/** Does an iptables ruleset's text match on ipsets (`-m set --match-set`, or the old `--set`)? */
export function namesIpsets(text: string): boolean {
  return text.includes("--match-set") || /\s--set\s/.test(text);
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
export function ipsetsBeside(path: string, rulesetText: string, io: IncludeIo): IpsetsFound {
  const sets = new Map<string, IpsetDef>();
  const files: { name: string; text: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  const own = basename(path);
  const here = dirname(path);
  for (const dir of [here, dirname(here)]) {
    if (dir !== here && files.length > 0) break; // the folder above only when the ruleset's own has none
    for (const name of io.listDir(dir) ?? []) {
      if (!IPSET_NAME.test(name) || (dir === here && name === own)) continue;
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
