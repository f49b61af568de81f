/**
 * Content-based recognition of a shell script of nft commands (`nft add rule ...`, `nft -f - <<EOF`):
 * a cheap line scan, as for scripts of iptables commands (parsers/iptables-script/detect.ts, whose
 * line and invocation patterns it shares). A script is recognised when it runs nft (by name, by
 * path, through sudo, or through a variable assigned the program) with a command that changes the
 * ruleset or loads a file, at least as often as it runs iptables to change a table. An nft file is
 * never one: no line of nft's own language runs the program (its `#!/usr/sbin/nft -f` is a comment
 * to it); iptables-translate test vectors (an `iptables-translate` line, then the `nft '...'` it
 * prints) are not scripts either.
 */
import { changesOf } from "../iptables-script/detect.js";

const PROGRAM = String.raw`(?:\S*/)?nft`;
/** What follows the program in a command that changes the ruleset (options first), or loads a file. */
const CHANGES = /^(?:-[a-zA-Z]+\s+)*["']?(?:add|insert|create|replace|delete|destroy|flush|table|-f|--file)(?:\s|$)/;
const TRANSLATE = /^\s*(?:ip6?tables(?:-restore)?|arptables|ebtables)-translate\s/m;

export function detectNftScript(text: string): boolean {
  if (!text.includes("nft") || TRANSLATE.test(text)) return false;
  const n = changesOf(text, PROGRAM, CHANGES);
  return n !== undefined && n.program > 0 && n.program >= n.iptables;
}
