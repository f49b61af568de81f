/**
 * The fwlint command line. Kept light: each command's module (and everything it needs: parsers, the
 * engine, reporters) is loaded with import() only when that command runs, so `fwlint --version` and
 * `fwlint --help` start instantly and a future `review` can pull in its UI without slowing `check`.
 *
 * No error reaches the user as a stack trace: everything is caught here and printed as
 * `fwlint: <message>` with exit status 2 (set FWLINT_DEBUG=1 to see the stack).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sanitize } from "../report/sanitize.js";
import { processIo, type CliIo } from "./io.js";
import { nameTable } from "../model/name-table.js";

export type { CliIo } from "./io.js";

const USAGE = `Usage: fwlint <command> [options]

Commands:
  check PATH...   analyse firewall rulesets (files or folders) and report what they let in
  trace FILE      follow packets through a ruleset: verdict and every rule on the way
  review PATH...  review the findings interactively in the terminal (exposure map, tracer, accept)
  rules           list the rules fwlint checks, with their default severity
  explain RULE    what a rule checks, why it matters, an example and how to fix it
  diff OLD NEW    what a change opens and closes (also: diff --base REF [PATH...] against git)
  baseline PATH...  record today's findings so that check --baseline reports only new ones
  schema          print the JSON Schema of the configuration file .fwlint.yaml

Options:
  -h, --help      show this help
  --version       print the version

Run 'fwlint check --help' for the options of check.
`;

/** The version in the package.json above this module (src/cli or dist/src/cli). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "fwlint" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // not here: look further up
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return "unknown";
}

/** Each command's usage (`fwlint help CMD`), loaded with the command's own module. */
const USAGE_OF: Readonly<Record<string, () => Promise<string>>> = nameTable({
  check: async () => (await import("./check.js")).checkUsage(),
  trace: async () => (await import("./trace.js")).traceUsage(),
  review: async () => (await import("./review.js")).reviewUsage(),
  rules: async () => (await import("./rules.js")).rulesUsage(),
  explain: async () => (await import("./rules.js")).rulesUsage(),
  diff: async () => (await import("./diff.js")).diffUsage(),
  baseline: async () => (await import("./baseline.js")).baselineUsage(),
  schema: async () => (await import("./schema.js")).schemaUsage(),
});

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case undefined:
        io.stderr(USAGE);
        return 2;
      case "-h":
      case "--help":
        io.stdout(USAGE);
        return 0;
      case "help": {
        if (rest[0] === undefined) {
          io.stdout(USAGE);
          return 0;
        }
        const usage = Object.hasOwn(USAGE_OF, rest[0]) ? USAGE_OF[rest[0]] : undefined;
        if (!usage) {
          io.stderr(`fwlint: no help for unknown command '${sanitize(rest[0])}' (see 'fwlint --help')\n`);
          return 2;
        }
        io.stdout(await usage());
        return 0;
      }
      case "-V":
      case "--version":
        io.stdout(`fwlint ${packageVersion()}\n`);
        return 0;
      case "check": {
        const { runCheck } = await import("./check.js");
        return await runCheck(rest, io);
      }
      case "trace": {
        const { runTrace } = await import("./trace.js");
        return await runTrace(rest, io);
      }
      case "review": {
        // ink and React load only here, inside the review's own chunk.
        const { runReview } = await import("./review.js");
        return await runReview(rest, io);
      }
      case "rules": {
        const { runRules } = await import("./rules.js");
        return await runRules(rest, io);
      }
      case "explain": {
        const { runExplain } = await import("./rules.js");
        return await runExplain(rest, io);
      }
      case "diff": {
        const { runDiff } = await import("./diff.js");
        return await runDiff(rest, io);
      }
      case "baseline": {
        const { runBaseline } = await import("./baseline.js");
        return await runBaseline(rest, io);
      }
      case "schema": {
        const { runSchema } = await import("./schema.js");
        return await runSchema(rest, io);
      }
      default:
        io.stderr(
          command.startsWith("-")
            ? `fwlint: unknown option '${sanitize(command)}' (see 'fwlint --help')\n`
            : `fwlint: unknown command '${sanitize(command)}' (see 'fwlint --help')\n`,
        );
        return 2;
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`fwlint: ${sanitize(message)}\n`);
    if (io.env.FWLINT_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return 2;
  }
}
