/**
 * Content-based recognition of a shell script of iptables commands: a cheap line scan (no shell
 * lexing). A script is recognised when it runs iptables/ip6tables (by name, by path, through sudo,
 * or through a variable assigned the program) with -A, -I, -P or -N. iptables-save files are not
 * scripts (detectIptablesSave claims them first), nor are iptables-translate test vectors.
 */
import { detectIptablesSave } from "../iptables/detect.js";

const PROGRAM = String.raw`(?:\S*/)?ip6?tables(?:-legacy|-nft)?`;
/** `NAME=iptables`, `NAME="/sbin/iptables -w"`, `NAME=$(which iptables)`, `export NAME=...`. */
const ALIAS = new RegExp(String.raw`^(?:export\s+|readonly\s+|declare\s+(?:-\w+\s+)*)?([A-Za-z_][A-Za-z0-9_]*)=["']?(?:sudo\s+)?(?:${PROGRAM}|\$\(\s*(?:which|command\s+-v)\s+${PROGRAM}\s*\)|\x60\s*(?:which|command\s+-v)\s+${PROGRAM}\s*\x60)(?:["'\s]|$)`);
const COMMAND_WORD = /(^|\s)(-[AIPN]|--append|--insert|--policy|--new-chain)(\s|$)/;
/** Longer lines are not shell commands (minified JSON ...); skipping them keeps the scan linear. */
const MAX_LINE = 4000;
const FOREIGN = /^\s*(ip6?tables(-restore)?-translate|nft|ebtables|arptables)\s/;

export function detectIptablesScript(text: string): boolean {
  if (!text.includes("tables")) return false;
  if (detectIptablesSave(text) !== null) return false;
  const lines = text.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  const aliases: string[] = [];
  for (const raw of lines) {
    if (raw.length > MAX_LINE) continue;
    const m = ALIAS.exec(raw.trim());
    if (m) aliases.push(m[1]!);
  }
  const names = [PROGRAM, ...aliases.map((a) => String.raw`\$\{?${a}\}?`)].join("|");
  // the program at the start of a command: line start, after ; & | ( or a shell keyword, or after sudo
  const invocation = new RegExp(String.raw`(?:^|[;&|(]\s*|\b(?:then|do|else|sudo)\s+)(?:${names})\s+(.*)$`);
  let commands = 0;
  let foreign = 0;
  let saveLike = 0;
  for (const raw of lines) {
    if (raw.length > MAX_LINE) continue;
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (FOREIGN.test(line)) {
      foreign++;
      continue;
    }
    if (/^(\*(raw|mangle|nat|filter|security)|:\S+\s+(ACCEPT|DROP|-)\b|COMMIT$)/.test(line)) saveLike++;
    const m = invocation.exec(line);
    if (m && COMMAND_WORD.test(m[1]!)) commands++;
  }
  return commands > 0 && commands > foreign && commands >= saveLike;
}
