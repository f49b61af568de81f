/**
 * The text tools firewall scripts run on lists before they make rules of them - `grep -v '^#'
 * ports.txt | while read port`, `for ip in $(sed 's/#.*$//' banned.txt)`, `awk -F, '{print $1}'
 * hosts.csv`, `cut -d: -f2`, `sort -u`, `tr '\n' ','` - run as GNU's (and mawk's) run them, on
 * text fwlint knows: a file of the scanned tree or one the script wrote, or what the command
 * before it in a pipe printed. Each output line keeps the place of the input line it came from,
 * so what a loader later refuses in it is shown at that file's line.
 *
 * Each tool takes the options scripts give it; another option, or a form whose output fwlint
 * could get wrong, is refused with why (and the runner leaves what reads the output unknown, as
 * before): a sed `s` or `grep -o` with an expression where POSIX's longest match may differ from
 * the first JavaScript finds (posix-regex.ts), a `sort` whose order would depend on the locale,
 * a sed script with commands other than `s`, `d`, `p`, `q` and `y`, an awk program other than
 * patterns and `print`.
 *
 * The expected outputs in the tests were produced by GNU grep 3.8, GNU sed 4.9, coreutils 9.1
 * and mawk 1.3.4 (and are checked against them where the tools are installed).
 */
import type { PlacedLine } from "./heredoc.js";
import { type JsRegex, classMembers, matchCost, posixRegex } from "./posix-regex.js";

/** Text a tool reads or prints: its lines, and whether the last one lacks its newline. */
export interface ToolText {
  lines: PlacedLine[];
  /** The last line has no newline after it (a file that ends without one, `tr '\n' ,`). */
  open?: boolean;
  /** The tool's status is a failure: grep selected no line. */
  failed?: boolean;
}

export interface ToolInput {
  /** The text of a file the tool names, or why it is not known. */
  file(path: string): ToolText | { why: string };
  /** What the tool reads as its standard input, or why it is not known. */
  stdin(): ToolText | { why: string };
  /** Where the command stands: the place of the lines it makes itself (grep -c). */
  at: Omit<PlacedLine, "text">;
}

type Out = ToolText | { why: string };

/** The programs runTextTool runs. */
export const TEXT_TOOLS: ReadonlySet<string> = new Set(["cat", "tac", "grep", "egrep", "fgrep", "sed", "cut", "awk", "mawk", "gawk", "nawk", "tr", "sort", "uniq", "head", "tail"]);

/** What `argv` (the command's words, the program first) prints, or why fwlint does not know; undefined when it is no text tool. */
export function runTextTool(argv: readonly string[], input: ToolInput): Out | undefined {
  const prog = argv[0]?.replace(/.*\//, "");
  if (prog === undefined || !TEXT_TOOLS.has(prog)) return undefined;
  const args = argv.slice(1);
  switch (prog) {
    case "cat":
    case "tac":
      return cat(args, input, prog === "tac");
    case "grep":
    case "egrep":
    case "fgrep":
      return grep(args, input, prog === "egrep" ? "E" : prog === "fgrep" ? "F" : "G");
    case "sed":
      return sed(args, input);
    case "cut":
      return cut(args, input);
    case "tr":
      return tr(args, input);
    case "sort":
      return sort(args, input);
    case "uniq":
      return uniq(args, input);
    case "head":
    case "tail":
      return headTail(args, input, prog);
    default:
      return awk(args, input);
  }
}

// ---- shared ----

/** Steps of matching a tool may take on its whole input (see matchCost): past it the expression is refused rather than risk a hang. */
const MATCH_BUDGET = 50_000_000;

/** Why matching these expressions against these lines could take too long, if it could. */
function tooCostly(tool: string, exprs: readonly { text: string; re: JsRegex }[], lines: readonly PlacedLine[]): { why: string } | undefined {
  for (const e of exprs) {
    if (matchCost(e.re, lines.map((l) => l.text.length)) > MATCH_BUDGET) return { why: `${tool}'s expression '${e.text}' could take fwlint too long on this text (JavaScript's matcher backtracks where GNU's does not)` };
  }
  return undefined;
}

const refuse = (tool: string, what: string): { why: string } => ({ why: `${tool}'s ${what} is not followed` });

/** Lines made from `text` at the place of `from`. */
const placed = (from: Omit<PlacedLine, "text">, text: string): PlacedLine => ({ text, line: from.line, column: from.column, ...(from.file !== undefined ? { file: from.file } : {}) });

/** The texts a tool reads: each file named (`-` for standard input), or standard input when none is. */
function sources(files: readonly string[], input: ToolInput): { name: string; text: ToolText }[] | { why: string } {
  const out: { name: string; text: ToolText }[] = [];
  for (const f of files.length === 0 ? ["-"] : files) {
    const t = f === "-" ? input.stdin() : input.file(f);
    if ("why" in t) return t;
    out.push({ name: f === "-" ? "(standard input)" : f, text: t });
  }
  return out;
}

/** The texts one after the other as one stream (cat's): a text that ends without a newline runs into the next one's first line. */
function joined(texts: readonly ToolText[]): ToolText {
  const lines: PlacedLine[] = [];
  let open = false;
  for (const t of texts) {
    const ls = [...t.lines];
    if (open && ls.length > 0) {
      const last = lines.pop()!;
      lines.push({ ...last, text: last.text + ls.shift()!.text });
    }
    lines.push(...ls);
    if (t.lines.length > 0) open = t.open === true;
  }
  return open ? { lines, open } : { lines };
}

/** Short options in clusters (`-vE`), long ones with `=`, `--` ending them, operands anywhere (GNU's getopt). */
interface Parsed {
  flags: string[];
  values: { name: string; value: string }[];
  operands: string[];
}
function options(args: readonly string[], withValue: string, longs: ReadonlyMap<string, string>, tool: string): Parsed | { why: string } {
  const out: Parsed = { flags: [], values: [], operands: [] };
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "--") {
      out.operands.push(...args.slice(k + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a : a.slice(0, eq);
      const short = longs.get(name);
      if (short === undefined) return refuse(tool, `option ${name}`);
      if (withValue.includes(short)) {
        const value = eq >= 0 ? a.slice(eq + 1) : args[++k];
        if (value === undefined) return { why: `${tool}'s ${name} has no value` };
        out.values.push({ name: short, value });
      } else if (eq >= 0) return refuse(tool, `option ${a}`);
      else out.flags.push(short);
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j]!;
        if (withValue.includes(ch)) {
          const value = j + 1 < a.length ? a.slice(j + 1) : args[++k];
          if (value === undefined) return { why: `${tool}'s -${ch} has no value` };
          out.values.push({ name: ch, value });
          break;
        }
        out.flags.push(ch);
      }
      continue;
    }
    out.operands.push(a);
  }
  return out;
}

// ---- cat, tac ----

function cat(args: readonly string[], input: ToolInput, reversed: boolean): Out {
  const files: string[] = [];
  for (const [k, a] of args.entries()) {
    if (a === "--") {
      files.push(...args.slice(k + 1));
      break;
    }
    if (a.startsWith("-") && a !== "-") return refuse(reversed ? "tac" : "cat", `option ${a}`);
    files.push(a);
  }
  const src = sources(files, input);
  if ("why" in src) return src;
  if (!reversed) return joined(src.map((s) => s.text));
  // (tac: each file's lines last first; a last line without its newline runs into the line printed after it)
  const lines: PlacedLine[] = [];
  const only = src.length === 1 && src[0]!.text.lines.length === 1 && src[0]!.text.open === true;
  if (only) return src[0]!.text;
  for (const s of src) {
    const ls = [...s.text.lines].reverse();
    if (s.text.open && ls.length > 1) {
      const [a, b] = [ls[0]!, ls[1]!];
      ls.splice(0, 2, { ...a, text: a.text + b.text });
    }
    lines.push(...ls);
  }
  return { lines };
}

// ---- grep ----

const GREP_LONG: ReadonlyMap<string, string> = new Map([
  ["--invert-match", "v"],
  ["--ignore-case", "i"],
  ["--extended-regexp", "E"],
  ["--fixed-strings", "F"],
  ["--basic-regexp", "G"],
  ["--line-regexp", "x"],
  ["--word-regexp", "w"],
  ["--count", "c"],
  ["--quiet", "q"],
  ["--silent", "q"],
  ["--no-messages", "s"],
  ["--no-filename", "h"],
  ["--with-filename", "H"],
  ["--only-matching", "o"],
  ["--line-number", "n"],
  ["--regexp", "e"],
  ["--file", "f"],
  ["--max-count", "m"],
]);

function grep(args: readonly string[], input: ToolInput, mode: "G" | "E" | "F"): Out {
  const o = options(args, "efmABC", GREP_LONG, "grep");
  if ("why" in o) return o;
  const flag = new Set<string>();
  for (const f of o.flags) {
    if (!"viyEFGxwcqshHon".includes(f)) return refuse("grep", `option -${f}`);
    if (f === "E" || f === "F" || f === "G") mode = f;
    flag.add(f === "y" ? "i" : f);
  }
  const patterns: string[] = [];
  let given = false;
  let max: number | undefined;
  for (const v of o.values) {
    if (v.name === "e") {
      given = true;
      patterns.push(...v.value.split("\n"));
    } else if (v.name === "f") {
      given = true;
      const t = v.value === "-" ? input.stdin() : input.file(v.value);
      if ("why" in t) return t;
      patterns.push(...t.lines.map((l) => l.text));
    } else if (v.name === "m") {
      if (!/^\d+$/.test(v.value)) return { why: `grep's -m ${v.value} is not a number` };
      max = Number(v.value);
    } else return refuse("grep", `context option -${v.name}`);
  }
  const operands = [...o.operands];
  if (!given) {
    const p = operands.shift();
    if (p === undefined) return { why: "grep is given no pattern" };
    patterns.push(...p.split("\n"));
  }
  const icase = flag.has("i");
  const tests: RegExp[] = [];
  const exprs: { text: string; re: JsRegex }[] = [];
  for (const p of patterns) {
    let source: string;
    if (mode === "F") source = p.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
    else {
      const r = posixRegex(p, mode === "E", "grep");
      if ("why" in r) return { why: `grep's pattern '${p}': ${r.why}` };
      if (flag.has("o") && r.ambiguous) return { why: `grep -o with '${p}', where the longest match POSIX takes may differ` };
      exprs.push({ text: p, re: r });
      source = r.source;
    }
    if (flag.has("w") && p === "") return { why: "grep -w with an empty pattern is not followed" };
    if (flag.has("x")) source = `^(?:${source})$`;
    else if (flag.has("w")) source = `(?<![A-Za-z0-9_])(?:${source})(?![A-Za-z0-9_])`;
    tests.push(new RegExp(source, icase ? "gi" : "g"));
  }
  const src = sources(operands, input);
  if ("why" in src) return src;
  const costly = tooCostly("grep", exprs, src.flatMap((x) => x.text.lines));
  if (costly) return costly;
  const named = flag.has("H") || (!flag.has("h") && src.length > 1);
  const lines: PlacedLine[] = [];
  let selected = false;
  for (const s of src) {
    const prefix = named ? `${s.name}:` : "";
    let count = 0;
    for (const [n, l] of s.text.lines.entries()) {
      if (max !== undefined && count >= max) break;
      const hit = tests.some((re) => {
        re.lastIndex = 0;
        return re.test(l.text);
      });
      if (hit === flag.has("v")) continue;
      count++;
      selected = true;
      if (flag.has("c") || flag.has("q")) continue;
      const num = flag.has("n") ? `${n + 1}:` : "";
      if (!flag.has("o")) {
        lines.push({ ...l, text: prefix + num + l.text });
        continue;
      }
      if (flag.has("v")) continue;
      // -o: each match of the line, in order, the empty ones left out
      const found: { at: number; text: string }[] = [];
      for (let from = 0; from <= l.text.length; ) {
        let best: RegExpExecArray | undefined;
        for (const re of tests) {
          re.lastIndex = from;
          const m = re.exec(l.text);
          if (m && (best === undefined || m.index < best.index || (m.index === best.index && m[0].length > best[0].length))) best = m;
        }
        if (!best) break;
        if (best[0].length > 0) found.push({ at: best.index, text: best[0] });
        from = best.index + Math.max(1, best[0].length);
      }
      for (const f of found) lines.push({ ...l, column: l.column + f.at, text: prefix + num + f.text });
    }
    if (flag.has("c") && !flag.has("q")) lines.push(placed(s.text.lines[0] ?? input.at, `${prefix}${count}`));
  }
  return selected ? { lines } : { lines, failed: true };
}

// ---- sed ----

type SedAddress = { kind: "line"; n: number } | { kind: "last" } | { kind: "re"; re: RegExp };
interface SedCommand {
  from?: SedAddress;
  to?: SedAddress;
  negate: boolean;
  op: { kind: "d" | "p" | "q" } | { kind: "s"; re: RegExp; replacement: (m: RegExpExecArray) => string; global: boolean; nth: number; print: boolean } | { kind: "y"; map: Map<string, string> };
  /** In a range now (line after its start). */
  active?: boolean;
}

const SED_LONG: ReadonlyMap<string, string> = new Map([
  ["--quiet", "n"],
  ["--silent", "n"],
  ["--regexp-extended", "E"],
  ["--expression", "e"],
  ["--separate", "s"],
  ["--posix", "P"],
]);

function sed(args: readonly string[], input: ToolInput): Out {
  const o = options(args, "ef", SED_LONG, "sed");
  if ("why" in o) return o;
  const flags = new Set<string>();
  for (const f of o.flags) {
    if (f === "i") return { why: "sed -i edits the file in place, which fwlint does not follow" };
    if (!"nErsuP".includes(f)) return refuse("sed", `option -${f}`);
    flags.add(f === "r" ? "E" : f);
  }
  if (flags.has("s")) return refuse("sed", "option -s");
  const scripts: string[] = [];
  for (const v of o.values) {
    if (v.name === "f") return refuse("sed", "script file (-f)");
    scripts.push(v.value);
  }
  const operands = [...o.operands];
  if (scripts.length === 0) {
    const s = operands.shift();
    if (s === undefined) return { why: "sed is given no script" };
    scripts.push(s);
  }
  const exprs: { text: string; re: JsRegex }[] = [];
  const commands = sedScript(scripts.join("\n"), flags.has("E"), exprs);
  if ("why" in commands) return commands;
  const src = sources(operands, input);
  if ("why" in src) return src;
  const costly = tooCostly("sed", exprs, src.flatMap((x) => x.text.lines));
  if (costly) return costly;
  const all = joinedForSed(src.map((s) => s.text));
  const lines: PlacedLine[] = [];
  let lastOut = false;
  /** Prints the pattern space; the last line of a stream without a final newline is printed without one (where nothing follows it). */
  const emit = (from: PlacedLine, text: string, last: boolean) => {
    for (const t of text.split("\n")) lines.push({ ...from, text: t });
    lastOut = last;
  };
  for (const [n, l] of all.lines.entries()) {
    const last = n === all.lines.length - 1;
    let space = l.text;
    let deleted = false;
    let quit = false;
    for (const c of commands) {
      if (sedSelects(c, n + 1, space, last) === c.negate) continue;
      const op = c.op;
      if (op.kind === "d") {
        deleted = true;
        break;
      }
      if (op.kind === "p") emit(l, space, last);
      else if (op.kind === "q") {
        quit = true;
        break;
      } else if (op.kind === "y") space = [...space].map((ch) => op.map.get(ch) ?? ch).join("");
      else if (op.kind === "s") {
        const r = substitute(space, op);
        space = r.text;
        if (r.done && op.print) emit(l, space, last);
      }
    }
    if (!deleted && !flags.has("n")) emit(l, space, last);
    // (GNU sed ends the line q prints with a newline, even the last line of a file without one)
    if (quit) {
      lastOut = false;
      break;
    }
  }
  return all.open && lastOut ? { lines, open: true } : { lines };
}

/** sed reads its files as one stream, but a file that ends without a newline still ends its line. */
function joinedForSed(texts: readonly ToolText[]): ToolText {
  const lines = texts.flatMap((t) => t.lines);
  const lastText = [...texts].reverse().find((t) => t.lines.length > 0);
  return lastText?.open ? { lines, open: true } : { lines };
}

function sedSelects(c: SedCommand, n: number, space: string, last: boolean): boolean {
  const hits = (a: SedAddress) => (a.kind === "line" ? a.n === n : a.kind === "last" ? last : ((a.re.lastIndex = 0), a.re.test(space)));
  if (c.from === undefined) return true;
  if (c.to === undefined) return hits(c.from);
  if (c.active) {
    // the range ends at a line number reached or passed, or at the line its end expression matches
    if (c.to.kind === "line" ? n >= c.to.n : hits(c.to)) c.active = false;
    return true;
  }
  if (!hits(c.from)) return false;
  // (a line-number end at or before the start's line: the range is that line alone)
  c.active = !(c.to.kind === "line" ? c.to.n <= n : c.to.kind === "last" ? last : false);
  return true;
}

/** `s`: the matches replaced (the first, the Nth, all from the Nth), as GNU sed finds them: an empty match right after a match does not count. */
function substitute(space: string, s: Extract<SedCommand["op"], { kind: "s" }>): { text: string; done: boolean } {
  let out = "";
  let copied = 0;
  let from = 0;
  let count = 0;
  let prevEnd = -1;
  let done = false;
  while (from <= space.length) {
    s.re.lastIndex = from;
    const m = s.re.exec(space);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    if (start === end && start === prevEnd) {
      from = start + 1;
      continue;
    }
    count++;
    if (count >= s.nth) {
      out += space.slice(copied, start) + s.replacement(m);
      copied = end;
      done = true;
      if (!s.global) break;
    }
    prevEnd = end;
    from = end === start ? end + 1 : end;
  }
  return { text: out + space.slice(copied), done };
}

/** A sed script of `s`, `y`, `d`, `p` and `q` commands with their addresses, or why not. */
function sedScript(script: string, extended: boolean, exprs: { text: string; re: JsRegex }[]): SedCommand[] | { why: string } {
  const out: SedCommand[] = [];
  let i = 0;
  const blank = () => {
    while (i < script.length && /[ \t]/.test(script[i]!)) i++;
  };
  /** A delimited part from i (after its opening delimiter) to the closing one: `\delim` is the delimiter itself. */
  const delimited = (delim: string, regex: boolean): string | undefined => {
    let s = "";
    while (i < script.length) {
      const c = script[i]!;
      if (c === "\\" && i + 1 < script.length) {
        const e = script[i + 1]!;
        i += 2;
        if (e === delim) s += regex ? literalIn(delim, extended) : `\\${delim}`;
        else if (e === "\n") return undefined;
        else s += `\\${e}`;
        continue;
      }
      if (c === delim) {
        i++;
        return s;
      }
      if (c === "\n") return undefined;
      s += c;
      i++;
    }
    return undefined;
  };
  const regex = (text: string, icase: boolean): RegExp | { why: string } => {
    if (text === "") return { why: "sed's empty expression (the last one used) is not followed" };
    const r = posixRegex(text, extended, "sed");
    if ("why" in r) return { why: `sed's expression '${text}': ${r.why}` };
    exprs.push({ text, re: r });
    return new RegExp(r.source, icase ? "gi" : "g");
  };
  const address = (): SedAddress | { why: string } | undefined => {
    if (/\d/.test(script[i] ?? "")) {
      const m = /^\d+/.exec(script.slice(i))!;
      i += m[0].length;
      if (script[i] === "~") return { why: "sed's first~step address is not followed" };
      const n = Number(m[0]);
      return n === 0 ? { why: "sed's address 0 is not followed" } : { kind: "line", n };
    }
    if (script[i] === "$") {
      i++;
      return { kind: "last" };
    }
    if (script[i] === "/" || script[i] === "\\") {
      const delim = script[i] === "/" ? "/" : script[i + 1];
      if (delim === undefined) return { why: "sed's address is not closed" };
      i += script[i] === "/" ? 1 : 2;
      const text = delimited(delim, true);
      if (text === undefined) return { why: "sed's address expression is not closed" };
      let icase = false;
      if (script[i] === "I") {
        icase = true;
        i++;
      }
      if (script[i] === "M") return { why: "sed's M flag is not followed" };
      const re = regex(text, icase);
      return "why" in re ? re : { kind: "re", re };
    }
    return undefined;
  };
  while (i < script.length) {
    while (i < script.length && /[ \t\n;]/.test(script[i]!)) i++;
    if (i >= script.length) break;
    if (script[i] === "#") {
      while (i < script.length && script[i] !== "\n") i++;
      continue;
    }
    const from = address();
    if (from && "why" in from) return from;
    let to: SedAddress | undefined;
    if (from && script[i] === ",") {
      i++;
      if (script[i] === "+" || script[i] === "~") return { why: "sed's addr,+N and addr,~N ranges are not followed" };
      const a = address();
      if (a === undefined) return { why: "sed's range has no end" };
      if ("why" in a) return a;
      to = a;
    }
    blank();
    let negate = false;
    while (script[i] === "!") {
      negate = true;
      i++;
      blank();
    }
    const name = script[i++];
    const base = { ...(from ? { from } : {}), ...(to ? { to } : {}), negate };
    if (name === "d" || name === "p" || name === "q") {
      if (name === "q" && /[0-9]/.test(script[i] ?? "")) return { why: "sed's q with an exit code is not followed" };
      out.push({ ...base, op: { kind: name } });
    } else if (name === "s") {
      const delim = script[i++];
      if (delim === undefined || delim === "\n" || delim === "\\") return { why: "sed's s has no delimiter" };
      const pattern = delimited(delim, true);
      const replacement = pattern === undefined ? undefined : delimited(delim, false);
      if (pattern === undefined || replacement === undefined) return { why: "sed's s command is not closed" };
      let global = false;
      let nth = 1;
      let print = false;
      let icase = false;
      while (i < script.length && !/[ \t\n;}]/.test(script[i]!)) {
        const f = script[i]!;
        if (f === "g") global = true;
        else if (f === "p") print = true;
        else if (f === "i" || f === "I") icase = true;
        else if (/\d/.test(f)) {
          const m = /^\d+/.exec(script.slice(i))!;
          nth = Number(m[0]);
          if (nth === 0) return { why: "sed's s flag 0 is refused by sed" };
          i += m[0].length - 1;
        } else return { why: `sed's s flag '${f}' is not followed` };
        i++;
      }
      const re = regex(pattern, icase);
      if ("why" in re) return re;
      const r = posixRegex(pattern, extended, "sed");
      if (!("why" in r) && r.ambiguous) return { why: `sed's s with '${pattern}', where the longest match POSIX takes may differ` };
      const groups = "why" in r ? 0 : r.groups;
      const repl = sedReplacement(replacement, groups);
      if ("why" in repl) return repl;
      out.push({ ...base, op: { kind: "s", re, replacement: repl.fn, global, nth, print } });
    } else if (name === "y") {
      const delim = script[i++];
      if (delim === undefined || delim === "\n" || delim === "\\") return { why: "sed's y has no delimiter" };
      const a = delimited(delim, false);
      const b = a === undefined ? undefined : delimited(delim, false);
      if (a === undefined || b === undefined) return { why: "sed's y command is not closed" };
      const chars = (s: string) => [...s.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c))];
      const [ca, cb] = [chars(a), chars(b)];
      if (ca.length !== cb.length) return { why: "sed's y has strings of different lengths (sed refuses it)" };
      out.push({ ...base, op: { kind: "y", map: new Map(ca.map((c, k) => [c, cb[k]!])) } });
    } else return { why: `sed's ${name === undefined ? "missing" : `'${name}'`} command is not followed` };
    blank();
    if (i < script.length && !/[\n;]/.test(script[i]!)) {
      if (script[i] === "}") return { why: "sed's { } blocks are not followed" };
      return { why: `sed's script has '${script[i]}' where a command ends` };
    }
  }
  return out;
}

/** The delimiter as itself in an expression of the dialect. */
function literalIn(ch: string, extended: boolean): string {
  const special = extended ? ".[]*^$\\()|{}+?" : ".[]*^$\\";
  return special.includes(ch) ? `\\${ch}` : ch;
}

/** A replacement's text as a function of the match: `&`, `\1`..`\9`, `\n`, `\t`, escaped characters. */
function sedReplacement(text: string, groups: number): { fn: (m: RegExpExecArray) => string } | { why: string } {
  type Piece = string | number;
  const pieces: Piece[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "&") pieces.push(0);
    else if (c === "\\") {
      const e = text[++i];
      if (e === undefined) return { why: "sed's replacement ends in a backslash" };
      if (/[1-9]/.test(e)) {
        if (Number(e) > groups) return { why: `sed's replacement refers to group ${e}, which its expression does not have (sed refuses it)` };
        pieces.push(Number(e));
      } else if (e === "n") pieces.push("\n");
      else if (e === "t") pieces.push("\t");
      else if (/[A-Za-z0]/.test(e)) return { why: `sed's '\\${e}' in a replacement is not followed` };
      else pieces.push(e);
    } else pieces.push(c);
  }
  return { fn: (m) => pieces.map((p) => (typeof p === "number" ? (m[p] ?? "") : p)).join("") };
}

// ---- cut ----

const CUT_LONG: ReadonlyMap<string, string> = new Map([
  ["--delimiter", "d"],
  ["--fields", "f"],
  ["--characters", "c"],
  ["--bytes", "b"],
  ["--only-delimited", "s"],
  ["--output-delimiter", "O"],
]);

/** A cut list (`1,3-5,7-`): whether position k (1-based) is in it, or why not. */
function cutList(list: string): ((k: number) => boolean) | { why: string } {
  const ranges: [number, number][] = [];
  for (const part of list.split(",")) {
    const m = /^(\d*)-(\d*)$|^(\d+)$/.exec(part);
    if (!m || part === "-") return { why: `cut's list '${list}' is not a list of positions` };
    const [lo, hi] = m[3] !== undefined ? [Number(m[3]), Number(m[3])] : [m[1] === "" ? 1 : Number(m[1]), m[2] === "" ? Infinity : Number(m[2])];
    if (lo === 0 || hi === 0) return { why: "cut's positions start at 1 (cut refuses 0)" };
    if (hi < lo) return { why: `cut's range '${part}' is decreasing (cut refuses it)` };
    ranges.push([lo, hi]);
  }
  return (k) => ranges.some(([lo, hi]) => k >= lo && k <= hi);
}

function cut(args: readonly string[], input: ToolInput): Out {
  const o = options(args, "dfcbO", CUT_LONG, "cut");
  if ("why" in o) return o;
  for (const f of o.flags) if (f !== "s") return refuse("cut", `option -${f}`);
  const only = o.flags.includes("s");
  let delim = "\t";
  let outDelim: string | undefined;
  let fields: string | undefined;
  let chars: string | undefined;
  for (const v of o.values) {
    if (v.name === "d") {
      if (v.value.length !== 1) return { why: `cut's delimiter '${v.value}' is not one character (cut refuses it)` };
      delim = v.value;
    } else if (v.name === "f") fields = v.value;
    else if (v.name === "O") outDelim = v.value;
    else chars = v.value;
  }
  if ((fields === undefined) === (chars === undefined)) return { why: "cut is given neither or both of -f and -c/-b" };
  const inList = cutList(fields ?? chars!);
  if ("why" in inList) return inList;
  const src = sources(o.operands, input);
  if ("why" in src) return src;
  const lines: PlacedLine[] = [];
  for (const l of src.flatMap((s) => s.text.lines)) {
    if (chars !== undefined) {
      if (/[^\x00-\x7f]/.test(l.text)) return { why: "cut -c of text beyond ASCII is not followed" };
      const kept = [...l.text].filter((_, k) => inList(k + 1));
      lines.push({ ...l, text: kept.join(outDelim ?? "") });
      continue;
    }
    if (!l.text.includes(delim)) {
      if (!only) lines.push(l);
      continue;
    }
    const parts = l.text.split(delim).filter((_, k) => inList(k + 1));
    lines.push({ ...l, text: parts.join(outDelim ?? delim) });
  }
  return { lines };
}

// ---- tr ----

/** A tr set's characters in order (escapes, ranges, classes), or why not. */
function trSet(text: string): string[] | { why: string } {
  const out: string[] = [];
  const chars: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "[" && text[i + 1] === ":") {
      const close = text.indexOf(":]", i + 2);
      const name = close < 0 ? "" : text.slice(i + 2, close);
      const cls = TR_CLASSES.has(name) ? classMembers(name) : undefined;
      if (cls === undefined) return { why: `tr's '${text}' has a class fwlint does not follow` };
      chars.push(...cls.map((ch) => `\0class\0${ch}`));
      i = close + 1;
      continue;
    }
    if (c === "[" && /^\[.\*\d*\]/.test(text.slice(i))) return { why: "tr's [c*n] is not followed" };
    if (c === "\\") {
      const e = text[++i];
      if (e === undefined) chars.push("\\");
      else if (/[0-7]/.test(e)) {
        const m = /^[0-7]{1,3}/.exec(text.slice(i))!;
        chars.push(String.fromCharCode(parseInt(m[0], 8)));
        i += m[0].length - 1;
      } else chars.push(({ n: "\n", t: "\t", r: "\r", f: "\f", v: "\v", a: "\x07", b: "\b" } as Record<string, string>)[e] ?? e);
      continue;
    }
    chars.push(c);
  }
  for (let k = 0; k < chars.length; k++) {
    const c = chars[k]!;
    if (c.startsWith("\0class\0")) {
      out.push(c.slice(7));
      continue;
    }
    if (chars[k + 1] === "-" && chars[k + 2] !== undefined && !chars[k + 2]!.startsWith("\0class\0")) {
      const [a, b] = [c.charCodeAt(0), chars[k + 2]!.charCodeAt(0)];
      if (b < a) return { why: `tr's range '${c}-${chars[k + 2]}' is reversed (tr refuses it)` };
      for (let x = a; x <= b; x++) out.push(String.fromCharCode(x));
      k += 2;
      continue;
    }
    out.push(c);
  }
  return out;
}

/** The classes tr's sets are read with (print, graph and cntrl are not followed). */
const TR_CLASSES: ReadonlySet<string> = new Set(["upper", "lower", "digit", "alpha", "alnum", "space", "blank", "punct", "xdigit"]);

function tr(args: readonly string[], input: ToolInput): Out {
  let k = 0;
  let del = false;
  let squeeze = false;
  for (; k < args.length && /^-[ds]+$/.test(args[k]!); k++) {
    if (args[k]!.includes("d")) del = true;
    if (args[k]!.includes("s")) squeeze = true;
  }
  if (args[k] === "--") k++;
  const sets = args.slice(k);
  const option = sets.find((s) => /^-./.test(s));
  if (option !== undefined) return refuse("tr", `option ${option}`);
  const want = del && squeeze ? 2 : del ? 1 : squeeze ? [1, 2] : 2;
  if (Array.isArray(want) ? !want.includes(sets.length) : sets.length !== want) return { why: `tr is given ${sets.length} set(s), which it refuses or fwlint does not follow` };
  const a = trSet(sets[0]!);
  const b = sets[1] === undefined ? undefined : trSet(sets[1]);
  if ("why" in a) return a;
  if (b && "why" in b) return b;
  // (tr reads its standard input only)
  const src = input.stdin();
  if ("why" in src) return src;
  // the stream: the lines, each with its newline but an open last one
  const stream = src.lines.map((l, n) => l.text + (n === src.lines.length - 1 && src.open ? "" : "\n")).join("");
  const origin: number[] = [];
  src.lines.forEach((l, n) => {
    for (let c = 0; c < l.text.length + (n === src.lines.length - 1 && src.open ? 0 : 1); c++) origin.push(n);
  });
  const inA = new Set(a);
  let map: Map<string, string> | undefined;
  if (!del && b) {
    if (b.length === 0) return { why: "tr's second set is empty (tr refuses it)" };
    map = new Map();
    for (const [n, ch] of a.entries()) map.set(ch, b[Math.min(n, b.length - 1)]!);
  }
  const squeezeSet = new Set(squeeze ? (del ? b! : (b ?? a)) : []);
  let out = "";
  const from: number[] = [];
  for (let c = 0; c < stream.length; c++) {
    const ch = stream[c]!;
    if (del && inA.has(ch)) continue;
    const t = map?.get(ch) ?? ch;
    if (squeezeSet.has(t) && out.endsWith(t) && out.length > 0) continue;
    out += t;
    from.push(origin[c]!);
  }
  const lines: PlacedLine[] = [];
  let start = 0;
  for (let c = 0; c <= out.length; c++) {
    if (c === out.length || out[c] === "\n") {
      if (c === out.length && start === c) break;
      const at = src.lines[from[start] ?? from[c - 1] ?? 0] ?? input.at;
      lines.push(placed(at, out.slice(start, c)));
      start = c + 1;
    }
  }
  return out.length > 0 && !out.endsWith("\n") ? { lines, open: true } : { lines };
}

// ---- sort, uniq, head, tail ----

const SORT_LONG: ReadonlyMap<string, string> = new Map([
  ["--unique", "u"],
  ["--numeric-sort", "n"],
  ["--reverse", "r"],
]);

/** A line's order in a locale that sets punctuation and case aside (en_US.UTF-8's first level, roughly). */
const localeKey = (s: string) => s.toLowerCase().replace(/[^0-9a-z]/g, "");

/** The number a line starts with, as sort -n reads it (none: 0). */
function leadingNumber(s: string): number {
  const m = /^[ \t]*(-?\d*(\.\d*)?)/.exec(s);
  const v = m ? Number.parseFloat(m[1]!) : NaN;
  return Number.isNaN(v) ? 0 : v;
}

function sort(args: readonly string[], input: ToolInput): Out {
  const o = options(args, "", SORT_LONG, "sort");
  if ("why" in o) return o;
  for (const f of o.flags) if (!"unr".includes(f)) return refuse("sort", `option -${f}`);
  const [unique, numeric, reverse] = ["u", "n", "r"].map((f) => o.flags.includes(f));
  const src = sources(o.operands, input);
  if ("why" in src) return src;
  const all = joined(src.map((s) => s.text)).lines;
  const bytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  // the whole-line order: the same in the C locale and in one that sets punctuation aside, or refused
  let undecided = false;
  const whole = (a: PlacedLine, b: PlacedLine) => {
    const c = bytes(a.text, b.text);
    const l = bytes(localeKey(a.text), localeKey(b.text));
    if (c !== 0 && l !== c) undecided = true;
    return c;
  };
  const key = (a: PlacedLine, b: PlacedLine) => (numeric ? leadingNumber(a.text) - leadingNumber(b.text) : 0);
  const sorted = [...all].sort((a, b) => {
    const k = key(a, b);
    const c = k !== 0 ? k : unique && numeric ? 0 : whole(a, b);
    return reverse ? -c : c;
  });
  if (undecided) return { why: "sort's order of these lines depends on the locale the script runs in" };
  const lines = unique ? sorted.filter((l, n) => n === 0 || key(sorted[n - 1]!, l) !== 0 || (!numeric && sorted[n - 1]!.text !== l.text)) : sorted;
  return { lines };
}

function uniq(args: readonly string[], input: ToolInput): Out {
  const o = options(args, "", new Map([["--unique", "u"], ["--repeated", "d"], ["--count", "c"]]), "uniq");
  if ("why" in o) return o;
  for (const f of o.flags) if (!"udc".includes(f)) return refuse("uniq", `option -${f}`);
  if (o.operands.length > 1) return refuse("uniq", "output file");
  const src = sources(o.operands, input);
  if ("why" in src) return src;
  const all = src[0]!.text.lines;
  const lines: PlacedLine[] = [];
  for (let n = 0; n < all.length; ) {
    let end = n + 1;
    while (end < all.length && all[end]!.text === all[n]!.text) end++;
    const count = end - n;
    if (!(o.flags.includes("u") && count > 1) && !(o.flags.includes("d") && count === 1)) lines.push(o.flags.includes("c") ? { ...all[n]!, text: `${String(count).padStart(7)} ${all[n]!.text}` } : all[n]!);
    n = end;
  }
  return { lines };
}

function headTail(args: readonly string[], input: ToolInput, tool: "head" | "tail"): Out {
  const rest = [...args];
  let count = "10";
  const files: string[] = [];
  for (let k = 0; k < rest.length; k++) {
    const a = rest[k]!;
    if (/^-\d+$/.test(a)) count = a.slice(1);
    else if (a === "-n" || a === "--lines") count = rest[++k] ?? "";
    else if (/^-n./.test(a)) count = a.slice(2);
    else if (a.startsWith("--lines=")) count = a.slice(8);
    else if (a.startsWith("-") && a !== "-") return refuse(tool, `option ${a}`);
    else files.push(a);
  }
  if (!/^[-+]?\d+$/.test(count)) return { why: `${tool}'s count '${count}' is not a number` };
  if (files.length > 1) return { why: `${tool} of several files prints headers, which fwlint does not follow` };
  const src = sources(files, input);
  if ("why" in src) return src;
  const t = src[0]!.text;
  const n = Number(count.replace(/^\+/, ""));
  let lines: PlacedLine[];
  if (tool === "head") lines = count.startsWith("-") ? t.lines.slice(0, Math.max(0, t.lines.length - Math.abs(n))) : t.lines.slice(0, n);
  else lines = count.startsWith("+") ? t.lines.slice(Math.max(0, n - 1)) : n === 0 ? [] : t.lines.slice(-Math.abs(n));
  const keepsLast = lines.length > 0 && lines[lines.length - 1] === t.lines[t.lines.length - 1];
  return t.open && keepsLast ? { lines, open: true } : { lines };
}

// ---- awk ----

type AwkValue = { kind: "field"; n: number | "NF" } | { kind: "var"; name: "NR" | "NF" } | { kind: "str"; text: string } | { kind: "num"; n: number };
type AwkPattern =
  | { kind: "re"; re: RegExp; on: AwkValue }
  | { kind: "not"; p: AwkPattern }
  | { kind: "and" | "or"; a: AwkPattern; b: AwkPattern }
  | { kind: "cmp"; op: string; a: AwkValue; b: AwkValue }
  | { kind: "truthy"; v: AwkValue };
interface AwkItem {
  pattern?: AwkPattern;
  /** What it prints for a line it selects: the line (no action, `{ print }`), print's items (each a concatenation), or nothing. */
  prints: "line" | AwkValue[][] | "nothing";
  /** `next` after the print: the items after it are not tried for the line. */
  next: boolean;
}

function awk(args: readonly string[], input: ToolInput): Out {
  let fs = " ";
  let k = 0;
  for (; k < args.length; k++) {
    const a = args[k]!;
    if (a === "--") {
      k++;
      break;
    }
    if (a === "-F" || /^-F./.test(a)) {
      const v = a === "-F" ? args[++k] : a.slice(2);
      if (v === undefined) return { why: "awk's -F has no value" };
      if (v === "t") return { why: "awk's -Ft (a tab to some awks) is not followed" };
      const unescaped = awkString(v);
      if (unescaped === undefined) return { why: `awk's -F '${v}' is not followed` };
      fs = unescaped;
      continue;
    }
    if (a.startsWith("-") && a !== "-") return refuse("awk", `option ${a}`);
    break;
  }
  const program = args[k];
  if (program === undefined) return { why: "awk is given no program" };
  const files = args.slice(k + 1);
  if (files.some((f) => f.includes("="))) return { why: "awk's var=value operands are not followed" };
  const exprs: { text: string; re: JsRegex }[] = [];
  const parsed = awkProgram(program, exprs);
  if ("why" in parsed) return parsed;
  let ofs = " ";
  if (parsed.fs !== undefined) fs = parsed.fs;
  if (parsed.ofs !== undefined) ofs = parsed.ofs;
  const split = awkSplitter(fs, exprs);
  if ("why" in split) return split;
  const src = sources(files, input);
  if ("why" in src) return src;
  const costly = tooCostly("awk", exprs, src.flatMap((x) => x.text.lines));
  if (costly) return costly;
  const lines: PlacedLine[] = [];
  let nr = 0;
  for (const l of src.flatMap((s) => s.text.lines)) {
    nr++;
    const fields = split(l.text);
    const value = (v: AwkValue): string | number => {
      if (v.kind === "str") return v.text;
      if (v.kind === "num") return v.n;
      if (v.kind === "var") return v.name === "NR" ? nr : fields.length;
      const n = v.n === "NF" ? fields.length : v.n;
      return n === 0 ? l.text : (fields[n - 1] ?? "");
    };
    const text = (v: AwkValue) => String(value(v));
    const test = (p: AwkPattern): boolean => {
      switch (p.kind) {
        case "re":
          p.re.lastIndex = 0;
          return p.re.test(text(p.on));
        case "not":
          return !test(p.p);
        case "and":
          return test(p.a) && test(p.b);
        case "or":
          return test(p.a) || test(p.b);
        case "truthy": {
          const v = value(p.v);
          return typeof v === "number" ? v !== 0 : isNumeric(v) && p.v.kind === "field" ? Number(v) !== 0 : v !== "";
        }
        case "cmp": {
          const [a, b] = [value(p.a), value(p.b)];
          const num = (v: string | number, from: AwkValue) => typeof v === "number" || (from.kind === "field" && isNumeric(v));
          const both = num(a, p.a) && num(b, p.b);
          const c = both ? Number(a) - Number(b) : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
          return p.op === "==" ? c === 0 : p.op === "!=" ? c !== 0 : p.op === "<" ? c < 0 : p.op === "<=" ? c <= 0 : p.op === ">" ? c > 0 : c >= 0;
        }
      }
    };
    for (const item of parsed.items) {
      if (item.pattern && !test(item.pattern)) continue;
      if (item.prints === "line") lines.push(l);
      else if (item.prints !== "nothing") lines.push({ ...l, text: item.prints.map((cat) => cat.map(text).join("")).join(ofs) });
      if (item.next) break;
    }
  }
  return { lines };
}

/** A string as awk reads its escapes (in -F, and string constants), or undefined. */
function awkString(s: string): string | undefined {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "\\") {
      out += s[i];
      continue;
    }
    const e = s[++i];
    const m = e === undefined ? undefined : ({ t: "\t", n: "\n", "\\": "\\", '"': '"', "/": "/" } as Record<string, string>)[e];
    if (m === undefined) return undefined;
    out += m;
  }
  return out;
}

/** awk's number-looking strings (a field compared as a number when it is one). */
const isNumeric = (s: string) => /^[ \t]*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)[ \t]*$/.test(s);

/** How FS splits a line: blanks (the default), one other character, or an extended expression. */
function awkSplitter(fs: string, exprs: { text: string; re: JsRegex }[]): ((line: string) => string[]) | { why: string } {
  if (fs === " ") return (line) => (line.trim() === "" ? [] : line.replace(/^[ \t\n]+|[ \t\n]+$/g, "").split(/[ \t\n]+/));
  if (fs.length === 1 && fs !== "\\") return (line) => (line === "" ? [] : line.split(fs));
  const r = posixRegex(fs, true, "awk");
  if ("why" in r) return { why: `awk's field separator '${fs}': ${r.why}` };
  exprs.push({ text: fs, re: r });
  const re = new RegExp(r.source);
  return (line) => (line === "" ? [] : line.split(re));
}

/** An awk program of `pattern { print ... }` items (BEGIN setting FS and OFS), or why not. */
function awkProgram(src: string, exprs: { text: string; re: JsRegex }[]): { items: AwkItem[]; fs?: string; ofs?: string } | { why: string } {
  const toks: string[] = [];
  const TOKEN = /\s+|#[^\n]*|"(?:[^"\\\n]|\\.)*"|\/(?:[^/\\\n]|\\.)+\/|\$\(NF\)|\$NF|\$\d+|&&|\|\||[!=<>]=|!~|[{}();,!~<>]|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|./g;
  for (const m of src.matchAll(TOKEN)) if (!/^\s/.test(m[0]) && !m[0].startsWith("#")) toks.push(m[0]);
  let i = 0;
  let fs: string | undefined;
  let ofs: string | undefined;
  const items: AwkItem[] = [];
  const why = (w: string) => ({ why: `awk's program: ${w}` });
  const value = (): AwkValue | { why: string } => {
    const t = toks[i++];
    if (t === undefined) return why("it ends where a value is expected");
    if (t === "$NF" || t === "$(NF)") return { kind: "field", n: "NF" };
    if (/^\$\d+$/.test(t)) return { kind: "field", n: Number(t.slice(1)) };
    if (t === "NR" || t === "NF") return { kind: "var", name: t };
    if (t.startsWith('"')) {
      const s = awkString(t.slice(1, -1));
      return s === undefined ? why(`the string ${t} has an escape fwlint does not follow`) : { kind: "str", text: s };
    }
    if (/^\d+(\.\d+)?$/.test(t)) return { kind: "num", n: Number(t) };
    return why(`'${t}' is not followed`);
  };
  const regex = (t: string): RegExp | { why: string } => {
    const r = posixRegex(t.slice(1, -1), true, "awk");
    if ("why" in r) return why(`${t}: ${r.why}`);
    exprs.push({ text: t.slice(1, -1), re: r });
    return new RegExp(r.source, "g");
  };
  const primary = (): AwkPattern | { why: string } => {
    const t = toks[i];
    if (t === "!") {
      i++;
      const p = primary();
      return "why" in p ? p : { kind: "not", p };
    }
    if (t === "(") {
      i++;
      const p = or();
      if ("why" in p) return p;
      if (toks[i++] !== ")") return why("a '(' not closed");
      return p;
    }
    if (t?.startsWith("/")) {
      i++;
      const re = regex(t);
      return "why" in re ? re : { kind: "re", re, on: { kind: "field", n: 0 } };
    }
    const a = value();
    if ("why" in a) return a;
    const op = toks[i];
    if (op === "~" || op === "!~") {
      i++;
      const r = toks[i++];
      if (!r?.startsWith("/")) return why(`'${op}' is not followed by /expression/`);
      const re = regex(r);
      if ("why" in re) return re;
      const p: AwkPattern = { kind: "re", re, on: a };
      return op === "~" ? p : { kind: "not", p };
    }
    if (op !== undefined && ["==", "!=", "<", "<=", ">", ">="].includes(op)) {
      i++;
      const b = value();
      return "why" in b ? b : { kind: "cmp", op, a, b };
    }
    return { kind: "truthy", v: a };
  };
  const and = (): AwkPattern | { why: string } => {
    let a = primary();
    while (!("why" in a) && toks[i] === "&&") {
      i++;
      const b = primary();
      a = "why" in b ? b : { kind: "and", a, b };
    }
    return a;
  };
  const or = (): AwkPattern | { why: string } => {
    let a = and();
    while (!("why" in a) && toks[i] === "||") {
      i++;
      const b = and();
      a = "why" in b ? b : { kind: "or", a, b };
    }
    return a;
  };
  while (i < toks.length) {
    if (toks[i] === ";") {
      i++;
      continue;
    }
    if (toks[i] === "BEGIN") {
      i++;
      if (toks[i++] !== "{") return why("BEGIN without { }");
      while (toks[i] !== "}") {
        if (toks[i] === ";") {
          i++;
          continue;
        }
        const name = toks[i++];
        if ((name !== "FS" && name !== "OFS") || toks[i++] !== "=") return why("a BEGIN other than FS= and OFS= is not followed");
        const v = value();
        if ("why" in v) return v;
        if (v.kind !== "str") return why("FS and OFS are set to strings only");
        if (name === "FS") fs = v.text;
        else ofs = v.text;
      }
      i++;
      continue;
    }
    let pattern: AwkPattern | undefined;
    if (toks[i] !== "{") {
      const p = or();
      if ("why" in p) return p;
      pattern = p;
    }
    let prints: AwkItem["prints"] = "line";
    let next = false;
    if (toks[i] === "{") {
      i++;
      prints = "nothing";
      while (toks[i] !== "}") {
        if (toks[i] === undefined) return why("a '{' not closed");
        if (toks[i] === ";") {
          i++;
          continue;
        }
        if (toks[i] === "next" && !next) {
          next = true;
          i++;
          continue;
        }
        if (toks[i] !== "print" || prints !== "nothing" || next) return why(`'${toks[i]}' (one print, then next, is followed)`);
        i++;
        const list: AwkValue[][] = [];
        let cat: AwkValue[] = [];
        while (toks[i] !== undefined && toks[i] !== "}" && toks[i] !== ";") {
          if (toks[i] === ",") {
            if (cat.length === 0) return why("an empty print item");
            list.push(cat);
            cat = [];
            i++;
            continue;
          }
          if (toks[i] === ">" || toks[i] === "|" || toks[i] === "(") return why("print with redirections or parentheses is not followed");
          const v = value();
          if ("why" in v) return v;
          cat.push(v);
        }
        if (cat.length === 0 && list.length > 0) return why("an empty print item");
        if (cat.length > 0) list.push(cat);
        prints = list.length === 0 ? "line" : list;
      }
      i++;
    } else if (pattern === undefined) return why(`'${toks[i]}' is not followed`);
    items.push({ ...(pattern ? { pattern } : {}), prints, next });
  }
  return { items, ...(fs !== undefined ? { fs } : {}), ...(ofs !== undefined ? { ofs } : {}) };
}
