/**
 * POSIX regular expressions as grep, sed and awk read them - basic (grep and sed by default) and
 * extended (grep -E, sed -E, awk), with GNU's extensions to both (`\+`, `\?`, `\|` in a basic one;
 * `\w`, `\W`, `\s`, `\S`, `\b`, `\B`, `\<`, `\>`; back-references) - turned into JavaScript
 * RegExps that match the same lines. What is written differently in the two (a `.` that takes
 * every character but the newline, a bracket expression's backslash taken as itself, `[:space:]`
 * classes, `*` taken as itself at the start of a basic expression, `^` and `$` anchors only where
 * a basic expression has them) is translated; what fwlint does not follow (collating elements,
 * equivalence classes, an escape the tool reads its own way) is refused with why.
 *
 * Whether a line matches is the same in both. Where a match starts and ends (sed's `s`, grep -o)
 * is the same too as long as no alternation and no repeated group is involved: POSIX takes the
 * longest match at the leftmost place, JavaScript the first its backtracking finds, and only
 * those two constructs let the two part (`ambiguous` says the expression has one).
 */

export interface JsRegex {
  /** The RegExp's source. */
  source: string;
  /** Alternation or a repeated group: where a match ends may differ from POSIX's longest. */
  ambiguous: boolean;
  /** Its groups (for a replacement's `\1`..`\9`). */
  groups: number;
  /**
   * How the work of JavaScript's backtracking grows with a line's length n at the worst: about
   * n^degree per place a match is tried (each unbounded repetition one factor; Infinity for one
   * repeated inside another, which can take exponential time). See matchCost.
   */
  degree: number;
  /** It starts with `^` (and has no alternation at its top): a match is tried at one place only. */
  anchored: boolean;
}

/**
 * The worst work matching `re` against lines of these lengths could take (steps, roughly): the
 * text tools refuse an expression that could take too long rather than hang on it - GNU's
 * matchers do not backtrack, JavaScript's do.
 */
export function matchCost(re: JsRegex, lengths: Iterable<number>): number {
  let total = 0;
  for (const n of lengths) {
    if (re.degree === Infinity) {
      if (n > 24) return Infinity;
      total += 2 ** n;
      continue;
    }
    total += (n + 1) ** (re.degree + (re.anchored ? 0 : 1));
  }
  return total;
}

export type RegexDialect = "grep" | "sed" | "awk";

/** The characters of the POSIX classes (C locale), as they go inside a JavaScript bracket. */
const CLASSES: ReadonlyMap<string, string> = new Map([
  ["alpha", "A-Za-z"],
  ["digit", "0-9"],
  ["alnum", "0-9A-Za-z"],
  ["upper", "A-Z"],
  ["lower", "a-z"],
  ["space", " \\t\\n\\r\\f\\v"],
  ["blank", " \\t"],
  ["punct", "!-\\/:-@\\[-`{-~"],
  ["print", " -~"],
  ["graph", "!-~"],
  ["cntrl", "\\x00-\\x1f\\x7f"],
  ["xdigit", "0-9A-Fa-f"],
]);

/**
 * The characters of a POSIX class (C locale), in code order - what tr's `[:upper:]` stands for -,
 * read from CLASSES' bracket text; undefined for a name that is no class.
 */
export function classMembers(name: string): string[] | undefined {
  const source = CLASSES.get(name);
  if (source === undefined) return undefined;
  const escapes: Record<string, string> = { t: "\t", n: "\n", r: "\r", f: "\f", v: "\v" };
  // (its characters, each with whether it is an unescaped '-', which makes a range of its neighbours)
  const items: { ch: string; dash: boolean }[] = [];
  for (let i = 0; i < source.length; i++) {
    if (source[i] !== "\\") items.push({ ch: source[i]!, dash: source[i] === "-" });
    else if (source[i + 1] === "x") {
      items.push({ ch: String.fromCharCode(parseInt(source.slice(i + 2, i + 4), 16)), dash: false });
      i += 3;
    } else items.push({ ch: escapes[source[++i]!] ?? source[i]!, dash: false });
  }
  const out = new Set<number>();
  for (let k = 0; k < items.length; k++) {
    const lo = items[k]!.ch.charCodeAt(0);
    if (items[k + 1]?.dash && items[k + 2] !== undefined) {
      for (let c = lo; c <= items[k + 2]!.ch.charCodeAt(0); c++) out.add(c);
      k += 2;
    } else out.add(lo);
  }
  return [...out].sort((a, b) => a - b).map((c) => String.fromCharCode(c));
}

const WORD = "[A-Za-z0-9_]";

/** A character as itself in a JavaScript expression (outside brackets). */
function literal(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch === "\n" ? "\\n" : ch === "\t" ? "\\t" : ch;
}

/** A character as itself inside a JavaScript bracket. */
function inBracket(ch: string): string {
  return /[\\\]^[-]/.test(ch) ? `\\${ch}` : ch === "\n" ? "\\n" : ch === "\t" ? "\\t" : ch;
}

/**
 * The bracket expression that starts at `at` (its `[`): its JavaScript form and where it ends
 * (after its `]`), or why not. In awk a backslash escapes inside it; elsewhere it is itself.
 */
function bracket(p: string, at: number, dialect: RegexDialect): { js: string; end: number } | { why: string } {
  let i = at + 1;
  let negate = false;
  if (p[i] === "^") {
    negate = true;
    i++;
  }
  const items: string[] = [];
  let first = true;
  /** The character at i as one member (awk's escapes read), and where it ends. */
  const member = (k: number): { ch: string; end: number } | { why: string } => {
    if (dialect === "awk" && p[k] === "\\" && k + 1 < p.length) {
      const e = p[k + 1]!;
      const ch = e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : /[\\\]/"[^\-.]/.test(e) ? e : undefined;
      if (ch === undefined) return { why: `awk's '\\${e}' inside brackets` };
      return { ch, end: k + 2 };
    }
    return { ch: p[k]!, end: k + 1 };
  };
  for (;;) {
    if (i >= p.length) return { why: "a '[' that is not closed" };
    const c = p[i]!;
    if (c === "]" && !first) break;
    first = false;
    if (c === "[" && (p[i + 1] === ":" || p[i + 1] === "=" || p[i + 1] === ".")) {
      const kind = p[i + 1]!;
      const close = p.indexOf(`${kind}]`, i + 2);
      if (close < 0) return { why: `a '[${kind}' that is not closed` };
      const name = p.slice(i + 2, close);
      if (kind !== ":") return { why: `'[${kind}${name}${kind}]' (collating elements and equivalence classes are not followed)` };
      const cls = CLASSES.get(name);
      if (cls === undefined) return { why: `'[:${name}:]' is not a character class` };
      items.push(cls);
      i = close + 2;
      continue;
    }
    const m = member(i);
    if ("why" in m) return m;
    // a range a-z (a '-' first, last, or after a range is itself)
    if (p[m.end] === "-" && p[m.end + 1] !== undefined && p[m.end + 1] !== "]") {
      const to = member(m.end + 1);
      if ("why" in to) return to;
      if (to.ch === "[") return { why: "a range that ends in '['" };
      if (to.ch.charCodeAt(0) < m.ch.charCodeAt(0)) return { why: `the range '${m.ch}-${to.ch}' is reversed (the tool refuses it)` };
      items.push(`${inBracket(m.ch)}-${inBracket(to.ch)}`);
      i = to.end;
      continue;
    }
    items.push(inBracket(m.ch));
    i = m.end;
  }
  // (a negated bracket never takes the newline, as POSIX's matchers under grep and sed do not)
  const body = items.join("");
  return { js: negate ? `[^\\n${body}]` : `[${body}]`, end: i + 1 };
}

/**
 * `pattern` as `dialect` reads it (`extended`: grep -E, sed -E; awk's are always extended), or
 * why fwlint does not follow it.
 */
export function posixRegex(pattern: string, extended: boolean, dialect: RegexDialect): JsRegex | { why: string } {
  const ere = extended || dialect === "awk";
  let out = "";
  let ambiguous = false;
  let groups = 0;
  const open: number[] = [];
  /** Per open group (the expression itself first): its unbounded repetitions (as factors) and whether it alternates. */
  const levels: { degree: number; alt: boolean }[] = [{ degree: 0, alt: false }];
  /** The last group closed: its level, for a repetition that follows it. */
  let closed: { degree: number; alt: boolean } | undefined;
  let exponential = false;
  /** Where the last atom begins in `out` (undefined: nothing to repeat), and whether it is a group. */
  let atom: number | undefined;
  let atomIsGroup = false;
  /** The last thing written was a repetition (a second one is refused, but `**`). */
  let repeated = false;
  /** At the start of the expression, of a group or after an alternation: `*` and `^` read there as BRE reads them. */
  let atStart = true;
  const push = (js: string, isAtom: boolean, group = false) => {
    if (isAtom) {
      atom = out.length;
      atomIsGroup = group;
    } else atom = undefined;
    out += js;
    repeated = false;
    atStart = false;
  };
  const repeat = (js: string, what: string): { why: string } | undefined => {
    if (repeated) {
      if (js === "*" && out.endsWith("*")) return undefined;
      return { why: `'${what}' repeats a repetition` };
    }
    if (atom === undefined) return { why: `'${what}' has nothing to repeat` };
    if (atomIsGroup) ambiguous = true;
    // its cost: an unbounded repetition is one more factor; one of a group that repeats or
    // alternates inside is exponential; a bounded one of a group multiplies the group's factors
    const bound = /^\{(\d+)(,(\d*))?\}$/.exec(js);
    const unbounded = js === "*" || js === "+" || (bound !== null && bound[2] !== undefined && bound[3] === "");
    const level = levels[levels.length - 1]!;
    if (atomIsGroup && closed) {
      level.degree -= closed.degree;
      if (unbounded && (closed.degree > 0 || closed.alt)) exponential = true;
      else if (unbounded) level.degree += 1;
      else level.degree += closed.degree * (bound ? Number(bound[3] || bound[1]) : 1);
    } else if (unbounded) level.degree += 1;
    out += js;
    repeated = true;
    atStart = false;
    return undefined;
  };
  const interval = (from: number, close: string): { js: string; end: number } | undefined => {
    const end = pattern.indexOf(close, from);
    if (end < 0) return undefined;
    const m = /^(\d+)(,(\d*))?$/.exec(pattern.slice(from, end));
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[3] === undefined || m[3] === "" ? undefined : Number(m[3]);
    if (lo > 255 || (hi !== undefined && (hi < lo || hi > 255))) return undefined;
    return { js: m[2] === undefined ? `{${lo}}` : `{${lo},${hi ?? ""}}`, end: end + close.length };
  };
  const openGroup = () => {
    open.push(out.length);
    levels.push({ degree: 0, alt: false });
    groups++;
    out += "(";
    atom = undefined;
    repeated = false;
    atStart = true;
  };
  const closeGroup = (): { why: string } | undefined => {
    const at = open.pop();
    if (at === undefined) return { why: "a group closed that was not opened" };
    closed = levels.pop()!;
    levels[levels.length - 1]!.degree += closed.degree;
    out += ")";
    atom = at;
    atomIsGroup = true;
    repeated = false;
    atStart = false;
    return undefined;
  };
  const alternate = () => {
    out += "|";
    levels[levels.length - 1]!.alt = true;
    ambiguous = true;
    atom = undefined;
    repeated = false;
    atStart = true;
  };
  /** `$` at i is an anchor (BRE: at the end, or before `\)` or `\|`). */
  const anchorEnd = (i: number) => ere || i === pattern.length - 1 || pattern.startsWith("\\)", i + 1) || pattern.startsWith("\\|", i + 1);
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const e = pattern[i + 1];
      if (e === undefined) return { why: "a trailing backslash" };
      i++;
      if (!ere && e === "(") openGroup();
      else if (!ere && e === ")") {
        const r = closeGroup();
        if (r) return r;
      } else if (!ere && e === "|") alternate();
      else if (!ere && e === "{") {
        const r = interval(i + 1, "\\}");
        if (!r) return { why: "an interval '\\{' that is not '\\{M\\}', '\\{M,\\}' or '\\{M,N\\}'" };
        const bad = repeat(r.js, "\\{");
        if (bad) return bad;
        i = r.end - 1;
      } else if (!ere && (e === "+" || e === "?")) {
        if (atStart || atom === undefined) push(literal(e), true);
        else {
          const bad = repeat(e, `\\${e}`);
          if (bad) return bad;
        }
      } else if (e >= "1" && e <= "9") {
        if (dialect === "awk") return { why: "a back-reference (awk has none)" };
        if (Number(e) > groups - open.length) return { why: `'\\${e}' refers to a group not closed before it` };
        ambiguous = true;
        levels[levels.length - 1]!.degree += 1;
        push(`\\${e}`, true);
      } else if (dialect !== "awk" && "wWsS".includes(e)) {
        push(e === "w" ? WORD : e === "W" ? "[^A-Za-z0-9_]" : e === "s" ? "[ \\t\\n\\r\\f\\v]" : "[^ \\t\\n\\r\\f\\v]", true);
      } else if (dialect !== "awk" && (e === "b" || e === "B")) push(`\\${e}`, false);
      else if (dialect !== "awk" && e === "<") push(`\\b(?=${WORD})`, false);
      else if (dialect !== "awk" && e === ">") push(`\\b(?<=${WORD})`, false);
      else if (dialect !== "grep" && (e === "n" || e === "t")) push(e === "n" ? "\\n" : "\\t", true);
      else if (dialect === "awk" && (e === "/" || e === '"')) push(literal(e), true);
      else if (/[.*[\]\\^$/]/.test(e) || (ere && /[()|{}+?]/.test(e))) push(literal(e), true);
      else return { why: `'\\${e}' (${dialect} reads it its own way)` };
      continue;
    }
    if (c === "[") {
      const b = bracket(pattern, i, dialect);
      if ("why" in b) return b;
      push(b.js, true);
      i = b.end - 1;
      continue;
    }
    if (c === ".") {
      push("[^\\n]", true);
      continue;
    }
    if (c === "*") {
      if (atStart) {
        if (ere) return { why: "a '*' with nothing before it" };
        push("\\*", true);
        continue;
      }
      const bad = repeat("*", "*");
      if (bad) return bad;
      continue;
    }
    if (c === "^") {
      if (ere || atStart) {
        out += "^";
        atom = undefined;
        repeated = false;
        // (BRE: a '*' right after a leading '^' is itself)
        atStart = !ere;
      } else push("\\^", true);
      continue;
    }
    if (c === "$") {
      if (anchorEnd(i)) {
        out += "$";
        atom = undefined;
        repeated = false;
        atStart = false;
      } else push("\\$", true);
      continue;
    }
    if (ere) {
      if (c === "(") {
        openGroup();
        continue;
      }
      if (c === ")") {
        const r = closeGroup();
        if (r) return r;
        continue;
      }
      if (c === "|") {
        alternate();
        continue;
      }
      if (c === "+" || c === "?") {
        if (atStart || atom === undefined) return { why: `a '${c}' with nothing before it` };
        const bad = repeat(c, c);
        if (bad) return bad;
        continue;
      }
      if (c === "{") {
        if (dialect === "awk") return { why: "an interval in awk (mawk and gawk read them differently)" };
        const r = interval(i + 1, "}");
        if (!r || atom === undefined) return { why: "a '{' that is not an interval '{M}', '{M,}' or '{M,N}' after something to repeat" };
        const bad = repeat(r.js, "{");
        if (bad) return bad;
        i = r.end - 1;
        continue;
      }
    }
    push(literal(c), true);
  }
  if (open.length > 0) return { why: "a group opened that is not closed" };
  try {
    new RegExp(out);
  } catch {
    return { why: "an expression fwlint cannot translate" };
  }
  const top = levels[0]!;
  return { source: out, ambiguous, groups, degree: exponential ? Infinity : top.degree, anchored: out.startsWith("^") && !top.alt };
}
