/**
 * Cisco ASA running-config (and `show access-list` output) parser.
 *
 *   parseCiscoAsa(text, file) -> Ruleset   never throws
 *   detectCiscoAsa(text) -> boolean
 *
 * Layers: lines.ts splits the file's lines into words with columns; extract.ts (with slots.ts for the
 * address/port/service word sequences and ace.ts for access-list entries) reads them into the
 * vendor configuration of config.ts; objects.ts resolves object and group names; mapper.ts (with
 * conditions.ts) builds the common model: pipelines, chains and rules.
 */
import type { Ruleset } from "../../src/model/types.js";
import { detectCiscoAsa } from "./detect.js";
import { Extractor } from "./extract.js";
import { configRows } from "./lines.js";
import { Mapper } from "./mapper.js";
import { internalErrorRuleset } from "../internal-error.js";

export { detectCiscoAsa };

export function parseCiscoAsa(text: string, file: string): Ruleset {
  const extractor = new Extractor(file);
  try {
    const config = extractor.run(configRows(text));
    return new Mapper(config, file, extractor.diagnostics).map();
  } catch (e) {
    return internalErrorRuleset("Cisco ASA parser", { format: "cisco-asa", file, families: [4] }, extractor.diagnostics, e);
  }
}
