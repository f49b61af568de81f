/**
 * Content-based recognition of a shell script of nft commands (`nft add rule ...`, `nft -f - <<EOF`):
 * a cheap line scan, as for scripts of iptables commands (parsers/iptables-script/detect.ts). A
 * script is recognised when it runs nft (by name, by path, through sudo, or through a variable
 * assigned the program) with a command that changes the ruleset or loads a file, at least as often
 * as it runs iptables. An nft file is never one: no line of nft's own language runs the program
 * (its `#!/usr/sbin/nft -f` is a comment to it); iptables-translate test vectors (an
 * `iptables-translate` line, then the `nft '...'` it prints) are not scripts either.
 */
const PROGRAM = String.raw`(?:\S*/)?nft`;
/** `NFT=nft`, `NFT="/usr/sbin/nft"`, `NFT=$(which nft)`, `export NFT=...`. */
const ALIAS = new RegExp(
  String.raw`^(?:export\s+|readonly\s+|declare\s+(?:-\w+\s+)*)?([A-Za-z_][A-Za-z0-9_]*)=["']?(?:sudo\s+)?(?:${PROGRAM}|\$\(\s*(?:which|command\s+-v)\s+${PROGRAM}\s*\)|\x60\s*(?:which|command\s+-v)\s+${PROGRAM}\s*\x60)(?:["'\s]|$)`,
);
/** What follows the program in a command that changes the ruleset (options first), or loads a file. */
const CHANGES = /^(?:-[a-zA-Z]+\s+)*["']?(?:add|insert|create|replace|delete|destroy|flush|table|-f|--file)(?:\s|$)/;
const IPTABLES = /(?:^|[;&|(]\s*|\b(?:then|do|else|sudo)\s+)(?:\S*\/)?ip6?tables(?:-legacy|-nft)?\s+(.*)$/;
const IPTABLES_CHANGE = /(?:^|\s)(?:-[AIPN]|--append|--insert|--policy|--new-chain)(?:\s|$)/;
const TRANSLATE = /^\s*(?:ip6?tables(?:-restore)?|arptables|ebtables)-translate\s/m;
/** Longer lines are not shell commands (minified JSON ...); skipping them keeps the scan linear. */
const MAX_LINE = 4000;

export function detectNftScript(text: string): boolean {
  if (!text.includes("nft") || TRANSLATE.test(text)) return false;
  const lines = text.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  const aliases: string[] = [];
  for (const raw of lines) {
    if (raw.length > MAX_LINE) continue;
    const m = ALIAS.exec(raw.trim());
    if (m) aliases.push(m[1]!);
  }
  const names = [PROGRAM, ...aliases.map((a) => String.raw`\$\{?${a}\}?`)].join("|");
  // the program at the start of a command: line start, after ; & | ( or a shell keyword, or after sudo
  const invocation = new RegExp(String.raw`(?:^|[;&|(]\s*|\b(?:then|do|else|sudo)\s+)["']?(?:${names})["']?\s+(.*)$`);
  let nft = 0;
  let iptables = 0;
  for (const raw of lines) {
    if (raw.length > MAX_LINE) continue;
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = invocation.exec(line);
    if (m && CHANGES.test(m[1]!)) nft++;
    else if (IPTABLES_CHANGE.test(IPTABLES.exec(line)?.[1] ?? "")) iptables++;
  }
  return nft > 0 && nft >= iptables;
}
