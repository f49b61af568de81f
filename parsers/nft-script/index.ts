/**
 * Shell scripts of nft commands (`nft add rule ...`, `nft -f - <<EOF ... EOF`): the "firewall.sh"
 * form of an nftables ruleset.
 *
 *   parseNftScript(text, file) -> Ruleset     never throws
 *   detectNftScript(text) -> boolean
 *
 * The shell is followed as for scripts of iptables commands (parsers/iptables-script: variables,
 * `&&` / `||`, `set -e`, `exit`; conditions, loops and functions are reported, not run), each nft
 * command becomes nft text at its place in the script (commands.ts), and the nftables reader reads
 * that as a command file: the ruleset a freshly booted machine has once the script has run.
 */
import type { Diagnostic, DiagnosticSeverity, Ruleset } from "../../src/model/types.js";
import { lexShell, type Pos } from "../iptables-script/lexer.js";
import { runScript } from "../iptables-script/run.js";
import { parseScript } from "../iptables-script/syntax.js";
import { internalErrorRuleset } from "../internal-error.js";
import type { IncludeIo } from "../file-io.js";
import { parseNft } from "../nftables/index.js";
import { NftScriptCommands } from "./commands.js";
import { detectNftScript } from "./detect.js";

export { detectNftScript };

export const FORMAT = "nft-script";

export interface ParseNftScriptOptions extends Partial<IncludeIo> {
  /** Files it loads (`nft -f`) must stay inside this folder; default the script's own. */
  root?: string;
  /** Where the file is when `file` only labels it (a file at a git revision). */
  origin?: string;
}

export function parseNftScript(text: string, file: string, opts: ParseNftScriptOptions = {}): Ruleset {
  const diagnostics: Diagnostic[] = [];
  const diag = (severity: DiagnosticSeverity, pos: Pos, message: string) => diagnostics.push({ severity, message, file, line: pos.line, column: pos.column });
  try {
    const lexed = lexShell(text);
    const { items, problems } = parseScript(lexed.tokens);
    for (const p of problems) diag(p.severity, p.pos, p.message);
    if (lexed.error) diag("error", lexed.error.pos, `${lexed.error.message} (the shell stops reading the script here)`);
    const errexit = /^#!\S*(\s+\S+)*\s+-[A-Za-z]*e/.test(lexed.lines[0] ?? "");
    const commands = new NftScriptCommands(lexed.lines, (pos, message) => diag("info", pos, message));
    runScript(items, lexed.lines, file, diag, { errexit, nft: commands });
    const ruleset = parseNft(commands.text(), file, opts);
    const all = [...diagnostics, ...ruleset.diagnostics].sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : 0));
    return { ...ruleset, format: FORMAT, diagnostics: all };
  } catch (e) {
    return internalErrorRuleset("nft script reader", { format: FORMAT, file, families: [4, 6] }, diagnostics, e);
  }
}
