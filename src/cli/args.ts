/**
 * A small, strict option parser: `--name value`, `--name=value`, boolean flags, `-h`, and `--` to end
 * the options. Problems are thrown as UsageError with a one-line message (the caller prints it and
 * exits 2). No dependency, so start-up stays light.
 */
import { SEVERITIES, type Severity } from "../model/finding.js";
import { sanitize } from "../report/sanitize.js";
import type { CliIo } from "./io.js";
import { MAX_FILE_BYTES, parseByteSize } from "./files.js";

export class UsageError extends Error {
  override name = "UsageError";
}

export interface OptionSpec {
  /** Long name without the dashes. */
  name: string;
  /** Takes a value (`--format json`) or is a flag (`--no-color`). */
  value: boolean;
  /** Short alias without the dash (`h`). */
  short?: string;
}

export interface ParsedArgs {
  /** Last value of each value option given; `true` for each flag given. */
  options: Map<string, string | true>;
  positionals: string[];
}

/**
 * Parses `argv` against `specs`. `command` names the command in messages (`fwlint check`).
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const hint = `see '${command} --help'`;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    let shown: string;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) inline = arg.slice(eq + 1);
      spec = byLong.get(name);
      shown = `--${name}`;
    } else {
      spec = arg.length === 2 ? byShort.get(arg.slice(1)) : undefined;
      shown = arg;
    }
    if (!spec) throw new UsageError(`${command}: unknown option '${shown}' (${hint})`);
    if (!spec.value) {
      if (inline !== undefined) throw new UsageError(`${command}: option '${shown}' takes no value (${hint})`);
      options.set(spec.name, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("-") && next !== "-" && !/^-\d/.test(next))) {
        throw new UsageError(`${command}: option '${shown}' needs a value (${hint})`);
      }
      value = next;
      i++;
    }
    options.set(spec.name, value);
  }
  return { options, positionals };
}

/**
 * Parses a command's arguments and answers what needs no work: a usage error (one line on stderr,
 * status 2) or --help (usage on stdout, status 0). Returns the parsed arguments, or that status.
 */
export function parseCommandArgs<A extends { help: boolean }>(
  argv: readonly string[],
  parse: (argv: readonly string[]) => A,
  usage: () => string,
  io: CliIo,
): A | number {
  let args: A;
  try {
    args = parse(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    io.stdout(usage());
    return 0;
  }
  return args;
}

/** `-h` or `--help` among a command's arguments (for commands that do not parse with parseArgs). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("-h") || argv.includes("--help");
}

/** A user's argument quoted for an error message, control characters neutralised. */
export function quoted(s: string): string {
  return `'${sanitize(s)}'`;
}

/** `--max-file-size`: the size limit of one input in bytes (default MAX_FILE_BYTES); a bad size is a usage error of `command`. */
export function maxFileSizeOption(command: string, value: string | undefined): number {
  if (value === undefined) return MAX_FILE_BYTES;
  const bytes = parseByteSize(value);
  if (bytes === undefined) throw new UsageError(`${command}: --max-file-size must be a size such as 50M, 1G or 200000 (bytes), not ${quoted(value)}`);
  return bytes;
}

/** `--fail-on`: a severity or "none" (default high); anything else is a usage error of `command`. */
export function failOnOption(command: string, value: string | undefined): Severity | "none" {
  const failOn = value ?? "high";
  if (failOn !== "none" && !(SEVERITIES as readonly string[]).includes(failOn)) {
    throw new UsageError(`${command}: unknown --fail-on ${quoted(failOn)} (expected ${SEVERITIES.join(", ")} or none)`);
  }
  return failOn as Severity | "none";
}
