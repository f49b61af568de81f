/**
 * Runs a shell script's command tree the way the shell would, as far as it can be known without
 * running anything: literal variable assignments are tracked and expanded, `&&` / `||` follow the
 * known outcome of iptables commands, `set -e` and `exit` stop the script. iptables/ip6tables
 * commands go to the per-family tables (tables.ts); with an `nft` sink (a script of nft commands,
 * parsers/nft-script), nft commands go to it instead and are the commands counted.
 *
 * A function whose body is a `{ ... }` group runs at each call, its arguments its $1, $2 ...,
 * "$@" (a wrapper `ipt() { iptables "$@"; }`), its `local` variables restored after it, `return`
 * ending it. A `for NAME in WORDS` loop whose words are known runs its body once per word
 * (`break` and `continue` as the shell takes them). An `if` whose condition has a known outcome
 * (`nft list table inet filter`, `true`, `[ "$SMTP" = yes ]` with $SMTP assigned) runs the branch
 * it takes, and a `case` over a known word the arm it matches; one whose outcome is not known
 * (`[ -d /etc/fw.d ]`) is skipped with an info. A test that the program the script is read for is
 * there (`[ -x /sbin/iptables ]`, `command -v nft`) is taken as true: the script is read as run on
 * a host that has it. A script with a `case "$1" in start)` (an init-style script) is read as run
 * with the argument `start`, with an info saying so. A `( ... )` subshell runs, its variables its
 * own; a `while read NAME...` loop over a here-document runs once per line. `iptables-restore <<EOF`
 * loads the here-document's tables as iptables-restore does (restore.ts, FamilyTables.restoreTable).
 *
 * Whatever fwlint cannot know (conditions, loops, other function bodies, command substitutions,
 * variables not assigned in the file, other programs) is reported with an info diagnostic and left
 * out: the model then lacks those commands, it never holds a guess.
 */
import type { IpsetIndex } from "../ipset/match.js";
import { type IpsetLog, isIpsetCommand } from "./ipsets.js";
import type { Condition, DiagnosticSeverity, Family, SourceSpan } from "../../src/model/types.js";
import { readInvocation, type ArgField } from "./argv.js";
import { arithmeticCommand, lexShell, plainText, type Part, type Pos, type RedirTok, type Token, type WordTok } from "./lexer.js";
import { type AndOr, type CaseArm, type Command, type OpaqueCmd, type Pipeline, type ScriptShell, type SimpleCmd, parseScript, readScript } from "./syntax.js";
import { braceWords } from "./braces.js";
import { arithmeticAssigns, evaluateArithmetic } from "./arithmetic.js";
import { seqOutput } from "./seq.js";
import { printedText } from "./printed.js";
import { TEXT_TOOLS, type ToolText, runTextTool } from "./text-tools.js";
import { xargsCommands } from "./xargs.js";
import { topLevelPieces } from "./pieces.js";
import { type PatternPiece, patternMatches, patternRegExp } from "./patterns.js";
import { type FileTest, type TestArg, testOutcome } from "./test-command.js";
import { FamilyTables, type Status } from "./tables.js";
import { type PlacedLine, type ScriptText, expandHereDocLine } from "./heredoc.js";
import { type RestoreBlock, readRestoreDocument } from "./restore.js";
import { TABLES } from "../iptables/modules.js";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { IncludeIo } from "../file-io.js";
import { resolveFolder, resolveInclude } from "../nftables/include.js";
import { GLOB_CHARS } from "../../src/model/glob.js";
import { nameTable } from "../../src/model/name-table.js";

type VarState = { kind: "value"; value: string } | { kind: "array"; values: string[] } | { kind: "unset" } | { kind: "unknown"; why: string };

/** ok / fail: known outcome; unknown: fwlint cannot tell. */
export type Outcome = "ok" | "fail" | "unknown";

type Expanded = { ok: true; fields: ArgField[] } | { ok: false; pos: Pos; why: string };

const IPT_PROGRAMS: Readonly<Record<string, Family>> = nameTable({
  iptables: 4,
  "iptables-legacy": 4,
  "iptables-nft": 4,
  ip6tables: 6,
  "ip6tables-legacy": 6,
  "ip6tables-nft": 6,
});

/** Programs that do not change the firewall and whose outcome is known or irrelevant: no diagnostic. */
const QUIET: Readonly<Record<string, Outcome>> = nameTable({
  echo: "ok",
  printf: "ok",
  true: "ok",
  ":": "ok",
  false: "fail",
  sleep: "ok",
  logger: "ok",
  "[": "unknown",
  "[[": "unknown",
  test: "unknown",
  cd: "unknown",
  pwd: "ok",
  wait: "ok",
  shift: "unknown",
  umask: "ok",
  trap: "ok",
  // the LSB init functions' messages (/lib/lsb/init-functions): an init script's output, no rule
  log_daemon_msg: "ok",
  log_end_msg: "ok",
  log_action_msg: "ok",
  log_begin_msg: "ok",
  log_success_msg: "ok",
  log_failure_msg: "ok",
  log_warning_msg: "ok",
  log_progress_msg: "ok",
  // kernel modules and settings a firewall script prepares: no rule, and whether they succeed is the host's
  modprobe: "unknown",
  depmod: "unknown",
  insmod: "unknown",
  rmmod: "unknown",
  lsmod: "unknown",
  sysctl: "unknown",
  "iptables-save": "unknown",
  "ip6tables-save": "unknown",
  "iptables-legacy-save": "unknown",
  "iptables-nft-save": "unknown",
  "ip6tables-legacy-save": "unknown",
  "ip6tables-nft-save": "unknown",
});

const DECLARERS = new Set(["export", "readonly", "declare", "typeset", "local"]);

/** Function calls nested deeper than this are not followed (a function that calls itself). */
const MAX_CALL_DEPTH = 16;
/** Function calls one script runs at the most (a function calling itself twice would double them at each level). */
const MAX_CALLS = 10_000;
/** Loop rounds one script runs at the most (nested loops multiply). */
const MAX_ROUNDS = 100_000;
/**
 * The options whose operand is a destination address (see unknownOperands), and those whose operand
 * is an interface. (Not a source address: one known only when the script runs is mostly an allow
 * list of admins or a ban list, and "may be reachable from any source" would be noise there.)
 */
const ADDRESS_OPTIONS: ReadonlySet<string> = new Set(["-d", "--destination", "--dst"]);
const INTERFACE_OPTIONS: ReadonlySet<string> = new Set(["-i", "--in-interface", "-o", "--out-interface"]);
/** iptables commands that add a rule. */
const ADDING_COMMANDS: ReadonlySet<string> = new Set(["-A", "--append", "-I", "--insert", "-R", "--replace"]);
/** nft commands that add a rule, and the interface keys whose unknown value is left out (see unknownOperands). */
const NFT_ADDING: readonly (readonly [string, string])[] = [
  ["add", "rule"],
  ["insert", "rule"],
  ["replace", "rule"],
];
const NFT_INTERFACE_KEYS: ReadonlySet<string> = new Set(["iifname", "oifname", "iif", "oif"]);
/** Rounds one while or until loop over a condition runs at most (`while true` with no break ends there). */
const MAX_WHILE_ROUNDS = 4_096;

/**
 * A function call being run: its arguments, the variables its `local`s hide, and how it returned.
 * Or a file being sourced (`. FILE`): the arguments and `local`s of the function that sources it,
 * if any, and how the file returned (`return` in it ends it, not the script).
 */
interface Frame {
  args: string[] | undefined;
  saved: Map<string, VarState | undefined>;
  returned?: Outcome;
}

/** Files sourced inside one another at most (a file that sources itself). */
const MAX_SOURCE_DEPTH = 16;

/**
 * How the script's `. FILE` / `source FILE` commands read files: the script's own path (where it
 * is, when `file` only labels it), the folder files must stay in (a file outside is read from the
 * tree's copy of the machine's folders, as an nft include is: parsers/nftables/include.ts), and
 * how to read them.
 */
export interface SourcedFiles {
  origin?: string;
  root?: string;
  io: IncludeIo;
}

function basename(s: string): string {
  return s.slice(s.lastIndexOf("/") + 1);
}

function iptablesFamily(program: string): Family | undefined {
  return IPT_PROGRAMS[basename(program)];
}

/**
 * `$(which iptables)`, `` `command -v ip6tables` ``, `$(which nft)`, `$(command -v ufw)`: the
 * firewall program itself (the script is read as run on a host that has it, as `[ -x ... ]` is).
 */
function whichFirewallProgram(text: string): string | undefined {
  const m = /^(?:\$\(|`)\s*(?:which|command\s+-v|type\s+-P|type\s+-p)\s+((?:\S*\/)?(?:ip6?tables(?:-legacy|-nft)?(?:-restore|-save)?|nft|ufw|ipset))\s*(?:\)|`)$/.exec(text);
  return m ? m[1] : undefined;
}

/** Programs that run the command after them (sudo's own options aside): `sudo ipset ...`. */
export const COMMAND_WRAPPERS: ReadonlySet<string> = new Set(["sudo", "command", "builtin", "nohup", "exec"]);

/** The NAME of a `NAME=...` word, with the parts of its value. */
export function assignment(w: WordTok): { name: string; value: Part[] } | undefined {
  const first = w.parts[0];
  if (!first || first.kind !== "lit" || first.quoted) return undefined;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(first.text);
  if (!m || m[2] === "+") return m ? { name: m[1]!, value: [{ kind: "opaque", what: "+= append", text: w.raw, quoted: false, pos: w.pos }] } : undefined;
  const rest = first.text.slice(m[0].length);
  return { name: m[1]!, value: [...(rest !== "" ? [{ ...first, text: rest }] : []), ...w.parts.slice(1)] };
}

/**
 * Where a script's nft commands go (parsers/nft-script): each with its arguments after the program,
 * the program word, the command's redirections (a here-document it reads) and the script's
 * variables as they are at that point. Returns the command's outcome.
 */
/** What an nft command may read besides its here-document: the files the script wrote, and what a pipe gives it. */
export interface NftInput {
  files: (path: string) => ScriptText | undefined;
  stdin?: ScriptText;
  /** A file of the scanned tree piped to the command (`cat rules.nft | nft -f -`), read by its name as `nft -f FILE` reads it. */
  stdinFile?: ArgField;
  /** The lines of the file the command stands in, when it is a file the script sources (its positions name it). */
  fileLines?: readonly string[];
  /** The path of the file redirected to its standard input (`< "$DIR/rules.nft"`), when its value is known. */
  stdinPath?: string;
  /** The command's here-document as the shell hands it over (filled in), or where and why it is not known. */
  hereDoc?: ScriptText | { pos: Pos; why: string };
  /** Conditions of the rule the command adds that are known only when the script runs (see unknownOperands), where their words stood. */
  unknowns?: readonly UnknownOperand[];
}

/** A word of a command known only when the script runs, read as an unknown condition of its rule (see unknownOperands). */
export interface UnknownOperand {
  pos: Pos;
  condition: Extract<Condition, { kind: "unknown" }>;
}

/** What a script of ufw commands is read for: each `ufw ...` command, its words after the program (parsers/ufw-script). */
export interface UfwSink {
  run(args: readonly ArgField[], head: ArgField): Outcome;
  /** How many ufw commands it took into the model. */
  readonly followed: number;
}

export interface NftSink {
  run(args: ArgField[], head: ArgField, redirs: RedirTok[], input?: NftInput): Outcome;
  /** How many nft commands it took into the model. */
  readonly followed: number;
}

export interface RunResult {
  v4: FamilyTables;
  v6: FamilyTables;
  /**
   * The files of the scanned tree the script read - sourced (`. FILE`), loaded (`iptables-restore <
   * FILE`), read (`$(cat FILE)`, `while read ... done < FILE`) -, by the name their diagnostics and
   * rules give, with their lines.
   */
  readFiles: Map<string, string[]>;
  /**
   * Where the script first needed a variable that it does not assign (nor a file it sources): from
   * the environment - or from a script that sources this one, as a fragment.
   */
  fromEnvironment?: Pos;
}

export function runScript(
  items: AndOr[],
  lines: string[],
  file: string,
  diag: (severity: DiagnosticSeverity, pos: Pos, message: string) => void,
  opts: { errexit?: boolean; shell?: ScriptShell; ipsets?: IpsetIndex; ipsetLog?: IpsetLog; nft?: NftSink; ufw?: UfwSink; files?: SourcedFiles } = {},
): RunResult {
  // (a loop's or function's body says the same thing at the same place each round: once is enough)
  const said = new Set<string>();
  const tell = diag;
  /**
   * The sourced file whose command is being run (undefined: the script's): a position the rule
   * reader makes from a word's (the column after an option) has no file of its own, and is there.
   */
  let inFile: string | undefined;
  diag = (severity, at, message) => {
    const pos = at.file === undefined && inFile !== undefined ? { ...at, file: inFile } : at;
    const key = `${severity} ${pos.file ?? ""}:${pos.line}:${pos.column} ${message}`;
    if (said.has(key)) return;
    said.add(key);
    tell(severity, pos, message);
  };
  const v4 = new FamilyTables(4, diag, opts.ipsets);
  const v6 = new FamilyTables(6, diag, opts.ipsets);
  const vars = new Map<string, VarState>();
  const functions = new Map<string, { assigns: Set<string>; all: boolean; line: number; inner: WordTok[][]; body?: AndOr[] }>();
  const frames: Frame[] = [];
  let calls = 0;
  let rounds = 0;
  /** How deep in if conditions the script is: a command failing there does not stop it under `set -e`. */
  let inCondition = 0;
  /** How deep in commands whose status && / || / ! look at: set -e does not stop the script there. */
  let errexitOff = 0;
  /** The loops being run, innermost last: a `break` or `continue` there ends the round. */
  const loops: { broke: boolean; next: boolean }[] = [];
  const callNotes = new Set<string>();
  const frame = (): Frame | undefined => frames[frames.length - 1];
  let errexit = opts.errexit ?? false;
  /** The script's own arguments, when it is read as run with some (see startArgument); else unknown. */
  let scriptArgs: string[] | undefined;
  /** Why the last condition's outcome was not known, and where. */
  let conditionWhy: { pos: Pos; why: string } | undefined;
  /** Files the script wrote from here-documents (`cat > rules.v4 <<EOF`), by the path it named. */
  const written = new Map<string, ScriptText>();
  /** What the command being run reads through a pipe (`cat <<EOF | iptables-restore`). */
  let piped: ScriptText | undefined;
  /** In an nft script, the file of the tree `cat FILE |` pipes to the command (NftInput.stdinFile). */
  let pipedFile: ArgField | undefined;
  /** The first variable the script needed that no file it reads assigns (see RunResult.fromEnvironment). */
  let fromEnvironment: Pos | undefined;
  /** Set by `source` / `eval`: any variable may have changed. */
  let unknownEnv: string | undefined;
  let stopped: { line: number; why: string; status?: Outcome } | undefined;
  const info = (pos: Pos, message: string) => diag("info", pos, message);
  /** Files of the tree read (RunResult.readFiles) by the name their positions give, with their lines; the paths being sourced, innermost last. */
  const readFiles = new Map<string, string[]>();
  const sourcing: string[] = [];
  /** The path of each sourced file, by the name its positions give. */
  const sourcedPaths = new Map<string, string>();
  /** The lines of the file a position is in: the script's, or a sourced file's. */
  const linesOf = (pos: Pos): readonly string[] => (pos.file === undefined ? lines : (readFiles.get(pos.file) ?? []));
  /** Where a position is, for messages: its line, and its file when that is a sourced one. */
  const placeText = (pos: Pos): string => (pos.file === undefined ? `line ${pos.line}` : `${pos.file}:${pos.line}`);
  const spanOf = (pos: Pos): SourceSpan => ({ file: pos.file ?? file, line: pos.line, column: pos.column, text: linesOf(pos)[pos.line - 1] ?? "" });
  const fallbackNoted = new Set<string>();
  /**
   * Places whose reading of the tree was told (a file test, a file read): a loop over a folder's
   * files tells it at its first round, not at every one (the pattern's info names them all).
   */
  const treeNoted = new Set<string>();
  /** Tells `message` at `pos` the first time only (treeNoted). */
  const infoOnce = (pos: Pos, message: string): void => {
    const key = `${pos.file ?? ""}:${pos.line}:${pos.column}`;
    if (treeNoted.has(key)) return;
    treeNoted.add(key);
    info(pos, message);
  };
  /** Set while looking at commands that are not run (no diagnostics from lookups then). */
  let probing = false;

  // ---- variables ----

  const lookup = (p: Extract<Part, { kind: "param" }>): { value: string } | { why: string } => {
    // (an array's $NAME is its first element)
    const held = vars.get(p.name);
    const st: VarState | undefined = held?.kind === "array" ? { kind: "value", value: held.values[0] ?? "" } : held;
    if (p.fallback) {
      const { colon, op, text } = p.fallback;
      const set = st?.kind === "value" && !(colon && st.value === "");
      if (st?.kind === "unknown") return { why: st.why };
      if (st === undefined) {
        if (unknownEnv) return { why: `$${p.name} may have been set by ${unknownEnv}` };
        const key = `${p.name}@${p.pos.line}`;
        if (!probing && !fallbackNoted.has(key)) {
          fallbackNoted.add(key);
          info(
            p.pos,
            op === "-"
              ? `$${p.name} is not assigned in this file: fwlint takes the default '${text}' written here (the environment could set another value)`
              : `$${p.name} is not assigned in this file: fwlint takes it as unset here (the environment could set it)`,
          );
        }
      }
      if (op === "+") return { value: set ? text : "" };
      if (set) return { value: (st as { value: string }).value };
      if (op === "=") vars.set(p.name, { kind: "value", value: text });
      return { value: text };
    }
    if (st?.kind === "value") return { value: st.value };
    if (st?.kind === "unset") return { value: "" };
    if (st?.kind === "unknown") return { why: st.why };
    if (!unknownEnv) fromEnvironment ??= p.pos;
    return { why: unknownEnv ? `$${p.name} is not assigned in this file (it may come from ${unknownEnv})` : `$${p.name} is not assigned in this file (it would come from the environment)` };
  };

  const opaqueValue = (p: Extract<Part, { kind: "opaque" }>): { value: string } | { why: string } => {
    const prog = p.what === "command substitution" ? whichFirewallProgram(p.text) : undefined;
    if (prog !== undefined) return { value: prog };
    // $(( ... )) on known values: its text expanded as the shell does first ($N, ${N}, $1), then
    // computed with bare names read as variables
    if (p.what === "arithmetic expansion") {
      const expanded = expandHereDocLine(p.text.slice(3, -2), hereDocVariable(p.pos));
      const r = "why" in expanded ? expanded : evaluateArithmetic(expanded.value, (name) => lookup({ kind: "param", name, quoted: true, pos: p.pos }));
      return "why" in r ? { why: `${clipText(p.text)} is an arithmetic expansion fwlint cannot compute: ${r.why}` } : r;
    }
    // $(seq ...) with known numbers: its command read and expanded as the script's own
    const counted = p.what === "command substitution" ? substitutedSeq(p.text, p.pos) : undefined;
    if (counted) return counted;
    // $(cat FILE), $(< FILE): a file the script wrote, or one of the scanned tree
    const catted = p.what === "command substitution" ? substitutedCat(p.text, p.pos) : undefined;
    if (catted) return catted;
    // $(grep -v '^#' FILE), $(awk '{print $1}' FILE | sort -u), $(echo "$LIST" | tr , ' '): text tools on text fwlint knows
    const filtered = p.what === "command substitution" ? substitutedText(p.text, p.pos) : undefined;
    if (filtered) return filtered;
    // $(dirname "$0"), $(cd "$(dirname "$0")" && pwd): where the script is
    const folder = p.what === "command substitution" ? substitutedFolder(p.text, p.pos) : undefined;
    if (folder) return folder;
    // ${A[@]}, ${A[*]}, ${A[N]}, ${#A[@]}: a bash array's elements, one of them, how many
    const element = /^\$\{(#?)([A-Za-z_][A-Za-z0-9_]*)\[(@|\*|[0-9]+)\]\}$/.exec(p.text);
    if (element) {
      const values = arrayValues(element[2]!);
      if ("why" in values) return values;
      const which = element[3]!;
      const all = which === "@" || which === "*";
      if (element[1] === "#") return { value: String(all ? values.length : (values[Number(which)] ?? "").length) };
      return { value: all ? values.join(" ") : (values[Number(which)] ?? "") };
    }
    const operated = operatedValue(p);
    if (operated) return operated;
    // a function's arguments while its call runs, else the script's when it is read as run with some
    const args = frame()?.args ?? scriptArgs;
    const fallback = /^\$\{(\d+)(:?)-([^$`'"\\}]*)\}$/.exec(p.text);
    if (fallback && Number(fallback[1]) >= 1) {
      const n = Number(fallback[1]);
      if (args) {
        const v = args[n - 1];
        return { value: v === undefined || (fallback[2] === ":" && v === "") ? fallback[3]! : v };
      }
      const key = `$${n}@${p.pos.line}`;
      if (!probing && !fallbackNoted.has(key)) {
        fallbackNoted.add(key);
        info(p.pos, `$${n} is the script's argument: fwlint takes the default '${fallback[3]}' written here (the script run with an argument could use another value)`);
      }
      return { value: fallback[3]! };
    }
    if (args) {
      const m = /^\$(\d)$|^\$\{(\d+)\}$/.exec(p.text);
      if (m && Number(m[1] ?? m[2]) >= 1) return { value: args[Number(m[1] ?? m[2]) - 1] ?? "" };
      if (p.text === "$#") return { value: String(args.length) };
      if (p.text === "$@" || p.text === "$*") return { value: args.join(" ") };
    }
    return { why: `${clipText(p.text)} is a ${p.what}, known only when the script runs` };
  };

  /**
   * What `$(seq ...)` or `` `seq ...` `` (`text`) prints (seq.ts): its command lexed and its words
   * expanded as the script's own; undefined for any other command, or one with more than words.
   */
  /**
   * The command of a substitution (`$(...)` or `` `...` ``) as tokens (newlines left out), when it
   * starts with `program` (a word, or `<`); undefined otherwise or when it does not lex. Lexed in
   * the substitution's file, so that what it names (`${BASH_SOURCE[0]}`) is that file's.
   */
  const substitutedCommand = (text: string, pos: Pos, program: RegExp): Token[] | undefined => {
    const inner = text.startsWith("$(") ? text.slice(2, -1) : text.slice(1, -1);
    if (!program.test(inner)) return undefined;
    const { tokens, error } = lexShell(inner, pos.file);
    return error ? undefined : tokens.filter((t) => !(t.kind === "op" && t.op === "\n"));
  };

  const substitutedSeq = (text: string, pos: Pos): { value: string } | { why: string } | undefined => {
    const tokens = substitutedCommand(text, pos, /^\s*seq\s/);
    if (!tokens?.every((t) => t.kind === "word")) return undefined;
    const e = expand(tokens as WordTok[]);
    return e.ok ? seqOutput(e.fields.map((f) => f.text), text) : { why: e.why };
  };

  /**
   * What `$(cat FILE)`, `` `cat FILE` `` or bash's `$(< FILE)` prints (fileText), its trailing
   * newlines cut as a command substitution cuts them; undefined for any other command.
   */
  const substitutedCat = (text: string, pos: Pos): { value: string } | { why: string } | undefined => {
    const toks = substitutedCommand(text, pos, /^\s*(cat\s|<)/);
    if (!toks) return undefined;
    const words = toks.map((t) => (t.kind === "word" ? plainText(t) : undefined));
    let target: WordTok | undefined;
    if (toks.length === 1 && toks[0]!.kind === "redir" && toks[0]!.op === "<") {
      // (dash runs a command of a redirection alone: it prints nothing)
      if (opts.shell === "sh") return { why: `${clipText(text)} prints nothing under dash and the file under bash` };
      target = toks[0]!.target;
    } else if (words[0] === "cat" && toks.every((t) => t.kind === "word") && (toks.length === 2 || (toks.length === 3 && words[1] === "--"))) target = toks[toks.length - 1] as WordTok;
    if (!target) return undefined;
    const e = expand([target]);
    if (!e.ok) return { why: e.why };
    if (e.fields.length !== 1) return undefined;
    const read = fileText(e.fields[0]!.text, pos);
    if ("why" in read) return { why: `${clipText(text)} reads ${e.fields[0]!.text}: ${read.why}` };
    return { value: read.lines.map((l) => l.text).join("\n").replace(/\n+$/, "") };
  };

  /**
   * The commands of a substitution's text (`$(...)`, `` `...` ``, `<(...)`) when they are one pipe
   * of simple commands whose first runs a text tool (or echo/printf); undefined otherwise.
   */
  const substitutedPipe = (text: string, pos: Pos): SimpleCmd[] | undefined => {
    const inner = text.startsWith("`") ? text.slice(1, -1).replace(/\\([$`\\])/g, "$1") : text.slice(2, -1);
    // (placed where it stands in the script; a backquoted one's unescaping may shift its columns)
    const { tokens, error } = lexShell(inner, pos.file, { line: pos.line, column: pos.column + (text.startsWith("`") ? 1 : 2) });
    if (error) return undefined;
    const { items, problems } = parseScript(tokens);
    const only = items.length === 1 && problems.length === 0 && items[0]!.rest.length === 0 && !items[0]!.background && !items[0]!.first.bang ? items[0]!.first.cmds : undefined;
    if (!only || !only.every((c): c is SimpleCmd => c.kind === "simple")) return undefined;
    const first = programOf(only[0]!);
    return first !== undefined && (TEXT_TOOLS.has(first) || first === "echo" || first === "printf") ? only : undefined;
  };

  /** What a pipe of text tools in a substitution prints (pipedText); its standard input is the script's, not known. */
  const substitutionOutput = (text: string, pos: Pos): ToolText | { pos: Pos; why: string } | undefined => {
    const cmds = substitutedPipe(text, pos);
    if (!cmds) return undefined;
    const out = pipedText(cmds, () => ({ why: "what it reads (standard input) is known only when the script runs" }));
    if ("why" in out) return out;
    return out;
  };

  /** `$(TOOL ... | TOOL ...)`: the text printed, its trailing newlines cut as a command substitution cuts them. */
  const substitutedText = (text: string, pos: Pos): { value: string } | { why: string } | undefined => {
    const out = substitutionOutput(text, pos);
    if (out === undefined) return undefined;
    if ("why" in out) return { why: `${clipText(text)}: ${out.why}` };
    return { value: out.lines.map((l) => l.text).join("\n").replace(/\n+$/, "") };
  };

  /** The script's own path, absolute: `$0` as the script is run by its path (see substitutedFolder). */
  const selfPath = (): string => resolve(opts.files?.origin ?? file);
  /** The folder files the script reads must stay in (a file outside is read from the tree's copy of the machine's folders). */
  const treeRoot = (): string => resolve(opts.files?.root ?? dirname(selfPath()));

  /**
   * What a command substitution that names a folder prints: `dirname PATH` (as dirname(1) cuts it)
   * and `cd DIR && pwd` (DIR absolute, a relative one taken from the script's own folder, as
   * source takes it); its words expanded as the script's own. Undefined for any other command.
   */
  const substitutedFolder = (text: string, pos: Pos): { value: string } | { why: string } | undefined => {
    const tokens = substitutedCommand(text, pos, /^\s*(dirname|cd)\s/);
    if (!tokens) return undefined;
    const shape = tokens.map((t) => (t.kind === "word" ? (plainText(t) ?? "W") : t.kind === "op" ? t.op : "R"));
    const words = tokens.filter((t): t is WordTok => t.kind === "word");
    if (shape[0] === "dirname" && (shape.length === 2 || (shape.length === 3 && shape[1] === "--"))) {
      // (`$0` is the script's path here only: elsewhere - `case "$0" in */fw-stop)` - it is how the script was run)
      const target = words[words.length - 1]!;
      if (isScriptPath(target)) return { value: dirnameOf(selfPath()) };
      // bash's ${BASH_SOURCE[0]}: the file the command is read from (a sourced file's own); dash has none
      if (isBashSource(target) && opts.shell !== "sh") return { value: dirnameOf(target.pos.file === undefined ? selfPath() : (sourcedPaths.get(target.pos.file) ?? selfPath())) };
      const e = expand(words.slice(-1));
      if (!e.ok) return { why: e.why };
      if (e.fields.length !== 1) return undefined;
      return { value: dirnameOf(e.fields[0]!.text) };
    }
    const pwdAt = shape.length === 4 ? 3 : shape.length === 5 && shape[1] === "-P" ? 4 : -1;
    if (shape[0] === "cd" && pwdAt > 0 && (shape[pwdAt - 1] === "&&" || shape[pwdAt - 1] === ";") && shape[pwdAt] === "pwd") {
      const e = expand([words[pwdAt === 3 ? 1 : 2]!]);
      if (!e.ok) return { why: e.why };
      if (e.fields.length !== 1) return undefined;
      return { value: resolve(dirname(selfPath()), e.fields[0]!.text) };
    }
    return undefined;
  };

  /**
   * A parameter expansion with an operator on a variable, written with literal text: `${#V}`,
   * `${V#p}` `${V##p}` `${V%p}` `${V%%p}` (glob patterns), `${V/p/r}` `${V//p/r}` `${V/#p/r}`
   * `${V/%p/r}`, `${V:off[:len]}`, `${V^^}` `${V,,}`; undefined for another form. (`${V:-w}`,
   * `${V:=w}`, `${V:+w}` are the lexer's param parts with a fallback: lookup.)
   */
  const operatedValue = (p: Extract<Part, { kind: "opaque" }>): { value: string } | { why: string } | undefined => {
    const m = /^\$\{(#?)([A-Za-z_][A-Za-z0-9_]*)(.*)\}$/s.exec(p.text);
    if (!m) return undefined;
    const [, count, name, rest] = m as unknown as [string, string, string, string];
    if (/[$`'"\\]/.test(rest)) return undefined;
    const get = () => lookup({ kind: "param", name, quoted: true, pos: p.pos });
    if (count === "#") {
      if (rest !== "") return undefined;
      const v = get();
      return "why" in v ? v : { value: String([...v.value].length) };
    }
    let op: RegExpExecArray | null;
    const base = get();
    if ("why" in base) return base;
    const v = base.value;
    const glob = (pattern: string) => [{ text: pattern, glob: true }];
    if ((op = /^(##?|%%?)(.*)$/s.exec(rest))) {
      const [, how, pattern] = op as unknown as [string, string, string];
      const chars = [...v];
      if (chars.length > 4096) return undefined; // (each cut is matched apart: long values are not worked through)
      // the shortest (# %) or longest (## %%) prefix or suffix the pattern matches goes
      const cuts = how.startsWith("#") ? chars.map((_, k) => k).concat(chars.length) : chars.map((_, k) => chars.length - k).concat(0);
      const order = how.length === 2 ? [...cuts].reverse() : cuts;
      for (const k of order) {
        const part = how.startsWith("#") ? chars.slice(0, k).join("") : chars.slice(k).join("");
        if (patternMatches(glob(pattern), part)) return { value: how.startsWith("#") ? chars.slice(k).join("") : chars.slice(0, k).join("") };
      }
      return { value: v };
    }
    if ((op = /^\/(\/|#|%)?([^/]*)(?:\/(.*))?$/s.exec(rest))) {
      const [, how = "", pattern = "", replacement = ""] = op as unknown as [string, string | undefined, string, string | undefined];
      if (pattern === "") return { value: v };
      // (a regular expression's backtracking grows fast with the stars: long values are not worked through)
      if (v.length > 256 && pattern.includes("*")) return undefined;
      let rx: RegExp;
      try {
        const re = patternRegExp(glob(pattern)).source.slice(1, -1);
        rx = new RegExp(how === "#" ? `^(?:${re})` : how === "%" ? `(?:${re})$` : re, how === "/" ? "g" : "");
      } catch {
        return undefined; // (a bracket expression the regex engine refuses)
      }
      // (bash replaces the longest match at the first place one starts; a JavaScript regular expression does the same with greedy *)
      return { value: v.replace(rx, () => replacement) };
    }
    if ((op = /^:([0-9]+)(?::([0-9]+))?$/.exec(rest))) {
      const chars = [...v];
      const from = Number(op[1]);
      return { value: chars.slice(from, op[2] === undefined ? undefined : from + Number(op[2])).join("") };
    }
    if (rest === "^^") return { value: v.toUpperCase() };
    if (rest === ",,") return { value: v.toLowerCase() };
    return undefined;
  };

  /** The elements of array NAME (a scalar is an array of one), or why they are not known. */
  const arrayValues = (name: string): string[] | { why: string } => {
    const st = vars.get(name);
    if (st === undefined) return { why: `$${name} is not assigned in this file` };
    if (st.kind === "unknown") return { why: st.why };
    return st.kind === "array" ? st.values : st.kind === "value" ? [st.value] : [];
  };

  /** The variables an unquoted here-document read at `pos` fills in: named ones, and the positional parameters (a function's, or the script's). */
  const hereDocVariable =
    (pos: Pos) =>
    (name: string): { value: string } | { why: string } =>
      /^([0-9]+|[#@*])$/.test(name) ? opaqueValue({ kind: "opaque", what: /^[0-9]/.test(name) ? "positional parameter" : "special parameter", text: name.length > 1 ? `\${${name}}` : `$${name}`, quoted: true, pos }) : lookup({ kind: "param", name, quoted: true, pos });

  /** A here-document as the command at `pos` reads it: its lines at their places, filled in unless its delimiter is quoted. */
  const hereDocText = (doc: NonNullable<RedirTok["heredoc"]>, pos: Pos): ScriptText | { pos: Pos; why: string } => {
    const out: PlacedLine[] = [];
    // (a here-document is in the file of the command that reads it)
    const within = pos.file !== undefined ? { file: pos.file } : {};
    for (let line = doc.firstLine; line <= doc.lastLine; line++) {
      const raw = linesOf(pos)[line - 1] ?? "";
      const strip = doc.strip ? /^\t*/.exec(raw)![0].length : 0;
      let text = raw.slice(strip);
      if (!doc.quoted) {
        const e = expandHereDocLine(text, hereDocVariable(pos));
        if ("why" in e) return { pos: { line, column: strip + e.column, ...within }, why: e.why };
        text = e.value;
      }
      out.push({ text, line, column: strip + 1, ...within });
    }
    return { lines: out, what: `the here-document of lines ${doc.firstLine}-${doc.lastLine}` };
  };

  /** A path a command names, when it is known. */
  const pathOf = (w: WordTok | undefined): string | undefined => {
    const v = w ? valueOf(w.parts) : undefined;
    return v && "value" in v ? v.value : undefined;
  };

  /**
   * What a command reads on standard input: a here-document, a `<<<` string, a file the script
   * wrote (`< rules.v4`), what a pipe gives it; undefined when nothing is redirected to it; why not
   * when it is not known (a file fwlint does not read).
   */
  const inputOf = (redirs: readonly RedirTok[], pos: Pos): ScriptText | { pos: Pos; why: string } | undefined => {
    const doc = redirs.find((r) => r.heredoc)?.heredoc;
    if (doc) return hereDocText(doc, pos);
    const here = redirs.find((r) => r.op === "<<<" && r.target);
    if (here?.target) {
      const v = valueOf(here.target.parts);
      const at = here.target.pos;
      return "why" in v ? v : { lines: v.value.split("\n").map((text, k) => ({ text, line: at.line + k, column: k === 0 ? at.column : 1, ...(at.file !== undefined ? { file: at.file } : {}) })), what: "the <<< string" };
    }
    const from = redirs.find((r) => r.op === "<" && r.target);
    if (from) {
      // `< <(TOOL ...)`: what the process substitution prints (bash's; dash cannot read the script)
      const proc = from.target!.parts.length === 1 && from.target!.parts[0]!.kind === "opaque" && from.target!.parts[0]!.what === "process substitution" ? from.target!.parts[0]! : undefined;
      if (proc) {
        if (opts.shell === "sh") return { pos: proc.pos, why: `${clipText(proc.text)} is bash's process substitution, which dash does not read` };
        const out = substitutionOutput(proc.text, proc.pos);
        if (out === undefined) return { pos: proc.pos, why: `it reads ${clipText(proc.text)}, whose commands fwlint does not run` };
        if ("why" in out) return { pos: proc.pos, why: `it reads ${clipText(proc.text)}: ${out.why}` };
        return { lines: out.lines, what: clipText(proc.text), ...(out.open ? { open: true } : {}) };
      }
      const path = pathOf(from.target);
      if (path === undefined) return { pos: from.pos, why: `it reads ${from.target!.raw}, a file known only when the script runs` };
      return readInput(path, from.pos, from.target!.raw);
    }
    return piped;
  };

  /** A word's value without field splitting (assignments, here-doc delimiters). */
  const valueOf = (parts: Part[]): { value: string } | { pos: Pos; why: string } => {
    const pieces = piecesOf(parts);
    return "why" in pieces ? pieces : { value: pieces.map((x) => x.text).join("") };
  };

  /** A word's parts with their values, each marked glob when it was not quoted (a pattern: case, [[ == ]]). */
  const piecesOf = (parts: readonly Part[]): PatternPiece[] | { pos: Pos; why: string } => {
    const pieces: PatternPiece[] = [];
    for (const p of parts) {
      if (p.kind === "lit") {
        pieces.push({ text: p.text, glob: !p.quoted });
        continue;
      }
      const r = p.kind === "param" ? lookup(p) : opaqueValue(p);
      if ("why" in r) return { pos: p.pos, why: r.why };
      pieces.push({ text: r.value, glob: !p.quoted });
    }
    return pieces;
  };

  /** The words bash's brace expansion makes of `w` (braces.ts); under `#!/bin/sh` with an info that dash does not. */
  const bracesNoted = new Set<string>();
  const bracesOf = (w: WordTok): WordTok[] => {
    const out = braceWords(w);
    if (out.length === 1 && out[0] === w) return out;
    const key = `${w.pos.line}:${w.pos.column}`;
    if (opts.shell === "sh" && !probing && !bracesNoted.has(key)) {
      bracesNoted.add(key);
      info(w.pos, `brace expansion is bash's: the script's #! names sh, and where that is dash (Debian, Ubuntu) '${w.raw}' stays as written; fwlint reads on as bash runs it`);
    }
    return out;
  };

  /** Words -> fields (brace expansion first), with field splitting of unquoted expansions (IFS blanks). */
  const expand = (words: WordTok[]): Expanded => {
    const fields: ArgField[] = [];
    for (const w of words.flatMap(bracesOf)) {
      const st: { cur: ArgField | null; first: boolean } = { cur: null, first: true };
      const add = (s: string, pos: Pos, quoted: boolean) => {
        if (st.cur) st.cur.text += s;
        else {
          // a field that starts the word points at the word; later ones (split) at their expansion
          st.cur = { text: s, pos: st.first ? w.pos : pos };
          st.first = false;
        }
        if (quoted) st.cur.quoted = true;
      };
      const close = () => {
        if (st.cur) fields.push(st.cur);
        st.cur = null;
      };
      for (const p of w.parts) {
        if (p.kind === "lit") {
          add(p.text, w.pos, p.quoted);
          continue;
        }
        // "${A[@]}": each element a field of its own, as "$@" its arguments
        const quotedAll = p.kind === "opaque" && p.quoted ? /^\$\{([A-Za-z_][A-Za-z0-9_]*)\[@\]\}$/.exec(p.text) : null;
        const elements = quotedAll ? arrayValues(quotedAll[1]!) : undefined;
        const args = Array.isArray(elements) ? elements : p.kind === "opaque" && p.quoted && p.text === "$@" ? (frame()?.args ?? scriptArgs) : undefined;
        if (args) {
          // "$@": each argument a field of its own
          args.forEach((arg, k) => {
            if (k > 0) close();
            add(arg, p.pos, true);
          });
          continue;
        }
        const r = p.kind === "param" ? lookup(p) : opaqueValue(p);
        if ("why" in r) return { ok: false, pos: p.pos, why: r.why };
        if (p.quoted) {
          add(r.value, p.pos, true);
          continue;
        }
        const pieces = r.value.split(/[ \t\n]+/);
        pieces.forEach((piece, k) => {
          if (k > 0) close();
          if (piece !== "") add(piece, p.pos, false);
        });
      }
      close();
    }
    return { ok: true, fields };
  };

  // ---- what a construct assigns (for the variables it may change) ----

  const assignedBy = (words: WordTok[]): { names: string[]; all: boolean } => {
    const names: string[] = [];
    let k = 0;
    while (k < words.length && assignment(words[k]!)) names.push(assignment(words[k++]!)!.name);
    const arith = arithmeticCommand(words[k]);
    if (arith !== undefined) return { names: [...names, ...arithmeticAssigns(arith)], all: false };
    const head = words[k] ? plainText(words[k]!) : undefined;
    if (head === undefined) return { names, all: false };
    const args = words.slice(k + 1);
    if (head === "let") return { names: [...names, ...args.flatMap((a) => arithmeticAssigns(plainText(a) ?? a.raw))], all: false };
    if (DECLARERS.has(head)) {
      for (const a of args) {
        const as = assignment(a);
        if (as) names.push(as.name);
        else if (head !== "export" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(plainText(a) ?? "")) names.push(plainText(a)!);
      }
    } else if (head === "read" || head === "unset" || head === "getopts") {
      for (const a of args) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(plainText(a) ?? "")) names.push(plainText(a)!);
    } else if (head === "for" || head === "select") {
      if (args[0] && plainText(args[0])) names.push(plainText(args[0])!);
    } else if (head === "source" || head === "." || head === "eval") return { names, all: true };
    else {
      const fn = functions.get(head);
      if (fn) return { names: [...names, ...fn.assigns], all: fn.all };
    }
    for (const w of words) {
      for (const p of w.parts) {
        if (p.kind === "param" && p.fallback?.op === "=") names.push(p.name);
        else if (p.kind === "opaque" && /^\$\{[A-Za-z_][A-Za-z0-9_]*:?=/.test(p.text)) names.push(/^\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(p.text)![1]!);
      }
    }
    return { names, all: false };
  };

  const poison = (a: { names: string[]; all: boolean }, why: string) => {
    for (const n of a.names) vars.set(n, { kind: "unknown", why: `$${n} may be changed by ${why}` });
    if (a.all) {
      for (const [n, st] of vars) if (st.kind !== "unknown") vars.set(n, { kind: "unknown", why: `$${n} may be changed by ${why}` });
      unknownEnv = why;
    }
  };

  /** The commands a script is read for: iptables ones, or nft ones with an nft sink. */
  const noun = opts.nft ? "nft" : opts.ufw ? "ufw" : "iptables";
  const counted = (program: string): boolean => (opts.nft ? basename(program) === "nft" : opts.ufw ? basename(program) === "ufw" : iptablesFamily(program) !== undefined);

  /** Is this word list a command the script is read for (as far as the current variables tell)? */
  const isCountedCommand = (words: WordTok[]): boolean => {
    let k = 0;
    while (k < words.length && assignment(words[k]!)) k++;
    const rest = words.slice(k);
    const head = rest[0];
    if (!head) return false;
    probing = true;
    const e = expand([head]);
    probing = false;
    if (e.ok) {
      const f = e.fields.map((x) => basename(x.text));
      if (f[0] === "sudo") return rest.slice(1).some((w) => (opts.nft ? /(^|\/)nft$/ : opts.ufw ? /(^|\/)ufw$/ : /(^|\/)ip6?tables(-legacy|-nft)?$/).test(w.raw));
      return f[0] !== undefined && counted(f[0]);
    }
    return opts.nft ? /nft/i.test(head.raw) : opts.ufw ? /ufw/i.test(head.raw) : /ip6?t|IPT/i.test(head.raw);
  };

  /** Commands the script is read for that were left out, and where the first one was. */
  let skippedCount = 0;
  let firstSkipped: Pos | undefined;
  const noteSkipped = (n: number, pos: Pos) => {
    skippedCount += n;
    if (n > 0) firstSkipped ??= pos;
  };

  /** Commands left out for what fwlint cannot know: an ipset command among them leaves the sets unknown. */
  const ipsetsSkipped = (inner: readonly WordTok[][]) => {
    if (!opts.ipsetLog) return;
    const c = inner.find(isIpsetCommand);
    if (c) opts.ipsetLog.skipped(c[0]!.pos);
  };

  const describeSkipped = (inner: WordTok[][], pos: Pos): string => {
    ipsetsSkipped(inner);
    const n = inner.filter(isCountedCommand).length;
    noteSkipped(n, pos);
    return n === 0 ? "" : `; the ${n} ${noun} command${n === 1 ? "" : "s"} inside ${n === 1 ? "is" : "are"} not in the model`;
  };

  // ---- conditions ----

  /** A condition whose outcome is not known: why is kept for the if or case it decides. */
  const unknownCondition = (pos: Pos, why: string): Outcome => {
    conditionWhy = { pos, why };
    return "unknown";
  };

  /** Does this path name the program the script is read for (iptables, or nft with an nft sink)? */
  const isReadProgram = (path: string): boolean => path !== "" && counted(path);

  /**
   * `[ -x /sbin/iptables ]`: true on the host the script is read for (see the header). `[ -f FILE ]`
   * (`-e`, `-r`, `-s`) of a file the script wrote, or one the scanned tree holds - where a file it
   * sources or reads is found (treeFile) -, is as that file is: the tree is taken for the machine's
   * files, so `[ -r "$CONF" ] && . "$CONF"` reads the settings it holds; `[ -d DIR ]` of a folder
   * the tree holds is true.
   */
  const programTest = (cmd: SimpleCmd): FileTest => (op, operand) => {
    if (["-e", "-a", "-f", "-x", "-r", "-s", "-h", "-L"].includes(op) && isReadProgram(operand)) {
      info(cmd.pos, `'${op} ${operand}' taken as true: fwlint reads the script as run on a host that has ${basename(operand)}`);
      return { outcome: "ok" };
    }
    if (op === "-d" && opts.files) {
      // (a folder the tree holds: `[ -d /etc/fw.d ] && for f in /etc/fw.d/*.sh ...`)
      const folder = resolveFolder(operand, selfPath(), treeRoot(), opts.files.io);
      if (folder) {
        infoOnce(cmd.pos, `'-d ${operand}' taken as true: the scanned tree holds it (${shownPath(folder.path)})`);
        return { outcome: "ok" };
      }
    }
    if (["-e", "-a", "-f", "-r", "-s"].includes(op)) {
      const wrote = written.get(operand);
      const found = wrote ? undefined : locateInTree(operand);
      const text = wrote ? wrote.lines.map((l) => l.text).join("\n") : found && !("why" in found) ? found.text : undefined;
      if (text !== undefined) {
        const ok = op !== "-s" || text !== "";
        const where = wrote ? "the script writes it" : `the scanned tree holds it (${(found as { name: string }).name})`;
        infoOnce(cmd.pos, `'${op} ${operand}' taken as ${ok ? "true" : "false"}: ${where}${ok ? "" : ", empty"}`);
        return { outcome: ok ? "ok" : "fail" };
      }
    }
    return { outcome: "unknown", why: `'${op} ${operand}' depends on the host that runs the script` };
  };

  /** `[ ... ]`, `test ...`, `[[ ... ]]` with the words after the command word. */
  const runTest = (command: "[" | "test" | "[[", words: WordTok[], cmd: SimpleCmd): Outcome => {
    const args: TestArg[] = [];
    // (dash, Debian's sh, has no [[ and no == in [ ]: it fails them where bash decides them)
    const bashOnly = command === "[[" ? "'[[ ... ]]'" : words.some((w) => plainText(w) === "==") ? "'==' in a test" : undefined;
    if (bashOnly && opts.shell === "sh") return unknownCondition(cmd.pos, `${bashOnly} is bash's: the script's #! names sh, which fails it where that is dash (Debian, Ubuntu) and decides it where that is bash`);
    if (command === "[[") {
      if (cmd.compound) return unknownCondition(cmd.pos, "fwlint does not decide a '[[ ... ]]' with &&, || or parentheses inside");
      for (const [k, w] of words.entries()) {
        const pieces = piecesOf(w.parts);
        if ("why" in pieces) return unknownCondition(pieces.pos, pieces.why);
        const text = pieces.map((x) => x.text).join("");
        // (the right side of == and != is a pattern)
        const before = k > 0 ? plainText(words[k - 1]!) : undefined;
        args.push(before === "==" || before === "=" || before === "!=" ? { text, pattern: pieces } : { text });
      }
    } else {
      const e = expand(words);
      if (!e.ok) return unknownCondition(e.pos, e.why);
      for (const f of e.fields) args.push({ text: f.text });
    }
    const r = testOutcome(command, args, programTest(cmd));
    return r.outcome === "unknown" ? unknownCondition(cmd.pos, r.why) : r.outcome;
  };

  /** `command -v nft`, `which iptables`, `type -p nft`, `hash nft`: known when they ask for the program read for. */
  const lookupProgram = (fields: ArgField[], from: number): Outcome => {
    const names = fields.slice(from).filter((f) => !f.text.startsWith("-"));
    if (names.length === 0 || !names.every((f) => isReadProgram(f.text))) return unknownCondition(fields[0]!.pos, `'${fields.map((f) => f.text).join(" ")}' depends on the host that runs the script`);
    info(fields[0]!.pos, `'${fields.map((f) => f.text).join(" ")}' taken as true: fwlint reads the script as run on a host that has ${names.map((f) => basename(f.text)).join(", ")}`);
    return "ok";
  };

  // ---- commands ----

  /** A command's bash array assignments (`PORTS=(22 80)`, `local -a A=(...)`, `A+=(x)`). */
  const assignArrays = (cmd: SimpleCmd) => {
    const head = cmd.words.find((w) => !assignment(w));
    const f = head && plainText(head) === "local" ? frame() : undefined;
    for (const a of cmd.arrays ?? []) {
      if (opts.shell === "sh") info(a.pos, `arrays are bash's: the script's #! names sh, and where that is dash (Debian, Ubuntu) it stops here with a syntax error; fwlint reads on as bash runs it`);
      if (f && !f.saved.has(a.name)) f.saved.set(a.name, vars.get(a.name));
      const e = expand(a.items);
      if (!e.ok) {
        vars.set(a.name, { kind: "unknown", why: `$${a.name} is assigned at line ${a.pos.line} from something fwlint cannot know (${e.why})` });
        continue;
      }
      const before = a.append ? arrayValues(a.name) : [];
      if (!Array.isArray(before) && vars.has(a.name)) continue; // (appending to an unknown array: it stays unknown)
      vars.set(a.name, { kind: "array", values: [...(Array.isArray(before) ? before : []), ...e.fields.map((x) => x.text)] });
    }
  };

  /** The command being run is in this sourced file (see diag): positions made from its words' name it too. */
  const runSimple = (cmd: SimpleCmd): Outcome => {
    const was = inFile;
    inFile = cmd.pos.file;
    try {
      return runSimpleIn(cmd);
    } finally {
      inFile = was;
    }
  };

  const runSimpleIn = (cmd: SimpleCmd): Outcome => {
    if (cmd.arrays) assignArrays(cmd);
    const words = cmd.words;
    let k = 0;
    const assigns: { name: string; value: Part[]; pos: Pos }[] = [];
    while (k < words.length && assignment(words[k]!)) {
      assigns.push({ ...assignment(words[k]!)!, pos: words[k]!.pos });
      k++;
    }
    if (k === words.length) {
      let outcome: Outcome = "ok";
      for (const a of assigns) {
        const v = valueOf(a.value);
        if ("why" in v) {
          vars.set(a.name, { kind: "unknown", why: `$${a.name} is assigned at line ${a.pos.line} from something fwlint cannot know (${v.why})` });
          if (a.value.some((p) => p.kind === "opaque" && p.what === "command substitution")) outcome = "unknown";
        } else vars.set(a.name, { kind: "value", value: v.value });
      }
      return outcome;
    }
    const rest = words.slice(k);
    const headText = plainText(rest[0]!);
    // (( EXPRESSION )): bash's arithmetic command
    const arith = arithmeticCommand(rest[0]);
    if (arith !== undefined) return runArithmetic(arith, rest[0]!.pos, rest[0]!.raw);

    // builtins that change variables or the course of the script
    if (headText !== undefined && DECLARERS.has(headText)) {
      const f = headText === "local" ? frame() : undefined;
      // (their arguments are words of a command: brace-expanded, `export P={1,2}` is P=1 then P=2, as bash does)
      for (const a of rest.slice(1).flatMap(bracesOf)) {
        const as = assignment(a);
        // a local hides the variable until the function returns
        const name = as?.name ?? (/^[A-Za-z_][A-Za-z0-9_]*$/.test(plainText(a) ?? "") ? plainText(a)! : undefined);
        if (f && name !== undefined && !f.saved.has(name)) {
          f.saved.set(name, vars.get(name));
          if (!as) vars.set(name, { kind: "value", value: "" });
        }
        if (as) {
          const v = valueOf(as.value);
          vars.set(as.name, "why" in v ? { kind: "unknown", why: `$${as.name} is assigned at line ${a.pos.line} from something fwlint cannot know (${v.why})` } : { kind: "value", value: v.value });
        } else if (/^-[aA]/.test(plainText(a) ?? "") && !(cmd.arrays && plainText(a) === "-a")) {
          poison(assignedBy(rest), `${headText} at line ${cmd.pos.line}`);
          break;
        }
      }
      return "ok";
    }
    if (headText === "[" || headText === "test" || headText === "[[") return runTest(headText, rest.slice(1), cmd);
    if (headText === "unset") {
      for (const a of rest.slice(1)) {
        const t = plainText(a);
        if (t && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) vars.set(t, { kind: "unset" });
      }
      return "ok";
    }

    const e = expand(rest);
    if (!e.ok) {
      const partial = unknownOperands(rest);
      if (partial) {
        for (const u of partial.unknowns) info(u.pos, `${u.condition.text}: ${u.condition.reason}; the rule is read with that condition unknown`);
        return runFields(partial.fields, cmd, partial.unknowns);
      }
      // Which program? (the first word may still be known)
      const head = expand([rest[0]!]);
      const prog = head.ok ? head.fields[0]?.text : undefined;
      if (prog !== undefined && QUIET[basename(prog)] !== undefined) return QUIET[basename(prog)]!;
      const what = prog !== undefined ? `'${prog}' command` : "command";
      if (isCountedCommand(rest)) noteSkipped(1, e.pos);
      ipsetsSkipped([rest]);
      info(e.pos, `${prog !== undefined && counted(prog) ? `${basename(prog)} command` : what} skipped: ${e.why}; fwlint does not guess the value`);
      if (prog !== undefined && ["source", ".", "eval"].includes(basename(prog))) poison({ names: [], all: true }, `${basename(prog)} at line ${cmd.pos.line}`);
      else poison({ names: assignedBy(rest).names, all: false }, `the command at line ${cmd.pos.line}`);
      return "unknown";
    }
    return runFields(e.fields, cmd);
  };

  /**
   * A command that adds a rule whose only unknown words are a destination address or an interface
   * (`-d $WAN_IP` with `WAN_IP=$(ip -4 addr show eth0 | ...)`, `iifname $WAN` with `WAN=$(ip route |
   * awk ...)`): its fields without them, and for each an unknown condition - the rule matches some
   * of what it matches without the word, which part is known when the script runs. For iptables
   * (-A, -I, -R): the operand of -d, -i or -o goes with its option; for nft (`add rule`, `insert
   * rule`): `iifname`, `oifname`, `iif`, `oif` with their value go, and `ip daddr X` / `ip6 daddr X`
   * becomes `meta nfproto ipv4` / `ipv6` (the family it implies stays). Undefined for any other
   * command. (Not a source address: one known only when the script runs is mostly an allow list of
   * admins or a ban list, and "may be reachable from any source" would be noise there.)
   */
  const unknownOperands = (words: WordTok[]): { fields: ArgField[]; unknowns: UnknownOperand[] } | undefined => {
    const head = expand([words[0]!]);
    if (!head.ok || head.fields.length !== 1) return undefined;
    const program = basename(head.fields[0]!.text);
    const nft = opts.nft !== undefined && program === "nft";
    if (!nft && (opts.nft !== undefined || opts.ufw !== undefined || iptablesFamily(program) === undefined)) return undefined;
    const fields: ArgField[] = [...head.fields];
    const unknowns: UnknownOperand[] = [];
    for (const w of words.slice(1)) {
      const r = expand([w]);
      if (r.ok) {
        fields.push(...r.fields);
        continue;
      }
      const taken = nft ? nftOperand(fields) : iptablesOperand(fields);
      if (taken === undefined) return undefined;
      fields.splice(fields.length - taken.drop, taken.drop, ...(taken.add ?? []));
      unknowns.push({ pos: r.pos, condition: { kind: "unknown", text: `${taken.what} ${w.raw}`, reason: r.why } });
    }
    const text = fields.map((f) => f.text);
    if (nft ? !NFT_ADDING.some(([a, b]) => text.some((t, k) => t === a && text[k + 1] === b)) : !text.some((t) => ADDING_COMMANDS.has(t))) return undefined;
    return { fields, unknowns };
  };

  /** The iptables option an unknown word is the operand of (`-d $X`, `! -d $X`, the old `-d ! $X`): how many fields go (with its `!`), or undefined. */
  const iptablesOperand = (fields: readonly ArgField[]): { drop: number; add?: ArgField[]; what: string } | undefined => {
    const bang = fields.at(-1)?.text === "!";
    const option = fields.at(bang ? -2 : -1)?.text;
    if (option === undefined || (!ADDRESS_OPTIONS.has(option) && !INTERFACE_OPTIONS.has(option))) return undefined;
    const before = fields.at(bang ? -3 : -2)?.text === "!" ? 1 : 0;
    return { drop: (bang ? 2 : 1) + before, what: option };
  };

  /** The nft selector an unknown word is the value of (`iifname $X`, `meta oif != $X`, `ip daddr $X`): the fields that go and what stands for them, or undefined. */
  const nftOperand = (fields: readonly ArgField[]): { drop: number; add?: ArgField[]; what: string } | undefined => {
    const op = fields.at(-1)?.text === "==" || fields.at(-1)?.text === "!=" ? 1 : 0;
    const key = fields.at(-1 - op);
    if (key === undefined) return undefined;
    if (NFT_INTERFACE_KEYS.has(key.text)) {
      const meta = fields.at(-2 - op)?.text === "meta" ? 1 : 0;
      return { drop: 1 + op + meta, what: fields.slice(fields.length - 1 - op - meta).map((f) => f.text).join(" ") };
    }
    const proto = fields.at(-2 - op);
    if (key.text !== "daddr" || (proto?.text !== "ip" && proto?.text !== "ip6")) return undefined;
    const what = fields.slice(fields.length - 2 - op).map((f) => f.text).join(" ");
    // the family `ip daddr` implies stays: said by `meta nfproto` in an inet table, `meta protocol`
    // in a netdev or bridge one, and by the table itself in an ip or ip6 one (nft refuses `meta
    // nfproto` there)
    const k = fields.findIndex((f) => f.text === "rule");
    const table = k >= 0 ? fields[k + 1]?.text : undefined;
    const say = (a: string, b: string): ArgField[] => [{ text: "meta", pos: proto.pos }, { text: a, pos: key.pos }, { text: b, pos: key.pos }];
    if (table === "inet") return { drop: 2 + op, add: say("nfproto", proto.text === "ip" ? "ipv4" : "ipv6"), what };
    if (table === "netdev" || table === "bridge") return { drop: 2 + op, add: say("protocol", proto.text), what };
    return { drop: 2 + op, what };
  };

  const runFields = (fields: ArgField[], cmd: SimpleCmd, unknowns: readonly UnknownOperand[] = []): Outcome => {
    if (fields.length === 0) return "ok";
    const head = fields[0]!;
    const prog = basename(head.text);
    if (COMMAND_WRAPPERS.has(prog)) {
      let k = 1;
      if (prog === "sudo") {
        while (k < fields.length && fields[k]!.text.startsWith("-")) {
          const o = fields[k]!.text;
          k++;
          if (o === "--") break;
          if (["-u", "-g", "-C", "-h", "-p", "-U", "-r", "-t", "-T", "-D"].includes(o)) k++;
        }
      }
      if (prog === "command" && fields[1] && /^-[vV]$/.test(fields[1].text)) return lookupProgram(fields, 2);
      const inner = fields.slice(k);
      if (prog === "exec" && inner.length > 0) {
        const out = runFields(inner, cmd);
        stopped ??= { line: head.pos.line, why: `exec at ${placeText(head.pos)} replaces the shell` };
        return out;
      }
      return runFields(inner, cmd, unknowns);
    }
    if (/^x?tables-(legacy|nft)-multi$/.test(prog) && fields[1] && iptablesFamily(fields[1].text) !== undefined) return runFields(fields.slice(1), cmd);

    if ((prog === "cat" || prog === "tee") && writes(prog, fields, cmd)) return "ok";
    if (TEXT_TOOLS.has(prog)) {
      const ran = runTool(fields, cmd);
      if (ran !== undefined) return ran;
    }
    if (prog === "xargs") return runXargs(fields, cmd);
    if (prog === "ipset" && opts.ipsetLog) {
      // (what a restore reads: the file of its -f option, else its standard input - here-document, `< FILE`, a `cat FILE |` pipe)
      return opts.ipsetLog.run(fields, (from) => {
        if (from) return readInput(from.text, from.pos);
        const input = inputOf(cmd.redirs, head.pos);
        if (input && "why" in input && cmd.redirs.some((r) => r.heredoc)) return { pos: input.pos, why: `its here-document has a value known only when the script runs (${input.why})` };
        return input;
      });
    }
    if (prog === "nft" && opts.nft) {
      const stdinPath = pathOf(cmd.redirs.find((r) => r.op === "<" && r.target)?.target);
      // (a here-document is filled in here, once, as the shell does for the program that reads it)
      const doc = cmd.redirs.find((r) => r.heredoc)?.heredoc;
      const hereDoc = doc ? hereDocText(doc, head.pos) : undefined;
      // (a command in a file the script sources is written at that file's lines)
      return opts.nft!.run(fields.slice(1), head, cmd.redirs, {
        files: (path) => written.get(path),
        ...(piped ? { stdin: piped } : {}),
        ...(pipedFile ? { stdinFile: pipedFile } : {}),
        ...(hereDoc ? { hereDoc } : {}),
        ...(unknowns.length > 0 ? { unknowns } : {}),
        ...(head.pos.file !== undefined ? { fileLines: linesOf(head.pos) } : {}),
        ...(stdinPath !== undefined ? { stdinPath } : {}),
      });
    }
    if (prog === "ufw" && opts.ufw) return opts.ufw.run(fields.slice(1), head);
    const family = iptablesFamily(prog);
    if (family !== undefined && opts.ufw) {
      info(head.pos, `'${prog}' skipped: this script is read for its ufw commands, and its iptables rules are not in the model (ufw's before.rules is where ufw takes such rules)`);
      return "unknown";
    }
    if (family !== undefined && opts.nft) {
      info(head.pos, `'${prog}' skipped: this script is read for its nft commands, and its iptables rules are not in the model; check them with fwlint apart (iptables-save output)`);
      return "unknown";
    }
    if (family !== undefined) {
      const tables = family === 4 ? v4 : v6;
      const inv = readInvocation(fields.slice(1));
      return tables.run(
        inv,
        spanOf(head.pos),
        prog,
        unknowns.map((u) => u.condition),
      );
    }
    const inLoop = loops[loops.length - 1];
    if ((prog === "break" || prog === "continue") && inLoop) {
      if (prog === "break") inLoop.broke = true;
      else inLoop.next = true;
      return "ok";
    }
    const f = frame();
    if (prog === "return" && f) {
      f.returned = fields[1] === undefined || fields[1].text === "0" ? "ok" : /^\d+$/.test(fields[1].text) ? "fail" : "unknown";
      return f.returned;
    }
    if (prog === "exit" || prog === "return") {
      const code = fields[1]?.text;
      const status: Outcome = code === "0" ? "ok" : code !== undefined && /^\d+$/.test(code) ? "fail" : "unknown";
      stopped = { line: head.pos.line, why: `the script ${prog === "exit" ? "exits" : "returns"} at ${placeText(head.pos)}`, status };
      return "ok";
    }
    if (prog === "let") {
      // each argument an expression, run in turn; the status is the last one's
      if (fields.length < 2) return "fail";
      let out: Outcome = "ok";
      for (const f of fields.slice(1)) {
        out = runArithmetic(f.text, f.pos, `let ${f.text}`, false);
        if (out === "unknown") {
          for (const later of fields.slice(fields.indexOf(f) + 1)) poison({ names: arithmeticAssigns(later.text), all: false }, `let at ${placeText(head.pos)}`);
          break;
        }
      }
      return out;
    }
    if (prog === "set") {
      let args: string[] | undefined;
      for (let k = 1; k < fields.length; k++) {
        const t = fields[k]!.text;
        if (t === "-o" || t === "+o") {
          if (fields[k + 1]?.text === "errexit") errexit = t === "-o";
          k++;
        } else if (/^-[A-Za-z]+$/.test(t) && t.includes("e")) errexit = true;
        else if (/^\+[A-Za-z]+$/.test(t) && t.includes("e")) errexit = false;
        else if (t === "--" || t === "-") {
          // `set -- WORDS` (and `set - WORDS`): the words are the positional parameters now
          args = fields.slice(k + 1).map((f) => f.text);
          break;
        } else if (!/^[-+]/.test(t)) {
          // (the first word that is no option starts them: `set $line`)
          args = fields.slice(k).map((f) => f.text);
          break;
        }
      }
      if (args) {
        // (those of the function running, or of the script: a sourced file shares its caller's)
        const f = [...frames].reverse().find((x) => x.args !== undefined);
        if (f) f.args = args;
        else scriptArgs = args;
      }
      return "ok";
    }
    if (prog === "source" || prog === "." || prog === "eval") {
      const what = `'${prog}${fields[1] ? " " + fields[1].text : ""}'`;
      const read = prog === "eval" ? { why: "fwlint does not run text as commands" } : source(fields, head.pos);
      if (!("why" in read)) return read.outcome;
      info(head.pos, `${what} skipped: ${read.why}; variables it may set are treated as unknown from here on`);
      poison({ names: [], all: true }, `${what} at ${placeText(head.pos)}`);
      return "unknown";
    }
    const fn = functions.get(head.text);
    if (fn?.body && frames.length < MAX_CALL_DEPTH && calls < MAX_CALLS) {
      calls++;
      return call(fn.body, fields.slice(1).map((x) => x.text));
    }
    if (fn) {
      const why = !fn.body ? "fwlint follows only a function whose body is a { ... } group" : calls >= MAX_CALLS ? `the script has made ${MAX_CALLS} calls` : `calls nest deeper than ${MAX_CALL_DEPTH} here`;
      // (once per place and reason: a function that calls itself reaches the limits many times)
      const note = `${head.pos.line}:${head.pos.column} ${why}`;
      if (!fn.body || !callNotes.has(note)) info(head.pos, `call of function ${head.text} (defined at line ${fn.line}) skipped: ${why}`);
      callNotes.add(note);
      ipsetsSkipped(fn.inner);
      poison({ names: [...fn.assigns], all: fn.all }, `function ${head.text} called at line ${head.pos.line}`);
      return "unknown";
    }
    if (prog === "which" || prog === "type" || prog === "hash") return lookupProgram(fields, 1);
    const quiet = QUIET[prog];
    if (quiet !== undefined) return quiet;
    if (/^ip6?tables(-legacy|-nft)?-restore$/.test(prog) && !opts.nft) return restore(prog, fields, cmd);
    if (/^ip6?tables(-legacy|-nft)?-restore$/.test(prog)) {
      const doc = cmd.redirs.find((r) => r.heredoc);
      info(
        head.pos,
        `'${prog}' skipped: fwlint does not read the rules it loads${doc?.heredoc ? ` (here-document, lines ${doc.heredoc.firstLine}-${doc.heredoc.lastLine})` : ""}; check that file with fwlint on its own`,
      );
      return "unknown";
    }
    // (a condition's test program: the if it decides is told as not decided, and why)
    if (inCondition > 0) return unknownCondition(head.pos, `fwlint does not run '${prog}'`);
    info(head.pos, `'${prog}' skipped: not an ${noun} command`);
    return "unknown";
  };

  // ---- text tools: grep, sed, awk, cut ... on text fwlint knows (text-tools.ts) ----

  /**
   * What a text tool prints (text-tools.ts), its words expanded: what it reads is a file of the
   * tree or one the script wrote, its here-document or `< FILE`, or `stdin` (what a pipe gives it,
   * else unknown). Undefined when the command is no text tool fwlint runs (or echo/printf, which
   * `first` allows: the head of a pipe).
   */
  const toolOutput = (fields: readonly ArgField[], cmd: SimpleCmd, stdin: () => ToolText | { why: string }, first: boolean): ToolText | { pos: Pos; why: string } | undefined => {
    const head = fields[0]!;
    const program = basename(head.text);
    const shown = fields.map((f) => f.text).join(" ");
    if (program === "echo" || program === "printf") {
      if (!first) return undefined;
      const text = printedText(program, fields.slice(1).map((f) => f.text), opts.shell);
      if (text === undefined) return { pos: head.pos, why: `fwlint does not follow what '${clipText(shown)}' prints` };
      const at = fields[program === "printf" ? 2 : 1]?.pos ?? head.pos;
      const lines = text.split("\n");
      const open = lines[lines.length - 1] !== "";
      if (!open) lines.pop();
      return { lines: lines.map((t) => ({ text: t, line: at.line, column: at.column, ...(at.file !== undefined ? { file: at.file } : {}) })), ...(open ? { open } : {}) };
    }
    // `xargs [-n N] [echo]` in a pipe: what the echo commands it builds print (`tr ' ' '\n'` by other means)
    if (program === "xargs") {
      const input = cmd.redirs.some((r) => r.heredoc || ((r.op === "<" || r.op === "<<<") && r.target)) ? inputOf(cmd.redirs, head.pos) : stdin();
      if (input === undefined || "why" in input) return { pos: head.pos, why: `'${clipText(shown)}': ${input?.why ?? "what it reads is known only when the script runs"}` };
      const commands = xargsCommands(fields.slice(1), input.lines.map((l) => l.text));
      if ("why" in commands) return { pos: head.pos, why: `'${clipText(shown)}': ${commands.why}` };
      if (!commands.every((c) => basename(c[0]!.text) === "echo")) return undefined;
      const lines: PlacedLine[] = [];
      for (const c of commands) {
        const text = printedText("echo", c.slice(1).map((f) => f.text), opts.shell);
        if (text === undefined) return { pos: head.pos, why: `fwlint does not follow what '${clipText(shown)}' prints` };
        for (const t of text.replace(/\n$/, "").split("\n")) lines.push({ text: t, line: head.pos.line, column: head.pos.column, ...(head.pos.file !== undefined ? { file: head.pos.file } : {}) });
      }
      return { lines };
    }
    if (!TEXT_TOOLS.has(program)) return undefined;
    // its input: a redirection, else `stdin`; its errors (2>) go elsewhere
    const redirected = cmd.redirs.some((r) => r.heredoc || ((r.op === "<" || r.op === "<<<") && r.target));
    const input = redirected ? inputOf(cmd.redirs, head.pos) : undefined;
    const r = runTextTool(
      fields.map((f) => f.text),
      {
        file: (path) => {
          const t = readInput(path, head.pos);
          return "why" in t ? { why: t.why } : t;
        },
        stdin: () => (!redirected ? stdin() : input === undefined ? { why: "what it reads is known only when the script runs" } : "why" in input ? { why: input.why } : input),
        at: head.pos,
      },
    );
    if (r === undefined) return undefined;
    return "why" in r ? { pos: head.pos, why: `'${clipText(shown)}': ${r.why}` } : r;
  };

  /** Where a command's standard output goes: a file (`> PATH`, `>> PATH`), the null device, or the script's output. */
  const outputOf = (cmd: SimpleCmd): { path: string; append: boolean; pos: Pos } | { unknown: Pos } | undefined => {
    const to = cmd.redirs.find((r) => (r.op === ">" || r.op === ">|" || r.op === ">>" || r.op === "1>" || r.op === "1>>" || r.op === "&>") && r.target);
    if (!to) return undefined;
    const path = pathOf(to.target);
    if (path === undefined) return { unknown: to.pos };
    return path === "/dev/null" ? undefined : { path, append: to.op.endsWith(">>"), pos: to.pos };
  };

  /**
   * A text tool run as a command: what it prints written to the file it is redirected to (for a
   * later `iptables-restore < FILE`, `while read ... done < FILE`), and its status - grep's says
   * whether it selected a line (`if grep -q '^ssh' services.txt`). Undefined when fwlint does not
   * know what it reads: the command is told as skipped, as before.
   */
  const runTool = (fields: ArgField[], cmd: SimpleCmd): Outcome | undefined => {
    const out = toolOutput(fields, cmd, () => (piped ? piped : { why: "what it reads (standard input) is known only when the script runs" }), false);
    const to = outputOf(cmd);
    if (out === undefined || "why" in out) {
      if (to && "path" in to) {
        written.delete(to.path);
        info(to.pos, `${to.path} is written from what fwlint does not know (${out?.why ?? `'${fields[0]!.text}'`}): what reads it is not followed`);
      }
      return undefined;
    }
    if (to && "unknown" in to) info(to.unknown, `the file this ${basename(fields[0]!.text)} writes is known only when the script runs: what it writes is not read`);
    else if (to) writeFile(to.path, out.lines, to.append, to.pos, out.open === true);
    return out.failed ? "fail" : "ok";
  };

  /**
   * `... | xargs [-I{}] iptables -A INPUT -s {} -j DROP` (or `xargs -a FILE ...`): the commands
   * xargs builds from what it reads (xargs.ts), each run as the script's own; its status fails if
   * one of them fails. What it reads unknown, or xargs options fwlint does not follow: skipped, with why.
   */
  const runXargs = (fields: ArgField[], cmd: SimpleCmd): Outcome => {
    const head = fields[0]!;
    let args = fields.slice(1);
    const skip = (why: string): Outcome => {
      const inner = args.map((a) => a.text).join(" ");
      if (args.some((a) => counted(a.text))) noteSkipped(1, head.pos);
      info(head.pos, `'xargs ${clipText(inner)}' skipped: ${why}`);
      return "unknown";
    };
    let input: ScriptText | { pos: Pos; why: string } | undefined;
    const file = args.findIndex((a) => a.text === "-a" || a.text.startsWith("--arg-file="));
    if (file >= 0) {
      const a = args[file]!;
      const path = a.text === "-a" ? args[file + 1]?.text : a.text.slice("--arg-file=".length);
      if (path === undefined) return skip("xargs -a is given no file");
      input = readInput(path, a.pos);
      args = [...args.slice(0, file), ...args.slice(file + (a.text === "-a" ? 2 : 1))];
    } else input = inputOf(cmd.redirs, head.pos);
    if (input === undefined) return skip("what it reads (standard input) is known only when the script runs");
    if (!("lines" in input)) return skip(input.why);
    const commands = xargsCommands(args, input.lines.map((l) => l.text));
    if ("why" in commands) return skip(commands.why);
    let out: Outcome = "ok";
    for (const c of commands) {
      const o = runFields(c, cmd);
      if (o === "fail") out = "fail";
      else if (o === "unknown" && out === "ok") out = "unknown";
      if (halted()) break;
    }
    return out;
  };

  // ---- files the script writes ----

  /**
   * `cat > PATH <<EOF`, `cat <<EOF >> PATH`, `tee [-a] PATH <<EOF`: the file now holds the
   * here-document (after what it held, to append), for a later `nft -f PATH`, `iptables-restore <
   * PATH` or `while read ... done < PATH`. False when the command is no such write; a write whose
   * path or text is not known leaves the file unknown.
   */
  const writes = (prog: string, fields: ArgField[], cmd: SimpleCmd): boolean => {
    const doc = cmd.redirs.find((r) => r.heredoc)?.heredoc;
    if (!doc) return false;
    let append = false;
    let path: string | undefined;
    if (prog === "tee") {
      const args = fields.slice(1);
      append = args.some((a) => a.text === "-a" || a.text === "--append");
      const files = args.filter((a) => !a.text.startsWith("-"));
      if (files.length !== 1) return false;
      path = files[0]!.text;
    } else {
      if (fields.length > 1) return false;
      const to = cmd.redirs.find((r) => (r.op === ">" || r.op === ">|" || r.op === ">>") && r.target);
      if (!to) return false;
      append = to.op === ">>";
      path = pathOf(to.target);
      if (path === undefined) {
        info(to.pos, `the file this ${prog} writes is known only when the script runs: what it writes is not read`);
        return true;
      }
    }
    const text = hereDocText(doc, fields[0]!.pos);
    if (!("lines" in text)) {
      written.delete(path);
      info(text.pos, `${path} written from a here-document (lines ${doc.firstLine}-${doc.lastLine}) that fwlint cannot fill in: ${text.why}; what reads it is not followed`);
      return true;
    }
    writeFile(path, text.lines, append, fields[0]!.pos);
    return true;
  };

  /** PATH holds LINES now (after what it held, to append); appended to when what it held is not known: said, and left unknown. */
  const writeFile = (path: string, lines: readonly PlacedLine[], append: boolean, pos: Pos, open = false) => {
    const before = append ? written.get(path) : undefined;
    if (append && !before) {
      info(pos, `${path} is appended to, and what it held before is not known here: what reads it is not followed`);
      return;
    }
    written.set(path, { lines: [...(before?.lines ?? []), ...lines], what: path, ...(open ? { open: true } : {}) });
  };

  // ---- iptables-restore <<EOF ----

  /** A restore document's table block on scratch tables: its chain lines, then its commands, stopping at the first that fails. */
  const applyBlock = (scratch: FamilyTables, b: RestoreBlock, prog: string, noflush: boolean): Status => {
    const field = (text: string, pos: Pos): ArgField => ({ text, pos });
    for (const c of b.chains) {
      const builtin = (TABLES.get(b.table) ?? []).includes(c.name);
      // (with --noflush a user chain the table has already is emptied, not made again: iptables-restore 1.8.9, asked in a namespace)
      const user = noflush && scratch.hasChain(b.table, c.name) ? "-F" : "-N";
      const args = builtin || c.policy !== "-" ? [field("-P", c.pos), field(c.name, c.pos), field(c.policy, c.policyPos)] : [field(user, c.pos), field(c.name, c.pos)];
      if (scratch.run(readInvocation([field("-t", b.pos), field(b.table, b.pos), ...args]), spanOf(c.pos), prog) === "fail") return "fail";
    }
    for (const f of b.commands) {
      if (scratch.run(readInvocation([field("-t", b.pos), field(b.table, b.pos), ...f]), spanOf(f[0]!.pos), prog) === "fail") return "fail";
    }
    return "ok";
  };

  /**
   * `iptables-restore <<EOF ... EOF`: the here-document's tables, each replacing the table of that
   * name as iptables-restore does (a table with an error loads nothing, and iptables-restore stops
   * there: the tables before it stay loaded); with --noflush each adds to the table as it is (its
   * rules kept, the chain lines setting policies, emptying the user chains they name). A file it
   * reads that the script did not write is reported, not read.
   */
  const restore = (prog: string, fields: ArgField[], cmd: SimpleCmd): Outcome => {
    const head = fields[0]!;
    const skip = (why: string): Outcome => {
      noteSkipped(1, head.pos);
      info(head.pos, `'${prog}' skipped: ${why}`);
      return "unknown";
    };
    let testOnly = false;
    let noflush = false;
    let only: string | undefined;
    let file: ScriptText | undefined;
    for (let k = 1; k < fields.length; k++) {
      const o = fields[k]!.text;
      if (o === "-t" || o === "--test") testOnly = true;
      else if (o === "-n" || o === "--noflush") noflush = true;
      else if (o === "-T" || o === "--table") only = fields[++k]?.text;
      else if (o.startsWith("--table=")) only = o.slice("--table=".length);
      else if (o === "-w" || o === "--wait") {
        if (/^\d+$/.test(fields[k + 1]?.text ?? "")) k++;
      } else if (o === "-W" || o === "--wait-interval" || o === "-M" || o === "--modprobe") k++;
      else if (/^-[cvw]$|^-w\d+$|^--(counters|verbose)$|^--(wait|wait-interval|modprobe)=/.test(o)) continue;
      else if (!o.startsWith("-")) {
        const read = fileText(o, fields[k]!.pos);
        if ("why" in read) return skip(`fwlint does not read the rules it loads from ${o}: ${read.why}; check that file with fwlint on its own`);
        file = read;
      } else return skip(`fwlint does not follow its option ${o}`);
    }
    const input = file ?? inputOf(cmd.redirs, head.pos);
    if (!input) return skip("fwlint reads the rules it loads from a here-document or a file the script wrote only; check the file it reads with fwlint on its own");
    if (!("lines" in input)) {
      noteSkipped(1, head.pos);
      const doc = cmd.redirs.find((r) => r.heredoc)?.heredoc;
      if (doc) info(input.pos, `here-document read by ${prog} (lines ${doc.firstLine}-${doc.lastLine}) skipped: ${input.why}; fwlint does not guess the value`);
      else info(head.pos, `'${prog}' skipped: ${input.why}; check that file with fwlint on its own`);
      return "unknown";
    }
    const { blocks, problem } = readRestoreDocument(input.lines);
    const tables = prog.startsWith("ip6") ? v6 : v4;
    tables.used = true;
    for (const b of blocks) {
      const failed = (why: string): Outcome => {
        info(b.pos, `${prog} loads nothing of table ${b.table} (from line ${b.pos.line}) and stops: ${why}`);
        return "fail";
      };
      if (!b.committed) {
        if (problem) diag("error", problem.pos, problem.message);
        else diag("error", b.pos, `iptables-restore: COMMIT expected: table ${b.table} is not ended by COMMIT before the end of the here-document`);
        return failed(problem ? "the error in it" : "COMMIT does not end it");
      }
      if (only !== undefined && b.table !== only) continue;
      if (tables.restoreTable(b.table, spanOf(b.pos), (scratch) => applyBlock(scratch, b, prog, noflush), testOnly, noflush) === "fail") return failed("the error in it");
    }
    if (problem && blocks.every((b) => b.committed)) {
      diag("error", problem.pos, problem.message);
      return "fail";
    }
    return "ok";
  };

  /** Has the script stopped, or the function being run returned? */
  const halted = (): boolean => {
    const l = loops[loops.length - 1];
    return stopped !== undefined || frame()?.returned !== undefined || (l !== undefined && (l.broke || l.next));
  };

  /**
   * An arithmetic command (`(( i++ ))`, the text inside the parentheses) or a `let` argument
   * (`expanded`: its words are expanded already): computed as the shell computes it, its
   * assignments made; ok when its value is not 0, fail when it is (so `(( i++ ))` with i at 0 fails,
   * and `set -e` stops there, as bash does). One fwlint cannot compute is told, and the variables it
   * assigns are unknown after it.
   */
  const runArithmetic = (text: string, pos: Pos, shown: string, expandFirst = true): Outcome => {
    const filled = expandFirst ? expandHereDocLine(text, hereDocVariable(pos)) : { value: text };
    const r = "why" in filled ? filled : evaluateArithmetic(filled.value, (name) => lookup({ kind: "param", name, quoted: true, pos }), 0, (name, value) => vars.set(name, { kind: "value", value }));
    if ("why" in r) {
      info(pos, `${clipText(shown)} skipped: fwlint cannot compute it (${r.why})`);
      poison({ names: arithmeticAssigns(text), all: false }, `${clipText(shown)} at ${placeText(pos)}`);
      return "unknown";
    }
    return r.value === "0" ? "fail" : "ok";
  };

  /**
   * `. FILE` / `source FILE`: the file's commands run in this shell - its variables, functions and
   * rules are the script's, its rules and diagnostics at its own lines -, as the shell runs them,
   * when fwlint can read it: a path with a slash (a name alone is looked up on PATH), no glob, no
   * arguments. A relative path is the script's working folder's, taken as its own folder (with an
   * info); an absolute one outside the scanned tree is read from the tree's copy of the machine's
   * folders (`etc/firewall.conf` for `/etc/firewall.conf`), as an nft include is. `return` in it
   * ends the file. Why not otherwise.
   */
  const source = (fields: ArgField[], pos: Pos): { outcome: Outcome } | { why: string } => {
    const spec = fields[1]?.text;
    if (!opts.files || spec === undefined) return { why: "fwlint reads only this file" };
    if (fields.length > 2) return { why: "fwlint does not source a file with arguments" };
    if (!spec.includes("/")) return { why: `the shell looks '${spec}' up on PATH, which fwlint does not know` };
    if (sourcing.length >= MAX_SOURCE_DEPTH) return { why: `files are sourced inside one another more than ${MAX_SOURCE_DEPTH} deep here` };
    const target = treeFile(spec, pos);
    if ("why" in target) return target;
    if (sourcing.includes(target.path) || target.path === selfPath()) return { why: `${spec} is being sourced already (a loop)` };
    const read = readScript(target.text, diag, target.name);
    readFiles.set(target.name, read.lines);
    sourcedPaths.set(target.name, target.path);
    sourcing.push(target.path);
    // (its `local`s are the sourcing function's, and so are its arguments)
    const f: Frame = { args: frame()?.args, saved: frame()?.saved ?? new Map() };
    frames.push(f);
    try {
      const out = runList(read.items);
      return { outcome: f.returned ?? out };
    } finally {
      frames.pop();
      sourcing.pop();
    }
  };

  /**
   * A file of the machine the script reads (what it sources, `$(cat FILE)`, `< FILE`), from the
   * scanned tree: a relative path from the script's own folder (with an info: the shell reads it
   * from the folder the script runs in), an absolute one outside the tree from the tree's copy of
   * the machine's folders, as an nft include is (parsers/nftables/include.ts). Its path, the name
   * its positions give (as the script's own file is named), and its text; why not when it cannot be read.
   */
  const treeFile = (spec: string, pos: Pos): { path: string; name: string; text: string } | { why: string } => {
    const f = locateInTree(spec);
    if ("why" in f) return f;
    if (f.copy) infoOnce(pos, `${spec} read in the scanned tree, ${f.copy} taken for the root of the machine that runs the script`);
    else if (!isAbsolute(spec)) infoOnce(pos, `${spec} read from the script's own folder: the shell reads it from the folder the script runs in`);
    return f;
  };

  /**
   * A for loop's words, each expanded; one with an unquoted pattern (`/etc/firewall.d/*.sh`,
   * `"$DIR"/*.rules`) is matched against the scanned tree, where a file the script sources is found
   * (treeFile), and gives the paths that match as the shell spells them, sorted - the conf.d idiom
   * `for f in /etc/fw.d/*.sh; do . "$f"; done`. An absolute pattern nothing in the tree matches is
   * not decided (the machine may hold files that do); a relative one stays the word it is, as the
   * shell leaves it.
   */
  const loopWords = (words: readonly WordTok[]): { ok: true; words: string[] } | { ok: false; pos: Pos; why: string } => {
    const out: string[] = [];
    for (const w of words) {
      if (!w.parts.some((p) => p.kind === "lit" && !p.quoted && GLOB_CHARS.test(p.text))) {
        const e = expand([w]);
        if (!e.ok) return e;
        out.push(...e.fields.map((f) => f.text));
        continue;
      }
      const pieces = piecesOf(w.parts);
      if ("why" in pieces) return { ok: false, ...pieces };
      const pattern = pieces.map((p) => p.text).join("");
      if (pieces.some((p) => !p.glob && GLOB_CHARS.test(p.text)) || !opts.files) return { ok: false, pos: w.pos, why: `${pattern} is matched against the files of the machine that runs the script` };
      const self = selfPath();
      const tree = treeRoot();
      const r = resolveInclude(pattern, self, tree, opts.files.io);
      if (r.kind === "none" && !isAbsolute(pattern)) {
        // (the script's own folder is the tree's: nothing there matches, and the shell keeps the word as it is)
        out.push(pattern);
        continue;
      }
      if (r.kind !== "files") return { ok: false, pos: w.pos, why: `${pattern} is matched against the files of the machine that runs the script, and nothing in the scanned tree (${tree}) matches it` };
      const paths = r.files.map((f) => (isAbsolute(pattern) ? (r.copy ? `/${relative(r.copy.tree, f.path)}` : f.path) : `${pattern.startsWith("./") ? "./" : ""}${relative(dirname(self), f.path)}`));
      info(w.pos, `${pattern} matched in the scanned tree${r.copy ? `, ${r.copy.tree} taken for the root of the machine that runs the script` : isAbsolute(pattern) ? "" : ", from the script's own folder"}: ${paths.join(", ")}`);
      out.push(...paths);
    }
    return { ok: true, words: out };
  };

  /** Where treeFile finds a file (`copy`: the folder taken for the machine's root), saying nothing. */
  const locateInTree = (spec: string): { path: string; name: string; text: string; copy?: string } | { why: string } => {
    if (!opts.files) return { why: "fwlint reads only this file" };
    if (GLOB_CHARS.test(spec)) return { why: "its path is a glob pattern, which the shell expands on the machine" };
    const tree = treeRoot();
    const r = resolveInclude(spec, selfPath(), tree, opts.files.io);
    if (r.kind === "none") return { why: `nothing matches ${spec}` };
    if (r.kind === "outside-glob" || (r.kind === "error" && r.message.includes(" points outside "))) return { why: `it is outside the scanned tree (${tree}), which holds no copy of it` };
    if (r.kind !== "files") return { why: r.message.replace(/^include "[^"]*":\s*/, "") };
    const target = r.files[0]!;
    return { path: target.path, name: shownPath(target.path), text: target.text, ...(r.copy ? { copy: r.copy.tree } : {}) };
  };

  /** A path of the tree as places name it (the script's own file is named so). */
  const shownPath = (path: string): string => opts.files?.io.shown?.(path) ?? (isAbsolute(file) || opts.files?.origin !== undefined ? path : relative(process.cwd(), path));

  /**
   * The text of a file a command reads (`< PATH`, `iptables-restore PATH`, `$(cat PATH)`): one the
   * script wrote (`cat > PATH <<EOF`), else one of the scanned tree (treeFile), its lines at their
   * places there (the ruleset names it as a file it read); why not when neither.
   */
  const fileText = (path: string, pos: Pos): ScriptText | { why: string } => {
    const wrote = written.get(path);
    if (wrote) return wrote;
    const f = treeFile(path, pos);
    if ("why" in f) return f;
    const lines = f.text.replace(/\r\n/g, "\n").split("\n");
    // (the newline that ends the last line ends no line of its own)
    const open = lines[lines.length - 1] !== "";
    if (!open) lines.pop();
    readFiles.set(f.name, lines);
    return { lines: lines.map((text, k) => ({ text, line: k + 1, column: 1, file: f.name })), what: path, ...(open ? { open } : {}) };
  };

  /** fileText of a file a command reads as its input (`< FILE`, `ipset -file FILE`), why not said as what it reads (`shown`: as written). */
  const readInput = (path: string, pos: Pos, shown = path): ScriptText | { pos: Pos; why: string } => {
    const read = fileText(path, pos);
    return "why" in read ? { pos, why: `it reads ${shown}: ${read.why}` } : read;
  };

  /** Runs a function's body with its arguments; its locals are restored after. */
  const call = (body: readonly AndOr[], args: string[]): Outcome => {
    const f: Frame = { args, saved: new Map() };
    frames.push(f);
    let out: Outcome = "ok";
    try {
      for (const item of body) {
        if (halted()) break;
        out = runAndOr(item);
      }
    } finally {
      frames.pop();
      for (const [name, st] of f.saved) {
        if (st === undefined) vars.delete(name);
        else vars.set(name, st);
      }
    }
    return f.returned ?? out;
  };

  /** Runs a list of and-or lists in order; the last one's outcome. */
  const runList = (list: readonly AndOr[]): Outcome => {
    let out: Outcome = "ok";
    for (const item of list) {
      if (halted()) break;
      out = runAndOr(item);
    }
    return out;
  };

  /**
   * The branch an `if` takes, its conditions run in order until one has a known outcome that is
   * ok (null: none is, and there is no else); undefined when a condition's outcome is not known,
   * or the script stopped in one.
   */
  const branchOf = (c: NonNullable<Extract<Command, { kind: "opaque" }>["conditional"]>): readonly AndOr[] | null | undefined => {
    for (const br of c.branches) {
      inCondition++;
      let o: Outcome;
      try {
        o = runList(br.cond);
      } finally {
        inCondition--;
      }
      if (halted() || o === "unknown") return undefined;
      if (o === "ok") return br.body;
    }
    return c.otherwise ?? null;
  };

  /**
   * A `case`: the arm whose pattern the word matches first runs (`;&` runs the next arm's body too,
   * `;;&` goes on matching); the outcome, or where and why the word or a pattern is not known.
   */
  const runCase = (choice: NonNullable<OpaqueCmd["choice"]>, pos: Pos): { outcome: Outcome } | { pos: Pos; why: string } => {
    const subject = valueOf(choice.subject.parts);
    if ("why" in subject) return subject;
    let out: Outcome = "ok";
    let ran = false;
    let falling = false;
    const matches = (arm: CaseArm): boolean | { pos: Pos; why: string } => {
      for (const w of arm.patterns) {
        const pattern = piecesOf(w.parts);
        if ("why" in pattern) return pattern;
        if (patternMatches(pattern, subject.value)) return true;
      }
      return false;
    };
    for (const arm of choice.arms) {
      if (!falling) {
        const m = matches(arm);
        if (m === false) continue;
        if (m !== true) {
          if (!ran) return m;
          info(m.pos, `the rest of the case at line ${pos.line} is skipped: ${m.why}`);
          return { outcome: "unknown" };
        }
      }
      ran = true;
      out = runList(arm.body);
      if (halted() || arm.end === ";;") break;
      falling = arm.end === ";&";
    }
    return { outcome: out };
  };

  /** A `( ... )` subshell: its commands run, what it assigns, defines or sets (set -e, exit) stays inside. */
  const runSubshell = (body: readonly AndOr[]): Outcome => {
    const savedVars = new Map(vars);
    const savedFunctions = new Map(functions);
    const saved = { errexit, unknownEnv, stopped };
    let out: Outcome = "ok";
    try {
      out = runList(body);
      if (stopped !== undefined && saved.stopped === undefined) out = stopped.status ?? out;
    } finally {
      vars.clear();
      for (const [k, v] of savedVars) vars.set(k, v);
      functions.clear();
      for (const [k, v] of savedFunctions) functions.set(k, v);
      ({ errexit, unknownEnv, stopped } = saved);
    }
    return out;
  };

  /**
   * `while read [-r] NAME...; do BODY; done <<EOF` (or `<<< WORD`): BODY once per line of what it
   * reads, the line's fields in the NAMEs as read splits them (blanks, or the one character an
   * `IFS=,` before read names; the last NAME takes the rest of the line). Otherwise (another
   * condition, input from a file or a pipe) why it is not run.
   */
  const runWhileRead = (loop: NonNullable<OpaqueCmd["whileLoop"]>, pos: Pos, assigns: { names: string[]; all: boolean }): Outcome | { why: string } => {
    const only = loop.cond.length === 1 && loop.cond[0]!.rest.length === 0 && !loop.cond[0]!.background ? loop.cond[0]!.first : undefined;
    const read = only && !only.bang && only.cmds.length === 1 && only.cmds[0]!.kind === "simple" ? only.cmds[0]! : undefined;
    const head = read?.kind === "simple" ? read.words.find((w) => !assignment(w)) : undefined;
    if (read?.kind !== "simple" || loop.until || (head && plainText(head) !== "read")) return runWhileCondition(loop, pos, assigns);
    let k = 0;
    let ifs = " \t\n";
    for (; k < read.words.length && assignment(read.words[k]!); k++) {
      const a = assignment(read.words[k]!)!;
      const v = valueOf(a.value);
      if (a.name !== "IFS" || "why" in v) return { why: "fwlint does not follow this read's assignments" };
      ifs = v.value;
    }
    if (plainText(read.words[k] ?? read.words[0]!) !== "read") return { why: "fwlint runs a while loop only when its condition is a read of the lines of a here-document" };
    let raw = false;
    const names: string[] = [];
    for (const w of read.words.slice(k + 1)) {
      const t = plainText(w);
      if (t === "-r") raw = true;
      else if (t !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) names.push(t);
      else return { why: `fwlint does not follow read's ${w.raw}` };
    }
    if (names.length === 0) names.push("REPLY");
    // IFS of blanks (the default), or of one other character alone (`IFS=,`)
    const blanks = [...ifs].every((ch) => ch === " " || ch === "\t" || ch === "\n");
    const sep = blanks ? undefined : ifs;
    if (sep !== undefined && sep.length !== 1) return { why: "fwlint splits read's lines on blanks or on one other character only" };
    // what it reads: a here-document, a here-string, a file the script wrote
    const input = inputOf(loop.redirs, pos);
    if (input === undefined) return { why: "what it reads (standard input) is known only when the script runs" };
    if (!("lines" in input)) return { why: loop.redirs.some((r) => r.heredoc) ? `line ${input.pos.line} of the here-document it reads: ${input.why}` : input.why };
    // (a last line without its newline: read takes it and fails, so the body does not run for it)
    const text = input.lines.map((l, n) => (n === input.lines.length - 1 && input.open ? l.text : `${l.text}\n`)).join("");
    // its lines, as read takes them: without -r, a backslash escapes the next character and one at the end joins the next line
    const lines: string[] = [];
    let cur = "";
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (!raw && ch === "\\" && i + 1 < text.length) {
        if (text[i + 1] !== "\n") cur += text[i + 1];
        i++;
        continue;
      }
      if (ch === "\n") {
        lines.push(cur);
        cur = "";
      } else cur += ch;
    }
    const isIfs = (ch: string) => ifs.includes(ch);
    const fieldsOf = (line: string): string[] => {
      // (an empty IFS splits nothing and trims nothing: `IFS= read -r line` takes the line as it is)
      if (ifs === "") return [line];
      const values: string[] = [];
      // blanks of IFS around the line go; a separator splits exactly, keeping what is around it
      let rest = sep === undefined ? line.replace(/^[ \t]+/, "") : line;
      for (let n = 0; n < names.length - 1; n++) {
        let end = 0;
        while (end < rest.length && !isIfs(rest[end]!)) end++;
        values.push(rest.slice(0, end));
        rest = sep === undefined ? rest.slice(end).replace(/^[ \t]+/, "") : rest.slice(end + 1);
      }
      values.push(sep === undefined ? rest.replace(/[ \t]+$/, "") : rest);
      return values;
    };
    const { out, ended } = runRounds("while", lines.length, (k) => fieldsOf(lines[k]!).forEach((v, n) => vars.set(names[n]!, { kind: "value", value: v })), loop.body, pos);
    // (the read that ends the loop finds no line: it leaves its names empty)
    if (ended) for (const name of names) vars.set(name, { kind: "value", value: "" });
    return out;
  };

  /**
   * `while COND; do BODY; done` (`until`: while COND fails) whose condition has a known outcome at
   * each round - a test of the script's own variables (`[ $i -lt 5 ]`, with `i=$((i + 1))` in the
   * body) -: BODY once per round, at most MAX_WHILE_ROUNDS rounds. Why not, when the first round's
   * outcome is not known; one known at first and not later ends the loop there, with an info and
   * what the body assigns unknown.
   */
  const runWhileCondition = (loop: NonNullable<OpaqueCmd["whileLoop"]>, pos: Pos, assigns: { names: string[]; all: boolean }): Outcome | { why: string } => {
    if (loop.redirs.length > 0) return { why: "fwlint does not follow what a while loop's condition reads from a redirection, unless it is a read of the lines of a here-document" };
    const test = (): Outcome => {
      inCondition++;
      try {
        const o = runList(loop.cond);
        return !loop.until || o === "unknown" ? o : o === "ok" ? "fail" : "ok";
      } finally {
        inCondition--;
      }
    };
    const first = test();
    if (first === "unknown") return { why: conditionWhy ? `fwlint cannot tell the outcome of its condition (line ${conditionWhy.pos.line}: ${conditionWhy.why})` : "fwlint cannot tell the outcome of its condition" };
    const what = loop.until ? "until" : "while";
    let cut = false;
    const stop = (why: string) => {
      info(pos, `${what} loop stopped after ${why} the rest of it is not in the model`);
      poison(assigns, `the loop at line ${pos.line}`);
      cut = true;
      return false;
    };
    const { out } = runRounds(
      what,
      MAX_WHILE_ROUNDS + 1,
      (k) => {
        const o = k === 0 ? first : test();
        if (halted() || o === "fail") return false;
        const rounds = `${k} round${k === 1 ? "" : "s"}`;
        if (o === "unknown") return stop(`${rounds}: ${conditionWhy ? `line ${conditionWhy.pos.line}: ${conditionWhy.why}` : "fwlint cannot tell the outcome of its condition"};`);
        return k < MAX_WHILE_ROUNDS || stop(`${rounds}:`);
      },
      loop.body,
      pos,
    );
    return cut ? "unknown" : out;
  };

  /**
   * `for (( INIT; COND; STEP ))`: INIT once, then BODY while COND is not 0, STEP after each round
   * (`continue` too), each computed as an arithmetic command (runArithmetic), at most
   * MAX_WHILE_ROUNDS rounds; one fwlint cannot compute stops the loop there, with why.
   */
  const runArithLoop = (loop: NonNullable<OpaqueCmd["arithLoop"]>, pos: Pos, assigns: { names: string[]; all: boolean }): Outcome | { why: string } => {
    const parts = splitArithHeader(loop.header);
    if (parts === undefined) return { why: "its header is not INIT; COND; STEP" };
    const [init, cond, step] = parts;
    const run = (text: string): Outcome => (text.trim() === "" ? "ok" : runArithmetic(text, loop.pos, `((${text.trim()}))`));
    if (run(init) === "unknown") return { why: "fwlint cannot compute its start" };
    let cut = false;
    const stop = (why: string) => {
      info(pos, `for loop stopped after ${why}: the rest of it is not in the model`);
      poison(assigns, `the loop at ${placeText(pos)}`);
      cut = true;
      return false;
    };
    const { out } = runRounds(
      "for",
      MAX_WHILE_ROUNDS + 1,
      (k) => {
        const rounds = `${k} round${k === 1 ? "" : "s"}`;
        if (k > 0 && run(step) === "unknown") return stop(`${rounds} (fwlint cannot compute its step)`);
        if (halted()) return false;
        const o = run(cond);
        if (o === "fail") return false;
        if (o === "unknown") return stop(`${rounds} (fwlint cannot compute its condition)`);
        return k < MAX_WHILE_ROUNDS || stop(rounds);
      },
      loop.body,
      pos,
    );
    return cut ? "unknown" : out;
  };

  /**
   * A loop's rounds: `enter(k)` sets round k's variables (or, returning false, ends the loop before
   * it: a while loop's condition), then BODY runs (`break` and `continue` as the shell takes them);
   * the last command's outcome, and whether it ran to its end (no break, exit or return).
   */
  const runRounds = (what: "for" | "while" | "until", count: number, enter: (k: number) => boolean | void, body: readonly AndOr[], pos: Pos): { out: Outcome; ended: boolean } => {
    const l = { broke: false, next: false };
    loops.push(l);
    let out: Outcome = "ok";
    try {
      for (let k = 0; k < count; k++) {
        if (++rounds > MAX_ROUNDS) {
          info(pos, `${what} loop stopped after ${MAX_ROUNDS} rounds in all: the rest of it is not in the model`);
          return { out, ended: false };
        }
        // (a `continue` ended the last round: the condition of a while loop, a for loop's step, run again)
        l.next = false;
        if (enter(k) === false) break;
        for (const item of body) {
          if (halted()) break;
          out = runAndOr(item);
        }
        if (l.broke || stopped !== undefined || frame()?.returned !== undefined) return { out, ended: false };
      }
    } finally {
      loops.pop();
    }
    return { out, ended: true };
  };

  /** A `for` loop over known words: its body once per word, NAME set to it (and left at the last). */
  const runLoop = (name: string, values: readonly string[], body: readonly AndOr[], pos: Pos): Outcome =>
    runRounds(
      "for",
      values.length,
      (k) => {
        vars.set(name, { kind: "value", value: values[k]! });
      },
      body,
      pos,
    ).out;

  const runCommand = (c: Command): Outcome => {
    switch (c.kind) {
      case "simple":
        return runSimple(c);
      case "group": {
        let out: Outcome = "ok";
        for (const item of c.body) {
          if (halted()) break;
          out = runAndOr(item);
        }
        return out;
      }
      case "opaque": {
        const lines = c.endLine > c.pos.line ? `lines ${c.pos.line}-${c.endLine}` : `line ${c.pos.line}`;
        const assigns = { names: [] as string[], all: false };
        for (const w of c.inner) {
          const a = assignedBy(w);
          assigns.names.push(...a.names);
          assigns.all ||= a.all;
        }
        if (c.keyword === "function") {
          functions.set(c.name!, { assigns: new Set(assigns.names), all: assigns.all, line: c.pos.line, inner: c.inner, ...(c.body ? { body: c.body } : {}) });
          if (c.body) return "ok"; // run at each call
          const n = c.inner.filter(isCountedCommand).length;
          noteSkipped(n, c.pos);
          if (n > 0) info(c.pos, `function ${c.name} (${lines}) is not followed: its ${n} ${noun} command${n === 1 ? "" : "s"} ${n === 1 ? "is" : "are"} not in the model`);
          return "ok";
        }
        let undecided: { pos: Pos; why: string } | undefined;
        if (c.conditional) {
          conditionWhy = undefined;
          const taken = branchOf(c.conditional);
          if (taken !== undefined) return taken === null ? "ok" : runList(taken);
          undecided = conditionWhy;
        }
        if (c.choice) {
          const r = runCase(c.choice, c.pos);
          if ("outcome" in r) return r.outcome;
          undecided = r;
        }
        if (c.subshell) return runSubshell(c.subshell);
        let loopWhy: string | undefined;
        if (c.whileLoop) {
          const r = runWhileRead(c.whileLoop, c.pos, assigns);
          if (typeof r !== "object") return r;
          loopWhy = r.why;
        }
        if (c.arithLoop) {
          assigns.names.push(...arithmeticAssigns(c.arithLoop.header));
          const r = runArithLoop(c.arithLoop, c.pos, assigns);
          if (typeof r !== "object") return r;
          loopWhy = r.why;
        }
        if (c.loop) {
          const list = loopWords(c.loop.words);
          if (list.ok) return runLoop(c.loop.name, list.words, c.loop.body, c.pos);
          info(c.pos, `for loop (${lines}) skipped: ${list.why}; fwlint does not guess the value${describeSkipped(c.inner, c.pos)}`);
          poison(assigns, `the for loop at line ${c.pos.line}`);
          return "unknown";
        }
        const what =
          c.keyword === "(" ? "subshell ( ... )" : c.keyword === "if" ? "if ... fi" : c.keyword === "case" ? "case ... esac" : `${c.keyword} loop`;
        const why =
          c.keyword === "("
            ? "fwlint could not read its commands"
            : c.keyword === "if" || c.keyword === "case"
              ? undecided
                ? `fwlint cannot tell ${c.keyword === "if" ? "the outcome of its condition" : "which arm it takes"} (line ${undecided.pos.line}: ${undecided.why})`
                : c.conditional
                  ? "fwlint cannot tell the outcome of its condition"
                  : "fwlint could not read it in full"
              : (loopWhy ?? "fwlint does not run loops");
        info(c.pos, `${what} (${lines}) skipped: ${why}${describeSkipped(c.inner, c.pos)}`);
        poison(assigns, `the ${what} at line ${c.pos.line}`);
        return "unknown";
      }
    }
  };

  /**
   * What `cat` at the head of a pipe gives the command after it: its here-document, or a file the
   * script wrote or the tree holds (`cat <<EOF | iptables-restore`, fileText) - in an nft script,
   * the word naming a file of the tree (`cat rules.nft | nft -f -`, read as `nft -f FILE` reads
   * it); what `echo` or `printf` prints (printed.ts: `echo "$RULES" | iptables-restore`), its lines
   * at the first word printed; undefined for another command.
   */
  const catOutput = (c: Command): ScriptText | ArgField | undefined => {
    if (c.kind !== "simple" || c.words.length === 0 || c.words.some((w) => assignment(w))) return undefined;
    const e = expand(c.words);
    if (!e.ok) return undefined;
    const program = basename(e.fields[0]!.text);
    if ((program === "echo" || program === "printf") && c.redirs.length === 0) {
      const printed = toolOutput(e.fields, c, () => ({ why: "none" }), true);
      if (printed === undefined || "why" in printed) return undefined;
      // (an nft script's text is written where it stands: one line of it at the words' place)
      if (opts.nft && printed.lines.length > 1) return undefined;
      return { lines: printed.lines, what: `what ${program} prints` };
    }
    if (program !== "cat") return undefined;
    if (e.fields.length === 2) {
      // (an nft script's nft text is read at the script's own lines: a file of the tree it pipes to
      // nft is read as `nft -f FILE` reads it, as an include - the file's name is what it gives)
      if (opts.nft && !written.has(e.fields[1]!.text)) return e.fields[1]!;
      const read = fileText(e.fields[1]!.text, e.fields[1]!.pos);
      return "why" in read ? undefined : read;
    }
    if (e.fields.length !== 1) return undefined;
    const input = inputOf(c.redirs, c.pos);
    return input && "lines" in input ? input : undefined;
  };

  /**
   * What the commands of a pipe before its last print (toolOutput): each a text tool reading what
   * the one before printed, the first echo, printf or a tool reading a file; or why not known.
   */
  const pipedText = (cmds: readonly Command[], stdin: () => ToolText | { why: string }): ToolText | { pos: Pos; why: string } => {
    let text: (() => ToolText | { why: string }) = stdin;
    let out: ToolText | undefined;
    for (const [k, c] of cmds.entries()) {
      if (c.kind !== "simple" || c.words.length === 0 || c.words.some((w) => assignment(w))) return { pos: c.pos, why: "fwlint runs a pipe of grep, sed, awk, cut, tr, sort and other text tools only" };
      const e = expand(c.words);
      if (!e.ok) return { pos: e.pos, why: e.why };
      const r = toolOutput(e.fields, c, text, k === 0);
      if (r === undefined) return { pos: c.pos, why: `fwlint does not run '${basename(e.fields[0]!.text)}' in a pipe (it runs grep, sed, awk, cut, tr, sort, uniq, head, tail, cat, echo and printf on text it knows)` };
      if ("why" in r) return r;
      out = r;
      text = () => r;
    }
    return out!;
  };

  /** The program a command runs, when its first word is known. */
  const programOf = (c: Command): string | undefined => {
    if (c.kind !== "simple") return undefined;
    const w = c.words.find((x) => !assignment(x));
    const t = w ? plainText(w) : undefined;
    return t === undefined ? undefined : basename(t);
  };

  const runPipeline = (pl: Pipeline): Outcome => {
    // `yes | ufw reset`, `echo y | ufw enable`: a command the script is read for, answering its
    // question from the pipe; what `yes` prints has no end, so nothing else reads it here
    if (pl.cmds.length === 2 && programOf(pl.cmds[0]!) === "yes" && pl.cmds[1]!.kind === "simple" && counted(programOf(pl.cmds[1]!) ?? "")) {
      const last = pl.cmds[1]!;
      const out = runSubshell([{ first: { bang: false, cmds: [last], pos: last.pos }, rest: [], background: false, pos: last.pos }]);
      return pl.bang && out !== "unknown" ? (out === "ok" ? "fail" : "ok") : out;
    }
    let fed: ScriptText | ArgField | { pos: Pos; why: string } | undefined = pl.cmds.length === 2 && pl.cmds[1]!.kind === "simple" ? catOutput(pl.cmds[0]!) : undefined;
    if (!fed && pl.cmds.length >= 2) {
      const t = pipedText(pl.cmds.slice(0, -1), () => (piped ? piped : { why: "what the pipe reads (standard input) is known only when the script runs" }));
      // (an nft script's nft text is read at the script's lines: more than one line from a pipe is not placed)
      if (!("why" in t) && opts.nft && t.lines.length > 1 && programOf(pl.cmds[pl.cmds.length - 1]!) === "nft") fed = { pos: pl.pos, why: "fwlint reads more than one line a pipe gives nft only from `cat FILE`" };
      else fed = "why" in t ? t : { lines: t.lines, what: "what the pipe gives", ...(t.open ? { open: true } : {}) };
    }
    if (fed && "why" in fed) {
      const inner = pl.cmds.flatMap((c) => (c.kind === "simple" ? [c.words] : c.kind === "opaque" ? c.inner : []));
      info(fed.pos, `pipeline skipped: ${fed.why}${describeSkipped(inner, pl.pos)}`);
      return "unknown";
    }
    if (fed) {
      // (the command after the pipe runs in a subshell of its own: what it reads is `fed`)
      const was = [piped, pipedFile] as const;
      [piped, pipedFile] = "lines" in fed ? [fed, undefined] : [undefined, fed];
      try {
        const last = pl.cmds[pl.cmds.length - 1]!;
        const out = runSubshell([{ first: { bang: false, cmds: [last], pos: last.pos }, rest: [], background: false, pos: last.pos }]);
        return pl.bang && out !== "unknown" ? (out === "ok" ? "fail" : "ok") : out;
      } finally {
        [piped, pipedFile] = was;
      }
    }
    const out = runCommand(pl.cmds[0]!);
    if (!pl.bang || out === "unknown") return out;
    return out === "ok" ? "fail" : "ok";
  };

  const skipPipeline = (pl: Pipeline, why: string) => {
    const inner = pl.cmds.flatMap((c) => (c.kind === "simple" ? [c.words] : c.kind === "opaque" ? c.inner : []));
    info(pl.pos, `skipped: ${why}${describeSkipped(inner, pl.pos)}`);
    for (const w of inner) poison(assignedBy(w), `the command at line ${pl.pos.line}`);
  };

  const runAndOr = (item: AndOr): Outcome => {
    if (item.background) {
      skipPipeline(item.first, "runs in the background (&), so its order against later commands is unknown");
      return "ok";
    }
    // set -e does not stop at a command whose status && or || looks at, nor at one `!` turns: nor
    // anywhere inside it (a function, a subshell)
    const tested = (pl: Pipeline, last: boolean) => !last || pl.bang;
    const runTested = (pl: Pipeline, last: boolean): Outcome => {
      if (!tested(pl, last)) return runPipeline(pl);
      errexitOff++;
      try {
        return runPipeline(pl);
      } finally {
        errexitOff--;
      }
    };
    let status = runTested(item.first, item.rest.length === 0);
    let lastRan = item.rest.length === 0;
    let lastBang = item.first.bang;
    let prevPos = item.first.pos;
    for (const [k, { op, pipeline }] of item.rest.entries()) {
      if (halted()) return status;
      if (status === "unknown") {
        skipPipeline(pipeline, `runs only if the command at line ${prevPos.line} ${op === "&&" ? "succeeds" : "fails"}, which fwlint cannot tell`);
        lastRan = false;
        continue;
      }
      const runs = op === "&&" ? status === "ok" : status === "fail";
      if (!runs) {
        lastRan = false;
        continue;
      }
      status = runTested(pipeline, k === item.rest.length - 1);
      prevPos = pipeline.pos;
      lastRan = k === item.rest.length - 1;
      lastBang = pipeline.bang;
    }
    if (errexit && status === "fail" && lastRan && !lastBang && !stopped && frame()?.returned === undefined && inCondition === 0 && errexitOff === 0) {
      stopped = { line: prevPos.line, why: `the command at ${placeText(prevPos)} fails and 'set -e' stops the script there`, status: "fail" };
    }
    return status;
  };

  const start = startArgument(items);
  if (start) {
    scriptArgs = ["start"];
    info(start.pos, `the script is read as run with the argument 'start', which the ${start.what} here looks for (an init-style script); run with another argument it may set up other rules, which fwlint does not read`);
  }

  for (const item of items) {
    if (stopped) {
      info(item.pos, `not run: ${stopped.why}`);
      break;
    }
    runAndOr(item);
  }
  if (!v4.used && !v6.used && !opts.nft?.followed && !opts.ufw?.followed && skippedCount > 0 && firstSkipped) {
    diag(
      "warning",
      firstSkipped,
      `none of the ${skippedCount} ${noun} command${skippedCount === 1 ? "" : "s"} of this script could be followed (see the info diagnostics): the model is empty, which is not what the script sets up`,
    );
  }
  return { v4, v6, readFiles, ...(fromEnvironment ? { fromEnvironment } : {}) };
}

/** `$1`, `"$1"`, `${1}`, `${1:-...}`: the first positional parameter, whole. */
function isFirstArgument(w: WordTok): boolean {
  return w.parts.length === 1 && w.parts[0]!.kind === "opaque" && /^\$(1|\{1\}|\{1:?-[^}]*\})$/.test(w.parts[0]!.text);
}

/** A word of literal text alone, as a pattern; undefined when it expands anything. */
function literalPattern(w: WordTok): PatternPiece[] | undefined {
  const pieces: PatternPiece[] = [];
  for (const p of w.parts) {
    if (p.kind !== "lit") return undefined;
    pieces.push({ text: p.text, glob: !p.quoted });
  }
  return pieces;
}

/**
 * Where an init-style script tells its argument `start` apart (`case "$1" in start|restart)`,
 * `[ "$1" = start ]`), anywhere in it; undefined when it does not. A `*)` arm alone does not count:
 * it takes every argument.
 */
export function startArgument(items: readonly AndOr[]): { pos: Pos; what: "case" | "test" } | undefined {
  type At = { pos: Pos; what: "case" | "test" } | undefined;
  const inList = (list: readonly AndOr[] | undefined): At => {
    for (const item of list ?? []) {
      for (const pl of [item.first, ...item.rest.map((r) => r.pipeline)]) {
        for (const c of pl.cmds) {
          const at = inCommand(c);
          if (at) return at;
        }
      }
    }
    return undefined;
  };
  const inCommand = (c: Command): At => {
    if (c.kind === "group") return inList(c.body);
    if (c.kind === "simple") {
      const head = c.words[0] ? plainText(c.words[0]) : undefined;
      if (head !== "[" && head !== "test" && head !== "[[") return undefined;
      for (let k = 1; k + 2 < c.words.length; k++) {
        const [a, op, b] = [c.words[k], c.words[k + 1], c.words[k + 2]];
        if (!a || !op || !b || !["=", "=="].includes(plainText(op) ?? "")) continue;
        const literal = (w: WordTok) => literalPattern(w)?.map((x) => x.text).join("") === "start";
        if ((isFirstArgument(a) && literal(b)) || (isFirstArgument(b) && literal(a))) return { pos: c.pos, what: "test" };
      }
      return undefined;
    }
    if (c.choice && isFirstArgument(c.choice.subject)) {
      const handles = c.choice.arms.some((arm) =>
        arm.patterns.some((w) => {
          const pieces = literalPattern(w);
          return pieces !== undefined && !(pieces.length === 1 && pieces[0]!.glob && pieces[0]!.text === "*") && patternMatches(pieces, "start");
        }),
      );
      if (handles) return { pos: c.pos, what: "case" };
    }
    return (
      inList(c.body) ??
      inList(c.loop?.body) ??
      inList(c.subshell) ??
      c.conditional?.branches.reduce<At>((at, br) => at ?? inList(br.cond) ?? inList(br.body), undefined) ??
      inList(c.conditional?.otherwise) ??
      c.choice?.arms.reduce<At>((at, arm) => at ?? inList(arm.body), undefined)
    );
  };
  return inList(items);
}

/** An expansion's text as messages quote it: at most 40 characters. */
function clipText(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}

/** What dirname(1) prints for a path: the path without its last component (trailing slashes first), `.` when there is none. */
export function dirnameOf(path: string): string {
  if (/^\/+$/.test(path)) return "/";
  const trimmed = path.replace(/\/+$/, "");
  const cut = trimmed.lastIndexOf("/");
  if (cut < 0) return ".";
  const head = trimmed.slice(0, cut).replace(/\/+$/, "");
  return head === "" ? "/" : head;
}

/** A `for (( ... ))` header's three expressions (split at the `;`s outside parentheses), or undefined when it has not two. */
function splitArithHeader(header: string): [string, string, string] | undefined {
  const parts = topLevelPieces(header, "(", ")", ";");
  return parts.length === 3 ? [parts[0]!, parts[1]!, parts[2]!] : undefined;
}

/** Is the word `$0` (`"$0"`, `${0}`) alone? */
function isScriptPath(w: WordTok): boolean {
  return w.parts.length === 1 && w.parts[0]!.kind === "opaque" && (w.parts[0]!.text === "$0" || w.parts[0]!.text === "${0}");
}

/** Is the word bash's `${BASH_SOURCE[0]}` (`$BASH_SOURCE`, `${BASH_SOURCE}`) alone? */
function isBashSource(w: WordTok): boolean {
  const p = w.parts.length === 1 ? w.parts[0]! : undefined;
  return (p?.kind === "param" && p.name === "BASH_SOURCE" && !p.fallback) || (p?.kind === "opaque" && p.text === "${BASH_SOURCE[0]}");
}
