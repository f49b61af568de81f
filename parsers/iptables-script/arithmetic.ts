/**
 * The shell's arithmetic expansion `$(( ... ))` on values the script knows, once the runner has
 * filled in its `$NAME`, `${NAME}` and `$1` as the shell does first: signed 64-bit integers (bash
 * and dash wrap as C does), decimal, `0x` hexadecimal, `0` octal and bash's `BASE#digits`
 * constants; variables as bare `NAME`s (an unset or empty one is 0, one holding an integer is that
 * integer, one holding an expression that expression); the operators, by precedence: unary `+ - ! ~`, `**`, `* / %`,
 * `+ -`, `<< >>`, `< <= > >=`, `== !=`, `&`, `^`, `|`, `&&`, `||`, `?:` and `,`. What changes a
 * variable (`=`, `+=` ..., `++`, `--`) is run only where the caller gives a way to assign (an
 * arithmetic command `(( i++ ))`, `let`, a `for ((;;))` loop: run once, where they stand) and not
 * under `&&`, `||` or `?:` (which may skip it); a variable holding anything else than an integer, a
 * division by zero (the shell fails the command) are not computed: the value is then unknown, with why.
 */

/** A variable's value as the runner knows it: its text, or why it is not known. */
export type ArithLookup = (name: string) => { value: string } | { why: string };
/** Sets a variable to a value an assignment computed. */
export type ArithAssign = (name: string, value: string) => void;

/** The assignment operators (bash has no `**=`). */
const ASSIGN_OPS: ReadonlySet<string> = new Set(["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|="]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The variables an arithmetic text assigns (`i++`, `--n`, `x = 1`, `y += 2`), for a run that does not compute it. */
export function arithmeticAssigns(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:\+\+|--|(?:<<|>>|[-+*\/%&^|])?=(?!=))|(?:\+\+|--)\s*([A-Za-z_][A-Za-z0-9_]*)/g)) out.add((m[1] ?? m[2])!);
  return [...out];
}

type Result = { value: bigint } | { why: string };

const wrap = (v: bigint) => BigInt.asIntN(64, v);

/** Parentheses and unary operators one expression nests at most. */
const MAX_NESTING = 256;

/** Tokens: numbers, names, operators, parentheses. */
function tokenize(text: string): string[] | { why: string } {
  const out: string[] = [];
  const re = /\s*(?:([0-9]+#[0-9A-Za-z@_]+|0[xX][0-9A-Fa-f]+|[0-9]+)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*=?|<<=?|>>=?|<=|>=|==|!=|&&|\|\||\+\+|--|[-+*/%&^|]=|[-+*/%<>!~&^|?:,()=]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return { why: `'${text.trim()}' is arithmetic fwlint does not read` };
    out.push((m[1] ?? m[2] ?? m[3])!);
    at = re.lastIndex;
  }
  return out;
}

/** A constant's value (decimal, 0x, leading-zero octal, BASE#digits), or undefined when it is not one. */
function constant(t: string): bigint | undefined {
  if (/^0[xX][0-9A-Fa-f]+$/.test(t)) return BigInt(t);
  if (/^0[0-7]+$/.test(t)) return BigInt("0o" + t.slice(1));
  if (/^[0-9]+$/.test(t)) return BigInt(t);
  const m = /^([0-9]+)#([0-9A-Za-z@_]+)$/.exec(t);
  if (!m) return undefined;
  const base = Number(m[1]);
  if (base < 2 || base > 64) return undefined;
  let v = 0n;
  for (const c of m[2]!) {
    const d = /[0-9]/.test(c) ? c.charCodeAt(0) - 48 : /[a-z]/.test(c) ? c.charCodeAt(0) - 87 : /[A-Z]/.test(c) ? (base <= 36 ? c.charCodeAt(0) - 55 : c.charCodeAt(0) - 29) : c === "@" ? 62 : 63;
    if (d >= base) return undefined;
    v = v * BigInt(base) + BigInt(d);
  }
  return v;
}

/** Binary operators by precedence level, loosest first (`?:` and `,` are parsed apart). */
const LEVELS: readonly (readonly string[])[] = [["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", "<=", ">", ">="], ["<<", ">>"], ["+", "-"], ["*", "/", "%"]];

function binary(op: string, a: bigint, b: bigint): Result {
  switch (op) {
    case "||":
      return { value: a !== 0n || b !== 0n ? 1n : 0n };
    case "&&":
      return { value: a !== 0n && b !== 0n ? 1n : 0n };
    case "|":
      return { value: a | b };
    case "^":
      return { value: a ^ b };
    case "&":
      return { value: a & b };
    case "==":
      return { value: a === b ? 1n : 0n };
    case "!=":
      return { value: a !== b ? 1n : 0n };
    case "<":
      return { value: a < b ? 1n : 0n };
    case "<=":
      return { value: a <= b ? 1n : 0n };
    case ">":
      return { value: a > b ? 1n : 0n };
    case ">=":
      return { value: a >= b ? 1n : 0n };
    case "<<":
      return { value: wrap(a << (b & 63n)) };
    case ">>":
      return { value: a >> (b & 63n) };
    case "+":
      return { value: wrap(a + b) };
    case "-":
      return { value: wrap(a - b) };
    case "*":
      return { value: wrap(a * b) };
    default:
      // / and %: truncated toward zero, as C (and BigInt) do
      if (b === 0n) return { why: "it divides by zero (the shell fails the command)" };
      return { value: wrap(op === "/" ? a / b : a % b) };
  }
}

/**
 * The value of the arithmetic expression `text` (the inside of `$(( ))`), variables read through
 * `lookup`; `depth` bounds variables whose values are expressions of their own.
 */
export function evaluateArithmetic(text: string, lookup: ArithLookup, depth = 0, assign?: ArithAssign): { value: string } | { why: string } {
  const toks = tokenize(text);
  if ("why" in toks) return toks;
  if (toks.length === 0) return { value: "0" };
  let i = 0;
  let nesting = 0;
  /** Inside an operand that `&&`, `||` or `?:` may skip: an assignment there is not run. */
  let guarded = 0;
  const peek = () => toks[i];
  /** Why `what` (an assignment) is not run here, or undefined when it is. */
  const cannotAssign = (what: string): { why: string } | undefined =>
    !assign ? { why: `'${what}' changes a variable: fwlint does not run it` } : guarded > 0 ? { why: `'${what}' changes a variable under &&, || or ?:, which may skip it: fwlint does not run it` } : undefined;
  /** Adds `by` to variable `name`, sets it, and gives its value before and after. */
  const step = (name: string, by: bigint): { before: bigint; after: bigint } | { why: string } => {
    const cur = variable(name);
    if ("why" in cur) return cur;
    const after = wrap(cur.value + by);
    assign!(name, after.toString());
    return { before: cur.value, after };
  };

  const variable = (name: string): Result => {
    const v = lookup(name);
    if ("why" in v) return v;
    const t = v.value.trim();
    if (t === "") return { value: 0n };
    const c = /^[-+]?/.exec(t)![0];
    const n = constant(t.slice(c.length));
    if (n !== undefined) return { value: wrap(c === "-" ? -n : n) };
    // (bash reads a variable holding an expression as that expression: at most a few levels deep)
    if (depth < 4) {
      const r = evaluateArithmetic(t, lookup, depth + 1);
      return "why" in r ? { why: `$${name} holds '${t.length > 30 ? t.slice(0, 27) + "..." : t}': ${r.why}` } : { value: BigInt(r.value) };
    }
    return { why: `$${name} holds '${t.length > 30 ? t.slice(0, 27) + "..." : t}', not an integer` };
  };

  const primary = (): Result => {
    const t = peek();
    if (t === undefined) return { why: `'${text.trim()}' ends where a value is expected` };
    if (t === "(") {
      // (nesting deeper than any script writes is not worked through: the stack stays bounded)
      if (++nesting > MAX_NESTING) return { why: `'${text.trim().slice(0, 30)}...' nests parentheses deeper than fwlint follows` };
      i++;
      const v = comma();
      nesting--;
      if ("why" in v) return v;
      if (peek() !== ")") return { why: `'${text.trim()}' has a '(' with no ')'` };
      i++;
      return v;
    }
    if (t === "++" || t === "--") {
      const name = toks[i + 1];
      const no = cannotAssign(`${t}${name ?? ""}`);
      if (no) return no;
      if (name === undefined || !NAME.test(name)) return { why: `'${t}' needs a variable after it` };
      i += 2;
      const r = step(name, t === "++" ? 1n : -1n);
      return "why" in r ? r : { value: r.after };
    }
    if (t === "+" || t === "-" || t === "!" || t === "~") {
      if (++nesting > MAX_NESTING) return { why: `'${text.trim().slice(0, 30)}...' nests operators deeper than fwlint follows` };
      i++;
      const v = primary();
      nesting--;
      if ("why" in v) return v;
      return { value: t === "-" ? wrap(-v.value) : t === "!" ? (v.value === 0n ? 1n : 0n) : t === "~" ? ~v.value : v.value };
    }
    i++;
    const n = constant(t);
    if (n !== undefined) return { value: wrap(n) };
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) return { why: `'${t}' is not a value in arithmetic` };
    const name = t;
    const after = peek();
    if (after === "++" || after === "--") {
      const no = cannotAssign(`${name}${after}`);
      if (no) return no;
      i++;
      const r = step(name, after === "++" ? 1n : -1n);
      return "why" in r ? r : { value: r.before };
    }
    if (after !== undefined && after.endsWith("=") && !["==", "!=", "<=", ">="].includes(after)) return { why: `'${name}${after}' changes a variable: fwlint does not run it` };
    return variable(name);
  };

  const power = (): Result => {
    const base = primary();
    if ("why" in base || peek() !== "**") return base;
    i++;
    const exp = power();
    if ("why" in exp) return exp;
    if (exp.value < 0n) return { why: "a negative exponent (the shell fails the command)" };
    // (by squaring, wrapped at each step as the shell's 64-bit multiplications wrap)
    let r = 1n;
    let b = base.value;
    for (let e = exp.value; e > 0n; e >>= 1n) {
      if (e & 1n) r = wrap(r * b);
      b = wrap(b * b);
    }
    return { value: r };
  };

  const level = (k: number): Result => {
    if (k >= LEVELS.length) return power();
    let left = level(k + 1);
    while (!("why" in left)) {
      const op = peek();
      if (op === undefined || !LEVELS[k]!.includes(op)) break;
      i++;
      const skippable = op === "&&" || op === "||";
      if (skippable) guarded++;
      const right = level(k + 1);
      if (skippable) guarded--;
      if ("why" in right) return right;
      left = binary(op, left.value, right.value);
    }
    return left;
  };

  const ternary = (): Result => {
    const cond = level(0);
    if ("why" in cond || peek() !== "?") return cond;
    i++;
    guarded++;
    try {
      const yes = comma();
      if ("why" in yes) return yes;
      if (peek() !== ":") return { why: `'${text.trim()}' has a '?' with no ':'` };
      i++;
      const no = ternary();
      if ("why" in no) return no;
      return cond.value !== 0n ? yes : no;
    } finally {
      guarded--;
    }
  };

  /** `NAME = value`, `NAME += value` ... (right to left), else a ternary. */
  const assignment = (): Result => {
    const name = peek();
    const op = toks[i + 1];
    if (name === undefined || op === undefined || !NAME.test(name) || !ASSIGN_OPS.has(op)) return ternary();
    const no = cannotAssign(`${name}${op}`);
    if (no) return no;
    i += 2;
    const rhs = assignment();
    if ("why" in rhs) return rhs;
    let v = rhs.value;
    if (op !== "=") {
      const cur = variable(name);
      if ("why" in cur) return cur;
      const r = binary(op.slice(0, -1), cur.value, v);
      if ("why" in r) return r;
      v = r.value;
    }
    assign!(name, v.toString());
    return { value: v };
  };

  const comma = (): Result => {
    let v = assignment();
    while (!("why" in v) && peek() === ",") {
      i++;
      v = assignment();
    }
    return v;
  };

  const v = comma();
  if ("why" in v) return v;
  if (i < toks.length) return { why: `'${text.trim()}' has '${toks[i]}' where an operator is expected` };
  return { value: v.value.toString() };
}
