/**
 * Jinja templates as Ansible's `template` module renders them: `{{ expression }}`, `{% for %}`
 * (over a list, a mapping's `.items()` / `.keys()` / `.values()`, `range(...)`; `for a, b in`;
 * a loop `if`; `{% else %}` of an empty loop; `loop.index`, `loop.first` ...), `{% if %}` /
 * `{% elif %}` / `{% else %}`, `{% set %}`, `{% include %}` (through a loader the caller gives),
 * `{% macro %}` (called alone: `{{ name(arguments) }}`), `{% raw %}`, comments, whitespace control (`{%-`,
 * `-%}`, `+%}`), and Ansible's environment: `trim_blocks` on, `lstrip_blocks` off, unless the
 * template's first line says otherwise (`#jinja2: trim_blocks: False, lstrip_blocks: True`).
 * Expressions are computed as parsers/ansible/tasks.ts computes a task's (variables, attributes,
 * the filters listed there) plus literals, `~` and `a if c else b`; conditions as when.ts decides
 * them, with Jinja's truth of a string.
 *
 *   renderTemplate(source, vars) -> { text, lines } | { why, line, column }
 *
 * `lines[i]` is the template's line (1-based) that output line i+1 came from: the line of its
 * first character that is not blank, so a rule a loop writes is found at the loop's body. What
 * is not rendered (a variable fwlint does not know, a condition it cannot decide, a statement it
 * does not run) is said with its place; the output is all or nothing, as Ansible's is.
 */
import { jinja, splitOutside, type Value } from "./tasks.js";
import { decideWhen, type TemplateTruth } from "./when.js";
import { isWhy, why } from "./why.js";

type Vars = ReadonlyMap<string, Value>;

export interface Rendered {
  text: string;
  /** The template line of each output line (see the header). */
  lines: number[];
  /** The file of each output line: undefined for the template, else the template it includes that wrote it (as the include callback named it). */
  files: (string | undefined)[];
  /** Variables fwlint does not know that the template's `is defined` tests were read as not defined, in order. */
  assumedUndefined: string[];
}

export interface NotRendered {
  why: string;
  line: number;
  column: number;
  /** The included template it is in; undefined: the template itself. */
  file?: string;
}

/** Finds a template that `{% include %}` names: its text and how to name it; undefined when there is none. */
export type IncludeLoader = (name: string) => { text: string; file: string } | undefined;

/** Includes nested this deep at most (a template that includes itself). */
const MAX_INCLUDES = 16;

/** Loop iterations rendered at most (a range of millions is no firewall's). */
const MAX_ITERATIONS = 200_000;
/** Output size at most. */
const MAX_OUTPUT = 50_000_000;
/** Nesting of blocks at most. */
const MAX_NESTING = 64;

interface Tag {
  kind: "text" | "out" | "stmt";
  /** The text (text), the expression (out) or the statement (stmt), trimmed. */
  body: string;
  line: number;
  column: number;
}

class Failed extends Error {
  /** The included template it is in (set as it leaves the include). */
  file: string | undefined;
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(reason);
  }
}

/** The template's `#jinja2:` first line, when it has one: its settings and the text after it. */
function header(source: string): { trimBlocks: boolean; lstripBlocks: boolean; body: string; skipped: number } {
  const m = /^#jinja2:([^\n]*)(\n|$)/.exec(source);
  let trimBlocks = true;
  let lstripBlocks = false;
  if (!m) return { trimBlocks, lstripBlocks, body: source, skipped: 0 };
  for (const part of m[1]!.split(",")) {
    const kv = /^\s*([a-z_]+)\s*:\s*(\S+)\s*$/.exec(part);
    if (!kv) continue;
    const on = /^(true|yes|1)$/i.test(kv[2]!);
    if (kv[1] === "trim_blocks") trimBlocks = on;
    else if (kv[1] === "lstrip_blocks") lstripBlocks = on;
  }
  return { trimBlocks, lstripBlocks, body: source.slice(m[0].length), skipped: 1 };
}

/** Where a tag's closing delimiter starts, skipping quoted strings; -1 when it is not closed. */
function closeOf(source: string, from: number, close: string): number {
  let quote = "";
  for (let i = from; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === close[0] && source.startsWith(close, i)) return i;
  }
  return -1;
}

/** The template's text and tags, with Jinja's whitespace control and Ansible's trim settings applied. */
function lex(source: string, trimBlocks: boolean, lstripBlocks: boolean, firstLine: number): Tag[] {
  const tags: Tag[] = [];
  let at = 0;
  let line = firstLine;
  let lineStart = 0;
  /** Text starts are stripped of whitespace after a `-` close. */
  let stripNext = false;
  const advance = (to: number) => {
    for (let i = at; i < to; i++) {
      if (source.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    at = to;
  };
  const pushText = (text: string, l: number, c: number) => {
    if (stripNext) {
      const lead = /^\s+/.exec(text)?.[0] ?? "";
      for (const ch of lead) if (ch === "\n") l++;
      text = text.slice(lead.length);
      stripNext = false;
    }
    if (text !== "") tags.push({ kind: "text", body: text, line: l, column: c });
  };
  while (at < source.length) {
    const open = source.slice(at).search(/\{[{%#]/);
    const start = open < 0 ? source.length : at + open;
    let text = source.slice(at, start);
    const textLine = line;
    const textColumn = at - lineStart + 1;
    if (start >= source.length) {
      pushText(text, textLine, textColumn);
      break;
    }
    const kind = source[start + 1]!;
    const close = kind === "{" ? "}}" : kind === "%" ? "%}" : "#}";
    const inner = start + 2;
    const minusOpen = source[inner] === "-";
    const plusOpen = source[inner] === "+";
    // whitespace before the tag: `{%-` strips it all; lstrip_blocks a block's or comment's indentation
    if (minusOpen) text = text.replace(/\s+$/, "");
    else if (lstripBlocks && kind !== "{" && !plusOpen) {
      // (only when the tag is the first thing on its line)
      const m = /(^|\n)[ \t]+$/.exec(text);
      if (m && (m[1] === "\n" || at === 0 || source[at - 1] === "\n")) text = text.slice(0, m.index + m[1]!.length);
    }
    pushText(text, textLine, textColumn);
    advance(start);
    const tagLine = line;
    const tagColumn = start - lineStart + 1;
    const end = kind === "#" ? source.indexOf(close, inner) : closeOf(source, inner, close);
    if (end < 0) throw new Failed(`'${source.slice(start, start + 2)}' is not closed with '${close}'`, tagLine, tagColumn);
    const minusClose = source[end - 1] === "-" && end - 1 >= inner + (minusOpen || plusOpen ? 1 : 0);
    const plusClose = source[end - 1] === "+" && end - 1 >= inner + (minusOpen || plusOpen ? 1 : 0);
    const body = source.slice(inner + (minusOpen || plusOpen ? 1 : 0), end - (minusClose || plusClose ? 1 : 0)).trim();
    let next = end + 2;
    if (kind === "%" && /^raw$/.test(body)) {
      if (plusClose) throw new Failed("'{% raw +%}' is not a tag Jinja reads", tagLine, tagColumn);
      // {% raw %} ... {% endraw %}: the text between as it is
      const endRaw = /\{%([-+]?)\s*endraw\s*([-+]?)%\}/g;
      endRaw.lastIndex = next;
      const m = endRaw.exec(source);
      if (!m) throw new Failed("'{% raw %}' is not closed with '{% endraw %}'", tagLine, tagColumn);
      // (Jinja's trim_blocks removes no newline after `{% raw %}`, only after `{% endraw %}`)
      let rawText = source.slice(next, m.index);
      if (minusClose) rawText = rawText.replace(/^\s+/, "");
      if (m[1] === "-") rawText = rawText.replace(/\s+$/, "");
      advance(next);
      pushText(rawText, line, next - lineStart + 1);
      next = m.index + m[0].length;
      advance(next);
      if (m[2] === "-") stripNext = true;
      else if (trimBlocks && m[2] !== "+" && source[next] === "\n") advance(next + 1);
      continue;
    }
    if (kind === "{") tags.push({ kind: "out", body, line: tagLine, column: tagColumn });
    else if (kind === "%") tags.push({ kind: "stmt", body, line: tagLine, column: tagColumn });
    advance(next);
    if (minusClose) stripNext = true;
    else if (kind !== "{" && trimBlocks && !plusClose) {
      if (source[next] === "\n") advance(next + 1);
      else if (source[next] === "\r" && source[next + 1] === "\n") advance(next + 2);
    }
  }
  return tags;
}

type Body = Block[];
type Block =
  | { kind: "text"; text: string; line: number }
  | { kind: "out"; expr: string; line: number; column: number }
  | { kind: "for"; targets: string[]; iter: string; filter?: string; body: Body; orElse: Body; line: number; column: number }
  | { kind: "if"; branches: { cond: string; body: Body; line: number; column: number }[]; orElse: Body }
  | { kind: "set"; name: string; expr: string; line: number; column: number }
  | { kind: "include"; expr: string; ignoreMissing: boolean; withContext: boolean; line: number; column: number }
  | { kind: "macro"; macro: Macro };

/** A `{% macro NAME(a, b=default) %}`: its parameters (a default's expression, evaluated at each call) and body. */
interface Macro {
  name: string;
  params: { name: string; fallback?: string }[];
  body: Body;
  line: number;
  column: number;
}

/** The tags as nested blocks. */
function parse(tags: Tag[]): Body {
  let at = 0;
  const statement = (t: Tag) => /^([a-z_]+)\b\s*([\s\S]*)$/.exec(t.body) ?? ["", "", ""];
  const body = (ends: readonly string[], depth: number): { body: Body; end?: Tag; word?: string } => {
    if (depth > MAX_NESTING) throw new Failed(`blocks nest deeper than ${MAX_NESTING}`, tags[at]?.line ?? 1, tags[at]?.column ?? 1);
    const out: Body = [];
    while (at < tags.length) {
      const t = tags[at++]!;
      if (t.kind === "text") out.push({ kind: "text", text: t.body, line: t.line });
      else if (t.kind === "out") out.push({ kind: "out", expr: t.body, line: t.line, column: t.column });
      else {
        const [, word, rest] = statement(t);
        if (ends.includes(word!)) return { body: out, end: t, word: word! };
        switch (word) {
          case "for": {
            const m = /^([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)\s+in\s+([\s\S]+?)(?:\s+if\s+([\s\S]+?))?(?:\s+recursive)?$/.exec(rest!);
            if (!m) throw new Failed(`'{% ${t.body} %}' is not a loop fwlint reads ('for NAME in EXPRESSION')`, t.line, t.column);
            const inner = body(["endfor", "else"], depth + 1);
            let orElse: Body = [];
            if (inner.word === "else") {
              const after = body(["endfor"], depth + 1);
              if (!after.end) throw new Failed("'{% for %}' is not closed with '{% endfor %}'", t.line, t.column);
              orElse = after.body;
            } else if (!inner.end) throw new Failed("'{% for %}' is not closed with '{% endfor %}'", t.line, t.column);
            out.push({ kind: "for", targets: m[1]!.split(",").map((s) => s.trim()), iter: m[2]!, ...(m[3] !== undefined ? { filter: m[3] } : {}), body: inner.body, orElse, line: t.line, column: t.column });
            break;
          }
          case "if": {
            const branches: { cond: string; body: Body; line: number; column: number }[] = [];
            let cond = rest!;
            let from = t;
            let orElse: Body = [];
            for (;;) {
              const inner = body(["elif", "else", "endif"], depth + 1);
              if (!inner.end) throw new Failed("'{% if %}' is not closed with '{% endif %}'", t.line, t.column);
              branches.push({ cond, body: inner.body, line: from.line, column: from.column });
              if (inner.word === "elif") {
                cond = statement(inner.end)[2]!;
                from = inner.end;
                continue;
              }
              if (inner.word === "else") {
                const last = body(["endif"], depth + 1);
                if (!last.end) throw new Failed("'{% if %}' is not closed with '{% endif %}'", t.line, t.column);
                orElse = last.body;
              }
              break;
            }
            out.push({ kind: "if", branches, orElse });
            break;
          }
          case "set": {
            const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([\s\S]+)$/.exec(rest!);
            if (!m) throw new Failed(`'{% ${t.body} %}' is not an assignment fwlint runs ('set NAME = EXPRESSION')`, t.line, t.column);
            out.push({ kind: "set", name: m[1]!, expr: m[2]!, line: t.line, column: t.column });
            break;
          }
          case "include": {
            const m = /^([\s\S]+?)(\s+ignore\s+missing)?(?:\s+(with|without)\s+context)?$/.exec(rest!);
            if (!m) throw new Failed(`'{% ${t.body} %}' is not an include fwlint reads ('include NAME')`, t.line, t.column);
            out.push({ kind: "include", expr: m[1]!, ignoreMissing: m[2] !== undefined, withContext: m[3] !== "without", line: t.line, column: t.column });
            break;
          }
          case "macro": {
            const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(([\s\S]*)\)$/.exec(rest!.trim());
            if (!m) throw new Failed(`'{% ${t.body} %}' is not a macro fwlint reads ('macro NAME(PARAMETERS)')`, t.line, t.column);
            const params: { name: string; fallback?: string }[] = [];
            for (const p of m[2]!.trim() === "" ? [] : splitOutside(m[2]!, ",")) {
              const pm = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:=\s*([\s\S]+?))?\s*$/.exec(p);
              if (!pm) throw new Failed(`'{% ${t.body} %}': '${p.trim()}' is not a parameter fwlint reads`, t.line, t.column);
              params.push({ name: pm[1]!, ...(pm[2] !== undefined ? { fallback: pm[2] } : {}) });
            }
            const inner = body(["endmacro"], depth + 1);
            if (!inner.end) throw new Failed("'{% macro %}' is not closed with '{% endmacro %}'", t.line, t.column);
            out.push({ kind: "macro", macro: { name: m[1]!, params, body: inner.body, line: t.line, column: t.column } });
            break;
          }
          default:
            if (["endfor", "endif", "elif", "else", "endmacro"].includes(word!)) throw new Failed(`'{% ${word} %}' without its opening statement`, t.line, t.column);
            throw new Failed(`'{% ${word} %}' is a Jinja statement fwlint does not run`, t.line, t.column);
        }
      }
    }
    return { body: out };
  };
  const all = body([], 0);
  if (all.end) throw new Failed(`'{% ${all.word} %}' without its opening statement`, all.end.line, all.end.column);
  return all.body;
}

/** Whether `text` is one group in parentheses, `( ... )`, whose closing one is its last character. */
function parenthesized(text: string): boolean {
  if (!text.startsWith("(") || !text.endsWith(")")) return false;
  let depth = 0;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0 && i < text.length - 1) return false;
  }
  return depth === 0;
}

/** Jinja's text of a value, as `{{ }}` writes it; undefined for a list or mapping (Python's repr is not written here). */
function textOf(v: Value): string | undefined {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "object") return undefined;
  return String(v);
}

/** An expression's value (see the header), or why it is not known. */
function evaluate(expr: string, vars: Vars, truth: TemplateTruth): Value | { why: string } {
  const text = expr.trim();
  // a if c else b
  const cond = splitOutside(text, " if ");
  if (cond.length === 2) {
    const alt = splitOutside(cond[1]!, " else ");
    const decided = decideWhen(alt[0]!.trim(), vars, truth);
    if (decided === undefined) return why(`the condition '${alt[0]!.trim()}' is not decided by the variables fwlint reads`);
    if (decided) return evaluate(cond[0]!, vars, truth);
    return alt.length === 2 ? evaluate(alt[1]!, vars, truth) : "";
  }
  // a ~ b: the texts joined
  const parts = splitOutside(text, "~");
  if (parts.length > 1) {
    let out = "";
    for (const p of parts) {
      const v = evaluate(p, vars, truth);
      if (isWhy(v)) return v;
      const t = textOf(v as Value);
      if (t === undefined) return why(`'${p.trim()}' is a list or mapping inside a text`);
      out += t;
    }
    return out;
  }
  if (/^'[^']*'$|^"[^"]*"$/.test(text)) return text.slice(1, -1);
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^(true|True)$/.test(text)) return true;
  if (/^(false|False)$/.test(text)) return false;
  if (/^(none|None)$/.test(text)) return null;
  if (/^\[.*\]$/s.test(text)) {
    const inner = text.slice(1, -1).trim();
    if (inner === "") return [];
    const items: Value[] = [];
    for (const p of splitOutside(inner, ",")) {
      const v = evaluate(p, vars, truth);
      if (isWhy(v)) return v;
      items.push(v as Value);
    }
    return items;
  }
  if (parenthesized(text)) return evaluate(text.slice(1, -1), vars, truth);
  return jinja(text, vars);
}

/** What a loop goes over: a list, a mapping's items, keys or values, or a range. */
function iterable(expr: string, vars: Vars, truth: TemplateTruth): Value[] | { why: string } {
  const text = expr.trim();
  const range = /^range\(([^)]*)\)$/.exec(text);
  if (range) {
    const args = splitOutside(range[1]!, ",").map((a) => evaluate(a, vars, truth));
    if (args.some((a) => typeof a !== "number")) return why(`'${text}' has arguments that are not numbers fwlint knows`);
    const [a, b, c] = args as number[];
    const [from, to, step] = b === undefined ? [0, a!, 1] : [a!, b, c ?? 1];
    if (step === 0) return why(`'${text}' has a step of 0`);
    const out: number[] = [];
    for (let i = from; step > 0 ? i < to : i > to; i += step) {
      out.push(i);
      if (out.length > MAX_ITERATIONS) return why(`'${text}' goes over more than ${MAX_ITERATIONS} values`);
    }
    return out;
  }
  const method = /^([\s\S]+?)\.(items|keys|values)\(\)$/.exec(text);
  const v = evaluate(method ? method[1]! : text, vars, truth);
  if (isWhy(v)) return v;
  if (method) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return why(`'${method[1]!.trim()}' is not a mapping`);
    const entries = Object.entries(v);
    return method[2] === "items" ? entries.map(([k, x]) => [k, x]) : method[2] === "keys" ? entries.map(([k]) => k) : entries.map(([, x]) => x);
  }
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return [...v];
  if (v !== null && typeof v === "object") return Object.keys(v);
  return why(`'${text}' is not a list fwlint knows`);
}

export function renderTemplate(source: string, vars: Vars, include?: IncludeLoader): Rendered | NotRendered {
  const { trimBlocks, lstripBlocks, body: text, skipped } = header(source);
  const out: string[] = [];
  const lines: number[] = [];
  const files: (string | undefined)[] = [];
  /** The included template being rendered (undefined: the template itself), and how deep. */
  let current: string | undefined;
  let depth = 0;
  let size = 0;
  /** Whether the output line being written has had a character that is not blank yet. */
  let placed = false;
  const emit = (s: string, line: number) => {
    size += s.length;
    if (size > MAX_OUTPUT) throw new Failed(`the output is longer than ${MAX_OUTPUT} characters`, line, 1);
    let l = line;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 10) {
        if (!placed) {
          lines.push(l);
          files.push(current);
        }
        placed = false;
        l++;
      } else if (!placed && c !== 32 && c !== 9 && c !== 13) {
        lines.push(l);
        files.push(current);
        placed = true;
      }
    }
    out.push(s);
  };
  let iterations = 0;
  /** The macros defined so far (a macro is callable after its definition, as in Jinja). */
  const macros = new Map<string, Macro>();
  let calls = 0;
  /**
   * A macro's body run where it is called: its parameters bound to the arguments (positional,
   * then by name; a missing one its default, evaluated among the parameters before it), over the
   * template's variables - not the caller's loop variables, as in Jinja.
   */
  const runMacro = (m: Macro, args: { positional: string[]; named: Map<string, string> }, scope: Map<string, Value>, at: { line: number; column: number }) => {
    if (args.positional.length > m.params.length) throw new Failed(`macro '${m.name}' takes ${m.params.length} arguments, not ${args.positional.length}`, at.line, at.column);
    if (++calls > MAX_ITERATIONS) throw new Failed(`macros are called more than ${MAX_ITERATIONS} times`, at.line, at.column);
    const inner = new Map<string, Value>(topScope);
    for (const [i, p] of m.params.entries()) {
      const given = i < args.positional.length ? args.positional[i] : args.named.get(p.name);
      const from = i < args.positional.length || args.named.has(p.name) ? scope : inner;
      const text = given ?? p.fallback;
      if (text === undefined) throw new Failed(`macro '${m.name}' is called without its argument '${p.name}'`, at.line, at.column);
      const v = evaluate(text, from, truth);
      if (isWhy(v)) throw new Failed(`macro '${m.name}', argument '${p.name}': ${v.why}`, at.line, at.column);
      inner.set(p.name, v as Value);
    }
    for (const k of args.named.keys()) if (!m.params.some((p) => p.name === k)) throw new Failed(`macro '${m.name}' has no parameter '${k}'`, at.line, at.column);
    macroDepth++;
    if (macroDepth > MAX_NESTING) throw new Failed(`macro calls nest deeper than ${MAX_NESTING}`, at.line, at.column);
    try {
      run(m.body, inner);
    } finally {
      macroDepth--;
    }
  };
  let macroDepth = 0;
  /** The template's own scope: its variables and what its top level sets - what a macro sees besides its parameters. */
  const topScope = new Map(vars);
  const assumedUndefined: string[] = [];
  const truth: TemplateTruth = { assumeUndefined: (name) => void (assumedUndefined.includes(name) || assumedUndefined.push(name)) };
  const run = (body: Body, scope: Map<string, Value>) => {
    for (const b of body) {
      switch (b.kind) {
        case "text":
          emit(b.text, b.line);
          break;
        case "out": {
          // (a macro called alone writes its body here, with its arguments)
          const call = macroCall(b.expr, macros);
          if (call) {
            runMacro(call.macro, call.args, scope, b);
            break;
          }
          const v = evaluate(b.expr, scope, truth);
          if (isWhy(v)) throw new Failed(`{{ ${b.expr} }}: ${v.why}`, b.line, b.column);
          // (Ansible's Jinja environment writes None out as nothing: its finalize)
          const t = v === null ? "" : textOf(v as Value);
          if (t === undefined) throw new Failed(`{{ ${b.expr} }} is a list or mapping, which fwlint does not write out as Python does`, b.line, b.column);
          emit(t, b.line);
          break;
        }
        case "macro":
          macros.set(b.macro.name, b.macro);
          break;
        case "set": {
          const v = evaluate(b.expr, scope, truth);
          if (isWhy(v)) throw new Failed(`{% set ${b.name} %}: ${v.why}`, b.line, b.column);
          scope.set(b.name, v as Value);
          break;
        }
        case "include": {
          const v = evaluate(b.expr, scope, truth);
          if (isWhy(v)) throw new Failed(`{% include ${b.expr} %}: ${v.why}`, b.line, b.column);
          // (a list names templates to try in turn)
          const names = Array.isArray(v) ? v : [v];
          if (names.some((n) => typeof n !== "string")) throw new Failed(`{% include ${b.expr} %}: the name is not a text`, b.line, b.column);
          const found = include === undefined ? undefined : (names as string[]).map((n) => include(n)).find((f) => f !== undefined);
          if (!found) {
            if (b.ignoreMissing) break;
            throw new Failed(`{% include ${b.expr} %}: ${names.map((n) => `'${String(n)}'`).join(", ")} is not found beside the template or in its role's or project's templates/`, b.line, b.column);
          }
          if (depth >= MAX_INCLUDES) throw new Failed(`includes nest deeper than ${MAX_INCLUDES}`, b.line, b.column);
          const outer = current;
          current = found.file;
          depth++;
          try {
            // (an included template's last newline is dropped as every template's is; its variables are the includer's, its assignments its own)
            run(parse(lex(found.text.replace(/\r?\n$/, ""), trimBlocks, lstripBlocks, 1)), b.withContext ? new Map(scope) : new Map());
          } catch (e) {
            if (e instanceof Failed && e.file === undefined) e.file = found.file;
            throw e;
          } finally {
            current = outer;
            depth--;
          }
          break;
        }
        case "if": {
          let done = false;
          for (const br of b.branches) {
            const d = decideWhen(br.cond, scope, truth);
            if (d === undefined) throw new Failed(`the condition '${br.cond}' is not decided by the variables fwlint reads`, br.line, br.column);
            if (d) {
              run(br.body, scope);
              done = true;
              break;
            }
          }
          if (!done) run(b.orElse, scope);
          break;
        }
        case "for": {
          const items = iterable(b.iter, scope, truth);
          if (isWhy(items)) throw new Failed(`{% for ${b.targets.join(", ")} in ${b.iter} %}: ${items.why}`, b.line, b.column);
          const list = items as Value[];
          // (a loop's `if` filters the items first: loop.index and loop.last count those kept)
          const kept: Map<string, Value>[] = [];
          for (const item of list) {
            const inner = new Map(scope);
            if (b.targets.length === 1) inner.set(b.targets[0]!, item);
            else {
              if (!Array.isArray(item) || item.length !== b.targets.length) throw new Failed(`{% for ${b.targets.join(", ")} %}: an item does not unpack into ${b.targets.length} values`, b.line, b.column);
              b.targets.forEach((t, i) => inner.set(t, item[i]!));
            }
            if (b.filter !== undefined) {
              const d = decideWhen(b.filter, inner, truth);
              if (d === undefined) throw new Failed(`the loop's condition '${b.filter}' is not decided by the variables fwlint reads`, b.line, b.column);
              if (!d) continue;
            }
            kept.push(inner);
          }
          if (kept.length === 0) run(b.orElse, scope);
          kept.forEach((inner, i) => {
            if (++iterations > MAX_ITERATIONS) throw new Failed(`loops run more than ${MAX_ITERATIONS} times`, b.line, b.column);
            inner.set("loop", { index: i + 1, index0: i, revindex: kept.length - i, revindex0: kept.length - i - 1, first: i === 0, last: i === kept.length - 1, length: kept.length });
            run(b.body, inner);
          });
          break;
        }
      }
    }
  };
  try {
    // (Jinja drops the template's last newline; Ansible then gives the output as many newlines at
    // its end as the template has, when it has fewer)
    const tags = lex(text.replace(/\r?\n$/, ""), trimBlocks, lstripBlocks, 1 + skipped);
    run(parse(tags), topScope);
  } catch (e) {
    if (e instanceof Failed) return { why: e.reason, line: e.line, column: e.column, ...(e.file !== undefined ? { file: e.file } : {}) };
    throw e;
  }
  const missing = trailingNewlines(source) - trailingNewlines(out.join(""));
  if (missing > 0) emit("\n".repeat(missing), 1 + skipped + text.split("\n").length - 1);
  return { text: out.join(""), lines, files, assumedUndefined };
}

/**
 * `{{ NAME(arguments) }}` where NAME is a macro defined before: the macro and its arguments' texts
 * (positional ones, then `name=value` ones); undefined for any other expression.
 */
function macroCall(expr: string, macros: ReadonlyMap<string, Macro>): { macro: Macro; args: { positional: string[]; named: Map<string, string> } } | undefined {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(([\s\S]*)\)\s*$/.exec(expr);
  const macro = m ? macros.get(m[1]!) : undefined;
  if (!m || !macro || !parenthesized(expr.trim().slice(m[1]!.length).trim())) return undefined;
  const positional: string[] = [];
  const named = new Map<string, string>();
  for (const a of m[2]!.trim() === "" ? [] : splitOutside(m[2]!, ",")) {
    const kw = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)\s*([\s\S]+)$/.exec(a);
    if (kw) named.set(kw[1]!, kw[2]!);
    else positional.push(a);
  }
  return { macro, args: { positional, named } };
}

/** How many newlines end a text. */
function trailingNewlines(text: string): number {
  return text.length - text.replace(/\n+$/, "").length;
}
