/**
 * A `when:` condition decided from the variables fwlint reads, where it can be: `flag`,
 * `flag | bool`, `not x`, `a and b`, `a or b`, parentheses, comparisons (`==`, `!=`, `<`, `>`,
 * `<=`, `>=`) of variables and literals, `in` / `not in` a list or string, `is defined`,
 * `is not defined`, `is none`, and the filters `bool`, `int`, `lower`, `upper`, `trim`, `string`,
 * `length`, `default(literal)`. A variable fwlint does not know (a fact, an extra variable, one of
 * host_vars), a bare string value (whose truth Ansible's versions read differently), or anything
 * else leaves the condition undecided: the task's rules carry it as an unknown condition then.
 */
import { SCALAR_FILTERS, scalarFilter } from "./filters.js";
import type { Value } from "./tasks.js";
import { isWhy } from "./why.js";

type Vars = ReadonlyMap<string, Value>;

/** Not known: an undefined variable, or a value the condition cannot be decided on. */
const UNKNOWN = Symbol("unknown");
/** Defined, but not known: a fact set under an undecided condition (a `default` does not replace it). */
const UNSURE = Symbol("unsure");
type Known = Value | typeof UNKNOWN | typeof UNSURE;

function unknown(v: Known): v is typeof UNKNOWN | typeof UNSURE {
  return v === UNKNOWN || v === UNSURE;
}

/** How a template's `{% if %}` is decided, where a `when:` is not (see decideWhen). */
export interface TemplateTruth {
  /** Called with a variable fwlint does not know that `is defined` reads as not defined. */
  assumeUndefined(name: string): void;
}

/**
 * true or false when the condition is decided by `vars`; undefined when it is not. With
 * `template`, as Jinja's own `{% if %}` in a template: a non-empty string is true, and a variable
 * fwlint does not know is not defined (`is defined` false, told through the callback).
 */
export function decideWhen(text: string, vars: Vars, template?: TemplateTruth): boolean | undefined {
  const jinjaTruth = template !== undefined;
  let lastName = "";
  const tokens = tokenize(text);
  if (!tokens) return undefined;
  let at = 0;
  const peek = () => tokens[at];
  const take = (t?: string) => {
    if (t !== undefined && tokens[at] !== t) throw new Undecided();
    return tokens[at++];
  };

  const orExpr = (): boolean | undefined => {
    let a = andExpr();
    while (peek() === "or") {
      take();
      const b = andExpr();
      a = a === true || b === true ? true : a === false && b === false ? false : undefined;
    }
    return a;
  };
  const andExpr = (): boolean | undefined => {
    let a = notExpr();
    while (peek() === "and") {
      take();
      const b = notExpr();
      a = a === false || b === false ? false : a === true && b === true ? true : undefined;
    }
    return a;
  };
  const notExpr = (): boolean | undefined => {
    if (peek() === "not") {
      take();
      const v = notExpr();
      return v === undefined ? undefined : !v;
    }
    return truth(comparison(), jinjaTruth);
  };
  const comparison = (): Known => {
    const left = operand();
    const op = peek();
    if (op === "==" || op === "!=" || op === "<" || op === ">" || op === "<=" || op === ">=") {
      take();
      const right = operand();
      if (unknown(left) || unknown(right)) return UNKNOWN;
      return compare(op, left, right);
    }
    if (op === "in" || (op === "not" && tokens[at + 1] === "in")) {
      const negate = op === "not";
      take();
      if (negate) take("in");
      const right = operand();
      if (unknown(left) || unknown(right)) return UNKNOWN;
      const inside = Array.isArray(right) ? right.some((x) => x === left || (typeof x !== "object" && typeof left !== "object" && String(x) === String(left) && typeof x === typeof left)) : typeof right === "string" && typeof left === "string" ? right.includes(left) : undefined;
      return inside === undefined ? UNKNOWN : negate !== inside;
    }
    if (op === "is") {
      take();
      const negate = peek() === "not";
      if (negate) take();
      const test = take();
      let r: boolean | undefined;
      if (left === UNKNOWN && template !== undefined && (test === "defined" || test === "undefined")) {
        template.assumeUndefined(lastName);
        r = test === "undefined";
      } else if (test === "defined") r = unknown(left) ? undefined : true;
      else if (test === "undefined") r = unknown(left) ? undefined : false;
      else if (test === "none") r = unknown(left) ? undefined : left === null;
      else throw new Undecided();
      return r === undefined ? UNKNOWN : negate !== r;
    }
    return left;
  };
  const operand = (): Known => {
    let v = primary();
    while (peek() === "|") {
      take();
      const name = take();
      let arg: Known | undefined;
      if (peek() === "(") {
        take();
        arg = literal(take());
        take(")");
      }
      v = filter(name, v, arg);
    }
    return v;
  };
  const primary = (): Known => {
    const t = take();
    if (t === undefined) throw new Undecided();
    if (t === "(") {
      const v = orExpr();
      take(")");
      return v === undefined ? UNKNOWN : v;
    }
    const lit = literal(t);
    if (lit !== undefined) return lit;
    if (!/^[A-Za-z_]/.test(t)) throw new Undecided();
    // a variable and its attributes
    let v: Value | undefined = vars.get(t);
    lastName = t;
    while (peek() === "." || peek() === "[") {
      const open = take();
      const key = open === "." ? take() : literal(take());
      lastName += open === "." ? `.${String(key)}` : `[${JSON.stringify(key)}]`;
      if (open === "[") take("]");
      if (typeof key !== "string") throw new Undecided();
      v = v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v) && !isWhy(v) ? v[key] : undefined;
    }
    return v === undefined ? UNKNOWN : isWhy(v) ? UNSURE : v;
  };
  try {
    const r = orExpr();
    return at === tokens.length ? r : undefined;
  } catch (e) {
    if (e instanceof Undecided) return undefined;
    throw e;
  }
}

class Undecided extends Error {}

/** A literal token's value: a quoted string, a number, true/false, none; undefined when it is none. */
function literal(t: string | undefined): Known | undefined {
  if (t === undefined) return undefined;
  if (/^'.*'$|^".*"$/s.test(t)) return t.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === "true" || t === "True") return true;
  if (t === "false" || t === "False") return false;
  if (t === "none" || t === "None") return null;
  return undefined;
}

/** Python's truth of a value as a condition; a non-empty string's is left undecided (see the header) unless `strings`. */
function truth(v: Known, strings: boolean): boolean | undefined {
  if (unknown(v)) return undefined;
  if (v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v === "" ? false : strings ? true : undefined;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

function compare(op: string, a: Value, b: Value): Known {
  if (op === "==" || op === "!=") {
    const same = typeof a === typeof b && (typeof a !== "object" || a === null) ? a === b : typeof a === "object" || typeof b === "object" ? undefined : false;
    return same === undefined ? UNKNOWN : (op === "==") === same;
  }
  if (!((typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string"))) return UNKNOWN;
  return op === "<" ? a < b : op === ">" ? a > b : op === "<=" ? a <= b : a >= b;
}

function filter(name: string | undefined, v: Known, arg: Known | undefined): Known {
  if (name === "default") return v === UNKNOWN || v === null ? (arg === undefined ? "" : arg) : v;
  if (name === undefined || !SCALAR_FILTERS.has(name) || arg !== undefined) throw new Undecided();
  if (unknown(v)) return v;
  return scalarFilter(name, v) ?? UNKNOWN;
}

/** The condition's tokens; undefined when it holds Jinja delimiters or characters fwlint does not read. */
function tokenize(text: string): string[] | undefined {
  if (/\{\{|\{%|\}\}/.test(text)) return undefined;
  const out: string[] = [];
  const re = /\s*('[^']*'|"[^"]*"|-?\d+(?:\.\d+)?(?![\w.])|[A-Za-z_][A-Za-z0-9_]*|==|!=|<=|>=|[<>()|.,[\]])/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    out.push(m[1]!);
    at = re.lastIndex;
  }
  return out;
}
