import { describe, expect, it } from "vitest";
import { parseArgs, UsageError, type OptionSpec } from "../../src/cli/args.js";
import { main } from "../../src/cli/main.js";
import { captureIo } from "./io.js";

const SPECS: OptionSpec[] = [
  { name: "format", value: true },
  { name: "no-color", value: false },
  { name: "help", value: false, short: "h" },
];

function usageError(argv: string[]): string {
  try {
    parseArgs(argv, SPECS, "fwlint check");
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error("expected a UsageError");
}

describe("parseArgs", () => {
  it("reads --opt value, --opt=value, flags, short flags and positionals", () => {
    const { options, positionals } = parseArgs(["a", "--format", "json", "b", "--no-color", "-h", "--format=text"], SPECS, "x");
    expect(options.get("format")).toBe("text");
    expect(options.get("no-color")).toBe(true);
    expect(options.get("help")).toBe(true);
    expect(positionals).toEqual(["a", "b"]);
  });

  it("treats everything after -- as a path", () => {
    expect(parseArgs(["--", "--format", "-x"], SPECS, "x").positionals).toEqual(["--format", "-x"]);
  });

  it("rejects unknown options, missing values and values on flags with one line", () => {
    for (const [argv, msg] of [
      [["--frmat", "json"], "fwlint check: unknown option '--frmat' (see 'fwlint check --help')"],
      [["-x"], "fwlint check: unknown option '-x' (see 'fwlint check --help')"],
      [["--format"], "fwlint check: option '--format' needs a value (see 'fwlint check --help')"],
      [["--format", "--no-color"], "fwlint check: option '--format' needs a value (see 'fwlint check --help')"],
      [["--no-color=yes"], "fwlint check: option '--no-color' takes no value (see 'fwlint check --help')"],
    ] as const) {
      const m = usageError([...argv]);
      expect(m).toBe(msg);
      expect(m).not.toContain("\n");
    }
  });
});

describe("main without the engine", () => {
  it("prints help and exits 0", async () => {
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const io = captureIo();
      expect(await main(argv, io)).toBe(0);
      expect(io.out).toContain("Usage: fwlint <command>");
      expect(io.err).toBe("");
    }
  });

  it("every command listed in the help has its own: `CMD --help`, `CMD -h` and `help CMD` print it and exit 0", async () => {
    const top = captureIo();
    await main(["--help"], top);
    const commands = [...top.out.matchAll(/^  ([a-z]+) /gm)].map((m) => m[1]!);
    expect(commands).toEqual(["check", "trace", "review", "rules", "explain", "diff", "baseline", "schema"]);
    for (const cmd of commands) {
      for (const argv of [[cmd, "--help"], [cmd, "-h"], ["help", cmd]]) {
        const io = captureIo();
        expect(await main(argv, io), argv.join(" ")).toBe(0);
        expect(io.err, argv.join(" ")).toBe("");
        expect(io.out, argv.join(" ")).toMatch(new RegExp(`^Usage: fwlint ${cmd}\\b|\\n\\s+fwlint ${cmd}\\b`));
      }
    }
  });

  it("prints the package version", async () => {
    const io = captureIo();
    expect(await main(["--version"], io)).toBe(0);
    expect(io.out).toMatch(/^fwlint \d+\.\d+\.\d+\n$/);
  });

  it("exits 2 with usage on stderr when no command is given", async () => {
    const io = captureIo();
    expect(await main([], io)).toBe(2);
    expect(io.out).toBe("");
    expect(io.err).toContain("Usage: fwlint");
  });

  it("rejects unknown commands and options with one line on stderr", async () => {
    for (const [argv, msg] of [
      [["frobnicate"], "fwlint: unknown command 'frobnicate' (see 'fwlint --help')\n"],
      [["--frobnicate"], "fwlint: unknown option '--frobnicate' (see 'fwlint --help')\n"],
      [["bad\x1b[2Jcmd"], "fwlint: unknown command 'bad\\x1b[2Jcmd' (see 'fwlint --help')\n"],
    ] as const) {
      const io = captureIo();
      expect(await main([...argv], io)).toBe(2);
      expect(io.err).toBe(msg);
      expect(io.out).toBe("");
    }
  });
});
