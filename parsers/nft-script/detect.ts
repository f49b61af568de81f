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
import { commandLines, invocationOf, iptablesChange, iptablesInvocation } from "../iptables-script/detect.js";

const PROGRAM = String.raw`(?:\S*/)?nft`;
/** What follows the program in a command that changes the ruleset (options first), or loads a file. */
const CHANGES = /^(?:-[a-zA-Z]+\s+)*["']?(?:add|insert|create|replace|delete|destroy|flush|table|-f|--file)(?:\s|$)/;
const TRANSLATE = /^\s*(?:ip6?tables(?:-restore)?|arptables|ebtables)-translate\s/m;

export function detectNftScript(text: string): boolean {
  if (!text.includes("nft") || TRANSLATE.test(text)) return false;
  const lines = commandLines(text);
  const nftRuns = invocationOf(PROGRAM, lines);
  const iptablesRuns = iptablesInvocation(lines);
  let nft = 0;
  let iptables = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = nftRuns.exec(line);
    if (m && CHANGES.test(m[1]!)) nft++;
    else if (iptablesChange(line, iptablesRuns) !== undefined) iptables++;
  }
  return nft > 0 && nft >= iptables;
}
