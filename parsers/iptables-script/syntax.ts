/**
 * Shell tokens -> a small command tree: lists of and-or lists of pipelines of commands.
 *
 * Simple commands and `{ ...; }` groups are kept in full (fwlint runs them in order), and so are
 * the body of a function written `name() { ...; }` (run at each call), a `for NAME in WORDS; do
 * ...; done` loop (run once per word), an `if` (its conditions and branches), a `case` (its
 * subject and arms), a `while` loop (with the redirections after its `done`), a `( ... )` subshell,
 * and bash array assignments (`A=(...)`): run.ts decides which of them run. Other looping
 * constructs (until, select, `for` without `in`) and other function bodies are only delimited:
 * their contents are reported, not run.
 */
import { arithmeticCommand, lexShell, plainText, type Pos, type RedirTok, type Token, type WordTok } from "./lexer.js";
import { nameTable } from "../../src/model/name-table.js";

export interface SimpleCmd {
  kind: "simple";
  words: WordTok[];
  redirs: RedirTok[];
  pos: Pos;
  /** A `[[ ... ]]` that held operators of its own (&&, ||, parentheses), which `words` leaves out. */
  compound?: true;
  /** Its bash array assignments (`PORTS=(22 80)`, `A+=(x)`, `declare -a A=(...)`), which `words` leaves out. */
  arrays?: ArrayAssign[];
}

export interface ArrayAssign {
  name: string;
  /** `+=(...)`: the elements go after those it has. */
  append: boolean;
  items: WordTok[];
  pos: Pos;
}

/** One arm of a `case`: its patterns, its commands and how it ends (`;;`, or `;&` / `;;&` going on). */
export interface CaseArm {
  patterns: WordTok[];
  body: AndOr[];
  end: ";;" | ";&" | ";;&";
  pos: Pos;
}

/** if/case/for/while/until/select/( ) or a function definition: delimited, and kept in full where run.ts may run it. */
export interface OpaqueCmd {
  kind: "opaque";
  /** `if`, `for`, `case`, `(`, `function` ... */
  keyword: string;
  /** Function name, for definitions. */
  name?: string;
  pos: Pos;
  endLine: number;
  /** The simple commands inside, as word lists (for reporting and for variables they assign). */
  inner: WordTok[][];
  /** A function's body in `{ ... }`, kept in full: run at each call. */
  body?: AndOr[];
  /** A `for NAME in WORDS; do BODY; done` loop, kept in full: BODY run with NAME set to each word. */
  loop?: { name: string; words: WordTok[]; body: AndOr[] };
  /** A `for (( INIT; COND; STEP ))` loop kept in full: the header's text (inside the parentheses) and the body. */
  arithLoop?: { header: string; pos: Pos; body: AndOr[] };
  /** An `if` kept in full: each condition and its branch in order, and the `else` branch. */
  conditional?: { branches: { cond: AndOr[]; body: AndOr[] }[]; otherwise?: AndOr[] };
  /** A `case WORD in ... esac` kept in full: the word and the arms in order. */
  choice?: { subject: WordTok; arms: CaseArm[] };
  /** A `( ... )` subshell's commands, kept in full. */
  subshell?: AndOr[];
  /** A `while LIST; do LIST; done` loop kept in full, with the redirections after `done` (its input). */
  /** `while` or `until` (`until`: the body runs while the condition fails). */
  whileLoop?: { cond: AndOr[]; body: AndOr[]; redirs: RedirTok[]; until?: true };
}

export interface GroupCmd {
  kind: "group";
  body: AndOr[];
  pos: Pos;
  redirs: RedirTok[];
}

export type Command = SimpleCmd | OpaqueCmd | GroupCmd;

export interface Pipeline {
  bang: boolean;
  cmds: Command[];
  pos: Pos;
}

export interface AndOr {
  first: Pipeline;
  rest: { op: "&&" | "||"; pipeline: Pipeline }[];
  background: boolean;
  pos: Pos;
}

export interface SyntaxProblem {
  pos: Pos;
  message: string;
  severity: "error" | "info";
}

const COMPOUND_OPENERS = new Set(["if", "case", "for", "while", "until", "select"]);
const CLOSERS: Readonly<Record<string, string>> = nameTable({ fi: "if", esac: "case", done: "loop", "}": "{" });
const LOOPS = new Set(["for", "while", "until", "select"]);
/** Reserved words that cannot start a command outside their construct. */
const UNEXPECTED = new Set(["fi", "esac", "done", "}", "then", "else", "elif", "do"]);
/** Words after which the next word starts a command again. */
const LEAD_INS = new Set(["then", "else", "elif", "do", "!", "{", "if", "while", "until", "time"]);
const SEPARATORS = new Set([";", "\n", "&", "&&", "||", "|", "|&", ";;", ";&", ";;&", "(", ")"]);

/** The shell a script's `#!` line names: bash (or ksh, zsh), plain sh (dash on Debian), or none. */
export type ScriptShell = "bash" | "sh" | undefined;

/**
 * A script's text, read to be run (run.ts): its command tree and lines, whether its `#!` line
 * passes -e, and the shell it names; what the shell says of its syntax goes to `diag` (a lexing
 * error stops the shell there).
 */
/** `file`: the file the text is, when it is not the script read (a file it sources: its positions name it). */
export function readScript(text: string, diag: (severity: "error" | "info", pos: Pos, message: string) => void, file?: string): { items: AndOr[]; lines: string[]; errexit: boolean; shell: ScriptShell } {
  const lexed = lexShell(text, file);
  const { items, problems } = parseScript(lexed.tokens);
  for (const p of problems) diag(p.severity, p.pos, p.message);
  if (lexed.error) diag("error", lexed.error.pos, `${lexed.error.message} (the shell stops reading the script here)`);
  const first = lexed.lines[0] ?? "";
  const errexit = /^#!\S*(\s+\S+)*\s+-[A-Za-z]*e/.test(first);
  const named = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
  const base = (s: string | undefined) => s?.slice(s.lastIndexOf("/") + 1);
  const program = named ? (base(named[1]) === "env" ? base(named[2]) : base(named[1])) : undefined;
  const shell: ScriptShell = program === undefined ? undefined : /^(bash|ksh\d*|mksh|zsh)$/.test(program) ? "bash" : /^(sh|dash|ash|busybox)$/.test(program) ? "sh" : undefined;
  return { items, lines: lexed.lines, errexit, shell };
}

export function parseScript(tokens: Token[]): { items: AndOr[]; problems: SyntaxProblem[] } {
  const problems: SyntaxProblem[] = [];
  let p = 0;
  const peek = (k = 0): Token | undefined => tokens[p + k];
  const isOp = (t: Token | undefined, ...ops: string[]): boolean => t?.kind === "op" && ops.includes(t.op);
  const plain = (t: Token | undefined): string | undefined => (t?.kind === "word" ? plainText(t) : undefined);

  const skipNewlines = () => {
    while (isOp(peek(), "\n")) p++;
  };

  /**
   * Delimit a compound construct starting at token p (its opener), without interpreting it.
   * Returns the simple commands inside. Leaves p after the closing token.
   */
  const skipCompound = (openerKind: string): { inner: WordTok[][]; endLine: number } => {
    const stack: string[] = [];
    const inner: WordTok[][] = [];
    let current: WordTok[] | null = null;
    let cmdStart = true;
    let caseHead = 0; // words after `case` before `in`
    const endCmd = () => {
      if (current && current.length > 0) inner.push(current);
      current = null;
    };
    let endLine = peek()?.pos.line ?? 1;
    while (p < tokens.length) {
      const t = tokens[p]!;
      endLine = t.pos.line;
      p++;
      if (t.kind === "redir") continue;
      if (t.kind === "op") {
        endCmd();
        cmdStart = true;
        if (t.op === "(") stack.push("(");
        else if (t.op === ")") {
          if (stack[stack.length - 1] === "(") stack.pop();
          if (stack.length === 0) return { inner, endLine };
        }
        continue;
      }
      const w = plainText(t);
      if (caseHead > 0) {
        caseHead = w === "in" ? 0 : caseHead;
        continue;
      }
      if (cmdStart && w !== undefined) {
        if (COMPOUND_OPENERS.has(w)) {
          stack.push(LOOPS.has(w) ? "loop" : w);
          if (w === "case") caseHead = 1;
          cmdStart = w === "if" || w === "while" || w === "until";
          if (w === "for" || w === "select") current = [t]; // `for NAME` assigns NAME
          continue;
        }
        if (w === "{") {
          stack.push("{");
          continue;
        }
        const opener = CLOSERS[w];
        if (opener !== undefined) {
          endCmd();
          if (stack[stack.length - 1] === opener) stack.pop();
          if (stack.length === 0) return { inner, endLine };
          cmdStart = false;
          continue;
        }
        if (LEAD_INS.has(w)) continue;
      }
      if (w === "[[" && cmdStart) {
        // [[ ... ]] may hold && and || of its own
        current = [t];
        while (p < tokens.length && plain(tokens[p]) !== "]]") {
          const u = tokens[p]!;
          if (u.kind === "word") current.push(u);
          p++;
        }
        p++;
        endCmd();
        cmdStart = false;
        continue;
      }
      if (current === null) current = [];
      current.push(t);
      cmdStart = false;
    }
    problems.push({ pos: tokens[tokens.length - 1]?.pos ?? { line: 1, column: 1 }, message: `'${openerKind}' is not closed before the end of the file`, severity: "error" });
    endCmd();
    return { inner, endLine };
  };

  const parseCommand = (): Command | null => {
    const t = peek();
    if (!t) return null;
    if (isOp(t, "(")) {
      const { kept, inner, endLine } = inFull(subshellBody, "(");
      return { kind: "opaque", keyword: "(", pos: t.pos, endLine, inner, ...(kept ? { subshell: kept } : {}) };
    }
    const w = plain(t);
    if (w !== undefined && COMPOUND_OPENERS.has(w)) {
      if (w === "for" && arithmeticCommand(peek(1)) !== undefined) {
        const { kept, inner, endLine } = inFull(arithForLoop, w);
        return { kind: "opaque", keyword: w, pos: t.pos, endLine, inner, ...(kept ? { arithLoop: kept } : {}) };
      }
      if (w === "for") {
        const { kept, inner, endLine } = inFull(forLoop, w);
        return { kind: "opaque", keyword: w, pos: t.pos, endLine, inner, ...(kept ? { loop: kept } : {}) };
      }
      if (w === "if") {
        const { kept, inner, endLine } = inFull(ifClause, w);
        return { kind: "opaque", keyword: w, pos: t.pos, endLine, inner, ...(kept ? { conditional: kept } : {}) };
      }
      if (w === "case") {
        const { kept, inner, endLine } = inFull(caseClause, w);
        return { kind: "opaque", keyword: w, pos: t.pos, endLine, inner, ...(kept ? { choice: kept } : {}) };
      }
      if (w === "while" || w === "until") {
        const { kept, inner, endLine } = inFull(whileLoop, w);
        // (what it reads comes after `done`: `done <<EOF`, `done < FILE`)
        const redirs: RedirTok[] = [];
        while (peek()?.kind === "redir") redirs.push(tokens[p++] as RedirTok);
        return { kind: "opaque", keyword: w, pos: t.pos, endLine, inner, ...(kept ? { whileLoop: { ...kept, redirs, ...(w === "until" ? { until: true as const } : {}) } } : {}) };
      }
      const { inner, endLine } = skipCompound(w);
      return { kind: "opaque", keyword: w, pos: t.pos, endLine, inner };
    }
    if (w === "{") {
      p++;
      const body = parseList((u) => plain(u) === "}");
      if (plain(peek()) !== "}") {
        problems.push({ pos: t.pos, message: "'{' is not closed by '}'", severity: "error" });
        return { kind: "group", body, pos: t.pos, redirs: [] };
      }
      p++;
      const redirs: RedirTok[] = [];
      while (peek()?.kind === "redir") redirs.push(tokens[p++] as RedirTok);
      return { kind: "group", body, pos: t.pos, redirs };
    }
    // function definitions: `name () compound`, `function name [()] compound`
    const fnName = w === "function" && peek(1)?.kind === "word" ? plain(peek(1)) : w !== undefined && isOp(peek(1), "(") && isOp(peek(2), ")") ? w : undefined;
    if (fnName !== undefined && /^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(fnName)) {
      p += w === "function" ? 2 : 1;
      if (isOp(peek(), "(") && isOp(peek(1), ")")) p += 2;
      skipNewlines();
      const body = peek();
      let inner: WordTok[][] = [];
      let endLine = t.pos.line;
      let kept: AndOr[] | undefined;
      if (body && (isOp(body, "(") || plain(body) === "{" || (plain(body) !== undefined && COMPOUND_OPENERS.has(plain(body)!)))) {
        if (plain(body) === "{") {
          // the body as commands to run, where it reads as the group it is; else only delimited
          const r = inFull(groupBody, "{");
          kept = r.kept;
          inner = r.inner;
          endLine = r.endLine;
        } else {
          const r = skipCompound(plain(body) ?? "(");
          inner = r.inner;
          endLine = r.endLine;
        }
      } else problems.push({ pos: body?.pos ?? t.pos, message: `expected the body of function ${fnName}`, severity: "error" });
      return { kind: "opaque", keyword: "function", name: fnName, pos: t.pos, endLine, inner, ...(kept ? { body: kept } : {}) };
    }
    if (w !== undefined && UNEXPECTED.has(w)) {
      p++;
      problems.push({ pos: t.pos, message: `unexpected '${w}'`, severity: "error" });
      return null;
    }
    if (w === "[[") {
      const words: WordTok[] = [];
      let compound = false;
      while (p < tokens.length && plain(peek()) !== "]]") {
        const u = tokens[p++]!;
        if (u.kind === "word") words.push(u);
        else compound = true;
      }
      if (p < tokens.length) words.push(tokens[p++] as WordTok);
      return { kind: "simple", words, redirs: [], pos: t.pos, ...(compound ? { compound: true as const } : {}) };
    }
    const words: WordTok[] = [];
    const redirs: RedirTok[] = [];
    const arrays: ArrayAssign[] = [];
    while (p < tokens.length) {
      const u = tokens[p]!;
      // NAME=( WORDS ): a bash array, the `(` right after the `=`
      const head = u.kind === "word" ? /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=$/.exec(plain(u) ?? "") : null;
      const open = tokens[p + 1];
      if (head && u.kind === "word" && isOp(open, "(") && open!.pos.line === u.pos.line && open!.pos.column === u.pos.column + u.raw.length) {
        p += 2;
        const items: WordTok[] = [];
        while (p < tokens.length && !isOp(peek(), ")")) {
          const x = tokens[p++]!;
          if (x.kind === "word") items.push(x);
          else if (!isOp(x, "\n")) problems.push({ pos: x.pos, message: `unexpected '${x.kind === "op" ? x.op : x.op}' in the array assigned to ${head[1]}`, severity: "error" });
        }
        if (!isOp(peek(), ")")) {
          problems.push({ pos: open!.pos, message: `the array assigned to ${head[1]} is not closed by ')'`, severity: "error" });
          break;
        }
        p++;
        arrays.push({ name: head[1]!, append: head[2] === "+", items, pos: u.pos });
        continue;
      }
      if (u.kind === "op" && SEPARATORS.has(u.op)) break;
      if (u.kind === "redir") redirs.push(u);
      else if (u.kind === "word") words.push(u);
      p++;
    }
    if (words.length === 0 && redirs.length === 0 && arrays.length === 0) return null;
    return { kind: "simple", words, redirs, pos: arrays.length > 0 ? t.pos : (words[0]?.pos ?? t.pos), ...(arrays.length > 0 ? { arrays } : {}) };
  };

  /**
   * `for NAME in WORDS; do BODY; done` from p (at `for`), p left after `done`; undefined for
   * another form (no `in`: the positional parameters). See inFull.
   */
  const forLoop = (): NonNullable<OpaqueCmd["loop"]> | undefined => {
    const name = plain(peek(1));
    if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || plain(peek(2)) !== "in") return undefined;
    p += 3;
    const words: WordTok[] = [];
    while (peek()?.kind === "word") words.push(tokens[p++] as WordTok);
    if (!isOp(peek(), ";", "\n")) return undefined;
    const body = doneBody();
    return body && { name, words, body };
  };

  /** `[;] do BODY; done` from p (after a for loop's header), p left after `done`; undefined when it is not there. */
  const doneBody = (): AndOr[] | undefined => {
    while (isOp(peek(), ";", "\n")) p++;
    if (plain(peek()) !== "do") return undefined;
    p++;
    const body = parseList((u) => plain(u) === "done");
    if (plain(peek()) !== "done") return undefined;
    p++;
    return body;
  };

  /** `for (( INIT; COND; STEP )); do BODY; done` from p (at `for`), p left after `done`. */
  const arithForLoop = (): NonNullable<OpaqueCmd["arithLoop"]> | undefined => {
    const head = tokens[p + 1] as WordTok;
    const header = arithmeticCommand(head)!;
    p += 2;
    const body = doneBody();
    return body && { header, pos: head.pos, body };
  };

  /**
   * `if LIST; then LIST; [elif LIST; then LIST;]... [else LIST;] fi` from p (at `if`): its
   * conditions and branches, p left after `fi`. See inFull.
   */
  const ifClause = (): NonNullable<OpaqueCmd["conditional"]> | undefined => {
    p++;
    const branches: { cond: AndOr[]; body: AndOr[] }[] = [];
    for (;;) {
      const cond = parseList((u) => plain(u) === "then");
      if (plain(peek()) !== "then") return undefined;
      p++;
      const body = parseList((u) => ["elif", "else", "fi"].includes(plain(u) ?? ""));
      branches.push({ cond, body });
      const next = plain(peek());
      if (next === "elif") {
        p++;
        continue;
      }
      let otherwise: AndOr[] | undefined;
      if (next === "else") {
        p++;
        otherwise = parseList((u) => plain(u) === "fi");
      }
      if (plain(peek()) !== "fi") return undefined;
      p++;
      return { branches, ...(otherwise ? { otherwise } : {}) };
    }
  };

  /**
   * `case WORD in [(]PATTERN[|PATTERN]...) LIST ;; ... esac` from p (at `case`): its word and arms,
   * p left after `esac`. See inFull.
   */
  const caseClause = (): NonNullable<OpaqueCmd["choice"]> | undefined => {
    const subject = peek(1);
    if (subject?.kind !== "word") return undefined;
    p += 2;
    skipNewlines();
    if (plain(peek()) !== "in") return undefined;
    p++;
    const arms: CaseArm[] = [];
    for (;;) {
      skipNewlines();
      if (plain(peek()) === "esac") {
        p++;
        return { subject, arms };
      }
      const pos = peek()?.pos;
      if (isOp(peek(), "(")) p++;
      const patterns: WordTok[] = [];
      for (;;) {
        const u = peek();
        if (u?.kind !== "word") return undefined;
        patterns.push(u);
        p++;
        if (!isOp(peek(), "|")) break;
        p++;
      }
      if (!isOp(peek(), ")")) return undefined;
      p++;
      const body = parseList((u) => isOp(u, ";;", ";&", ";;&") || plain(u) === "esac");
      let end: CaseArm["end"] = ";;";
      const after = peek();
      if (after?.kind === "op" && (after.op === ";;" || after.op === ";&" || after.op === ";;&")) {
        end = after.op;
        p++;
      } else if (plain(after) !== "esac") return undefined;
      arms.push({ patterns, body, end, pos: pos! });
    }
  };

  /** `while LIST; do LIST; done` (or `until ...`) from p (at `while`), p left after `done`. See inFull. */
  const whileLoop = (): { cond: AndOr[]; body: AndOr[] } | undefined => {
    p++;
    const cond = parseList((u) => plain(u) === "do");
    if (plain(peek()) !== "do") return undefined;
    p++;
    const body = parseList((u) => plain(u) === "done");
    if (plain(peek()) !== "done") return undefined;
    p++;
    return { cond, body };
  };

  /** A `( LIST )` subshell's list from p (at `(`). */
  const subshellBody = (): AndOr[] | undefined => {
    p++;
    const list = parseList((u) => isOp(u, ")"));
    if (!isOp(peek(), ")")) return undefined;
    p++;
    return list;
  };

  /** A `{ LIST }` group's list from p (at `{`): a function's body. */
  const groupBody = (): AndOr[] | undefined => {
    p++;
    const list = parseList((u) => plain(u) === "}");
    if (plain(peek()) !== "}") return undefined;
    p++;
    return list;
  };

  /**
   * A construct from p both read in full (`read`: a loop, an if, a function's group) and delimited
   * as ever (skipCompound from `opener`): what `read` gives is kept only where it ends where the
   * delimiting ends, and what it met is left to the delimiting to say. p ends after the construct.
   */
  const inFull = <T,>(read: () => T | undefined, opener: string): { kept: T | undefined; inner: WordTok[][]; endLine: number } => {
    const start = p;
    const said = problems.length;
    let kept: T | undefined;
    let end = -1;
    try {
      kept = read();
      end = p;
    } finally {
      problems.length = said;
      p = start;
    }
    const { inner, endLine } = skipCompound(opener);
    return { kept: kept !== undefined && end === p ? kept : undefined, inner, endLine };
  };

  const parsePipeline = (): Pipeline | null => {
    const start = peek();
    if (!start) return null;
    let bang = false;
    if (plain(start) === "!") {
      bang = true;
      p++;
    }
    const first = parseCommand();
    if (!first) return null;
    const cmds = [first];
    while (isOp(peek(), "|", "|&")) {
      p++;
      skipNewlines();
      const c = parseCommand();
      if (!c) break;
      cmds.push(c);
    }
    return { bang, cmds, pos: start.pos };
  };

  const parseList = (stop: (t: Token) => boolean): AndOr[] => {
    const items: AndOr[] = [];
    for (;;) {
      while (isOp(peek(), "\n", ";")) p++;
      const t = peek();
      if (!t || stop(t)) break;
      if (t.kind === "op" && !isOp(t, "(")) {
        problems.push({ pos: t.pos, message: `unexpected '${t.op}'`, severity: "error" });
        p++;
        continue;
      }
      const first = parsePipeline();
      if (!first) {
        if (peek() === t) p++; // no progress: drop the token
        continue;
      }
      const item: AndOr = { first, rest: [], background: false, pos: first.pos };
      while (isOp(peek(), "&&", "||")) {
        const op = (peek() as { op: "&&" | "||" }).op;
        p++;
        skipNewlines();
        const next = parsePipeline();
        if (!next) break;
        item.rest.push({ op, pipeline: next });
      }
      if (isOp(peek(), "&")) {
        item.background = true;
        p++;
      }
      items.push(item);
    }
    return items;
  };

  const items = parseList(() => false);
  return { items, problems };
}
