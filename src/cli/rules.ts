/**
 * `fwlint rules` lists every rule (id, severity, summary); `fwlint explain RULE` prints its
 * documentation: what it does, why it matters, an example, and how to fix it.
 */
import { loadBuiltinRules, type RuleDefinition } from "../engine/rule-pack.js";
import { sanitize } from "../report/sanitize.js";
import type { CliIo } from "./io.js";

export function rulesUsage(): string {
  return "Usage: fwlint rules [--format text|json]\n       fwlint explain RULE-ID\n";
}

export async function runRules(argv: string[], io: CliIo): Promise<number> {
  let format = "text";
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--format" && (argv[i + 1] === "text" || argv[i + 1] === "json")) format = argv[++i]!;
    else {
      io.stderr(`fwlint rules: unexpected argument '${sanitize(argv[i]!)}'\n${rulesUsage()}`);
      return 2;
    }
  }
  const rules = loadBuiltinRules().rules;
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

export async function runExplain(argv: string[], io: CliIo): Promise<number> {
  if (argv.length !== 1) {
    io.stderr(`fwlint explain: give one rule id (see 'fwlint rules')\n`);
    return 2;
  }
  const rule = loadBuiltinRules().rules.find((r) => r.id === argv[0]);
  if (!rule) {
    io.stderr(`fwlint explain: no rule '${sanitize(argv[0]!)}' (see 'fwlint rules')\n`);
    return 2;
  }
  io.stdout(explainText(rule));
  return 0;
}
