/**
 * Google Cloud VPC firewall rules (gcloud / REST / getEffectiveFirewalls JSON) -> Ruleset: read.ts
 * reads the document (schema-checked, with places), mapper.ts builds the chains and pipelines. A bug
 * in either gives the internal-error ruleset, never an exception.
 */
import type { Diagnostic, Ruleset } from "../../src/model/types.js";
import { internalErrorRuleset } from "../internal-error.js";
import { mapGcpFirewall } from "./mapper.js";
import { readGcpFirewall } from "./read.js";

export { detectGcpFirewall } from "./detect.js";

export function parseGcpFirewall(text: string, file: string): Ruleset {
  let diagnostics: Diagnostic[] = [];
  try {
    const read = readGcpFirewall(text, file);
    diagnostics = read.diagnostics;
    return mapGcpFirewall(read.doc, file, diagnostics);
  } catch (e) {
    return internalErrorRuleset("GCP firewall reader", { format: "gcp-firewall", file, families: [4, 6] }, diagnostics, e);
  }
}
