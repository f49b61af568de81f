/**
 * A script's nft commands -> nft text, in the order they ran, at the script's own lines and columns.
 *
 * nft joins its arguments with blanks and reads them as one line of its language, so
 * `nft add rule inet filter input tcp dport 22 accept` is the command-file line
 * `add rule inet filter input tcp dport 22 accept`. Each command the shell runs (parsers/iptables-
 * script/run.ts follows the script) is written as it runs, at the columns its words stand at in
 * the script - a word a variable gave at the variable -, a command continued over lines with nft's
 * own `\`, a here-document's body (`nft -f - <<EOF`) at its lines, `nft -f FILE` as
 * `include "FILE"`; each line of the text remembers the line (and the file: one the script
 * sources) it stands for (lineMap). The nft reader then reads that text as a command file with
 * every place moved to that line, so what it says (errors, findings) points into the script - and
 * a helper function defined above the table it adds to runs after the table is made, as it does.
 *
 * nft applies one invocation's commands together or not at all: a command on a table the script
 * has not made (the machine is taken as freshly booted, with an empty ruleset, as for iptables
 * scripts) fails, and so does `create` of one it has, or one the nftables reader finds an error in
 * (`failing`: the reader is asked after a first run, see index.ts); the outcome steers `&&`, `||`
 * and `set -e`.
 */
import type { ArgField } from "../iptables-script/argv.js";
import type { Pos, RedirTok } from "../iptables-script/lexer.js";
import type { NftSink, Outcome } from "../iptables-script/run.js";
import type { PlacedLine, ScriptText } from "../iptables-script/heredoc.js";
import type { NftInput, UnknownOperand } from "../iptables-script/run.js";

/** A place in the text: line and column, 1-based. */
interface At {
  line: number;
  column: number;
}

/** One nft invocation written into the text: where it runs, and where its text starts and ends. */
export interface PlacedCommand {
  /**
   * The program word's place and how many times a command ran there ("line:column#n": a function's
   * command runs once per call): the same command in another run of the script.
   */
  key: string;
  /** The file its text stands in: the script, or a file the script sources. */
  file: string;
  from: At;
  to: At;
  /**
   * How far right of its words' own columns the command's first line was written (a function's
   * command at a later call follows the earlier ones on the line); 0 when at them.
   */
  shift: number;
  /**
   * A here-document's text, line by line: the columns each of its lines was written at and how far
   * right of its own (a here-document read again with other values follows its earlier text).
   */
  lines?: ReadonlyMap<number, LineText>;
}

/** Where one line of a command's text was written: columns `from`-`to`, `shift` right of where it stands. */
interface LineText {
  from: number;
  to: number;
  shift: number;
}

/** Is `d` within the text `c` wrote (or just past its end, where a missing word is told)? */
export function holds(c: PlacedCommand, d: At & { file: string }): boolean {
  if (d.file !== c.file) return false;
  if (c.lines) {
    const l = c.lines.get(d.line);
    return l !== undefined && d.column >= l.from && d.column <= l.to + 1;
  }
  const after = (a: At, b: At) => a.line > b.line || (a.line === b.line && a.column >= b.column);
  return after(d, c.from) && after({ line: c.to.line, column: c.to.column + 1 }, d);
}

/** How far right of its words `c` wrote the place `d` is in (PlacedCommand.shift, lines). */
export function shiftAt(c: PlacedCommand, d: At): number {
  if (c.lines) return c.lines.get(d.line)?.shift ?? 0;
  return d.line === c.from.line ? c.shift : 0;
}

/** nft's options that take the next argument (`-f FILE`, `-D NAME=VALUE` ...). */
const WITH_VALUE = new Set(["f", "D", "I", "d"]);
const LONG_WITH_VALUE = new Set(["--file", "--define", "--includepath", "--debug"]);
/** Commands that change nothing. */
const READ_ONLY = new Set(["list", "monitor", "describe", "get", "export"]);
const FAMILIES = new Set(["ip", "ip6", "inet", "arp", "bridge", "netdev"]);
const VERBS = new Set(["add", "create", "insert", "replace", "delete", "destroy", "flush", "reset", "rename"]);

export class NftScriptCommands implements NftSink {
  /**
   * What has been written at each line of the script (key "") and of each file it sources, over all
   * invocations: the columns the next one written there starts from (a function's command at a
   * later call follows the earlier ones).
   */
  private readonly ledgers = new Map<string, string[]>();
  /** The lines of the files the script sources that hold nft commands, by their names. */
  private readonly sourced = new Map<string, readonly string[]>();
  /**
   * The nft text in the order the commands ran, a line per line written, each at the script line
   * its words stand on (`line`) and at their columns there: what a function defined above the
   * table it adds to writes runs where it is called, after the table is made.
   */
  private readonly written: { line: number; file?: string; text: string }[] = [];
  /** The written line the statement being placed writes on, and its line's file and index there. */
  private writing: { file: string | undefined; index: number; line: { line: number; text: string } } | undefined;
  /** Tables the script has made ("family name"), as far as known. */
  private tables = new Set<string>();
  /** Set once the script loads a file fwlint does not look into here: which tables exist is not known. */
  private tablesUnknown = false;
  followed = 0;
  /** The invocations written, in the order they ran. */
  readonly placed: PlacedCommand[] = [];
  /** Conditions known only when the script runs (see unknownOperands) of the rules an invocation wrote. */
  readonly unknowns: { command: PlacedCommand; conditions: UnknownOperand["condition"][] }[] = [];
  /** How many commands ran at each place so far. */
  private readonly runs = new Map<string, number>();
  /** The texts each here-document was read with (by its file and first line). */
  private readonly docs = new Map<string, Set<string>>();
  /** Where the text of the invocation being written starts and ends, while it is, and its shift. */
  private touched: Omit<PlacedCommand, "key"> | undefined;

  constructor(
    private readonly lines: readonly string[],
    private readonly info: (pos: Pos, message: string) => void,
    /** An error nft gives for a command, which makes it fail. */
    private readonly error: (pos: Pos, message: string) => void,
    /** The script's name, as places give it. */
    private readonly file: string,
    /** Invocations (PlacedCommand.key) that fail as nft refuses what they say. */
    private readonly failing: ReadonlySet<string> = new Set(),
  ) {}

  /** The lines of the script (file undefined) or of a file it sources. */
  private linesOf(file: string | undefined): readonly string[] {
    return file === undefined ? this.lines : (this.sourced.get(file) ?? []);
  }

  /** What has been written at the lines of the script (file undefined) or of a file it sources. */
  private ledger(file: string | undefined): string[] {
    let l = this.ledgers.get(file ?? "");
    if (!l) this.ledgers.set(file ?? "", (l = this.linesOf(file).map(() => "")));
    return l;
  }

  /** The nft text of the commands followed, in the order they ran. */
  text(): string {
    return this.written.map((w) => w.text).join("\n");
  }

  /** The line each line of text() stands for (1-based, in order), in the script or (`file`) a file it sources. */
  lineMap(): { line: number; file?: string }[] {
    return this.written.map((w) => (w.file === undefined ? { line: w.line } : { line: w.line, file: w.file }));
  }

  /** The lines of the files the script sources whose nft commands the text holds, by their names. */
  sourcedLines(): ReadonlyMap<string, readonly string[]> {
    return this.sourced;
  }

  run(args: ArgField[], head: ArgField, redirs: RedirTok[], input: NftInput = { files: () => undefined }): Outcome {
    if (head.pos.file !== undefined && input.fileLines) this.sourced.set(head.pos.file, input.fileLines);
    const at = `${head.pos.file ?? ""}:${head.pos.line}:${head.pos.column}`;
    const n = (this.runs.get(at) ?? 0) + 1;
    this.runs.set(at, n);
    const key = `${at}#${n}`;
    if (this.failing.has(key)) {
      this.followed++;
      return "fail";
    }
    this.touched = undefined;
    const outcome = this.invocation(args, head, redirs, input);
    // (invocation() widens `touched` as it writes)
    const touched = this.touched as Omit<PlacedCommand, "key"> | undefined;
    if (touched) {
      const command = { key, ...touched };
      this.placed.push(command);
      if (input.unknowns) this.unknowns.push({ command, conditions: input.unknowns.map((u) => u.condition) });
    }
    return outcome;
  }

  private invocation(args: ArgField[], head: ArgField, redirs: RedirTok[], input: NftInput): Outcome {
    const defines: ArgField[] = [];
    let file: ArgField | undefined;
    let k = 0;
    for (; k < args.length; k++) {
      const a = args[k]!;
      const t = a.text;
      if (t === "--") {
        k++;
        break;
      }
      if (!t.startsWith("-") || t === "-") break;
      const long = t.startsWith("--") ? t.replace(/=.*/, "") : undefined;
      const inline = long !== undefined && t.includes("=") ? t.slice(t.indexOf("=") + 1) : undefined;
      const flags = long === undefined ? t.slice(1) : "";
      const takes = long !== undefined ? LONG_WITH_VALUE.has(long) && inline === undefined : WITH_VALUE.has(flags[flags.length - 1]!);
      const value = inline !== undefined ? { ...a, text: inline } : takes ? args[++k] : undefined;
      const is = (short: string, longName: string) => long === longName || (long === undefined && flags.includes(short));
      if (is("c", "--check")) return "ok"; // only checked, not applied
      if (is("j", "--json")) {
        this.info(head.pos, "nft -j (a JSON batch) skipped: fwlint reads a script's nft commands in nft's own language; check the JSON with fwlint apart");
        return "unknown";
      }
      if (is("i", "--interactive")) {
        this.info(head.pos, "nft -i skipped: the commands it reads are typed when it runs");
        return "unknown";
      }
      if (is("v", "--version") || is("V", "--version") || is("h", "--help")) return "ok";
      if (value === undefined) continue;
      if (is("f", "--file")) file = value;
      else if (is("D", "--define")) defines.push(value);
    }
    if (file) return this.load(file, defines, head, redirs, input);
    const words = args.slice(k);
    if (words.length === 0) return "ok";
    // nft reads each invocation apart: a block left open would take in the commands after it here
    const { commands, open } = scanNft(words.map((w) => w.text).join(" "));
    if (open) {
      this.error(words[0]!.pos, `${open} in this nft command (nft refuses it, and nothing of it is loaded)`);
      return "fail";
    }
    const effects = this.effectsOf(commands);
    if (effects === "read-only") return this.readOnly(commands);
    if (effects === "fail") return "fail";
    this.placeDefines(defines);
    this.place(words);
    this.followed++;
    return effects;
  }

  /**
   * `nft -f FILE` (an include, or the text of a file the script wrote) or `nft -f -` reading a
   * here-document, a redirected file or what a pipe gives it.
   */
  private load(file: ArgField, defines: ArgField[], head: ArgField, redirs: RedirTok[], input: NftInput): Outcome {
    const stdin = file.text === "-" || file.text === "/dev/stdin";
    const doc = stdin ? redirs.find((r) => r.heredoc)?.heredoc : undefined;
    const from = stdin ? redirs.find((r) => r.op === "<" && r.target) : undefined;
    const fromPath = from ? input.stdinPath : undefined;
    // a file the script wrote, or what a pipe gives it, is read where its text stands in the script
    const text: ScriptText | undefined = !stdin ? input.files(file.text) : doc ? undefined : from ? (fromPath === undefined ? undefined : input.files(fromPath)) : input.stdin;
    const pipedFile = stdin && !doc && !from && !text ? input.stdinFile : undefined;
    if (stdin && !doc && !from && !text && !pipedFile) {
      this.info(head.pos, `nft -f ${file.text} skipped: what it reads on standard input is not known (a here-document or '< FILE' is read)`);
      return "unknown";
    }
    let body: PlacedLine[] | undefined = text?.lines;
    let label = text ? `${text.what}, which nft reads` : "";
    if (doc) {
      label = `the here-document nft reads (lines ${doc.firstLine}-${doc.lastLine})`;
      // (the runner fills it in as the shell does; a quoted one is the script's own lines, at their columns)
      const read = input.hereDoc;
      if (read === undefined || "why" in read) {
        this.info(read?.pos ?? head.pos, `here-document read by nft (lines ${doc.firstLine}-${doc.lastLine}) skipped: ${read?.why ?? "its text is not known"}; fwlint does not guess the value`);
        return "unknown";
      }
      body = read.lines;
    }
    const whole = body?.map((l) => l.text).join("\n");
    const open = whole !== undefined ? scanNft(whole).open : undefined;
    if (open) {
      this.error({ line: body![0]?.line ?? head.pos.line, column: 1 }, `${open} in ${label} (nft refuses it, and nothing of it is loaded)`);
      return "fail";
    }
    // (a here-document read again with a text it had before is written once, where it first ran)
    let again = false;
    if (body && body.length > 0 && whole !== undefined) {
      const doc = `${body[0]!.file ?? ""}:${body[0]!.line}`;
      const texts = this.docs.get(doc) ?? new Set<string>();
      again = texts.has(whole);
      texts.add(whole);
      this.docs.set(doc, texts);
    }
    this.placeDefines(defines);
    if (body) {
      // each line where its text stands; read again with other values (a function called with
      // other arguments), right of the text it had before, and moved back once read (lines)
      const lines = new Map<number, LineText>();
      for (const l of body) {
        const out = this.ledger(l.file);
        const before = out[l.line - 1] ?? "";
        const column = again || before === "" ? l.column : before.length + 2;
        const text = `${" ".repeat(column - 1)}${l.text}`;
        if (!again) {
          out[l.line - 1] = before === "" ? text : before.padEnd(column - 1) + l.text;
          this.written.push({ line: l.line, ...(l.file !== undefined ? { file: l.file } : {}), text });
        }
        const to = Math.max(column - 1 + l.text.length, column);
        this.touch(l.file, l.line - 1, column, to, column - l.column);
        lines.set(l.line, { from: column, to, shift: column - l.column });
      }
      if (this.touched) this.touched = { ...this.touched, lines };
      this.writing = undefined;
      this.noteTables(whole!);
    } else {
      const target = from ? fromPath : (pipedFile ?? file).text;
      if (target === undefined || target.includes('"')) {
        this.info(head.pos, `nft -f skipped: the file it reads is known only when the script runs`);
        return "unknown";
      }
      const first = this.touched === undefined;
      this.place([{ ...(from?.target ? { pos: from.target.pos } : (pipedFile ?? file)), text: `include "${target}"` }]);
      // (what nft says of the include it says at the file's name, written `include ` right of the word it stands for)
      if (first && this.touched) this.touched = { ...this.touched, shift: this.touched.shift + "include ".length };
      this.tablesUnknown = true;
    }
    this.followed++;
    return "ok";
  }

  /**
   * What the commands of one invocation (scanNft) do to the tables: a failure (nothing applied),
   * or the outcome once they are applied.
   */
  private effectsOf(commands: readonly string[][]): Outcome | "read-only" {
    if (commands.length > 0 && commands.every((w) => READ_ONLY.has(w[0]!))) return "read-only";
    const tables = new Set(this.tables);
    let unknown = this.tablesUnknown;
    let outcome: Outcome = "ok";
    for (let words of commands) {
      if (words[0] === "table") words = ["add", ...words];
      const verb = words[0];
      if (verb === undefined || READ_ONLY.has(verb)) continue;
      if (verb === "flush" && words[1] === "ruleset") {
        tables.clear();
        unknown = false;
        continue;
      }
      if (!VERBS.has(verb)) continue; // the nft reader says what it makes of it
      const table = tableName(words, 2);
      if (table === undefined) continue;
      const exists = tables.has(table);
      if (words[1] === "table") {
        if (verb === "add" || verb === "create") {
          if (verb === "create" && exists) return "fail";
          tables.add(table);
        } else if (verb === "delete" || verb === "destroy") {
          if (verb === "delete" && !exists) {
            if (!unknown) return "fail";
            outcome = "unknown";
          }
          tables.delete(table);
        }
        continue;
      }
      if (!exists && !unknown) return "fail";
    }
    this.tables = tables;
    this.tablesUnknown = unknown;
    return outcome;
  }

  /** `nft list table inet filter`: fails when the table is known not to be there. */
  private readOnly(commands: readonly string[][]): Outcome {
    for (const words of commands) {
      if (words[0] !== "list" || words[1] === "ruleset" || words[1] === "tables") continue;
      const table = tableName(words, 2);
      if (table !== undefined && !this.tables.has(table)) return this.tablesUnknown ? "unknown" : "fail";
    }
    return "ok";
  }

  /** Tables a here-document's text makes (`table inet filter {`, `add table ...`) after any `flush ruleset`. */
  private noteTables(body: string): void {
    if (/^\s*flush\s+ruleset\b/m.test(body)) {
      this.tables.clear();
      this.tablesUnknown = false;
    }
    for (const m of body.matchAll(/^\s*(?:(?:add|create)\s+)?table\s+(\S+)(?:\s+([^\s{;]+))?/gm)) {
      const words = [m[1]!, ...(m[2] ? [m[2]] : [])];
      const t = tableName(words, 0);
      if (t) this.tables.add(t);
    }
    if (/^\s*include\s/m.test(body)) this.tablesUnknown = true;
  }

  /** `-D NAME=VALUE` options as `define` statements, at the options. */
  private placeDefines(defines: readonly ArgField[]): void {
    for (const d of defines) this.place([{ ...d, text: defineText(d.text) }]);
  }

  /**
   * Writes one statement's words at their places: each at its line and column (after the quote
   * that opens it), or after what is there already; a word on a later line continues the statement
   * with `\`. A statement on a line that holds one already follows it after `;`.
   */
  private place(words: readonly ArgField[]): void {
    let line = -1;
    this.writing = undefined;
    // (a statement's words stand in one file: the script's, or a file it sources)
    const file = words[0]?.pos.file;
    const out = this.ledger(file);
    for (const w of words) {
      const quoted = /['"]/.test(this.linesOf(file)[w.pos.line - 1]?.[w.pos.column - 1] ?? "");
      let at = w.pos.line - 1;
      if (line === -1) {
        if ((out[at] ?? "") !== "") out[at] += " ;";
      } else if (at > line) {
        out[line] += " \\";
        // (write() starts the statement's line)
        const writing = this.writing as { line: { text: string } } | undefined;
        if (writing) writing.line.text += " \\";
      } else at = line;
      const pieces = w.text.split("\n");
      this.write(file, at, w.pos.column + (quoted ? 1 : 0), pieces[0]!);
      for (const piece of pieces.slice(1)) {
        at = Math.min(at + 1, out.length - 1);
        this.write(file, at, 1, piece);
      }
      line = at;
    }
  }

  /**
   * Widens `touched` to columns [from, to] of line index + 1 (written in order: the first write
   * starts it, `shift` right of where it was meant to go).
   */
  private touch(file: string | undefined, index: number, from: number, to: number, shift: number): void {
    const end = { line: index + 1, column: to };
    this.touched = this.touched ? { ...this.touched, to: end } : { file: file ?? this.file, from: { line: index + 1, column: from }, to: end, shift };
  }

  private write(file: string | undefined, index: number, column: number, text: string): void {
    const out = this.ledger(file);
    let l = out[index] ?? "";
    if (l.length < column - 1) l = l.padEnd(column - 1);
    else if (l !== "" && !/\s$/.test(l)) l += " ";
    this.touch(file, index, l.length + 1, l.length + Math.max(text.length, 1), l.length + 1 - column);
    // (the statement's own line of text, at the same columns)
    if (this.writing?.index !== index || this.writing.file !== file) {
      const line = { line: index + 1, ...(file !== undefined ? { file } : {}), text: "" };
      this.written.push(line);
      this.writing = { file, index, line };
    }
    this.writing.line.text = this.writing.line.text.padEnd(l.length) + text;
    out[index] = l + text;
  }
}

/** `-D NAME=VALUE` as nft text. */
function defineText(d: string): string {
  const eq = d.indexOf("=");
  return eq < 0 ? `define ${d} = ""` : `define ${d.slice(0, eq)} = ${d.slice(eq + 1)}`;
}

/** "family name" of the table named at words[k] (family ip when none is written). */
function tableName(words: readonly string[], k: number): string | undefined {
  const a = words[k];
  if (a === undefined || a.startsWith("{")) return undefined;
  const b = words[k + 1];
  if (FAMILIES.has(a) && b !== undefined && !b.startsWith("{")) return `${a} ${b.replace(/[{;]+$/, "")}`;
  return `ip ${a.replace(/[{;]+$/, "")}`;
}

/**
 * nft text read as nft's scanner groups it: its commands (split at `;` and line ends outside braces,
 * parentheses and strings; `#` comments left out), each as its words, and what is left open at
 * its end (a `{` or `(` not closed), which makes nft refuse it. A string ends at its line, as
 * nft's scanner ends it (the reader says so).
 */
function scanNft(text: string): { commands: string[][]; open?: string } {
  const commands: string[][] = [];
  let braces = 0;
  let parens = 0;
  let quoted = false;
  let start = 0;
  const cut = (i: number) => {
    const words = text.slice(start, i).split(/\s+/).filter((w) => w !== "");
    if (words.length > 0) commands.push(words);
    start = i + 1;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") quoted = false;
    else if (c === '"') quoted = !quoted;
    if (quoted || c === '"') continue;
    if (c === "#") {
      cut(i);
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl - 1;
      start = i + 1;
    } else if (c === "{") braces++;
    else if (c === "}") braces--;
    else if (c === "(") parens++;
    else if (c === ")") parens--;
    else if ((c === ";" || c === "\n") && braces <= 0 && parens <= 0) cut(i);
  }
  cut(text.length);
  const open = braces > 0 ? "a '{' is not closed" : parens > 0 ? "a '(' is not closed" : undefined;
  return open ? { commands, open } : { commands };
}
