/**
 * Cisco IOS / IOS-XE running-config parser (ACLs, object groups, interface bindings, zones).
 *
 *   parseCiscoIos(text, file) -> Ruleset   never throws
 *   detectCiscoIos(text) -> boolean
 *
 * Layers: lines.ts (lines and tokens, banners skipped) -> extract.ts with ace.ts (the vendor
 * configuration object of config.ts) -> mapper.ts with objects.ts, wildcard.ts and zones.ts (the
 * common model). IOS configs are line-oriented with a fixed keyword grammar per command, so the
 * tokenizer is hand-written rather than chevrotain-generated; every command reader works on one
 * line's tokens and reports positions as file:line:column.
 */
import type { Diagnostic, Ruleset } from "../../src/model/types.js";
import { detectCiscoIos } from "./detect.js";
import { ConfigExtractor } from "./extract.js";
import { configLines } from "./lines.js";
import { IosMapper } from "./mapper.js";
import { internalErrorRuleset } from "../internal-error.js";

export { detectCiscoIos };

export function parseCiscoIos(text: string, file: string): Ruleset {
  const diagnostics: Diagnostic[] = [];
  try {
    const split = configLines(text);
    if (split.openBanner) {
      const b = split.openBanner;
      diagnostics.push({ severity: "warning", file, line: b.line, column: b.column, message: `banner delimiter '${b.delimiter}' is never closed: the rest of the file is read as banner text` });
    }
    const cfg = new ConfigExtractor(file, diagnostics).run(split.lines);
    const firstLine = text.slice(0, Math.max(0, text.indexOf("\n"))) || text.slice(0, 200);
    return new IosMapper(cfg, file, diagnostics, firstLine).map();
  } catch (e) {
    return internalErrorRuleset("cisco-ios parser", { format: "cisco-ios", file, families: [4] }, diagnostics, e);
  }
}
