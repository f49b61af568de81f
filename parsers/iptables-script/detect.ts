/**
 * Content-based recognition of a shell script of iptables commands: a cheap line scan (no shell
 * lexing). A script is recognised when it runs iptables/ip6tables (by name, by path, through sudo,
 * or through a variable assigned the program) with -A, -I, -P or -N, or runs iptables-restore (the
 * save text of its here-documents is then not counted against it). iptables-save files are not
 * scripts (detectIptablesSave claims them first), nor are iptables-translate test vectors.
 */
import { RESTORE_RUN, detectIptablesSave } from "../iptables/detect.js";

const PROGRAM = String.raw`(?:\S*/)?ip6?tables(?:-legacy|-nft)?`;
const COMMAND_WORD = /(^|\s)(-[AIPN]|--append|--insert|--policy|--new-chain)(\s|$)/;
/** Longer lines are not shell commands (minified JSON ...); skipping them keeps the scan linear. */
const MAX_LINE = 4000;
const FOREIGN = /^\s*(ip6?tables(-restore)?-translate|nft|ebtables|arptables)\s/;

/** A script's lines as the shell joins them (`\` continuations), without those too long to be commands. */
export function commandLines(text: string): string[] {
  return text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .filter((l) => l.length <= MAX_LINE);
}

/**
 * A pattern for a line that runs `program` (a regular expression for its name and path forms):
 * at the start of a command (line start, after ; & | ( or a shell keyword, or after sudo), by
 * name, by path, or through a variable `lines` assign it to (`NAME=iptables`, `NAME="/sbin/iptables
 * -w"`, `NAME=$(which iptables)`, `export NAME=...`); the rest of the command is its group 1.
 */
export function invocationOf(program: string, lines: readonly string[]): RegExp {
  const alias = new RegExp(
    String.raw`^(?:export\s+|readonly\s+|declare\s+(?:-\w+\s+)*)?([A-Za-z_][A-Za-z0-9_]*)=["']?(?:sudo\s+)?(?:${program}|\$\(\s*(?:which|command\s+-v)\s+${program}\s*\)|\x60\s*(?:which|command\s+-v)\s+${program}\s*\x60)(?:["'\s]|$)`,
  );
  const aliases: string[] = [];
  for (const raw of lines) {
    const m = alias.exec(raw.trim());
    if (m) aliases.push(m[1]!);
  }
  const names = [program, ...aliases.map((a) => String.raw`\$\{?${a}\}?`)].join("|");
  return new RegExp(String.raw`(?:^|[;&|(]\s*|\b(?:then|do|else|sudo)\s+)["']?(?:${names})["']?\s+(.*)$`);
}

/** The arguments of an iptables command on `line` that changes a table (-A, -I, -P, -N), or undefined. */
export function iptablesChange(line: string, invocation: RegExp): string | undefined {
  const m = invocation.exec(line);
  return m && COMMAND_WORD.test(m[1]!) ? m[1] : undefined;
}

/**
 * A scan for a script of another program's commands (nft, ufw): how many of its lines run
 * `program` (invocationOf) with arguments `changes` accepts, and how many change an iptables
 * table instead; undefined as soon as a line matches `disqualifies`.
 */
export function changesOf(text: string, program: string, changes: RegExp, disqualifies?: RegExp): { program: number; iptables: number } | undefined {
  const lines = commandLines(text);
  const runs = invocationOf(program, lines);
  const iptablesRuns = iptablesInvocation(lines);
  const out = { program: 0, iptables: 0 };
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (disqualifies?.test(line)) return undefined;
    const m = runs.exec(line);
    if (m && changes.test(m[1]!)) out.program++;
    else if (iptablesChange(line, iptablesRuns) !== undefined) out.iptables++;
  }
  return out;
}

/** The iptables invocation pattern of a script's lines (see invocationOf). */
export function iptablesInvocation(lines: readonly string[]): RegExp {
  return invocationOf(PROGRAM, lines);
}

/**
 * The quote left open at the end of `line` (a string that goes on over the next lines), given the
 * one open at its start: quotes toggle as the shell reads them - a `\` escapes the next character
 * outside single quotes, and a `#` at a word's start outside quotes ends the line.
 */
function openQuote(line: string, open: string | undefined): string | undefined {
  let q = open;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q === "'") {
      if (c === "'") q = undefined;
    } else if (c === "\\") i++;
    else if (q === '"') {
      if (c === '"') q = undefined;
    } else if (c === '"' || c === "'") q = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) break;
  }
  return q;
}

export function detectIptablesScript(text: string): boolean {
  if (!text.includes("tables")) return false;
  if (detectIptablesSave(text) !== null) return false;
  const lines = commandLines(text);
  const invocation = iptablesInvocation(lines);
  let commands = 0;
  let foreign = 0;
  let saveLike = 0;
  /** The delimiter of the here-document being skipped. */
  let inDoc: string | undefined;
  /** The quote a string left open at the end of the last line holds (its lines are the string's, not commands). */
  let inQuote: string | undefined;
  for (const raw of lines) {
    const line = raw.trim();
    if (inDoc !== undefined) {
      if (line === inDoc) inDoc = undefined;
      continue;
    }
    const opened = inQuote;
    inQuote = openQuote(raw, inQuote);
    // (save text in a quoted variable, `RULES="*filter ... COMMIT"`, fed to iptables-restore by echo)
    if (opened !== undefined) continue;
    if (line === "" || line.startsWith("#")) continue;
    // a here-document's text (save text fed to iptables-restore, a file written with cat) is no command of the script
    const doc = line.includes("<<") ? /(?<!<)<<(?!<)-?[ \t]*["']?([^\s"';&|<>]+)/.exec(line) : null;
    if (doc) inDoc = doc[1];
    if (RESTORE_RUN.test(line)) {
      commands++;
      continue;
    }
    if (FOREIGN.test(line)) {
      foreign++;
      continue;
    }
    if (/^(\*(raw|mangle|nat|filter|security)|:\S+\s+(ACCEPT|DROP|-)\b|COMMIT$)/.test(line)) saveLike++;
    if (iptablesChange(line, invocation) !== undefined) commands++;
  }
  return commands > 0 && commands > foreign && commands >= saveLike;
}
