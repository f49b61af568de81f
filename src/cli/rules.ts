/**
 * `fwlint rules` lists every rule (id, severity, summary); `fwlint explain RULE` prints its
 * documentation: what it does, why it matters, an example, and how to fix it.
 */
import { findConfig, loadConfig } from "../engine/config.js";
import { loadBuiltinRules, loadUserRules, RulePackError, type RuleDefinition } from "../engine/rule-pack.js";
import { sanitize } from "../report/sanitize.js";
import { wantsHelp } from "./args.js";
import type { CliIo } from "./io.js";

export function rulesUsage(): string {
  return (
    "Usage: fwlint rules [--format text|json] [--rules FILE]... [--config FILE]\n" +
    "       fwlint explain [--rules FILE]... [--config FILE] RULE-ID\n" +
    "User rule packs come from --rules and from the rulePacks of --config FILE or of the .fwlint.yaml\n" +
    "found from the current folder upwards.\n"
  );
}

/** Takes `--rules FILE` (repeatable) and `--config FILE` out of argv. */
function packOptions(argv: string[]): { rest: string[]; packs: string[]; config?: string } | { error: string } {
  const rest: string[] = [];
  const packs: string[] = [];
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--(rules|config)(?:=(.*))?$/.exec(a);
    if (!m) {
      rest.push(a);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) return { error: `option '--${m[1]}' needs a value` };
    if (m[1] === "rules") packs.push(value);
    else config = value;
  }
  return { rest, packs, ...(config !== undefined ? { config } : {}) };
}

/** The built-in rules, then those of the user packs. Writes the error and returns undefined on failure. */
function allRules(packs: string[], configFile: string | undefined, io: CliIo): RuleDefinition[] | undefined {
  const builtin = loadBuiltinRules().rules;
  try {
    const file = configFile ?? findConfig(process.cwd());
    const files = [...packs, ...(file !== undefined ? (loadConfig(file).rulePacks ?? []) : [])];
    return files.length === 0 ? builtin : [...builtin, ...loadUserRules(files, builtin)];
  } catch (err) {
    if (!(err instanceof RulePackError)) throw err;
    io.stderr(`${sanitize(err.message)}\n`);
    return undefined;
  }
}

export async function runRules(args: string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(rulesUsage());
    return 0;
  }
  const parsed = packOptions(args);
  if ("error" in parsed) {
    io.stderr(`fwlint rules: ${parsed.error}\n${rulesUsage()}`);
    return 2;
  }
  const argv = parsed.rest;
  let format = "text";
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--format" && (argv[i + 1] === "text" || argv[i + 1] === "json")) format = argv[++i]!;
    else {
      io.stderr(`fwlint rules: unexpected argument '${sanitize(argv[i]!)}'\n${rulesUsage()}`);
      return 2;
    }
  }
  const rules = allRules(parsed.packs, parsed.config, io);
  if (!rules) return 2;
  if (format === "json") {
    io.stdout(JSON.stringify(rules.map((r) => ({ id: r.id, name: r.name, severity: r.severity, check: r.check, summary: r.summary, enabled: r.enabled })), null, 2) + "\n");
    return 0;
  }
  const width = Math.max(...rules.map((r) => r.id.length));
  for (const r of rules) io.stdout(`${r.id.padEnd(width)}  ${r.severity.padEnd(8)}  ${r.summary}\n`);
  return 0;
}

function explainText(r: RuleDefinition): string {
  const section = (title: string, body: string) => `${title}\n${body.trimEnd().replace(/^/gm, "  ")}\n`;
  return [
    `${r.id}: ${r.name} (default severity ${r.severity})`,
    "",
    r.summary,
    "",
    section("What it does", r.docs.what),
    section("Why is this bad?", r.docs.why),
    section("Example", r.docs.example),
    section("How to fix", r.docs.fix),
  ].join("\n");
}

export async function runExplain(args: string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(rulesUsage());
    return 0;
  }
  const parsed = packOptions(args);
  if ("error" in parsed) {
    io.stderr(`fwlint explain: ${parsed.error}\n${rulesUsage()}`);
    return 2;
  }
  const argv = parsed.rest;
  if (argv.length !== 1) {
    io.stderr(`fwlint explain: give one rule id (see 'fwlint rules')\n`);
    return 2;
  }
  const rules = allRules(parsed.packs, parsed.config, io);
  if (!rules) return 2;
  const rule = rules.find((r) => r.id === argv[0]);
  if (!rule) {
    io.stderr(`fwlint explain: no rule '${sanitize(argv[0]!)}' (see 'fwlint rules')\n`);
    return 2;
  }
  io.stdout(explainText(rule));
  return 0;
}
