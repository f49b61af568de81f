/** `fwlint schema`: print the JSON Schema of .fwlint.yaml (for editors and CI validation). */
import { configSchemaText } from "../engine/config.js";
import type { CliIo } from "./io.js";

export function schemaUsage(): string {
  return `Usage: fwlint schema

Print the JSON Schema of the configuration file .fwlint.yaml (rules/schema/config.schema.json).
Point your editor's YAML language server at it:  # yaml-language-server: $schema=<path>
`;
}

export async function runSchema(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    io.stdout(schemaUsage());
    return 0;
  }
  if (argv.length > 0) {
    io.stderr(`fwlint schema: takes no arguments (see 'fwlint schema --help')\n`);
    return 2;
  }
  const text = configSchemaText();
  io.stdout(text.endsWith("\n") ? text : `${text}\n`);
  return 0;
}
