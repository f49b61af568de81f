/**
 * Shell scripts of ufw commands (`ufw default deny incoming`, `ufw allow 22/tcp`, `ufw limit ssh`,
 * `ufw allow from 10.0.0.0/8 to any port 3306 proto tcp`, `ufw --force enable`): the provisioning
 * script form of a ufw configuration.
 *
 *   parseUfwScript(text, file) -> Ruleset     never throws
 *   detectUfwScript(text) -> boolean
 *
 * The shell is followed as for scripts of iptables commands (parsers/iptables-script), each ufw
 * command changes ufw's rules as ufw does (commands.ts), and what ufw-init then loads is read as
 * parsers/ufw reads a host's /etc/ufw: the user rules ufw would write, between the package's
 * before.rules and after.rules (stock.ts), with the default policies the script set - both
 * families in one ruleset. Each user rule stands at the ufw command that made it; a default policy
 * at its `ufw default`; a rule of the package's files in that file.
 */
import type { Diagnostic, DiagnosticSeverity, Ruleset } from "../../src/model/types.js";
import type { Pos } from "../iptables-script/lexer.js";
import { runScript } from "../iptables-script/run.js";
import { byPlace, markUnresolved, sourcedFiles, withReadFiles } from "../iptables-script/index.js";
import { readScript } from "../iptables-script/syntax.js";
import { internalErrorRuleset } from "../internal-error.js";
import { diskIo, type IncludeIo } from "../file-io.js";
import { dirname, resolve } from "node:path";
import { buildPipelines } from "../iptables/mapper.js";
import { UfwCommands } from "./commands.js";
import { profilesFrom, treeProfiles } from "./profiles.js";
import { loadedRuleset } from "./loaded.js";
import { detectUfwScript } from "./detect.js";

export { detectUfwScript };

export const FORMAT = "ufw-script";

export interface ParseUfwScriptOptions {
  io?: IncludeIo;
  /** Files it sources must stay inside this folder; default the script's own. */
  root?: string;
  /** Where the file is when `file` only labels it (a file at a git revision). */
  origin?: string;
}

export function parseUfwScript(text: string, file: string, opts: ParseUfwScriptOptions = {}): Ruleset {
  const diagnostics: Diagnostic[] = [];
  const diag = (severity: DiagnosticSeverity, pos: Pos, message: string) => diagnostics.push({ severity, message, file: pos.file ?? file, line: pos.line, column: pos.column });
  try {
    const { items, lines, errexit, shell } = readScript(text, diag);
    const ufw = new UfwCommands(
      (pos, message) => diag("info", pos, message),
      (pos, message) => diag("error", pos, message),
      profilesFrom(treeProfiles(resolve(opts.root ?? dirname(opts.origin ?? file)), opts.io ?? diskIo)),
    );
    const { readFiles, fromEnvironment } = runScript(items, lines, file, diag, { errexit, shell, ufw, files: sourcedFiles(opts) });
    markUnresolved(diagnostics, fromEnvironment, file);
    const ruleset = loadedRuleset(ufw, FORMAT, file, lines, (f) => readFiles.get(f), "the script");
    ruleset.diagnostics = [...diagnostics, ...ruleset.diagnostics].sort(byPlace(file));
    return withReadFiles(ruleset, readFiles);
  } catch (e) {
    return internalErrorRuleset("ufw script reader", { format: FORMAT, file, families: [4, 6], pipelines: buildPipelines(4, new Map()) }, diagnostics, e);
  }
}
