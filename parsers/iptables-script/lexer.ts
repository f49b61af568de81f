/**
 * Tokens of a POSIX shell script (the subset firewall scripts use), over the whole text so that
 * quotes, line continuations and here-documents may span lines.
 *
 *   word       a run of literal text, '...' and "..." parts, $NAME / ${NAME} / ${NAME:-word}
 *              expansions, and opaque parts ($(...), `...`, $((...)), $1, ${#X} ...) whose value
 *              fwlint cannot know statically
 *   op         ; & && || | |& ( ) ;; ;& ;;& and the newline
 *   redir      [n]> [n]>> [n]< <> >| >& <& &> &>> <<< and here-documents << / <<- (body kept)
 *
 * Comments (`#` at the start of a word) are dropped. Every token keeps its 1-based line/column.
 * The scanner is linear: every loop advances the index.
 */

export interface Pos {
  line: number;
  column: number;
  /** The file the position is in, when it is not the script read (a file the script sources, see run.ts). */
  file?: string;
}

export type Part =
  | { kind: "lit"; text: string; quoted: boolean }
  /**
   * $NAME or ${NAME}, optionally with a literal word for when NAME is unset (or, with `:`, empty):
   * ${NAME-word} / ${NAME:-word} use it, ${NAME=word} / ${NAME:=word} assign it too, and
   * ${NAME+word} / ${NAME:+word} use it only when NAME is set (`fallback`).
   */
  | { kind: "param"; name: string; quoted: boolean; pos: Pos; fallback?: { colon: boolean; op: "-" | "=" | "+"; text: string } }
  /** Something whose value is only known when the script runs. */
  | { kind: "opaque"; what: string; text: string; quoted: boolean; pos: Pos };

export interface WordTok {
  kind: "word";
  parts: Part[];
  /** The source text of the word. */
  raw: string;
  pos: Pos;
}

export interface OpTok {
  kind: "op";
  op: string;
  pos: Pos;
}

export interface HereDoc {
  delim: string;
  /** <<- : leading tabs are stripped. */
  strip: boolean;
  /** The delimiter was quoted: the body is not expanded. */
  quoted: boolean;
  body: string;
  /** Lines of the body (first and last, 1-based; empty body: last < first). */
  firstLine: number;
  lastLine: number;
}

export interface RedirTok {
  kind: "redir";
  op: string;
  target?: WordTok;
  pos: Pos;
  heredoc?: HereDoc;
}

export type Token = WordTok | OpTok | RedirTok;

export interface LexProblem {
  pos: Pos;
  message: string;
}

export interface Lexed {
  tokens: Token[];
  /** A syntax error stops the shell: tokens end there. */
  error?: LexProblem;
  /** Lines of the text (for span texts). */
  lines: string[];
}

const OPS = [";;&", "&&", "||", ";;", ";&", "|&", ";", "&", "|", "(", ")"];
const REDIR_OPS = ["<<<", "<<-", "&>>", "<<", ">>", "<>", ">|", ">&", "<&", "&>", "<", ">"];

function isBlank(c: string): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v";
}

/** Characters that end an unquoted word. */
function endsWord(c: string): boolean {
  return isBlank(c) || c === "\n" || c === ";" || c === "&" || c === "|" || c === "(" || c === ")" || c === "<" || c === ">";
}

class ShellLexError extends Error {
  constructor(readonly at: number, message: string) {
    super(message);
  }
}

/** `file`: the file the text is, stamped on every position, when it is not the script read (a file it sources). */
export function lexShell(input: string, file?: string, origin?: { line: number; column: number }): Lexed {
  const text = input.replace(/\r\n/g, "\n");
  const lines = text.split("\n");
  const lineStarts: number[] = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) lineStarts.push(k + 1);
  const posAt = (at: number): Pos => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    // (`origin`: where the text starts in its file - a substitution's command lexed apart)
    const pos: Pos = origin ? { line: origin.line + lo, column: at - lineStarts[lo]! + (lo === 0 ? origin.column : 1) } : { line: lo + 1, column: at - lineStarts[lo]! + 1 };
    if (file !== undefined) pos.file = file;
    return pos;
  };

  const n = text.length;
  const tokens: Token[] = [];
  const pendingDocs: { redir: RedirTok; strip: boolean; quoted: boolean; delim: string }[] = [];
  let i = 0;

  /** Index of the `close` that ends a bracketed region starting after `from` (quotes skipped). */
  const findClose = (from: number, open: string, close: string, what: string, start: number): number => {
    let depth = 1;
    let k = from;
    while (k < n) {
      const c = text[k]!;
      if (c === "\\") {
        k += 2;
        continue;
      }
      if (c === "'") {
        const e = text.indexOf("'", k + 1);
        if (e === -1) throw new ShellLexError(k, "unterminated single quote");
        k = e + 1;
        continue;
      }
      if (c === '"') {
        k = skipDouble(k);
        continue;
      }
      if (c === "`") {
        k = skipBacktick(k);
        continue;
      }
      if (text.startsWith(open, k)) {
        depth++;
        k += open.length;
        continue;
      }
      if (text.startsWith(close, k)) {
        depth--;
        if (depth === 0) return k;
        k += close.length;
        continue;
      }
      k++;
    }
    throw new ShellLexError(start, `unterminated ${what}`);
  };

  /** Index just after the double-quoted string starting at `k`. */
  const skipDouble = (k: number): number => {
    let j = k + 1;
    while (j < n) {
      const c = text[j]!;
      if (c === "\\") {
        j += 2;
        continue;
      }
      if (c === '"') return j + 1;
      if (c === "$" && text[j + 1] === "(") {
        j = findClose(j + 2, "(", ")", "$( command substitution", j) + 1;
        continue;
      }
      if (c === "`") {
        j = skipBacktick(j);
        continue;
      }
      j++;
    }
    throw new ShellLexError(k, 'unterminated double quote: a closing \'"\' is missing');
  };

  const skipBacktick = (k: number): number => {
    let j = k + 1;
    while (j < n) {
      const c = text[j]!;
      if (c === "\\") {
        j += 2;
        continue;
      }
      if (c === "`") return j + 1;
      j++;
    }
    throw new ShellLexError(k, "unterminated backquote: a closing '`' is missing");
  };

  /** A `$` expansion at `k`; pushes its part and returns the index after it. */
  const readDollar = (k: number, quoted: boolean, parts: Part[], flush: () => void): number => {
    const next = text[k + 1];
    const pos = posAt(k);
    if (next === "{") {
      const close = findClose(k + 2, "{", "}", "${ expansion", k);
      const inner = text.slice(k + 2, close);
      flush();
      let m: RegExpExecArray | null;
      if ((m = /^([A-Za-z_][A-Za-z0-9_]*)$/.exec(inner))) parts.push({ kind: "param", name: m[1]!, quoted, pos });
      else if ((m = /^([A-Za-z_][A-Za-z0-9_]*)(:?)([-=+])([^$`'"\\]*)$/.exec(inner))) {
        parts.push({ kind: "param", name: m[1]!, quoted, pos, fallback: { colon: m[2] === ":", op: m[3] as "-" | "=" | "+", text: m[4]! } });
      } else parts.push({ kind: "opaque", what: "parameter expansion", text: text.slice(k, close + 1), quoted, pos });
      return close + 1;
    }
    if (next === "(") {
      flush();
      if (text[k + 2] === "(") {
        const close = findClose(k + 3, "((", "))", "$(( arithmetic expansion", k);
        parts.push({ kind: "opaque", what: "arithmetic expansion", text: text.slice(k, close + 2), quoted, pos });
        return close + 2;
      }
      const close = findClose(k + 2, "(", ")", "$( command substitution", k);
      parts.push({ kind: "opaque", what: "command substitution", text: text.slice(k, close + 1), quoted, pos });
      return close + 1;
    }
    if (next !== undefined && /[A-Za-z_]/.test(next)) {
      let e = k + 2;
      while (e < n && /[A-Za-z0-9_]/.test(text[e]!)) e++;
      flush();
      parts.push({ kind: "param", name: text.slice(k + 1, e), quoted, pos });
      return e;
    }
    if (next !== undefined && /[0-9@*#?$!-]/.test(next)) {
      flush();
      parts.push({ kind: "opaque", what: /[0-9]/.test(next) ? "positional parameter" : "special parameter", text: "$" + next, quoted, pos });
      return k + 2;
    }
    if (next === "'" && !quoted) {
      // $'...' (bash ANSI-C quoting)
      let e = k + 2;
      while (e < n && text[e] !== "'") e += text[e] === "\\" ? 2 : 1;
      if (e >= n) throw new ShellLexError(k, "unterminated $'...' string");
      flush();
      parts.push({ kind: "opaque", what: "$'...' string", text: text.slice(k, e + 1), quoted: true, pos });
      return e + 1;
    }
    if (next === '"' && !quoted) return k + 1; // $"..." (locale translation): read as "..."
    return -1; // a literal $
  };

  const readWord = (start: number): WordTok => {
    const parts: Part[] = [];
    let lit = "";
    let litQuoted = false;
    const flush = () => {
      if (lit !== "" || litQuoted) parts.push({ kind: "lit", text: lit, quoted: litQuoted });
      lit = "";
      litQuoted = false;
    };
    const addLit = (s: string, quoted: boolean) => {
      if (quoted !== litQuoted && (lit !== "" || litQuoted)) flush();
      lit += s;
      litQuoted = quoted;
    };
    let k = start;
    while (k < n) {
      const c = text[k]!;
      if (endsWord(c)) break;
      if (c === "\\") {
        if (text[k + 1] === "\n") {
          k += 2;
          continue;
        }
        if (k + 1 < n) addLit(text[k + 1]!, true);
        k += 2;
        continue;
      }
      if (c === "'") {
        const e = text.indexOf("'", k + 1);
        if (e === -1) throw new ShellLexError(k, "unterminated single quote: a closing \"'\" is missing");
        addLit(text.slice(k + 1, e), true);
        if (e === k + 1) {
          flush();
          parts.push({ kind: "lit", text: "", quoted: true });
        }
        k = e + 1;
        continue;
      }
      if (c === '"') {
        const end = skipDouble(k) - 1; // validates termination
        let j = k + 1;
        let any = false;
        while (j < end) {
          const d = text[j]!;
          if (d === "\\" && j + 1 < end && "$`\"\\\n".includes(text[j + 1]!)) {
            if (text[j + 1] !== "\n") addLit(text[j + 1]!, true);
            j += 2;
            any = true;
            continue;
          }
          if (d === "$") {
            const after = readDollar(j, true, parts, flush);
            if (after !== -1) {
              j = after;
              any = true;
              continue;
            }
          }
          if (d === "`") {
            const e = skipBacktick(j);
            flush();
            parts.push({ kind: "opaque", what: "command substitution", text: text.slice(j, e), quoted: true, pos: posAt(j) });
            j = e;
            any = true;
            continue;
          }
          addLit(d, true);
          any = true;
          j++;
        }
        if (!any) {
          flush();
          parts.push({ kind: "lit", text: "", quoted: true });
        }
        k = end + 1;
        continue;
      }
      if (c === "$") {
        const after = readDollar(k, false, parts, flush);
        if (after !== -1) {
          k = after;
          continue;
        }
      }
      if (c === "`") {
        const e = skipBacktick(k);
        flush();
        parts.push({ kind: "opaque", what: "command substitution", text: text.slice(k, e), quoted: false, pos: posAt(k) });
        k = e;
        continue;
      }
      addLit(c, false);
      k++;
    }
    flush();
    return { kind: "word", parts: mergeLits(parts), raw: text.slice(start, k), pos: posAt(start) };
  };

  /** Does a process substitution `<(` or `>(` start at k? */
  const processSubstitution = (k: number) => (text[k] === "<" || text[k] === ">") && text[k + 1] === "(";
  /** The process substitution at k, as a word of one part. */
  const readProcess = (k: number): WordTok => {
    const close = findClose(k + 2, "(", ")", `${text[k]}( process substitution`, k);
    const raw = text.slice(k, close + 1);
    const pos = posAt(k);
    return { kind: "word", parts: [{ kind: "opaque", what: "process substitution", text: raw, quoted: false, pos }], raw, pos };
  };

  const readHereDocs = () => {
    for (const d of pendingDocs) {
      const firstLine = posAt(i).line;
      const body: string[] = [];
      let found = false;
      while (i < n) {
        let e = text.indexOf("\n", i);
        if (e === -1) e = n;
        let line = text.slice(i, e);
        i = Math.min(e + 1, n);
        if (d.strip) line = line.replace(/^\t+/, "");
        if (line === d.delim) {
          found = true;
          break;
        }
        body.push(line);
      }
      if (!found && i >= n && body.length > 0 && body[body.length - 1] === d.delim) body.pop();
      d.redir.heredoc = { delim: d.delim, strip: d.strip, quoted: d.quoted, body: body.join("\n"), firstLine, lastLine: firstLine + body.length - 1 };
    }
    pendingDocs.length = 0;
  };

  try {
    while (i < n) {
      const c = text[i]!;
      if (isBlank(c)) {
        i++;
        continue;
      }
      if (c === "\\" && text[i + 1] === "\n") {
        i += 2;
        continue;
      }
      if (c === "\n") {
        tokens.push({ kind: "op", op: "\n", pos: posAt(i) });
        i++;
        if (pendingDocs.length > 0) readHereDocs();
        continue;
      }
      if (c === "#") {
        const e = text.indexOf("\n", i);
        i = e === -1 ? n : e;
        continue;
      }
      // bash's process substitution `<(...)` / `>(...)`: one word (a file name the command reads or writes)
      if (processSubstitution(i)) {
        const w = readProcess(i);
        i = advancePast(w, i);
        tokens.push(w);
        continue;
      }
      // redirection, with an optional file descriptor number
      const fd = /^[0-9]*/.exec(text.slice(i, i + 4))![0];
      const rop = REDIR_OPS.find((o) => text.startsWith(o, i + fd.length));
      if (rop && (fd === "" || !rop.startsWith("&"))) {
        const pos = posAt(i);
        i += fd.length + rop.length;
        while (i < n && isBlank(text[i]!)) i++;
        const redir: RedirTok = { kind: "redir", op: fd + rop, pos };
        if (processSubstitution(i)) redir.target = readProcess(i);
        else if (i < n && !endsWord(text[i]!)) redir.target = readWord(i);
        if (redir.target) i = advancePast(redir.target, i);
        tokens.push(redir);
        if (rop === "<<" || rop === "<<-") {
          if (!redir.target) throw new ShellLexError(i, `expected a here-document delimiter after ${rop}`);
          const delim = redir.target.parts.map((p) => (p.kind === "lit" ? p.text : p.kind === "param" ? "$" + p.name : p.text)).join("");
          const quoted = redir.target.raw.includes("'") || redir.target.raw.includes('"') || redir.target.raw.includes("\\");
          pendingDocs.push({ redir, strip: rop === "<<-", quoted, delim });
        }
        continue;
      }
      // `((` where a command starts: bash's arithmetic command (also `for ((...))`'s header), one word
      if (text.startsWith("((", i) && commandStarts(tokens[tokens.length - 1])) {
        const close = findClose(i + 2, "((", "))", "(( arithmetic command", i);
        const raw = text.slice(i, close + 2);
        const pos = posAt(i);
        tokens.push({ kind: "word", parts: [{ kind: "opaque", what: "arithmetic command", text: raw, quoted: false, pos }], raw, pos });
        i = close + 2;
        continue;
      }
      const op = OPS.find((o) => text.startsWith(o, i));
      if (op) {
        tokens.push({ kind: "op", op, pos: posAt(i) });
        i += op.length;
        continue;
      }
      const w = readWord(i);
      i = advancePast(w, i);
      tokens.push(w);
    }
    if (pendingDocs.length > 0) readHereDocs();
  } catch (e) {
    if (e instanceof ShellLexError) {
      // The shell does not run the command it could not read: drop its tokens.
      let keep = tokens.length;
      while (keep > 0 && !(tokens[keep - 1]!.kind === "op" && [";", "\n", "&"].includes((tokens[keep - 1] as OpTok).op))) keep--;
      return { tokens: tokens.slice(0, keep), error: { pos: posAt(e.at), message: e.message }, lines };
    }
    throw e;
  }
  return { tokens, lines };
}

/** Words after which a command starts (and `for`, whose `((` is its header). */
const COMMAND_STARTERS: ReadonlySet<string> = new Set(["do", "then", "else", "elif", "if", "while", "until", "for", "{", "!", "time"]);

/** Does a command start after this token (none: the text's start)? */
function commandStarts(prev: Token | undefined): boolean {
  if (prev === undefined) return true;
  if (prev.kind === "op") return true;
  if (prev.kind !== "word") return false;
  const only = prev.parts.length === 1 && prev.parts[0]!.kind === "lit" && !prev.parts[0]!.quoted ? prev.parts[0]!.text : undefined;
  return only !== undefined && COMMAND_STARTERS.has(only);
}

/** The text inside an arithmetic command word `(( ... ))`, or undefined when the word is none. */
export function arithmeticCommand(w: Token | undefined): string | undefined {
  const p = w?.kind === "word" && w.parts.length === 1 ? w.parts[0] : undefined;
  return p?.kind === "opaque" && p.what === "arithmetic command" ? p.text.slice(2, -2) : undefined;
}

function advancePast(w: WordTok, from: number): number {
  return from + w.raw.length;
}

function mergeLits(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.kind === "lit" && last?.kind === "lit" && last.quoted === p.quoted && p.text !== "" && last.text !== "") {
      out[out.length - 1] = { ...last, text: last.text + p.text };
    } else out.push(p);
  }
  return out;
}

/** The word as plain text when it has no quoting and no expansion (reserved words, names). */
export function plainText(w: WordTok): string | undefined {
  if (w.parts.length !== 1) return w.parts.length === 0 ? "" : undefined;
  const p = w.parts[0]!;
  return p.kind === "lit" && !p.quoted ? p.text : undefined;
}
