/**
 * The template reader as fwlint runs it: through the format registry, which hands it the readers
 * of what templates render (load it first: loadFormats(["ansible-template"])).
 */
import type { Value } from "../../../parsers/ansible/tasks.js";
import type { IncludeIo } from "../../../parsers/file-io.js";
import { parseAs } from "../../../src/engine/formats.js";
import type { Ruleset } from "../../../src/model/types.js";

export function parseTemplate(text: string, file: string, opts: { io?: IncludeIo; root?: string; extraVars?: Record<string, Value> } = {}): Ruleset {
  return parseAs("ansible-template", text, file, { ...(opts.io ? { includeIo: opts.io } : {}), ...(opts.root !== undefined ? { root: opts.root } : {}), ...(opts.extraVars ? { ansibleVars: opts.extraVars } : {}) });
}
