/**
 * The argument vector of one `iptables ...` command -> the same per-option AST the iptables-save
 * parser builds for a rule line (parsers/iptables/ast.ts), so that parsers/iptables/rule.ts reads
 * the rule. This file only groups words: which command, its positional words (chain, rule number,
 * policy), the table, and each option with the words after it, as getopt sees them (`--opt=value`
 * and `-ptcp` are split like getopt splits them). What the options mean is rule.ts's business.
 */
import type { ArgNode, OptionNode, Pos, WordNode } from "../iptables/ast.js";
import { nameTable } from "../../src/model/name-table.js";

/** One argument as the command receives it (after shell expansion and quote removal). */
export interface ArgField {
  text: string;
  pos: Pos;
  /** Some of it was quoted in the script (`"--x"` right after an option is that option's argument). */
  quoted?: boolean;
}

export type IptCommandName =
  | "append"
  | "insert"
  | "delete"
  | "replace"
  | "new-chain"
  | "policy"
  | "flush"
  | "delete-chain"
  | "zero"
  | "list"
  | "list-rules"
  | "check"
  | "rename-chain"
  | "help"
  | "version";

const COMMANDS: Readonly<Record<string, IptCommandName>> = nameTable({
  "-A": "append",
  "--append": "append",
  "-I": "insert",
  "--insert": "insert",
  "-D": "delete",
  "--delete": "delete",
  "-R": "replace",
  "--replace": "replace",
  "-N": "new-chain",
  "--new-chain": "new-chain",
  "--new": "new-chain",
  "-P": "policy",
  "--policy": "policy",
  "-F": "flush",
  "--flush": "flush",
  "-X": "delete-chain",
  "--delete-chain": "delete-chain",
  "-Z": "zero",
  "--zero": "zero",
  "-L": "list",
  "--list": "list",
  "-S": "list-rules",
  "--list-rules": "list-rules",
  "-C": "check",
  "--check": "check",
  "-E": "rename-chain",
  "--rename-chain": "rename-chain",
  "-h": "help",
  "--help": "help",
  "-V": "version",
  "--version": "version",
});

/** Options of the iptables command itself that do not change what a rule means. */
const IGNORED: Readonly<Record<string, "none" | "optional-number" | "one">> = nameTable({
  "-v": "none",
  "--verbose": "none",
  "-n": "none",
  "--numeric": "none",
  "-x": "none",
  "--exact": "none",
  "--line-numbers": "none",
  "-w": "optional-number",
  "--wait": "optional-number",
  "-W": "optional-number",
  "--wait-interval": "optional-number",
  "--modprobe": "one",
});

// getopt's view of the short options (iptables.c: "-:A:C:D:R:I:L::S::M:F::Z::N:X::E:P:Vh::o:p:s:d:j:i:fbvw::W::nt:m:xc:g:46")
const SHORT_REQUIRED = new Set("ACDRINEPMopsdjitmcg".split(""));
const SHORT_OPTIONAL = new Set("LSFZXhwW".split(""));
const SHORT_FLAG = new Set("Vfbvnx46".split(""));

const OPTION = /^(--[A-Za-z0-9][A-Za-z0-9_-]*|-[A-Za-z0-9])$/;

export interface IptInvocation {
  command?: { name: IptCommandName; written: string; pos: Pos };
  /** Words right after the command: chain, rule number, policy, new name. */
  positional: WordNode[];
  /** Rule options, in order (-t and the ignored options taken out). */
  options: OptionNode[];
  table: string;
  tablePos?: Pos;
  problems: { pos: Pos; message: string }[];
}

/** Split `--opt=value` and getopt short-option clusters (`-ptcp`, `-nvL`). */
function splitGetopt(fields: ArgField[]): ArgField[] {
  const out: ArgField[] = [];
  for (const f of fields) {
    const t = f.text;
    if (f.quoted) {
      out.push(f);
      continue;
    }
    const eq = /^(--[A-Za-z0-9][A-Za-z0-9_-]*)=(.*)$/s.exec(t);
    if (eq) {
      out.push({ text: eq[1]!, pos: f.pos }, { text: eq[2]!, pos: { ...f.pos, column: f.pos.column + eq[1]!.length + 1 } });
      continue;
    }
    if (t.length > 2 && t[0] === "-" && t[1] !== "-" && !OPTION.test(t) && COMMANDS[t] === undefined) {
      const pieces: ArgField[] = [];
      let ok = false;
      for (let k = 1; k < t.length; k++) {
        const c = t[k]!;
        const at = { ...f.pos, column: f.pos.column + k };
        if (SHORT_FLAG.has(c)) {
          pieces.push({ text: "-" + c, pos: at });
          ok = k === t.length - 1;
          continue;
        }
        if (SHORT_REQUIRED.has(c) || SHORT_OPTIONAL.has(c)) {
          pieces.push({ text: "-" + c, pos: at });
          if (k + 1 < t.length) pieces.push({ text: t.slice(k + 1), pos: { ...at, column: at.column + 1 } });
          ok = true;
        }
        break;
      }
      if (ok) {
        out.push(...pieces);
        continue;
      }
    }
    out.push(f);
  }
  return out;
}

/** How iptables-save would write the word (quoted when it holds blanks or quotes). */
function rawOf(text: string): string {
  if (text !== "" && !/[\s"'\\]/.test(text)) return text;
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function wordNode(f: ArgField): WordNode {
  const raw = rawOf(f.text);
  return { text: f.text, raw, quoted: raw !== f.text, ...f.pos };
}

export function readInvocation(argv: ArgField[]): IptInvocation {
  const fields = splitGetopt(argv);
  const inv: IptInvocation = { positional: [], options: [], table: "filter", problems: [] };
  let current: OptionNode | null = null;
  let positionalPhase = false;
  let pendingBang: Pos | undefined;
  const isOption = (t: string | undefined) => t !== undefined && (OPTION.test(t) || COMMANDS[t] !== undefined);

  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    const t = f.text;
    if (f.quoted && current && current.args.length === 0) {
      // `--log-prefix "--DROP"`: getopt gives an option its argument whatever it looks like
      current.args.push(wordNode(f));
      continue;
    }
    if (t === "!") {
      const next = fields[k + 1];
      if (next && isOption(next.text)) {
        if (pendingBang) inv.problems.push({ pos: f.pos, message: "'!' given twice" });
        pendingBang = f.pos;
        continue;
      }
      if (next && current) {
        const arg: ArgNode = { ...wordNode(next), bangBefore: f.pos };
        current.args.push(arg);
        k++;
        continue;
      }
      inv.problems.push({ pos: f.pos, message: next ? `unexpected '!' before '${next.text}'` : "unexpected '!' at the end of the command" });
      continue;
    }
    const cmd = COMMANDS[t];
    if (cmd !== undefined) {
      if (pendingBang) {
        inv.problems.push({ pos: pendingBang, message: `${t} cannot be negated with '!'` });
        pendingBang = undefined;
      }
      if (inv.command) {
        inv.problems.push({ pos: f.pos, message: `only one command at a time: ${inv.command.written} is already given, ${t} is another command` });
        // its chain name and the like: already reported with it
        while (k + 1 < fields.length && !isOption(fields[k + 1]!.text) && fields[k + 1]!.text !== "!") k++;
        current = null;
        positionalPhase = false;
        continue;
      }
      inv.command = { name: cmd, written: t, pos: f.pos };
      current = null;
      positionalPhase = true;
      continue;
    }
    if (OPTION.test(t)) {
      positionalPhase = false;
      current = null;
      const ignored = IGNORED[t];
      if (ignored !== undefined) {
        if (pendingBang) inv.problems.push({ pos: pendingBang, message: `${t} cannot be negated with '!'` });
        pendingBang = undefined;
        const next = fields[k + 1];
        if (ignored === "one") {
          if (!next) inv.problems.push({ pos: f.pos, message: `expected an argument after ${t}` });
          else k++;
        } else if (ignored === "optional-number" && next && /^[0-9]+(\.[0-9]+)?$/.test(next.text)) k++;
        continue;
      }
      if (t === "-t" || t === "--table") {
        if (pendingBang) inv.problems.push({ pos: pendingBang, message: `${t} cannot be negated with '!'` });
        pendingBang = undefined;
        const next = fields[k + 1];
        if (!next || isOption(next.text) || next.text === "!") {
          inv.problems.push({ pos: f.pos, message: `expected a table name after ${t}` });
          continue;
        }
        if (inv.tablePos) inv.problems.push({ pos: f.pos, message: "multiple -t options in one command" });
        inv.table = next.text;
        inv.tablePos = next.pos;
        k++;
        continue;
      }
      const opt: OptionNode = { name: t, args: [], ...f.pos, ...(pendingBang ? { bang: pendingBang } : {}) };
      pendingBang = undefined;
      inv.options.push(opt);
      current = opt;
      continue;
    }
    if (current) current.args.push(wordNode(f));
    else if (positionalPhase) inv.positional.push(wordNode(f));
    else inv.problems.push({ pos: f.pos, message: `unexpected '${t}'${inv.command ? "" : " before the command"}` });
  }
  if (pendingBang) inv.problems.push({ pos: pendingBang, message: "'!' at the end of the command negates nothing" });
  return inv;
}
