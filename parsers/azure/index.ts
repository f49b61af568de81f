/**
 * Azure network security groups (ARM REST / az CLI / ARM template JSON, and recordings of them) ->
 * Ruleset: read.ts reads the document (schema-checked, with places), mapper.ts builds the chains
 * and pipelines. A bug in either gives the internal-error ruleset, never an exception.
 */
import type { Diagnostic, Ruleset } from "../../src/model/types.js";
import { internalErrorRuleset } from "../internal-error.js";
import { mapAzureNsg } from "./mapper.js";
import { readAzureNsg } from "./read.js";

export { detectAzureNsg } from "./detect.js";

export function parseAzureNsg(text: string, file: string): Ruleset {
  let diagnostics: Diagnostic[] = [];
  try {
    const read = readAzureNsg(text, file);
    diagnostics = read.diagnostics;
    return mapAzureNsg(read.doc, file, diagnostics);
  } catch (e) {
    return internalErrorRuleset("Azure NSG reader", { format: "azure-nsg", file, families: [4, 6] }, diagnostics, e);
  }
}
