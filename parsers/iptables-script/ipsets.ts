/**
 * The ipsets a script makes as it runs: `ipset create`, `add`, `del`, `flush`, `destroy`, `rename`,
 * `swap` (and their short forms), and `ipset restore` - from a here-document, or from a file the
 * script wrote or the scanned tree holds (`ipset restore < ipsets.save`, `-f FILE`, `cat FILE |`)
 * -, in the order the script runs them. Their arguments are those of `ipset restore` lines, so the
 * commands are read as one restore file (parsers/ipset/save.ts) once the script has run: the sets
 * as they stand at its end, which is what its rules look up when packets come.
 *
 * The sets are known only when no ipset command of the script was skipped for what fwlint cannot
 * know (run.ts tells the log of each: one in a loop or condition it does not decide, one with an
 * argument known only when the script runs, a restore from a file the tree does not hold) - one
 * in a branch the script is known not to take, or in a function never called, changes nothing;
 * otherwise none of them is read (IpsetLog.sets says why).
 */
import type { Diagnostic } from "../../src/model/types.js";
import { setsFilledBy } from "../ipset/beside.js";
import { readIpsetSave } from "../ipset/save.js";
import type { IpsetIndex } from "../ipset/match.js";
import type { ArgField } from "./argv.js";
import type { ScriptText } from "./heredoc.js";
import { plainText, type Pos, type WordTok } from "./lexer.js";
import { assignment, COMMAND_WRAPPERS } from "./run.js";

/** Subcommands that change no set (`list`, `test` ...): run, nothing to follow. */
const READ_ONLY = new Set(["list", "l", "-L", "--list", "save", "s", "-S", "--save", "test", "t", "-T", "--test", "version", "-V", "--version", "help", "-h", "--help"]);
const RESTORE = new Set(["restore", "r", "-R", "--restore"]);
/** Global options without a value, which may stand anywhere (a restore line needs none of them). */
const FLAGS = new Set(["-exist", "-!", "--exist", "-quiet", "-q", "--quiet", "-sorted", "-s", "--sorted", "-name", "-n", "--name", "-terse", "-t", "--terse", "-resolve", "-r", "--resolve"]);
/** Global options that take a value (`-o save`, `-f FILE`); the second kind names a file to restore from. */
const VALUED = new Set(["-o", "-output", "--output"]);
const FROM_FILE = new Set(["-f", "-file", "--file"]);

/** The ipset commands a script ran, as restore lines with the script position of each. */
export class IpsetLog {
  /** Each line and where it stands; `restored` when a restore read it (a file, a here-document), not an ipset command of the script. */
  private readonly lines: { text: string; pos: Pos; restored: boolean }[] = [];
  /** Why what the sets hold is not known, when it is not, and where. */
  private unknown: { why: string; pos: Pos } | undefined;

  /** An ipset command the script skipped for what fwlint cannot know (the first one is told). */
  skipped(pos: Pos): void {
    this.unknown ??= { why: "fwlint does not follow this ipset command (in a loop or condition it does not decide, or with a value known only when the script runs)", pos };
  }

  /**
   * An `ipset ...` command as run (`fields`: its words, the program first). For a restore,
   * `input` gives what it reads, as the shell hands it over (run.ts): the file of its `-f FILE`
   * option (passed as the option's value), else its standard input - a here-document, a `<<<`
   * string, `< FILE`, what `cat FILE |` pipes - or why that is not known; undefined when nothing
   * feeds it (the script's own standard input).
   */
  run(fields: readonly ArgField[], input: (file?: ArgField) => ScriptText | { pos: Pos; why: string } | undefined): "ok" | "unknown" {
    const head = fields[0]!;
    const words: ArgField[] = [];
    let file: ArgField | undefined;
    for (let k = 1; k < fields.length; k++) {
      const t = fields[k]!.text;
      if (VALUED.has(t) || FROM_FILE.has(t)) {
        if (FROM_FILE.has(t)) file = fields[k + 1];
        k++;
      } else if (!FLAGS.has(t)) words.push(fields[k]!);
    }
    const command = words[0];
    if (command === undefined || READ_ONLY.has(command.text)) return "ok";
    if (RESTORE.has(command.text)) {
      const read = input(file);
      if (!read) {
        this.unknown ??= { why: "ipset restore skipped: it reads the script's own standard input, which fwlint does not know", pos: head.pos };
        return "unknown";
      }
      if ("why" in read) {
        this.unknown ??= { why: `ipset restore skipped: ${read.why}`, pos: read.pos };
        return "unknown";
      }
      for (const l of read.lines) this.lines.push({ text: l.text, pos: { line: l.line, column: l.column, ...(l.file !== undefined ? { file: l.file } : {}) }, restored: true });
      return "ok";
    }
    // (a word the shell unquoted - a comment with blanks - is quoted again, as a restore line writes it)
    this.lines.push({ text: words.map((w) => (/[\s"]/.test(w.text) ? `"${w.text.replace(/"/g, '\\"')}"` : w.text)).join(" "), pos: head.pos, restored: false });
    return "ok";
  }

  /**
   * The sets at the end of the script, with what reading them says (at the commands' places), when
   * no ipset command was skipped; otherwise why not.
   */
  sets(file: string, text: string): { index: IpsetIndex; diagnostics: Diagnostic[] } | { why: string; pos: Pos } {
    if (this.unknown) return this.unknown;
    const read = readIpsetSave(withoutBootFailures(this.lines.map((l) => l.text)).join("\n"), file);
    const at = (line: number): Pos => this.lines[line - 1]?.pos ?? { line, column: 1 };
    for (const s of read.sets.values()) {
      const p = at(s.line);
      s.line = p.line;
      s.file = p.file ?? file;
      for (const e of s.entries) e.line = at(e.line).line;
    }
    const diagnostics = read.diagnostics.map((d): Diagnostic => {
      const p = at(d.line);
      // (a line a restore read keeps its column; a command's is where the command starts)
      const restored = this.lines[d.line - 1]?.restored ?? false;
      return {
        ...d,
        file: p.file ?? file,
        line: p.line,
        column: restored ? p.column + d.column - 1 : p.column,
        message: restored ? d.message : d.message.replace("ipset restore refuses the line", "ipset refuses the command"),
      };
    });
    return { index: { sets: read.sets, filled: setsFilledBy(text) }, diagnostics };
  }
}

const CLEARS = new Set(["destroy", "x", "-X", "--destroy", "flush", "f", "-F", "--flush"]);
const CREATES = new Set(["create", "n", "-N", "--create"]);

/**
 * The restore lines without each `destroy` or `flush` of a set no earlier line created (left
 * empty): on the machine the script is read for (as at boot, without sets) it fails and changes
 * nothing - the usual clean-up before `create`.
 */
function withoutBootFailures(lines: readonly string[]): string[] {
  const created = new Set<string>();
  return lines.map((text) => {
    const [command = "", name] = text.trim().split(/\s+/);
    if (CREATES.has(command) && name !== undefined) created.add(name);
    return CLEARS.has(command) && name !== undefined && !created.has(name) ? "" : text;
  });
}

/** A word that names the ipset program: `ipset`, `/sbin/ipset`, `$IPSET`, `${IPSET}`. */
function namesIpset(w: WordTok): boolean {
  const t = plainText(w);
  if (t !== undefined) return /(^|\/)ipset$/.test(t);
  return /^"?\$\{?[A-Za-z_]*ipset[A-Za-z_0-9]*\}?"?$/i.test(w.raw);
}

/** Words a command starts with before its program: assignments, and wrappers such as sudo. */
function programWord(words: readonly WordTok[]): WordTok | undefined {
  let k = 0;
  while (k < words.length && assignment(words[k]!)) k++;
  while (k < words.length && COMMAND_WRAPPERS.has(words[k]!.raw)) {
    k++;
    while (k < words.length && words[k]!.raw.startsWith("-")) k++;
  }
  return words[k];
}

/** Is this word list an ipset command (as written: `ipset`, `/sbin/ipset`, `$IPSET`, through sudo)? */
export function isIpsetCommand(words: readonly WordTok[]): boolean {
  const w = programWord(words);
  return w !== undefined && namesIpset(w);
}
