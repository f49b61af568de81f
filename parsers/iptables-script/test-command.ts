/**
 * The outcome of `test` / `[ ... ]` / `[[ ... ]]` over arguments whose text is known: string
 * tests (-n, -z, =, ==, !=), integer comparisons (-eq ... -ge), `!`, `( ... )` and `-a` / `-o`
 * as POSIX reads them by argument count, and `[[`'s pattern matching (`==` with an unquoted
 * right side). What depends on the host (file tests, -nt, -t) is asked of `fileTest`, which
 * answers unknown unless the caller knows better; a regex match (`=~`) is not decided.
 */
import { type PatternPiece, patternMatches } from "./patterns.js";

export type TestOutcome = { outcome: "ok" | "fail" } | { outcome: "unknown"; why: string };

export interface TestArg {
  text: string;
  /** `[[`'s right side of == / != as a pattern (its unquoted parts glob). */
  pattern?: readonly PatternPiece[];
}

/** Unary tests on files and descriptors: true or false only on the host that runs the script. */
const FILE_TESTS = new Set(["-a", "-b", "-c", "-d", "-e", "-f", "-g", "-G", "-h", "-k", "-L", "-N", "-O", "-p", "-r", "-s", "-S", "-t", "-u", "-w", "-x"]);
const INT_OPS = new Set(["-eq", "-ne", "-lt", "-le", "-gt", "-ge"]);
const FILE_BINARY = new Set(["-nt", "-ot", "-ef"]);

const OK: TestOutcome = { outcome: "ok" };
const FAIL: TestOutcome = { outcome: "fail" };
const of = (b: boolean): TestOutcome => (b ? OK : FAIL);

function not(t: TestOutcome): TestOutcome {
  return t.outcome === "unknown" ? t : of(t.outcome === "fail");
}

function and(a: TestOutcome, b: () => TestOutcome): TestOutcome {
  if (a.outcome === "fail") return a;
  const r = b();
  if (r.outcome === "fail") return r;
  return a.outcome === "unknown" ? a : r;
}

function or(a: TestOutcome, b: () => TestOutcome): TestOutcome {
  if (a.outcome === "ok") return a;
  const r = b();
  if (r.outcome === "ok") return r;
  return a.outcome === "unknown" ? a : r;
}

export type FileTest = (op: string, operand: string) => TestOutcome;

const hostDependent: FileTest = (op, operand) => ({ outcome: "unknown", why: `'${op} ${operand}' depends on the host that runs the script` });

/** An integer as test reads one (blanks around it allowed), or undefined. */
function integer(s: string): bigint | undefined {
  const m = /^[ \t]*([-+]?[0-9]+)[ \t]*$/.exec(s);
  return m ? BigInt(m[1]!) : undefined;
}

function compareIntegers(op: string, a: bigint, b: bigint): boolean {
  switch (op) {
    case "-eq":
      return a === b;
    case "-ne":
      return a !== b;
    case "-lt":
      return a < b;
    case "-le":
      return a <= b;
    case "-gt":
      return a > b;
    default:
      return a >= b;
  }
}

class Tester {
  constructor(
    private readonly double: boolean,
    private readonly fileTest: FileTest,
  ) {}

  unary(op: string, x: TestArg): TestOutcome | undefined {
    if (op === "-n") return of(x.text !== "");
    if (op === "-z") return of(x.text === "");
    if (FILE_TESTS.has(op)) return this.fileTest(op, x.text);
    if (op === "-v" || op === "-R") return { outcome: "unknown", why: `'${op}' (is a variable set) is not decided by fwlint` };
    return undefined;
  }

  binary(a: TestArg, op: string, b: TestArg): TestOutcome | undefined {
    if (op === "=" || op === "==" || op === "!=") {
      const same = this.double && b.pattern ? patternMatches(b.pattern, a.text) : a.text === b.text;
      return of(op === "!=" ? !same : same);
    }
    if (INT_OPS.has(op)) {
      const x = integer(a.text);
      const y = integer(b.text);
      if (x === undefined || y === undefined) {
        // `[` fails with "integer expression expected"; `[[` reads the words as arithmetic
        return this.double ? { outcome: "unknown", why: `'${a.text} ${op} ${b.text}' is arithmetic on words that are not numbers` } : FAIL;
      }
      return of(compareIntegers(op, x, y));
    }
    if (this.double && (op === "<" || op === ">")) return of(op === "<" ? a.text < b.text : a.text > b.text);
    if (op === "=~") return { outcome: "unknown", why: "fwlint does not decide '=~' regular-expression matches" };
    if (FILE_BINARY.has(op)) return { outcome: "unknown", why: `'${op}' compares files on the host that runs the script` };
    return undefined;
  }

  /** POSIX test's rules by argument count (up to 4), then -o / -a splitting. */
  eval(args: readonly TestArg[]): TestOutcome {
    const n = args.length;
    const t = (k: number) => args[k]!.text;
    if (n === 0) return FAIL;
    if (n === 1) return of(t(0) !== "");
    if (n === 2) {
      if (t(0) === "!") return not(this.eval(args.slice(1)));
      return this.unary(t(0), args[1]!) ?? { outcome: "unknown", why: `'${t(0)} ${t(1)}' is not a test fwlint reads` };
    }
    if (n === 3) {
      const b = this.binary(args[0]!, t(1), args[2]!);
      if (b) return b;
      if (t(0) === "!") return not(this.eval(args.slice(1)));
      if (t(0) === "(" && t(2) === ")") return this.eval(args.slice(1, 2));
    }
    if (n === 4) {
      if (t(0) === "!") return not(this.eval(args.slice(1)));
      if (t(0) === "(" && t(3) === ")") return this.eval(args.slice(1, 3));
    }
    if (!this.double) {
      // -o binds looser than -a; each side read again by these rules
      const orAt = args.findIndex((x, k) => k > 0 && k < n - 1 && x.text === "-o");
      if (orAt > 0) return or(this.eval(args.slice(0, orAt)), () => this.eval(args.slice(orAt + 1)));
      const andAt = args.findIndex((x, k) => k > 0 && k < n - 1 && x.text === "-a");
      if (andAt > 0) return and(this.eval(args.slice(0, andAt)), () => this.eval(args.slice(andAt + 1)));
    }
    return { outcome: "unknown", why: `'${args.map((x) => x.text).join(" ")}' is not a test fwlint reads` };
  }
}

/**
 * The outcome of a test command: `args` are its arguments after the command word (`[`'s closing
 * `]` still last, `[[`'s `]]` too); `double` for `[[ ... ]]`.
 */
export function testOutcome(command: "[" | "test" | "[[", args: readonly TestArg[], fileTest: FileTest = hostDependent): TestOutcome {
  let list = args;
  if (command !== "test") {
    const close = command === "[" ? "]" : "]]";
    // `[` without its `]` is an error the shell reports: the command fails
    if (list.length === 0 || list[list.length - 1]!.text !== close) return command === "[" ? FAIL : { outcome: "unknown", why: "'[[' is not closed by ']]'" };
    list = list.slice(0, -1);
  }
  return new Tester(command === "[[", fileTest).eval(list);
}
