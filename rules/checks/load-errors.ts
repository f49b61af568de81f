/**
 * ruleset-does-not-load: the file has errors its loader refuses as a whole - `nft -f` (one
 * transaction) or iptables-restore (each table's COMMIT) -, so loading it fails and the firewall
 * keeps the rules it had, not the ones under review. The errors themselves are the reader's
 * diagnostics; this check makes their consequence a finding, so that a pre-commit hook or a pull
 * request check fails on it as on an opening. Formats loaded line by line (a shell script of
 * iptables commands, a vendor CLI) are not all-or-nothing and are left to the diagnostics. Errors
 * that are fwlint's own (an include it could not read here, which the loader may well find; an
 * internal error) do not count, nor do names the file uses and does not define, which a fragment
 * loaded with other files has (those stay errors where they are; an nft jump to a missing chain is
 * also missing-jump-target).
 */
import type { Finding } from "../../src/model/finding.js";
import type { Diagnostic } from "../../src/model/types.js";
import type { Check } from "./context.js";
import { nameTable } from "../../src/model/name-table.js";

/** How a format's loader refuses a file with an error in it (`file`: where the error is), and what follows. */
interface Loader {
  refuses: (file: string) => string;
  after: string;
}

const WHOLE_FILE = "loading it fails, and the firewall keeps the rules it had";

/** Formats whose loader refuses the whole file (or table) for one error. */
const LOADERS: Readonly<Record<string, Loader>> = nameTable({
  nft: { refuses: () => "nft -f refuses this file", after: WHOLE_FILE },
  iptables: { refuses: () => "iptables-restore refuses this file", after: WHOLE_FILE },
  ip6tables: { refuses: () => "ip6tables-restore refuses this file", after: WHOLE_FILE },
  // ufw-init loads each rule file with `iptables-restore -n`: a file with an error is not loaded at
  // all, the others are, and ufw reports the failure
  ufw: { refuses: (file) => `ufw-init's iptables-restore refuses ${file}`, after: 'ufw starts without any rule of that file and reports "Problem running" it' },
});

/**
 * An error of the file itself, which no other file loaded with it mends: not fwlint's reading of
 * it, and not a name the file uses without defining it (a fragment loaded with others - ufw's
 * before.rules jumps to chains ufw creates, an nft include uses its includer's defines and sets).
 */
function refused(d: Diagnostic): boolean {
  return d.severity === "error" && d.unread !== true && d.unresolved !== true;
}

export const loadErrors: Check<Record<string, never>> = (ctx, _params, rule) => {
  const loader = LOADERS[ctx.ruleset.format];
  if (!loader) return [];
  const errors = ctx.ruleset.diagnostics.filter(refused);
  const first = errors[0];
  if (!first) return [];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""})` : "";
  // (an included file another program loads: an iptables ruleset's ipset files, by `ipset restore`)
  const other = first.file !== ctx.ruleset.file ? ctx.ruleset.includedLoader : undefined;
  const finding: Finding = {
    ruleId: rule.id,
    severity: rule.severity,
    message: other
      ? `${other.program} refuses ${first.file}: ${first.message}${more}; loading it fails, and the firewall keeps the ${other.holds} it had`
      : `${loader.refuses(first.file)}: ${first.message}${more}; ${loader.after}`,
    location: { file: first.file, line: first.line, column: first.column },
  };
  return [finding];
};
